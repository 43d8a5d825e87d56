/* libvirt domains as rehost sees them: what a migration needs from the
 * domain XML (disks and their formats, boot order, firmware, vCPUs, memory,
 * NICs), read with libxml2 from the XML text (pure: unit-tested and fuzzed),
 * and fetched through a libvirt connection. */
#ifndef REHOST_DOMAIN_H
#define REHOST_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rh_dom_disk {
  char *dev;       /* target dev: vda, sda, hdc */
  char *bus;       /* virtio, sata, scsi, ide, or NULL */
  char *path;      /* source file or block device; NULL for network/volume disks */
  char *format;    /* driver type (qcow2, raw, ...), or NULL */
  char *kind;      /* source type: file, block, network, volume */
  int boot_order;  /* <boot order='N'/>, 0 when absent */
  bool cdrom, readonly;
};

struct rh_dom_nic {
  char *mac, *model, *type, *source; /* source: network or bridge name */
};

struct rh_domain {
  char *name, *uuid;
  bool running;          /* set by rh_domain_load (not in the XML) */
  bool snapshot_internal;/* parsed from a snapshot's XML naming an internal disk snapshot */
  bool uefi;             /* <os firmware='efi'> or an OVMF/AAVMF loader */
  char *arch, *machine;  /* from <os><type arch= machine=> */
  unsigned vcpus;
  uint64_t memory_kib;
  struct rh_dom_disk *disks; /* disks only (no cdrom/floppy), boot disk first */
  size_t n_disks;
  struct rh_dom_nic *nics;
  size_t n_nics;
};

/* Parse domain XML text (also the <domain> inside a snapshot's XML). Returns
 * 0, or -1 with the problem in err. */
int rh_domain_parse(const char *xml, struct rh_domain *d, char *err, size_t errsz);
void rh_domain_free(struct rh_domain *d);

/* Look a domain up on a libvirt connection (uri NULL: libvirt's default) and
 * parse its XML. With a snapshot name, the disks are those the snapshot froze:
 * the domain definition saved in the snapshot. Prints one error and returns
 * RH_EXIT_INPUT (no such domain/snapshot, malformed XML) or RH_EXIT_FAILURE
 * (cannot connect). */
int rh_domain_load(const char *uri, const char *name, const char *snapshot, struct rh_domain *d);

/* The disk with target dev `dev`, or the boot disk when dev is NULL. */
const struct rh_dom_disk *rh_domain_disk(const struct rh_domain *d, const char *dev);

/* A running domain's disks change under a reader: refuse it (one error, with
 * what to do) unless a snapshot was named. Returns 0 or RH_EXIT_INPUT. */
int rh_domain_check_quiet(const struct rh_domain *d, const char *snapshot, const char *what);

/* The scan report's "domain" section (json-c object; caller owns it). */
struct json_object;
struct json_object *rh_domain_to_json(const struct rh_domain *d, const char *snapshot);

/* The domain a converted image runs as: virtio disk and NICs, serial
 * console, guest-agent channel. Absent facts get defaults (2 vCPUs, 2 GiB,
 * BIOS, one NIC on network "default"). MACs only with keep_mac. */
struct rh_target_domain {
  const char *name, *image, *format;
  const char *const *extra_images; /* the machine's other disks (same format): vdb, vdc, ... */
  size_t n_extra;
  const char *domain_type;      /* "kvm" (default), "qemu", "test" */
  const char *arch, *machine;   /* NULL: x86_64, libvirt's default machine */
  unsigned vcpus;
  uint64_t memory_kib;
  bool uefi, keep_mac;
  const struct rh_dom_nic *nics;
  size_t n_nics;
};
/* malloc'd XML text, or NULL (out of memory). */
char *rh_domain_xml_for_target(const struct rh_target_domain *t);

#endif
