#include "tree_image.h"

#include "../convert/image.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/proc.h"
#include "appliance.h"
#include "guestconf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1024ULL * 1024)

static uint64_t g_tree_bytes;
static int sum_sizes(const char *p, const struct stat *st, int flag, struct FTW *f)
{
  (void)p; (void)flag; (void)f;
  g_tree_bytes += (uint64_t)st->st_blocks * 512;
  return 0;
}

struct root_fs {
  char type[16];
  char uuid[64];
  char label[64];
};

/* A local block-device filesystem other than /: the image has one root
 * filesystem, so these are merged into it. */
static bool merged_into_root(const struct rh_fstab_entry *e)
{
  static const char *const virtual_fs[] = {"swap", "tmpfs", "proc", "sysfs", "devpts", NULL};
  if (rh_fstab_is_network(e) || !strcmp(e->file, "/") || e->file[0] != '/') return false;
  for (int i = 0; virtual_fs[i]; i++)
    if (!strcmp(e->vfstype, virtual_fs[i])) return false;
  return !strncmp(e->spec, "/dev/", 5) || !strncmp(e->spec, "UUID=", 5) ||
         !strncmp(e->spec, "LABEL=", 6) || !strncmp(e->spec, "PARTUUID=", 9);
}

struct fstab_scan {
  const char *path;
  struct root_fs *rf;
  int merged;
};

static void root_entry_line(char *line, int lineno, void *ctx)
{
  (void)lineno;
  struct fstab_scan *fs = ctx;
  struct rh_fstab_entry e;
  if (rh_fstab_parse_line(line, &e) != 1) return;
  if (!strcmp(e.file, "/")) {
    struct root_fs *rf = fs->rf;
    if (!strcmp(e.vfstype, "ext2") || !strcmp(e.vfstype, "ext3") || !strcmp(e.vfstype, "ext4") ||
        !strcmp(e.vfstype, "xfs"))
      snprintf(rf->type, sizeof rf->type, "%s", e.vfstype);
    if (!strncmp(e.spec, "UUID=", 5)) snprintf(rf->uuid, sizeof rf->uuid, "%s", e.spec + 5);
    if (!strncmp(e.spec, "LABEL=", 6)) snprintf(rf->label, sizeof rf->label, "%s", e.spec + 6);
  } else if (merged_into_root(&e)) {
    rh_warn("%s: %s is a separate filesystem in fstab; it is merged into / in the image",
            fs->path, e.file);
    fs->merged++;
  }
}

/* Root entry of the tree's fstab (type/UUID/label to recreate), and a warning
 * for other local block-device mounts, which are merged into the root fs.
 * Returns the fstab text (caller frees) or NULL. */
static char *read_fstab(const char *dir, struct root_fs *rf, int *merged)
{
  snprintf(rf->type, sizeof rf->type, "ext4");
  rf->uuid[0] = rf->label[0] = 0;
  *merged = 0;
  char path[4096];
  snprintf(path, sizeof path, "%s/etc/fstab", dir);
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  char *text = NULL;
  size_t cap = 0;
  ssize_t n = getdelim(&text, &cap, 0, f);
  fclose(f);
  if (n < 0) {
    free(text);
    return NULL;
  }
  struct fstab_scan fs = {path, rf, 0};
  rh_for_each_line(text, root_entry_line, &fs);
  *merged = fs.merged;
  return text;
}

struct fstab_out {
  char *buf;
  size_t len;
};

static void image_fstab_line(char *line, int lineno, void *ctx)
{
  (void)lineno;
  struct fstab_out *o = ctx;
  char *dup = strdup(line);
  struct rh_fstab_entry e;
  bool drop = rh_fstab_parse_line(dup, &e) == 1 && merged_into_root(&e);
  free(dup);
  o->len += (size_t)sprintf(o->buf + o->len, "%s%s\n", drop ? "# rehost capture: merged into /: " : "", line);
}

/* The tree's fstab with the lines of filesystems merged into / commented out. */
static char *fstab_for_image(const char *text)
{
  size_t lines = 1;
  for (const char *p = text; *p; p++) lines += *p == '\n';
  struct fstab_out o = {malloc(strlen(text) + lines * 40 + 1), 0};
  if (!o.buf) return NULL;
  o.buf[0] = 0;
  rh_for_each_line(text, image_fstab_line, &o);
  return o.buf;
}

struct pump {
  int in_fd, out_fd;
  uint64_t total;
  int err;
};

/* Copies tar's output into the pipe libguestfs reads, reporting progress. */
static void *pump_thread(void *arg)
{
  struct pump *p = arg;
  static char buf[1 << 20];
  uint64_t done = 0;
  for (;;) {
    ssize_t n = read(p->in_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(p->out_fd, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) { p->err = errno; goto out; }
      off += w;
    }
    done += (uint64_t)n;
    rh_progress("copy tree", done < p->total ? done : p->total, p->total);
  }
out:
  close(p->out_fd);
  close(p->in_fd);
  return NULL;
}

static int copy_tree_in(guestfs_h *g, const char *dir, uint64_t total)
{
  int tarp[2], gp[2];
  if (pipe2(tarp, O_CLOEXEC) < 0) return -1;
  if (pipe2(gp, O_CLOEXEC) < 0) {
    close(tarp[0]), close(tarp[1]);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    rh_error("%s: cannot start tar: %s", dir, strerror(errno));
    close(tarp[0]), close(tarp[1]), close(gp[0]), close(gp[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(tarp[1], STDOUT_FILENO);
    execlp("tar", "tar", "--numeric-owner", "--xattrs", "--acls", "--one-file-system", "-C", dir,
           "-cf", "-", ".", (char *)NULL);
    _exit(127);
  }
  close(tarp[1]);
  struct pump p = {tarp[0], gp[1], total, 0};
  pthread_t th;
  int terr = pthread_create(&th, NULL, pump_thread, &p);
  if (terr) {
    rh_error("%s: cannot start a copy thread: %s", dir, strerror(terr));
    close(tarp[0]), close(gp[0]), close(gp[1]);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
  }
  char src[64];
  snprintf(src, sizeof src, "/dev/fd/%d", gp[0]);
  int r = guestfs_tar_in_opts(g, src, "/", GUESTFS_TAR_IN_OPTS_XATTRS, 1,
                              GUESTFS_TAR_IN_OPTS_ACLS, 1, -1);
  if (r == -1) rh_error("%s: copying the tree into the image failed: %s", dir, rh_guestfs_err(g));
  close(gp[0]);
  pthread_join(th, NULL);
  int st;
  waitpid(pid, &st, 0);
  rh_progress_done("copy tree");
  if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) <= 1)) {
    rh_error("%s: tar failed reading the tree (status %d)", dir, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    r = -1;
  }
  return r;
}

static int run_in_guest(guestfs_h *g, const char *what, char **argv)
{
  rh_info("running %s in the new image", what);
  char *out = guestfs_command(g, argv);
  if (!out) {
    rh_error("%s failed in the new image: %s", what, rh_guestfs_err(g));
    return -1;
  }
  rh_debug("%s: %s", what, out);
  free(out);
  return 0;
}

static int build(guestfs_h *g, const struct rh_tree_image_opts *o, const struct root_fs *rf,
                 const char *fstab, int merged, uint64_t tree_bytes)
{
  const char *dev = "/dev/sda";
  bool gpt = !strcmp(o->partition, "gpt");
  if (guestfs_part_init(g, dev, gpt ? "gpt" : "msdos") == -1) goto fail;
  char rootdev[32];
  if (gpt) {
    /* Root is partition 1 (as with MBR, so a tree whose fstab names /dev/sda1
     * stays valid); the BIOS boot partition is number 2 but lies before it. */
    if (guestfs_part_add(g, dev, "p", 4096, -34) == -1 ||
        guestfs_part_add(g, dev, "p", 2048, 4095) == -1 ||
        guestfs_part_set_gpt_type(g, dev, 2, "21686148-6449-6E6F-744E-656564454649") == -1)
      goto fail;
    snprintf(rootdev, sizeof rootdev, "%s1", dev);
  } else {
    if (guestfs_part_add(g, dev, "p", 2048, -1) == -1 || guestfs_part_set_bootable(g, dev, 1, 1) == -1)
      goto fail;
    snprintf(rootdev, sizeof rootdev, "%s1", dev);
  }
  if (guestfs_mkfs(g, rf->type, rootdev) == -1) goto fail;
  if (rf->uuid[0] && guestfs_set_uuid(g, rootdev, rf->uuid) == -1) goto fail;
  if (rf->label[0] && guestfs_set_label(g, rootdev, rf->label) == -1) goto fail;
  if (guestfs_mount(g, rootdev, "/") == -1) goto fail;
  if (copy_tree_in(g, o->dir, tree_bytes) == -1) return RH_EXIT_IO;
  if (merged && fstab) {
    char *nf = fstab_for_image(fstab);
    if (!nf) {
      rh_error("%s: out of memory", o->output);
      return RH_EXIT_FAILURE;
    }
    int r = guestfs_write(g, "/etc/fstab", nf, strlen(nf));
    free(nf);
    if (r == -1) goto fail;
  }
  if (guestfs_exists(g, "/usr/sbin/grub-install") > 0 && guestfs_is_dir(g, "/usr/lib/grub/i386-pc") > 0) {
    char kdev[64];
    if (!rh_appliance_kernel_dev(dev, kdev, sizeof kdev)) return RH_EXIT_FAILURE;
    char *gi[] = {"grub-install", "--target=i386-pc", kdev, NULL};
    char *mk[] = {"grub-mkconfig", "-o", "/boot/grub/grub.cfg", NULL};
    if (run_in_guest(g, "grub-install", gi) < 0 || run_in_guest(g, "grub-mkconfig", mk) < 0)
      return RH_EXIT_GUEST;
  } else {
    rh_warn("%s: the tree has no grub-install for BIOS (grub-pc); the image holds the data but "
            "will not boot by itself", o->dir);
  }
  if (guestfs_umount_all(g) == -1 || guestfs_shutdown(g) == -1) goto fail;
  return 0;
fail:
  rh_error("%s: building the image failed: %s", o->output, rh_guestfs_err(g));
  return RH_EXIT_GUEST;
}

static int looks_like_root(const char *dir)
{
  char p[4096];
  struct stat st;
  snprintf(p, sizeof p, "%s/etc", dir);
  if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) return 0;
  snprintf(p, sizeof p, "%s/usr", dir);
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int rh_tree_image_create(const struct rh_tree_image_opts *o)
{
  if (!looks_like_root(o->dir)) {
    rh_error("%s: not a root filesystem tree (no etc/ and usr/ directories)", o->dir);
    return RH_EXIT_INPUT;
  }
  g_tree_bytes = 0;
  if (nftw(o->dir, sum_sizes, 64, FTW_PHYS | FTW_MOUNT) < 0) {
    rh_error("%s: cannot read the tree: %s", o->dir, strerror(errno));
    return RH_EXIT_INPUT;
  }
  uint64_t tree_bytes = g_tree_bytes;
  uint64_t size = o->size;
  if (!size) size = ((tree_bytes + tree_bytes / 4 + 512 * MiB) + 256 * MiB - 1) / (256 * MiB) * (256 * MiB);
  if (size < tree_bytes + 64 * MiB) {
    rh_error("%s: --size %llu is too small for the tree's %llu bytes", o->output,
             (unsigned long long)size, (unsigned long long)tree_bytes);
    return RH_EXIT_USAGE;
  }
  struct root_fs rf;
  int merged;
  char *fstab = read_fstab(o->dir, &rf, &merged);
  bool direct = !strcmp(o->driver, "raw") || !strcmp(o->driver, "qcow2");
  /* raw and qcow2 are built in place, in the output's temporary; other
   * formats (stream vmdk cannot be written in place) in a qcow2 scratch,
   * itself a registered temporary, converted into the output at the end. */
  char *scratch = NULL;
  if (direct) {
    scratch = rh_outfile_begin(o->output);
  } else {
    char *name = NULL;
    scratch = asprintf(&name, "%s.scratch.qcow2", o->output) < 0 ? NULL : rh_outfile_begin(name);
    free(name);
  }
  if (!scratch) {
    free(fstab);
    return RH_EXIT_IO;
  }
  char sizestr[32];
  snprintf(sizestr, sizeof sizestr, "%llu", (unsigned long long)size);
  char *cargv[] = {"qemu-img", "create", "-q", "-f", direct ? (char *)o->driver : "qcow2", scratch, sizestr, NULL};
  struct rh_proc_result r;
  int rc = RH_EXIT_OK;
  if (rh_proc_run(cargv, &r, NULL, NULL) < 0 || r.status != 0) {
    char line[512];
    rh_error("%s: cannot create the image: %s", o->output, rh_last_line(r.err, line, sizeof line));
    rc = RH_EXIT_IO;
  }
  rh_proc_result_free(&r);
  if (!rc) {
    rh_info("building a %s-partitioned %s disk of %llu MiB from %s (%llu MiB of files)",
            o->partition, rf.type, (unsigned long long)(size / MiB), o->dir,
            (unsigned long long)(tree_bytes / MiB));
    struct rh_drive d = {scratch, direct ? o->driver : "qcow2", false};
    guestfs_h *g = rh_appliance_launch(&d, 1);
    rc = g ? build(g, o, &rf, fstab, merged, tree_bytes) : RH_EXIT_GUEST;
    rh_appliance_close(g);
  }
  free(fstab);
  if (!rc && !direct) {
    struct rh_image src = {.path = scratch, .virtual_size = size};
    snprintf(src.format, sizeof src.format, "qcow2");
    rc = rh_image_copy(&src, o->output, o->driver, NULL); /* its own temporary, made durable */
    rh_outfile_abort(scratch);
    return rc;
  }
  if (rc) {
    rh_outfile_abort(scratch);
    return rc;
  }
  if (rh_outfile_commit(scratch, o->output) < 0) {
    rh_error("%s: cannot write: %s", o->output, strerror(errno));
    return RH_EXIT_IO;
  }
  return 0;
}
