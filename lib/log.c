#include "log.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *g_prog = "rehost";
static int g_verbosity = RH_NORMAL;
static bool g_machine;
static bool g_bar_shown;
static int g_last_permille = -1;
static struct timespec g_last_event;

void rh_log_init(const char *progname, int verbosity, bool machine_readable)
{
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

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
  clear_bar();
  fprintf(stderr, "%s: %s", g_prog, kind);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

static char g_first_error[256];

const char *rh_first_error(void) { return g_first_error; }
void rh_error_clear(void) { g_first_error[0] = 0; }

void rh_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
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
