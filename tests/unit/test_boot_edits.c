/* Unit tests for finalize's boot editors (the kernel command line in each
 * bootloader's configuration, GRUB's variables, boot device names to UUIDs):
 * exact output text and one change record per edit. */
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

/* the UUIDs of the source's root by its names */
static char *fake_uuid(const char *dev, const char *fstype, void *opaque)
{
  (void)opaque;
  if (!strcmp(dev, "/dev/sda1") && rh_fstype_matches(fstype, "ext4"))
    return strdup("0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1");
  if (!strcmp(dev, "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part2") &&
      rh_fstype_matches(fstype, "crypto_LUKS"))
    return strdup("7c1e2a55-1d6b-4a4e-9a77-0c55c3b1f2aa");
  /* a partition with nothing on it: a plain swap keyed at random */
  if (!strcmp(dev, "/dev/sda3") && fstype && !strcmp(fstype, RH_LOOKUP_PARTUUID)) return strdup("7b16d2aa-03");
  return NULL;
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
  struct rh_cmdline_ops ops = {add, rm, fake_uuid, NULL};
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
                           "root=UUID=0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1 rhgb quiet console=ttyS0 "
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
                           "# kopt=root=UUID=0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1 ro console=ttyS0 "
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

  /* crypttab: the encrypted device, the second field, by the source's
   * hardware; a UUID=, a comment, a name it does not resolve stay */
  json_object_put(ch);
  ch = json_object_new_array();
  out = rh_crypttab_rewrite("# <target> <source> <key> <options>\n"
                            "data\t/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part2  /etc/keys/data.key luks,discard\n"
                            "root_crypt UUID=5d1c2e4a-0000-4c76-8db2-a4011ca3f1d1 none luks\n"
                            "swap /dev/sdc1 /dev/urandom swap\n"
                            "cswap /dev/sda3 /dev/urandom swap,cipher=aes-xts-plain64,size=256\n"
                            "tmp /dev/sda3 /etc/keys/tmp.key tmp\n"
                            "luks /dev/sda3\n"
                            "ends /dev/sda3 /dev/urandom",
                            "/etc/crypttab", fake_uuid, NULL, ch);
  assert_string_equal(out, "# <target> <source> <key> <options>\n"
                           "data\tUUID=7c1e2a55-1d6b-4a4e-9a77-0c55c3b1f2aa  /etc/keys/data.key luks,discard\n"
                           "root_crypt UUID=5d1c2e4a-0000-4c76-8db2-a4011ca3f1d1 none luks\n"
                           "swap /dev/sdc1 /dev/urandom swap\n"
                           "cswap PARTUUID=7b16d2aa-03 /dev/urandom swap,cipher=aes-xts-plain64,size=256\n"
                           "tmp /dev/sda3 /etc/keys/tmp.key tmp\n"
                           "luks /dev/sda3\n"
                           "ends PARTUUID=7b16d2aa-03 /dev/urandom\n");
  /* two rewrites by LUKS UUID and PARTUUID (a random key: no header), and
   * warnings for /dev/sdc1 (no such partition), the key file's tmp and the
   * line without a key (a header wanted, none there) */
  assert_int_equal(json_object_array_length(ch), 6);
  assert_string_equal(json_object_get_string(json_object_object_get(json_object_array_get_idx(ch, 2), "after")),
                      "PARTUUID=7b16d2aa-03");
  free(out);
  json_object_put(ch);
  ch = json_object_new_array();

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
  assert_int_equal(json_object_array_length(ch), 2);
  again = rh_grub_cfg_root_rewrite(out, "/boot/grub/grub.cfg", "abcd-0123", ch);
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 2);
  free(again);
  free(out);
  json_object_put(ch);
}

/* what a package manager's run changed among an initramfs's inputs: a
 * generator's hook makes every image again, a module or rule only an image
 * that carries it, depmod's output never */
static void initramfs_inputs_touched(void **state)
{
  (void)state;
  char carried[128] = "", force[80];
  assert_false(rh_initramfs_inputs_touched(
      "/lib/modules/6.1.0-13-amd64/updates/dkms/vmw_fake.ko\n"
      "/lib/modules/6.1.0-13-amd64/modules.dep\n"
      "/usr/lib/modules/6.1.0-13-amd64/modules.alias.bin\n"
      "/etc/modprobe.d/vmw.conf\n"
      "\n"
      "/etc/modprobe.d/vmw.conf\n",
      carried, sizeof carried, force, sizeof force));
  assert_string_equal(carried, "lib/modules/6.1.0-13-amd64/updates/dkms/vmw_fake.ko etc/modprobe.d/vmw.conf");
  assert_string_equal(force, "");
  /* a module directory's own depmod output two levels down is a file like any other */
  carried[0] = 0;
  assert_false(rh_initramfs_inputs_touched("/lib/modules/6.1.0/extra/modules.order.ko\n", carried,
                                           sizeof carried, force, sizeof force));
  assert_string_equal(carried, "lib/modules/6.1.0/extra/modules.order.ko");
  /* hooks and configuration of initramfs-tools and dracut: the first named */
  carried[0] = 0;
  assert_true(rh_initramfs_inputs_touched("/lib/udev/rules.d/99-vmw.rules\n"
                                          "/usr/share/initramfs-tools/hooks/vmware\n"
                                          "/usr/lib/dracut/modules.d/90vmw/module-setup.sh\n",
                                          carried, sizeof carried, force, sizeof force));
  assert_string_equal(force, "/usr/share/initramfs-tools/hooks/vmware");
  assert_string_equal(carried, "lib/udev/rules.d/99-vmw.rules");
  for (const char *p = "/etc/initramfs-tools/modules\0/usr/lib/dracut.conf.d/01-x.conf\0"
                       "/etc/dracut.conf\0/etc/dracut.conf.d/x.conf\0/lib/dracut/dracut-install\0";
       *p; p += strlen(p) + 1) {
    carried[0] = 0;
    assert_true(rh_initramfs_inputs_touched(p, carried, sizeof carried, force, sizeof force));
    assert_string_equal(force, p);
  }
  /* a name no listing gives as one word */
  carried[0] = 0;
  assert_true(rh_initramfs_inputs_touched("/lib/firmware/a b.bin\n/lib/firmware/c\033[2J.bin\n", carried,
                                          sizeof carried, force, sizeof force));
  assert_string_equal(force, "a file whose name has white space or control characters");
  assert_string_equal(carried, "");
  /* a name with a newline in it comes as two lines, the second not a path:
   * every image, rather than a piece of a name judged */
  carried[0] = 0;
  assert_true(rh_initramfs_inputs_touched("/lib/modules/6.1.0/extra/x\n== end\n", carried, sizeof carried,
                                          force, sizeof force));
  assert_string_equal(force, "a file whose name has white space or control characters");
  /* more than the list holds: every image, rather than one missed */
  char small[40] = "";
  assert_true(rh_initramfs_inputs_touched("/lib/firmware/a.bin\n/lib/firmware/vendor/long-name.bin\n",
                                          small, sizeof small, force, sizeof force));
  assert_string_equal(small, "lib/firmware/a.bin");
  assert_string_equal(force, "/lib/firmware/vendor/long-name.bin (and more)");
  /* nothing changed */
  carried[0] = 0;
  assert_false(rh_initramfs_inputs_touched("", carried, sizeof carried, force, sizeof force));
  assert_string_equal(carried, "");
  /* the directories listed in the guest include every prefix judged above */
  int seen = 0;
  for (const char *const *d = rh_initramfs_input_dirs; *d; d++)
    seen += !strcmp(*d, "/usr/share/initramfs-tools") + !strcmp(*d, "/etc/dracut.conf.d") + !strcmp(*d, "/lib/modules");
  assert_int_equal(seen, 3);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(grub_cmdline_edits),
      cmocka_unit_test(initramfs_inputs_touched),
      cmocka_unit_test(grub_set_var_replaces_or_appends),
      cmocka_unit_test(bls_entry_options_edited),
      cmocka_unit_test(extlinux_append_edited),
      cmocka_unit_test(grub_legacy_kernel_lines),
      cmocka_unit_test(cmdline_eth_names_replace_the_guests),
      cmocka_unit_test(grub_d_file_edited_not_added_to),
      cmocka_unit_test(grub_cfg_menu_or_stub),
      cmocka_unit_test(boot_device_names_to_uuid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
