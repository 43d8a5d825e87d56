#include "outfile.h"

#include "exitcodes.h"
#include "log.h"
#include "proc.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TMP 8
static char *volatile g_tmps[MAX_TMP];

static void register_tmp(char *p)
{
  for (int i = 0; i < MAX_TMP; i++)
    if (!g_tmps[i]) { g_tmps[i] = p; return; }
}

static void unregister_tmp(const char *p)
{
  for (int i = 0; i < MAX_TMP; i++)
    if (g_tmps[i] == p) g_tmps[i] = NULL;
}

static void remove_all(void)
{
  for (int i = 0; i < MAX_TMP; i++)
    if (g_tmps[i]) unlink(g_tmps[i]);
}

static volatile sig_atomic_t *volatile g_defer_flag;

void rh_signal_defer(volatile sig_atomic_t *flag) { g_defer_flag = flag; }

static void on_signal(int sig)
{
  pid_t child = rh_proc_current_child;
  if (child > 0) kill(child, SIGTERM);
  volatile sig_atomic_t *flag = g_defer_flag;
  if (flag) { /* the running operation stops itself and records why */
    *flag = sig;
    return;
  }
  remove_all();
  static const char msg[] = "rehost: interrupted; partial output removed\n";
  if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {}
  (void)sig;
  _exit(RH_EXIT_INTERRUPTED);
}

void rh_install_signal_cleanup(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  atexit(remove_all);
}

/* Temporaries of dest left by a rehost that was killed (kill -9, power
 * loss): ".NAME.rehost-tmp.PID" whose PID no longer runs. */
void rh_outfile_remove_stale(const char *dest)
{
  char *d1 = strdup(dest), *d2 = strdup(dest), *prefix = NULL;
  const char *dir = d1 ? dirname(d1) : NULL;
  DIR *dh = NULL;
  if (dir && d2 && asprintf(&prefix, ".%s.rehost-tmp.", basename(d2)) >= 0)
    dh = opendir(dir);
  size_t plen = prefix ? strlen(prefix) : 0;
  for (struct dirent *de; dh && (de = readdir(dh));) {
    if (strncmp(de->d_name, prefix, plen) != 0) continue;
    char *end;
    long pid = strtol(de->d_name + plen, &end, 10);
    if (pid <= 0 || *end || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    if (unlinkat(dirfd(dh), de->d_name, 0) == 0)
      rh_info("removed %s/%s, left by an interrupted run", dir, de->d_name);
  }
  if (dh) closedir(dh);
  free(prefix);
  free(d1);
  free(d2);
}

char *rh_outfile_begin(const char *dest)
{
  rh_outfile_remove_stale(dest);
  char *d1 = strdup(dest), *d2 = strdup(dest);
  char *tmp = NULL;
  if (d1 && d2 &&
      asprintf(&tmp, "%s/.%s.rehost-tmp.%ld", dirname(d1), basename(d2), (long)getpid()) < 0)
    tmp = NULL;
  free(d1);
  free(d2);
  if (tmp) register_tmp(tmp);
  return tmp;
}

int rh_outfile_commit(char *tmp, const char *dest)
{
  int r = rename(tmp, dest);
  unregister_tmp(tmp);
  if (r < 0) unlink(tmp);
  free(tmp);
  return r;
}

void rh_outfile_abort(char *tmp)
{
  if (!tmp) return;
  unregister_tmp(tmp);
  unlink(tmp);
  free(tmp);
}

int rh_outfile_write_text(const char *path, const char *text, unsigned mode)
{
  char *tmp = rh_outfile_begin(path);
  FILE *f = tmp ? fopen(tmp, "w") : NULL;
  size_t n = strlen(text);
  int bad = !f || fputs(text, f) < 0 || ((n == 0 || text[n - 1] != '\n') && fputc('\n', f) < 0) ||
            fflush(f) != 0 || fsync(fileno(f)) != 0 || (mode && fchmod(fileno(f), (mode_t)mode) != 0);
  int err = errno;
  if (f && fclose(f) != 0 && !bad) bad = 1, err = errno;
  if (!bad && rh_outfile_commit(tmp, path) < 0) {
    rh_error("%s: cannot write: %s", path, strerror(errno));
    return RH_EXIT_IO;
  }
  if (bad) {
    rh_error("%s: cannot write: %s", path, strerror(err));
    rh_outfile_abort(tmp);
    return RH_EXIT_IO;
  }
  return RH_EXIT_OK;
}
