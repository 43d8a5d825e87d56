#include "nbd_server.h"

#include "../lib/clock.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/proc.h"
#include "../lib/workdir.h"
#include "extents.h"
#include "image_qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <libnbd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *rh_nbd_error(void)
{
  const char *e = nbd_get_error();
  if (!e) return "unknown NBD error";
  const char *colon = strstr(e, ": ");
  if (colon && strncmp(e, "nbd_", 4) == 0) e = colon + 2;
  return e;
}

static char *read_log(const char *path)
{
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  static char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  return buf;
}

static void report_start_failure(struct rh_nbd_server *s)
{
  const char *log = read_log(s->log);
  if (rh_qemu_lock_conflict(log)) {
    rh_error("%s: in use by another process (a running VM?); stop it, or name a snapshot of it",
             s->path);
    return;
  }
  char line[512];
  const char *msg = rh_last_line(log ? log : "", line, sizeof line);
  if (strncmp(msg, "qemu-nbd: ", 10) == 0) msg += 10;
  rh_error("%s: cannot open for block I/O: %s", s->path, *msg ? msg : "qemu-nbd failed to start");
}

/* The export's --image-opts: a read-only image without qemu's lock, or a
 * writable file under qemu's preallocate filter (in this project's
 * benchmark, 1310 scattered 64 KiB O_DIRECT writes into new clusters at a
 * qcow2 file's end took 0.17-0.23 s, through the filter 0.08-0.13 s). NULL
 * when out of memory. */
static char *image_opts(const struct rh_nbd_export *e)
{
  if (!e->readonly) return rh_qemu_preallocate_opts(e->format, e->path);
  struct stat sb;
  bool blk = stat(e->path, &sb) == 0 && S_ISBLK(sb.st_mode);
  char *p = rh_qemu_opts_path(e->path), *opts = NULL;
  if (p && asprintf(&opts, "driver=%s,file.driver=%s,file.locking=off,file.filename=%s", e->format,
                    blk ? "host_device" : "file", p) < 0)
    opts = NULL;
  free(p);
  return opts;
}

int rh_nbd_server_spawn(const struct rh_nbd_export *e, struct rh_nbd_server *s)
{
  memset(s, 0, sizeof *s);
  s->path = strdup(e->path);
  char d[128];
  if (rh_workdir_create("nbd", false, d, sizeof d) < 0 || !s->path ||
      asprintf(&s->dir, "%s", d) < 0 ||
      asprintf(&s->sock, "%s/sock", d) < 0 || asprintf(&s->log, "%s/log", d) < 0) {
    rh_error("%s: cannot create a socket directory: %s", e->path, strerror(errno));
    return RH_EXIT_IO;
  }
  char shared[32], sockopt[64 + 4096], fmtopt[64], bmopt[512], *imgopts = NULL;
  snprintf(shared, sizeof shared, "--shared=%d", e->connections > 0 ? e->connections : 1);
  snprintf(sockopt, sizeof sockopt, "--socket=%s", s->sock);
  snprintf(fmtopt, sizeof fmtopt, "--format=%s", e->format);
  const char *argv[16];
  int a = 0;
  argv[a++] = "qemu-nbd";
  argv[a++] = sockopt;
  argv[a++] = fmtopt;
  argv[a++] = shared;
  /* O_DIRECT with qemu's thread pool (its default --aio=threads): with
   * --aio=native, qemu-nbd's exit waits in io_destroy(2) for an RCU grace
   * period, 20-55 ms a server in this project's benchmark */
  argv[a++] = e->direct ? "--cache=none" : "--cache=writeback";
  if (e->readonly) {
    argv[a++] = "--read-only";
    if (e->persistent) argv[a++] = "--persistent";
  } else {
    argv[a++] = "--discard=unmap";
    argv[a++] = "--detect-zeroes=unmap";
  }
  if (e->bitmap) {
    snprintf(bmopt, sizeof bmopt, "--bitmap=%s", e->bitmap);
    argv[a++] = bmopt;
  }
  /* a json: filename (a disk inside a package) carries its own options */
  if (strncmp(e->path, "json:", 5) != 0 && (e->readonly ? e->no_locking : e->grow_in_chunks)) {
    if (!(imgopts = image_opts(e))) {
      rh_error("%s: out of memory", e->path);
      return RH_EXIT_FAILURE;
    }
    argv[2] = "--image-opts"; /* replaces --format */
  }
  argv[a++] = "--";
  argv[a++] = imgopts ? imgopts : e->path;
  argv[a] = NULL;

  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) free(imgopts);
  if (pid < 0) {
    rh_error("%s: cannot start qemu-nbd: %s", e->path, strerror(errno));
    return RH_EXIT_FAILURE;
  }
  if (pid == 0) {
    /* Die with rehost, whatever kills it (kill -9 included). */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    signal(SIGINT, SIG_IGN); /* Ctrl-C reaches rehost, which stops us cleanly */
    int null = open("/dev/null", O_RDONLY);
    int log = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null < 0 || log < 0) _exit(127);
    dup2(null, 0);
    dup2(log, 1);
    dup2(log, 2);
    execvp(argv[0], (char *const *)argv);
    dprintf(2, "qemu-nbd: cannot run: %s\n", strerror(errno));
    _exit(127);
  }
  s->pid = pid;
  s->persistent = e->readonly && e->persistent;
  return RH_EXIT_OK;
}

int rh_nbd_server_ready(struct rh_nbd_server *s, bool quiet)
{
  /* qemu-nbd listens within a few ms: look every ms for the first 200,
   * then every 10 (up to 30 s in all) */
  double deadline = rh_monotonic_s() + 30;
  for (int i = 0; rh_monotonic_s() < deadline; i++) {
    int st;
    if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
      s->pid = 0;
      if (!quiet) report_start_failure(s);
      rh_nbd_server_stop(s);
      return RH_EXIT_INPUT;
    }
    struct stat sb;
    if (stat(s->sock, &sb) == 0 && S_ISSOCK(sb.st_mode)) return RH_EXIT_OK;
    rh_sleep_ms(i < 200 ? 1 : 10);
  }
  if (!quiet) rh_error("%s: qemu-nbd did not start within 30 s", s->path);
  rh_nbd_server_stop(s);
  return RH_EXIT_FAILURE;
}

int rh_nbd_server_start(const struct rh_nbd_export *e, struct rh_nbd_server *s)
{
  int rc = rh_nbd_server_spawn(e, s);
  return rc ? rc : rh_nbd_server_ready(s, false);
}

struct nbd_handle *rh_nbd_connect(const struct rh_nbd_server *s, const char *const *contexts)
{
  struct nbd_handle *h = nbd_create();
  if (!h) {
    rh_error("%s: %s", s->path, rh_nbd_error());
    return NULL;
  }
  for (const char *const *c = contexts; c && *c; c++) nbd_add_meta_context(h, *c);
  /* The socket exists a moment before qemu-nbd listens on it: retry a
   * refused connection (a refused one is not counted as a client). */
  for (int attempt = 0; nbd_connect_unix(h, s->sock) < 0; attempt++) {
    int err = nbd_get_errno();
    if (err != ECONNREFUSED || attempt == 2000) { /* about 2 s */
      rh_error("%s: cannot connect to its qemu-nbd: %s", s->path, rh_nbd_error());
      nbd_close(h);
      return NULL;
    }
    nbd_close(h);
    rh_sleep_ms(1);
    h = nbd_create();
    if (!h) return NULL;
    for (const char *const *c = contexts; c && *c; c++) nbd_add_meta_context(h, *c);
  }
  return h;
}

void rh_nbd_close(struct nbd_handle *h)
{
  if (!h) return;
  nbd_shutdown(h, 0);
  nbd_close(h);
}

void rh_nbd_server_discard(struct rh_nbd_server *s)
{
  /* SIGKILL: qemu-nbd ignores a SIGTERM that comes before it runs (its
   * handler only moves the state from running to terminate), and a server
   * nobody used has nothing to flush */
  if (s->pid > 0) {
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
  }
  rh_nbd_server_stop(s);
}

void rh_nbd_server_cancel(struct rh_nbd_server *s)
{
  /* no client will come: SIGTERM at once, once it listens (a failed ready
   * has stopped it already) */
  if (s->pid > 0 && rh_nbd_server_ready(s, true) == RH_EXIT_OK) s->persistent = true;
  rh_nbd_server_stop(s);
}

int rh_nbd_server_stop(struct rh_nbd_server *s)
{
  int rc = 0;
  if (s->pid > 0) {
    /* qemu-nbd exits by itself once its clients are gone; one that never had
     * a client (a failed setup) is asked to stop: SIGTERM flushes and closes
     * the image cleanly. */
    int st = 0;
    pid_t r = 0;
    for (int i = 0; i < 500 && !s->persistent && (r = waitpid(s->pid, &st, WNOHANG)) == 0; i++)
      rh_sleep_ms(i < 200 ? 1 : 10); /* up to 3.2 s */
    if (r == 0) {
      /* qemu-nbd loses a SIGTERM that comes while it is still starting, even
       * after its socket exists (its handler only moves the state from
       * running to terminate): asked again every 25 ms, then every 250;
       * after 10 s it is killed (and that is not a clean stop) */
      kill(s->pid, SIGTERM);
      for (int i = 0; i < 1180 && (r = waitpid(s->pid, &st, WNOHANG)) == 0; i++) {
        if (i % 25 == 24) kill(s->pid, SIGTERM);
        rh_sleep_ms(i < 200 ? 1 : 10);
      }
      if (r == s->pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) st = 0;
      if (r == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &st, 0);
        rh_warn("%s: qemu-nbd did not stop within 10 s; killed", s->path);
        rc = -1;
      }
    }
    if (rc == 0 && (r < 0 || (st != 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)))) {
      char line[512];
      const char *log = read_log(s->log);
      rh_warn("%s: qemu-nbd exited abnormally: %s", s->path,
              rh_last_line(log ? log : "", line, sizeof line));
      rc = -1;
    }
    s->pid = 0;
  }
  if (s->dir) rh_workdir_remove(s->dir);
  free(s->dir);
  free(s->sock);
  free(s->log);
  free(s->path);
  memset(s, 0, sizeof *s);
  return rc;
}

struct load_ctx {
  struct rh_extents *out;
  const char *want;
  int bad;
};

static int on_extents(void *opaque, const char *ctx, uint64_t off, uint32_t *ent, size_t n,
                      int *error)
{
  struct load_ctx *c = opaque;
  (void)error;
  if (strcmp(ctx, c->want) != 0) return 0;
  for (size_t i = 0; i + 1 < n; i += 2) {
    if (rh_extents_append(c->out, off, ent[i], ent[i + 1]) < 0) c->bad = 1;
    off += ent[i];
  }
  return 0;
}

/* Extent map of `ctx` over [0, size); a server without the context gives
 * one extent of flags 0 (data, not dirty). */
int rh_nbd_extents(struct nbd_handle *h, const char *path, const char *ctx, uint64_t size,
                        struct rh_extents *out)
{
  if (nbd_can_meta_context(h, ctx) != 1) return rh_extents_append(out, 0, size, 0);
  while (rh_extents_end(out) < size) {
    uint64_t off = rh_extents_end(out), left = size - off;
    struct load_ctx c = {out, ctx, 0};
    if (nbd_block_status(h, left < (1u << 30) ? left : (1u << 30), off,
                         (nbd_extent_callback){.callback = on_extents, .user_data = &c}, 0) < 0) {
      rh_error("%s: block status at offset %llu failed: %s", path, (unsigned long long)off,
               rh_nbd_error());
      return -1;
    }
    if (c.bad || rh_extents_end(out) == off) {
      rh_error("%s: malformed block status reply at offset %llu", path, (unsigned long long)off);
      return -1;
    }
  }
  return 0;
}

