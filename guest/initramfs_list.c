/* rh_initramfs_list: the names in an initramfs image (initramfs_list.h).
 * The image comes from a guest and is read as hostile: every length is
 * checked against what is left, decompression runs in bounded chunks
 * through zlib, liblzma and libzstd, and anything unexpected ends the read
 * with NULL (the caller then asks the guest's own tool, in the appliance). */
#include "initramfs_list.h"

#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

enum { HDR_LEN = 110, CHUNK = 256 * 1024, MAX_SEGMENTS = 64 };

/* A cpio reader fed any number of bytes at a time. Between archives (at the
 * start, and after each trailer) it skips zero padding and stops, without
 * taking it, at a byte that does not start a header. */
struct walker {
  enum { W_BETWEEN, W_HDR, W_NAME, W_SKIP } state;
  unsigned char hdr[HDR_LEN];
  char name[RH_INITRAMFS_MAX_NAME];
  size_t have;     /* bytes of the header or the name gathered */
  size_t namesize; /* with its NUL */
  uint64_t skip;   /* bytes of padding and data left to pass over */
  uint64_t off;    /* offset in the current archive: headers are 4-aligned */
  bool trailer;    /* the entry being passed over is the trailer */
  bool bad;
  unsigned archives;
  char *out; /* the listing */
  size_t len, cap;
};

static bool hex8(const unsigned char *p, uint64_t *v)
{
  *v = 0;
  for (int i = 0; i < 8; i++) {
    unsigned char c = p[i];
    unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a') + 10u
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A') + 10u
                                        : 16u;
    if (d > 15) return false;
    *v = *v << 4 | d;
  }
  return true;
}

static void add_name(struct walker *w, const char *name, size_t n)
{
  if (w->len + n + 2 > RH_INITRAMFS_MAX_LISTING) {
    w->bad = true;
    return;
  }
  if (w->len + n + 2 > w->cap) {
    size_t cap = w->cap ? w->cap : 1 << 16;
    while (cap < w->len + n + 2) cap *= 2;
    char *s = realloc(w->out, cap);
    if (!s) {
      w->bad = true;
      return;
    }
    w->out = s, w->cap = cap;
  }
  for (size_t i = 0; i < n; i++) w->out[w->len++] = name[i] == '\n' ? '?' : name[i];
  w->out[w->len++] = '\n';
  w->out[w->len] = 0;
}

/* The entry is passed over: the next header, or after the trailer, the
 * space between archives. */
static void skip_done(struct walker *w)
{
  w->state = w->trailer ? W_BETWEEN : W_HDR;
  w->have = 0, w->trailer = false;
}

/* The header is whole: its magic, its fields in hex, the name's size. */
static void header_done(struct walker *w)
{
  uint64_t f[13];
  bool ok = !memcmp(w->hdr, "07070", 5) && (w->hdr[5] == '1' || w->hdr[5] == '2');
  for (int i = 0; ok && i < 13; i++) ok = hex8(w->hdr + 6 + 8 * i, &f[i]);
  /* f[6] the data's size, f[11] the name's (with its NUL) */
  if (!ok || f[11] < 1 || f[11] > RH_INITRAMFS_MAX_NAME) {
    w->bad = true;
    return;
  }
  w->namesize = (size_t)f[11];
  w->skip = f[6]; /* the padding is added once the name is read */
  w->state = W_NAME, w->have = 0;
}

static void name_done(struct walker *w)
{
  if (w->name[w->namesize - 1] != 0) {
    w->bad = true;
    return;
  }
  size_t n = strlen(w->name); /* up to its first NUL, as cpio -t prints it */
  w->trailer = n == 10 && !memcmp(w->name, "TRAILER!!!", 10);
  if (!w->trailer) add_name(w, w->name, n);
  w->off += HDR_LEN + w->namesize;
  uint64_t data = w->skip;
  w->skip = ((4 - w->off % 4) % 4) + data + ((4 - data % 4) % 4);
  w->state = W_SKIP;
  if (!w->skip) skip_done(w);
}

/* Takes bytes from p[0..n) and returns how many it took: all of them, but
 * between archives, where it stops at a byte that starts no header. */
static size_t walk(struct walker *w, const unsigned char *p, size_t n)
{
  size_t i = 0;
  while (i < n && !w->bad) {
    switch (w->state) {
    case W_BETWEEN:
      if (p[i] == 0) {
        i++;
        continue;
      }
      if (p[i] != '0') return i;
      w->state = W_HDR, w->have = 0, w->off = 0;
      w->archives++;
      break;
    case W_HDR: {
      size_t take = HDR_LEN - w->have < n - i ? HDR_LEN - w->have : n - i;
      memcpy(w->hdr + w->have, p + i, take);
      w->have += take, i += take;
      if (w->have == HDR_LEN) header_done(w);
      break;
    }
    case W_NAME: {
      size_t take = w->namesize - w->have < n - i ? w->namesize - w->have : n - i;
      memcpy(w->name + w->have, p + i, take);
      w->have += take, i += take;
      if (w->have == w->namesize) name_done(w);
      break;
    }
    case W_SKIP: {
      uint64_t take = w->skip < n - i ? w->skip : n - i;
      w->skip -= take, w->off += take, i += (size_t)take;
      if (!w->skip) skip_done(w);
      break;
    }
    }
  }
  return i;
}

/* Each decompressor below feeds what it unpacks to the walker, which must
 * take all of it (a compressed stream holds whole archives), and returns the
 * compressed bytes its stream took, or 0 when it failed. */
static bool feed(struct walker *w, const unsigned char *buf, size_t n, uint64_t *unpacked)
{
  *unpacked += n;
  if (*unpacked > RH_INITRAMFS_MAX_UNPACKED) w->bad = true;
  if (!w->bad && walk(w, buf, n) != n) w->bad = true;
  return !w->bad;
}

static size_t gunzip(struct walker *w, const unsigned char *in, size_t len, unsigned char *buf,
                     uint64_t *unpacked)
{
  z_stream z = {0};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return 0;
  z.next_in = (unsigned char *)in;
  z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
  int r = Z_OK;
  while (r == Z_OK) {
    z.next_out = buf, z.avail_out = CHUNK;
    r = inflate(&z, Z_NO_FLUSH);
    if ((r == Z_OK || r == Z_STREAM_END) && !feed(w, buf, CHUNK - z.avail_out, unpacked)) r = Z_DATA_ERROR;
    if (r == Z_OK && !z.avail_in && z.avail_out) r = Z_BUF_ERROR; /* cut short */
  }
  size_t used = r == Z_STREAM_END ? (size_t)z.total_in : 0;
  inflateEnd(&z);
  return used;
}

static size_t unxz(struct walker *w, const unsigned char *in, size_t len, unsigned char *buf,
                   uint64_t *unpacked)
{
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&s, 256u << 20, 0) != LZMA_OK) return 0;
  s.next_in = in, s.avail_in = len;
  lzma_ret r = LZMA_OK;
  while (r == LZMA_OK) {
    s.next_out = buf, s.avail_out = CHUNK;
    r = lzma_code(&s, LZMA_FINISH);
    if ((r == LZMA_OK || r == LZMA_STREAM_END) && !feed(w, buf, CHUNK - s.avail_out, unpacked))
      r = LZMA_DATA_ERROR;
  }
  size_t used = r == LZMA_STREAM_END ? (size_t)s.total_in : 0;
  lzma_end(&s);
  return used;
}

static size_t unzstd(struct walker *w, const unsigned char *in, size_t len, unsigned char *buf,
                     uint64_t *unpacked)
{
  ZSTD_DCtx *d = ZSTD_createDCtx();
  if (!d) return 0;
  ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27); /* 128 MiB of window at most */
  ZSTD_inBuffer zin = {in, len, 0};
  size_t r = 1, used = 0;
  while (r != 0) {
    ZSTD_outBuffer zout = {buf, CHUNK, 0};
    size_t before = zin.pos;
    r = ZSTD_decompressStream(d, &zout, &zin);
    if (ZSTD_isError(r) || !feed(w, buf, zout.pos, unpacked)) break;
    /* cut short, or no progress */
    if (r != 0 && zout.pos < zout.size && (zin.pos == zin.size || zin.pos == before)) break;
  }
  if (r == 0) used = zin.pos;
  ZSTD_freeDCtx(d);
  return used;
}

char *rh_initramfs_list(const unsigned char *img, size_t len)
{
  struct walker w = {.state = W_BETWEEN};
  unsigned char *buf = malloc(CHUNK);
  uint64_t unpacked = 0;
  size_t pos = 0;
  for (int segments = 0; buf && pos < len && !w.bad;) {
    pos += walk(&w, img + pos, len - pos); /* stored archives, and padding */
    if (pos >= len || w.bad) break;
    const unsigned char *p = img + pos;
    size_t left = len - pos, used = 0;
    if (++segments > MAX_SEGMENTS) break;
    if (left >= 2 && p[0] == 0x1f && p[1] == 0x8b) used = gunzip(&w, p, left, buf, &unpacked);
    else if (left >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6)) used = unxz(&w, p, left, buf, &unpacked);
    else if (left >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4)) used = unzstd(&w, p, left, buf, &unpacked);
    /* a compressed stream ends between archives */
    if (!used || w.state != W_BETWEEN) w.bad = true;
    pos += used;
  }
  bool ok = buf && !w.bad && pos >= len && w.state == W_BETWEEN && w.archives > 0;
  free(buf);
  if (!ok) {
    free(w.out);
    return NULL;
  }
  return w.out ? w.out : strdup("");
}
