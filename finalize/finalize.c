#include "finalize.h"

#include "../convert/image.h"
#include "../convert/target_state.h"
#include "../guest/appliance.h"
#include "../guest/guestconf.h"
#include "../guest/firmware.h"
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
#include "fin_report.h"
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
    const char *name, *what;
    int (*run)(struct rh_fin *);
  } steps[] = {{"source-tools", "source tools: the old platform's guest tools out", rh_fin_source_tools},
               {"agents", "agents: the platform's guest agents", rh_fin_agents},
               {"files", "files: fstab, clock, network, kernel command line", rh_fin_edit_files},
               {"services", "services", rh_fin_services},
               {"initramfs", "initramfs: the platform's drivers", rh_fin_initramfs},
               {"bootloader", "bootloader configuration", rh_fin_bootloader}};
  int first = RH_EXIT_OK;
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    rh_error_clear();
    rh_step_begin(steps[i].name, steps[i].what);
    int rc = steps[i].run(f);
    rh_step_end(steps[i].name, rc);
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

/* --scan-report: the guest as the sources hold it (nothing edited yet), in
 * scan's schema; written now, so it stands whatever the edits then do. */
static int write_scan(guestfs_h *g, const char *root, const struct rh_finalize_opts *o,
                      const struct rh_image *imgs, int n)
{
  rh_step_begin("scan", "scanning the guest for --scan-report");
  json_object *report = rh_scan_mounted(g, root, imgs, n);
  if (o->scan_extra) {
    json_object_object_foreach(o->scan_extra, key, val)
      json_object_object_add(report, key, json_object_get(val));
  }
  int rc = rh_scan_write(report, o->scan_report);
  json_object_put(report);
  rh_step_end("scan", rc);
  if (!rc) rh_event_str("scan-report", "path", o->scan_report);
  return rc;
}

/* The guest steps, one appliance launch. */
static int edit_guest(const struct rh_drive *d, const struct rh_image *imgs, int n,
                      const struct rh_profile *p, const struct rh_finalize_opts *o,
                      json_object *changes, json_object *problems, struct rh_guest_facts *facts)
{
  const char *image = d[0].path;
  long cpus = o->appliance_cpus ? o->appliance_cpus : rh_appliance_cpu_budget();
  int vcpus = cpus > 1 ? (cpus > 4 ? 4 : (int)cpus) : 1;
  rh_appliance_resources(vcpus, 2048);
  rh_debug("appliance: %d vCPU%s, 2048 MiB", vcpus, vcpus > 1 ? "s" : "");
  rh_step_begin("appliance", "launching the appliance and inspecting the guest");
  guestfs_h *g = rh_appliance_launch(d, n);
  if (!g) {
    rh_step_end("appliance", RH_EXIT_GUEST);
    return RH_EXIT_GUEST;
  }
  int rc = RH_EXIT_GUEST;
  bool inspected = false;
  char **roots = NULL;
  struct rh_md_run md[16];
  size_t n_md = 0;
  if (o->md_degraded && rh_md_run_degraded(g, md, 16, &n_md) < 0) goto out;
  roots = guestfs_inspect_os(g);
  if (!roots || !roots[0]) {
    char *crypt = rh_guest_encrypted_volumes(g);
    char *members = crypt ? NULL : rh_guest_volumes_of_type(g, rh_member_types);
    rh_guest_report_no_os(o->targets[0], crypt, members, n);
    free(crypt);
    free(members);
    goto out;
  }
  char *type = guestfs_inspect_get_type(g, roots[0]);
  bool linux_guest = type && !strcmp(type, "linux");
  free(type);
  if (!linux_guest) {
    rh_error("%s: finalize supports Linux guests only", o->targets[0]);
    goto out;
  }
  if (rh_appliance_mount_os(g, roots[0], o->dry_run) < 0) goto out;
  inspected = true;
  rh_step_end("appliance", RH_EXIT_OK);
  if (o->scan_report && (rc = write_scan(g, roots[0], o, imgs, n))) {
    rh_appliance_release(g);
    goto out;
  }
  rh_fin_md_whole(g, o->dry_run, changes, md, n_md); /* the scan report has them as they were */
  snprintf(facts->firmware, sizeof facts->firmware, "%s", rh_guest_firmware(g, rh_guest_has_esp(g)));
  char *distro = guestfs_inspect_get_distro(g, roots[0]);
  int major = guestfs_inspect_get_major_version(g, roots[0]);
  int minor = guestfs_inspect_get_minor_version(g, roots[0]);
  snprintf(facts->distro, sizeof facts->distro, "%s", distro ? distro : "");
  free(distro);
  char *osrel = rh_guest_os_release(g);
  rh_os_version(osrel, major, minor, facts->version, sizeof facts->version);
  free(osrel);
  struct rh_fin f = {.g = g, .root = roots[0], .p = p, .changes = changes, .dry_run = o->dry_run,
                     .dhcp = o->network == RH_NET_DHCP || (o->network == RH_NET_PROFILE && p->network_dhcp), .firewall = o->firewall,
                     .pkgdir = o->packages, .firstboot_install = o->firstboot_install,
                     .keep_source_tools = o->keep_source_tools,
                     .allow_missing_mounts = o->allow_missing_mounts,
                     .md = md, .n_md = n_md};
  rc = run_steps(&f, problems);
  free(f.unit_states);
  if (!rc && !o->dry_run && guestfs_sync(g) < 0) {
    rh_error("%s: sync failed: %s", image, rh_guestfs_err(g));
    rc = RH_EXIT_IO;
  }
  rh_appliance_release(g);
out:
  if (!inspected) rh_step_end("appliance", rc);
  rh_strv_free(roots);
  if (guestfs_shutdown(g) < 0 && !rc) {
    rh_error("%s: closing the image failed: %s", image, rh_guestfs_err(g));
    rc = RH_EXIT_IO;
  }
  rh_appliance_close(g);
  return rc;
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

static int check_state(const struct rh_finalize_opts *o, const char *target,
                       struct rh_target_state *st)
{
  int rc = rh_tstate_load(target, st);
  if (rc) return rc;
  if ((st->state == RH_TS_SYNCING || st->state == RH_TS_INCONSISTENT) && !o->force) {
    rh_error("%s: is %s (%s); run rehost replicate first (it repairs the target), or use --force",
             target, rh_tstate_name(st->state),
             st->state == RH_TS_SYNCING ? "its last sync did not finish"
             : st->reason               ? st->reason
                                        : "its last sync did not complete");
    return RH_EXIT_INTEGRITY;
  }
  if (st->state == RH_TS_FINALIZED && !o->output && !o->clone && !o->dry_run && !o->force) {
    rh_error("%s: is already finalized (use --force to finalize it again)", target);
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


/* One disk of the machine being finalized. */
struct fin_disk {
  const char *target; /* as the user named it */
  struct rh_image img;
  struct rh_target_state st;
  int lock;
  char *base;              /* the image's absolute path: the overlay's backing file */
  char overlay[PATH_MAX];  /* -o: in the work directory; --clone: the clone's temp name */
  char *clone_tmp;
  char *out;               /* -o: where this disk is written */
  bool marked;             /* in place: its state says a finalize is under way */
};

/* Lock the disk and read its state (in place), then probe it: the format
 * its replication pinned is the one it is opened with (a raw target's first
 * sector is the guest's, and may look like anything). */
static int open_disk(const struct rh_finalize_opts *o, struct fin_disk *d, size_t i)
{
  int rc;
  if (!o->convert && ((rc = rh_target_lock(d->target, 0, &d->lock)) ||
                      (rc = check_state(o, d->target, &d->st))))
    return rc;
  const char *in_fmt = o->input_format ? o->input_format
                       : o->target_formats ? o->target_formats[i] : NULL;
  if (!in_fmt && d->st.tgt_format) in_fmt = rh_format_name(d->st.tgt_format);
  if (o->input_format && d->st.tgt_format &&
      strcmp(rh_format_driver(o->input_format), d->st.tgt_format) != 0) {
    rh_error("%s: was replicated as %s; refusing to open it as %s", d->target,
             rh_format_name(d->st.tgt_format), o->input_format);
    return RH_EXIT_INTEGRITY;
  }
  struct rh_probe_opts po = {.format = in_fmt, .allow_backing = o->allow_backing};
  if ((rc = rh_image_probe(d->target, &po, &d->img))) return rc;
  if (!(d->base = strdup(d->img.path))) return RH_EXIT_FAILURE;
  return RH_EXIT_OK;
}

char *rh_finalize_output_name(const char *dir, const char *target, const char *suffix,
                              const char *fmt)
{
  const char *b = strrchr(target, '/');
  char stem[256], *out;
  snprintf(stem, sizeof stem, "%s", b ? b + 1 : target);
  char *dot = strrchr(stem, '.');
  if (dot && dot != stem) *dot = 0;
  return asprintf(&out, "%s/%s%s%s.%s", dir, stem, suffix ? "-" : "", suffix ? suffix : "",
                  !strcmp(fmt, "raw") ? "img" : fmt) < 0 ? NULL : out;
}

char *rh_finalize_output_path(const struct rh_finalize_opts *o, size_t i, const char *fmt)
{
  return o->n_targets == 1 ? strdup(o->output)
                           : rh_finalize_output_name(o->output, o->targets[i], o->output_suffix, fmt);
}

/* -o OUT: one disk is written to OUT; the disks of a machine with several
 * go into the directory OUT, each as STEM.EXT after its source's name. */
static int plan_outputs(const struct rh_finalize_opts *o, const char *fmt, struct fin_disk *d, size_t n)
{
  struct stat sb;
  char why[32];
  snprintf(why, sizeof why, "%zu disks", n);
  int rc = n > 1 ? rh_outdir_prepare(o->output, !o->dry_run, why) : RH_EXIT_OK;
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) {
    d[i].out = rh_finalize_output_path(o, i, fmt);
    if (!d[i].out) return RH_EXIT_FAILURE;
    for (size_t j = 0; j < i; j++)
      if (!strcmp(d[j].out, d[i].out)) {
        rh_error("%s and %s would both be written to %s: rename one of them", d[j].target,
                 d[i].target, d[i].out);
        return RH_EXIT_USAGE;
      }
    if (!o->dry_run && !o->force && stat(d[i].out, &sb) == 0) {
      rh_error("%s: already exists (use --force to overwrite)", d[i].out);
      return RH_EXIT_INPUT;
    }
  }
  return RH_EXIT_OK;
}

/* The appliance opens each disk directly (in place), or a qcow2 overlay
 * on it (-o, --clone) so that the disk itself is never written. */
static int prepare_drives(const struct rh_finalize_opts *o, struct fin_disk *d, size_t n,
                          const char *dir, struct rh_drive *drives)
{
  for (size_t i = 0; i < n; i++) {
    drives[i] = (struct rh_drive){d[i].target, d[i].img.format, o->dry_run};
    if (!o->clone && !o->output) continue;
    if (o->clone) {
      d[i].clone_tmp = rh_outfile_begin(o->clone);
      if (!d[i].clone_tmp) return RH_EXIT_IO;
      if (snprintf(d[i].overlay, sizeof d[i].overlay, "%s", d[i].clone_tmp) >= (int)sizeof d[i].overlay) {
        rh_error("%s: path too long", o->clone);
        return RH_EXIT_USAGE;
      }
    } else if (snprintf(d[i].overlay, sizeof d[i].overlay, "%s/overlay%zu.qcow2", dir, i) >=
               (int)sizeof d[i].overlay) {
      rh_error("%s: work directory path too long", dir);
      return RH_EXIT_IO;
    }
    int rc = make_overlay(d[i].base, d[i].img.format, d[i].overlay);
    if (rc) return rc;
    drives[i] = (struct rh_drive){d[i].overlay, "qcow2", o->dry_run};
  }
  return RH_EXIT_OK;
}

/* The same image named twice would be opened twice, read-write. */
static int check_distinct(const struct fin_disk *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (!strcmp(d[i].base, d[j].base)) {
        rh_error("%s: named twice (as %s and %s)", d[i].base, d[j].target, d[i].target);
        return RH_EXIT_USAGE;
      }
  return RH_EXIT_OK;
}

/* The edited overlays written out in the profile's format; on a failure the
 * outputs this run already wrote go too (half a machine is not an output). */
static int write_outputs(const struct rh_profile *p, const char *fmt, struct fin_disk *d, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    char what[PATH_MAX + 32];
    snprintf(what, sizeof what, "writing %s (%s)", d[i].out, fmt);
    rh_step_begin("output", what);
    int rc = write_output(d[i].overlay, p, fmt, d[i].img.virtual_size, d[i].out);
    rh_step_end("output", rc);
    if (!rc) continue;
    for (size_t j = 0; j < i; j++)
      if (unlink(d[j].out) == 0) rh_info("removed %s: the machine's disk %s failed", d[j].out, d[i].target);
    return rc;
  }
  return RH_EXIT_OK;
}

static int commit_in_place(struct fin_disk *d, size_t n, const char *profile)
{
  for (size_t i = 0; i < n; i++) {
    /* a booted system must not receive block syncs any more */
    d[i].st.state = RH_TS_FINALIZED;
    d[i].st.pid = 0;
    rh_tstate_set(&d[i].st.reason, profile);
    int rc = rh_tstate_save(d[i].target, &d[i].st);
    if (rc) return rc;
  }
  return RH_EXIT_OK;
}

static void close_disks(struct fin_disk *d, size_t n)
{
  for (size_t i = 0; d && i < n; i++) {
    if (d[i].clone_tmp) rh_outfile_abort(d[i].clone_tmp);
    rh_target_unlock(d[i].lock);
    free(d[i].base);
    free(d[i].out);
    rh_tstate_free(&d[i].st);
    if (d[i].img.path) rh_image_free(&d[i].img);
  }
  free(d);
}

int rh_finalize(const struct rh_finalize_opts *o)
{
  struct rh_profile p;
  int rc = rh_profile_load(o->profile, &p);
  if (rc) return rc;
  size_t n = o->n_targets;
  struct fin_disk *d = calloc(n, sizeof *d);
  struct rh_drive *drives = calloc(n, sizeof *drives);
  struct rh_image *imgs = calloc(n, sizeof *imgs);
  const char **outs = calloc(n, sizeof *outs);
  struct rh_guest_facts facts = {0};
  json_object *changes = json_object_new_array(), *problems = json_object_new_array();
  char dir[PATH_MAX - 32];
  bool have_dir = false, in_place = !o->clone && !o->output && !o->dry_run;
  const char *fmt = o->output_format ? o->output_format : p.default_format;
  if (!d || !drives || !imgs || !outs) {
    rc = RH_EXIT_FAILURE;
    goto out;
  }
  for (size_t i = 0; i < n; i++) d[i] = (struct fin_disk){.target = o->targets[i], .lock = -1};
  if (o->output && !format_allowed(&p, fmt)) {
    rh_error("profile %s writes %s; -O %s is not one of them", p.name, p.default_format, fmt);
    rc = RH_EXIT_USAGE;
    goto out;
  }
  if (o->clone && n > 1) {
    rh_error("--clone takes one TARGET; finalize the %zu disks of a machine with -o DIR or in place", n);
    rc = RH_EXIT_USAGE;
    goto out;
  }
  struct stat pd;
  if (o->packages && (stat(o->packages, &pd) < 0 || !S_ISDIR(pd.st_mode))) {
    rh_error("%s: not a directory (--packages)", o->packages);
    rc = RH_EXIT_INPUT;
    goto out;
  }
  for (size_t i = 0; i < n; i++)
    if ((rc = open_disk(o, &d[i], i))) goto out;
  if ((rc = check_distinct(d, n))) goto out;
  if (o->output && (rc = plan_outputs(o, fmt, d, n))) goto out;
  for (size_t i = 0; i < n; i++) outs[i] = d[i].out, imgs[i] = d[i].img;
  if (o->output) {
    if (rh_workdir_create("finalize", true, dir, sizeof dir) < 0) {
      rc = RH_EXIT_IO;
      goto out;
    }
    have_dir = true;
  }
  if ((rc = prepare_drives(o, d, n, dir, drives))) goto out;
  for (size_t i = 0; in_place && i < n; i++) {
    if ((rc = mark_in_place(d[i].target, &d[i].st, p.name, NULL))) goto failed;
    d[i].marked = true;
  }
  if (n > 1)
    rh_info("finalizing %s and %zu more disk%s of the machine for %s%s", d[0].target, n - 1,
            n > 2 ? "s" : "", p.name, o->dry_run ? " (dry run)" : "");
  else
    rh_info("finalizing %s for %s%s", d[0].target, p.name, o->dry_run ? " (dry run)" : "");
  if ((rc = edit_guest(drives, imgs, (int)n, &p, o, changes, problems, &facts))) {
    if (o->dry_run && json_object_array_length(problems)) {
      /* the plan and every problem, then the first problem's exit status */
      rh_fin_print_changes(changes, true);
      rh_fin_print_problems(problems);
      int wrc = rh_fin_write_report(o, p.name, outs, changes, problems, &facts);
      rc = wrc ? wrc : rc;
    }
    goto failed;
  }
  if (o->dry_run) {
    rh_fin_print_changes(changes, true);
  } else if (o->output) {
    if ((rc = write_outputs(&p, fmt, d, n))) goto out;
  } else if (o->clone) {
    if (rh_outfile_commit(d[0].clone_tmp, o->clone) < 0) {
      d[0].clone_tmp = NULL;
      rh_error("%s: cannot rename into place: %s", o->clone, strerror(errno));
      rc = RH_EXIT_IO;
      goto out;
    }
    d[0].clone_tmp = NULL;
  } else if ((rc = commit_in_place(d, n, p.name))) {
    goto out;
  }
  if (!o->dry_run && rh_verbosity() >= RH_NORMAL) rh_fin_print_changes(changes, false);
  rc = rh_fin_write_report(o, p.name, outs, changes, problems, &facts);
  if (!rc && !o->dry_run)
    rh_info("finalized %s for %s%s%s", o->clone ? o->clone : o->output ? o->output : d[0].target,
            p.name, o->output ? " as " : "", o->output ? fmt : "");
  goto out;
failed:
  for (size_t i = 0; i < n; i++)
    if (d[i].marked) mark_in_place(d[i].target, &d[i].st, p.name, rh_first_error());
out:
  if (have_dir) rh_workdir_remove(dir);
  close_disks(d, n);
  free(drives);
  free(imgs);
  free(outs);
  json_object_put(changes);
  json_object_put(problems);
  rh_profile_free(&p);
  if (o->facts) *o->facts = facts;
  return rc;
}
