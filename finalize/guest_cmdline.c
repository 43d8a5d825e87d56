/* The kernel command line, wherever the guest's boot takes it from: GRUB's
 * defaults (/etc/default/grub, for grub-mkconfig in the bootloader step),
 * Boot Loader Specification entries (in /boot, or on the EFI system
 * partition for systemd-boot) and /etc/kernel/cmdline, extlinux/syslinux
 * configuration, and GRUB legacy's menu.lst. The network configuration may now name the NIC eth0, which
 * holds only with net.ifnames=0 there: rh_fin_bootloader says so when no
 * bootloader rehost edits was found. */
#include "edits.h"

#include "../guest/guestconf.h"
#include "guest_steps.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../scan/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool guest_script_sleeps_for_rootdelay(struct rh_fin *f, const char *path)
{
  char *text = rh_guest_read(f->g, path);
  bool yes = rh_script_sleeps_for(text, "ROOTDELAY");
  free(text);
  return yes;
}

/* Does the guest's initramfs sleep for rootdelay= at every boot? Debian's
 * initramfs-tools does (its init; an init-top script in older releases),
 * where the kernel, dracut and the platforms that ask for it (Azure's
 * rootdelay=300) mean the longest wait for the root disk: such a guest would
 * boot five minutes late every time. It waits for the root by itself. Asked
 * once; when the profile adds rootdelay=, one record says it is not added. */
static bool rootdelay_is_a_sleep(struct rh_fin *f)
{
  if (f->rootdelay_sleeps) return f->rootdelay_sleeps == 1;
  const char *added = NULL;
  for (char **a = f->p->cmdline_add; *a; a++)
    if (!strncmp(*a, "rootdelay=", 10)) added = *a;
  char *where = NULL;
  char **scripts = added ? rh_guest_glob(f->g, "/usr/share/initramfs-tools/scripts/init-top/*") : NULL;
  if (added && guest_script_sleeps_for_rootdelay(f, "/usr/share/initramfs-tools/init"))
    where = strdup("/usr/share/initramfs-tools/init");
  for (size_t i = 0; !where && scripts && scripts[i]; i++)
    if (guest_script_sleeps_for_rootdelay(f, scripts[i])) where = strdup(scripts[i]);
  rh_strv_free(scripts);
  f->rootdelay_sleeps = where ? 1 : 2;
  if (where)
    rh_change(f->changes, where, "kernel-cmdline-not-added", added, NULL,
              "this guest's initramfs (initramfs-tools) sleeps for rootdelay= at every boot, "
              "where the profile means the longest wait for the root disk; it waits for the "
              "root by itself");
  free(where);
  return f->rootdelay_sleeps == 1;
}

/* The edits of the kernel command line: the profile's arguments (not its
 * rootdelay= where the initramfs would sleep for it), the eth names the
 * network configuration now uses, and (fstab_uuid) device names as UUID=.
 * add and remove have room for 64. */
static struct rh_cmdline_ops cmdline_ops(struct rh_fin *f, char **add, char **remove)
{
  bool no_delay = rootdelay_is_a_sleep(f);
  size_t n = 0;
  for (char **a = f->p->cmdline_add; *a && n < 61; a++)
    if (!no_delay || strncmp(*a, "rootdelay=", 10)) add[n++] = *a;
  if (f->keep_eth_names) {
    add[n++] = "net.ifnames=0";
    add[n++] = "biosdevname=0";
  }
  add[n] = NULL;
  n = 0; /* the guest's own rootdelay= stays when the profile's is not added */
  for (char **r = f->p->cmdline_remove_prefix; *r && n < 61; r++)
    if (!no_delay || strncmp(*r, "rootdelay", 9)) remove[n++] = *r;
  if (f->keep_eth_names) { /* a guest's own net.ifnames=1 would undo the eth names */
    remove[n++] = "net.ifnames=";
    remove[n++] = "biosdevname=";
  }
  remove[n] = NULL;
  return (struct rh_cmdline_ops){add, remove, f->p->fstab_uuid ? rh_fin_uuid_lookup : NULL, f->g};
}

/* One file of GRUB's defaults: /etc/default/grub (create: the settings
 * rehost needs are added when absent), or one in /etc/default/grub.d, which
 * update-grub sources after it (Ubuntu's cloud images set the command line
 * and the terminal there): a value set there is edited the same way, or it
 * would undo the main file's. */
static int edit_grub_defaults_file(struct rh_fin *f, const char *path, bool create)
{
  char *old = rh_guest_read(f->g, path);
  if (!old) return RH_EXIT_OK;
  char *add[64], *remove[64];
  struct rh_cmdline_ops ops = cmdline_ops(f, add, remove);
  char *text = rh_grub_cmdline_rewrite_in(old, path, &ops, create, f->changes);
  /* grub-mkconfig runs in the appliance: told not to use the UUID, it would
   * give the kernel the root's device name there */
  char *no_uuid = f->p->fstab_uuid ? rh_kv_get(old, "GRUB_DISABLE_LINUX_UUID") : NULL;
  if (text && no_uuid && !strcmp(no_uuid, "true")) {
    char *t2 = rh_grub_set_var_in(text, path, "GRUB_DISABLE_LINUX_UUID", "false",
                                  "grub-mkconfig would name the root by the device name the "
                                  "conversion appliance gives it; the target's disk bus names "
                                  "it otherwise, and the UUID travels with the data", true,
                                  f->changes);
    free(text);
    text = t2;
  }
  free(no_uuid);
  /* The boot menu on the serial line too: the target's console log shows
   * GRUB, and a machine without a display adapter still boots (gfxterm alone
   * stalls there). */
  const char *vars[][3] = {
      {"GRUB_TERMINAL", f->p->grub_terminal, "boot menu on the platform's consoles"},
      {"GRUB_SERIAL_COMMAND", f->p->grub_serial_command, "serial line settings for the boot menu"}};
  for (size_t i = 0; i < 2 && text; i++) {
    if (!vars[i][1]) continue;
    char *t2 = rh_grub_set_var_in(text, path, vars[i][0], vars[i][1], vars[i][2], create,
                                  f->changes);
    free(text);
    text = t2;
  }
  int rc = rh_fin_write_if_changed(f, path, old, text);
  free(old);
  free(text);
  return rc;
}

static int edit_grub_default(struct rh_fin *f)
{
  int rc = edit_grub_defaults_file(f, "/etc/default/grub", true);
  char **more = rc ? NULL : rh_guest_glob(f->g, "/etc/default/grub.d/*.cfg");
  for (size_t i = 0; more && more[i] && !rc; i++) rc = edit_grub_defaults_file(f, more[i], false);
  rh_strv_free(more);
  return rc;
}

/* BLS entries carry the kernel command line themselves: in /boot (RHEL 8+,
 * Fedora, with GRUB) or on the EFI system partition (systemd-boot: mounted
 * at /boot/efi or /efi); /etc/kernel/cmdline is what kernel-install gives
 * new kernels. */
static int edit_bls(struct rh_fin *f)
{
  char *add[64], *remove[64];
  struct rh_cmdline_ops ops = cmdline_ops(f, add, remove);
  static const char *const dirs[] = {"/boot/loader/entries/*.conf",
                                     "/boot/efi/loader/entries/*.conf",
                                     "/efi/loader/entries/*.conf", NULL};
  int rc = RH_EXIT_OK;
  for (int d = 0; dirs[d] && !rc; d++) {
    char **entries = rh_guest_glob(f->g, dirs[d]);
    for (size_t i = 0; !rc && entries && entries[i]; i++) {
      char *old = rh_guest_read(f->g, entries[i]);
      if (!old) continue;
      char *text = rh_bls_options_rewrite(old, entries[i], &ops, f->changes);
      rc = rh_fin_write_if_changed(f, entries[i], old, text);
      f->boot_entries++;
      free(old);
      free(text);
    }
    rh_strv_free(entries);
  }
  char *old = rc ? NULL : rh_guest_read(f->g, "/etc/kernel/cmdline");
  if (old) {
    char *args = rh_cmdline_apply(old, &ops, true, "/etc/kernel/cmdline", f->changes,
                                  "the command line kernel-install gives new kernels");
    char *text = NULL;
    if (args && asprintf(&text, "%s\n", args) < 0) text = NULL;
    rc = rh_fin_write_if_changed(f, "/etc/kernel/cmdline", old, text);
    free(args);
    free(text);
    free(old);
  }
  return rc;
}

/* Where extlinux and syslinux keep their configuration (the directory the
 * boot sector was installed for), and the files it includes beside it */
static const char *const extlinux_globs[] = {
    "/boot/extlinux/*.conf", "/boot/extlinux/*.cfg", "/boot/extlinux.conf", "/extlinux.conf",
    "/extlinux/*.conf",      "/extlinux/*.cfg",      "/boot/syslinux/*.cfg", "/boot/syslinux/*.conf",
    "/syslinux/*.cfg",       "/boot/syslinux.cfg",   "/syslinux.cfg",       NULL};

static int edit_extlinux(struct rh_fin *f)
{
  char *add[64], *remove[64];
  struct rh_cmdline_ops ops = cmdline_ops(f, add, remove);
  int rc = RH_EXIT_OK;
  for (int i = 0; extlinux_globs[i] && !rc; i++) {
    char **paths = rh_guest_glob(f->g, extlinux_globs[i]);
    for (int k = 0; paths && paths[k] && !rc; k++) {
      char *old = rh_guest_read(f->g, paths[k]);
      int labels = 0;
      char *text = old ? rh_extlinux_rewrite(old, paths[k], &ops, f->changes, &labels) : NULL;
      rc = old ? rh_fin_write_if_changed(f, paths[k], old, text) : RH_EXIT_OK;
      f->boot_entries += labels;
      free(old);
      free(text);
    }
    rh_strv_free(paths);
  }
  static const char alpine[] = "/etc/update-extlinux.conf";
  char *old = rc ? NULL : rh_guest_read(f->g, alpine);
  if (old) {
    char *text = rh_update_extlinux_rewrite(old, alpine, &ops, f->changes);
    rc = rh_fin_write_if_changed(f, alpine, old, text);
    free(text);
    free(old);
  }
  return rc;
}

/* GRUB legacy's menu (RHEL 5 and 6: grub.conf, which menu.lst and
 * /etc/grub.conf link to; SLES 11 and old Debian: menu.lst), read by GRUB at
 * every boot: each file once, however the guest links them. */
static int edit_grub_legacy(struct rh_fin *f)
{
  static const char *const menus[] = {"/boot/grub/menu.lst", "/boot/grub/grub.conf"};
  char *add[64], *remove[64], *seen = NULL;
  struct rh_cmdline_ops ops = cmdline_ops(f, add, remove);
  int rc = RH_EXIT_OK;
  for (int i = 0; i < 2 && !rc; i++) {
    /* the file itself, by its name in the guest: under /boot, where GRUB
     * reads it (a link to elsewhere is not GRUB's menu) */
    char *real = guestfs_is_file_opts(f->g, menus[i], GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1) > 0
                     ? guestfs_realpath(f->g, menus[i]) : NULL;
    if (!real || strncmp(real, "/boot/", 6) != 0 || (seen && !strcmp(seen, real))) {
      free(real);
      continue;
    }
    free(seen);
    seen = real;
    char *old = rh_guest_read(f->g, real);
    int entries = 0;
    char *text = old ? rh_grub_legacy_rewrite(old, real, &ops, f->changes, &entries) : NULL;
    rc = old ? rh_fin_write_if_changed(f, real, old, text) : RH_EXIT_OK;
    f->boot_entries += entries;
    free(old);
    free(text);
  }
  free(seen);
  return rc;
}

int rh_fin_edit_cmdline(struct rh_fin *f)
{
  int rc;
  if ((rc = edit_grub_default(f)) || (rc = edit_bls(f)) || (rc = edit_extlinux(f)) ||
      (rc = edit_grub_legacy(f)))
    return rc;
  return RH_EXIT_OK;
}
