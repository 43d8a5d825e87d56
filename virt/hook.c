#include "hook.h"

#include "../convert/replicate.h"
#include "../convert/target_state.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/private_files.h"
#include "domain.h"
#include "pairs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 'it''s' -> 'it'\''s': a path quoted for the hook script */
static void sh_quote(FILE *f, const char *s)
{
  fputc('\'', f);
  for (; *s; s++)
    if (*s == '\'') fputs("'\\''", f);
    else fputc(*s, f);
  fputc('\'', f);
}

int rh_hook_install(const char *hooks_dir, const char *state_dir, const char *rehost_path)
{
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s/qemu.d", hooks_dir);
  if (mkdir(hooks_dir, 0755) < 0 && errno != EEXIST) {
    rh_error("%s: cannot create: %s", hooks_dir, strerror(errno));
    return RH_EXIT_IO;
  }
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
    rh_error("%s: cannot create: %s", dir, strerror(errno));
    return RH_EXIT_IO;
  }
  snprintf(path, sizeof path, "%s/rehost", dir);
  char *script = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&script, &len);
  if (!f) return RH_EXIT_FAILURE;
  fputs("#!/bin/sh\n"
        "# libvirt qemu hook installed by 'rehost hook install' (see rehost-hook(1)):\n"
        "# when a domain is released, its replication pairs are synced in the\n"
        "# background. It never blocks or fails libvirt's operation.\n"
        "exec ", f);
  sh_quote(f, rehost_path);
  fputs(" hook run --state-dir ", f);
  sh_quote(f, state_dir);
  fputs(" -- \"$@\"\n", f);
  fclose(f);
  int rc = rh_outfile_write_text(path, script, 0755);
  free(script);
  if (rc) return rc;
  rh_info("installed %s (libvirtd reads hook scripts when it starts: restart it once)", path);
  return RH_EXIT_OK;
}

/* "TIME [PID] message\n": every line the hook and its syncs log. */
static void vstamped(FILE *f, const char *fmt, va_list ap)
{
  char when[32];
  fprintf(f, "%s [%ld] ", rh_utc_now(when, sizeof when), (long)getpid());
  vfprintf(f, fmt, ap);
  fputc('\n', f);
}

/* A line of a sync's own log (its stderr is the pair's log file). */
static void sync_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sync_log(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vstamped(stderr, fmt, ap);
  va_end(ap);
}

/* One line to the hook's own log; the hook has no terminal. */
static void hook_log(const char *state_dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hook_log(const char *state_dir, const char *fmt, ...)
{
  char path[4200];
  snprintf(path, sizeof path, "%s/hook.log", state_dir);
  mkdir(state_dir, 0755);
  int fd = rh_open_private(path, O_WRONLY | O_CREAT | O_APPEND, 0600, "hook log");
  FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
  if (!f) {
    if (fd >= 0) close(fd);
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vstamped(f, fmt, ap);
  va_end(ap);
  fclose(f);
}

/* The state directory is not trusted: nothing is run; say why where an
 * operator looks (syslog's stderr is libvirt's log) without writing into
 * the directory. */
static void hook_log_untrusted(const char *state_dir, const char *why)
{
  fprintf(stderr, "rehost hook: %s: not trusted (%s); no pair is synced until only root can "
          "write it\n", state_dir, why);
}

/* A name as it may be logged: control characters (a newline in an argument)
 * become '?', so one event stays one log line. */
static const char *printable(const char *s, char *buf, size_t sz)
{
  size_t i = 0;
  for (; s && s[i] && i + 1 < sz; i++) buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
  buf[i] = 0;
  return buf;
}

static void mark_inconsistent(const struct rh_pair *p, const char *why)
{
  int fd;
  if (rh_target_lock(p->target, RH_WAIT_DEFAULT, &fd)) return;
  struct rh_target_state st;
  if (rh_tstate_load(p->target, &st) == RH_EXIT_OK && st.state == RH_TS_CONSISTENT) {
    st.state = RH_TS_INCONSISTENT;
    rh_tstate_set(&st.reason, why);
    if (rh_tstate_save(p->target, &st) == RH_EXIT_OK) rh_warn("target marked inconsistent: %s", why);
  }
  rh_tstate_free(&st);
  rh_target_unlock(fd);
}

int rh_hook_sync_pair(const char *state_dir, const struct rh_pair *p, const char *event)
{
  char *lockpath = rh_pair_file(state_dir, "locks", p->id, ".lock");
  char locks[4200];
  snprintf(locks, sizeof locks, "%s/locks", state_dir);
  mkdir(locks, 0700);
  char subject[64];
  snprintf(subject, sizeof subject, "pair %s", p->id);
  int lk = -1;
  int rc = lockpath ? rh_lock_take(lockpath, RH_WAIT_DEFAULT, subject, "syncing this pair", &lk)
                    : RH_EXIT_FAILURE;
  free(lockpath);
  if (rc) {
    mark_inconsistent(p, "hook: the pair's lock could not be taken");
    return rc;
  }
  sync_log("sync started (%s): domain '%s' disk %s: %s -> %s", event, p->domain, p->disk, p->source,
           p->target);
  struct rh_replicate_opts o = {.source = p->source, .target = p->target,
                                .wait_s = RH_WAIT_DEFAULT};
  int m = rh_repl_mode_parse(p->mode);
  o.mode = m < 0 ? RH_MODE_AUTO : (enum rh_repl_mode)m;
  o.source_format = p->format ? p->format : "raw"; /* as libvirt: undeclared is raw */
  o.allow_backing = p->allow_backing && !strcmp(p->allow_backing, "true");
  rc = rh_replicate(&o);
  if (rc) {
    char why[160];
    snprintf(why, sizeof why, "hook sync after '%s' failed (exit %d): see the pair's log", event, rc);
    mark_inconsistent(p, why);
  }
  sync_log("sync finished: %s (exit %d)", rc ? "FAILED" : "ok", rc);
  rh_lock_release(lk);
  return rc;
}

/* Detach from libvirt: double fork, new session, stdio to the pair's log. */
static void spawn_sync(const char *state_dir, const struct rh_pair *p, const char *event)
{
  pid_t pid = fork();
  if (pid < 0) {
    hook_log(state_dir, "cannot fork for pair %s: %s", p->id, strerror(errno));
    return;
  }
  if (pid > 0) {
    waitpid(pid, NULL, 0);
    return;
  }
  setsid();
  if (fork() != 0) _exit(0);
  char *log = rh_pair_file(state_dir, "logs", p->id, ".log");
  int fd = log ? rh_open_private(log, O_WRONLY | O_CREAT | O_APPEND, 0600, "pair log") : -1;
  int nul = open("/dev/null", O_RDONLY);
  if (fd < 0 || nul < 0) _exit(RH_EXIT_IO);
  dup2(nul, 0);
  dup2(fd, 1);
  dup2(fd, 2);
  close(nul);
  close(fd);
  free(log);
  rh_log_init("rehost", RH_NORMAL, false);
  _exit(rh_hook_sync_pair(state_dir, p, event));
}

int rh_hook_run(const char *state_dir, int argc, char **argv, const char *xml)
{
  char nb[256], ob[64];
  const char *name = argc > 0 ? argv[0] : NULL, *op = argc > 1 ? argv[1] : NULL;
  if (!name || !op) {
    hook_log(state_dir, "called with %d arguments (libvirt passes domain, operation, sub-operation, extra): ignored", argc);
    return 0;
  }
  if (strcmp(op, "release") != 0) return 0; /* only a stopped domain's released disks are synced */
  struct rh_domain d = {0};
  char err[256];
  bool have_xml = xml && rh_domain_parse(xml, &d, err, sizeof err) == 0;
  if (xml && !have_xml)
    hook_log(state_dir, "domain '%s': the XML on stdin is unusable (%s); using the recorded pairs",
             printable(name, nb, sizeof nb), err);
  struct rh_pair *v;
  size_t n;
  int bad;
  rh_log_init("rehost", RH_QUIET, false);
  /* Pair files become root's replicate arguments: a state directory that
   * anyone else can write is not taken for the user's word. */
  char untrusted[4200];
  if (!rh_path_trusted(state_dir, false, untrusted, sizeof untrusted)) {
    hook_log_untrusted(state_dir, untrusted);
    rh_domain_free(&d);
    return 0;
  }
  rh_pairs_load(state_dir, &v, &n, &bad);
  int started = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(v[i].domain, name) != 0) continue;
    if (have_xml && v[i].uuid && d.uuid && strcmp(v[i].uuid, d.uuid) != 0) {
      hook_log(state_dir, "domain '%s': uuid %s is not the paired domain's (%s): pair %s skipped",
               printable(name, nb, sizeof nb), d.uuid, v[i].uuid, v[i].id);
      continue;
    }
    const struct rh_dom_disk *k = have_xml ? rh_domain_disk(&d, v[i].disk) : NULL;
    if (have_xml && (!k || !k->path || strcmp(k->path, v[i].source) != 0)) {
      char why[512];
      snprintf(why, sizeof why, "hook: the domain's disk %s is now %s, the pair records %s: re-add the pair",
               v[i].disk, k && k->path ? k->path : "gone", v[i].source);
      hook_log(state_dir, "domain '%s': %s (pair %s)", printable(name, nb, sizeof nb), why, v[i].id);
      mark_inconsistent(&v[i], why);
      continue;
    }
    hook_log(state_dir, "domain '%s' %s: syncing pair %s (%s -> %s) in the background",
             printable(name, nb, sizeof nb), printable(op, ob, sizeof ob), v[i].id, v[i].source, v[i].target);
    spawn_sync(state_dir, &v[i], op);
    started++;
  }
  if (!started) hook_log(state_dir, "domain '%s' %s: no replication pairs", printable(name, nb, sizeof nb), op);
  rh_pairs_free(v, n);
  rh_domain_free(&d);
  return 0;
}
