/* SUSE's wicked (/etc/sysconfig/network): ifcfg-NAME files whose file name
 * is the interface's name, and route files (routes, ifroute-NAME); and
 * RHEL's route files beside its ifcfg files (network-scripts/route-NAME).
 * See net_edits.h. */
#include "net_edits.h"

#include "edits.h"
#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WHY_LLADDR "LLADDR gives the NIC the source's MAC; on the target the NIC has its own " \
                   "(a cloud drops traffic from any other)"
#define WHY_DEFAULT "the default route now comes by DHCP; the source's gateway is not on the " \
                    "target's network"

/* the interface a file is for: what follows PREFIX in its base name ("" if
 * the name does not start with it) */
static const char *file_iface(const char *file, const char *prefix)
{
  const char *b = strrchr(file, '/');
  b = b ? b + 1 : file;
  size_t n = strlen(prefix);
  return strncmp(b, prefix, n) ? "" : b + n;
}

/* FILE with its interface (after PREFIX) replaced by NAME, or NULL when that
 * is FILE already */
static char *renamed_path(const char *file, const char *prefix, const char *name)
{
  const char *iface = file_iface(file, prefix);
  if (!strcmp(iface, name)) return NULL;
  char *p = NULL;
  if (asprintf(&p, "%.*s%s", (int)(iface - file), file, name) < 0) return NULL;
  return p;
}

/* wicked's configuration and backup files it ignores: never renamed */
static bool ignored_name(const char *iface)
{
  static const char *const suffixes[] = {"~", ".old", ".orig", ".bak", ".rpmnew", ".rpmsave",
                                         ".rpmorig", ".save", ".YaST2save", ".scpmbackup", NULL};
  size_t n = strlen(iface);
  for (const char *const *s = suffixes; *s; s++) {
    size_t k = strlen(*s);
    if (n >= k && !strcmp(iface + n - k, *s)) return true;
  }
  return !strcmp(iface, "lo") || !n;
}

/* KEY=..., KEY_x=... or KEYn=... (wicked's numbered and labelled variants) */
static bool var_is(const char *p, const char *key)
{
  size_t n = strlen(key);
  if (strncmp(p, key, n)) return false;
  p += n;
  if (*p == '_' || (*p >= '0' && *p <= '9')) p += strcspn(p, "=");
  return *p == '=';
}

struct wk_edit {
  struct out o;
  const char *file;
  struct rh_nic_map *m;
  json_object *changes;
  bool nic;     /* the file configures a NIC the map names (it is renamed) */
  bool to_dhcp; /* convert its static addressing */
  bool vlan;    /* ... which is a VLAN's over the NIC: it goes, no DHCP */
  bool saw_bootproto;
};

/* VAR='a b' with every NIC word renamed; false when nothing changes */
static bool rename_words(struct wk_edit *c, const char *p, char *with, size_t withsz)
{
  const char *v = rh_net_value_of(p);
  FILE *f = fmemopen(with, withsz, "w");
  if (!f) return false;
  fprintf(f, "%.*s", (int)(v - p), p);
  bool changed = false;
  while (*v) {
    size_t sep = strspn(v, " \t'\"");
    fprintf(f, "%.*s", (int)sep, v);
    v += sep;
    size_t wl = strcspn(v, " \t'\"");
    if (!wl) continue;
    char word[64], to[64];
    snprintf(word, sizeof word, "%.*s", (int)wl, v);
    if (wl < sizeof word && rh_nic_map_rename(c->m, word, true, to, sizeof to) && strcmp(to, word)) {
      fputs(to, f);
      changed = true;
    } else {
      fprintf(f, "%.*s", (int)wl, v);
    }
    v += wl;
  }
  /* fmemopen writes no terminating NUL into a buffer it filled: a value that
   * long is left as it is */
  bool ok = fclose(f) == 0;
  with[withsz - 1] = 0;
  return ok && changed && strlen(with) + 1 < withsz;
}

static void wk_drop(struct wk_edit *c, const char *line, const char *action, const char *why)
{
  rh_net_drop(c->o.f, c->changes, c->file, line, line, action, why);
}

static void wk_replace(struct wk_edit *c, const char *line, const char *with, const char *action,
                       const char *why)
{
  rh_net_replace(c->o.f, c->changes, c->file, line, with, action, why);
}

static void wk_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct wk_edit *c = vctx;
  const char *p = line + strspn(line, " \t");
  static const char *const addressing[] = {"IPADDR", "NETMASK", "PREFIXLEN", "BROADCAST",
                                           "REMOTE_IPADDR", "LABEL", "SCOPE", NULL};
  bool addr = false;
  for (const char *const *k = addressing; *k && !addr; k++) addr = var_is(p, *k);
  char with[512];
  if (*p == '#' || !strchr(p, '=')) {
    fprintf(c->o.f, "%s\n", line);
  } else if (var_is(p, "LLADDR") && c->nic) {
    wk_drop(c, line, "remove-mac-binding", WHY_LLADDR);
  } else if (c->to_dhcp && var_is(p, "BOOTPROTO")) {
    char v[32];
    rh_net_unquote(v, sizeof v, rh_net_value_of(p));
    c->saw_bootproto = true;
    if (c->vlan && strcasecmp(v, "none") && strncasecmp(v, "dhcp", 4))
      wk_replace(c, line, "BOOTPROTO='none'", "network-dhcp", WHY_VLAN);
    else if (!c->vlan && strncasecmp(v, "dhcp", 4))
      wk_replace(c, line, "BOOTPROTO='dhcp'", "network-dhcp", WHY_DHCP);
    else fprintf(c->o.f, "%s\n", line);
  } else if (c->to_dhcp && addr) {
    wk_drop(c, line, "network-dhcp", c->vlan ? WHY_VLAN : WHY_DHCP);
  } else if ((var_is(p, "BONDING_SLAVE") || var_is(p, "BRIDGE_PORTS") ||
              var_is(p, "ETHERDEVICE")) &&
             rename_words(c, p, with, sizeof with)) {
    wk_replace(c, line, with, "network-rename-nic", WHY_NAME);
  } else {
    fprintf(c->o.f, "%s\n", line);
  }
}

/* the first value of KEY (or, with variants, of KEY_x and KEYn too) in a
 * KEY=value text that is not empty, unquoted, into v */
static void var_value(const char *text, const char *key, bool variants, char *v, size_t vsz)
{
  v[0] = 0;
  for (const char *l = text; l && *l && !v[0]; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    l += strspn(l, " \t");
    if (var_is(l, key) && (variants || l[strlen(key)] == '=')) {
      char line[256];
      snprintf(line, sizeof line, "%.*s", (int)strcspn(l, "\n"), l);
      rh_net_unquote(v, vsz, rh_net_value_of(line));
    }
  }
}

/* Does a bond's or bridge's file hold a NIC (BONDING_SLAVE*, BRIDGE_PORTS),
 * or a master of one (a bond in a bridge)? The masters it holds are noted
 * as ports in `ports`, when given. */
static bool ports_name_nic(const char *text, const struct rh_nic_map *m, struct rh_nic_map *ports)
{
  bool found = false;
  for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    l += strspn(l, " \t");
    if (!var_is(l, "BONDING_SLAVE") && !var_is(l, "BRIDGE_PORTS")) continue;
    const char *v = rh_net_value_of(l), *end = v + strcspn(v, "\n");
    while (v < end) {
      v += strspn(v, " \t'\"");
      size_t wl = strcspn(v, " \t'\"\n");
      char word[64];
      if (wl && wl < sizeof word) {
        snprintf(word, sizeof word, "%.*s", (int)wl, v);
        bool master = rh_nic_map_is_master(m, word);
        if (master && ports) rh_net_note_port(ports, word);
        found |= master || rh_nic_map_is_nic(m, word);
      }
      if (!wl) break;
      v += wl;
    }
  }
  return found;
}

/* a bond, bridge or tunnel is not a NIC, whatever its name */
static bool is_virtual(const char *text)
{
  static const char *const virtual[] = {"BONDING_MASTER", "BRIDGE", "TUNNEL", NULL};
  char v[64];
  for (const char *const *k = virtual; *k; k++) {
    var_value(text, *k, false, v, sizeof v);
    if (!strcasecmp(v, "yes") || (!strcmp(*k, "TUNNEL") && v[0])) return true;
  }
  return false;
}

/* a VLAN's ETHERDEVICE, its first word as rename_words reads it */
static void etherdevice(const char *text, char *v, size_t vsz)
{
  var_value(text, "ETHERDEVICE", false, v, vsz);
  v[strcspn(v, " \t'\"")] = 0;
}

void rh_wicked_note_links(struct rh_nic_map *m, const char *text, const char *file)
{
  const char *iface = file_iface(file, "ifcfg-");
  if (ignored_name(iface)) return;
  if (is_virtual(text) && ports_name_nic(text, m, m)) rh_net_note_master(m, iface);
  char lower[64];
  etherdevice(text, lower, sizeof lower);
  if (rh_net_over_nic(m, lower)) rh_net_note_lower(m, lower);
}

char *rh_wicked_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                        json_object *changes, char **newpath)
{
  *newpath = NULL;
  const char *iface = file_iface(file, "ifcfg-");
  if (ignored_name(iface)) return strdup(text);
  char to[64] = "";
  bool virt = is_virtual(text);
  char vlan[64];
  etherdevice(text, vlan, sizeof vlan);
  struct wk_edit c = {.file = file, .m = m, .changes = changes};
  if (!virt && strlen(iface) < 48)
    c.nic = rh_nic_map_rename(m, iface, true, to, sizeof to);
  /* a NIC's own addressing, or its bond's or bridge's (the NIC, a port,
   * has none: BOOTPROTO none, no address, and stays as it is, unless a
   * VLAN is over it); a VLAN's over them goes */
  char proto[32], addr[64];
  var_value(text, "BOOTPROTO", false, proto, sizeof proto);
  var_value(text, "IPADDR", true, addr, sizeof addr);
  /* a bond in a bridge is a port: the bridge gets the addressing */
  bool nic_master = virt && ports_name_nic(text, m, NULL) && !rh_nic_map_is_port(m, iface);
  c.vlan = vlan[0] && rh_net_over_nic(m, vlan);
  c.to_dhcp = to_dhcp && (c.vlan || ((c.nic || nic_master) && !vlan[0] &&
                                     (!strcasecmp(proto, "static") || addr[0] ||
                                      rh_nic_map_is_lower(m, iface))));
  if (!rh_net_out_open(&c.o)) return NULL;
  rh_for_each_line(text, wk_line, &c);
  if (c.to_dhcp && !c.vlan && !c.saw_bootproto)
    wk_replace(&c, "", "BOOTPROTO='dhcp'", "network-dhcp", WHY_DHCP);
  char *out = rh_net_out_done(&c.o);
  if (out && c.nic && (*newpath = renamed_path(file, "ifcfg-", to)))
    rh_change(changes, file, "network-rename-nic", file, *newpath, WHY_NAME);
  return out;
}

/* a route's destination (its first LEN bytes at P) that is IPv4's default */
static bool default_dest(const char *p, size_t len)
{
  return (len == 7 && !strncmp(p, "default", 7)) || (len == 9 && !strncmp(p, "0.0.0.0/0", 9));
}

struct rt_edit {
  struct out o;
  const char *file;
  struct rh_nic_map *m;
  json_object *changes;
  bool to_dhcp;
};

static void rt_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct rt_edit *c = vctx;
  const char *p = line + strspn(line, " \t");
  if (!*p || *p == '#') {
    fprintf(c->o.f, "%s\n", line);
    return;
  }
  /* DESTINATION GATEWAY NETMASK INTERFACE [TYPE] [OPTIONS] */
  const char *col[4] = {0};
  size_t len[4] = {0};
  const char *q = p;
  for (int i = 0; i < 4 && *q; i++) {
    col[i] = q;
    len[i] = strcspn(q, " \t");
    q += len[i];
    q += strspn(q, " \t");
  }
  bool dflt = default_dest(col[0], len[0]) ||
              (len[0] == 7 && !strncmp(col[0], "0.0.0.0", 7) && len[2] == 7 &&
               !strncmp(col[2], "0.0.0.0", 7));
  char name[64], to[64];
  if (c->to_dhcp && dflt) {
    rh_net_drop(c->o.f, c->changes, c->file, line, line, "network-dhcp", WHY_DEFAULT);
  } else if (col[3] && len[3] < sizeof name &&
             (snprintf(name, sizeof name, "%.*s", (int)len[3], col[3]), 1) &&
             rh_nic_map_rename(c->m, name, false, to, sizeof to) && strcmp(name, to)) {
    char *with = NULL;
    if (asprintf(&with, "%.*s%s%s", (int)(col[3] - line), line, to, col[3] + len[3]) < 0) {
      fprintf(c->o.f, "%s\n", line);
      return;
    }
    fprintf(c->o.f, "%s\n", with);
    rh_change(c->changes, c->file, "network-rename-nic", line, with, WHY_NAME);
    free(with);
  } else {
    fprintf(c->o.f, "%s\n", line);
  }
}

char *rh_wicked_routes_rewrite(const char *text, const char *file, bool to_dhcp,
                               struct rh_nic_map *m, json_object *changes, char **newpath)
{
  *newpath = NULL;
  const char *b = strrchr(file, '/');
  const char *iface = file_iface(file, "ifroute-");
  if (strcmp(b ? b + 1 : file, "routes") && ignored_name(iface)) return strdup(text);
  struct rt_edit c = {.file = file, .m = m, .changes = changes, .to_dhcp = to_dhcp};
  if (!rh_net_out_open(&c.o)) return NULL;
  rh_for_each_line(text, rt_line, &c);
  char *out = rh_net_out_done(&c.o);
  char to[64];
  if (out && iface[0] && strlen(iface) < 48 && rh_nic_map_rename(m, iface, false, to, sizeof to) &&
      (*newpath = renamed_path(file, "ifroute-", to)))
    rh_change(changes, file, "network-rename-nic", file, *newpath, WHY_NAME);
  return out;
}

/* ---- RHEL: network-scripts/route-NAME, route6-NAME ---- */

static void ip_rt_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct rt_edit *c = vctx;
  const char *p = line + strspn(line, " \t");
  size_t first = strcspn(p, " \t");
  /* c->to_dhcp is set for route- files only: route6- defaults are IPv6's */
  bool dflt = default_dest(p, first);
  if (!*p || *p == '#' || strchr(p, '=')) { /* the ADDRESSn= form: no NIC named */
    fprintf(c->o.f, "%s\n", line);
    return;
  }
  if (c->to_dhcp && dflt) {
    rh_net_drop(c->o.f, c->changes, c->file, line, line, "network-dhcp", WHY_DEFAULT);
    return;
  }
  for (const char *q = p; *q; q += strspn(q, " \t")) {
    size_t tl = strcspn(q, " \t");
    if (tl != 3 || strncmp(q, "dev", 3)) {
      q += tl;
      continue;
    }
    const char *n = q + 3 + strspn(q + 3, " \t");
    size_t nl = strcspn(n, " \t");
    char name[64], to[64], *with = NULL;
    if (nl && nl < sizeof name && (snprintf(name, sizeof name, "%.*s", (int)nl, n), 1) &&
        rh_nic_map_rename(c->m, name, false, to, sizeof to) && strcmp(name, to) &&
        asprintf(&with, "%.*s%s%s", (int)(n - line), line, to, n + nl) >= 0) {
      fprintf(c->o.f, "%s\n", with);
      rh_change(c->changes, c->file, "network-rename-nic", line, with, WHY_NAME);
      free(with);
      return;
    }
    break;
  }
  fprintf(c->o.f, "%s\n", line);
}

char *rh_ifcfg_routes_rewrite(const char *text, const char *file, bool to_dhcp,
                              struct rh_nic_map *m, json_object *changes)
{
  const char *v4 = file_iface(file, "route-"), *v6 = file_iface(file, "route6-");
  if (ignored_name(v4[0] ? v4 : v6)) return strdup(text);
  struct rt_edit c = {.file = file, .m = m, .changes = changes, .to_dhcp = to_dhcp && v4[0]};
  if (!rh_net_out_open(&c.o)) return NULL;
  rh_for_each_line(text, ip_rt_line, &c);
  return rh_net_out_done(&c.o);
}
