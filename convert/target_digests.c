#include "target_digests.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/private_files.h"
#include "../lib/smallfile.h"
#include "target_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define MAGIC "RHDIGST1"
#define HEADER 72                     /* magic 8, block 4, pad 4, n 8, seed 8, size 8,
                                       * mtime 8, inode 8, id 16 */
#define MAX_FILE ((size_t)256 << 20)  /* 16 Mi blocks: 1 TiB at 64 KiB */

int rh_digests_init(struct rh_digests *g, uint32_t block, uint64_t size, const char *id)
{
  memset(g, 0, sizeof *g);
  if (!block) return -1;
  g->block = block;
  g->n = (size + block - 1) / block;
  if (g->n * 16 + HEADER + 16 > MAX_FILE) return -1;
  if (getrandom(&g->seed, sizeof g->seed, 0) != (ssize_t)sizeof g->seed) return -1;
  snprintf(g->id, sizeof g->id, "%s", id ? id : "");
  g->tgt_size = size;
  if (!(g->d = malloc((g->n ? g->n : 1) * sizeof *g->d))) return -1;
  XXH128_hash_t z = rh_digests_zero(g, block);
  for (uint64_t i = 0; i < g->n; i++) g->d[i] = z;
  if (g->n && size % block) g->d[g->n - 1] = rh_digests_zero(g, (uint32_t)(size % block));
  return 0;
}

void rh_digests_free(struct rh_digests *g)
{
  free(g->d);
  memset(g, 0, sizeof *g);
}

XXH128_hash_t rh_digests_zero(const struct rh_digests *g, uint32_t len)
{
  static const unsigned char zeros[1 << 16];
  XXH3_state_t *s = XXH3_createState();
  XXH128_hash_t h = {0, 0};
  if (!s) return h;
  XXH3_128bits_reset_withSeed(s, g->seed);
  for (uint32_t done = 0; done < len;) {
    uint32_t n = len - done < sizeof zeros ? len - done : (uint32_t)sizeof zeros;
    XXH3_128bits_update(s, zeros, n);
    done += n;
  }
  h = XXH3_128bits_digest(s);
  XXH3_freeState(s);
  return h;
}

static void put64(unsigned char *p, uint64_t v)
{
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get64(const unsigned char *p)
{
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

int rh_digests_encode(const struct rh_digests *g, unsigned char **buf, size_t *len)
{
  size_t n = HEADER + (size_t)g->n * 16 + 16;
  unsigned char *b = calloc(1, n);
  if (!b) return -1;
  memcpy(b, MAGIC, 8);
  put64(b + 8, g->block);
  put64(b + 16, g->n);
  put64(b + 24, g->seed);
  put64(b + 32, g->tgt_size);
  put64(b + 40, (uint64_t)g->tgt_mtime_ns);
  put64(b + 48, g->tgt_ino);
  memcpy(b + 56, g->id, strnlen(g->id, 16));
  for (uint64_t i = 0; i < g->n; i++) {
    put64(b + HEADER + i * 16, g->d[i].low64);
    put64(b + HEADER + i * 16 + 8, g->d[i].high64);
  }
  XXH128_hash_t sum = XXH3_128bits(b, n - 16);
  put64(b + n - 16, sum.low64);
  put64(b + n - 8, sum.high64);
  *buf = b;
  *len = n;
  return 0;
}

int rh_digests_decode(const unsigned char *b, size_t len, struct rh_digests *g, char *why,
                      size_t whysz)
{
  memset(g, 0, sizeof *g);
  if (len < HEADER + 16 || memcmp(b, MAGIC, 8) != 0) {
    snprintf(why, whysz, "not a digest file");
    return -1;
  }
  uint64_t block = get64(b + 8), n = get64(b + 16);
  if (!block || block > (64u << 20) || (block & (block - 1))) {
    snprintf(why, whysz, "bad block size");
    return -1;
  }
  if (n > (MAX_FILE - HEADER - 16) / 16 || len != HEADER + n * 16 + 16) {
    snprintf(why, whysz, "truncated or padded");
    return -1;
  }
  XXH128_hash_t sum = XXH3_128bits(b, len - 16);
  if (sum.low64 != get64(b + len - 16) || sum.high64 != get64(b + len - 8)) {
    snprintf(why, whysz, "checksum mismatch");
    return -1;
  }
  g->block = (uint32_t)block;
  g->n = n;
  g->seed = get64(b + 24);
  g->tgt_size = get64(b + 32);
  g->tgt_mtime_ns = (int64_t)get64(b + 40);
  g->tgt_ino = get64(b + 48);
  memcpy(g->id, b + 56, 16);
  g->id[16] = 0;
  if ((g->tgt_size + block - 1) / block != n) {
    snprintf(why, whysz, "block count does not match the size");
    return -1;
  }
  if (!(g->d = malloc((n ? n : 1) * sizeof *g->d))) {
    snprintf(why, whysz, "out of memory");
    return -1;
  }
  for (uint64_t i = 0; i < n; i++) {
    g->d[i].low64 = get64(b + HEADER + i * 16);
    g->d[i].high64 = get64(b + HEADER + i * 16 + 8);
  }
  return 0;
}

char *rh_digests_path(const char *target) { return rh_tstate_side_path(target, ".rehost.digests"); }

int rh_digests_load(const char *target, struct rh_digests *g, char *why, size_t whysz)
{
  memset(g, 0, sizeof *g);
  char *path = rh_digests_path(target);
  size_t len = 0;
  char *buf = path ? rh_read_private_file(path, MAX_FILE, &len) : NULL;
  int e = errno;
  free(path);
  if (!buf) {
    snprintf(why, whysz, "%s", e == ENOENT ? "no digests of the target were kept"
                               : rh_private_file_refusal(e) ? rh_private_file_refusal(e)
                                                            : strerror(e));
    return -1;
  }
  int rc = rh_digests_decode((const unsigned char *)buf, len, g, why, whysz);
  free(buf);
  return rc;
}

int rh_digests_save(const char *target, const struct rh_digests *g)
{
  char *path = rh_digests_path(target), *tmp = NULL;
  unsigned char *buf = NULL;
  size_t len = 0;
  int rc = RH_EXIT_IO, e = ENOMEM;
  if (!path || asprintf(&tmp, "%s.tmp", path) < 0 || rh_digests_encode(g, &buf, &len) < 0) {
    rh_error("%s: out of memory", target);
    goto out;
  }
  /* private: the seed must stay secret, or a guest could prepare blocks
   * whose digests collide with what the target holds */
  int fd = rh_open_private(tmp, O_WRONLY | O_CREAT, 0600, "block digests");
  if (fd < 0) goto out;
  if ((e = rh_private_commit(fd, buf, len, tmp, path))) {
    unlink(tmp);
    rh_error("%s: cannot write the block digests: %s", path, strerror(e));
    goto out;
  }
  rc = RH_EXIT_OK;
out:
  free(buf);
  free(tmp);
  free(path);
  return rc;
}

void rh_digests_remove(const char *target)
{
  char *path = rh_digests_path(target);
  if (path && unlink(path) == 0) rh_fsync_dir_of(path);
  free(path);
}
