/* LVM's configuration as the target's disks will see it: the devices file
 * that lists the source's disks, and filters that reject the names the
 * target gives its disks. See edits.h. */
#include "edits.h"

#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool rh_lvm_devices_file(const char *lvm_conf, char *name, size_t namesz)
{
  char file[256] = "system.devices";
  bool on = true;
  for (const char *l = lvm_conf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(l, "\n"), l);
    line[strcspn(line, "#")] = 0; /* lvm.conf's comments; file names here have no '#' */
    char *p = rh_trim(line), *eq = strchr(p, '=');
    if (!eq) continue;
    size_t kl = strcspn(p, " \t=");
    char *v = rh_trim(eq + 1);
    if (kl == 15 && !strncmp(p, "use_devicesfile", 15)) {
      on = atoi(v) != 0;
    } else if (kl == 11 && !strncmp(p, "devicesfile", 11)) {
      size_t n = strlen(v);
      if (n >= 2 && v[0] == '"' && v[n - 1] == '"') v[n - 1] = 0, v++;
      snprintf(file, sizeof file, "%s", v);
    }
  }
  size_t n = strlen(file);
  if (!on || !n || n >= namesz || strspn(file, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                               "0123456789._-") != n || file[0] == '.')
    return false;
  memcpy(name, file, n + 1);
  return true;
}

/* the names the target may give the disk a PV is on: virtio, Hyper-V and
 * Azure (SCSI), Xen, NVMe (EC2 Nitro) */
static const char *const target_names[] = {"/dev/vda2", "/dev/sda2", "/dev/xvda2", "/dev/nvme0n1p2",
                                           NULL};

/* Does the filter (its patterns, as lvm.conf writes them: "a|regex|",
 * "r/regex/") accept NAME? The first pattern that matches decides; none
 * matching accepts. The list ends at its ']'; comments are skipped (a quoted
 * pattern in one is not the filter's). -1 when a pattern cannot be read. */
static int filter_accepts(const char *stmt, const char *name)
{
  const char *p = strchr(stmt, '[');
  for (; p && *p && *p != ']'; p++) {
    if (*p == '#') p = strchr(p, '\n'); /* to the end of the comment's line */
    if (!p) break;
    if (*p != '"') continue;
    const char *end = strchr(p + 1, '"');
    if (!end) return -1;
    size_t n = (size_t)(end - p - 1);
    if (n < 3 || (p[1] != 'a' && p[1] != 'r')) return -1;
    char delim = p[2];
    const char *re_start = p + 3, *re_end = end - 1;
    while (re_end > re_start && *re_end != delim) re_end--;
    if (*re_end != delim) return -1;
    char re[512];
    if ((size_t)(re_end - re_start) >= sizeof re) return -1;
    snprintf(re, sizeof re, "%.*s", (int)(re_end - re_start), re_start);
    /* LVM's own regex has no intervals; glibc's can take exponential
     * memory on them, and a guest's file is not to be trusted with that.
     * The same for '+': glibc copies the subtree of each, so stacked ones
     * ("a++++...") double the copies each time (21 crashed it); a real
     * filter has one or two. */
    size_t plus = 0;
    for (const char *q = re; *q; q++) plus += *q == '+';
    if (strchr(re, '{') || plus > 8) return -1;
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) return -1;
    bool match = regexec(&rx, name, 0, NULL, 0) == 0;
    regfree(&rx);
    if (match) return p[1] == 'a';
    p = end;
  }
  return 1;
}

struct lvm_ctx {
  FILE *out;
  json_object *changes;
  char *stmt;       /* the filter statement being read (its lines), or NULL */
  size_t stmt_len;
  FILE *stmt_f;
  bool in_quote;
  bool changed;
};

static void stmt_end(struct lvm_ctx *c)
{
  fclose(c->stmt_f);
  c->stmt_f = NULL;
  const char *rejected = NULL;
  bool readable = true;
  for (const char *const *n = target_names; *n && !rejected && readable; n++) {
    int a = filter_accepts(c->stmt, *n);
    if (a < 0) readable = false;
    else if (!a) rejected = *n;
  }
  if (!rejected) {
    fputs(c->stmt, c->out);
  } else {
    char why[160];
    snprintf(why, sizeof why,
             "it rejects %s, a name the target may give the disk of a PV: LVM would not find "
             "the volume groups (without it LVM uses every disk)",
             rejected);
    char *line = c->stmt, *nl;
    for (; *line; line = nl + 1) {
      nl = strchr(line, '\n');
      fprintf(c->out, REMOVED "%.*s\n", (int)(nl - line), line);
    }
    char *one = strdup(c->stmt);
    if (one) {
      for (char *q = one; *q; q++)
        if (*q == '\n' || *q == '\t') *q = ' ';
      rh_change(c->changes, "/etc/lvm/lvm.conf", "lvm-filter", rh_trim(one), NULL, why);
    }
    free(one);
    c->changed = true;
  }
  free(c->stmt);
  c->stmt = NULL;
}

/* a filter statement ends at its list's ']' outside a pattern's quotes */
static bool stmt_closes(struct lvm_ctx *c, const char *line)
{
  for (const char *q = line; *q; q++) {
    if (*q == '"') c->in_quote = !c->in_quote;
    else if (*q == '#' && !c->in_quote) return false;
    else if (*q == ']' && !c->in_quote) return true;
  }
  return false;
}

static void lvm_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct lvm_ctx *c = vctx;
  const char *p = line + strspn(line, " \t");
  if (!c->stmt_f) {
    size_t kl = strcspn(p, " \t=");
    bool filter = (kl == 6 && !strncmp(p, "filter", 6)) || (kl == 13 && !strncmp(p, "global_filter", 13));
    if (!filter || p[kl + strspn(p + kl, " \t")] != '=') {
      fprintf(c->out, "%s\n", line);
      return;
    }
    c->stmt_f = open_memstream(&c->stmt, &c->stmt_len);
    c->in_quote = false;
    if (!c->stmt_f) {
      fprintf(c->out, "%s\n", line);
      return;
    }
  }
  fprintf(c->stmt_f, "%s\n", line);
  if (stmt_closes(c, line)) stmt_end(c);
}

char *rh_lvm_filter_rewrite(const char *text, json_object *changes, bool *changed)
{
  struct lvm_ctx c = {.changes = changes};
  char *s = NULL;
  size_t len = 0;
  *changed = false;
  if (!(c.out = open_memstream(&s, &len))) return NULL;
  rh_for_each_line(text, lvm_line, &c);
  if (c.stmt_f) { /* no ']' before the end: left as it was */
    fclose(c.stmt_f);
    fputs(c.stmt, c.out);
    free(c.stmt);
  }
  if (fclose(c.out)) {
    free(s);
    return NULL;
  }
  *changed = c.changed;
  return s;
}
