/* Persistent dirty bitmaps of qcow2 sources, managed through qemu-img (the
 * only writes rehost ever makes to a source, and metadata only), and the
 * source's disk identity. */
#ifndef REHOST_BITMAPS_H
#define REHOST_BITMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/proc.h"

struct rh_bitmap_info {
  char name[256];
  uint64_t granularity;
  bool in_use;      /* flagged in-use: a VM did not close the image cleanly; invalid */
  bool enabled;     /* flag "auto": records writes; a disabled one missed some */
};

/* Parse qemu-img info --output=json text (qcow2 lists only persistent
 * bitmaps); *out is a malloc'd array of all of them (free it). Returns the
 * number found, or -1 if the text is not qemu-img info JSON. */
int rh_bitmaps_parse(const char *info_json, struct rh_bitmap_info **out);
/* List an image's bitmaps via qemu-img info (-U not used: an image in use is
 * reported). Returns count (*out malloc'd) or -1 after printing an error. */
int rh_bitmaps_list(const char *path, const char *format, struct rh_bitmap_info **out);
/* qemu-img bitmap --add / --clear / --remove. Print an error and return -1
 * on failure; an image locked by a running VM is reported as in use. --add
 * and --clear return -2, quietly, when another process holds the image open
 * (read-only: a running VM's backing file), so the caller can go on without
 * tracking. --clear empties a bitmap in place: it records writes from then
 * on, as a new one would, in one qemu-img run instead of an add and a remove. */
int rh_bitmap_add(const char *path, const char *name);
int rh_bitmap_clear(const char *path, const char *name);
int rh_bitmap_remove(const char *path, const char *name);
/* The same, run beside other work: started (a failure to start is said
 * then), and finished later with the codes above. A job that did not start
 * finishes with -1. path and name must last until it finishes. */
struct rh_bitmap_job {
  struct rh_proc proc;
  int start_rc;
  bool running;
  const char *path, *op, *name;
};
void rh_bitmap_job_start(struct rh_bitmap_job *job, const char *path, const char *op,
                         const char *name);
int rh_bitmap_job_finish(struct rh_bitmap_job *job);

/* Identity of a disk from its first 17 KiB: "gpt:GUID", "mbr:XXXXXXXX",
 * "mbr-table:HASH" (MBR without a disk signature) or "none". */
void rh_disk_id(const unsigned char *buf, size_t len, char *out, size_t outsz);

#endif
