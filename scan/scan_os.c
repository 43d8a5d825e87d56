#include "scan.h"

#include "../finalize/edits.h"
#include "../guest/firmware.h"
#include "../guest/guestconf.h"
#include "../lib/log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The largest guest file read whole: a configuration file, or dpkg's status
 * on a big system, is far smaller. libguestfs copies a file to the host's
 * temporary directory and then into memory, all of it: a guest's sparse
 * 16 GiB fstab would fill the disk and then abort rehost. */
#define GUEST_TEXT_MAX ((int64_t)64 << 20)

char *rh_guest_read(guestfs_h *g, const char *path)
{
  /* one stat, symlinks followed inside the guest: a regular file, and its
   * size (absent or dangling: NULL, with no error printed) */
  struct guestfs_statns *st = guestfs_statns(g, path);
  bool regular = st && S_ISREG(st->st_mode);
  int64_t size = st ? st->st_size : -1;
  if (st) guestfs_free_statns(st);
  if (!regular) return NULL;
  if (size > GUEST_TEXT_MAX) {
    rh_warn("%s: %lld bytes, more than a text file rehost reads may have (%lld MiB); not read",
            path, (long long)size, (long long)(GUEST_TEXT_MAX >> 20));
    return NULL;
  }
  size_t n;
  char *s = guestfs_read_file(g, path, &n);
  const char *nul = s ? memchr(s, 0, n) : NULL;
  if (nul) { /* the parsers and editors take text: a NUL would cut it short */
    rh_warn("%s: not a text file (a NUL byte at offset %zu); not read", path, (size_t)(nul - s));
    free(s);
    return NULL;
  }
  return s;
}

char **rh_guest_glob(guestfs_h *g, const char *pattern)
{
  char **v = guestfs_glob_expand(g, pattern);
  if (!v) v = calloc(1, sizeof(char *));
  return v;
}

static void add_str(json_object *o, const char *k, char *v) /* takes v */
{
  json_object_object_add(o, k, v && *v ? json_object_new_string(v) : NULL);
  free(v);
}

static bool exists(guestfs_h *g, const char *path) { return guestfs_exists(g, path) > 0; }

/* sysvinit's /sbin/init running OpenRC as its rc: Gentoo's inittab runs
 * /sbin/openrc; Debian's and Devuan's openrc package replaces
 * /etc/init.d/rc and rcS (which inittab runs) with wrappers that exec it.
 * OpenRC's runlevels then say what starts, not the rcN.d links. */
static bool rc_is_openrc(guestfs_h *g)
{
  if (!exists(g, "/sbin/openrc") && !exists(g, "/usr/sbin/openrc") && !exists(g, "/bin/openrc")) return false;
  static const char *const files[] = {"/etc/inittab", "/etc/init.d/rc", NULL};
  bool yes = false;
  for (size_t i = 0; files[i] && !yes; i++) {
    char *text = rh_guest_read(g, files[i]);
    yes = text && strstr(text, "/sbin/openrc");
    free(text);
  }
  return yes;
}

const char *rh_guest_init_system(guestfs_h *g)
{
  char *init = guestfs_realpath(g, "/sbin/init");
  const char *r = "unknown";
  if (init) {
    const char *base = strrchr(init, '/');
    base = base ? base + 1 : init;
    if (strcmp(base, "systemd") == 0) r = "systemd";
    else if (strcmp(base, "upstart") == 0) r = "upstart";
    else if (strcmp(base, "openrc-init") == 0) r = "openrc";
    else if (strcmp(base, "init") == 0) r = !exists(g, "/etc/inittab") ? "unknown" : rc_is_openrc(g) ? "openrc" : "sysvinit";
    else if (strcmp(base, "busybox") == 0 && exists(g, "/sbin/openrc")) r = "openrc";
    free(init);
  } else if (exists(g, "/lib/systemd/systemd") || exists(g, "/usr/lib/systemd/systemd")) {
    r = "systemd";
  }
  return r;
}

static bool strv_has(char **v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (!strcmp(v[i], s)) return true;
  return false;
}

char **rh_guest_boot_scripts(guestfs_h *g, const char *init)
{
  bool openrc = !strcmp(init, "openrc");
  /* rcS.d: Debian's early scripts, which a systemd guest does not run (its
   * own units do that work) */
  char **paths = rh_guest_glob(g, openrc ? "/etc/runlevels/*/*"
                                  : strcmp(init, "systemd") ? "/etc/rc[S2345].d/S*" : "/etc/rc[2345].d/S*");
  size_t n = 0, len = 0;
  while (paths[len]) len++;
  char **names = calloc(len + 1, sizeof *names);
  for (size_t i = 0; names && paths[i]; i++) {
    char *base = strrchr(paths[i], '/') + 1, *dir = base - 1;
    while (dir > paths[i] && dir[-1] != '/') dir--;
    const char *name = NULL;
    if (!openrc && strlen(base) > 3 && base[1] >= '0' && base[1] <= '9' && base[2] >= '0' && base[2] <= '9')
      name = base + 3;
    else if (openrc && (!strncmp(dir, "sysinit/", 8) || !strncmp(dir, "boot/", 5) || !strncmp(dir, "default/", 8)))
      name = base;
    if (name && !strv_has(names, n, name) && (names[n] = strdup(name))) n++;
  }
  rh_strv_free(paths);
  return names;
}

/* GRUB_CMDLINE_LINUX / GRUB_CMDLINE_LINUX_DEFAULT from /etc/default/grub */
static void grub_default(guestfs_h *g, json_object *boot)
{
  char *text = rh_guest_read(g, "/etc/default/grub");
  if (!text) return;
  static const char *const keys[] = {"GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT", NULL};
  for (int k = 0; keys[k]; k++) {
    size_t kl = strlen(keys[k]);
    for (char *line = text; line && *line;) {
      char *nl = strchr(line, '\n');
      if (strncmp(line, keys[k], kl) == 0 && line[kl] == '=') {
        char *v = line + kl + 1;
        size_t n = nl ? (size_t)(nl - v) : strlen(v);
        char *val = strndup(v, n);
        size_t vl = strlen(val);
        if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
          memmove(val, val + 1, vl - 2);
          val[vl - 2] = 0;
        }
        char key[64];
        snprintf(key, sizeof key, "%s", k == 0 ? "cmdline" : "cmdline_default");
        json_object_object_add(boot, key, json_object_new_string(val));
        free(val);
      }
      line = nl ? nl + 1 : NULL;
    }
  }
  free(text);
}

char **rh_grub_esp_menus(guestfs_h *g)
{
  char **cfgs = rh_guest_glob(g, "/boot/efi/EFI/*/grub.cfg");
  size_t n = 0;
  for (size_t i = 0; cfgs && cfgs[i]; i++) {
    char *text = rh_guest_read(g, cfgs[i]);
    if (text && rh_grub_cfg_has_menu(text)) cfgs[n++] = cfgs[i];
    else free(cfgs[i]);
    free(text);
  }
  if (cfgs) cfgs[n] = NULL;
  return cfgs;
}

static json_object *scan_boot(guestfs_h *g, json_object *report)
{
  json_object *boot = json_object_new_object();
  /* the first configuration found names the bootloader: GRUB 2's (in /boot,
   * else a menu on the ESP), then extlinux's or syslinux's (where its boot
   * sector was installed for), BLS entries without GRUB (systemd-boot: in
   * /boot or on the ESP) */
  static const struct { const char *path, *loader; } cfgs[] = {
      {"/boot/grub/grub.cfg", "grub2"},           {"/boot/grub2/grub.cfg", "grub2"},
      {"/boot/extlinux/extlinux.conf", "extlinux"}, {"/boot/extlinux.conf", "extlinux"},
      {"/extlinux.conf", "extlinux"},             {"/boot/syslinux/syslinux.cfg", "syslinux"},
      {"/syslinux/syslinux.cfg", "syslinux"},     {"/boot/grub/menu.lst", "grub-legacy"},
      {"/boot/grub/grub.conf", "grub-legacy"},    {"/boot/loader/entries", "systemd-boot"},   {"/boot/efi/loader/entries", "systemd-boot"},
      {"/efi/loader/entries", "systemd-boot"},    {"/etc/lilo.conf", "lilo"}};
  const char *cfg = NULL, *loader = "unknown";
  char **esp_menus = NULL;
  for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0] && !cfg; i++) {
    if (i == 2 && (esp_menus = rh_grub_esp_menus(g)) && esp_menus[0])
      cfg = esp_menus[0], loader = "grub2";
    else if (exists(g, cfgs[i].path)) cfg = cfgs[i].path, loader = cfgs[i].loader;
  }
  json_object_object_add(boot, "bootloader", json_object_new_string(loader));
  json_object_object_add(boot, "config", cfg ? json_object_new_string(cfg) : NULL);
  rh_strv_free(esp_menus);
  /* UEFI: an EFI system partition on a GPT disk, or EFI binaries mounted at /boot/efi */
  bool esp = false;
  json_object *storage = json_object_object_get(report, "storage");
  json_object *disks = json_object_object_get(storage, "disks");
  for (size_t i = 0; i < json_object_array_length(disks); i++) {
    json_object *parts = json_object_object_get(json_object_array_get_idx(disks, i), "partitions");
    for (size_t j = 0; j < json_object_array_length(parts); j++) {
      const char *t = json_object_get_string(json_object_object_get(json_object_array_get_idx(parts, j), "gpt_type"));
      if (t && strcasecmp(t, RH_ESP_GUID) == 0) esp = true;
    }
  }
  json_object_object_add(boot, "firmware", json_object_new_string(rh_guest_firmware(g, esp)));
  json_object_object_add(boot, "efi_system_partition", json_object_new_boolean(esp));
  grub_default(g, boot);
  return boot;
}

/* Module families a target platform needs; matched against modules.dep and
 * modules.builtin file names. */
static const struct { const char *family, *regex; } module_families[] = {
    {"virtio", "/virtio[^/]*\\.ko"},
    {"xen", "/xen-[^/]*\\.ko"},
    {"nvme", "/nvme[^/]*\\.ko"},
    {"ena", "/ena\\.ko"},
    {"hyperv", "/(hv_[^/]*|hyperv[^/]*|hid-hyperv)\\.ko"},
};

static void module_names(guestfs_h *g, const char *file, const char *regex, json_object *arr)
{
  if (!exists(g, file)) return;
  char **lines = guestfs_grep_opts(g, regex, file, GUESTFS_GREP_OPTS_EXTENDED, 1, -1);
  for (size_t i = 0; lines && lines[i]; i++) {
    char *colon = strchr(lines[i], ':');
    if (colon) *colon = 0;
    char *base = strrchr(lines[i], '/');
    base = base ? base + 1 : lines[i];
    char *dot = strstr(base, ".ko");
    if (dot) *dot = 0;
    bool dup = false;
    for (size_t j = 0; j < json_object_array_length(arr); j++)
      if (strcmp(json_object_get_string(json_object_array_get_idx(arr, j)), base) == 0) dup = true;
    if (!dup) json_object_array_add(arr, json_object_new_string(base));
  }
  rh_strv_free(lines);
}

static json_object *scan_kernels(guestfs_h *g)
{
  json_object *arr = json_object_new_array();
  char **ks = rh_guest_glob(g, "/boot/vmlinu[xz]-*");
  for (size_t i = 0; ks[i]; i++) {
    const char *ver = strchr(ks[i], '-') + 1;
    json_object *k = json_object_new_object();
    json_object_object_add(k, "version", json_object_new_string(ver));
    json_object_object_add(k, "vmlinuz", json_object_new_string(ks[i]));
    char *cands[3] = {NULL, NULL, NULL};
    if (asprintf(&cands[0], "/boot/initrd.img-%s", ver) < 0) cands[0] = NULL;
    if (asprintf(&cands[1], "/boot/initramfs-%s.img", ver) < 0) cands[1] = NULL;
    if (asprintf(&cands[2], "/boot/initrd-%s", ver) < 0) cands[2] = NULL;
    json_object *initrd = NULL;
    for (int c = 0; c < 3; c++) {
      if (!initrd && cands[c] && exists(g, cands[c])) initrd = json_object_new_string(cands[c]);
      free(cands[c]);
    }
    json_object_object_add(k, "initramfs", initrd);
    json_object *mods = json_object_new_object();
    char moddir[512];
    snprintf(moddir, sizeof moddir, "/lib/modules/%s", ver);
    json_object_object_add(k, "modules_dir", exists(g, moddir) ? json_object_new_string(moddir) : NULL);
    for (size_t f = 0; f < sizeof module_families / sizeof module_families[0]; f++) {
      json_object *names = json_object_new_array();
      char file[600];
      snprintf(file, sizeof file, "%s/modules.dep", moddir);
      module_names(g, file, module_families[f].regex, names);
      snprintf(file, sizeof file, "%s/modules.builtin", moddir);
      module_names(g, file, module_families[f].regex, names);
      json_object_object_add(mods, module_families[f].family, names);
    }
    json_object_object_add(k, "modules", mods);
    json_object_array_add(arr, k);
  }
  rh_strv_free(ks);
  return arr;
}

static json_object *scan_agents(guestfs_h *g)
{
  static const struct { const char *name; const char *paths[3]; } agents[] = {
      {"cloud-init", {"/usr/bin/cloud-init", NULL, NULL}},
      {"walinuxagent", {"/usr/sbin/waagent", "/usr/bin/waagent", NULL}},
      {"hyperv-daemons", {"/usr/sbin/hv_kvp_daemon", "/usr/sbin/hypervkvpd", NULL}},
      {"qemu-guest-agent", {"/usr/sbin/qemu-ga", "/usr/bin/qemu-ga", NULL}},
  };
  json_object *o = json_object_new_object();
  for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
    bool present = false;
    for (int p = 0; agents[i].paths[p]; p++) present = present || exists(g, agents[i].paths[p]);
    json_object_object_add(o, agents[i].name, json_object_new_boolean(present));
  }
  return o;
}

char *rh_guest_os_release(guestfs_h *g)
{
  char *text = rh_guest_read(g, "/etc/os-release");
  return text ? text : rh_guest_read(g, "/usr/lib/os-release");
}

void rh_scan_os(guestfs_h *g, const char *root, json_object *report)
{
  json_object *os = json_object_new_object();
  json_object_object_add(os, "root", json_object_new_string(root));
  add_str(os, "type", guestfs_inspect_get_type(g, root));
  add_str(os, "distro", guestfs_inspect_get_distro(g, root));
  int major = guestfs_inspect_get_major_version(g, root);
  int minor = guestfs_inspect_get_minor_version(g, root);
  char *osrel = rh_guest_os_release(g);
  char ver[32];
  rh_os_version(osrel, major, minor, ver, sizeof ver);
  json_object_object_add(os, "version", json_object_new_string(ver));
  json_object_object_add(os, "major_version", json_object_new_int(major));
  json_object_object_add(os, "minor_version", json_object_new_int(minor));
  char *pretty = osrel ? rh_kv_get(osrel, "PRETTY_NAME") : NULL;
  free(osrel);
  if (pretty) {
    add_str(os, "product_name", pretty);
  } else {
    add_str(os, "product_name", guestfs_inspect_get_product_name(g, root));
  }
  add_str(os, "arch", guestfs_inspect_get_arch(g, root));
  add_str(os, "hostname", guestfs_inspect_get_hostname(g, root));
  add_str(os, "package_format", guestfs_inspect_get_package_format(g, root));
  add_str(os, "package_manager", guestfs_inspect_get_package_management(g, root));
  json_object_object_add(os, "init_system", json_object_new_string(rh_guest_init_system(g)));
  json_object_object_add(report, "os", os);
  json_object_object_add(report, "boot", scan_boot(g, report));
  json_object_object_add(report, "kernels", scan_kernels(g));
  json_object_object_add(report, "agents", scan_agents(g));
}
