/* The target side of a delta sync in rehost replicate: grown to the
 * source's size, and its qemu-nbd (read-write), which a bitmap sync starts
 * while qemu-img starts the new generation in the source. */
#include "replicate_run.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/page_cache.h"
#include "../lib/proc.h"
#include "nbd_server.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int resize_target(const char *path, const char *driver, uint64_t size, bool shrink)
{
  char sz[32];
  snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
  char *argv[] = {"qemu-img", "resize", "-f", (char *)driver, (char *)path, sz, NULL, NULL};
  if (shrink) argv[5] = "--shrink", argv[6] = sz;
  struct rh_proc_result r;
  int rc = RH_EXIT_OK;
  if (rh_proc_run(argv, &r, NULL, NULL) < 0 || r.status != 0) {
    char line[512];
    rh_error("%s: cannot grow the target to %s bytes: %s (use --full to recreate it)", path, sz,
             rh_last_line(r.err, line, sizeof line));
    rc = RH_EXIT_IO;
  }
  rh_proc_result_free(&r);
  return rc;
}

int rh_repl_prepare_target(struct run *r, uint64_t tgt_size)
{
  if (!r->target_exists || r->mode == RH_MODE_FULL) return RH_EXIT_OK;
  if (tgt_size != r->sf.size) {
    if (tgt_size < r->sf.size)
      rh_info("the source grew to %llu bytes: growing %s", (unsigned long long)r->sf.size,
              r->o->target);
    return resize_target(r->o->target, r->tgt_driver, r->sf.size, tgt_size > r->sf.size);
  }
  return RH_EXIT_OK;
}

/* A delta sync's worker threads, each with one connection to the target's
 * server: compare hashes every block it reads, a thread per core or so when
 * the page cache serves it (its readahead keeps the disk busy); a bitmap
 * sync mostly waits for scattered reads, and a source read with O_DIRECT
 * (mostly out of the cache) gets no readahead: there more reads in flight
 * are what makes a disk (or its array) answer faster. Known once the
 * source's server has started (rh_repl_source_start judges O_DIRECT). */
int rh_repl_delta_threads(const struct run *r)
{
  if (r->o->threads > 0) return r->o->threads;
  return r->mode == RH_MODE_BITMAP || r->src_direct > 0 ? RH_BITMAP_THREADS : RH_COMPARE_THREADS;
}

/* The target's server writes with O_DIRECT where its file system takes it,
 * as the full copy does: the blocks go to the disk as they are written, and
 * the final flush does not have to write them all back at once (in this
 * project's benchmark, 40 ms of a 0.3 s bitmap sync). The flush stays: it is
 * what says the data is down. */
static struct rh_nbd_export target_export(const struct run *r)
{
  struct stat sb;
  bool file = stat(r->o->target, &sb) == 0 && S_ISREG(sb.st_mode);
  return (struct rh_nbd_export){.path = r->o->target, .format = r->tgt_driver,
                                .connections = rh_repl_delta_threads(r),
                                .direct = rh_write_direct(r->o->target, O_RDONLY),
                                .grow_in_chunks = file && strcmp(r->tgt_driver, "raw") != 0};
}

/* Only a compare that reads the target (its kept digests not trusted)
 * maps it, to read its data straight from the file. */
bool rh_repl_target_mapped(const struct run *r)
{
  return r->mode == RH_MODE_COMPARE && !r->dg_trusted;
}

/* A delta sync that takes no map of an existing target (maps are taken
 * before a server locks the image) can start its server as soon as the
 * state says syncing, and run its start-up beside qemu-img's bitmap step
 * and the source's map. */
int rh_repl_target_spawn_early(struct run *r)
{
  bool delta = r->mode == RH_MODE_BITMAP || r->mode == RH_MODE_COMPARE;
  if (!delta || rh_repl_target_mapped(r) || r->generation_kept || !r->target_exists)
    return RH_EXIT_OK;
  struct rh_nbd_export te = target_export(r);
  int rc = rh_nbd_server_spawn(&te, &r->tgt_srv);
  r->tgt_srv_spawned = !rc;
  return rc;
}

int rh_repl_target_start(struct run *r)
{
  if (!r->tgt_srv_spawned) {
    struct rh_nbd_export te = target_export(r);
    return rh_nbd_server_start(&te, &r->tgt_srv);
  }
  r->tgt_srv_spawned = false;
  return rh_nbd_server_ready(&r->tgt_srv, false);
}

void rh_repl_target_cancel(struct run *r)
{
  if (!r->tgt_srv_spawned) return;
  r->tgt_srv_spawned = false;
  rh_nbd_server_cancel(&r->tgt_srv);
}
