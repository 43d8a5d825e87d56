#include "package.h"

#include "../convert/image.h"
#include "../lib/digest.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/smallfile.h"
#include "../virt/domain.h"
#include "ova.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define OVF_MAX (4u << 20)
#define MF_MAX (1u << 20)

static bool has_suffix(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a > b && strcasecmp(s + a - b, suffix) == 0;
}

bool rh_package_named(const char *arg)
{
  return arg && (has_suffix(arg, ".ova") || has_suffix(arg, ".ovf"));
}

struct pkg {
  const char *given;
  char *path;   /* realpath of the .ova or .ovf */
  char *dir;    /* an .ovf's directory */
  int fd;       /* the .ova */
  bool ova;
  struct rh_ova tar;
  struct rh_ova_digest *mf;
  size_t n_mf;
  bool have_mf;
};

/* A member's bytes (at most cap), NUL-terminated */
static char *read_member(const struct pkg *p, const struct rh_ova_member *m, size_t cap)
{
  if (m->size > cap) {
    rh_error("%s: %s is larger than %zu bytes", p->given, m->name, cap);
    return NULL;
  }
  char *buf = malloc((size_t)m->size + 1);
  if (!buf || pread(p->fd, buf, (size_t)m->size, (off_t)m->offset) != (ssize_t)m->size) {
    rh_error("%s: cannot read %s: %s", p->given, m->name, buf ? strerror(errno) : "out of memory");
    free(buf);
    return NULL;
  }
  buf[m->size] = 0;
  return buf;
}

/* The one member whose name ends in suffix (NULL if none); two is an error */
static int only_member(const struct pkg *p, const char *suffix, const struct rh_ova_member **out)
{
  *out = NULL;
  for (size_t i = 0; i < p->tar.n; i++) {
    if (!has_suffix(p->tar.m[i].name, suffix)) continue;
    if (*out) {
      rh_error("%s: holds two %s files (%s, %s); an OVA describes one machine", p->given, suffix,
               (*out)->name, p->tar.m[i].name);
      return RH_EXIT_INPUT;
    }
    *out = &p->tar.m[i];
  }
  return RH_EXIT_OK;
}

static int load_manifest(struct pkg *p, const char *text)
{
  char err[256];
  if (rh_ova_mf_parse(text, &p->mf, &p->n_mf, err, sizeof err) < 0) {
    rh_error("%s: manifest: %s", p->given, err);
    return RH_EXIT_INPUT;
  }
  p->have_mf = true;
  return RH_EXIT_OK;
}

/* Check name's bytes (fd from offset, len) against the manifest, before
 * anything reads them as a disk or a descriptor. */
static int check_digest(const struct pkg *p, const char *name, int fd, uint64_t offset,
                        uint64_t len)
{
  if (!p->have_mf) return RH_EXIT_OK;
  const struct rh_ova_digest *d = NULL;
  for (size_t i = 0; i < p->n_mf; i++)
    if (!strcmp(p->mf[i].file, name)) d = &p->mf[i];
  if (!d) {
    rh_error("%s: the manifest has no digest for %s; refusing an unlisted file", p->given, name);
    return RH_EXIT_INPUT;
  }
  char hex[65];
  if (len > (64u << 20)) rh_info("checking the %s digest of %s", d->algo, name);
  if (rh_digest_range(fd, offset, len, d->algo, hex) < 0) {
    rh_error("%s: cannot read %s: %s", p->given, name, strerror(errno));
    return RH_EXIT_IO;
  }
  if (strcmp(hex, d->hex) != 0) {
    rh_error("%s: %s does not match its %s digest in the manifest (damaged or altered); "
             "refusing to use it", p->given, name, d->algo);
    return RH_EXIT_INPUT;
  }
  rh_debug("%s: %s digest verified", name, d->algo);
  return RH_EXIT_OK;
}

/* The OVF text of an OVA (checked against the manifest) */
static int ova_descriptor(struct pkg *p, char **xml, size_t *len)
{
  struct stat sb;
  char err[256];
  if ((p->fd = open(p->path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(p->fd, &sb) < 0) {
    rh_error("%s: %s", p->given, strerror(errno));
    return RH_EXIT_INPUT;
  }
  if (rh_ova_tar_index(p->fd, (uint64_t)sb.st_size, &p->tar, err, sizeof err) < 0) {
    rh_error("%s: not a usable OVA (tar) package: %s", p->given, err);
    return RH_EXIT_INPUT;
  }
  const struct rh_ova_member *ovf, *mf;
  int rc;
  if ((rc = only_member(p, ".ovf", &ovf)) || (rc = only_member(p, ".mf", &mf))) return rc;
  if (!ovf) {
    rh_error("%s: holds no OVF descriptor (.ovf)", p->given);
    return RH_EXIT_INPUT;
  }
  if (mf) {
    char *text = read_member(p, mf, MF_MAX);
    rc = text ? load_manifest(p, text) : RH_EXIT_INPUT;
    free(text);
    if (rc) return rc;
  }
  if ((rc = check_digest(p, ovf->name, p->fd, ovf->offset, ovf->size))) return rc;
  if (!(*xml = read_member(p, ovf, OVF_MAX))) return RH_EXIT_INPUT;
  *len = (size_t)ovf->size;
  return RH_EXIT_OK;
}

/* The text of an .ovf, and the manifest beside it (STEM.mf) */
static int ovf_descriptor(struct pkg *p, char **xml, size_t *len)
{
  char *slash = strrchr(p->path, '/');
  p->dir = strndup(p->path, slash > p->path ? (size_t)(slash - p->path) : 1);
  /* STEM.mf beside the descriptor, STEM as the descriptor's own name has it
   * (the name given may be a link to it) */
  char mfpath[PATH_MAX];
  size_t stem = strlen(p->path) - (has_suffix(p->path, ".ovf") ? 4 : 0);
  snprintf(mfpath, sizeof mfpath, "%.*s.mf", (int)stem, p->path);
  size_t n;
  char *text = rh_read_small_file(mfpath, MF_MAX, &n);
  int rc = RH_EXIT_OK;
  if (text) rc = load_manifest(p, text);
  else if (errno != ENOENT) {
    rh_error("%s: %s", mfpath, strerror(errno));
    rc = RH_EXIT_INPUT;
  }
  free(text);
  if (rc) return rc;
  int fd = open(p->path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) < 0) rc = RH_EXIT_INPUT;
  else rc = check_digest(p, slash + 1, fd, 0, (uint64_t)sb.st_size);
  if (fd >= 0) close(fd);
  if (rc) return rc;
  if (!(*xml = rh_read_small_file(p->path, OVF_MAX, len))) {
    rh_error("%s: %s", p->given, errno == EFBIG ? "descriptor larger than 4 MiB" : strerror(errno));
    return RH_EXIT_INPUT;
  }
  return RH_EXIT_OK;
}

/* Disk k of the OVF: where its bytes are, checked, as a domain disk */
static int add_disk(struct pkg *p, const struct rh_ovf *o, size_t k, struct rh_dom_disk *dd)
{
  const struct rh_ovf_disk *disk = &o->disks[k];
  const struct rh_ovf_file *f = rh_ovf_file_by_id(o, disk->file_ref);
  if (f->compression && *f->compression && strcmp(f->compression, "identity") != 0) {
    rh_error("%s: disk %s (%s) is %s-compressed; rehost reads disks in place and does not "
             "unpack them (unpack the package with ovftool first)", p->given, disk->disk_id,
             f->href, f->compression);
    return RH_EXIT_INPUT;
  }
  if (disk->format && *disk->format && !strstr(disk->format, "vmdk")) {
    rh_error("%s: disk %s (%s) has format %s; rehost reads VMDK disks from packages", p->given,
             disk->disk_id, f->href, disk->format);
    return RH_EXIT_INPUT;
  }
  int rc;
  char *where = NULL;
  if (p->ova) {
    const struct rh_ova_member *m = rh_ova_find(&p->tar, f->href);
    if (!m) {
      rh_error("%s: disk %s names %s, which is not in the package", p->given, disk->disk_id, f->href);
      return RH_EXIT_INPUT;
    }
    if (f->size && f->size != m->size) {
      rh_error("%s: %s holds %llu bytes, the descriptor says %llu", p->given, f->href,
               (unsigned long long)m->size, (unsigned long long)f->size);
      return RH_EXIT_INPUT;
    }
    if ((rc = check_digest(p, f->href, p->fd, m->offset, m->size))) return rc;
    if (asprintf(&where, "%s/%s", p->path, f->href) < 0) return RH_EXIT_FAILURE;
    if (rh_image_add_member(where, p->path, m->offset, m->size) < 0) {
      free(where);
      return RH_EXIT_FAILURE;
    }
  } else {
    if (asprintf(&where, "%s/%s", p->dir, f->href) < 0) return RH_EXIT_FAILURE;
    struct stat sb;
    int fd = open(where, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
      rh_error("%s: disk %s: %s: %s", p->given, disk->disk_id, where,
               fd < 0 && errno == ELOOP ? "a symlink; disks must be files beside the descriptor"
               : fd < 0 ? strerror(errno) : "not a regular file");
      if (fd >= 0) close(fd);
      free(where);
      return RH_EXIT_INPUT;
    }
    rc = check_digest(p, f->href, fd, 0, (uint64_t)sb.st_size);
    close(fd);
    if (rc) {
      free(where);
      return rc;
    }
  }
  dd->path = where;
  dd->dev = strdup(disk->disk_id);
  dd->format = strdup("vmdk");
  dd->kind = strdup("file");
  return dd->dev && dd->format && dd->kind ? RH_EXIT_OK : RH_EXIT_FAILURE;
}

/* VMware's NIC subtypes as libvirt's models */
static char *nic_model(const char *sub)
{
  if (!sub || !*sub) return NULL;
  if (!strcasecmp(sub, "E1000") || !strcasecmp(sub, "E1000e")) return strdup(strcasecmp(sub, "E1000") ? "e1000e" : "e1000");
  if (!strncasecmp(sub, "VmxNet", 6)) return strdup("vmxnet3");
  if (!strcasecmp(sub, "PCNet32")) return strdup("pcnet");
  return strdup(sub);
}

static int fill_domain(struct pkg *p, const struct rh_ovf *o, struct rh_domain *d)
{
  if (!o->n_disks) {
    rh_error("%s: the descriptor describes no disks", p->given);
    return RH_EXIT_INPUT;
  }
  const char *base = strrchr(p->path, '/') + 1;
  if (!(d->name = o->name && *o->name ? strdup(o->name) : strndup(base, strlen(base) - 4)))
    return RH_EXIT_FAILURE;
  d->uefi = o->uefi;
  d->vcpus = o->vcpus;
  d->memory_kib = o->memory_mib * 1024;
  if (!(d->disks = calloc(o->n_disks, sizeof *d->disks)) ||
      (o->n_nics && !(d->nics = calloc(o->n_nics, sizeof *d->nics))))
    return RH_EXIT_FAILURE;
  for (size_t i = 0; i < o->n_nics; i++, d->n_nics++) {
    d->nics[i].model = nic_model(o->nics[i].model);
    d->nics[i].type = strdup("network");
    d->nics[i].source = o->nics[i].network ? strdup(o->nics[i].network) : NULL;
  }
  for (size_t k = 0; k < o->n_disks; k++, d->n_disks++) {
    int rc = add_disk(p, o, k, &d->disks[k]);
    if (rc) {
      d->n_disks++; /* freed with the domain */
      return rc;
    }
  }
  return RH_EXIT_OK;
}

int rh_package_load(const char *given, struct rh_domain *d)
{
  memset(d, 0, sizeof *d);
  struct pkg p = {.given = given, .fd = -1, .ova = has_suffix(given, ".ova")};
  struct stat sb;
  int rc = RH_EXIT_INPUT;
  char *xml = NULL;
  size_t len = 0;
  struct rh_ovf ovf = {0};
  char err[256];
  if (!(p.path = realpath(given, NULL)) || stat(p.path, &sb) < 0) {
    rh_error("%s: %s", given, strerror(errno));
    goto out;
  }
  if (!S_ISREG(sb.st_mode)) {
    rh_error("%s: not a regular file", given);
    goto out;
  }
  if ((rc = p.ova ? ova_descriptor(&p, &xml, &len) : ovf_descriptor(&p, &xml, &len))) goto out;
  if (rh_ovf_parse(xml, len, &ovf, err, sizeof err) < 0) {
    rh_error("%s: OVF descriptor: %s", given, err);
    rc = RH_EXIT_INPUT;
    goto out;
  }
  rc = fill_domain(&p, &ovf, d);
  if (!rc && !p.have_mf)
    rh_warn("%s: no manifest (.mf): the disks' digests cannot be checked", given);
  if (!rc)
    rh_info("%s: package '%s', %zu disk%s, %u vCPU%s, %llu MiB, %s", given, d->name, d->n_disks,
            d->n_disks == 1 ? "" : "s", d->vcpus, d->vcpus == 1 ? "" : "s",
            (unsigned long long)(d->memory_kib / 1024), d->uefi ? "UEFI" : "BIOS");
out:
  if (rc) rh_domain_free(d);
  rh_ovf_free(&ovf);
  free(xml);
  free(p.mf);
  rh_ova_free(&p.tar);
  if (p.fd >= 0) close(p.fd);
  free(p.path);
  free(p.dir);
  return rc;
}
