#include "page_cache.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAMPLES 256

int rh_page_cache_percent(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return -1;
  struct stat sb;
  off_t size = -1;
  int err = 0;
  if (fstat(fd, &sb) < 0) err = errno;
  else if (S_ISREG(sb.st_mode)) size = sb.st_size;
  else if (!S_ISBLK(sb.st_mode)) err = EINVAL;
  else if ((size = lseek(fd, 0, SEEK_END)) < 0) err = errno;
  off_t pg = sysconf(_SC_PAGESIZE);
  int seen = 0, cached = 0;
  for (int i = 0; size > 0 && i < SAMPLES; i++) {
    off_t at = (off_t)((uint64_t)size / SAMPLES * (uint64_t)i);
    off_t d = lseek(fd, at, SEEK_DATA);
    if (d < 0 && errno == ENXIO) break; /* no data from here on */
    if (d < 0) d = at;                  /* no SEEK_DATA here: every byte is data */
    d -= d % pg;
    void *m = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, d);
    if (m == MAP_FAILED) {
      err = errno;
      break;
    }
    unsigned char v = 0;
    if (mincore(m, (size_t)pg, &v) == 0) {
      seen++;
      cached += v & 1;
    }
    munmap(m, (size_t)pg);
  }
  close(fd);
  if (err && !seen) {
    errno = err;
    return -1;
  }
  return seen ? cached * 100 / seen : 100;
}

bool rh_opens_direct(const char *path, int mode)
{
  int fd = open(path, mode | O_DIRECT | O_CLOEXEC | O_NOCTTY);
  if (fd >= 0) close(fd);
  return fd >= 0;
}

bool rh_write_direct(const char *path, int mode)
{
  bool direct = rh_opens_direct(path, mode);
  rh_debug("%s: written %s", path, direct ? "with O_DIRECT (cache=none)" : "through the page cache");
  return direct;
}

bool rh_read_direct_when_cold(const char *path, const char *name)
{
  if (!rh_opens_direct(path, O_RDONLY)) return false;
  int pct = rh_page_cache_percent(path), err = errno;
  bool direct = pct >= 0 && pct < 50;
  if (pct < 0)
    rh_debug("%s: read through the page cache (how much of it is cached is unknown: %s)", name,
             strerror(err));
  else
    rh_debug("%s: read %s (%d%% of its data in the page cache)", name,
             direct ? "with O_DIRECT (cache=none)" : "through the page cache", pct);
  return direct;
}
