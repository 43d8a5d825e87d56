/* Disks named by the source's hardware in the boot path. A kernel given
 * root=/dev/sda1 waits forever on a target whose disk is /dev/vda or
 * /dev/nvme0n1; dracut drops to its emergency shell when resume= names a
 * disk that never appears (a VMware disk's /dev/disk/by-id/scsi-36000c29...
 * serial, say). Filesystem UUIDs travel with the data. See edits.h. */
#include "edits.h"

#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY_DEVICE "the target's disk bus and serials name the disk otherwise; the UUID " \
                   "travels with the data"

/* The argument keys whose value is a device the boot waits for. */
static const char *const device_keys[] = {"root=", "resume=", NULL};

static size_t device_key(const char *arg)
{
  for (const char *const *k = device_keys; *k; k++)
    if (!strncmp(arg, *k, strlen(*k))) return strlen(*k);
  return 0;
}

/* "UUID=..." for a device name of the source's hardware (malloc'd), or NULL:
 * not such a name, or (recorded as a warning) no UUID found for it; with
 * fstype RH_LOOKUP_PARTUUID, "PARTUUID=..." the same. */
static char *device_as_uuid(const char *dev, const char *fstype, rh_uuid_lookup_fn lookup, void *opaque,
                            const char *file, json_object *changes)
{
  if (!rh_fstab_is_bus_device_name(dev)) return NULL;
  bool partuuid = fstype && !strcmp(fstype, RH_LOOKUP_PARTUUID);
  char *uuid = lookup ? lookup(dev, fstype, opaque) : NULL, *out = NULL;
  if (uuid && asprintf(&out, "%s%s", partuuid ? "PARTUUID=" : "UUID=", uuid) < 0) out = NULL;
  free(uuid);
  if (!out)
    rh_change(changes, file, "warning", dev, NULL,
              partuuid ? "the device keyed at random at every boot is named by the source's hardware, "
                         "and it is no partition of the one disk given that holds no data (no "
                         "filesystem or header; a Linux data or swap partition), so its PARTUUID "
                         "was not taken; left as is: the boot may wait for it"
                       : "the boot names a disk by the source's hardware, and no filesystem UUID of the "
                         "kind it needs was found for it (or the machine has more than one disk and which "
                         "one it names is unknown); left as is: the boot may wait for it");
  return out;
}

/* crypttab's third field, the key: a random device means a new key at
 * every boot (plain dm-crypt, no header: a swap or /tmp made afresh) */
static bool key_is_random(const char *key, size_t n)
{
  static const char *const random_devices[] = {"/dev/urandom", "/dev/random", "/dev/hw_random", NULL};
  for (const char *const *r = random_devices; *r; r++)
    if (n == strlen(*r) && !strncmp(key, *r, n)) return true;
  return false;
}

char *rh_cmdline_devices(const char *args, rh_uuid_lookup_fn lookup, void *opaque,
                         const char *file, json_object *changes)
{
  char *copy = strdup(args), *save = NULL;
  struct out o;
  if (!copy || !rh_net_out_open(&o)) {
    free(copy);
    return NULL;
  }
  bool changed = false, first = true;
  for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
    size_t kl = device_key(t);
    /* any type: resume= names a swap, or the filesystem of a swap file */
    char *uuid = kl ? device_as_uuid(t + kl, NULL, lookup, opaque, file, changes) : NULL;
    fprintf(o.f, "%s%.*s%s", first ? "" : " ", (int)(uuid ? kl : strlen(t)), t, uuid ? uuid : "");
    if (uuid) {
      char after[300];
      snprintf(after, sizeof after, "%.*s%s", (int)kl, t, uuid);
      rh_change(changes, file, "device-name-to-uuid", t, after, WHY_DEVICE);
      changed = true;
    }
    free(uuid);
    first = false;
  }
  free(copy);
  char *text = rh_net_out_done(&o);
  if (text && !changed) { /* as it was, blanks and all */
    free(text);
    text = strdup(args);
  }
  return text;
}

char *rh_resume_conf_rewrite(const char *text, const char *file, rh_uuid_lookup_fn lookup,
                             void *opaque, json_object *changes)
{
  struct out o;
  if (!rh_net_out_open(&o)) return NULL;
  for (const char *l = text; *l;) {
    size_t len = strcspn(l, "\n");
    const char *p = l + strspn(l, " \t");
    char *uuid = NULL;
    if (!strncmp(p, "RESUME=", 7) && (size_t)(p - l) + 7 < len) {
      char dev[256];
      snprintf(dev, sizeof dev, "%.*s", (int)(len - (size_t)(p - l) - 7), p + 7);
      char val[256];
      rh_net_unquote(val, sizeof val, dev);
      uuid = device_as_uuid(val, NULL, lookup, opaque, file, changes);
      if (uuid) {
        char after[300];
        snprintf(after, sizeof after, "RESUME=%s", uuid);
        rh_change(changes, file, "device-name-to-uuid", val, after, WHY_DEVICE);
        fprintf(o.f, "%s\n", after);
      }
    }
    if (!uuid) fprintf(o.f, "%.*s%s", (int)len, l, l[len] ? "\n" : "");
    free(uuid);
    l += len + (l[len] ? 1 : 0);
  }
  return rh_net_out_done(&o);
}

char *rh_crypttab_rewrite(const char *text, const char *file, rh_uuid_lookup_fn lookup, void *opaque,
                          json_object *changes)
{
  struct out o;
  if (!rh_net_out_open(&o)) return NULL;
  for (const char *l = text; *l;) {
    size_t len = strcspn(l, "\n");
    /* name, then the device: the second field */
    const char *name = l + strspn(l, " \t");
    const char *dev = name + strcspn(name, " \t\n");
    dev += strspn(dev, " \t");
    size_t dl = strcspn(dev, " \t\n");
    const char *key = dev + dl + strspn(dev + dl, " \t");
    size_t kl = key < l + len ? strcspn(key, " \t\n") : 0;
    char *uuid = NULL;
    if (*name != '#' && dev < l + len && dl && dl < 256) {
      char d[256];
      snprintf(d, sizeof d, "%.*s", (int)dl, dev);
      uuid = device_as_uuid(d, key_is_random(key, kl) ? RH_LOOKUP_PARTUUID : "crypto_LUKS", lookup, opaque,
                            file, changes);
      if (uuid) {
        rh_change(changes, file, "device-name-to-uuid", d, uuid, WHY_DEVICE);
        fprintf(o.f, "%.*s%s%.*s\n", (int)(dev - l), l, uuid, (int)(l + len - dev - dl), dev + dl);
      }
    }
    if (!uuid) fprintf(o.f, "%.*s%s", (int)len, l, l[len] ? "\n" : "");
    free(uuid);
    l += len + (l[len] ? 1 : 0);
  }
  return rh_net_out_done(&o);
}

static bool is_linux_line(const char *p)
{
  static const char *const words[] = {"linux", "linux16", "linuxefi", NULL};
  for (const char *const *w = words; *w; w++) {
    size_t n = strlen(*w);
    if (!strncmp(p, *w, n) && (p[n] == ' ' || p[n] == '\t')) return true;
  }
  return false;
}

char *rh_grub_cfg_root_rewrite(const char *text, const char *file, const char *root_uuid,
                               json_object *changes)
{
  struct out o;
  if (!rh_net_out_open(&o)) return NULL;
  for (const char *l = text; *l;) {
    size_t len = strcspn(l, "\n");
    const char *p = l + strspn(l, " \t"), *end = l + len, *from = l;
    for (bool lin = is_linux_line(p); lin && p < end;) {
      size_t tl = strcspn(p, " \t\n");
      if (!strncmp(p, "root=", 5) && tl > 5 && tl < 250) {
        char dev[256];
        snprintf(dev, sizeof dev, "%.*s", (int)tl - 5, p + 5);
        if (rh_fstab_is_bus_device_name(dev)) {
          char after[300];
          snprintf(after, sizeof after, "root=UUID=%s", root_uuid);
          fprintf(o.f, "%.*s%s", (int)(p - from), from, after);
          rh_change(changes, file, "device-name-to-uuid", dev, after,
                    "grub-mkconfig ran in the conversion appliance and named the root by the "
                    "device name it had there");
          from = p + tl;
        }
      }
      p += tl;
      p += strspn(p, " \t");
    }
    fprintf(o.f, "%.*s%s", (int)(end - from), from, *end ? "\n" : "");
    l = end + (*end ? 1 : 0);
  }
  return rh_net_out_done(&o);
}

/* Is p at a word boundary of a shell command line (its start, or after a
 * blank or an operator)? */
static bool command_start(const char *line, const char *p)
{
  if (p == line) return true;
  char c = p[-1];
  return c == ' ' || c == '\t' || c == ';' || c == '&' || c == '|' || c == '(' || c == '{';
}

bool rh_script_sleeps_for(const char *script, const char *var)
{
  size_t vn = var ? strlen(var) : 0;
  if (!script || !vn) return false;
  for (const char *l = script; *l;) {
    size_t len = strcspn(l, "\n");
    const char *end = l + len, *p = l + strspn(l, " \t");
    for (; p < end && *p != '#'; p++) {
      if (strncmp(p, "sleep", 5) != 0 || !command_start(l, p) || (p[5] != ' ' && p[5] != '\t'))
        continue;
      const char *a = p + 5 + strspn(p + 5, " \t");
      a += *a == '"';
      if (*a++ != '$') continue;
      a += *a == '{';
      if ((size_t)(end - a) >= vn && !strncmp(a, var, vn) && !(isalnum((unsigned char)a[vn]) || a[vn] == '_'))
        return true;
    }
    l = end + (*end ? 1 : 0);
  }
  return false;
}

bool rh_grub_cfg_has_menu(const char *text)
{
  return strstr(text, "menuentry") || strstr(text, "blscfg");
}
