/* Services, with the tools of the guest's own init system: systemd's
 * systemctl; on a SysV guest (RHEL and CentOS 6, SLES 11, Debian or Devuan
 * with sysvinit) chkconfig, update-rc.d or insserv, whichever it has; on an
 * OpenRC guest (Alpine, Gentoo, Debian or Devuan with openrc) rc-update. A guest whose init system rehost
 * does not know keeps its services as they are, with a warning: failing on
 * a missing systemctl would refuse every guest that is not systemd's. The
 * first-boot units (a script run once, on the target) are a systemd unit or
 * an init script the same tools enable, which disables itself once the
 * script succeeded. Service names come from a validated profile or from
 * rehost itself: [A-Za-z0-9-_.@] only, safe in a guest command. */
#include "edits.h"
#include "guest_steps.h"

#include "../guest/appliance.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../scan/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mgr { MGR_UNKNOWN, MGR_SYSTEMD, MGR_CHKCONFIG, MGR_UPDATE_RC_D, MGR_INSSERV, MGR_OPENRC, MGR_NONE };

static const char *const mgr_names[] = {"?", "systemd", "SysV (chkconfig)", "SysV (update-rc.d)",
                                        "SysV (insserv)", "OpenRC", "none"};

/* The SysV tool the guest has: RHEL's and SUSE's chkconfig, Debian's
 * update-rc.d, insserv alone */
static enum mgr sysv_tool(struct rh_fin *f)
{
  static const char *const chk[] = {"/sbin/chkconfig", "/usr/sbin/chkconfig", NULL};
  static const char *const urd[] = {"/usr/sbin/update-rc.d", "/sbin/update-rc.d", NULL};
  static const char *const ins[] = {"/sbin/insserv", "/usr/sbin/insserv", "/usr/lib/insserv/insserv", NULL};
  return rh_fin_exists_any(f, chk) ? MGR_CHKCONFIG : rh_fin_exists_any(f, urd) ? MGR_UPDATE_RC_D
         : rh_fin_exists_any(f, ins) ? MGR_INSSERV : MGR_NONE;
}

/* Asked once: by the init system scan names, else (no /sbin/init to tell)
 * by the tools the guest has. */
static enum mgr manager(struct rh_fin *f)
{
  if (f->svc_mgr) return (enum mgr)f->svc_mgr;
  static const char *const systemctl[] = {"/bin/systemctl", "/usr/bin/systemctl", NULL};
  static const char *const rc_update[] = {"/sbin/rc-update", "/usr/sbin/rc-update", "/bin/rc-update", NULL};
  const char *init = rh_guest_init_system(f->g);
  enum mgr m = MGR_NONE;
  if (!strcmp(init, "systemd")) m = MGR_SYSTEMD;
  else if (!strcmp(init, "openrc")) m = rh_fin_exists_any(f, rc_update) ? MGR_OPENRC : MGR_NONE;
  else if (!strcmp(init, "sysvinit")) m = sysv_tool(f);
  else if (rh_fin_exists_any(f, systemctl)) m = MGR_SYSTEMD;
  else if (rh_fin_exists(f, "/etc/init.d")) m = sysv_tool(f);
  f->svc_mgr = (int)m;
  if (m == MGR_NONE) {
    char why[300];
    snprintf(why, sizeof why,
             "the guest's init system (%s) has no tool rehost manages services with (systemctl, "
             "chkconfig, update-rc.d, insserv, rc-update): services are left as they are", init);
    rh_warn("%s", why);
    rh_change(f->changes, "services", "warning", NULL, NULL, why);
  } else {
    rh_debug("services: the guest's init system is %s; managed with %s", init, mgr_names[m]);
  }
  return m;
}

bool rh_fin_has_service_manager(struct rh_fin *f) { return manager(f) != MGR_NONE; }

bool rh_fin_unit_present(struct rh_fin *f, const char *unit)
{
  static const char *const dirs[] = {"/etc/systemd/system", "/lib/systemd/system",
                                     "/usr/lib/systemd/system"};
  char path[512];
  for (size_t i = 0; i < 3 && manager(f) == MGR_SYSTEMD; i++) {
    snprintf(path, sizeof path, "%s/%s.service", dirs[i], unit);
    if (rh_fin_exists(f, path)) return true;
  }
  snprintf(path, sizeof path, "/etc/init.d/%s", unit);
  return rh_fin_exists(f, path);
}

/* An init script starts at boot by its rc system's records: an OpenRC
 * guest's runlevels, else SysV's start links (rh_guest_boot_scripts). */
static bool script_enabled(struct rh_fin *f, const char *unit)
{
  char **names = rh_guest_boot_scripts(f->g, manager(f) == MGR_OPENRC ? "openrc" : "sysvinit");
  bool on = false;
  for (size_t i = 0; names[i] && !on; i++) on = !strcmp(names[i], unit);
  rh_strv_free(names);
  return on;
}

/* systemd: the states of units asked in one guest command (each guest
 * command costs most of a second under TCG), kept as "unit=state" lines
 * until the next guest command (rh_fin_sh drops them). */
static void ask_states(struct rh_fin *f, const char *const *units, size_t n)
{
  if (manager(f) != MGR_SYSTEMD || n < 2) return;
  char cmd[4096] = "for u in";
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(cmd);
    if (l + strlen(units[i]) + 200 > sizeof cmd) return; /* asked one by one then */
    snprintf(cmd + l, sizeof cmd - l, " %s", units[i]);
  }
  size_t l = strlen(cmd);
  snprintf(cmd + l, sizeof cmd - l,
           "; do printf '%%s=%%s\\n' \"$u\" \"$(systemctl is-enabled \"$u.service\" 2>/dev/null "
           "| head -n 1)\"; done");
  char *out = rh_fin_sh(f, "systemctl is-enabled", cmd);
  f->unit_states = out; /* after rh_fin_sh, which dropped the old ones */
}

/* A state ask_states has (malloc'd), or NULL. */
static char *asked_state(const struct rh_fin *f, const char *unit)
{
  size_t n = strlen(unit);
  for (const char *l = f->unit_states; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "")
    if (!strncmp(l, unit, n) && l[n] == '=') return strndup(l + n + 1, strcspn(l + n + 1, "\n"));
  return NULL;
}

/* `systemctl is-enabled` of a unit, its first line (malloc'd), or for an
 * init script "enabled" or "disabled"; NULL when the guest command failed. */
static char *unit_state(struct rh_fin *f, const char *unit)
{
  if (manager(f) != MGR_SYSTEMD) return strdup(script_enabled(f, unit) ? "enabled" : "disabled");
  char *state = asked_state(f, unit);
  if (state) return state;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "systemctl is-enabled %s.service 2>/dev/null || true", unit);
  state = rh_fin_sh(f, "systemctl is-enabled", cmd);
  if (state) state[strcspn(state, "\n")] = 0;
  return state;
}

/* The guest command that enables or disables a service */
static void toggle_cmd(enum mgr m, const char *u, bool enable, char *cmd, size_t n)
{
  cmd[0] = 0;
  if (m == MGR_SYSTEMD)
    snprintf(cmd, n, "systemctl %s %s.service", enable ? "enable" : "disable", u);
  else if (m == MGR_CHKCONFIG && enable) /* --add registers a script that never was */
    snprintf(cmd, n, "chkconfig --add %s && chkconfig %s on", u, u);
  else if (m == MGR_CHKCONFIG)
    snprintf(cmd, n, "chkconfig %s off", u);
  else if (m == MGR_UPDATE_RC_D && enable) /* defaults makes links if none; enable: K to S */
    snprintf(cmd, n, "update-rc.d %s defaults && update-rc.d %s enable", u, u);
  else if (m == MGR_UPDATE_RC_D)
    snprintf(cmd, n, "update-rc.d %s disable", u);
  else if (m == MGR_INSSERV)
    snprintf(cmd, n, "insserv %s%s", enable ? "" : "-r ", u);
  else if (m == MGR_OPENRC && enable)
    snprintf(cmd, n, "rc-update add %s default", u);
  else if (m == MGR_OPENRC) /* from every runlevel it is in */
    snprintf(cmd, n, "for l in /etc/runlevels/*/%s; do rc-update del %s \"$(basename \"$(dirname \"$l\")\")\"; done",
             u, u);
}

/* What setting unit to enable (or not) takes, by its state now: the change
 * recorded and the guest command appended to cmds (" && " between), or
 * nothing when it is so already. */
static int plan_unit(struct rh_fin *f, const char *unit, bool enable, const char *reason,
                     char *cmds, size_t cmdsz)
{
  enum mgr m = manager(f);
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
  char label[300], cmd[600];
  if (m == MGR_SYSTEMD) snprintf(label, sizeof label, "systemd unit %s.service", unit);
  else snprintf(label, sizeof label, "%s service %s", mgr_names[m], unit);
  rh_change(f->changes, label, enable ? "enable-service" : "disable-service", state,
            enable ? "enabled" : "disabled", reason);
  free(state);
  toggle_cmd(m, unit, enable, cmd, sizeof cmd);
  size_t l = strlen(cmds);
  if (l + strlen(cmd) + 8 > cmdsz) {
    rh_error("services: too many to change at once (%s)", unit);
    return RH_EXIT_FAILURE;
  }
  snprintf(cmds + l, cmdsz - l, "%s%s", l ? " && " : "", cmd);
  return RH_EXIT_OK;
}

/* The planned guest commands, run as one (nothing in a dry run). */
static int run_toggles(struct rh_fin *f, const char *cmds)
{
  if (f->dry_run || !cmds[0]) return RH_EXIT_OK;
  char what[64];
  snprintf(what, sizeof what, "%s: enabling and disabling services", mgr_names[manager(f)]);
  char *out = rh_fin_sh(f, what, cmds);
  free(out);
  return out ? RH_EXIT_OK : RH_EXIT_GUEST;
}

bool rh_fin_unit_enabled(struct rh_fin *f, const char *unit)
{
  if (manager(f) == MGR_NONE) return false;
  char *state = unit_state(f, unit);
  bool on = state && !strncmp(state, "enabled", 7);
  free(state);
  return on;
}

/* The profile's units the guest has, each with what it asks for: a unit
 * named twice keeps the last, as if they were set one after the other. */
struct want {
  const char *unit, *reason;
  bool enable;
};

static void want(struct want *w, size_t *n, size_t max, const char *unit, bool enable,
                 const char *reason)
{
  size_t i = 0;
  while (i < *n && strcmp(w[i].unit, unit) != 0) i++;
  if (i == max) return;
  w[i] = (struct want){unit, reason, enable};
  if (i == *n) (*n)++;
}

/* Their states asked at once, their changes made at once. */
static int set_wanted(struct rh_fin *f, const struct want *w, size_t n)
{
  if (!n || manager(f) == MGR_NONE) return RH_EXIT_OK; /* said once, in manager() */
  const char *units[64];
  for (size_t i = 0; i < n; i++) units[i] = w[i].unit;
  ask_states(f, units, n);
  char cmds[8192] = "";
  int rc = RH_EXIT_OK;
  for (size_t i = 0; !rc && i < n; i++)
    rc = plan_unit(f, w[i].unit, w[i].enable, w[i].reason, cmds, sizeof cmds);
  return rc ? rc : run_toggles(f, cmds);
}

int rh_fin_services(struct rh_fin *f)
{
  const struct rh_profile *p = f->p;
  struct want w[64];
  size_t n = 0;
  for (size_t i = 0; i < p->n_enable; i++)
    for (char **alt = p->enable[i]; *alt; alt++)
      if (rh_fin_unit_present(f, *alt)) {
        want(w, &n, 64, *alt, true, "enabled on the target by the profile");
        break;
      }
  for (char **u = p->disable; *u; u++)
    if (rh_fin_unit_present(f, *u)) want(w, &n, 64, *u, false, "not wanted on the target");
  for (char **u = p->firewall; *u; u++)
    if (rh_fin_unit_present(f, *u))
      want(w, &n, 64, *u, f->firewall,
           f->firewall ? "--firewall" : "no firewall asked for (--firewall enables it)");
  return set_wanted(f, w, n);
}

int rh_fin_enable_units(struct rh_fin *f, const char *const *units, const char *reason)
{
  struct want w[64];
  size_t n = 0;
  for (; *units; units++)
    if (rh_fin_unit_present(f, *units)) want(w, &n, 64, *units, true, reason);
  return set_wanted(f, w, n);
}

int rh_fin_enable_unit(struct rh_fin *f, const char *unit, const char *reason)
{
  const char *const one[] = {unit, NULL};
  return rh_fin_enable_units(f, one, reason);
}

/* ---- first boot ---- */

const char *rh_fin_firstboot_file(struct rh_fin *f, const char *name, char *buf, size_t n)
{
  enum mgr m = manager(f);
  if (m == MGR_NONE) snprintf(buf, n, "(none: no service manager)");
  else if (m == MGR_SYSTEMD) snprintf(buf, n, "/etc/systemd/system/%s.service", name);
  else snprintf(buf, n, "/etc/init.d/%s", name);
  return buf;
}

/* An init script that runs the first-boot script after the network is up,
 * LSB and chkconfig headers for the SysV tools, openrc-run's for OpenRC
 * (after what provides "net" on Alpine and Gentoo, or Debian's
 * networking script; `use`, not `need`, which fails where none does) */
static char *init_script(enum mgr m, const char *name, const char *desc)
{
  char *s = NULL;
  int r = m == MGR_OPENRC
              ? asprintf(&s, "#!/sbin/openrc-run\n# written by rehost finalize\ndescription=\"%s\"\n"
                             "depend() {\n\tuse net networking\n\tafter *\n}\nstart() {\n"
                             "\tebegin \"%s\"\n\t/usr/local/sbin/%s\n\teend $?\n}\n",
                         desc, desc, name)
              : asprintf(&s, "#!/bin/sh\n### BEGIN INIT INFO\n# Provides:          %s\n"
                             "# Required-Start:    $local_fs $remote_fs $network $syslog\n"
                             "# Should-Start:      cloud-config\n"
                             "# Required-Stop:\n# Default-Start:     2 3 4 5\n# Default-Stop:\n"
                             "# Short-Description: %s\n### END INIT INFO\n"
                             "# chkconfig: 2345 99 01\n# description: %s\n"
                             "# written by rehost finalize\n"
                             "case \"$1\" in\n  start) /usr/local/sbin/%s ;;\nesac\nexit 0\n",
                         name, desc, desc, name);
  return r < 0 ? NULL : s;
}

int rh_fin_firstboot_unit(struct rh_fin *f, const char *name, const char *script,
                          const char *unit)
{
  enum mgr m = manager(f);
  if (m == MGR_NONE) {
    rh_error("%s: the guest has no service manager rehost knows (systemd, SysV, OpenRC) to run "
             "it at first boot", name);
    return RH_EXIT_GUEST;
  }
  /* the script disables its service once it succeeded (set -e stops it
   * before, so that a failed run is tried again at the next boot) */
  char bin[128], svc[160], off[600], *full = NULL, *wrapper = NULL;
  toggle_cmd(m, name, false, off, sizeof off);
  snprintf(bin, sizeof bin, "/usr/local/sbin/%s", name);
  rh_fin_firstboot_file(f, name, svc, sizeof svc);
  const char *d = strstr(unit, "Description=");
  char desc[200];
  snprintf(desc, sizeof desc, "%.*s", d ? (int)strcspn(d + 12, "\n\"$`\\") : 7, d ? d + 12 : "rehost");
  if (asprintf(&full, "%s%s\n", script, off) < 0) full = NULL;
  if (m != MGR_SYSTEMD) wrapper = init_script(m, name, desc);
  const char *svc_text = m == MGR_SYSTEMD ? unit : wrapper;
  if (!full || !svc_text || guestfs_mkdir_p(f->g, "/usr/local/sbin") < 0 ||
      guestfs_write(f->g, bin, full, strlen(full)) < 0 || guestfs_chmod(f->g, 0755, bin) < 0 ||
      guestfs_write(f->g, svc, svc_text, strlen(svc_text)) < 0 ||
      (m != MGR_SYSTEMD && guestfs_chmod(f->g, 0755, svc) < 0)) {
    rh_error("%s: writing the first-boot unit failed: %s", svc, rh_guestfs_err(f->g));
    free(full);
    free(wrapper);
    return RH_EXIT_GUEST;
  }
  free(full);
  free(wrapper);
  char cmd[600], what[64];
  toggle_cmd(m, name, true, cmd, sizeof cmd);
  snprintf(what, sizeof what, "%s: enabling %s", mgr_names[m], name);
  char *out = rh_fin_sh(f, what, cmd);
  free(out);
  return out ? RH_EXIT_OK : RH_EXIT_GUEST;
}
