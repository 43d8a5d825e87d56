/* rehost profiles list | show NAME|FILE | check FILE...: what the target
 * profiles do, before a conversion uses one. */
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/json_get.h"
#include "../profiles/profile.h"
#include "../profiles/source_tools.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: rehost profiles list\n"
    "       rehost profiles show NAME|FILE\n"
    "       rehost profiles check FILE...\n"
    "The target profiles finalize and convert apply (see rehost-profiles(1)).\n\n"
    "  list      the shipped profiles, with what each is for, and the source\n"
    "            platforms' tools finalize takes out (source-tools/NAME.json)\n"
    "  show      a profile as finalize reads it: its JSON after \"extends\" is merged\n"
    "  check     validate profile files (your own: \"extends\": \"kvm\" and change\n"
    "            what you need), or source-tools files; a clear error naming the\n"
    "            file and the problem\n"
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

static int list(void)
{
  char **names = rh_profile_names();
  int rc = RH_EXIT_OK;
  printf("profiles in %s:\n", rh_profile_dir());
  for (char **n = names; n && *n; n++) {
    struct rh_profile p;
    if (rh_profile_load(*n, &p) == RH_EXIT_OK) {
      printf("  %-12s %s\n", p.name, p.description ? p.description : "");
      rh_profile_free(&p);
    } else {
      printf("  %-12s (invalid: see the error above)\n", *n);
      rc = RH_EXIT_INPUT;
    }
    free(*n);
  }
  free(names);
  struct rh_source_tools *t;
  size_t nt;
  if (rh_source_tools_load(&t, &nt)) return RH_EXIT_INPUT;
  printf("source platforms' tools finalize takes out (%s/source-tools):\n", rh_profile_dir());
  for (size_t i = 0; i < nt; i++) printf("  %-12s %s\n", t[i].name, t[i].description);
  rh_source_tools_free_all(t, nt);
  return rc;
}

/* A source-tools file (schema rehost.source-tools/1) rather than a profile? */
static bool is_source_tools(const char *path)
{
  char err[256];
  json_object *j = strchr(path, '/') || strstr(path, ".json") ? rh_json_read_file(path, err, sizeof err)
                                                               : NULL;
  const char *schema = rh_json_str(j, "schema");
  bool yes = schema && !strcmp(schema, "rehost.source-tools/1");
  json_object_put(j);
  return yes;
}

static int show(const char *what)
{
  struct rh_profile p;
  int rc = rh_profile_load(what, &p);
  if (rc) return rc;
  rh_fputs_safe(p.merged ? p.merged : "{}", stdout);
  putchar('\n');
  rh_profile_free(&p);
  return RH_EXIT_OK;
}

static int check(int n, char **files)
{
  int rc = RH_EXIT_OK;
  for (int i = 0; i < n; i++) {
    if (is_source_tools(files[i])) {
      struct rh_source_tools t;
      int r = rh_source_tools_load_file(files[i], &t);
      if (!r) {
        printf("%s: valid source-tools file '%s': %zu package name%s, %zu uninstaller%s\n",
               files[i], t.name, rh_strv_len(t.packages), rh_strv_len(t.packages) == 1 ? "" : "s",
               t.n_uninstallers, t.n_uninstallers == 1 ? "" : "s");
        rh_source_tools_free(&t);
      } else if (!rc) {
        rc = r;
      }
      continue;
    }
    struct rh_profile p;
    int r = rh_profile_load(files[i], &p);
    if (r) {
      if (!rc) rc = r;
      continue;
    }
    printf("%s: valid profile '%s'%s%s; writes %s\n", files[i], p.name, p.extends ? ", extends " : "",
           p.extends ? p.extends : "", p.default_format);
    rh_profile_free(&p);
  }
  return rc;
}

int cmd_profiles(int argc, char **argv)
{
  static const struct option longopts[] = {RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  bool help = false;
  int c;
  while ((c = getopt_long(argc, argv, "+" RH_COMMON_SHORTOPTS, longopts, NULL)) != -1)
    if (!rh_common_option(c, &help)) return rh_usage_error("profiles", "invalid option");
  if (help) {
    fputs(usage_text, stdout);
    return RH_EXIT_OK;
  }
  int n = argc - optind;
  const char *sub = n > 0 ? argv[optind] : NULL;
  if (!sub) return rh_usage_error("profiles", "expected list, show NAME or check FILE...");
  if (!strcmp(sub, "list") && n == 1) return list();
  if (!strcmp(sub, "show") && n == 2) return show(argv[optind + 1]);
  if (!strcmp(sub, "check") && n >= 2) return check(n - 1, argv + optind + 1);
  if (!strcmp(sub, "list") || !strcmp(sub, "show") || !strcmp(sub, "check"))
    return rh_usage_error("profiles", "%s: wrong number of arguments", sub);
  return rh_usage_error("profiles", "unknown subcommand '%s' (list, show, check)", sub);
}
