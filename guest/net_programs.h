/* The programs that read each network stack's files. A stack's files with
 * its program gone configure nothing (netplan removed for ifupdown, a cloud
 * image's 50-cloud-init.yaml left behind): scan does not list such a stack
 * among the guest's managers, and finalize neither edits its files nor lets
 * them choose the service that brings the NIC up. */
#ifndef REHOST_GUEST_NET_PROGRAMS_H
#define REHOST_GUEST_NET_PROGRAMS_H

#include <guestfs.h>
#include <stdbool.h>

/* NULL-terminated lists of paths in the guest, any one of which will do */
extern const char *const rh_netplan_programs[];  /* its generator or CLI */
extern const char *const rh_networkd_programs[]; /* systemd-networkd */
extern const char *const rh_nm_programs[];       /* NetworkManager */

/* Does any of these paths exist in the mounted guest? */
bool rh_guest_exists_any(guestfs_h *g, const char *const *paths);

#endif
