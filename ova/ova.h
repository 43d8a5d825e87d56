/* OVA and OVF packages (VMware's OVF 1.0 envelope layout), read as hostile
 * input: the tar index of an .ova, its manifest of digests (.mf) and the OVF
 * descriptor. Pure parsers: no I/O beyond pread on the descriptor given, no
 * network, no XML entities, no extraction. Each returns 0, or -1 with a
 * one-line reason in err. */
#ifndef REHOST_OVA_H
#define REHOST_OVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the tar container ---- */
struct rh_ova_member {
  char name[256];
  uint64_t offset, size; /* the member's data, in the .ova */
};
struct rh_ova {
  struct rh_ova_member *m;
  size_t n;
};
/* Index an OVA's members (ustar; sizes in octal or base-256). Refused: a
 * bad header checksum, any member that is not a regular file (links,
 * devices, pax and GNU extension headers), a name that is empty, absolute,
 * in a directory or "..", a duplicate name, data past the end of the file,
 * more than 4096 members. */
int rh_ova_tar_index(int fd, uint64_t file_size, struct rh_ova *out, char *err, size_t errsz);
const struct rh_ova_member *rh_ova_find(const struct rh_ova *o, const char *name);
void rh_ova_free(struct rh_ova *o);

/* ---- the manifest: "SHA256(name)= hex" lines ---- */
struct rh_ova_digest {
  char file[256];
  char algo[8];  /* SHA1 or SHA256 */
  char hex[65];  /* lower case */
};
/* Refused: another algorithm, a digest of the wrong length, a malformed
 * line, a file named twice. */
int rh_ova_mf_parse(const char *text, struct rh_ova_digest **out, size_t *n, char *err, size_t errsz);

/* ---- the OVF descriptor ---- */
struct rh_ovf_file {
  char *id, *href, *compression; /* compression: NULL, or "gzip"... (refused later) */
  uint64_t size;                 /* 0 when not given */
};
struct rh_ovf_disk {
  char *disk_id, *file_ref, *format; /* format: the Disk's ovf:format URI */
  uint64_t capacity;                 /* bytes */
};
struct rh_ovf_nic {
  char *name, *network, *model; /* model: rasd:ResourceSubType (E1000, VmxNet3, ...) */
};
struct rh_ovf {
  char *name;                  /* the VirtualSystem's ovf:id */
  struct rh_ovf_file *files;
  size_t n_files;
  struct rh_ovf_disk *disks;   /* in the order the hardware section attaches them */
  size_t n_disks;
  struct rh_ovf_nic *nics;
  size_t n_nics;
  unsigned vcpus;
  uint64_t memory_mib;
  bool uefi;                   /* vmw:Config firmware=efi */
};
/* Parse an OVF envelope (at most 4 MiB). A DOCTYPE (and so any entity) is
 * refused, as is a disk whose file reference is not in References, and a
 * File href that is not a plain name beside the descriptor. */
int rh_ovf_parse(const char *xml, size_t len, struct rh_ovf *out, char *err, size_t errsz);
void rh_ovf_free(struct rh_ovf *o);
const struct rh_ovf_file *rh_ovf_file_by_id(const struct rh_ovf *o, const char *id);

/* A member or href name as an OVA allows it: a plain file name, no '/', not
 * "." or "..", no control characters, at most 255 bytes. */
bool rh_ova_plain_name(const char *name);

#endif
