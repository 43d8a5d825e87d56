/* Network continuity: the edits that make a guest's network configuration
 * come up on the target's NIC, whose name and MAC differ from the source's.
 *
 * The mechanism, the same for every stack:
 *  - every physical NIC a configuration names (eth0, ens192, enp0s3, ...) or
 *    binds by MAC is given a stable kernel name, eth0, eth1, ... in the order
 *    the configuration files are read (a NIC named in several files keeps one
 *    name), and the kernel command line gets net.ifnames=0 so the kernel's own
 *    names are used: on a one-NIC machine eth0 is that NIC, whatever its bus;
 *  - MAC bindings are removed (they would match nothing);
 *  - with dhcp, the stacks that can match by type (systemd-networkd,
 *    NetworkManager) match every Ethernet NIC, the others use ethN; static
 *    addresses, gateways and routes are dropped.
 *  - with keep, the static address, gateway and DNS stay, bound to ethN.
 *
 * Pure functions over file text, like edits.h: each returns the new text
 * (malloc'd) and appends change records. */
#ifndef REHOST_NET_EDITS_H
#define REHOST_NET_EDITS_H

#include <json-c/json.h>
#include <stdbool.h>

#define RH_NIC_MAX 16

struct rh_nic_map {
  size_t n;
  char old[RH_NIC_MAX][32];  /* old interface name, or "" */
  char mac[RH_NIC_MAX][18];  /* old MAC (lower case), or "" */
  unsigned hits;             /* bindings seen: a file whose editing raised it binds a NIC */
};

/* Does NAME look like a physical Ethernet NIC (eth*, en*, em*, pNpN) rather
 * than lo, a bridge, a bond, a VLAN or a tunnel? */
bool rh_nic_is_physical(const char *name);

/* The new name (ethN) of the NIC known by old name and/or MAC (either may be
 * NULL), adding it to the map; NULL when the map is full or both are empty. */
const char *rh_nic_map_name(struct rh_nic_map *m, const char *old, const char *mac);

/* Debian ifupdown: auto/allow-* lines and iface stanzas naming physical NICs
 * are renamed to ethN. (Static to dhcp and hwaddress: rh_ifupdown_rewrite.) */
char *rh_ifupdown_rename(const char *text, const char *file, struct rh_nic_map *m,
                         json_object *changes);

/* systemd-networkd .network file. */
char *rh_networkd_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                          json_object *changes);

/* NetworkManager keyfile (.nmconnection) of type ethernet. */
char *rh_nm_keyfile_rewrite(const char *text, const char *file, bool to_dhcp,
                            struct rh_nic_map *m, json_object *changes);

/* RHEL-family ifcfg-* file. */
char *rh_ifcfg_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                       json_object *changes);

/* netplan YAML (block style): ids under "ethernets:". */
char *rh_netplan_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                         json_object *changes);

#endif
