/* The per-block digests of a replicated target, kept beside its state
 * (TARGET.rehost.digests; a block device's in STATE_DIR/devices): the seeded
 * XXH3-128 of every block as the last completed sync left it. A compare sync
 * that can trust them reads only the source and writes the blocks whose
 * digests differ; one that cannot reads the target too, and rebuilds them.
 *
 * File: "RHDIGST1", then little-endian u32 block size, u32 0, u64 blocks,
 * u64 seed, u64 target size, i64 target mtime (ns), u64 target inode,
 * 16 bytes of the target state's id, then 16 bytes per block, then the
 * XXH3-128 of everything before it. Private (0600, never through a symlink),
 * written atomically and fsync'd before the state says consistent. */
#ifndef REHOST_TARGET_DIGESTS_H
#define REHOST_TARGET_DIGESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block_hash.h"

struct rh_digests {
  uint32_t block;
  uint64_t n;           /* blocks: ceil(size / block) */
  uint64_t seed;
  XXH128_hash_t *d;     /* n digests */
  uint64_t tgt_size;    /* the target they describe */
  int64_t tgt_mtime_ns;
  uint64_t tgt_ino;
  char id[17];          /* the target state's id */
};

/* Fresh digests for a target of size bytes: a new random seed, every block
 * the digest of zeroes (as a sync that skips both-zero ranges leaves them). */
int rh_digests_init(struct rh_digests *g, uint32_t block, uint64_t size, const char *id);
void rh_digests_free(struct rh_digests *g);
/* The seeded digest of len zero bytes (len <= block). */
XXH128_hash_t rh_digests_zero(const struct rh_digests *g, uint32_t len);

/* Pure (unit-tested, fuzzed): the file's bytes, and back. decode returns 0,
 * or -1 with why ("truncated", "checksum mismatch", ...). */
int rh_digests_encode(const struct rh_digests *g, unsigned char **buf, size_t *len);
int rh_digests_decode(const unsigned char *buf, size_t len, struct rh_digests *g, char *why,
                      size_t whysz);

/* TARGET's digest file (malloc'd). */
char *rh_digests_path(const char *target);
/* Load TARGET's digests; -1 with why when there are none or they cannot be
 * read or trusted as a file (a symlink, another owner, damaged). */
int rh_digests_load(const char *target, struct rh_digests *g, char *why, size_t whysz);
/* Save atomically (temp, fsync, rename, fsync dir); prints an error and
 * returns RH_EXIT_IO on failure. */
int rh_digests_save(const char *target, const struct rh_digests *g);
/* Remove TARGET's digest file (they no longer describe it). */
void rh_digests_remove(const char *target);

#endif
