/* Running helper programs (qemu-img, ...). Arguments are passed as an argv
 * vector straight to execvp: no shell ever sees them. */
#ifndef REHOST_PROC_H
#define REHOST_PROC_H

#include <stddef.h>
#include <sys/types.h>

struct rh_proc_result {
  int status;      /* exit status 0..255, or 128+signal, or -1 if it could not run */
  char *out;       /* captured stdout (NUL-terminated), caller frees */
  char *err;       /* captured stderr (NUL-terminated), caller frees */
};

/* Called for each chunk of stdout split on '\n' or '\r' (progress output). */
typedef void (*rh_proc_line_cb)(const char *line, void *opaque);

/* Run argv[0] with argv; capture stdout and stderr. If line_cb is set, stdout
 * is delivered line by line to it as well as captured. */
int rh_proc_run(char *const argv[], struct rh_proc_result *res, rh_proc_line_cb line_cb,
                void *opaque);
void rh_proc_result_free(struct rh_proc_result *res);

/* rh_proc_run in two halves, for a helper that runs while rehost does
 * something else: start it (stdout and stderr are pipes, read by finish; a
 * helper that writes more than a pipe holds waits for finish), then collect
 * it. The helper dies with rehost, as with rh_proc_run. On a start failure,
 * *why says why (malloc'd). */
struct rh_proc {
  pid_t pid;
  int out, err;
};
int rh_proc_start(char *const argv[], struct rh_proc *proc, char **why);
int rh_proc_finish(struct rh_proc *proc, struct rh_proc_result *res, rh_proc_line_cb line_cb,
                   void *opaque);

/* Send sig to every helper started and not yet finished (async-signal-safe:
 * signal handlers stop them this way); how many there are. */
void rh_proc_signal_running(int sig);
int rh_proc_running(void);

/* Does the running executable live in the build tree it was built in
 * (REHOST_BUILD_DIR)? Then what it loads (profiles, rehost-full) comes from
 * the source and build trees, not from where they are installed. */
#include <stdbool.h>
bool rh_running_from_build_tree(void);

/* Last non-empty line of s (e.g. the useful part of qemu-img's stderr),
 * copied into buf. */
const char *rh_last_line(const char *s, char *buf, size_t bufsz);

/* Does a qemu tool's stderr say that another process holds the image's
 * lock ("Failed to get ... lock ... Is another process using the image")? */
int rh_qemu_lock_conflict(const char *err);

#endif
