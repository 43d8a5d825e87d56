/* The checks of rehost replicate that protect data: pinned formats, the
 * source's identity, writers during a sync, the per-source lock, and the
 * release of change tracking (--untrack). */
#include "replicate_run.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/private_files.h"
#include "../lib/workdir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bitmaps named rehost-ID-N belong to this target. */
bool rh_repl_bitmap_ours(const char *name, const char *id)
{
  size_t n = strlen(id);
  return !strncmp(name, "rehost-", 7) && !strncmp(name + 7, id, n) && name[7 + n] == '-';
}

/* Refusals that protect data: a finalized target, a different source, a
 * shrinking source. Sets *forced when --force overrode one. */
int rh_repl_check_integrity(struct run *r, uint64_t tgt_size, bool *forced)
{
  const struct rh_replicate_opts *o = r->o;
  struct rh_target_state *st = &r->st;
  *forced = false;
  if (st->state == RH_TS_FINALIZED) {
    if (!o->force) {
      rh_error("%s: was finalized (it may have booted); refusing to sync into it (use --force "
               "to overwrite it with the source's data)", o->target);
      return RH_EXIT_INTEGRITY;
    }
    rh_warn("%s: was finalized; --force: overwriting it with the source's data", o->target);
  }
  if (r->target_exists && o->mode != RH_MODE_FULL && tgt_size > r->sf.size && !o->force) {
    rh_error("%s: is larger (%llu bytes) than the source (%llu bytes); refusing to shrink it "
             "(use --force)", o->target, (unsigned long long)tgt_size,
             (unsigned long long)r->sf.size);
    return RH_EXIT_INTEGRITY;
  }
  if (st->state != RH_TS_NONE && st->src_path && r->target_exists) {
    const char *why = NULL;
    char buf[256];
    if (strcmp(st->src_path, rh_image_name(&r->src)) != 0) {
      snprintf(buf, sizeof buf, "it was replicated from %.200s", st->src_path);
      why = buf;
    } else if (st->src_disk_id && strcmp(st->src_disk_id, r->sf.disk_id) != 0) {
      snprintf(buf, sizeof buf, "the disk at that path changed identity (%.60s, was %.60s)",
               r->sf.disk_id, st->src_disk_id);
      why = buf;
    }
    if (why && !o->force) {
      rh_error("%s: %s; refusing to sync it from %s (use --force to replace its contents)",
               o->target, why, rh_image_name(&r->src));
      return RH_EXIT_INTEGRITY;
    }
    if (why) {
      rh_warn("%s: %s; --force: syncing from %s", o->target, why, rh_image_name(&r->src));
      *forced = true;
    }
  }
  return RH_EXIT_OK;
}

int64_t rh_repl_mtime_ns(const char *path)
{
  struct rh_file_stamp s;
  return rh_file_stamp_get(path, &s) == 0 ? s.mtime_ns : 0;
}

/* Probe the existing target with its pinned format (TARGET.rehost.json).
 * A raw target is never probed: its first bytes are the guest's. Any other
 * pinned format must still be what the file is: a target replaced by
 * another kind of image is refused. */
int rh_repl_probe_target(struct run *r, uint64_t *tgt_size)
{
  const struct rh_replicate_opts *o = r->o;
  const char *pinned = r->st.tgt_format;
  if (pinned && o->target_format && strcmp(pinned, o->target_format) != 0 &&
      !(o->force && o->mode == RH_MODE_FULL)) {
    rh_error("%s: is replicated as %s; refusing to sync it as %s (use --full --force to "
             "recreate it)", o->target, rh_format_name(pinned), rh_format_name(o->target_format));
    return RH_EXIT_INTEGRITY;
  }
  const char *known = o->target_format ? o->target_format : pinned;
  /* A qcow2 or raw file exactly as the last completed sync left it (its
   * whole stamp, ctime included, which no user can set back): that sync's
   * probe found it whole, with no backing or data file, and nothing wrote it
   * since. What a probe would say is in the state; one qemu-img run less. */
  struct rh_file_stamp now;
  if (r->st.state == RH_TS_CONSISTENT && pinned && known && !strcmp(known, pinned) &&
      (!strcmp(pinned, "qcow2") || !strcmp(pinned, "raw")) && r->st.tgt_size &&
      rh_file_stamp_get(o->target, &now) == 0 && rh_file_stamp_same(&r->st.tgt_stamp, &now)) {
    snprintf(r->tgt_driver, sizeof r->tgt_driver, "%s", pinned);
    *tgt_size = r->st.tgt_size;
    r->tgt_data_in_file = true;
    r->tgt_device = false;
    rh_debug("%s: as the last sync left it: not probed again", o->target);
    return RH_EXIT_OK;
  }
  bool probe = known && strcmp(known, "raw") != 0;
  struct rh_image timg;
  /* a target rehost left consistent and nobody wrote since is not checked
   * again (qemu-img check reads all its metadata) */
  bool untouched = r->st.state == RH_TS_CONSISTENT && r->st.tgt_mtime_ns &&
                   r->st.tgt_mtime_ns == rh_repl_mtime_ns(o->target);
  struct rh_probe_opts tpo = {.format = probe || !known ? NULL : "raw", .trusted_unchanged = untouched};
  int rc = rh_image_probe(o->target, &tpo, &timg);
  if (rc && o->mode != RH_MODE_FULL) return rc;
  if (!rc && pinned && strcmp(pinned, "raw") != 0 && strcmp(timg.format, pinned) != 0 &&
      !(o->force && o->mode == RH_MODE_FULL)) {
    rh_error("%s: its replication state says %s, but it is now a %s image; refusing to sync "
             "(use --full --force to recreate it)", o->target, rh_format_name(pinned),
             rh_format_name(timg.format));
    rh_image_free(&timg);
    return RH_EXIT_INTEGRITY;
  }
  /* --full --force over a target that is now another format recreates it in
   * the pinned (or -O) format */
  snprintf(r->tgt_driver, sizeof r->tgt_driver, "%s",
           known ? known : !rc ? timg.format : rh_format_for_path(o->target));
  *tgt_size = rc ? 0 : timg.virtual_size;
  r->tgt_data_in_file = !rc && timg.data_in_file;
  r->tgt_device = !rc && timg.block_device;
  if (!rc) rh_image_free(&timg);
  return RH_EXIT_OK;
}

/* Did anyone write the source while it was read (a VM started on it, or
 * someone else opened it read-write)? Its inode times tell for a file; a
 * qemu writer's lock (byte 101: the WRITE permission) tells for a device. */
bool rh_repl_source_written(struct run *r, char *why, size_t whysz)
{
  struct stat now;
  const struct stat *b = &r->src_before;
  if (stat(rh_image_file(&r->src), &now) < 0) {
    snprintf(why, whysz, "the source is gone: %s", strerror(errno));
    return true;
  }
  if (!r->src.block_device &&
      (now.st_mtim.tv_sec != b->st_mtim.tv_sec || now.st_mtim.tv_nsec != b->st_mtim.tv_nsec ||
       now.st_size != b->st_size || now.st_ino != b->st_ino)) {
    snprintf(why, whysz, "the source was written while it was read (a VM started on it?)");
    return true;
  }
  if (rh_image_has_writer(rh_image_file(&r->src))) {
    snprintf(why, whysz, "another process opened the source for writing during the sync (a VM "
             "started on it?)");
    return true;
  }
  return false;
}

/* rehost replicate --untrack: this target's bitmaps leave the source (so
 * that, e.g., qemu-img snapshot -a works again); the next sync compares. */
int rh_repl_untrack(struct run *r)
{
  const char *fmt = r->src.format;
  if (strcmp(fmt, "qcow2") != 0) {
    rh_info("%s: a %s source has no change-tracking bitmaps", rh_image_name(&r->src), rh_format_name(fmt));
    return RH_EXIT_OK;
  }
  r->nbms = rh_bitmaps_list(r->src.path, fmt, &r->bms);
  if (r->nbms < 0) return RH_EXIT_INPUT;
  int removed = 0, rc = RH_EXIT_OK;
  for (int i = 0; i < r->nbms && r->st.id[0]; i++)
    if (rh_repl_bitmap_ours(r->bms[i].name, r->st.id)) {
      if (rh_bitmap_remove(r->src.path, r->bms[i].name) < 0) rc = RH_EXIT_IO;
      else removed++;
    }
  rh_tstate_set(&r->st.bitmap, NULL);
  if (r->st.state != RH_TS_NONE && !rc) rc = rh_tstate_save(r->o->target, &r->st);
  if (!rc)
    rh_info("removed %d change-tracking bitmap%s of %s from %s; the next sync compares every "
            "block", removed, removed == 1 ? "" : "s", r->o->target, r->src.path);
  return rc;
}

/* Serialise every rehost reading one source: two syncs at once (two pairs
 * on one disk, started by one libvirt event) would add and remove bitmaps
 * under each other's reads. */
int rh_repl_lock_source(const char *file, const char *subject, int wait_s, int *fd)
{
  struct stat sb;
  if (stat(file, &sb) < 0) {
    rh_error("%s: %s", file, strerror(errno));
    return RH_EXIT_INPUT;
  }
  char name[96];
  snprintf(name, sizeof name, "source-%llx-%llu.lock", (unsigned long long)sb.st_dev,
           (unsigned long long)sb.st_ino);
  char *path = rh_runtime_path(name);
  if (!path) return RH_EXIT_IO;
  int rc = rh_lock_take(path, wait_s, subject, "reading this source", fd);
  free(path);
  return rc;
}

/* The source's format: -f, else the one pinned by the first sync (a raw
 * source stays raw, whatever its guest writes at its start). */
int rh_repl_source_format(const struct rh_replicate_opts *o, const struct rh_target_state *st,
                         const char *src_real, const char **fmt)
{
  const char *pinned = st->src_format && st->src_path && src_real &&
                               !strcmp(st->src_path, src_real) ? st->src_format : NULL;
  *fmt = o->source_format ? o->source_format : pinned ? rh_format_name(pinned) : NULL;
  if (o->source_format && pinned && strcmp(rh_format_driver(o->source_format), pinned) != 0 &&
      !o->force) {
    rh_error("%s: was replicated as %s; refusing to read it as %s (use --force)", src_real,
             rh_format_name(pinned), o->source_format);
    return RH_EXIT_INTEGRITY;
  }
  return RH_EXIT_OK;
}

/* After a completed sync: the source file as it was read (the stamp taken
 * before the data was read, still true now) and the target as left, when
 * all the source's data lives in that one regular file. */
void rh_repl_stamp_files(struct run *r)
{
  /* (both were cleared when the state said "syncing") */
  struct rh_file_stamp before, now, tgt;
  rh_file_stamp_of(&r->src_before, &before);
  if (r->src.data_in_file && !r->src.block_device && !r->tgt_device &&
      !strcmp(rh_image_file(&r->src), r->src.path) && S_ISREG(r->src_before.st_mode) &&
      rh_file_stamp_get(r->src.path, &now) == 0 && rh_file_stamp_same(&before, &now) &&
      rh_file_stamp_get(r->o->target, &tgt) == 0) {
    r->st.src_stamp = now;
    r->st.tgt_stamp = tgt;
  }
}

/* Nothing to sync: the last sync completed, and neither the source file
 * nor the target file was written since (same stamps, ctime included). */
bool rh_repl_untouched(const struct run *r, const char *src_real)
{
  const struct rh_replicate_opts *o = r->o;
  struct rh_file_stamp s, t;
  /* and nothing asked of the target that it is not (its pinned format) */
  if (o->target_format && (!r->st.tgt_format || strcmp(o->target_format, r->st.tgt_format)))
    return false;
  return src_real && o->mode != RH_MODE_FULL && !o->verify && r->st.state == RH_TS_CONSISTENT &&
         rh_file_stamp_get(src_real, &s) == 0 && rh_file_stamp_same(&r->st.src_stamp, &s) &&
         rh_file_stamp_get(o->target, &t) == 0 && rh_file_stamp_same(&r->st.tgt_stamp, &t);
}

int rh_repl_record_untouched(struct run *r, const char *src_real)
{
  struct rh_target_state *st = &r->st;
  char now[32];
  r->mode = r->o->mode == RH_MODE_COMPARE || !st->bitmap ? RH_MODE_COMPARE : RH_MODE_BITMAP;
  r->sf.size = r->stats.size = st->src_size;
  r->untouched = true;
  rh_workdir_reap("nbd", false); /* what a killed run left, as any sync would */
  rh_utc_now(now, sizeof now);
  rh_tstate_set(&st->last_mode, rh_repl_mode_name(r->mode));
  rh_tstate_set(&st->last_started, now);
  rh_tstate_set(&st->last_finished, now);
  st->last_seconds = 0;
  st->last_read = st->last_written = st->last_zeroed = 0;
  rh_debug("%s and %s are as the last sync left them (same inode, size, mtime and ctime): "
           "nothing to read", src_real, r->o->target);
  return rh_tstate_save(r->o->target, st);
}
