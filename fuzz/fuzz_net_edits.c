/* libFuzzer: the network-continuity editors (finalize/net_edits.c, net_netplan.c,
 * net_naming.c) on arbitrary text: systemd .link files, ifupdown,
 * systemd-networkd, NetworkManager keyfiles, ifcfg and its route files,
 * wicked's ifcfg and route files and netplan, with the text also read as udev and .link naming
 * rules, and by the pre-scans of masters and VLANs. The first byte picks dhcp or keep. Each editor must also be
 * stable: editing its own output again (with a fresh NIC map, as a second
 * finalize does, under the new file name the first gave it) changes nothing,
 * unless it reported part of the file as "network-unhandled". */
#include "../finalize/edits.h"
#include "../finalize/net_edits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef char *(*editor)(const char *, const char *, bool, struct rh_nic_map *, json_object *,
                        char **);

#define NO_RENAME(name, call)                                                                   \
  static char *name(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,     \
                    json_object *changes, char **newpath)                                       \
  {                                                                                             \
    (void)to_dhcp, (void)m;                                                                     \
    *newpath = NULL;                                                                            \
    return call;                                                                                \
  }
NO_RENAME(networkd, rh_networkd_rewrite(text, file, to_dhcp, m, changes))
NO_RENAME(nm_keyfile, rh_nm_keyfile_rewrite(text, file, to_dhcp, m, changes))
NO_RENAME(ifcfg, rh_ifcfg_rewrite(text, file, to_dhcp, m, changes))
NO_RENAME(netplan, rh_netplan_rewrite(text, file, to_dhcp, m, changes))
/* as finalize edits it: static to dhcp (VLANs to manual), then the names */
static char *ifupdown(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                      json_object *changes, char **newpath)
{
  *newpath = NULL;
  char *t = rh_ifupdown_rewrite(text, file, to_dhcp, true, m, changes);
  char *out = t ? rh_ifupdown_rename(t, file, m, changes) : NULL;
  free(t);
  return out;
}
NO_RENAME(link_file, rh_link_file_rewrite(text, file, changes))
NO_RENAME(ifcfg_routes, rh_ifcfg_routes_rewrite(text, file, to_dhcp, m, changes))

static const struct {
  editor fn;
  const char *file;
} editors[] = {
    {link_file, "/etc/systemd/network/10-lan.link"},
    {ifupdown, "/etc/network/interfaces"},
    {networkd, "/etc/systemd/network/10-wired.network"},
    {nm_keyfile, "/etc/NetworkManager/system-connections/wired.nmconnection"},
    {ifcfg, "/etc/sysconfig/network-scripts/ifcfg-ens192"},
    {ifcfg_routes, "/etc/sysconfig/network-scripts/route-ens192"},
    {rh_wicked_rewrite, "/etc/sysconfig/network/ifcfg-ens192"},
    {rh_wicked_routes_rewrite, "/etc/sysconfig/network/ifroute-ens192"},
    {netplan, "/etc/netplan/50-cloud-init.yaml"},
};

static bool unhandled(json_object *changes)
{
  for (size_t i = 0; i < json_object_array_length(changes); i++) {
    json_object *a = json_object_object_get(json_object_array_get_idx(changes, i), "action");
    if (a && !strcmp(json_object_get_string(a), "network-unhandled")) return true;
  }
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1) return 0;
  bool to_dhcp = data[0] & 1;
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = 0;
  json_object *changes = json_object_new_array();
  struct rh_nic_map shared = {0};
  rh_nic_is_physical(text);
  /* the same text as naming rules too: its names then bind NICs */
  rh_nic_rules_read(&shared, text, "/etc/udev/rules.d/70-persistent-net.rules");
  rh_nic_rules_read(&shared, text, "/etc/systemd/network/10-lan.link");
  /* and as a NIC's ifcfg file: the bond or bridge it names is a master */
  rh_ifcfg_note_master(&shared, text, "/etc/sysconfig/network-scripts/ifcfg-ens224");
  rh_nm_note_master(&shared, text);
  rh_networkd_note_master(&shared, text);
  /* and the VLANs over those NICs and masters */
  rh_networkd_note_vlans(&shared, text);
  rh_wicked_note_links(&shared, text, "/etc/sysconfig/network/ifcfg-vlan100");
  char *texts[] = {text, NULL}; /* and as every netplan and ifupdown file */
  rh_netplan_note_masters(&shared, texts);
  rh_ifupdown_note_vlans(&shared, texts);
  struct rh_nic_map rules = shared;
  for (size_t i = 0; i < sizeof editors / sizeof editors[0]; i++) {
    /* one map across files, as finalize edits a guest */
    char *renamed = NULL;
    char *out = editors[i].fn(text, editors[i].file, to_dhcp, &shared, changes, &renamed);
    free(renamed);
    if (out) {
      struct rh_nic_map fresh = rules;
      json_object *first_changes = json_object_new_array();
      char *first = editors[i].fn(text, editors[i].file, to_dhcp, &fresh, first_changes, &renamed);
      struct rh_nic_map again_map = rules;
      /* what the editor left alone (and said so) may change on a second pass */
      char *again_renamed = NULL;
      char *again = first && !unhandled(first_changes)
                        ? editors[i].fn(first, renamed ? renamed : editors[i].file, to_dhcp,
                                        &again_map, NULL, &again_renamed)
                        : NULL;
      json_object_put(first_changes);
      if (again && (strcmp(again, first) != 0 || again_renamed)) {
        fprintf(stderr, "%s: not stable (%s)\n--- first pass:\n%s\n--- second pass:\n%s\n",
                editors[i].file, again_renamed ? again_renamed : "same name", first, again);
        abort();
      }
      free(renamed);
      free(again_renamed);
      free(first);
      free(again);
    }
    free(out);
  }
  json_object_put(changes);
  free(text);
  return 0;
}
