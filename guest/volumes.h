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

/* Is the filesystem an fstab spec names on the appliance's disks? 1 yes,
 * 0 no, -1 cannot tell (a hardware or NVMe name, an md array, proc,
 * tmpfs...). UUID=, LABEL=, PARTUUID=, PARTLABEL= (and their
 * /dev/disk/by-* links), kernel names of SCSI, IDE, virtio and Xen disks
 * (/dev/sdb2: the disks given are sda, sdb... in order), LVM volumes
 * (/dev/mapper/NAME, /dev/VG/LV: their device active; a volume group
 * missing a disk leaves its volumes there inactive). */
int rh_guest_spec_present(guestfs_h *g, const char *spec);

/* Does the guest (its OS mounted) open encrypted volumes at boot, an entry
 * in /etc/crypttab? What is inside them (a filesystem's UUID, an LVM
 * volume) cannot be seen here: fstab's devices cannot be checked. */
bool rh_guest_opens_encrypted_volumes(guestfs_h *g);

#endif
