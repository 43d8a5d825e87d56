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

/* Options finalize and convert share (o->convert says which is parsing).
 * Returns RH_EXIT_OK, or RH_EXIT_USAGE after printing the problem. */
struct rh_finalize_opts;
int rh_finalize_parse(const char *cmd, int argc, char **argv, struct rh_finalize_opts *o,
                      bool *help);

/* Options every command accepts: -v, -q, --machine-readable, -h/--help. */
#define RH_COMMON_SHORTOPTS "vqh"
#define RH_COMMON_LONGOPTS                                          \
  {"verbose", no_argument, 0, 'v'}, {"quiet", no_argument, 0, 'q'}, \
      {"help", no_argument, 0, 'h'}, {"machine-readable", no_argument, 0, 'M'}

/* Handle a common option; returns true if `c` was one. Sets *help on -h. */
bool rh_common_option(int c, bool *help);
/* Print "rehost CMD: usage line" hint after a usage error; returns RH_EXIT_USAGE. */
int rh_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
