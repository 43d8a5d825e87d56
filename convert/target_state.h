/* Replication state of a target image, kept beside it in TARGET.rehost.json
 * (written atomically, fsync'd) and guarded by the lock file
 * TARGET.rehost.lock (flock; released by the kernel if rehost dies).
 *
 * States: consistent   - the last sync completed; target equals the source
 *                        as of that sync
 *         syncing      - a sync is running, or died (kill -9, power loss):
 *                        read back under the lock, it means inconsistent
 *         inconsistent - the last sync failed or was interrupted
 *         finalized    - finalize edited the target; syncs refused */
#ifndef REHOST_TARGET_STATE_H
#define REHOST_TARGET_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rh_tstate {
  RH_TS_NONE = 0, /* no state file */
  RH_TS_CONSISTENT,
  RH_TS_SYNCING,
  RH_TS_INCONSISTENT,
  RH_TS_FINALIZED,
};

/* What stat(2) says of a regular file, enough to know it was not written
 * since: any write (or utimes) moves ctime, which no user can set back. */
struct rh_file_stamp {
  uint64_t dev, ino, size;
  int64_t mtime_ns, ctime_ns;
};

/* Stamp a regular file (0), or -1 (not one, or stat fails). */
int rh_file_stamp_get(const char *path, struct rh_file_stamp *s);
struct stat;
void rh_file_stamp_of(const struct stat *sb, struct rh_file_stamp *s);
/* A recorded stamp (ino != 0) that equals b. */
bool rh_file_stamp_same(const struct rh_file_stamp *recorded, const struct rh_file_stamp *b);

struct rh_target_state {
  enum rh_tstate state;
  char id[17];               /* hex id of this target, names its bitmaps */
  char *reason;              /* why inconsistent */
  long pid;                  /* the syncing process */
  /* source this target replicates */
  char *src_path, *src_format, *src_disk_id;
  uint64_t src_size;
  /* the source file and the target file as the last completed sync left
   * them, when all the source's data lives in that one file (else zero):
   * both unchanged, there is nothing to sync */
  struct rh_file_stamp src_stamp, tgt_stamp;
  /* target, as left by the last completed sync */
  char *tgt_format;
  uint64_t tgt_size;
  int64_t tgt_mtime_ns;
  /* change tracking: the source bitmap that records writes since the
   * last completed sync began */
  char *bitmap;
  int64_t generation;
  /* last sync (completed or not) */
  char *last_mode, *last_started, *last_finished;
  double last_seconds;
  uint64_t last_read, last_written, last_zeroed;
};

const char *rh_tstate_name(enum rh_tstate s);
void rh_tstate_free(struct rh_target_state *st);
/* Parse a state file's text. Returns 0, or -1 with a message in err. */
int rh_tstate_parse(const char *text, struct rh_target_state *st, char *err, size_t errsz);
/* Serialise (malloc'd JSON text). */
char *rh_tstate_format(const struct rh_target_state *st);

/* "TARGET.rehost.json" (malloc'd); for a block-device target,
 * STATE_DIR/devices/!dev!vg!lv.rehost.json. */
char *rh_tstate_path(const char *target);
/* TARGET + suffix beside a file target, or in STATE_DIR/devices for a
 * block device (named after its path with '/' as '!'). malloc'd. */
char *rh_tstate_side_path(const char *target, const char *suffix);
/* The lock file, likewise "TARGET.rehost.lock" or in STATE_DIR/devices. */
char *rh_target_lock_path(const char *target);
/* Load TARGET's state: absent file gives state RH_TS_NONE. Prints an error
 * naming the file and returns RH_EXIT_INPUT if it is unreadable or malformed. */
int rh_tstate_load(const char *target, struct rh_target_state *st);
/* Write atomically (temp file, fsync, rename, fsync directory).
 * Prints an error and returns RH_EXIT_IO on failure. */
int rh_tstate_save(const char *target, const struct rh_target_state *st);
/* Replace a string member. */
void rh_tstate_set(char **field, const char *value);
/* A new random target id. */
void rh_tstate_new_id(char id[17]);
/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf. */
const char *rh_utc_now(char *buf, size_t sz);

/* Take TARGET's lock (a private 0600 file, see private_files.h). wait_s 0:
 * if another rehost holds it, print who and return RH_EXIT_FAILURE; else
 * wait up to wait_s seconds. Returns RH_EXIT_OK with *fd set. */
int rh_target_lock(const char *target, int wait_s, int *fd);
void rh_target_unlock(int fd);

#endif
