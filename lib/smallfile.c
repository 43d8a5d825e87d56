#include "smallfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

static char *read_stream(FILE *f, size_t cap, size_t *len);

char *rh_read_small_file(const char *path, size_t cap, size_t *len)
{
  FILE *f = fopen(path, "re");
  if (!f) return NULL;
  return read_stream(f, cap, len);
}

char *rh_read_private_file(const char *path, size_t cap, size_t *len)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return NULL;
  struct stat sb;
  int e = 0;
  if (fstat(fd, &sb) < 0) e = errno;
  else if (!S_ISREG(sb.st_mode)) e = EINVAL;
  else if ((sb.st_uid != 0 && sb.st_uid != geteuid()) || (sb.st_mode & (S_IWGRP | S_IWOTH))) e = EPERM;
  FILE *f = e ? NULL : fdopen(fd, "r");
  if (!f) {
    close(fd);
    errno = e ? e : errno;
    return NULL;
  }
  return read_stream(f, cap, len);
}

const char *rh_private_file_refusal(int err)
{
  return err == ELOOP    ? "a symlink"
         : err == EPERM  ? "owned or writable by another user"
         : err == EINVAL ? "not a regular file"
                         : NULL;
}

static char *read_stream(FILE *f, size_t cap, size_t *len)
{
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
