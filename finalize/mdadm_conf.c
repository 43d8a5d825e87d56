/* mdadm.conf as the target's disks will see it. A DEVICE line, or an ARRAY
 * line's devices= tag, that names the source's disks (/dev/sda1, /dev/sd[ab]*,
 * a VMware disk's /dev/disk/by-id serial) admits none of the target's
 * (/dev/vda1, /dev/nvme0n1p1): mdadm would not assemble the arrays, and a root
 * on one never comes up. An array is found by its UUID or name wherever its
 * members are. See edits.h. */
#include "edits.h"

#include "net_edits_int.h"
#include "../guest/guestconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#define WHY_MD_DEVICE "it names the source's disks; the target's disks have other names and " \
                      "mdadm would not assemble the arrays (DEVICE partitions scans every disk)"
#define WHY_MD_ARRAY "it names the source's disks; the target's disks have other names and mdadm " \
                     "would not assemble the array (its UUID or name finds the members)"

const char *const rh_mdadm_conf_globs[] = {"/etc/mdadm/mdadm.conf", "/etc/mdadm.conf",
                                           "/etc/mdadm/mdadm.conf.d/*.conf",
                                           "/etc/mdadm.conf.d/*.conf", NULL};

/* a name (or glob) the source's disk bus or hardware gave */
static bool bound_name(const char *w, size_t n)
{
  static const char *const pre[] = {"/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme",
                                    "/dev/mmcblk", "/dev/cciss/", "/dev/disk/by-id/",
                                    "/dev/disk/by-path/", NULL};
  for (int i = 0; pre[i]; i++)
    if (n >= strlen(pre[i]) && !strncmp(w, pre[i], strlen(pre[i]))) return true;
  return false;
}

/* mdadm takes a keyword abbreviated to 3 letters or more, in any case */
static bool is_keyword(const char *w, size_t n, const char *kw)
{
  return n >= 3 && n <= strlen(kw) && !strncasecmp(w, kw, n);
}

static bool is_tag(const char *w, size_t n, const char *tag)
{
  return n > strlen(tag) && !strncasecmp(w, tag, strlen(tag));
}

/* A logical line: its first physical line and those after it that begin
 * with a blank (mdadm's continuation), as [start, end) of the text. A line
 * that begins with a blank continues one: it is no keyword's. */
struct md_line {
  const char *start, *end;
};

static const char *line_end(const char *p)
{
  const char *nl = strchr(p, '\n');
  return nl ? nl + 1 : p + strlen(p);
}

static struct md_line logical_line(const char *p)
{
  struct md_line l = {p, line_end(p)};
  if (*p == ' ' || *p == '\t' || *p == '#' || *p == '\n') return l;
  while ((*l.end == ' ' || *l.end == '\t') && l.end[strspn(l.end, " \t")] != '\n' &&
         l.end[strspn(l.end, " \t")])
    l.end = line_end(l.end);
  return l;
}

/* the next word of a logical line at or after *p (a '#' at a word's start
 * comments out the rest of its physical line): its start, length in *n */
static const char *next_word(const char **p, const char *end, size_t *n)
{
  const char *q = *p;
  for (;;) {
    q += strspn(q, " \t\n");
    if (q >= end || !*q) return NULL;
    if (*q != '#') break;
    q = line_end(q);
  }
  *n = strcspn(q, " \t\n");
  if (q + *n > end) *n = (size_t)(end - q);
  *p = q + *n;
  return q;
}

/* DEVICE line (0: another line): 1 when a word of it is bound, 2 when it
 * is not and holds "partitions" */
static int device_line(struct md_line l)
{
  const char *p = l.start, *w;
  size_t n;
  if (*p == ' ' || *p == '\t' || !(w = next_word(&p, l.end, &n)) || !is_keyword(w, n, "DEVICE"))
    return 0;
  bool bound = false, partitions = false;
  while ((w = next_word(&p, l.end, &n))) {
    bound |= bound_name(w, n);
    partitions |= n == 10 && !strncasecmp(w, "partitions", 10);
  }
  return bound ? 1 : partitions ? 2 : 3;
}

/* Is l an ARRAY line? Then *p is where its words after the keyword start. */
static bool array_line(struct md_line l, const char **p)
{
  const char *w;
  size_t n;
  *p = l.start;
  return **p != ' ' && **p != '\t' && (w = next_word(p, l.end, &n)) && is_keyword(w, n, "ARRAY");
}

/* an ARRAY line's devices= word, when one of its names is bound and the
 * line has another identity (uuid=, name=, super-minor=) */
static const char *bound_devices_tag(struct md_line l, size_t *len, bool *unidentified)
{
  const char *p, *w, *tag = NULL;
  size_t n;
  bool id = false;
  *unidentified = false;
  if (!array_line(l, &p)) return NULL;
  while ((w = next_word(&p, l.end, &n))) {
    if (is_tag(w, n, "uuid=") || is_tag(w, n, "name=") || is_tag(w, n, "super-minor=")) id = true;
    if (!is_tag(w, n, "devices=")) continue;
    for (const char *e = w + 8; e < w + n;) {
      size_t el = strcspn(e, ",");
      if (e + el > w + n) el = (size_t)(w + n - e);
      if (bound_name(e, el)) tag = w, *len = n;
      e += el + 1;
    }
  }
  if (tag && !id) *unidentified = true;
  return id ? tag : NULL;
}

static void record(json_object *changes, const char *file, const char *action, const char *a,
                   size_t n, const char *after, const char *why)
{
  char *before = strndup(a, n);
  for (char *q = before; q && *q; q++)
    if (*q == '\n' || *q == '\t') *q = ' ';
  rh_change(changes, file, action, before ? rh_trim(before) : "", after, why);
  free(before);
}

char *rh_mdadm_conf_rewrite(const char *text, const char *file, json_object *changes,
                            bool *changed)
{
  struct out o;
  *changed = false;
  if (!text || !rh_net_out_open(&o)) return NULL;
  bool scan_all = false; /* a DEVICE line that stays names "partitions" */
  for (const char *p = text; *p;) {
    struct md_line l = logical_line(p);
    scan_all |= device_line(l) == 2;
    p = l.end;
  }
  for (const char *p = text; *p;) {
    struct md_line l = logical_line(p);
    size_t tl = 0;
    bool unidentified;
    const char *tag = bound_devices_tag(l, &tl, &unidentified); /* does the line have one? */
    if (device_line(l) == 1) {
      for (const char *q = l.start; q < l.end; q = line_end(q))
        fprintf(o.f, REMOVED "%.*s", (int)(line_end(q) - q), q);
      if (l.end[-1] != '\n') fputc('\n', o.f);
      record(changes, file, "md-device", l.start, (size_t)(l.end - l.start),
             scan_all ? NULL : "DEVICE partitions containers", WHY_MD_DEVICE);
      if (!scan_all) fputs("DEVICE partitions containers\n", o.f);
      scan_all = true;
      *changed = true;
    } else if (tag) {
      /* each such tag goes (mdadm takes them all), with the blanks before it */
      char *buf = strndup(l.start, (size_t)(l.end - l.start));
      struct md_line b = {buf, buf ? buf + strlen(buf) : NULL};
      for (char *t; buf && (t = (char *)bound_devices_tag(b, &tl, &unidentified));) {
        record(changes, file, "md-array-devices", t, tl, NULL, WHY_MD_ARRAY);
        char *cut = t;
        while (cut > buf && (cut[-1] == ' ' || cut[-1] == '\t')) cut--;
        memmove(cut, t + tl, strlen(t + tl) + 1);
        b.end = buf + strlen(buf);
      }
      if (buf) fputs(buf, o.f);
      else fprintf(o.f, "%.*s", (int)(l.end - l.start), l.start);
      free(buf);
      *changed = true;
    } else {
      if (unidentified)
        rh_change(changes, file, "warning", "ARRAY", NULL,
                  "an array found only by the source's disk names (devices=, no uuid= or "
                  "name=): left as is, mdadm may not assemble it on the target");
      fprintf(o.f, "%.*s", (int)(l.end - l.start), l.start);
    }
    p = l.end;
  }
  return rh_net_out_done(&o);
}

/* a UUID's hex digits, lower case (mdadm writes them with ':', takes '.',
 * '-' or ' ' too) */
static void uuid_hex(const char *u, size_t n, char *out, size_t sz)
{
  size_t k = 0;
  for (size_t i = 0; i < n && u[i] && k + 1 < sz; i++)
    if (isxdigit((unsigned char)u[i])) out[k++] = (char)tolower((unsigned char)u[i]);
  out[k] = 0;
}

/* the num-devices= word of an ARRAY line whose uuid= is want (hex digits) */
static const char *num_devices_tag(struct md_line l, const char *want, size_t *len)
{
  const char *p, *w, *tag = NULL;
  size_t n;
  bool match = false;
  if (!array_line(l, &p)) return NULL;
  while ((w = next_word(&p, l.end, &n))) {
    if (is_tag(w, n, "uuid=")) {
      char hex[64];
      uuid_hex(w + 5, n - 5, hex, sizeof hex);
      match = *want && !strcmp(hex, want);
    } else if (is_tag(w, n, "num-devices=")) {
      tag = w, *len = n;
    }
  }
  return match ? tag : NULL;
}

char *rh_mdadm_conf_num_devices(const char *text, const char *file, const char *uuid, int n,
                                json_object *changes, bool *changed)
{
  struct out o;
  *changed = false;
  if (!text || !uuid || !rh_net_out_open(&o)) return NULL;
  char want[64], after[32];
  uuid_hex(uuid, strlen(uuid), want, sizeof want);
  snprintf(after, sizeof after, "num-devices=%d", n);
  for (const char *p = text; *p;) {
    struct md_line l = logical_line(p);
    size_t tl = 0;
    const char *tag = num_devices_tag(l, want, &tl);
    if (tag && (tl != strlen(after) || strncasecmp(tag, after, tl))) {
      record(changes, file, "md-num-devices", tag, tl, after,
             "the array was made whole with the members found (--md-degraded): mdadm "
             "assembles it only with the count its ARRAY line gives");
      fprintf(o.f, "%.*s%s%.*s", (int)(tag - l.start), l.start, after,
              (int)(l.end - (tag + tl)), tag + tl);
      *changed = true;
    } else {
      fprintf(o.f, "%.*s", (int)(l.end - l.start), l.start);
    }
    p = l.end;
  }
  return rh_net_out_done(&o);
}
