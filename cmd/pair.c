#include "../convert/target_state.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../virt/hook.h"
#include "../virt/pairs.h"
#include "commands.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: rehost pair add --domain NAME --target PATH [--disk DEV] [--mode M]\n"
    "       rehost pair list [--json]\n"
    "       rehost pair remove --domain NAME [--disk DEV] [--target PATH]\n"
    "       rehost pair sync [--domain NAME [--disk DEV]] [--target PATH]\n"
    "Replication pairs: a libvirt domain's disk and the target image it is kept\n"
    "in sync with. The libvirt hook (rehost hook install) syncs a domain's pairs\n"
    "when it stops; 'pair sync' runs the same sync now, in the foreground (every\n"
    "pair, or those matching --domain, --disk and --target).\n\n"
    "      --connect URI     libvirt connection (default: libvirt's default URI)\n"
    "      --domain NAME     the source domain\n"
    "      --disk DEV        its disk (target dev; default: the boot disk)\n"
    "      --target PATH     the target image (created by the first sync)\n"
    "  -m, --mode MODE       auto (default), compare or bitmap: as rehost replicate\n"
    "      --allow-backing   the disk may have a backing file (an external-snapshot\n"
    "                        overlay): its chain is read, as replicate --allow-backing\n"
    "      --state-dir DIR   where pairs and logs live (default $REHOST_STATE_DIR,\n"
    "                        else /var/lib/rehost)\n"
    "      --json            pair list: JSON on stdout\n"
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

/* path made absolute; it need not exist, its directory must (pairs record
 * absolute targets). Returns 0, or -1 when the directory does not exist. */
static int absolute_path(const char *path, char *abs, size_t sz)
{
  char dir[PATH_MAX], rdir[PATH_MAX];
  if (realpath(path, rdir)) {
    snprintf(abs, sz, "%s", rdir);
    return 0;
  }
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : dir;
  if (slash) *slash = 0;
  if (!realpath(slash ? (*dir ? dir : "/") : ".", rdir)) return -1;
  snprintf(abs, sz, "%s/%s", strcmp(rdir, "/") ? rdir : "", base);
  return 0;
}

static int add(const char *state, struct rh_domain_src *ds, const char *target, const char *mode,
               bool allow_backing)
{
  if (!ds->name || !target) return rh_usage_error("pair", "add needs --domain NAME and --target PATH");
  int rc = rh_domain_resolve("pair add", ds, false);
  if (rc) return rc;
  char abs[2 * PATH_MAX + 2], created[32];
  if (absolute_path(target, abs, sizeof abs)) {
    rh_error("%s: the directory does not exist", target);
    return RH_EXIT_INPUT;
  }
  struct rh_pair p = {.domain = ds->dom.name, .uuid = ds->dom.uuid, .uri = (char *)ds->uri,
                      .disk = ds->chosen->dev, .source = ds->chosen->path,
                      .format = ds->chosen->format, .target = abs, .mode = (char *)(mode ? mode : "auto"),
                      .created = (char *)rh_utc_now(created, sizeof created),
                      .allow_backing = allow_backing ? "true" : NULL};
  rh_pair_make_id(&p);
  rc = rh_pair_save(state, &p);
  if (!rc)
    rh_info("pair %s: domain '%s' disk %s (%s) -> %s, mode %s", p.id, p.domain, p.disk, p.source, p.target, p.mode);
  return rc;
}

/* The target's state; a broken state file is reported (naming it) and shown as such. */
static const char *state_of(const char *target, struct rh_target_state *st)
{
  if (rh_tstate_load(target, st)) return "unreadable";
  return st->state == RH_TS_NONE ? "never synced" : rh_tstate_name(st->state);
}

static int list(const char *state, bool json)
{
  struct rh_pair *v;
  size_t n;
  int bad, rc = rh_pairs_load(state, &v, &n, &bad);
  if (rc) return rc;
  json_object *arr = json_object_new_array();
  if (!json && n) printf("%-24s %-5s %-40s %-7s %-13s %-20s %s\n", "DOMAIN", "DISK", "TARGET", "MODE", "STATE",
                         "LAST SYNC", "WRITTEN");
  for (size_t i = 0; i < n; i++) {
    struct rh_target_state st;
    const char *s = state_of(v[i].target, &st);
    if (json) {
      json_object *o = json_object_new_object();
      json_object_object_add(o, "id", json_object_new_string(v[i].id));
      json_object_object_add(o, "domain", json_object_new_string(v[i].domain));
      json_object_object_add(o, "disk", json_object_new_string(v[i].disk));
      json_object_object_add(o, "source", json_object_new_string(v[i].source));
      json_object_object_add(o, "target", json_object_new_string(v[i].target));
      json_object_object_add(o, "mode", json_object_new_string(v[i].mode));
      json_object_object_add(o, "state", json_object_new_string(s));
      if (st.reason) json_object_object_add(o, "reason", json_object_new_string(st.reason));
      if (st.last_finished) json_object_object_add(o, "last_sync", json_object_new_string(st.last_finished));
      if (st.last_mode) json_object_object_add(o, "last_mode", json_object_new_string(st.last_mode));
      json_object_object_add(o, "bytes_written", json_object_new_int64((int64_t)st.last_written));
      char *log = rh_pair_file(state, "logs", v[i].id, ".log");
      json_object_object_add(o, "log", json_object_new_string(log ? log : ""));
      free(log);
      json_object_array_add(arr, o);
    } else {
      char w[32];
      printf("%-24s %-5s %-40s %-7s %-13s %-20s %s\n", v[i].domain, v[i].disk, v[i].target, v[i].mode, s,
             st.last_finished ? st.last_finished : "-", st.last_finished ? rh_human_size(st.last_written, w, sizeof w) : "-");
    }
    rh_tstate_free(&st);
  }
  if (json) puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  else if (!n) printf("no replication pairs in %s\n", state);
  json_object_put(arr);
  rh_pairs_free(v, n);
  return bad ? RH_EXIT_INPUT : RH_EXIT_OK;
}

/* remove or sync the pairs that match --domain, --disk and --target */
static int for_matching(const char *state, const struct rh_domain_src *ds, const char *target,
                        bool sync)
{
  if (!sync && !ds->name) return rh_usage_error("pair", "remove needs --domain NAME");
  char abs[2 * PATH_MAX + 2];
  if (target && absolute_path(target, abs, sizeof abs) == 0) target = abs; /* pairs record absolute paths */
  struct rh_pair *v;
  size_t n;
  int bad, rc = rh_pairs_load(state, &v, &n, &bad), done = 0;
  for (size_t i = 0; !rc && i < n; i++) {
    if ((ds->name && strcmp(v[i].domain, ds->name)) || (ds->disk && strcmp(v[i].disk, ds->disk)) ||
        (target && strcmp(v[i].target, target)))
      continue;
    if (sync) {
      int r = rh_hook_sync_pair(state, &v[i], "pair sync");
      if (r && !rc) rc = r;
      done++;
    } else if (!(rc = rh_pair_remove(state, v[i].id))) {
      rh_info("removed pair %s: '%s' disk %s -> %s", v[i].id, v[i].domain, v[i].disk, v[i].target);
      done++;
    }
  }
  rh_pairs_free(v, n);
  if (!rc && !done) {
    rh_error("no pair%s%s%s matches", ds->name ? " of domain '" : "", ds->name ? ds->name : "",
             ds->name ? "'" : "");
    rc = RH_EXIT_INPUT;
  }
  return rc;
}

int cmd_pair(int argc, char **argv)
{
  enum { O_TARGET = 256, O_STATE, O_JSON, O_BACKING };
  static const struct option longopts[] = {
      {"target", required_argument, 0, O_TARGET}, {"mode", required_argument, 0, 'm'},
      {"state-dir", required_argument, 0, O_STATE}, {"json", no_argument, 0, O_JSON},
      {"allow-backing", no_argument, 0, O_BACKING},
      RH_DOMAIN_LONGOPTS, RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  struct rh_domain_src ds = {0};
  const char *target = NULL, *mode = NULL, *state = NULL;
  bool json = false, help = false, allow_backing = false;
  int c;
  while ((c = getopt_long(argc, argv, "m:" RH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (c) {
    case O_TARGET: target = optarg; break;
    case 'm':
      if (strcmp(optarg, "auto") && strcmp(optarg, "compare") && strcmp(optarg, "bitmap"))
        return rh_usage_error("pair", "--mode must be auto, compare or bitmap");
      mode = optarg;
      break;
    case O_STATE: state = optarg; break;
    case O_JSON: json = true; break;
    case O_BACKING: allow_backing = true; break;
    default:
      if (!rh_domain_option(c, optarg, &ds) && !rh_common_option(c, &help))
        return rh_usage_error("pair", "invalid option");
    }
  }
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (argc - optind != 1) return rh_usage_error("pair", "expected add, list, remove or sync");
  const char *sub = argv[optind];
  state = rh_state_dir(state);
  int rc;
  if (!strcmp(sub, "add")) rc = add(state, &ds, target, mode, allow_backing);
  else if (!strcmp(sub, "list")) rc = list(state, json);
  else if (!strcmp(sub, "remove")) rc = for_matching(state, &ds, target, false);
  else if (!strcmp(sub, "sync")) rc = for_matching(state, &ds, target, true);
  else return rh_usage_error("pair", "unknown subcommand '%s'", sub);
  rh_domain_src_free(&ds);
  return rc;
}
