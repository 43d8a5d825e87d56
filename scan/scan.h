/* rehost scan: inspect a guest (one or more disks of one machine) and build
 * the scan report (schema "rehost.scan/1", documented in rehost-scan(1)). */
#ifndef REHOST_SCAN_H
#define REHOST_SCAN_H

#include "../convert/image.h"
#include "../lib/json_get.h" /* rh_strv_free */

#include <guestfs.h>
#include <stdio.h>
#include <json-c/json.h>

#define RH_SCAN_SCHEMA "rehost.scan/1"

/* Launch the appliance once over imgs (read-only), inspect, build the report.
 * Returns RH_EXIT_* and sets *report on success. */
int rh_scan_images(const struct rh_image *imgs, int n, bool md_degraded, json_object **report);

/* The whole report of a launched handle whose guest (root) is mounted, as
 * rh_scan_images builds it: for finalize and convert's --scan-report, which
 * scan the guest in their own launch before they edit it. imgs name the
 * sources the report is of. */
json_object *rh_scan_mounted(guestfs_h *g, const char *root, const struct rh_image *imgs, int n);

/* The parts, each over a launched handle (exposed for reuse by finalize). */
json_object *rh_scan_storage(guestfs_h *g, const struct rh_image *imgs, int n);
/* Fills os, boot, kernels, agents from a mounted root. */
void rh_scan_os(guestfs_h *g, const char *root, json_object *report);
/* The report's network object (managers, interfaces, mac_bound_rules): every
 * stack's configuration as the guest's files give it now. */
json_object *rh_scan_network(guestfs_h *g);
/* /etc/resolv.conf: {link, nameservers}, the link's target (not followed)
 * or the servers a file names; NULL when the guest has none. Part of the
 * report's network object; finalize asks it on its own. */
json_object *rh_scan_resolv_conf(guestfs_h *g);
/* Fills fstab, network, adjtime, services from a mounted root. */
void rh_scan_config(guestfs_h *g, json_object *report);

/* Write a report to path ("-": stdout), pretty-printed; a file is written
 * under a temporary name and renamed into place. Returns RH_EXIT_*. */
int rh_scan_write(json_object *report, const char *path);

/* Human-readable summary of a report on f. */
void rh_scan_print_summary(json_object *report, FILE *f);

/* Helpers over a mounted guest. */
char *rh_guest_read(guestfs_h *g, const char *path); /* NULL if absent, unreadable, binary or over 64 MiB */
/* The mounted guest's os-release: /etc's, else /usr/lib's; NULL if neither. */
char *rh_guest_os_release(guestfs_h *g);
char **rh_guest_glob(guestfs_h *g, const char *pattern); /* NULL-terminated, caller frees */
/* GRUB menus on the ESP: the /boot/efi/EFI/VENDOR/grub.cfg files that hold
 * the menu (RHEL 7 and 8 under UEFI keep it only there), not a stub that
 * hands over to /boot's (RHEL 9, SUSE, Debian). NULL-terminated (or NULL),
 * rh_strv_free it. Scan names the first; finalize's grub2-mkconfig writes
 * them all. */
char **rh_grub_esp_menus(guestfs_h *g);
/* The guest's init system, by what /sbin/init is: "systemd", "sysvinit"
 * (RHEL 6's upstart reads /etc/inittab and runs SysV scripts: it counts
 * here), "upstart", "openrc" (openrc-init; busybox's init running OpenRC,
 * as on Alpine; sysvinit's running it, as on Gentoo, or Debian and Devuan
 * with the openrc package) or "unknown". Scan reports it; finalize manages
 * services with that system's tools. */
const char *rh_guest_init_system(guestfs_h *g);
/* The scripts an init system that runs scripts starts at boot (names, each
 * once): OpenRC's in its runlevels sysinit, boot and default
 * (/etc/runlevels/default/sshd); else SysV's start links
 * (/etc/rc2.d/S02ssh), rcS.d's only without systemd. NULL-terminated,
 * never NULL; rh_strv_free it. */
char **rh_guest_boot_scripts(guestfs_h *g, const char *init);

#endif
