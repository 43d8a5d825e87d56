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

static void note(struct rh_nic_map *m, const char *name)
{
  if (!name[0] || rh_nic_map_is_master(m, name) || m->nmasters >= RH_NIC_MAX) return;
  snprintf(m->master[m->nmasters++], sizeof m->master[0], "%s", name);
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
  note(m, v.master);
  note(m, v.bridge);
}

bool rh_nic_map_is_master(const struct rh_nic_map *m, const char *name)
{
  for (size_t i = 0; i < m->nmasters; i++)
    if (!strcmp(m->master[i], name)) return true;
  return false;
}
