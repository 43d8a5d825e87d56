/* Unit tests for the guest configuration parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#define REHOST_MD_RUN_PARSE_ONLY
#include "../../guest/md_run.h"
#include "../../guest/guestconf.h"
#include "../../guest/yaml_flow.h"

static const char *sget(json_object *o, const char *k)
{
  json_object *v;
  return json_object_object_get_ex(o, k, &v) && v ? json_object_get_string(v) : NULL;
}

static int bget(json_object *o, const char *k)
{
  json_object *v;
  return json_object_object_get_ex(o, k, &v) ? json_object_get_boolean(v) : -1;
}

static void fstab_entries_and_flags(void **state)
{
  (void)state;
  const char *text =
      "# comment\n"
      "\n"
      "/dev/sda1 / ext4 errors=remount-ro 0 1\n"
      "UUID=1234-abcd /boot vfat umask=0077 0 2\n"
      "fileserver:/export/home /mnt/home nfs rw,hard 0 0\n"
      "//winserver/share\t/mnt/share\tcifs\tcredentials=/x\t0\t0\n"
      "LABEL=data /data xfs defaults,_netdev 0 0\n"
      "server:/vol /vol nfs4\n"
      "/dev/nvme0n1p2 /srv ext4 defaults 0 2\n"
      "garbage-line-with-one-field\n";
  json_object *a = rh_fstab_parse(text);
  assert_int_equal(json_object_array_length(a), 8);
  json_object *root = json_object_array_get_idx(a, 0);
  assert_string_equal(sget(root, "spec"), "/dev/sda1");
  assert_string_equal(sget(root, "mountpoint"), "/");
  assert_string_equal(sget(root, "type"), "ext4");
  assert_int_equal(bget(root, "network"), 0);
  assert_int_equal(bget(root, "bus_device_name"), 1);
  assert_int_equal(json_object_get_int(json_object_object_get(root, "passno")), 1);
  assert_int_equal(json_object_get_int(json_object_object_get(root, "line")), 3);
  json_object *boot = json_object_array_get_idx(a, 1);
  assert_int_equal(bget(boot, "network"), 0);
  assert_int_equal(bget(boot, "bus_device_name"), 0);
  assert_int_equal(bget(json_object_array_get_idx(a, 2), "network"), 1);
  assert_int_equal(bget(json_object_array_get_idx(a, 3), "network"), 1);
  assert_int_equal(bget(json_object_array_get_idx(a, 4), "network"), 1); /* _netdev */
  json_object *nfs4 = json_object_array_get_idx(a, 5);
  assert_int_equal(bget(nfs4, "network"), 1);
  assert_string_equal(sget(nfs4, "options"), "defaults");
  assert_int_equal(bget(json_object_array_get_idx(a, 6), "bus_device_name"), 1);
  assert_non_null(sget(json_object_array_get_idx(a, 7), "malformed"));
  json_object_put(a);
}

static void fstab_empty_and_null(void **state)
{
  (void)state;
  json_object *a = rh_fstab_parse(NULL);
  assert_int_equal(json_object_array_length(a), 0);
  json_object_put(a);
  a = rh_fstab_parse("   \n#only comments\n\t\n");
  assert_int_equal(json_object_array_length(a), 0);
  json_object_put(a);
}

static void bus_device_names(void **state)
{
  (void)state;
  assert_true(rh_fstab_is_bus_device_name("/dev/sda1"));
  assert_true(rh_fstab_is_bus_device_name("/dev/hdb"));
  assert_true(rh_fstab_is_bus_device_name("/dev/xvda2"));
  assert_true(rh_fstab_is_bus_device_name("/dev/vdc"));
  assert_false(rh_fstab_is_bus_device_name("/dev/mapper/vg-root"));
  assert_false(rh_fstab_is_bus_device_name("/dev/disk/by-uuid/x"));
  assert_false(rh_fstab_is_bus_device_name("UUID=x"));
  assert_false(rh_fstab_is_bus_device_name("/dev/sd"));
  /* the source disk's hardware: serial, WWN, bus path, HP Smart Array */
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part1"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/ata-VBOX_HARDDISK_VB0a1b2c3d-part12"), 12);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/wwn-0x5000c500a1b2c3d4"), 0);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/nvme-Samsung_SSD-partial-part2"), 2);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/virtio-disk0-partx"), 0);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-path/pci-0000:00:10.0-scsi-0:0:0:0-part3"), 3);
  assert_int_equal(rh_fstab_hw_partition("/dev/cciss/c0d0p2"), 2);
  assert_int_equal(rh_fstab_hw_partition("/dev/cciss/c0d1"), 0);
  assert_true(rh_fstab_is_bus_device_name("/dev/disk/by-path/pci-0000:00:10.0-scsi-0:0:0:0-part3"));
  /* a SAN disk's multipath map, as RHEL, SUSE and Debian name it and its
   * partitions, and EMC PowerPath's: the target's disk is one path, no map */
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpatha"), 0);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpatha1"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpathap2"), 2);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpathab-part3"), 3);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpathb_part1"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpath0p1"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpath0"), 0);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/3600508b4000156d700012000000b0000"), 0);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/3600508b4000156d700012000000b0000p2"), 2);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/3600508b4000156d700012000000b00001"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/3600508b4000156d700012000000b0000-part12"), 12);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/35000c500a1b2c3d4-part1"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/dm-name-mpatha-part1"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/dm-uuid-mpath-3600508b4000156d700012000000b0000"), 0);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/dm-uuid-part2-mpath-3600508b4000156d700012000000b0000"), 2);
  assert_int_equal(rh_fstab_hw_partition("/dev/emcpowera1"), 1);
  assert_int_equal(rh_fstab_hw_partition("/dev/emcpowerc"), 0);
  assert_true(rh_fstab_is_bus_device_name("/dev/mapper/mpatha1"));
  /* LVM's and dm-crypt's maps, and names that only look alike */
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpathvg-root"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/vg0-root"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/luks-3f1b2a6e-6c1e-4d4b"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpatha0"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpath"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/mpath0a"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/36005-root"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/mapper/3600508b4000156d7x"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/dm-uuid-part2-LVM-abc"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/dm-uuid-mpath-"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/emcpower"), -1);
  assert_false(rh_fstab_is_bus_device_name("/dev/mapper/vg0-root"));
  /* names of content, not hardware: the same on the target */
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/dm-uuid-LVM-abc"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/dm-name-vg0-root"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/lvm-pv-uuid-x"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/md-uuid-1:2:3:4"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-uuid/0b4f7c5e"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/"), -1);
  assert_int_equal(rh_fstab_hw_partition("/dev/disk/by-id/a/../../sda1"), -1);
  assert_false(rh_fstab_is_bus_device_name("/dev/disk/by-id/dm-name-vg0-root"));
}

static void adjtime_modes(void **state)
{
  (void)state;
  json_object *o = rh_adjtime_parse("0.012345 1700000000 0.000000\n1700000000\nLOCAL\n");
  assert_string_equal(sget(o, "mode"), "LOCAL");
  assert_int_equal(bget(o, "valid"), 1);
  assert_true(json_object_get_double(json_object_object_get(o, "drift")) > 0.0123);
  assert_int_equal(json_object_get_int64(json_object_object_get(o, "last_adjust")), 1700000000);
  json_object_put(o);
  o = rh_adjtime_parse("0.0 0 0.0\n0\n");
  assert_string_equal(sget(o, "mode"), "UTC"); /* absent third line means UTC */
  assert_int_equal(bget(o, "valid"), 1);
  json_object_put(o);
  o = rh_adjtime_parse("garbage\n\nSOMETIMES\n");
  assert_int_equal(bget(o, "valid"), 0);
  assert_string_equal(sget(o, "mode"), "UTC");
  json_object_put(o);
}

static void ifupdown_static_and_dhcp(void **state)
{
  (void)state;
  const char *text = "source /etc/network/interfaces.d/*\n"
                     "auto lo\niface lo inet loopback\n\n"
                     "allow-hotplug eth0\n"
                     "iface eth0 inet static\n\taddress 10.0.2.15\n\tnetmask 255.255.255.0\n"
                     "\tgateway 10.0.2.2\n"
                     "iface eth1 inet dhcp\n"
                     "iface eth0 inet6 auto\n";
  json_object *a = json_object_new_array();
  rh_ifupdown_parse(text, "/etc/network/interfaces", a);
  assert_int_equal(json_object_array_length(a), 4);
  json_object *eth0 = json_object_array_get_idx(a, 1);
  assert_string_equal(sget(eth0, "name"), "eth0");
  assert_string_equal(sget(eth0, "method"), "static");
  assert_string_equal(sget(eth0, "family"), "inet");
  assert_string_equal(sget(eth0, "address"), "10.0.2.15");
  assert_string_equal(sget(eth0, "netmask"), "255.255.255.0");
  assert_string_equal(sget(eth0, "gateway"), "10.0.2.2");
  assert_string_equal(sget(eth0, "file"), "/etc/network/interfaces");
  assert_int_equal(bget(eth0, "auto"), 1);
  json_object *eth1 = json_object_array_get_idx(a, 2);
  assert_string_equal(sget(eth1, "method"), "dhcp");
  assert_int_equal(bget(eth1, "auto"), 0);
  assert_string_equal(sget(json_object_array_get_idx(a, 3), "family"), "inet6");
  json_object_put(a);
}

static void udev_mac_rules(void **state)
{
  (void)state;
  const char *text =
      "# generated\n"
      "SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"52:54:00:12:34:56\", "
      "KERNEL==\"eth*\", NAME=\"eth0\"\n"
      "SUBSYSTEM==\"net\", ATTR{type}==\"1\", NAME=\"eth9\"\n";
  json_object *a = json_object_new_array();
  rh_udev_mac_rules_parse(text, "/etc/udev/rules.d/70-persistent-net.rules", a);
  assert_int_equal(json_object_array_length(a), 1);
  json_object *r = json_object_array_get_idx(a, 0);
  assert_string_equal(sget(r, "mac"), "52:54:00:12:34:56");
  assert_string_equal(sget(r, "name"), "eth0");
  assert_int_equal(json_object_get_int(json_object_object_get(r, "line")), 2);
  json_object_put(a);
}

static void ifcfg_static_with_hwaddr(void **state)
{
  (void)state;
  json_object *a = json_object_new_array(), *m = json_object_new_array();
  rh_ifcfg_parse("DEVICE=eth0\nBOOTPROTO=none\nONBOOT=yes\nIPADDR=192.0.2.10\nPREFIX=24\n"
                 "HWADDR=\"00:11:22:33:44:55\"\nIPV6INIT=yes\nIPV6ADDR=2001:db8::10/64\n",
                 "/etc/sysconfig/network-scripts/ifcfg-eth0", a, m);
  json_object *i = json_object_array_get_idx(a, 0);
  assert_string_equal(sget(i, "name"), "eth0");
  assert_string_equal(sget(i, "method"), "static");
  assert_string_equal(sget(i, "address"), "192.0.2.10");
  assert_string_equal(sget(i, "address6"), "2001:db8::10/64");
  assert_int_equal(bget(i, "auto"), 1);
  assert_int_equal(json_object_array_length(m), 1);
  assert_string_equal(sget(json_object_array_get_idx(m, 0), "mac"), "00:11:22:33:44:55");
  rh_ifcfg_parse("BOOTPROTO=dhcp\n", "/etc/sysconfig/network-scripts/ifcfg-ens3", a, m);
  i = json_object_array_get_idx(a, 1);
  assert_string_equal(sget(i, "name"), "ens3");
  assert_string_equal(sget(i, "method"), "dhcp");
  /* SUSE's: named for the interface (NAME= describes the hardware),
   * STARTMODE for ONBOOT, dhcp4 is DHCP */
  rh_ifcfg_parse("NAME='VMXNET3 Ethernet Controller'\nSTARTMODE='auto'\nBOOTPROTO='dhcp4'\n",
                 "/etc/sysconfig/network/ifcfg-ens192", a, m);
  i = json_object_array_get_idx(a, 2);
  assert_string_equal(sget(i, "name"), "ens192");
  assert_string_equal(sget(i, "method"), "dhcp");
  assert_int_equal(bget(i, "auto"), 1);
  json_object_put(a);
  json_object_put(m);
}

static void networkd_files(void **state)
{
  (void)state;
  json_object *a = json_object_new_array(), *m = json_object_new_array();
  rh_networkd_parse("[Match]\nName=en*\n\n[Network]\nDHCP=yes\n", "/etc/systemd/network/10-en.network", a, m);
  rh_networkd_parse("[Match]\nMACAddress=aa:bb:cc:dd:ee:ff\n[Network]\nAddress=192.0.2.5/24\n"
                    "Gateway=192.0.2.1\n", "/etc/systemd/network/20-static.network", a, m);
  rh_networkd_parse("[Match]\nMACAddress=aa:bb:cc:dd:ee:01\n[Link]\nName=lan0\n",
                    "/etc/systemd/network/10-lan.link", a, m);
  assert_int_equal(json_object_array_length(a), 2);
  assert_string_equal(sget(json_object_array_get_idx(a, 0), "method"), "dhcp");
  json_object *s = json_object_array_get_idx(a, 1);
  assert_string_equal(sget(s, "method"), "static");
  assert_string_equal(sget(s, "address"), "192.0.2.5/24");
  assert_int_equal(json_object_array_length(m), 2);
  assert_string_equal(sget(json_object_array_get_idx(m, 1), "name"), "lan0");
  json_object_put(a);
  json_object_put(m);
}

static void netplan_files(void **state)
{
  (void)state;
  json_object *a = json_object_new_array(), *m = json_object_new_array();
  /* the field fixture's layout: flow-list addresses, a default route */
  rh_netplan_parse("network:\n  version: 2\n  renderer: networkd\n  ethernets:\n    ens192:\n"
                   "      addresses: [10.0.2.15/24]\n      routes:\n        - to: 10.1.0.0/16\n"
                   "          via: 10.0.2.9\n        - to: default\n          via: 10.0.2.2\n"
                   "      nameservers:\n        addresses: [10.0.2.3]\n",
                   "/etc/netplan/01-lan.yaml", a, m);
  assert_int_equal(json_object_array_length(a), 1);
  json_object *i = json_object_array_get_idx(a, 0);
  assert_string_equal(sget(i, "name"), "ens192");
  assert_string_equal(sget(i, "method"), "static");
  assert_string_equal(sget(i, "address"), "10.0.2.15/24"); /* not the nameserver's */
  assert_string_equal(sget(i, "gateway"), "10.0.2.2");    /* the default route's, not 10.1/16's */
  assert_string_equal(sget(i, "file"), "/etc/netplan/01-lan.yaml");
  assert_int_equal(bget(i, "auto"), 1);
  /* block lists at the key's own column, a MAC match with set-name, quotes,
   * comments, documents markers, gateway4, dhcp, a bridge, a flow-style id */
  rh_netplan_parse("---\nnetwork:\n  ethernets:\n    nic0:   # the uplink\n      match:\n"
                   "        macaddress: \"52:54:00:aa:bb:cc\"\n      set-name: lan0\n"
                   "      addresses:\n      - 192.0.2.7/24\n      - 2001:db8::7/64\n"
                   "      gateway4: 192.0.2.1\n    eth1:\n      dhcp4: yes\n"
                   "    eth2: {dhcp4: true, addresses: [198.51.100.2/24]}\n"
                   "    byname:\n      match:\n        name: en*\n      dhcp4: false\n"
                   "      addresses:\n        - \"2001:db8::9/64\":\n            lifetime: 0\n"
                   "  bridges:\n    br0:\n      interfaces: [eth1]\n      dhcp4: true\n",
                   "/etc/netplan/50.yaml", a, m);
  assert_int_equal(json_object_array_length(a), 6);
  i = json_object_array_get_idx(a, 1);
  assert_string_equal(sget(i, "name"), "lan0");
  assert_string_equal(sget(i, "id"), "nic0");
  assert_string_equal(sget(i, "address"), "192.0.2.7/24");
  assert_string_equal(sget(i, "gateway"), "192.0.2.1");
  assert_string_equal(sget(i, "hwaddress"), "52:54:00:aa:bb:cc");
  assert_int_equal(json_object_array_length(m), 1);
  assert_string_equal(sget(json_object_array_get_idx(m, 0), "name"), "lan0");
  assert_string_equal(sget(json_object_array_get_idx(m, 0), "mac"), "52:54:00:aa:bb:cc");
  assert_string_equal(sget(json_object_array_get_idx(a, 2), "method"), "dhcp");
  i = json_object_array_get_idx(a, 3);
  assert_string_equal(sget(i, "name"), "eth2");
  assert_string_equal(sget(i, "method"), "dhcp");
  assert_string_equal(sget(i, "address"), "198.51.100.2/24");
  i = json_object_array_get_idx(a, 4);
  assert_string_equal(sget(i, "name"), "en*");
  assert_string_equal(sget(i, "family"), "inet6");
  assert_string_equal(sget(i, "address"), "2001:db8::9/64");
  i = json_object_array_get_idx(a, 5);
  assert_string_equal(sget(i, "name"), "br0");
  assert_string_equal(sget(i, "kind"), "bridges");
  assert_string_equal(sget(i, "method"), "dhcp");
  /* flow-style match maps, in a block interface and in a flow one (where
   * "name" inside "set-name" is not the match's name) */
  rh_netplan_parse("network:\n  ethernets:\n    up:\n      match: {macaddress: \"52:54:00:01:02:03\", name: ens3}\n"
                   "      dhcp4: true\n"
                   "    dn: {match: {macaddress: 52:54:00:0a:0b:0c}, set-name: wan1, dhcp6: true}\n",
                   "/etc/netplan/60.yaml", a, m);
  assert_int_equal(json_object_array_length(a), 8);
  i = json_object_array_get_idx(a, 6);
  assert_string_equal(sget(i, "name"), "ens3");
  assert_string_equal(sget(i, "hwaddress"), "52:54:00:01:02:03");
  assert_string_equal(sget(i, "method"), "dhcp");
  i = json_object_array_get_idx(a, 7);
  assert_string_equal(sget(i, "name"), "wan1");
  assert_string_equal(sget(i, "hwaddress"), "52:54:00:0a:0b:0c");
  assert_string_equal(sget(i, "method"), "dhcp6");
  assert_int_equal(json_object_array_length(m), 3);
  assert_string_equal(sget(json_object_array_get_idx(m, 2), "name"), "wan1");
  /* a whole document in flow style: its routes list of maps too */
  rh_netplan_parse("network: {version: 2, ethernets: {enp1s0: {addresses: [\"10.4.0.7/24\"], "
                   "routes: [{to: 10.5.0.0/16, via: 10.4.0.9}, {to: default, via: 10.4.0.1}], "
                   "match: {name: enp1s0}}}}  # one line\n",
                   "/etc/netplan/70.yaml", a, m);
  assert_int_equal(json_object_array_length(a), 9);
  i = json_object_array_get_idx(a, 8);
  assert_string_equal(sget(i, "name"), "enp1s0");
  assert_string_equal(sget(i, "method"), "static");
  assert_string_equal(sget(i, "address"), "10.4.0.7/24");
  assert_string_equal(sget(i, "gateway"), "10.4.0.1");
  /* not netplan's network section, or not YAML at all: nothing */
  rh_netplan_parse("ethernets:\n  eth0:\n    dhcp4: true\n", "x.yaml", a, m);
  rh_netplan_parse("network: {version: 2}\n\t- :\n-\n:::\n", "y.yaml", a, m);
  assert_int_equal(json_object_array_length(a), 9);
  json_object_put(a);
  json_object_put(m);
}

static void opened(const char *line, void *arg)
{
  (void)line;
  (*(int *)arg)++;
}

/* yaml_flow.h: flow maps opened into block style, exactly; what it cannot
 * split for sure is left as written */
static void yaml_flow_to_block(void **state)
{
  (void)state;
  int n = 0;
  char *out = rh_yaml_flow_to_block(
      "a: {b: 1, c: {d: \"x, {y}: z\"}, e: [1, 2], f: [{g: 1, h: {i: 2}}, {j: 3}], k: {}, 'l''m': n,}\n"
      "  o: {p: q}   # comment\n",
      "#was# ", opened, &n);
  assert_string_equal(out, "#was# a: {b: 1, c: {d: \"x, {y}: z\"}, e: [1, 2], f: [{g: 1, h: {i: 2}}, {j: 3}], k: {}, 'l''m': n,}\n"
                           "a:\n  b: 1\n  c:\n    d: \"x, {y}: z\"\n  e: [1, 2]\n"
                           "  f:\n    - g: 1\n      h:\n        i: 2\n    - j: 3\n"
                           "  k: {}\n  'l''m': n\n"
                           "#was#   o: {p: q}   # comment\n  o:\n    p: q\n");
  assert_int_equal(n, 2);
  free(out);
  /* left alone: no map, an empty one, unclosed, text after it, a list item,
   * an unclosed quote, an entry with no key, a tab in the indent, a mixed
   * list (kept as written inside an opened map), nesting past the limit */
  const char *keep = "a: b\nc: {}\nd: {e: 1\nf: {g: 1} h\n- {i: 1}\nj: {k: \"l}\n"
                     "m: {n, o: 1}\n\tp: {q: 1}\nr: {{s: 1}: 2}\n"
                     "t: {u: {v: {w: {x: {y: {z: {a: {b: {c: {d: {e: {f: {g: {h: {i: {j: {k: 1}}}}}}}}}}}}}}}}}\n"
                     "no newline: {at: [end";
  n = 0;
  out = rh_yaml_flow_to_block(keep, NULL, opened, &n);
  assert_string_equal(out, keep);
  assert_int_equal(n, 0);
  free(out);
  out = rh_yaml_flow_to_block("x: {y: [1, {z: 2}]}", NULL, NULL, NULL);
  assert_string_equal(out, "x:\n  y: [1, {z: 2}]\n");
  free(out);
}

static void nm_keyfiles(void **state)
{
  (void)state;
  json_object *a = json_object_new_array(), *m = json_object_new_array();
  /* the field fixture's keyfile: bound to a MAC, static, gateway after the comma */
  rh_nm_keyfile_parse("[connection]\nid=lan\ntype=ethernet\nautoconnect=true\n\n[ethernet]\n"
                      "mac-address=52:54:00:12:34:56\n\n[ipv4]\nmethod=manual\n"
                      "address1=10.0.2.15/24,10.0.2.2\ndns=10.0.2.3;\n",
                      "/etc/NetworkManager/system-connections/lan.nmconnection", a, m);
  rh_nm_keyfile_parse("[connection]\nid=Wired connection 1\ntype=802-3-ethernet\n"
                      "interface-name=ens3\nautoconnect=false\n[802-3-ethernet]\n"
                      "mac-address=00:11:22:33:44:55\n[ipv4]\nmethod=auto\n",
                      "/etc/NetworkManager/system-connections/Wired connection 1", a, m);
  rh_nm_keyfile_parse("[connection]\nid=s\ninterface-name=eth9\n[ipv4]\nmethod=manual\n"
                      "addresses1=192.0.2.9/24;\ngateway=192.0.2.1\n[ipv6]\nmethod=manual\n"
                      "address1=2001:db8::9/64,2001:db8::1\n", "s.nmconnection", a, m);
  rh_nm_keyfile_parse("[connection]\nid=lo\ntype=loopback\n", "lo.nmconnection", a, m);
  assert_int_equal(json_object_array_length(a), 3);
  json_object *i = json_object_array_get_idx(a, 0);
  assert_string_equal(sget(i, "name"), "*");
  assert_string_equal(sget(i, "id"), "lan");
  assert_string_equal(sget(i, "method"), "static");
  assert_string_equal(sget(i, "address"), "10.0.2.15/24");
  assert_string_equal(sget(i, "gateway"), "10.0.2.2");
  assert_string_equal(sget(i, "hwaddress"), "52:54:00:12:34:56");
  assert_int_equal(bget(i, "auto"), 1);
  i = json_object_array_get_idx(a, 1);
  assert_string_equal(sget(i, "name"), "ens3");
  assert_string_equal(sget(i, "method"), "dhcp");
  assert_int_equal(bget(i, "auto"), 0);
  i = json_object_array_get_idx(a, 2);
  assert_string_equal(sget(i, "address"), "192.0.2.9/24");
  assert_string_equal(sget(i, "gateway"), "192.0.2.1");
  assert_string_equal(sget(i, "address6"), "2001:db8::9/64");
  assert_null(sget(i, "hwaddress"));
  assert_int_equal(json_object_array_length(m), 2);
  assert_string_equal(sget(json_object_array_get_idx(m, 1), "name"), "ens3");
  json_object_put(a);
  json_object_put(m);
}

static void kv_values(void **state)
{
  (void)state;
  const char *text = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                     "VERSION_ID='12'\nID=debian\n# X=1\n";
  char *v = rh_kv_get(text, "PRETTY_NAME");
  assert_string_equal(v, "Debian GNU/Linux 12 (bookworm)");
  free(v);
  v = rh_kv_get(text, "VERSION_ID");
  assert_string_equal(v, "12");
  free(v);
  v = rh_kv_get(text, "ID");
  assert_string_equal(v, "debian");
  free(v);
  assert_null(rh_kv_get(text, "X"));
  assert_null(rh_kv_get(text, "MISSING"));
}

static void os_version_spelling(void **state)
{
  (void)state;
  char v[32];
  rh_os_version("ID=ubuntu\nVERSION_ID=\"22.04\"\n", 22, 4, v, sizeof v);
  assert_string_equal(v, "22.04"); /* not libguestfs' 22.4 */
  rh_os_version("ID=debian\nVERSION_ID=\"12\"\n", 12, 5, v, sizeof v);
  assert_string_equal(v, "12");
  rh_os_version(NULL, 7, 9, v, sizeof v);          /* no os-release (RHEL 6, 7 minimal) */
  assert_string_equal(v, "7.9");
  rh_os_version("ID=x\n", 8, 0, v, sizeof v);
  assert_string_equal(v, "8");
  rh_os_version("VERSION_ID=\"1;reboot\"\n", 3, 1, v, sizeof v); /* not a version: libguestfs' */
  assert_string_equal(v, "3.1");
  rh_os_version("VERSION_ID=0123456789012345678901234567890123\n", 0, 0, v, sizeof v);
  assert_string_equal(v, "");
  rh_os_version("VERSION_ID=9.2\n", 9, 2, v, 3);   /* truncated, terminated */
  assert_string_equal(v, "9.");
}

static void mac_syntax(void **state)
{
  (void)state;
  assert_true(rh_is_mac("52:54:00:12:34:56"));
  assert_true(rh_is_mac("AA-BB-CC-DD-EE-FF"));
  assert_false(rh_is_mac("52:54:00:12:34"));
  assert_false(rh_is_mac("52:54:00:12:34:5g"));
  assert_false(rh_is_mac(NULL));
}

static void dpkg_status(void **state)
{
  (void)state;
  const char *st = "Package: cloud-init\nStatus: install ok installed\nVersion: 22.4\n\n"
                   "Package: cloud-init-extra\nStatus: deinstall ok config-files\n\n"
                   "Package: qemu-guest-agent\nVersion: 1\nStatus: install ok half-installed\n\n"
                   "Package: walinuxagent\nStatus: deinstall ok installed\n";
  assert_true(rh_dpkg_installed(st, "cloud-init"));
  assert_false(rh_dpkg_installed(st, "cloud-init-extra")); /* removed, config kept */
  assert_false(rh_dpkg_installed(st, "cloud")); /* a prefix is not the package */
  assert_false(rh_dpkg_installed(st, "qemu-guest-agent"));
  assert_true(rh_dpkg_installed(st, "walinuxagent")); /* last stanza, no blank line after */
  assert_false(rh_dpkg_installed("Status: install ok installed\n", "x"));
  assert_false(rh_dpkg_installed("", "cloud-init"));
}

static void debconf_answer(void **state)
{
  (void)state;
  const char *db = "Name: grub-pc/hidden_timeout\nTemplate: grub-pc/hidden_timeout\nValue: true\n\n"
                   "Name: grub-pc/install_devices\nTemplate: grub-pc/install_devices\n"
                   "Value: /dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6\n"
                   "Owners: grub-pc\nFlags: seen\n\n"
                   "Name: grub-pc/install_devices_empty\nTemplate: grub-pc/install_devices_empty\n"
                   "Owners: grub-pc\n";
  char v[128];
  assert_true(rh_debconf_value(db, "grub-pc/install_devices", v, sizeof v));
  assert_string_equal(v, "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6");
  /* no Value: line in its stanza (the next stanza's is not its) */
  assert_false(rh_debconf_value(db, "grub-pc/install_devices_empty", v, sizeof v));
  assert_string_equal(v, "");
  assert_false(rh_debconf_value(db, "grub-pc/install", v, sizeof v)); /* a prefix */
  assert_false(rh_debconf_value(db, "grub-pc/install_devices", v, 8)); /* does not fit */
  assert_string_equal(v, "");
  assert_false(rh_debconf_value(NULL, "x", v, sizeof v));
}

/* The report of the appliance's script that starts md arrays missing
 * members (guest/md_run.c) */
static void md_run_report(void **state)
{
  (void)state;
  struct rh_md_run v[4];
  const char *out = "noise\n"
                    "rehost-md /dev/md127 3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b raid1 2 1 started\n"
                    "rehost-md /dev/md126 - raid5 3 1 started\n"
                    "rehost-md /dev/md125 - - 0 0 not-started\n"
                    "rehost-md /dev/md124 u raid1 2 1 started";
  assert_int_equal(rh_md_run_parse(out, v, 4), 4);
  assert_string_equal(v[0].dev, "/dev/md127");
  assert_string_equal(v[0].uuid, "3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b");
  assert_string_equal(v[0].level, "raid1");
  assert_int_equal(v[0].raid_disks, 2);
  assert_int_equal(v[0].missing, 1);
  assert_true(v[0].started);
  assert_int_equal(v[0].shrink, RH_MD_NOT_SHRUNK); /* rh_md_make_whole's to set */
  assert_string_equal(v[1].uuid, "");
  assert_int_equal(v[1].shrink, RH_MD_NOT_SHRUNK);
  assert_false(v[2].started);
  assert_string_equal(v[2].level, "");
  assert_string_equal(v[3].dev, "/dev/md124"); /* the last line has no newline */
  assert_int_equal(rh_md_run_parse(out, v, 2), 2); /* at most max */
  /* malformed: not an md device, counts that do not add up, a word too long, a bad
   * state, a word too few or too many */
  const char *bad = "rehost-md /dev/sda1 - raid1 2 1 started\n"
                    "rehost-md /dev/md1 - raid1 1 2 started\n"
                    "rehost-md /dev/md1 - raid1 -1 0 started\n"
                    "rehost-md /dev/md1 - raid1xxxxxxxxxxxxxxxxxx 2 1 started\n"
                    "rehost-md /dev/md1 - raid1 2 1 maybe\n"
                    "rehost-md /dev/md1 - raid1 2 1\n"
                    "rehost-md /dev/md1 - raid1 2 1 started shrunk\n"
                    "rehost-md /dev/md1;reboot - raid1 2 1 started\n"
                    "rehost-md /dev/md - raid1 2 1 started\n";
  assert_int_equal(rh_md_run_parse(bad, v, 4), 0);
  assert_int_equal(rh_md_run_parse("", v, 4), 0);
  assert_int_equal(rh_md_run_parse(NULL, v, 4), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fstab_entries_and_flags), cmocka_unit_test(fstab_empty_and_null),
      cmocka_unit_test(bus_device_names),        cmocka_unit_test(adjtime_modes),
      cmocka_unit_test(ifupdown_static_and_dhcp), cmocka_unit_test(udev_mac_rules),
      cmocka_unit_test(ifcfg_static_with_hwaddr), cmocka_unit_test(networkd_files),
      cmocka_unit_test(netplan_files),           cmocka_unit_test(nm_keyfiles),
      cmocka_unit_test(yaml_flow_to_block),
      cmocka_unit_test(mac_syntax),              cmocka_unit_test(kv_values),
      cmocka_unit_test(os_version_spelling),
      cmocka_unit_test(dpkg_status),
      cmocka_unit_test(debconf_answer),
      cmocka_unit_test(md_run_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
