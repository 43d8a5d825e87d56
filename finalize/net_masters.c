/* Bonds and bridges over the machine's NICs: with dhcp, the addresses a NIC
 * carries live on its master, which is converted as the NIC would be. See
 * net_edits.h. */
#include "net_edits.h"

#include "edits.h"
#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct ifcfg_vals {
  char device[64], type[64], hwaddr[64], master[64], bridge[64];
};

static void ifcfg_val_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct ifcfg_vals *v = vctx;
  const char *p = line + strspn(line, " \t");
  const struct {
    const char *key;
    char *dst;
  } keys[] = {{"DEVICE", v->device}, {"TYPE", v->type},     {"HWADDR", v->hwaddr},
              {"MASTER", v->master}, {"BRIDGE", v->bridge}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!keys[i].dst[0] && rh_net_key_is(p, keys[i].key))
      rh_net_unquote(keys[i].dst, 64, rh_net_value_of(p));
}

/* a name that does not fit is not cut: it would match nothing */
static bool note_in(char (*list)[64], size_t *n, const char *name)
{
  for (size_t i = 0; i < *n; i++)
    if (!strcmp(list[i], name)) return true;
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


void rh_ifcfg_note_master(struct rh_nic_map *m, const char *text, const char *file)
{
  struct ifcfg_vals v = {0};
  rh_for_each_line(text, ifcfg_val_line, &v);
  if (!v.device[0]) { /* ifcfg-NAME */
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    if (!strncmp(b, "ifcfg-", 6)) snprintf(v.device, sizeof v.device, "%s", b + 6);
  }
  bool ethernet = !v.type[0] || !strcasecmp(v.type, "Ethernet");
  if (!ethernet || !(rh_nic_map_is_nic(m, v.device) || v.hwaddr[0])) return;
  rh_net_note_master(m, v.master);
  rh_net_note_master(m, v.bridge);
}

/* a keyfile's [connection] values */
struct nm_vals {
  char section[64];
  char ifname[64], type[64], master[64], controller[64], mac[64];
};

static void nm_val_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct nm_vals *v = vctx;
  const char *p = line + strspn(line, " \t");
  if (*p == '[') {
    rh_net_section(v->section, sizeof v->section, p);
    return;
  }
  const struct {
    const char *sec, *key;
    char *dst;
  } keys[] = {{"connection", "interface-name", v->ifname}, {"connection", "type", v->type},
              {"connection", "master", v->master},         {"connection", "controller", v->controller},
              {"ethernet", "mac-address", v->mac},         {"802-3-ethernet", "mac-address", v->mac}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!keys[i].dst[0] && !strcasecmp(v->section, keys[i].sec) && rh_net_key_is(p, keys[i].key))
      rh_net_unquote(keys[i].dst, 64, rh_net_value_of(p));
}

void rh_nm_note_master(struct rh_nic_map *m, const char *text)
{
  struct nm_vals v = {0};
  rh_for_each_line(text, nm_val_line, &v);
  bool ethernet = !strcmp(v.type, "ethernet") || !strcmp(v.type, "802-3-ethernet");
  if (!ethernet || !(rh_nic_map_is_nic(m, v.ifname) || v.mac[0])) return;
  /* by interface name, connection UUID or id: the master's file is matched
   * on any of them */
  rh_net_note_master(m, v.controller[0] ? v.controller : v.master);
}

/* a .network file's [Match] and [Network] values */
struct nd_vals {
  char section[64];
  char name[64], mac[64], bond[64], bridge[64];
};

static void nd_val_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct nd_vals *v = vctx;
  const char *p = line + strspn(line, " \t");
  if (*p == '[') {
    rh_net_section(v->section, sizeof v->section, p);
    return;
  }
  const struct {
    const char *sec, *key;
    char *dst;
  } keys[] = {{"Match", "Name", v->name}, {"Match", "MACAddress", v->mac},
              {"Network", "Bond", v->bond}, {"Network", "Bridge", v->bridge}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!keys[i].dst[0] && !strcasecmp(v->section, keys[i].sec) && rh_net_key_is(p, keys[i].key))
      rh_net_unquote(keys[i].dst, 64, rh_net_value_of(p));
}

void rh_networkd_note_master(struct rh_nic_map *m, const char *text)
{
  struct nd_vals v = {0};
  rh_for_each_line(text, nd_val_line, &v);
  v.name[strcspn(v.name, " \t")] = 0; /* Name= lists globs: the first one */
  if (!(rh_nic_map_is_nic(m, v.name) || v.mac[0])) return;
  rh_net_note_master(m, v.bond);
  rh_net_note_master(m, v.bridge);
}

static bool listed(const char (*list)[64], size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (!strcmp(list[i], name)) return true;
  return false;
}

bool rh_nic_map_is_master(const struct rh_nic_map *m, const char *name)
{
  return listed(m->master, m->nmasters, name);
}

bool rh_nic_map_is_port(const struct rh_nic_map *m, const char *name)
{
  return listed(m->port, m->nports, name);
}
