#include "net_edits.h"

#include "edits.h"
#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- output ---- */

bool rh_net_out_open(struct out *o)
{
  o->s = NULL;
  o->f = open_memstream(&o->s, &o->len);
  return o->f != NULL;
}

char *rh_net_out_done(struct out *o)
{
  if (!o->f) return NULL;
  if (fclose(o->f) != 0) {
    free(o->s);
    return NULL;
  }
  return o->s;
}

char *rh_net_out_done_unless(struct out *o, bool failed)
{
  char *res = rh_net_out_done(o);
  if (!failed) return res;
  free(res);
  return NULL;
}

bool rh_net_key_is(const char *p, const char *key)
{
  size_t n = strlen(key);
  if (strncasecmp(p, key, n)) return false;
  p += n;
  while (*p == ' ' || *p == '\t') p++;
  return *p == '=';
}

const char *rh_net_value_of(const char *p)
{
  const char *v = strchr(p, '=');
  if (!v) return "";
  v++;
  while (*v == ' ' || *v == '\t') v++;
  return v;
}

void rh_net_section(char *dst, size_t dstsz, const char *p)
{
  snprintf(dst, dstsz, "%.*s", (int)strcspn(p + 1, "]"), p + 1);
}

void rh_net_drop(FILE *f, json_object *changes, const char *file, const char *line,
                 const char *shown, const char *action, const char *why)
{
  fprintf(f, REMOVED "%s\n", line);
  rh_change(changes, file, action, shown, NULL, why);
}

void rh_net_replace(FILE *f, json_object *changes, const char *file, const char *shown,
                    const char *with, const char *action, const char *why)
{
  fprintf(f, "%s\n", with);
  rh_change(changes, file, action, shown, with, why);
}

void rh_net_unquote(char *dst, size_t dstsz, const char *v)
{
  if (*v == '"' || *v == '\'') {
    char q = *v++;
    size_t n = strcspn(v, (char[]){q, 0});
    snprintf(dst, dstsz, "%.*s", (int)n, v);
  } else {
    snprintf(dst, dstsz, "%.*s", (int)strcspn(v, " \t#"), v);
  }
}

enum rh_nm_role rh_nm_setting_role(const char *section, size_t seclen, const char *key,
                                   size_t keylen)
{
  char sec[32], k[64];
  if (seclen >= sizeof sec || keylen >= sizeof k) return RH_NM_OTHER;
  snprintf(sec, sizeof sec, "%.*s", (int)seclen, section);
  snprintf(k, sizeof k, "%.*s", (int)keylen, key);
  size_t n = keylen;
  if (n > 8 && !strcasecmp(k + n - 8, "_options")) k[n -= 8] = 0;
  while (n && isdigit((unsigned char)k[n - 1])) k[--n] = 0;
  if (!strcasecmp(sec, "connection") && !strcasecmp(k, "interface-name")) return RH_NM_IFNAME;
  if ((!strcasecmp(sec, "ethernet") || !strcasecmp(sec, "802-3-ethernet")) &&
      !strcasecmp(k, "mac-address"))
    return RH_NM_MAC;
  bool v6 = !strcasecmp(sec, "ipv6");
  if (!v6 && strcasecmp(sec, "ipv4")) return RH_NM_OTHER;
  if (!strcasecmp(k, "method")) return v6 ? RH_NM_METHOD6 : RH_NM_METHOD;
  static const char *const addressing[] = {"address", "addresses", "gateway", "route", "routes", NULL};
  for (const char *const *a = addressing; *a; a++)
    if (!strcasecmp(k, *a)) return v6 ? RH_NM_ADDRESSING6 : RH_NM_ADDRESSING;
  return RH_NM_OTHER;
}

/* ---- ifupdown: names ---- */

struct ifup_ren {
  struct out o;
  const char *file;
  struct rh_nic_map *m;
  json_object *changes;
};

static bool names_interfaces(const char *p)
{
  static const char *const keys[] = {"auto",           "iface",           "bridge_ports",
                                     "bridge-ports",   "bond-slaves",     "bond_slaves",
                                     "vlan-raw-device", "vlan_raw_device", "bond-primary",
                                     "bond-master",    NULL};
  if (!strncmp(p, "allow-", 6)) return true;
  for (const char *const *k = keys; *k; k++) {
    size_t n = strlen(*k);
    if (!strncmp(p, *k, n) && (p[n] == ' ' || p[n] == '\t')) return true;
  }
  return false;
}

/* the NIC names on a line that names interfaces: "ens192.100" -> "eth0.100"
 * (VLANs and aliases keep their suffix); every other byte is copied as it is */
static void ifup_ren_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct ifup_ren *c = vctx;
  const char *p = line + strspn(line, " \t");
  char *out = NULL;
  size_t outlen = 0;
  FILE *f = *p == '#' || !names_interfaces(p) ? NULL : open_memstream(&out, &outlen);
  if (!f) {
    fprintf(c->o.f, "%s\n", line);
    return;
  }
  bool iface = !strncmp(p, "iface", 5);
  fwrite(line, 1, (size_t)(p - line), f);
  int word = 0;
  for (const char *s = p; *s;) {
    size_t sp = strspn(s, " \t"), wl = strcspn(s + sp, " \t");
    fwrite(s, 1, sp, f);
    s += sp;
    if (!wl) break;
    /* "iface NAME inet ...": only the second word names a NIC */
    char *w = word == 0 || (iface && word > 1) ? NULL : strndup(s, wl);
    const char *n = w && rh_nic_map_is_nic(c->m, w) ? rh_nic_map_name(c->m, w, NULL) : NULL;
    if (n) fprintf(f, "%s%s", n, w + strcspn(w, ".:"));
    else fwrite(s, 1, wl, f);
    free(w);
    s += wl;
    word++;
  }
  if (fclose(f) != 0 || !out) {
    free(out);
    fprintf(c->o.f, "%s\n", line);
    return;
  }
  bool changed = strcmp(out, line) != 0;
  if (changed) rh_change(c->changes, c->file, "network-rename-nic", p, out + (p - line), WHY_NAME);
  fprintf(c->o.f, "%s\n", out);
  free(out);
}

char *rh_ifupdown_rename(const char *text, const char *file, struct rh_nic_map *m,
                         json_object *changes)
{
  struct ifup_ren c = {.file = file, .m = m, .changes = changes};
  if (!rh_net_out_open(&c.o)) return NULL;
  rh_for_each_line(text, ifup_ren_line, &c);
  return rh_net_out_done(&c.o);
}

/* ---- INI-style files (networkd, NetworkManager keyfiles, ifcfg) ---- */

/* The first pass: which NIC does the file bind, by name and by MAC. */
struct ini_scan {
  const char *name_section, *name_key, *mac_section, *mac_key, *type_section, *type_key;
  char section[64], name[64], mac[64], type[64];
  char names[256]; /* the whole of the name key's value (networkd: a list of globs) */
  bool names_cut;   /* ... which did not fit in names */
};

static void ini_scan_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct ini_scan *s = vctx;
  char *p = rh_trim(line);
  if (*p == '[') {
    rh_net_section(s->section, sizeof s->section, p);
    return;
  }
  const struct {
    const char *sec, *key;
    char *dst;
  } want[] = {{s->name_section, s->name_key, s->name},
              {s->mac_section, s->mac_key, s->mac},
              {s->type_section, s->type_key, s->type}};
  for (size_t i = 0; i < 3; i++)
    if (want[i].key && !want[i].dst[0] && (!want[i].sec || !strcasecmp(s->section, want[i].sec)) &&
        rh_net_key_is(p, want[i].key)) {
      rh_net_unquote(want[i].dst, 64, rh_net_value_of(p));
      if (i == 0)
        s->names_cut = (size_t)snprintf(s->names, sizeof s->names, "%s", rh_net_value_of(p)) >=
                       sizeof s->names;
    }
}

struct ini_edit {
  struct out o;
  const char *file;
  bool to_dhcp;
  const char *newname; /* ethN, or NULL: the file names no physical NIC */
  bool applies;        /* no name, but it applies to the NIC (a glob, a type) */
  bool master;         /* a bond's or bridge's over the NIC: dhcp edits only */
  bool vlan;           /* a VLAN's over the NIC: with dhcp its addressing goes, no DHCP */
  struct rh_nic_map *m;
  const char *widen;   /* the name globs (networkd's Name=, NetworkManager's [match]
                          interface-name=) to widen to ethN; or NULL */
  bool hw_to_type;     /* networkd bound by Driver=/Path= alone: Type=ether instead */
  char section[64];
  bool saw_dhcp, dhcp_added, match_done; /* match_done: [Match] or DEVICE= written */
  bool static6;        /* networkd: an IPv6 Address= or Gateway= (static IPv6) */
  json_object *changes;
  enum ini_kind { NETWORKD, KEYFILE, IFCFG } kind;
};

static void drop(struct ini_edit *c, const char *line, const char *action, const char *why)
{
  rh_net_drop(c->o.f, c->changes, c->file, line, line, action, why);
}

static void replace(struct ini_edit *c, const char *line, const char *with, const char *action,
                    const char *why)
{
  rh_net_replace(c->o.f, c->changes, c->file, line, with, action, why);
}

static bool key_in(const char *p, const char *const *keys)
{
  for (; *keys; keys++) {
    size_t n = strlen(*keys);
    /* a trailing digit run is allowed: address1=, IPADDR0=, PREFIX2= */
    if (strncasecmp(p, *keys, n)) continue;
    const char *q = p + n;
    while (isdigit((unsigned char)*q)) q++;
    while (*q == ' ' || *q == '\t') q++;
    if (*q == '=') return true;
  }
  return false;
}

/* End of a section: what a dhcp target still lacks. */
static void ini_section_end(struct ini_edit *c)
{
  if (!c->to_dhcp || c->vlan || !(c->newname || c->applies || c->master) || c->saw_dhcp ||
      c->dhcp_added)
    return;
  if (c->kind == NETWORKD && !strcasecmp(c->section, "Network")) {
    replace(c, "", "DHCP=yes", "network-dhcp", WHY_DHCP);
    c->dhcp_added = true;
  }
}

static void ini_edit_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct ini_edit *c = vctx;
  char *copy = strdup(line);
  char *p = copy ? rh_trim(copy) : line;
  if (*p == '[') {
    ini_section_end(c);
    rh_net_section(c->section, sizeof c->section, p);
  }
  const char *sec = c->section;
  char with[320];
  /* with dhcp, a VLAN's addressing goes and it asks for nothing instead */
  const char *why_dhcp = c->vlan ? WHY_VLAN : WHY_DHCP;
  if (!(c->newname || c->applies || c->master || c->vlan) || *p == '#' || *p == ';' || !*p) {
    fprintf(c->o.f, "%s\n", line);
  } else if (c->kind == NETWORKD) {
    static const char *const match_keys[] = {"Name",   "MACAddress", "PermanentMACAddress",
                                             "OriginalName", "Driver", "Path", NULL};
    static const char *const hw_keys[] = {"Driver", "Path", NULL};
    static const char *const addr_keys[] = {"Address", "Gateway", NULL};
    bool match = !strcasecmp(sec, "Match");
    if (!c->newname && c->widen && match && rh_net_key_is(p, "Name")) {
      snprintf(with, sizeof with, "Name=%s eth*", c->widen);
      replace(c, p, with, "network-match-nic", WHY_GLOB);
      c->widen = NULL; /* one is enough: networkd merges its Name= lists */
    } else if (!c->newname && match && key_in(p, hw_keys)) {
      if (c->hw_to_type) replace(c, p, "Type=ether", "network-match-nic", WHY_HW);
      else drop(c, p, "network-match-nic", WHY_HW);
      c->hw_to_type = false;
    } else if (c->newname && match && key_in(p, match_keys)) {
      if (!c->match_done) {
        snprintf(with, sizeof with, c->to_dhcp ? "Type=ether" : "Name=%s", c->newname);
        replace(c, p, with, "network-match-nic", c->to_dhcp ? WHY_DHCP : WHY_NAME);
        c->match_done = true;
        free(copy);
        return;
      }
      drop(c, p, "network-match-nic", WHY_MAC);
    } else if (c->to_dhcp && !strcasecmp(sec, "Network") && key_in(p, addr_keys)) {
      drop(c, p, "network-dhcp", why_dhcp);
    } else if (c->to_dhcp && c->static6 && !c->vlan && !strcasecmp(sec, "Network") &&
               rh_net_key_is(p, "IPv6AcceptRA")) {
      /* part of the static IPv6 that goes: router advertisements configure it now */
      drop(c, p, "network-dhcp", WHY_DHCP6);
    } else if (c->to_dhcp && !c->vlan && !strcasecmp(sec, "Network") && rh_net_key_is(p, "DHCP")) {
      c->saw_dhcp = true;
      if (strcasecmp(rh_net_value_of(p), "yes") && strcasecmp(rh_net_value_of(p), "ipv4"))
        replace(c, p, "DHCP=yes", "network-dhcp", WHY_DHCP);
      else fprintf(c->o.f, "%s\n", line);
    } else if (c->to_dhcp && (!strcasecmp(sec, "Address") || !strcasecmp(sec, "Route"))) {
      drop(c, p, "network-dhcp", why_dhcp);
    } else {
      fprintf(c->o.f, "%s\n", line);
    }
  } else if (c->kind == KEYFILE) {
    size_t kl = strcspn(p, "= \t");
    enum rh_nm_role role = p[kl + strspn(p + kl, " \t")] == '='
                               ? rh_nm_setting_role(sec, strlen(sec), p, kl)
                               : RH_NM_OTHER;
    if (c->widen && !strcasecmp(sec, "match") && rh_net_key_is(p, "interface-name")) {
      size_t n = strlen(c->widen);
      while (n && (c->widen[n - 1] == ' ' || c->widen[n - 1] == '\t')) n--;
      snprintf(with, sizeof with, "interface-name=%.*s%seth*%s", (int)n, c->widen,
               n && c->widen[n - 1] == ';' ? "" : ";", n && c->widen[n - 1] == ';' ? ";" : "");
      replace(c, p, with, "network-match-nic", WHY_GLOB);
      c->widen = NULL;
    } else if (!strcasecmp(sec, "match") && (rh_net_key_is(p, "driver") || rh_net_key_is(p, "path"))) {
      drop(c, p, "network-match-nic", WHY_HW);
    } else if (role == RH_NM_IFNAME && c->newname) {
      if (c->to_dhcp) drop(c, p, "network-match-nic", WHY_DHCP);
      else {
        snprintf(with, sizeof with, "interface-name=%s", c->newname);
        replace(c, p, with, "network-rename-nic", WHY_NAME);
      }
    } else if (role == RH_NM_MAC) {
      drop(c, p, "remove-mac-binding", WHY_MAC);
    } else if (c->vlan && !strcasecmp(sec, "vlan") && rh_net_key_is(p, "parent")) {
      char v[64], to[96];
      rh_net_unquote(v, sizeof v, rh_net_value_of(p));
      if (rh_nic_map_rename(c->m, v, true, to, sizeof to) && strcmp(to, v)) {
        snprintf(with, sizeof with, "parent=%s", to);
        replace(c, p, with, "network-rename-nic", WHY_NAME);
      } else {
        fprintf(c->o.f, "%s\n", line);
      }
    } else if (c->vlan && c->to_dhcp && role == RH_NM_METHOD) {
      /* manual needs an address: none is left */
      if (!strcmp(rh_net_value_of(p), "manual")) replace(c, p, "method=disabled", "network-dhcp", WHY_VLAN);
      else fprintf(c->o.f, "%s\n", line);
    } else if (c->vlan && !c->to_dhcp) {
      fprintf(c->o.f, "%s\n", line);
    } else if (c->to_dhcp && role == RH_NM_METHOD) {
      if (strcmp(rh_net_value_of(p), "auto")) replace(c, p, "method=auto", "network-dhcp", WHY_DHCP);
      else fprintf(c->o.f, "%s\n", line);
    } else if (c->to_dhcp && role == RH_NM_METHOD6 && !strcmp(rh_net_value_of(p), "manual")) {
      /* the source network's IPv6 address and routes go too: router
       * advertisements (and DHCPv6) configure it, or nothing does; an
       * IPv6 method the owner chose otherwise (ignore, disabled) stays */
      replace(c, p, c->vlan ? "method=ignore" : "method=auto", "network-dhcp", c->vlan ? WHY_VLAN : WHY_DHCP6);
    } else if (c->to_dhcp && (role == RH_NM_ADDRESSING || role == RH_NM_ADDRESSING6)) {
      drop(c, p, "network-dhcp", why_dhcp);
    } else {
      fprintf(c->o.f, "%s\n", line);
    }
  } else { /* IFCFG */
    static const char *const addr_keys[] = {"IPADDR", "PREFIX", "NETMASK", "GATEWAY", NULL};
    static const char *const addr6_keys[] = {"IPV6ADDR", "IPV6ADDR_SECONDARIES", "IPV6_DEFAULTGW", NULL};
    if (rh_net_key_is(p, "DEVICE") && !c->newname) { /* a master keeps its name */
      fprintf(c->o.f, "%s\n", line);
      c->match_done = true;
    } else if (rh_net_key_is(p, "DEVICE")) {
      char v[64];
      rh_net_unquote(v, sizeof v, rh_net_value_of(p));
      snprintf(with, sizeof with, "DEVICE=%s", c->newname);
      if (strcmp(v, c->newname)) replace(c, p, with, "network-rename-nic", WHY_NAME);
      else fprintf(c->o.f, "%s\n", line);
      c->match_done = true;
    } else if (rh_net_key_is(p, "HWADDR")) {
      drop(c, p, "remove-mac-binding", WHY_MAC);
    } else if (rh_net_key_is(p, "PHYSDEV")) { /* a VLAN's lower device (a VLAN too: QinQ) */
      char v[64], to[96];
      rh_net_unquote(v, sizeof v, rh_net_value_of(p));
      if (rh_nic_map_rename(c->m, v, true, to, sizeof to) && strcmp(to, v)) {
        snprintf(with, sizeof with, "PHYSDEV=%s", to);
        replace(c, p, with, "network-rename-nic", WHY_NAME);
      } else {
        fprintf(c->o.f, "%s\n", line);
      }
    } else if (c->to_dhcp && rh_net_key_is(p, "BOOTPROTO")) {
      char v[32];
      rh_net_unquote(v, sizeof v, rh_net_value_of(p));
      const char *want = c->vlan ? "none" : "dhcp";
      snprintf(with, sizeof with, "BOOTPROTO=%s", want);
      if (strcasecmp(v, want) && !(c->vlan && !strcasecmp(v, "dhcp")))
        replace(c, p, with, "network-dhcp", why_dhcp);
      else fprintf(c->o.f, "%s\n", line);
      c->saw_dhcp = true;
    } else if (c->to_dhcp && key_in(p, addr_keys)) {
      drop(c, p, "network-dhcp", why_dhcp);
    } else if (c->to_dhcp && key_in(p, addr6_keys)) {
      drop(c, p, "network-dhcp", c->vlan ? WHY_VLAN : WHY_DHCP6);
    } else if (c->to_dhcp && !c->vlan && rh_net_key_is(p, "IPV6_AUTOCONF")) {
      char v[16];
      rh_net_unquote(v, sizeof v, rh_net_value_of(p));
      if (strcasecmp(v, "yes")) replace(c, p, "IPV6_AUTOCONF=yes", "network-dhcp", WHY_DHCP6);
      else fprintf(c->o.f, "%s\n", line);
    } else {
      fprintf(c->o.f, "%s\n", line);
    }
  }
  free(copy);
}

/* how a file binds the NIC: newname (ethN) when it names it; else applies
 * when it is for Ethernet NICs without naming one, widen its name globs when
 * they would not match ethN */
struct ini_bind {
  const char *newname;
  bool applies;
  const char *widen;
  bool hw_to_type;
  bool master; /* no NIC's: a bond or bridge over one (ifcfg) */
  bool vlan;   /* a VLAN's over the NIC (or a master of it) */
};

/* a static IPv6 address or gateway (an IPv6 one has a colon) */
static void static6_line(char *line, int lineno, void *found)
{
  (void)lineno;
  const char *p = rh_trim(line);
  if ((rh_net_key_is(p, "Address") || rh_net_key_is(p, "Gateway")) && strchr(p, ':')) *(bool *)found = true;
}

static char *ini_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                         json_object *changes, enum ini_kind kind, struct ini_bind b)
{
  struct ini_edit c = {.file = file, .to_dhcp = to_dhcp, .newname = b.newname,
                       .applies = !b.newname && b.applies, .master = !b.newname && b.master,
                       .vlan = b.vlan, .m = m, .widen = b.widen,
                       .hw_to_type = !b.newname && b.hw_to_type, .changes = changes, .kind = kind};
  const char *newname = b.newname;
  if (!rh_net_out_open(&c.o)) return NULL;
  if (kind == NETWORKD && to_dhcp) rh_for_each_line(text, static6_line, &c.static6);
  rh_for_each_line(text, ini_edit_line, &c);
  ini_section_end(&c);
  if ((newname || c.applies || c.master) && !c.vlan && kind == NETWORKD && to_dhcp &&
      !c.dhcp_added && !c.saw_dhcp) {
    fprintf(c.o.f, "\n[Network]\n");
    replace(&c, "", "DHCP=yes", "network-dhcp", WHY_DHCP);
  }
  if (newname && kind == IFCFG && !c.match_done) {
    char with[64];
    snprintf(with, sizeof with, "DEVICE=%s", newname);
    replace(&c, "", with, "network-rename-nic", WHY_NAME);
  }
  if ((newname || c.master) && !c.vlan && kind == IFCFG && to_dhcp && !c.saw_dhcp)
    replace(&c, "", "BOOTPROTO=dhcp", "network-dhcp", WHY_DHCP);
  return rh_net_out_done(&c.o);
}

/* A list of name globs (networkd's "en* wl*", NetworkManager's "ens*;eth*;"):
 * RH_GLOB_ETH when one of them matches ethN already, else RH_GLOB_SOURCE when
 * one matches the source's kind of names. A negated list or element (!, and
 * NetworkManager's mandatory &) is not for widening: none. */
static enum rh_nic_glob glob_list_kind(const char *list, const char *seps)
{
  enum rh_nic_glob g = RH_GLOB_NONE;
  char *copy = strdup(list), *save = NULL;
  for (char *w = copy ? strtok_r(copy, seps, &save) : NULL; w; w = strtok_r(NULL, seps, &save)) {
    if (*w == '!' || *w == '&') {
      g = RH_GLOB_NONE;
      break;
    }
    enum rh_nic_glob k = rh_nic_glob_kind(w + (*w == '|'));
    if (k == RH_GLOB_ETH || (k == RH_GLOB_SOURCE && g == RH_GLOB_NONE)) g = k;
  }
  free(copy);
  return g;
}

/* The name globs to widen with eth*, or NULL. A list too long to read whole
 * is not rewritten (that would cut it): it is left as it is, and said. */
static const char *widen_list(const struct ini_scan *s, enum rh_nic_glob g, const char *file,
                              json_object *changes)
{
  if (g != RH_GLOB_SOURCE) return NULL;
  if (!s->names_cut) return s->names;
  rh_change(changes, file, "network-unhandled", NULL, NULL,
            "its list of NIC names is too long to rewrite: left as it is, it may not match "
            "the NIC's new name (ethN); edit it by hand");
  return NULL;
}

static const char *bound_nic(struct rh_nic_map *m, const struct ini_scan *s)
{
  const char *name = rh_nic_map_is_nic(m, s->name) ? s->name : NULL;
  if (!name && !s->mac[0]) return NULL;
  /* networkd's Name= may list several names: the first is the NIC */
  char first[64];
  if (name) {
    snprintf(first, sizeof first, "%.*s", (int)strcspn(name, " \t"), name);
    name = first;
  }
  return rh_nic_map_name(m, name, s->mac[0] ? s->mac : NULL);
}

char *rh_networkd_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                          json_object *changes)
{
  struct ini_scan s = {.name_section = "Match", .name_key = "Name", .mac_section = "Match",
                       .mac_key = "MACAddress", .type_section = "Match", .type_key = "Type"};
  rh_for_each_line(text, ini_scan_line, &s);
  if (!s.mac[0]) {
    struct ini_scan s2 = {.mac_section = "Match", .mac_key = "PermanentMACAddress"};
    rh_for_each_line(text, ini_scan_line, &s2);
    memcpy(s.mac, s2.mac, sizeof s.mac);
  }
  struct ini_bind b = {.newname = bound_nic(m, &s)};
  if (!b.newname && !s.mac[0]) {
    /* Name= is a list of globs ("en* wl*"); "Type=ether" alone applies to
     * every Ethernet NIC */
    enum rh_nic_glob g = glob_list_kind(s.names, " \t");
    /* Driver= and Path= bind the source's hardware: with no name, no MAC
     * and no type, the file is for that kind of NIC, any Ethernet now */
    struct ini_scan hw = {.name_section = "Match", .name_key = "Driver", .mac_section = "Match",
                          .mac_key = "Path"};
    rh_for_each_line(text, ini_scan_line, &hw);
    b.hw_to_type = (hw.name[0] || hw.mac[0]) && !s.names[0] && !s.type[0];
    b.applies = g != RH_GLOB_NONE || (!s.names[0] && !strcasecmp(s.type, "ether")) || b.hw_to_type;
    b.widen = widen_list(&s, g, file, changes);
    if (b.applies) m->hits++;
  }
  /* a port (Bond=, Bridge=) has no addressing of its own; a master of a
   * NIC gets the NIC's */
  struct ini_scan port = {.name_section = "Network", .name_key = "Bond",
                          .mac_section = "Network", .mac_key = "Bridge"};
  rh_for_each_line(text, ini_scan_line, &port);
  char first[64];
  snprintf(first, sizeof first, "%.*s", (int)strcspn(s.name, " \t"), s.name);
  b.master = !b.newname && !b.applies && rh_nic_map_is_master(m, first);
  /* a bond in a bridge is a port too: the bridge gets the addressing */
  bool enslaved = (b.newname || b.applies || b.master) && (port.name[0] || port.mac[0]);
  b.vlan = !b.newname && !b.applies && !b.master && rh_nic_map_is_vlan(m, first);
  return ini_rewrite(text, file, to_dhcp && !enslaved, m, changes, NETWORKD, b);
}

char *rh_nm_keyfile_rewrite(const char *text, const char *file, bool to_dhcp,
                            struct rh_nic_map *m, json_object *changes)
{
  struct ini_scan s = {.name_section = "connection", .name_key = "interface-name",
                       .mac_section = NULL, .mac_key = "mac-address",
                       .type_section = "connection", .type_key = "type"};
  rh_for_each_line(text, ini_scan_line, &s);
  bool ethernet = !strcmp(s.type, "ethernet") || !strcmp(s.type, "802-3-ethernet");
  /* NetworkManager 1.14+: [match] interface-name= globs, beside or instead of
   * connection.interface-name */
  struct ini_scan ms = {.name_section = "match", .name_key = "interface-name"};
  rh_for_each_line(text, ini_scan_line, &ms);
  enum rh_nic_glob g = glob_list_kind(ms.names, ";");
  /* a profile that names no NIC applies to any Ethernet NIC its match allows */
  struct ini_bind b = {.newname = ethernet ? bound_nic(m, &s) : NULL,
                       .applies = ethernet && !s.name[0] && !s.mac[0] &&
                                  (!ms.names[0] || g != RH_GLOB_NONE),
                       .widen = ethernet ? widen_list(&ms, g, file, changes) : NULL};
  if (b.applies) m->hits++;
  /* a port (master= or controller=) has no addressing of its own; a
   * master of a NIC, named by interface, UUID or id, gets the NIC's */
  struct ini_scan port = {.name_section = "connection", .name_key = "master",
                          .mac_section = "connection", .mac_key = "controller",
                          .type_section = "connection", .type_key = "uuid"};
  rh_for_each_line(text, ini_scan_line, &port);
  struct ini_scan id = {.name_section = "connection", .name_key = "id"};
  rh_for_each_line(text, ini_scan_line, &id);
  b.master = !b.newname && !b.applies &&
             (rh_nic_map_is_master(m, s.name) || rh_nic_map_is_master(m, port.type) ||
              rh_nic_map_is_master(m, id.name));
  bool enslaved = (b.newname || b.applies || b.master) && (port.name[0] || port.mac[0]);
  /* a VLAN: its parent= renamed with the NIC, and with dhcp its addressing
   * goes when it is over the NIC */
  struct ini_scan vl = {.name_section = "vlan", .name_key = "parent"};
  if (!strcmp(s.type, "vlan")) rh_for_each_line(text, ini_scan_line, &vl);
  b.vlan = !strcmp(s.type, "vlan");
  return ini_rewrite(text, file, to_dhcp && !enslaved && (!b.vlan || rh_net_over_nic(m, vl.name)), m,
                     changes, KEYFILE, b);
}

char *rh_ifcfg_rewrite(const char *text, const char *file, bool to_dhcp, struct rh_nic_map *m,
                       json_object *changes)
{
  struct ini_scan s = {.name_key = "DEVICE", .mac_key = "HWADDR", .type_key = "TYPE"};
  rh_for_each_line(text, ini_scan_line, &s);
  if (!s.name[0]) { /* ifcfg-NAME */
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    if (!strncmp(b, "ifcfg-", 6)) snprintf(s.name, sizeof s.name, "%s", b + 6);
  }
  /* a VLAN (VLAN=yes, or NetworkManager's TYPE=Vlan) over PHYSDEV, or the
   * device its DEVICE names (ens192.100) */
  struct ini_scan vl = {.name_key = "VLAN", .mac_key = "PHYSDEV"};
  rh_for_each_line(text, ini_scan_line, &vl);
  bool vlan = !strcasecmp(vl.name, "yes") || !strcasecmp(s.type, "Vlan");
  char lower[64];
  snprintf(lower, sizeof lower, "%.*s", vl.mac[0] ? (int)sizeof lower : (int)strcspn(s.name, "."),
           vl.mac[0] ? vl.mac : s.name);
  bool ethernet = !s.type[0] || !strcasecmp(s.type, "Ethernet");
  const char *n = ethernet || vlan ? bound_nic(m, &s) : NULL;
  /* the NIC's name, and a VLAN's tag or an alias's label after it */
  char named[64];
  if (n && rh_nic_map_is_nic(m, s.name)) {
    snprintf(named, sizeof named, "%s%s", n, s.name + strcspn(s.name, ".:"));
    n = named;
  }
  /* a NIC in a bond or bridge has no addresses of its own to convert */
  struct ini_scan port = {.name_key = "MASTER", .mac_key = "BRIDGE"};
  rh_for_each_line(text, ini_scan_line, &port);
  bool master = !n && rh_nic_map_is_master(m, s.name);
  bool enslaved = (n || master) && (port.name[0] || port.mac[0]);
  vlan = vlan && rh_net_over_nic(m, lower);
  return ini_rewrite(text, file, to_dhcp && !enslaved, m, changes, IFCFG,
                     (struct ini_bind){.newname = n, .master = master, .vlan = vlan});
}
