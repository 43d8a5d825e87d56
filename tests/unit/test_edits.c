/* Unit tests for finalize's file editors: exact output text and one change
 * record per edit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../finalize/edits.h"
#include "changes.h"

/* the one disk given: partition 1 the root (ext4), 2 /boot (ext4); the
 * multipath maps' partitions are that disk's by number */
static char *lookup(const char *dev, const char *fstype, void *opaque)
{
  (void)opaque;
  const char *uuid = NULL;
  if (!strcmp(dev, "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part2") ||
      !strcmp(dev, "/dev/mapper/mpatha2") || !strcmp(dev, "/dev/mapper/mpathb2"))
    uuid = "0b4f7c5e-1111-2222-3333-777788889999";
  if (!strcmp(dev, "/dev/sda1") || !strcmp(dev, "/dev/mapper/mpathb1"))
    uuid = "0b4f7c5e-1111-2222-3333-444455556666";
  return uuid && rh_fstype_matches(fstype, "ext4") ? strdup(uuid) : NULL;
}

static char *btrfs_lookup(const char *dev, const char *fstype, void *opaque)
{
  (void)opaque;
  return !strcmp(dev, "/dev/sda1") && rh_fstype_matches(fstype, "btrfs")
             ? strdup("0b4f7c5e-1111-2222-3333-444455556666")
             : NULL;
}

/* a SAN machine's second LUN (mpathb), not given: its names resolve, by
 * partition number, to the given disk's partitions; another entry's
 * filesystem, or one of another type, is not taken for them */
static void fstab_other_disks_names(void **state)
{
  (void)state;
  const char *in = "/dev/mapper/mpatha2 /boot ext4 defaults 0 2\n"
                   "UUID=0B4F7C5E-1111-2222-3333-444455556666 / ext4 defaults 0 1\n"
                   "/dev/mapper/mpathb1 /srv ext4 defaults 0 2\n"
                   "/dev/mapper/mpathb2 /data ext4 defaults 0 2\n"
                   "/dev/mapper/mpathb1 /logs xfs defaults 0 2\n";
  json_object *ch = json_object_new_array();
  char *out = rh_fstab_rewrite(in, true, true, lookup, NULL, ch);
  assert_string_equal(out, "UUID=0b4f7c5e-1111-2222-3333-777788889999 /boot ext4 defaults 0 2\n"
                           "UUID=0B4F7C5E-1111-2222-3333-444455556666 / ext4 defaults 0 1\n"
                           "/dev/mapper/mpathb1 /srv ext4 defaults 0 2\n"
                           "/dev/mapper/mpathb2 /data ext4 defaults 0 2\n"
                           "/dev/mapper/mpathb1 /logs xfs defaults 0 2\n");
  assert_int_equal(json_object_array_length(ch), 4);
  assert_string_equal(action(ch, 0), "device-name-to-uuid");
  for (size_t i = 1; i < 4; i++) assert_string_equal(action(ch, i), "warning");
  json_object *why;
  json_object_object_get_ex(json_object_array_get_idx(ch, 1), "reason", &why);
  assert_non_null(strstr(json_object_get_string(why), "another entry mounts already"));
  json_object_object_get_ex(json_object_array_get_idx(ch, 3), "reason", &why);
  assert_non_null(strstr(json_object_get_string(why), "another type"));
  free(out);
  json_object_put(ch);
  /* btrfs: one filesystem, an entry per subvolume, by the same name */
  ch = json_object_new_array();
  out = rh_fstab_rewrite("/dev/sda1 / btrfs subvol=@ 0 0\n/dev/sda1 /home btrfs subvol=@home 0 0\n", true,
                         true, btrfs_lookup, NULL, ch);
  assert_string_equal(out, "UUID=0b4f7c5e-1111-2222-3333-444455556666 / btrfs subvol=@ 0 0\n"
                           "UUID=0b4f7c5e-1111-2222-3333-444455556666 /home btrfs subvol=@home 0 0\n");
  free(out);
  json_object_put(ch);
  /* a long file: the filesystem another entry mounts is the 300th's (the
   * list of the file's UUIDs grows with it; a fixed one held about 55) */
  char *big = calloc(300, 80), *p = big;
  assert_non_null(big);
  for (int i = 0; i < 299; i++) p += sprintf(p, "UUID=%08x-1111-2222-3333-000000000000 /m%d ext4 defaults 0 2\n", i, i);
  sprintf(p, "UUID=0b4f7c5e-1111-2222-3333-444455556666 / ext4 defaults 0 1\n/dev/sda1 /again ext4 defaults 0 2\n");
  ch = json_object_new_array();
  out = rh_fstab_rewrite(big, true, true, lookup, NULL, ch);
  assert_string_equal(out, big);
  assert_int_equal(json_object_array_length(ch), 1);
  assert_string_equal(action(ch, 0), "warning");
  free(big);
  assert_true(rh_fstype_matches("msdos", "vfat") && !rh_fstype_matches("vfat", "ext4"));
  assert_true(rh_fstype_matches("ext3", "ext4") && rh_fstype_matches("auto", "xfs") &&
              rh_fstype_matches(NULL, NULL) && rh_fstype_matches("ntfs-3g", "ntfs") &&
              !rh_fstype_matches("xfs", "ext4") && !rh_fstype_matches("swap", NULL));
  free(out);
  json_object_put(ch);
}

/* a name of the source disk's hardware (a VMware disk's WWN) is a bus name:
 * to its UUID, or a warning that says why it could not be */
static void fstab_hardware_names(void **state)
{
  (void)state;
  const char *in = "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part2 /boot ext4 defaults 0 2\n"
                   "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:1:0-part1 /data xfs defaults 0 2\n"
                   "/dev/disk/by-id/dm-name-vg0-home /home xfs defaults 0 2\n";
  json_object *ch = json_object_new_array();
  char *out = rh_fstab_rewrite(in, true, true, lookup, NULL, ch);
  assert_string_equal(out, "UUID=0b4f7c5e-1111-2222-3333-777788889999 /boot ext4 defaults 0 2\n"
                           "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:1:0-part1 /data xfs defaults 0 2\n"
                           "/dev/disk/by-id/dm-name-vg0-home /home xfs defaults 0 2\n");
  assert_int_equal(json_object_array_length(ch), 2);
  assert_string_equal(action(ch, 0), "device-name-to-uuid");
  assert_string_equal(action(ch, 1), "warning");
  json_object *why;
  json_object_object_get_ex(json_object_array_get_idx(ch, 1), "reason", &why);
  assert_non_null(why);
  assert_non_null(strstr(json_object_get_string(why), "more than one disk"));
  free(out);
  json_object_put(ch);
}

static void fstab_drops_network_and_uses_uuids(void **state)
{
  (void)state;
  const char *in = "# /etc/fstab\n"
                   "/dev/sda1 / ext4 errors=remount-ro 0 1\n"
                   "  /dev/sdb1\t/data xfs defaults 0 2\n"
                   "fileserver:/export/home /mnt/home nfs defaults 0 0\n"
                   "//winserver/share /mnt/share cifs nofail,credentials=/etc/c 0 0\n"
                   "proc /proc proc defaults 0 0\n"
                   "UUID=abcd /boot ext4 defaults 0 2";
  json_object *ch = json_object_new_array();
  char *out = rh_fstab_rewrite(in, true, true, lookup, NULL, ch);
  assert_string_equal(out, "# /etc/fstab\n"
                           "UUID=0b4f7c5e-1111-2222-3333-444455556666 / ext4 errors=remount-ro 0 1\n"
                           "  /dev/sdb1\t/data xfs defaults 0 2\n"
                           "#rehost-removed# fileserver:/export/home /mnt/home nfs defaults 0 0\n"
                           "#rehost-removed# //winserver/share /mnt/share cifs nofail,credentials=/etc/c 0 0\n"
                           "proc /proc proc defaults 0 0\n"
                           "UUID=abcd /boot ext4 defaults 0 2\n");
  assert_int_equal(json_object_array_length(ch), 4);
  assert_string_equal(action(ch, 0), "device-name-to-uuid");
  assert_string_equal(action(ch, 1), "warning"); /* /dev/sdb1: no UUID known */
  assert_string_equal(action(ch, 2), "remove-network-mount");
  assert_string_equal(action(ch, 3), "remove-network-mount");
  free(out);
  json_object_put(ch);

  ch = json_object_new_array(); /* profile says keep both */
  out = rh_fstab_rewrite(in, false, false, lookup, NULL, ch);
  assert_int_equal(json_object_array_length(ch), 0);
  assert_non_null(strstr(out, "\nfileserver:/export/home"));
  free(out);
  json_object_put(ch);
}

static void adjtime_becomes_utc(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  char *out = rh_adjtime_rewrite("12.5 1700000000 0.0\n1700000000\nLOCAL\n", ch);
  assert_string_equal(out, "0.0 0 0.0\n0\nUTC\n");
  assert_int_equal(json_object_array_length(ch), 1);
  free(out);
  out = rh_adjtime_rewrite("0.0 0 0.0\n0\nUTC\n", ch); /* already right: no record */
  assert_int_equal(json_object_array_length(ch), 1);
  free(out);
  json_object_put(ch);
}

static void ifupdown_static_to_dhcp(void **state)
{
  (void)state;
  const char *in = "auto lo\niface lo inet loopback\n\n"
                   "auto eth0\niface eth0 inet static\n    address 10.0.2.15/24\n"
                   "    gateway 10.0.2.2\n    hwaddress ether 52:54:00:12:34:56\n"
                   "    dns-nameservers 10.0.2.3\n";
  json_object *ch = json_object_new_array();
  char *keep = rh_ifupdown_rewrite(in, "/etc/network/interfaces", false, true, NULL, ch);
  assert_non_null(strstr(keep, "iface eth0 inet static\n    address 10.0.2.15/24\n"));
  assert_non_null(strstr(keep, "#rehost-removed#     hwaddress"));
  assert_int_equal(json_object_array_length(ch), 1);
  char *dhcp = rh_ifupdown_rewrite(in, "/etc/network/interfaces", true, true, NULL, ch);
  assert_string_equal(dhcp, "auto lo\niface lo inet loopback\n\n"
                            "auto eth0\niface eth0 inet dhcp\n"
                            "#rehost-removed#     address 10.0.2.15/24\n"
                            "#rehost-removed#     gateway 10.0.2.2\n"
                            "#rehost-removed#     hwaddress ether 52:54:00:12:34:56\n"
                            "    dns-nameservers 10.0.2.3\n");
  assert_string_equal(action(ch, 1), "network-dhcp");
  free(keep);
  free(dhcp);
  /* a static IPv6 stanza (before the IPv4 one, as some write it) becomes
   * SLAAC, not DHCPv6, whose failure on a network without it would fail
   * the interface; what would keep router advertisements out goes too */
  const char *v6 = "allow-hotplug eth0\niface eth0 inet6 static\n  address fd00:10::15/64\n"
                   "  gateway fd00:10::1\n  accept_ra 0\n  autoconf 0\n  privext 2\n"
                   "iface eth0 inet static\n  address 10.0.2.15/24\n"
                   "iface eth1 inet6 auto\n  accept_ra 2\n";
  dhcp = rh_ifupdown_rewrite(v6, "/etc/network/interfaces", true, true, NULL, ch);
  assert_string_equal(dhcp, "allow-hotplug eth0\niface eth0 inet6 auto\n"
                            "#rehost-removed#   address fd00:10::15/64\n"
                            "#rehost-removed#   gateway fd00:10::1\n"
                            "#rehost-removed#   accept_ra 0\n#rehost-removed#   autoconf 0\n  privext 2\n"
                            "iface eth0 inet dhcp\n#rehost-removed#   address 10.0.2.15/24\n"
                            "iface eth1 inet6 auto\n  accept_ra 2\n");
  free(dhcp);
  keep = rh_ifupdown_rewrite(v6, "/etc/network/interfaces", false, true, NULL, ch);
  assert_string_equal(keep, v6);
  free(keep);
  json_object_put(ch);
}

static void udev_mac_rules_commented(void **state)
{
  (void)state;
  const char *in = "# generated\n"
                   "SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"52:54:00:12:34:56\", NAME=\"eth0\"\n"
                   "SUBSYSTEM==\"block\", KERNEL==\"sda\", SYMLINK+=\"root\"\n";
  json_object *ch = json_object_new_array();
  char *out = rh_udev_rules_rewrite(in, "/etc/udev/rules.d/70-persistent-net.rules", ch);
  assert_string_equal(out, "# generated\n"
                           "#rehost-removed# SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"52:54:00:12:34:56\", NAME=\"eth0\"\n"
                           "SUBSYSTEM==\"block\", KERNEL==\"sda\", SYMLINK+=\"root\"\n");
  assert_int_equal(json_object_array_length(ch), 1);
  free(out);
  json_object_put(ch);
}

static void lvm_devices_file_named(void **state)
{
  (void)state;
  char name[64];
  /* no lvm.conf, or one that says nothing: the default name */
  assert_true(rh_lvm_devices_file(NULL, name, sizeof name));
  assert_string_equal(name, "system.devices");
  assert_true(rh_lvm_devices_file("devices {\n\t# use_devicesfile = 0\n}\n", name, sizeof name));
  assert_string_equal(name, "system.devices");
  assert_true(rh_lvm_devices_file("devices {\n\tuse_devicesfile = 1\n\tdevicesfile = \"vms.devices\" # ours\n}\n",
                                  name, sizeof name));
  assert_string_equal(name, "vms.devices");
  /* turned off (the last word counts) */
  assert_false(rh_lvm_devices_file("devices {\n use_devicesfile = 1\n use_devicesfile=0\n}\n", name,
                                   sizeof name));
  /* a path out of /etc/lvm/devices, or a dot file: not followed */
  assert_false(rh_lvm_devices_file("devicesfile = \"../../etc/shadow\"\n", name, sizeof name));
  assert_false(rh_lvm_devices_file("devicesfile = \"\"\n", name, sizeof name));
  assert_false(rh_lvm_devices_file("devicesfile = \".hidden\"\n", name, sizeof name));
  assert_false(rh_lvm_devices_file(NULL, name, 8)); /* too long for the buffer */
}

static void lvm_filters(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  bool changed;
  /* only the source's SCSI disks: the target's virtio or NVMe disk is rejected */
  const char *in = "devices {\n\tdir = \"/dev\"\n\tfilter = [ \"a|^/dev/sd[a-z][0-9]*$|\", \"r|.*|\" ]\n"
                   "\t# filter = [ \"r|.*|\" ]\n}\n";
  char *out = rh_lvm_filter_rewrite(in, ch, &changed);
  assert_true(changed);
  assert_string_equal(out, "devices {\n\tdir = \"/dev\"\n#rehost-removed# \tfilter = [ \"a|^/dev/sd[a-z][0-9]*$|\", "
                           "\"r|.*|\" ]\n\t# filter = [ \"r|.*|\" ]\n}\n");
  assert_int_equal(json_object_array_length(ch), 1);
  bool again_changed;
  char *again = rh_lvm_filter_rewrite(out, NULL, &again_changed);
  assert_false(again_changed);
  assert_string_equal(again, out);
  free(again);
  free(out);
  /* over several lines, a ']' inside a pattern, the other delimiter */
  in = "devices {\n global_filter = [ \"a/^\\/dev\\/vd[a-z]+[0-9]*$/\",\n   \"r/.*/\" ]\n"
       " use_devicesfile = 1\n}\n";
  out = rh_lvm_filter_rewrite(in, ch, &changed);
  assert_true(changed);
  assert_string_equal(out, "devices {\n#rehost-removed#  global_filter = [ \"a/^\\/dev\\/vd[a-z]+[0-9]*$/\",\n"
                           "#rehost-removed#    \"r/.*/\" ]\n use_devicesfile = 1\n}\n");
  free(out);
  /* filters that keep every target name: left alone */
  const char *keep[] = {
      "devices {\n filter = [ \"r|/dev/cdrom|\", \"r|^/dev/loop|\" ]\n}\n",
      "filter = [ \"a|.*|\" ]\n",
      "filter = [ \"a|^/dev/(sd|vd|xvd|nvme)|\", \"r|.*|\" ]\n",
      /* a pattern in a comment is not the filter's */
      "filter = [ \"r|/dev/cdrom|\" ] # was \"r|.*|\"\n",
      "filter = [ \"r|/dev/cdrom|\", # \"r|.*|\"\n   \"a|.*|\" ]\n",
      /* unreadable: an interval, an unclosed quote, no closing bracket */
      "filter = [ \"a|^/dev/s{1}d|\", \"r|.*|\" ]\n",
      /* unreadable: more than 8 '+' (glibc's regcomp copies the subtree of
       * each, so stacked ones take exponential time and memory; this one
       * crashed it, a guest's file found by fuzzing) */
      "filter = [ \"r|[a-z][0-9]*+++++++++++++++++++++|\" ]\n",
      "filter = [ \"r|q++++++++++++++++++++++++++++++|\" ]\n",
      "filter = [ \"r|.*| ]\n",
      "filter = [ \"r|.*|\",\n",
      "filtering = [ \"r|.*|\" ]\n",
  };
  for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
    out = rh_lvm_filter_rewrite(keep[i], ch, &changed);
    assert_false(changed);
    assert_string_equal(out, keep[i]);
    free(out);
  }
  assert_int_equal(json_object_array_length(ch), 2);
  json_object_put(ch);
}

/* mdadm.conf: DEVICE lines and devices= tags naming the source's disks */
static void mdadm_conf(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  bool changed;
  /* the source's SCSI disks by name (a continuation line too, an
   * abbreviated keyword), an ARRAY restricted to them */
  const char *in = "# mdadm.conf\nDEVICE /dev/sd[ab]1\n  /dev/sd[ab]2 # the mirrors\n"
                   "HOMEHOST <system>\n"
                   "ARRAY /dev/md/0 metadata=1.2 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b devices=/dev/sda1,/dev/sdb1\n"
                   "ARRAY /dev/md/1 metadata=1.2 name=host:1\n   DEVICES=/dev/disk/by-id/scsi-36000c29a-part2 spares=0\n"
                   "dev /dev/hda*\n";
  char *out = rh_mdadm_conf_rewrite(in, "/etc/mdadm/mdadm.conf", ch, &changed);
  assert_true(changed);
  assert_string_equal(out, "# mdadm.conf\n#rehost-removed# DEVICE /dev/sd[ab]1\n#rehost-removed#   /dev/sd[ab]2 # the mirrors\n"
                           "DEVICE partitions containers\nHOMEHOST <system>\n"
                           "ARRAY /dev/md/0 metadata=1.2 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b\n"
                           "ARRAY /dev/md/1 metadata=1.2 name=host:1\n spares=0\n"
                           "#rehost-removed# dev /dev/hda*\n");
  assert_int_equal(json_object_array_length(ch), 4);
  json_object *c0 = json_object_array_get_idx(ch, 0), *v;
  assert_true(json_object_object_get_ex(c0, "before", &v));
  assert_string_equal(json_object_get_string(v), "DEVICE /dev/sd[ab]1   /dev/sd[ab]2 # the mirrors");
  assert_true(json_object_object_get_ex(c0, "after", &v));
  assert_string_equal(json_object_get_string(v), "DEVICE partitions containers");
  json_object *c1 = json_object_array_get_idx(ch, 1);
  assert_true(json_object_object_get_ex(c1, "before", &v));
  assert_string_equal(json_object_get_string(v), "devices=/dev/sda1,/dev/sdb1");
  /* stable on its own output */
  bool again_changed;
  char *again = rh_mdadm_conf_rewrite(out, "f", NULL, &again_changed);
  assert_false(again_changed);
  assert_string_equal(again, out);
  free(again);
  free(out);
  /* a DEVICE line that stays scans every disk: nothing added; no newline at the end */
  out = rh_mdadm_conf_rewrite("DEVICE partitions\nDEVICE /dev/nvme0n1p*", "f", ch, &changed);
  assert_true(changed);
  assert_string_equal(out, "DEVICE partitions\n#rehost-removed# DEVICE /dev/nvme0n1p*\n");
  free(out);
  /* every such devices= tag of a line goes */
  out = rh_mdadm_conf_rewrite("ARRAY /dev/md0 UUID=1:2:3:4 devices=/dev/sda1 devices=/dev/sdb1,/dev/sdc1\n", "f", ch,
                              &changed);
  assert_string_equal(out, "ARRAY /dev/md0 UUID=1:2:3:4\n");
  free(out);
  /* an array found only by those names: left as is, with a warning */
  size_t n = json_object_array_length(ch);
  in = "ARRAY /dev/md0 devices=/dev/sda1,/dev/sdb1\n";
  out = rh_mdadm_conf_rewrite(in, "f", ch, &changed);
  assert_false(changed);
  assert_string_equal(out, in);
  free(out);
  assert_int_equal(json_object_array_length(ch), n + 1);
  assert_true(json_object_object_get_ex(json_object_array_get_idx(ch, n), "action", &v));
  assert_string_equal(json_object_get_string(v), "warning");
  /* names that travel with the data, keywords that are not DEVICE: left alone */
  const char *keep[] = {
      "DEVICE partitions containers\nARRAY /dev/md/0 UUID=1:2:3:4\n",
      "DEVICE /dev/disk/by-partuuid/* /dev/mapper/*\n",
      "ARRAY /dev/md0 uuid=1:2:3:4 devices=/dev/disk/by-uuid/x\n",
      "# DEVICE /dev/sda1\nMAILADDR root # DEVICE /dev/sda1\n",
      "DE /dev/sda1\nDEVICES /dev/sda1\n",
      "\n   DEVICE /dev/sda1\n",
      "",
  };
  for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
    out = rh_mdadm_conf_rewrite(keep[i], "f", ch, &changed);
    assert_false(changed);
    assert_string_equal(out, keep[i]);
    free(out);
  }
  json_object_put(ch);
}

/* An array made whole with fewer members (--md-degraded): the num-devices=
 * of its ARRAY line (found by uuid= in any of mdadm's spellings, over a
 * continuation line) says the new count; other arrays' lines and a line
 * without the tag stay as they are */
static void mdadm_conf_num_devices(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  bool changed;
  const char *in = "ARRAY /dev/md/0 metadata=1.2 num-devices=2 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b\n"
                   "ARRAY /dev/md/1 uuid=3B6E1F0A.5C2D4E8F.9A1B7C3D.2E4F6A8C\n   num-devices=2 name=h:1\n"
                   "ARRAY /dev/md/2 num-devices=2 UUID=00000000:5c2d4e8f:9a1b7c3d:2e4f6a8b\n"
                   "# ARRAY /dev/md/0 num-devices=2 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b\n";
  char *out = rh_mdadm_conf_num_devices(in, "f", "3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b", 1, ch, &changed);
  assert_true(changed);
  assert_string_equal(out, "ARRAY /dev/md/0 metadata=1.2 num-devices=1 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b\n"
                           "ARRAY /dev/md/1 uuid=3B6E1F0A.5C2D4E8F.9A1B7C3D.2E4F6A8C\n   num-devices=2 name=h:1\n"
                           "ARRAY /dev/md/2 num-devices=2 UUID=00000000:5c2d4e8f:9a1b7c3d:2e4f6a8b\n"
                           "# ARRAY /dev/md/0 num-devices=2 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b\n");
  free(out);
  out = rh_mdadm_conf_num_devices(in, "f", "3b6e1f0a-5c2d4e8f-9a1b7c3d-2e4f6a8c", 1, ch, &changed);
  assert_true(changed);
  assert_non_null(strstr(out, "ARRAY /dev/md/1 uuid=3B6E1F0A.5C2D4E8F.9A1B7C3D.2E4F6A8C\n   num-devices=1 name=h:1\n"));
  assert_non_null(strstr(out, "md/0 metadata=1.2 num-devices=2 "));
  free(out);
  assert_int_equal(json_object_array_length(ch), 2);
  json_object *v;
  assert_true(json_object_object_get_ex(json_object_array_get_idx(ch, 0), "action", &v));
  assert_string_equal(json_object_get_string(v), "md-num-devices");
  assert_true(json_object_object_get_ex(json_object_array_get_idx(ch, 0), "before", &v));
  assert_string_equal(json_object_get_string(v), "num-devices=2");
  /* already so, no tag, or no such array: unchanged */
  const char *keep[] = {"ARRAY /dev/md/0 num-devices=1 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b\n",
                        "ARRAY /dev/md/0 UUID=3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b\n",
                        "ARRAY /dev/md/0 num-devices=2 name=h:0\n", ""};
  for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
    out = rh_mdadm_conf_num_devices(keep[i], "f", "3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b", 1, ch, &changed);
    assert_false(changed);
    assert_string_equal(out, keep[i]);
    free(out);
  }
  assert_null(rh_mdadm_conf_num_devices(in, "f", NULL, 1, ch, &changed));
  json_object_put(ch);
}

/* Debian 12's initramfs-tools init sleeps for rootdelay=; its scripts/local
 * only compares it, and a comment or another variable is no sleep */
static void script_sleeps_for_rootdelay(void **state)
{
  (void)state;
  const struct {
    const char *script;
    bool sleeps;
  } cases[] = {
      {"starttime=$((starttime + 1))\nif [ \"$ROOTDELAY\" ]; then\n\tsleep \"$ROOTDELAY\"\nfi\n", true},
      {"[ -n \"${ROOTDELAY}\" ] && sleep ${ROOTDELAY}\n", true},
      {"if [ \"$ROOTDELAY\" ]; then sleep $ROOTDELAY; fi", true},
      {"\tsleep\t$ROOTDELAY # wait for usb\n", true},
      {"\t\tif [ \"${ROOTDELAY:-0}\" -gt $slumber ]; then\n\t\t\tslumber=$ROOTDELAY\n\t\tfi\n"
       "\t\twhile true; do\n\t\t\tsleep 1\n", false},
      {"# sleep $ROOTDELAY\n", false},
      {"x=1 # then: sleep $ROOTDELAY\n", false},
      {"sleep $ROOTDELAYS\nsleep $ROOT_DELAY\nnosleep $ROOTDELAY\nsleep 0.1 $ROOTDELAY\n", false},
      {"echo sleep $ROOTDELAY_X\n", false},
      {"", false},
      {NULL, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    assert_int_equal(rh_script_sleeps_for(cases[i].script, "ROOTDELAY"), cases[i].sleeps);
  assert_false(rh_script_sleeps_for("sleep $X\n", ""));
}

/* what rh_guest_spec_present would say: "gone" is on no disk given */
static int present_unless_gone(const char *spec, void *opaque)
{
  (void)opaque;
  return strstr(spec, "gone") ? 0 : strstr(spec, "here") ? 1 : -1;
}

static void fstab_mounts_on_no_disk(void **state)
{
  (void)state;
  const char *fstab = "# comment gone\n"
                      "UUID=here / ext4 errors=remount-ro 0 1\n"
                      "/dev/mapper/data-gone /home xfs defaults 0 2\n"
                      "LABEL=gone-opt /opt ext4 noauto 0 0\n"
                      "LABEL=gone-srv /srv ext4 rw,nofail 0 0\n"
                      "gone:/export /mnt nfs defaults 0 0\n"
                      "UUID=gone-swap none swap sw 0 0\n"
                      "proc /proc proc defaults 0 0\n"
                      "PARTUUID=gone-var /var ext4"; /* three fields, no newline */
  char missing[256];
  json_object *ch = json_object_new_array();
  char *same = rh_fstab_missing(fstab, present_unless_gone, NULL, false, ch, missing, sizeof missing);
  assert_string_equal(same, fstab);
  assert_string_equal(missing, "/home (/dev/mapper/data-gone), none (UUID=gone-swap), /var (PARTUUID=gone-var)");
  assert_int_equal(json_object_array_length(ch), 0);
  char *nofail = rh_fstab_missing(fstab, present_unless_gone, NULL, true, ch, missing, sizeof missing);
  assert_string_equal(nofail, "# comment gone\n"
                              "UUID=here / ext4 errors=remount-ro 0 1\n"
                              "/dev/mapper/data-gone\t/home\txfs\tdefaults,nofail\t0\t2\n"
                              "LABEL=gone-opt /opt ext4 noauto 0 0\n"
                              "LABEL=gone-srv /srv ext4 rw,nofail 0 0\n"
                              "gone:/export /mnt nfs defaults 0 0\n"
                              "UUID=gone-swap\tnone\tswap\tsw,nofail\t0\t0\n"
                              "proc /proc proc defaults 0 0\n"
                              "PARTUUID=gone-var\t/var\text4\tdefaults,nofail\t0\t0\n");
  assert_int_equal(json_object_array_length(ch), 3);
  json_object *c = json_object_array_get_idx(ch, 0), *v;
  assert_true(json_object_object_get_ex(c, "action", &v));
  assert_string_equal(json_object_get_string(v), "fstab-nofail");
  assert_true(json_object_object_get_ex(c, "after", &v));
  assert_string_equal(json_object_get_string(v), "defaults,nofail");
  /* what is everywhere stays as it was, byte for byte */
  char *none = rh_fstab_missing("UUID=here / ext4 defaults 0 1\n\n", present_unless_gone, NULL, true, ch,
                                missing, sizeof missing);
  assert_string_equal(none, "UUID=here / ext4 defaults 0 1\n\n");
  assert_string_equal(missing, "");
  free(same);
  free(nofail);
  free(none);
  json_object_put(ch);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fstab_drops_network_and_uses_uuids),
      cmocka_unit_test(fstab_hardware_names),
      cmocka_unit_test(fstab_other_disks_names),
      cmocka_unit_test(adjtime_becomes_utc),
      cmocka_unit_test(ifupdown_static_to_dhcp),
      cmocka_unit_test(udev_mac_rules_commented),
      cmocka_unit_test(lvm_devices_file_named),
      cmocka_unit_test(lvm_filters),
      cmocka_unit_test(mdadm_conf),
      cmocka_unit_test(mdadm_conf_num_devices),
      cmocka_unit_test(script_sleeps_for_rootdelay),
      cmocka_unit_test(fstab_mounts_on_no_disk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
