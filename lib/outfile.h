/* Output files are written under a temporary name beside the destination and
 * renamed into place only when complete. On failure or interruption the
 * temporary is removed: no half-written output is presented as complete. */
#ifndef REHOST_OUTFILE_H
#define REHOST_OUTFILE_H

#include <signal.h>

/* Creates (O_EXCL, mode 0600) and returns a malloc'd temp path
 * "DIR/.NAME.rehost-tmp.PID.XXXXXX" (unpredictable) for dest, and registers
 * it for removal at exit / on SIGINT/SIGTERM. Refuses a directory that
 * another user can write (unless sticky). NULL after printing an error. */
char *rh_outfile_begin(const char *dest);
/* Remove temporaries of dest left by a rehost that was killed (their PID is
 * gone). rh_outfile_begin does this too. */
void rh_outfile_remove_stale(const char *dest);
/* Make the output durable and visible: check that tmp is still the file
 * begin created (not swapped for another), set its mode from the umask,
 * fsync it, rename it to dest, fsync the directory. Unregisters and frees
 * tmp; returns 0 or -1 with errno (tmp removed). */
int rh_outfile_commit(char *tmp, const char *dest);
/* Remove tmp and unregister. */
void rh_outfile_abort(char *tmp);
/* fsync the directory holding path (a rename or create there is durable). */
int rh_fsync_dir_of(const char *path);
/* Write a small text file atomically: temporary name, a final newline if the
 * text lacks one, fsync, mode (0: from the umask), rename, fsync directory. Prints one error
 * naming path and returns RH_EXIT_IO on failure; 0 on success. */
int rh_outfile_write_text(const char *path, const char *text, unsigned mode);

/* -o DIR for several outputs (why: "2 disks", "several profiles"): DIR must
 * be a directory, and is created when create is set and it is missing.
 * Prints one error; returns 0, RH_EXIT_USAGE or RH_EXIT_IO. */
#include <stdbool.h>
int rh_outdir_prepare(const char *dir, bool create, const char *why);

/* Install SIGINT/SIGTERM handlers that remove registered temporaries and
 * exit with RH_EXIT_INTERRUPTED. */
void rh_install_signal_cleanup(void);

/* While flag is set (non-NULL), SIGINT/SIGTERM/SIGHUP only store the signal
 * number in *flag (and stop a running helper): the operation in progress
 * stops at its next check and cleans up itself. rh_signal_defer(NULL)
 * restores exit-on-signal. */
void rh_signal_defer(volatile sig_atomic_t *flag);
/* A deferred signal arrived (long waits poll this). */
#include <stdbool.h>
bool rh_signal_pending(void);

#endif
