/* rh_initramfs_list: images as initramfs-tools and dracut write them (an
 * early archive stored as it is, the main one compressed), and the ones it
 * must refuse to read (cut short, damaged, another compression). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../guest/initramfs_list.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct img {
  unsigned char *b;
  size_t len;
};

static void put(struct img *m, const void *p, size_t n)
{
  m->b = realloc(m->b, m->len + n + 1);
  assert_non_null(m->b);
  memcpy(m->b + m->len, p, n);
  m->len += n;
}

static void pad4(struct img *m, size_t start)
{
  static const char z[4];
  put(m, z, (4 - (m->len - start) % 4) % 4);
}

/* one newc entry, as GNU cpio writes it */
static void entry(struct img *m, size_t start, const char *name, const char *data)
{
  char h[160];
  unsigned n = (unsigned)strlen(name) + 1, d = data ? (unsigned)strlen(data) : 0;
  snprintf(h, sizeof h, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1u,
           data ? 0100644u : 040755u, 0u, 0u, 1u, 0u, d, 0u, 0u, 0u, 0u, n, 0u);
  put(m, h, 110);
  put(m, name, n);
  pad4(m, start);
  if (d) put(m, data, d);
  pad4(m, start);
}

/* an archive of the names (a name ending in '/' is a directory), its
 * trailer, and zeros to a 512-byte block */
static struct img archive(const char *const *names)
{
  struct img m = {0};
  for (; *names; names++) {
    size_t l = strlen(*names);
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(l && (*names)[l - 1] == '/' ? l - 1 : l), *names);
    entry(&m, 0, name, l && (*names)[l - 1] == '/' ? NULL : "data");
  }
  entry(&m, 0, "TRAILER!!!", NULL);
  static const char z[512];
  put(&m, z, (512 - m.len % 512) % 512);
  return m;
}

static const char *const early[] = {"kernel/", "kernel/x86/microcode/GenuineIntel.bin", NULL};
static const char *const main_names[] = {".", "etc/fstab",
                                         "usr/lib/modules/6.1.0-1-amd64/kernel/drivers/block/virtio_blk.ko",
                                         NULL};
static const char expected[] = "kernel\nkernel/x86/microcode/GenuineIntel.bin\n.\netc/fstab\n"
                               "usr/lib/modules/6.1.0-1-amd64/kernel/drivers/block/virtio_blk.ko\n";

enum codec { STORED, GZIP, XZ, ZSTD };

static struct img packed(struct img in, enum codec c)
{
  struct img out = {0};
  size_t cap = in.len + 4096;
  out.b = malloc(cap);
  assert_non_null(out.b);
  if (c == STORED) {
    memcpy(out.b, in.b, in.len);
    out.len = in.len;
  } else if (c == GZIP) {
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = in.b, z.avail_in = (uInt)in.len, z.next_out = out.b, z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.len = z.total_out;
    deflateEnd(&z);
  } else if (c == XZ) {
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in.b, in.len, out.b,
                                             &out.len, cap),
                     LZMA_OK);
  } else {
    out.len = ZSTD_compress(out.b, cap, in.b, in.len, 3);
    assert_false(ZSTD_isError(out.len));
  }
  free(in.b);
  return out;
}

/* early archive stored, main archive compressed with c */
static struct img image(enum codec c)
{
  struct img m = archive(early), z = packed(archive(main_names), c);
  put(&m, z.b, z.len);
  free(z.b);
  return m;
}

static void lists_every_codec(void **state)
{
  (void)state;
  for (enum codec c = STORED; c <= ZSTD; c++) {
    struct img m = image(c);
    char *l = rh_initramfs_list(m.b, m.len);
    assert_non_null(l);
    assert_string_equal(l, expected);
    free(l);
    free(m.b);
  }
}

static void one_archive_and_padding(void **state)
{
  (void)state;
  struct img m = packed(archive(main_names), GZIP);
  static const char z[64];
  put(&m, z, sizeof z); /* zeros after the last stream */
  char *l = rh_initramfs_list(m.b, m.len);
  assert_non_null(l);
  assert_string_equal(l, expected + strlen("kernel\nkernel/x86/microcode/GenuineIntel.bin\n"));
  free(l);
  free(m.b);
}

static void refuses_what_it_cannot_read(void **state)
{
  (void)state;
  for (enum codec c = STORED; c <= ZSTD; c++) {
    struct img m = image(c);
    /* cut short inside the main archive (stored) or its stream */
    size_t early_len = 512;
    /* a stored archive ends with its trailer's name: the zeros after it are
     * padding, not a part of it */
    const unsigned char *t = memmem(m.b + early_len, m.len - early_len, "TRAILER!!!", 10);
    size_t end = c == STORED ? (size_t)(t - m.b) + 10 : m.len;
    for (size_t cut = early_len + 1; cut < end; cut += 7) assert_null(rh_initramfs_list(m.b, cut));
    /* another compression after the early archive (lz4's legacy magic) */
    memcpy(m.b + early_len, "\x02\x21\x4c\x18", 4);
    assert_null(rh_initramfs_list(m.b, m.len));
    free(m.b);
  }
  /* a header with a bad magic, a name without its NUL, a name too long */
  struct img m = archive(main_names);
  m.b[5] = '9';
  assert_null(rh_initramfs_list(m.b, m.len));
  m.b[5] = '1';
  unsigned char save = m.b[110 + 1];
  m.b[110 + 1] = 'x'; /* "." then its NUL: the NUL overwritten */
  assert_null(rh_initramfs_list(m.b, m.len));
  m.b[110 + 1] = save;
  memcpy(m.b + 6 + 8 * 11, "00100000", 8);
  assert_null(rh_initramfs_list(m.b, m.len));
  free(m.b);
  /* nothing but zeros, and nothing at all: no archive */
  static const unsigned char zeros[1024];
  assert_null(rh_initramfs_list(zeros, sizeof zeros));
  assert_null(rh_initramfs_list(zeros, 0));
}

static void newline_in_a_name(void **state)
{
  (void)state;
  const char *const names[] = {"etc/a\nusr/lib/modules/x/virtio_blk.ko", NULL};
  struct img m = archive(names);
  char *l = rh_initramfs_list(m.b, m.len);
  assert_non_null(l);
  assert_string_equal(l, "etc/a?usr/lib/modules/x/virtio_blk.ko\n");
  free(l);
  free(m.b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lists_every_codec),
      cmocka_unit_test(one_archive_and_padding),
      cmocka_unit_test(refuses_what_it_cannot_read),
      cmocka_unit_test(newline_in_a_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
