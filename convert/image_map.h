/* Direct reads of image data through its host-file map (qemu-img map).
 *
 * Reading every block through qemu-nbd costs three copies and two context
 * switches per byte. For data that qemu stores uncompressed at a fixed offset
 * of the image file itself (raw, and qcow2/vmdk/vhdx data clusters), the map
 * gives that offset, and rehost reads it straight from the file: with pread
 * (one copy from the page cache), with O_DIRECT (a source mostly on disk:
 * rh_image_map_read_direct), or where it lies in a read-only mapping (a
 * source mostly in the page cache, no copy: rh_image_map_mmap). Everything else - zero ranges, compressed or
 * encrypted clusters, data in a backing file - is read as zeroes or through
 * NBD. Writes always go through qemu-nbd.
 *
 * Valid while the image's mapping does not move under a range before it is
 * read: true for a read-only source, and for a target whose writer (the sync
 * engine) reads each block before writing it - qcow2 never relocates an
 * allocated cluster, and a cluster freed by a zero write belongs to a block
 * already done. The target's qemu-nbd writes through the page cache, or with
 * O_DIRECT, which drops the cached pages it writes: either way reads are
 * coherent with its writes. */
#ifndef REHOST_IMAGE_MAP_H
#define REHOST_IMAGE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/proc.h"

struct nbd_handle;

enum rh_map_kind { RH_MAP_ZERO, RH_MAP_FILE, RH_MAP_NBD };

struct rh_map_ext {
  uint64_t off, len;
  uint64_t host;    /* RH_MAP_FILE: offset in the image file */
  uint8_t kind;
};

struct rh_image_map {
  int fd;           /* image file, O_RDONLY */
  int dfd;          /* the same file with O_DIRECT, or -1 (rh_image_map_read_direct) */
  struct rh_map_ext *v;
  size_t n, cap;
  uint64_t size;
  const unsigned char *mem;  /* the file mapped read-only (rh_image_map_mmap), or NULL */
  uint64_t mem_len;          /* the file's size when it was mapped */
};

/* Parse qemu-img map --output=json text (unit-tested). Returns 0 or -1. */
int rh_image_map_parse(const char *json, struct rh_image_map *m);
/* Map path (qemu driver format) and open it for reading. data_in_file: the
 * map's offsets are offsets in path itself (false for a flat VMDK whose data
 * is in its extents, or a qcow2 with a data file: then nothing is read
 * directly). share: qemu-img -U (no image lock). On failure (or when nothing
 * is directly readable) returns -1 quietly: callers read via NBD. */
int rh_image_map_load(const char *path, const char *format, bool data_in_file, bool share,
                      struct rh_image_map *m);
/* rh_image_map_load in two halves, so that qemu-img map runs while the
 * caller starts its servers: start returns -1 quietly when there is nothing
 * to map (no data in the file) or qemu-img cannot start; finish (always
 * called after a successful start) returns as rh_image_map_load. */
struct rh_image_map_job {
  struct rh_proc proc;
  char *path;
};
int rh_image_map_start(const char *path, const char *format, bool data_in_file, bool share,
                       struct rh_image_map_job *j);
int rh_image_map_finish(struct rh_image_map_job *j, struct rh_image_map *m);
void rh_image_map_free(struct rh_image_map *m);
/* Read the file's data with O_DIRECT from now on, where a piece is aligned
 * (RH_MAP_DIRECT_ALIGN: file offset, length and buffer): for a source mostly
 * out of the page cache, whose reads then go from the disk to the caller's
 * buffer without the page cache's copy (and without filling the cache with
 * an image read once). Reopens the same open file (not its path); returns
 * false, changing nothing, where the file system refuses O_DIRECT. */
#define RH_MAP_DIRECT_ALIGN 4096
bool rh_image_map_read_direct(struct rh_image_map *m);
/* Map the file into memory (read-only, shared), so that data in the page
 * cache is read where it lies, without a copy (rh_image_map_view): for a
 * source mostly in the page cache. The file's size now bounds every view.
 * Returns false, changing nothing, when the file cannot be mapped. */
bool rh_image_map_mmap(struct rh_image_map *m);
/* Where [off, off+len) of the image lies in the mapping, when all of it is
 * data at one place in the file, inside the mapped size; else NULL (read it
 * with rh_image_map_pread). Read a view only inside rh_image_map_guarded:
 * a file that shrinks under its mapping faults (SIGBUS) where it is read. */
const unsigned char *rh_image_map_view(const struct rh_image_map *m, uint64_t off, size_t len);
/* Call fn(arg), which reads views. When the mapped file shrank under a view
 * (another program truncated it), fn is abandoned where it faulted and -1 is
 * returned with errno EIO; else 0. fn must not allocate, take locks or
 * change state it cannot leave half-changed. Thread-safe. */
int rh_image_map_guarded(void (*fn)(void *), void *arg);
/* Read [off, off+len) using the map; pieces it cannot serve go through h.
 * With O_DIRECT on, aligned parts of file pieces are read direct, the rest
 * through the page cache.
 * Returns 0, or -1 with errno set (and h's error for NBD failures). */
int rh_image_map_pread(const struct rh_image_map *m, struct nbd_handle *h, void *buf, size_t len,
                       uint64_t off);

#endif
