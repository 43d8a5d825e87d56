/* The tar index of an OVA and its manifest of digests (ova.h). */
#include "ova.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MEMBERS 4096

bool rh_ova_plain_name(const char *name)
{
  size_t n = strlen(name);
  if (!n || n > 255 || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/')) return false;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    if (*p < 0x20 || *p == 0x7f || *p == '\\') return false;
  return true;
}

/* A numeric header field: octal digits (space or NUL terminated), or GNU's
 * base-256 (first byte 0x80) for members of 8 GiB and more. */
static bool tar_number(const unsigned char *f, size_t len, uint64_t *out)
{
  uint64_t v = 0;
  if (f[0] & 0x80) {
    if (f[0] != 0x80) return false; /* negative or huge */
    for (size_t i = 1; i < len; i++) {
      if (v >> 56) return false;
      v = v << 8 | f[i];
    }
    *out = v;
    return true;
  }
  size_t i = 0;
  while (i < len && f[i] == ' ') i++;
  bool any = false;
  for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, any = true) {
    if (v >> 60) return false;
    v = v << 3 | (uint64_t)(f[i] - '0');
  }
  for (; i < len; i++)
    if (f[i] != ' ' && f[i] != 0) return false;
  *out = v;
  return any;
}

static bool checksum_ok(const unsigned char *h)
{
  uint64_t want;
  if (!tar_number(h + 148, 8, &want)) return false;
  uint64_t sum = 0;
  for (size_t i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return sum == want;
}

static bool zero_block(const unsigned char *h)
{
  for (size_t i = 0; i < 512; i++)
    if (h[i]) return false;
  return true;
}

int rh_ova_tar_index(int fd, uint64_t file_size, struct rh_ova *out, char *err, size_t errsz)
{
  memset(out, 0, sizeof *out);
  unsigned char h[512];
  uint64_t off = 0;
  size_t cap = 0;
  for (;;) {
    if (off + 512 > file_size) {
      if (off == file_size && out->n) return 0; /* no end blocks: accepted, as tar does */
      snprintf(err, errsz, "truncated tar header at offset %llu", (unsigned long long)off);
      goto bad;
    }
    ssize_t r = pread(fd, h, 512, (off_t)off);
    if (r != 512) {
      snprintf(err, errsz, "cannot read the tar header at offset %llu: %s", (unsigned long long)off,
               r < 0 ? strerror(errno) : "short read");
      goto bad;
    }
    if (zero_block(h)) {
      if (!out->n) {
        snprintf(err, errsz, "an empty archive");
        goto bad;
      }
      return 0;
    }
    if (!checksum_ok(h)) {
      snprintf(err, errsz, "not a tar archive (bad header checksum at offset %llu)", (unsigned long long)off);
      goto bad;
    }
    char name[256 + 156];
    size_t nl = strnlen((const char *)h, 100), pl = strnlen((const char *)h + 345, 155);
    bool ustar = !memcmp(h + 257, "ustar", 5);
    if (ustar && pl)
      snprintf(name, sizeof name, "%.*s/%.*s", (int)pl, (const char *)h + 345, (int)nl, (const char *)h);
    else
      snprintf(name, sizeof name, "%.*s", (int)nl, (const char *)h);
    char type = (char)h[156];
    uint64_t size;
    if (!tar_number(h + 124, 12, &size)) {
      snprintf(err, errsz, "member '%.64s': malformed size field", name);
      goto bad;
    }
    /* "./name" as some tools write it is the plain name */
    const char *plain = !strncmp(name, "./", 2) ? name + 2 : name;
    if (type != '0' && type != 0) {
      snprintf(err, errsz, "member '%.64s': a %s, not a regular file (refused in an OVA)", plain,
               type == '5' ? "directory" : type == '1' || type == '2' ? "link"
               : type == 'x' || type == 'g' ? "pax extended header"
               : type == 'L' || type == 'K' ? "GNU long-name header" : "special file");
      goto bad;
    }
    if (!rh_ova_plain_name(plain)) {
      snprintf(err, errsz, "member '%.64s': not a plain file name (directories and '..' are refused)", plain);
      goto bad;
    }
    if (rh_ova_find(out, plain)) {
      snprintf(err, errsz, "member '%.64s' appears twice", plain);
      goto bad;
    }
    uint64_t data = off + 512;
    if (size > file_size || data > file_size - size) {
      snprintf(err, errsz, "member '%.64s': %llu bytes claimed past the end of the file", plain,
               (unsigned long long)size);
      goto bad;
    }
    if (out->n == MAX_MEMBERS) {
      snprintf(err, errsz, "more than %d members", MAX_MEMBERS);
      goto bad;
    }
    if (out->n == cap) {
      size_t nc = cap ? cap * 2 : 8;
      struct rh_ova_member *nm = realloc(out->m, nc * sizeof *nm);
      if (!nm) {
        snprintf(err, errsz, "out of memory");
        goto bad;
      }
      out->m = nm;
      cap = nc;
    }
    struct rh_ova_member *m = &out->m[out->n++];
    snprintf(m->name, sizeof m->name, "%.255s", plain);
    m->offset = data;
    m->size = size;
    off = data + (size + 511) / 512 * 512;
  }
bad:
  rh_ova_free(out);
  return -1;
}

const struct rh_ova_member *rh_ova_find(const struct rh_ova *o, const char *name)
{
  for (size_t i = 0; i < o->n; i++)
    if (!strcmp(o->m[i].name, name)) return &o->m[i];
  return NULL;
}

void rh_ova_free(struct rh_ova *o)
{
  free(o->m);
  memset(o, 0, sizeof *o);
}

/* ---- manifest ---- */

int rh_ova_mf_parse(const char *text, struct rh_ova_digest **out, size_t *n, char *err, size_t errsz)
{
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  int lineno = 0;
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    lineno++;
    char l[512];
    if (len >= sizeof l) {
      snprintf(err, errsz, "line %d: too long", lineno);
      goto bad;
    }
    memcpy(l, line, len);
    l[len] = 0;
    line = end ? end + 1 : NULL;
    while (len && (l[len - 1] == '\r' || l[len - 1] == ' ' || l[len - 1] == '\t')) l[--len] = 0;
    if (!len) continue;
    char *open = strchr(l, '('), *close = strrchr(l, ')');
    char *eq = close ? strchr(close, '=') : NULL;
    if (!open || !close || close < open || !eq || eq != close + 1) {
      snprintf(err, errsz, "line %d: not \"ALGO(file)= digest\"", lineno);
      goto bad;
    }
    struct rh_ova_digest d = {0};
    *open = 0;
    *close = 0;
    if (strcmp(l, "SHA1") && strcmp(l, "SHA256")) {
      snprintf(err, errsz, "line %d: digest algorithm '%.16s' (SHA1 and SHA256 only)", lineno, l);
      goto bad;
    }
    snprintf(d.algo, sizeof d.algo, "%.7s", l);
    if (!rh_ova_plain_name(open + 1)) {
      snprintf(err, errsz, "line %d: '%.64s' is not a plain file name", lineno, open + 1);
      goto bad;
    }
    snprintf(d.file, sizeof d.file, "%.255s", open + 1);
    const char *hex = eq + 1;
    while (*hex == ' ' || *hex == '\t') hex++;
    size_t hl = strlen(hex), want = !strcmp(d.algo, "SHA1") ? 40 : 64;
    bool ok = hl == want;
    for (size_t i = 0; ok && i < hl; i++) ok = isxdigit((unsigned char)hex[i]);
    if (!ok) {
      snprintf(err, errsz, "line %d: a %s digest is %zu hex digits", lineno, d.algo, want);
      goto bad;
    }
    for (size_t i = 0; i < hl; i++) d.hex[i] = (char)tolower((unsigned char)hex[i]);
    for (size_t i = 0; i < *n; i++)
      if (!strcmp((*out)[i].file, d.file)) {
        snprintf(err, errsz, "line %d: '%.64s' has two digests", lineno, d.file);
        goto bad;
      }
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 4;
      struct rh_ova_digest *nd = nc <= MAX_MEMBERS ? realloc(*out, nc * sizeof *nd) : NULL;
      if (!nd) {
        snprintf(err, errsz, "too many digests");
        goto bad;
      }
      *out = nd;
      cap = nc;
    }
    (*out)[(*n)++] = d;
  }
  return 0;
bad:
  free(*out);
  *out = NULL;
  *n = 0;
  return -1;
}
