/* Unit tests for the profile loader: every shipped profile says what issue #4's
 * table says; "extends" merges; malformed profiles are refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../profiles/import_facts.h"
#include "../../profiles/profile.h"
#include "../../lib/json_get.h"

#include <json-c/json.h>

static int has(char **v, const char *s)
{
  for (; v && *v; v++)
    if (!strcmp(*v, s)) return 1;
  return 0;
}

static const struct rh_agent *agent(const struct rh_profile *p, const char *name)
{
  for (size_t i = 0; i < p->n_agents; i++)
    if (!strcmp(p->agents[i].name, name)) return &p->agents[i];
  return NULL;
}

/* services.enable holds alternatives lists; find the list starting with first */
static int enables(const struct rh_profile *p, const char *first)
{
  for (size_t i = 0; i < p->n_enable; i++)
    if (!strcmp(p->enable[i][0], first)) return 1;
  return 0;
}

static void load(const char *name, struct rh_profile *p)
{
  assert_int_equal(rh_profile_load(name, p), 0);
  assert_string_equal(p->name, name);
}

static void common_rules(const struct rh_profile *p)
{
  assert_true(has(p->disable, "libvirtd"));
  assert_true(enables(p, "ssh"));
  assert_false(enables(p, "NetworkManager")); /* the guest's own stack: finalize/guest_network.c */
  assert_true(has(p->firewall, "iptables") && has(p->firewall, "ip6tables"));
  assert_true(p->drop_network_mounts && p->fstab_uuid);
  assert_true(p->adjtime_utc && p->adjtime_reset_drift);
  /* clouds give addresses by DHCP; a hypervisor keeps the machine's own */
  bool cloud = !strcmp(p->name, "ec2") || !strcmp(p->name, "azure") || !strcmp(p->name, "openstack");
  assert_int_equal(p->network_dhcp, cloud);
  assert_true(p->remove_mac_bindings);
  assert_true(has(p->cmdline_add, "console=ttyS0"));
}

static void shipped_ec2(void **state)
{
  (void)state;
  struct rh_profile p;
  load("ec2", &p);
  common_rules(&p);
  assert_non_null(agent(&p, "cloud-init"));
  const char *mods[] = {"nvme", "ena", "xen-blkfront", "xen-netfront"};
  for (size_t i = 0; i < 4; i++) assert_true(has(p.initramfs_modules, mods[i]));
  assert_true(has(p.disable, "hal") && has(p.disable, "haldaemon"));
  assert_true(has(p.formats, "raw") && has(p.formats, "vmdk"));
  assert_string_equal(rh_profile_format_options(&p, "vmdk"), "subformat=streamOptimized");
  rh_profile_free(&p);
}

static void shipped_openstack_and_kvm(void **state)
{
  (void)state;
  struct rh_profile p;
  load("openstack", &p);
  common_rules(&p);
  assert_non_null(agent(&p, "cloud-init"));
  assert_non_null(agent(&p, "qemu-guest-agent"));
  assert_true(has(p.disable, "hal") && has(p.disable, "haldaemon"));
  const char *virtio[] = {"virtio_blk", "virtio_scsi", "virtio_net", "virtio_pci"};
  for (size_t i = 0; i < 4; i++) assert_true(has(p.initramfs_modules, virtio[i]));
  assert_string_equal(p.default_format, "qcow2");
  rh_profile_free(&p);
  load("kvm", &p);
  common_rules(&p);
  assert_int_equal(p.n_agents, 1);
  assert_true(has(p.agents[0].deb, "qemu-guest-agent"));
  for (size_t i = 0; i < 4; i++) assert_true(has(p.initramfs_modules, virtio[i]));
  assert_false(has(p.disable, "hal"));
  assert_string_equal(p.default_format, "qcow2");
  /* the boot menu goes to the serial line as well (no display adapter needed) */
  assert_string_equal(p.grub_terminal, "console serial");
  assert_string_equal(p.grub_serial_command, "serial --speed=115200");
  rh_profile_free(&p);
}

static void shipped_azure_and_hyperv(void **state)
{
  (void)state;
  struct rh_profile p;
  /* the boot drivers in the initramfs; the integration services' hv_utils
   * is loaded from the root filesystem, so it never forces a rebuild */
  const char *hv[] = {"hv_vmbus", "hv_storvsc", "hv_netvsc"};
  load("azure", &p);
  common_rules(&p);
  assert_non_null(agent(&p, "walinuxagent"));
  assert_true(has(agent(&p, "walinuxagent")->deb, "waagent"));
  assert_non_null(agent(&p, "cloud-init"));
  for (size_t i = 0; i < 3; i++) assert_true(has(p.initramfs_modules, hv[i]));
  assert_false(has(p.initramfs_modules, "hv_utils"));
  assert_true(has(p.kernel_modules, "hv_utils"));
  assert_false(enables(&p, "network"));
  assert_true(has(p.cmdline_add, "earlyprintk=ttyS0") && has(p.cmdline_add, "rootdelay=300"));
  assert_string_equal(p.default_format, "vhd");
  assert_string_equal(rh_profile_format_options(&p, "vhd"), "subformat=fixed,force_size=on");
  assert_int_equal(p.size_alignment, 1048576);
  rh_profile_free(&p);
  load("hyperv", &p);
  common_rules(&p);
  assert_true(has(agent(&p, "hyperv-daemons")->deb, "hyperv-daemons"));
  for (size_t i = 0; i < 3; i++) assert_true(has(p.initramfs_modules, hv[i]));
  assert_false(has(p.initramfs_modules, "hv_utils"));
  assert_true(has(p.kernel_modules, "hv_utils"));
  assert_string_equal(p.default_format, "vhdx");
  assert_null(p.grub_terminal); /* Hyper-V: its own console, GRUB left as it is */
  rh_profile_free(&p);
}

static void names_list_the_shipped_profiles(void **state)
{
  (void)state;
  char **n = rh_profile_names();
  const char *want[] = {"azure", "ec2", "hyperv", "kvm", "openstack"};
  for (size_t i = 0; i < 5; i++) {
    assert_non_null(n[i]);
    assert_string_equal(n[i], want[i]);
    free(n[i]);
  }
  assert_null(n[5]);
  free(n);
}

static char *write_tmp(const char *text)
{
  static int k;
  char *path;
  assert_true(asprintf(&path, "/tmp/rehost-profile-%d-%d.json", (int)getpid(), k++) > 0);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static void extends_merges_objects_and_replaces_arrays(void **state)
{
  (void)state;
  char *path = write_tmp("{\"schema\":\"rehost.profile/1\",\"name\":\"mine\",\"extends\":\"kvm\","
                         "\"output\":{\"formats\":[\"raw\",\"qcow2\"],\"default\":\"raw\"},"
                         "\"network\":{\"default\":\"dhcp\"}}");
  struct rh_profile p;
  assert_int_equal(rh_profile_load(path, &p), 0);
  assert_string_equal(p.name, "mine");
  assert_string_equal(p.default_format, "raw");
  assert_true(p.network_dhcp);
  assert_true(p.remove_mac_bindings);              /* kept from kvm's "network" */
  assert_true(has(p.initramfs_modules, "virtio_blk")); /* inherited */
  assert_string_equal(p.origin, path);
  rh_profile_free(&p);
  unlink(path);
  free(path);
}

static void malformed_profiles_are_refused(void **state)
{
  (void)state;
  char err[512];
  struct rh_profile p;
  static const struct {
    const char *text, *needle;
  } bad[] = {
      {"[]", "not a JSON object"},
      {"{\"schema\":\"x\",\"name\":\"a\"}", "schema"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a b\"}", "name"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"servcies\":{}}", "unknown key \"servcies\""},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"iso\"]}}", "unknown output format"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[]}}", "at least one"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"raw\"],\"size_alignment\":1000}}", "power of two"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"raw\"]},\"initramfs_modules\":[\"virtio;rm -rf\"]}", "not a valid name"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"raw\"]},\"kernel_modules\":[\"hv $(id)\"]}", "\"kernel_modules\" element 0 is not a valid name"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"raw\"]},\"agents\":[{\"deb\":[\"x\"]}]}", "needs a \"name\""},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"raw\"]},\"services\":{\"enable\":[[]]}}", "is empty"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"raw\"]},\"fstab\":{\"drop_network_mounts\":\"yes\"}}", "true or false"},
      {"{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"output\":{\"formats\":[\"raw\"],\"options\":{\"raw\":\"a b\"}}}", "option string"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = 0;
    assert_int_equal(rh_profile_parse(bad[i].text, &p, err, sizeof err), -1);
    if (!strstr(err, bad[i].needle)) fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].needle);
  }
  /* an extends loop, and a missing parent */
  char *a = write_tmp("{\"schema\":\"rehost.profile/1\",\"name\":\"a\",\"extends\":\"/tmp/rehost-loop-b.json\"}");
  FILE *f = fopen("/tmp/rehost-loop-b.json", "w");
  fprintf(f, "{\"schema\":\"rehost.profile/1\",\"name\":\"b\",\"extends\":\"%s\"}", a);
  fclose(f);
  assert_int_not_equal(rh_profile_load(a, &p), 0);
  unlink("/tmp/rehost-loop-b.json");
  char *m = write_tmp("{\"schema\":\"rehost.profile/1\",\"name\":\"m\",\"extends\":\"nosuch\"}");
  assert_int_not_equal(rh_profile_load(m, &p), 0);
  assert_int_not_equal(rh_profile_load("nosuch", &p), 0);
  unlink(a);
  unlink(m);
  free(a);
  free(m);
}

/* The import facts a pipeline feeds to each cloud's CLI, from the profile's
 * templates and the artifact */
static void expect_facts(const char *profile, struct rh_artifact_facts a, const char *want)
{
  struct rh_profile p;
  load(profile, &p);
  json_object *f = rh_import_facts(p.import_facts, &a);
  assert_string_equal(json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN), want);
  json_object_put(f);
  rh_profile_free(&p);
}

/* libguestfs's hashes (blkid's answer) as key, value vectors */
static void key_value_vectors(void **state)
{
  (void)state;
  char *kv[] = {"TYPE", "ext4", "PART_ENTRY_UUID", "7b16d2aa-03", "ODD", NULL};
  assert_string_equal(rh_strv_kv(kv, "PART_ENTRY_UUID"), "7b16d2aa-03");
  assert_string_equal(rh_strv_kv(kv, "TYPE"), "ext4");
  assert_null(rh_strv_kv(kv, "ext4")); /* a value is not a key */
  assert_null(rh_strv_kv(kv, "ODD"));  /* a key without its value */
  assert_null(rh_strv_kv(NULL, "TYPE"));
}

static void import_facts_filled_in(void **state)
{
  (void)state;
  expect_facts("openstack", (struct rh_artifact_facts){"qcow2", "uefi", "debian", "12", (3ull << 30) + 3584},
               "{\"disk_format\":\"qcow2\",\"container_format\":\"bare\",\"hw_disk_bus\":\"virtio\","
               "\"hw_vif_model\":\"virtio\",\"hw_firmware_type\":\"uefi\",\"hw_qemu_guest_agent\":\"yes\","
               "\"os_distro\":\"debian\",\"os_version\":\"12\",\"os_type\":\"linux\",\"min_disk\":4}");
  /* BIOS and UEFI both installed: BIOS boots it */
  expect_facts("ec2", (struct rh_artifact_facts){"vmdk", "bios+uefi", "debian", "12", 1ull << 30},
               "{\"disk_container_format\":\"VMDK\",\"boot_mode\":\"legacy-bios\"}");
  expect_facts("azure", (struct rh_artifact_facts){"vhd", "uefi", "rhel", "9.3", 1ull << 30},
               "{\"hyper_v_generation\":\"V2\",\"os_type\":\"Linux\",\"fixed_vhd_size_mib_aligned\":true}");
  expect_facts("hyperv", (struct rh_artifact_facts){"vhdx", "uefi", "rhel", "9.3", 1ull << 30}, "{\"generation\":2}");
  /* an unknown placeholder is a profile error naming it */
  struct rh_profile p;
  char err[256];
  assert_int_equal(rh_profile_parse("{\"schema\":\"rehost.profile/1\",\"name\":\"x\",\"output\":{\"formats\":[\"raw\"]},"
                                    "\"import\":{\"platform\":\"x\",\"facts\":{\"a\":\"{nope}\"}}}",
                                    &p, err, sizeof err), -1);
  assert_non_null(strstr(err, "unknown placeholder {nope}"));
}

int main(void)
{
  setenv("REHOST_PROFILE_DIR", REHOST_TEST_PROFILES, 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shipped_ec2),
      cmocka_unit_test(shipped_openstack_and_kvm),
      cmocka_unit_test(shipped_azure_and_hyperv),
      cmocka_unit_test(names_list_the_shipped_profiles),
      cmocka_unit_test(extends_merges_objects_and_replaces_arrays),
      cmocka_unit_test(malformed_profiles_are_refused),
      cmocka_unit_test(import_facts_filled_in),
      cmocka_unit_test(key_value_vectors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
