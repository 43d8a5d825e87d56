/* The libguestfs appliance: one launch per command.
 *
 * On machines where /dev/kvm exists but KVM does not work (qemu hangs or
 * aborts), rehost probes KVM once (a ~2 s kernel boot under a watchdog),
 * remembers the answer in $XDG_CACHE_HOME/rehost/, and launches under TCG,
 * saying so in one line. A launch that fails with KVM is retried with TCG.
 * LIBGUESTFS_BACKEND / LIBGUESTFS_BACKEND_SETTINGS set by the user are honoured
 * and disable the probe. */
#ifndef REHOST_APPLIANCE_H
#define REHOST_APPLIANCE_H

#include <guestfs.h>
#include <stdbool.h>

struct rh_drive {
  const char *path;
  const char *format; /* never NULL: rehost never lets libguestfs probe */
  bool readonly;
};

/* vCPUs and memory (MiB) for later launches; 0 keeps libguestfs' default.
 * finalize runs guest tools (update-initramfs) that use both. */
void rh_appliance_resources(int smp, int memsize_mb);
/* The CPUs the appliances of one command may use: $REHOST_APPLIANCE_CPUS
 * when it is a number from 1 to 256 (else a warning and the default), or the
 * machine's online CPUs. Under TCG every vCPU is a host thread: on a shared
 * host, more vCPUs than free cores only adds switching. */
int rh_appliance_cpu_budget(void);

/* Create a handle, add drives, launch. Returns NULL after printing an error.
 * Drive i is labelled rehostX (X = 'a' + i): see rh_appliance_kernel_dev. */
guestfs_h *rh_appliance_launch(const struct rh_drive *drives, int n);
/* The stable kernel-side name of a libguestfs device ("/dev/sda2" ->
 * "/dev/disk/guestfs/rehosta2"), for commands run inside the appliance:
 * there the kernel's /dev/sda is sometimes the appliance's own disk. NULL if
 * api_dev is not a whole-disk or partition name. */
#include <stddef.h>
const char *rh_appliance_kernel_dev(const char *api_dev, char *out, size_t outsz);
/* guestfs_close, and remove the handle's temporary directory. */
void rh_appliance_close(guestfs_h *g);

/* Mount the inspected OS `root` (all its mountpoints, shortest first).
 * readonly mounts with "ro". Returns 0 or -1 (error printed). */
int rh_appliance_mount_os(guestfs_h *g, const char *root, bool readonly);

/* Leave the guest's disks as its own clean shutdown would: unmount
 * everything, deactivate its LVM volume groups and stop its md arrays. A
 * running array's superblock says "active" (dirty) while it is written, and
 * the appliance is not shut down the way a kernel stops its arrays: an
 * array left running starts with a resync of the whole mirror at the
 * guest's next boot. An array that does not stop is named in a warning. */
void rh_appliance_release(guestfs_h *g);

/* Last libguestfs error message of g (never NULL). */
const char *rh_guestfs_err(guestfs_h *g);

/* Does KVM work on this machine? Probed once and cached. Exposed for tests. */
bool rh_kvm_usable(void);

#endif
