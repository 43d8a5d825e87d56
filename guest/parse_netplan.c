/* netplan YAML, as much of it as a scan report needs: the interfaces under
 * network.{ethernets,bonds,bridges,vlans,wifis}, each with its addressing
 * (dhcp4, the first of its addresses, the IPv4 default route or gateway4)
 * and its binding to a NIC (match: macaddress / name, set-name). Flow maps
 * ("eth0: {dhcp4: true}", "network: {ethernets: ...}") are first written
 * out in block style (yaml_flow.h), which is followed line by line with a
 * stack of keys by indentation. This is not a YAML parser: anything it does
 * not understand is skipped, never guessed at. */
#include "guestconf.h"
#include "net_json.h"
#include "yaml_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEPTH 8

struct np_iface {
  char id[64], kind[48], setname[64], mname[64], mac[64], address[64], gateway[64];
  bool dhcp4, dhcp6, open;
};

struct np_ctx {
  const char *file;
  json_object *arr, *macrules;
  int ind[DEPTH];
  char key[DEPTH][48];
  int depth;             /* keys on the stack (a key deeper than DEPTH is not kept) */
  struct np_iface i;
  char rto[64], rvia[64]; /* the route item being read */
};

static bool is_kind(const char *k)
{
  static const char *const kinds[] = {"ethernets", "bonds", "bridges", "vlans", "wifis"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (!strcmp(k, kinds[i])) return true;
  return false;
}

/* a scalar: trailing comment dropped, white space trimmed, quotes removed */
static void scalar(const char *in, char *out, size_t outsz)
{
  snprintf(out, outsz, "%s", in);
  char *hash = out;
  while ((hash = strchr(hash, '#')))
    if (hash == out || hash[-1] == ' ' || hash[-1] == '\t') *hash = 0;
    else hash++;
  char *s = rh_trim(out);
  size_t n = strlen(s);
  if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) s[n - 1] = 0, s++;
  memmove(out, s, strlen(s) + 1);
}

static bool truthy(const char *v) { return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"); }

/* the first element of a flow list "[a, b]" (or v itself when not a list) */
static void first_of(const char *v, char *out, size_t outsz)
{
  if (*v != '[') {
    scalar(v, out, outsz);
    return;
  }
  char tmp[128];
  snprintf(tmp, sizeof tmp, "%s", v + 1);
  tmp[strcspn(tmp, ",]")] = 0;
  scalar(tmp, out, outsz);
}

static void route_done(struct np_ctx *c)
{
  if (c->i.open && !c->i.gateway[0] && c->rvia[0] && !strchr(c->rvia, ':') &&
      (!strcmp(c->rto, "default") || !strcmp(c->rto, "0.0.0.0/0")))
    snprintf(c->i.gateway, sizeof c->i.gateway, "%s", c->rvia);
  c->rto[0] = c->rvia[0] = 0;
}

static void iface_done(struct np_ctx *c)
{
  route_done(c);
  struct np_iface *i = &c->i;
  if (!i->open) return;
  i->open = false;
  const char *name = i->setname[0] ? i->setname : i->mname[0] ? i->mname : i->mac[0] ? "*" : i->id;
  json_object *o = rh_net_iface_new(name, c->file);
  rh_json_set_str(o, "id", i->id);
  rh_json_set_str(o, "kind", i->kind);
  rh_json_set_str(o, "family", i->address[0] && strchr(i->address, ':') && !i->dhcp4 ? "inet6" : "inet");
  rh_json_set_str(o, "method", i->dhcp4 ? "dhcp" : i->address[0] ? "static" : i->dhcp6 ? "dhcp6" : "manual");
  json_object_object_add(o, "auto", json_object_new_boolean(true)); /* netplan brings up all it defines */
  if (i->address[0]) rh_json_set_str(o, "address", i->address);
  if (i->gateway[0]) rh_json_set_str(o, "gateway", i->gateway);
  if (rh_is_mac(i->mac)) {
    rh_json_set_str(o, "hwaddress", i->mac);
    rh_net_mac_rule(c->macrules, c->file, i->mac, i->setname[0] ? i->setname : i->id);
  }
  json_object_array_add(c->arr, o);
}

/* the key path is network.<kind>.<id>.<property>[.<sub>] */
static bool in_iface(const struct np_ctx *c, int depth)
{
  return c->i.open && c->depth >= depth && !strcmp(c->key[0], "network") &&
         is_kind(c->key[1]) && !strcmp(c->key[2], c->i.id) && !strcmp(c->key[1], c->i.kind);
}

static void on_key(struct np_ctx *c, const char *k, const char *v)
{
  struct np_iface *i = &c->i;
  if (c->depth == 3 && !strcmp(c->key[0], "network") && is_kind(c->key[1])) {
    iface_done(c);
    memset(i, 0, sizeof *i);
    i->open = true;
    snprintf(i->id, sizeof i->id, "%s", k);
    snprintf(i->kind, sizeof i->kind, "%s", c->key[1]);
    return;
  }
  if (!in_iface(c, 4)) return;
  const char *prop = c->key[3];
  char val[64];
  scalar(v, val, sizeof val);
  if (c->depth == 4) {
    if (!strcmp(k, "dhcp4")) i->dhcp4 = truthy(val);
    else if (!strcmp(k, "dhcp6")) i->dhcp6 = truthy(val);
    else if (!strcmp(k, "set-name")) snprintf(i->setname, sizeof i->setname, "%s", val);
    else if (!strcmp(k, "gateway4")) snprintf(i->gateway, sizeof i->gateway, "%s", val);
    else if (!strcmp(k, "addresses") && *v == '[' && !i->address[0])
      first_of(v, i->address, sizeof i->address);
  } else if (c->depth == 5 && !strcmp(prop, "match")) {
    if (!strcmp(k, "macaddress")) snprintf(i->mac, sizeof i->mac, "%s", val);
    else if (!strcmp(k, "name")) snprintf(i->mname, sizeof i->mname, "%s", val);
  } else if (c->depth == 5 && !strcmp(prop, "routes")) {
    if (!strcmp(k, "to")) snprintf(c->rto, sizeof c->rto, "%s", val);
    else if (!strcmp(k, "via")) snprintf(c->rvia, sizeof c->rvia, "%s", val);
  }
}

/* "key: value" or "key:" at column col; pushes key on the stack */
static void key_line(struct np_ctx *c, int col, char *s)
{
  char *colon = s;
  while ((colon = strchr(colon, ':')) && colon[1] && colon[1] != ' ' && colon[1] != '\t') colon++;
  if (!colon) return;
  *colon = 0;
  char k[48];
  scalar(s, k, sizeof k);
  const char *v = colon + 1;
  v += strspn(v, " \t");
  while (c->depth && c->ind[c->depth - 1] >= col) c->depth--;
  if (c->depth == DEPTH) return;
  c->ind[c->depth] = col;
  snprintf(c->key[c->depth], sizeof c->key[0], "%s", k);
  c->depth++;
  on_key(c, k, v);
}

static void np_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct np_ctx *c = vctx;
  int col = (int)strspn(line, " ");
  char *s = line + col;
  if (!*s || *s == '#' || *s == '\t') return;
  if (col == 0 && (!strcmp(s, "---") || !strcmp(s, "..."))) return;
  if (*s != '-' || (s[1] && s[1] != ' ')) {
    key_line(c, col, s);
    return;
  }
  /* a list item: its parent is the nearest key at this column or left of it */
  while (c->depth && c->ind[c->depth - 1] > col) c->depth--;
  char *rest = s + 1 + strspn(s + 1, " ");
  int rcol = col + (int)(rest - s);
  if (in_iface(c, 4) && c->depth == 4 && !strcmp(c->key[3], "routes")) {
    route_done(c);
    if (*rest) key_line(c, rcol, rest);
  } else if (in_iface(c, 4) && c->depth == 4 && !strcmp(c->key[3], "addresses") && !c->i.address[0]) {
    char a[64];
    snprintf(a, sizeof a, "%s", rest);
    char *t = rh_trim(a);
    size_t n = strlen(t);
    if (n && t[n - 1] == ':') t[n - 1] = 0; /* "- 10.0.0.2/24:" (with lifetime options under it) */
    scalar(t, c->i.address, sizeof c->i.address);
  }
}

void rh_netplan_parse(const char *text, const char *file, json_object *arr, json_object *macrules)
{
  struct np_ctx c = {.file = file, .arr = arr, .macrules = macrules};
  char *block = rh_yaml_flow_to_block(text, NULL, NULL, NULL);
  rh_for_each_line(block ? block : text, np_line, &c);
  free(block);
  iface_done(&c);
}
