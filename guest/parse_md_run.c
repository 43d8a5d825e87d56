/* The md arrays rh_md_run_degraded started: its script's report lines. */
#define REHOST_MD_RUN_PARSE_ONLY
#include "md_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* an md device's name after /dev/md: it goes into a command line */
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* w into dst ("-": empty); false when it does not fit */
static bool copy_word(char *dst, size_t sz, const char *w)
{
  size_t n = strcmp(w, "-") ? strlen(w) : 0;
  if (n >= sz) return false;
  memcpy(dst, w, n);
  dst[n] = 0;
  return true;
}

size_t rh_md_run_parse(const char *out, struct rh_md_run *v, size_t max)
{
  size_t n = 0;
  for (const char *p = out; p && *p && n < max;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[512], dev[64], uuid[128], level[64], started[32], rest[2];
    int disks, missing;
    if (len < sizeof line) {
      memcpy(line, p, len);
      line[len] = 0;
      if (sscanf(line, "rehost-md %63s %127s %63s %d %d %31s %1s", dev, uuid, level, &disks,
                 &missing, started, rest) == 6 &&
          !strncmp(dev, "/dev/md", 7) && dev[7] && strspn(dev + 7, NAME_CHARS) == strlen(dev + 7) &&
          disks >= 0 && missing >= 0 && missing <= disks &&
          (!strcmp(started, "started") || !strcmp(started, "not-started"))) {
        struct rh_md_run *r = &v[n];
        memset(r, 0, sizeof *r);
        if (!copy_word(r->dev, sizeof r->dev, dev) || !copy_word(r->uuid, sizeof r->uuid, uuid) ||
            !copy_word(r->level, sizeof r->level, level)) {
          p = nl ? nl + 1 : p + len;
          continue;
        }
        n++;
        r->raid_disks = disks;
        r->missing = missing;
        r->started = !strcmp(started, "started");
      }
    }
    p = nl ? nl + 1 : p + len;
  }
  return n;
}
