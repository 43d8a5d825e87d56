#include "private_files.h"

#include "clock.h"
#include "exitcodes.h"
#include "log.h"
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

const char *rh_state_dir(const char *option)
{
  if (option && *option) return option;
  const char *e = getenv("REHOST_STATE_DIR");
  return e && *e ? e : "/var/lib/rehost";
}

int rh_open_private(const char *path, int flags, mode_t mode, const char *what)
{
  int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
  if (fd < 0) {
    int e = errno;
    if (e == ELOOP)
      rh_error("%s: %s is a symlink; refusing to follow it (remove it)", path, what);
    else
      rh_error("%s: cannot open %s: %s", path, what, strerror(e));
    errno = e;
    return -1;
  }
  struct stat sb;
  const char *bad = NULL;
  if (fstat(fd, &sb) < 0) bad = strerror(errno);
  else if (!S_ISREG(sb.st_mode)) bad = "not a regular file";
  else if (sb.st_uid != geteuid()) bad = "owned by another user";
  else if (sb.st_nlink > 1) bad = "has other hard links";
  if (bad) {
    rh_error("%s: refusing to use it as the %s: %s", path, what, bad);
    close(fd);
    errno = EPERM;
    return -1;
  }
  if ((sb.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {}
  return fd;
}

static bool owner_ok(const struct stat *sb)
{
  return sb->st_uid == 0 || sb->st_uid == geteuid();
}

bool rh_path_trusted(const char *path, bool sticky_ok, char *why, size_t whysz)
{
  char real[PATH_MAX];
  if (!realpath(path, real)) {
    snprintf(why, whysz, "%s", strerror(errno));
    return false;
  }
  /* the path itself, then every directory above it */
  for (bool top = true;; top = false) {
    struct stat sb;
    if (lstat(real, &sb) < 0) {
      snprintf(why, whysz, "%s: %s", real, strerror(errno));
      return false;
    }
    bool sticky_dir = S_ISDIR(sb.st_mode) && (sb.st_mode & S_ISVTX);
    if (!owner_ok(&sb)) {
      snprintf(why, whysz, "%s is owned by uid %u", real, (unsigned)sb.st_uid);
      return false;
    }
    if ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !(sticky_dir && (!top || sticky_ok))) {
      snprintf(why, whysz, "%s is writable by %s", real,
               sb.st_mode & S_IWOTH ? "everyone" : "its group");
      return false;
    }
    if (!strcmp(real, "/")) break;
    char *slash = strrchr(real, '/');
    if (slash == real) slash[1] = 0;
    else *slash = 0;
  }
  return true;
}

long rh_lock_holder(int fd)
{
  struct stat sb;
  if (fstat(fd, &sb) < 0) return 0;
  FILE *f = fopen("/proc/locks", "re");
  if (!f) return 0;
  char line[256], want[64];
  snprintf(want, sizeof want, "%02x:%02x:%llu", major(sb.st_dev), minor(sb.st_dev),
           (unsigned long long)sb.st_ino);
  long pid = 0;
  while (!pid && fgets(line, sizeof line, f)) {
    char kind[16], adv[16], rw[16], dev[64];
    long p;
    /* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; waiters have "->" */
    if (strstr(line, "->")) continue;
    if (sscanf(line, "%*s %15s %15s %15s %ld %63s", kind, adv, rw, &p, dev) == 5 &&
        !strcmp(kind, "FLOCK") && !strcmp(dev, want) && p > 0)
      pid = p;
  }
  fclose(f);
  return pid;
}

/* "1234", or "unknown": who holds the lock open at fd, for a message */
static const char *holder_text(int fd, char *buf, size_t sz)
{
  long pid = rh_lock_holder(fd);
  if (pid) snprintf(buf, sz, "%ld", pid);
  else snprintf(buf, sz, "unknown");
  return buf;
}

int rh_lock_take(const char *path, int wait_s, const char *subject, const char *doing, int *out)
{
  *out = -1;
  int fd = rh_open_private(path, O_RDWR | O_CREAT, 0600, "lock file");
  if (fd < 0) return RH_EXIT_IO;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
    *out = fd;
    return RH_EXIT_OK;
  }
  if (errno != EWOULDBLOCK) {
    rh_error("%s: cannot lock: %s", path, strerror(errno));
    close(fd);
    return RH_EXIT_IO;
  }
  char who[32];
  if (wait_s > 0) {
    rh_info("%s: waiting up to %d s for another rehost (pid %s), which is %s", subject, wait_s,
            holder_text(fd, who, sizeof who), doing);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long ms = 20;; ms = ms < 500 ? ms * 2 : 500) {
      if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        *out = fd;
        return RH_EXIT_OK;
      }
      if (rh_signal_pending()) {
        rh_error("%s: interrupted while waiting for another rehost", subject);
        close(fd);
        return RH_EXIT_INTERRUPTED;
      }
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec - t0.tv_sec >= wait_s) break;
      rh_sleep_ms(ms);
    }
    rh_error("%s: gave up after %d s: another rehost (pid %s) is still %s (lock %s)", subject,
             wait_s, holder_text(fd, who, sizeof who), doing, path);
  } else {
    rh_error("%s: another rehost (pid %s) is %s; try again later, or use --wait (lock %s)",
             subject, holder_text(fd, who, sizeof who), doing, path);
  }
  close(fd);
  return RH_EXIT_FAILURE;
}

void rh_lock_release(int fd)
{
  if (fd >= 0) close(fd);
}

char *rh_runtime_path(const char *name)
{
  char dir[PATH_MAX], why[PATH_MAX + 64];
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (geteuid() == 0) snprintf(dir, sizeof dir, "/run/rehost");
  else if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/rehost", xdg);
  else snprintf(dir, sizeof dir, "/tmp/rehost-%u", (unsigned)geteuid());
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
    rh_error("%s: cannot create: %s", dir, strerror(errno));
    return NULL;
  }
  struct stat sb;
  const char *bad = NULL;
  if (lstat(dir, &sb) < 0) bad = strerror(errno);
  else if (!S_ISDIR(sb.st_mode)) bad = S_ISLNK(sb.st_mode) ? "a symlink" : "not a directory";
  else if (sb.st_uid != geteuid()) bad = "owned by another user";
  else if (!rh_path_trusted(dir, false, why, sizeof why)) bad = why;
  if (bad) {
    rh_error("%s: refusing to keep locks there: %s", dir, bad);
    return NULL;
  }
  char *p = NULL;
  return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

int rh_private_commit(int fd, const void *buf, size_t len, const char *tmp, const char *path)
{
  ssize_t w = pwrite(fd, buf, len, 0);
  int e = w == (ssize_t)len ? 0 : w < 0 ? errno : ENOSPC;
  if (!e && (ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0)) e = errno;
  if (close(fd) < 0 && !e) e = errno;
  if (!e && rename(tmp, path) < 0) e = errno;
  if (!e) rh_fsync_dir_of(path);
  return e;
}
