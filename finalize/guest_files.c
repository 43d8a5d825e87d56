#include "edits.h"

#include "../guest/guestconf.h"
#include "guest_steps.h"
#include "net_edits.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/words.h"
#include "../guest/appliance.h"
#include "../guest/net_programs.h"
#include "../guest/volumes.h"
#include "../scan/scan.h"

#include <stdlib.h>
#include <string.h>

#define EXIT_MARK "\n@rehost-exit="

/* The command's output and status always come back (guestfs_sh alone loses
 * stdout on failure): on failure the last lines of what it printed are shown. */
bool rh_fin_exists(struct rh_fin *f, const char *path) { return guestfs_exists(f->g, path) > 0; }

bool rh_fin_exists_any(struct rh_fin *f, const char *const *paths) { return rh_guest_exists_any(f->g, paths); }

char *rh_fin_sh_status(struct rh_fin *f, const char *cmd, int *status)
{
  /* a command may enable or disable units: their states asked before are
   * no longer known to be true */
  free(f->unit_states);
  f->unit_states = NULL;
  *status = -1;
  size_t n = strlen(cmd) + 64;
  char *wrapped = malloc(n);
  if (!wrapped) return NULL;
  snprintf(wrapped, n, "{ %s\n} </dev/null 2>&1; printf '\\n@rehost-exit=%%d\\n' $?", cmd);
  char *out = guestfs_sh(f->g, wrapped);
  free(wrapped);
  if (!out) return NULL;
  char *mark = strstr(out, EXIT_MARK), *m;
  while (mark && (m = strstr(mark + 1, EXIT_MARK))) mark = m;
  if (mark) {
    *status = atoi(mark + strlen(EXIT_MARK));
    *mark = 0;
  }
  return out;
}

char *rh_fin_sh(struct rh_fin *f, const char *what, const char *cmd)
{
  int status;
  char *out = rh_fin_sh_status(f, cmd, &status);
  if (!out) {
    rh_error("%s failed in the guest: %s", what, rh_guestfs_err(f->g));
    return NULL;
  }
  if (status == 0) return out;
  rh_debug("%s: full output:\n%s", what, out);
  const char *tail = out + strlen(out);
  for (int lines = 0; tail > out && lines < 25; lines += tail[-1] == '\n') tail--;
  rh_error("%s failed in the guest (exit status %d); its last output:\n%s", what, status, tail);
  free(out);
  return NULL;
}

/* Write `text` to path if it differs from `old`, keeping the file's mode and
 * ownership (guestfs_write replaces content in place). */
int rh_fin_write_if_changed(struct rh_fin *f, const char *path, const char *old, const char *text)
{
  if (!text) {
    rh_error("%s: out of memory while editing", path);
    return RH_EXIT_FAILURE;
  }
  if (f->dry_run || !strcmp(old, text)) return RH_EXIT_OK;
  /* A symlink that leads nowhere in the guest (say to a host-looking path):
   * the appliance would follow it and fail; the file takes its place. A
   * symlink to a guest file is edited through, as the guest would. */
  if (guestfs_is_symlink(f->g, path) > 0 &&
      guestfs_is_file_opts(f->g, path, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1) <= 0) {
    char *to = guestfs_readlink(f->g, path);
    rh_warn("%s: a symlink to %s, which is not a file in the guest; replaced by a file", path,
            to ? to : "?");
    rh_change(f->changes, path, "replace-symlink", to, "file", "the link led nowhere in the guest");
    free(to);
    if (guestfs_rm(f->g, path) < 0) {
      rh_error("%s: cannot remove the symlink in the guest: %s", path, rh_guestfs_err(f->g));
      return RH_EXIT_GUEST;
    }
  }
  if (guestfs_write(f->g, path, text, strlen(text)) < 0) {
    rh_error("%s: cannot write in the guest: %s", path, rh_guestfs_err(f->g));
    return RH_EXIT_GUEST;
  }
  return RH_EXIT_OK;
}

/* The guest's device for a name of the source disk's hardware (by-id,
 * by-path: rh_fstab_hw_partition): which disk a serial named is unknown, so,
 * as libguestfs's inspection does, only when the guest has one disk; that
 * disk as the appliance lists it (never a kernel name: the appliance's own
 * disk may be /dev/sda), or its partition PART. */
static char *hw_device(guestfs_h *g, int part)
{
  char **devs = guestfs_list_devices(g), *found = NULL;
  if (devs && devs[0] && !devs[1]) {
    char **parts = part ? guestfs_list_partitions(g) : NULL;
    if (!part) found = strdup(devs[0]);
    for (size_t i = 0; parts && parts[i] && !found; i++) {
      char *d = guestfs_part_to_dev(g, parts[i]);
      if (d && !strcmp(d, devs[0]) && guestfs_part_to_partnum(g, parts[i]) == part)
        found = strdup(parts[i]);
      free(d);
    }
    rh_strv_free(parts);
  }
  rh_strv_free(devs);
  return found;
}

char *rh_fin_fs_uuid(guestfs_h *g, const char *dev)
{
  char *uuid = guestfs_vfs_uuid(g, dev); /* errors: no UUID, reported by the caller */
  /* it goes into fstab and shell-sourced files: a UUID's characters only
   * (a hostile image's filesystem can claim any bytes) */
  size_t n = uuid ? strlen(uuid) : 0;
  if (uuid && (!n || n > 64 || strspn(uuid, "0123456789abcdefABCDEF-") != n)) {
    free(uuid);
    uuid = NULL;
  }
  return uuid;
}

/* The PARTUUID of partition DEV when it holds nothing anyone could lose:
 * no signature blkid knows (filesystem, swap, LUKS, LVM, md), of a Linux
 * data or swap partition type (not an ESP, a BIOS boot or an extended
 * partition). A plain dm-crypt device keyed at random holds only noise. */
static char *partuuid_of_empty(guestfs_h *g, const char *dev)
{
  static const char *const types[] = {"0fc63daf-8483-4772-8e79-3d69d8477de4", /* Linux data */
                                      "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", /* Linux swap */
                                      "0x83", "0x82", NULL};
  char **kv = guestfs_blkid(g, dev), *out = NULL;
  const char *sig = rh_strv_kv(kv, "TYPE"), *type = rh_strv_kv(kv, "PART_ENTRY_TYPE"),
             *id = rh_strv_kv(kv, "PART_ENTRY_UUID");
  bool linux_type = false;
  for (const char *const *t = types; type && *t; t++) linux_type |= !strcasecmp(type, *t);
  size_t n = id ? strlen(id) : 0;
  if (sig || !linux_type)
    rh_debug("%s holds %s, partition type %s: not a device keyed at random", dev, sig ? sig : "no signature",
             type ? type : "none");
  else if (n && n <= 64 && strspn(id, "0123456789abcdefABCDEF-") == n) /* it goes into crypttab */
    out = strdup(id);
  rh_strv_free(kv);
  return out;
}

char *rh_fin_uuid_lookup(const char *spec, const char *fstype, void *opaque)
{
  guestfs_h *g = opaque;
  /* a device-mapper name that is a device here is LVM's or the like (a VG
   * named like a multipath map: mpatha-part1): its own filesystem's UUID,
   * never a partition's */
  bool here = !strncmp(spec, "/dev/mapper/", 12) && guestfs_is_blockdev(g, spec) > 0;
  int part = here ? -1 : rh_fstab_hw_partition(spec);
  char *dev = part >= 0 ? hw_device(g, part) : guestfs_canonical_device_name(g, spec);
  if (dev && fstype && !strcmp(fstype, RH_LOOKUP_PARTUUID)) {
    char *id = partuuid_of_empty(g, dev);
    free(dev);
    return id;
  }
  /* of the type the entry says: a partition number on the one disk given
   * may be another disk's partition's */
  char *type = dev && fstype ? guestfs_vfs_type(g, dev) : NULL;
  bool fits = !dev || rh_fstype_matches(fstype, type);
  if (!fits) rh_debug("%s is %s (%s), not %s: not taken for it", spec, dev, type ? type : "no filesystem", fstype);
  free(type);
  char *uuid = dev && fits ? rh_fin_fs_uuid(g, dev) : NULL;
  free(dev);
  return uuid;
}

static int spec_present(const char *spec, void *opaque)
{
  return rh_guest_spec_present(opaque, spec);
}

static int edit_fstab(struct rh_fin *f)
{
  char *old = rh_guest_read(f->g, "/etc/fstab");
  if (!old) return RH_EXIT_OK;
  char *text = rh_fstab_rewrite(old, f->p->drop_network_mounts, f->p->fstab_uuid, rh_fin_uuid_lookup,
                                f->g, f->changes);
  /* a mount whose disk was not given would stop the target's boot */
  char missing[1024] = "";
  char *checked = text;
  if (text && rh_guest_opens_encrypted_volumes(f->g)) {
    rh_debug("/etc/crypttab opens encrypted volumes: fstab's devices are not checked");
  } else if (text) {
    checked = rh_fstab_missing(text, spec_present, f->g, f->allow_missing_mounts, f->changes,
                               missing, sizeof missing);
    free(text);
  }
  int rc = RH_EXIT_OK;
  if (missing[0] && !f->allow_missing_mounts) {
    rh_error("/etc/fstab mounts at boot what is on none of the disks given: %s; the target would "
             "stop its boot waiting for it. Name every disk of the machine (a volume group "
             "that spans another disk has its volumes there), or --allow-missing-mounts to "
             "give these entries nofail",
             missing);
    rc = RH_EXIT_GUEST;
  } else {
    if (missing[0]) rh_warn("/etc/fstab: %s: on none of the disks given; given nofail", missing);
    rc = rh_fin_write_if_changed(f, "/etc/fstab", old, checked);
  }
  free(old);
  free(checked);
  return rc;
}

static int edit_adjtime(struct rh_fin *f)
{
  if (!f->p->adjtime_utc) return RH_EXIT_OK;
  char *old = rh_guest_read(f->g, "/etc/adjtime");
  if (!old) old = strdup("");
  char *text = rh_adjtime_rewrite(old, f->changes);
  int rc = rh_fin_write_if_changed(f, "/etc/adjtime", old, text);
  free(old);
  free(text);
  return rc;
}

/* rules that name a NIC by its MAC: udev's (70-persistent-net.rules) and
 * systemd .link files */
static int edit_nic_naming_rules(struct rh_fin *f)
{
  int rc = RH_EXIT_OK;
  if (!f->p->remove_mac_bindings) return rc;
  for (int link = 0; link < 2 && !rc; link++) {
    char **rules = rh_guest_glob(f->g, link ? "/etc/systemd/network/*.link" : "/etc/udev/rules.d/*.rules");
    for (int i = 0; !rc && rules && rules[i]; i++) {
      char *old = rh_guest_read(f->g, rules[i]);
      if (!old) continue;
      char *text = link ? rh_link_file_rewrite(old, rules[i], f->changes)
                        : rh_udev_rules_rewrite(old, rules[i], f->changes);
      rc = rh_fin_write_if_changed(f, rules[i], old, text);
      free(old);
      free(text);
    }
    rh_strv_free(rules);
  }
  return rc;
}

/* SELinux labels files by their path: what finalize wrote carries no label
 * (or the wrong one), and an enforcing guest could refuse to boot or run its
 * services. Ask for a relabel at the next boot, as virt-v2v does. */
static int selinux_relabel(struct rh_fin *f)
{
  char *cfg = rh_guest_read(f->g, "/etc/selinux/config");
  char *mode = cfg ? rh_kv_get(cfg, "SELINUX") : NULL;
  bool on = mode && (!strcmp(mode, "enforcing") || !strcmp(mode, "permissive"));
  free(mode);
  free(cfg);
  if (!on || guestfs_exists(f->g, "/.autorelabel") > 0) return RH_EXIT_OK;
  rh_change(f->changes, "/.autorelabel", "selinux-relabel", NULL, "relabel at first boot",
            "files finalize wrote have no SELinux labels yet");
  if (!f->dry_run && guestfs_touch(f->g, "/.autorelabel") < 0) {
    rh_error("/.autorelabel: cannot create it in the guest: %s", rh_guestfs_err(f->g));
    return RH_EXIT_GUEST;
  }
  return RH_EXIT_OK;
}

/* LVM as the target's disks will see it (finalize/lvm_conf.c): the devices
 * file, which names the source's disks, is moved aside, and filters that
 * reject the target's disk names are commented out, so LVM finds its PVs;
 * an initramfs that carries a copy of either file is rebuilt. */
static void initramfs_stale(struct rh_fin *f, const char *path)
{
  /* a name that is not one word (white space, control characters) or does
   * not fit the list: every image is made again, rather than one that
   * carries the file missed */
  bool word = rh_is_word(path);
  if ((!word || !rh_words_add(f->initramfs_stale, sizeof f->initramfs_stale, path)) && !f->initramfs_force[0])
    snprintf(f->initramfs_force, sizeof f->initramfs_force, "%s",
             word ? "more changed files than rehost lists" : "a file whose name has white space or control characters");
}

static int edit_lvm(struct rh_fin *f)
{
  char *conf = rh_guest_read(f->g, "/etc/lvm/lvm.conf");
  char name[128], path[200], saved[240];
  bool changed = false;
  char *text = conf ? rh_lvm_filter_rewrite(conf, f->changes, &changed) : NULL;
  int rc = conf ? rh_fin_write_if_changed(f, "/etc/lvm/lvm.conf", conf, text) : RH_EXIT_OK;
  if (changed) initramfs_stale(f, "etc/lvm/lvm.conf");
  bool on = !rc && rh_lvm_devices_file(conf, name, sizeof name);
  free(conf);
  free(text);
  if (!on) return rc;
  snprintf(path, sizeof path, "/etc/lvm/devices/%s", name);
  if (guestfs_is_file(f->g, path) <= 0) return RH_EXIT_OK;
  snprintf(saved, sizeof saved, "%s.rehost-saved", path);
  rh_change(f->changes, path, "remove-lvm-devices-file", path, saved,
            "it lists the source's disks by WWID, serial or device name; the target's disks "
            "have others, and LVM would not find the volume groups (without it LVM uses "
            "every disk)");
  initramfs_stale(f, path + 1);
  if (f->dry_run) return RH_EXIT_OK;
  if (guestfs_mv(f->g, path, saved) < 0) {
    rh_error("%s: cannot move it aside in the guest: %s", path, rh_guestfs_err(f->g));
    return RH_EXIT_GUEST;
  }
  return RH_EXIT_OK;
}

/* md RAID as the target's disks will see it (finalize/mdadm_conf.c): DEVICE
 * lines and devices= tags naming the source's disks go, wherever mdadm reads
 * its configuration, and an array made whole with fewer members
 * (--md-degraded) gets its new count where an ARRAY line gives one; an
 * initramfs that carries it is rebuilt (it assembles the root's array with
 * it). */
static int edit_mdadm(struct rh_fin *f)
{
  const char *const *globs = rh_mdadm_conf_globs;
  int rc = RH_EXIT_OK;
  for (int i = 0; globs[i] && !rc; i++) {
    char **paths = rh_guest_glob(f->g, globs[i]);
    for (int k = 0; paths && paths[k] && !rc; k++) {
      char *old = rh_guest_read(f->g, paths[k]);
      bool changed = false;
      char *text = old ? rh_mdadm_conf_rewrite(old, paths[k], f->changes, &changed) : NULL;
      for (size_t m = 0; text && m < f->n_md; m++) { /* arrays made whole with fewer members */
        const struct rh_md_run *a = &f->md[m];
        bool c = false;
        if (a->shrink != RH_MD_SHRUNK) continue;
        char *t2 = rh_mdadm_conf_num_devices(text, paths[k], a->uuid, a->raid_disks - a->missing,
                                             f->changes, &c);
        free(text);
        text = t2;
        changed |= c;
      }
      rc = text ? rh_fin_write_if_changed(f, paths[k], old, text) : RH_EXIT_OK;
      if (changed) { /* initramfs-tools carries it as the first, dracut as the second */
        initramfs_stale(f, "etc/mdadm/mdadm.conf");
        initramfs_stale(f, "etc/mdadm.conf");
      }
      free(old);
      free(text);
    }
    rh_strv_free(paths);
  }
  return rc;
}

/* Files that name disks the boot waits for, each a device name of the
 * source's hardware made UUID= by its rewrite (edits.h), with the names an
 * initramfs carries it under:
 *  - Debian's initramfs-tools: the swap to resume from (RESUME=/dev/sda2
 *    would have it wait for a disk the target does not have);
 *  - /etc/crypttab: an encrypted volume (cryptsetup would wait for it at
 *    every boot); an initramfs that opens the root carries a copy (dracut's
 *    etc/crypttab, initramfs-tools' cryptroot/crypttab). */
static const struct device_file {
  const char *path;
  char *(*rewrite)(const char *text, const char *file, rh_uuid_lookup_fn lookup, void *opaque,
                   json_object *changes);
  const char *in_initramfs[2];
} device_files[] = {
    {"/etc/initramfs-tools/conf.d/resume", rh_resume_conf_rewrite, {"conf/conf.d/resume", NULL}},
    {"/etc/crypttab", rh_crypttab_rewrite, {"etc/crypttab", "cryptroot/crypttab"}},
};

static int edit_device_files(struct rh_fin *f)
{
  int rc = RH_EXIT_OK;
  for (size_t i = 0; !rc && f->p->fstab_uuid && i < sizeof device_files / sizeof device_files[0]; i++) {
    const struct device_file *d = &device_files[i];
    char *old = rh_guest_read(f->g, d->path);
    if (!old) continue;
    char *text = d->rewrite(old, d->path, rh_fin_uuid_lookup, f->g, f->changes);
    rc = rh_fin_write_if_changed(f, d->path, old, text);
    for (size_t k = 0; k < 2 && text && strcmp(text, old) != 0; k++)
      if (d->in_initramfs[k]) initramfs_stale(f, d->in_initramfs[k]);
    free(old);
    free(text);
  }
  return rc;
}

int rh_fin_edit_files(struct rh_fin *f)
{
  int rc;
  if ((rc = edit_fstab(f)) || (rc = edit_lvm(f)) || (rc = edit_mdadm(f)) ||
      (rc = edit_device_files(f)) ||
      (rc = edit_adjtime(f)) || (rc = rh_fin_network(f)) || (rc = edit_nic_naming_rules(f)) ||
      (rc = rh_fin_edit_cmdline(f)) || (rc = selinux_relabel(f)))
    return rc;
  return RH_EXIT_OK;
}
