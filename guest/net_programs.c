#include "net_programs.h"

#include <stddef.h>

const char *const rh_netplan_programs[] = {"/usr/lib/systemd/system-generators/netplan",
                                           "/lib/systemd/system-generators/netplan",
                                           "/usr/libexec/netplan/generate",
                                           "/usr/lib/netplan/generate",
                                           "/lib/netplan/generate",
                                           "/usr/sbin/netplan",
                                           NULL};
const char *const rh_networkd_programs[] = {"/lib/systemd/systemd-networkd", "/usr/lib/systemd/systemd-networkd",
                                            NULL};
const char *const rh_nm_programs[] = {"/usr/sbin/NetworkManager", "/sbin/NetworkManager", "/usr/bin/NetworkManager",
                                      NULL};

bool rh_guest_exists_any(guestfs_h *g, const char *const *paths)
{
  for (; paths && *paths; paths++)
    if (guestfs_exists(g, *paths) > 0) return true;
  return false;
}
