#include "sync_engine.h"

#include "../lib/clock.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "block_hash.h"
#include "extents.h"
#include "image_map.h"

#include <errno.h>
#include <libnbd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int rh_is_zero(const void *buf, size_t len)
{
  const unsigned char *p = buf;
  size_t head = len < 16 ? len : 16;
  for (size_t i = 0; i < head; i++)
    if (p[i]) return 0;
  return len <= 16 || memcmp(p, p + 16, len - 16) == 0;
}

struct engine {
  const struct rh_sync_opts *o;
  const struct rh_nbd_server *src_srv, *tgt_srv;
  struct nbd_handle **src, **tgt;  /* one per worker */
  struct rh_plan plan;
  XXH64_hash_t seed;
  struct rh_digests *g;   /* the target's digests, kept up to date, or NULL */
  bool trusted;           /* compare against g instead of reading the target */
  XXH128_hash_t zero_block;
  atomic_size_t next;
  atomic_uint_fast64_t examined, src_read, tgt_read, written, zeroed, blocks;
  atomic_uint_fast64_t src_viewed;  /* of src_read: read in place in the source's mapping */
  /* data written since the last flush, and whether workers flush as they go */
  atomic_uint_fast64_t unflushed, flushes;
  bool flush_as_written;
  atomic_int failed;  /* RH_EXIT_* of the first failure */
  atomic_int running;
  pthread_mutex_t err_lock;
  pthread_mutex_t done_lock;  /* with done: the last worker to end wakes the main thread */
  pthread_cond_t done;
};

/* Record the sync's failure as code unless one is recorded already; true
 * for the first one (whose caller says what it was). */
static bool first_failure(struct engine *e, int code)
{
  int expected = 0;
  return atomic_compare_exchange_strong(&e->failed, &expected, code);
}

/* Record the failure as code and say why, unless one is recorded already.
 * Returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail_msg(struct engine *e, int code, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&e->err_lock);
  if (first_failure(e, code)) rh_error("%s", msg);
  pthread_mutex_unlock(&e->err_lock);
  return -1;
}

static int fail_errno(struct engine *e, const char *path, const char *what, uint64_t off, int err)
{
  int code = err == ENOSPC || err == EIO || err == EDQUOT ? RH_EXIT_IO : RH_EXIT_FAILURE;
  return fail_msg(e, code, "%s: %s at offset %llu failed: %s", path, what,
                  (unsigned long long)off, err ? strerror(err) : rh_nbd_error());
}

static int fail(struct engine *e, const char *path, const char *what, uint64_t off)
{
  return fail_errno(e, path, what, off, nbd_get_errno());
}

/* Read through the image's file map when there is one, else through NBD.
 * Returns 0, an errno value, or -1 when NBD gives none (see rh_nbd_error). */
static int read_once(const struct rh_image_map *map, struct nbd_handle *h, void *buf,
                     uint32_t len, uint64_t off)
{
  if (map) return rh_image_map_pread(map, h, buf, len, off) < 0 ? (errno ? errno : EIO) : 0;
  if (nbd_pread(h, buf, len, off, 0) < 0) return nbd_get_errno() ? nbd_get_errno() : -1;
  return 0;
}

#define RH_SECTOR_PROBE 4096

static int read_range(struct engine *e, const struct rh_image_map *map, struct nbd_handle *h,
                      const char *path, void *buf, uint32_t len, uint64_t off)
{
  int err = read_once(map, h, buf, len, off);
  if (!err) return 0;
  /* A failing disk: name the first unreadable 4 KiB, not the request. */
  uint64_t bad = off;
  for (uint32_t p = 0; err == EIO && len > RH_SECTOR_PROBE && p < len; p += RH_SECTOR_PROBE) {
    uint32_t n = len - p < RH_SECTOR_PROBE ? len - p : RH_SECTOR_PROBE;
    int e2 = read_once(map, h, (unsigned char *)buf + p, n, off + p);
    if (e2) {
      bad = off + p;
      err = e2;
      break;
    }
  }
  return fail_errno(e, path, "read", bad, err > 0 ? err : 0);
}

/* Blocks are compared by 128-bit XXH3 digest, seeded at random (for each
 * run, or for each target with its kept digests, whose file is private) so
 * that colliding blocks cannot be prepared in advance. */
static XXH128_hash_t digest(const struct engine *e, const unsigned char *p, size_t len)
{
  return XXH3_128bits_withSeed(p, len, e->seed);
}

static XXH128_hash_t zero_digest(const struct engine *e, size_t len)
{
  return len == e->o->block ? e->zero_block : rh_digests_zero(e->g, (uint32_t)len);
}

/* A flush costs about what was written since the last one (the host's
 * disk writes it back then): flushing every RH_FLUSH_EVERY bytes while
 * other workers read leaves the final flush, which the state waits for,
 * only the tail. Called after each data write of len bytes at off. */
#define RH_FLUSH_EVERY (16u << 20)

static int flush_as_written(struct engine *e, struct nbd_handle *t, uint64_t off, uint64_t len)
{
  if (!e->flush_as_written) return 0;
  uint_fast64_t u = atomic_fetch_add(&e->unflushed, len) + len;
  if (u < RH_FLUSH_EVERY || !atomic_compare_exchange_strong(&e->unflushed, &u, 0)) return 0;
  if (nbd_flush(t, 0) < 0) return fail(e, e->tgt_srv->path, "flush after writing", off);
  atomic_fetch_add(&e->flushes, 1);
  return 0;
}

/* What a block needs: nothing, its data written, or zeroes written. */
enum { KEEP, WRITE_DATA, WRITE_ZERO };

/* Writes go out asynchronously: a worker goes on reading and hashing while
 * the target's server writes what it sent. Completions are handled as the
 * worker drives its connection (settle). */
struct write_done {
  struct engine *e;
  uint64_t off;
  bool zero;
  int *pending;  /* the count of writes in flight from the buffer it was sent from, or NULL */
};

static int on_write_done(void *p, int *error)
{
  struct write_done *d = p;
  if (*error)
    fail_errno(d->e, d->e->tgt_srv->path, d->zero ? "write zeroes" : "write", d->off, *error);
  if (d->pending) --*d->pending; /* callbacks run in the worker that polls its connection */
  return 1; /* retire the command */
}

/* Send one write (of buf's len bytes, or of zeroes). pending, when not
 * NULL, counts the writes in flight from buf's buffer until each is done. */
static int issue_write(struct engine *e, struct nbd_handle *t, const unsigned char *buf,
                       uint64_t off, uint32_t len, bool zero, int *pending)
{
  struct write_done *d = malloc(sizeof *d);
  if (!d) return fail_msg(e, RH_EXIT_FAILURE, "out of memory for sync writes");
  if (zero) pending = NULL;
  *d = (struct write_done){e, off, zero, pending};
  nbd_completion_callback cb = {.callback = on_write_done, .user_data = d, .free = free};
  /* counted before it is sent: its callback may come (and free d) before
   * the call returns; a command that could not be sent gets no callback */
  if (pending) ++*pending;
  if ((zero ? nbd_aio_zero(t, len, off, cb, 0) : nbd_aio_pwrite(t, buf, len, off, cb, 0)) < 0) {
    if (pending) --*pending;
    return fail(e, e->tgt_srv->path, zero ? "write zeroes" : "write", off);
  }
  atomic_fetch_add(zero ? &e->zeroed : &e->written, len);
  return zero ? 0 : flush_as_written(e, t, off, len);
}

/* Handle the completions that have arrived, then wait until at most `most`
 * writes are in flight on t. -1 when the sync has failed. */
static int settle(struct engine *e, struct nbd_handle *t, int most)
{
  int r = 1;
  while (r > 0 && nbd_aio_in_flight(t) > 0) r = nbd_poll(t, 0);
  while (r >= 0 && nbd_aio_in_flight(t) > most) r = nbd_poll(t, -1);
  if (r < 0) fail_msg(e, RH_EXIT_IO, "%s: waiting for writes failed: %s", e->tgt_srv->path,
                     rh_nbd_error());
  return atomic_load(&e->failed) ? -1 : 0;
}

/* Writes one worker keeps in flight: about 4 MiB of 64 KiB blocks */
#define RH_WRITES_IN_FLIGHT 64

/* Wait until no write sent from a buffer (its count: pending) is in
 * flight on t. -1 when the sync has failed. */
static int drain_buffer(struct engine *e, struct nbd_handle *t, const int *pending)
{
  int r = 0;
  while (r >= 0 && *pending > 0) r = nbd_poll(t, -1);
  if (r < 0) fail_msg(e, RH_EXIT_IO, "%s: waiting for writes failed: %s", e->tgt_srv->path,
                     rh_nbd_error());
  return atomic_load(&e->failed) ? -1 : 0;
}

/* A worker's buffers for one range of up to o->chunk bytes (nb blocks).
 * Source data read by copy goes into one of two buffers in turn, each with
 * its count of writes in flight: the next range is read while the last
 * one's writes go, and a buffer is read into again once its writes are
 * done. */
struct bufs {
  unsigned char *sbuf[2];       /* source data read by copy */
  int pending[2];               /* writes in flight from each */
  int cur;                      /* the one read into next */
  unsigned char *tbuf;          /* target data read by copy */
  const unsigned char **at;     /* where each block's source data is */
  unsigned char *need;          /* KEEP, WRITE_DATA or WRITE_ZERO per block */
  XXH128_hash_t *now;           /* each block's digest after the sync */
};

/* Write the blocks of [off, off+len) as `need` says, each run of data
 * blocks that lie one after another in memory in one write, and each run of
 * zero blocks as one write of zeroes (holes). */
static int write_blocks(struct engine *e, struct nbd_handle *t, const struct bufs *b,
                        uint64_t off, uint32_t len, int *pending)
{
  uint32_t bs = e->o->block;
  uint32_t nb = (len + bs - 1) / bs;
  const unsigned char *need = b->need;
  for (uint32_t i = 0, j; i < nb; i = j) {
    for (j = i + 1; j < nb && need[j] == need[i] &&
                    (need[i] != WRITE_DATA || b->at[j] == b->at[j - 1] + bs); j++) {}
    if (need[i] == KEEP) continue;
    uint32_t end = j * bs > len ? len : j * bs;
    if (issue_write(e, t, need[i] == WRITE_DATA ? b->at[i] : NULL, off + (uint64_t)i * bs,
                    end - i * bs, need[i] == WRITE_ZERO, pending) < 0)
      return -1;
    atomic_fetch_add(&e->blocks, j - i);
  }
  return 0;
}

/* Deciding one range, block by block: what to write, and the digest of
 * what each block holds after the sync. With trusted digests the target is
 * not read (tgt NULL): a block is written when the source's digest differs
 * from the kept one. The source's blocks (at) may be views of its mapping
 * (rh_image_map_guarded): no allocation, locks or shared state here. */
struct decide {
  const struct engine *e;
  const struct rh_work *wk;
  const struct bufs *b;
  const unsigned char *tgt;
};

static void decide_blocks(void *p)
{
  const struct decide *d = p;
  const struct engine *e = d->e;
  uint32_t bs = e->o->block, len = d->wk->len, nb = (len + bs - 1) / bs;
  uint64_t first = d->wk->off / bs;
  unsigned char *need = d->b->need;
  XXH128_hash_t *now = d->b->now;
  for (uint32_t i = 0; i < nb; i++) {
    size_t o = (size_t)i * bs, blen = len - o < bs ? len - o : bs;
    const XXH128_hash_t *kept = e->trusted ? &e->g->d[first + i] : NULL;
    const unsigned char *s = d->b->at[i];
    bool differs;
    switch (d->wk->kind) {
    case RH_WORK_COMPARE:
      now[i] = digest(e, s, blen);
      differs = !XXH128_isEqual(now[i], kept ? *kept : digest(e, d->tgt + o, blen));
      need[i] = !differs ? KEEP : rh_is_zero(s, blen) ? WRITE_ZERO : WRITE_DATA;
      break;
    case RH_WORK_FILL: /* the target reads as zero here */
      need[i] = rh_is_zero(s, blen) ? KEEP : WRITE_DATA;
      if (e->g) now[i] = digest(e, s, blen);
      break;
    case RH_WORK_CLEAR: /* the source reads as zero here */
      if (e->g) now[i] = zero_digest(e, blen);
      differs = kept ? !XXH128_isEqual(*kept, now[i]) : !rh_is_zero(d->tgt + o, blen);
      need[i] = differs ? WRITE_ZERO : KEEP;
      break;
    default:
      need[i] = rh_is_zero(s, blen) ? WRITE_ZERO : WRITE_DATA;
      if (e->g) now[i] = digest(e, s, blen);
    }
  }
}

/* Point b->at at the source's blocks of [off, off+len) where they lie in
 * its mapping, when each block is at one place there (blocks of one range
 * may lie apart: clusters allocated at different times). True if so. */
static bool view_blocks(const struct rh_image_map *sm, const struct bufs *b, uint32_t bs,
                        uint64_t off, uint32_t len)
{
  if (!sm || !sm->mem) return false;
  const unsigned char *v = rh_image_map_view(sm, off, len);
  for (uint32_t i = 0, o = 0; o < len; i++, o += bs) {
    uint32_t blen = len - o < bs ? len - o : bs;
    if (!(b->at[i] = v ? v + o : rh_image_map_view(sm, off + o, blen))) return false;
  }
  return true;
}

/* One range: read what must be read, decide, write. Source data in the
 * page cache is read in place (views of its mapping), which also stays put
 * while its writes are in flight; data read by copy goes into the worker's
 * buffer whose writes are done (struct bufs). */
static int do_work(struct engine *e, int w, const struct rh_work *wk, struct bufs *b)
{
  struct nbd_handle *s = e->src[w], *t = e->tgt[w];
  const struct rh_image_map *sm = e->o->src_map;
  uint32_t bs = e->o->block, len = wk->len, nb = (len + bs - 1) / bs;
  struct decide d = {e, wk, b, NULL};
  bool viewed = false;
  int *pending = NULL; /* of the buffer the source's data was read into */
  if (wk->kind != RH_WORK_CLEAR) {
    if ((viewed = view_blocks(sm, b, bs, wk->off, len))) {
      atomic_fetch_add(&e->src_viewed, len);
    } else {
      unsigned char *sbuf = b->sbuf[b->cur];
      pending = &b->pending[b->cur];
      b->cur ^= 1;
      if (drain_buffer(e, t, pending) < 0 ||
          read_range(e, sm, s, e->src_srv->path, sbuf, len, wk->off) < 0)
        return -1;
      for (uint32_t i = 0; i < nb; i++) b->at[i] = sbuf + (size_t)i * bs;
    }
    atomic_fetch_add(&e->src_read, len);
  }
  if ((wk->kind == RH_WORK_COMPARE || wk->kind == RH_WORK_CLEAR) && !e->trusted) {
    if (read_range(e, e->o->tgt_map, t, e->tgt_srv->path, b->tbuf, len, wk->off) < 0) return -1;
    atomic_fetch_add(&e->tgt_read, len);
    d.tgt = b->tbuf;
  }
  if (!viewed) {
    decide_blocks(&d);
  } else if (rh_image_map_guarded(decide_blocks, &d) < 0) {
    return fail_msg(e, RH_EXIT_IO,
                    "%s: the file shrank while it was read (at offset %llu): another program "
                    "truncated it", e->src_srv->path, (unsigned long long)wk->off);
  }
  if (write_blocks(e, t, b, wk->off, len, pending) < 0) return -1;
  if (e->g) memcpy(&e->g->d[wk->off / bs], b->now, nb * sizeof *b->now);
  return settle(e, t, RH_WRITES_IN_FLIGHT);
}

/* Connections [from, to) to both servers; the first one asks for the meta
 * contexts the plan reads. */
static int connect_workers(struct engine *e, int from, int to)
{
  char bm[600];
  const char *sctx[3] = {"base:allocation", NULL, NULL};
  if (e->o->bitmap) {
    snprintf(bm, sizeof bm, "qemu:dirty-bitmap:%s", e->o->bitmap);
    sctx[1] = bm;
  }
  const char *tctx[] = {"base:allocation", NULL};
  for (int w = from; w < to; w++) {
    e->src[w] = rh_nbd_connect(e->src_srv, w == 0 ? sctx : NULL);
    e->tgt[w] = e->src[w] ? rh_nbd_connect(e->tgt_srv, w == 0 ? tctx : NULL) : NULL;
    if (!e->tgt[w]) return -1;
  }
  return 0;
}

struct worker_arg {
  struct engine *e;
  int w;
};

static void *worker(void *p)
{
  struct worker_arg *a = p;
  struct engine *e = a->e;
  size_t chunk = e->o->chunk, nb = chunk / e->o->block + 1;
  /* aligned for the image maps' O_DIRECT reads (rh_image_map_read_direct) */
  bool reads_target = e->o->mode == RH_SYNC_COMPARE && !e->trusted;
  struct bufs b = {.sbuf = {aligned_alloc(RH_MAP_DIRECT_ALIGN, chunk),
                            aligned_alloc(RH_MAP_DIRECT_ALIGN, chunk)},
                   .tbuf = reads_target ? aligned_alloc(RH_MAP_DIRECT_ALIGN, chunk) : NULL,
                   .at = malloc(nb * sizeof *b.at), .need = malloc(nb),
                   .now = malloc(nb * sizeof *b.now)};
  bool ok = b.sbuf[0] && b.sbuf[1] && (b.tbuf || !reads_target) && b.at && b.need && b.now;
  if (!ok) fail_msg(e, RH_EXIT_FAILURE, "out of memory for sync buffers");
  /* each worker opens its own connections (the first ones are the main
   * thread's): they open while the others already read; a failure to
   * connect was said by rh_nbd_connect */
  if (ok && a->w > 0 && !atomic_load(&e->failed) && connect_workers(e, a->w, a->w + 1) < 0) {
    first_failure(e, RH_EXIT_FAILURE);
    ok = false;
  }
  while (ok && !atomic_load(&e->failed) && !*e->o->cancel) {
    size_t i = atomic_fetch_add(&e->next, 1);
    if (i >= e->plan.n) break;
    if (do_work(e, a->w, &e->plan.v[i], &b) < 0) break;
    atomic_fetch_add(&e->examined, e->plan.v[i].len);
  }
  /* every write this worker sent is answered before it ends (the final
   * flush covers only answered writes) */
  if (e->tgt[a->w]) settle(e, e->tgt[a->w], 0);
  free(b.sbuf[0]);
  free(b.sbuf[1]);
  free(b.tbuf);
  free(b.at);
  free(b.need);
  free(b.now);
  pthread_mutex_lock(&e->done_lock);
  if (atomic_fetch_sub(&e->running, 1) == 1) pthread_cond_signal(&e->done);
  pthread_mutex_unlock(&e->done_lock);
  return NULL;
}

static int plan(struct engine *e, uint64_t size)
{
  struct rh_extents sx = {0}, tx = {0};
  int r = -1;
  if (e->o->mode == RH_SYNC_BITMAP) {
    char ctx[600];
    snprintf(ctx, sizeof ctx, "qemu:dirty-bitmap:%s", e->o->bitmap);
    if (nbd_can_meta_context(e->src[0], ctx) != 1) {
      rh_error("%s: qemu-nbd does not export bitmap %s", e->src_srv->path, e->o->bitmap);
      return -1;
    }
    if (rh_nbd_extents(e->src[0], e->src_srv->path, ctx, size, &sx) == 0 &&
        rh_plan_dirty(&sx, size, e->o->block, e->o->chunk, &e->plan) == 0)
      r = 0;
  } else {
    /* with trusted digests the target is taken to hold data everywhere:
     * its kept digests, not its block status, say what it holds */
    if (rh_nbd_extents(e->src[0], e->src_srv->path, "base:allocation", size, &sx) == 0 &&
        (e->trusted ? rh_extents_append(&tx, 0, size, 0)
                    : rh_nbd_extents(e->tgt[0], e->tgt_srv->path, "base:allocation", size, &tx)) == 0 &&
        rh_plan_compare(&sx, &tx, size, e->o->block, e->o->chunk, &e->plan) == 0)
      r = 0;
  }
  rh_extents_free(&sx);
  rh_extents_free(&tx);
  return r;
}

/* Progress every 10 ms until the last worker ends, which wakes it at once:
 * a small sync does not wait out a polling interval. */
static void progress_loop(struct engine *e)
{
  pthread_mutex_lock(&e->done_lock);
  while (atomic_load(&e->running) > 0) {
    rh_progress("sync", atomic_load(&e->examined), e->plan.bytes);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 10000000L;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&e->done, &e->done_lock, &until);
  }
  pthread_mutex_unlock(&e->done_lock);
}

int rh_sync_run(const struct rh_nbd_server *src, const struct rh_nbd_server *tgt,
                const struct rh_sync_opts *o, struct rh_sync_stats *st)
{
  memset(st, 0, sizeof *st);
  double t0 = rh_monotonic_s();
  struct engine e = {.o = o, .src_srv = src, .tgt_srv = tgt};
  pthread_mutex_init(&e.err_lock, NULL);
  pthread_mutex_init(&e.done_lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&e.done, &ca);
  pthread_condattr_destroy(&ca);
  e.src = calloc((size_t)o->threads, sizeof *e.src);
  e.tgt = calloc((size_t)o->threads, sizeof *e.tgt);
  if (getrandom(&e.seed, sizeof e.seed, 0) != (ssize_t)sizeof e.seed) e.seed = (XXH64_hash_t)t0;
  if ((e.g = o->digests)) {
    e.trusted = o->digests_trusted;
    e.seed = e.g->seed;
    e.zero_block = rh_digests_zero(e.g, o->block);
  }
  int rc = RH_EXIT_FAILURE;
  if (!e.src || !e.tgt || connect_workers(&e, 0, 1) < 0) goto out;
  int64_t ss = nbd_get_size(e.src[0]), ts = nbd_get_size(e.tgt[0]);
  if (ss < 0 || ts < 0 || (ss != ts && !(o->target_larger_ok && ts > ss))) {
    rh_error("%s: virtual size %lld differs from source %s (%lld)", tgt->path, (long long)ts,
             src->path, (long long)ss);
    goto out;
  }
  st->size = (uint64_t)ss;
  if (e.g && (e.g->block != o->block || e.g->n != (st->size + o->block - 1) / o->block)) {
    rh_error("%s: the block digests do not fit the image (internal error)", tgt->path);
    goto out;
  }
  if (plan(&e, st->size) < 0) goto out;
  st->planned = e.plan.bytes;
  rh_phase("sync planned (block status)");
  /* no more workers than pieces of work: a small sync does not pay for
   * connections it would not use */
  int workers = o->threads < 64 ? o->threads : 64;
  if ((size_t)workers > e.plan.n) workers = e.plan.n ? (int)e.plan.n : 1;

  /* Signals go to this thread only: workers block in libnbd calls. */
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  pthread_t tid[64];
  struct worker_arg args[64];
  int started = 0;
  /* one worker flushes while the others go on; a lone one would only wait */
  e.flush_as_written = workers > 1;
  atomic_store(&e.running, workers);
  for (int w = 0; w < workers; w++) {
    args[w] = (struct worker_arg){&e, w};
    if (pthread_create(&tid[w], NULL, worker, &args[w]) != 0) {
      atomic_fetch_sub(&e.running, 1);
      continue;
    }
    started++;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (!started) {
    rh_error("cannot start sync threads");
    goto out;
  }
  progress_loop(&e);
  for (int w = 0; w < started; w++) pthread_join(tid[w], NULL);
  rh_progress("sync", atomic_load(&e.examined), e.plan.bytes);
  rh_progress_done("sync");

  rc = atomic_load(&e.failed);
  if (!rc && *o->cancel) {
    st->interrupted = 1;
    rc = RH_EXIT_INTERRUPTED;
  }
  rh_phase("blocks read, compared and written");
  if (atomic_load(&e.src_viewed))
    rh_debug("%s: %llu of %llu bytes read in place in its mapping", src->path,
             (unsigned long long)atomic_load(&e.src_viewed),
             (unsigned long long)atomic_load(&e.src_read));
  if (!rc && atomic_load(&e.flushes))
    rh_debug("%s: flushed %llu times while written, once more now", tgt->path,
             (unsigned long long)atomic_load(&e.flushes));
  if (!rc && nbd_flush(e.tgt[0], 0) < 0) {
    rh_error("%s: flush failed: %s", tgt->path, rh_nbd_error());
    rc = RH_EXIT_IO;
  }
out:
  st->src_read = atomic_load(&e.src_read);
  st->tgt_read = atomic_load(&e.tgt_read);
  st->written = atomic_load(&e.written);
  st->zeroed = atomic_load(&e.zeroed);
  st->blocks = atomic_load(&e.blocks);
  st->flushes = atomic_load(&e.flushes);
  for (int w = 0; w < o->threads && e.src; w++) {
    rh_nbd_close(e.src[w]);
    if (e.tgt) rh_nbd_close(e.tgt[w]);
  }
  free(e.src);
  free(e.tgt);
  rh_plan_free(&e.plan);
  pthread_mutex_destroy(&e.err_lock);
  pthread_mutex_destroy(&e.done_lock);
  pthread_cond_destroy(&e.done);
  st->seconds = rh_monotonic_s() - t0;
  return rc;
}
