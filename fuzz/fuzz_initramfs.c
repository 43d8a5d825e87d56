/* libFuzzer: the initramfs reader, fed what a hostile guest's /boot holds:
 * the input as an image (stored cpio archives, gzip, xz or zstd streams,
 * padding). A listing it returns is text: lines of names, no NUL inside. */
#include "../guest/initramfs_list.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *l = rh_initramfs_list(data, size);
  if (l) {
    size_t n = strlen(l);
    if (n && l[n - 1] != '\n') abort(); /* every name ends its line */
    free(l);
  }
  return 0;
}
