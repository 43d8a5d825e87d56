/* Seconds on the monotonic clock, for durations and rates; short sleeps. */
#ifndef REHOST_CLOCK_H
#define REHOST_CLOCK_H

#include <time.h>

static inline double rh_monotonic_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep ms milliseconds (polling loops). */
static inline void rh_sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

#endif
