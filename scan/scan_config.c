#include "scan.h"

#include "../finalize/edits.h"
#include "../finalize/net_edits.h"
#include "../guest/guestconf.h"
#include "../guest/net_programs.h"
#include "../guest/volumes.h"
#include "../lib/json_get.h"
#include "../lib/log.h"

#include <stdlib.h>
#include <string.h>

static bool exists(guestfs_h *g, const char *path) { return guestfs_exists(g, path) > 0; }

/* Parse every file matching pattern with fn; returns how many matched. */
static size_t parse_glob(guestfs_h *g, const char *pattern,
                         void (*fn)(const char *text, const char *file, json_object *a, json_object *b),
                         json_object *a, json_object *b)
{
  char **files = rh_guest_glob(g, pattern);
  size_t n = 0;
  for (; files[n]; n++) {
    char *text = rh_guest_read(g, files[n]);
    if (text) fn(text, files[n], a, b);
    free(text);
  }
  rh_strv_free(files);
  return n;
}

static void ifupdown_fn(const char *t, const char *f, json_object *a, json_object *b)
{
  (void)b;
  rh_ifupdown_parse(t, f, a);
}

static void udev_fn(const char *t, const char *f, json_object *a, json_object *b)
{
  (void)a;
  rh_udev_mac_rules_parse(t, f, b);
}

static void ifcfg_fn(const char *t, const char *f, json_object *a, json_object *b)
{
  const char *base = strrchr(f, '/');
  if (base && strcmp(base, "/ifcfg-lo") == 0) return;
  rh_ifcfg_parse(t, f, a, b);
}

/* /etc/resolv.conf: a link (something manages it: systemd-resolved,
 * resolvconf, NetworkManager; its target, not followed) or a file the guest
 * keeps, with the servers it names; null when there is none */
json_object *rh_scan_resolv_conf(guestfs_h *g)
{
  const char *path = "/etc/resolv.conf";
  bool link = guestfs_is_symlink(g, path) > 0;
  if (!link && !exists(g, path)) return NULL;
  json_object *o = json_object_new_object(), *ns = json_object_new_array();
  char *target = link ? guestfs_readlink(g, path) : NULL;
  json_object_object_add(o, "link", target ? json_object_new_string(target) : NULL);
  char *text = link ? NULL : rh_guest_read(g, path);
  char servers[1024];
  if (text && rh_resolv_nameservers(text, servers, sizeof servers))
    for (char *save = NULL, *t = strtok_r(servers, " ", &save); t; t = strtok_r(NULL, " ", &save))
      json_object_array_add(ns, json_object_new_string(t));
  json_object_object_add(o, "nameservers", ns);
  free(text);
  free(target);
  return o;
}

json_object *rh_scan_network(guestfs_h *g)
{
  json_object *net = json_object_new_object();
  json_object *ifaces = json_object_new_array();
  json_object *macrules = json_object_new_array();
  json_object *managers = json_object_new_array();
  if (exists(g, "/etc/network/interfaces")) {
    json_object_array_add(managers, json_object_new_string("ifupdown"));
    parse_glob(g, "/etc/network/interfaces", ifupdown_fn, ifaces, NULL);
    parse_glob(g, "/etc/network/interfaces.d/*", ifupdown_fn, ifaces, NULL);
  }
  if (parse_glob(g, "/etc/sysconfig/network-scripts/ifcfg-*", ifcfg_fn, ifaces, macrules) +
      parse_glob(g, "/etc/sysconfig/network/ifcfg-*", ifcfg_fn, ifaces, macrules))
    json_object_array_add(managers, json_object_new_string("ifcfg"));
  /* files whose program is gone configure nothing: listed, not a manager */
  if (parse_glob(g, "/etc/systemd/network/*.network", rh_networkd_parse, ifaces, macrules) &&
      rh_guest_exists_any(g, rh_networkd_programs))
    json_object_array_add(managers, json_object_new_string("systemd-networkd"));
  parse_glob(g, "/etc/systemd/network/*.link", rh_networkd_parse, ifaces, macrules);
  parse_glob(g, "/etc/udev/rules.d/*.rules", udev_fn, NULL, macrules);
  if (rh_guest_exists_any(g, rh_nm_programs))
    json_object_array_add(managers, json_object_new_string("NetworkManager"));
  parse_glob(g, "/etc/NetworkManager/system-connections/*", rh_nm_keyfile_parse, ifaces, macrules);
  if (parse_glob(g, "/etc/netplan/*.yaml", rh_netplan_parse, ifaces, macrules) &&
      rh_guest_exists_any(g, rh_netplan_programs))
    json_object_array_add(managers, json_object_new_string("netplan"));
  json_object_object_add(net, "managers", managers);
  json_object_object_add(net, "interfaces", ifaces);
  json_object_object_add(net, "mac_bound_rules", macrules);
  return net;
}

static void add_unique(json_object *arr, const char *s)
{
  for (size_t i = 0; i < json_object_array_length(arr); i++)
    if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0) return;
  json_object_array_add(arr, json_object_new_string(s));
}

static int cmp_json_str(const void *a, const void *b)
{
  return strcmp(json_object_get_string(*(json_object *const *)a),
                json_object_get_string(*(json_object *const *)b));
}

/* Enabled services, as the guest's init system starts them: systemd's
 * *.wants/ links under /etc/systemd/system (names without ".service"; not
 * on a guest whose init runs scripts, which leaves them from its systemd
 * days), and the scripts its rc starts (rh_guest_boot_scripts). Every wants
 * link is listed in systemd_links. */
static json_object *scan_services(guestfs_h *g, json_object *report)
{
  /* os.init_system, which rh_scan_os found (it reads guest files) */
  const char *init = rh_json_str(json_object_object_get(report, "os"), "init_system");
  if (!init) init = rh_guest_init_system(g);
  bool systemd = !strcmp(init, "systemd") || !strcmp(init, "unknown");
  json_object *svc = json_object_new_object();
  json_object *enabled = json_object_new_array();
  json_object *links = json_object_new_array();
  char **wants = rh_guest_glob(g, "/etc/systemd/system/*.wants/*");
  for (size_t i = 0; wants[i]; i++) {
    const char *unit = strrchr(wants[i], '/') + 1;
    char target[256];
    const char *dir_end = strrchr(wants[i], '/');
    const char *dir_start = dir_end;
    while (dir_start > wants[i] && dir_start[-1] != '/') dir_start--;
    snprintf(target, sizeof target, "%.*s", (int)(dir_end - dir_start - 6), dir_start);
    json_object *l = json_object_new_object();
    json_object_object_add(l, "unit", json_object_new_string(unit));
    json_object_object_add(l, "wanted_by", json_object_new_string(target));
    json_object_array_add(links, l);
    size_t n = strlen(unit);
    if (systemd && n > 8 && strcmp(unit + n - 8, ".service") == 0) {
      char name[256];
      snprintf(name, sizeof name, "%.*s", (int)(n - 8), unit);
      add_unique(enabled, name);
    }
  }
  rh_strv_free(wants);
  char **scripts = rh_guest_boot_scripts(g, init);
  for (size_t i = 0; scripts[i]; i++) add_unique(enabled, scripts[i]);
  rh_strv_free(scripts);
  json_object_array_sort(enabled, cmp_json_str);
  json_object_object_add(svc, "enabled", enabled);
  json_object_object_add(svc, "systemd_links", links);
  return svc;
}

/* What finalize's rewrite of a file would change, for the report: the
 * "before" of each change record, warnings left out (records is released). */
static json_object *edited_lines(json_object *records)
{
  json_object *lines = json_object_new_array();
  for (size_t i = 0; i < json_object_array_length(records); i++) {
    json_object *r = json_object_array_get_idx(records, i), *before, *action;
    if (json_object_object_get_ex(r, "action", &action) &&
        strcmp(json_object_get_string(action), "warning") &&
        json_object_object_get_ex(r, "before", &before))
      json_object_array_add(lines, json_object_get(before));
  }
  json_object_put(records);
  return lines;
}

/* LVM's configuration that binds it to the source's disks (storage.lvm):
 * the devices file in use, and the filters that reject a name the target
 * may give a PV's disk (what finalize moves aside and comments out). */
static void scan_lvm_config(guestfs_h *g, json_object *report)
{
  json_object *st, *lvm;
  if (!json_object_object_get_ex(report, "storage", &st) || !json_object_object_get_ex(st, "lvm", &lvm))
    return;
  char *conf = rh_guest_read(g, "/etc/lvm/lvm.conf");
  char name[128], path[200] = "";
  if (rh_lvm_devices_file(conf, name, sizeof name)) {
    snprintf(path, sizeof path, "/etc/lvm/devices/%s", name);
    if (guestfs_is_file(g, path) <= 0) path[0] = 0;
  }
  json_object_object_add(lvm, "devices_file", path[0] ? json_object_new_string(path) : NULL);
  json_object *records = json_object_new_array();
  bool changed = false;
  free(conf ? rh_lvm_filter_rewrite(conf, records, &changed) : NULL);
  json_object_object_add(lvm, "filters_rejecting_target_disks", edited_lines(records));
  free(conf);
}

/* mdadm's configuration that binds it to the source's disks (storage.md):
 * DEVICE lines and ARRAY devices= tags naming them (what finalize changes) */
static void scan_md_config(guestfs_h *g, json_object *report)
{
  json_object *st, *md;
  if (!json_object_object_get_ex(report, "storage", &st) || !json_object_object_get_ex(st, "md", &md))
    return;
  json_object *records = json_object_new_array();
  char *found = NULL;
  for (int i = 0; rh_mdadm_conf_globs[i]; i++) {
    char **paths = rh_guest_glob(g, rh_mdadm_conf_globs[i]);
    for (int k = 0; paths && paths[k]; k++) {
      char *conf = rh_guest_read(g, paths[k]);
      bool changed = false;
      if (conf && !found) found = strdup(paths[k]);
      free(conf ? rh_mdadm_conf_rewrite(conf, paths[k], records, &changed) : NULL);
      free(conf);
    }
    rh_strv_free(paths);
  }
  json_object_object_add(md, "conf", found ? json_object_new_string(found) : NULL);
  json_object_object_add(md, "conf_naming_source_disks", edited_lines(records));
  free(found);
}

void rh_scan_config(guestfs_h *g, json_object *report)
{
  scan_lvm_config(g, report);
  scan_md_config(g, report);
  char *fstab = rh_guest_read(g, "/etc/fstab");
  json_object *entries = fstab ? rh_fstab_parse(fstab) : json_object_new_array();
  free(fstab);
  /* on the disks given? (not when crypttab opens volumes it cannot see into) */
  bool check = !rh_guest_opens_encrypted_volumes(g);
  for (size_t i = 0; check && i < json_object_array_length(entries); i++) {
    json_object *e = json_object_array_get_idx(entries, i), *v;
    const char *spec = rh_json_str(e, "spec");
    bool network = json_object_object_get_ex(e, "network", &v) && json_object_get_boolean(v);
    int there = spec && !network ? rh_guest_spec_present(g, spec) : -1;
    if (there >= 0) json_object_object_add(e, "on_disks_given", json_object_new_boolean(there));
  }
  json_object_object_add(report, "fstab", entries);
  /* the resolver here, not in rh_scan_network: finalize reads the static
   * addresses through that one twice and needs no resolver there */
  json_object *net = rh_scan_network(g);
  json_object_object_add(net, "resolv_conf", rh_scan_resolv_conf(g));
  json_object_object_add(report, "network", net);
  char *adj = rh_guest_read(g, "/etc/adjtime");
  json_object_object_add(report, "adjtime", adj ? rh_adjtime_parse(adj) : NULL);
  free(adj);
  json_object_object_add(report, "services", scan_services(g, report));
}
