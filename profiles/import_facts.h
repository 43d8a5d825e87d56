/* What a platform's image import asks for, as the profile's "import" section
 * says it, filled in from the converted artifact and the guest:
 *
 *   "import": {"platform": "openstack",
 *              "facts": {"hw_firmware_type": "{firmware}", "min_disk": "{min_disk_gib}"}}
 *
 * A fact's value is a string with {placeholders}: format, FORMAT (upper
 * case), firmware (bios|uefi), boot_mode (legacy-bios|uefi), generation
 * (1|2), hyperv_generation (V1|V2), os_distro, os_version, min_disk_gib,
 * size_mib_aligned. A value that is exactly "{min_disk_gib}" or
 * "{generation}" becomes a JSON number, "{size_mib_aligned}" a boolean. A new platform's
 * facts are a new profile file, not new code. */
#ifndef REHOST_IMPORT_FACTS_H
#define REHOST_IMPORT_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

struct rh_artifact_facts {
  const char *format;     /* user name: raw, qcow2, vmdk, vhd, vhdx */
  const char *firmware;   /* bios, uefi, bios+uefi */
  const char *os_distro;  /* inspection's distro (debian, rhel, ...) */
  const char *os_version; /* "12", "9.3" */
  uint64_t virtual_size;
};

/* Is every {placeholder} in s one rehost knows? (the profile loader's check) */
bool rh_import_template_ok(const char *s, char *bad, size_t badsz);

/* The facts object for an artifact (json-c; caller owns), or NULL when the
 * profile has no "import" section. */
struct json_object *rh_import_facts(const struct json_object *facts_template,
                                    const struct rh_artifact_facts *a);

#endif
