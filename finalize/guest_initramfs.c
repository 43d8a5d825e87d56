/* finalize's initramfs step: every kernel's initramfs made to carry the
 * profile's modules (and rebuilt when it carries a copy of a file the files
 * step changed), with the guest's own tool (update-initramfs or dracut). */
#include "edits.h"
#include "guest_steps.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../guest/appliance.h"
#include "../guest/guestconf.h"
#include "../guest/initramfs_list.h"
#include "../lib/words.h"
#include "../lib/workdir.h"
#include "../scan/scan.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Is module m named in text (modules.dep, modules.builtin, an initramfs
 * listing) as ".../m.ko" (any compression suffix)? '-' and '_' are the same. */
static bool lists_module(const char *text, const char *m)
{
  size_t n = strlen(m);
  for (const char *p = text; p && (p = strchr(p, '/')); p++) {
    size_t i = 0;
    while (i < n && p[1 + i] &&
           (p[1 + i] == m[i] || ((p[1 + i] == '-' || p[1 + i] == '_') && (m[i] == '-' || m[i] == '_'))))
      i++;
    if (i == n && !strncmp(p + 1 + n, ".ko", 3)) return true;
  }
  return false;
}

/* The space-separated paths an initramfs listing names are added to `names`. */
static void add_carried(const char *listing, const char *paths, char *names, size_t namesz)
{
  char *copy = strdup(paths), *save = NULL;
  for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
    if (strstr(listing, t)) rh_words_add(names, namesz, t);
  free(copy);
}

/* The names in the initramfs at path, read by rehost from a copy in the
 * appliance's own work directory (guest/initramfs_list.h): seconds faster
 * than the guest's lister under TCG. NULL when it cannot (an image over
 * 512 MiB, a compression it does not read): the guest's tool lists it then. */
static char *listing_here(struct rh_fin *f, const char *path)
{
  int64_t size = guestfs_filesize(f->g, path);
  char *dir = guestfs_get_tmpdir(f->g), *listing = NULL, copy[4200];
  if (size <= 0 || size > (512 << 20) || !dir || !rh_workdir_is(dir, "appliance")) {
    free(dir);
    return NULL;
  }
  snprintf(copy, sizeof copy, "%s/initramfs.img", dir);
  free(dir);
  unlink(copy);
  if (guestfs_download(f->g, path, copy) == 0) {
    int fd = open(copy, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == size) {
      void *img = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (img != MAP_FAILED) {
        listing = rh_initramfs_list(img, (size_t)size);
        munmap(img, (size_t)size);
      }
    }
    if (fd >= 0) close(fd);
  }
  unlink(copy);
  if (!listing) rh_debug("%s: not read here; listed by the guest's own tool", path);
  return listing;
}

static int rebuild_initramfs(struct rh_fin *f, const char *cmd)
{
  char *out = rh_fin_sh(f, "rebuilding the initramfs", cmd);
  if (!out) return RH_EXIT_GUEST;
  free(out);
  f->initramfs_rebuilt = true;
  return RH_EXIT_OK;
}

int rh_fin_initramfs(struct rh_fin *f)
{
  char **mods = f->p->initramfs_modules, **kmods = f->p->kernel_modules;
  if (!mods[0] && !kmods[0] && !f->initramfs_stale[0] && !f->initramfs_force[0]) return RH_EXIT_OK;
  /* the generator the guest has installed, not its distribution's usual one
   * (Debian guests can use dracut): initramfs-tools is update-initramfs with
   * its hooks; else dracut */
  bool debian = rh_fin_exists(f, "/usr/sbin/update-initramfs") && rh_fin_exists(f, "/usr/share/initramfs-tools");
  bool dracut = !debian && (rh_fin_exists(f, "/usr/bin/dracut") || rh_fin_exists(f, "/sbin/dracut") ||
                            rh_fin_exists(f, "/usr/sbin/dracut"));
  if (!debian && !dracut && mods[0]) {
    rh_warn("the guest has neither update-initramfs nor dracut: initramfs left as is");
    static char *none[] = {NULL};
    mods = none; /* the kernels are still checked for kernel_modules */
  }
  char **kdirs = rh_guest_glob(f->g, "/lib/modules/*");
  char missing[1024] = "";
  char stale_names[400] = ""; /* the files the files step changed that an image carries */
  /* dracut: each kernel's image regenerated where it is now (Debian's name is
   * not dracut's default, and GRUB would keep booting the old one) */
  char dracut_cmd[2048] = "";
  for (int k = 0; kdirs && kdirs[k]; k++) {
    size_t kl = strlen(kdirs[k]);
    if (kl > 1 && kdirs[k][kl - 1] == '/') kdirs[k][kl - 1] = 0; /* glob marks directories */
    const char *kver = strrchr(kdirs[k], '/') + 1;
    if (!*kver) continue;
    /* a directory name the guest chose, bound for a guest shell command */
    if (strspn(kver, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+~-") !=
            strlen(kver) || kver[0] == '-' || strlen(kver) > 128) {
      rh_warn("/lib/modules: skipping a kernel directory with an unusual name (%s)", kver);
      continue;
    }
    char path[512], cmd[640];
    snprintf(path, sizeof path, "%s/modules.dep", kdirs[k]);
    char *dep = rh_guest_read(f->g, path);
    snprintf(path, sizeof path, "%s/modules.builtin", kdirs[k]);
    char *builtin = rh_guest_read(f->g, path);
    /* Debian names it initrd.img-KVER (with dracut too), RHEL initramfs-KVER.img */
    snprintf(path, sizeof path, "/boot/initrd.img-%s", kver);
    if (!rh_fin_exists(f, path)) snprintf(path, sizeof path, "/boot/initramfs-%s.img", kver);
    if (dep && dracut) {
      size_t l = strlen(dracut_cmd);
      snprintf(dracut_cmd + l, sizeof dracut_cmd - l, "%sdracut --force %s %s", l ? " && " : "", path, kver);
    }
    /* needed once the root filesystem is up (udev loads them from it) */
    for (char **m = kmods; dep && *m; m++)
      if (!(builtin && lists_module(builtin, *m)) && !lists_module(dep, *m))
        rh_warn("kernel %s has no module %s: the target platform's services that need it will not work",
                kver, *m);
    char *listing = NULL;
    if (dep && (mods[0] || f->initramfs_stale[0]) && (debian || dracut) && rh_fin_exists(f, path)) {
      listing = listing_here(f, path);
      snprintf(cmd, sizeof cmd, debian ? "lsinitramfs %s" : "lsinitrd %s", path);
      if (!listing) listing = rh_fin_sh(f, debian ? "lsinitramfs" : "lsinitrd", cmd);
    }
    rh_debug("kernel %s: modules.dep %zu bytes, builtin %zu, initramfs listing %zu", kver,
             dep ? strlen(dep) : 0, builtin ? strlen(builtin) : 0, listing ? strlen(listing) : 0);
    for (char **m = mods; dep && *m; m++) {
      if (builtin && lists_module(builtin, *m)) continue;
      if (!lists_module(dep, *m)) {
        rh_warn("kernel %s has no module %s: the target may not boot with it", kver, *m);
        continue;
      }
      if (listing && lists_module(listing, *m)) continue;
      rh_words_add(missing, sizeof missing, *m);
    }
    if (listing) add_carried(listing, f->initramfs_stale, stale_names, sizeof stale_names);
    free(dep);
    free(builtin);
    free(listing);
  }
  rh_strv_free(kdirs);
  /* a generator's hook changed: every image, by the generator the guest has */
  const char *force = (debian || dracut_cmd[0]) ? f->initramfs_force : "";
  bool stale = stale_names[0] != 0 || force[0];
  if (!missing[0] && !stale) return RH_EXIT_OK;
  const char *conf = debian ? "/etc/initramfs-tools/modules" : "/etc/dracut.conf.d/rehost.conf";
  if (missing[0])
    rh_change(f->changes, conf, "add-initramfs-modules", NULL, missing,
              "drivers the target platform boots with");
  const char *rebuild = debian ? "update-initramfs -u -k all" : dracut_cmd;
  char why[1200];
  snprintf(why, sizeof why, "%s%s%s%s%s%s", missing[0] ? "to include the added drivers" : "",
           missing[0] && stale ? "; " : "", stale_names[0] ? "its copy of what finalize changed: " : "",
           stale_names, stale_names[0] && force[0] ? "; " : "", force);
  rh_change(f->changes, "initramfs", "rebuild", NULL, rebuild, why);
  if (f->dry_run) return RH_EXIT_OK;
  if (!missing[0]) {
    rh_info("rebuilding the initramfs in the guest for %s (slow without KVM)", stale_names[0] ? stale_names : force);
    return rebuild_initramfs(f, rebuild);
  }
  char *old = rh_guest_read(f->g, conf);
  size_t need = (old ? strlen(old) : 0) + strlen(missing) * 2 + 64;
  char *text = malloc(need);
  if (!text) return RH_EXIT_FAILURE;
  if (debian) {
    snprintf(text, need, "%s%s# added by rehost finalize\n", old ? old : "",
             old && *old && old[strlen(old) - 1] != '\n' ? "\n" : "");
    char *save = NULL, *copy = strdup(missing);
    for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
      snprintf(text + strlen(text), need - strlen(text), "%s\n", t);
    free(copy);
  } else {
    snprintf(text, need, "%sadd_drivers+=\" %s \"\n", old ? old : "", missing);
  }
  free(old);
  int rc = guestfs_write(f->g, conf, text, strlen(text)) < 0 ? RH_EXIT_GUEST : RH_EXIT_OK;
  free(text);
  if (rc) {
    rh_error("%s: cannot write in the guest: %s", conf, rh_guestfs_err(f->g));
    return rc;
  }
  rh_info("rebuilding the initramfs in the guest for %s (slow without KVM)", missing);
  return rebuild_initramfs(f, rebuild);
}
