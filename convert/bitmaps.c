#include "bitmaps.h"

#include "../lib/log.h"
#include "../lib/proc.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rh_bitmaps_parse(const char *info_json, struct rh_bitmap_info **outp)
{
  json_object *j = json_tokener_parse(info_json), *fs, *data, *bms;
  *outp = NULL;
  if (!j || !json_object_is_type(j, json_type_object)) {
    json_object_put(j);
    return -1;
  }
  int n = 0;
  if (json_object_object_get_ex(j, "format-specific", &fs) &&
      json_object_object_get_ex(fs, "data", &data) &&
      json_object_object_get_ex(data, "bitmaps", &bms) &&
      json_object_is_type(bms, json_type_array)) {
    size_t len = json_object_array_length(bms);
    struct rh_bitmap_info *out = *outp = calloc(len ? len : 1, sizeof *out);
    if (!out) {
      json_object_put(j);
      return -1;
    }
    for (size_t i = 0; i < len; i++) {
      json_object *b = json_object_array_get_idx(bms, i), *v;
      if (!json_object_is_type(b, json_type_object) ||
          !json_object_object_get_ex(b, "name", &v) || !json_object_is_type(v, json_type_string))
        continue;
      struct rh_bitmap_info *bi = &out[n++];
      memset(bi, 0, sizeof *bi);
      snprintf(bi->name, sizeof bi->name, "%s", json_object_get_string(v));
      if (json_object_object_get_ex(b, "granularity", &v))
        bi->granularity = (uint64_t)json_object_get_int64(v);
      if (json_object_object_get_ex(b, "flags", &v) && json_object_is_type(v, json_type_array))
        for (size_t k = 0; k < json_object_array_length(v); k++) {
          const char *f = json_object_get_string(json_object_array_get_idx(v, k));
          if (f && !strcmp(f, "in-use")) bi->in_use = true;
          if (f && !strcmp(f, "auto")) bi->enabled = true;
        }
    }
  }
  json_object_put(j);
  return n;
}

static void report(const char *path, const char *what, struct rh_proc_result *r)
{
  char line[512];
  const char *msg = rh_last_line(r->err, line, sizeof line);
  if (rh_qemu_lock_conflict(r->err))
    rh_error("%s: in use by another process (a running VM?); stop it first", path);
  else
    rh_error("%s: %s failed: %s", path, what,
             strncmp(msg, "qemu-img: ", 10) == 0 ? msg + 10 : *msg ? msg : "qemu-img failed");
}

int rh_bitmaps_list(const char *path, const char *format, struct rh_bitmap_info **out)
{
  *out = NULL;
  char *argv[] = {"qemu-img", "info", "--output=json", "-f", (char *)format, (char *)path, NULL};
  struct rh_proc_result r;
  int n = -1;
  if (rh_proc_run(argv, &r, NULL, NULL) < 0 || r.status != 0)
    report(path, "reading bitmaps", &r);
  else if ((n = rh_bitmaps_parse(r.out, out)) < 0)
    rh_error("%s: qemu-img info printed unexpected output", path);
  rh_proc_result_free(&r);
  return n;
}

static const char *op_what(const char *op)
{
  return !strcmp(op, "--add")     ? "adding a change-tracking bitmap"
         : !strcmp(op, "--clear") ? "restarting a change-tracking bitmap"
                                  : "removing a change-tracking bitmap";
}

void rh_bitmap_job_start(struct rh_bitmap_job *job, const char *path, const char *op,
                         const char *name)
{
  job->path = path;
  job->op = op;
  job->name = name;
  char *argv[] = {"qemu-img", "bitmap", (char *)op, "-f", "qcow2", (char *)path, (char *)name, NULL};
  char *why = NULL;
  job->start_rc = rh_proc_start(argv, &job->proc, &why);
  if (job->start_rc) rh_error("%s: %s failed: %s", path, op_what(op), why ? why : "qemu-img did not start");
  free(why);
  job->running = !job->start_rc;
}

int rh_bitmap_job_finish(struct rh_bitmap_job *job)
{
  if (!job->running) return job->start_rc ? -1 : 0;
  job->running = false;
  struct rh_proc_result r;
  int rc = 0;
  if (rh_proc_finish(&job->proc, &r, NULL, NULL) < 0 || r.status != 0) {
    /* --add and --clear: another process holds the image open (read-only) */
    if (strcmp(job->op, "--remove") != 0 && rh_qemu_lock_conflict(r.err)) {
      rc = -2;
    } else {
      report(job->path, op_what(job->op), &r); /* (detail only when an interrupt stopped it) */
      rc = -1;
    }
  }
  rh_proc_result_free(&r);
  return rc;
}

static int bitmap_op(const char *path, const char *op, const char *name)
{
  struct rh_bitmap_job job;
  rh_bitmap_job_start(&job, path, op, name);
  return rh_bitmap_job_finish(&job);
}

int rh_bitmap_add(const char *path, const char *name) { return bitmap_op(path, "--add", name); }
int rh_bitmap_clear(const char *path, const char *name)
{
  return bitmap_op(path, "--clear", name);
}
int rh_bitmap_remove(const char *path, const char *name)
{
  return bitmap_op(path, "--remove", name);
}

void rh_disk_id(const unsigned char *b, size_t len, char *out, size_t outsz)
{
  if (len >= 1024 && memcmp(b + 512, "EFI PART", 8) == 0) {
    const unsigned char *g = b + 512 + 56; /* disk GUID, mixed-endian */
    snprintf(out, outsz,
             "gpt:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3],
             g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
             g[14], g[15]);
    return;
  }
  if (len >= 512 && b[510] == 0x55 && b[511] == 0xaa) {
    uint32_t sig = (uint32_t)b[440] | (uint32_t)b[441] << 8 | (uint32_t)b[442] << 16 |
                   (uint32_t)b[443] << 24;
    if (sig) {
      snprintf(out, outsz, "mbr:%08x", sig);
      return;
    }
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the partition table */
    for (int i = 446; i < 510; i++) h = (h ^ b[i]) * 1099511628211ULL;
    snprintf(out, outsz, "mbr-table:%016llx", (unsigned long long)h);
    return;
  }
  snprintf(out, outsz, "none");
}
