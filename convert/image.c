#include "image.h"

#include "image_header.h"
#include "image_qemu.h"

#include "../lib/exitcodes.h"
#include "../lib/json_get.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/page_cache.h"
#include "../lib/proc.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The formats rehost reads and writes: qemu's best-maintained drivers. An
 * image that probes as anything else (parallels, qcow v1, vdi, qed, bochs,
 * cloop, dmg, ...) is refused: those drivers must never parse guest bytes. */
static const struct {
  const char *name, *driver;
} formats[] = {
    {"raw", "raw"}, {"qcow2", "qcow2"}, {"vmdk", "vmdk"}, {"vhd", "vpc"},
    {"vpc", "vpc"}, {"vhdx", "vhdx"},
};

static uint64_t g_max_virtual_size = RH_MAX_VIRTUAL_SIZE_DEFAULT;

void rh_image_set_max_virtual_size(uint64_t bytes) { g_max_virtual_size = bytes; }

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
  free(img->file);
  free(img->name);
  free(img->info);
  free(img->backing);
  memset(img, 0, sizeof *img);
}

uint64_t rh_device_size(const char *path)
{
  uint64_t size = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (ioctl(fd, BLKGETSIZE64, &size) < 0) size = 0;
    close(fd);
  }
  return size;
}

/* A VMDK descriptor is text that can name any file as an extent (a FLAT
 * extent of /etc/shadow, or of /dev/sda): the first extent that is not a
 * regular file (no symlink, no device) in the descriptor's own directory,
 * malloc'd, or NULL. *self_only: every extent is the image file itself
 * (monolithicSparse, streamOptimized), so qemu-img map's offsets are
 * offsets in that file. */
static char *vmdk_extent_outside(json_object *info, const char *path, bool *self_only)
{
  json_object *fs, *data, *ext;
  *self_only = false;
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
  *self_only = json_object_array_length(ext) > 0;
  for (size_t i = 0; i < json_object_array_length(ext); i++) {
    json_object *e = json_object_array_get_idx(ext, i), *fn;
    const char *name = json_object_object_get_ex(e, "filename", &fn) ? json_object_get_string(fn) : NULL;
    if (!name) continue;
    char full[2 * PATH_MAX + 2];
    snprintf(full, sizeof full, "%s%s%s", name[0] == '/' ? "" : dir, name[0] == '/' ? "" : "/", name);
    char *ecopy = strdup(full), edir[PATH_MAX];
    struct stat sb;
    bool inside = ecopy && realpath(dirname(ecopy), edir) && strcmp(edir, dir) == 0 &&
                  lstat(full, &sb) == 0 && S_ISREG(sb.st_mode);
    free(ecopy);
    if (!inside) return strdup(name);
    char real[PATH_MAX];
    if (!realpath(full, real) || strcmp(real, path) != 0) *self_only = false;
  }
  return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int inspect(const char *given, const char *use, const struct rh_probe_opts *opts,
                   uint64_t file_size, bool member, bool check_early, struct rh_image *img);

/* ---- disks inside packages ---- */
static struct member {
  char *name, *container;
  uint64_t offset, size;
} *g_members;
static size_t g_n_members;

int rh_image_add_member(const char *name, const char *container, uint64_t offset, uint64_t size)
{
  struct member *m = realloc(g_members, (g_n_members + 1) * sizeof *m);
  if (!m) return -1;
  g_members = m;
  m += g_n_members;
  if (!(m->name = strdup(name)) || !(m->container = strdup(container))) {
    free(m->name);
    return -1;
  }
  m->offset = offset, m->size = size;
  g_n_members++;
  return 0;
}

/* A member is read as the sparse VMDK its first bytes say it is ("KDMV":
 * monolithicSparse or streamOptimized, the disk inside its own file), through
 * qemu's raw driver limited to the member's bytes: qemu reads nothing
 * outside them, and nothing is extracted. */
static int probe_member(const struct member *m, const struct rh_probe_opts *opts,
                        struct rh_image *img)
{
  const char *asked = opts && opts->format ? rh_format_driver(opts->format) : "vmdk";
  if (!asked || strcmp(asked, "vmdk") != 0) {
    rh_error("%s: a disk in a package is read as VMDK, not %s", m->name, opts->format);
    return RH_EXIT_INPUT;
  }
  unsigned char magic[4] = {0};
  int fd = open(m->container, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  ssize_t got = fd >= 0 ? pread(fd, magic, sizeof magic, (off_t)m->offset) : -1;
  int e = errno;
  if (fd >= 0) close(fd);
  if (got < 0) {
    rh_error("%s: cannot read: %s", m->name, strerror(e));
    return RH_EXIT_INPUT;
  }
  if (got != 4 || memcmp(magic, "KDMV", 4) != 0) {
    rh_error("%s: not a sparse or stream-optimized VMDK (the disks of a package must be; a "
             "descriptor naming other files is never read from one)", m->name);
    return RH_EXIT_INPUT;
  }
  json_object *file = json_object_new_object(), *raw = json_object_new_object(),
              *top = json_object_new_object();
  json_object_object_add(file, "driver", json_object_new_string("file"));
  json_object_object_add(file, "filename", json_object_new_string(m->container));
  /* a package is an archive, not a running VM's disk: no image lock */
  json_object_object_add(file, "locking", json_object_new_string("off"));
  json_object_object_add(raw, "driver", json_object_new_string("raw"));
  json_object_object_add(raw, "offset", json_object_new_int64((int64_t)m->offset));
  json_object_object_add(raw, "size", json_object_new_int64((int64_t)m->size));
  json_object_object_add(raw, "file", file);
  json_object_object_add(top, "driver", json_object_new_string("vmdk"));
  json_object_object_add(top, "file", raw);
  int ok = asprintf(&img->path, "json:%s", json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(top);
  img->file = strdup(m->container);
  img->name = strdup(m->name);
  if (ok < 0 || !img->file || !img->name) {
    if (ok < 0) img->path = NULL;
    rh_image_free(img);
    return RH_EXIT_FAILURE;
  }
  /* no backing at all: a parent named inside a package is never followed */
  struct rh_probe_opts po = {.format = "vmdk", .force_share = opts && opts->force_share};
  return inspect(m->name, "vmdk", &po, 0, true, false, img);
}

const char *rh_image_file(const struct rh_image *img) { return img->file ? img->file : img->path; }
const char *rh_image_name(const struct rh_image *img) { return img->name ? img->name : img->path; }

int rh_image_probe(const char *given, const struct rh_probe_opts *opts, struct rh_image *img)
{
  memset(img, 0, sizeof *img);
  for (size_t i = 0; i < g_n_members; i++)
    if (!strcmp(g_members[i].name, given)) return probe_member(&g_members[i], opts, img);
  /* An absolute path: qemu never takes "nbd:host:port" or "json:{...}" in a
   * file's name for a protocol. */
  char *path = realpath(given, NULL);
  if (!path) {
    rh_error("%s: %s", given, strerror(errno));
    return RH_EXIT_INPUT;
  }
  struct stat st;
  int rc = RH_EXIT_INPUT;
  if (stat(path, &st) < 0) {
    rh_error("%s: %s", given, strerror(errno));
    goto fail;
  }
  if (S_ISDIR(st.st_mode)) {
    rh_error("%s: is a directory, expected a disk image or block device", given);
    goto fail;
  }
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    rh_error("%s: not a regular file or block device", given);
    goto fail;
  }
  if (access(path, R_OK) < 0) {
    rh_error("%s: %s", given, strerror(errno));
    goto fail;
  }
  img->block_device = S_ISBLK(st.st_mode);
  uint64_t file_size = img->block_device ? rh_device_size(path) : (uint64_t)st.st_size;
  if (file_size == 0) {
    rh_error("%s: empty file, not a disk image", given);
    goto fail;
  }
  const char *forced = NULL;
  if (opts && opts->format) {
    forced = rh_format_driver(opts->format);
    if (!forced) {
      rh_error("%s: unsupported format '%s' (rehost reads raw, qcow2, vmdk, vhd and vhdx)", given,
               opts->format);
      rc = RH_EXIT_INPUT;
      goto fail;
    }
  }
  /* rehost reads the header itself and decides the format; no other qemu
   * driver sees the file, and nothing it names is opened before it is
   * judged. A block device holds a guest's disk, whose first bytes the guest
   * wrote: it is raw unless the user says otherwise, never probed. */
  struct rh_header hdr;
  if (rh_header_read(path, img->block_device, &hdr) < 0) {
    rh_error("%s: cannot read: %s", given, strerror(errno));
    goto fail;
  }
  char use[16];
  snprintf(use, sizeof use, "%s", forced ? forced : img->block_device ? "raw" : hdr.format);
  bool allow = opts && opts->allow_backing;
  bool qcow2_hdr = !strcmp(use, "qcow2") && !strcmp(hdr.format, "qcow2");
  rc = RH_EXIT_INPUT;
  if (!rh_format_driver(use)) {
    rh_error("%s: is a %s image; rehost reads raw, qcow2, vmdk, vhd and vhdx only (convert it "
             "with qemu-img first if you trust it)", given, use);
  } else if (!strcmp(use, "vpc") && hdr.vhd_differencing) {
    /* qemu's vpc driver reads a differencing VHD as a dynamic one: the
     * blocks it holds, and zeros where its parent has the data. No parent
     * is ever opened, and --allow-backing cannot change that. */
    rh_error("%s: is a differencing VHD (a Hyper-V checkpoint or a Virtual PC undo disk) of the "
             "parent %s: it holds only what changed since then, and rehost cannot read it with its "
             "parent; merge it into the parent first (Hyper-V: Merge-VHD) and name the merged disk",
             given, hdr.vhd_parent ? hdr.vhd_parent : "(name unreadable)");
  } else if (!forced && hdr.vmdk_descriptor && !ends_with(path, ".vmdk")) {
    /* A raw disk whose guest wrote a descriptor into its first sector would
     * otherwise make rehost read the files that descriptor names. */
    rh_error("%s: starts with a VMDK descriptor, but was not named as a VMDK; refusing to read "
             "the files it names (use --format vmdk if it really is one, or --format raw)", given);
  } else if (!strcmp(use, "vmdk") && hdr.bad_extent && !allow) {
    rh_error("%s: VMDK descriptor names an extent that is not a regular file in its own "
             "directory (%s); refusing to read it without --allow-backing", given, hdr.bad_extent);
  } else if ((qcow2_hdr || (!strcmp(use, "vmdk") && hdr.vmdk_descriptor)) && hdr.backing && !allow) {
    rh_error("%s: has a backing file (%s); refusing to follow it without --allow-backing", given,
             hdr.backing);
  } else if (qcow2_hdr && hdr.data_file && !allow) {
    rh_error("%s: has an external data file (%s); refusing to read it without --allow-backing",
             given, hdr.data_file_name ? hdr.data_file_name : "name unreadable");
  } else if (!forced && !img->block_device && !strcmp(use, "raw") && !hdr.disk_signature) {
    rh_error("%s: not a recognised disk image (no image header, partition table or filesystem "
             "signature); use --format raw to read it as a raw disk anyway", given);
  } else {
    rc = 0;
  }
  /* a qcow2 file whose header names no other file: qemu-img check opens
   * nothing else, so it may run while qemu-img info answers */
  bool check_early = qcow2_hdr && !hdr.backing && !hdr.data_file && !(opts && opts->trusted_unchanged);
  rh_header_free(&hdr);
  if (rc) goto fail;
  img->path = path;
  return inspect(given, use, opts, img->block_device ? 0 : file_size, false, check_early, img);
fail:
  free(path);
  rh_image_free(img);
  return rc;
}

/* What qemu says of the image rehost chose to open as `use` at img->path:
 * format, sizes, backing, extents, data file, encryption, corruption. */
static int inspect(const char *given, const char *use, const struct rh_probe_opts *opts,
                   uint64_t file_size, bool member, bool check_early, struct rh_image *img)
{
  bool allow = opts && opts->allow_backing;
  bool share = opts && opts->force_share;
  int rc;
  char *argv[10];
  int a = 0;
  argv[a++] = "qemu-img";
  argv[a++] = "info";
  argv[a++] = "--output=json";
  if (share) argv[a++] = "-U";
  argv[a++] = "-f";
  argv[a++] = (char *)use;
  argv[a++] = img->path;
  argv[a] = NULL;
  /* the header names no other file: check and info start at once, and the
   * caller's work on the judged image (on_judged) runs while they answer */
  struct rh_qemu_img_early early = {.start_rc = -1}, info = {.start_rc = -1};
  if (check_early) {
    rh_early_check_start(&early, img->path, use, share);
    rh_qemu_img_start(&info, argv);
    if (opts && opts->on_judged) opts->on_judged(opts->on_judged_arg, img->path, use);
  }
  json_object *j = NULL;
  int s = rh_qemu_img_json_wait(&info, argv, given, &j);
  if (s != 0 || !j) {
    rh_qemu_img_drop(&early);
    if (j) json_object_put(j);
    rh_image_free(img);
    return s < 0 ? RH_EXIT_FAILURE : RH_EXIT_INPUT;
  }
  img->force_share = share;
  const char *txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
  img->info = txt ? strdup(txt) : NULL;
  const char *fmt = rh_json_str(j, "format");
  snprintf(img->format, sizeof img->format, "%s", fmt ? fmt : "raw");
  img->virtual_size = rh_qemu_json_u64(j, "virtual-size");
  img->actual_size = rh_qemu_json_u64(j, "actual-size");
  uint64_t cluster = rh_qemu_json_u64(j, "cluster-size");
  const char *backing = rh_json_str(j, "full-backing-filename");
  if (!backing) backing = rh_json_str(j, "backing-filename");
  /* qemu-img writes the name as a string; a member of any other type still
   * says there is a backing file, and is refused as one */
  if (!backing && (json_object_object_get_ex(j, "full-backing-filename", NULL) ||
                   json_object_object_get_ex(j, "backing-filename", NULL)))
    backing = "(a name that is not text)";
  if (backing) img->backing = strdup(backing);
  json_object *enc;
  bool encrypted = json_object_object_get_ex(j, "encrypted", &enc) && json_object_get_boolean(enc);
  bool vmdk = strcmp(img->format, "vmdk") == 0, vmdk_self = false;
  /* a package member's extent is the member itself (qemu names it by a json:
   * filename); a file's extents must lie beside it */
  char *outside = vmdk && !member ? vmdk_extent_outside(j, img->path, &vmdk_self) : NULL;
  /* qcow2's external data file: the guest's data lives in another file,
   * which the image names - any host file */
  json_object *fs, *fsd, *df;
  char *data_file = NULL;
  if (json_object_object_get_ex(j, "format-specific", &fs) &&
      json_object_object_get_ex(fs, "data", &fsd) &&
      json_object_object_get_ex(fsd, "data-file", &df) && json_object_get_string(df))
    data_file = strdup(json_object_get_string(df));
  json_object_put(j);
  /* qemu-img map's offsets are offsets in this file only when all the data
   * is in this file */
  img->data_in_file = !img->backing && !data_file && (!vmdk || vmdk_self);

  char a_size[32], a_max[32];
  rc = 0;
  if (!rh_format_driver(img->format)) {
    rh_error("%s: is a %s image; rehost reads raw, qcow2, vmdk, vhd and vhdx only", given,
             img->format);
    rc = RH_EXIT_INPUT;
  } else if (encrypted) {
    rh_error("%s: encrypted %s image; rehost cannot read encrypted images", given,
             rh_format_name(img->format));
    rc = RH_EXIT_INPUT;
  } else if (outside && !allow) {
    rh_error("%s: VMDK descriptor names an extent that is not a regular file in its own "
             "directory (%s); refusing to read it without --allow-backing", given, outside);
    rc = RH_EXIT_INPUT;
  } else if (data_file && !allow) {
    rh_error("%s: has an external data file (%s); refusing to read it without --allow-backing",
             given, data_file);
    rc = RH_EXIT_INPUT;
  } else if (img->backing && !allow) {
    rh_error("%s: has a backing file (%s); refusing to follow it without --allow-backing", given,
             img->backing);
    rc = RH_EXIT_INPUT;
  } else if (img->virtual_size > g_max_virtual_size) {
    rh_error("%s: claims a virtual size of %s, more than the %s rehost accepts (raise it with "
             "--max-virtual-size if the disk is really that large)", given,
             rh_human_size(img->virtual_size, a_size, sizeof a_size),
             rh_human_size(g_max_virtual_size, a_max, sizeof a_max));
    rc = RH_EXIT_INPUT;
  } else if (strcmp(img->format, "raw") != 0 && strcmp(img->format, "vpc") != 0 &&
             !(opts && opts->trusted_unchanged)) {
    rc = rh_image_check(img->path, img->format, file_size, cluster, share,
                        !strcmp(img->format, use) ? &early : NULL);
  }
  rh_qemu_img_drop(&early);
  free(outside);
  free(data_file);
  if (rc) rh_image_free(img);
  return rc;
}

bool rh_image_has_writer(const char *path)
{
  /* qemu's image locks are OFD locks on bytes 100 + permission bit; a
   * process with the WRITE permission (bit 1) holds byte 101 */
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 101, .l_len = 1};
  bool locked = fd >= 0 && fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  if (fd >= 0) close(fd);
  return locked;
}

json_object *rh_image_json(const struct rh_image *img)
{
  json_object *o = json_object_new_object();
  json_object_object_add(o, "path", json_object_new_string(rh_image_name(img)));
  json_object_object_add(o, "format", json_object_new_string(rh_format_name(img->format)));
  json_object_object_add(o, "virtual_size", json_object_new_int64((int64_t)img->virtual_size));
  json_object_object_add(o, "actual_size", json_object_new_int64((int64_t)img->actual_size));
  json_object_object_add(o, "block_device", json_object_new_boolean(img->block_device));
  return o;
}
