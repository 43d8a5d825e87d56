/* Files rehost keeps beside other people's images, as root: state, locks,
 * logs. An image's directory may be writable by someone else, so nothing
 * here follows a symlink, trusts a file another user owns, or leaves a lock
 * that another user can take. */
#ifndef REHOST_PRIVATE_FILES_H
#define REHOST_PRIVATE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* STATE_DIR: option, else $REHOST_STATE_DIR, else /var/lib/rehost. */
const char *rh_state_dir(const char *option);

/* Open (flags may include O_CREAT) a file of rehost's own: never through a
 * symlink, only a regular file, owned by the effective user, with one link;
 * a file created or found with other permission bits is set to mode.
 * On failure prints one error naming path and what it is for ("lock file")
 * and returns -1 with errno set. */
int rh_open_private(const char *path, int flags, mode_t mode, const char *what);

/* Make buf the whole content of the file open at fd (a temporary opened with
 * rh_open_private), fsync and close it, rename tmp to path and fsync the
 * directory: path then holds buf, durably, or is untouched. Returns 0, or an
 * errno value (fd is closed either way; tmp is left for the caller). */
int rh_private_commit(int fd, const void *buf, size_t len, const char *tmp, const char *path);
/* Is path (a file or directory) safe to act on as the effective user: owned
 * by root or by that user, and writable by nobody else (a directory may be
 * writable by others when it is sticky, as /tmp is)? Symlinks are judged by
 * what they name, and so is every directory above. On false, why says so. */
bool rh_path_trusted(const char *path, bool sticky_ok, char *why, size_t whysz);

/* Take an exclusive flock on path (a private file, created 0600). wait_s:
 * 0 tries once; otherwise waits up to wait_s seconds. On a busy lock prints
 * "<subject>: another rehost (pid N) is <doing>; ..." naming the process
 * that really holds it (from /proc/locks), or "unknown", and returns
 * RH_EXIT_FAILURE; RH_EXIT_IO when the file cannot be used. */
int rh_lock_take(const char *path, int wait_s, const char *subject, const char *doing, int *fd);
void rh_lock_release(int fd);
/* The PID holding an flock on the file open at fd, or 0 if unknown. */
long rh_lock_holder(int fd);

/* DIR/name in rehost's runtime directory for locks that are about no one
 * file's directory (a source image's): /run/rehost for root, else
 * $XDG_RUNTIME_DIR/rehost or /tmp/rehost-UID; 0700, ours. malloc'd, or NULL
 * after printing an error. */
char *rh_runtime_path(const char *name);

/* Default --wait time, seconds. */
#define RH_WAIT_DEFAULT 3600

#endif
