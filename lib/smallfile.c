#include "smallfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

char *rh_read_small_file(const char *path, size_t cap, size_t *len)
{
  FILE *f = fopen(path, "re");
  if (!f) return NULL;
  char *buf = malloc(cap + 1);
  if (!buf) {
    fclose(f);
    errno = ENOMEM;
    return NULL;
  }
  size_t n = fread(buf, 1, cap + 1, f);
  int rerr = ferror(f) ? (errno ? errno : EIO) : 0;
  fclose(f);
  if (rerr || n > cap) {
    free(buf);
    errno = rerr ? rerr : EFBIG;
    return NULL;
  }
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}
