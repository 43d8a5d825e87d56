/* Make a partitioned, bootable disk image from a root filesystem tree. */
#ifndef REHOST_TREE_IMAGE_H
#define REHOST_TREE_IMAGE_H

#include <stdint.h>

struct rh_tree_image_opts {
  const char *dir;          /* root tree on the host */
  const char *output;       /* image path to create */
  const char *driver;       /* qemu driver of the output (raw, qcow2, vmdk, vpc, vhdx) */
  const char *partition;    /* "mbr" or "gpt" */
  uint64_t size;            /* virtual size; 0 = computed from the tree */
};

/* One appliance launch: partition, mkfs (fs type, UUID and label taken from
 * the tree's /etc/fstab root entry), copy the tree in, install grub if the
 * tree has it. Output is written to a temp name and renamed at the end.
 * Returns RH_EXIT_*. */
int rh_tree_image_create(const struct rh_tree_image_opts *o);

#endif
