/* Which firmware a guest boots with, from what is on its disks: an EFI system
 * partition (GPT type C12A7328-...), EFI binaries under /boot/efi/EFI, and
 * GRUB's BIOS modules. scan reports it; convert writes the matching firmware
 * into --libvirt-xml; finalize records it in its report. */
#ifndef REHOST_GUEST_FIRMWARE_H
#define REHOST_GUEST_FIRMWARE_H

#include <guestfs.h>
#include <stdbool.h>
#include <string.h>

/* The GPT partition type of an EFI system partition */
#define RH_ESP_GUID "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"

/* Any disk of the launched appliance has an EFI system partition. */
bool rh_guest_has_esp(guestfs_h *g);

/* "uefi", "bios" or "bios+uefi" (both installed: either boots), for a guest
 * whose OS is mounted. esp: what rh_guest_has_esp says (the caller may know). */
const char *rh_guest_firmware(guestfs_h *g, bool esp);

/* The firmware a target should be given: UEFI only when BIOS can't boot it. */
static inline bool rh_firmware_needs_uefi(const char *fw) { return fw && !strcmp(fw, "uefi"); }

#endif
