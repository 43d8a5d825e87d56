#include "firmware.h"

#include "../scan/scan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool rh_guest_has_esp(guestfs_h *g)
{
  bool esp = false;
  char **parts = guestfs_list_partitions(g);
  for (size_t i = 0; parts && parts[i] && !esp; i++) {
    char *disk = guestfs_part_to_dev(g, parts[i]);
    char *type = disk ? guestfs_part_get_parttype(g, disk) : NULL;
    if (type && !strcmp(type, "gpt")) {
      int n = guestfs_part_to_partnum(g, parts[i]);
      char *guid = n > 0 ? guestfs_part_get_gpt_type(g, disk, n) : NULL;
      esp = guid && !strcasecmp(guid, RH_ESP_GUID);
      free(guid);
    }
    free(type);
    free(disk);
  }
  rh_strv_free(parts);
  return esp;
}

const char *rh_guest_firmware(guestfs_h *g, bool esp)
{
  bool efi = esp || guestfs_exists(g, "/boot/efi/EFI") > 0;
  bool bios = guestfs_exists(g, "/boot/grub/i386-pc") > 0 || guestfs_exists(g, "/boot/grub2/i386-pc") > 0;
  return efi ? (bios ? "bios+uefi" : "uefi") : "bios";
}
