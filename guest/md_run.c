/* Starting the md arrays the appliance left inactive (md_run.h). */
#include "md_run.h"

#include "../lib/log.h"
#include "appliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run in the appliance (its mdadm, its sysfs). One report line per array
 * found inactive (rh_md_run_parse). The members are never named by kernel
 * names: only the arrays' own devices. */
static const char script[] =
    "for s in /sys/block/md*/md/array_state; do\n"
    "  [ -e \"$s\" ] && [ \"$(cat \"$s\")\" = inactive ] || continue\n"
    "  m=${s%/array_state}; d=${m%/md}; d=/dev/${d##*/}\n"
    "  if mdadm --run \"$d\" > /dev/null 2>&1; then r=started; else r=not-started; fi\n"
    "  l=$(cat \"$m/level\" 2> /dev/null); n=$(cat \"$m/raid_disks\" 2> /dev/null)\n"
    "  g=$(cat \"$m/degraded\" 2> /dev/null)\n"
    "  u=$(mdadm --detail --export \"$d\" 2> /dev/null | sed -n 's/^MD_UUID=//p')\n"
    "  case $n in ''|*[!0-9]*) n=0;; esac; case $g in ''|*[!0-9]*) g=0;; esac\n"
    "  echo \"rehost-md $d ${u:--} ${l:--} $n $g $r\"\n"
    "done\n";

static char *appliance_sh(guestfs_h *g, const char *cmd)
{
  char *args[] = {(char *)cmd, NULL};
  return guestfs_debug(g, "sh", args);
}

int rh_md_run_degraded(guestfs_h *g, struct rh_md_run *v, size_t max, size_t *n)
{
  *n = 0;
  char *out = appliance_sh(g, script);
  if (!out) {
    rh_error("starting the md arrays that miss members: %s", rh_guestfs_err(g));
    return -1;
  }
  *n = rh_md_run_parse(out, v, max);
  free(out);
  if (!*n) rh_info("--md-degraded: every md array has all its members");
  bool any = false;
  for (size_t i = 0; i < *n; i++) {
    any |= v[i].started;
    if (!v[i].started)
      rh_warn("md array %s cannot start without its missing members: its file systems are not "
              "found", *v[i].uuid ? v[i].uuid : v[i].dev);
  }
  /* a volume group on an array that just started */
  if (any && guestfs_vg_activate_all(g, 1) == -1)
    rh_debug("activating LVM's volume groups: %s", rh_guestfs_err(g));
  return 0;
}

void rh_md_make_whole(guestfs_h *g, struct rh_md_run *v, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    struct rh_md_run *a = &v[i];
    int have = a->raid_disks - a->missing;
    if (!a->started || strcmp(a->level, "raid1") || !a->missing || have < 1) continue;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "mdadm --grow %s --raid-devices=%d --force 2>&1 && echo rehost-ok",
             a->dev, have); /* dev: /dev/md and [A-Za-z0-9_] (rh_md_run_parse) */
    char *out = appliance_sh(g, cmd);
    a->shrink = out && strstr(out, "rehost-ok") ? RH_MD_SHRUNK : RH_MD_SHRINK_FAILED;
    if (a->shrink == RH_MD_SHRINK_FAILED)
      rh_debug("%s: mdadm --grow: %s", a->dev, out ? out : rh_guestfs_err(g));
    free(out);
  }
}
