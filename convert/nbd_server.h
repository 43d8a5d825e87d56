/* A private qemu-nbd serving one image over a Unix socket in a fresh 0700
 * directory, for block-level I/O through libnbd. The server dies with rehost
 * (PR_SET_PDEATHSIG) and exits by itself when its last client disconnects. */
#ifndef REHOST_NBD_SERVER_H
#define REHOST_NBD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct nbd_handle;

struct rh_nbd_export {
  const char *path;
  const char *format;   /* qemu driver name */
  bool readonly;        /* sources: always */
  const char *bitmap;   /* export this dirty bitmap (qemu:dirty-bitmap:NAME), or NULL */
  int connections;      /* how many clients will connect */
  bool no_locking;      /* read-only: take no qemu image lock, so that a VM can start (or
                         * keep running on an overlay) meanwhile; the caller checks
                         * that nobody wrote (see replicate.c) */
  bool persistent;      /* read-only: serve one client after another (--persistent)
                         * until stopped, instead of exiting when the last one goes */
  bool direct;          /* O_DIRECT (--cache=none), where the caller has
                         * found that the file takes it; else the page cache
                         * (--cache=writeback) */
  bool grow_in_chunks;  /* read-write, a regular file whose format grows it at its
                         * end (qcow2 and the like, not raw): qemu's preallocate
                         * filter extends the file 128 MiB at a time instead of
                         * by each write past its end; the server's clean exit
                         * trims it back to the data */
};

struct rh_nbd_server {
  pid_t pid;
  bool persistent;      /* stopped with SIGTERM at once: no last client will end it
                         * (--persistent, or cancelled before any came) */
  char *dir, *sock, *log;
  char *path;           /* image path, for messages */
};

/* Start the server and wait until it accepts connections. On failure prints
 * one error line naming the image (an image in use by a running VM is
 * reported as such) and returns an RH_EXIT_* code. */
int rh_nbd_server_start(const struct rh_nbd_export *e, struct rh_nbd_server *s);
/* The same in two halves, to do something else while qemu-nbd starts: spawn
 * returns once it runs (an error line and an RH_EXIT_* code if it cannot be
 * run); ready waits until it accepts connections, else stops it and returns
 * an RH_EXIT_* code, with the error line unless quiet. */
int rh_nbd_server_spawn(const struct rh_nbd_export *e, struct rh_nbd_server *s);
int rh_nbd_server_ready(struct rh_nbd_server *s, bool quiet);
/* Connect a new client, asking for the given meta contexts (NULL-terminated
 * list, may be NULL). Prints an error and returns NULL on failure. */
struct nbd_handle *rh_nbd_connect(const struct rh_nbd_server *s, const char *const *contexts);
/* Disconnect a client cleanly (NBD_CMD_DISC) and free it. */
void rh_nbd_close(struct nbd_handle *h);
/* Wait for the server to exit (all clients closed first), killing it after a
 * timeout; remove its directory. Returns 0 if it exited cleanly. */
int rh_nbd_server_stop(struct rh_nbd_server *s);
/* Stop a read-only server that no client used (its export is not wanted)
 * at once, with nothing said, and remove its directory. */
void rh_nbd_server_discard(struct rh_nbd_server *s);
/* Stop a spawned server that no client will use, read-write ones too: once
 * it listens (a SIGTERM before that is lost), SIGTERM, which closes the
 * image cleanly; nothing said. */
void rh_nbd_server_cancel(struct rh_nbd_server *s);

/* Extent map of meta context ctx over [0, size) by block status; a server
 * without the context gives one extent of flags 0 (data, not dirty). Prints
 * an error naming path and returns -1 on failure. */
struct rh_extents;
int rh_nbd_extents(struct nbd_handle *h, const char *path, const char *ctx, uint64_t size,
                   struct rh_extents *out);

/* The last libnbd error as one line without the "nbd_pread: " prefix. */
const char *rh_nbd_error(void);

#endif
