#include "yaml_flow.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NEST 16

static const char *skip_sp(const char *p, const char *e)
{
  while (p < e && (*p == ' ' || *p == '\t')) p++;
  return p;
}

static const char *trim_end(const char *b, const char *e)
{
  while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
  return e;
}

/* A quote starts a quoted scalar only where a scalar starts: "it's" is a
 * plain scalar with a quote in it. */
static bool scalar_start(const char *b, const char *s)
{
  while (s > b && (s[-1] == ' ' || s[-1] == '\t')) s--;
  return s == b || strchr("{[,:", s[-1]);
}

/* The closing quote of the quoted scalar at p, or NULL before e. */
static const char *quote_end(const char *p, const char *e)
{
  for (const char *s = p + 1; s < e; s++) {
    if (*p == '"' && *s == '\\') {
      s++;
    } else if (*s == *p) {
      if (*p == '\'' && s + 1 < e && s[1] == '\'') s++; /* '' is a quote inside '...' */
      else return s;
    }
  }
  return NULL;
}

/* The bracket that closes the one at p ('{' or '['), skipping quoted
 * scalars and nested brackets, or NULL when it does not close before e or
 * the brackets do not pair. */
static const char *close_of(const char *p, const char *e)
{
  char stack[MAX_NEST];
  int n = 0;
  for (const char *s = p; s < e; s++) {
    if ((*s == '"' || *s == '\'') && scalar_start(p, s)) {
      if (!(s = quote_end(s, e))) return NULL;
    } else if (*s == '{' || *s == '[') {
      if (n == MAX_NEST) return NULL;
      stack[n++] = *s == '{' ? '}' : ']';
    } else if (*s == '}' || *s == ']') {
      if (!n || stack[--n] != *s) return NULL;
      if (!n) return s;
    }
  }
  return NULL;
}

/* The ':' that ends the key at b ("key: v", "key:" at the end, or a quoted
 * key), or NULL when [b, e) is no "key: value". */
static const char *key_end(const char *b, const char *e)
{
  if (b < e && (*b == '"' || *b == '\'')) {
    const char *q = quote_end(b, e);
    if (!q) return NULL;
    const char *c = skip_sp(q + 1, e);
    return c < e && *c == ':' ? c : NULL;
  }
  for (const char *s = b; s < e; s++) {
    if (strchr("{}[],#\"'", *s)) return NULL;
    if (*s == ':' && s > b && (s + 1 == e || s[1] == ' ' || s[1] == '\t')) return s;
  }
  return NULL;
}

static bool empty_map(const char *open, const char *close)
{
  return skip_sp(open + 1, close) == close;
}

static bool emit_map(FILE *f, const char *open, const char *close, int indent, int nest);

/* Calls fn on each top-level item [b, e) of the flow collection [open,
 * close]; false when one is refused or the text does not split. */
static bool each_item(const char *open, const char *close,
                      bool (*fn)(const char *b, const char *e, void *arg), void *arg)
{
  const char *item = open + 1;
  for (const char *s = item; s <= close; s++) {
    if (s < close && (*s == '"' || *s == '\'') && scalar_start(open + 1, s)) {
      if (!(s = quote_end(s, close))) return false;
    } else if (s < close && (*s == '{' || *s == '[')) {
      if (!(s = close_of(s, close))) return false;
    } else if (s == close || *s == ',') {
      if (!fn(item, s, arg)) return false;
      item = s + 1;
    }
  }
  return true;
}

/* a list item that is a non-empty flow map, and nothing else */
static bool map_item(const char *b, const char *e, void *arg)
{
  (void)arg;
  b = skip_sp(b, e);
  e = trim_end(b, e);
  if (b == e) return true; /* "[{a: 1}, ]" */
  const char *c = *b == '{' ? close_of(b, e) : NULL;
  return c && c + 1 == e && !empty_map(b, c);
}

/* where block lines go: the stream, their indent, how deep the nesting is */
struct block_at {
  FILE *f;
  int indent, nest;
};

/* "- a: 1" at indent, the map's other entries under it */
static bool emit_list_item(const char *b, const char *e, void *arg)
{
  struct block_at *o = arg;
  b = skip_sp(b, e);
  e = trim_end(b, e);
  if (b == e) return true;
  char *buf = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&buf, &n);
  if (!m) return false;
  bool ok = emit_map(m, b, e - 1, o->indent + 2, o->nest + 1);
  if (fclose(m) == 0 && ok && n > (size_t)o->indent) {
    buf[o->indent] = '-';
    fwrite(buf, 1, n, o->f);
  }
  free(buf);
  return ok;
}

/* One entry of a flow map, [b, e): "key: value" at indent. */
static bool emit_entry(FILE *f, const char *b, const char *e, int indent, int nest)
{
  b = skip_sp(b, e);
  e = trim_end(b, e);
  if (b == e) return true; /* "{a: 1, }" */
  const char *colon = key_end(b, e);
  if (!colon) return false;
  const char *v = skip_sp(colon + 1, e);
  int klen = (int)(trim_end(b, colon) - b);
  if (v < e && (*v == '{' || *v == '[')) { /* a collection is the whole value */
    const char *c = close_of(v, e);
    if (!c || skip_sp(c + 1, e) != e) return false;
    if (*v == '{' && !empty_map(v, c)) {
      fprintf(f, "%*s%.*s:\n", indent, "", klen, b);
      return emit_map(f, v, c, indent + 2, nest + 1);
    }
    /* a list of maps ("routes: [{to: default, via: ...}]") becomes a block
     * list; a list of scalars stays as it is written */
    if (*v == '[' && !empty_map(v, c) && each_item(v, c, map_item, NULL)) {
      fprintf(f, "%*s%.*s:\n", indent, "", klen, b);
      struct block_at o = {f, indent + 2, nest + 1};
      return nest < MAX_NEST && each_item(v, c, emit_list_item, &o);
    }
  }
  fprintf(f, "%*s%.*s:%s%.*s\n", indent, "", klen, b, v < e ? " " : "", (int)(e - v), v);
  return true;
}

static bool emit_map_entry(const char *b, const char *e, void *arg)
{
  struct block_at *o = arg;
  return emit_entry(o->f, b, e, o->indent, o->nest);
}

/* The entries of the flow map [open, close] as block lines at indent. */
static bool emit_map(FILE *f, const char *open, const char *close, int indent, int nest)
{
  struct block_at o = {f, indent, nest};
  return nest <= MAX_NEST && each_item(open, close, emit_map_entry, &o);
}

/* The line opened into block lines (malloc'd), or NULL when it is not a
 * "key: {flow map}" line this can open. */
static char *open_line(const char *line, size_t len)
{
  const char *e = line + len, *b = skip_sp(line, e);
  if (b == e || *b == '#' || *b == '-' || memchr(line, '\t', (size_t)(b - line))) return NULL;
  const char *colon = key_end(b, e);
  if (!colon) return NULL;
  const char *v = skip_sp(colon + 1, e);
  if (v == e || *v != '{') return NULL;
  const char *c = close_of(v, e);
  if (!c || empty_map(v, c)) return NULL;
  const char *after = skip_sp(c + 1, e);
  if (after < e && !(*after == '#' && after > c + 1)) return NULL; /* only a comment may follow */
  char *buf = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&buf, &n);
  if (!m) return NULL;
  /* the line up to its map's end is one entry of a map */
  bool ok = emit_entry(m, b, c + 1, (int)(b - line), 0);
  if (fclose(m) != 0 || !ok) {
    free(buf);
    return NULL;
  }
  return buf;
}

char *rh_yaml_flow_to_block(const char *text, const char *old_prefix, rh_yaml_flow_fn fn,
                            void *arg)
{
  char *out = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&out, &n);
  if (!f) return NULL;
  for (const char *p = text ? text : ""; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char *blk = open_line(p, len);
    if (blk) {
      if (old_prefix) fprintf(f, "%s%.*s\n", old_prefix, (int)len, p);
      fputs(blk, f);
      if (fn) {
        char *l = strndup(p, len);
        if (l) fn(l, arg);
        free(l);
      }
    } else {
      fprintf(f, "%.*s%s", (int)len, p, nl ? "\n" : "");
    }
    free(blk);
    p += len + (nl ? 1 : 0);
  }
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}
