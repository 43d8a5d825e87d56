/* Internal to rehost replicate: one run's facts, shared by the sync
 * (replicate.c) and the checks that protect data (replicate_guard.c). */
#ifndef REHOST_REPLICATE_RUN_H
#define REHOST_REPLICATE_RUN_H

#include "bitmaps.h"
#include "image.h"
#include "replicate.h"
#include "sync_engine.h"
#include "target_digests.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

enum { RH_COMPARE_THREADS = 4, RH_BITMAP_THREADS = 16 };

struct source_facts {
  char disk_id[64];
  uint64_t size;
  uint64_t data_bytes;  /* bytes not reading as zero */
  bool dirty_known;     /* the look read the recorded bitmap: */
  uint64_t dirty_bytes; /* bytes it marks as written since the last sync */
};

struct run {
  const struct rh_replicate_opts *o;
  struct rh_image src;
  struct source_facts sf;
  char tgt_driver[32];
  bool tgt_data_in_file;
  bool tgt_device;            /* a block device: written in place, never resized */
  bool target_exists;
  struct rh_target_state st;
  enum rh_repl_mode mode;
  char new_bitmap[64];
  bool generation_kept;       /* nothing changed: the recorded bitmap goes on recording */
  bool generation_restarted;  /* the recorded bitmap was cleared: it records from now on */
  bool untouched;             /* source and target files unchanged since the last sync */
  struct rh_bitmap_info *bms;
  int nbms;
  struct rh_sync_stats stats;
  struct stat src_before;     /* the source as first looked at, moved past
                               * each of rehost's own bitmap writes */
  struct rh_digests dg;       /* the target's block digests, kept up to date this run */
  struct rh_nbd_server src_srv; /* the source's qemu-nbd: the first look, then the sync */
  bool src_srv_up, src_bitmap_exported;
  bool src_srv_early;           /* src_srv spawned while the probe ran, exporting
                                 * early_bitmap (or none): not yet adopted */
  char early_bitmap[64];
  bool src_before_taken;        /* src_before was taken before that server opened it */
  signed char src_direct;       /* its server reads with O_DIRECT: 1 yes, -1 no, 0 not
                                 * judged yet (rh_read_direct_when_cold) */
  struct rh_nbd_server tgt_srv; /* the target's qemu-nbd, for a delta sync */
  bool tgt_srv_spawned;         /* spawned while the generation started; not yet ready */
  bool dg_active, dg_trusted;
  struct rh_bitmap_job gen_job; /* the new generation's qemu-img, run beside the copy */
};

/* The source's server (replicate_source.c): started exporting bitmap (or
 * none), adopting the one started early when it exports that; started early
 * from the probe (rh_probe_opts.on_judged, arg: the run); stopped. */
int rh_repl_source_start(struct run *r, const char *bitmap);
void rh_repl_source_start_early(void *arg, const char *path, const char *format);
void rh_repl_source_stop(struct run *r);
/* The recorded bitmap when it can drive a sync, else NULL. */
const char *rh_repl_usable_bitmap(const struct run *r);
/* The first look: size, disk identity, allocated and dirty bytes (r->sf). */
int rh_repl_source_look(struct run *r);

/* The target of a delta sync (replicate_target.c): grown to the source's
 * size; whether the sync maps it (a compare that reads it); its server,
 * spawned early when it is not mapped (else nothing), started or made
 * ready, or cancelled when the sync stops before using it. */
int rh_repl_prepare_target(struct run *r, uint64_t tgt_size);
int rh_repl_delta_threads(const struct run *r);
bool rh_repl_target_mapped(const struct run *r);
int rh_repl_target_spawn_early(struct run *r);
int rh_repl_target_start(struct run *r);
void rh_repl_target_cancel(struct run *r);

/* A regular file's modification time in ns, 0 when not a regular file. */
int64_t rh_repl_mtime_ns(const char *path);
/* Bitmaps named rehost-ID-N belong to this target. */
bool rh_repl_bitmap_ours(const char *name, const char *id);
/* Refusals that protect data: a finalized target, a different source, a
 * shrinking source. Sets *forced when --force overrode one. */
int rh_repl_check_integrity(struct run *r, uint64_t tgt_size, bool *forced);
/* Probe the existing target in its pinned format; sets r->tgt_* . */
int rh_repl_probe_target(struct run *r, uint64_t *tgt_size);
/* Was the source written while it was read? why says how. */
bool rh_repl_source_written(struct run *r, char *why, size_t whysz);
/* --untrack: remove this target's bitmaps from the source. */
int rh_repl_untrack(struct run *r);
/* After a completed sync: record the source's stamp (taken before its data
 * was read, still true) and the target's, when all the source's data lives
 * in that one regular file; else none. */
void rh_repl_stamp_files(struct run *r);
/* Nothing to sync: the last sync completed, neither file was written since
 * (same stamps, ctime included), and nothing else is asked (--full,
 * --verify, another -O). */
bool rh_repl_untouched(const struct run *r, const char *src_real);
/* Record such a run in the state (mode, times, zero bytes). */
int rh_repl_record_untouched(struct run *r, const char *src_real);
/* The per-source lock (one reader of a source at a time), keyed by the
 * file's device and inode; subject names the source in a busy message. */
int rh_repl_lock_source(const char *file, const char *subject, int wait_s, int *fd);
/* The source's format: -f, else the pinned one; refuses a change. */
int rh_repl_source_format(const struct rh_replicate_opts *o, const struct rh_target_state *st,
                          const char *src_real, const char **fmt);

#endif
