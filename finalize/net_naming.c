/* The guest's own NIC naming rules: a udev rule or a systemd .link file that
 * names a NIC by its MAC ("lan0", "wan", "internal"). The configuration then
 * uses that name, which no kernel or udev policy gives: on the target the
 * MAC differs, the rule matches nothing, and a file for "lan0" would bind
 * nothing. The rules are read first (rh_nic_rules_read), so that the
 * editors take such a name for the NIC it is and bind it to ethN like any
 * other; the rule's naming goes (udev: rh_udev_rules_rewrite, .link:
 * rh_link_file_rewrite). */
#include "net_edits.h"

#include "edits.h"
#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WHY_LINK "the NIC's name came from its MAC, which the target's NIC does not have: " \
                 "the configuration binds it as ethN"

static bool rule_name_ok(const char *name)
{
  size_t n = strlen(name);
  if (!n || n > 15 || strpbrk(name, "*?[!%$/")) return false;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    if (*p <= ' ' || *p >= 0x7f || *p == ':' || *p == '.') return false;
  return strcmp(name, "lo") != 0;
}

static bool mac_ok(const char *mac)
{
  if (strlen(mac) != 17) return false;
  for (int i = 0; i < 17; i++)
    if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i])) return false;
  return true;
}

static void add_rule(struct rh_nic_map *m, const char *name, const char *mac)
{
  if (!rule_name_ok(name) || !mac_ok(mac) || rh_nic_is_physical(name)) return;
  if (rh_nic_map_is_nic(m, name) || m->nrules == RH_NIC_MAX) return;
  snprintf(m->rule_name[m->nrules], sizeof m->rule_name[0], "%s", name);
  for (int i = 0; i < 17; i++) m->rule_mac[m->nrules][i] = (char)tolower((unsigned char)mac[i]);
  m->rule_mac[m->nrules][17] = 0;
  m->nrules++;
}

/* the naming rule for NAME (or NAME.vlan, NAME:alias), or -1 */
static int rule_of(const struct rh_nic_map *m, const char *name)
{
  size_t base = name ? strcspn(name, ".:") : 0;
  for (size_t i = 0; m && name && i < m->nrules; i++)
    if (strlen(m->rule_name[i]) == base && !strncmp(m->rule_name[i], name, base)) return (int)i;
  return -1;
}

bool rh_nic_map_is_nic(const struct rh_nic_map *m, const char *name)
{
  return rh_nic_is_physical(name) || rule_of(m, name) >= 0;
}

const char *rh_nic_rule_mac(const struct rh_nic_map *m, const char *name)
{
  int i = rule_of(m, name);
  return i >= 0 ? m->rule_mac[i] : NULL;
}

/* the quoted value after KEY (e.g. ATTR{address}==) on a udev rule line */
static bool udev_value(const char *line, const char *key, char *out, size_t outsz)
{
  size_t kl = strlen(key);
  for (const char *p = strstr(line, key); p; p = strstr(p + 1, key)) {
    /* a key starts the line or follows a separator: not ENV{NAME}= */
    if (p != line && !strchr(", \t", p[-1])) continue;
    const char *v = p + kl;
    if (*v != '"') continue;
    size_t n = strcspn(v + 1, "\"");
    if (v[1 + n] != '"' || n >= outsz) return false;
    snprintf(out, outsz, "%.*s", (int)n, v + 1);
    return true;
  }
  return false;
}

struct rules_ctx {
  struct rh_nic_map *m;
  bool link;
  char section[16], name[32], mac[32];
};

static void rules_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct rules_ctx *c = vctx;
  char *p = rh_trim(line);
  if (*p == '#' || *p == ';' || !*p) return;
  if (!c->link) { /* SUBSYSTEM=="net", ATTR{address}=="52:54:..", NAME="lan0" */
    char mac[32], name[32];
    if ((udev_value(p, "ATTR{address}==", mac, sizeof mac) ||
         udev_value(p, "ATTRS{address}==", mac, sizeof mac)) &&
        (udev_value(p, "NAME=", name, sizeof name) || udev_value(p, "NAME:=", name, sizeof name)))
      add_rule(c->m, name, mac);
    return;
  }
  if (*p == '[') {
    rh_net_section(c->section, sizeof c->section, p);
    return;
  }
  char *dst = NULL;
  if (!strcasecmp(c->section, "Match") &&
      (rh_net_key_is(p, "MACAddress") || rh_net_key_is(p, "PermanentMACAddress")))
    dst = c->mac;
  else if (!strcasecmp(c->section, "Link") && rh_net_key_is(p, "Name"))
    dst = c->name;
  if (dst && !dst[0]) snprintf(dst, 32, "%s", rh_net_value_of(p));
}

void rh_nic_rules_read(struct rh_nic_map *m, const char *text, const char *file)
{
  size_t n = strlen(file);
  struct rules_ctx c = {.m = m, .link = n > 5 && !strcmp(file + n - 5, ".link")};
  rh_for_each_line(text, rules_line, &c);
  if (c.link && c.name[0] && c.mac[0]) add_rule(m, c.name, c.mac);
}

struct link_edit {
  struct out o;
  const char *file;
  json_object *changes;
  char section[16];
};

static void link_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct link_edit *c = vctx;
  const char *p = line + strspn(line, " \t");
  if (*p == '[') rh_net_section(c->section, sizeof c->section, p);
  if (!strcasecmp(c->section, "Link") && rh_net_key_is(p, "Name")) {
    rh_net_drop(c->o.f, c->changes, c->file, line, p, "remove-mac-binding", WHY_LINK);
  } else {
    fprintf(c->o.f, "%s\n", line);
  }
}

char *rh_link_file_rewrite(const char *text, const char *file, json_object *changes)
{
  struct rules_ctx r = {.link = true};
  rh_for_each_line(text, rules_line, &r); /* its MAC match and name only */
  struct link_edit c = {.file = file, .changes = changes};
  if (!rh_net_out_open(&c.o)) return NULL;
  if (!r.mac[0]) { /* not bound by MAC: its naming still holds on the target */
    fputs(text, c.o.f);
    return rh_net_out_done(&c.o);
  }
  rh_for_each_line(text, link_line, &c);
  return rh_net_out_done(&c.o);
}
