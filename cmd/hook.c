#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/private_files.h"
#include "../virt/hook.h"
#include "../virt/pairs.h"
#include "commands.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "Usage: rehost hook install [--hooks-dir DIR] [--state-dir DIR]\n"
    "       rehost hook run [--state-dir DIR] -- DOMAIN OPERATION SUB-OPERATION EXTRA\n"
    "install writes the libvirt qemu hook DIR/qemu.d/rehost (DIR: /etc/libvirt/hooks).\n"
    "When a domain is released after it stops, the hook syncs the domain's replication\n"
    "pairs (rehost pair) in the background: libvirt never waits for it, and a failure\n"
    "is logged and leaves the target marked inconsistent.\n"
    "run is what libvirt calls: its arguments, and the domain XML on stdin.\n\n"
    "      --hooks-dir DIR   libvirt's hook directory (default /etc/libvirt/hooks)\n"
    "      --state-dir DIR   pairs and logs (default $REHOST_STATE_DIR, else /var/lib/rehost)\n"
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

/* The domain XML libvirt writes on stdin (not read from a terminal). */
static char *read_stdin(void)
{
  if (isatty(0)) return NULL;
  size_t cap = 1 << 16, n = 0, max = 16u << 20;
  char *buf = malloc(cap + 1);
  for (ssize_t r; buf && (r = read(0, buf + n, cap - n)) > 0;) {
    n += (size_t)r;
    if (n == cap) {
      if (cap >= max) break;
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) break;
      buf = nb;
      cap *= 2;
    }
  }
  if (buf) buf[n] = 0;
  return buf;
}

int cmd_hook(int argc, char **argv)
{
  enum { O_HOOKS = 256, O_STATE };
  static const struct option longopts[] = {{"hooks-dir", required_argument, 0, O_HOOKS},
                                           {"state-dir", required_argument, 0, O_STATE},
                                           RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  const char *hooks = "/etc/libvirt/hooks", *state = NULL;
  bool help = false;
  /* the subcommand first: "run" stops option parsing at its first operand
   * ('+'), so that libvirt's arguments (a domain named "-x") are never taken
   * for options */
  const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
  if (sub) argc--, argv++;
  bool run = sub && !strcmp(sub, "run");
  int c;
  while ((c = getopt_long(argc, argv, run ? "+" RH_COMMON_SHORTOPTS : RH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (c) {
    case O_HOOKS: hooks = optarg; break;
    case O_STATE: state = optarg; break;
    default:
      if (!rh_common_option(c, &help)) return rh_usage_error("hook", "invalid option");
    }
  }
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (!sub) return rh_usage_error("hook", "expected install or run");
  state = rh_state_dir(state);
  if (!strcmp(sub, "install")) {
    if (optind != argc) return rh_usage_error("hook", "install takes no arguments");
    char self[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
    if (l <= 0) {
      rh_error("cannot find rehost's own path (/proc/self/exe)");
      return RH_EXIT_FAILURE;
    }
    self[l] = 0;
    /* libvirtd runs the hook as root: a binary (or a directory above it)
     * that another user can write would be theirs to run as root. */
    char why[PATH_MAX + 64];
    if (!rh_path_trusted(self, false, why, sizeof why)) {
      rh_error("%s: refusing to install a hook that runs it: %s", self, why);
      return RH_EXIT_INTEGRITY;
    }
    char abs_state[PATH_MAX];
    if (!realpath(state, abs_state)) snprintf(abs_state, sizeof abs_state, "%s", state);
    return rh_hook_install(hooks, abs_state, self);
  }
  if (!strcmp(sub, "run")) {
    /* getopt consumed the "--" before libvirt's arguments; what follows is
     * the domain's name, even when that name is "--" */
    char *xml = read_stdin();
    int rc = rh_hook_run(state, argc - optind, argv + optind, xml);
    free(xml);
    return rc;
  }
  return rh_usage_error("hook", "unknown subcommand '%s'", sub);
}
