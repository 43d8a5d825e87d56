#include "import_facts.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {name} -> its value for this artifact; NULL if the name is unknown */
static const char *value_of(const char *name, size_t n, const struct rh_artifact_facts *a,
                            char *buf, size_t bufsz)
{
#define IS(s) (n == strlen(s) && !strncmp(name, s, n))
  bool uefi = a && a->firmware && !strcmp(a->firmware, "uefi");
  if (IS("format")) return a ? a->format : "";
  if (IS("FORMAT")) {
    snprintf(buf, bufsz, "%s", a && a->format ? a->format : "");
    for (char *p = buf; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    return buf;
  }
  if (IS("firmware")) return uefi ? "uefi" : "bios";
  if (IS("boot_mode")) return uefi ? "uefi" : "legacy-bios";
  if (IS("generation")) return uefi ? "2" : "1";
  if (IS("hyperv_generation")) return uefi ? "V2" : "V1";
  if (IS("os_distro")) return a && a->os_distro ? a->os_distro : "";
  if (IS("os_version")) return a && a->os_version ? a->os_version : "";
  if (IS("min_disk_gib")) {
    uint64_t g = a ? (a->virtual_size + (1ull << 30) - 1) >> 30 : 0;
    snprintf(buf, bufsz, "%llu", (unsigned long long)g);
    return buf;
  }
  if (IS("size_mib_aligned")) return a && a->virtual_size % (1u << 20) == 0 ? "true" : "false";
  return NULL;
#undef IS
}

bool rh_import_template_ok(const char *s, char *bad, size_t badsz)
{
  char buf[64];
  for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
    const char *e = strchr(p, '}');
    if (!e || !value_of(p + 1, (size_t)(e - p - 1), NULL, buf, sizeof buf)) {
      snprintf(bad, badsz, "%.*s", e ? (int)(e - p + 1) : (int)strnlen(p, 32), p);
      return false;
    }
  }
  return true;
}

static char *expand(const char *s, const struct rh_artifact_facts *a)
{
  char *out = NULL, buf[64];
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f) return NULL;
  for (const char *p = s; *p;) {
    const char *e = *p == '{' ? strchr(p, '}') : NULL;
    const char *v = e ? value_of(p + 1, (size_t)(e - p - 1), a, buf, sizeof buf) : NULL;
    if (v) {
      fputs(v, f);
      p = e + 1;
    } else {
      fputc(*p++, f);
    }
  }
  fclose(f);
  return out;
}

json_object *rh_import_facts(const json_object *tmpl, const struct rh_artifact_facts *a)
{
  if (!tmpl) return NULL;
  json_object *out = json_object_new_object();
  json_object_object_foreach((json_object *)tmpl, key, val) {
    const char *s = json_object_get_string(val);
    char *v = expand(s ? s : "", a);
    if (!v) continue;
    bool number = s && (!strcmp(s, "{min_disk_gib}") || !strcmp(s, "{generation}"));
    bool boolean = s && !strcmp(s, "{size_mib_aligned}");
    json_object_object_add(out, key, number    ? json_object_new_int64(strtoll(v, NULL, 10))
                                     : boolean ? json_object_new_boolean(!strcmp(v, "true"))
                                               : json_object_new_string(v));
    free(v);
  }
  return out;
}
