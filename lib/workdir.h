/* Private working directories: qemu-nbd sockets, finalize's overlay,
 * libguestfs' temporary files. Named rehost-PURPOSE.PID.XXXXXX, so that a
 * later rehost can remove those left by one that was killed (kill -9, power
 * loss): rh_workdir_create first removes stale ones in the same place - their
 * PID no longer runs here, and their DIR/.lock, flock'ed by the creating run
 * for the directory's whole life, is free (a live run in another PID
 * namespace, or behind a reused PID, keeps its directory). */
#ifndef REHOST_WORKDIR_H
#define REHOST_WORKDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Create the directory and write its path to out. large: it will hold image
 * data, so it goes under $TMPDIR, else /var/tmp (often not a small tmpfs);
 * otherwise (sockets, whose paths must stay short) under /tmp.
 * Returns 0, or -1 with errno set. */
int rh_workdir_create(const char *purpose, bool large, char *out, size_t outsz);
/* Only the first step of rh_workdir_create: remove the stale directories
 * (and stop the helpers) that killed runs left for purpose. For a run that
 * needs no directory of its own this time. */
void rh_workdir_reap(const char *purpose, bool large);
/* Remove the directory and what is in it (symlinks are not followed). */
void rh_workdir_remove(const char *dir);
/* Is dir one rh_workdir_create made for purpose (by its name)? */
bool rh_workdir_is(const char *dir, const char *purpose);

#endif
