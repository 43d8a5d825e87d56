/* What an image file's own first bytes say, read by rehost itself before
 * any qemu driver parses them. qemu's own format probing lets every driver
 * (parallels, qcow v1, bochs, ...) look at guest-controlled bytes, and
 * opening a qcow2 or a VMDK descriptor opens the files they name; rehost
 * decides the format, and refuses what names other files, first. */
#ifndef REHOST_IMAGE_HEADER_H
#define REHOST_IMAGE_HEADER_H

#include <stdbool.h>
#include <stddef.h>

struct rh_header {
  char format[16];       /* qemu driver name of what the magic says: qcow2, vmdk, vpc, vhdx,
                          * or one rehost refuses (qcow, vdi, qed, parallels, bochs, cloop,
                          * dmg, luks); "raw" when nothing is recognised */
  bool vmdk_descriptor;  /* a text VMDK descriptor (names its extents) */
  bool disk_signature;   /* raw: an MBR, GPT, LVM, filesystem or swap signature */
  bool vhd_fixed;        /* vpc: a fixed VHD, known by the footer at its end (it has no header) */
  bool vhd_differencing; /* vpc: a differencing VHD (disk type 4): only the changes to a parent */
  char *vhd_parent;      /* its parent's name from the dynamic header, printable (malloc'd) */
  char *backing;         /* qcow2 backing file, VMDK parentFileNameHint (malloc'd) */
  bool data_file;        /* qcow2 with an external data file */
  char *data_file_name;  /* its name, from the header extension (malloc'd) */
  char *bad_extent;      /* VMDK descriptor: the first extent that is not a regular file in
                          * the descriptor's own directory (malloc'd) */
};

/* Sniff the file's header (a block device is not sniffed: it is raw).
 * Returns 0, or -1 with errno when it cannot be read. */
int rh_header_read(const char *path, bool block_device, struct rh_header *h);
void rh_header_free(struct rh_header *h);

/* Pure parsers (unit-tested and fuzzed): a qcow2 header, a VMDK descriptor.
 * dir: the descriptor's directory, for resolving extents. */
void rh_header_parse_qcow2(const unsigned char *b, size_t n, struct rh_header *h);
void rh_header_parse_vmdk_text(const char *text, const char *dir, struct rh_header *h);
/* Whether the file's last 512 bytes (b) are a fixed VHD's footer: the
 * cookie, disk type 2 (fixed), no dynamic header (data offset all ones), a
 * good checksum, and a disk size that fits before the footer in a file of
 * file_size bytes. A fixed VHD (Azure's and Hyper-V's format) is raw data
 * with that footer, and names no other file. */
bool rh_header_vhd_fixed_footer(const unsigned char b[512], unsigned long long file_size);
/* A VHD that starts with its footer (dynamic or differencing): when the disk
 * type is 4 (differencing), sets vhd_differencing and, when the dynamic
 * header is within the n bytes read, vhd_parent. */
void rh_header_parse_vhd(const unsigned char *b, size_t n, struct rh_header *h);

#endif
