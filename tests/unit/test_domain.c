/* Domain XML: read (disks, boot order, firmware, NICs, snapshots) and the
 * target domain written for a converted image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../virt/domain.h"
#include "../../virt/pairs.h"

static const char *xml =
    "<domain type='kvm'>\n"
    "  <name>web 01 &amp; \"db\"</name>\n"
    "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
    "  <memory unit='GiB'>4</memory><vcpu placement='static'>3</vcpu>\n"
    "  <os firmware='efi'><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "  <devices>\n"
    "    <disk type='file' device='cdrom'><source file='/iso/install.iso'/><target dev='sda' bus='sata'/></disk>\n"
    "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>\n"
    "      <source file='/var/lib/libvirt/images/data.img'/><target dev='vdb' bus='virtio'/></disk>\n"
    "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>\n"
    "      <source file='/var/lib/libvirt/images/web 01.qcow2'/><target dev='vda' bus='virtio'/>\n"
    "      <boot order='1'/></disk>\n"
    "    <disk type='block' device='disk'><driver name='qemu' type='raw'/>\n"
    "      <source dev='/dev/vg0/logs'/><target dev='vdc' bus='virtio'/><readonly/></disk>\n"
    "    <interface type='network'><mac address='52:54:00:aa:bb:cc'/><source network='default'/>\n"
    "      <model type='e1000'/></interface>\n"
    "    <interface type='bridge'><mac address='52:54:00:dd:ee:ff'/><source bridge='br0'/></interface>\n"
    "  </devices>\n"
    "</domain>\n";

static void reads_a_domain(void **state)
{
  (void)state;
  struct rh_domain d;
  char err[256];
  assert_int_equal(rh_domain_parse(xml, &d, err, sizeof err), 0);
  assert_string_equal(d.name, "web 01 & \"db\"");
  assert_string_equal(d.uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
  assert_int_equal(d.memory_kib, 4 * 1048576);
  assert_int_equal(d.vcpus, 3);
  assert_true(d.uefi);
  assert_false(d.running);
  /* the cdrom is not a disk; the boot disk (order 1) comes first */
  assert_int_equal(d.n_disks, 3);
  assert_string_equal(d.disks[0].dev, "vda");
  assert_string_equal(d.disks[0].path, "/var/lib/libvirt/images/web 01.qcow2");
  assert_string_equal(d.disks[0].format, "qcow2");
  assert_int_equal(d.disks[0].boot_order, 1);
  assert_string_equal(d.disks[1].dev, "vdb");
  assert_string_equal(d.disks[2].path, "/dev/vg0/logs");
  assert_string_equal(d.disks[2].kind, "block");
  assert_true(d.disks[2].readonly);
  assert_ptr_equal(rh_domain_disk(&d, NULL), &d.disks[0]);
  assert_ptr_equal(rh_domain_disk(&d, "vdb"), &d.disks[1]);
  assert_null(rh_domain_disk(&d, "sda"));
  assert_int_equal(d.n_nics, 2);
  assert_string_equal(d.nics[0].mac, "52:54:00:aa:bb:cc");
  assert_string_equal(d.nics[0].model, "e1000");
  assert_string_equal(d.nics[1].source, "br0");
  rh_domain_free(&d);
}

static void snapshots_and_bad_input(void **state)
{
  (void)state;
  struct rh_domain d;
  char err[256];
  /* an external snapshot's XML carries the frozen domain */
  const char *snap = "<domainsnapshot><name>s1</name><disks><disk name='vda' snapshot='external'>"
                     "<source file='/i/overlay.qcow2'/></disk></disks><domain><name>w</name>"
                     "<devices><disk type='file' device='disk'><driver type='qcow2'/>"
                     "<source file='/i/base.qcow2'/><target dev='vda'/></disk></devices></domain>"
                     "</domainsnapshot>";
  assert_int_equal(rh_domain_parse(snap, &d, err, sizeof err), 0);
  assert_string_equal(d.disks[0].path, "/i/base.qcow2");
  assert_false(d.snapshot_internal);
  assert_false(d.uefi);
  assert_int_equal(d.vcpus, 1);
  rh_domain_free(&d);
  const char *internal = "<domainsnapshot><disks><disk name='vda' snapshot='internal'/></disks>"
                         "<domain><name>w</name></domain></domainsnapshot>";
  assert_int_equal(rh_domain_parse(internal, &d, err, sizeof err), 0);
  assert_true(d.snapshot_internal);
  rh_domain_free(&d);
  assert_int_equal(rh_domain_parse("<domain><devices/></domain>", &d, err, sizeof err), -1);
  assert_string_equal(err, "domain XML without <name>");
  assert_int_equal(rh_domain_parse("<network><name>x</name></network>", &d, err, sizeof err), -1);
  assert_non_null(strstr(err, "not a libvirt domain"));
  assert_int_equal(rh_domain_parse("<domain><name>x</name>", &d, err, sizeof err), -1);
  assert_non_null(strstr(err, "not XML"));
  assert_int_equal(rh_domain_parse("", &d, err, sizeof err), -1);
  /* external entities are not resolved (no host file is read) */
  const char *xxe = "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain><name>&x;</name></domain>";
  if (rh_domain_parse(xxe, &d, err, sizeof err) == 0) {
    assert_null(strstr(d.name, "root:"));
    rh_domain_free(&d);
  }
}

static void writes_the_target_domain(void **state)
{
  (void)state;
  struct rh_domain d;
  char err[256];
  assert_int_equal(rh_domain_parse(xml, &d, err, sizeof err), 0);
  struct rh_target_domain t = {.name = "web<01>", .image = "/srv/web 01 & co.qcow2", .format = "qcow2",
                               .vcpus = d.vcpus, .memory_kib = d.memory_kib, .uefi = d.uefi,
                               .nics = d.nics, .n_nics = d.n_nics};
  char *out = rh_domain_xml_for_target(&t);
  assert_non_null(out);
  assert_non_null(strstr(out, "<name>web&lt;01&gt;</name>"));
  assert_non_null(strstr(out, "<source file=\"/srv/web 01 &amp; co.qcow2\"/>"));
  assert_non_null(strstr(out, "<target dev=\"vda\" bus=\"virtio\"/>"));
  assert_non_null(strstr(out, "<os firmware=\"efi\">"));
  assert_non_null(strstr(out, "<vcpu>3</vcpu>"));
  assert_non_null(strstr(out, "<memory unit=\"KiB\">4194304</memory>"));
  assert_non_null(strstr(out, "<source bridge=\"br0\"/>"));
  assert_null(strstr(out, "52:54:00")); /* no stale MAC */
  assert_non_null(strstr(out, "<console type=\"pty\">"));
  /* written XML reads back */
  struct rh_domain back;
  assert_int_equal(rh_domain_parse(out, &back, err, sizeof err), 0);
  assert_string_equal(back.name, "web<01>");
  assert_string_equal(back.disks[0].path, "/srv/web 01 & co.qcow2");
  assert_int_equal(back.n_nics, 2);
  rh_domain_free(&back);
  free(out);
  t.keep_mac = true;
  out = rh_domain_xml_for_target(&t);
  assert_non_null(strstr(out, "<mac address=\"52:54:00:aa:bb:cc\"/>"));
  free(out);
  /* a machine of several disks: vda, vdb, vdc in order, and they read back */
  const char *more[] = {"/srv/web01-b.qcow2", "/srv/web01-c.qcow2"};
  t.extra_images = more;
  t.n_extra = 2;
  out = rh_domain_xml_for_target(&t);
  assert_non_null(out);
  assert_int_equal(rh_domain_parse(out, &back, err, sizeof err), 0);
  assert_int_equal(back.n_disks, 3);
  assert_string_equal(back.disks[1].path, "/srv/web01-b.qcow2");
  assert_string_equal(back.disks[2].dev, "vdc");
  assert_string_equal(back.disks[2].format, "qcow2");
  rh_domain_free(&back);
  free(out);
  rh_domain_free(&d);
}

static void pair_files_round_trip(void **state)
{
  (void)state;
  struct rh_pair p = {.domain = "web 01; $(x) 'q' \"dq\"\nü", .disk = "vda", .source = "/i/a b.qcow2",
                      .target = "/r/t.qcow2", .mode = "auto", .uuid = "u-1"};
  rh_pair_make_id(&p);
  char id[17];
  memcpy(id, p.id, sizeof id);
  char *text = rh_pair_format(&p);
  struct rh_pair q;
  char err[128];
  assert_int_equal(rh_pair_parse(text, &q, err, sizeof err), 0);
  assert_string_equal(q.domain, p.domain);
  assert_string_equal(q.source, "/i/a b.qcow2");
  assert_string_equal(q.id, id); /* the id follows from domain, disk, target */
  assert_null(q.uri);
  rh_pair_free(&q);
  free(text);
  p.target = "/r/other.qcow2";
  rh_pair_make_id(&p);
  assert_string_not_equal(p.id, id);
  assert_int_equal(rh_pair_parse("{\"schema\":\"rehost.pair/1\",\"domain\":\"d\"}", &q, err, sizeof err), -1);
  assert_string_equal(err, "\"disk\" missing");
  assert_int_equal(rh_pair_parse("{\"domain\":\"d\"}", &q, err, sizeof err), -1);
  assert_non_null(strstr(err, "schema"));
  assert_int_equal(rh_pair_parse("[1]", &q, err, sizeof err), -1);
  /* a member of another type is absent: a number is not a schema name, nor
   * a disk */
  assert_int_equal(rh_pair_parse("{\"schema\":1,\"domain\":\"d\"}", &q, err, sizeof err), -1);
  assert_non_null(strstr(err, "schema"));
  assert_int_equal(rh_pair_parse("{\"schema\":\"rehost.pair/1\",\"domain\":\"d\",\"disk\":7}", &q, err,
                                 sizeof err),
                   -1);
  assert_string_equal(err, "\"disk\" missing");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reads_a_domain),
      cmocka_unit_test(snapshots_and_bad_input),
      cmocka_unit_test(writes_the_target_domain),
      cmocka_unit_test(pair_files_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
