/* rehost replicate: full copy, then block-delta syncs of a source image into a
 * target image, with the target's replication state kept beside it (see
 * target_state.h) and change tracking through source dirty bitmaps. */
#ifndef REHOST_REPLICATE_H
#define REHOST_REPLICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target_state.h"

enum rh_repl_mode { RH_MODE_AUTO, RH_MODE_FULL, RH_MODE_COMPARE, RH_MODE_BITMAP };

const char *rh_repl_mode_name(enum rh_repl_mode m);
/* "auto", "full", "compare", "bitmap" -> mode; -1 if unknown. */
int rh_repl_mode_parse(const char *s);

struct rh_replicate_opts {
  const char *source, *target;
  const char *source_format;  /* force the source's format (qemu driver), or NULL */
  const char *target_format;  /* driver for a new target, or NULL: from its extension */
  enum rh_repl_mode mode;
  uint32_t block_size;        /* 0: default */
  int threads;                /* 0: default */
  bool force;                 /* replicate a different source / into a finalized target / shrink */
  bool no_track;              /* never add bitmaps to the source */
  int wait_s;                 /* wait up to this for another rehost holding the target
                               * or reading the source; 0: fail at once */
  bool allow_backing;
  bool source_shared;         /* the source is the read-only base of a running VM's
                               * external snapshot: read without image locks, no tracking */
  bool untrack;               /* remove TARGET's bitmaps from SOURCE, then stop */
  bool verify;                /* compare reads the target too, whatever digests were kept */
  /* Called once while qemu-img probes the source and its server starts (a
   * qcow2 file), for the caller's own work meanwhile: the lean rehost loads
   * libnbd then (lazy_load.h). NULL for none. */
  void (*while_probing)(void);
};

int rh_replicate(const struct rh_replicate_opts *o);

/* What is known when choosing a mode (pure decision, unit-tested). */
struct rh_mode_facts {
  bool target_exists;
  enum rh_tstate state;
  long state_pid;
  const char *state_reason;
  bool source_qcow2;
  const char *source_format;
  const char *recorded_bitmap;  /* bitmap named in the state, or NULL */
  bool bitmap_present;          /* it exists in the source */
  bool bitmap_in_use;           /* and is flagged in-use (invalid) */
  bool bitmap_disabled;         /* and is not enabled ("auto"): writes went unrecorded */
  bool size_changed;
  bool target_changed;          /* target file modified since the last sync */
  bool identity_forced;         /* --force overrode a different source */
};

/* Choose the mode to run. When a requested (or auto) bitmap sync is not
 * possible, returns RH_MODE_COMPARE and writes the reason into why. When
 * the target does not exist, returns RH_MODE_FULL. why is "" when the
 * requested mode runs as asked. */
enum rh_repl_mode rh_choose_mode(enum rh_repl_mode requested, const struct rh_mode_facts *f,
                                 char *why, size_t whysz);

#endif
