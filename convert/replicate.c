#include "replicate.h"

#include "../lib/clock.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/private_files.h"
#include "../lib/proc.h"
#include "bitmaps.h"
#include "extents.h"
#include "image.h"
#include "nbd_server.h"
#include "sync_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replicate_run.h"

static volatile sig_atomic_t g_cancel;

static bool same_file(const char *a, const char *b)
{
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

static const char *create_options(const char *driver)
{
  if (!strcmp(driver, "vpc")) return "subformat=dynamic,force_size=on";
  if (!strcmp(driver, "vmdk")) return "subformat=monolithicSparse";
  return NULL;
}

static int run_delta(struct run *r)
{
  const struct rh_replicate_opts *o = r->o;
  bool bitmap = r->mode == RH_MODE_BITMAP;
  uint32_t block = o->block_size ? o->block_size : 65536;
  uint32_t chunk = block > (4u << 20) ? block : (4u << 20);
  /* The source is read without qemu's image lock, so that a VM can start
   * meanwhile; whether anyone wrote it is checked after (source_written).
   * Its server is the one the first look started, unless that one lacks
   * the bitmap this sync needs. */
  if (r->src_srv_up && bitmap && !r->src_bitmap_exported) rh_repl_source_stop(r);
  /* Maps are taken before the servers lock the images (see image_map.h):
   * the target's before its server starts; the source's (read without
   * locking) while the servers start. A bitmap sync reads little, through
   * NBD: mapping a fragmented image would cost more than it saves; with
   * trusted digests the target is not read at all. */
  struct rh_image_map sm, tm;
  struct rh_image_map_job sj, tj;
  bool map_src = !bitmap && rh_image_map_start(r->src.path, r->src.format, r->src.data_in_file,
                                               true, &sj) == 0;
  bool have_tm = rh_repl_target_mapped(r) &&
                 rh_image_map_start(o->target, r->tgt_driver, r->tgt_data_in_file, false, &tj) == 0 &&
                 rh_image_map_finish(&tj, &tm) == 0;
  struct rh_nbd_server *ts = &r->tgt_srv;
  int rc = r->src_srv_up ? 0 : rh_repl_source_start(r, bitmap ? r->st.bitmap : NULL);
  if (rc) rh_repl_target_cancel(r);
  else if ((rc = rh_repl_target_start(r))) rh_repl_source_stop(r);
  bool have_sm = map_src && rh_image_map_finish(&sj, &sm) == 0;
  rh_debug("direct reads: source %s, target %s", have_sm ? "yes" : "no", have_tm ? "yes" : "no");
  /* a source mostly out of the page cache (judged when its server started)
   * is read from the disk straight into the engine's buffers */
  if (!rc && have_sm && r->src_direct > 0)
    rh_debug("%s: its data read %s", r->src.path,
             rh_image_map_read_direct(&sm) ? "with O_DIRECT" : "through the page cache");
  /* one mostly in the page cache is read where it lies there */
  else if (!rc && have_sm)
    rh_debug("%s: its data read %s", r->src.path,
             rh_image_map_mmap(&sm) ? "in place (mapped)" : "through the page cache");
  rh_phase("qemu-nbd servers started");
  if (rc) {
    if (have_sm) rh_image_map_free(&sm);
    if (have_tm) rh_image_map_free(&tm);
    return rc;
  }
  int threads = rh_repl_delta_threads(r); /* as the target's server was started with */
  struct rh_sync_opts so = {bitmap ? RH_SYNC_BITMAP : RH_SYNC_COMPARE, block, chunk, threads,
                            bitmap ? r->st.bitmap : NULL, &g_cancel,
                            have_sm ? &sm : NULL, have_tm ? &tm : NULL, r->tgt_device,
                            r->dg_active ? &r->dg : NULL, r->dg_trusted};
  rc = rh_sync_run(&r->src_srv, ts, &so, &r->stats);
  rh_phase("target flushed (data on disk)");
  if (have_sm) rh_image_map_free(&sm);
  if (have_tm) rh_image_map_free(&tm);
  rh_repl_source_stop(r);
  if (rh_nbd_server_stop(ts) < 0 && !rc) {
    rh_error("%s: the target was not closed cleanly", o->target);
    rc = RH_EXIT_IO;
  }
  rh_phase("qemu-nbd servers stopped");
  return rc;
}

static int run_full(struct run *r)
{
  int rc = rh_image_copy(&r->src, r->o->target, r->tgt_driver, create_options(r->tgt_driver));
  if (!rc) {
    r->stats.size = r->sf.size;
    r->stats.src_read = r->sf.data_bytes;
    r->stats.written = r->sf.data_bytes;
  }
  if (rc && g_cancel) rc = RH_EXIT_INTERRUPTED;
  return rc;
}

static void report(struct run *r, const char *src_name, double secs)
{
  struct rh_sync_stats *s = &r->stats;
  char a[32], b[32], c[32];
  if (r->untouched)
    rh_info("%s and %s are as the last sync left them: nothing to sync", src_name, r->o->target);
  else if (r->mode == RH_MODE_FULL)
    rh_info("full copy of %s into %s: %s of data in %.1f s", src_name, r->o->target,
            rh_human_size(s->written, a, sizeof a), secs);
  else
    rh_info("%s sync of %s into %s: read %s from the source and %s from the target, wrote %s "
          "(%llu blocks) in %.1f s",
          rh_repl_mode_name(r->mode), src_name, r->o->target,
          rh_human_size(s->src_read, a, sizeof a), rh_human_size(s->tgt_read, b, sizeof b),
          rh_human_size(s->written + s->zeroed, c, sizeof c), (unsigned long long)s->blocks, secs);
  json_object *f = json_object_new_object();
  json_object_object_add(f, "mode", json_object_new_string(rh_repl_mode_name(r->mode)));
  json_object_object_add(f, "source", json_object_new_string(src_name));
  json_object_object_add(f, "target", json_object_new_string(r->o->target));
  json_object_object_add(f, "virtual_size", json_object_new_int64((int64_t)r->sf.size));
  json_object_object_add(f, "bytes_examined", json_object_new_int64((int64_t)s->planned));
  json_object_object_add(f, "bytes_read_source", json_object_new_int64((int64_t)s->src_read));
  json_object_object_add(f, "bytes_read_target", json_object_new_int64((int64_t)s->tgt_read));
  json_object_object_add(f, "bytes_written", json_object_new_int64((int64_t)s->written));
  json_object_object_add(f, "bytes_zeroed", json_object_new_int64((int64_t)s->zeroed));
  json_object_object_add(f, "blocks_written", json_object_new_int64((int64_t)s->blocks));
  json_object_object_add(f, "bitmap", r->new_bitmap[0] ? json_object_new_string(r->new_bitmap)
                                                       : NULL);
  json_object_object_add(f, "seconds", json_object_new_double(secs));
  json_object_object_add(f, "untouched", json_object_new_boolean(r->untouched));
  rh_event("sync", f);
}

/* Is the source still as the stamp says (src_before: taken before the first
 * look, moved past each of rehost's own writes)? A VM that started, wrote
 * and stopped since, between the look and a bitmap being added, would
 * otherwise go unseen: its writes land in the generation being retired,
 * and the source's server may serve data from before them. */
static bool foreign_write(struct run *r)
{
  char why[160];
  if (!rh_repl_source_written(r, why, sizeof why)) return false;
  rh_error("%s: %s; the target is not a consistent copy", rh_image_name(&r->src), why);
  return true;
}

/* The source's stamp moves past a write of rehost's own (a bitmap step). */
static void stamp_past_own_write(struct run *r)
{
  if (stat(rh_image_file(&r->src), &r->src_before) < 0) memset(&r->src_before, 0, sizeof r->src_before);
}

/* One of rehost's own writes to the source between the look and the read
 * (op: a bitmap added or removed): nobody else may have written it since
 * the stamp, and the stamp moves past this write. RH_EXIT_INTEGRITY on a
 * foreign write; else 0, with op's result in *res. */
static int own_bitmap_write(struct run *r, int (*op)(const char *, const char *),
                            const char *name, int *res)
{
  if (foreign_write(r)) return RH_EXIT_INTEGRITY;
  *res = op(r->src.path, name);
  stamp_past_own_write(r);
  return 0;
}

/* Start a new change-tracking generation: the bitmap that records every
 * write to the source from now on; the next sync copies only what it marks.
 * Started as the sync begins, so nothing written meanwhile is missed: its
 * qemu-img is waited for before a full copy or a compare reads, and after a
 * bitmap sync's reads (finish_generation). */
static int start_generation(struct run *r)
{
  const struct rh_replicate_opts *o = r->o;
  if (o->no_track || o->source_shared || strcmp(r->src.format, "qcow2") != 0 ||
      r->src.block_device)
    return 0;
  if (r->generation_kept) {
    /* nothing was written since the recorded bitmap began: it goes on
     * recording every write from before this look, and stays the generation */
    snprintf(r->new_bitmap, sizeof r->new_bitmap, "%s", r->st.bitmap);
    return 0;
  }
  /* The recorded bitmap, healthy and already loaded by the sync's server
   * (which copies by it), restarts in place: one qemu-img run, where a new
   * generation costs an add and a remove of the old one. */
  const char *rec = rh_repl_usable_bitmap(r);
  bool restart = rec && r->src_bitmap_exported && rh_repl_bitmap_ours(rec, r->st.id);
  if (restart) {
    snprintf(r->new_bitmap, sizeof r->new_bitmap, "%s", rec);
  } else {
    snprintf(r->new_bitmap, sizeof r->new_bitmap, "rehost-%s-%lld", r->st.id,
             (long long)r->st.generation + 1);
    for (int i = 0; i < r->nbms; i++)
      if (!strcmp(r->bms[i].name, r->new_bitmap)) {
        int removed;
        if (own_bitmap_write(r, rh_bitmap_remove, r->new_bitmap, &removed))
          return RH_EXIT_INTEGRITY;
        if (removed) return RH_EXIT_INPUT;
      }
  }
  /* Started here, waited for by finish_generation: beside a bitmap sync's
   * reads (do_sync decides), whose server has the recorded bitmap loaded
   * already; what qemu-img writes (the bitmap directory and its tables,
   * refcounts) is never data the copy reads. Anyone else writing the source
   * meanwhile is seen after (foreign_write). */
  if (foreign_write(r)) return RH_EXIT_INTEGRITY;
  rh_bitmap_job_start(&r->gen_job, r->src.path, restart ? "--clear" : "--add", r->new_bitmap);
  r->generation_restarted = restart;
  return r->gen_job.start_rc ? RH_EXIT_INPUT : 0;
}

/* Wait for the new generation's qemu-img (nothing if none runs); the stamp
 * moves past rehost's own write. */
static int finish_generation(struct run *r)
{
  if (!r->gen_job.running) return 0;
  int added = rh_bitmap_job_finish(&r->gen_job);
  stamp_past_own_write(r);
  if (added == -2 && rh_image_has_writer(r->src.path)) {
    rh_error("%s: in use by another process that writes it (a running VM?); stop it, or name "
             "a snapshot of it", r->src.path);
    return RH_EXIT_INPUT;
  }
  if (added == -2) {
    /* The probe found no writer, so the holder reads: a running VM's
     * backing file (the base of an external snapshot), read-only while the
     * overlay lives. Its data is safe to read; tracking must wait. */
    rh_info("%s: another process has it open read-only (the base of a running VM's overlay?): "
            "syncing without change tracking", r->src.path);
    r->new_bitmap[0] = 0;
    r->generation_restarted = false;
    return 0;
  }
  if (added < 0) return RH_EXIT_INPUT;
  rh_debug("%s change-tracking generation %s on %s",
           r->generation_restarted ? "restarted" : "started", r->new_bitmap, r->src.path);
  return 0;
}

/* After success: drop this target's older bitmaps (each one slows every
 * guest write), whether or not a new generation started. Never others'.
 * Before the copy (guarded), each removal is one of rehost's own writes
 * between the look and the read: checked for foreign writes around it. */
static int retire_generations(struct run *r, bool guarded)
{
  /* a running VM's base is not ours to write; --no-track writes nothing */
  if (r->o->source_shared || r->o->no_track) return 0;
  for (int i = 0; i < r->nbms; i++) {
    if (!rh_repl_bitmap_ours(r->bms[i].name, r->st.id) || !strcmp(r->bms[i].name, r->new_bitmap))
      continue;
    int removed;
    if (!guarded) removed = rh_bitmap_remove(r->src.path, r->bms[i].name);
    else if (own_bitmap_write(r, rh_bitmap_remove, r->bms[i].name, &removed)) return RH_EXIT_INTEGRITY;
    if (removed < 0)
      rh_warn("%s: could not remove old bitmap %s; the next sync will", r->src.path,
              r->bms[i].name);
  }
  return 0;
}

/* The target's kept block digests: trusted when they describe exactly the
 * target the last completed sync left (same id, block size, size, inode and
 * mtime) and --verify was not given; otherwise a compare sync reads the
 * target too and rebuilds them, and a bitmap sync drops them. */
static void prepare_digests(struct run *r, enum rh_tstate before)
{
  const struct rh_replicate_opts *o = r->o;
  uint32_t block = o->block_size ? o->block_size : 65536;
  r->dg_active = r->dg_trusted = false;
  if (r->mode == RH_MODE_FULL) {
    rh_digests_remove(o->target);
    return;
  }
  char why[160] = "";
  struct stat sb;
  struct rh_digests *g = &r->dg;
  if (rh_digests_load(o->target, g, why, sizeof why) == 0) {
    if (o->verify) snprintf(why, sizeof why, "--verify");
    else if (before != RH_TS_CONSISTENT) snprintf(why, sizeof why, "the last sync did not complete");
    else if (strcmp(g->id, r->st.id) != 0) snprintf(why, sizeof why, "they were kept for another target");
    else if (g->block != block) snprintf(why, sizeof why, "the block size changed");
    else if (g->tgt_size != r->sf.size) snprintf(why, sizeof why, "the size changed");
    else if (r->tgt_device) snprintf(why, sizeof why, "a block device keeps no trace of writes");
    else if (stat(o->target, &sb) < 0 || (uint64_t)sb.st_ino != g->tgt_ino ||
             rh_repl_mtime_ns(o->target) != g->tgt_mtime_ns)
      snprintf(why, sizeof why, "the target was changed since the last sync");
    if (!why[0]) {
      r->dg_active = r->dg_trusted = true;
      rh_debug("%s: its block digests are trusted: the source alone is read", o->target);
      return;
    }
    rh_digests_free(g);
  }
  if (r->mode == RH_MODE_BITMAP) { /* they would not describe the blocks it skips */
    rh_digests_remove(o->target);
    return;
  }
  if (rh_digests_init(g, block, r->sf.size, r->st.id) < 0) return;
  r->dg_active = true;
  rh_info("compare sync reads the target too: %s", why);
}

/* After the data is flushed and before the state says consistent. Failing
 * to keep them costs the next compare sync a read of the target, no more. */
static void keep_digests(struct run *r)
{
  struct stat sb;
  if (!r->dg_active) return;
  r->dg.tgt_size = r->sf.size;
  r->dg.tgt_mtime_ns = rh_repl_mtime_ns(r->o->target);
  r->dg.tgt_ino = stat(r->o->target, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
  snprintf(r->dg.id, sizeof r->dg.id, "%s", r->st.id);
  if (rh_digests_save(r->o->target, &r->dg)) {
    rh_digests_remove(r->o->target);
    rh_warn("%s: the next compare sync will read the target too", r->o->target);
  }
}

static void record_source(struct run *r)
{
  rh_tstate_set(&r->st.src_path, rh_image_name(&r->src));
  rh_tstate_set(&r->st.src_format, r->src.format);
  rh_tstate_set(&r->st.src_disk_id, r->sf.disk_id);
  r->st.src_size = r->sf.size;
  rh_tstate_set(&r->st.tgt_format, r->tgt_driver);
}

static int do_sync(struct run *r)
{
  const struct rh_replicate_opts *o = r->o;
  struct rh_target_state *st = &r->st;
  int rc;
  struct stat tsb;
  r->target_exists = stat(o->target, &tsb) == 0;
  uint64_t tgt_size = 0;
  if (r->target_exists) {
    if ((rc = rh_repl_probe_target(r, &tgt_size))) return rc;
    rh_phase("target probe (qemu-img info, check)");
  } else {
    snprintf(r->tgt_driver, sizeof r->tgt_driver, "%s",
             o->target_format ? o->target_format : rh_format_for_path(o->target));
  }
  bool qcow2 = !strcmp(r->src.format, "qcow2");
  /* the bitmaps as the probe's qemu-img info listed them (no second run) */
  r->nbms = !qcow2 ? 0 : r->src.info ? rh_bitmaps_parse(r->src.info, &r->bms) : -1;
  if (qcow2 && r->nbms < 0) r->nbms = rh_bitmaps_list(r->src.path, r->src.format, &r->bms);
  if (r->nbms < 0) return RH_EXIT_INPUT;
  /* the source as first looked at: until the copy's end, any write to it
   * that is not rehost's own makes the run fail (foreign_write) */
  if (!r->src_before_taken && stat(rh_image_file(&r->src), &r->src_before) < 0) {
    rh_error("%s: %s", rh_image_file(&r->src), strerror(errno));
    return RH_EXIT_INPUT;
  }
  if ((rc = rh_repl_source_look(r))) return rc;
  rh_phase("source look (qemu-nbd: size, identity, allocation)");
  if (r->tgt_device) {
    if (tgt_size < r->sf.size) {
      rh_error("%s: the device is smaller (%llu bytes) than the source (%llu bytes)", o->target,
               (unsigned long long)tgt_size, (unsigned long long)r->sf.size);
      return RH_EXIT_INPUT;
    }
    tgt_size = r->sf.size; /* the device's tail beyond the source is not part of the copy */
  }
  bool forced;
  if ((rc = rh_repl_check_integrity(r, tgt_size, &forced))) return rc;

  struct rh_mode_facts f = {.target_exists = r->target_exists,
                            .state = st->state,
                            .state_pid = st->pid,
                            .state_reason = st->reason,
                            .source_qcow2 = qcow2,
                            .source_format = rh_format_name(r->src.format),
                            .recorded_bitmap = st->bitmap,
                            .size_changed = st->src_size != r->sf.size || tgt_size != r->sf.size,
                            .target_changed = st->tgt_mtime_ns &&
                                              st->tgt_mtime_ns != rh_repl_mtime_ns(o->target),
                            .identity_forced = forced};
  for (int i = 0; i < r->nbms && st->bitmap; i++)
    if (!strcmp(r->bms[i].name, st->bitmap)) {
      f.bitmap_present = true;
      f.bitmap_in_use = r->bms[i].in_use;
      f.bitmap_disabled = !r->bms[i].enabled;
    }
  char why[512];
  r->mode = rh_choose_mode(o->mode, &f, why, sizeof why);
  if (why[0] && o->mode == RH_MODE_BITMAP)
    rh_warn("bitmap mode refused: %s; doing a %s sync instead", why, rh_repl_mode_name(r->mode));
  else if (why[0] && r->mode == RH_MODE_FULL)
    rh_info("full copy: %s", why);
  else if (why[0])
    rh_info("%s sync: %s", rh_repl_mode_name(r->mode), why);
  rh_event_str("mode", "mode", rh_repl_mode_name(r->mode));
  if (g_cancel) return RH_EXIT_INTERRUPTED; /* nothing touched yet */
  prepare_digests(r, st->state);

  /* From here the target may change: record that a sync is running first. */
  char started[32];
  rh_utc_now(started, sizeof started);
  enum rh_tstate before = st->state;
  rh_error_clear();
  st->state = RH_TS_SYNCING;
  st->pid = (long)getpid();
  rh_tstate_set(&st->reason, NULL);
  rh_tstate_set(&st->last_mode, rh_repl_mode_name(r->mode));
  rh_tstate_set(&st->last_started, started);
  rh_tstate_set(&st->last_finished, NULL);
  memset(&st->src_stamp, 0, sizeof st->src_stamp);
  memset(&st->tgt_stamp, 0, sizeof st->tgt_stamp);
  if (before == RH_TS_NONE) record_source(r);
  if ((rc = rh_tstate_save(o->target, st))) return rc;
  rh_phase("mode chosen, state 'syncing' saved");

  double t0 = rh_monotonic_s();
  r->generation_kept = r->mode == RH_MODE_BITMAP && r->sf.dirty_known && !r->sf.dirty_bytes;
  bool retire_now = false;
  if (!(rc = rh_repl_prepare_target(r, tgt_size)) && !(rc = rh_repl_target_spawn_early(r)) &&
      !(rc = start_generation(r))) {
    /* A bitmap sync reads through the server that has the source open
     * already while qemu-img starts the new generation (nothing opens the
     * source meanwhile, as it is rewritten); a compare maps the source and a
     * full copy's qemu-img convert opens it: they wait. */
    bool beside = !r->generation_kept && r->mode == RH_MODE_BITMAP && r->src_srv_up &&
                  r->src_bitmap_exported;
    if (!beside) rc = finish_generation(r);
    rh_phase(beside ? "change-tracking generation starting (qemu-img bitmap --add or --clear, "
                      "beside the copy)"
                    : "change-tracking generation started (qemu-img bitmap --add or --clear)");
    /* The older generations are done with once the new one records writes
     * and the sync's server holds the recorded bitmap (qemu loads a
     * persistent bitmap whole when it opens the image); a sync that does
     * not complete leaves the target inconsistent, and the next one
     * compares. Removed now, before the copy, when the new generation is
     * already there; else after it. */
    retire_now = !rc && !beside && (r->mode != RH_MODE_BITMAP || r->src_bitmap_exported);
    if (retire_now) {
      rc = retire_generations(r, true);
      rh_phase("old generations retired (qemu-img bitmap --remove)");
    }
    /* (while rehost's own qemu-img writes it, the stamp is compared after) */
    if (!rc && !r->gen_job.running && foreign_write(r)) rc = RH_EXIT_INTEGRITY;
    if (!rc && g_cancel) rc = RH_EXIT_INTERRUPTED;
    if (!rc && r->generation_kept) {
      rh_debug("%s: its bitmap %s marks nothing: no block to copy", rh_image_name(&r->src),
               r->st.bitmap);
      r->stats.size = r->sf.size;
    } else if (!rc && r->mode == RH_MODE_FULL) {
      rh_repl_source_stop(r); /* qemu-img convert reads it itself */
      rc = run_full(r);
      rh_phase("full copy (qemu-img convert, then fsync)");
    } else if (!rc) {
      rc = run_delta(r);
    }
    int g = finish_generation(r); /* the run's own write: before the stamp is compared */
    if (!rc) rc = g;
    if (beside) rh_phase("change-tracking generation started (waited for after the copy)");
    if (!rc && g_cancel) rc = RH_EXIT_INTERRUPTED; /* before anything says "consistent" */
    if (!rc && foreign_write(r)) rc = RH_EXIT_INTEGRITY;
  }
  rh_repl_target_cancel(r); /* spawned early, when the sync stopped before it used it */
  /* A signal kills the running helper (qemu-img, qemu-nbd) too, so whatever
   * step was running fails: the run was interrupted, not broken. */
  if (rc && g_cancel) rc = RH_EXIT_INTERRUPTED;
  r->stats.seconds = rh_monotonic_s() - t0;

  char finished[32];
  rh_utc_now(finished, sizeof finished);
  st->pid = 0;
  st->last_seconds = r->stats.seconds;
  st->last_read = r->stats.src_read + r->stats.tgt_read;
  st->last_written = r->stats.written;
  st->last_zeroed = r->stats.zeroed;
  rh_tstate_set(&st->last_finished, finished);
  if (rc) {
    st->state = RH_TS_INCONSISTENT;
    char what[96], reason[400];
    if (r->target_exists)
      snprintf(what, sizeof what, "%s sync %s at %s", rh_repl_mode_name(r->mode),
               rc == RH_EXIT_INTERRUPTED ? "interrupted" : "failed", finished);
    else
      snprintf(what, sizeof what, "the first full copy did not finish");
    /* (what an interrupt stopped was not recorded: rh_signal_defer) */
    const char *err = rh_first_error();
    snprintf(reason, sizeof reason, "%s%s%s", what, *err ? ": " : "", err);
    rh_tstate_set(&st->reason, reason);
    rh_tstate_save(o->target, st); /* if even this fails, "syncing" still says inconsistent */
    rh_digests_remove(o->target);
    rh_warn("%s: marked inconsistent; the next sync will compare every block", o->target);
    return rc;
  }
  if (!retire_now) {
    retire_generations(r, false);
    rh_phase("old generations retired (qemu-img bitmap --remove)");
  }
  keep_digests(r);
  rh_phase("block digests kept");
  record_source(r);
  st->state = RH_TS_CONSISTENT;
  st->tgt_size = r->sf.size;
  st->tgt_mtime_ns = rh_repl_mtime_ns(o->target);
  rh_repl_stamp_files(r);
  if (r->generation_kept || r->generation_restarted) {
    /* the recorded bitmap stays the generation (restarted: it records from
     * before this sync's first read) */
  } else if (r->new_bitmap[0]) {
    rh_tstate_set(&st->bitmap, r->new_bitmap);
    st->generation++;
  } else {
    rh_tstate_set(&st->bitmap, NULL);
  }
  rc = rh_tstate_save(o->target, st);
  rh_phase("state 'consistent' saved");
  return rc;
}

int rh_replicate(const struct rh_replicate_opts *o)
{
  struct run r = {.o = o};
  if (same_file(o->source, o->target)) {
    rh_error("%s: source and target are the same file", o->target);
    return RH_EXIT_USAGE;
  }
  struct stat tsb;
  if (stat(o->target, &tsb) == 0 && !S_ISREG(tsb.st_mode) && !S_ISBLK(tsb.st_mode)) {
    /* before its lock file is made beside it (in /dev, for /dev/null) */
    rh_error("%s: not a regular file or block device", o->target);
    return RH_EXIT_INPUT;
  }
  int lock = -1, slock = -1, rc;
  /* A signal from here on stops the run at its next check, which records
   * why; nothing is marked consistent after one. */
  g_cancel = 0;
  rh_signal_defer(&g_cancel);
  if ((rc = rh_target_lock(o->target, o->wait_s, &lock))) {
    rh_signal_defer(NULL);
    if (g_cancel && rc == RH_EXIT_INTERRUPTED) rh_error("interrupted while waiting for another rehost");
    return rc;
  }
  rh_outfile_remove_stale(o->target);
  char *src_real = realpath(o->source, NULL);
  const char *fmt = NULL;
  /* One reader of a source at a time, from before its first look: another
   * sync's bitmap --add holds qemu's write lock for a moment, and a probe
   * running then would find the image "in use". (A disk inside a package
   * is not a file to stat: its package is locked once it is probed.) */
  if (src_real) rc = rh_repl_lock_source(src_real, o->source, o->wait_s, &slock);
  bool untouched = false;
  if (!rc && !(rc = rh_tstate_load(o->target, &r.st)) &&
      !(rc = rh_repl_source_format(o, &r.st, src_real, &fmt)) && !o->untrack &&
      (untouched = rh_repl_untouched(&r, src_real))) {
    if (!(rc = rh_repl_record_untouched(&r, src_real))) report(&r, r.st.src_path, 0);
  } else if (!rc) {
    struct rh_probe_opts po = {.format = fmt, .allow_backing = o->allow_backing,
                               .force_share = o->source_shared,
                               .on_judged = rh_repl_source_start_early, .on_judged_arg = &r};
    rc = rh_image_probe(o->source, &po, &r.src);
    rh_phase("source probe (qemu-img info, check)");
  }
  free(src_real);
  if (untouched) goto done;
  if (!rc && !r.st.id[0]) rh_tstate_new_id(r.st.id);
  if (!rc && slock < 0) rc = rh_repl_lock_source(rh_image_file(&r.src), rh_image_name(&r.src), o->wait_s, &slock);
  if (!rc && g_cancel) rc = RH_EXIT_INTERRUPTED;
  if (!rc && o->untrack) {
    rc = rh_repl_untrack(&r);
  } else if (!rc) {
    rc = do_sync(&r);
    if (!rc) report(&r, rh_image_name(&r.src), r.stats.seconds);
  }
done:
  rh_signal_defer(NULL);
  if (rc && g_cancel) rc = RH_EXIT_INTERRUPTED;
  if (g_cancel && rc == RH_EXIT_INTERRUPTED) rh_error("interrupted");
  free(r.bms);
  rh_repl_source_stop(&r);
  rh_tstate_free(&r.st);
  rh_digests_free(&r.dg);
  rh_image_free(&r.src);
  rh_lock_release(slock);
  rh_target_unlock(lock);
  return rc;
}
