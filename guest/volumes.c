#include "volumes.h"

#include "../lib/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t strv_len(char **v)
{
  size_t n = 0;
  while (v && v[n]) n++;
  return n;
}

/* Append the strings of src (taken over; src freed) to the vector *v of *n.
 * Out of memory, src's strings are dropped: the list is a best effort. */
static void append(char ***v, size_t *n, char **src)
{
  size_t k = strv_len(src);
  char **grown = k ? realloc(*v, (*n + k + 1) * sizeof **v) : *v;
  if (!grown) {
    for (size_t i = 0; i < k; i++) free(src[i]);
  } else {
    memcpy(grown + *n, src, k * sizeof *src);
    *n += k;
    grown[*n] = NULL;
    *v = grown;
  }
  free(src);
}

char **rh_guest_volumes(guestfs_h *g)
{
  size_t n = 0;
  char **v = calloc(1, sizeof *v);
  if (!v) abort(); /* a few bytes; nothing sensible is left to do */
  /* whole disks first: a disk with no partition table can be a LUKS volume */
  append(&v, &n, guestfs_list_devices(g));
  append(&v, &n, guestfs_list_partitions(g));
  append(&v, &n, guestfs_list_md_devices(g));
  append(&v, &n, guestfs_lvs(g));
  return v;
}

bool rh_volume_type_is(const char *type, const char *const *prefixes)
{
  for (size_t i = 0; type && prefixes[i]; i++)
    if (!strncmp(type, prefixes[i], strlen(prefixes[i]))) return true;
  return false;
}

const char *const rh_crypt_types[] = {"crypto_", NULL};
const char *const rh_member_types[] = {"LVM2_member", "linux_raid_member", NULL};

char *rh_guest_volumes_of_type(guestfs_h *g, const char *const *prefixes)
{
  char **vols = rh_guest_volumes(g);
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  int found = 0;
  for (size_t i = 0; vols[i]; i++) {
    char *type = guestfs_vfs_type(g, vols[i]);
    if (f && rh_volume_type_is(type, prefixes)) fprintf(f, "%s%s", found++ ? ", " : "", vols[i]);
    free(type);
    free(vols[i]);
  }
  free(vols);
  if (f) fclose(f);
  if (!found) {
    free(out);
    return NULL;
  }
  return out;
}

void rh_guest_report_no_os(const char *what, const char *encrypted, const char *members, int ndisks)
{
  if (encrypted)
    rh_error("%s: encrypted guest: %s %s encrypted and rehost has no key to open %s", what,
             encrypted, strchr(encrypted, ',') ? "are" : "is", strchr(encrypted, ',') ? "them" : "it");
  else if (members)
    rh_error("%s: no operating system found on %s; %s %s part of an LVM volume group or md "
             "array: if the machine has more disks, name them all (an md array whose other "
             "disks are lost starts without them with --md-degraded)", what,
             ndisks > 1 ? "these disks" : "this disk", members, strchr(members, ',') ? "are" : "is");
  else
    rh_error("%s: no operating system found on %s", what, ndisks > 1 ? "these disks" : "this disk");
}
