/* netplan YAML: the ids under "ethernets:" bound to the target's NIC by
 * "match: name: ethN" (their MAC match and set-name dropped), and with dhcp
 * their static addressing replaced by dhcp4. An id matched by a glob of
 * names keeps it, widened to "e*" (every name the target may give an
 * Ethernet NIC, predictable or ethN) when it would not match ethN. Flow maps
 * are opened into block style first (yaml_flow.h), their lines kept as
 * comments.
 *
 * Bonds and bridges ("bonds:", "bridges:") whose "interfaces:" hold an id
 * bound to a NIC (or another such master) are masters of it
 * (rh_netplan_note_masters, read over every file first: netplan merges
 * them); with dhcp the master's addressing goes to dhcp4, and the NIC's id,
 * a port, is only bound. A VLAN ("vlans:") whose link: is a NIC's id or
 * such a master loses its addressing with dhcp (no dhcp4). */
#include "net_edits.h"

#include "edits.h"
#include "net_edits_int.h"
#include "../guest/guestconf.h"
#include "../guest/yaml_flow.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the sections whose ids rehost reads */
enum np_sec { SEC_NONE, SEC_ETH, SEC_MASTER, SEC_VLAN };

struct np_links;

struct np {
  struct out o; /* o.f NULL: only reading (rh_netplan_note_masters) */
  const char *file;
  bool to_dhcp;
  struct rh_nic_map *m;
  json_object *changes;
  enum np_sec sec, blk_sec;
  int sec_indent, id_indent;
  char **blk; /* the lines of the id being read, however many */
  size_t nblk, cap;
  void (*block)(struct np *c); /* an id's lines read */
  struct np_links *links;
};

static bool np_keep(struct np *c, const char *line)
{
  if (c->nblk == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    char **b = realloc(c->blk, cap * sizeof *b);
    if (!b) return false;
    c->blk = b, c->cap = cap;
  }
  char *l = strdup(line);
  if (!l) return false;
  c->blk[c->nblk++] = l;
  return true;
}

/* "- item" or a lone "-" */
static bool seq_item(const char *p) { return p[0] == '-' && (!p[1] || p[1] == ' ' || p[1] == '\t'); }

struct pass_key {
  const char *action, *why;
};

/* p, a key under networkmanager.passthrough ("ipv4.address1: ..."): NetworkManager
 * settings that netplan writes into the connection after its own, so they
 * would undo the binding or the dhcp. Why it is dropped, or NULL to keep it. */
static const struct pass_key *passthrough_drop(const char *p, bool to_dhcp, bool nic)
{
  static const struct pass_key name = {"network-match-nic", WHY_NAME},
                               mac = {"network-match-nic", WHY_MAC},
                               dhcp = {"network-dhcp", WHY_DHCP};
  const char *q = p;
  if (*q == '"' || *q == '\'') q++; /* a quoted key */
  size_t n = strcspn(q, "\"': \t"), dot = strcspn(q, ".");
  if (dot >= n) return NULL;
  switch (rh_nm_setting_role(q, dot, q + dot + 1, n - dot - 1)) {
  case RH_NM_IFNAME: return nic ? &name : NULL;
  case RH_NM_MAC: return nic ? &mac : NULL;
  case RH_NM_METHOD:
  case RH_NM_ADDRESSING:
  case RH_NM_ADDRESSING6: return to_dhcp ? &dhcp : NULL;
  /* IPv6's static method goes; one the owner chose otherwise stays */
  case RH_NM_METHOD6: return to_dhcp && strstr(q + n, "manual") ? &dhcp : NULL;
  default: return NULL;
  }
}

static int indent_of(const char *l) { return (int)strspn(l, " "); }
static bool blank_or_comment(const char *l)
{
  const char *p = l + strspn(l, " \t");
  return !*p || *p == '#';
}

/* "  key: value" at this line: is the key `key`? */
static bool yaml_key(const char *l, const char *key)
{
  const char *p = l + strspn(l, " ");
  if (*p == '-') return false;
  size_t n = strlen(key);
  return !strncmp(p, key, n) && p[n] == ':';
}

static void yaml_value(const char *l, char *out, size_t outsz)
{
  const char *v = strchr(l, ':');
  v = v ? v + 1 + strspn(v + 1, " \t") : "";
  rh_net_unquote(out, outsz, v);
}

/* what an id's lines say about the NIC it binds */
struct np_id {
  char id[64], old[64], mac[64], setname[64];
  bool driver;
  int child; /* the indent of its keys, -1 when it has none */
};

static void np_id_read(char **b, size_t n, struct np_id *v)
{
  memset(v, 0, sizeof *v);
  v->child = -1;
  const char *idl = b[0] + indent_of(b[0]);
  size_t idlen = strcspn(idl, ":");
  snprintf(v->id, sizeof v->id, "%.*s", (int)(idlen < 63 ? idlen : 63), idl);
  if ((v->id[0] == '"' || v->id[0] == '\'') && strlen(v->id) >= 2) {
    memmove(v->id, v->id + 1, strlen(v->id));
    v->id[strlen(v->id) - 1] = 0;
  }
  int match_indent = -1;
  for (size_t i = 1; i < n; i++) {
    if (blank_or_comment(b[i])) continue;
    int in = indent_of(b[i]);
    if (v->child < 0) v->child = in;
    if (in <= v->child) match_indent = in == v->child && yaml_key(b[i], "match") ? in : -1;
    if (in == v->child && yaml_key(b[i], "set-name")) yaml_value(b[i], v->setname, sizeof v->setname);
    if (match_indent >= 0 && in > match_indent && yaml_key(b[i], "name")) yaml_value(b[i], v->old, sizeof v->old);
    if (match_indent >= 0 && in > match_indent && yaml_key(b[i], "macaddress")) yaml_value(b[i], v->mac, sizeof v->mac);
    if (match_indent >= 0 && in > match_indent && yaml_key(b[i], "driver")) v->driver = true;
  }
}

/* Does the id apply to the NIC: by name, MAC, a glob of names or a driver? */
static bool np_id_binds(const struct rh_nic_map *m, const struct np_id *v)
{
  return rh_nic_map_is_nic(m, v->setname) || rh_nic_map_is_nic(m, v->old) ||
         rh_nic_map_is_nic(m, v->id) || v->mac[0] || rh_nic_glob_kind(v->old) != RH_GLOB_NONE ||
         (v->driver && !v->old[0]);
}

static void np_edit(struct np *c, const struct np_id *v, const char *newname, enum rh_nic_glob glob,
                    bool has_name, bool master);

/* "ens192: {}" (a bond's port as netplan's examples write it): the line
 * without its "{}", ready for keys; false when rest is not an empty map */
static bool np_open_empty(char **line, const char *rest)
{
  if (strncmp(rest, "{}", 2)) return false;
  const char *after = rest + 2 + strspn(rest + 2, " \t");
  if (*after && *after != '#') return false;
  char *bare = malloc(strlen(*line) + 3);
  if (!bare) return false;
  int colon = (int)(rest - *line); /* up to the ':' */
  while (colon && ((*line)[colon - 1] == ' ' || (*line)[colon - 1] == '\t')) colon--;
  sprintf(bare, "%.*s%s%s", colon, *line, *after ? "  " : "", after);
  free(*line);
  *line = bare;
  return true;
}

static void np_flush(struct np *c)
{
  char **b = c->blk;
  struct np_id v;
  np_id_read(b, c->nblk, &v);
  const char *idl = b[0] + indent_of(b[0]);
  const char *rest = idl + strcspn(idl, ":") + 1;
  rest += strspn(rest, " \t");
  bool flow = *rest && *rest != '#'; /* flow style: "ens192: {dhcp4: true}" */
  if (c->blk_sec == SEC_MASTER || c->blk_sec == SEC_VLAN) {
    /* a bond or bridge over the NIC, and in nothing else: with dhcp its
     * addressing is converted as the NIC's would be; a VLAN over either
     * loses its addressing */
    bool edit = c->blk_sec == SEC_VLAN
                    ? rh_nic_map_is_vlan(c->m, v.id)
                    : rh_nic_map_is_master(c->m, v.id) && !rh_nic_map_is_port(c->m, v.id);
    if (c->to_dhcp && edit) {
      if (!flow || np_open_empty(&b[0], rest)) {
        np_edit(c, &v, v.id, RH_GLOB_NONE, true, true);
        return;
      }
      rh_change(c->changes, c->file, "network-unhandled", idl, NULL,
                c->blk_sec == SEC_VLAN
                    ? "a flow-style netplan entry is not edited; remove its addresses by hand"
                    : "a flow-style netplan entry is not edited; give it dhcp4 by hand");
    }
    for (size_t i = 0; i < c->nblk; i++) fprintf(c->o.f, "%s\n", b[i]);
    return;
  }
  const char *name = rh_nic_map_is_nic(c->m, v.setname) ? v.setname
                     : rh_nic_map_is_nic(c->m, v.old)   ? v.old
                     : rh_nic_map_is_nic(c->m, v.id)    ? v.id
                                                        : NULL;
  const char *newname = (name || v.mac[0]) ? rh_nic_map_name(c->m, name, v.mac[0] ? v.mac : NULL) : NULL;
  /* "match: name: en*" or "match: driver: ixgbe": for the NICs of a kind,
   * not one NIC. A glob is kept, widened to ethN when it would not match it;
   * a driver is the source's hardware: it goes, and with no name beside it
   * becomes the glob "e*" */
  enum rh_nic_glob glob = newname || v.mac[0] ? RH_GLOB_NONE : rh_nic_glob_kind(v.old);
  bool by_driver = !newname && !v.mac[0] && v.driver && (glob || !v.old[0]);
  if (by_driver && !glob) glob = RH_GLOB_ETH;
  if ((newname || glob) && flow && !np_open_empty(&b[0], rest)) {
    rh_change(c->changes, c->file, "network-unhandled", idl, NULL,
              "a flow-style netplan entry is not edited; bind it to the new NIC by hand");
    newname = NULL, glob = RH_GLOB_NONE;
  }
  if (!newname && !glob) {
    for (size_t i = 0; i < c->nblk; i++) fprintf(c->o.f, "%s\n", b[i]);
    return;
  }
  if (glob) c->m->hits++;
  np_edit(c, &v, newname, glob, v.old[0] != 0, false);
}

/* An id's lines written out: an Ethernet id bound to newname (or by glob),
 * or a master (its name kept); with dhcp (not for a port) its static
 * addressing goes and dhcp4 comes. */
static void np_edit(struct np *c, const struct np_id *v, const char *newname, enum rh_nic_glob glob,
                    bool has_name, bool master)
{
  char **b = c->blk;
  const char *idl = b[0] + indent_of(b[0]);
  int child = v->child;
  const char *mac = v->mac, *setname = v->setname, *old = v->old;
  /* a port has no addressing; a VLAN's goes, and it asks no DHCP */
  bool vlan = c->blk_sec == SEC_VLAN;
  bool strip = c->to_dhcp && !rh_nic_map_is_port(c->m, v->id);
  bool dhcp = strip && !vlan;
  const char *why = vlan ? WHY_VLAN : WHY_DHCP;
  if (child < 0) child = c->id_indent + 2;
  /* The id stays (bridges, bonds and VLANs refer to it); it is bound to the
   * NIC by "match: name:", which replaces the old match and set-name. An id
   * already bound that way (a second finalize), or by a glob, keeps its match. */
  bool bound = master || glob || (!mac[0] && !setname[0] && !strcmp(old, newname));
  fprintf(c->o.f, "%s\n", b[0]);
  if (!bound) {
    fprintf(c->o.f, "%*smatch:\n%*sname: %s\n", child, "", child + 2, "", newname);
    char after[80];
    snprintf(after, sizeof after, "match: name: %s", newname);
    rh_change(c->changes, c->file, "network-match-nic", idl, after, WHY_NAME);
  }
  bool saw_dhcp = false;
  int skip = -1; /* dropping a key and the lines under it */
  int nm = -1, pass = -1; /* the indents of "networkmanager:" and its "passthrough:" */
  int match = -1;         /* the indent of a glob's or a driver's "match:" */
  for (size_t i = 1; i < c->nblk; i++) {
    int in = indent_of(b[i]);
    /* a key's lines: deeper ones, and "- " items at its own indent (the
     * indentless lists that netplan, NetworkManager and PyYAML write) */
    if (skip >= 0 && (blank_or_comment(b[i]) || in > skip || (in == skip && seq_item(b[i] + in)))) {
      fprintf(c->o.f, REMOVED "%s\n", b[i]);
      continue;
    }
    skip = -1;
    const char *p = b[i] + in;
    if (!blank_or_comment(b[i])) {
      if (pass >= 0 && in <= pass) pass = -1;
      if (nm >= 0 && in <= nm) nm = -1;
      if (match >= 0 && in <= match) match = -1;
    }
    const struct pass_key *drop = pass >= 0 && in > pass ? passthrough_drop(p, strip, !master) : NULL;
    if (drop) { /* NetworkManager settings netplan hands on as written */
      skip = in;
      rh_net_drop(c->o.f, c->changes, c->file, b[i], p, drop->action, drop->why);
    } else if (glob && in == child && yaml_key(b[i], "match")) {
      match = in;
      fprintf(c->o.f, "%s\n", b[i]);
    } else if (glob == RH_GLOB_SOURCE && match >= 0 && in > match && yaml_key(b[i], "name")) {
      fprintf(c->o.f, "%*sname: \"e*\"\n", in, "");
      rh_change(c->changes, c->file, "network-match-nic", p, "name: \"e*\"", WHY_GLOB);
    } else if (match >= 0 && in > match && yaml_key(b[i], "driver")) {
      skip = in; /* and its list, if it is one */
      fprintf(c->o.f, REMOVED "%s\n", b[i]);
      if (!has_name) fprintf(c->o.f, "%*sname: \"e*\"\n", in, "");
      rh_change(c->changes, c->file, "network-match-nic", p, has_name ? NULL : "name: \"e*\"", WHY_HW);
      has_name = true;
    } else if (in == child && yaml_key(b[i], "networkmanager")) {
      nm = in;
      fprintf(c->o.f, "%s\n", b[i]);
    } else if (nm >= 0 && in > nm && pass < 0 && yaml_key(b[i], "passthrough")) {
      pass = in;
      fprintf(c->o.f, "%s\n", b[i]);
    } else if (in == child && !bound && (yaml_key(b[i], "match") || yaml_key(b[i], "set-name"))) {
      skip = in;
      rh_net_drop(c->o.f, c->changes, c->file, b[i], p, "network-match-nic", WHY_MAC);
    } else if (in == child && strip &&
               (yaml_key(b[i], "addresses") || yaml_key(b[i], "gateway4") ||
                yaml_key(b[i], "gateway6") || yaml_key(b[i], "routes"))) {
      skip = in;
      rh_net_drop(c->o.f, c->changes, c->file, b[i], p, "network-dhcp", why);
    } else if (in == child && dhcp && yaml_key(b[i], "dhcp4")) {
      char val[16];
      yaml_value(b[i], val, sizeof val);
      saw_dhcp = true;
      if (strcmp(val, "true") && strcmp(val, "yes")) {
        fprintf(c->o.f, "%*sdhcp4: true\n", child, "");
        rh_change(c->changes, c->file, "network-dhcp", p, "dhcp4: true", WHY_DHCP);
      } else {
        fprintf(c->o.f, "%s\n", b[i]);
      }
    } else {
      fprintf(c->o.f, "%s\n", b[i]);
    }
  }
  if (dhcp && !saw_dhcp) {
    fprintf(c->o.f, "%*sdhcp4: true\n", child, "");
    rh_change(c->changes, c->file, "network-dhcp", NULL, "dhcp4: true", WHY_DHCP);
  }
}

/* The id being read is whole: handed to the block callback (an edit, or
 * the pre-scan), then let go */
static void np_end_block(struct np *c)
{
  if (!c->nblk) return;
  c->block(c);
  for (size_t i = 0; i < c->nblk; i++) free(c->blk[i]);
  c->nblk = 0;
}

static void np_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct np *c = vctx;
  int in = indent_of(line);
  if (c->nblk) {
    if ((blank_or_comment(line) || in > c->id_indent) && np_keep(c, line)) return;
    np_end_block(c);
  }
  if (c->sec != SEC_NONE && !blank_or_comment(line)) {
    if (in <= c->sec_indent) {
      c->sec = SEC_NONE;
    } else {
      if (c->id_indent < 0) c->id_indent = in;
      if (in == c->id_indent && strchr(line, ':') && np_keep(c, line)) {
        c->blk_sec = c->sec;
        return;
      }
    }
  }
  enum np_sec sec = yaml_key(line, "ethernets")                              ? SEC_ETH
                    : yaml_key(line, "bonds") || yaml_key(line, "bridges") ? SEC_MASTER
                    : yaml_key(line, "vlans")                                ? SEC_VLAN
                                                                           : SEC_NONE;
  if (sec != SEC_NONE) c->sec = sec, c->sec_indent = in, c->id_indent = -1;
  if (c->o.f) fprintf(c->o.f, "%s\n", line);
}

static void on_opened(const char *line, void *arg)
{
  struct np *c = arg;
  rh_change(c->changes, c->file, "network-netplan-block", line + strspn(line, " "), "block style",
            "flow maps are written out one key per line, which is what rehost edits");
}

char *rh_netplan_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                         json_object *changes)
{
  struct np c = {.file = file, .to_dhcp = to_dhcp, .m = m, .changes = changes, .sec_indent = -1,
                 .id_indent = -1, .block = np_flush};
  /* a flow map ("ens192: {dhcp4: true}", "network: {...}") is opened into
   * block style first, its line kept as a comment */
  char *block = rh_yaml_flow_to_block(text, REMOVED, on_opened, &c);
  if (!block || !rh_net_out_open(&c.o)) {
    free(block);
    return NULL;
  }
  rh_for_each_line(block, np_line, &c);
  np_end_block(&c);
  free(c.blk);
  free(block);
  return rh_net_out_done(&c.o);
}

/* What rh_netplan_note_masters reads over every file: the Ethernet ids that
 * apply to a NIC, and each master's interfaces. */
#define NP_LINKS_MAX 64
struct np_links {
  size_t nnic, nlink, nvlan;
  char nic[NP_LINKS_MAX][64];
  struct {
    char master[64], port[64];
  } link[NP_LINKS_MAX], vlan[NP_LINKS_MAX]; /* vlan: the VLAN's id, its link */
};

static void np_link_add(struct np_links *l, const char *master, const char *port, size_t portlen)
{
  if (!portlen || portlen >= sizeof l->link[0].port || l->nlink >= NP_LINKS_MAX) return;
  snprintf(l->link[l->nlink].master, sizeof l->link[0].master, "%s", master);
  snprintf(l->link[l->nlink].port, sizeof l->link[0].port, "%.*s", (int)portlen, port);
  l->nlink++;
}

/* the ids of a list's items: "[a, 'b', "c"]" or "- a" */
static void np_link_items(struct np_links *l, const char *master, const char *p)
{
  if (*p == '[') p++;
  while (*p && *p != ']' && *p != '#') {
    p += strspn(p, " \t,-");
    char q = *p == '"' || *p == '\'' ? *p++ : 0;
    size_t n = q ? strcspn(p, q == '"' ? "\"" : "'") : strcspn(p, " \t,]#");
    np_link_add(l, master, p, n);
    p += n + (q && p[n]);
    if (!n && *p && !strchr(",]#", *p)) p++; /* anything else moves on */
  }
}

static void np_scan_block(struct np *c)
{
  struct np_id v;
  np_id_read(c->blk, c->nblk, &v);
  struct np_links *l = c->links;
  if (c->blk_sec == SEC_ETH && np_id_binds(c->m, &v) && l->nnic < NP_LINKS_MAX &&
      strlen(v.id) < sizeof l->nic[0])
    snprintf(l->nic[l->nnic++], sizeof l->nic[0], "%s", v.id);
  for (size_t i = 1; c->blk_sec == SEC_VLAN && i < c->nblk; i++) {
    char link[64];
    if (indent_of(c->blk[i]) != v.child || !yaml_key(c->blk[i], "link")) continue;
    yaml_value(c->blk[i], link, sizeof link);
    if (l->nvlan < NP_LINKS_MAX && link[0]) {
      snprintf(l->vlan[l->nvlan].master, sizeof l->vlan[0].master, "%s", v.id);
      snprintf(l->vlan[l->nvlan++].port, sizeof l->vlan[0].port, "%s", link);
    }
  }
  int list = -1; /* the indent of "interfaces:" */
  for (size_t i = 1; c->blk_sec == SEC_MASTER && i < c->nblk; i++) {
    if (blank_or_comment(c->blk[i])) continue;
    int in = indent_of(c->blk[i]);
    const char *p = c->blk[i] + in;
    if (list >= 0 && (in > list || (in == list && seq_item(p)))) {
      np_link_items(l, v.id, p);
      continue;
    }
    list = -1;
    if (in == v.child && yaml_key(c->blk[i], "interfaces")) {
      list = in;
      np_link_items(l, v.id, strchr(p, ':') + 1 + strspn(strchr(p, ':') + 1, " \t"));
    }
  }
}

void rh_netplan_note_masters(struct rh_nic_map *m, char *const *texts)
{
  struct np_links *l = calloc(1, sizeof *l);
  if (!l) return;
  for (size_t t = 0; texts && texts[t]; t++) {
    struct np c = {.m = m, .sec_indent = -1, .id_indent = -1, .block = np_scan_block, .links = l};
    char *block = rh_yaml_flow_to_block(texts[t], NULL, NULL, NULL);
    if (!block) continue;
    rh_for_each_line(block, np_line, &c);
    np_end_block(&c);
    free(c.blk);
    free(block);
  }
  /* a master over a NIC's id, or over another such master (a bridge over
   * a bond): each of its interfaces that leads to the NIC is a port */
  for (bool more = true; more;) {
    more = false;
    for (size_t i = 0; i < l->nlink; i++) {
      const char *port = l->link[i].port;
      if (rh_nic_map_is_port(m, port) || !(rh_net_listed(l->nic, l->nnic, port) || rh_nic_map_is_master(m, port)))
        continue;
      if (!rh_net_note_port(m, port)) continue; /* the map is full */
      rh_net_note_master(m, l->link[i].master);
      more = true;
    }
  }
  /* a VLAN whose link is a NIC's id or a master */
  for (size_t i = 0; i < l->nvlan; i++)
    if (rh_net_listed(l->nic, l->nnic, l->vlan[i].port) || rh_nic_map_is_master(m, l->vlan[i].port))
      rh_net_note_vlan(m, l->vlan[i].master);
  free(l);
}
