/* Messages, verbosity, machine-readable events and the terminal progress bar. */
#ifndef REHOST_LOG_H
#define REHOST_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rh_verbosity { RH_QUIET = 0, RH_NORMAL = 1, RH_VERBOSE = 2 };

void rh_log_init(const char *progname, int verbosity, bool machine_readable);
int rh_verbosity(void);
bool rh_machine_readable(void);

/* Errors always reach stderr, prefixed "rehost: " (or "rehost CMD: "). */
void rh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first error printed since start or rh_error_clear(), else "": what a
 * state file records as the reason an operation failed. */
const char *rh_first_error(void);
void rh_error_clear(void);
/* While pred() is true (an interrupt rehost is acting on), errors are
 * detail (-v) and not recorded: they are what the interrupt did (helpers
 * stopped, a copy cut short), and the run says it was interrupted. NULL:
 * errors are errors again. */
void rh_error_quiet_when(bool (*pred)(void));
/* Warnings and informational lines; suppressed by -q. */
void rh_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rh_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Detail, printed only with -v. */
void rh_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* With --machine-readable, one JSON object per line on stdout:
 *   {"event":NAME,"time":SECONDS, ...fields}
 * `fields` (a json-c object, may be NULL) is consumed. Without
 * --machine-readable this only frees `fields`. */
struct json_object;
void rh_event(const char *name, struct json_object *fields);
/* Shorthand: rh_event with one string member. */
void rh_event_str(const char *name, const char *key, const char *value);

/* The steps of a long command (finalize: appliance, agents, files, ...,
 * output). rh_step_begin prints "[ELAPSED] what" (elapsed since the command
 * started) and emits {"event":"step-start","step":NAME}; rh_step_end emits
 * {"event":"step","step":NAME,"seconds":S,"status":"ok"|"failed"} and, with
 * -v, prints the duration: CI logs show where the time went. */
void rh_step_begin(const char *name, const char *what);
void rh_step_end(const char *name, int exit_status);
/* A phase of a short operation just ended: with -v, "phase NAME: N ms" (the
 * time since the previous mark, or since rehost started), so that a sync's
 * fixed cost can be broken down. */
void rh_phase(const char *name);

/* Progress of a long operation: a bar on a terminal stderr, or "progress"
 * events with --machine-readable. Call rh_progress_done() at the end. */
void rh_progress(const char *phase, uint64_t done, uint64_t total);
void rh_progress_done(const char *phase);

/* Write s for a human: control characters (ESC, CR, C1 controls ...) as
 * \xNN or \uNNNN, newlines and tabs kept. Every message goes through it. */
#include <stdio.h>
void rh_fputs_safe(const char *s, FILE *f);

/* "1.5 GiB" */
const char *rh_human_size(uint64_t n, char *buf, size_t sz);

#endif
