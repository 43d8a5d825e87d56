#include "image_header.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF 69632 /* 68 KiB: covers btrfs's superblock magic at 64 KiB + 64 */

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

void rh_header_free(struct rh_header *h)
{
  free(h->backing);
  free(h->bad_extent);
  free(h->data_file_name);
  free(h->vhd_parent);
  memset(h, 0, sizeof *h);
}

static void set_str(char **dst, const char *s, size_t n)
{
  free(*dst);
  *dst = strndup(s, n);
}

void rh_header_parse_qcow2(const unsigned char *b, size_t n, struct rh_header *h)
{
  if (n < 72) return;
  uint64_t off = be64(b + 8);
  uint32_t len = be32(b + 16);
  if (off) {
    if (len && len <= 1023 && off < n && len <= n - off)
      set_str(&h->backing, (const char *)b + off, len);
    else
      set_str(&h->backing, "(a backing file)", 16);
  }
  /* version 3: incompatible feature bit 2 is "external data file" */
  if (be32(b + 4) >= 3 && n >= 104 && (be64(b + 72) & 4)) {
    h->data_file = true;
    /* header extensions follow the header: type, length, data padded to 8 */
    for (uint64_t o = be32(b + 100); o + 8 <= n && o < 65536;) {
      uint32_t type = be32(b + o), elen = be32(b + o + 4);
      if (!type || elen > n - o - 8) break;
      if (type == 0x44415441 && elen && elen < 4096) /* "DATA": the data file's name */
        set_str(&h->data_file_name, (const char *)b + o + 8, elen);
      o += 8 + (((uint64_t)elen + 7) & ~7ull);
    }
  }
}

/* One extent line: ACCESS SIZE TYPE ["FILE" [OFFSET]]; the file, or NULL. */
static char *extent_file(const char *line)
{
  static const char *access[] = {"RW ", "RDONLY ", "NOACCESS "};
  bool ok = false;
  for (size_t i = 0; i < 3; i++)
    if (!strncmp(line, access[i], strlen(access[i]))) ok = true;
  const char *q = ok ? strchr(line, '"') : NULL;
  const char *e = q ? strchr(q + 1, '"') : NULL;
  return e ? strndup(q + 1, (size_t)(e - q - 1)) : NULL;
}

/* Is name (relative to dir, or absolute) a regular file in dir itself? */
static bool regular_in_dir(const char *name, const char *dir)
{
  if (!*name || strchr(name, '/')) return false; /* "sda", "x/../../etc": never */
  char full[PATH_MAX + 256];
  snprintf(full, sizeof full, "%s/%s", dir, name);
  struct stat sb;
  return lstat(full, &sb) == 0 && S_ISREG(sb.st_mode);
}

void rh_header_parse_vmdk_text(const char *text, const char *dir, struct rh_header *h)
{
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
    line[strcspn(line, "\r")] = 0;
    char *l = line;
    while (*l == ' ' || *l == '\t') l++;
    if (!strncmp(l, "parentFileNameHint", 18)) {
      char *q = strchr(l, '"'), *e = q ? strchr(q + 1, '"') : NULL;
      if (!h->backing) set_str(&h->backing, q && e ? q + 1 : l, q && e ? (size_t)(e - q - 1) : strlen(l));
    }
    char *file = extent_file(l);
    if (file && !h->bad_extent && !regular_in_dir(file, dir)) h->bad_extent = file;
    else free(file);
    p += len + (nl ? 1 : 0);
  }
}

static bool looks_like_descriptor(const unsigned char *b, size_t n)
{
  size_t k = n < 1024 ? n : 1024;
  for (size_t i = 0; i < k; i++)
    if (!b[i] || (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t')) {
      k = i;
      break;
    }
  if (k < 16) return false;
  return !memcmp(b, "# Disk DescriptorFile", 21) || memmem(b, k, "createType", 10);
}

static bool disk_signature(const unsigned char *buf, size_t n)
{
  if (n < 512) return false;
  if (buf[510] == 0x55 && buf[511] == 0xAA) return true;                 /* MBR / boot sector */
  if (n >= 520 && memcmp(buf + 512, "EFI PART", 8) == 0) return true;    /* GPT */
  if (n >= 544 && memcmp(buf + 536, "LVM2 001", 8) == 0) return true;    /* LVM PV */
  if (n >= 1082 && buf[1080] == 0x53 && buf[1081] == 0xEF) return true;  /* ext2/3/4 */
  if (memcmp(buf, "XFSB", 4) == 0) return true;                          /* xfs */
  if (n >= 65608 && memcmp(buf + 65600, "_BHRfS_M", 8) == 0) return true;/* btrfs */
  if (n >= 4096 && memcmp(buf + 4086, "SWAPSPACE2", 10) == 0) return true;
  if (n >= 6 && memcmp(buf, "LUKS\xba\xbe", 6) == 0) return true;        /* LUKS (reported later) */
  return false;
}

static void sniff(const unsigned char *b, size_t n, struct rh_header *h)
{
#define MAGIC(off, bytes, fmt) {off, bytes, sizeof bytes - 1, fmt} /* a NUL inside counts */
  static const struct {
    size_t off;
    const char *magic;
    size_t len;
    const char *fmt;
  } m[] = {
      MAGIC(0, "KDMV", "vmdk"),          MAGIC(0, "COWD", "vmdk"),
      MAGIC(0, "conectix", "vpc"),       MAGIC(0, "vhdxfile", "vhdx"),
      MAGIC(0, "QED\0", "qed"),          MAGIC(64, "\x7f\x10\xda\xbe", "vdi"),
      MAGIC(0, "WithoutFreeSpace", "parallels"), MAGIC(0, "WithouFreSpacExt", "parallels"),
      MAGIC(0, "Bochs Virtual HD Image", "bochs"), MAGIC(0, "XPHDFMT", "bochs"),
      MAGIC(0, "#!/bin/sh\n#V2.0 Format", "cloop"), MAGIC(0, "LUKS\xba\xbe", "luks"),
  };
#undef MAGIC
  snprintf(h->format, sizeof h->format, "raw");
  if (n >= 8 && !memcmp(b, "QFI\xfb", 4)) {
    snprintf(h->format, sizeof h->format, "%s", be32(b + 4) >= 2 ? "qcow2" : "qcow");
    return;
  }
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
    size_t len = m[i].len;
    if (n >= m[i].off + len && !memcmp(b + m[i].off, m[i].magic, len)) {
      snprintf(h->format, sizeof h->format, "%s", m[i].fmt);
      return;
    }
  }
  if (looks_like_descriptor(b, n)) {
    snprintf(h->format, sizeof h->format, "vmdk");
    h->vmdk_descriptor = true;
    return;
  }
  h->disk_signature = disk_signature(b, n);
}

void rh_header_parse_vhd(const unsigned char *b, size_t n, struct rh_header *h)
{
  if (n < 512 || memcmp(b, "conectix", 8) != 0 || be32(b + 60) != 4) return;
  h->vhd_differencing = true;
  /* the dynamic header: "cxsparse", the parent's name at 64 (UTF-16BE, 512
   * bytes); kept as printable ASCII, anything else as '?' */
  uint64_t dyn = be64(b + 16);
  if (dyn > n || n - dyn < 1024 || memcmp(b + dyn, "cxsparse", 8) != 0) return;
  char name[257];
  size_t k = 0;
  for (size_t i = 0; i < 256; i++) {
    unsigned c = (unsigned)b[dyn + 64 + 2 * i] << 8 | b[dyn + 64 + 2 * i + 1];
    if (!c) break;
    name[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  if (k) set_str(&h->vhd_parent, name, k);
}

bool rh_header_vhd_fixed_footer(const unsigned char b[512], unsigned long long file_size)
{
  if (memcmp(b, "conectix", 8) != 0 || be32(b + 60) != 2 || be64(b + 16) != UINT64_MAX)
    return false;
  uint32_t sum = 0;
  for (size_t i = 0; i < 512; i++)
    if (i < 64 || i >= 68) sum += b[i];
  uint64_t size = be64(b + 48); /* current size */
  return ~sum == be32(b + 64) && file_size >= 512 && size <= file_size - 512;
}

int rh_header_read(const char *path, bool block_device, struct rh_header *h)
{
  memset(h, 0, sizeof *h);
  snprintf(h->format, sizeof h->format, "raw");
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return -1;
  static unsigned char buf[SNIFF + 1];
  ssize_t n = pread(fd, buf, SNIFF, 0);
  if (n < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  buf[n] = 0;
  if (block_device) { /* never probed; only a signature for messages */
    h->disk_signature = disk_signature(buf, (size_t)n);
    close(fd);
    return 0;
  }
  sniff(buf, (size_t)n, h);
  /* A fixed VHD starts with its guest's first sector: only its footer, in
   * the last 512 bytes, says what it is. Read as raw, the footer would be
   * one more sector of the disk: a GPT's backup header would no longer be
   * at its end. */
  struct stat sb;
  unsigned char foot[512];
  if (!strcmp(h->format, "raw") && !h->vmdk_descriptor && fstat(fd, &sb) == 0 &&
      sb.st_size >= 1024 && sb.st_size % 512 == 0 &&
      pread(fd, foot, sizeof foot, sb.st_size - 512) == (ssize_t)sizeof foot &&
      rh_header_vhd_fixed_footer(foot, (unsigned long long)sb.st_size)) {
    snprintf(h->format, sizeof h->format, "vpc");
    h->vhd_fixed = true;
  }
  if (!strcmp(h->format, "vpc") && !h->vhd_fixed) rh_header_parse_vhd(buf, (size_t)n, h);
  if (!strcmp(h->format, "qcow2")) {
    uint64_t off = (size_t)n >= 20 ? be64(buf + 8) : 0;
    uint32_t len = (size_t)n >= 20 ? be32(buf + 16) : 0;
    rh_header_parse_qcow2(buf, (size_t)n, h);
    /* a backing name past what was read */
    char name[1024];
    if (off >= (uint64_t)n && len && len < sizeof name &&
        pread(fd, name, len, (off_t)off) == (ssize_t)len)
      set_str(&h->backing, name, len);
  } else if (h->vmdk_descriptor) {
    char *d = strdup(path), *slash = d ? strrchr(d, '/') : NULL;
    if (slash) *slash = 0;
    rh_header_parse_vmdk_text((const char *)buf, slash ? (*d ? d : "/") : ".", h);
    free(d);
  }
  close(fd);
  return 0;
}
