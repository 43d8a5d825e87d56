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
 *  - a configuration that applies to Ethernet NICs without naming one (a
 *    name glob such as networkd's Name=en* or netplan's match name "en*",
 *    networkd's Type=ether, a NetworkManager ethernet profile with neither
 *    interface-name nor MAC) keeps its binding, its glob widened to ethN when
 *    it would not match it; with dhcp its static addressing goes too.
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
  unsigned hits;             /* bindings seen (by name, MAC, glob or type): a file whose
                                editing raised it brings a NIC up */
  /* the names the guest's naming rules give NICs by MAC (udev NAME=, a .link
   * file's Name=) that are not kernel-style ones: "lan0" is a NIC too, and
   * the same NIC as its MAC */
  size_t nrules;
  char rule_name[RH_NIC_MAX][16];
  char rule_mac[RH_NIC_MAX][18];
  /* the bonds and bridges the NICs are enslaved to (rh_ifcfg_note_master) */
  size_t nmasters;
  char master[RH_NIC_MAX][64];
  /* netplan: the ids a master holds that lead to a NIC (the NIC's own, or a
   * bond's in a bridge); they are bound, and get no addressing */
  size_t nports;
  char port[RH_NIC_MAX][64];
  /* VLANs over the NICs or their masters, by the name of their interface
   * (systemd-networkd's VLAN=, netplan's "vlans:" ids) */
  size_t nvlans;
  char vlan[RH_NIC_MAX][64];
  /* what VLANs are over, by the names their configuration gives it: wicked's
   * ETHERDEVICE and ifupdown's raw devices, and NetworkManager's connections
   * of the NICs and their masters by UUID and id (a VLAN's parent= may name
   * either) */
  size_t nlowers;
  char lower[RH_NIC_MAX][64];
  /* ifupdown: the raw devices of those VLANs with no stanza of their own in
   * any file; the file of their VLAN gets one, DHCP (with dhcp) */
  size_t nbare;
  char bare[RH_NIC_MAX][64];
};

/* Does NAME look like a physical Ethernet NIC (eth*, en*, em*, pNpN) rather
 * than lo, a bridge, a bond, a VLAN or a tunnel? */
bool rh_nic_is_physical(const char *name);

/* A glob of NIC names (systemd-networkd's Name=, netplan's match name):
 * none (not a glob, negated, or it selects no Ethernet NIC name), one that
 * already matches ethN ("e*", "*"), or one that matches only the source's
 * kind of names ("en*", "ens*", "enp0s*"). A configuration bound by a glob
 * applies to the NIC without naming it: it is not renamed, its glob is
 * widened to ethN, and with dhcp its addressing is converted. */
enum rh_nic_glob { RH_GLOB_NONE, RH_GLOB_ETH, RH_GLOB_SOURCE };
enum rh_nic_glob rh_nic_glob_kind(const char *glob);

/* Is NAME (or NAME.vlan, NAME:alias) a NIC: a physical name, or one the
 * guest's naming rules give a NIC (rh_nic_rules_read)? */
bool rh_nic_map_is_nic(const struct rh_nic_map *m, const char *name);

/* The MAC a naming rule gives NAME, or NULL. */
const char *rh_nic_rule_mac(const struct rh_nic_map *m, const char *name);

/* The naming rules in a udev rules file or a systemd .link file (told apart
 * by FILE's suffix): a NIC named by its MAC with a name that is not a
 * kernel-style one is recorded in m, for the editors to bind like any NIC.
 * Read them all before editing. (finalize/net_naming.c) */
void rh_nic_rules_read(struct rh_nic_map *m, const char *text, const char *file);

/* A systemd .link file that names a NIC by its MAC: its Name= goes (the MAC
 * is the source NIC's; the configuration binds the NIC as ethN now). Any
 * other .link file is returned as it is. */
char *rh_link_file_rewrite(const char *text, const char *file, json_object *changes);

/* The new name (ethN) of the NIC known by old name and/or MAC (either may be
 * NULL), adding it to the map; NULL when the map is full or both are empty. */
const char *rh_nic_map_name(struct rh_nic_map *m, const char *old, const char *mac);
/* The new name of a NIC the map has under its old name (a ".VLAN" or
 * ":alias" suffix aside), or NULL; the map is left as it is (a route names a
 * NIC, it binds none). */
const char *rh_nic_map_find(const struct rh_nic_map *m, const char *old);
/* NAME's new name into out (ethN, NAME's ".vlan" or ":alias" kept) when
 * NAME is a NIC: added to the map when add, else only when it is in it
 * already (a route names a NIC; it does not bind it). False when NAME is no
 * NIC (or the map is full). */
bool rh_nic_map_rename(struct rh_nic_map *m, const char *name, bool add, char *out, size_t outsz);

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

/* /etc/hosts once the network has moved to DHCP: a line giving its names
 * one of the addresses in `gone` (NULL-terminated; the source's static
 * addresses, which the machine no longer has) is commented out and followed
 * by the same names on 127.0.1.1, as Debian's installer and cloud-init write
 * them on DHCP hosts: the names still resolve, to this machine.
 * (finalize/net_hosts.c) */
char *rh_hosts_rewrite(const char *text, char *const *gone, json_object *changes);

/* The nameserver lines of a resolv.conf text, their addresses into out
 * separated by spaces (as many as fit whole); false when it has none.
 * (finalize/net_hosts.c) */
bool rh_resolv_nameservers(const char *text, char *out, size_t outsz);

/* RHEL-family route-NAME and route6-NAME files (network-scripts; they keep
 * their names, as their ifcfg file does, which NetworkManager pairs them
 * by): in the ip command's form, "dev NAME" names the NIC's new name; with
 * dhcp, IPv4 default routes go. The ADDRESSn=/GATEWAYn= form names no NIC
 * and is left as it is. Read after every ifcfg file, as wicked's routes.
 * (finalize/net_wicked.c) */
char *rh_ifcfg_routes_rewrite(const char *text, const char *file, bool to_dhcp,
                              struct rh_nic_map *m, json_object *changes);

/* Bonds and bridges (finalize/net_masters.c). A NIC enslaved to a bond or a
 * bridge carries no addresses: its master does. With dhcp, the master's
 * file is converted as a NIC's would be (its name kept), and the NIC's own
 * file is left without addressing. Note the masters of every file of the
 * stack before editing any: an ifcfg-ens192 with MASTER=bond0 makes bond0
 * one. Only a master of a NIC counts (a bridge with no NIC in it, a VM
 * host's, keeps its static address). */
void rh_ifcfg_note_master(struct rh_nic_map *m, const char *text, const char *file);
/* NetworkManager keyfile of a NIC with master= (controller=, NM 1.46+):
 * the master by interface name, connection UUID or id. The UUID and id of
 * a NIC's connection, and of a master's, are noted as lower devices (a
 * VLAN's parent= may name them). */
void rh_nm_note_master(struct rh_nic_map *m, const char *text);
/* systemd-networkd .network file of a NIC with [Network] Bond= or Bridge= */
void rh_networkd_note_master(struct rh_nic_map *m, const char *text);
/* netplan, every file of /etc/netplan (NULL-terminated; netplan merges
 * them): a bond's or bridge's "interfaces:" holding an Ethernet id that
 * applies to a NIC, or another such master, make it a master and the ids
 * ports */
void rh_netplan_note_masters(struct rh_nic_map *m, char *const *texts);
bool rh_nic_map_is_master(const struct rh_nic_map *m, const char *name);
bool rh_nic_map_is_port(const struct rh_nic_map *m, const char *name);

/* VLANs (finalize/net_masters.c, and each stack's editor). A VLAN's frames
 * are tagged, and a cloud's network passes no tags: with dhcp, a VLAN over
 * the NIC (or over a master of it) loses its static IPv4 addressing
 * (NetworkManager's method becomes disabled, ifcfg's and wicked's BOOTPROTO
 * none) and the NIC or master below it gets DHCP, even with no address of
 * its own. With keep, a VLAN keeps its addresses, its lower device renamed
 * with the NIC (ifcfg's DEVICE=ens192.100 -> eth0.100, PHYSDEV=,
 * NetworkManager's parent=, wicked's ETHERDEVICE=, ifupdown's raw device).
 * Note them over every file of the stack before editing, after the masters
 * (the pre-scans run twice). */
/* systemd-networkd: the VLAN= names of a NIC's or a master's .network */
void rh_networkd_note_vlans(struct rh_nic_map *m, const char *text);
/* wicked: a bond or bridge file holding a NIC is a master; a VLAN file's
 * ETHERDEVICE, a NIC or such a master, is a lower device */
void rh_wicked_note_links(struct rh_nic_map *m, const char *text, const char *file);
/* ifupdown, every file (NULL-terminated): the raw devices (vlan-raw-device,
 * or NAME in "iface NAME.N") of VLAN stanzas are lower devices, bare when
 * no file has a stanza for them; the stanzas' names are VLANs. Any raw
 * device: ifupdown's DHCP conversion takes every static stanza, a bond's
 * too. */
void rh_ifupdown_note_vlans(struct rh_nic_map *m, char *const *texts);
/* Is NAME a lower device noted (an interface a VLAN is over; a NIC's or
 * master's NetworkManager connection, by UUID or id)? a VLAN noted? */
bool rh_nic_map_is_lower(const struct rh_nic_map *m, const char *name);
bool rh_nic_map_is_vlan(const struct rh_nic_map *m, const char *name);

/* RHEL-family ifcfg-* file; with dhcp, a bond's or bridge's
 * (rh_ifcfg_note_master) too. */
char *rh_ifcfg_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                       json_object *changes);

/* SUSE wicked: /etc/sysconfig/network/ifcfg-NAME, whose file name is the
 * interface's name (there is no DEVICE=): a NIC bound to ethN is a file
 * renamed, *newpath set (malloc'd) to .../ifcfg-ethN, else NULL. Bond,
 * bridge and VLAN files keep their names; the NICs they name
 * (BONDING_SLAVE*, BRIDGE_PORTS, ETHERDEVICE) are renamed. LLADDR (it sets
 * the NIC's MAC) goes. With dhcp, a NIC with a static address, or a bond
 * or bridge with one whose ports hold a NIC, becomes BOOTPROTO='dhcp' and
 * its addresses go; a port (BOOTPROTO none and no address) stays as it is.
 * (finalize/net_wicked.c) */
char *rh_wicked_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                        json_object *changes, char **newpath);

/* wicked's route files (routes, ifroute-NAME, renamed like its ifcfg file,
 * *newpath as above): the interface column names the NIC's new name; with
 * dhcp the default routes go (the gateway comes by DHCP). Read after every
 * ifcfg file: a route names a NIC the map has, it adds none. */
char *rh_wicked_routes_rewrite(const char *text, const char *file, bool to_dhcp,
                               struct rh_nic_map *m, json_object *changes, char **newpath);

/* netplan YAML (block style): ids under "ethernets:"; with dhcp, the
 * masters under "bonds:" and "bridges:" and the VLANs over either under
 * "vlans:" (rh_netplan_note_masters). */
char *rh_netplan_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                         json_object *changes);

#endif
