/* qemu-img's JSON answers about an image, for image.c: the run and its
 * error messages, and qemu-img check (which may start before qemu-img info
 * answers, when the header rehost read names no other file). */
#include "image_qemu.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "image.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

int rh_qemu_img_json_result(int run_rc, struct rh_proc_result *r, const char *prog,
                            const char *path, json_object **out)
{
  *out = NULL;
  if (run_rc < 0) {
    rh_error("%s: cannot run %s: %s (is qemu-utils installed?)", path, prog, r->err ? r->err : "");
    rh_proc_result_free(r);
    return -1;
  }
  *out = r->status == 0 || r->status == 2 || r->status == 3 ? json_tokener_parse(r->out) : NULL;
  int st = r->status;
  if (!*out && st != 63 && rh_qemu_lock_conflict(r->err)) {
    rh_error("%s: in use by another process (a running VM?); stop it, or name a snapshot of it",
             path);
  } else if (!*out && st != 63) {
    char line[512];
    const char *msg = rh_last_line(r->err, line, sizeof line);
    /* qemu-img prefixes "qemu-img: FILE: "; keep the part after the file name */
    const char *p = strstr(msg, path);
    if (p) { p += strlen(path); if (*p == ':') p++; while (*p == ' ') p++; msg = p; }
    else if (strncmp(msg, "qemu-img: ", 10) == 0) msg += 10;
    rh_error("%s: not a readable disk image: %s", path, *msg ? msg : "qemu-img failed");
  }
  rh_proc_result_free(r);
  return st;
}

int rh_qemu_img_json(char *const argv[], const char *path, json_object **out)
{
  struct rh_proc_result r;
  int rc = rh_proc_run(argv, &r, NULL, NULL);
  return rh_qemu_img_json_result(rc, &r, argv[0], path, out);
}

uint64_t rh_qemu_json_u64(json_object *o, const char *k)
{
  json_object *v;
  return json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

/* qemu-img check's argv (argv: 8 entries). */
static void check_argv(char *argv[8], const char *path, const char *driver, bool share)
{
  int a = 0;
  argv[a++] = "qemu-img";
  argv[a++] = "check";
  if (share) argv[a++] = "-U";
  argv[a++] = "-f";
  argv[a++] = (char *)driver;
  argv[a++] = "--output=json";
  argv[a++] = (char *)path;
  argv[a] = NULL;
}

void rh_qemu_img_start(struct rh_qemu_img_early *e, char *const argv[])
{
  char *why = NULL;
  e->start_rc = rh_proc_start(argv, &e->proc, &why);
  free(why); /* not started: rh_qemu_img_json_wait runs it itself, and says why */
}

int rh_qemu_img_json_wait(struct rh_qemu_img_early *e, char *const argv[], const char *path,
                          json_object **out)
{
  if (!e || e->start_rc != 0 || e->proc.pid <= 0) return rh_qemu_img_json(argv, path, out);
  struct rh_proc_result r;
  int rc = rh_proc_finish(&e->proc, &r, NULL, NULL);
  return rh_qemu_img_json_result(rc, &r, argv[0], path, out);
}

void rh_qemu_img_drop(struct rh_qemu_img_early *e)
{
  if (e->start_rc == 0 && e->proc.pid > 0) {
    kill(e->proc.pid, SIGTERM);
    struct rh_proc_result r;
    rh_proc_finish(&e->proc, &r, NULL, NULL);
    rh_proc_result_free(&r);
  }
  e->start_rc = -1;
}

void rh_early_check_start(struct rh_qemu_img_early *e, const char *path, const char *driver,
                          bool share)
{
  char *argv[8];
  check_argv(argv, path, driver, share);
  rh_qemu_img_start(e, argv);
}

int rh_image_check(const char *path, const char *driver, uint64_t file_size, uint64_t slack,
                   bool share, struct rh_qemu_img_early *early)
{
  char *argv[8];
  check_argv(argv, path, driver, share);
  json_object *j = NULL;
  int st = rh_qemu_img_json_wait(early, argv, path, &j);
  if (st < 0) return RH_EXIT_FAILURE;
  if (st == 63) return 0; /* format does not support checks */
  if (!j) return RH_EXIT_INPUT;
  int rc = 0;
  uint64_t corruptions = rh_qemu_json_u64(j, "corruptions");
  uint64_t check_errors = rh_qemu_json_u64(j, "check-errors");
  uint64_t end = rh_qemu_json_u64(j, "image-end-offset");
  if (st == 2 || corruptions || check_errors) {
    rh_error("%s: corrupt %s image: %llu corruptions, %llu check errors (see qemu-img check)",
             path, rh_format_name(driver), (unsigned long long)corruptions,
             (unsigned long long)check_errors);
    rc = RH_EXIT_INPUT;
  } else if (file_size && end > file_size + slack) {
    rh_error("%s: truncated %s image: data should extend to %llu bytes but the file has %llu",
             path, rh_format_name(driver), (unsigned long long)end, (unsigned long long)file_size);
    rc = RH_EXIT_INPUT;
  }
  json_object_put(j);
  return rc;
}

char *rh_qemu_opts_path(const char *path)
{
  char *p = malloc(2 * strlen(path) + 1), *q = p;
  if (!p) return NULL;
  for (const char *c = path; *c; c++) {
    if (*c == ',') *q++ = ',';
    *q++ = *c;
  }
  *q = 0;
  return p;
}

char *rh_qemu_preallocate_opts(const char *driver, const char *path)
{
  char *p = rh_qemu_opts_path(path), *opts = NULL;
  if (p && asprintf(&opts, "driver=%s,file.driver=preallocate,file.file.driver=file,file.file.filename=%s",
                    driver, p) < 0)
    opts = NULL;
  free(p);
  return opts;
}
