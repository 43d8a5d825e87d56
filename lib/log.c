#include "log.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *g_prog = "rehost";
static int g_verbosity = RH_NORMAL;
static bool g_machine;
static bool g_bar_shown;
static int g_last_permille = -1;
static struct timespec g_last_event;

static double mono_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}
static double g_start, g_step_start;

void rh_log_init(const char *progname, int verbosity, bool machine_readable)
{
  if (!g_start) g_start = mono_now();
  g_prog = progname;
  g_verbosity = verbosity;
  g_machine = machine_readable;
}

int rh_verbosity(void) { return g_verbosity; }
bool rh_machine_readable(void) { return g_machine; }

static void clear_bar(void)
{
  if (g_bar_shown) {
    fputs("\r\033[K", stderr);
    g_bar_shown = false;
  }
}

void rh_fputs_safe(const char *s, FILE *f)
{
  int cont = 0; /* UTF-8 continuation bytes still expected */
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char c = *p;
    if (cont && (c & 0xC0) == 0x80) {
      cont--;
      fputc(c, f);
      continue;
    }
    cont = 0;
    if (c == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) { /* a C1 control in UTF-8 (CSI is U+009B) */
      fprintf(f, "\\u%04x", p[1]);
      p++;
    } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || (c >= 0x80 && c < 0xC0)) {
      fprintf(f, "\\x%02x", c); /* ESC, CR, BS, a stray 8-bit C1 byte ... */
    } else {
      cont = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
      fputc(c, f);
    }
  }
}

/* One message is one write(2): the jobs of a several-profile convert share
 * stderr, and a line written piece by piece (stderr is unbuffered) would
 * interleave with theirs character by character. */
static void vmsg(const char *kind, const char *fmt, va_list ap)
{
  clear_bar();
  char *text = NULL, *line = NULL;
  size_t len = 0;
  if (vasprintf(&text, fmt, ap) < 0) text = NULL;
  FILE *m = open_memstream(&line, &len);
  FILE *out = m ? m : stderr;
  fprintf(out, "%s: %s", g_prog, kind);
  /* guest strings (hostnames, fstab lines, os-release) reach messages:
   * their escape sequences must not reach the terminal */
  rh_fputs_safe(text ? text : fmt, out);
  fputc('\n', out);
  if (m && fclose(m) == 0 && line) {
    fflush(stderr);
    for (size_t done = 0; done < len;) {
      ssize_t w = write(STDERR_FILENO, line + done, len - done);
      if (w <= 0) break;
      done += (size_t)w;
    }
  }
  free(line);
  free(text);
}

static char g_first_error[256];

const char *rh_first_error(void) { return g_first_error; }
void rh_error_clear(void) { g_first_error[0] = 0; }

static bool (*g_error_quiet)(void);

void rh_error_quiet_when(bool (*pred)(void)) { g_error_quiet = pred; }

void rh_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (g_error_quiet && g_error_quiet()) {
    if (g_verbosity >= RH_VERBOSE) vmsg("debug: after the interrupt: ", fmt, ap);
    va_end(ap);
    return;
  }
  if (!g_first_error[0]) {
    va_list cp;
    va_copy(cp, ap);
    vsnprintf(g_first_error, sizeof g_first_error, fmt, cp);
    va_end(cp);
  }
  vmsg("", fmt, ap);
  va_end(ap);
}

void rh_warn(const char *fmt, ...)
{
  if (g_verbosity < RH_NORMAL) return;
  va_list ap;
  va_start(ap, fmt);
  vmsg("warning: ", fmt, ap);
  va_end(ap);
}

void rh_info(const char *fmt, ...)
{
  if (g_verbosity < RH_NORMAL) return;
  va_list ap;
  va_start(ap, fmt);
  vmsg("", fmt, ap);
  va_end(ap);
}

void rh_debug(const char *fmt, ...)
{
  if (g_verbosity < RH_VERBOSE) return;
  va_list ap;
  va_start(ap, fmt);
  vmsg("debug: ", fmt, ap);
  va_end(ap);
}

void rh_event(const char *name, json_object *fields)
{
  if (!g_machine) {
    if (fields) json_object_put(fields);
    return;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  json_object *o = json_object_new_object();
  json_object_object_add(o, "event", json_object_new_string(name));
  json_object_object_add(o, "time", json_object_new_double((double)ts.tv_sec + ts.tv_nsec / 1e9));
  if (fields) {
    json_object_object_foreach(fields, k, v) json_object_object_add(o, k, json_object_get(v));
    json_object_put(fields);
  }
  puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  fflush(stdout);
  json_object_put(o);
}

void rh_step_begin(const char *name, const char *what)
{
  double now = mono_now();
  if (!g_start) g_start = now;
  g_step_start = now;
  rh_info("[%5.1fs] %s", now - g_start, what ? what : name);
  if (!g_machine) return;
  json_object *f = json_object_new_object();
  json_object_object_add(f, "step", json_object_new_string(name));
  json_object_object_add(f, "elapsed", json_object_new_double(now - g_start));
  rh_event("step-start", f);
}

void rh_phase(const char *name)
{
  static double last;
  double now = mono_now();
  if (!last) last = g_start ? g_start : now;
  rh_debug("phase %s: %.1f ms", name, (now - last) * 1000.0);
  last = now;
}

void rh_step_end(const char *name, int exit_status)
{
  double took = mono_now() - g_step_start;
  rh_debug("%s: %.1f s%s", name, took, exit_status ? " (failed)" : "");
  if (!g_machine) return;
  json_object *f = json_object_new_object();
  json_object_object_add(f, "step", json_object_new_string(name));
  json_object_object_add(f, "seconds", json_object_new_double(took));
  json_object_object_add(f, "status", json_object_new_string(exit_status ? "failed" : "ok"));
  if (exit_status) json_object_object_add(f, "exit_status", json_object_new_int(exit_status));
  rh_event("step", f);
}

void rh_event_str(const char *name, const char *key, const char *value)
{
  if (!g_machine) return;
  json_object *f = json_object_new_object();
  json_object_object_add(f, key, json_object_new_string(value));
  rh_event(name, f);
}

static double human(uint64_t n, const char **unit)
{
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = (double)n;
  int i = 0;
  while (v >= 1024.0 && i < 4) { v /= 1024.0; i++; }
  *unit = units[i];
  return v;
}

const char *rh_human_size(uint64_t n, char *buf, size_t sz)
{
  const char *unit;
  double v = human(n, &unit);
  if (unit[0] == 'B')
    snprintf(buf, sz, "%llu B", (unsigned long long)n);
  else
    snprintf(buf, sz, "%.1f %s", v, unit);
  return buf;
}

void rh_progress(const char *phase, uint64_t done, uint64_t total)
{
  int permille = total ? (int)(done * 1000 / total) : 0;
  if (g_machine) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - g_last_event.tv_sec) +
                (double)(now.tv_nsec - g_last_event.tv_nsec) / 1e9;
    if (dt >= 0.5 || done == total) {
      g_last_event = now;
      json_object *f = json_object_new_object();
      json_object_object_add(f, "phase", json_object_new_string(phase));
      json_object_object_add(f, "done", json_object_new_int64((int64_t)done));
      json_object_object_add(f, "total", json_object_new_int64((int64_t)total));
      rh_event("progress", f);
    }
    return;
  }
  if (g_verbosity < RH_NORMAL || !isatty(STDERR_FILENO)) return;
  if (permille == g_last_permille && g_bar_shown) return;
  g_last_permille = permille;
  const int width = 30;
  int fill = permille * width / 1000;
  char bar[64];
  memset(bar, '#', (size_t)fill);
  memset(bar + fill, '.', (size_t)(width - fill));
  bar[width] = 0;
  const char *u1, *u2;
  double d = human(done, &u1), t = human(total, &u2);
  fprintf(stderr, "\r%s [%s] %5.1f%% %.1f %s / %.1f %s", phase, bar, permille / 10.0, d,
          u1, t, u2);
  fflush(stderr);
  g_bar_shown = true;
}

void rh_progress_done(const char *phase)
{
  (void)phase;
  g_last_permille = -1;
  if (g_bar_shown) {
    fputc('\n', stderr);
    g_bar_shown = false;
  }
}
