#include "commands.h"

#include "../convert/image.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_verbosity = RH_NORMAL;
static bool g_machine;

uint64_t rh_parse_size(const char *s)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || s[0] == '-') return 0;
  int shift = 0;
  switch (*end) {
  case 'k': case 'K': shift = 10; break;
  case 'm': case 'M': shift = 20; break;
  case 'g': case 'G': shift = 30; break;
  case 't': case 'T': shift = 40; break;
  case 'p': case 'P': shift = 50; break;
  case 'e': case 'E': shift = 60; break;
  case 0: break;
  default: return 0;
  }
  if (shift) end++;
  if (*end == 'i' && end[1] == 'B') end += 2;
  if (*end || (shift && v > (UINT64_MAX >> shift))) return 0;
  return (uint64_t)v << shift;
}

bool rh_common_option(int c, bool *help)
{
  switch (c) {
  case RH_OPT_MAX_VSIZE: {
    uint64_t v = rh_parse_size(optarg);
    if (!v) {
      fprintf(stderr, "rehost: --max-virtual-size: '%s' is not a size (e.g. 64T, 200G)\n", optarg);
      exit(RH_EXIT_USAGE);
    }
    rh_image_set_max_virtual_size(v);
    return true;
  }
  case 'v': g_verbosity = RH_VERBOSE; break;
  case 'q': g_verbosity = RH_QUIET; break;
  case 'M': g_machine = true; break;
  case 'h': *help = true; break;
  default: return false;
  }
  rh_log_init("rehost", g_verbosity, g_machine);
  return true;
}

int rh_format_option(const char *cmd, const char *arg, const char **out)
{
  if (!rh_format_driver(arg))
    return rh_usage_error(cmd, "unknown format '%s' (raw, qcow2, vmdk, vhd, vhdx)", arg);
  *out = arg;
  return RH_EXIT_OK;
}

int rh_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "rehost %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'rehost %s --help'.\n", cmd);
  va_end(ap);
  return RH_EXIT_USAGE;
}

static const struct {
  const char *name;
  int (*fn)(int, char **);
  const char *summary;
} commands[] = {
/* rehost runs the guest commands in rehost-full (cmd/full_exec.c) */
#ifdef REHOST_SLIM
#define GUEST_CMD(fn) cmd_exec_full
#else
#define GUEST_CMD(fn) fn
#endif
    {"scan", GUEST_CMD(cmd_scan), "inspect a source system and write a JSON scan report"},
    {"capture", GUEST_CMD(cmd_capture), "capture a block device, disk file or root tree into an image"},
    {"replicate", cmd_replicate, "copy a source image into a target, then sync changed blocks"},
    {"finalize", GUEST_CMD(cmd_finalize), "make a replicated image boot on a target platform (profile)"},
    {"convert", GUEST_CMD(cmd_convert), "replicate + finalize in one: SOURCE into a bootable OUT"},
    {"pair", cmd_pair, "register a libvirt domain's disk to be kept in sync with a target"},
    {"hook", cmd_hook, "the libvirt hook that syncs a domain's pairs when it stops"},
    {"profiles", cmd_profiles, "list, show and check the target profiles finalize applies"},
};

static void usage(FILE *f)
{
  fprintf(f,
          "Usage: rehost [OPTIONS] COMMAND [ARGS...]\n"
          "Offline disk-image migration: scan, capture, replicate and finalize machines\n"
          "for EC2, OpenStack, Azure, Hyper-V and KVM.\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\nOptions (before or after COMMAND):\n"
          "  -v, --verbose            more detail\n"
          "  -q, --quiet              errors only\n"
          "      --machine-readable   JSON-lines events on stdout\n"
          "  -h, --help               this help; 'rehost COMMAND --help' for a command\n"
          "  -V, --version            print the version\n"
          "      --max-virtual-size SIZE  refuse images claiming more (default 64T)\n"
          "\nSee rehost(1) and rehost-COMMAND(1).\n");
}

int main(int argc, char **argv)
{
  rh_exec_save_args(argc, argv);
  rh_log_init("rehost", RH_NORMAL, false);
  rh_install_signal_cleanup();
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];
    bool help = false;
    if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
      printf("rehost %s\n", REHOST_VERSION);
      return 0;
    }
    if (!strncmp(a, "--max-virtual-size", 18) && (a[18] == '=' || (!a[18] && i + 1 < argc))) {
      optarg = a[18] == '=' ? (char *)a + 19 : argv[++i];
      rh_common_option(RH_OPT_MAX_VSIZE, &help);
      continue;
    }
    int c = !strcmp(a, "-v") || !strcmp(a, "--verbose") ? 'v'
            : !strcmp(a, "-q") || !strcmp(a, "--quiet") ? 'q'
            : !strcmp(a, "--machine-readable")          ? 'M'
            : !strcmp(a, "-h") || !strcmp(a, "--help")  ? 'h'
                                                        : 0;
    if (!c) {
      fprintf(stderr, "rehost: unknown option '%s'\nTry 'rehost --help'.\n", a);
      return RH_EXIT_USAGE;
    }
    rh_common_option(c, &help);
    if (help) {
      usage(stdout);
      return 0;
    }
  }
  if (i >= argc) {
    usage(stderr);
    return RH_EXIT_USAGE;
  }
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
    if (!strcmp(argv[i], commands[k].name)) return commands[k].fn(argc - i, argv + i);
  if (!strcmp(argv[i], "help")) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "rehost: unknown command '%s'\nTry 'rehost --help'.\n", argv[i]);
  return RH_EXIT_USAGE;
}
