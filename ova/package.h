/* An OVA (tar) or OVF (descriptor with its disks beside it) named as a
 * source: checked and presented as a machine, the way a libvirt domain is
 * (disks in order, vCPUs, memory, firmware, NICs), for scan, replicate and
 * convert. */
#ifndef REHOST_PACKAGE_H
#define REHOST_PACKAGE_H

#include <stdbool.h>

struct rh_domain;

/* Is this argument a package (an .ova or .ovf name)? */
bool rh_package_named(const char *arg);

/* Read the package: its tar index (OVA), the OVF descriptor, the manifest's
 * digests (each disk's digest is checked before anything else reads it), and
 * each disk: a VMDK member of the OVA, read in place through qemu (see
 * rh_image_add_member), or a regular file beside the .ovf. Refused with one
 * error line naming the package and the problem (RH_EXIT_INPUT): a malformed
 * tar or OVF, a DOCTYPE, a member or href that is not a plain name (no
 * traversal), a duplicate member, a missing disk, a compressed disk, a disk
 * that is not a VMDK, a digest mismatch, a manifest without a disk's digest.
 * Fills d (rh_domain_free frees it); returns RH_EXIT_*. */
int rh_package_load(const char *path, struct rh_domain *d);

#endif
