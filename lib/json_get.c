#include "json_get.h"

#include "smallfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rh_json_str(json_object *o, const char *key)
{
  json_object *v;
  if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

bool rh_json_valid_name(const char *s, const char *extra)
{
  if (!*s) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          strchr(extra, *s)))
      return false;
  return true;
}

void rh_strv_free(char **v)
{
  for (size_t i = 0; v && v[i]; i++) free(v[i]);
  free(v);
}

const char *rh_strv_kv(char *const *kv, const char *key)
{
  for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2)
    if (!strcmp(kv[i], key)) return kv[i + 1];
  return NULL;
}

size_t rh_strv_len(char *const *v)
{
  size_t n = 0;
  while (v && v[n]) n++;
  return n;
}

int rh_json_strv(json_object *o, const char *k, const char *extra, char ***out, char *err,
                 size_t errsz)
{
  json_object *a;
  *out = calloc(1, sizeof **out);
  if (!*out) return -1;
  if (!json_object_object_get_ex(o, k, &a)) return 0;
  if (!json_object_is_type(a, json_type_array)) {
    snprintf(err, errsz, "\"%s\" must be an array of strings", k);
    return -1;
  }
  size_t n = json_object_array_length(a);
  char **v = realloc(*out, (n + 1) * sizeof *v);
  if (!v) return -1;
  *out = v;
  v[0] = NULL;
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_array_get_idx(a, i);
    const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
    bool ok = s && (extra ? rh_json_valid_name(s, extra) : (*s && !strpbrk(s, " \t\n\r")));
    if (!ok) {
      snprintf(err, errsz, "\"%s\" element %zu is not a valid name", k, i);
      return -1;
    }
    v[i] = strdup(s);
    v[i + 1] = NULL;
  }
  return 0;
}

json_object *rh_json_read_file(const char *path, char *err, size_t errsz)
{
  size_t n;
  char *buf = rh_read_small_file(path, 262144, &n);
  if (!buf) {
    snprintf(err, errsz, "%s", errno == EFBIG ? "larger than 256 KiB" : strerror(errno));
    return NULL;
  }
  json_tokener *tok = json_tokener_new();
  json_object *j = json_tokener_parse_ex(tok, buf, (int)n);
  enum json_tokener_error je = json_tokener_get_error(tok);
  int line = 1;
  for (size_t i = 0, end = json_tokener_get_parse_end(tok); i < end && i < n; i++) line += buf[i] == '\n';
  json_tokener_free(tok);
  free(buf);
  if (je != json_tokener_success || !j || !json_object_is_type(j, json_type_object)) {
    if (je != json_tokener_success)
      snprintf(err, errsz, "invalid JSON near line %d: %s", line, json_tokener_error_desc(je));
    else
      snprintf(err, errsz, "not a JSON object");
    json_object_put(j);
    return NULL;
  }
  return j;
}
