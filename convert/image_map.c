#include "image_map.h"
#include "extents.h"


#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libnbd.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int add(struct rh_image_map *m, uint64_t off, uint64_t len, uint64_t host, uint8_t kind)
{
  if (m->n && m->v[m->n - 1].kind == kind && m->v[m->n - 1].off + m->v[m->n - 1].len == off &&
      (kind != RH_MAP_FILE || m->v[m->n - 1].host + m->v[m->n - 1].len == host)) {
    m->v[m->n - 1].len += len;
    return 0;
  }
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    struct rh_map_ext *v = realloc(m->v, cap * sizeof *v);
    if (!v) return -1;
    m->v = v;
    m->cap = cap;
  }
  m->v[m->n++] = (struct rh_map_ext){off, len, host, kind};
  return 0;
}

static int64_t jint(json_object *o, const char *k, int64_t dflt)
{
  json_object *v;
  return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int)
             ? json_object_get_int64(v) : dflt;
}

static int jbool(json_object *o, const char *k)
{
  json_object *v;
  return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

/* a map with nothing in it and no descriptors */
static void map_empty(struct rh_image_map *m)
{
  memset(m, 0, sizeof *m);
  m->fd = m->dfd = -1;
}

int rh_image_map_parse(const char *json, struct rh_image_map *m)
{
  m->fd = m->dfd = -1;
  json_object *j = json_tokener_parse(json);
  int rc = -1;
  if (!j || !json_object_is_type(j, json_type_array)) goto out;
  size_t n = json_object_array_length(j);
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_array_get_idx(j, i);
    int64_t start = jint(e, "start", -1), len = jint(e, "length", -1);
    int64_t depth = jint(e, "depth", 0), host = jint(e, "offset", -1);
    if (start < 0 || len <= 0 || (uint64_t)start != m->size) goto out; /* must be contiguous */
    if ((uint64_t)len > UINT64_MAX - m->size) goto out;
    uint8_t kind = RH_MAP_NBD;
    if (jbool(e, "zero") && depth == 0)
      kind = RH_MAP_ZERO;
    else if (jbool(e, "data") && depth == 0 && host >= 0)
      kind = RH_MAP_FILE;
    else if (!jbool(e, "present") && !jbool(e, "data"))
      kind = jbool(e, "zero") ? RH_MAP_ZERO : RH_MAP_NBD;
    if (add(m, (uint64_t)start, (uint64_t)len, host < 0 ? 0 : (uint64_t)host, kind) < 0) goto out;
    m->size += (uint64_t)len;
  }
  rc = 0;
out:
  json_object_put(j);
  if (rc) rh_image_map_free(m);
  return rc;
}

int rh_image_map_start(const char *path, const char *format, bool data_in_file, bool share,
                       struct rh_image_map_job *j)
{
  memset(j, 0, sizeof *j);
  if (!data_in_file || !(j->path = strdup(path))) return -1;
  char *argv[] = {"qemu-img", "map", "--output=json", "-f", (char *)format, (char *)path, NULL,
                  NULL};
  if (share) argv[5] = "-U", argv[6] = (char *)path;
  char *why = NULL;
  if (rh_proc_start(argv, &j->proc, &why) == 0) return 0;
  free(why);
  free(j->path);
  j->path = NULL;
  return -1;
}

int rh_image_map_finish(struct rh_image_map_job *j, struct rh_image_map *m)
{
  map_empty(m);
  struct rh_proc_result r;
  int rc = -1;
  if (rh_proc_finish(&j->proc, &r, NULL, NULL) == 0 && r.status == 0 &&
      rh_image_map_parse(r.out, m) == 0)
    rc = 0;
  rh_proc_result_free(&r);
  if (rc == 0 && (m->fd = open(j->path, O_RDONLY | O_CLOEXEC)) < 0) rc = -1;
  if (rc) rh_image_map_free(m);
  free(j->path);
  j->path = NULL;
  return rc;
}

int rh_image_map_load(const char *path, const char *format, bool data_in_file, bool share,
                      struct rh_image_map *m)
{
  struct rh_image_map_job j;
  if (rh_image_map_start(path, format, data_in_file, share, &j) < 0) {
    map_empty(m);
    return -1;
  }
  return rh_image_map_finish(&j, m);
}

void rh_image_map_free(struct rh_image_map *m)
{
  if (m->fd >= 0) close(m->fd);
  if (m->dfd >= 0) close(m->dfd);
  if (m->mem) munmap((void *)m->mem, m->mem_len);
  free(m->v);
  map_empty(m);
}

bool rh_image_map_read_direct(struct rh_image_map *m)
{
  if (m->fd < 0) return false;
  if (m->dfd >= 0) return true;
  char self[64];
  snprintf(self, sizeof self, "/proc/self/fd/%d", m->fd);
  int d = open(self, O_RDONLY | O_DIRECT | O_CLOEXEC | O_NOCTTY);
  struct stat a, b;
  if (d >= 0 && (fstat(m->fd, &a) < 0 || fstat(d, &b) < 0 || a.st_dev != b.st_dev ||
                 a.st_ino != b.st_ino)) { /* not the file the map describes */
    close(d);
    d = -1;
  }
  m->dfd = d;
  return d >= 0;
}

bool rh_image_map_mmap(struct rh_image_map *m)
{
  struct stat sb;
  if (m->mem) return true;
  if (m->fd < 0 || fstat(m->fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0)
    return false;
  void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, m->fd, 0);
  if (p == MAP_FAILED) return false;
  m->mem = p;
  m->mem_len = (uint64_t)sb.st_size;
  return true;
}

const unsigned char *rh_image_map_view(const struct rh_image_map *m, uint64_t off, size_t len)
{
  if (!m->mem || !len) return NULL;
  size_t i = rh_extent_index(m->v, m->n, sizeof m->v[0], off);
  if (i >= m->n) return NULL;
  const struct rh_map_ext *x = &m->v[i];
  if (x->kind != RH_MAP_FILE || x->off > off || off + len > x->off + x->len) return NULL;
  uint64_t host = x->host + (off - x->off);
  if (host > m->mem_len || len > m->mem_len - host) return NULL;
  return m->mem + host;
}

/* A view read past the file's end faults with SIGBUS in the thread reading
 * it; that thread jumps back to its rh_image_map_guarded. A SIGBUS anywhere
 * else keeps its default action. */
static _Thread_local sigjmp_buf *view_guard;
static pthread_once_t view_guard_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig)
{
  if (view_guard) siglongjmp(*view_guard, 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

static void install_on_sigbus(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigbus;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, NULL);
}

int rh_image_map_guarded(void (*fn)(void *), void *arg)
{
  pthread_once(&view_guard_once, install_on_sigbus);
  sigjmp_buf jb;
  if (sigsetjmp(jb, 1)) {
    view_guard = NULL;
    errno = EIO;
    return -1;
  }
  view_guard = &jb;
  fn(arg);
  view_guard = NULL;
  return 0;
}

/* Read piece bytes at host from the file into p: the aligned part with
 * O_DIRECT when it is on, the rest (and all of it if the file system
 * refuses the direct read) through the page cache. */
static int file_read(const struct rh_image_map *m, unsigned char *p, size_t piece, uint64_t host)
{
  size_t done = 0, direct = 0;
  if (m->dfd >= 0 && host % RH_MAP_DIRECT_ALIGN == 0 &&
      (uintptr_t)p % RH_MAP_DIRECT_ALIGN == 0)
    direct = piece - piece % RH_MAP_DIRECT_ALIGN;
  while (done < piece) {
    int fd = done < direct ? m->dfd : m->fd;
    size_t want = (done < direct ? direct : piece) - done;
    ssize_t n = pread(fd, p + done, want, (off_t)(host + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && fd == m->dfd && errno == EINVAL) { /* not direct after all */
      direct = done;
      continue;
    }
    if (n < 0) return -1;
    if (n == 0) { /* short file: the image was truncated under us */
      errno = EIO;
      return -1;
    }
    done += (size_t)n;
    if (done < direct && done % RH_MAP_DIRECT_ALIGN) direct = done; /* short direct read */
  }
  return 0;
}

static size_t find(const struct rh_image_map *m, uint64_t off)
{
  return rh_extent_index(m->v, m->n, sizeof m->v[0], off);
}

int rh_image_map_pread(const struct rh_image_map *m, struct nbd_handle *h, void *buf, size_t len,
                       uint64_t off)
{
  unsigned char *p = buf;
  size_t i = find(m, off);
  while (len > 0) {
    size_t piece = len;
    uint8_t kind = RH_MAP_NBD;
    uint64_t host = 0;
    if (i < m->n && m->v[i].off <= off) {
      uint64_t left = m->v[i].off + m->v[i].len - off;
      if (left < piece) piece = (size_t)left;
      kind = m->v[i].kind;
      host = m->v[i].host + (off - m->v[i].off);
    }
    if (kind == RH_MAP_ZERO) {
      memset(p, 0, piece);
    } else if (kind == RH_MAP_FILE && m->fd >= 0) {
      if (file_read(m, p, piece, host) < 0) return -1;
    } else if (nbd_pread(h, p, piece, off, 0) < 0) {
      errno = nbd_get_errno() ? nbd_get_errno() : EIO;
      return -1;
    }
    p += piece;
    off += piece;
    len -= piece;
    i++;
  }
  return 0;
}

_Static_assert(offsetof(struct rh_map_ext, off) == 0 && offsetof(struct rh_map_ext, len) == 8,
               "rh_extent_index reads off, len at the start of each element");
