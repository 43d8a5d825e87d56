#include "image.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/proc.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
  const char *name, *driver;
} formats[] = {
    {"raw", "raw"}, {"qcow2", "qcow2"}, {"vmdk", "vmdk"}, {"vhd", "vpc"},
    {"vpc", "vpc"}, {"vhdx", "vhdx"},   {"vdi", "vdi"},   {"qed", "qed"},
};

const char *rh_format_driver(const char *name)
{
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (strcmp(formats[i].name, name) == 0) return formats[i].driver;
  return NULL;
}

const char *rh_format_for_path(const char *path)
{
  const char *dot = strrchr(path, '.');
  if (dot && (!strcmp(dot, ".img") || !strcmp(dot, ".raw"))) return "raw";
  if (dot && !strchr(dot, '/') && rh_format_driver(dot + 1)) return rh_format_driver(dot + 1);
  return "qcow2";
}

const char *rh_format_name(const char *driver)
{
  return strcmp(driver, "vpc") == 0 ? "vhd" : driver;
}

void rh_image_free(struct rh_image *img)
{
  free(img->path);
  free(img->backing);
  memset(img, 0, sizeof *img);
}

/* Does the start of a raw file look like a disk or a filesystem? */
static bool has_disk_signature(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static unsigned char buf[65536 + 4096];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  close(fd);
  if (n < 512) return false;
  if (buf[510] == 0x55 && buf[511] == 0xAA) return true;                 /* MBR / boot sector */
  if (n >= 520 && memcmp(buf + 512, "EFI PART", 8) == 0) return true;    /* GPT */
  if (n >= 544 && memcmp(buf + 536, "LVM2 001", 8) == 0) return true;    /* LVM PV */
  if (n >= 1082 && buf[1080] == 0x53 && buf[1081] == 0xEF) return true;  /* ext2/3/4 */
  if (memcmp(buf, "XFSB", 4) == 0) return true;                          /* xfs */
  if (n >= 65608 && memcmp(buf + 65600, "_BHRfS_M", 8) == 0) return true;/* btrfs */
  if (n >= 4096 && memcmp(buf + 4086, "SWAPSPACE2", 10) == 0) return true;
  if (memcmp(buf, "LUKS\xba\xbe", 6) == 0) return true;                  /* LUKS (reported later) */
  return false;
}

static int qemu_img_json(char *const argv[], const char *path, json_object **out)
{
  struct rh_proc_result r;
  if (rh_proc_run(argv, &r, NULL, NULL) < 0) {
    rh_error("%s: cannot run %s: %s (is qemu-utils installed?)", path, argv[0], r.err ? r.err : "");
    rh_proc_result_free(&r);
    return -1;
  }
  *out = r.status == 0 || r.status == 2 || r.status == 3 ? json_tokener_parse(r.out) : NULL;
  int st = r.status;
  if (!*out && st != 63 && r.err && strstr(r.err, "lock") && strstr(r.err, "another process")) {
    rh_error("%s: in use by another process (a running VM?); stop it, or name a snapshot of it",
             path);
  } else if (!*out && st != 63) {
    char line[512];
    const char *msg = rh_last_line(r.err, line, sizeof line);
    /* qemu-img prefixes "qemu-img: FILE: "; keep the part after the file name */
    const char *p = strstr(msg, path);
    if (p) { p += strlen(path); if (*p == ':') p++; while (*p == ' ') p++; msg = p; }
    else if (strncmp(msg, "qemu-img: ", 10) == 0) msg += 10;
    rh_error("%s: not a readable disk image: %s", path, *msg ? msg : "qemu-img failed");
  }
  rh_proc_result_free(&r);
  return st;
}

static uint64_t jget_u64(json_object *o, const char *k)
{
  json_object *v;
  return json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

static const char *jget_str(json_object *o, const char *k)
{
  json_object *v;
  return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

/* file_size: 0 to skip the truncation test; slack: the cluster size (the
 * last cluster of a qcow2 file may be partly written, e.g. bitmap tables). */
static int check_image(const char *path, const char *driver, uint64_t file_size, uint64_t slack)
{
  char *argv[] = {"qemu-img", "check", "-f", (char *)driver, "--output=json", (char *)path, NULL};
  json_object *j = NULL;
  int st = qemu_img_json(argv, path, &j);
  if (st < 0) return RH_EXIT_FAILURE;
  if (st == 63) return 0; /* format does not support checks */
  if (!j) return RH_EXIT_INPUT;
  int rc = 0;
  uint64_t corruptions = jget_u64(j, "corruptions");
  uint64_t check_errors = jget_u64(j, "check-errors");
  uint64_t end = jget_u64(j, "image-end-offset");
  if (st == 2 || corruptions || check_errors) {
    rh_error("%s: corrupt %s image: %llu corruptions, %llu check errors (see qemu-img check)",
             path, rh_format_name(driver), (unsigned long long)corruptions,
             (unsigned long long)check_errors);
    rc = RH_EXIT_INPUT;
  } else if (file_size && end > file_size + slack) {
    rh_error("%s: truncated %s image: data should extend to %llu bytes but the file has %llu",
             path, rh_format_name(driver), (unsigned long long)end, (unsigned long long)file_size);
    rc = RH_EXIT_INPUT;
  }
  json_object_put(j);
  return rc;
}

/* A VMDK descriptor is text that can name any file as an extent (a
 * "FLAT" extent of /etc/shadow): the first extent outside the descriptor's
 * own directory, malloc'd, or NULL. */
static char *vmdk_extent_outside(json_object *info, const char *path)
{
  json_object *fs, *data, *ext;
  if (!json_object_object_get_ex(info, "format-specific", &fs) ||
      !json_object_object_get_ex(fs, "data", &data) || !json_object_object_get_ex(data, "extents", &ext) ||
      !json_object_is_type(ext, json_type_array))
    return NULL;
  char *dcopy = strdup(path), dir[PATH_MAX];
  if (!dcopy || !realpath(dirname(dcopy), dir)) {
    free(dcopy);
    return strdup("cannot resolve the descriptor's directory");
  }
  free(dcopy);
  for (size_t i = 0; i < json_object_array_length(ext); i++) {
    json_object *e = json_object_array_get_idx(ext, i), *fn;
    const char *name = json_object_object_get_ex(e, "filename", &fn) ? json_object_get_string(fn) : NULL;
    if (!name) continue;
    char full[2 * PATH_MAX + 2];
    snprintf(full, sizeof full, "%s%s%s", name[0] == '/' ? "" : dir, name[0] == '/' ? "" : "/", name);
    char *ecopy = strdup(full), edir[PATH_MAX];
    bool inside = ecopy && realpath(dirname(ecopy), edir) && strcmp(edir, dir) == 0;
    char real[PATH_MAX];
    /* a symlink inside the directory pointing out is outside too */
    if (inside && realpath(full, real)) {
      char *rcopy = strdup(real);
      inside = rcopy && strcmp(dirname(rcopy), dir) == 0;
      free(rcopy);
    }
    free(ecopy);
    if (!inside) return strdup(name);
  }
  return NULL;
}

int rh_image_probe(const char *path, const struct rh_probe_opts *opts, struct rh_image *img)
{
  memset(img, 0, sizeof *img);
  struct stat st;
  if (stat(path, &st) < 0) {
    rh_error("%s: %s", path, strerror(errno));
    return RH_EXIT_INPUT;
  }
  if (S_ISDIR(st.st_mode)) {
    rh_error("%s: is a directory, expected a disk image or block device", path);
    return RH_EXIT_INPUT;
  }
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    rh_error("%s: not a regular file or block device", path);
    return RH_EXIT_INPUT;
  }
  if (access(path, R_OK) < 0) {
    rh_error("%s: %s", path, strerror(errno));
    return RH_EXIT_INPUT;
  }
  img->block_device = S_ISBLK(st.st_mode);
  uint64_t file_size = (uint64_t)st.st_size;
  if (img->block_device) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) { ioctl(fd, BLKGETSIZE64, &file_size); close(fd); }
  }
  if (file_size == 0) {
    rh_error("%s: empty file, not a disk image", path);
    return RH_EXIT_INPUT;
  }
  const char *forced = NULL;
  if (opts && opts->format) {
    forced = rh_format_driver(opts->format);
    if (!forced) {
      rh_error("unknown format '%s' (raw, qcow2, vmdk, vhd, vhdx, vdi)", opts->format);
      return RH_EXIT_USAGE;
    }
  }
  char *argv_f[] = {"qemu-img", "info", "--output=json", "-f", (char *)forced, (char *)path, NULL};
  char *argv_d[] = {"qemu-img", "info", "--output=json", (char *)path, NULL};
  json_object *j = NULL;
  int s = qemu_img_json(forced ? argv_f : argv_d, path, &j);
  if (s != 0 || !j) {
    if (j) json_object_put(j);
    return s < 0 ? RH_EXIT_FAILURE : RH_EXIT_INPUT;
  }
  img->path = strdup(path);
  const char *fmt = jget_str(j, "format");
  snprintf(img->format, sizeof img->format, "%s", fmt ? fmt : "raw");
  img->virtual_size = jget_u64(j, "virtual-size");
  img->actual_size = jget_u64(j, "actual-size");
  uint64_t cluster = jget_u64(j, "cluster-size");
  const char *backing = jget_str(j, "full-backing-filename");
  if (!backing) backing = jget_str(j, "backing-filename");
  if (backing) img->backing = strdup(backing);
  json_object *enc;
  bool encrypted = json_object_object_get_ex(j, "encrypted", &enc) && json_object_get_boolean(enc);
  char *outside = strcmp(img->format, "vmdk") == 0 ? vmdk_extent_outside(j, path) : NULL;
  /* qcow2's external data file: the guest's data lives in another file,
   * which the image names - any host file */
  json_object *fs, *fsd, *df;
  char *data_file = NULL;
  if (json_object_object_get_ex(j, "format-specific", &fs) &&
      json_object_object_get_ex(fs, "data", &fsd) &&
      json_object_object_get_ex(fsd, "data-file", &df) && json_object_get_string(df))
    data_file = strdup(json_object_get_string(df));
  json_object_put(j);

  int rc = 0;
  if (encrypted) {
    rh_error("%s: encrypted %s image; rehost cannot read encrypted images", path,
             rh_format_name(img->format));
    rc = RH_EXIT_INPUT;
  } else if (!forced && strcmp(img->format, "raw") == 0 && !has_disk_signature(path)) {
    rh_error("%s: not a recognised disk image (no image header, partition table or filesystem "
             "signature); use --format raw to read it as a raw disk anyway", path);
    rc = RH_EXIT_INPUT;
  } else if (outside && !(opts && opts->allow_backing)) {
    rh_error("%s: VMDK descriptor names an extent outside its directory (%s); refusing to read "
             "it without --allow-backing", path, outside);
    rc = RH_EXIT_INPUT;
  } else if (data_file && !(opts && opts->allow_backing)) {
    rh_error("%s: has an external data file (%s); refusing to read it without --allow-backing",
             path, data_file);
    rc = RH_EXIT_INPUT;
  } else if (img->backing && !(opts && opts->allow_backing)) {
    rh_error("%s: has a backing file (%s); refusing to follow it without --allow-backing", path,
             img->backing);
    rc = RH_EXIT_INPUT;
  } else if (strcmp(img->format, "raw") != 0 && strcmp(img->format, "vpc") != 0) {
    rc = check_image(path, img->format, img->block_device ? 0 : file_size, cluster);
  }
  free(outside);
  free(data_file);
  if (rc) rh_image_free(img);
  return rc;
}

json_object *rh_image_json(const struct rh_image *img)
{
  json_object *o = json_object_new_object();
  json_object_object_add(o, "path", json_object_new_string(img->path));
  json_object_object_add(o, "format", json_object_new_string(rh_format_name(img->format)));
  json_object_object_add(o, "virtual_size", json_object_new_int64((int64_t)img->virtual_size));
  json_object_object_add(o, "actual_size", json_object_new_int64((int64_t)img->actual_size));
  json_object_object_add(o, "block_device", json_object_new_boolean(img->block_device));
  return o;
}

struct copy_progress {
  uint64_t total;
};

/* qemu-img -p prints "    (12.34/100%)" */
static void on_progress(const char *line, void *opaque)
{
  struct copy_progress *cp = opaque;
  const char *p = strchr(line, '(');
  if (!p) return;
  double pct = strtod(p + 1, NULL);
  rh_progress("copy", (uint64_t)(pct / 100.0 * (double)cp->total), cp->total);
}

int rh_image_copy(const struct rh_image *src, const char *dst, const char *dst_driver,
                  const char *dst_options)
{
  char *tmp = rh_outfile_begin(dst);
  if (!tmp) {
    rh_error("%s: out of memory", dst);
    return RH_EXIT_FAILURE;
  }
  char *argv[20];
  int a = 0;
  argv[a++] = "qemu-img";
  argv[a++] = "convert";
  argv[a++] = "-p";
  argv[a++] = "-f";
  argv[a++] = (char *)src->format;
  argv[a++] = "-O";
  argv[a++] = (char *)dst_driver;
  argv[a++] = "-S";
  argv[a++] = "4k";
  if (dst_options && *dst_options) {
    argv[a++] = "-o";
    argv[a++] = (char *)dst_options;
  }
  argv[a++] = src->path;
  argv[a++] = tmp;
  argv[a] = NULL;
  struct copy_progress cp = {src->virtual_size};
  struct rh_proc_result r;
  int rc = RH_EXIT_OK;
  rh_event_str("copy", "state", "start");
  if (rh_proc_run(argv, &r, on_progress, &cp) < 0 || r.status != 0) {
    char line[512];
    const char *msg = rh_last_line(r.err, line, sizeof line);
    if (strncmp(msg, "qemu-img: ", 10) == 0) msg += 10;
    rh_progress_done("copy");
    rh_error("copying %s to %s failed: %s", src->path, dst, *msg ? msg : "qemu-img failed");
    rc = strstr(msg, "No space") || strstr(msg, "Input/output") ? RH_EXIT_IO : RH_EXIT_FAILURE;
    rh_proc_result_free(&r);
    rh_outfile_abort(tmp);
    return rc;
  }
  rh_proc_result_free(&r);
  rh_progress("copy", src->virtual_size, src->virtual_size);
  rh_progress_done("copy");
  if (rh_outfile_commit(tmp, dst) < 0) {
    rh_error("%s: cannot rename into place: %s", dst, strerror(errno));
    return RH_EXIT_IO;
  }
  rh_event_str("copy", "output", dst);
  return rc;
}
