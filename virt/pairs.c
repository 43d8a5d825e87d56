#include "pairs.h"

#include "../lib/exitcodes.h"
#include "../lib/json_get.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../lib/private_files.h"
#include "../lib/smallfile.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void rh_pair_make_id(struct rh_pair *p)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a over domain, disk, target */
  const char *parts[] = {p->domain, p->disk, p->target};
  for (int i = 0; i < 3; i++) {
    for (const char *c = parts[i] ? parts[i] : ""; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  snprintf(p->id, sizeof p->id, "%016llx", (unsigned long long)h);
}

#define FIELDS(p)                                                                              \
  {{"domain", &(p)->domain, 1}, {"uuid", &(p)->uuid, 0},     {"uri", &(p)->uri, 0},            \
   {"disk", &(p)->disk, 1},     {"source", &(p)->source, 1}, {"format", &(p)->format, 0},      \
   {"target", &(p)->target, 1}, {"mode", &(p)->mode, 1},     {"created", &(p)->created, 0}, \
   {"allow_backing", &(p)->allow_backing, 0}}
struct field {
  const char *name;
  char **v;
  int required;
};

int rh_pair_parse(const char *text, struct rh_pair *p, char *err, size_t errsz)
{
  memset(p, 0, sizeof *p);
  json_object *j = json_tokener_parse(text);
  if (!j || !json_object_is_type(j, json_type_object)) {
    snprintf(err, errsz, "not a JSON object");
    json_object_put(j);
    return -1;
  }
  const char *schema = rh_json_str(j, "schema");
  if (!schema || strcmp(schema, "rehost.pair/1") != 0) {
    snprintf(err, errsz, "not a rehost pair (schema rehost.pair/1)");
    json_object_put(j);
    return -1;
  }
  struct field f[] = FIELDS(p);
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    const char *s = rh_json_str(j, f[i].name);
    if (s) *f[i].v = strdup(s);
    if (f[i].required && (!*f[i].v || !**f[i].v)) {
      snprintf(err, errsz, "\"%s\" missing", f[i].name);
      json_object_put(j);
      rh_pair_free(p);
      return -1;
    }
  }
  json_object_put(j);
  rh_pair_make_id(p);
  return 0;
}

char *rh_pair_format(const struct rh_pair *p)
{
  json_object *j = json_object_new_object();
  json_object_object_add(j, "schema", json_object_new_string("rehost.pair/1"));
  struct rh_pair *q = (struct rh_pair *)p;
  struct field f[] = FIELDS(q);
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    if (*f[i].v) json_object_object_add(j, f[i].name, json_object_new_string(*f[i].v));
  char *s = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(j);
  return s;
}

void rh_pair_free(struct rh_pair *p)
{
  struct field f[] = FIELDS(p);
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) free(*f[i].v);
  memset(p, 0, sizeof *p);
}

char *rh_pair_file(const char *dir, const char *sub, const char *id, const char *ext)
{
  char *s = NULL;
  if (asprintf(&s, "%s/%s/%s%s", dir, sub, id, ext) < 0) return NULL;
  return s;
}

static int mkdirs(const char *dir, const char *sub)
{
  char path[4096];
  snprintf(path, sizeof path, "%s", dir);
  for (char *s = path + 1; *s; s++)
    if (*s == '/') {
      *s = 0;
      mkdir(path, 0755);
      *s = '/';
    }
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  if (mkdir(path, 0755) < 0 && errno != EEXIST) {
    rh_error("%s: cannot create: %s", path, strerror(errno));
    return RH_EXIT_IO;
  }
  return RH_EXIT_OK;
}

int rh_pair_save(const char *dir, const struct rh_pair *p)
{
  int rc;
  if ((rc = mkdirs(dir, "pairs")) || (rc = mkdirs(dir, "logs")) || (rc = mkdirs(dir, "locks"))) return rc;
  char *path = rh_pair_file(dir, "pairs", p->id, ".json"), *text = rh_pair_format(p);
  rc = path && text ? rh_outfile_write_text(path, text, 0) : RH_EXIT_FAILURE;
  free(path);
  free(text);
  return rc;
}

int rh_pair_remove(const char *dir, const char *id)
{
  char *path = rh_pair_file(dir, "pairs", id, ".json");
  int rc = RH_EXIT_OK;
  if (!path || unlink(path) < 0) {
    rh_error("%s: cannot remove: %s", path ? path : dir, strerror(errno));
    rc = RH_EXIT_IO;
  }
  free(path);
  return rc;
}

static int by_domain(const void *a, const void *b)
{
  const struct rh_pair *x = a, *y = b;
  int c = strcmp(x->domain, y->domain);
  return c ? c : strcmp(x->disk, y->disk);
}

int rh_pairs_load(const char *dir, struct rh_pair **v, size_t *n, int *bad)
{
  *v = NULL;
  *n = 0;
  *bad = 0;
  char path[4096];
  snprintf(path, sizeof path, "%s/pairs", dir);
  DIR *d = opendir(path);
  if (!d) {
    if (errno == ENOENT) return RH_EXIT_OK;
    rh_error("%s: cannot read: %s", path, strerror(errno));
    return RH_EXIT_IO;
  }
  for (struct dirent *de; (de = readdir(d));) {
    size_t l = strlen(de->d_name);
    if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json")) continue;
    char file[4400], err[200];
    snprintf(file, sizeof file, "%s/%s", path, de->d_name);
    char *text = rh_read_private_file(file, 65536, NULL);
    struct rh_pair p;
    if (!text || rh_pair_parse(text, &p, err, sizeof err) < 0) {
      int e = errno;
      const char *refused = text ? NULL : rh_private_file_refusal(e);
      rh_warn("%s: skipped: %s%s", file, text ? err : refused ? refused : strerror(e),
              refused ? ": not trusted" : "");
      (*bad)++;
      free(text);
      continue;
    }
    free(text);
    struct rh_pair *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) {
      rh_pair_free(&p);
      break;
    }
    *v = nv;
    (*v)[(*n)++] = p;
  }
  closedir(d);
  if (*n) qsort(*v, *n, sizeof **v, by_domain);
  return RH_EXIT_OK;
}

void rh_pairs_free(struct rh_pair *v, size_t n)
{
  for (size_t i = 0; i < n; i++) rh_pair_free(&v[i]);
  free(v);
}
