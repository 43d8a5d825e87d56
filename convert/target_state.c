#include "target_state.h"

#include "../lib/outfile.h"
#include "../lib/private_files.h"

#include "../lib/exitcodes.h"
#include "../lib/smallfile.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const names[] = {"none", "consistent", "syncing", "inconsistent",
                                    "finalized"};

const char *rh_tstate_name(enum rh_tstate s)
{
  return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void rh_tstate_set(char **field, const char *value)
{
  free(*field);
  *field = value ? strdup(value) : NULL;
}

void rh_tstate_free(struct rh_target_state *st)
{
  char **strs[] = {&st->reason,  &st->src_path,  &st->src_format,   &st->src_disk_id,
                   &st->tgt_format, &st->bitmap, &st->last_mode, &st->last_started,
                   &st->last_finished};
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) rh_tstate_set(strs[i], NULL);
  memset(st, 0, sizeof *st);
}

void rh_tstate_new_id(char id[17])
{
  unsigned char r[8];
  if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
    uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    memcpy(r, &t, sizeof r);
  }
  for (int i = 0; i < 8; i++) snprintf(id + 2 * i, 3, "%02x", r[i]);
}

const char *rh_utc_now(char *buf, size_t sz)
{
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/* ---- parsing ---- */

static int get_obj(json_object *o, const char *k, json_type want, json_object **out, bool required,
                   char *err, size_t errsz)
{
  *out = NULL;
  json_object *v;
  if (!json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null)) {
    if (required) snprintf(err, errsz, "missing \"%s\"", k);
    return required ? -1 : 0;
  }
  if (!json_object_is_type(v, want) &&
      !(want == json_type_double && json_object_is_type(v, json_type_int))) {
    snprintf(err, errsz, "\"%s\" has the wrong type", k);
    return -1;
  }
  *out = v;
  return 0;
}

static int get_str(json_object *o, const char *k, char **dst, bool req, char *err, size_t errsz)
{
  json_object *v;
  if (get_obj(o, k, json_type_string, &v, req, err, errsz) < 0) return -1;
  if (v) rh_tstate_set(dst, json_object_get_string(v));
  return 0;
}

static int get_u64(json_object *o, const char *k, uint64_t *dst, char *err, size_t errsz)
{
  json_object *v;
  if (get_obj(o, k, json_type_int, &v, false, err, errsz) < 0) return -1;
  if (v) {
    int64_t x = json_object_get_int64(v);
    if (x < 0) {
      snprintf(err, errsz, "\"%s\" is negative", k);
      return -1;
    }
    *dst = (uint64_t)x;
  }
  return 0;
}

static int get_i64(json_object *o, const char *k, int64_t *dst, char *err, size_t errsz)
{
  json_object *v;
  if (get_obj(o, k, json_type_int, &v, false, err, errsz) < 0) return -1;
  if (v) *dst = json_object_get_int64(v);
  return 0;
}

void rh_file_stamp_of(const struct stat *sb, struct rh_file_stamp *s)
{
  *s = (struct rh_file_stamp){(uint64_t)sb->st_dev, (uint64_t)sb->st_ino, (uint64_t)sb->st_size,
                              (int64_t)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec,
                              (int64_t)sb->st_ctim.tv_sec * 1000000000LL + sb->st_ctim.tv_nsec};
}

int rh_file_stamp_get(const char *path, struct rh_file_stamp *s)
{
  struct stat sb;
  memset(s, 0, sizeof *s);
  if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) return -1;
  rh_file_stamp_of(&sb, s);
  return 0;
}

bool rh_file_stamp_same(const struct rh_file_stamp *a, const struct rh_file_stamp *b)
{
  return a->ino && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static int get_stamp(json_object *o, struct rh_file_stamp *s, char *err, size_t errsz)
{
  json_object *f;
  if (get_obj(o, "stamp", json_type_object, &f, false, err, errsz) < 0) return -1;
  if (!f) return 0;
  return get_u64(f, "dev", &s->dev, err, errsz) < 0 || get_u64(f, "ino", &s->ino, err, errsz) < 0 ||
                 get_u64(f, "size", &s->size, err, errsz) < 0 ||
                 get_i64(f, "mtime_ns", &s->mtime_ns, err, errsz) < 0 ||
                 get_i64(f, "ctime_ns", &s->ctime_ns, err, errsz) < 0
             ? -1
             : 0;
}

static void add_stamp(json_object *o, const struct rh_file_stamp *s)
{
  if (!s->ino) return;
  json_object *f = json_object_new_object();
  json_object_object_add(f, "dev", json_object_new_int64((int64_t)s->dev));
  json_object_object_add(f, "ino", json_object_new_int64((int64_t)s->ino));
  json_object_object_add(f, "size", json_object_new_int64((int64_t)s->size));
  json_object_object_add(f, "mtime_ns", json_object_new_int64(s->mtime_ns));
  json_object_object_add(f, "ctime_ns", json_object_new_int64(s->ctime_ns));
  json_object_object_add(o, "stamp", f);
}

static int parse_obj(json_object *j, struct rh_target_state *st, char *err, size_t errsz)
{
  json_object *v, *src, *tgt, *bm, *last;
  if (get_obj(j, "schema", json_type_string, &v, true, err, errsz) < 0) return -1;
  if (strcmp(json_object_get_string(v), "rehost.target/1") != 0) {
    snprintf(err, errsz, "unknown schema \"%.64s\"", json_object_get_string(v));
    return -1;
  }
  if (get_obj(j, "state", json_type_string, &v, true, err, errsz) < 0) return -1;
  st->state = RH_TS_NONE;
  for (int i = RH_TS_CONSISTENT; i <= RH_TS_FINALIZED; i++)
    if (!strcmp(json_object_get_string(v), names[i])) st->state = (enum rh_tstate)i;
  if (st->state == RH_TS_NONE) {
    snprintf(err, errsz, "unknown state \"%.64s\"", json_object_get_string(v));
    return -1;
  }
  if (get_obj(j, "id", json_type_string, &v, true, err, errsz) < 0) return -1;
  const char *id = json_object_get_string(v);
  if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16) {
    snprintf(err, errsz, "\"id\" is not 16 hex digits");
    return -1;
  }
  memcpy(st->id, id, 17);
  int64_t pid = 0;
  if (get_str(j, "reason", &st->reason, false, err, errsz) < 0 ||
      get_i64(j, "pid", &pid, err, errsz) < 0)
    return -1;
  st->pid = (long)pid;
  if (get_obj(j, "source", json_type_object, &src, true, err, errsz) < 0 ||
      get_str(src, "path", &st->src_path, true, err, errsz) < 0 ||
      get_str(src, "format", &st->src_format, false, err, errsz) < 0 ||
      get_str(src, "disk_id", &st->src_disk_id, false, err, errsz) < 0 ||
      get_u64(src, "virtual_size", &st->src_size, err, errsz) < 0 ||
      get_stamp(src, &st->src_stamp, err, errsz) < 0)
    return -1;
  if (get_obj(j, "target", json_type_object, &tgt, false, err, errsz) < 0) return -1;
  if (tgt && (get_str(tgt, "format", &st->tgt_format, false, err, errsz) < 0 ||
              get_u64(tgt, "virtual_size", &st->tgt_size, err, errsz) < 0 ||
              get_i64(tgt, "mtime_ns", &st->tgt_mtime_ns, err, errsz) < 0 ||
              get_stamp(tgt, &st->tgt_stamp, err, errsz) < 0))
    return -1;
  if (get_obj(j, "bitmap", json_type_object, &bm, false, err, errsz) < 0) return -1;
  if (bm && (get_str(bm, "name", &st->bitmap, true, err, errsz) < 0 ||
             get_i64(bm, "generation", &st->generation, err, errsz) < 0))
    return -1;
  if (get_obj(j, "last_sync", json_type_object, &last, false, err, errsz) < 0) return -1;
  if (last) {
    json_object *sec;
    if (get_str(last, "mode", &st->last_mode, false, err, errsz) < 0 ||
        get_str(last, "started", &st->last_started, false, err, errsz) < 0 ||
        get_str(last, "finished", &st->last_finished, false, err, errsz) < 0 ||
        get_u64(last, "bytes_read", &st->last_read, err, errsz) < 0 ||
        get_u64(last, "bytes_written", &st->last_written, err, errsz) < 0 ||
        get_u64(last, "bytes_zeroed", &st->last_zeroed, err, errsz) < 0 ||
        get_obj(last, "seconds", json_type_double, &sec, false, err, errsz) < 0)
      return -1;
    if (sec) st->last_seconds = json_object_get_double(sec);
  }
  return 0;
}

int rh_tstate_parse(const char *text, struct rh_target_state *st, char *err, size_t errsz)
{
  memset(st, 0, sizeof *st);
  json_tokener *tok = json_tokener_new();
  if (!tok) {
    snprintf(err, errsz, "out of memory");
    return -1;
  }
  json_object *j = json_tokener_parse_ex(tok, text, (int)strlen(text));
  enum json_tokener_error je = json_tokener_get_error(tok);
  json_tokener_free(tok);
  int r = -1;
  if (!j || je != json_tokener_success)
    snprintf(err, errsz, "not valid JSON (%s)",
             je != json_tokener_success ? json_tokener_error_desc(je) : "empty");
  else if (!json_object_is_type(j, json_type_object))
    snprintf(err, errsz, "not a JSON object");
  else
    r = parse_obj(j, st, err, errsz);
  json_object_put(j);
  if (r < 0) rh_tstate_free(st);
  return r;
}

/* ---- formatting ---- */

static void add_str(json_object *o, const char *k, const char *v)
{
  if (v) json_object_object_add(o, k, json_object_new_string(v));
}

char *rh_tstate_format(const struct rh_target_state *st)
{
  json_object *j = json_object_new_object();
  add_str(j, "schema", "rehost.target/1");
  add_str(j, "id", st->id);
  add_str(j, "state", rh_tstate_name(st->state));
  add_str(j, "reason", st->reason);
  if (st->pid) json_object_object_add(j, "pid", json_object_new_int64(st->pid));
  json_object *src = json_object_new_object();
  add_str(src, "path", st->src_path ? st->src_path : "");
  add_str(src, "format", st->src_format);
  json_object_object_add(src, "virtual_size", json_object_new_int64((int64_t)st->src_size));
  add_str(src, "disk_id", st->src_disk_id);
  add_stamp(src, &st->src_stamp);
  json_object_object_add(j, "source", src);
  json_object *tgt = json_object_new_object();
  add_str(tgt, "format", st->tgt_format);
  json_object_object_add(tgt, "virtual_size", json_object_new_int64((int64_t)st->tgt_size));
  json_object_object_add(tgt, "mtime_ns", json_object_new_int64(st->tgt_mtime_ns));
  add_stamp(tgt, &st->tgt_stamp);
  json_object_object_add(j, "target", tgt);
  if (st->bitmap) {
    json_object *bm = json_object_new_object();
    add_str(bm, "name", st->bitmap);
    json_object_object_add(bm, "generation", json_object_new_int64(st->generation));
    json_object_object_add(j, "bitmap", bm);
  }
  if (st->last_mode) {
    json_object *l = json_object_new_object();
    add_str(l, "mode", st->last_mode);
    add_str(l, "started", st->last_started);
    add_str(l, "finished", st->last_finished);
    json_object_object_add(l, "seconds", json_object_new_double(st->last_seconds));
    json_object_object_add(l, "bytes_read", json_object_new_int64((int64_t)st->last_read));
    json_object_object_add(l, "bytes_written", json_object_new_int64((int64_t)st->last_written));
    json_object_object_add(l, "bytes_zeroed", json_object_new_int64((int64_t)st->last_zeroed));
    json_object_object_add(j, "last_sync", l);
  }
  const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE);
  char *out = s ? strdup(s) : NULL;
  json_object_put(j);
  return out;
}

/* ---- files ---- */

/* Beside a file target; for a block device (whose directory is /dev, a
 * tmpfs) in STATE_DIR/devices/, named after the device's absolute path with
 * '/' as '!' ("/dev/vg/lv" -> "!dev!vg!lv"). */
char *rh_tstate_side_path(const char *target, const char *suffix)
{
  struct stat sb;
  char *p = NULL;
  if (stat(target, &sb) < 0 || !S_ISBLK(sb.st_mode))
    return asprintf(&p, "%s%s", target, suffix) < 0 ? NULL : p;
  char cwd[PATH_MAX] = "", name[2 * PATH_MAX];
  if (target[0] != '/' && !getcwd(cwd, sizeof cwd)) return NULL;
  snprintf(name, sizeof name, "%s%s%s", cwd, target[0] == '/' ? "" : "/", target);
  for (char *c = name; *c; c++)
    if (*c == '/') *c = '!';
  const char *dir = rh_state_dir(NULL);
  char devdir[PATH_MAX];
  snprintf(devdir, sizeof devdir, "%s/devices", dir);
  mkdir(dir, 0755);
  mkdir(devdir, 0700);
  return asprintf(&p, "%s/%s%s", devdir, name, suffix) < 0 ? NULL : p;
}

char *rh_tstate_path(const char *target) { return rh_tstate_side_path(target, ".rehost.json"); }
char *rh_target_lock_path(const char *target) { return rh_tstate_side_path(target, ".rehost.lock"); }

int rh_tstate_load(const char *target, struct rh_target_state *st)
{
  memset(st, 0, sizeof *st);
  char *path = rh_tstate_path(target);
  if (!path) return RH_EXIT_FAILURE;
  char *buf = rh_read_private_file(path, 65536, NULL);
  if (!buf) {
    int e = errno;
    if (e == ENOENT) {
      free(path);
      return RH_EXIT_OK;
    }
    if (e == EFBIG)
      rh_error("%s: malformed replication state: larger than 64 KiB", path);
    else if (rh_private_file_refusal(e))
      rh_error("%s: the replication state is %s; refusing to trust it", path,
               rh_private_file_refusal(e));
    else
      rh_error("%s: cannot read: %s", path, strerror(e));
    free(path);
    return RH_EXIT_INPUT;
  }
  char err[256];
  int rc = RH_EXIT_OK;
  if (rh_tstate_parse(buf, st, err, sizeof err) < 0) {
    rh_error("%s: malformed replication state: %s (remove it to start over with a full compare)",
             path, err);
    rc = RH_EXIT_INPUT;
  }
  free(buf);
  free(path);
  return rc;
}

/* The state must be writable exactly when the disk is full: a sync that
 * fails with ENOSPC has to record "inconsistent". So the next state file is
 * always waiting, preallocated, as TARGET.rehost.json.tmp: a save writes into
 * its reserved blocks, trims it, renames it over the state file, then
 * reserves the next one (which may fail harmlessly on a full disk). */
#define STATE_RESERVE 16384

static int reserve_spare(const char *tmp)
{
  int fd = open(tmp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  int r = posix_fallocate(fd, 0, STATE_RESERVE);
  close(fd);
  return r ? -1 : 0;
}

int rh_tstate_save(const char *target, const struct rh_target_state *st)
{
  char *path = rh_tstate_path(target), *tmp = NULL, *text = rh_tstate_format(st);
  int rc = RH_EXIT_IO;
  if (!path || !text || asprintf(&tmp, "%s.tmp", path) < 0) {
    rh_error("%s: out of memory", target);
    goto out;
  }
  /* no O_TRUNC: keep the reserve; never through a symlink someone planted */
  int fd = rh_open_private(tmp, O_WRONLY | O_CREAT, 0600, "replication state's spare");
  if (fd < 0) goto out;
  size_t len = strlen(text);
  text[len++] = '\n'; /* replaces the NUL; written by length */
  int e = rh_private_commit(fd, text, len, tmp, path);
  if (e) {
    rh_error("%s: cannot write replication state: %s", path, strerror(e));
    goto out;
  }
  reserve_spare(tmp);
  rc = RH_EXIT_OK;
out:
  free(path);
  free(tmp);
  free(text);
  return rc;
}

int rh_target_lock(const char *target, int wait_s, int *fd)
{
  char *path = rh_target_lock_path(target);
  if (!path) return RH_EXIT_FAILURE;
  int rc = rh_lock_take(path, wait_s, target, "syncing this target", fd);
  if (!rc) {
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(*fd, 0) == 0 && pwrite(*fd, pid, (size_t)n, 0) < 0) {}
  }
  free(path);
  return rc;
}

void rh_target_unlock(int fd) { rh_lock_release(fd); }
