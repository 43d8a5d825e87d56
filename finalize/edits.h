/* The edits finalize makes to guest configuration files, as pure functions
 * over the files' text: each returns the new text (malloc'd; equal to the old
 * when nothing changes) and appends one change record per edit to `changes`
 * (a json-c array of {"file","action","before","after","reason"}), which
 * becomes the change report and the --dry-run listing. No libguestfs here:
 * unit-tested and fuzzed directly. */
#ifndef REHOST_EDITS_H
#define REHOST_EDITS_H

#include <json-c/json.h>
#include <stdbool.h>

/* Append a change record. before/after may be NULL. */
void rh_change(json_object *changes, const char *file, const char *action, const char *before,
               const char *after, const char *reason);

/* /etc/fstab: with drop_network, network mounts (nfs, cifs, ...) are
 * commented out as "#rehost-removed# LINE"; with to_uuid, bus-dependent
 * device names (/dev/sda1, /dev/vdb2, ...) become UUID=... as `lookup`
 * resolves them in the guest (NULL result: left as is, with a warning
 * record). `lookup` is given the filesystem type the entry declares
 * (NULL: any; "auto" and "none" are any) and answers NULL for a device whose
 * filesystem is of another type: a hardware name resolved by partition
 * number on a one-disk machine may name another disk's partition. A UUID
 * that another entry of the file names already (UUID=, or an earlier
 * resolution) is refused the same way: one filesystem is not two (btrfs
 * excepted: one entry per subvolume). */
typedef char *(*rh_uuid_lookup_fn)(const char *device, const char *fstype, void *opaque);
/* The fstype that asks `lookup` for the partition's own PARTUUID instead:
 * a plain dm-crypt device keyed at random at every boot (an encrypted swap)
 * has no header and no filesystem UUID. Answered only for a partition with
 * no signature on it (no filesystem, LUKS or LVM header: that would be
 * someone's data, and the boot makes a new swap there) and of a Linux data
 * or swap partition type. */
#define RH_LOOKUP_PARTUUID "PARTUUID="
/* Does a filesystem of type HAVE (blkid's name) satisfy an entry declaring
 * WANT (NULL, "auto", "none": anything; the ext2/3/4 family as one, vfat,
 * msdos and fat as one; ntfs for ntfs-3g and ntfs3)? */
bool rh_fstype_matches(const char *want, const char *have);
char *rh_fstab_rewrite(const char *text, bool drop_network, bool to_uuid, rh_uuid_lookup_fn lookup,
                       void *opaque, json_object *changes);

/* fstab entries mounted at boot (neither noauto nor nofail, not network)
 * whose device `present` says is on none of the machine's disks (0; 1: it
 * is, -1: cannot tell, as for proc or tmpfs): "MOUNTPOINT (SPEC)" each,
 * joined by ", ", into missing (of size msz; "" for none). With add_nofail
 * they get nofail (an fstab-nofail record each); the text is returned
 * (malloc'd; else unchanged), NULL when out of memory (finalize/fstab_missing.c). */
typedef int (*rh_spec_present_fn)(const char *spec, void *opaque);
char *rh_fstab_missing(const char *text, rh_spec_present_fn present, void *opaque, bool add_nofail,
                       json_object *changes, char *missing, size_t msz);

/* /etc/adjtime: UTC, zero drift (the source's drift does not carry over to
 * new hardware). */
char *rh_adjtime_rewrite(const char *text, json_object *changes);

/* Kernel arguments `value` with the args starting with a remove prefix dropped
 * (unless they already read as `add` does) and `add` appended; malloc'd. */
char *rh_cmdline_edit(const char *value, char *const *add, char *const *remove_prefix);

/* Disks named by the source's hardware in the boot path (boot_devices.c):
 * root= and resume= naming /dev/sda1, /dev/xvdb2, /dev/nvme0n1p1 or
 * /dev/disk/by-id/..., names the target's disk bus and serials don't give,
 * become UUID=... as `lookup` resolves them (no UUID: left as they are, with
 * a "warning" record). The arguments re-joined by single spaces; malloc'd,
 * NULL when out of memory. */
char *rh_cmdline_devices(const char *args, rh_uuid_lookup_fn lookup, void *opaque,
                         const char *file, json_object *changes);
/* /etc/crypttab: the encrypted device (the second field) by a device name
 * of the source's hardware becomes UUID= the same (the LUKS header's UUID
 * travels with the data); one keyed at random at every boot (the key file
 * /dev/urandom, /dev/random or /dev/hw_random: a plain encrypted swap or
 * /tmp) becomes PARTUUID= (RH_LOOKUP_PARTUUID). */
char *rh_crypttab_rewrite(const char *text, const char *file, rh_uuid_lookup_fn lookup, void *opaque,
                          json_object *changes);
/* Debian's /etc/initramfs-tools/conf.d/resume: RESUME=<device name> the same. */
char *rh_resume_conf_rewrite(const char *text, const char *file, rh_uuid_lookup_fn lookup,
                             void *opaque, json_object *changes);
/* A grub.cfg that grub-mkconfig wrote: root=<device name> on a linux line
 * (the root as the conversion appliance named it: GRUB_DISABLE_LINUX_UUID,
 * or no /dev/disk/by-uuid there) becomes root=UUID=root_uuid. */
char *rh_grub_cfg_root_rewrite(const char *text, const char *file, const char *root_uuid,
                               json_object *changes);
/* Does this grub.cfg hold GRUB's menu (entries, or BLS's blscfg), rather
 * than hand over to another with configfile (the stub on the ESP of RHEL 9,
 * SUSE and Debian)? */
bool rh_grub_cfg_has_menu(const char *text);

/* Does the shell script run sleep on the value of variable var ("sleep
 * $ROOTDELAY", "sleep \"${ROOTDELAY}\"": a command, not in a comment)?
 * Debian's initramfs-tools sleeps for rootdelay= at every boot, where the
 * kernel and other initramfs take it as the longest wait for the root. */
bool rh_script_sleeps_for(const char *script, const char *var);

/* What the kernel command line edits do: arguments starting with one of
 * remove_prefix dropped; `add` appended (GRUB_CMDLINE_LINUX only, created if
 * absent; not GRUB_CMDLINE_LINUX_DEFAULT); with lookup, device names turned
 * into UUID= as rh_cmdline_devices does. */
struct rh_cmdline_ops {
  char *const *add;
  char *const *remove_prefix;
  rh_uuid_lookup_fn lookup;
  void *opaque;
};
/* One command line: its device names as UUID= (with ops->lookup), then the
 * removed arguments dropped and, when append, `add` appended; malloc'd. The
 * second part is one "kernel-cmdline" record giving `why`; the first records
 * its own. */
char *rh_cmdline_apply(const char *value, const struct rh_cmdline_ops *ops, bool append,
                       const char *file, json_object *changes, const char *why);
/* /etc/default/grub's GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT. */
char *rh_grub_cmdline_rewrite(const char *text, const struct rh_cmdline_ops *ops,
                              json_object *changes);
/* The same in FILE; with create false, a file without GRUB_CMDLINE_LINUX
 * gets none (the files in /etc/default/grub.d, sourced after it: only the
 * values they set are edited). */
char *rh_grub_cmdline_rewrite_in(const char *text, const char *file,
                                 const struct rh_cmdline_ops *ops, bool create,
                                 json_object *changes);
/* A BLS entry's "options" line (RHEL 8+, Fedora: the kernel command line
 * lives there, not in grub.cfg). "$kernelopts" lines are left to
 * grub2-mkconfig. */
char *rh_bls_options_rewrite(const char *text, const char *file, const struct rh_cmdline_ops *ops,
                             json_object *changes);

/* extlinux/syslinux configuration (extlinux.conf, syslinux.cfg, the files
 * they include): the APPEND line of every label that boots Linux (LINUX, or
 * KERNEL naming no COM32 module, boot sector or PXE image, as syslinux tells
 * them apart) gets the edits, `add` included; a Linux label without one gets
 * an APPEND after its kernel line with the global APPEND's arguments (which
 * it inherited) edited. Labels that boot something else, and the global
 * APPEND, stay as they are. *linux_labels (may be NULL) is increased by the
 * Linux labels found. NULL when out of memory. (finalize/extlinux_conf.c) */
char *rh_extlinux_rewrite(const char *text, const char *file, const struct rh_cmdline_ops *ops,
                          json_object *changes, int *linux_labels);
/* Alpine's /etc/update-extlinux.conf: default_kernel_opts="...", which
 * update-extlinux writes on every kernel's APPEND line, gets the edits. */
char *rh_update_extlinux_rewrite(const char *text, const char *file,
                                 const struct rh_cmdline_ops *ops, json_object *changes);

/* GRUB legacy's menu.lst (grub.conf on RHEL 5 and 6): the arguments of the
 * kernel line of every entry that boots Linux (with a Xen hypervisor, of
 * its first module line) get the edits, `add` included, and so does
 * Debian's "# kopt=" line, from which its update-grub writes them again.
 * Entries that chain-load or boot another kind of kernel stay as they are.
 * *linux_entries (may be NULL) is increased by the Linux entries found.
 * NULL when out of memory. (finalize/grub_legacy_conf.c) */
char *rh_grub_legacy_rewrite(const char *text, const char *file, const struct rh_cmdline_ops *ops,
                             json_object *changes, int *linux_entries);

/* /etc/default/grub: KEY="value" (replacing every assignment of KEY, or
 * appended), one "bootloader" change record when it differs. */
char *rh_grub_set_var(const char *text, const char *key, const char *value, const char *reason,
                      json_object *changes);
/* The same in FILE; with create false, only an assignment already there. */
char *rh_grub_set_var_in(const char *text, const char *file, const char *key, const char *value,
                         const char *reason, bool create, json_object *changes);

/* Debian /etc/network/interfaces: with to_dhcp, "iface X inet static"
 * stanzas become "inet dhcp" and lose their address lines; a VLAN's (m, the
 * VLANs over the NIC: rh_ifupdown_note_vlans; or NULL) becomes "manual"
 * instead, and its raw device's "inet manual" stanza "inet dhcp", or, when
 * no file has one (m's bare), the VLAN's file gets "auto X", "iface X inet
 * dhcp" (once: X leaves bare). Lines naming a MAC ("hwaddress") are removed
 * when remove_mac is set. */
struct rh_nic_map;
char *rh_ifupdown_rewrite(const char *text, const char *file, bool to_dhcp, bool remove_mac,
                          struct rh_nic_map *m, json_object *changes);

/* LVM's devices file (lvm.conf's devices/devicesfile, in /etc/lvm/devices/)
 * lists the PVs LVM may use by their disk's WWID, serial or device name: on
 * the target's disks none matches, and the VGs would not be found. Its file
 * name (default system.devices) into name, from the text of lvm.conf (NULL:
 * none); false when lvm.conf turns it off (use_devicesfile = 0) or names
 * something that is not a plain file name. */
bool rh_lvm_devices_file(const char *lvm_conf, char *name, size_t namesz);

/* lvm.conf's filter and global_filter statements ("a|regex|", "r|regex|",
 * over one line or several) that reject a name the target may give a PV's
 * disk (/dev/vda2, /dev/sda2, /dev/xvda2, /dev/nvme0n1p2) are commented out,
 * one "lvm-filter" change record each; *changed says whether any was. A
 * statement whose patterns cannot be read is left as it is.
 * (finalize/lvm_conf.c, with rh_lvm_devices_file) */
char *rh_lvm_filter_rewrite(const char *text, json_object *changes, bool *changed);

/* mdadm.conf (Debian's /etc/mdadm/mdadm.conf, RHEL's /etc/mdadm.conf): a
 * DEVICE line with a name of the source's disks (/dev/sd*, /dev/nvme*,
 * /dev/disk/by-id/...) is commented out and "DEVICE partitions containers"
 * (mdadm's default) added unless a DEVICE line that stays has "partitions";
 * an ARRAY line's devices= tag with such a name is removed when the line has
 * uuid=, name= or super-minor= (else a warning). One record each; *changed
 * says whether the text changed. (finalize/mdadm_conf.c) */
char *rh_mdadm_conf_rewrite(const char *text, const char *file, json_object *changes,
                            bool *changed);
/* The ARRAY line of the array `uuid` (any of mdadm's UUID spellings): its
 * num-devices= tag, if it has one, says n (the array was made whole with the
 * members found, --md-degraded). One "md-num-devices" record. */
char *rh_mdadm_conf_num_devices(const char *text, const char *file, const char *uuid, int n,
                                json_object *changes, bool *changed);
/* where mdadm reads its configuration: the two files and their .d
 * directories, as guest globs (NULL-terminated); scan and finalize read the
 * same list */
extern const char *const rh_mdadm_conf_globs[];

/* udev rules that bind a NIC name to a MAC (70-persistent-net.rules):
 * such lines are commented out. */
char *rh_udev_rules_rewrite(const char *text, const char *file, json_object *changes);

/* The directories an initramfs is made from (NULL-terminated): modules,
 * firmware, udev rules, modprobe.d, and the generators' hooks and
 * configuration (initramfs-tools', dracut's). */
extern const char *const rh_initramfs_input_dirs[];
/* PATHS (one a line, absolute): files under those directories that a
 * package manager's run removed, added or changed. True when the initramfs
 * must be made again whatever it carries: a generator's hook or
 * configuration among them (the first into force, of size fn), or more
 * paths than carried holds. The others (depmod's own output left out) are
 * added to the space-separated carried (of size n) without their leading
 * '/', as an image's listing names them: an image that carries one is
 * stale. (finalize/initramfs_inputs.c) */
bool rh_initramfs_inputs_touched(const char *paths, char *carried, size_t n, char *force, size_t fn);

#endif
