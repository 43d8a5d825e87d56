/* The source side of rehost replicate: its one qemu-nbd (read-only, no
 * image lock), started while the probe runs when it can be, and the first
 * look through it. */
#include "replicate_run.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/page_cache.h"
#include "extents.h"
#include "nbd_server.h"

#include <libnbd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Does the source's server read with O_DIRECT? Judged once per run, when
 * its first server starts: path is the image file (the early start comes
 * only for a qcow2 file that names no other file), or src when probed. A
 * cold source is read as the disk gives it: a bitmap sync's scattered reads
 * then cost what they read, not the readahead around each one. */
static bool source_direct(struct run *r, const char *path)
{
  if (!r->src_direct)
    r->src_direct = (path ? rh_read_direct_when_cold(path, path) : rh_image_read_direct(&r->src))
                        ? 1 : -1;
  return r->src_direct > 0;
}

/* The source's export: read-only, no image lock, served to one client after
 * another, with connections for the larger default of threads */
static struct rh_nbd_export source_export(struct run *r, const char *path, const char *format,
                                          const char *bitmap, bool early)
{
  int conns = r->o->threads > 0 ? r->o->threads : RH_BITMAP_THREADS;
  return (struct rh_nbd_export){.path = path, .format = format, .readonly = true,
                                .bitmap = bitmap, .connections = conns, .no_locking = true,
                                .persistent = true,
                                .direct = source_direct(r, early ? path : NULL)};
}

/* The source's one qemu-nbd: it serves the first look and then the sync,
 * exporting bitmap (or none). */
int rh_repl_source_start(struct run *r, const char *bitmap)
{
  if (r->src_srv_early) { /* adopted when it serves what is asked, else replaced */
    r->src_srv_early = false;
    if (!strcmp(bitmap ? bitmap : "", r->early_bitmap) &&
        rh_nbd_server_ready(&r->src_srv, true) == RH_EXIT_OK) {
      r->src_srv_up = true;
      r->src_bitmap_exported = bitmap != NULL;
      return RH_EXIT_OK;
    }
    rh_nbd_server_discard(&r->src_srv);
  }
  struct rh_nbd_export ex = source_export(r, r->src.path, r->src.format, bitmap, false);
  int rc = rh_nbd_server_start(&ex, &r->src_srv);
  r->src_srv_up = !rc;
  r->src_bitmap_exported = !rc && bitmap;
  return rc;
}

/* The probe has judged the source's header (a qcow2 file naming no other
 * file): its server starts now, while qemu-img looks at it, exporting the
 * bitmap the state records; the first look adopts it if that is the bitmap
 * it wants (rh_repl_source_start). The source's stamp is taken first: the
 * server reads what the file holds from its opening on. The caller's own
 * work (while_probing) follows, while the helpers start. */
void rh_repl_source_start_early(void *arg, const char *path, const char *format)
{
  struct run *r = arg;
  if (r->o->untrack || stat(path, &r->src_before) < 0) return;
  r->src_before_taken = true;
  const char *bitmap = r->st.bitmap;
  struct rh_nbd_export ex = source_export(r, path, format, bitmap, true);
  if (rh_nbd_server_spawn(&ex, &r->src_srv) == RH_EXIT_OK) {
    r->src_srv_early = true;
    snprintf(r->early_bitmap, sizeof r->early_bitmap, "%s", bitmap ? bitmap : "");
  } else {
    rh_nbd_server_discard(&r->src_srv);
  }
  if (r->o->while_probing) r->o->while_probing();
}

/* The recorded bitmap when it can drive a sync (present, enabled, not in
 * use): the first look exports it, whatever mode is chosen after. */
const char *rh_repl_usable_bitmap(const struct run *r)
{
  for (int i = 0; i < r->nbms && r->st.bitmap; i++)
    if (!strcmp(r->bms[i].name, r->st.bitmap) && r->bms[i].enabled && !r->bms[i].in_use)
      return r->st.bitmap;
  return NULL;
}

void rh_repl_source_stop(struct run *r)
{
  if (r->src_srv_early) rh_nbd_server_discard(&r->src_srv); /* never used */
  else if (r->src_srv_up) rh_nbd_server_stop(&r->src_srv);
  r->src_srv_up = r->src_srv_early = false;
}

/* The source's size, disk identity and allocated bytes, through its server. */
int rh_repl_source_look(struct run *r)
{
  const struct rh_image *img = &r->src;
  struct source_facts *sf = &r->sf;
  int rc = rh_repl_source_start(r, rh_repl_usable_bitmap(r));
  if (rc) return rc;
  char bmctx[600];
  snprintf(bmctx, sizeof bmctx, "qemu:dirty-bitmap:%s", r->src_bitmap_exported ? r->st.bitmap : "");
  const char *ctx[] = {"base:allocation", r->src_bitmap_exported ? bmctx : NULL, NULL};
  struct nbd_handle *h = rh_nbd_connect(&r->src_srv, ctx);
  rc = RH_EXIT_IO;
  unsigned char buf[17408];
  int64_t size = h ? nbd_get_size(h) : -1;
  if (size >= 0) {
    sf->size = (uint64_t)size;
    size_t n = size < (int64_t)sizeof buf ? (size_t)size : sizeof buf;
    memset(buf, 0, sizeof buf);
    if (n && nbd_pread(h, buf, n, 0, 0) < 0) {
      rh_error("%s: read at offset 0 failed: %s", rh_image_name(img), rh_nbd_error());
    } else {
      rh_disk_id(buf, n, sf->disk_id, sizeof sf->disk_id);
      rc = RH_EXIT_OK;
    }
  }
  sf->data_bytes = sf->size;
  struct rh_extents ext = {0}, dirty = {0};
  if (!rc && rh_nbd_extents(h, rh_image_name(img), "base:allocation", sf->size, &ext) == 0)
    sf->data_bytes = sf->size - rh_extents_bytes(&ext, RH_EXT_ZERO);
  /* how much the recorded bitmap marks: a sync with nothing to copy needs
   * neither a new generation nor the target */
  sf->dirty_known = !rc && r->src_bitmap_exported && nbd_can_meta_context(h, bmctx) == 1 &&
                    rh_nbd_extents(h, rh_image_name(img), bmctx, sf->size, &dirty) == 0;
  sf->dirty_bytes = sf->dirty_known ? rh_extents_bytes(&dirty, RH_EXT_DIRTY) : 0;
  if (sf->dirty_known)
    rh_debug("%s: bitmap %s marks %llu bytes as written since the last sync", rh_image_name(img),
             r->st.bitmap, (unsigned long long)sf->dirty_bytes);
  rh_extents_free(&ext);
  rh_extents_free(&dirty);
  rh_nbd_close(h);
  return rc;
}
