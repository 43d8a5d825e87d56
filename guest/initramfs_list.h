/* The names in an initramfs image, read by rehost itself: the kernel's
 * format, cpio "newc" archives one after another (an early one with CPU
 * microcode, then the main one), each stored as it is or compressed with
 * gzip, xz or zstd, with zero padding between them. Listing one inside the
 * TCG appliance (lsinitramfs, lsinitrd) costs seconds of emulated gzip or
 * zstd for every kernel; here it costs a fraction of one. */
#ifndef REHOST_INITRAMFS_LIST_H
#define REHOST_INITRAMFS_LIST_H

#include <stddef.h>

/* Limits on what an image can make the reader do: it stops and returns NULL
 * past them. */
#define RH_INITRAMFS_MAX_UNPACKED (4ULL << 30) /* bytes decompressed, in all */
#define RH_INITRAMFS_MAX_LISTING (64u << 20)   /* bytes of names */
#define RH_INITRAMFS_MAX_NAME 4096             /* one name, with its NUL */

/* The member names of the image in img[0..len), one per line, as `cpio -t`
 * prints them ("TRAILER!!!" left out; a name ends at its first NUL, and a
 * newline inside one is written '?'), malloc'd. NULL when the image is not one this reads: another
 * compression (lz4, bzip2, lzma, lzo), an archive that is cut short or
 * damaged, or one past the limits above. NULL is not an error: the caller
 * asks the guest's own tool then. */
char *rh_initramfs_list(const unsigned char *img, size_t len);

#endif
