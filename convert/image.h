/* Disk images: format detection, validation, copying (through qemu-img). */
#ifndef REHOST_IMAGE_H
#define REHOST_IMAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct rh_image {
  char *path;             /* what qemu opens: the absolute path (realpath), or for a disk
                           * inside a package (an OVA member) a json: filename over it */
  char *file;             /* the file on disk (== path, or the package holding the disk):
                           * what is stat'd, locked and watched for writers */
  char *name;             /* the image's name in messages and state (== path, or
                           * PACKAGE/MEMBER) */
  char format[32];        /* qemu driver name: raw, qcow2, vmdk, vpc, vhdx, ... */
  uint64_t virtual_size;
  uint64_t actual_size;
  bool block_device;
  char *backing;          /* backing file name, or NULL */
  bool data_in_file;      /* all guest data is in path itself (no extents, data file or
                           * backing elsewhere): qemu-img map offsets index this file */
  bool force_share;       /* opened while another process holds it (read-only base) */
  char *info;             /* qemu-img info --output=json, as the probe read it (bitmaps) */
};

/* Images claiming more than this are refused (a 23 MB qcow2 can claim 1 EiB
 * and keep every walk over it busy): 64 TiB unless raised. */
#define RH_MAX_VIRTUAL_SIZE_DEFAULT (64ULL << 40)
void rh_image_set_max_virtual_size(uint64_t bytes);

struct rh_probe_opts {
  const char *format;     /* user-forced or declared format, or NULL to detect */
  bool allow_backing;     /* permit images with a backing file */
  bool force_share;       /* read an image another process holds read-only (qemu -U) */
  bool trusted_unchanged; /* rehost's own output, untouched since it wrote it (a replica
                           * whose state is consistent and whose mtime is the one
                           * recorded): qemu-img check is not run again */
  /* Called once the header has been judged and names no other file (a
   * qcow2 file with no backing or data file), as qemu-img check starts and
   * before qemu-img info: qemu may open the image at path, as format, from
   * then on. For work that can overlap with the probe; NULL for none. */
  void (*on_judged)(void *arg, const char *path, const char *format);
  void *on_judged_arg;
};

/* A disk stored inside a package file (an OVA member, at offset with size):
 * rh_image_probe(name) then reads it as a stream-optimized or sparse VMDK
 * through qemu's raw driver with that offset and size, under the vmdk driver;
 * nothing is extracted. Only names registered here (by the package loader,
 * for a package the user named) are read this way. Returns 0 or -1 (ENOMEM). */
int rh_image_add_member(const char *name, const char *container, uint64_t offset, uint64_t size);

/* Detect and validate an image: exists, is a file or block device, format
 * one of raw, qcow2, vmdk, vpc, vhdx (anything else: RH_EXIT_INPUT); a block
 * device is raw unless opts->format says otherwise and is never probed; a
 * file qemu would only "guess" as raw must carry a partition table or
 * filesystem signature, else --format raw is required; a VMDK descriptor
 * is read only when named as one (--format vmdk or a .vmdk name) and only
 * with extents that are regular files in its directory; not corrupt (qemu-img
 * check), not encrypted, no backing or data file unless allowed, virtual
 * size within the cap. img->path is the absolute path.
 * On failure prints one error line naming the file and returns RH_EXIT_*. */
int rh_image_probe(const char *path, const struct rh_probe_opts *opts, struct rh_image *img);
void rh_image_free(struct rh_image *img);
/* img->file, img->name, or img->path when they are not set */
const char *rh_image_file(const struct rh_image *img);
const char *rh_image_name(const struct rh_image *img);
/* A block device's size in bytes, or 0 if it cannot be read. */
uint64_t rh_device_size(const char *path);

/* Is src better read with O_DIRECT (rh_read_direct_when_cold)? Only a file
 * (or device) that holds all of its data: not a disk inside a package, nor
 * one with a backing chain. */
bool rh_image_read_direct(const struct rh_image *src);

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

/* Does a qemu process (a running VM, qemu-img, qemu-nbd) hold path open
 * with write permission right now (its image lock says so)? */
bool rh_image_has_writer(const char *path);

/* {"path","format","virtual_size","actual_size","block_device"} */
json_object *rh_image_json(const struct rh_image *img);

#endif
