/* Unit tests for what stands between rehost and hostile inputs: the image
 * header reader (qcow2 backing and data files, VMDK descriptors), terminal
 * escaping, adjtime's numbers, trusted paths and lock holders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../convert/image_header.h"
#include "../../guest/guestconf.h"
#include "../../lib/log.h"
#include "../../lib/private_files.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void put32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static void qcow2_backing_and_data_file(void **state)
{
  (void)state;
  unsigned char b[4096] = "QFI\xfb";
  put32(b + 4, 3);
  put32(b + 8, 0), put32(b + 12, 512); /* backing file name at 512 */
  put32(b + 16, 11);
  memcpy(b + 512, "/etc/passwd", 11);
  struct rh_header h = {0};
  rh_header_parse_qcow2(b, sizeof b, &h);
  assert_string_equal(h.backing, "/etc/passwd");
  assert_false(h.data_file);
  rh_header_free(&h);
  /* external data file: incompatible bit 2, name in the "DATA" extension */
  memset(b + 8, 0, 12);
  b[79] = 4;
  put32(b + 100, 112);
  put32(b + 112, 0x44415441), put32(b + 116, 10);
  memcpy(b + 120, "/dev/sda1x", 10);
  rh_header_parse_qcow2(b, sizeof b, &h);
  assert_null(h.backing);
  assert_true(h.data_file);
  assert_string_equal(h.data_file_name, "/dev/sda1x");
  rh_header_free(&h);
  /* a length past the end, a truncated header: no crash, still "a backing file" */
  put32(b + 8, 0), put32(b + 12, 4000);
  put32(b + 16, 1000);
  rh_header_parse_qcow2(b, sizeof b, &h);
  assert_non_null(h.backing);
  rh_header_free(&h);
  rh_header_parse_qcow2(b, 40, &h);
  assert_null(h.backing);
  rh_header_free(&h);
}

/* A fixed VHD has no header: its footer, in the last 512 bytes, says what
 * it is. A raw disk that ends with something else stays raw. */
static void fill_vhd_footer(unsigned char *f, uint32_t type, uint64_t size)
{
  memset(f, 0, 512);
  memcpy(f, "conectix", 8);
  put32(f + 12, 0x00010000);
  memset(f + 16, 0xff, 8);
  put32(f + 48, (uint32_t)(size >> 32)), put32(f + 52, (uint32_t)size);
  put32(f + 60, type);
  uint32_t sum = 0;
  for (int i = 0; i < 512; i++) sum += f[i];
  put32(f + 64, ~sum);
}

static void vhd_fixed_footer(void **state)
{
  (void)state;
  unsigned char f[512];
  fill_vhd_footer(f, 2, 1 << 20);
  assert_true(rh_header_vhd_fixed_footer(f, (1 << 20) + 512));
  assert_true(rh_header_vhd_fixed_footer(f, (2 << 20) + 512));
  /* a size that does not fit before the footer, a bad checksum, another type */
  assert_false(rh_header_vhd_fixed_footer(f, (1 << 20)));
  f[100] ^= 1;
  assert_false(rh_header_vhd_fixed_footer(f, (1 << 20) + 512));
  fill_vhd_footer(f, 3, 1 << 20);
  assert_false(rh_header_vhd_fixed_footer(f, (1 << 20) + 512));
  /* a file: an MBR, 1 MiB of disk, the footer: vpc; without the footer: raw */
  char path[] = "/tmp/rehost-unit-vhd.XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unsigned char mbr[512] = {0};
  mbr[510] = 0x55, mbr[511] = 0xaa;
  assert_int_equal(pwrite(fd, mbr, 512, 0), 512);
  fill_vhd_footer(f, 2, 1 << 20);
  assert_int_equal(pwrite(fd, f, 512, 1 << 20), 512);
  struct rh_header h;
  assert_int_equal(rh_header_read(path, false, &h), 0);
  assert_string_equal(h.format, "vpc");
  assert_true(h.vhd_fixed);
  rh_header_free(&h);
  assert_int_equal(rh_header_read(path, true, &h), 0); /* a block device is never sniffed */
  assert_string_equal(h.format, "raw");
  rh_header_free(&h);
  assert_int_equal(ftruncate(fd, 1 << 20), 0);
  assert_int_equal(rh_header_read(path, false, &h), 0);
  assert_string_equal(h.format, "raw");
  assert_true(h.disk_signature);
  rh_header_free(&h);
  close(fd);
  unlink(path);
}

/* A differencing VHD (type 4) names its parent in its dynamic header. */
static void vhd_differencing(void **state)
{
  (void)state;
  static unsigned char b[4096];
  memset(b, 0, sizeof b);
  fill_vhd_footer(b, 4, 1 << 20);
  memset(b + 16, 0, 8);
  b[22] = 2; /* the dynamic header at 512 */
  memcpy(b + 512, "cxsparse", 8);
  const char *name = "web\x01.vhd";
  for (size_t i = 0; name[i]; i++) b[512 + 64 + 2 * i + 1] = (unsigned char)name[i];
  struct rh_header h = {0};
  rh_header_parse_vhd(b, sizeof b, &h);
  assert_true(h.vhd_differencing);
  assert_string_equal(h.vhd_parent, "web?.vhd");
  rh_header_free(&h);
  /* the dynamic header past what was read: still differencing, no name */
  rh_header_parse_vhd(b, 600, &h);
  assert_true(h.vhd_differencing);
  assert_null(h.vhd_parent);
  rh_header_free(&h);
  /* a dynamic VHD (type 3) is not */
  fill_vhd_footer(b, 3, 1 << 20);
  rh_header_parse_vhd(b, sizeof b, &h);
  assert_false(h.vhd_differencing);
  rh_header_free(&h);
}

static void vmdk_descriptor_extents(void **state)
{
  (void)state;
  char dir[] = "/tmp/rehost-unit.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/disk-flat.vmdk", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  snprintf(path, sizeof path, "%s/fifo", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  struct rh_header h = {0};
  rh_header_parse_vmdk_text("# Disk DescriptorFile\nRW 2048 FLAT \"disk-flat.vmdk\" 0\n", dir, &h);
  assert_null(h.bad_extent);
  const char *bad[] = {"\"fifo\"", "\"sda\"", "\"/etc/shadow\"", "\"../x/disk-flat.vmdk\"",
                       "\"\""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "RW 2048 FLAT \"disk-flat.vmdk\" 0\n  RDONLY 8 SPARSE %s\n", bad[i]);
    rh_header_parse_vmdk_text(text, dir, &h);
    assert_non_null(h.bad_extent);
    rh_header_free(&h);
  }
  rh_header_parse_vmdk_text("parentFileNameHint=\"/srv/other/base.vmdk\"\r\nRW 8 ZERO\n", dir, &h);
  assert_string_equal(h.backing, "/srv/other/base.vmdk");
  assert_null(h.bad_extent);
  rh_header_free(&h);
  unlink(path);
  snprintf(path, sizeof path, "%s/disk-flat.vmdk", dir);
  unlink(path);
  rmdir(dir);
}

static void terminal_escaping(void **state)
{
  (void)state;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  rh_fputs_safe("host\x1b]0;pwned\x07 \xc2\x9b" "2J ok\n\tüñï \x9b\r", f);
  fclose(f);
  assert_string_equal(out, "host\\x1b]0;pwned\\x07 \\u009b2J ok\n\tüñï \\x9b\\x0d");
  free(out);
}

static void adjtime_non_numbers(void **state)
{
  (void)state;
  const char *texts[] = {"nan 1700000000 0\n1700000000\nUTC\n", "inf 1 0\n1\nLOCAL\n",
                         "-inf 1 0\n1\nUTC\n"};
  for (size_t i = 0; i < 3; i++) {
    json_object *o = rh_adjtime_parse(texts[i]);
    assert_false(json_object_get_boolean(json_object_object_get(o, "valid")));
    /* the report stays JSON */
    json_object *back = json_tokener_parse(json_object_to_json_string(o));
    assert_non_null(back);
    json_object_put(back);
    json_object_put(o);
  }
}

static void trusted_paths_and_lock_holders(void **state)
{
  (void)state;
  char dir[] = "/tmp/rehost-unit.XXXXXX", why[512], sub[300], lock[300];
  assert_non_null(mkdtemp(dir));
  assert_true(rh_path_trusted(dir, false, why, sizeof why));
  snprintf(sub, sizeof sub, "%s/pub", dir);
  assert_int_equal(mkdir(sub, 0777), 0);
  chmod(sub, 0777);
  assert_false(rh_path_trusted(sub, true, why, sizeof why));
  assert_non_null(strstr(why, "writable by everyone"));
  chmod(sub, 01777); /* sticky, as /tmp */
  assert_true(rh_path_trusted(sub, true, why, sizeof why));
  assert_false(rh_path_trusted(sub, false, why, sizeof why));
  snprintf(lock, sizeof lock, "%s/x.lock", dir);
  int fd;
  assert_int_equal(rh_lock_take(lock, 0, "x", "testing", &fd), 0);
  struct stat sb;
  assert_int_equal(stat(lock, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_int_equal(rh_lock_holder(fd), (long)getpid());
  rh_lock_release(fd);
  /* a symlink is never a lock */
  char link[300];
  snprintf(link, sizeof link, "%s/l.lock", dir);
  assert_int_equal(symlink(lock, link), 0);
  assert_int_equal(rh_open_private(link, O_RDWR | O_CREAT, 0600, "lock file"), -1);
  unlink(link);
  unlink(lock);
  rmdir(sub);
  rmdir(dir);
}

int main(void)
{
  rh_log_init("rehost", RH_QUIET, false);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(qcow2_backing_and_data_file),
      cmocka_unit_test(vhd_fixed_footer),
      cmocka_unit_test(vhd_differencing),
      cmocka_unit_test(vmdk_descriptor_extents),
      cmocka_unit_test(terminal_escaping),
      cmocka_unit_test(adjtime_non_numbers),
      cmocka_unit_test(trusted_paths_and_lock_holders),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
