/* finalize's steps inside a launched appliance with the guest's OS mounted
 * read-write at /. Each step records its changes (see edits.h) and, with
 * dry_run, changes nothing. Guest programs (systemctl, update-initramfs,
 * update-grub, dpkg) run inside the appliance, never on the host. */
#ifndef REHOST_GUEST_STEPS_H
#define REHOST_GUEST_STEPS_H

#include <guestfs.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "../guest/md_run.h"
#include "../profiles/profile.h"

struct rh_fin {
  guestfs_h *g;
  const char *root;            /* inspected root device */
  const struct rh_profile *p;
  json_object *changes;
  bool dry_run;
  bool dhcp;                   /* --network dhcp (else the profile's default) */
  bool firewall;               /* --firewall */
  const char *pkgdir;          /* --packages */
  bool firstboot_install;      /* --firstboot-install */
  bool keep_source_tools;      /* --keep-source-tools */
  bool allow_missing_mounts;   /* --allow-missing-mounts */
  bool initramfs_rebuilt;
  bool keep_eth_names;         /* network config names ethN: add net.ifnames=0 */
  int boot_entries;            /* BLS entries and extlinux Linux labels the kernel
                                  command line step found (GRUB's are counted apart) */
  int rootdelay_sleeps;        /* the initramfs sleeps for rootdelay=: 0 not asked yet,
                                  1 yes, 2 no */
  int svc_mgr;                 /* the guest's service manager (guest_services.c): 0 not
                                  asked yet */
  char *unit_states;           /* systemd: "unit=state" lines of units asked at once
                                  (malloc'd), until the next guest command */
  const struct rh_md_run *md;  /* --md-degraded: the arrays started without missing members */
  size_t n_md;
  char initramfs_stale[2048];  /* files the files step, or a package manager's run,
                                  changed or took away that an initramfs may carry a
                                  copy of (as its listing names them, space-separated):
                                  an image with one is rebuilt */
  char initramfs_force[400];   /* why every image must be made again (a package
                                  manager's run changed a generator's hook), or "" */
};

/* --md-degraded, once the arrays that miss members were started
 * (rh_md_run_degraded, before inspection) and the scan report written: make
 * each RAID1 among them whole with its members unless dry_run, and record
 * each (md-degraded; a warning for one that cannot start or stays degraded). */
void rh_fin_md_whole(guestfs_h *g, bool dry_run, json_object *changes, struct rh_md_run *v,
                     size_t n);

/* Does path exist in the guest (following links there)? */
bool rh_fin_exists(struct rh_fin *f, const char *path);
/* Does one of the NULL-terminated paths (a program's places, say) exist? */
bool rh_fin_exists_any(struct rh_fin *f, const char *const *paths);

/* Run a shell command in the guest; returns its output (malloc'd) or NULL
 * with an error printed naming `what`. */
char *rh_fin_sh(struct rh_fin *f, const char *what, const char *cmd);
/* The same, its exit status in *status (-1: unknown) and no error printed
 * when it fails; NULL only when the appliance could not run it. stdin is
 * /dev/null, stderr goes with stdout. */
char *rh_fin_sh_status(struct rh_fin *f, const char *cmd, int *status);

/* The UUID of a filesystem (or swap) on the appliance's device dev
 * (malloc'd), or NULL: none, or not made of a UUID's characters. */
char *rh_fin_fs_uuid(guestfs_h *g, const char *dev);

/* Write text to path if it differs from old (nothing in a dry run). */
int rh_fin_write_if_changed(struct rh_fin *f, const char *path, const char *old, const char *text);

/* fstab, adjtime, network configuration, MAC rules, the kernel command line. */
int rh_fin_edit_files(struct rh_fin *f);
/* The kernel command line (finalize/guest_cmdline.c): GRUB's defaults, BLS
 * entries and /etc/kernel/cmdline, extlinux/syslinux configuration. */
int rh_fin_edit_cmdline(struct rh_fin *f);
/* fstab spec (or a device name on the kernel command line) -> filesystem
 * UUID (malloc'd), via the appliance's name for the device; opaque: the
 * guestfs handle. NULL: none found. */
char *rh_fin_uuid_lookup(const char *spec, const char *fstype, void *opaque);
/* Network continuity (net_edits.h): every stack's configuration bound to
 * the new NIC, the service of the stack the guest uses enabled, its DHCP
 * client checked, cloud-init told which renderer to use. */
int rh_fin_network(struct rh_fin *f);
/* Service states per the profile, with the guest's own init system's tools
 * (finalize/guest_services.c: systemctl; chkconfig, update-rc.d or insserv
 * on SysV; rc-update on OpenRC; none known: left as they are, warned). */
int rh_fin_services(struct rh_fin *f);
/* Make every kernel's initramfs carry the profile's modules; rebuild with
 * the guest's own tool only when one is missing. */
int rh_fin_initramfs(struct rh_fin *f);
/* Install the profile's agents from pkgdir (or set up a first-boot install)
 * and enable their services. */
int rh_fin_agents(struct rh_fin *f);
/* The source platform's tools out (finalize/guest_source_tools.c). */
int rh_fin_source_tools(struct rh_fin *f);
/* The guest's package format, from inspection: 'd' (deb), 'r' (rpm) or 0
 * (another); *have_pm: its dpkg or rpm is there to run. */
char rh_fin_pkg_format(struct rh_fin *f, bool *have_pm);
/* A Debian guest's services kept from starting or stopping while dpkg
 * runs in the appliance (a policy-rc.d of rehost's, unless the guest has
 * one): true when rehost put it there; rh_fin_no_services_end takes it out. */
bool rh_fin_no_services_begin(struct rh_fin *f);
void rh_fin_no_services_end(struct rh_fin *f, bool own);
/* Around a run of the guest's package manager or an uninstaller (not in a
 * dry run): the guest's initramfs generators are stand-ins that note the
 * request; begin is true when they are in place. The run's command goes
 * through rh_fin_initramfs_deferred_cmd (it finds them first in PATH, and so
 * do rpm's scriptlets: into buf, or cmd itself when !own). end: if one was
 * asked for, a "defer-rebuild" record, and what the run (`what`, for the
 * report: "removing VMware Tools' packages") changed among the files an
 * initramfs is made from goes to initramfs_stale, or to initramfs_force
 * (finalize/guest_initramfs_defer.c). */
bool rh_fin_initramfs_defer_begin(struct rh_fin *f);
const char *rh_fin_initramfs_deferred_cmd(bool own, const char *cmd, char *buf, size_t n);
void rh_fin_initramfs_defer_end(struct rh_fin *f, bool own, const char *what);
/* Run the guest's package manager or an uninstaller (cmd; `what` names it
 * for the report: "installing qemu-guest-agent") between both guards: no
 * service started or stopped, initramfs requests deferred. Its output, and
 * its exit status in *status; with status NULL, as rh_fin_sh: NULL and an
 * error printed when it fails. (finalize/agents.c) */
char *rh_fin_pkg_run(struct rh_fin *f, const char *what, const char *cmd, int *status);
/* Install one package (deb_pkg or rpm_pkg, by the guest's package format)
 * from --packages now, with the rest of that directory as for agents, giving
 * reason in the change report. Returns 1, doing nothing, when --packages
 * lacks it or the guest has no package manager to install it now. */
int rh_fin_install_package(struct rh_fin *f, const char *deb_pkg, const char *rpm_pkg,
                           const char *reason);
/* Enable a unit if the guest has it; reason goes to the change report. */
int rh_fin_enable_unit(struct rh_fin *f, const char *unit, const char *reason);
/* The same for the units of a NULL-terminated list the guest has (64 at
 * most): their states asked in one guest command, their changes made in one. */
int rh_fin_enable_units(struct rh_fin *f, const char *const *units, const char *reason);
/* Does the guest have this systemd unit (or init script)? Is it enabled? */
bool rh_fin_unit_present(struct rh_fin *f, const char *unit);
bool rh_fin_unit_enabled(struct rh_fin *f, const char *unit);
/* Does the guest have a service manager rehost knows (for first-boot units)? */
bool rh_fin_has_service_manager(struct rh_fin *f);
/* Install a oneshot script the target runs once at boot, after the network
 * is up: /usr/local/sbin/NAME (script, which must stop on an error: set -e;
 * a line that disables its service is added at its end) and NAME.service
 * (unit: its text) on systemd, else an init script /etc/init.d/NAME the
 * guest's tools enable (its description: unit's Description=). */
int rh_fin_firstboot_unit(struct rh_fin *f, const char *name, const char *script,
                          const char *unit);
/* Where that unit or init script goes, for the change report (buf: n bytes). */
const char *rh_fin_firstboot_file(struct rh_fin *f, const char *name, char *buf, size_t n);
/* Regenerate the bootloader configuration (update-grub / grub2-mkconfig);
 * a grub-pc whose install device is the source's disk gets the target's at
 * first boot. */
int rh_fin_bootloader(struct rh_fin *f);

#endif
