/* netplan YAML: the ids under "ethernets:" bound to the target's NIC by
 * "match: name: ethN" (their MAC match and set-name dropped), and with dhcp
 * their static addressing replaced by dhcp4. An id matched by a glob of
 * names keeps it, widened to "e*" (every name the target may give an
 * Ethernet NIC, predictable or ethN) when it would not match ethN. Flow maps
 * are opened into block style first (yaml_flow.h), their lines kept as
 * comments. */
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

struct np {
  struct out o;
  const char *file;
  bool to_dhcp;
  struct rh_nic_map *m;
  json_object *changes;
  int eth_indent, id_indent;
  char **blk; /* the lines of the id being read, however many */
  size_t nblk, cap;
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
static const struct pass_key *passthrough_drop(const char *p, bool to_dhcp)
{
  static const struct pass_key name = {"network-match-nic", WHY_NAME},
                               mac = {"network-match-nic", WHY_MAC},
                               dhcp = {"network-dhcp", WHY_DHCP};
  const char *q = p;
  if (*q == '"' || *q == '\'') q++; /* a quoted key */
  size_t n = strcspn(q, "\"': \t"), dot = strcspn(q, ".");
  if (dot >= n) return NULL;
  switch (rh_nm_setting_role(q, dot, q + dot + 1, n - dot - 1)) {
  case RH_NM_IFNAME: return &name;
  case RH_NM_MAC: return &mac;
  case RH_NM_METHOD:
  case RH_NM_ADDRESSING: return to_dhcp ? &dhcp : NULL;
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

static void np_flush(struct np *c)
{
  if (!c->nblk) return;
  char **b = c->blk;
  int child = -1;
  char id[64], old[64] = "", mac[64] = "", setname[64] = "";
  const char *idl = b[0] + indent_of(b[0]);
  size_t idlen = strcspn(idl, ":");
  snprintf(id, sizeof id, "%.*s", (int)(idlen < 63 ? idlen : 63), idl);
  if ((id[0] == '"' || id[0] == '\'') && strlen(id) >= 2) {
    memmove(id, id + 1, strlen(id));
    id[strlen(id) - 1] = 0;
  }
  int match_indent = -1;
  bool driver = false;
  for (size_t i = 1; i < c->nblk; i++) {
    if (blank_or_comment(b[i])) continue;
    int in = indent_of(b[i]);
    if (child < 0) child = in;
    if (in <= child) match_indent = in == child && yaml_key(b[i], "match") ? in : -1;
    if (in == child && yaml_key(b[i], "set-name")) yaml_value(b[i], setname, sizeof setname);
    if (match_indent >= 0 && in > match_indent && yaml_key(b[i], "name")) yaml_value(b[i], old, sizeof old);
    if (match_indent >= 0 && in > match_indent && yaml_key(b[i], "macaddress")) yaml_value(b[i], mac, sizeof mac);
    if (match_indent >= 0 && in > match_indent && yaml_key(b[i], "driver")) driver = true;
  }
  if (child < 0) child = c->id_indent + 2;
  const char *name = rh_nic_map_is_nic(c->m, setname) ? setname
                     : rh_nic_map_is_nic(c->m, old)   ? old
                     : rh_nic_map_is_nic(c->m, id)    ? id
                                                      : NULL;
  const char *newname = (name || mac[0]) ? rh_nic_map_name(c->m, name, mac[0] ? mac : NULL) : NULL;
  /* "match: name: en*" or "match: driver: ixgbe": for the NICs of a kind,
   * not one NIC. A glob is kept, widened to ethN when it would not match it;
   * a driver is the source's hardware: it goes, and with no name beside it
   * becomes the glob "e*" */
  enum rh_nic_glob glob = newname || mac[0] ? RH_GLOB_NONE : rh_nic_glob_kind(old);
  bool by_driver = !newname && !mac[0] && driver && (glob || !old[0]);
  if (by_driver && !glob) glob = RH_GLOB_ETH;
  const char *rest = idl + idlen + 1;
  rest += strspn(rest, " \t");
  if ((newname || glob) && *rest && *rest != '#') { /* flow style: "ens192: {dhcp4: true}" */
    rh_change(c->changes, c->file, "network-unhandled", idl, NULL,
              "a flow-style netplan entry is not edited; bind it to the new NIC by hand");
    newname = NULL, glob = RH_GLOB_NONE;
  }
  if (!newname && !glob) {
    for (size_t i = 0; i < c->nblk; i++) fprintf(c->o.f, "%s\n", b[i]);
    goto done;
  }
  if (glob) c->m->hits++;
  /* The id stays (bridges, bonds and VLANs refer to it); it is bound to the
   * NIC by "match: name:", which replaces the old match and set-name. An id
   * already bound that way (a second finalize), or by a glob, keeps its match. */
  bool bound = glob || (!mac[0] && !setname[0] && !strcmp(old, newname));
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
  bool has_name = old[0] != 0;
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
    const struct pass_key *drop = pass >= 0 && in > pass ? passthrough_drop(p, c->to_dhcp) : NULL;
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
    } else if (in == child && c->to_dhcp &&
               (yaml_key(b[i], "addresses") || yaml_key(b[i], "gateway4") ||
                yaml_key(b[i], "gateway6") || yaml_key(b[i], "routes"))) {
      skip = in;
      rh_net_drop(c->o.f, c->changes, c->file, b[i], p, "network-dhcp", WHY_DHCP);
    } else if (in == child && c->to_dhcp && yaml_key(b[i], "dhcp4")) {
      char v[16];
      yaml_value(b[i], v, sizeof v);
      saw_dhcp = true;
      if (strcmp(v, "true") && strcmp(v, "yes")) {
        fprintf(c->o.f, "%*sdhcp4: true\n", child, "");
        rh_change(c->changes, c->file, "network-dhcp", p, "dhcp4: true", WHY_DHCP);
      } else {
        fprintf(c->o.f, "%s\n", b[i]);
      }
    } else {
      fprintf(c->o.f, "%s\n", b[i]);
    }
  }
  if (c->to_dhcp && !saw_dhcp) {
    fprintf(c->o.f, "%*sdhcp4: true\n", child, "");
    rh_change(c->changes, c->file, "network-dhcp", NULL, "dhcp4: true", WHY_DHCP);
  }
done:
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
    np_flush(c);
  }
  if (c->eth_indent >= 0 && !blank_or_comment(line)) {
    if (in <= c->eth_indent) {
      c->eth_indent = -1;
    } else {
      if (c->id_indent < 0) c->id_indent = in;
      if (in == c->id_indent && strchr(line, ':') && np_keep(c, line)) return;
    }
  }
  if (yaml_key(line, "ethernets")) c->eth_indent = in, c->id_indent = -1;
  fprintf(c->o.f, "%s\n", line);
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
  struct np c = {.file = file, .to_dhcp = to_dhcp, .m = m, .changes = changes, .eth_indent = -1,
                 .id_indent = -1};
  /* a flow map ("ens192: {dhcp4: true}", "network: {...}") is opened into
   * block style first, its line kept as a comment */
  char *block = rh_yaml_flow_to_block(text, REMOVED, on_opened, &c);
  if (!block || !rh_net_out_open(&c.o)) {
    free(block);
    return NULL;
  }
  rh_for_each_line(block, np_line, &c);
  np_flush(&c);
  free(c.blk);
  free(block);
  return rh_net_out_done(&c.o);
}
