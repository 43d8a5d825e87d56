/* libFuzzer: the OVA readers, fed what a hostile package holds: the input
 * as an OVF descriptor, as a manifest, and as a tar archive (in a memfd). */
#include "../ova/ova.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  char err[256];
  struct rh_ovf o;
  if (rh_ovf_parse(text, size, &o, err, sizeof err) == 0) {
    for (size_t i = 0; i < o.n_disks; i++)
      if (!rh_ovf_file_by_id(&o, o.disks[i].file_ref)) abort(); /* the parser's promise */
    rh_ovf_free(&o);
  }
  struct rh_ova_digest *d;
  size_t n;
  if (rh_ova_mf_parse(text, &d, &n, err, sizeof err) == 0) {
    for (size_t i = 0; i < n; i++)
      if (!rh_ova_plain_name(d[i].file)) abort();
    free(d);
  }
  int fd = memfd_create("ova", 0);
  if (fd >= 0 && write(fd, data, size) == (ssize_t)size) {
    struct rh_ova t;
    if (rh_ova_tar_index(fd, size, &t, err, sizeof err) == 0) {
      for (size_t i = 0; i < t.n; i++)
        if (!rh_ova_plain_name(t.m[i].name) || t.m[i].offset + t.m[i].size > size) abort();
      rh_ova_free(&t);
    }
  }
  if (fd >= 0) close(fd);
  free(text);
  return 0;
}
