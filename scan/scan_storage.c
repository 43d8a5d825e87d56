#include "scan.h"

#include "../guest/volumes.h"
#include "../lib/log.h"

#include <stdlib.h>
#include <string.h>

static json_object *jstr_or_null(char *s)
{
  json_object *o = s && *s ? json_object_new_string(s) : NULL;
  free(s);
  return o;
}

/* md arrays the appliance assembled (its names for them and their members:
 * the guest's own names are in its mdadm.conf), with their level and UUID */
static json_object *scan_md_arrays(guestfs_h *g)
{
  json_object *arr = json_object_new_array();
  char **mds = guestfs_list_md_devices(g);
  for (size_t i = 0; mds && mds[i]; i++) {
    json_object *o = json_object_new_object(), *members = json_object_new_array();
    json_object_object_add(o, "device", json_object_new_string(mds[i]));
    char **kv = guestfs_md_detail(g, mds[i]);
    long want = -1;
    for (size_t k = 0; kv && kv[k] && kv[k + 1]; k += 2) {
      if (!strcmp(kv[k], "level") || !strcmp(kv[k], "uuid") || !strcmp(kv[k], "metadata"))
        json_object_object_add(o, kv[k], json_object_new_string(kv[k + 1]));
      if (!strcmp(kv[k], "devices")) want = strtol(kv[k + 1], NULL, 10);
    }
    rh_strv_free(kv);
    struct guestfs_mdstat_list *ms = guestfs_md_stat(g, mds[i]);
    long active = 0; /* members neither failed (F) nor spare (S) */
    for (uint32_t k = 0; ms && k < ms->len; k++) {
      json_object_array_add(members, json_object_new_string(ms->val[k].mdstat_device));
      const char *fl = ms->val[k].mdstat_flags;
      active += !fl || (!strchr(fl, 'F') && !strchr(fl, 'S'));
    }
    if (ms) guestfs_free_mdstat_list(ms);
    json_object_object_add(o, "members", members);
    /* members it has when whole, and whether some are missing (a machine
     * whose other disks are lost, or a member that failed in the source) */
    if (want > 0) {
      json_object_object_add(o, "raid_devices", json_object_new_int64(want));
      json_object_object_add(o, "degraded", json_object_new_boolean(active < want));
    }
    json_object_array_add(arr, o);
  }
  rh_strv_free(mds);
  return arr;
}

static json_object *scan_partitions(guestfs_h *g, const char *dev, const char *parttype)
{
  json_object *arr = json_object_new_array();
  struct guestfs_partition_list *pl = guestfs_part_list(g, dev);
  if (!pl) return arr;
  for (uint32_t i = 0; i < pl->len; i++) {
    struct guestfs_partition *p = &pl->val[i];
    json_object *o = json_object_new_object();
    char *pdev = NULL;
    if (asprintf(&pdev, "%s%d", dev, p->part_num) < 0) pdev = NULL;
    json_object_object_add(o, "device", json_object_new_string(pdev ? pdev : ""));
    free(pdev);
    json_object_object_add(o, "number", json_object_new_int(p->part_num));
    json_object_object_add(o, "start", json_object_new_int64((int64_t)p->part_start));
    json_object_object_add(o, "size", json_object_new_int64((int64_t)p->part_size));
    if (strcmp(parttype, "gpt") == 0) {
      json_object_object_add(o, "gpt_type", jstr_or_null(guestfs_part_get_gpt_type(g, dev, p->part_num)));
    } else if (strcmp(parttype, "msdos") == 0) {
      int id = guestfs_part_get_mbr_id(g, dev, p->part_num);
      if (id >= 0) json_object_object_add(o, "mbr_id", json_object_new_int(id));
      int boot = guestfs_part_get_bootable(g, dev, p->part_num);
      json_object_object_add(o, "bootable", json_object_new_boolean(boot > 0));
    }
    json_object_array_add(arr, o);
  }
  guestfs_free_partition_list(pl);
  return arr;
}

static json_object *strv_json(char **v)
{
  json_object *arr = json_object_new_array();
  for (size_t i = 0; v && v[i]; i++) json_object_array_add(arr, json_object_new_string(v[i]));
  rh_strv_free(v);
  return arr;
}

/* {device, type, uuid, label}: one filesystem or other content of a device */
static json_object *fs_json(guestfs_h *g, const char *dev, const char *type)
{
  json_object *f = json_object_new_object();
  json_object_object_add(f, "device", json_object_new_string(dev));
  json_object_object_add(f, "type", json_object_new_string(type));
  if (strcmp(type, "unknown") != 0) {
    json_object_object_add(f, "uuid", jstr_or_null(guestfs_vfs_uuid(g, dev)));
    json_object_object_add(f, "label", jstr_or_null(guestfs_vfs_label(g, dev)));
  }
  return f;
}

json_object *rh_scan_storage(guestfs_h *g, const struct rh_image *imgs, int n)
{
  json_object *st = json_object_new_object();
  json_object *disks = json_object_new_array();
  char **devs = guestfs_list_devices(g);
  for (int i = 0; devs && devs[i]; i++) {
    json_object *d = json_object_new_object();
    json_object_object_add(d, "device", json_object_new_string(devs[i]));
    if (i < n) json_object_object_add(d, "source", json_object_new_string(rh_image_name(&imgs[i])));
    json_object_object_add(d, "size", json_object_new_int64(guestfs_blockdev_getsize64(g, devs[i])));
    char *pt = guestfs_part_get_parttype(g, devs[i]);
    json_object_object_add(d, "partition_table", pt ? json_object_new_string(pt) : NULL);
    json_object_object_add(d, "partitions", pt ? scan_partitions(g, devs[i], pt) : json_object_new_array());
    free(pt);
    json_object_array_add(disks, d);
  }
  rh_strv_free(devs);
  json_object_object_add(st, "disks", disks);

  json_object *fss = json_object_new_array();
  char **fsl = guestfs_list_filesystems(g);
  for (size_t i = 0; fsl && fsl[i]; i += 2) json_object_array_add(fss, fs_json(g, fsl[i], fsl[i + 1]));
  /* list_filesystems leaves out what it cannot mount (LUKS, LVM PVs, md
   * members): name those volumes' content too, so that encryption is visible
   * wherever it sits (disk, partition, md array, LV). */
  char **parts = rh_guest_volumes(g);
  for (size_t i = 0; parts && parts[i]; i++) {
    bool listed = false;
    for (size_t j = 0; fsl && fsl[j] && !listed; j += 2) listed = !strcmp(fsl[j], parts[i]);
    if (listed) continue;
    char *type = guestfs_vfs_type(g, parts[i]);
    if (type && *type) json_object_array_add(fss, fs_json(g, parts[i], type));
    free(type);
  }
  rh_strv_free(parts);
  rh_strv_free(fsl);
  json_object_object_add(st, "filesystems", fss);

  json_object *lvm = json_object_new_object();
  json_object_object_add(lvm, "pvs", strv_json(guestfs_pvs(g)));
  json_object_object_add(lvm, "vgs", strv_json(guestfs_vgs(g)));
  json_object_object_add(lvm, "lvs", strv_json(guestfs_lvs(g)));
  json_object_object_add(st, "lvm", lvm);
  json_object *md = json_object_new_object();
  json_object_object_add(md, "arrays", scan_md_arrays(g));
  json_object_object_add(st, "md", md);
  return st;
}
