#include "scan.h"

#include "../guest/appliance.h"
#include "../guest/md_run.h"
#include "../guest/volumes.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The volumes among the storage report's filesystems (which name every
 * volume's type, see rh_scan_storage) whose type has one of prefixes, joined
 * with ", "; NULL if none. */
static char *devices_of_type(json_object *storage, const char *const *prefixes)
{
  json_object *fss = json_object_object_get(storage, "filesystems");
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f) return NULL;
  int found = 0;
  for (size_t i = 0; i < json_object_array_length(fss); i++) {
    json_object *fs = json_object_array_get_idx(fss, i);
    const char *t = json_object_get_string(json_object_object_get(fs, "type"));
    if (rh_volume_type_is(t, prefixes))
      fprintf(f, "%s%s", found++ ? ", " : "",
              json_object_get_string(json_object_object_get(fs, "device")));
  }
  fclose(f);
  if (!found) {
    free(out);
    return NULL;
  }
  return out;
}

/* schema, version, sources, storage: what needs no mounted root */
static json_object *report_head(guestfs_h *g, const struct rh_image *imgs, int n)
{
  json_object *report = json_object_new_object();
  json_object_object_add(report, "schema", json_object_new_string(RH_SCAN_SCHEMA));
  json_object_object_add(report, "rehost_version", json_object_new_string(REHOST_VERSION));
  json_object *sources = json_object_new_array();
  for (int i = 0; i < n; i++) json_object_array_add(sources, rh_image_json(&imgs[i]));
  json_object_object_add(report, "sources", sources);
  json_object_object_add(report, "storage", rh_scan_storage(g, imgs, n));
  return report;
}

json_object *rh_scan_mounted(guestfs_h *g, const char *root, const struct rh_image *imgs, int n)
{
  json_object *report = report_head(g, imgs, n);
  rh_scan_os(g, root, report);
  rh_scan_config(g, report);
  return report;
}

int rh_scan_images(const struct rh_image *imgs, int n, bool md_degraded, json_object **report_out)
{
  struct rh_drive drives[16] = {{0}};
  if (n > 16) {
    rh_error("at most 16 disks per machine");
    return RH_EXIT_USAGE;
  }
  for (int i = 0; i < n; i++) drives[i] = (struct rh_drive){imgs[i].path, imgs[i].format, true};
  guestfs_h *g = rh_appliance_launch(drives, n);
  if (!g) return RH_EXIT_GUEST;
  /* --md-degraded: arrays that miss members start (read-only, as the disks
   * are), before the report looks at them */
  struct rh_md_run md[16];
  size_t n_md = 0;
  if (md_degraded && rh_md_run_degraded(g, md, 16, &n_md) < 0) {
    guestfs_shutdown(g);
    rh_appliance_close(g);
    return RH_EXIT_GUEST;
  }

  json_object *report = report_head(g, imgs, n);
  json_object *storage = json_object_object_get(report, "storage");

  int rc = RH_EXIT_OK;
  char **roots = guestfs_inspect_os(g);
  char *crypt = devices_of_type(storage, rh_crypt_types);
  if (!roots || !roots[0]) {
    char *members = crypt ? NULL : devices_of_type(storage, rh_member_types);
    rh_guest_report_no_os(rh_image_name(&imgs[0]), crypt, members, n);
    free(crypt);
    free(members);
    rc = RH_EXIT_GUEST;
    goto out;
  }
  if (roots[1]) rh_warn("%s: several operating systems found; scanning the first, %s", rh_image_name(&imgs[0]), roots[0]);
  if (crypt) rh_warn("%s: %s encrypted; contents not scanned", rh_image_name(&imgs[0]), crypt);
  free(crypt);
  if (rh_appliance_mount_os(g, roots[0], true) < 0) {
    rc = RH_EXIT_GUEST;
    goto out;
  }
  rh_scan_os(g, roots[0], report);
  rh_scan_config(g, report);
  guestfs_umount_all(g);
out:
  rh_strv_free(roots);
  guestfs_shutdown(g);
  rh_appliance_close(g);
  if (rc) {
    json_object_put(report);
    return rc;
  }
  *report_out = report;
  return RH_EXIT_OK;
}

int rh_scan_write(json_object *report, const char *path)
{
  const char *text = json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
  if (!strcmp(path, "-")) {
    puts(text);
    return fflush(stdout) == 0 ? 0 : RH_EXIT_IO;
  }
  return rh_outfile_write_text(path, text, 0);
}
