/* finalize's source-tools step: the guest tools of the platform the machine
 * leaves (profiles/source-tools/NAME.json) come out, as virt-v2v takes them
 * out: their packages purged with the guest's own package manager, a
 * tarball install's uninstaller run (inside the appliance, never on the
 * host). On the target they do nothing at best; at worst they hold drivers,
 * services and an initramfs of their own for hardware that is gone. A
 * package another package needs stays, with a warning (dpkg and rpm refuse
 * to break a dependency, and rehost does not force them); nothing the
 * target profile installs is taken out. --keep-source-tools lists them and
 * leaves them. */
#include "edits.h"
#include "guest_steps.h"

#include "../guest/appliance.h"
#include "../guest/guestconf.h"
#include "../lib/exitcodes.h"
#include "../lib/json_get.h"
#include "../lib/log.h"
#include "../lib/words.h"
#include "../profiles/source_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run cmd in the guest, its output and status kept (a failure here is a
 * warning, not a finalize error). *status: its exit status, -1 unknown. A
 * package manager or an uninstaller (`what`) runs as rh_fin_pkg_run does. */
static char *run(struct rh_fin *f, const char *what, const char *cmd, int *status)
{
  char *out = what ? rh_fin_pkg_run(f, what, cmd, status) : rh_fin_sh_status(f, cmd, status);
  rh_debug("%s: exit status %d:\n%s", cmd, *status, out ? out : rh_guestfs_err(f->g));
  return out;
}

/* The last lines of out (at most 3), joined by "; ", into buf. */
static const char *tail_lines(const char *out, char *buf, size_t n)
{
  const char *t = out ? out + strlen(out) : NULL;
  for (int lines = 0; t && t > out && lines < 4; lines += t[-1] == '\n') t--;
  snprintf(buf, n, "%s", t ? t + (*t == '\n') : "");
  for (char *c = buf; *c; c++)
    if (*c == '\n') *c = ';';
  return buf;
}

/* The lines of out that name a word of names (at most 3), joined by "; ",
 * into buf; else its last lines. */
static const char *lines_naming(const char *out, const char *names, char *buf, size_t n)
{
  buf[0] = 0;
  int found = 0;
  for (const char *l = out; l && *l && found < 3;) {
    const char *e = strchr(l, '\n');
    size_t len = e ? (size_t)(e - l) : strlen(l);
    char line[300], copy[1024], *sp;
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), l);
    l = e ? e + 1 : l + len;
    snprintf(copy, sizeof copy, "%s", names);
    bool hit = false;
    for (char *w = strtok_r(copy, " ", &sp); w && !hit; w = strtok_r(NULL, " ", &sp)) hit = strstr(line, w);
    if (!hit) continue;
    const char *t = line + strspn(line, " \t");
    size_t b = strlen(buf);
    snprintf(buf + b, n - b, "%s%s", found++ ? "; " : "", t);
  }
  return found ? buf : tail_lines(out, buf, n);
}

/* The guest's packages, one a line, as rh_source_tools_select reads them. */
static char *installed_packages(struct rh_fin *f, char fmt)
{
  int st;
  char *out = run(f, NULL,
                  fmt == 'd' ? "dpkg-query -W -f='${Status} ${Package}\\n'"
                             : "rpm -qa --qf '%{NAME}\\n'",
                  &st);
  if (st != 0) {
    free(out);
    return NULL;
  }
  return out;
}

struct still_ctx {
  const char *pkgs;
  char *still;
  size_t n;
};

static void add_if_asked(char *line, int lineno, void *ctx)
{
  (void)lineno;
  struct still_ctx *c = ctx;
  const char *name = rh_pkg_query_name(line);
  if (name && rh_words_has(c->pkgs, name)) rh_words_add(c->still, c->n, name);
}

/* Still there, of the space-separated names in pkgs, into still. */
static void still_installed(struct rh_fin *f, char fmt, const char *pkgs, char *still, size_t n)
{
  char *now = installed_packages(f, fmt);
  struct still_ctx c = {pkgs, still, n};
  still[0] = 0;
  if (now) rh_for_each_line(now, add_if_asked, &c);
  else snprintf(still, n, "%s", pkgs); /* cannot tell: say nothing was removed */
  free(now);
}

static void remove_packages(struct rh_fin *f, const struct rh_source_tools *t, char fmt,
                            const char *pkgs, const char *reason)
{
  if (f->dry_run) {
    rh_change(f->changes, "packages", "remove-source-tools", pkgs, NULL, reason);
    return;
  }
  rh_info("removing %s's packages from the guest: %s", t->name, pkgs);
  char cmd[2400];
  if (fmt == 'd')
    snprintf(cmd, sizeof cmd, "DEBIAN_FRONTEND=noninteractive dpkg --purge %s", pkgs);
  else /* one transaction, else each alone: one that is needed must not keep the others */
    snprintf(cmd, sizeof cmd, "rpm -e %s || for p in %s; do rpm -e \"$p\"; done", pkgs, pkgs);
  char what[300];
  snprintf(what, sizeof what, "removing %s's packages", t->name);
  int st;
  char *out = run(f, what, cmd, &st);
  char still[1024], removed[1024] = "", tail[400], why[600];
  still_installed(f, fmt, pkgs, still, sizeof still);
  char copy[1024], *sp;
  snprintf(copy, sizeof copy, "%s", pkgs);
  for (char *w = strtok_r(copy, " ", &sp); w; w = strtok_r(NULL, " ", &sp))
    if (!rh_words_has(still, w)) rh_words_add(removed, sizeof removed, w);
  if (removed[0]) rh_change(f->changes, "packages", "remove-source-tools", removed, NULL, reason);
  if (still[0]) {
    snprintf(why, sizeof why, "%s: kept, the package manager would not remove them (%s)",
             t->description, lines_naming(out, still, tail, sizeof tail));
    rh_change(f->changes, "packages", "warning", still, NULL, why);
    rh_warn("%s: %s", still, why);
  }
  free(out);
}

/* The first file path's pattern names in the guest, into buf; false: none. */
static bool find_uninstaller(struct rh_fin *f, const char *pattern, char *buf, size_t n)
{
  char **hits = strchr(pattern, '*') ? guestfs_glob_expand(f->g, pattern) : NULL;
  const char *one[] = {pattern, NULL};
  const char *const *v = hits ? (const char *const *)hits : one;
  bool found = false;
  for (; !found && *v; v++)
    if (rh_json_valid_name(*v, "/+-._") && strlen(*v) < n &&
        guestfs_is_file_opts(f->g, *v, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1) > 0) {
      snprintf(buf, n, "%s", *v);
      found = true;
    }
  rh_strv_free(hits);
  return found;
}

static void run_uninstaller(struct rh_fin *f, const struct rh_source_tools *t,
                            const struct rh_uninstaller *u, const char *reason)
{
  char path[512], what[600];
  if (!find_uninstaller(f, u->path, path, sizeof path)) return;
  size_t w = (size_t)snprintf(what, sizeof what, "%s", path);
  for (char **a = u->args; a && *a && w < sizeof what; a++) /* in order, as given */
    w += (size_t)snprintf(what + w, sizeof what - w, " %s", *a);
  if (w >= sizeof what) return; /* validated names: cannot be this long */
  if (f->keep_source_tools) {
    rh_change(f->changes, path, "keep-source-tools", what, NULL, reason);
    return;
  }
  if (f->dry_run) {
    rh_change(f->changes, path, "run-uninstaller", what, NULL, reason);
    return;
  }
  if (u->append_file && rh_fin_exists(f, u->append_file) && u->append_lines)
    for (char **l = u->append_lines; *l; l++) {
      char line[300];
      snprintf(line, sizeof line, "%s\n", *l);
      if (guestfs_write_append(f->g, u->append_file, line, strlen(line)) < 0)
        rh_debug("%s: %s", u->append_file, rh_guestfs_err(f->g));
    }
  rh_info("running %s's uninstaller in the guest: %s", t->name, what);
  /* a hung uninstaller must not hang finalize: ten minutes, where the guest has timeout(1) */
  char cmd[1400];
  snprintf(cmd, sizeof cmd,
           "if command -v timeout >/dev/null 2>&1; then timeout 600 %s; else %s; fi", what, what);
  char uwhat[300];
  snprintf(uwhat, sizeof uwhat, "%s's uninstaller", t->name);
  int st;
  char *out = run(f, uwhat, cmd, &st);
  char tail[400], why[700];
  if (st == 0) {
    rh_change(f->changes, path, "run-uninstaller", what, NULL, reason);
  } else {
    snprintf(why, sizeof why, "%s: its uninstaller failed (exit status %d: %s); the tools may be "
             "left in part", t->description, st, tail_lines(out, tail, sizeof tail));
    rh_change(f->changes, path, "warning", what, NULL, why);
    rh_warn("%s: %s", what, why);
  }
  free(out);
}

int rh_fin_source_tools(struct rh_fin *f)
{
  struct rh_source_tools *v;
  size_t n;
  int rc = rh_source_tools_load(&v, &n);
  if (rc) return rc;
  bool have_pm;
  char fmt = rh_fin_pkg_format(f, &have_pm);
  char *installed = fmt && have_pm ? installed_packages(f, fmt) : NULL;
  /* what the target profile installs stays */
  char *keep[129];
  size_t nk = 0;
  for (size_t i = 0; i < f->p->n_agents; i++)
    for (char **k = fmt == 'd' ? f->p->agents[i].deb : f->p->agents[i].rpm; k && *k && nk < 128; k++)
      keep[nk++] = *k;
  keep[nk] = NULL;
  for (size_t i = 0; i < n; i++) {
    const struct rh_source_tools *t = &v[i];
    char pkgs[1024] = "", reason[400];
    if (installed) rh_source_tools_select(t, installed, keep, pkgs, sizeof pkgs);
    snprintf(reason, sizeof reason, "%s (source-tools/%s.json): the source platform's tools",
             t->description, t->name);
    if (pkgs[0] && f->keep_source_tools)
      rh_change(f->changes, "packages", "keep-source-tools", pkgs, NULL, reason);
    else if (pkgs[0])
      remove_packages(f, t, fmt, pkgs, reason);
    for (size_t j = 0; j < t->n_uninstallers; j++) run_uninstaller(f, t, &t->uninstallers[j], reason);
  }
  free(installed);
  rh_source_tools_free_all(v, n);
  return RH_EXIT_OK;
}
