/* Extent maps (from NBD block status) and the work plan of a block-delta sync.
 * Pure data structures: no I/O, unit-tested. */
#ifndef REHOST_EXTENTS_H
#define REHOST_EXTENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NBD base:allocation flags, and the qemu:dirty-bitmap flag. */
#define RH_EXT_HOLE 1u
#define RH_EXT_ZERO 2u
#define RH_EXT_DIRTY 1u

struct rh_extent {
  uint64_t off, len;
  uint32_t flags;
};

/* Index of the element of a sorted array whose [off, off+len) holds `off`,
 * or n when off is past the end. Elements are `stride` bytes and start with
 * uint64_t off, len (struct rh_extent, struct rh_map_ext). */
size_t rh_extent_index(const void *v, size_t n, size_t stride, uint64_t off);

/* Sorted, contiguous extents starting at 0 (as block status reports them). */
struct rh_extents {
  struct rh_extent *v;
  size_t n, cap;
};

/* Append [off, off+len) with flags; merges with the previous extent when the
 * flags are equal. Extents must be appended in order. Returns 0 or -1 (ENOMEM
 * or out-of-order). */
int rh_extents_append(struct rh_extents *e, uint64_t off, uint64_t len, uint32_t flags);
void rh_extents_free(struct rh_extents *e);
/* Total length covered. */
uint64_t rh_extents_end(const struct rh_extents *e);
/* True if every byte of [off, off+len) lies in extents having all bits of
 * `flag` set. Bytes not covered by the map count as not having the flag. */
bool rh_extents_all(const struct rh_extents *e, uint64_t off, uint64_t len, uint32_t flag);
/* True if some byte of [off, off+len) lies in an extent having `flag`. */
bool rh_extents_any(const struct rh_extents *e, uint64_t off, uint64_t len, uint32_t flag);
/* Number of bytes of [0, end) whose extents have `flag` set. */
uint64_t rh_extents_bytes(const struct rh_extents *e, uint32_t flag);

/* What a worker does with one range of the disk. */
enum rh_work_kind {
  RH_WORK_COMPARE,     /* both sides may hold data: read both, write blocks that differ */
  RH_WORK_FILL,        /* target reads as zero: read source, write its non-zero blocks */
  RH_WORK_CLEAR,       /* source reads as zero: read target, zero its non-zero blocks */
  RH_WORK_COPY,        /* dirty range: read source, write every block (zeroes as holes) */
};

struct rh_work {
  uint64_t off;
  uint32_t len;
  uint8_t kind;
};

struct rh_plan {
  struct rh_work *v;
  size_t n, cap;
  uint64_t bytes;      /* total bytes the plan touches */
};

void rh_plan_free(struct rh_plan *p);
/* Compare plan over [0, size), in chunks of `chunk` bytes (aligned): blocks
 * where both sides read as zero are skipped, and a chunk that is part zero is
 * cut at `block` boundaries into runs of one kind (a source hole is then
 * neither read nor hashed). */
int rh_plan_compare(const struct rh_extents *src, const struct rh_extents *tgt, uint64_t size,
                    uint32_t block, uint32_t chunk, struct rh_plan *out);
/* Change-tracking plan: the dirty ranges, widened to `block` alignment, cut
 * into chunks of at most `chunk` bytes, clipped at size. */
int rh_plan_dirty(const struct rh_extents *dirty, uint64_t size, uint32_t block, uint32_t chunk,
                  struct rh_plan *out);

#endif
