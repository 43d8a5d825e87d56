/* rehost profiles list | show NAME|FILE | check FILE...: what the target
 * profiles do, before a conversion uses one. */
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../profiles/profile.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: rehost profiles list\n"
    "       rehost profiles show NAME|FILE\n"
    "       rehost profiles check FILE...\n"
    "The target profiles finalize and convert apply (see rehost-profiles(1)).\n\n"
    "  list      the shipped profiles, with what each is for\n"
    "  show      a profile as finalize reads it: its JSON after \"extends\" is merged\n"
    "  check     validate profile files (your own: \"extends\": \"kvm\" and change\n"
    "            what you need); a clear error naming the file and the problem\n"
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
  return rc;
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
