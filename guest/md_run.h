/* md arrays that miss members: --md-degraded.
 *
 * The appliance assembles only the md arrays whose members are all there
 * (libguestfs' init runs mdadm -As --no-degraded). A machine whose other
 * disks are lost (a server running on one half of its mirror) leaves its
 * arrays inactive and its file systems unseen: "no operating system".
 * With the user's consent (--md-degraded) each inactive array is started
 * without its missing members, and, when the disks may be written, a RAID1
 * is made whole with the members it has (its device count shrunk): the
 * target boots without waiting for disks that will never come, and mdadm
 * reports no degraded array there. Other levels run degraded. */
#ifndef REHOST_MD_RUN_H
#define REHOST_MD_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct rh_md_run {
  char dev[32];   /* the appliance's name for it: /dev/md127 */
  char uuid[64];  /* mdadm's form, 3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b; "" unknown */
  char level[16]; /* raid1, raid5, ...; "" when it did not start */
  int raid_disks; /* its members when whole (before any shrink) */
  int missing;    /* of them, not found */
  bool started;
  enum { RH_MD_NOT_SHRUNK, RH_MD_SHRUNK, RH_MD_SHRINK_FAILED } shrink;
};

/* The report lines of the appliance script (rh_md_run_degraded):
 * "rehost-md DEV UUID LEVEL RAID_DISKS MISSING started|not-started" ("-"
 * for an unknown UUID or level; DEV /dev/md and letters, digits or '_');
 * other lines are skipped. shrink is RH_MD_NOT_SHRUNK: rh_md_make_whole
 * sets it. At most max arrays; returns how many. Pure: unit-tested. */
size_t rh_md_run_parse(const char *out, struct rh_md_run *v, size_t max);

#ifndef REHOST_MD_RUN_PARSE_ONLY
#include <guestfs.h>
/* Start the appliance's inactive arrays without their missing members (as
 * the disks are: read-only ones start read-only), each that cannot start
 * named in a warning; then LVM's volume groups are activated again (a PV
 * may sit on an array). *n: the arrays found inactive, in v. -1 when the
 * appliance could not run it (error printed). */
int rh_md_run_degraded(guestfs_h *g, struct rh_md_run *v, size_t max, size_t *n);
/* Make each RAID1 of v that started without members whole with the
 * members it has (mdadm --grow --raid-devices=N --force): its shrink says
 * how it went. The disks must be writable. */
void rh_md_make_whole(guestfs_h *g, struct rh_md_run *v, size_t n);
#endif

#endif
