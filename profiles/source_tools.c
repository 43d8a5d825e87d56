#include "source_tools.h"

#include "profile.h"

#include "../lib/exitcodes.h"
#include "../lib/json_get.h"
#include "../lib/log.h"
#include "../lib/words.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKG_CHARS "+-._"
#define PATTERN_CHARS "+-._*"
#define PATH_CHARS "/+-._*"
#define ARG_CHARS "+-._=/"
#define LINE_CHARS " +-._=/:,"

/* Every key of o is one of known (NULL-terminated). */
static int known_keys(json_object *o, const char *what, const char *const *known, char *err,
                      size_t errsz)
{
  json_object_object_foreach(o, key, val) {
    (void)val;
    const char *const *q = known;
    while (*q && strcmp(*q, key)) q++;
    if (!*q) {
      snprintf(err, errsz, "unknown key \"%.64s\" in %s", key, what);
      return -1;
    }
  }
  return 0;
}

/* An absolute path, '*' only inside a component's name, no "." or ".." component. */
static bool valid_path(const char *s)
{
  if (s[0] != '/' || !rh_json_valid_name(s, PATH_CHARS) || strstr(s, "//")) return false;
  for (const char *c = s; c; c = strchr(c + 1, '/'))
    if (!strcmp(c, "/.") || !strncmp(c, "/./", 3) || !strcmp(c, "/..") || !strncmp(c, "/../", 4))
      return false;
  return s[strlen(s) - 1] != '/';
}

/* err, said of the element what; -1 */
static int in_element(const char *what, char *err, size_t errsz)
{
  char inner[256];
  snprintf(inner, sizeof inner, "%s", err);
  snprintf(err, errsz, "%s: %s", what, inner);
  return -1;
}

static int parse_uninstaller(json_object *e, size_t i, struct rh_uninstaller *u, char *err,
                             size_t errsz)
{
  static const char *const known[] = {"path", "args", "append", NULL};
  static const char *const known_append[] = {"file", "lines", NULL};
  char what[64];
  snprintf(what, sizeof what, "\"uninstallers\" element %zu", i);
  if (!json_object_is_type(e, json_type_object)) {
    snprintf(err, errsz, "%s must be an object", what);
    return -1;
  }
  if (known_keys(e, what, known, err, errsz) < 0) return -1;
  const char *path = rh_json_str(e, "path");
  if (!path || !valid_path(path)) {
    snprintf(err, errsz, "%s: \"path\" must be an absolute path (letters, digits, '/+-._*')",
             what);
    return -1;
  }
  u->path = strdup(path);
  if (rh_json_strv(e, "args", ARG_CHARS, &u->args, err, errsz) < 0) return in_element(what, err, errsz);
  json_object *a;
  if (!json_object_object_get_ex(e, "append", &a)) return 0;
  const char *file = rh_json_str(a, "file");
  if (!json_object_is_type(a, json_type_object) || known_keys(a, what, known_append, err, errsz) < 0 ||
      !file || !valid_path(file) || strchr(file, '*')) {
    if (!*err || !strstr(err, "unknown key"))
      snprintf(err, errsz, "%s: \"append\" must be {\"file\": an absolute path, \"lines\": [...]}",
               what);
    return -1;
  }
  u->append_file = strdup(file);
  if (rh_json_strv(a, "lines", LINE_CHARS, &u->append_lines, err, errsz) < 0)
    return in_element(what, err, errsz);
  return 0;
}

int rh_source_tools_parse(const char *text, struct rh_source_tools *t, char *err, size_t errsz)
{
  static const char *const known[] = {"schema", "name", "description", "packages", "uninstallers",
                                      NULL};
  memset(t, 0, sizeof *t);
  err[0] = 0;
  json_object *j = json_tokener_parse(text), *un;
  int r = -1;
  if (!j || !json_object_is_type(j, json_type_object)) {
    snprintf(err, errsz, "not a JSON object");
    goto out;
  }
  if (known_keys(j, "the document", known, err, errsz) < 0) goto out;
  const char *schema = rh_json_str(j, "schema"), *name = rh_json_str(j, "name");
  if (!schema || strcmp(schema, "rehost.source-tools/1")) {
    snprintf(err, errsz, "\"schema\" must be \"rehost.source-tools/1\"");
    goto out;
  }
  if (!name || !rh_json_valid_name(name, "-_")) {
    snprintf(err, errsz, "\"name\" must be letters, digits, '-' or '_'");
    goto out;
  }
  t->name = strdup(name);
  const char *d = rh_json_str(j, "description");
  t->description = strdup(d ? d : name);
  if (rh_json_strv(j, "packages", PATTERN_CHARS, &t->packages, err, errsz) < 0) goto out;
  for (char **p = t->packages; *p; p++) {
    char *star = strchr(*p, '*');
    if ((star && star[1]) || **p == '*' || **p == '-') {
      snprintf(err, errsz, "\"packages\": \"%.64s\": a name, or a prefix followed by one '*'", *p);
      goto out;
    }
  }
  if (json_object_object_get_ex(j, "uninstallers", &un)) {
    size_t n = json_object_is_type(un, json_type_array) ? json_object_array_length(un) : 0;
    if (!json_object_is_type(un, json_type_array)) {
      snprintf(err, errsz, "\"uninstallers\" must be an array");
      goto out;
    }
    t->uninstallers = calloc(n + 1, sizeof *t->uninstallers);
    if (!t->uninstallers) goto out;
    for (size_t i = 0; i < n; i++, t->n_uninstallers++)
      if (parse_uninstaller(json_object_array_get_idx(un, i), i, &t->uninstallers[i], err, errsz) < 0) {
        t->n_uninstallers++;
        goto out;
      }
  }
  if (!t->packages[0] && !t->n_uninstallers) {
    snprintf(err, errsz, "neither \"packages\" nor \"uninstallers\": nothing to remove");
    goto out;
  }
  r = 0;
out:
  json_object_put(j);
  if (r) rh_source_tools_free(t);
  return r;
}

void rh_source_tools_free(struct rh_source_tools *t)
{
  for (size_t i = 0; t->uninstallers && i < t->n_uninstallers; i++) {
    free(t->uninstallers[i].path);
    rh_strv_free(t->uninstallers[i].args);
    free(t->uninstallers[i].append_file);
    rh_strv_free(t->uninstallers[i].append_lines);
  }
  free(t->uninstallers);
  rh_strv_free(t->packages);
  free(t->name);
  free(t->description);
  free(t->origin);
  memset(t, 0, sizeof *t);
}

void rh_source_tools_free_all(struct rh_source_tools *v, size_t n)
{
  for (size_t i = 0; v && i < n; i++) rh_source_tools_free(&v[i]);
  free(v);
}

static int cmp_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int rh_source_tools_load_file(const char *path, struct rh_source_tools *t)
{
  char err[512];
  json_object *j = rh_json_read_file(path, err, sizeof err);
  int r = j ? rh_source_tools_parse(json_object_to_json_string(j), t, err, sizeof err) : -1;
  json_object_put(j);
  if (r < 0) {
    rh_error("%s: %s", path, err);
    return RH_EXIT_INPUT;
  }
  t->origin = strdup(path);
  return RH_EXIT_OK;
}

int rh_source_tools_load(struct rh_source_tools **out, size_t *n_out)
{
  char dir[4096], path[4400];
  snprintf(dir, sizeof dir, "%s/source-tools", rh_profile_dir());
  *out = NULL;
  *n_out = 0;
  DIR *d = opendir(dir);
  if (!d) {
    rh_error("%s: cannot read the source platforms' tools: %s", dir, strerror(errno));
    return RH_EXIT_INPUT;
  }
  char *names[64];
  size_t n = 0;
  for (struct dirent *de; n < 64 && (de = readdir(d));) {
    size_t len = strlen(de->d_name);
    if (len > 5 && de->d_name[0] != '.' && !strcmp(de->d_name + len - 5, ".json"))
      names[n++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_name);
  struct rh_source_tools *v = calloc(n + 1, sizeof *v);
  int rc = v ? RH_EXIT_OK : RH_EXIT_FAILURE;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    free(names[i]);
    if (!rc && !(rc = rh_source_tools_load_file(path, &v[k]))) k++;
  }
  if (rc) {
    rh_source_tools_free_all(v, k);
    return rc;
  }
  *out = v;
  *n_out = k;
  return RH_EXIT_OK;
}

bool rh_source_tools_match(char *const *patterns, const char *name)
{
  for (char *const *p = patterns; p && *p; p++) {
    size_t l = strlen(*p);
    if (l && (*p)[l - 1] == '*' ? !strncmp(*p, name, l - 1) : !strcmp(*p, name)) return true;
  }
  return false;
}

char *rh_pkg_query_name(char *line)
{
  char *w[5], *sp;
  int nw = 0;
  for (char *s = line; nw < 5 && (w[nw] = strtok_r(s, " \t", &sp)); s = NULL) nw++;
  /* rpm: NAME; dpkg: WANT FLAG STATUS NAME, its files there unless... */
  bool there = nw == 1 || (nw == 4 && strcmp(w[2], "not-installed") && strcmp(w[2], "config-files"));
  if (!there) return NULL;
  char *name = w[nw - 1];
  return rh_json_valid_name(name, PKG_CHARS) && name[0] != '-' ? name : NULL;
}

bool rh_source_tools_select(const struct rh_source_tools *t, const char *installed,
                            char *const *keep, char *out, size_t outsz)
{
  bool fits = true;
  for (const char *line = installed; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    char buf[256], *name = NULL;
    if (len < sizeof buf) {
      memcpy(buf, line, len);
      buf[len] = 0;
      name = rh_pkg_query_name(buf);
    }
    line = end ? end + 1 : line + len;
    if (!name || !rh_source_tools_match(t->packages, name) || rh_source_tools_match(keep, name) ||
        rh_words_has(out, name))
      continue;
    size_t l = strlen(out), nl = strlen(name);
    if (l + nl + 2 > outsz) {
      fits = false;
      continue;
    }
    snprintf(out + l, outsz - l, "%s%s", l ? " " : "", name);
  }
  return fits;
}
