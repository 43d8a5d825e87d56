/* Every block device of a launched appliance that can hold a filesystem or a
 * volume header: whole disks, partitions, md arrays and LVM logical volumes.
 * guestfs_list_filesystems leaves out what it cannot mount (LUKS, PVs, md
 * members); these helpers look at all of them, so that an encrypted volume is
 * named as such wherever it sits, never reported as "no operating system". */
#ifndef REHOST_GUEST_VOLUMES_H
#define REHOST_GUEST_VOLUMES_H

#include <guestfs.h>

/* NULL-terminated list of device names (API names), caller frees with
 * rh_strv_free. Never NULL. */
char **rh_guest_volumes(guestfs_h *g);

/* The encrypted volumes (blkid type crypto_*), joined with ", "; NULL if none.
 * Caller frees. */
char *rh_guest_encrypted_volumes(guestfs_h *g);

/* Inspection found no OS in the guest named `what`: print why, naming the
 * encrypted volumes (rh_guest_encrypted_volumes, or NULL) if there are any. */
void rh_guest_report_no_os(const char *what, const char *encrypted, int ndisks);

#endif
