#include "edits.h"
#include "guest_steps.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../guest/appliance.h"
#include "../guest/guestconf.h"
#include "../scan/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool exists(struct rh_fin *f, const char *path)
{
  return guestfs_exists(f->g, path) > 0;
}

/* ---- services ---- */

bool rh_fin_unit_present(struct rh_fin *f, const char *unit)
{
  static const char *const dirs[] = {"/etc/systemd/system", "/lib/systemd/system",
                                     "/usr/lib/systemd/system"};
  char path[512];
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s.service", dirs[i], unit);
    if (exists(f, path)) return true;
  }
  snprintf(path, sizeof path, "/etc/init.d/%s", unit);
  return exists(f, path);
}

/* `systemctl is-enabled` of a unit, its first line (malloc'd), or NULL when
 * the guest command failed. Unit names come from a validated profile or
 * from rehost itself: [A-Za-z0-9-_.@] only. */
static char *unit_state(struct rh_fin *f, const char *unit)
{
  char cmd[512];
  snprintf(cmd, sizeof cmd, "systemctl is-enabled %s.service 2>/dev/null || true", unit);
  char *state = rh_fin_sh(f, "systemctl is-enabled", cmd);
  if (state) state[strcspn(state, "\n")] = 0;
  return state;
}

static int set_unit(struct rh_fin *f, const char *unit, bool enable, const char *reason)
{
  char *state = unit_state(f, unit);
  if (!state) return RH_EXIT_GUEST;
  /* static/indirect units have no [Install] section: something else starts
   * them (udev for qemu-guest-agent), so there is nothing to enable */
  bool on = !strcmp(state, "enabled") || !strcmp(state, "enabled-runtime") ||
            !strcmp(state, "static") || !strcmp(state, "indirect") || !strcmp(state, "alias");
  if (on == enable || (!enable && strcmp(state, "enabled") != 0)) {
    free(state);
    return RH_EXIT_OK;
  }
  char label[300];
  snprintf(label, sizeof label, "systemd unit %s.service", unit);
  rh_change(f->changes, label, enable ? "enable-service" : "disable-service", state,
            enable ? "enabled" : "disabled", reason);
  free(state);
  if (f->dry_run) return RH_EXIT_OK;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "systemctl %s %s.service 2>&1", enable ? "enable" : "disable", unit);
  char *out = rh_fin_sh(f, enable ? "systemctl enable" : "systemctl disable", cmd);
  free(out);
  return out ? RH_EXIT_OK : RH_EXIT_GUEST;
}

int rh_fin_enable_unit(struct rh_fin *f, const char *unit, const char *reason)
{
  return rh_fin_unit_present(f, unit) ? set_unit(f, unit, true, reason) : RH_EXIT_OK;
}

bool rh_fin_unit_enabled(struct rh_fin *f, const char *unit)
{
  char *state = unit_state(f, unit);
  bool on = state && !strncmp(state, "enabled", 7);
  free(state);
  return on;
}

int rh_fin_services(struct rh_fin *f)
{
  const struct rh_profile *p = f->p;
  int rc = RH_EXIT_OK;
  for (size_t i = 0; !rc && i < p->n_enable; i++)
    for (char **alt = p->enable[i]; *alt; alt++)
      if (rh_fin_unit_present(f, *alt)) {
        rc = set_unit(f, *alt, true, "enabled on the target by the profile");
        break;
      }
  for (char **u = p->disable; !rc && *u; u++)
    if (rh_fin_unit_present(f, *u)) rc = set_unit(f, *u, false, "not wanted on the target");
  for (char **u = p->firewall; !rc && *u; u++)
    if (rh_fin_unit_present(f, *u))
      rc = set_unit(f, *u, f->firewall,
                    f->firewall ? "--firewall" : "no firewall asked for (--firewall enables it)");
  return rc;
}

/* ---- initramfs ---- */

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

void rh_words_add(char *list, size_t sz, const char *word)
{
  size_t n = strlen(word), l = strlen(list);
  if (!n) return;
  for (const char *p = list; (p = strstr(p, word)); p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n])) return;
  if (l + (l ? 1 : 0) + n >= sz) return;
  snprintf(list + l, sz - l, "%s%s", l ? " " : "", word);
}

/* The space-separated paths an initramfs listing names are added to `names`. */
static void add_carried(const char *listing, const char *paths, char *names, size_t namesz)
{
  char *copy = strdup(paths), *save = NULL;
  for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
    if (strstr(listing, t)) rh_words_add(names, namesz, t);
  free(copy);
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
  if (!mods[0] && !kmods[0] && !f->initramfs_stale[0]) return RH_EXIT_OK;
  /* the generator the guest has installed, not its distribution's usual one
   * (Debian guests can use dracut): initramfs-tools is update-initramfs with
   * its hooks; else dracut */
  bool debian = exists(f, "/usr/sbin/update-initramfs") && exists(f, "/usr/share/initramfs-tools");
  bool dracut = !debian && (exists(f, "/usr/bin/dracut") || exists(f, "/sbin/dracut") ||
                            exists(f, "/usr/sbin/dracut"));
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
    if (!exists(f, path)) snprintf(path, sizeof path, "/boot/initramfs-%s.img", kver);
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
    if (dep && (mods[0] || f->initramfs_stale[0]) && (debian || dracut) && exists(f, path)) {
      snprintf(cmd, sizeof cmd, debian ? "lsinitramfs %s" : "lsinitrd %s", path);
      listing = rh_fin_sh(f, debian ? "lsinitramfs" : "lsinitrd", cmd);
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
  bool stale = stale_names[0] != 0;
  if (!missing[0] && !stale) return RH_EXIT_OK;
  const char *conf = debian ? "/etc/initramfs-tools/modules" : "/etc/dracut.conf.d/rehost.conf";
  if (missing[0])
    rh_change(f->changes, conf, "add-initramfs-modules", NULL, missing,
              "drivers the target platform boots with");
  const char *rebuild = debian ? "update-initramfs -u -k all" : dracut_cmd;
  char why[300];
  snprintf(why, sizeof why, "%s%s%s%s", missing[0] ? "to include the added drivers" : "",
           missing[0] && stale ? "; " : "", stale ? "its copy of what finalize changed: " : "",
           stale ? stale_names : "");
  rh_change(f->changes, "initramfs", "rebuild", NULL, rebuild, why);
  if (f->dry_run) return RH_EXIT_OK;
  if (!missing[0]) {
    rh_info("rebuilding the initramfs in the guest for %s (slow without KVM)", stale_names);
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

/* ---- first boot ---- */

int rh_fin_firstboot_unit(struct rh_fin *f, const char *name, const char *script,
                          const char *unit)
{
  char bin[128], svc[160], cmd[256];
  snprintf(bin, sizeof bin, "/usr/local/sbin/%s", name);
  snprintf(svc, sizeof svc, "/etc/systemd/system/%s.service", name);
  if (guestfs_mkdir_p(f->g, "/usr/local/sbin") < 0 ||
      guestfs_write(f->g, bin, script, strlen(script)) < 0 || guestfs_chmod(f->g, 0755, bin) < 0 ||
      guestfs_write(f->g, svc, unit, strlen(unit)) < 0) {
    rh_error("%s: writing the first-boot unit failed: %s", svc, rh_guestfs_err(f->g));
    return RH_EXIT_GUEST;
  }
  snprintf(cmd, sizeof cmd, "systemctl enable %s.service 2>&1", name);
  char *out = rh_fin_sh(f, "systemctl enable", cmd);
  free(out);
  return out ? RH_EXIT_OK : RH_EXIT_GUEST;
}
