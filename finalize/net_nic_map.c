/* The NIC map: which names are NICs, and the new name (ethN) of each NIC
 * the guest's configuration binds, by name or MAC. See net_edits.h. */
#include "net_edits.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

bool rh_nic_is_physical(const char *name)
{
  if (!name || !*name || strpbrk(name, "*?[!")) return false;
  /* the kernel's names: at most 15 bytes (IFNAMSIZ), and ifupdown's and
   * udev's are printable ASCII; anything else is not a NIC to rebind. The
   * limit is the NIC's own name, before a VLAN's ".100" or an alias's ":1":
   * a rename (em1 -> eth10) may lengthen the whole, and its result must
   * still be read as a NIC by a second finalize. */
  size_t base = strcspn(name, ".:");
  if (base == 0 || base > 15) return false;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    if (*p <= ' ' || *p >= 0x7f) return false;
  if (!strncmp(name, "eth", 3) || !strncmp(name, "en", 2) || !strncmp(name, "em", 2)) return true;
  return name[0] == 'p' && isdigit((unsigned char)name[1]); /* biosdevname p1p1 */
}

enum rh_nic_glob rh_nic_glob_kind(const char *glob)
{
  if (!glob || !*glob || *glob == '!' || !strpbrk(glob, "*?[")) return RH_GLOB_NONE;
  /* the kernel's names (net.ifnames=0), then the names a source may have
   * given its NICs: udev's predictable ones (slot, PCI path, onboard, MAC,
   * Xen) and biosdevname's */
  static const char *const eth[] = {"eth0", "eth1", NULL};
  static const char *const source[] = {"ens3",  "ens192",          "enp0s3", "enp1s0f0", "eno1",
                                       "enX0",  "enx525400123456", "em1",    "p1p1",     NULL};
  for (const char *const *n = eth; *n; n++)
    if (!fnmatch(glob, *n, 0)) return RH_GLOB_ETH;
  for (const char *const *n = source; *n; n++)
    if (!fnmatch(glob, *n, 0)) return RH_GLOB_SOURCE;
  return RH_GLOB_NONE;
}

static void lower_mac(char out[18], const char *mac)
{
  size_t i = 0;
  for (; mac && mac[i] && i < 17; i++) out[i] = (char)tolower((unsigned char)mac[i]);
  out[i] = 0;
}

/* the maps' new names, "eth0"... (one set: a NIC's new name is its index) */
static char new_names[RH_NIC_MAX][24]; /* "eth" and any size_t */

static const char *new_name_of(size_t i)
{
  snprintf(new_names[i], sizeof new_names[i], "eth%zu", i);
  return new_names[i];
}

const char *rh_nic_map_find(const struct rh_nic_map *m, const char *old)
{
  size_t base = strcspn(old, ".:");
  for (size_t i = 0; i < m->n; i++)
    if (m->old[i][0] && strlen(m->old[i]) == base && !strncmp(m->old[i], old, base))
      return new_name_of(i);
  return NULL;
}

bool rh_nic_map_rename(struct rh_nic_map *m, const char *name, bool add, char *out, size_t outsz)
{
  if (!name[0] || !rh_nic_map_is_nic(m, name)) return false;
  const char *n = add ? rh_nic_map_name(m, name, NULL) : rh_nic_map_find(m, name);
  if (!n) return false;
  snprintf(out, outsz, "%s%s", n, name + strcspn(name, ".:"));
  return true;
}

const char *rh_nic_map_name(struct rh_nic_map *m, const char *old, const char *mac)
{
  char lmac[18] = "", base[32] = "";
  if (old) snprintf(base, sizeof base, "%.*s", (int)strcspn(old, ".:"), old);
  /* a name a rule gives by MAC is that MAC's NIC, wherever else it is bound */
  lower_mac(lmac, mac ? mac : rh_nic_rule_mac(m, base));
  if (!base[0] && !lmac[0]) return NULL;
  size_t i = 0;
  for (; i < m->n; i++)
    if ((base[0] && !strcmp(m->old[i], base)) || (lmac[0] && !strcmp(m->mac[i], lmac))) break;
  if (i == m->n) {
    if (m->n == RH_NIC_MAX) return NULL;
    m->n++;
    m->old[i][0] = m->mac[i][0] = 0;
  }
  if (base[0] && !m->old[i][0]) snprintf(m->old[i], sizeof m->old[i], "%s", base);
  if (lmac[0] && !m->mac[i][0]) snprintf(m->mac[i], sizeof m->mac[i], "%s", lmac);
  m->hits++;
  return new_name_of(i);
}
