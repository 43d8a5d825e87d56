/* The kernel command line where GRUB legacy (0.97) keeps it: menu.lst (RHEL
 * and CentOS 5 and 6 call it grub.conf; SLES 11, Debian before squeeze),
 * which GRUB reads at every boot, with nothing generated from it. Each
 * "title" entry that boots Linux carries its arguments on its "kernel" line,
 * after the kernel's file; a Xen hypervisor entry (kernel xen.gz) carries
 * Linux's on its first "module" line. Debian's update-grub writes the
 * kernel lines again from the "# kopt=" line of its automagic section,
 * which is edited too. A command ends at a blank or '=' (GRUB's own
 * parser): "kernel=/vmlinuz ro" is a kernel line. See edits.h. */
#include "edits.h"

#include "net_edits_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum gl_kind { GL_OTHER, GL_TITLE, GL_KERNEL, GL_MODULE, GL_KOPT };

struct gl_line {
  const char *start; /* the whole line, without its newline */
  size_t len;
  bool newline;      /* ends with one (the text's last line may not) */
  enum gl_kind kind;
  size_t args;       /* kernel, module, kopt: where the arguments begin (len: none) */
  size_t file;       /* kernel, module: where the file's name begins */
  bool linux_type;   /* kernel: no --type= naming another kind of kernel */
};

static bool blank(char c) { return c == ' ' || c == '\t'; }

/* p[*i..len): skip blanks, then a word; returns the word's start */
static size_t next_word(const char *p, size_t len, size_t *i)
{
  while (*i < len && blank(p[*i])) (*i)++;
  size_t w = *i;
  while (*i < len && !blank(p[*i])) (*i)++;
  return w;
}

static void classify(struct gl_line *l)
{
  const char *p = l->start;
  size_t len = l->len, i = 0;
  while (len && (p[len - 1] == '\r')) len--;
  while (i < len && blank(p[i])) i++;
  l->args = l->file = l->len;
  if (i < len && p[i] == '#') { /* Debian's "# kopt=ARGS" */
    size_t k = i + 1;
    while (k < len && blank(p[k])) k++;
    if (len - k >= 5 && !strncmp(p + k, "kopt=", 5)) l->kind = GL_KOPT, l->args = k + 5;
    return;
  }
  size_t w = i;
  while (i < len && !blank(p[i]) && p[i] != '=') i++;
  size_t wl = i - w;
  if (wl == 5 && !strncmp(p + w, "title", 5)) l->kind = GL_TITLE;
  else if (wl == 6 && !strncmp(p + w, "kernel", 6)) l->kind = GL_KERNEL;
  else if (wl == 6 && !strncmp(p + w, "module", 6)) l->kind = GL_MODULE;
  else return;
  if (l->kind == GL_TITLE) return;
  if (i < len && p[i] == '=') i++;
  l->linux_type = true;
  size_t f;
  for (;;) { /* options (--type=linux, --no-mem-option), then the file */
    f = next_word(p, len, &i);
    if (f == i || len - f < 2 || strncmp(p + f, "--", 2)) break;
    if (!strncmp(p + f, "--type=", 7) && !(i - f == 12 && !strncmp(p + f + 7, "linux", 5)) &&
        !(i - f == 15 && !strncmp(p + f + 7, "biglinux", 8)))
      l->linux_type = false;
  }
  if (f == i) { /* no file: nothing to edit */
    l->kind = GL_OTHER;
    return;
  }
  l->file = f;
  while (i < len && blank(p[i])) i++;
  l->args = i;
}

/* a kernel line's file: a Xen hypervisor (xen.gz, xen-4.1.gz), whose
 * entry boots Linux from its first module line */
static bool is_hypervisor(const struct gl_line *l)
{
  size_t e = l->file, b = l->file;
  while (e < l->len && !blank(l->start[e])) e++;
  for (size_t k = l->file; k < e; k++) /* the base name: after "/" or "(hd0,0)" */
    if (l->start[k] == '/' || l->start[k] == ')') b = k + 1;
  return e - b >= 3 && !strncmp(l->start + b, "xen", 3) && memmem(l->start + b, e - b, ".gz", 3);
}

/* LINE with its arguments replaced: what precedes them kept as it is */
static bool put_args(FILE *f, const struct gl_line *l, const struct rh_cmdline_ops *ops,
                     const char *file, json_object *changes, const char *why)
{
  size_t end = l->len;
  while (end > l->args && (blank(l->start[end - 1]) || l->start[end - 1] == '\r')) end--;
  char *old = strndup(l->start + l->args, end > l->args ? end - l->args : 0);
  char *nv = old ? rh_cmdline_apply(old, ops, true, file, changes, why) : NULL;
  free(old);
  if (!nv) return false;
  size_t keep = l->args;
  if (l->kind != GL_KOPT) /* the file's name, without the blanks after it */
    while (keep > l->file && blank(l->start[keep - 1])) keep--;
  fprintf(f, "%.*s%s%s%s", (int)keep, l->start, *nv && l->kind != GL_KOPT ? " " : "", nv,
          l->newline ? "\n" : "");
  free(nv);
  return true;
}

char *rh_grub_legacy_rewrite(const char *text, const char *file, const struct rh_cmdline_ops *ops,
                             json_object *changes, int *linux_entries)
{
  static const char why[] = "console and boot options for the target platform (GRUB legacy)";
  static const char why_kopt[] = "console and boot options for the target platform (update-grub "
                                 "writes the kernel lines again from kopt)";
  struct out o;
  if (!rh_net_out_open(&o)) return NULL;
  size_t n = 0, cap = 0;
  struct gl_line *v = NULL;
  bool failed = false;
  for (const char *p = text; *p && !failed;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (n == cap) {
      struct gl_line *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof *v);
      if (!nv) failed = true;
      else v = nv;
    }
    if (!failed) {
      v[n] = (struct gl_line){.start = p, .len = len, .newline = nl != NULL};
      classify(&v[n++]);
    }
    p = nl ? nl + 1 : p + len;
  }
  for (size_t i = 0; i < n && !failed;) {
    size_t end = i + 1;
    while (end < n && v[end].kind != GL_TITLE) end++;
    /* the entry's line carrying Linux's arguments: its kernel line, or
     * after a hypervisor the first module line; none before any title */
    size_t edit = end, kernels = 0;
    bool other = false;
    for (size_t k = i; k < end && v[i].kind == GL_TITLE; k++) {
      if (v[k].kind != GL_KERNEL) continue;
      kernels++;
      if (!v[k].linux_type) other = true;
      else if (!is_hypervisor(&v[k])) edit = k;
      else
        for (size_t m = k + 1; m < end && edit == end; m++)
          if (v[m].kind == GL_MODULE) edit = m;
    }
    if (other || kernels != 1) edit = end;
    if (edit < end && linux_entries) (*linux_entries)++;
    for (size_t k = i; k < end && !failed; k++) {
      if (k == edit) failed = !put_args(o.f, &v[k], ops, file, changes, why);
      else if (v[k].kind == GL_KOPT) failed = !put_args(o.f, &v[k], ops, file, changes, why_kopt);
      else fprintf(o.f, "%.*s%s", (int)v[k].len, v[k].start, v[k].newline ? "\n" : "");
    }
    i = end;
  }
  free(v);
  return rh_net_out_done_unless(&o, failed);
}
