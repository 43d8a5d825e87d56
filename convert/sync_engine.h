/* The block-delta sync engine: copies changed blocks from a source to a target
 * of the same virtual size, both served by qemu-nbd (see nbd_server.h).
 *
 * compare: reads both sides (skipping ranges both report as zero), compares
 *          each block by seeded XXH3-128 digest and writes only the blocks that differ.
 * bitmap:  reads only the ranges marked dirty in the source's exported
 *          qemu:dirty-bitmap, and writes them.
 * Work is cut into chunks handed to worker threads, each with its own NBD
 * connections, so reading, hashing and writing overlap on all cores. A
 * source in the page cache is read in place, in its mapping (no copy), and
 * a worker sends its writes without waiting for them while it goes on with
 * the next chunk; every write is answered before the final flush. */
#ifndef REHOST_SYNC_ENGINE_H
#define REHOST_SYNC_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "image_map.h"
#include "nbd_server.h"
#include "target_digests.h"

enum rh_sync_mode { RH_SYNC_COMPARE, RH_SYNC_BITMAP };

struct rh_sync_opts {
  enum rh_sync_mode mode;
  uint32_t block;                 /* compare/write unit, bytes (power of two) */
  uint32_t chunk;                 /* read unit, a multiple of block */
  int threads;                    /* worker threads = connections per server */
  const char *bitmap;             /* bitmap mode: name the source server exports */
  volatile sig_atomic_t *cancel;  /* set non-zero (by a signal handler) to stop */
  const struct rh_image_map *src_map, *tgt_map;  /* direct reads, or NULL: NBD */
  bool target_larger_ok;          /* a block device target: its tail is not synced */
  /* The target's block digests (target_digests.h), or NULL. Trusted: a
   * compare sync reads only the source and compares with them. Either way
   * every block written or verified gets its new digest; blocks a bitmap
   * sync does not touch keep theirs. */
  struct rh_digests *digests;
  bool digests_trusted;
};

struct rh_sync_stats {
  uint64_t size;           /* virtual size */
  uint64_t planned;        /* bytes the plan examines */
  uint64_t src_read, tgt_read;
  uint64_t written;        /* bytes written as data */
  uint64_t zeroed;         /* bytes written as zeroes (holes) */
  uint64_t blocks;         /* blocks written or zeroed */
  uint64_t flushes;        /* flushes while writing (every 16 MiB), before the last */
  double seconds;
  int interrupted;         /* stopped by *cancel */
};

/* Run one sync. src/tgt servers must accept opts->threads connections. On
 * failure prints one error line (naming the image and the offset) and returns
 * an RH_EXIT_* code; RH_EXIT_INTERRUPTED if cancelled. */
int rh_sync_run(const struct rh_nbd_server *src, const struct rh_nbd_server *tgt,
                const struct rh_sync_opts *o, struct rh_sync_stats *st);

/* Helpers, exported for tests. */
int rh_is_zero(const void *buf, size_t len);

#endif
