#include "finalize.h"

#include "../convert/image.h"
#include "../convert/target_state.h"
#include "../guest/appliance.h"
#include "../guest/volumes.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/proc.h"
#include "../lib/workdir.h"
#include "../profiles/profile.h"
#include "../scan/scan.h"
#include "config.h"
#include "edits.h"
#include "guest_steps.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int qemu_img(char *const argv[], const char *what, const char *path)
{
  struct rh_proc_result r;
  int rc = RH_EXIT_OK;
  if (rh_proc_run(argv, &r, NULL, NULL) < 0 || r.status != 0) {
    char line[512];
    rh_error("%s: %s failed: %s", path, what, rh_last_line(r.err, line, sizeof line));
    rc = RH_EXIT_IO;
  }
  rh_proc_result_free(&r);
  return rc;
}

/* A qcow2 overlay on top of base (absolute path), written at path. */
static int make_overlay(const char *base, const char *base_fmt, const char *path)
{
  char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", "-b", (char *)base, "-F",
                  (char *)base_fmt, (char *)path, NULL};
  return qemu_img(argv, "creating an overlay", path);
}

/* The guest-editing steps, in order. A real run stops at the first failure
 * (a guest half-edited further is worse); a dry run goes through every step,
 * so that its plan lists every problem, each recorded in `problems`. Returns
 * the exit status of the first failure. */
static int run_steps(struct rh_fin *f, json_object *problems)
{
  static const struct {
    const char *name;
    int (*run)(struct rh_fin *);
  } steps[] = {{"agents", rh_fin_agents},         {"files", rh_fin_edit_files},
               {"services", rh_fin_services},     {"initramfs", rh_fin_initramfs},
               {"bootloader", rh_fin_bootloader}};
  int first = RH_EXIT_OK;
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    rh_error_clear();
    int rc = steps[i].run(f);
    if (!rc) continue;
    json_object *pr = json_object_new_object();
    json_object_object_add(pr, "step", json_object_new_string(steps[i].name));
    json_object_object_add(pr, "exit_status", json_object_new_int(rc));
    json_object_object_add(pr, "message", json_object_new_string(rh_first_error()));
    json_object_array_add(problems, pr);
    if (!first) first = rc;
    if (!f->dry_run) break;
  }
  return first;
}

/* The guest steps, one appliance launch. */
static int edit_guest(const char *image, const char *fmt, const struct rh_profile *p,
                      const struct rh_finalize_opts *o, json_object *changes,
                      json_object *problems)
{
  struct rh_drive d = {image, fmt, o->dry_run};
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  rh_appliance_resources(cpus > 1 ? (cpus > 4 ? 4 : (int)cpus) : 1, 2048);
  guestfs_h *g = rh_appliance_launch(&d, 1);
  if (!g) return RH_EXIT_GUEST;
  int rc = RH_EXIT_GUEST;
  char **roots = guestfs_inspect_os(g);
  if (!roots || !roots[0]) {
    char *crypt = rh_guest_encrypted_volumes(g);
    rh_guest_report_no_os(o->target, crypt, 1);
    free(crypt);
    goto out;
  }
  char *type = guestfs_inspect_get_type(g, roots[0]);
  bool linux_guest = type && !strcmp(type, "linux");
  free(type);
  if (!linux_guest) {
    rh_error("%s: finalize supports Linux guests only", o->target);
    goto out;
  }
  if (rh_appliance_mount_os(g, roots[0], o->dry_run) < 0) goto out;
  struct rh_fin f = {.g = g, .root = roots[0], .p = p, .changes = changes, .dry_run = o->dry_run,
                     .dhcp = o->dhcp || p->network_dhcp, .firewall = o->firewall,
                     .pkgdir = o->packages, .firstboot_install = o->firstboot_install};
  rc = run_steps(&f, problems);
  if (!rc && !o->dry_run && guestfs_sync(g) < 0) {
    rh_error("%s: sync failed: %s", image, rh_guestfs_err(g));
    rc = RH_EXIT_IO;
  }
  guestfs_umount_all(g);
out:
  rh_strv_free(roots);
  if (guestfs_shutdown(g) < 0 && !rc) {
    rh_error("%s: closing the image failed: %s", image, rh_guestfs_err(g));
    rc = RH_EXIT_IO;
  }
  rh_appliance_close(g);
  return rc;
}

static int write_report(const struct rh_finalize_opts *o, const struct rh_profile *p,
                        json_object *changes, json_object *problems)
{
  json_object *r = json_object_new_object();
  json_object_object_add(r, "schema", json_object_new_string("rehost.finalize/1"));
  json_object_object_add(r, "rehost_version", json_object_new_string(REHOST_VERSION));
  json_object_object_add(r, "profile", json_object_new_string(p->name));
  json_object_object_add(r, "target", json_object_new_string(o->target));
  if (o->output) json_object_object_add(r, "output", json_object_new_string(o->output));
  if (o->clone) json_object_object_add(r, "clone", json_object_new_string(o->clone));
  json_object_object_add(r, "dry_run", json_object_new_boolean(o->dry_run));
  json_object_object_add(r, "changes", json_object_get(changes));
  json_object_object_add(r, "problems", json_object_get(problems));
  int rc = RH_EXIT_OK;
  const char *text = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE);
  if (o->report) rc = rh_outfile_write_text(o->report, text, 0);
  json_object_put(r);
  return rc;
}

static void print_changes(json_object *changes, bool planned)
{
  /* guest strings (file contents before and after): escaped for the terminal */
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (!out) return;
  size_t n = json_object_array_length(changes);
  fprintf(out, "%s %zu change%s:\n", planned ? "finalize would make" : "finalize made", n,
         n == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++) {
    json_object *c = json_object_array_get_idx(changes, i), *v;
    const char *k[] = {"file", "action", "before", "after"};
    const char *s[4] = {"", "", NULL, NULL};
    for (int j = 0; j < 4; j++)
      if (json_object_object_get_ex(c, k[j], &v)) s[j] = json_object_get_string(v);
    fprintf(out, "  %-28s %-22s %s%s%s\n", s[0], s[1], s[2] ? s[2] : "",
            s[2] && s[3] ? " -> " : "", s[3] ? s[3] : "");
  }
  fclose(out);
  rh_fputs_safe(text, stdout);
  free(text);
}

/* The problems a dry run found, after its plan (on stdout with the plan;
 * each was reported on stderr as it was found). */
static void print_problems(json_object *problems)
{
  size_t n = json_object_array_length(problems);
  if (!n) return;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (!out) return;
  fprintf(out, "finalize would fail: %zu problem%s:\n", n, n == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++) {
    json_object *pr = json_object_array_get_idx(problems, i);
    fprintf(out, "  %-10s %s\n", json_object_get_string(json_object_object_get(pr, "step")),
            json_object_get_string(json_object_object_get(pr, "message")));
  }
  fclose(out);
  rh_fputs_safe(text, stdout);
  free(text);
}

static bool format_allowed(const struct rh_profile *p, const char *fmt)
{
  for (char **f = p->formats; *f; f++)
    if (!strcmp(*f, fmt)) return true;
  return false;
}

/* -o OUT: the edited overlay converted into the profile's format, its
 * virtual size rounded up to the profile's alignment. */
static int write_output(const char *overlay, const struct rh_profile *p, const char *fmt,
                        uint64_t vsize, const char *out)
{
  uint64_t a = p->size_alignment, size = a ? (vsize + a - 1) / a * a : vsize;
  if (size != vsize) {
    char sz[32];
    snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
    char *argv[] = {"qemu-img", "resize", "-q", "-f", "qcow2", (char *)overlay, sz, NULL};
    int rc = qemu_img(argv, "rounding the size up", overlay);
    if (rc) return rc;
    rh_info("virtual size rounded up from %llu to %s bytes (a multiple of %llu)",
            (unsigned long long)vsize, sz, (unsigned long long)a);
  }
  struct rh_image ov = {.path = (char *)overlay, .virtual_size = size};
  snprintf(ov.format, sizeof ov.format, "qcow2");
  return rh_image_copy(&ov, out, rh_format_driver(fmt), rh_profile_format_options(p, fmt));
}

static int check_state(const struct rh_finalize_opts *o, struct rh_target_state *st)
{
  int rc = rh_tstate_load(o->target, st);
  if (rc) return rc;
  if ((st->state == RH_TS_SYNCING || st->state == RH_TS_INCONSISTENT) && !o->force) {
    rh_error("%s: is %s (%s); run rehost replicate first (it repairs the target), or use --force",
             o->target, rh_tstate_name(st->state),
             st->state == RH_TS_SYNCING ? "its last sync did not finish"
             : st->reason               ? st->reason
                                        : "its last sync did not complete");
    return RH_EXIT_INTEGRITY;
  }
  if (st->state == RH_TS_FINALIZED && !o->output && !o->clone && !o->dry_run && !o->force) {
    rh_error("%s: is already finalized (use --force to finalize it again)", o->target);
    return RH_EXIT_INTEGRITY;
  }
  return RH_EXIT_OK;
}

/* Editing in place makes the target differ from its source. Until finalize
 * completes, the state says so, whoever stops it (an error, kill -9, power
 * loss): the next sync compares every block and undoes the partial edits.
 * why: NULL before editing, else the failure. */
static int mark_in_place(const char *target, struct rh_target_state *st, const char *profile,
                         const char *why)
{
  char reason[400], now[32];
  if (!st->id[0]) rh_tstate_new_id(st->id);
  if (!st->src_path) rh_tstate_set(&st->src_path, "");
  st->state = RH_TS_INCONSISTENT;
  st->pid = why ? 0 : (long)getpid();
  if (why)
    snprintf(reason, sizeof reason, "finalize for %s failed at %s%s%s; the target may be partly "
             "edited", profile, rh_utc_now(now, sizeof now), *why ? ": " : "", why);
  else
    snprintf(reason, sizeof reason, "finalize for %s (pid %ld) did not finish; the target may be "
             "partly edited", profile, (long)getpid());
  rh_tstate_set(&st->reason, reason);
  return rh_tstate_save(target, st);
}

int rh_finalize(const struct rh_finalize_opts *o)
{
  struct rh_profile p;
  int rc = rh_profile_load(o->profile, &p);
  if (rc) return rc;
  struct rh_image img = {0};
  struct rh_target_state st = {0};
  json_object *changes = json_object_new_array(), *problems = json_object_new_array();
  char dir[PATH_MAX - 32], overlay[PATH_MAX] = "", *clone_tmp = NULL;
  char *base = NULL;
  int lock = -1;
  bool have_dir = false;
  const char *fmt = o->output_format ? o->output_format : p.default_format;
  if (o->output && !format_allowed(&p, fmt)) {
    rh_error("profile %s writes %s; -O %s is not one of them", p.name, p.default_format, fmt);
    rc = RH_EXIT_USAGE;
    goto out;
  }
  struct stat pd;
  if (o->packages && (stat(o->packages, &pd) < 0 || !S_ISDIR(pd.st_mode))) {
    rh_error("%s: not a directory (--packages)", o->packages);
    rc = RH_EXIT_INPUT;
    goto out;
  }
  /* In place, the target is locked and its state read first: the format
   * its replication pinned is the one it is opened with (a raw target's
   * first sector is the guest's, and may look like anything). */
  if (!o->convert &&
      ((rc = rh_target_lock(o->target, 0, &lock)) || (rc = check_state(o, &st))))
    goto out;
  const char *in_fmt = o->input_format;
  if (!in_fmt && st.tgt_format) in_fmt = rh_format_name(st.tgt_format);
  if (o->input_format && st.tgt_format &&
      strcmp(rh_format_driver(o->input_format), st.tgt_format) != 0) {
    rh_error("%s: was replicated as %s; refusing to open it as %s", o->target,
             rh_format_name(st.tgt_format), o->input_format);
    rc = RH_EXIT_INTEGRITY;
    goto out;
  }
  struct rh_probe_opts po = {in_fmt, o->allow_backing, false};
  if ((rc = rh_image_probe(o->target, &po, &img))) goto out;
  base = strdup(img.path);
  struct stat sb;
  if (o->output && !o->dry_run && !o->force && stat(o->output, &sb) == 0) {
    rh_error("%s: already exists (use --force to overwrite)", o->output);
    rc = RH_EXIT_INPUT;
    goto out;
  }

  const char *work = o->target, *work_fmt = img.format;
  if (o->clone || o->output) {
    if (o->clone) {
      clone_tmp = rh_outfile_begin(o->clone);
      snprintf(overlay, sizeof overlay, "%s", clone_tmp ? clone_tmp : "");
    } else if (rh_workdir_create("finalize", true, dir, sizeof dir) == 0) {
      have_dir = true;
      snprintf(overlay, sizeof overlay, "%s/overlay.qcow2", dir);
    }
    if (!overlay[0] || !base || (rc = make_overlay(base, img.format, overlay))) {
      if (!rc) rc = RH_EXIT_IO;
      goto out;
    }
    work = overlay;
    work_fmt = "qcow2";
  }
  bool in_place = !o->clone && !o->output && !o->dry_run;
  if (in_place && (rc = mark_in_place(o->target, &st, p.name, NULL))) goto out;
  rh_info("finalizing %s for %s%s", o->target, p.name, o->dry_run ? " (dry run)" : "");
  if ((rc = edit_guest(work, work_fmt, &p, o, changes, problems))) {
    if (in_place) mark_in_place(o->target, &st, p.name, rh_first_error());
    if (o->dry_run && json_object_array_length(problems)) {
      /* the plan and every problem, then the first problem's exit status */
      print_changes(changes, true);
      print_problems(problems);
      int wrc = write_report(o, &p, changes, problems);
      rc = wrc ? wrc : rc;
    }
    goto out;
  }

  if (o->dry_run) {
    print_changes(changes, true);
  } else if (o->output) {
    if ((rc = write_output(overlay, &p, fmt, img.virtual_size, o->output))) goto out;
  } else if (o->clone) {
    if (rh_outfile_commit(clone_tmp, o->clone) < 0) {
      clone_tmp = NULL;
      rh_error("%s: cannot rename into place: %s", o->clone, strerror(errno));
      rc = RH_EXIT_IO;
      goto out;
    }
    clone_tmp = NULL;
  } else {
    /* in place: a booted system must not receive block syncs any more */
    st.state = RH_TS_FINALIZED;
    st.pid = 0;
    rh_tstate_set(&st.reason, p.name);
    if ((rc = rh_tstate_save(o->target, &st))) goto out;
  }
  if (!o->dry_run && rh_verbosity() >= RH_NORMAL) print_changes(changes, false);
  rc = write_report(o, &p, changes, problems);
  if (!rc && !o->dry_run)
    rh_info("finalized %s for %s%s%s", o->clone ? o->clone : o->output ? o->output : o->target,
            p.name, o->output ? " as " : "", o->output ? fmt : "");
out:
  if (clone_tmp) rh_outfile_abort(clone_tmp);
  if (have_dir) rh_workdir_remove(dir);
  rh_target_unlock(lock);
  free(base);
  json_object_put(changes);
  json_object_put(problems);
  rh_tstate_free(&st);
  if (img.path) rh_image_free(&img);
  rh_profile_free(&p);
  return rc;
}
