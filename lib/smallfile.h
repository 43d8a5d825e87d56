/* Read a whole small file (state, profile, report) with a size cap. */
#ifndef REHOST_SMALLFILE_H
#define REHOST_SMALLFILE_H

#include <stddef.h>

/* The file's bytes, NUL-terminated (malloc'd; *len without the NUL), or
 * NULL with errno set: the open/read error, EFBIG when larger than cap. */
char *rh_read_small_file(const char *path, size_t cap, size_t *len);

/* The same for a file rehost trusts (its state, a pair): never through a
 * symlink (ELOOP), a regular file (else EINVAL) owned by root or the
 * effective user and writable by nobody else (else EPERM). */
char *rh_read_private_file(const char *path, size_t cap, size_t *len);
/* Why rh_read_private_file refused a file, from its errno ("a symlink",
 * "owned or writable by another user", "not a regular file"), or NULL when
 * errno is an ordinary error (strerror says it). */
const char *rh_private_file_refusal(int err);

#endif
