/* Unit tests for finalize's file editors: exact output text and one change
 * record per edit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../finalize/edits.h"

static const char *action(json_object *changes, size_t i)
{
  json_object *v;
  json_object_object_get_ex(json_object_array_get_idx(changes, i), "action", &v);
  return json_object_get_string(v);
}

static char *lookup(const char *dev, void *opaque)
{
  (void)opaque;
  if (!strcmp(dev, "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part2"))
    return strdup("0b4f7c5e-1111-2222-3333-777788889999");
  return !strcmp(dev, "/dev/sda1") ? strdup("0b4f7c5e-1111-2222-3333-444455556666") : NULL;
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

static void grub_cmdline_edits(void **state)
{
  (void)state;
  char *add[] = {"console=ttyS0", "earlyprintk=ttyS0", "rootdelay=300", NULL};
  char *rm[] = {"console=", "earlyprintk=", "rootdelay=", NULL};
  struct rh_cmdline_ops ops = {add, rm, NULL, NULL};
  const char *in = "GRUB_DEFAULT=0\n"
                   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet console=tty0\"\n"
                   "GRUB_CMDLINE_LINUX=\"net.ifnames=0 console=tty1\"\n";
  json_object *ch = json_object_new_array();
  char *out = rh_grub_cmdline_rewrite(in, &ops, ch);
  assert_string_equal(out, "GRUB_DEFAULT=0\n"
                           "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
                           "GRUB_CMDLINE_LINUX=\"net.ifnames=0 console=ttyS0 earlyprintk=ttyS0 rootdelay=300\"\n");
  assert_int_equal(json_object_array_length(ch), 2);
  char *again = rh_grub_cmdline_rewrite(out, &ops, ch); /* idempotent */
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 2);
  free(again);
  /* added arguments already present stay where they are */
  again = rh_grub_cmdline_rewrite("GRUB_CMDLINE_LINUX=\"console=ttyS0 earlyprintk=ttyS0 "
                                  "rootdelay=300 net.ifnames=0\"\n", &ops, ch);
  assert_string_equal(again, "GRUB_CMDLINE_LINUX=\"console=ttyS0 earlyprintk=ttyS0 rootdelay=300 "
                             "net.ifnames=0\"\n");
  assert_int_equal(json_object_array_length(ch), 2);
  free(again);
  free(out);
  /* the prefixed arguments in another order (a console= set by an earlier
   * platform): replaced, in the profile's order (the last console= is the
   * primary one) */
  char *hv_add[] = {"console=tty0", "console=ttyS0", "net.ifnames=0", NULL};
  char *hv_rm[] = {"console=", NULL};
  struct rh_cmdline_ops hv = {hv_add, hv_rm, NULL, NULL};
  again = rh_grub_cmdline_rewrite("GRUB_CMDLINE_LINUX=\"console=ttyS0 net.ifnames=0\"\n", &hv, ch);
  assert_string_equal(again, "GRUB_CMDLINE_LINUX=\"net.ifnames=0 console=tty0 console=ttyS0\"\n");
  char *third = rh_grub_cmdline_rewrite(again, &hv, ch);
  assert_string_equal(third, again);
  free(third);
  free(again);
  out = rh_grub_cmdline_rewrite("GRUB_TIMEOUT=5\n", &ops, ch); /* no variable: added */
  assert_string_equal(out, "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"console=ttyS0 earlyprintk=ttyS0 rootdelay=300\"\n");
  free(out);
  json_object_put(ch);
}

static void grub_set_var_replaces_or_appends(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  char *out = rh_grub_set_var("#GRUB_TERMINAL=console\nGRUB_TIMEOUT=0\n", "GRUB_TERMINAL",
                              "console serial", "r", ch);
  assert_string_equal(out, "#GRUB_TERMINAL=console\nGRUB_TIMEOUT=0\nGRUB_TERMINAL=\"console serial\"\n");
  assert_int_equal(json_object_array_length(ch), 1);
  char *again = rh_grub_set_var(out, "GRUB_TERMINAL", "console serial", "r", ch); /* idempotent */
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 1);
  free(again);
  free(out);
  /* an existing assignment is replaced in place; a duplicate goes */
  out = rh_grub_set_var("GRUB_TERMINAL=gfxterm\nX=1\n GRUB_TERMINAL='console'\n", "GRUB_TERMINAL",
                        "serial", "r", ch);
  assert_string_equal(out, "GRUB_TERMINAL=\"serial\"\nX=1\n");
  assert_int_equal(json_object_array_length(ch), 3);
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

static void bls_entry_options_edited(void **state)
{
  (void)state;
  char *add[] = {"console=tty0", "console=ttyS0", NULL}, *rm[] = {"console=", NULL};
  struct rh_cmdline_ops ops = {add, rm, NULL, NULL};
  const char *in = "title Red Hat Enterprise Linux (5.14.0) 9.3\n"
                   "version 5.14.0-362.el9.x86_64\n"
                   "linux /vmlinuz-5.14.0-362.el9.x86_64\n"
                   "options root=/dev/mapper/rhel-root ro console=tty1 rd.lvm.lv=rhel/root\n"
                   "grub_users $grub_users\n";
  json_object *ch = json_object_new_array();
  char *out = rh_bls_options_rewrite(in, "/boot/loader/entries/x.conf", &ops, ch);
  assert_non_null(strstr(out, "\noptions root=/dev/mapper/rhel-root ro rd.lvm.lv=rhel/root "
                              "console=tty0 console=ttyS0\ngrub_users $grub_users\n"));
  assert_int_equal(json_object_array_length(ch), 1);
  assert_string_equal(action(ch, 0), "kernel-cmdline");
  /* a second pass changes nothing */
  char *again = rh_bls_options_rewrite(out, "/boot/loader/entries/x.conf", &ops, ch);
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 1);
  /* RHEL 8's "options $kernelopts": grubenv holds them; left to grub2-mkconfig */
  char *k = rh_bls_options_rewrite("linux /vmlinuz\noptions $kernelopts $tuned_params\n", "e.conf", &ops, ch);
  assert_string_equal(k, "linux /vmlinuz\noptions $kernelopts $tuned_params\n");
  free(k);
  free(again);
  free(out);
  json_object_put(ch);
}

/* extlinux/syslinux: the APPEND lines of the labels that boot Linux, in
 * any keyword case; a chain-loading or COM32 label's APPEND (its module's
 * arguments) untouched; a Linux label without APPEND gets one with the
 * global APPEND's arguments it inherited; a second pass changes nothing */
static void extlinux_append_edited(void **state)
{
  (void)state;
  char *add[] = {"console=ttyS0", "net.ifnames=0", NULL}, *rm[] = {"console=", NULL};
  struct rh_cmdline_ops ops = {add, rm, NULL, NULL};
  const char *in = "# extlinux.conf\n"
                   "DEFAULT debian\n"
                   "APPEND quiet\n"
                   "LABEL debian\n"
                   "\tMENU LABEL Debian\n"
                   "\tLINUX /boot/vmlinuz-6.1.0-50-amd64\n"
                   "\tINITRD /boot/initrd.img-6.1.0-50-amd64\n"
                   "\tappend root=UUID=9187df28 ro console=tty0\n"
                   "label old\n"
                   "  kernel /boot/vmlinuz-old initrd=initrd.img\n"
                   "label hd\n"
                   "  KERNEL chain.c32\n"
                   "  APPEND hd1 1\n"
                   "LABEL memtest\n"
                   "  KERNEL /boot/memtest86+.bin\n"
                   "LABEL bare\n"
                   "  LINUX /vmlinuz\n"
                   "  APPEND -";
  json_object *ch = json_object_new_array();
  int labels = 0;
  char *out = rh_extlinux_rewrite(in, "/boot/extlinux/extlinux.conf", &ops, ch, &labels);
  assert_string_equal(out, "# extlinux.conf\n"
                           "DEFAULT debian\n"
                           "APPEND quiet\n"
                           "LABEL debian\n"
                           "\tMENU LABEL Debian\n"
                           "\tLINUX /boot/vmlinuz-6.1.0-50-amd64\n"
                           "\tINITRD /boot/initrd.img-6.1.0-50-amd64\n"
                           "\tappend root=UUID=9187df28 ro console=ttyS0 net.ifnames=0\n"
                           "label old\n"
                           "  kernel /boot/vmlinuz-old initrd=initrd.img\n"
                           "  APPEND quiet console=ttyS0 net.ifnames=0\n"
                           "label hd\n"
                           "  KERNEL chain.c32\n"
                           "  APPEND hd1 1\n"
                           "LABEL memtest\n"
                           "  KERNEL /boot/memtest86+.bin\n"
                           "LABEL bare\n"
                           "  LINUX /vmlinuz\n"
                           "  APPEND console=ttyS0 net.ifnames=0\n");
  assert_int_equal(labels, 3);
  assert_int_equal(json_object_array_length(ch), 3);
  assert_string_equal(action(ch, 0), "kernel-cmdline");
  char *again = rh_extlinux_rewrite(out, "/boot/extlinux/extlinux.conf", &ops, ch, NULL);
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 3);
  /* a file without labels (an included menu): unchanged, nothing counted */
  labels = 0;
  char *menu = rh_extlinux_rewrite("MENU TITLE Boot\nTIMEOUT 50", "menu.cfg", &ops, ch, &labels);
  assert_string_equal(menu, "MENU TITLE Boot\nTIMEOUT 50");
  assert_int_equal(labels, 0);
  /* the last line a kernel line without a newline: the APPEND on a line of its own */
  char *last = rh_extlinux_rewrite("LABEL l\nLINUX /vmlinuz", "x.conf", &ops, ch, NULL);
  assert_string_equal(last, "LABEL l\nLINUX /vmlinuz\nAPPEND console=ttyS0 net.ifnames=0\n");
  free(last);
  free(menu);
  free(again);
  free(out);
  /* Alpine: update-extlinux writes default_kernel_opts on every entry */
  char *alp = rh_update_extlinux_rewrite("overwrite=1\ndefault_kernel_opts=\"quiet rootfstype=ext4\"\n"
                                         "modules=sd-mod,usb-storage,ext4\n",
                                         "/etc/update-extlinux.conf", &ops, ch);
  assert_string_equal(alp, "overwrite=1\ndefault_kernel_opts=\"quiet rootfstype=ext4 "
                           "console=ttyS0 net.ifnames=0\"\nmodules=sd-mod,usb-storage,ext4\n");
  free(alp);
  json_object_put(ch);
}

/* GRUB legacy (RHEL 6's grub.conf, Debian's menu.lst): the kernel line of
 * each entry that boots Linux, after its file, with the root's device name
 * as its UUID; a Xen entry's first module line; Debian's "# kopt=" line;
 * chain-loading and other kernels' entries, and lines before the first
 * title, untouched; a second pass changes nothing */
static void grub_legacy_kernel_lines(void **state)
{
  (void)state;
  char *add[] = {"console=ttyS0", "net.ifnames=0", NULL}, *rm[] = {"console=", NULL};
  struct rh_cmdline_ops ops = {add, rm, lookup, NULL};
  const char *in = "default=0\n"
                   "timeout=5\n"
                   "kernel /vmlinuz-stray ro\n"
                   "title CentOS (2.6.32-754.el6.x86_64)\n"
                   "\troot (hd0,0)\n"
                   "\tkernel /vmlinuz-2.6.32-754.el6.x86_64 ro root=/dev/sda1 rhgb  console=tty0 quiet\n"
                   "\tinitrd /initramfs-2.6.32-754.el6.x86_64.img\n"
                   "title Xen\n"
                   "\tkernel (hd0,0)/xen.gz-4.1 dom0_mem=1024M\n"
                   "\tmodule /vmlinuz-2.6.18-xen ro root=LABEL=/\n"
                   "\tmodule /initrd-2.6.18-xen.img\n"
                   "title Windows\n"
                   "\trootnoverify (hd0,1)\n"
                   "\tchainloader +1\n"
                   "title NetBSD\n"
                   "\tkernel --type=netbsd /netbsd -s\n"
                   "### BEGIN AUTOMAGIC KERNELS LIST\n"
                   "# kopt=root=/dev/sda1 ro\n"
                   "## ## End Default Options ##\n"
                   "title\t\tDebian GNU/Linux, kernel 2.6.26-2-686\n"
                   "kernel=/boot/vmlinuz-2.6.26-2-686";
  json_object *ch = json_object_new_array();
  int entries = 0;
  char *out = rh_grub_legacy_rewrite(in, "/boot/grub/grub.conf", &ops, ch, &entries);
  assert_non_null(out);
  assert_string_equal(out, "default=0\n"
                           "timeout=5\n"
                           "kernel /vmlinuz-stray ro\n"
                           "title CentOS (2.6.32-754.el6.x86_64)\n"
                           "\troot (hd0,0)\n"
                           "\tkernel /vmlinuz-2.6.32-754.el6.x86_64 ro "
                           "root=UUID=0b4f7c5e-1111-2222-3333-444455556666 rhgb quiet console=ttyS0 "
                           "net.ifnames=0\n"
                           "\tinitrd /initramfs-2.6.32-754.el6.x86_64.img\n"
                           "title Xen\n"
                           "\tkernel (hd0,0)/xen.gz-4.1 dom0_mem=1024M\n"
                           "\tmodule /vmlinuz-2.6.18-xen ro root=LABEL=/ console=ttyS0 net.ifnames=0\n"
                           "\tmodule /initrd-2.6.18-xen.img\n"
                           "title Windows\n"
                           "\trootnoverify (hd0,1)\n"
                           "\tchainloader +1\n"
                           "title NetBSD\n"
                           "\tkernel --type=netbsd /netbsd -s\n"
                           "### BEGIN AUTOMAGIC KERNELS LIST\n"
                           "# kopt=root=UUID=0b4f7c5e-1111-2222-3333-444455556666 ro console=ttyS0 "
                           "net.ifnames=0\n"
                           "## ## End Default Options ##\n"
                           "title\t\tDebian GNU/Linux, kernel 2.6.26-2-686\n"
                           "kernel=/boot/vmlinuz-2.6.26-2-686 console=ttyS0 net.ifnames=0");
  assert_int_equal(entries, 3);
  size_t records = json_object_array_length(ch);
  assert_true(records >= 4);
  entries = 0;
  char *again = rh_grub_legacy_rewrite(out, "/boot/grub/grub.conf", &ops, ch, &entries);
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), records);
  assert_int_equal(entries, 3);
  /* an entry with two kernel lines is not guessed at */
  const char *two = "title x\nkernel /a ro\nkernel /b ro\n";
  char *t = rh_grub_legacy_rewrite(two, "m", &ops, ch, NULL);
  assert_string_equal(t, two);
  free(t);
  free(again);
  free(out);
  json_object_put(ch);
}

/* the eth names the network files now use: a guest's own net.ifnames=1
 * (or biosdevname=1) goes, where it would undo them; a second pass keeps
 * the line as it is */
static void cmdline_eth_names_replace_the_guests(void **state)
{
  (void)state;
  char *add[] = {"console=ttyS0", "net.ifnames=0", "biosdevname=0", NULL};
  char *rm[] = {"console=", "net.ifnames=", "biosdevname=", NULL};
  char *out = rh_cmdline_edit("ro net.ifnames=1 quiet biosdevname=1 console=tty0", add, rm);
  assert_string_equal(out, "ro quiet console=ttyS0 net.ifnames=0 biosdevname=0");
  char *again = rh_cmdline_edit(out, add, rm);
  assert_string_equal(again, out);
  free(again);
  free(out);
}

/* a file of /etc/default/grub.d (Ubuntu's cloud images): the values it
 * sets are edited, nothing it does not set is added */
static void grub_d_file_edited_not_added_to(void **state)
{
  (void)state;
  char *add[] = {"console=ttyS0", "net.ifnames=0", NULL}, *rm[] = {"console=", NULL};
  struct rh_cmdline_ops ops = {add, rm, NULL, NULL};
  const char *f = "/etc/default/grub.d/50-cloudimg-settings.cfg";
  const char *in = "GRUB_TIMEOUT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0\"\n"
                   "GRUB_TERMINAL=console\n";
  json_object *ch = json_object_new_array();
  char *out = rh_grub_cmdline_rewrite_in(in, f, &ops, false, ch);
  assert_string_equal(out, "GRUB_TIMEOUT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"\"\nGRUB_TERMINAL=console\n");
  char *t = rh_grub_set_var_in(out, f, "GRUB_TERMINAL", "console serial", "r", false, ch);
  assert_string_equal(t, "GRUB_TIMEOUT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"\"\nGRUB_TERMINAL=\"console serial\"\n");
  char *t2 = rh_grub_set_var_in(t, f, "GRUB_SERIAL_COMMAND", "serial", "r", false, ch);
  assert_string_equal(t2, t);
  assert_int_equal(json_object_array_length(ch), 2);
  assert_string_equal(json_object_get_string(json_object_object_get(json_object_array_get_idx(ch, 0), "file")), f);
  free(t2);
  free(t);
  free(out);
  json_object_put(ch);
}

/* a grub.cfg with the menu, against the ESP's stub that hands over */
static void grub_cfg_menu_or_stub(void **state)
{
  (void)state;
  assert_false(rh_grub_cfg_has_menu("search --no-floppy --fs-uuid --set=dev 1234-abcd\n"
                                    "set prefix=($dev)/grub2\nexport $prefix\n"
                                    "configfile $prefix/grub.cfg\n"));
  assert_true(rh_grub_cfg_has_menu("### BEGIN /etc/grub.d/10_linux ###\n"
                                   "menuentry 'CentOS Linux' --class centos {\n  linuxefi /vmlinuz\n}\n"));
  assert_true(rh_grub_cfg_has_menu("insmod blscfg\nblscfg\n"));
}

/* the guest's UUIDs, as the appliance would find them; NULL for a name
 * whose disk is unknown */
static char *fake_uuid(const char *dev, void *opaque)
{
  (void)opaque;
  if (!strcmp(dev, "/dev/sda1")) return strdup("0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1");
  if (!strcmp(dev, "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part2"))
    return strdup("7c1e2a55-1d6b-4a4e-9a77-0c55c3b1f2aa");
  return NULL;
}

static void boot_device_names_to_uuid(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  /* root= and resume= by the source's hardware; the rest kept as it is */
  char *out = rh_cmdline_devices("ro  root=/dev/sda1 resume=/dev/disk/by-id/"
                                 "scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part2 quiet",
                                 fake_uuid, NULL, "/etc/default/grub", ch);
  assert_string_equal(out, "ro root=UUID=0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1 "
                           "resume=UUID=7c1e2a55-1d6b-4a4e-9a77-0c55c3b1f2aa quiet");
  assert_int_equal(json_object_array_length(ch), 2);
  assert_string_equal(action(ch, 0), "device-name-to-uuid");
  free(out);
  /* stable names and other arguments are not touched, blanks and all */
  const char *fine = "root=/dev/mapper/vg-root  resume=UUID=x rd.lvm.lv=vg/root "
                     "root_delay=/dev/sda1 console=/dev/sda1";
  out = rh_cmdline_devices(fine, fake_uuid, NULL, "f", ch);
  assert_string_equal(out, fine);
  assert_int_equal(json_object_array_length(ch), 2);
  free(out);
  /* no UUID found: left as is, with a warning */
  out = rh_cmdline_devices("root=/dev/vdb3", fake_uuid, NULL, "f", ch);
  assert_string_equal(out, "root=/dev/vdb3");
  assert_int_equal(json_object_array_length(ch), 3);
  assert_string_equal(action(ch, 2), "warning");
  free(out);

  /* through /etc/default/grub, with the profile's arguments */
  char *add[] = {"console=ttyS0", NULL}, *rm[] = {"console=", NULL};
  struct rh_cmdline_ops ops = {add, rm, fake_uuid, NULL};
  json_object_put(ch);
  ch = json_object_new_array();
  out = rh_grub_cmdline_rewrite("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet resume=/dev/sda1\"\n"
                                "GRUB_CMDLINE_LINUX=\"root=/dev/sda1 console=tty0\"\n", &ops, ch);
  assert_string_equal(out, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet resume=UUID=0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1\"\n"
                           "GRUB_CMDLINE_LINUX=\"root=UUID=0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1 console=ttyS0\"\n");
  /* two device records, and the console's kernel-cmdline record */
  assert_int_equal(json_object_array_length(ch), 3);
  char *again = rh_grub_cmdline_rewrite(out, &ops, ch);
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 3);
  free(again);
  free(out);
  /* a BLS entry */
  out = rh_bls_options_rewrite("linux /vmlinuz\noptions root=/dev/sda1 ro console=ttyS0\n", "e.conf",
                               &ops, ch);
  assert_string_equal(out, "linux /vmlinuz\noptions root=UUID=0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1 "
                           "ro console=ttyS0\n");
  free(out);

  /* Debian's resume file */
  json_object_put(ch);
  ch = json_object_new_array();
  out = rh_resume_conf_rewrite("# swap\nRESUME=\"/dev/sda1\"\nOTHER=1", "r", fake_uuid, NULL, ch);
  assert_string_equal(out, "# swap\nRESUME=UUID=0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1\nOTHER=1");
  assert_int_equal(json_object_array_length(ch), 1);
  free(out);
  out = rh_resume_conf_rewrite("RESUME=UUID=x\nRESUME=none\n", "r", fake_uuid, NULL, ch);
  assert_string_equal(out, "RESUME=UUID=x\nRESUME=none\n");
  assert_int_equal(json_object_array_length(ch), 1);
  free(out);

  /* a generated grub.cfg: the root's device name on linux lines only */
  const char *cfg = "menuentry 'Debian' {\n"
                    "\tset root='hd0,msdos1'\n"
                    "\tlinux\t/boot/vmlinuz-6.1 root=/dev/sdb1 ro  quiet\n"
                    "\tinitrd\t/boot/initrd.img-6.1\n"
                    "}\n"
                    "# root=/dev/sda1 in a comment\n"
                    "\tlinux16 /vmlinuz root=/dev/mapper/vg-root root=/dev/sda1\n";
  out = rh_grub_cfg_root_rewrite(cfg, "/boot/grub/grub.cfg", "abcd-0123", ch);
  assert_string_equal(out, "menuentry 'Debian' {\n"
                           "\tset root='hd0,msdos1'\n"
                           "\tlinux\t/boot/vmlinuz-6.1 root=UUID=abcd-0123 ro  quiet\n"
                           "\tinitrd\t/boot/initrd.img-6.1\n"
                           "}\n"
                           "# root=/dev/sda1 in a comment\n"
                           "\tlinux16 /vmlinuz root=/dev/mapper/vg-root root=UUID=abcd-0123\n");
  assert_int_equal(json_object_array_length(ch), 3);
  again = rh_grub_cfg_root_rewrite(out, "/boot/grub/grub.cfg", "abcd-0123", ch);
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 3);
  free(again);
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

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fstab_drops_network_and_uses_uuids),
      cmocka_unit_test(fstab_hardware_names),
      cmocka_unit_test(adjtime_becomes_utc),
      cmocka_unit_test(grub_cmdline_edits),
      cmocka_unit_test(grub_set_var_replaces_or_appends),
      cmocka_unit_test(ifupdown_static_to_dhcp),
      cmocka_unit_test(bls_entry_options_edited),
      cmocka_unit_test(extlinux_append_edited),
      cmocka_unit_test(grub_legacy_kernel_lines),
      cmocka_unit_test(grub_cfg_menu_or_stub),
      cmocka_unit_test(grub_d_file_edited_not_added_to),
      cmocka_unit_test(cmdline_eth_names_replace_the_guests),
      cmocka_unit_test(udev_mac_rules_commented),
      cmocka_unit_test(boot_device_names_to_uuid),
      cmocka_unit_test(lvm_devices_file_named),
      cmocka_unit_test(lvm_filters),
      cmocka_unit_test(mdadm_conf),
      cmocka_unit_test(script_sleeps_for_rootdelay),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
