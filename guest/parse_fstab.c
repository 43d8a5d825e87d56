#include "guestconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const network_types[] = {
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "glusterfs", "ceph", "fuse.sshfs",
    "sshfs", "davfs", "fuse.glusterfs", "9p", "afs", "ocfs2", "gfs2", "lustre", NULL};

static char *next_field(char **p)
{
  char *s = *p;
  while (*s && isspace((unsigned char)*s)) s++;
  if (!*s) { *p = s; return NULL; }
  char *start = s;
  while (*s && !isspace((unsigned char)*s)) s++;
  if (*s) *s++ = 0;
  *p = s;
  return start;
}

int rh_fstab_parse_line(char *line, struct rh_fstab_entry *e)
{
  memset(e, 0, sizeof *e);
  char *p = line;
  while (*p && isspace((unsigned char)*p)) p++;
  if (*p == 0 || *p == '#') return 0;
  e->spec = next_field(&p);
  e->file = next_field(&p);
  e->vfstype = next_field(&p);
  if (!e->spec || !e->file || !e->vfstype) return -1;
  e->options = next_field(&p);
  if (!e->options) e->options = "defaults";
  char *f = next_field(&p);
  e->freq = f ? atoi(f) : 0;
  f = next_field(&p);
  e->passno = f ? atoi(f) : 0;
  return 1;
}

bool rh_fstab_has_option(const char *options, const char *opt)
{
  size_t n = strlen(opt);
  const char *p = options;
  while (p && *p) {
    if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == 0 || p[n] == '=')) return true;
    p = strchr(p, ',');
    if (p) p++;
  }
  return false;
}

bool rh_fstab_is_network(const struct rh_fstab_entry *e)
{
  for (int i = 0; network_types[i]; i++)
    if (strcmp(e->vfstype, network_types[i]) == 0) return true;
  if (rh_fstab_has_option(e->options, "_netdev")) return true;
  /* host:/export or //server/share specs */
  if (strncmp(e->spec, "//", 2) == 0) return true;
  const char *colon = strchr(e->spec, ':');
  if (colon && colon[1] == '/' && strncmp(e->spec, "UUID=", 5) != 0 &&
      strncmp(e->spec, "/dev/", 5) != 0)
    return true;
  return false;
}

/* the number after the last MARKER ("-part", "p") when it ends s: the
 * partition; else 0, a whole disk */
static int part_suffix(const char *s, const char *marker)
{
  const char *p = NULL;
  for (const char *q = strstr(s, marker); q; q = strstr(q + 1, marker)) p = q;
  if (!p) return 0;
  p += strlen(marker);
  size_t n = strspn(p, "0123456789");
  return n && n <= 3 && !p[n] ? atoi(p) : 0;
}

/* A partition suffix of a device-mapper map's name, as kpartx and udev
 * name them: "" (the whole map, 0), "1", "p1", "-part1", "_part1"; -1 when
 * S is none of these. */
static int dm_part_suffix(const char *s)
{
  static const char *const seps[] = {"-part", "_part", "p", "", NULL};
  if (!*s) return 0;
  for (const char *const *sep = seps; *sep; sep++) {
    size_t l = strlen(*sep), n = strncmp(s, *sep, l) ? 0 : strspn(s + l, "0123456789");
    if (n && n <= 3 && !s[l + n] && s[l] != '0') return atoi(s + l);
  }
  return -1;
}

/* The length of a SCSI WWID at the start of S as multipath names a map
 * by it (user_friendly_names no): NAA 6 (3 + 32 hex digits), NAA 5 or an
 * EUI-64 (3 or 2 + 16); 0 when S starts with none. */
static size_t wwid_len(const char *s)
{
  if (s[0] != '3' && s[0] != '2') return 0;
  size_t hex = strspn(s + 1, "0123456789abcdef");
  return s[0] == '3' && hex >= 32 ? 33 : hex >= 16 ? 17 : 0;
}

/* A multipath map's name (user-friendly mpatha, mpathab; or its WWID) or an
 * EMC PowerPath device's (emcpowera), with the partition it names; -1 when
 * NAME is none of these. The target's disk is one path, no map. */
static int multipath_partition(const char *name)
{
  size_t n = 0;
  if (!strncmp(name, "mpath", 5) && isdigit((unsigned char)name[5])) { /* RHEL 5's mpath0, mpath0p1 */
    n = 5 + strspn(name + 5, "0123456789");
    return !name[n] ? 0 : name[n] == 'p' ? dm_part_suffix(name + n) : -1;
  }
  if (!strncmp(name, "mpath", 5) || !strncmp(name, "emcpower", 8)) {
    size_t p = name[0] == 'm' ? 5 : 8;
    n = strspn(name + p, "abcdefghijklmnopqrstuvwxyz");
    n = n && n <= 4 ? p + n : 0;
  } else {
    n = wwid_len(name);
    int part = n == 33 ? dm_part_suffix(name + 33) : -1;
    if (part >= 0) return part;
    n = n ? 17 : 0;
  }
  return n ? dm_part_suffix(name + n) : -1;
}

int rh_fstab_hw_partition(const char *spec)
{
  static const char *const by_content[] = {"dm-", "lvm-pv-uuid-", "md-uuid-", "md-name-", NULL};
  if (!strncmp(spec, "/dev/mapper/", 12)) return multipath_partition(spec + 12);
  if (!strncmp(spec, "/dev/emcpower", 13)) return multipath_partition(spec + 5);
  if (!strncmp(spec, "/dev/disk/by-id/", 16)) {
    const char *id = spec + 16;
    if (!*id || strchr(id, '/')) return -1;
    /* multipath's maps by name and by device-mapper UUID (mpath-WWID, its
     * partitions partN-mpath-WWID) */
    if (!strncmp(id, "dm-name-", 8)) return multipath_partition(id + 8);
    if (!strncmp(id, "dm-uuid-mpath-", 14)) return id[14] ? 0 : -1;
    if (!strncmp(id, "dm-uuid-part", 12) && isdigit((unsigned char)id[12])) {
      char *end;
      long part = strtol(id + 12, &end, 10);
      return part > 0 && part < 1000 && !strncmp(end, "-mpath-", 7) && end[7] ? (int)part : -1;
    }
    for (const char *const *c = by_content; *c; c++)
      if (!strncmp(id, *c, strlen(*c))) return -1;
    return part_suffix(id, "-part");
  }
  if (!strncmp(spec, "/dev/disk/by-path/", 18))
    return spec[18] && !strchr(spec + 18, '/') ? part_suffix(spec + 18, "-part") : -1;
  if (!strncmp(spec, "/dev/cciss/c", 12)) { /* HP Smart Array: c0d0p1 */
    const char *d = strchr(spec + 12, 'd');
    return d ? part_suffix(d, "p") : -1;
  }
  return -1;
}

bool rh_fstab_is_bus_device_name(const char *spec)
{
  if (rh_fstab_hw_partition(spec) >= 0) return true;
  static const char *const prefixes[] = {"/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", NULL};
  for (int i = 0; prefixes[i]; i++) {
    size_t n = strlen(prefixes[i]);
    if (strncmp(spec, prefixes[i], n) == 0 && islower((unsigned char)spec[n])) return true;
  }
  return strncmp(spec, "/dev/nvme", 9) == 0;
}

static void fstab_line(char *line, int lineno, void *ctx)
{
  json_object *arr = ctx;
  char *raw = strdup(line);
  struct rh_fstab_entry e;
  int r = rh_fstab_parse_line(line, &e);
  json_object *o = NULL;
  if (r == 1) {
    o = json_object_new_object();
    json_object_object_add(o, "spec", json_object_new_string(e.spec));
    json_object_object_add(o, "mountpoint", json_object_new_string(e.file));
    json_object_object_add(o, "type", json_object_new_string(e.vfstype));
    json_object_object_add(o, "options", json_object_new_string(e.options));
    json_object_object_add(o, "freq", json_object_new_int(e.freq));
    json_object_object_add(o, "passno", json_object_new_int(e.passno));
    json_object_object_add(o, "network", json_object_new_boolean(rh_fstab_is_network(&e)));
    json_object_object_add(o, "bus_device_name",
                           json_object_new_boolean(rh_fstab_is_bus_device_name(e.spec)));
  } else if (r < 0) {
    o = json_object_new_object();
    json_object_object_add(o, "malformed", json_object_new_string(rh_trim(raw)));
  }
  if (o) {
    json_object_object_add(o, "line", json_object_new_int(lineno));
    json_object_array_add(arr, o);
  }
  free(raw);
}

json_object *rh_fstab_parse(const char *text)
{
  json_object *arr = json_object_new_array();
  rh_for_each_line(text, fstab_line, arr);
  return arr;
}
