/* Every block device of a launched appliance that can hold a filesystem or a
 * volume header: whole disks, partitions, md arrays and LVM logical volumes.
 * guestfs_list_filesystems leaves out what it cannot mount (LUKS, PVs, md
 * members); these helpers look at all of them, so that an encrypted volume is
 * named as such wherever it sits, never reported as "no operating system". */
#ifndef REHOST_GUEST_VOLUMES_H
#define REHOST_GUEST_VOLUMES_H

#include <guestfs.h>
#include <stdbool.h>

/* NULL-terminated list of device names (API names), caller frees with
 * rh_strv_free. Never NULL. */
char **rh_guest_volumes(guestfs_h *g);

/* blkid types: encrypted volumes (crypto_LUKS, ...), and members of an LVM
 * volume group or md array (NULL-terminated prefix lists). */
extern const char *const rh_crypt_types[], *const rh_member_types[];
bool rh_volume_type_is(const char *type, const char *const *prefixes);

/* The volumes whose type starts with one of prefixes, joined with ", ";
 * NULL if none. Caller frees. */
char *rh_guest_volumes_of_type(guestfs_h *g, const char *const *prefixes);
static inline char *rh_guest_encrypted_volumes(guestfs_h *g)
{
  return rh_guest_volumes_of_type(g, rh_crypt_types);
}

/* Inspection found no OS in the guest named `what`: print why, naming the
 * encrypted volumes if there are any, else the LVM/md member volumes (half
 * a machine: its other disks were not given). Either may be NULL. */
void rh_guest_report_no_os(const char *what, const char *encrypted, const char *members, int ndisks);

#endif
