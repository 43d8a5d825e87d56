#include "appliance.h"

#include "../lib/log.h"
#include "../lib/proc.h"
#include "../lib/workdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KVM_PROBE_TIMEOUT_S 10

/* libguestfs errors may span lines (a tool's stderr); rehost's errors are one
 * line, so fold white space runs into single spaces. */
const char *rh_appliance_kernel_dev(const char *api_dev, char *out, size_t outsz)
{
  /* libguestfs names drive i /dev/sdX (X = 'a' + i) in its API, whatever
   * the kernel calls it; partitions add a number */
  const char *p = !strncmp(api_dev, "/dev/sd", 7) ? api_dev + 7
                  : !strncmp(api_dev, "/dev/vd", 7) ? api_dev + 7 : NULL;
  if (!p || *p < 'a' || *p > 'z' || strspn(p + 1, "0123456789") != strlen(p + 1)) return NULL;
  snprintf(out, outsz, "/dev/disk/guestfs/rehost%c%s", *p, p + 1);
  return out;
}

const char *rh_guestfs_err(guestfs_h *g)
{
  static char buf[1024];
  const char *e = guestfs_last_error(g);
  if (!e) return "unknown libguestfs error";
  size_t n = 0;
  bool space = false;
  for (; *e && n < sizeof buf - 1; e++) {
    if (*e == '\n' || *e == '\r' || *e == '\t' || *e == ' ') {
      space = n > 0;
      continue;
    }
    if (space && n < sizeof buf - 2) buf[n++] = ' ';
    space = false;
    buf[n++] = *e;
  }
  buf[n] = 0;
  return buf;
}

static const char *host_kernel(void)
{
  static char path[512];
  DIR *d = opendir("/boot");
  if (!d) return NULL;
  struct dirent *de;
  path[0] = 0;
  while ((de = readdir(d))) {
    if (strncmp(de->d_name, "vmlinuz-", 8) != 0) continue;
    char cand[512];
    snprintf(cand, sizeof cand, "/boot/%s", de->d_name);
    if (access(cand, R_OK) == 0 && strcmp(cand, path) > 0) snprintf(path, sizeof path, "%s", cand);
  }
  closedir(d);
  return path[0] ? path : NULL;
}

static char *cache_file(void)
{
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  char dir[1024];
  if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/rehost", xdg);
  else if (home && *home) snprintf(dir, sizeof dir, "%s/.cache/rehost", home);
  else return NULL;
  char parent[1024];
  snprintf(parent, sizeof parent, "%s", dir);
  char *slash = strrchr(parent, '/');
  if (slash) { *slash = 0; mkdir(parent, 0755); }
  mkdir(dir, 0700);
  /* root reads and writes this under $HOME: only a real directory of ours */
  struct stat ds;
  if (lstat(dir, &ds) < 0 || !S_ISDIR(ds.st_mode) || ds.st_uid != geteuid() ||
      (ds.st_mode & (S_IWGRP | S_IWOTH)))
    return NULL;
  struct utsname u;
  uname(&u);
  struct stat st;
  long long qemu_mtime = stat("/usr/bin/qemu-system-x86_64", &st) == 0 ? (long long)st.st_mtime : 0;
  char *f;
  if (asprintf(&f, "%s/kvm-probe-%s-%lld", dir, u.release, qemu_mtime) < 0) return NULL;
  return f;
}

/* Boot the host kernel with no root under KVM: a working KVM panics and exits
 * (-no-reboot, panic=-1) in a second or two; a broken one hangs or aborts. */
static bool probe_kvm(void)
{
  const char *kernel = host_kernel();
  if (!kernel) return false;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    /* a probe that hangs must not outlive a rehost killed meanwhile */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) _exit(127);
    int fd = open("/dev/null", O_RDWR);
    dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
    execlp("qemu-system-x86_64", "qemu-system-x86_64", "-machine", "accel=kvm", "-cpu",
           "max,la57=off", "-m", "256", "-display", "none", "-nodefaults", "-no-user-config",
           "-no-reboot", "-serial", "stdio", "-kernel", kernel, "-append",
           "console=ttyS0 panic=-1 quiet", (char *)NULL);
    _exit(127);
  }
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return WIFEXITED(st) && WEXITSTATUS(st) == 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec >= KVM_PROBE_TIMEOUT_S) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      return false;
    }
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

bool rh_kvm_usable(void)
{
  static int cached = -1;
  if (cached >= 0) return cached;
  if (access("/dev/kvm", R_OK | W_OK) != 0) return (cached = 0);
  char *cf = cache_file();
  if (cf) {
    int fd = open(cf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f && fd >= 0) close(fd);
    if (f) {
      int c = fgetc(f);
      fclose(f);
      if (c == '0' || c == '1') {
        free(cf);
        return (cached = c == '1');
      }
    }
  }
  rh_debug("probing whether KVM works (at most %d s, once per machine)", KVM_PROBE_TIMEOUT_S);
  cached = probe_kvm();
  if (cf) {
    int fd = open(cf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f && fd >= 0) close(fd);
    if (f) { fputc(cached ? '1' : '0', f); fclose(f); }
    free(cf);
  }
  return cached;
}

static bool user_chose_backend(void)
{
  return getenv("LIBGUESTFS_BACKEND_SETTINGS") != NULL ||
         (getenv("LIBGUESTFS_BACKEND") && strcmp(getenv("LIBGUESTFS_BACKEND"), "direct") != 0);
}

static int g_smp, g_memsize;

void rh_appliance_resources(int smp, int memsize_mb)
{
  g_smp = smp;
  g_memsize = memsize_mb;
}

int rh_appliance_cpu_budget(void)
{
  const char *e = getenv("REHOST_APPLIANCE_CPUS");
  if (e && *e) {
    char *end;
    errno = 0;
    long v = strtol(e, &end, 10);
    if (!errno && !*end && v >= 1 && v <= 256) return (int)v;
    static bool warned;
    if (!warned) rh_warn("REHOST_APPLIANCE_CPUS=%s is not a number from 1 to 256: ignored", e);
    warned = true;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 1 ? (n > 256 ? 256 : (int)n) : 1;
}

static guestfs_h *try_launch(const struct rh_drive *drives, int n, bool force_tcg)
{
  guestfs_h *g = guestfs_create_flags(0);
  if (!g) {
    rh_error("cannot create libguestfs handle");
    return NULL;
  }
  guestfs_set_error_handler(g, NULL, NULL); /* we report errors ourselves */
  /* libguestfs' temporary files (overlays of read-only drives) in a
   * directory a later rehost removes if this one is killed */
  char tmp[PATH_MAX] = "";
  if (rh_workdir_create("appliance", true, tmp, sizeof tmp) == 0 &&
      guestfs_set_tmpdir(g, tmp) < 0) {
    rh_workdir_remove(tmp);
    tmp[0] = 0;
  }
  if (rh_verbosity() >= RH_VERBOSE && getenv("REHOST_TRACE_APPLIANCE")) {
    guestfs_set_verbose(g, 1);
    guestfs_set_trace(g, 1);
  }
  if (force_tcg) {
    char *settings[] = {"force_tcg", NULL};
    guestfs_set_backend_settings(g, settings);
  }
  if (g_smp > 0) guestfs_set_smp(g, g_smp);
  if (g_memsize > 0) guestfs_set_memsize(g, g_memsize);
  for (int i = 0; i < n && i < 26; i++) {
    /* a label makes /dev/disk/guestfs/rehostX a stable kernel name inside
     * the appliance, whose own disk races the guest's for /dev/sda */
    char label[16];
    snprintf(label, sizeof label, "rehost%c", 'a' + i);
    const char *path = drives[i].path, *format = drives[i].format;
    char ovl[PATH_MAX + 32];
    if (!strncmp(path, "json:", 5)) {
      /* a disk inside a package (an OVA member): libguestfs opens files only,
       * so a qcow2 overlay in the work directory names it as its backing */
      snprintf(ovl, sizeof ovl, "%s/package-disk%d.qcow2", tmp, i);
      char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", "-b", (char *)path, "-F",
                      (char *)format, ovl, NULL};
      int bad = !tmp[0] || !drives[i].readonly;
      if (!bad) {
        struct rh_proc_result r;
        bad = rh_proc_run(argv, &r, NULL, NULL) < 0 || r.status != 0;
        rh_proc_result_free(&r);
      }
      if (bad) {
        rh_error("cannot open a disk inside a package for the appliance (in %s)", tmp[0] ? tmp : "no work directory");
        rh_appliance_close(g);
        return NULL;
      }
      path = ovl, format = "qcow2";
    }
    if (guestfs_add_drive_opts(g, path, GUESTFS_ADD_DRIVE_OPTS_FORMAT, format,
                               GUESTFS_ADD_DRIVE_OPTS_READONLY, drives[i].readonly ? 1 : 0,
                               GUESTFS_ADD_DRIVE_OPTS_LABEL, label, -1) == -1) {
      rh_error("%s: cannot add to the appliance: %s", path, rh_guestfs_err(g));
      rh_appliance_close(g);
      return NULL;
    }
  }
  rh_event_str("appliance", "state", force_tcg ? "launching-tcg" : "launching");
  if (guestfs_launch(g) == -1) {
    rh_debug("appliance launch failed: %s", rh_guestfs_err(g));
    return g; /* caller inspects state */
  }
  rh_event_str("appliance", "state", "ready");
  return g;
}

guestfs_h *rh_appliance_launch(const struct rh_drive *drives, int n)
{
  bool force_tcg = false;
  if (!user_chose_backend() && access("/dev/kvm", F_OK) == 0 && !rh_kvm_usable()) {
    rh_info("KVM does not work on this machine; using TCG software emulation (slower)");
    force_tcg = true;
  }
  rh_debug("launching the libguestfs appliance%s", force_tcg ? " under TCG" : "");
  guestfs_h *g = try_launch(drives, n, force_tcg);
  if (!g) return NULL;
  if (guestfs_is_ready(g) > 0) return g;
  if (!force_tcg && !user_chose_backend()) {
    rh_info("appliance launch failed (%s); retrying with TCG software emulation",
            rh_guestfs_err(g));
    rh_appliance_close(g);
    g = try_launch(drives, n, true);
    if (!g) return NULL;
    if (guestfs_is_ready(g) > 0) return g;
  }
  rh_error("cannot launch the libguestfs appliance: %s (run libguestfs-test-tool to diagnose)",
           rh_guestfs_err(g));
  rh_appliance_close(g);
  return NULL;
}

void rh_appliance_close(guestfs_h *g)
{
  if (!g) return;
  char *tmp = guestfs_get_tmpdir(g);
  guestfs_close(g);
  if (rh_workdir_is(tmp, "appliance")) rh_workdir_remove(tmp);
  free(tmp);
}

static int cmp_mp_len(const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  size_t la = strlen(x[0]), lb = strlen(y[0]);
  return la < lb ? -1 : la > lb;
}

int rh_appliance_mount_os(guestfs_h *g, const char *root, bool readonly)
{
  char **mps = guestfs_inspect_get_mountpoints(g, root);
  if (!mps) {
    rh_error("cannot list mountpoints of %s: %s", root, rh_guestfs_err(g));
    return -1;
  }
  size_t n = 0;
  while (mps[n]) n += 2;
  qsort(mps, n / 2, 2 * sizeof(char *), cmp_mp_len);
  /* "/" is the filesystem inspection found, whatever the guest's fstab says
   * (a stale fstab must not make the guest unreadable). */
  int rc = readonly ? guestfs_mount_ro(g, root, "/") : guestfs_mount(g, root, "/");
  if (rc == -1) rh_error("cannot mount the guest root %s: %s", root, rh_guestfs_err(g));
  for (size_t i = 0; rc == 0 && i < n; i += 2) {
    if (strcmp(mps[i], "/") == 0) continue;
    int r = readonly ? guestfs_mount_ro(g, mps[i + 1], mps[i]) : guestfs_mount(g, mps[i + 1], mps[i]);
    if (r == -1) rh_warn("cannot mount %s on %s: %s", mps[i + 1], mps[i], rh_guestfs_err(g));
  }
  for (size_t i = 0; mps[i]; i++) free(mps[i]);
  free(mps);
  return rc;
}

void rh_appliance_release(guestfs_h *g)
{
  guestfs_umount_all(g);
  /* LVM's volumes may sit on an array: they let go of it first */
  if (guestfs_vg_activate_all(g, 0) == -1)
    rh_debug("deactivating the guest's LVM volume groups: %s", rh_guestfs_err(g));
  char **mds = guestfs_list_md_devices(g);
  for (size_t i = 0; mds && mds[i]; i++) {
    if (guestfs_md_stop(g, mds[i]) == -1)
      rh_warn("the guest's md array %s did not stop (%s): its next start may resync it",
              mds[i], rh_guestfs_err(g));
    free(mds[i]);
  }
  free(mds);
}
