#include "profile.h"

#include "import_facts.h"

#include "../lib/exitcodes.h"
#include "../lib/json_get.h"
#include "../lib/log.h"
#include "../lib/proc.h"
#include "../lib/smallfile.h"
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_EXTENDS 4

/* ---- helpers ---- */

static int get_bool(json_object *o, const char *k, bool dflt, bool *out, char *err, size_t errsz)
{
  json_object *v;
  *out = dflt;
  if (!json_object_object_get_ex(o, k, &v)) return 0;
  if (!json_object_is_type(v, json_type_boolean)) {
    snprintf(err, errsz, "\"%s\" must be true or false", k);
    return -1;
  }
  *out = json_object_get_boolean(v);
  return 0;
}

/* An object member (absent: NULL, fine); every key must be in `known`. */
static int get_section(json_object *o, const char *k, const char *const *known, json_object **out,
                       char *err, size_t errsz)
{
  *out = NULL;
  json_object *v;
  if (!json_object_object_get_ex(o, k, &v)) return 0;
  if (!json_object_is_type(v, json_type_object)) {
    snprintf(err, errsz, "\"%s\" must be an object", k);
    return -1;
  }
  json_object_object_foreach(v, key, val) {
    (void)val;
    bool found = false;
    for (const char *const *q = known; *q && !found; q++) found = !strcmp(*q, key);
    if (!found) {
      snprintf(err, errsz, "unknown key \"%.64s\" in \"%s\"", key, k);
      return -1;
    }
  }
  *out = v;
  return 0;
}

#define PKG_CHARS "+-._"
#define UNIT_CHARS "-_.@"
#define MOD_CHARS "-_"

static int parse_agents(json_object *j, struct rh_profile *p, char *err, size_t errsz)
{
  json_object *a;
  if (!json_object_object_get_ex(j, "agents", &a)) return 0;
  if (!json_object_is_type(a, json_type_array)) {
    snprintf(err, errsz, "\"agents\" must be an array");
    return -1;
  }
  size_t n = json_object_array_length(a);
  p->agents = calloc(n ? n : 1, sizeof *p->agents);
  if (!p->agents) return -1;
  static const char *const known[] = {"name", "deb", "rpm", "services", NULL};
  for (size_t i = 0; i < n; i++, p->n_agents++) {
    json_object *e = json_object_array_get_idx(a, i), *wrap = json_object_new_object();
    json_object_object_add(wrap, "agent", json_object_get(e));
    json_object *sec;
    int r = get_section(wrap, "agent", known, &sec, err, errsz);
    struct rh_agent *ag = &p->agents[i];
    const char *name = sec ? rh_json_str(sec, "name") : NULL;
    if (!r && (!sec || !name || !rh_json_valid_name(name, PKG_CHARS))) {
      snprintf(err, errsz, "agent %zu needs a \"name\"", i);
      r = -1;
    }
    if (!r) {
      ag->name = strdup(name);
      if (rh_json_strv(sec, "deb", PKG_CHARS, &ag->deb, err, errsz) < 0 ||
          rh_json_strv(sec, "rpm", PKG_CHARS, &ag->rpm, err, errsz) < 0 ||
          rh_json_strv(sec, "services", UNIT_CHARS, &ag->services, err, errsz) < 0)
        r = -1;
    }
    json_object_put(wrap);
    if (r) {
      p->n_agents++;
      return -1;
    }
  }
  return 0;
}

static int parse_services(json_object *j, struct rh_profile *p, char *err, size_t errsz)
{
  static const char *const known[] = {"enable", "disable", "firewall", NULL};
  json_object *s, *en;
  if (get_section(j, "services", known, &s, err, errsz) < 0) return -1;
  json_object *empty = json_object_new_object();
  if (!s) s = empty;
  int r = -1;
  if (rh_json_strv(s, "disable", UNIT_CHARS, &p->disable, err, errsz) < 0 ||
      rh_json_strv(s, "firewall", UNIT_CHARS, &p->firewall, err, errsz) < 0)
    goto out;
  if (json_object_object_get_ex(s, "enable", &en)) {
    if (!json_object_is_type(en, json_type_array)) {
      snprintf(err, errsz, "\"services.enable\" must be an array of arrays of names");
      goto out;
    }
    size_t n = json_object_array_length(en);
    p->enable = calloc(n ? n : 1, sizeof *p->enable);
    if (!p->enable) goto out;
    for (size_t i = 0; i < n; i++, p->n_enable++) {
      json_object *wrap = json_object_new_object();
      json_object_object_add(wrap, "enable", json_object_get(json_object_array_get_idx(en, i)));
      int e = rh_json_strv(wrap, "enable", UNIT_CHARS, &p->enable[i], err, errsz);
      json_object_put(wrap);
      if (e < 0 || !p->enable[i][0]) {
        if (e == 0) snprintf(err, errsz, "\"services.enable\" entry %zu is empty", i);
        p->n_enable++;
        goto out;
      }
    }
  }
  r = 0;
out:
  json_object_put(empty);
  return r;
}

static int parse_sections(json_object *j, struct rh_profile *p, char *err, size_t errsz)
{
  static const char *const k_fstab[] = {"drop_network_mounts", "device_names", NULL};
  static const char *const k_adj[] = {"clock", "reset_drift", NULL};
  static const char *const k_net[] = {"default", "remove_mac_bindings", NULL};
  static const char *const k_cmd[] = {"add", "remove_prefix", NULL};
  static const char *const k_out[] = {"formats", "default", "options", "size_alignment", NULL};
  static const char *const k_boot[] = {"terminal", "serial_command", NULL};
  json_object *fs, *adj, *net, *cmd, *out, *boot, *empty = json_object_new_object(), *v;
  int r = -1;
  if (get_section(j, "fstab", k_fstab, &fs, err, errsz) < 0 ||
      get_section(j, "adjtime", k_adj, &adj, err, errsz) < 0 ||
      get_section(j, "network", k_net, &net, err, errsz) < 0 ||
      get_section(j, "kernel_cmdline", k_cmd, &cmd, err, errsz) < 0 ||
      get_section(j, "output", k_out, &out, err, errsz) < 0 ||
      get_section(j, "bootloader", k_boot, &boot, err, errsz) < 0)
    goto done;
  if (boot) {
    const char *bk[] = {"terminal", "serial_command"};
    char **dst[] = {&p->grub_terminal, &p->grub_serial_command};
    for (int i = 0; i < 2; i++) {
      if (!json_object_object_get_ex(boot, bk[i], &v)) continue;
      const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
      if (!s || !rh_json_valid_name(s, " -=_.,")) {
        snprintf(err, errsz, "\"bootloader.%s\" must be a string of words (letters, digits, -=_.,)",
                 bk[i]);
        goto done;
      }
      *dst[i] = strdup(s);
    }
  }
  if (!fs) fs = empty;
  if (!adj) adj = empty;
  if (!net) net = empty;
  if (!cmd) cmd = empty;
  if (!out) out = empty;
  const char *dn = rh_json_str(fs, "device_names"), *clock = rh_json_str(adj, "clock");
  const char *nd = rh_json_str(net, "default");
  if (dn && strcmp(dn, "uuid") && strcmp(dn, "keep")) {
    snprintf(err, errsz, "\"fstab.device_names\" must be \"uuid\" or \"keep\"");
    goto done;
  }
  if (clock && strcmp(clock, "UTC") && strcmp(clock, "keep")) {
    snprintf(err, errsz, "\"adjtime.clock\" must be \"UTC\" or \"keep\"");
    goto done;
  }
  if (nd && strcmp(nd, "keep-static") && strcmp(nd, "dhcp")) {
    snprintf(err, errsz, "\"network.default\" must be \"keep-static\" or \"dhcp\"");
    goto done;
  }
  p->fstab_uuid = !dn || !strcmp(dn, "uuid");
  p->adjtime_utc = !clock || !strcmp(clock, "UTC");
  p->network_dhcp = nd && !strcmp(nd, "dhcp");
  if (get_bool(fs, "drop_network_mounts", true, &p->drop_network_mounts, err, errsz) < 0 ||
      get_bool(adj, "reset_drift", true, &p->adjtime_reset_drift, err, errsz) < 0 ||
      get_bool(net, "remove_mac_bindings", true, &p->remove_mac_bindings, err, errsz) < 0 ||
      rh_json_strv(cmd, "add", NULL, &p->cmdline_add, err, errsz) < 0 ||
      rh_json_strv(cmd, "remove_prefix", NULL, &p->cmdline_remove_prefix, err, errsz) < 0 ||
      rh_json_strv(out, "formats", "", &p->formats, err, errsz) < 0)
    goto done;
  static const char *const fmts[] = {"raw", "qcow2", "vmdk", "vhd", "vhdx", NULL};
  for (char **f = p->formats; *f; f++) {
    bool ok = false;
    for (const char *const *q = fmts; *q; q++) ok |= !strcmp(*q, *f);
    if (!ok) {
      snprintf(err, errsz, "unknown output format \"%.32s\" (raw, qcow2, vmdk, vhd, vhdx)", *f);
      goto done;
    }
  }
  if (!p->formats[0]) {
    snprintf(err, errsz, "\"output.formats\" must name at least one format");
    goto done;
  }
  const char *df = rh_json_str(out, "default");
  p->default_format = strdup(df ? df : p->formats[0]);
  bool listed = false;
  for (char **f = p->formats; *f; f++) listed |= !strcmp(*f, p->default_format);
  if (!listed) {
    snprintf(err, errsz, "\"output.default\" is not one of \"output.formats\"");
    goto done;
  }
  if (json_object_object_get_ex(out, "options", &v)) {
    if (!json_object_is_type(v, json_type_object)) {
      snprintf(err, errsz, "\"output.options\" must map formats to qemu-img -o strings");
      goto done;
    }
    json_object_object_foreach(v, key, val) {
      if (!json_object_is_type(val, json_type_string) ||
          !rh_json_valid_name(json_object_get_string(val), "=,_-.")) {
        snprintf(err, errsz, "\"output.options.%.32s\" is not a qemu-img option string", key);
        goto done;
      }
    }
    p->format_options = json_object_get(v);
  }
  if (json_object_object_get_ex(out, "size_alignment", &v)) {
    int64_t a = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
    if (a < 0 || (a & (a - 1))) {
      snprintf(err, errsz, "\"output.size_alignment\" must be 0 or a power of two");
      goto done;
    }
    p->size_alignment = (uint64_t)a;
  }
  r = 0;
done:
  json_object_put(empty);
  return r;
}

/* "import": {"platform": NAME, "facts": {NAME: TEMPLATE, ...}} */
static int parse_import(json_object *j, struct rh_profile *p, char *err, size_t errsz)
{
  static const char *const known[] = {"platform", "facts", NULL};
  json_object *imp, *facts;
  if (get_section(j, "import", known, &imp, err, errsz) < 0) return -1;
  if (!imp) return 0;
  const char *plat = rh_json_str(imp, "platform");
  if (!plat || !rh_json_valid_name(plat, "-_")) {
    snprintf(err, errsz, "\"import.platform\" must be a name (letters, digits, '-', '_')");
    return -1;
  }
  if (!json_object_object_get_ex(imp, "facts", &facts) || !json_object_is_type(facts, json_type_object)) {
    snprintf(err, errsz, "\"import.facts\" must be an object of name: template strings");
    return -1;
  }
  json_object_object_foreach(facts, key, val) {
    char bad[40];
    if (!json_object_is_type(val, json_type_string)) {
      snprintf(err, errsz, "\"import.facts.%.32s\" must be a string", key);
      return -1;
    }
    if (!rh_import_template_ok(json_object_get_string(val), bad, sizeof bad)) {
      snprintf(err, errsz, "\"import.facts.%.32s\": unknown placeholder %s", key, bad);
      return -1;
    }
  }
  p->import_platform = strdup(plat);
  p->import_facts = json_object_get(facts);
  return 0;
}

int rh_profile_parse(const char *text, struct rh_profile *p, char *err, size_t errsz)
{
  memset(p, 0, sizeof *p);
  json_object *j = json_tokener_parse(text);
  int r = -1;
  if (!j || !json_object_is_type(j, json_type_object)) {
    snprintf(err, errsz, "not a JSON object");
    goto out;
  }
  static const char *const known[] = {"schema", "name", "description", "extends", "agents",
                                      "initramfs_modules", "kernel_modules", "services", "fstab", "adjtime",
                                      "network", "kernel_cmdline", "bootloader", "output",
                                      "import", NULL};
  json_object *wrap = json_object_new_object(), *sec;
  json_object_object_add(wrap, "profile", json_object_get(j));
  int kr = get_section(wrap, "profile", known, &sec, err, errsz);
  json_object_put(wrap);
  if (kr < 0) goto out;
  const char *schema = rh_json_str(j, "schema"), *name = rh_json_str(j, "name");
  if (!schema || strcmp(schema, "rehost.profile/1")) {
    snprintf(err, errsz, "\"schema\" must be \"rehost.profile/1\"");
    goto out;
  }
  if (!name || !rh_json_valid_name(name, "-_")) {
    snprintf(err, errsz, "\"name\" must be letters, digits, '-' or '_'");
    goto out;
  }
  p->name = strdup(name);
  const char *d = rh_json_str(j, "description");
  p->description = strdup(d ? d : "");
  if (parse_agents(j, p, err, errsz) < 0 ||
      rh_json_strv(j, "initramfs_modules", MOD_CHARS, &p->initramfs_modules, err, errsz) < 0 ||
      rh_json_strv(j, "kernel_modules", MOD_CHARS, &p->kernel_modules, err, errsz) < 0 ||
      parse_services(j, p, err, errsz) < 0 || parse_sections(j, p, err, errsz) < 0 ||
      parse_import(j, p, err, errsz) < 0)
    goto out;
  r = 0;
out:
  json_object_put(j);
  if (r) rh_profile_free(p);
  return r;
}

void rh_profile_free(struct rh_profile *p)
{
  for (size_t i = 0; p->agents && i < p->n_agents; i++) {
    free(p->agents[i].name);
    rh_strv_free(p->agents[i].deb);
    rh_strv_free(p->agents[i].rpm);
    rh_strv_free(p->agents[i].services);
  }
  free(p->agents);
  for (size_t i = 0; p->enable && i < p->n_enable; i++) rh_strv_free(p->enable[i]);
  free(p->enable);
  char **lists[] = {p->initramfs_modules, p->kernel_modules, p->disable, p->firewall, p->cmdline_add,
                    p->cmdline_remove_prefix, p->formats};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) rh_strv_free(lists[i]);
  free(p->name);
  free(p->description);
  free(p->origin);
  free(p->merged);
  free(p->extends);
  free(p->default_format);
  free(p->grub_terminal);
  free(p->grub_serial_command);
  json_object_put(p->format_options);
  free(p->import_platform);
  json_object_put(p->import_facts);
  memset(p, 0, sizeof *p);
}

const char *rh_profile_format_options(const struct rh_profile *p, const char *format)
{
  return p->format_options ? rh_json_str(p->format_options, format) : NULL;
}

const char *rh_profile_dir(void)
{
  const char *env = getenv("REHOST_PROFILE_DIR");
  if (env && *env) return env;
  return rh_running_from_build_tree() ? REHOST_SOURCE_PROFILES : REHOST_INSTALLED_PROFILES;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char **rh_profile_names(void)
{
  DIR *d = opendir(rh_profile_dir());
  size_t n = 0;
  char **v = calloc(1, sizeof *v);
  for (struct dirent *de; d && v && (de = readdir(d));) {
    size_t len = strlen(de->d_name);
    if (len < 6 || strcmp(de->d_name + len - 5, ".json") || de->d_name[0] == '.') continue;
    char **nv = realloc(v, (n + 2) * sizeof *nv);
    if (!nv) break;
    v = nv;
    v[n++] = strndup(de->d_name, len - 5);
    v[n] = NULL;
  }
  if (d) closedir(d);
  if (v) qsort(v, n, sizeof *v, cmp_str);
  return v;
}

/* ---- loading with "extends" ---- */

/* child over parent: objects merge recursively, other values replace. */
static void merge_into(json_object *parent, json_object *child)
{
  json_object_object_foreach(child, key, val) {
    json_object *pv;
    if (json_object_is_type(val, json_type_object) &&
        json_object_object_get_ex(parent, key, &pv) && json_object_is_type(pv, json_type_object))
      merge_into(pv, val);
    else
      json_object_object_add(parent, key, json_object_get(val));
  }
}

static bool is_path(const char *s)
{
  size_t n = strlen(s);
  return strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".json"));
}

int rh_profile_load(const char *name_or_path, struct rh_profile *p)
{
  memset(p, 0, sizeof *p);
  char path[4096], err[512];
  json_object *chain[MAX_EXTENDS + 1];
  int depth = 0, rc = RH_EXIT_INPUT;
  const char *want = name_or_path;
  for (;;) {
    if (is_path(want)) {
      snprintf(path, sizeof path, "%s", want);
    } else if (rh_json_valid_name(want, "-_")) {
      snprintf(path, sizeof path, "%s/%s.json", rh_profile_dir(), want);
      FILE *f = fopen(path, "r");
      if (!f) {
        char **names = rh_profile_names(), list[512] = "";
        for (char **q = names; q && *q; q++)
          snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", q == names ? "" : ", ", *q);
        rh_error("unknown profile '%s' (shipped: %s; or give a path to a .json file)", want,
                 *list ? list : "none found");
        for (char **q = names; q && *q; q++) free(*q);
        free(names);
        rc = depth ? RH_EXIT_INPUT : RH_EXIT_USAGE;
        goto out;
      }
      fclose(f);
    } else {
      rh_error("bad profile name '%.64s'", want);
      rc = RH_EXIT_USAGE;
      goto out;
    }
    if (depth > MAX_EXTENDS) {
      rh_error("%s: \"extends\" chain longer than %d (a loop?)", path, MAX_EXTENDS);
      goto out;
    }
    if (!(chain[depth] = rh_json_read_file(path, err, sizeof err))) {
      rh_error("%s: %s", path, err);
      goto out;
    }
    depth++;
    if (depth == 1) p->origin = strdup(path);
    const char *ext = rh_json_str(chain[depth - 1], "extends");
    if (!ext) break;
    want = ext;
  }
  /* merge from the root ancestor down */
  json_object *merged = json_object_get(chain[depth - 1]);
  for (int i = depth - 2; i >= 0; i--) merge_into(merged, chain[i]);
  json_object_object_del(merged, "extends");
  const char *text = json_object_to_json_string(merged);
  char *origin = p->origin;
  const char *parent = depth > 1 ? rh_json_str(chain[0], "extends") : NULL;
  p->origin = NULL;
  if (rh_profile_parse(text, p, err, sizeof err) < 0) {
    rh_error("%s: invalid profile: %s", origin ? origin : name_or_path, err);
    free(origin);
  } else {
    p->origin = origin;
    p->merged = strdup(json_object_to_json_string_ext(merged, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_SPACED |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    p->extends = parent ? strdup(parent) : NULL;
    rc = RH_EXIT_OK;
  }
  json_object_put(merged);
out:
  for (int i = 0; i < depth; i++) json_object_put(chain[i]);
  if (rc && p->origin) {
    free(p->origin);
    p->origin = NULL;
  }
  return rc;
}
