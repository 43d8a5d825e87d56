/* The kernel command line where extlinux/syslinux keeps it: the APPEND lines
 * of its configuration (Alpine's default, some minimal and embedded images,
 * hand-made BIOS guests), and Alpine's /etc/update-extlinux.conf, from which
 * update-extlinux writes them again at each kernel upgrade. Keywords are
 * syslinux's: the first word of a line, in any case. See edits.h. */
#include "edits.h"

#include "net_edits_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kw { KW_OTHER, KW_LABEL, KW_LINUX, KW_KERNEL, KW_APPEND, KW_NOT_LINUX };

struct xl_line {
  const char *start; /* the whole line, without its newline */
  size_t len;
  bool newline;      /* ends with one (the text's last line may not) */
  size_t indent;     /* blanks before the keyword */
  enum kw kw;
  const char *word;  /* the keyword as written */
  size_t wlen;
  char *arg;         /* what follows the keyword (malloc'd), without blanks around it */
  bool kernel_is_linux;
};

/* a KERNEL line boots Linux unless its file's extension names another kind
 * of image, as syslinux decides it */
static bool kernel_file_is_linux(const char *arg)
{
  static const char *const other[] = {"c32", "cbt", "com", "bs", "bss", "bin", "0", "img", NULL};
  char file[512]; /* the first word: the file */
  snprintf(file, sizeof file, "%.*s", (int)strcspn(arg, " \t"), arg);
  const char *slash = strrchr(file, '/'), *dot = strrchr(slash ? slash : file, '.');
  if (!dot) return true;
  for (int i = 0; other[i]; i++)
    if (!strcasecmp(dot + 1, other[i])) return false;
  return true;
}

static enum kw keyword(const char *w, size_t n)
{
  static const char *const not_linux[] = {"com32", "boot", "bss", "pxe", "fdimage", "comboot",
                                          "config", "localboot", NULL};
  if (n == 5 && !strncasecmp(w, "label", 5)) return KW_LABEL;
  if (n == 5 && !strncasecmp(w, "linux", 5)) return KW_LINUX;
  if (n == 6 && !strncasecmp(w, "kernel", 6)) return KW_KERNEL;
  if (n == 6 && !strncasecmp(w, "append", 6)) return KW_APPEND;
  for (int i = 0; not_linux[i]; i++)
    if (n == strlen(not_linux[i]) && !strncasecmp(w, not_linux[i], n)) return KW_NOT_LINUX;
  return KW_OTHER;
}

/* the lines of text; false when out of memory */
static bool split_lines(const char *text, struct xl_line **out, size_t *count)
{
  size_t n = 0, cap = 0;
  struct xl_line *v = NULL;
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (n == cap) {
      struct xl_line *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof *v);
      if (!nv) {
        *out = v, *count = n;
        return false;
      }
      v = nv;
    }
    struct xl_line *l = &v[n++];
    memset(l, 0, sizeof *l);
    l->start = p;
    l->len = len;
    l->newline = nl != NULL;
    l->indent = strspn(p, " \t");
    if (l->indent > len) l->indent = len;
    l->word = p + l->indent;
    while (l->indent + l->wlen < len && l->word[l->wlen] != ' ' && l->word[l->wlen] != '\t')
      l->wlen++;
    l->kw = l->wlen && *l->word != '#' ? keyword(l->word, l->wlen) : KW_OTHER;
    size_t a = l->indent + l->wlen;
    while (a < len && (p[a] == ' ' || p[a] == '\t')) a++;
    size_t e = len;
    while (e > a && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\r')) e--;
    l->arg = strndup(p + a, e - a);
    if (l->kw == KW_KERNEL) l->kernel_is_linux = l->arg && kernel_file_is_linux(l->arg);
    p = nl ? nl + 1 : p + len;
  }
  *out = v, *count = n;
  return true;
}

/* a label's lines [from, to): does it boot Linux? where is its kernel line? */
static bool label_boots_linux(const struct xl_line *l, size_t from, size_t to, size_t *kernel)
{
  bool linux = false, other = false;
  for (size_t i = from; i < to; i++) {
    if (l[i].kw == KW_LINUX || (l[i].kw == KW_KERNEL && l[i].kernel_is_linux)) {
      linux = true;
      *kernel = i;
    }
    if (l[i].kw == KW_NOT_LINUX || (l[i].kw == KW_KERNEL && !l[i].kernel_is_linux)) other = true;
  }
  return linux && !other;
}

static void put_append(FILE *f, const struct xl_line *like, const char *word, size_t wlen,
                       const char *args)
{
  fprintf(f, "%.*s%.*s %s\n", (int)like->indent, like->start, (int)wlen, word, args);
}

char *rh_extlinux_rewrite(const char *text, const char *file, const struct rh_cmdline_ops *ops,
                          json_object *changes, int *linux_labels)
{
  struct xl_line *l = NULL;
  size_t n = 0;
  bool split = split_lines(text, &l, &n);
  struct out o;
  if (!split || !rh_net_out_open(&o)) {
    for (size_t i = 0; i < n; i++) free(l[i].arg);
    free(l);
    return NULL;
  }
  /* the global APPEND (before the first LABEL): what a label without its own inherits */
  const char *global = "";
  for (size_t i = 0; i < n && l[i].kw != KW_LABEL; i++)
    if (l[i].kw == KW_APPEND && l[i].arg) global = l[i].arg;
  bool failed = false;
  for (size_t i = 0; i < n;) {
    size_t end = i + 1;
    while (end < n && l[end].kw != KW_LABEL) end++;
    size_t kernel = 0;
    bool linux = l[i].kw == KW_LABEL && label_boots_linux(l, i, end, &kernel);
    bool has_append = false;
    for (size_t k = i; k < end; k++) has_append |= l[k].kw == KW_APPEND;
    if (linux && linux_labels) (*linux_labels)++;
    for (size_t k = i; k < end; k++) {
      const struct xl_line *x = &l[k];
      if (linux && x->kw == KW_APPEND && x->arg) {
        /* "APPEND -": no arguments at all, not even the global ones */
        char *nv = rh_cmdline_apply(strcmp(x->arg, "-") ? x->arg : "", ops, true, file, changes,
                                    "console and boot options for the target platform "
                                    "(extlinux)");
        if (!nv) failed = true;
        else put_append(o.f, x, x->word, x->wlen, *nv ? nv : "-");
        free(nv);
        continue;
      }
      fprintf(o.f, "%.*s%s", (int)x->len, x->start, x->newline ? "\n" : "");
      if (linux && !has_append && k == kernel) {
        char *nv = rh_cmdline_apply(global, ops, true, file, changes,
                                    "console and boot options for the target platform "
                                    "(extlinux: this label had no APPEND line of its own)");
        if (!nv) failed = true;
        else if (strcmp(nv, global) != 0) {
          if (!x->newline) fputc('\n', o.f);
          put_append(o.f, x, "APPEND", 6, nv);
        }
        free(nv);
      }
    }
    i = end;
  }
  for (size_t i = 0; i < n; i++) {
    if (!l[i].arg) failed = true;
    free(l[i].arg);
  }
  free(l);
  return rh_net_out_done_unless(&o, failed);
}

char *rh_update_extlinux_rewrite(const char *text, const char *file,
                                 const struct rh_cmdline_ops *ops, json_object *changes)
{
  static const char key[] = "default_kernel_opts=";
  struct out o;
  if (!rh_net_out_open(&o)) return NULL;
  bool failed = false;
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    const char *q = p + strspn(p, " \t");
    if ((size_t)(q - p) < len && !strncmp(q, key, strlen(key))) {
      char *val = strndup(q + strlen(key), len - (size_t)(q - p) - strlen(key));
      char *v = val, quote = val && (*val == '"' || *val == '\'') ? *val : 0;
      if (quote) {
        char *end = strrchr(++v, quote);
        if (end) *end = 0;
      }
      char *nv = val ? rh_cmdline_apply(v, ops, true, file, changes,
                                        "console and boot options for the target platform "
                                        "(update-extlinux writes them on every kernel's entry)")
                     : NULL;
      if (nv) fprintf(o.f, "%.*s%s\"%s\"\n", (int)(q - p), p, key, nv);
      else failed = true;
      free(nv);
      free(val);
    } else {
      fprintf(o.f, "%.*s%s", (int)len, p, nl ? "\n" : "");
    }
    p = nl ? nl + 1 : p + len;
  }
  return rh_net_out_done_unless(&o, failed);
}
