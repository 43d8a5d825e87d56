/* Agents from local packages: installed with the guest's own package manager
 * inside the appliance (no network is assumed), or, with --firstboot-install,
 * by a unit that installs them the first time the new machine has network. */
#include "edits.h"
#include "guest_steps.h"

#include "../guest/appliance.h"
#include "../guest/guestconf.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../scan/scan.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUEST_PKG_DIR "/var/tmp/rehost-packages"

/* Package names come from a validated profile: [A-Za-z0-9+-._] only. */
/* How the guest's packages are known: its package format (from inspection,
 * not from whichever tool happens to be present) and whether that tool is
 * there to install now. A guest without it (installing at first boot) is
 * read from dpkg's status file, read once; for rpm nothing counts as
 * installed (dnf/yum skip what is there). */
struct pkgdb {
  bool deb, have_pm;
  char *dpkg_status; /* !have_pm && deb: the status file's text, or NULL */
};

/* Fills db; false (with the format's name in fmt) unless deb or rpm. */
static bool pkgdb_open(struct rh_fin *f, struct pkgdb *db, char *fmt, size_t fmtsz)
{
  char *pf = guestfs_inspect_get_package_format(f->g, f->root);
  bool rpm = pf && !strcmp(pf, "rpm");
  *db = (struct pkgdb){.deb = pf && !strcmp(pf, "deb")};
  snprintf(fmt, fmtsz, "%s", pf && *pf ? pf : "unknown");
  free(pf);
  if (!db->deb && !rpm) return false;
  db->have_pm = db->deb ? rh_fin_exists(f, "/usr/bin/dpkg")
                        : rh_fin_exists(f, "/usr/bin/rpm") || rh_fin_exists(f, "/bin/rpm");
  if (!db->have_pm && db->deb) db->dpkg_status = rh_guest_read(f->g, "/var/lib/dpkg/status");
  return true;
}

char rh_fin_pkg_format(struct rh_fin *f, bool *have_pm)
{
  struct pkgdb db;
  char fmt[32];
  bool known = pkgdb_open(f, &db, fmt, sizeof fmt);
  free(db.dpkg_status);
  *have_pm = known && db.have_pm;
  return !known ? 0 : db.deb ? 'd' : 'r';
}

bool rh_fin_no_services_begin(struct rh_fin *f)
{
  if (!rh_fin_exists(f, "/usr/bin/dpkg") || rh_fin_exists(f, "/usr/sbin/policy-rc.d")) return false;
  static const char policy[] = "#!/bin/sh\nexit 101\n";
  return guestfs_write(f->g, "/usr/sbin/policy-rc.d", policy, sizeof policy - 1) == 0 &&
         guestfs_chmod(f->g, 0755, "/usr/sbin/policy-rc.d") == 0;
}

void rh_fin_no_services_end(struct rh_fin *f, bool own)
{
  if (own) guestfs_rm(f->g, "/usr/sbin/policy-rc.d");
}

char *rh_fin_pkg_run(struct rh_fin *f, const char *what, const char *cmd, int *status)
{
  char wrapped[4096];
  bool own = rh_fin_no_services_begin(f), deferred = rh_fin_initramfs_defer_begin(f);
  const char *c = rh_fin_initramfs_deferred_cmd(deferred, cmd, wrapped, sizeof wrapped);
  char *out = status ? rh_fin_sh_status(f, c, status) : rh_fin_sh(f, what, c);
  rh_fin_initramfs_defer_end(f, deferred, what);
  rh_fin_no_services_end(f, own);
  return out;
}

static bool installed(struct rh_fin *f, const struct pkgdb *db, const char *pkg)
{
  if (!db->have_pm) return db->deb && db->dpkg_status && rh_dpkg_installed(db->dpkg_status, pkg);
  char cmd[300];
  if (db->deb)
    snprintf(cmd, sizeof cmd, "dpkg-query -W -f='${Status}' %s 2>/dev/null || true", pkg);
  else
    snprintf(cmd, sizeof cmd, "rpm -q %s >/dev/null 2>&1 && echo 'install ok installed' || true",
             pkg);
  char *out = guestfs_sh(f->g, cmd);
  bool ok = out && strstr(out, "install ok installed");
  free(out);
  return ok;
}

/* Is there NAME_*.deb / NAME-<digit>*.rpm in dir? */
static bool in_dir(const char *dir, bool deb, const char *pkg)
{
  DIR *d = opendir(dir);
  size_t n = strlen(pkg);
  bool found = false;
  for (struct dirent *de; d && !found && (de = readdir(d));) {
    const char *s = de->d_name;
    size_t l = strlen(s);
    if (strncmp(s, pkg, n) != 0) continue;
    if (deb)
      found = s[n] == '_' && l > 4 && !strcmp(s + l - 4, ".deb");
    else
      found = s[n] == '-' && s[n + 1] >= '0' && s[n + 1] <= '9' && l > 4 && !strcmp(s + l - 4, ".rpm");
  }
  if (d) closedir(d);
  return found;
}

static int upload_all(struct rh_fin *f, const char *dir, const char *ext, int *count)
{
  DIR *d = opendir(dir);
  if (!d) return RH_EXIT_INPUT;
  int rc = guestfs_mkdir_p(f->g, GUEST_PKG_DIR) < 0 ? RH_EXIT_GUEST : RH_EXIT_OK;
  *count = 0;
  for (struct dirent *de; !rc && (de = readdir(d));) {
    size_t l = strlen(de->d_name);
    if (l < 5 || strcmp(de->d_name + l - 4, ext) || strchr(de->d_name, '/') ||
        de->d_name[0] == '.')
      continue;
    char src[4096], dst[512];
    snprintf(src, sizeof src, "%s/%s", dir, de->d_name);
    /* Debian's own names (pkg_version_arch.deb) are kept: apt looks an
     * upgraded package up by that name. Anything else gets a plain number;
     * either way the names reach the guest shell only through a glob. */
    bool plain = strspn(de->d_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789+._~%-") == l && de->d_name[0] != '-';
    if (plain && l < 400)
      snprintf(dst, sizeof dst, GUEST_PKG_DIR "/%s", de->d_name);
    else
      snprintf(dst, sizeof dst, GUEST_PKG_DIR "/%d%s", *count, ext);
    if (guestfs_upload(f->g, src, dst) < 0) {
      rh_error("%s: cannot copy into the guest: %s", src, rh_guestfs_err(f->g));
      rc = RH_EXIT_GUEST;
    }
    (*count)++;
  }
  closedir(d);
  return rc;
}

static int firstboot(struct rh_fin *f, bool deb, const char *pkgs)
{
  char file[160];
  rh_change(f->changes, rh_fin_firstboot_file(f, "rehost-firstboot", file, sizeof file),
            "firstboot-install", NULL, pkgs,
            "--firstboot-install: agents installed when the machine first has network");
  if (f->dry_run) return RH_EXIT_OK;
  char full[2600];
  if (deb)
    snprintf(full, sizeof full,
             "#!/bin/sh\n# written by rehost finalize: install the target's agents once\n"
             "set -e\nexport DEBIAN_FRONTEND=noninteractive\napt-get update\n"
             "apt-get install -y %s\n", pkgs);
  else
    snprintf(full, sizeof full,
             "#!/bin/sh\n# written by rehost finalize: install the target's agents once\n"
             "set -e\ndnf install -y %s || yum install -y %s\n", pkgs, pkgs);
  static const char unit[] =
      "[Unit]\nDescription=Install the target platform's agents (rehost)\n"
      "Wants=network-online.target\nAfter=network-online.target\n\n[Service]\nType=oneshot\n"
      "ExecStart=/usr/local/sbin/rehost-firstboot\n\n[Install]\nWantedBy=multi-user.target\n";
  return rh_fin_firstboot_unit(f, "rehost-firstboot", full, unit);
}

static int install(struct rh_fin *f, bool deb, const char *pkgdir, const char *pkgs,
                   const char *action, const char *reason)
{
  rh_change(f->changes, "packages", action, NULL, pkgs, reason);
  if (f->dry_run) return RH_EXIT_OK;
  int count, rc = upload_all(f, pkgdir, deb ? ".deb" : ".rpm", &count);
  if (rc) return rc;
  rh_info("installing %s in the guest from %d packages", pkgs, count);
  /* apt orders the installation (Pre-Depends: python3-minimal before python3,
   * which one dpkg -i of every file gets wrong). It sees only DIR's files and
   * what is installed: no sources, no lists, no download. dpkg -i is the
   * fallback for a guest without apt; rpm -U orders its transaction itself. */
  const char *cmd =
      !deb ? "rpm -U --replacepkgs " GUEST_PKG_DIR "/*.rpm"
      : rh_fin_exists(f, "/usr/bin/apt-get")
          ? "mkdir -p " GUEST_PKG_DIR "/.lists/partial " GUEST_PKG_DIR "/partial && "
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "
            "--no-download -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=/dev/null "
            "-o Dir::State::Lists=" GUEST_PKG_DIR "/.lists -o Dir::Cache::Archives=" GUEST_PKG_DIR
            "/ -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "
            "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "
            GUEST_PKG_DIR "/*.deb"
          : "DEBIAN_FRONTEND=noninteractive dpkg -i --force-confdef --force-confold "
            "--skip-same-version " GUEST_PKG_DIR "/*.deb";
  char what[600];
  snprintf(what, sizeof what, "installing %s", pkgs);
  char *out = rh_fin_pkg_run(f, what, cmd, NULL);
  free(out);
  guestfs_rm_rf(f->g, GUEST_PKG_DIR);
  return out ? RH_EXIT_OK : RH_EXIT_GUEST;
}

int rh_fin_install_package(struct rh_fin *f, const char *deb_pkg, const char *rpm_pkg,
                           const char *reason)
{
  struct pkgdb db;
  char fmt[32];
  if (!pkgdb_open(f, &db, fmt, sizeof fmt)) return 1;
  const char *pkg = db.deb ? deb_pkg : rpm_pkg;
  int rc = 1;
  if (db.have_pm && f->pkgdir && in_dir(f->pkgdir, db.deb, pkg)) {
    rc = install(f, db.deb, f->pkgdir, pkg, "install-packages", reason);
    if (!rc && !f->dry_run && !installed(f, &db, pkg)) {
      rh_error("%s did not install in the guest (see rehost -v)", pkg);
      rc = RH_EXIT_GUEST;
    }
  }
  free(db.dpkg_status);
  return rc;
}

/* rh_fin_agents, over the guest's package database. */
static int agents_with(struct rh_fin *f, const struct pkgdb *db)
{
  const char *pkgdir = f->pkgdir;
  bool firstboot_install = f->firstboot_install, deb = db->deb, have_pm = db->have_pm;
  const struct rh_profile *p = f->p;
  char need[2048] = "", missing[2048] = "";
  for (size_t i = 0; i < p->n_agents; i++) {
    char **pkgs = deb ? p->agents[i].deb : p->agents[i].rpm;
    for (char **k = pkgs; *k; k++) {
      if (installed(f, db, *k)) continue;
      size_t l = strlen(need);
      snprintf(need + l, sizeof need - l, "%s%s", l ? " " : "", *k);
      if (!pkgdir || !in_dir(pkgdir, deb, *k)) {
        l = strlen(missing);
        snprintf(missing + l, sizeof missing - l, "%s%s (%s)", l ? ", " : "", *k,
                 p->agents[i].name);
      }
    }
  }
  int rc = RH_EXIT_OK;
  if (missing[0] && !firstboot_install) {
    rh_error("agent packages missing%s%s: %s; put the .%s files and their dependencies there "
             "(apt-get download / dnf download), or use --firstboot-install",
             pkgdir ? " from " : " (no --packages DIR)", pkgdir ? pkgdir : "", missing,
             deb ? "deb" : "rpm");
    return RH_EXIT_INPUT;
  }
  if (need[0] && !missing[0] && !have_pm && !firstboot_install) {
    rh_error("agents: the guest has no %s to install %s now; use --firstboot-install",
             deb ? "dpkg" : "rpm", need);
    return RH_EXIT_GUEST;
  }
  /* installed at first boot: the unit enables the agents' services then */
  bool at_boot = need[0] && (missing[0] || !have_pm);
  if (need[0])
    rc = at_boot ? firstboot(f, deb, need)
                 : install(f, deb, pkgdir, need, "install-agents", "agents of the target platform");
  const char *services[65];
  size_t ns = 0;
  for (size_t i = 0; i < p->n_agents; i++)
    for (char **u = p->agents[i].services; *u && ns < 64; u++) services[ns++] = *u;
  services[ns] = NULL;
  if (!rc && !at_boot) rc = rh_fin_enable_units(f, services, "agent service");
  if (!rc && !f->dry_run && need[0] && !at_boot)
    for (size_t i = 0; i < p->n_agents; i++)
      for (char **k = deb ? p->agents[i].deb : p->agents[i].rpm; *k; k++)
        if (!installed(f, db, *k)) {
          rh_error("%s did not install in the guest (see rehost -v)", *k);
          return RH_EXIT_GUEST;
        }
  return rc;
}

int rh_fin_agents(struct rh_fin *f)
{
  if (!f->p->n_agents) return RH_EXIT_OK;
  struct pkgdb db;
  char fmt[32];
  if (!pkgdb_open(f, &db, fmt, sizeof fmt)) {
    rh_error("agents: the guest's package format is %s; rehost installs .deb and .rpm agents only",
             fmt);
    return RH_EXIT_GUEST;
  }
  int rc = agents_with(f, &db);
  free(db.dpkg_status);
  return rc;
}
