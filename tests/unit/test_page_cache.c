/* rh_page_cache_percent: how much of a file's data is in the page cache,
 * on real files: just written (cached), then evicted (not), with holes. */
#include "../../lib/page_cache.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
  (void)state;
  /* a disk-backed directory: tmpfs pages are its storage and never leave */
  snprintf(dir, sizeof dir, "/var/tmp/rh-pcache.XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* A file of `mib` MiB of data at offset `at` MiB, fsync'd (its pages clean,
 * still cached). */
static void make_file(const char *path, int at, int mib)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  static char buf[1 << 20];
  memset(buf, 0xa5, sizeof buf);
  for (int i = 0; i < mib; i++)
    assert_int_equal(pwrite(fd, buf, sizeof buf, ((off_t)at + i) << 20), (ssize_t)sizeof buf);
  assert_int_equal(fsync(fd), 0);
  close(fd);
}

static void evict(const char *path)
{
  int fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  close(fd);
}

static bool on_tmpfs(void)
{
  struct statfs fs;
  return statfs(dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

/* The file's data, just written, counts as cached; evicted, as not. */
static void cached_then_evicted(const char *p)
{
  assert_true(rh_page_cache_percent(p) >= 90);
  if (on_tmpfs()) skip();
  evict(p);
  assert_true(rh_page_cache_percent(p) <= 10);
}

static void written_then_evicted(void **state)
{
  (void)state;
  char p[128];
  snprintf(p, sizeof p, "%s/data", dir);
  make_file(p, 0, 16);
  cached_then_evicted(p);
}

static void holes_do_not_count(void **state)
{
  (void)state;
  char p[128];
  snprintf(p, sizeof p, "%s/sparse", dir);
  make_file(p, 512, 4);       /* 4 MiB of data in the middle of 1 GiB */
  assert_int_equal(truncate(p, 1 << 30), 0);
  cached_then_evicted(p);
}

static void empty_and_bad(void **state)
{
  (void)state;
  char p[128];
  snprintf(p, sizeof p, "%s/empty", dir);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(rh_page_cache_percent(p), 100); /* nothing to read */
  assert_int_equal(truncate(p, 1 << 20), 0);        /* a hole only */
  assert_int_equal(rh_page_cache_percent(p), 100);
  snprintf(p, sizeof p, "%s/missing", dir);
  errno = 0;
  assert_int_equal(rh_page_cache_percent(p), -1);
  assert_int_equal(errno, ENOENT);
  errno = 0;
  assert_int_equal(rh_page_cache_percent(dir), -1);
  assert_int_equal(errno, EINVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(written_then_evicted),
      cmocka_unit_test(holes_do_not_count),
      cmocka_unit_test(empty_and_bad),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
