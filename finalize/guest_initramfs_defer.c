/* The guest's package manager and the source platform's uninstallers run
 * inside the appliance, where the guest's own initramfs generator takes
 * minutes without KVM (about 9 under TCG), and where finalize's initramfs
 * step may make the image again right after. For such a run,
 * update-initramfs, dracut and mkinitrd are stand-ins (initramfs_stand_in.sh,
 * first in PATH, and in rpm's scriptlet PATH) that note a request to update
 * the images there are and pass any other (a new kernel's image) on; after it,
 * what the run changed among the files an initramfs is made from decides
 * (rh_initramfs_inputs_touched): the initramfs step makes the image once,
 * and only when it is stale. */
#include "edits.h"
#include "guest_steps.h"

#include "../guest/appliance.h"
#include "../lib/log.h"
#include "../scan/scan.h"
#include "initramfs_stand_in.h" /* made by CMake from initramfs_stand_in.sh */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFER_DIR "/tmp/.rehost-initramfs-deferred"
#define SCRIPT_PATH DEFER_DIR ":/usr/sbin:/usr/bin:/sbin:/bin"

static void input_dirs(char *buf, size_t n)
{
  buf[0] = 0;
  for (const char *const *d = rh_initramfs_input_dirs; *d; d++) {
    size_t l = strlen(buf);
    snprintf(buf + l, n - l, "%s%s", l ? " " : "", *d);
  }
}

bool rh_fin_initramfs_defer_begin(struct rh_fin *f)
{
  if (f->dry_run) return false;
  char dirs[600], cmd[1400];
  input_dirs(dirs, sizeof dirs);
  snprintf(cmd, sizeof cmd,
           "set -e; d=" DEFER_DIR "; chmod 755 \"$d/update-initramfs\"; "
           "ln -s update-initramfs \"$d/dracut\"; ln -s update-initramfs \"$d/mkinitrd\"; "
           "touch \"$d/stamp\"; find %s -type f 2>/dev/null | LC_ALL=C sort > \"$d/before\"",
           dirs);
  int st = -1;
  guestfs_rm_rf(f->g, DEFER_DIR);
  char *out = guestfs_mkdir_p(f->g, DEFER_DIR) == 0 &&
                      guestfs_write(f->g, DEFER_DIR "/update-initramfs", rh_initramfs_stand_in,
                                    sizeof rh_initramfs_stand_in - 1) == 0
                  ? rh_fin_sh_status(f, cmd, &st)
                  : NULL;
  rh_debug("initramfs stand-ins: exit status %d: %s", st, out ? out : rh_guestfs_err(f->g));
  free(out);
  if (st == 0) return true;
  guestfs_rm_rf(f->g, DEFER_DIR);
  rh_debug("the initramfs stand-ins could not be set up: the guest's generator runs as asked");
  return false;
}

const char *rh_fin_initramfs_deferred_cmd(bool own, const char *cmd, char *buf, size_t n)
{
  if (!own) return cmd;
  int w = snprintf(buf, n,
                   "PATH=" DEFER_DIR ":$PATH; export PATH; "
                   "rpm() { command rpm --define '_install_script_path " SCRIPT_PATH "' \"$@\"; }; %s",
                   cmd);
  return w > 0 && (size_t)w < n ? buf : cmd;
}

void rh_fin_initramfs_defer_end(struct rh_fin *f, bool own, const char *what)
{
  if (!own) return;
  char dirs[600], cmd[1600];
  input_dirs(dirs, sizeof dirs);
  /* the lists are files of their own, read as they are: no marker in the
   * output that a maintainer script's note could imitate */
  snprintf(cmd, sizeof cmd,
           "d=" DEFER_DIR "; find %s -type f 2>/dev/null | LC_ALL=C sort > \"$d/after\"; "
           "command -v comm >/dev/null && LC_ALL=C comm -23 \"$d/before\" \"$d/after\" > \"$d/touched\" "
           "&& { find %s -type f -cnewer \"$d/stamp\" 2>/dev/null; true; } >> \"$d/touched\" "
           "&& echo listed",
           dirs, dirs);
  int st;
  char *out = rh_fin_sh_status(f, cmd, &st);
  bool listed = st == 0 && out && strstr(out, "listed");
  /* a request noted in a file rehost cannot read (not text, too big) is
   * still a request */
  bool noted = rh_fin_exists(f, DEFER_DIR "/asked");
  char *asked = noted ? rh_guest_read(f->g, DEFER_DIR "/asked") : NULL;
  if (noted && !asked) asked = strdup("(a request rehost could not read)");
  char *touched = listed ? rh_guest_read(f->g, DEFER_DIR "/touched") : NULL;
  guestfs_rm_rf(f->g, DEFER_DIR);
  if (asked && asked[0]) {
    char first[200], force[300], reason[700];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(asked, "\n"), asked);
    bool must = !touched || rh_initramfs_inputs_touched(touched, f->initramfs_stale,
                                                        sizeof f->initramfs_stale, force, sizeof force);
    if (!touched) snprintf(force, sizeof force, "files it could not list");
    if (must) snprintf(f->initramfs_force, sizeof f->initramfs_force, "%s changed %s", what, force);
    snprintf(reason, sizeof reason,
             "%s asked for the initramfs to be made again: left to finalize's initramfs step, which "
             "makes it once%s",
             what, must ? "" : ", if the image carries a file that changed");
    rh_change(f->changes, "initramfs", "defer-rebuild", first, NULL, reason);
    rh_info("%s asked for the initramfs to be made again (%s): left to the initramfs step", what, first);
  }
  free(asked);
  free(touched);
  free(out);
}
