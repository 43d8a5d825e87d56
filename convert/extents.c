#include "extents.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int rh_extents_append(struct rh_extents *e, uint64_t off, uint64_t len, uint32_t flags)
{
  if (len == 0) return 0;
  uint64_t end = rh_extents_end(e);
  if (off != end) {
    errno = EINVAL;
    return -1;
  }
  if (e->n && e->v[e->n - 1].flags == flags) {
    e->v[e->n - 1].len += len;
    return 0;
  }
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 64;
    struct rh_extent *v = realloc(e->v, cap * sizeof *v);
    if (!v) return -1;
    e->v = v;
    e->cap = cap;
  }
  e->v[e->n++] = (struct rh_extent){off, len, flags};
  return 0;
}

void rh_extents_free(struct rh_extents *e)
{
  free(e->v);
  e->v = NULL;
  e->n = e->cap = 0;
}

uint64_t rh_extents_end(const struct rh_extents *e)
{
  return e->n ? e->v[e->n - 1].off + e->v[e->n - 1].len : 0;
}

size_t rh_extent_index(const void *v, size_t n, size_t stride, uint64_t off)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t head[2];
    memcpy(head, (const char *)v + mid * stride, sizeof head);
    if (head[0] + head[1] <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Index of the extent containing off, or e->n if off is past the end. */
static size_t find(const struct rh_extents *e, uint64_t off)
{
  return rh_extent_index(e->v, e->n, sizeof e->v[0], off);
}

bool rh_extents_all(const struct rh_extents *e, uint64_t off, uint64_t len, uint32_t flag)
{
  uint64_t end = off + len;
  if (end > rh_extents_end(e)) return false;
  for (size_t i = find(e, off); i < e->n && e->v[i].off < end; i++)
    if ((e->v[i].flags & flag) != flag) return false;
  return true;
}

bool rh_extents_any(const struct rh_extents *e, uint64_t off, uint64_t len, uint32_t flag)
{
  uint64_t end = off + len;
  for (size_t i = find(e, off); i < e->n && e->v[i].off < end; i++)
    if ((e->v[i].flags & flag) == flag) return true;
  return false;
}

uint64_t rh_extents_bytes(const struct rh_extents *e, uint32_t flag)
{
  uint64_t n = 0;
  for (size_t i = 0; i < e->n; i++)
    if ((e->v[i].flags & flag) == flag) n += e->v[i].len;
  return n;
}

void rh_plan_free(struct rh_plan *p)
{
  free(p->v);
  p->v = NULL;
  p->n = p->cap = 0;
  p->bytes = 0;
}

static int plan_add(struct rh_plan *p, uint64_t off, uint32_t len, enum rh_work_kind kind)
{
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 256;
    struct rh_work *v = realloc(p->v, cap * sizeof *v);
    if (!v) return -1;
    p->v = v;
    p->cap = cap;
  }
  p->v[p->n++] = (struct rh_work){off, len, (uint8_t)kind};
  p->bytes += len;
  return 0;
}

/* What one block needs, from the two sides' block status; -1: nothing. */
static int block_kind(const struct rh_extents *src, const struct rh_extents *tgt, uint64_t off,
                      uint32_t len)
{
  bool src_zero = rh_extents_all(src, off, len, RH_EXT_ZERO);
  bool tgt_zero = rh_extents_all(tgt, off, len, RH_EXT_ZERO);
  if (src_zero && tgt_zero) return -1;
  return src_zero ? RH_WORK_CLEAR : tgt_zero ? RH_WORK_FILL : RH_WORK_COMPARE;
}

int rh_plan_compare(const struct rh_extents *src, const struct rh_extents *tgt, uint64_t size,
                    uint32_t block, uint32_t chunk, struct rh_plan *out)
{
  if (block == 0 || chunk < block) {
    errno = EINVAL;
    return -1;
  }
  for (uint64_t off = 0; off < size; off += chunk) {
    uint32_t len = size - off < chunk ? (uint32_t)(size - off) : chunk;
    if (block_kind(src, tgt, off, len) < 0) continue;
    if (!rh_extents_any(src, off, len, RH_EXT_ZERO) && !rh_extents_any(tgt, off, len, RH_EXT_ZERO)) {
      if (plan_add(out, off, len, RH_WORK_COMPARE) < 0) return -1;
      continue;
    }
    /* a chunk part zero, part data: block by block, runs of one kind
     * together, so that a hole of the source is neither read nor hashed */
    uint64_t run_off = off;
    int run_kind = -1;
    for (uint64_t b = off; b < off + len; b += block) {
      uint32_t blen = off + len - b < block ? (uint32_t)(off + len - b) : block;
      int k = block_kind(src, tgt, b, blen);
      if (k != run_kind) {
        if (run_kind >= 0 && plan_add(out, run_off, (uint32_t)(b - run_off), (enum rh_work_kind)run_kind) < 0)
          return -1;
        run_off = b;
        run_kind = k;
      }
    }
    if (run_kind >= 0 &&
        plan_add(out, run_off, (uint32_t)(off + len - run_off), (enum rh_work_kind)run_kind) < 0)
      return -1;
  }
  return 0;
}

int rh_plan_dirty(const struct rh_extents *dirty, uint64_t size, uint32_t block, uint32_t chunk,
                  struct rh_plan *out)
{
  if (block == 0 || chunk < block) {
    errno = EINVAL;
    return -1;
  }
  uint64_t done = 0; /* everything below this is planned */
  for (size_t i = 0; i < dirty->n; i++) {
    const struct rh_extent *x = &dirty->v[i];
    if (!(x->flags & RH_EXT_DIRTY)) continue;
    uint64_t start = x->off / block * block;
    uint64_t end = (x->off + x->len + block - 1) / block * block;
    if (start < done) start = done;
    if (end > size) end = size;
    for (uint64_t off = start; off < end; off += chunk) {
      uint32_t len = end - off < chunk ? (uint32_t)(end - off) : chunk;
      if (plan_add(out, off, len, RH_WORK_COPY) < 0) return -1;
    }
    if (end > done) done = end;
  }
  return 0;
}

_Static_assert(offsetof(struct rh_extent, off) == 0 && offsetof(struct rh_extent, len) == 8,
               "rh_extent_index reads off, len at the start of each element");
