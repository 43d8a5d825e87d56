/* libFuzzer: the guest-configuration parsers (fstab, adjtime, ifupdown,
 * ifcfg, systemd-networkd, NetworkManager keyfiles, netplan, udev MAC rules) and the editors that rewrite
 * those files (finalize/edits.c), on arbitrary text; and the guest's package
 * list as the source-tools step reads it (what it selects goes into a
 * command line). */
#include "../finalize/edits.h"
#include "../finalize/net_edits.h"
#define REHOST_MD_RUN_PARSE_ONLY
#include "../guest/md_run.h"
#include "../guest/guestconf.h"
#include "../profiles/source_tools.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int present_by_length(const char *spec, void *opaque)
{
  (void)opaque;
  return (int)(strlen(spec) % 3) - 1;
}

static char *uuid_of(const char *dev, const char *fstype, void *opaque)
{
  (void)opaque;
  /* a partition keyed at random: some have a PARTUUID */
  if (fstype && !strcmp(fstype, RH_LOOKUP_PARTUUID)) return strlen(dev) % 2 ? strdup("7b16d2aa-03") : NULL;
  /* some names resolve, to one UUID or another, of one type */
  if (!rh_fstype_matches(fstype, strlen(dev) % 3 ? "ext4" : "crypto_LUKS")) return NULL;
  return strlen(dev) % 2 ? strdup(strlen(dev) % 5 ? "0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1"
                                                  : "0F8EA39E-6A12-4C76-8DB2-A4011CA3F1D2")
                         : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  json_object *o, *arr = json_object_new_array(), *rules = json_object_new_array(),
                  *changes = json_object_new_array();
  o = rh_fstab_parse(text);
  json_object_put(o);
  o = rh_adjtime_parse(text);
  json_object_put(o);
  rh_ifupdown_parse(text, "/etc/network/interfaces", arr);
  rh_ifcfg_parse(text, "/etc/sysconfig/network-scripts/ifcfg-eth0", arr, rules);
  rh_ifcfg_parse(text, "/etc/sysconfig/network/ifcfg-eth0", arr, rules);
  rh_networkd_parse(text, "/etc/systemd/network/10.network", arr, rules);
  rh_nm_keyfile_parse(text, "/etc/NetworkManager/system-connections/x.nmconnection", arr, rules);
  rh_netplan_parse(text, "/etc/netplan/01.yaml", arr, rules);
  rh_udev_mac_rules_parse(text, "/etc/udev/rules.d/70-persistent-net.rules", rules);
  free(rh_kv_get(text, "HWADDR"));
  rh_dpkg_installed(text, "cloud-init");
  rh_script_sleeps_for(text, "ROOTDELAY");
  char debconf[64];
  if (rh_debconf_value(text, "grub-pc/install_devices", debconf, sizeof debconf) &&
      strlen(debconf) >= sizeof debconf)
    abort();
  char lvm_name[128];
  if (rh_lvm_devices_file(text, lvm_name, sizeof lvm_name) &&
      (strchr(lvm_name, '/') || lvm_name[0] == '.'))
    abort(); /* a name that would leave /etc/lvm/devices */
  bool lvm_changed = false, lvm_again_changed = false;
  char *lvm = rh_lvm_filter_rewrite(text, changes, &lvm_changed);
  char *lvm_again = lvm ? rh_lvm_filter_rewrite(lvm, NULL, &lvm_again_changed) : NULL;
  if (lvm_again && (lvm_again_changed || strcmp(lvm_again, lvm) != 0)) abort();
  free(lvm);
  free(lvm_again);
  /* mdadm.conf: stable on its own output */
  bool md_changed = false, md_again_changed = false;
  char *md = rh_mdadm_conf_rewrite(text, "/etc/mdadm/mdadm.conf", changes, &md_changed);
  char *md_again = md ? rh_mdadm_conf_rewrite(md, "f", NULL, &md_again_changed) : NULL;
  if (md_again && (md_again_changed || strcmp(md_again, md) != 0)) abort();
  free(md);
  free(md_again);
  /* num-devices= of an array made whole: stable on its own output */
  md = rh_mdadm_conf_num_devices(text, "f", "3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b", 1, changes,
                                 &md_changed);
  md_again = md ? rh_mdadm_conf_num_devices(md, "f", "3b6e1f0a:5c2d4e8f:9a1b7c3d:2e4f6a8b", 1,
                                            NULL, &md_again_changed)
                : NULL;
  if (md_again && (md_again_changed || strcmp(md_again, md) != 0)) abort();
  free(md);
  free(md_again);
  /* the md_run script's report */
  struct rh_md_run runs[4];
  size_t nruns = rh_md_run_parse(text, runs, 4);
  for (size_t i = 0; i < nruns; i++)
    if (runs[i].missing > runs[i].raid_disks || strncmp(runs[i].dev, "/dev/md", 7)) abort();
  char *add[] = {"console=ttyS0", "net.ifnames=0", NULL}, *rm[] = {"console=", NULL};
  struct rh_cmdline_ops ops = {add, rm, uuid_of, NULL};
  char *outs[] = {
      rh_fstab_rewrite(text, true, true, uuid_of, NULL, changes),
      rh_adjtime_rewrite(text, changes),
      rh_grub_cmdline_rewrite(text, &ops, changes),
      rh_grub_set_var(text, "GRUB_TERMINAL", "console serial", "fuzz", changes),
      rh_ifupdown_rewrite(text, "/etc/network/interfaces", true, true, NULL, changes),
      rh_udev_rules_rewrite(text, "/etc/udev/rules.d/70-persistent-net.rules", changes),
      rh_bls_options_rewrite(text, "/boot/loader/entries/x.conf", &ops, changes),
      rh_resume_conf_rewrite(text, "/etc/initramfs-tools/conf.d/resume", uuid_of, NULL, changes),
      rh_grub_cfg_root_rewrite(text, "/boot/grub/grub.cfg", "0123-abcd", changes),
      rh_extlinux_rewrite(text, "/boot/extlinux/extlinux.conf", &ops, changes, NULL),
      rh_update_extlinux_rewrite(text, "/etc/update-extlinux.conf", &ops, changes),
      rh_grub_legacy_rewrite(text, "/boot/grub/menu.lst", &ops, changes, NULL),
      rh_crypttab_rewrite(text, "/etc/crypttab", uuid_of, NULL, changes),
  };
  /* the editors are idempotent: a second pass changes nothing */
  char *again = outs[2] ? rh_grub_cmdline_rewrite(outs[2], &ops, NULL) : NULL;
  if (again && strcmp(again, outs[2]) != 0) abort();
  free(again);
  again = outs[6] ? rh_bls_options_rewrite(outs[6], "x.conf", &ops, NULL) : NULL;
  if (again && strcmp(again, outs[6]) != 0) abort();
  free(again);
  char *gone[] = {"10.0.2.15", "fd00::1", NULL};
  char *hosts = rh_hosts_rewrite(text, gone, changes);
  again = hosts ? rh_hosts_rewrite(hosts, gone, NULL) : NULL;
  if (again && strcmp(again, hosts) != 0) abort();
  free(again);
  free(hosts);
  /* the servers fit whole, or are left out */
  char servers[32];
  if (rh_resolv_nameservers(text, servers, sizeof servers) && strlen(servers) >= sizeof servers) abort();
  again = outs[7] ? rh_resume_conf_rewrite(outs[7], "r", uuid_of, NULL, NULL) : NULL;
  if (again && strcmp(again, outs[7]) != 0) abort();
  free(again);
  again = outs[12] ? rh_crypttab_rewrite(outs[12], "c", uuid_of, NULL, NULL) : NULL;
  if (again && strcmp(again, outs[12]) != 0) abort();
  free(again);
  again = outs[8] ? rh_grub_cfg_root_rewrite(outs[8], "g", "0123-abcd", NULL) : NULL;
  if (again && strcmp(again, outs[8]) != 0) abort();
  free(again);
  int labels = 0;
  again = outs[9] ? rh_extlinux_rewrite(outs[9], "e", &ops, NULL, &labels) : NULL;
  if (again && strcmp(again, outs[9]) != 0) abort();
  free(again);
  again = outs[10] ? rh_update_extlinux_rewrite(outs[10], "u", &ops, NULL) : NULL;
  if (again && strcmp(again, outs[10]) != 0) abort();
  free(again);
  int entries = 0, entries_again = 0;
  free(rh_grub_legacy_rewrite(text, "m", &ops, NULL, &entries));
  again = outs[11] ? rh_grub_legacy_rewrite(outs[11], "m", &ops, NULL, &entries_again) : NULL;
  if (again && (strcmp(again, outs[11]) != 0 || entries != entries_again)) abort();
  free(again);
  for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) free(outs[i]);
  json_object_put(arr);
  json_object_put(rules);
  char missing[128];
  for (int nofail = 0; nofail < 2; nofail++) {
    char *checked = rh_fstab_missing(text, present_by_length, NULL, nofail, changes, missing, sizeof missing);
    if (checked && !nofail && strcmp(checked, text)) __builtin_trap(); /* a check alone changes nothing */
    free(checked);
  }
  json_object_put(changes);
  char *patterns[] = {"open-vm-tools", "open-vm-tools-*", "VMwareTools", NULL}, *keep[] = {"open-vm-tools-desktop", NULL};
  struct rh_source_tools tools = {.packages = patterns};
  char sel[64] = "";
  rh_source_tools_select(&tools, text, keep, sel, sizeof sel);
  if (strspn(sel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._ ") != strlen(sel) ||
      sel[0] == '-' || strstr(sel, " -"))
    __builtin_trap(); /* only package names reach the command line */
  for (char *sp, *w = strtok_r(sel, " ", &sp); w; w = strtok_r(NULL, " ", &sp))
    if (!strcmp(w, "open-vm-tools-desktop")) __builtin_trap(); /* never what the target keeps */
  /* the paths a package manager's run changed, as the guest lists them */
  char carried[96] = "", force[48];
  bool must = rh_initramfs_inputs_touched(text, carried, sizeof carried, force, sizeof force);
  if (must != (force[0] != 0) || strchr(carried, '\n') || strchr(carried, '\t')) __builtin_trap();
  free(text);
  return 0;
}
