/* What the network rewriters (net_edits.c, net_netplan.c) share: the
 * output buffer, the marker of a removed line, the reasons given. */
#ifndef REHOST_NET_EDITS_INT_H
#define REHOST_NET_EDITS_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define REMOVED "#rehost-removed# "
#define WHY_MAC "the target's NIC has another MAC; a MAC binding would match nothing"
#define WHY_NAME "the NIC's name changes on new hardware; ethN with net.ifnames=0 is stable"
#define WHY_DHCP "dhcp on the target (profile or --network dhcp)"
#define WHY_DHCP6 "dhcp on the target (profile or --network dhcp): the source network's static " \
                  "IPv6 address and routes go; the target's router advertisements (or DHCPv6) " \
                  "configure IPv6, or nothing does"
#define WHY_HW "the target's NIC has another driver and bus path; a binding to them would " \
               "match nothing"
#define WHY_VLAN "a VLAN over the NIC: the target's network passes no VLAN tags; the NIC (or " \
                 "its bond or bridge) below it gets DHCP"
#define WHY_GLOB "the target may name the NIC ethN (net.ifnames=0): the glob of the source's " \
                 "NIC names now matches that name too"

/* the new text, written through f into a malloc'd string */
struct out {
  char *s;
  size_t len;
  FILE *f;
};
bool rh_net_out_open(struct out *o);
/* the text (malloc'd), or NULL when writing it failed */
char *rh_net_out_done(struct out *o);
/* the same, or NULL (the text dropped) when the editor failed */
char *rh_net_out_done_unless(struct out *o, bool failed);
/* A line of FILE commented out (REMOVED LINE written to f), or WITH written
 * in its place; either recorded in changes as ACTION, SHOWN (the line as the
 * record shows it: without its indent, or "" for one added) before. */
void rh_net_drop(FILE *f, json_object *changes, const char *file, const char *line,
                 const char *shown, const char *action, const char *why);
void rh_net_replace(FILE *f, json_object *changes, const char *file, const char *shown,
                    const char *with, const char *action, const char *why);
/* v's value: inside its quotes, else up to white space or a comment */
void rh_net_unquote(char *dst, size_t dstsz, const char *v);

/* INI-style lines (networkd, .link, NetworkManager keyfiles, ifcfg), p at
 * the line's first non-blank: is it "KEY =" (any case)? its value, after
 * the first '=' and blanks ("" without one); the name of the section a
 * "[Name]" line opens */
bool rh_net_key_is(const char *p, const char *key);
const char *rh_net_value_of(const char *p);
void rh_net_section(char *dst, size_t dstsz, const char *p);

/* What a NetworkManager setting is to the edits, one answer for a keyfile's
 * "[ipv4] address1=" and netplan's passthrough "ipv4.address1:". A numbered
 * key (address1, route2, route2_options) is its base setting. */
enum rh_nm_role {
  RH_NM_OTHER,
  RH_NM_IFNAME,    /* connection.interface-name: binds a NIC by name */
  RH_NM_MAC,       /* [802-3-]ethernet.mac-address: binds it by MAC */
  RH_NM_METHOD,     /* ipv4.method */
  RH_NM_ADDRESSING, /* ipv4 address(es), gateway, route(s): static addressing */
  RH_NM_METHOD6,    /* ipv6.method */
  RH_NM_ADDRESSING6 /* ipv6 address(es), gateway, route(s) */
};
enum rh_nm_role rh_nm_setting_role(const char *section, size_t seclen, const char *key,
                                   size_t keylen);

/* NAME noted as a master, or a port (netplan), of the map's NICs: false
 * when it is not (too long to keep uncut, or the list is full) */
struct rh_nic_map;
/* is NAME one of a list's n names? */
bool rh_net_listed(const char (*list)[64], size_t n, const char *name);
bool rh_net_note_master(struct rh_nic_map *m, const char *name);
bool rh_net_note_port(struct rh_nic_map *m, const char *name);
bool rh_net_note_vlan(struct rh_nic_map *m, const char *name);
bool rh_net_note_lower(struct rh_nic_map *m, const char *name);
/* Is a VLAN whose lower device is LOWER (an interface, or a NetworkManager
 * connection's UUID or id) over the NIC: LOWER is a NIC, a master of one,
 * or a lower device noted (rh_nic_map_is_lower)? */
bool rh_net_over_nic(const struct rh_nic_map *m, const char *lower);

#endif
