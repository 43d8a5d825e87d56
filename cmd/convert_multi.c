/* rehost convert SOURCE... --profile A --profile B ... (or --profile all) -o DIR:
 * one image per profile, each profile's edits on its own overlay, converted
 * side by side (--jobs), a failing profile not stopping the others; then
 * DIR/manifest.json (rehost.manifest/1) for the artifacts that completed,
 * with what each platform's import step asks for (the profile's "import"). */
#include "../convert/image.h"
#include "../convert/target_state.h"
#include "../finalize/finalize.h"
#include "../guest/appliance.h"
#include "../lib/digest.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../profiles/import_facts.h"
#include "../profiles/profile.h"
#include "commands.h"
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct job {
  char spec[PATH_MAX];   /* as given: a shipped profile's name or a file */
  struct rh_profile prof; /* loaded once, before any work: names, format, import facts */
  char report[PATH_MAX];
  pid_t pid;
  int pipe_rd;
  int status;            /* exit status once done */
  char message[512];     /* its first error, when it failed */
};

/* The sources as the manifest names them: path, format, sizes, mtime */
static json_object *source_identity(const struct rh_finalize_opts *o)
{
  json_object *arr = json_object_new_array();
  for (size_t i = 0; i < o->n_targets; i++) {
    struct rh_image img = {0};
    const char *fmt = o->input_format ? o->input_format : o->target_formats ? o->target_formats[i] : NULL;
    struct rh_probe_opts po = {.format = fmt, .allow_backing = o->allow_backing};
    json_object *s = json_object_new_object();
    json_object_object_add(s, "path", json_object_new_string(o->targets[i]));
    struct stat st;
    bool probed = rh_image_probe(o->targets[i], &po, &img) == RH_EXIT_OK;
    if (probed) {
      json_object_object_add(s, "format", json_object_new_string(rh_format_name(img.format)));
      json_object_object_add(s, "virtual_size", json_object_new_int64((int64_t)img.virtual_size));
      /* a disk inside a package: the file below is the package */
      if (img.file) json_object_object_add(s, "package", json_object_new_string(img.file));
    }
    if (stat(probed ? rh_image_file(&img) : o->targets[i], &st) == 0) {
      char when[32];
      struct tm tm;
      gmtime_r(&st.st_mtime, &tm);
      strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
      json_object_object_add(s, "file_size", json_object_new_int64((int64_t)st.st_size));
      json_object_object_add(s, "mtime", json_object_new_string(when));
      json_object_object_add(s, "inode", json_object_new_int64((int64_t)st.st_ino));
    }
    if (probed) rh_image_free(&img);
    json_object_array_add(arr, s);
  }
  return arr;
}

/* {action: count} of a finalize report's changes */
static json_object *change_summary(json_object *report)
{
  json_object *sum = json_object_new_object(), *changes = json_object_object_get(report, "changes");
  for (size_t i = 0; i < json_object_array_length(changes); i++) {
    const char *a = json_object_get_string(
        json_object_object_get(json_object_array_get_idx(changes, i), "action"));
    if (!a) continue;
    json_object *n = json_object_object_get(sum, a);
    json_object_object_add(sum, a, json_object_new_int(n ? json_object_get_int(n) + 1 : 1));
  }
  return sum;
}

/* One artifact: the output file as written, and the import facts for it */
static json_object *artifact(const struct job *j, const char *path, json_object *guest, const char *dir)
{
  const struct rh_profile *p = &j->prof;
  struct rh_image img = {0};
  struct rh_probe_opts po = {.format = p->default_format};
  struct stat st;
  json_object *a = json_object_new_object();
  size_t dl = strlen(dir);
  json_object_object_add(a, "path", json_object_new_string(
                                        !strncmp(path, dir, dl) && path[dl] == '/' ? path + dl + 1 : path));
  json_object_object_add(a, "profile", json_object_new_string(p->name));
  json_object_object_add(a, "format", json_object_new_string(p->default_format));
  uint64_t vsize = 0;
  if (rh_image_probe(path, &po, &img) == RH_EXIT_OK) {
    vsize = img.virtual_size;
    rh_image_free(&img);
  }
  json_object_object_add(a, "virtual_size", json_object_new_int64((int64_t)vsize));
  json_object_object_add(a, "file_size", json_object_new_int64(stat(path, &st) == 0 ? (int64_t)st.st_size : 0));
  char sum[65];
  json_object_object_add(a, "sha256", rh_digest_file(path, "SHA256", sum) == 0 ? json_object_new_string(sum) : NULL);
  const char *fw = json_object_get_string(json_object_object_get(guest, "firmware"));
  struct rh_artifact_facts f = {p->default_format, fw, json_object_get_string(json_object_object_get(guest, "distro")),
                                json_object_get_string(json_object_object_get(guest, "version")), vsize};
  json_object *facts = rh_import_facts(p->import_facts, &f);
  if (facts) {
    json_object *imp = json_object_new_object();
    json_object_object_add(imp, "platform", json_object_new_string(p->import_platform));
    json_object_object_add(imp, "facts", facts);
    json_object_object_add(a, "import", imp);
  }
  return a;
}

static int write_manifest(const struct rh_finalize_opts *o, const struct rh_convert_cli *x,
                          const char *dir, struct job *jobs, int n)
{
  json_object *m = json_object_new_object(), *arts = json_object_new_array(),
              *failed = json_object_new_array();
  char now[32];
  json_object_object_add(m, "schema", json_object_new_string("rehost.manifest/1"));
  json_object_object_add(m, "rehost_version", json_object_new_string(REHOST_VERSION));
  json_object_object_add(m, "created", json_object_new_string(rh_utc_now(now, sizeof now)));
  json_object_object_add(m, "sources", source_identity(o));
  /* the machine a libvirt domain or an OVF describes: vCPUs, memory,
   * firmware, NICs (as in the scan report's "domain") */
  if (x->ds.loaded) json_object_object_add(m, "machine", rh_domain_to_json(&x->ds.dom, x->ds.snapshot));
  for (int i = 0; i < n; i++) {
    struct job *j = &jobs[i];
    json_object *rep = j->status == 0 ? json_object_from_file(j->report) : NULL;
    if (j->status == 0 && !rep) {
      j->status = RH_EXIT_FAILURE;
      snprintf(j->message, sizeof j->message, "%s: cannot read its report", j->report);
    }
    if (j->status) {
      json_object *f = json_object_new_object();
      json_object_object_add(f, "profile", json_object_new_string(j->prof.name));
      json_object_object_add(f, "exit_status", json_object_new_int(j->status));
      json_object_object_add(f, "message", json_object_new_string(j->message));
      json_object_array_add(failed, f);
      continue;
    }
    json_object *guest = json_object_object_get(rep, "guest"), *disks = json_object_object_get(rep, "disks");
    for (size_t d = 0; d < json_object_array_length(disks); d++) {
      const char *out = json_object_get_string(json_object_object_get(json_object_array_get_idx(disks, d), "output"));
      if (!out) continue;
      json_object *a = artifact(j, out, guest, dir);
      json_object_object_add(a, "disk", json_object_new_int((int)d));
      json_object_object_add(a, "guest", json_object_get(guest));
      json_object_object_add(a, "changes", change_summary(rep));
      const char *rp = strrchr(j->report, '/');
      json_object_object_add(a, "report", json_object_new_string(rp ? rp + 1 : j->report));
      json_object_array_add(arts, a);
    }
    json_object_put(rep);
  }
  json_object_object_add(m, "artifacts", arts);
  json_object_object_add(m, "failed", failed);
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/manifest.json", dir);
  int rc = rh_outfile_write_text(path, json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY |
                                                                               JSON_C_TO_STRING_NOSLASHESCAPE),
                                 0644);
  if (!rc) rh_info("wrote %s: %zu artifact(s), %zu failed profile(s)", path,
                   json_object_array_length(arts), json_object_array_length(failed));
  json_object_put(m);
  return rc;
}

/* The child: one profile's conversion; its first error goes up the pipe.
 * Each child writes --scan-report (the same guest, the same report: renamed
 * into place whole, the last one stays), so a profile that fails before its
 * launch does not take the scan with it. */
static void run_child(struct rh_finalize_opts o, const char *dir, struct job *j, int wr)
{
  char prog[96], *out = NULL;
  snprintf(prog, sizeof prog, "rehost convert[%s]", j->prof.name);
  rh_log_init(prog, rh_verbosity(), rh_machine_readable());
  o.profile = j->spec;
  o.report = j->report;
  o.facts = NULL;
  if (o.n_targets == 1) {
    out = rh_finalize_output_name(dir, o.targets[0], j->prof.name, j->prof.default_format);
    o.output = out;
  } else {
    o.output = dir;
    o.output_suffix = j->prof.name;
  }
  int rc = out || o.n_targets > 1 ? rh_finalize(&o) : RH_EXIT_FAILURE;
  const char *msg = rh_first_error();
  if (rc && write(wr, msg, strlen(msg)) < 0) {
    /* the parent then reports the exit status alone */
  }
  free(out);
  fflush(NULL);
  _exit(rc);
}

/* A child finished: its status, and its first error from the pipe */
static void reap(struct job *j, int ws)
{
  j->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : RH_EXIT_FAILURE;
  ssize_t r = read(j->pipe_rd, j->message, sizeof j->message - 1);
  j->message[r > 0 ? r : 0] = 0;
  if (j->status && !j->message[0])
    snprintf(j->message, sizeof j->message, WIFSIGNALED(ws) ? "killed by signal %d" : "failed",
             WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
  close(j->pipe_rd);
  j->pid = 0;
  if (j->status) rh_error("%s: conversion failed (exit status %d): %s", j->prof.name, j->status, j->message);
  else rh_info("%s: done", j->prof.name);
}

/* Every profile is loaded first: a typo fails the run before any work.
 * Returns the number of jobs, or -rc. */
static int load_jobs(const struct rh_convert_cli *x, const char *dir, struct job *jobs, int max)
{
  int n = 0, rc = RH_EXIT_OK;
  for (int i = 0; i < x->n_profiles && n < max; i++) {
    char **all = strcmp(x->profiles[i], "all") ? NULL : rh_profile_names();
    for (char **q = all; q && *q; q++) {
      if (n < max) snprintf(jobs[n++].spec, sizeof jobs[0].spec, "%s", *q);
      free(*q);
    }
    if (all) free(all);
    else snprintf(jobs[n++].spec, sizeof jobs[0].spec, "%s", x->profiles[i]);
  }
  for (int i = 0; i < n; i++) {
    struct job *j = &jobs[i];
    j->pid = 0;
    j->status = -1;
    j->message[0] = 0;
    if ((rc = rh_profile_load(j->spec, &j->prof))) {
      while (--i >= 0) rh_profile_free(&jobs[i].prof);
      return -rc;
    }
    for (int k = 0; k < i && !rc; k++)
      if (!strcmp(jobs[k].prof.name, j->prof.name))
        rc = rh_usage_error("convert", "profile '%s' given twice", j->prof.name);
    if (!rc && snprintf(j->report, sizeof j->report, "%s/%s.report.json", dir, j->prof.name) >=
                   (int)sizeof j->report)
      rc = rh_usage_error("convert", "-o: path too long");
    if (rc) {
      for (int k = 0; k <= i; k++) rh_profile_free(&jobs[k].prof);
      return -rc;
    }
  }
  return n;
}

/* Run the jobs, up to jobs_max at a time; each ends reaped with its status.
 * When one cannot be started, none more is, and those running are waited
 * for: no child outlives the run. */
static int run_jobs(const struct rh_finalize_opts *base, const char *dir, struct job *jobs, int n,
                    int jobs_max)
{
  int running = 0, next = 0, rc = RH_EXIT_OK;
  while (next < n || running) {
    if (next < n && running < jobs_max) {
      struct job *j = &jobs[next++];
      int fds[2] = {-1, -1};
      if (pipe(fds) < 0 || (j->pid = fork()) < 0) {
        rh_error("cannot start the conversion for %s: %s", j->prof.name, strerror(errno));
        if (fds[0] >= 0) close(fds[0]), close(fds[1]);
        j->pid = 0;
        next = n;
        rc = RH_EXIT_FAILURE;
        continue;
      }
      if (j->pid == 0) {
        close(fds[0]);
        run_child(*base, dir, j, fds[1]);
      }
      close(fds[1]);
      j->pipe_rd = fds[0];
      running++;
      continue;
    }
    /* wait for any child, then reap it */
    int ws;
    pid_t pid = wait(&ws);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break;
    for (int i = 0; i < n; i++)
      if (jobs[i].pid == pid) {
        reap(&jobs[i], ws);
        running--;
      }
  }
  return rc;
}

int rh_convert_multi(const struct rh_finalize_opts *base, const struct rh_convert_cli *x)
{
  const char *dir = base->output;
  struct job jobs[32];
  int n = load_jobs(x, dir, jobs, 32);
  if (n < 0) return -n;
  int jobs_max = x->jobs ? x->jobs : 2;
  /* the appliances running side by side share the CPUs: under TCG every
   * vCPU is a host thread, and more of them than cores only adds switching */
  struct rh_finalize_opts shared = *base;
  long cpus = rh_appliance_cpu_budget();
  int side = jobs_max < n ? jobs_max : n;
  shared.appliance_cpus = cpus / (side > 0 ? side : 1) > 1 ? (int)(cpus / side) : 1;
  base = &shared;
  int rc = rh_outdir_prepare(dir, !base->dry_run, "several profiles");
  if (!rc) {
    rh_info("converting for %d profiles, %d at a time, into %s", n, jobs_max, dir);
    fflush(NULL);
    rc = run_jobs(base, dir, jobs, n, jobs_max);
  }
  /* the manifest may find a report unreadable: that job counts as failed */
  int mrc = rc || base->dry_run ? RH_EXIT_OK : write_manifest(base, x, dir, jobs, n);
  for (int i = 0; i < n && !rc; i++)
    if (jobs[i].status) rc = jobs[i].status;
  for (int i = 0; i < n; i++) rh_profile_free(&jobs[i].prof);
  return rc ? rc : mrc;
}
