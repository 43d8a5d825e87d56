/* Image maps (convert/image_map.h): qemu-img map's output parsed, reads
 * through the map (page cache and O_DIRECT), and views of a mapped file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../convert/image_map.h"
#include "../../lib/page_cache.h"

static void write_at(int fd, const void *buf, size_t len, off_t off)
{
  assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
}

/* qemu-img map's JSON: pieces merged, kinds told apart, bad input refused */
static void image_map_from_qemu_img_map(void **state)
{
  (void)state;
  const char *json =
      "[{ \"start\": 0, \"length\": 65536, \"depth\": 0, \"present\": true, \"zero\": false, "
      "\"data\": true, \"offset\": 327680},"
      "{ \"start\": 65536, \"length\": 65536, \"depth\": 0, \"present\": true, \"zero\": false, "
      "\"data\": true, \"offset\": 393216},"  /* contiguous in the file: merged */
      "{ \"start\": 131072, \"length\": 131072, \"depth\": 0, \"present\": false, \"zero\": true, "
      "\"data\": false},"
      "{ \"start\": 262144, \"length\": 65536, \"depth\": 0, \"present\": true, \"zero\": false, "
      "\"data\": true},"                          /* compressed: no offset */
      "{ \"start\": 327680, \"length\": 65536, \"depth\": 1, \"present\": true, \"zero\": false, "
      "\"data\": true, \"offset\": 0}]";          /* in the backing file */
  struct rh_image_map m = {0};
  assert_int_equal(rh_image_map_parse(json, &m), 0);
  assert_int_equal(m.size, 393216);
  assert_int_equal(m.n, 3); /* compressed and backing ranges merge: both NBD */
  assert_int_equal(m.v[0].kind, RH_MAP_FILE);
  assert_int_equal(m.v[0].len, 131072);
  assert_int_equal(m.v[0].host, 327680);
  assert_int_equal(m.v[1].kind, RH_MAP_ZERO);
  assert_int_equal(m.v[2].kind, RH_MAP_NBD);
  assert_int_equal(m.v[2].len, 131072);
  rh_image_map_free(&m);
  struct rh_image_map bad = {0};
  assert_int_equal(rh_image_map_parse("[{\"start\": 5, \"length\": 1}]", &bad), -1); /* gap */
  assert_int_equal(rh_image_map_parse("{}", &bad), -1);
}

/* A scratch file of FILE_LEN patterned bytes (want) under /var/tmp (/tmp
 * may refuse O_DIRECT), and a map of it in four pieces: guest [0, 8192) at
 * file 4096 (aligned); [8192, 14192) at file 0 (aligned start, a length
 * that is not); [14192, 15192) zero; [15192, 15192 + last_len) at file
 * last_off. Returns the file's descriptor (m->fd). */
enum { FILE_LEN = 5 * 4096 + 300 };
static int map_fixture(char *path, unsigned char *want, struct rh_image_map *m,
                       unsigned last_len, unsigned last_off)
{
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  for (size_t i = 0; i < FILE_LEN; i++) want[i] = (unsigned char)(i * 7 + i / 4096);
  write_at(fd, want, FILE_LEN, 0);
  char json[512];
  snprintf(json, sizeof json,
           "[{\"start\": 0, \"length\": 8192, \"depth\": 0, \"data\": true, \"offset\": 4096},"
           "{\"start\": 8192, \"length\": 6000, \"depth\": 0, \"data\": true, \"offset\": 0},"
           "{\"start\": 14192, \"length\": 1000, \"depth\": 0, \"zero\": true, \"data\": false},"
           "{\"start\": 15192, \"length\": %u, \"depth\": 0, \"data\": true, \"offset\": %u}]",
           last_len, last_off);
  memset(m, 0, sizeof *m);
  assert_int_equal(rh_image_map_parse(json, m), 0);
  return m->fd = fd;
}

/* A map's O_DIRECT reads: aligned parts direct, unaligned offsets, lengths
 * and buffers through the page cache, the same bytes either way; a read
 * past the file's end fails. */
static void image_map_reads_direct(void **state)
{
  (void)state;
  char path[] = "/var/tmp/rehost-unit-map.XXXXXX";
  static unsigned char want[FILE_LEN], got[3 * 4096 + 4096 + 8192 + 1000 + 4096 + 1]
      __attribute__((aligned(4096)));
  struct rh_image_map m;
  map_fixture(path, want, &m, 4096, 100); /* the last piece unaligned */
  if (!rh_opens_direct(path, O_RDONLY)) {
    rh_image_map_free(&m);
    unlink(path);
    skip();
  }
  assert_true(rh_image_map_read_direct(&m));
  assert_true(m.dfd >= 0);
  unsigned char expect[sizeof got];
  memcpy(expect, want + 4096, 8192);
  memcpy(expect + 8192, want, 6000);
  memset(expect + 14192, 0, 1000);
  memcpy(expect + 15192, want + 100, 4096);
  for (int shift = 0; shift < 2; shift++) { /* an aligned buffer, then one that is not */
    memset(got, 0xee, sizeof got);
    assert_int_equal(rh_image_map_pread(&m, NULL, got + shift, 19288, 0), 0);
    assert_memory_equal(got + shift, expect, 19288);
    memset(got, 0xee, sizeof got);
    assert_int_equal(rh_image_map_pread(&m, NULL, got + shift, 4096, 8192), 0); /* inside one piece */
    assert_memory_equal(got + shift, expect + 8192, 4096);
  }
  struct rh_image_map past = {0}; /* the file ends before the map does */
  assert_int_equal(rh_image_map_parse("[{\"start\": 0, \"length\": 65536, \"depth\": 0, "
                                      "\"data\": true, \"offset\": 0}]", &past), 0);
  past.fd = open(path, O_RDONLY);
  assert_true(rh_image_map_read_direct(&past));
  static unsigned char big[65536] __attribute__((aligned(4096)));
  errno = 0;
  assert_int_equal(rh_image_map_pread(&past, NULL, big, sizeof big, 0), -1);
  assert_int_equal(errno, EIO);
  rh_image_map_free(&past);
  rh_image_map_free(&m); /* closes fd */
  unlink(path);
}

/* Views of a mapped image: a range at one place in the file is read where it
 * lies; one across pieces, in a hole or past the file's end is not a view.
 * A file that shrinks under a view faults where the view is read, and the
 * guarded reader gets EIO instead of dying. */
static const unsigned char *g_view;
static size_t g_view_len;
static unsigned long g_view_sum;

static void sum_view(void *arg)
{
  (void)arg;
  unsigned long s = 0;
  for (size_t i = 0; i < g_view_len; i++) s += g_view[i];
  g_view_sum = s;
}

static void image_map_views(void **state)
{
  (void)state;
  char path[] = "/var/tmp/rehost-unit-view.XXXXXX";
  static unsigned char want[FILE_LEN];
  struct rh_image_map m;
  int fd = map_fixture(path, want, &m, 8192, 16384); /* the last piece past the file's end */
  assert_null(rh_image_map_view(&m, 0, 4096)); /* not mapped yet */
  assert_true(rh_image_map_mmap(&m));
  const unsigned char *v = rh_image_map_view(&m, 0, 8192);
  assert_non_null(v);
  assert_memory_equal(v, want + 4096, 8192);
  assert_non_null(v = rh_image_map_view(&m, 9000, 5192)); /* ends where its piece ends */
  assert_memory_equal(v, want + 808, 5192);
  assert_null(rh_image_map_view(&m, 8000, 400));         /* across two pieces */
  assert_null(rh_image_map_view(&m, 14192, 100));        /* a hole */
  assert_null(rh_image_map_view(&m, 9000, 5193));        /* into the hole */
  assert_non_null(v = rh_image_map_view(&m, 15192, 4096)); /* file 16384..20480 */
  assert_memory_equal(v, want + 16384, 4096);
  assert_null(rh_image_map_view(&m, 15192, 8192));       /* past the file's end (20780) */
  assert_null(rh_image_map_view(&m, 1 << 20, 4096));     /* past the image */

  /* read a view under the guard; then the file shrinks under it */
  g_view = rh_image_map_view(&m, 0, 8192);
  g_view_len = 8192;
  assert_int_equal(rh_image_map_guarded(sum_view, NULL), 0);
  unsigned long s = 0;
  for (size_t i = 0; i < 8192; i++) s += want[4096 + i];
  assert_int_equal(g_view_sum, s);
  assert_int_equal(ftruncate(fd, 0), 0);
  errno = 0;
  assert_int_equal(rh_image_map_guarded(sum_view, NULL), -1);
  assert_int_equal(errno, EIO);
  assert_int_equal(rh_image_map_guarded(sum_view, NULL), -1); /* again: the guard holds */
  rh_image_map_free(&m); /* closes fd, unmaps */
  unlink(path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(image_map_from_qemu_img_map),
      cmocka_unit_test(image_map_reads_direct),
      cmocka_unit_test(image_map_views),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
