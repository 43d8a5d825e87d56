/* Bonds, bridges and VLANs over the machine's NICs: with dhcp, the
 * addresses a NIC carries live on its master, which is converted as the NIC
 * would be; a VLAN's go, and the device below it gets DHCP. See
 * net_edits.h. */
#include "net_edits.h"

#include "edits.h"
#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The first value of each of some keys of an INI-style file (ifcfg has no
 * sections: sec NULL) */
struct ini_key {
  const char *sec, *key;
  char *dst; /* 64 bytes */
};
struct ini_vals {
  char section[64];
  const struct ini_key *keys;
  size_t n;
};

static void ini_val_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct ini_vals *v = vctx;
  const char *p = line + strspn(line, " \t");
  if (*p == '[') {
    rh_net_section(v->section, sizeof v->section, p);
    return;
  }
  for (size_t i = 0; i < v->n; i++) {
    const struct ini_key *k = &v->keys[i];
    if (!k->dst[0] && (!k->sec || !strcasecmp(v->section, k->sec)) && rh_net_key_is(p, k->key))
      rh_net_unquote(k->dst, 64, rh_net_value_of(p));
  }
}

static void ini_read(const char *text, const struct ini_key *keys, size_t n)
{
  struct ini_vals v = {.keys = keys, .n = n};
  rh_for_each_line(text, ini_val_line, &v);
}

bool rh_net_listed(const char (*list)[64], size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (!strcmp(list[i], name)) return true;
  return false;
}

/* a name that does not fit is not cut: it would match nothing */
static bool note_in(char (*list)[64], size_t *n, const char *name)
{
  if (rh_net_listed((const char (*)[64])list, *n, name)) return true;
  if (!name[0] || strlen(name) >= 64 || *n >= RH_NIC_MAX) return false;
  snprintf(list[(*n)++], 64, "%s", name);
  return true;
}

bool rh_net_note_master(struct rh_nic_map *m, const char *name)
{
  return note_in(m->master, &m->nmasters, name);
}

bool rh_net_note_port(struct rh_nic_map *m, const char *name)
{
  return note_in(m->port, &m->nports, name);
}

bool rh_net_note_vlan(struct rh_nic_map *m, const char *name)
{
  return note_in(m->vlan, &m->nvlans, name);
}

bool rh_net_note_lower(struct rh_nic_map *m, const char *name)
{
  return note_in(m->lower, &m->nlowers, name);
}

bool rh_net_over_nic(const struct rh_nic_map *m, const char *lower)
{
  return lower[0] && (rh_nic_map_is_nic(m, lower) || rh_nic_map_is_master(m, lower) ||
                      rh_nic_map_is_lower(m, lower));
}

void rh_ifcfg_note_master(struct rh_nic_map *m, const char *text, const char *file)
{
  char device[64] = "", type[64] = "", hwaddr[64] = "", master[64] = "", bridge[64] = "";
  const struct ini_key keys[] = {{NULL, "DEVICE", device}, {NULL, "TYPE", type}, {NULL, "HWADDR", hwaddr},
                                 {NULL, "MASTER", master}, {NULL, "BRIDGE", bridge}};
  ini_read(text, keys, sizeof keys / sizeof keys[0]);
  if (!device[0]) { /* ifcfg-NAME */
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    if (!strncmp(b, "ifcfg-", 6)) snprintf(device, sizeof device, "%s", b + 6);
  }
  bool ethernet = !type[0] || !strcasecmp(type, "Ethernet");
  /* a NIC's master, or a master's (a bond in a bridge) */
  if (!(ethernet && (rh_nic_map_is_nic(m, device) || hwaddr[0])) && !rh_nic_map_is_master(m, device))
    return;
  rh_net_note_master(m, master);
  rh_net_note_master(m, bridge);
}

void rh_nm_note_master(struct rh_nic_map *m, const char *text)
{
  char ifname[64] = "", type[64] = "", master[64] = "", controller[64] = "", mac[64] = "";
  char uuid[64] = "", id[64] = "";
  const struct ini_key keys[] = {{"connection", "interface-name", ifname}, {"connection", "type", type},
                                 {"connection", "master", master},         {"connection", "controller", controller},
                                 {"ethernet", "mac-address", mac},         {"802-3-ethernet", "mac-address", mac},
                                 {"connection", "uuid", uuid},             {"connection", "id", id}};
  ini_read(text, keys, sizeof keys / sizeof keys[0]);
  bool ethernet = !strcmp(type, "ethernet") || !strcmp(type, "802-3-ethernet");
  bool nic = ethernet && (rh_nic_map_is_nic(m, ifname) || mac[0]);
  /* a master is known by what its ports named it: interface, UUID or id */
  bool is_master = !nic && (rh_nic_map_is_master(m, ifname) || rh_nic_map_is_master(m, uuid) ||
                            rh_nic_map_is_master(m, id));
  if (nic || is_master) { /* a VLAN's parent= may name the connection */
    rh_net_note_lower(m, uuid);
    rh_net_note_lower(m, id);
  }
  if (is_master) rh_net_note_lower(m, ifname);
  if (!nic && !is_master) return; /* a master's master: a bond in a bridge */
  /* by interface name, connection UUID or id: the master's file is matched
   * on any of them */
  rh_net_note_master(m, controller[0] ? controller : master);
}

void rh_networkd_note_master(struct rh_nic_map *m, const char *text)
{
  char name[64] = "", mac[64] = "", bond[64] = "", bridge[64] = "";
  const struct ini_key keys[] = {{"Match", "Name", name}, {"Match", "MACAddress", mac},
                                 {"Network", "Bond", bond}, {"Network", "Bridge", bridge}};
  ini_read(text, keys, sizeof keys / sizeof keys[0]);
  name[strcspn(name, " \t")] = 0; /* Name= lists globs: the first one */
  if (!(rh_nic_map_is_nic(m, name) || mac[0] || rh_nic_map_is_master(m, name))) return;
  rh_net_note_master(m, bond);
  rh_net_note_master(m, bridge);
}

/* every VLAN= line's names */
struct nd_vlans {
  char section[64];
  struct rh_nic_map *m;
};

static void nd_vlan_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct nd_vlans *v = vctx;
  const char *p = line + strspn(line, " \t");
  if (*p == '[') {
    rh_net_section(v->section, sizeof v->section, p);
    return;
  }
  if (strcasecmp(v->section, "Network") || !rh_net_key_is(p, "VLAN")) return;
  for (const char *w = rh_net_value_of(p); *w;) {
    size_t n = strcspn(w, " \t#");
    char name[64];
    if (n && n < sizeof name) {
      snprintf(name, sizeof name, "%.*s", (int)n, w);
      rh_net_note_vlan(v->m, name);
    }
    if (!n) break;
    w += n;
    w += strspn(w, " \t");
  }
}

void rh_networkd_note_vlans(struct rh_nic_map *m, const char *text)
{
  char name[64] = "", mac[64] = "";
  const struct ini_key keys[] = {{"Match", "Name", name}, {"Match", "MACAddress", mac}};
  ini_read(text, keys, sizeof keys / sizeof keys[0]);
  name[strcspn(name, " \t")] = 0;
  if (!(rh_nic_map_is_nic(m, name) || mac[0] || rh_nic_map_is_master(m, name))) return;
  struct nd_vlans v = {.m = m};
  rh_for_each_line(text, nd_vlan_line, &v);
}

/* ifupdown's VLAN stanzas: "iface NAME.N ..." or a stanza with
 * vlan-raw-device, over any device (ifupdown has no pre-scan of masters: as
 * every static stanza goes to DHCP, a bond's too, every VLAN is taken for
 * one over the NIC); and every stanza's name */
struct ifup_vlans {
  char iface[64];
  struct rh_nic_map *m;
  size_t nstanzas, nraws;
  char stanza[64][64], raw[RH_NIC_MAX][64];
};

static void note_ifup_vlan(struct ifup_vlans *v, const char *vlan, const char *raw)
{
  rh_net_note_vlan(v->m, vlan);
  rh_net_note_lower(v->m, raw);
  note_in(v->raw, &v->nraws, raw);
}

static void ifup_vlan_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct ifup_vlans *v = vctx;
  char w0[32], w1[64];
  if (sscanf(line, " %31s %63s", w0, w1) != 2 || w0[0] == '#') return;
  if (!strcmp(w0, "iface")) {
    snprintf(v->iface, sizeof v->iface, "%s", w1);
    if (v->nstanzas < sizeof v->stanza / sizeof v->stanza[0])
      snprintf(v->stanza[v->nstanzas++], sizeof v->stanza[0], "%s", w1);
    size_t base = strcspn(w1, ".");
    char raw[64];
    snprintf(raw, sizeof raw, "%.*s", (int)base, w1);
    if (base && w1[base] == '.' && w1[base + 1] &&
        strspn(w1 + base + 1, "0123456789") == strlen(w1 + base + 1))
      note_ifup_vlan(v, w1, raw);
  } else if ((!strcmp(w0, "vlan-raw-device") || !strcmp(w0, "vlan_raw_device")) && v->iface[0]) {
    note_ifup_vlan(v, v->iface, w1);
  } else if (!strcmp(w0, "auto") || !strncmp(w0, "allow-", 6) || !strcmp(w0, "mapping") ||
             !strncmp(w0, "source", 6)) {
    v->iface[0] = 0;
  }
}

void rh_ifupdown_note_vlans(struct rh_nic_map *m, char *const *texts)
{
  struct ifup_vlans *v = calloc(1, sizeof *v);
  if (!v) return;
  v->m = m;
  for (size_t t = 0; texts && texts[t]; t++) {
    v->iface[0] = 0;
    rh_for_each_line(texts[t], ifup_vlan_line, v);
  }
  /* a raw device no stanza names (Debian's vlan examples have none): ifup
   * brings it up for the VLAN, without addresses */
  for (size_t i = 0; i < v->nraws; i++)
    if (v->nstanzas < sizeof v->stanza / sizeof v->stanza[0] &&
        !rh_net_listed((const char (*)[64])v->stanza, v->nstanzas, v->raw[i]))
      note_in(m->bare, &m->nbare, v->raw[i]);
  free(v);
}

bool rh_nic_map_is_vlan(const struct rh_nic_map *m, const char *name)
{
  return rh_net_listed(m->vlan, m->nvlans, name);
}

bool rh_nic_map_is_lower(const struct rh_nic_map *m, const char *name)
{
  return rh_net_listed(m->lower, m->nlowers, name);
}

bool rh_nic_map_is_master(const struct rh_nic_map *m, const char *name)
{
  return rh_net_listed(m->master, m->nmasters, name);
}

bool rh_nic_map_is_port(const struct rh_nic_map *m, const char *name)
{
  return rh_net_listed(m->port, m->nports, name);
}
