#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int rh_digest_range(int fd, uint64_t offset, uint64_t len, const char *algo, char hex[65])
{
  const EVP_MD *md = !strcasecmp(algo, "SHA256") ? EVP_sha256()
                     : !strcasecmp(algo, "SHA1") ? EVP_sha1() : NULL;
  if (!md) {
    errno = EINVAL;
    return -1;
  }
  enum { BUF = 1 << 20 };
  unsigned char *buf = malloc(BUF);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int rc = -1, err = ENOMEM;
  if (!buf || !ctx || !EVP_DigestInit_ex(ctx, md, NULL)) goto out;
  while (len > 0) {
    size_t want = len < BUF ? (size_t)len : BUF;
    ssize_t got = pread(fd, buf, want, (off_t)offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      err = got < 0 ? errno : EIO;
      goto out;
    }
    if (!EVP_DigestUpdate(ctx, buf, (size_t)got)) goto out;
    offset += (uint64_t)got;
    len -= (uint64_t)got;
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!EVP_DigestFinal_ex(ctx, out, &n) || n > 32) goto out;
  for (unsigned i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", out[i]);
  hex[2 * n] = 0;
  rc = 0;
out:
  EVP_MD_CTX_free(ctx);
  free(buf);
  if (rc) errno = err;
  return rc;
}

int rh_digest_file(const char *path, const char *algo, char hex[65])
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  struct stat sb;
  int rc = fstat(fd, &sb) == 0 ? rh_digest_range(fd, 0, (uint64_t)sb.st_size, algo, hex) : -1;
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}
