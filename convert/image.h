/* Disk images: format detection, validation, copying (through qemu-img). */
#ifndef REHOST_IMAGE_H
#define REHOST_IMAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct rh_image {
  char *path;
  char format[32];        /* qemu driver name: raw, qcow2, vmdk, vpc, vhdx, ... */
  uint64_t virtual_size;
  uint64_t actual_size;
  bool block_device;
  char *backing;          /* backing file name, or NULL */
};

struct rh_probe_opts {
  const char *format;     /* user-forced format, or NULL to detect */
  bool allow_backing;     /* permit images with a backing file */
};

/* Detect and validate an image: exists, is a file or block device, format
 * known (a file qemu would only "guess" as raw must carry a partition table or
 * filesystem signature, else --format raw is required), not corrupt
 * (qemu-img check), not encrypted, no backing file unless allowed.
 * On failure prints one error line naming the file and returns RH_EXIT_*. */
int rh_image_probe(const char *path, const struct rh_probe_opts *opts, struct rh_image *img);
void rh_image_free(struct rh_image *img);

/* Map a user-facing format name (raw, qcow2, vmdk, vhd, vhdx, vdi) to the
 * qemu driver name; NULL if unknown. */
const char *rh_format_driver(const char *name);
/* Driver for a new image named path, from its extension (.img and .raw mean
 * raw); qcow2 when the extension says nothing. */
const char *rh_format_for_path(const char *path);
/* User-facing name for a qemu driver ("vpc" -> "vhd"). */
const char *rh_format_name(const char *driver);

/* Copy src into a new image dst (written to a temp name, renamed at the end),
 * sparse, with progress. dst_options: qemu-img -o string or NULL.
 * Returns RH_EXIT_* code. */
int rh_image_copy(const struct rh_image *src, const char *dst, const char *dst_driver,
                  const char *dst_options);

/* {"path","format","virtual_size","actual_size","block_device"} */
json_object *rh_image_json(const struct rh_image *img);

#endif
