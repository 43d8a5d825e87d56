#include "workdir.h"

#include "clock.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Everything in the directory open at dfd, a few levels deep (libguestfs
 * keeps a directory of its own in ours). Symlinks are removed, never
 * followed. Closes dfd. */
static void remove_contents_at(int dfd, int depth)
{
  DIR *dh = fdopendir(dfd);
  if (!dh) {
    close(dfd);
    return;
  }
  for (struct dirent *de; (de = readdir(dh));) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    if (unlinkat(dirfd(dh), de->d_name, 0) == 0 || errno != EISDIR || depth <= 0) continue;
    int sub = openat(dirfd(dh), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0) remove_contents_at(sub, depth - 1);
    unlinkat(dirfd(dh), de->d_name, AT_REMOVEDIR);
  }
  closedir(dh);
}

/* Each live work directory holds DIR/.lock, flock'ed for its whole life:
 * a sweeper takes it only from a dead run (the PID alone is not enough: a
 * run in another PID namespace, or a reused PID, would fool it). */
#define MAX_LIVE 16
static struct { char path[4096]; int fd; } g_live[MAX_LIVE];

static void hold(const char *dir)
{
  char lock[4200];
  snprintf(lock, sizeof lock, "%s/.lock", dir);
  int fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    close(fd);
    return;
  }
  for (int i = 0; i < MAX_LIVE; i++)
    if (!g_live[i].path[0]) {
      snprintf(g_live[i].path, sizeof g_live[i].path, "%s", dir);
      g_live[i].fd = fd;
      return;
    }
  close(fd); /* more than MAX_LIVE at once: the PID check still applies */
}

static void release(const char *dir)
{
  for (int i = 0; i < MAX_LIVE; i++)
    if (g_live[i].path[0] && !strcmp(g_live[i].path, dir)) {
      close(g_live[i].fd);
      g_live[i].path[0] = 0;
    }
}

/* Is the directory at dfd/name held by a live run (its .lock is locked)? */
static bool held(int dfd, const char *name)
{
  char lock[300];
  snprintf(lock, sizeof lock, "%s/.lock", name);
  int fd = openat(dfd, lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false; /* an old-style directory: the PID decides */
  bool busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
  close(fd);
  return busy;
}

void rh_workdir_remove(const char *dir)
{
  release(dir);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd >= 0) remove_contents_at(dfd, 3);
  rmdir(dir);
}

/* The PID in a name "rehost-PURPOSE.PID.XXXXXX", or 0 if it is not one. */
static long name_pid(const char *name, const char *purpose)
{
  char prefix[64];
  int plen = snprintf(prefix, sizeof prefix, "rehost-%s.", purpose);
  if (strncmp(name, prefix, (size_t)plen) != 0) return 0;
  char *end;
  long pid = strtol(name + plen, &end, 10);
  return pid > 0 && *end == '.' && strlen(end) == 7 ? pid : 0;
}

bool rh_workdir_is(const char *dir, const char *purpose)
{
  const char *slash = dir ? strrchr(dir, '/') : NULL;
  return slash && name_pid(slash + 1, purpose) > 0;
}

/* A helper that outlived the rehost that started it, still serving from
 * dir: a qemu-nbd that got its parent-death SIGTERM while it was starting up
 * forgets it (it sets its state to running after installing the handler) and
 * would hold its image, and the target's lock, forever. Ours (same user),
 * and only a qemu block helper whose command line names a path in dir. */
static void stop_orphans(const char *dir)
{
  size_t dlen = strlen(dir);
  DIR *ph = opendir("/proc");
  pid_t victims[16];
  int n = 0;
  for (struct dirent *de; ph && n < 16 && (de = readdir(ph));) {
    char *end;
    long pid = strtol(de->d_name, &end, 10);
    if (pid <= 0 || *end) continue;
    char path[64], comm[32] = "", args[8192];
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    FILE *f = fopen(path, "re");
    if (!f) continue;
    if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
    fclose(f);
    if (strncmp(comm, "qemu-nbd", 8) && strncmp(comm, "qemu-storage-d", 14)) continue;
    struct stat sb;
    snprintf(path, sizeof path, "/proc/%ld", pid);
    if (stat(path, &sb) < 0 || sb.st_uid != geteuid()) continue;
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t len = read(fd, args, sizeof args - 1);
    close(fd);
    if (len <= 0) continue;
    args[len] = 0;
    bool names_dir = false;
    for (ssize_t i = 0; i < len && !names_dir; i += (ssize_t)strlen(args + i) + 1) {
      const char *hit = strstr(args + i, dir);
      names_dir = hit && hit[dlen] == '/';
    }
    if (names_dir) victims[n++] = (pid_t)pid;
  }
  if (ph) closedir(ph);
  for (int i = 0; i < n; i++) {
    rh_warn("stopping a qemu block helper (pid %ld) left running by an interrupted rehost",
            (long)victims[i]);
    kill(victims[i], SIGTERM);
  }
  for (int t = 0; n && t < 300; t++) { /* 3 s to flush and close, then SIGKILL */
    bool alive = false;
    for (int i = 0; i < n; i++) alive |= kill(victims[i], 0) == 0;
    if (!alive) return;
    rh_sleep_ms(10);
  }
  for (int i = 0; i < n; i++) kill(victims[i], SIGKILL);
}

/* rehost-PURPOSE.PID.XXXXXX in base, owned by us, whose PID is gone. Said
 * when it is a large directory (space given back in TMPDIR); a small one in
 * /tmp (a socket, a lock) is no news to whatever run finds it, only with -v. */
static void remove_stale(const char *base, const char *purpose, bool large)
{
  DIR *dh = opendir(base);
  for (struct dirent *de; dh && (de = readdir(dh));) {
    long pid = name_pid(de->d_name, purpose);
    if (pid <= 0) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    struct stat sb;
    if (fstatat(dirfd(dh), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(sb.st_mode) ||
        sb.st_uid != geteuid() || held(dirfd(dh), de->d_name))
      continue;
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", base, de->d_name);
    stop_orphans(full);
    int dfd = openat(dirfd(dh), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) continue;
    remove_contents_at(dfd, 3);
    if (unlinkat(dirfd(dh), de->d_name, AT_REMOVEDIR) == 0) {
      if (large) rh_info("removed %s/%s, left by an interrupted run", base, de->d_name);
      else rh_debug("removed %s/%s, left by an interrupted run", base, de->d_name);
    }
  }
  if (dh) closedir(dh);
}

static const char *base_for(bool large)
{
  const char *t = getenv("TMPDIR");
  return !large ? "/tmp" : t && *t ? t : "/var/tmp";
}

void rh_workdir_reap(const char *purpose, bool large)
{
  remove_stale(base_for(large), purpose, large);
}

int rh_workdir_create(const char *purpose, bool large, char *out, size_t outsz)
{
  const char *base = base_for(large);
  remove_stale(base, purpose, large);
  int n = snprintf(out, outsz, "%s/rehost-%s.%ld.XXXXXX", base, purpose, (long)getpid());
  if (n < 0 || (size_t)n >= outsz) {
    errno = ENAMETOOLONG;
    return -1;
  }
  if (!mkdtemp(out)) return -1;
  hold(out);
  return 0;
}
