/* The split between the two executables.
 *
 * `rehost` itself holds replicate, pair, hook and profiles: the commands a
 * libvirt hook and a CI pipeline run again and again, as root, on images
 * nobody vouched for. It links neither libguestfs nor libvirt, nor their
 * sixty-odd libraries: it starts in a third of the time with a cold page
 * cache, and maps less code that a hostile image could reach.
 *
 * Commands that inspect or edit a guest (scan, capture, finalize, convert),
 * and a source named as a libvirt domain, run in `rehost-full`, the same
 * program with everything linked: rehost replaces itself with it (execve,
 * the arguments as given), found beside rehost in its build tree, else in
 * REHOST_LIBEXECDIR, and run only when root or the caller owns it and every
 * directory above it, and none is writable by anyone else (rh_path_trusted). */
#include "commands.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/private_files.h"
#include "../lib/proc.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char **g_argv; /* main's argv as given: getopt permutes the array */

void rh_exec_save_args(int argc, char **argv)
{
  g_argv = calloc((size_t)argc + 1, sizeof *g_argv);
  if (g_argv) memcpy(g_argv, argv, (size_t)argc * sizeof *argv);
}

/* The full executable's path: beside rehost when rehost runs from its build
 * tree, else the installed one. */
static void full_path(char *out, size_t n)
{
  snprintf(out, n, "%s/rehost-full", rh_running_from_build_tree() ? REHOST_BUILD_DIR : REHOST_LIBEXECDIR);
}

int rh_exec_full(void)
{
  char path[PATH_MAX], untrusted[PATH_MAX + 64];
  full_path(path, sizeof path);
  struct stat fs;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  const char *why = NULL;
  if (fd < 0 || fstat(fd, &fs) < 0) why = strerror(errno);
  else if (!S_ISREG(fs.st_mode)) why = "not a regular file";
  else if (!rh_path_trusted(path, false, untrusted, sizeof untrusted)) why = untrusted;
  if (!why && g_argv) {
    fflush(NULL);
    extern char **environ;
    fexecve(fd, g_argv, environ);
    why = strerror(errno);
  }
  rh_error("cannot run %s (scan, capture, finalize, convert and libvirt domains run there): %s",
           path, why ? why : "out of memory");
  if (fd >= 0) close(fd);
  return RH_EXIT_FAILURE;
}

int cmd_exec_full(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  return rh_exec_full();
}

#ifdef REHOST_SLIM
/* A libvirt domain as the source: the full executable reads it, from the
 * start, with the same arguments (nothing has been done yet). */
#include "../virt/domain.h"
int rh_domain_load(const char *uri, const char *name, const char *snapshot, struct rh_domain *d)
{
  (void)uri, (void)name, (void)snapshot, (void)d;
  return rh_exec_full();
}

int rh_domain_check_quiet(const struct rh_domain *d, const char *snapshot, const char *what)
{
  (void)d, (void)snapshot, (void)what;
  return rh_exec_full();
}
#endif
