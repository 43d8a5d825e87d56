/* Message digests of files and file ranges (OpenSSL's EVP): SHA-1 and
 * SHA-256, as OVA manifests carry them and as the convert manifest records
 * its artifacts. */
#ifndef REHOST_DIGEST_H
#define REHOST_DIGEST_H

#include <stdint.h>

/* The digest (algo "SHA1" or "SHA256", case-insensitive) of len bytes of fd
 * from offset, as lower-case hex in hex (at least 65 bytes). Reads with
 * pread; stops early with an error on a short read. Returns 0, or -1 with
 * errno (EINVAL: unknown algorithm; EIO: the file ended first). */
int rh_digest_range(int fd, uint64_t offset, uint64_t len, const char *algo, char hex[65]);

/* The same over a whole file (opened O_NOFOLLOW). */
int rh_digest_file(const char *path, const char *algo, char hex[65]);

#endif
