#include "volumes.h"

#include "../lib/json_get.h"
#include "../lib/log.h"
#include "../scan/scan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Append the strings of src (taken over; src freed) to the vector *v of *n.
 * Out of memory, src's strings are dropped: the list is a best effort. */
static void append(char ***v, size_t *n, char **src)
{
  size_t k = rh_strv_len(src);
  char **grown = k ? realloc(*v, (*n + k + 1) * sizeof **v) : *v;
  if (!grown) {
    for (size_t i = 0; i < k; i++) free(src[i]);
  } else {
    memcpy(grown + *n, src, k * sizeof *src);
    *n += k;
    grown[*n] = NULL;
    *v = grown;
  }
  free(src);
}

char **rh_guest_volumes(guestfs_h *g)
{
  size_t n = 0;
  char **v = calloc(1, sizeof *v);
  if (!v) abort(); /* a few bytes; nothing sensible is left to do */
  /* whole disks first: a disk with no partition table can be a LUKS volume */
  append(&v, &n, guestfs_list_devices(g));
  append(&v, &n, guestfs_list_partitions(g));
  append(&v, &n, guestfs_list_md_devices(g));
  append(&v, &n, guestfs_lvs(g));
  return v;
}

bool rh_volume_type_is(const char *type, const char *const *prefixes)
{
  for (size_t i = 0; type && prefixes[i]; i++)
    if (!strncmp(type, prefixes[i], strlen(prefixes[i]))) return true;
  return false;
}

const char *const rh_crypt_types[] = {"crypto_", NULL};
const char *const rh_member_types[] = {"LVM2_member", "linux_raid_member", NULL};

char *rh_guest_volumes_of_type(guestfs_h *g, const char *const *prefixes)
{
  char **vols = rh_guest_volumes(g);
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  int found = 0;
  for (size_t i = 0; vols[i]; i++) {
    char *type = guestfs_vfs_type(g, vols[i]);
    if (f && rh_volume_type_is(type, prefixes)) fprintf(f, "%s%s", found++ ? ", " : "", vols[i]);
    free(type);
    free(vols[i]);
  }
  free(vols);
  if (f) fclose(f);
  if (!found) {
    free(out);
    return NULL;
  }
  return out;
}

void rh_guest_report_no_os(const char *what, const char *encrypted, const char *members, int ndisks)
{
  if (encrypted)
    rh_error("%s: encrypted guest: %s %s encrypted and rehost has no key to open %s", what,
             encrypted, strchr(encrypted, ',') ? "are" : "is", strchr(encrypted, ',') ? "them" : "it");
  else if (members)
    rh_error("%s: no operating system found on %s; %s %s part of an LVM volume group or md "
             "array: if the machine has more disks, name them all (an md array whose other "
             "disks are lost starts without them with --md-degraded)", what,
             ndisks > 1 ? "these disks" : "this disk", members, strchr(members, ',') ? "are" : "is");
  else
    rh_error("%s: no operating system found on %s", what, ndisks > 1 ? "these disks" : "this disk");
}

/* A partition whose blkid key (PART_ENTRY_UUID, PART_ENTRY_NAME) is value. */
static int partition_with(guestfs_h *g, const char *key, const char *value)
{
  char **parts = guestfs_list_partitions(g);
  int found = 0;
  for (size_t i = 0; parts && parts[i] && !found; i++) {
    char **kv = guestfs_blkid(g, parts[i]);
    const char *v = rh_strv_kv(kv, key);
    found = v && !strcasecmp(v, value);
    rh_strv_free(kv);
  }
  rh_strv_free(parts);
  return parts ? found : -1;
}

/* Is the device there in the appliance (an LVM volume active, a mapping
 * open)? The daemon resolves and opens it. */
static int device_there(guestfs_h *g, const char *dev)
{
  if (guestfs_blockdev_getsize64(g, dev) >= 0) return 1;
  rh_debug("%s: not there: %s", dev, guestfs_last_error(g) ? guestfs_last_error(g) : "?");
  return 0;
}

int rh_guest_spec_present(guestfs_h *g, const char *spec)
{
  static const struct {
    const char *tag, *link;
  } kinds[] = {{"UUID=", "/dev/disk/by-uuid/"},
               {"LABEL=", "/dev/disk/by-label/"},
               {"PARTUUID=", "/dev/disk/by-partuuid/"},
               {"PARTLABEL=", "/dev/disk/by-partlabel/"}};
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    size_t tl = strlen(kinds[k].tag), ll = strlen(kinds[k].link);
    const char *v = !strncmp(spec, kinds[k].tag, tl)    ? spec + tl
                    : !strncmp(spec, kinds[k].link, ll) ? spec + ll
                                                        : NULL;
    if (!v) continue;
    char value[256];
    size_t n = strlen(v);
    /* fstab may quote the value */
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) v++, n -= 2;
    if (!n || n >= sizeof value) return -1;
    memcpy(value, v, n);
    value[n] = 0;
    if (k >= 2) return partition_with(g, k == 2 ? "PART_ENTRY_UUID" : "PART_ENTRY_NAME", value);
    char *dev = k == 0 ? guestfs_findfs_uuid(g, value) : guestfs_findfs_label(g, value);
    int found = dev != NULL;
    free(dev);
    return found;
  }
  /* a kernel name of a SCSI, IDE, virtio or Xen disk (/dev/sdb2): the disks
   * given are sda, sdb... here, in their order (hd, vd and xvd names map the
   * same way); finalize made every one it found a UUID= first. NVMe names
   * are not judged: an NVMe target may have the very same name. */
  static const char *const kernel_names[] = {"/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", NULL};
  for (const char *const *k = kernel_names; *k; k++) {
    size_t n = strlen(*k);
    if (strncmp(spec, *k, n) || spec[n] < 'a' || spec[n] > 'z') continue;
    char *dev = guestfs_canonical_device_name(g, spec);
    int there = dev && device_there(g, dev);
    free(dev);
    return there;
  }
  if (!strncmp(spec, "/dev/mapper/", 12)) return strchr(spec + 12, '/') || !spec[12] ? -1 : device_there(g, spec);
  /* /dev/VG/LV */
  const char *vg = !strncmp(spec, "/dev/", 5) ? spec + 5 : NULL, *slash = vg ? strchr(vg, '/') : NULL;
  static const char *const kernel_dirs[] = {"disk/", "md/", "cciss/", "ida/", "rd/", "block/",
                                            "bus/", "char/", "input/", "net/", "pts/", "shm/",
                                            "snd/", "dri/", "vfio/", "fd/", NULL};
  if (!slash || strchr(slash + 1, '/') || !slash[1] || slash - vg > 127) return -1;
  for (const char *const *d = kernel_dirs; *d; d++)
    if (!strncmp(vg, *d, strlen(*d))) return -1;
  return device_there(g, spec);
}

bool rh_guest_opens_encrypted_volumes(guestfs_h *g)
{
  char *ct = rh_guest_read(g, "/etc/crypttab");
  bool any = false;
  for (char *l = ct; l && *l && !any;) {
    l += strspn(l, " \t");
    any = *l && *l != '#' && *l != '\n';
    char *e = strchr(l, '\n');
    l = e ? e + 1 : l + strlen(l);
  }
  free(ct);
  return any;
}
