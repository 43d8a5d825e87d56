#include "proc.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The helpers running now, for signal handlers to stop: a helper started
 * beside another (qemu-img check beside info) is here as much as the one
 * being waited for. Lock-free atomics: read from a signal handler. A helper
 * that finds every slot taken is not listed; PR_SET_PDEATHSIG still ends it
 * with rehost. */
#define RUNNING_MAX 8
static atomic_int g_running[RUNNING_MAX];

static void track(pid_t pid)
{
  for (int i = 0; i < RUNNING_MAX; i++) {
    int none = 0;
    if (atomic_compare_exchange_strong(&g_running[i], &none, (int)pid)) return;
  }
}

static void untrack(pid_t pid)
{
  for (int i = 0; i < RUNNING_MAX; i++) {
    int p = (int)pid;
    if (atomic_compare_exchange_strong(&g_running[i], &p, 0)) return;
  }
}

void rh_proc_signal_running(int sig)
{
  for (int i = 0; i < RUNNING_MAX; i++) {
    int p = atomic_load(&g_running[i]);
    if (p > 0) kill((pid_t)p, sig);
  }
}

int rh_proc_running(void)
{
  int n = 0;
  for (int i = 0; i < RUNNING_MAX; i++) n += atomic_load(&g_running[i]) > 0;
  return n;
}

struct buf {
  char *data;
  size_t len, cap;
};

static int buf_append(struct buf *b, const char *p, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return 0;
}

static void deliver_lines(struct buf *b, size_t *consumed, rh_proc_line_cb cb, void *opaque)
{
  size_t start = *consumed;
  for (size_t i = start; i < b->len; i++) {
    if (b->data[i] == '\n' || b->data[i] == '\r') {
      char save = b->data[i];
      b->data[i] = 0;
      if (i > start) cb(b->data + start, opaque);
      b->data[i] = save;
      start = i + 1;
    }
  }
  *consumed = start;
}

int rh_proc_start(char *const argv[], struct rh_proc *proc, char **why)
{
  proc->pid = 0;
  proc->out = proc->err = -1;
  *why = NULL;
  int outp[2], errp[2];
  if (pipe2(outp, O_CLOEXEC) < 0) return -1;
  if (pipe2(errp, O_CLOEXEC) < 0) {
    close(outp[0]);
    close(outp[1]);
    return -1;
  }
  /* fork + exec rather than posix_spawn: the helper must die with rehost
   * (PR_SET_PDEATHSIG), or a killed rehost would leave e.g. qemu-img
   * running and holding the images' locks. An exec failure comes back
   * through a close-on-exec pipe. */
  int execp[2];
  if (pipe2(execp, O_CLOEXEC) < 0) {
    close(outp[0]), close(outp[1]), close(errp[0]), close(errp[1]);
    return -1;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(outp[1], STDOUT_FILENO) < 0 ||
        dup2(errp[1], STDERR_FILENO) < 0)
      _exit(127);
    execvp(argv[0], argv);
    int e = errno;
    if (write(execp[1], &e, sizeof e) < 0) {}
    _exit(127);
  }
  int rc = pid < 0 ? errno : 0;
  close(execp[1]);
  if (pid > 0) {
    int e;
    ssize_t n;
    while ((n = read(execp[0], &e, sizeof e)) < 0 && errno == EINTR) {}
    if (n == (ssize_t)sizeof e) {
      rc = e;
      while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    }
  }
  close(execp[0]);
  close(outp[1]);
  close(errp[1]);
  if (rc != 0) {
    close(outp[0]);
    close(errp[0]);
    errno = rc;
    *why = strdup(strerror(rc));
    return -1;
  }
  track(pid);
  *proc = (struct rh_proc){pid, outp[0], errp[0]};
  return 0;
}

int rh_proc_finish(struct rh_proc *proc, struct rh_proc_result *res, rh_proc_line_cb line_cb,
                   void *opaque)
{
  memset(res, 0, sizeof *res);
  res->status = -1;
  struct buf out = {0}, err = {0};
  size_t consumed = 0;
  struct pollfd fds[2] = {{proc->out, POLLIN, 0}, {proc->err, POLLIN, 0}};
  int open_fds = 2;
  char chunk[8192];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
        continue;
      }
      buf_append(i == 0 ? &out : &err, chunk, (size_t)n);
      if (i == 0 && line_cb) deliver_lines(&out, &consumed, line_cb, opaque);
    }
  }
  for (int i = 0; i < 2; i++)
    if (fds[i].fd >= 0) close(fds[i].fd);
  int wst;
  while (waitpid(proc->pid, &wst, 0) < 0 && errno == EINTR) {}
  untrack(proc->pid);
  proc->pid = 0;
  res->status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
  res->out = out.data ? out.data : strdup("");
  res->err = err.data ? err.data : strdup("");
  return 0;
}

int rh_proc_run(char *const argv[], struct rh_proc_result *res, rh_proc_line_cb line_cb,
                void *opaque)
{
  struct rh_proc proc;
  char *why;
  if (rh_proc_start(argv, &proc, &why) < 0) {
    int e = errno;
    memset(res, 0, sizeof *res);
    res->status = -1;
    res->err = why;
    errno = e;
    return -1;
  }
  return rh_proc_finish(&proc, res, line_cb, opaque);
}

void rh_proc_result_free(struct rh_proc_result *res)
{
  free(res->out);
  free(res->err);
  res->out = res->err = NULL;
}

int rh_qemu_lock_conflict(const char *err)
{
  return err && strstr(err, "lock") && strstr(err, "another process");
}

const char *rh_last_line(const char *s, char *buf, size_t bufsz)
{
  buf[0] = 0;
  if (!s) return buf;
  const char *end = s + strlen(s);
  while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ')) end--;
  const char *start = end;
  while (start > s && start[-1] != '\n') start--;
  size_t n = (size_t)(end - start);
  if (n >= bufsz) n = bufsz - 1;
  memcpy(buf, start, n);
  buf[n] = 0;
  return buf;
}

bool rh_running_from_build_tree(void)
{
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  size_t bl = strlen(REHOST_BUILD_DIR);
  return !strncmp(exe, REHOST_BUILD_DIR, bl) && (exe[bl] == '/' || !exe[bl]);
}
