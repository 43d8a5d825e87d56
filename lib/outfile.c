#include "outfile.h"

#include "exitcodes.h"
#include "log.h"
#include "private_files.h"
#include "proc.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TMP 8
/* Temporaries being written: their paths (what a signal handler unlinks)
 * and the file each was created as, so that commit can tell a file that
 * someone swapped in under the name from ours. */
static char *volatile g_tmps[MAX_TMP];
static struct { int fd; dev_t dev; ino_t ino; } g_tmpfile[MAX_TMP];

static int slot_of(const char *p)
{
  if (!p) return -1;
  for (int i = 0; i < MAX_TMP; i++)
    if (g_tmps[i] == p) return i;
  return -1;
}

static int register_tmp(char *p, int fd)
{
  struct stat sb;
  for (int i = 0; i < MAX_TMP; i++)
    if (!g_tmps[i] && fstat(fd, &sb) == 0) {
      g_tmpfile[i].fd = fd;
      g_tmpfile[i].dev = sb.st_dev;
      g_tmpfile[i].ino = sb.st_ino;
      g_tmps[i] = p;
      return 0;
    }
  return -1;
}

static void unregister_tmp(const char *p)
{
  int i = slot_of(p);
  if (i < 0) return;
  g_tmps[i] = NULL;
  if (g_tmpfile[i].fd >= 0) close(g_tmpfile[i].fd);
  g_tmpfile[i].fd = -1;
}

static void remove_all(void)
{
  for (int i = 0; i < MAX_TMP; i++)
    if (g_tmps[i]) unlink(g_tmps[i]);
}

static volatile sig_atomic_t *volatile g_defer_flag;

/* While an operation stops itself on a signal, what fails because of the
 * signal (a helper it stopped) is not an error of its own: see log.h. */
void rh_signal_defer(volatile sig_atomic_t *flag)
{
  g_defer_flag = flag;
  rh_error_quiet_when(flag ? rh_signal_pending : NULL);
}

bool rh_signal_pending(void)
{
  volatile sig_atomic_t *flag = g_defer_flag;
  return flag && *flag;
}

static void on_signal(int sig)
{
  volatile sig_atomic_t *flag = g_defer_flag;
  /* the flag first: whatever fails from here on (the helpers stopped next)
   * is the signal's doing, and errors are quiet (rh_signal_defer) */
  if (flag) *flag = sig;
  rh_proc_signal_running(SIGTERM);
  if (flag) return; /* the running operation stops itself and records why */
  remove_all();
  static const char msg[] = "rehost: interrupted; partial output removed\n";
  if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {}
  (void)sig;
  _exit(RH_EXIT_INTERRUPTED);
}

void rh_install_signal_cleanup(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  atexit(remove_all);
}

/* Temporaries of dest left by a rehost that was killed (kill -9, power
 * loss): ".NAME.rehost-tmp.PID.XXXXXX" whose PID no longer runs. */
void rh_outfile_remove_stale(const char *dest)
{
  char *d1 = strdup(dest), *d2 = strdup(dest), *prefix = NULL;
  const char *dir = d1 ? dirname(d1) : NULL;
  DIR *dh = NULL;
  if (dir && d2 && asprintf(&prefix, ".%s.rehost-tmp.", basename(d2)) >= 0)
    dh = opendir(dir);
  size_t plen = prefix ? strlen(prefix) : 0;
  for (struct dirent *de; dh && (de = readdir(dh));) {
    if (strncmp(de->d_name, prefix, plen) != 0) continue;
    char *end;
    long pid = strtol(de->d_name + plen, &end, 10);
    if (pid <= 0 || (*end && (*end != '.' || strlen(end) != 7))) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    struct stat sb;
    if (fstatat(dirfd(dh), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
        (S_ISREG(sb.st_mode) && sb.st_uid != geteuid()))
      continue;
    if (unlinkat(dirfd(dh), de->d_name, 0) == 0)
      rh_info("removed %s/%s, left by an interrupted run", dir, de->d_name);
  }
  if (dh) closedir(dh);
  free(prefix);
  free(d1);
  free(d2);
}

char *rh_outfile_begin(const char *dest)
{
  rh_outfile_remove_stale(dest);
  char *d1 = strdup(dest), *d2 = strdup(dest), *tmp = NULL, why[PATH_MAX + 64];
  const char *dir = d1 ? dirname(d1) : NULL;
  if (!dir || !d2) {
    rh_error("%s: out of memory", dest);
  } else if (!rh_path_trusted(dir, true, why, sizeof why)) {
    /* Another user could swap the file rehost writes for a symlink. */
    rh_error("%s: refusing to write into a directory others can change: %s", dest, why);
  } else if (asprintf(&tmp, "%s/.%s.rehost-tmp.%ld.XXXXXX", dir, basename(d2),
                      (long)getpid()) < 0) {
    tmp = NULL;
    rh_error("%s: out of memory", dest);
  } else {
    /* O_EXCL: a name that exists (a planted symlink) is never opened */
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0 || register_tmp(tmp, fd) < 0) {
      rh_error("%s: cannot create a temporary file beside it: %s", dest,
               fd < 0 ? strerror(errno) : "too many at once");
      if (fd >= 0) {
        unlink(tmp);
        close(fd);
      }
      free(tmp);
      tmp = NULL;
    }
  }
  free(d1);
  free(d2);
  return tmp;
}

int rh_fsync_dir_of(const char *path)
{
  char *d = strdup(path);
  if (!d) return -1;
  int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  free(d);
  if (fd < 0) return -1;
  int r = fsync(fd);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static int commit_mode(char *tmp, const char *dest, unsigned mode)
{
  int i = slot_of(tmp), r = -1, e = 0;
  struct stat sb;
  if (i < 0) {
    e = EINVAL;
  } else if (lstat(tmp, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_dev != g_tmpfile[i].dev ||
             sb.st_ino != g_tmpfile[i].ino) {
    e = EEXIST; /* not the file rehost created and wrote: never rename it into place */
    rh_error("%s: the temporary file %s was replaced while it was written; refusing it", dest,
             tmp);
  } else {
    mode_t m = mode;
    if (!m) {
      m = umask(022);
      umask(m);
      m = 0666 & ~m;
    }
    /* data on disk first, then the name, then the name on disk */
    if (fchmod(g_tmpfile[i].fd, m) < 0 || fsync(g_tmpfile[i].fd) < 0 || rename(tmp, dest) < 0 ||
        rh_fsync_dir_of(dest) < 0)
      e = errno;
    else
      r = 0;
  }
  unregister_tmp(tmp);
  if (r < 0) unlink(tmp);
  free(tmp);
  errno = e;
  return r;
}

int rh_outfile_commit(char *tmp, const char *dest) { return commit_mode(tmp, dest, 0); }

void rh_outfile_abort(char *tmp)
{
  if (!tmp) return;
  unregister_tmp(tmp);
  unlink(tmp);
  free(tmp);
}

int rh_outfile_write_text(const char *path, const char *text, unsigned mode)
{
  char *tmp = rh_outfile_begin(path);
  if (!tmp) return RH_EXIT_IO;
  int i = slot_of(tmp);
  size_t n = strlen(text);
  int bad = 0;
  for (size_t done = 0; !bad && done < n;) {
    ssize_t w = write(g_tmpfile[i].fd, text + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) bad = 1;
    else done += (size_t)w;
  }
  if (!bad && (n == 0 || text[n - 1] != '\n') && write(g_tmpfile[i].fd, "\n", 1) != 1) bad = 1;
  if (bad) {
    rh_error("%s: cannot write: %s", path, strerror(errno ? errno : ENOSPC));
    rh_outfile_abort(tmp);
    return RH_EXIT_IO;
  }
  if (commit_mode(tmp, path, mode) < 0) {
    rh_error("%s: cannot write: %s", path, strerror(errno));
    return RH_EXIT_IO;
  }
  return RH_EXIT_OK;
}

int rh_outdir_prepare(const char *dir, bool create, const char *why)
{
  struct stat sb;
  if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
    rh_error("%s: not a directory: with %s, -o names the directory they are written to", dir, why);
    return RH_EXIT_USAGE;
  }
  if (create && mkdir(dir, 0755) < 0 && errno != EEXIST) {
    rh_error("%s: cannot create the output directory: %s", dir, strerror(errno));
    return RH_EXIT_IO;
  }
  return RH_EXIT_OK;
}
