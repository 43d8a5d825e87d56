/* Unit tests for the OVA/OVF readers: a VMware-style OVF 1.0 envelope written
 * by hand, tar archives built here byte by byte, and hostile variants of
 * each (traversal, links, duplicates, an XXE attempt, bad digests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../ova/ova.h"

static const char ovf_vmware[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Envelope vmw:buildId=\"build-1\" xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
    "  xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
    "  xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\"\n"
    "  xmlns:vssd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData\"\n"
    "  xmlns:vmw=\"http://www.vmware.com/schema/ovf\">\n"
    "  <References>\n"
    "    <File ovf:href=\"web01-disk1.vmdk\" ovf:id=\"file1\" ovf:size=\"1048576\"/>\n"
    "    <File ovf:href=\"web01-disk2.vmdk\" ovf:id=\"file2\" ovf:size=\"2048\"/>\n"
    "  </References>\n"
    "  <DiskSection>\n"
    "    <Info>Virtual disk information</Info>\n"
    "    <Disk ovf:capacity=\"1\" ovf:capacityAllocationUnits=\"byte * 2^30\" ovf:diskId=\"vmdisk2\"\n"
    "      ovf:fileRef=\"file2\" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n"
    "    <Disk ovf:capacity=\"8589934592\" ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\"\n"
    "      ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n"
    "  </DiskSection>\n"
    "  <NetworkSection><Info>The list of logical networks</Info>\n"
    "    <Network ovf:name=\"VM Network\"><Description>The VM Network network</Description></Network>\n"
    "  </NetworkSection>\n"
    "  <VirtualSystem ovf:id=\"web01\">\n"
    "    <Info>A virtual machine</Info>\n"
    "    <Name>web01</Name>\n"
    "    <OperatingSystemSection ovf:id=\"96\" vmw:osType=\"debian10_64Guest\"><Info>OS</Info></OperatingSystemSection>\n"
    "    <VirtualHardwareSection>\n"
    "      <Info>Virtual hardware requirements</Info>\n"
    "      <System><vssd:ElementName>Virtual Hardware Family</vssd:ElementName>\n"
    "        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType></System>\n"
    "      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>\n"
    "        <rasd:ElementName>2 virtual CPU(s)</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID>\n"
    "        <rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>\n"
    "      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n"
    "        <rasd:ElementName>4096MB of memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID>\n"
    "        <rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>4096</rasd:VirtualQuantity></Item>\n"
    "      <Item><rasd:Address>0</rasd:Address><rasd:ElementName>SCSI controller 0</rasd:ElementName>\n"
    "        <rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>\n"
    "        <rasd:ResourceType>6</rasd:ResourceType></Item>\n"
    "      <Item><rasd:AddressOnParent>0</rasd:AddressOnParent><rasd:ElementName>Hard disk 1</rasd:ElementName>\n"
    "        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID>\n"
    "        <rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>\n"
    "      <Item><rasd:AddressOnParent>1</rasd:AddressOnParent><rasd:ElementName>Hard disk 2</rasd:ElementName>\n"
    "        <rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource><rasd:InstanceID>5</rasd:InstanceID>\n"
    "        <rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>\n"
    "      <Item><rasd:AddressOnParent>7</rasd:AddressOnParent><rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>\n"
    "        <rasd:Connection>VM Network</rasd:Connection><rasd:ElementName>Network adapter 1</rasd:ElementName>\n"
    "        <rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>\n"
    "        <rasd:ResourceType>10</rasd:ResourceType></Item>\n"
    "      <vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>\n"
    "    </VirtualHardwareSection>\n"
    "  </VirtualSystem>\n"
    "</Envelope>\n";

static void ovf_vmware_envelope(void **state)
{
  (void)state;
  struct rh_ovf o;
  char err[256] = "";
  assert_int_equal(rh_ovf_parse(ovf_vmware, strlen(ovf_vmware), &o, err, sizeof err), 0);
  assert_string_equal(o.name, "web01");
  assert_int_equal(o.n_files, 2);
  assert_int_equal(o.n_disks, 2);
  /* in the order the hardware attaches them, not DiskSection's */
  assert_string_equal(o.disks[0].disk_id, "vmdisk1");
  assert_int_equal(o.disks[0].capacity, 8589934592ull);
  assert_string_equal(rh_ovf_file_by_id(&o, o.disks[0].file_ref)->href, "web01-disk1.vmdk");
  assert_string_equal(o.disks[1].disk_id, "vmdisk2");
  assert_int_equal(o.disks[1].capacity, 1ull << 30);
  assert_non_null(strstr(o.disks[0].format, "streamOptimized"));
  assert_int_equal(o.vcpus, 2);
  assert_int_equal(o.memory_mib, 4096);
  assert_true(o.uefi);
  assert_int_equal(o.n_nics, 1);
  assert_string_equal(o.nics[0].model, "VmxNet3");
  assert_string_equal(o.nics[0].network, "VM Network");
  rh_ovf_free(&o);
}

/* a copy of the envelope with one substring replaced */
static char *with(const char *from, const char *to)
{
  const char *p = strstr(ovf_vmware, from);
  assert_non_null(p);
  char *s = malloc(strlen(ovf_vmware) + strlen(to) + 1);
  sprintf(s, "%.*s%s%s", (int)(p - ovf_vmware), ovf_vmware, to, p + strlen(from));
  return s;
}

static void expect_refused(const char *xml, const char *want)
{
  struct rh_ovf o;
  char err[256] = "";
  assert_int_equal(rh_ovf_parse(xml, strlen(xml), &o, err, sizeof err), -1);
  if (!strstr(err, want)) fail_msg("error '%s' lacks '%s'", err, want);
}

static void ovf_hostile(void **state)
{
  (void)state;
  /* XXE: an external entity naming a host file, and an internal one */
  expect_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE Envelope [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                 "<Envelope><References><File href=\"&x;\" id=\"f\"/></References></Envelope>",
                 "DOCTYPE");
  expect_refused("<!DOCTYPE E [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><Envelope>&b;</Envelope>",
                 "DOCTYPE");
  char *s;
  /* a disk file outside the package: a path, a parent directory, a URL */
  const char *hrefs[] = {"../other/disk.vmdk", "/var/lib/libvirt/images/x.qcow2", "http://example.com/d.vmdk"};
  for (size_t i = 0; i < 3; i++) {
    char to[160];
    snprintf(to, sizeof to, "ovf:href=\"%s\"", hrefs[i]);
    s = with("ovf:href=\"web01-disk1.vmdk\"", to);
    expect_refused(s, "only a file beside the descriptor is read");
    free(s);
  }
  /* the same file listed twice; a disk whose file is not listed */
  s = with("ovf:href=\"web01-disk2.vmdk\"", "ovf:href=\"web01-disk1.vmdk\"");
  expect_refused(s, "listed twice");
  free(s);
  s = with("ovf:fileRef=\"file2\"", "ovf:fileRef=\"file9\"");
  expect_refused(s, "which References does not list");
  free(s);
  expect_refused("<Envelope/>", "no VirtualSystem");
  expect_refused("<Envelope><VirtualSystem ovf:id=\"a\"/>", "not well-formed");
  expect_refused("<Other/>", "not an OVF envelope");
  s = with("ovf:capacity=\"8589934592\"", "ovf:capacity=\"-5\"");
  expect_refused(s, "no usable ovf:capacity");
  free(s);
}

/* ---- tar ---- */

static void header(unsigned char *h, const char *name, char type, uint64_t size)
{
  memset(h, 0, 512);
  snprintf((char *)h, 100, "%s", name);
  memcpy(h + 100, "0000644", 7);
  snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
  h[156] = (unsigned char)type;
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; i++) sum += h[i];
  snprintf((char *)h + 148, 8, "%06o", sum);
}

/* an archive of (name, type, size) members with zero data, in a memfd */
static int archive(const char *const *names, const char *types, const uint64_t *sizes, size_t n, uint64_t *len)
{
  int fd = memfd_create("ova", 0);
  assert_true(fd >= 0);
  uint64_t off = 0;
  unsigned char h[512];
  for (size_t i = 0; i < n; i++) {
    header(h, names[i], types[i], sizes[i]);
    assert_int_equal(pwrite(fd, h, 512, (off_t)off), 512);
    off += 512 + (sizes[i] + 511) / 512 * 512;
  }
  memset(h, 0, 512);
  assert_int_equal(pwrite(fd, h, 512, (off_t)off), 512);
  assert_int_equal(pwrite(fd, h, 512, (off_t)off + 512), 512);
  *len = off + 1024;
  return fd;
}

static void tar_index(void **state)
{
  (void)state;
  const char *names[] = {"web01.ovf", "web01.mf", "web01-disk1.vmdk"};
  uint64_t sizes[] = {900, 120, 5000}, len;
  int fd = archive(names, "000", sizes, 3, &len);
  struct rh_ova o;
  char err[256] = "";
  assert_int_equal(rh_ova_tar_index(fd, len, &o, err, sizeof err), 0);
  assert_int_equal(o.n, 3);
  const struct rh_ova_member *m = rh_ova_find(&o, "web01-disk1.vmdk");
  assert_non_null(m);
  assert_int_equal(m->offset, 512 + 1024 + 512 + 512 + 512);
  assert_int_equal(m->size, 5000);
  rh_ova_free(&o);
  /* a size past the end of the file */
  assert_int_equal(rh_ova_tar_index(fd, len - 4096, &o, err, sizeof err), -1);
  assert_non_null(strstr(err, "past the end"));
  close(fd);
}

static void tar_hostile(void **state)
{
  (void)state;
  const struct {
    const char *name;
    char type;
    const char *want;
  } bad[] = {{"../../etc/cron.d/x", '0', "not a plain file name"},
             {"/etc/passwd", '0', "not a plain file name"},
             {"sub/disk.vmdk", '0', "not a plain file name"},
             {"disk.vmdk", '2', "a link"},
             {"disk.vmdk", '1', "a link"},
             {"disk.vmdk", '3', "special file"},
             {"PaxHeaders/x", 'x', "pax extended header"},
             {"././@LongLink", 'L', "GNU long-name header"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *names[] = {"web01.ovf", bad[i].name};
    char types[] = {'0', bad[i].type};
    uint64_t sizes[] = {10, 10}, len;
    int fd = archive(names, types, sizes, 2, &len);
    struct rh_ova o;
    char err[256] = "";
    assert_int_equal(rh_ova_tar_index(fd, len, &o, err, sizeof err), -1);
    if (!strstr(err, bad[i].want)) fail_msg("%s: error '%s' lacks '%s'", bad[i].name, err, bad[i].want);
    close(fd);
  }
  /* the same name twice (a later member would shadow the one checked) */
  const char *names[] = {"web01.ovf", "d.vmdk", "./d.vmdk"};
  uint64_t sizes[] = {10, 10, 10}, len;
  int fd = archive(names, "000", sizes, 3, &len);
  struct rh_ova o;
  char err[256] = "";
  assert_int_equal(rh_ova_tar_index(fd, len, &o, err, sizeof err), -1);
  assert_non_null(strstr(err, "appears twice"));
  close(fd);
  /* not a tar at all */
  fd = memfd_create("x", 0);
  char junk[2048];
  memset(junk, 'A', sizeof junk);
  assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
  assert_int_equal(rh_ova_tar_index(fd, sizeof junk, &o, err, sizeof err), -1);
  assert_non_null(strstr(err, "bad header checksum"));
  close(fd);
}

static void manifest(void **state)
{
  (void)state;
  struct rh_ova_digest *d;
  size_t n;
  char err[256] = "";
  const char *mf = "SHA256(web01.ovf)= 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\r\n"
                   "SHA1(web01-disk1.vmdk)= a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n\n";
  assert_int_equal(rh_ova_mf_parse(mf, &d, &n, err, sizeof err), 0);
  assert_int_equal(n, 2);
  assert_string_equal(d[0].file, "web01.ovf");
  assert_string_equal(d[0].algo, "SHA256");
  assert_string_equal(d[0].hex, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  assert_string_equal(d[1].algo, "SHA1");
  free(d);
  const struct {
    const char *mf, *want;
  } bad[] = {{"MD5(a.vmdk)= d41d8cd98f00b204e9800998ecf8427e\n", "SHA1 and SHA256 only"},
             {"SHA256(a.vmdk)= abcd\n", "64 hex digits"},
             {"SHA1(../a.vmdk)= a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n", "not a plain file name"},
             {"SHA1(a)= a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\nSHA1(a)= a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n",
              "two digests"},
             {"garbage\n", "not \"ALGO(file)= digest\""}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(rh_ova_mf_parse(bad[i].mf, &d, &n, err, sizeof err), -1);
    if (!strstr(err, bad[i].want)) fail_msg("error '%s' lacks '%s'", err, bad[i].want);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ovf_vmware_envelope), cmocka_unit_test(ovf_hostile), cmocka_unit_test(tar_index),
      cmocka_unit_test(tar_hostile),         cmocka_unit_test(manifest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
