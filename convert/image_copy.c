/* rehost's copy of a whole image into a new file or a block device: qemu-img
 * convert, made durable before anything says the copy is there. */
#include "image.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/page_cache.h"
#include "../lib/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct copy_progress {
  uint64_t total;
};

/* qemu-img -p prints "    (12.34/100%)". (Sending the pages written so far
 * to the disk at each step, with sync_file_range, was tried and taken out:
 * cold copies ran slower with it in 6 of 6 A/B runs, 2.5-5.1 s against
 * 4.0-5.4 s; the final fsync does it in one go.) */
static void on_progress(const char *line, void *opaque)
{
  struct copy_progress *cp = opaque;
  const char *p = strchr(line, '(');
  if (!p) return;
  double pct = strtod(p + 1, NULL);
  rh_progress("copy", (uint64_t)(pct / 100.0 * (double)cp->total), cp->total);
}

/* A block device target (/dev/vg/lv) is written in place: renaming a new
 * file over it would put the data in /dev (a tmpfs) and lose it at reboot. */
static int device_target(const char *dst, const char *dst_driver, uint64_t need, bool *is_dev)
{
  struct stat sb;
  *is_dev = stat(dst, &sb) == 0 && S_ISBLK(sb.st_mode);
  if (!*is_dev) return RH_EXIT_OK;
  if (strcmp(dst_driver, "raw") != 0) {
    rh_error("%s: is a block device, written raw; %s needs a file", dst,
             rh_format_name(dst_driver));
    return RH_EXIT_USAGE;
  }
  uint64_t size = rh_device_size(dst);
  if (size < need) {
    char a[32], b[32];
    rh_error("%s: the device holds %s, the image needs %s", dst, rh_human_size(size, a, sizeof a),
             rh_human_size(need, b, sizeof b));
    return RH_EXIT_INPUT;
  }
  return RH_EXIT_OK;
}

bool rh_image_read_direct(const struct rh_image *src)
{
  return src->data_in_file && strcmp(src->path, rh_image_file(src)) == 0 &&
         rh_read_direct_when_cold(src->path, rh_image_name(src));
}

int rh_image_copy(const struct rh_image *src, const char *dst, const char *dst_driver,
                  const char *dst_options)
{
  bool is_dev;
  int drc = device_target(dst, dst_driver, src->virtual_size, &is_dev);
  if (drc) return drc;
  char *tmp = is_dev ? strdup(dst) : rh_outfile_begin(dst);
  if (!tmp) return RH_EXIT_IO;
  /* Written with O_DIRECT (cache=none) where the file system takes it: the
   * copy does not fill the page cache only for the flush to write it all
   * again, and in this project's benchmark that was the faster of qemu-img's
   * two durable copies in most passes. tmpfs and some others refuse
   * O_DIRECT: there the data goes through the page cache and the fsync
   * below. Either way the fsync stays: it is what says the data is down. */
  bool direct = rh_write_direct(tmp, O_WRONLY);
  bool src_direct = rh_image_read_direct(src);
  char *argv[26];
  int a = 0;
  argv[a++] = "qemu-img";
  argv[a++] = "convert";
  argv[a++] = "-p";
  argv[a++] = "-f";
  argv[a++] = (char *)src->format;
  argv[a++] = "-O";
  argv[a++] = (char *)dst_driver;
  argv[a++] = "-S";
  argv[a++] = "4k";
  if (src->force_share) argv[a++] = "-U";
  if (direct) {
    argv[a++] = "-t";
    argv[a++] = "none";
  }
  if (src_direct) {
    argv[a++] = "-T";
    argv[a++] = "none";
  }
  if (is_dev) argv[a++] = "-n"; /* the device exists; every block is written or zeroed */
  if (dst_options && *dst_options && !is_dev) {
    argv[a++] = "-o";
    argv[a++] = (char *)dst_options;
  }
  argv[a++] = src->path;
  argv[a++] = tmp;
  argv[a] = NULL;
  struct copy_progress cp = {src->virtual_size};
  struct rh_proc_result r;
  int rc = RH_EXIT_OK;
  rh_event_str("copy", "state", "start");
  int prc = rh_proc_run(argv, &r, on_progress, &cp);
  if (prc < 0 || r.status != 0) {
    char line[512];
    const char *msg = rh_last_line(r.err, line, sizeof line);
    if (strncmp(msg, "qemu-img: ", 10) == 0) msg += 10;
    rh_progress_done("copy");
    rh_error("copying %s to %s failed: %s", rh_image_name(src), dst, *msg ? msg : "qemu-img failed");
    rc = strstr(msg, "No space") || strstr(msg, "Input/output") ? RH_EXIT_IO : RH_EXIT_FAILURE;
    rh_proc_result_free(&r);
    if (is_dev) free(tmp);
    else rh_outfile_abort(tmp);
    return rc;
  }
  rh_proc_result_free(&r);
  rh_progress("copy", src->virtual_size, src->virtual_size);
  rh_progress_done("copy");
  /* qemu-img convert does not flush (cache=unsafe): the data reaches the
   * disk here, before anything (a rename, a state file) says it is there */
  if (is_dev) {
    int fd = open(dst, O_WRONLY | O_CLOEXEC);
    int bad = fd < 0 || fsync(fd) < 0;
    int e = errno;
    if (fd >= 0) close(fd);
    free(tmp);
    if (bad) {
      rh_error("%s: cannot flush the device: %s", dst, strerror(e));
      return RH_EXIT_IO;
    }
  } else if (rh_outfile_commit(tmp, dst) < 0) {
    rh_error("%s: cannot write: %s", dst, strerror(errno));
    return RH_EXIT_IO;
  }
  rh_event_str("copy", "output", dst);
  return rc;
}
