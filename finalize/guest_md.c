/* finalize --md-degraded: the machine's arrays that miss members, started
 * before the guest is inspected (md_run.h), made whole after its scan
 * report, and what each became, in the change report. */
#include "edits.h"
#include "guest_steps.h"

#include "../lib/log.h"

#include <stdio.h>
#include <string.h>

#define WHY_MD_DEGRADED "its other members' disks were not given (--md-degraded: they are lost)"

void rh_fin_md_whole(guestfs_h *g, bool dry_run, json_object *changes, struct rh_md_run *v,
                     size_t n)
{
  if (!dry_run) rh_md_make_whole(g, v, n);
  for (size_t i = 0; i < n; i++) {
    const struct rh_md_run *a = &v[i];
    char what[96], before[96], after[160];
    int have = a->raid_disks - a->missing;
    snprintf(what, sizeof what, "md array %s", *a->uuid ? a->uuid : a->dev);
    snprintf(before, sizeof before, "%s, %d of %d members", *a->level ? a->level : "md", have,
             a->raid_disks);
    if (!a->started) {
      rh_change(changes, what, "warning", before, NULL,
                "it cannot start without its missing members: its file systems are not found");
      continue;
    }
    bool raid1 = !strcmp(a->level, "raid1");
    if (a->shrink == RH_MD_SHRUNK || (dry_run && raid1))
      snprintf(after, sizeof after, "%s made whole with its %d member%s",
               dry_run ? "to be started and" : "started,", have, have > 1 ? "s" : "");
    else
      snprintf(after, sizeof after, "started degraded (no redundancy until a member is added)");
    rh_change(changes, what, "md-degraded", before, after, WHY_MD_DEGRADED);
    if (a->shrink == RH_MD_SHRINK_FAILED || (!raid1 && a->missing)) {
      rh_warn("%s runs degraded: %s", what,
              raid1 ? "it could not be made whole with the members found"
                    : "only a RAID1 is made whole with fewer members");
      rh_change(changes, what, "warning", before, NULL,
                raid1 ? "it could not be made whole with the members found: it runs degraded"
                      : "it runs degraded: only a RAID1 is made whole with fewer members");
    }
  }
}
