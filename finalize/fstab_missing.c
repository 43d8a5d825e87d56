/* fstab entries whose filesystem is on none of the disks given: a machine
 * converted without one of its disks (a volume group that spans it, a
 * filesystem on it by UUID or LABEL). Booted so, the mount waits for a
 * device that never comes and the boot stops in emergency mode; finalize
 * refuses, or with --allow-missing-mounts gives such entries nofail. */
#include "edits.h"

#include "../guest/guestconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_word(char *list, size_t n, const char *sep, const char *w)
{
  size_t l = strlen(list);
  if (l + strlen(sep) + strlen(w) + 1 < n) snprintf(list + l, n - l, "%s%s", l ? sep : "", w);
}

char *rh_fstab_missing(const char *text, rh_spec_present_fn present, void *opaque, bool add_nofail,
                       json_object *changes, char *missing, size_t msz)
{
  char *out = NULL;
  size_t outlen = 0;
  FILE *o = open_memstream(&out, &outlen);
  if (!o) return NULL;
  missing[0] = 0;
  for (const char *l = text; l && *l;) {
    const char *e = strchr(l, '\n');
    size_t len = e ? (size_t)(e - l) : strlen(l);
    char *line = strndup(l, len), *copy = strndup(l, len);
    l = e ? e + 1 : l + len;
    struct rh_fstab_entry en;
    bool keep = true;
    if (line && copy && rh_fstab_parse_line(copy, &en) == 1 && !rh_fstab_is_network(&en) &&
        (en.file[0] == '/' || !strcmp(en.vfstype, "swap")) && !rh_fstab_has_option(en.options, "noauto") &&
        !rh_fstab_has_option(en.options, "nofail") && present(en.spec, opaque) == 0) {
      char what[600];
      snprintf(what, sizeof what, "%s (%s)", en.file, en.spec);
      add_word(missing, msz, ", ", what);
      if (add_nofail) {
        char opts[512];
        snprintf(opts, sizeof opts, "%s,nofail", en.options);
        fprintf(o, "%s\t%s\t%s\t%s\t%d\t%d\n", en.spec, en.file, en.vfstype, opts, en.freq, en.passno);
        rh_change(changes, "/etc/fstab", "fstab-nofail", line, opts,
                  "its filesystem is on none of the machine's disks given (--allow-missing-mounts): "
                  "the boot goes on without it");
        keep = false;
      }
    }
    if (keep) fprintf(o, "%s%s", line ? line : "", e ? "\n" : "");
    free(line);
    free(copy);
  }
  if (fclose(o) != 0) {
    free(out);
    return NULL;
  }
  return out;
}
