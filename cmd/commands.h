/* Subcommands. Each parses its own argv (argv[0] is the command name). */
#ifndef REHOST_COMMANDS_H
#define REHOST_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>

int cmd_scan(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_replicate(int argc, char **argv);
int cmd_finalize(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_pair(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_profiles(int argc, char **argv);

/* rehost and rehost-full (cmd/full_exec.c): main saves its arguments; a
 * command or source that needs libguestfs or libvirt re-executes them in
 * rehost-full. rh_exec_full returns only on failure (error printed). */
void rh_exec_save_args(int argc, char **argv);
int rh_exec_full(void);
int cmd_exec_full(int argc, char **argv);

/* Options finalize and convert share (o->convert says which is parsing).
 * Returns RH_EXIT_OK, or RH_EXIT_USAGE after printing the problem. */
struct rh_finalize_opts;
struct rh_convert_cli;
int rh_finalize_parse(const char *cmd, int argc, char **argv, struct rh_finalize_opts *o,
                      struct rh_convert_cli *x, bool *help);

/* Options every command accepts: -v, -q, --machine-readable, -h/--help,
 * --max-virtual-size SIZE. */
#define RH_COMMON_SHORTOPTS "vqh"
#define RH_OPT_MAX_VSIZE 0x3f0
#define RH_COMMON_LONGOPTS                                          \
  {"verbose", no_argument, 0, 'v'}, {"quiet", no_argument, 0, 'q'}, \
      {"help", no_argument, 0, 'h'}, {"machine-readable", no_argument, 0, 'M'}, \
      {"max-virtual-size", required_argument, 0, RH_OPT_MAX_VSIZE}

/* A libvirt domain as the source (cmd/domain_opts.c). */
#include "../virt/domain.h"
enum { RH_OPT_CONNECT = 0x300, RH_OPT_DOMAIN, RH_OPT_SNAPSHOT, RH_OPT_DISK };
#define RH_DOMAIN_LONGOPTS                                                        \
  {"connect", required_argument, 0, RH_OPT_CONNECT},                              \
      {"domain", required_argument, 0, RH_OPT_DOMAIN},                            \
      {"snapshot", required_argument, 0, RH_OPT_SNAPSHOT}, {"disk", required_argument, 0, RH_OPT_DISK}
#define RH_DOMAIN_HELP                                                                   \
  "      --connect URI     libvirt connection (default: libvirt's default URI)\n"      \
  "      --domain NAME     read the libvirt domain NAME's disk instead of an image\n" \
  "      --disk DEV        which disk (target dev, e.g. vdb; default: the boot\n"   \
  "                        disk; convert: every disk)\n" \
  "      --snapshot S      read the disks frozen by the domain's external snapshot S\n" \
  "                        (needed while the domain runs)\n"
struct rh_domain_src {
  const char *uri, *name, *snapshot, *disk;
  const char *package;      /* an OVA or OVF named as the source, read as a domain */
  struct rh_domain dom;
  bool loaded;
  const struct rh_dom_disk *chosen; /* the disk to read */
};
bool rh_domain_option(int c, const char *arg, struct rh_domain_src *s);
/* The positional sources args[0..*n): when the first is a package (.ova,
 * .ovf), it becomes s->package and must be alone (usage error otherwise);
 * *n is then 0. Returns RH_EXIT_OK or RH_EXIT_USAGE. */
int rh_package_arg(const char *cmd, struct rh_domain_src *s, char *const *args, int *n);
/* convert's own options: a domain source, the target domain XML. */
struct rh_convert_cli {
  struct rh_domain_src ds;
  const char *profiles[32];  /* every --profile (convert: several, or "all") */
  int n_profiles;
  int jobs;                  /* --jobs N: profiles converted side by side */
  const char *libvirt_xml;
  const char *name;         /* --name: the new domain's name (default: OUT's base name) */
  bool keep_mac;
};
/* convert with several profiles (or "all"): -o is a directory; one child per
 * profile, --jobs at a time; DIR/manifest.json at the end (cmd/convert_multi.c) */
int rh_convert_multi(const struct rh_finalize_opts *base, const struct rh_convert_cli *x);

/* Load the domain when --domain was given (no-op otherwise); refuse a running
 * one when refuse_running and no snapshot. Prints errors; returns an exit code. */
int rh_domain_resolve(const char *cmd, struct rh_domain_src *s, bool refuse_running);
void rh_domain_src_free(struct rh_domain_src *s);

/* "64K", "4MiB", "64T", "1099511627776" (suffixes K M G T P E, optional
 * "iB"): bytes, or 0 if malformed or too large. */
#include <stdint.h>
uint64_t rh_parse_size(const char *s);

/* -f/--format FMT: *out = arg when rehost reads that format; else a usage
 * error (RH_EXIT_USAGE) naming the formats it reads. */
int rh_format_option(const char *cmd, const char *arg, const char **out);

/* Handle a common option; returns true if `c` was one. Sets *help on -h. */
bool rh_common_option(int c, bool *help);
/* Print "rehost CMD: usage line" hint after a usage error; returns RH_EXIT_USAGE. */
int rh_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
