#include "guestconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void rh_for_each_line(const char *text, rh_line_fn fn, void *ctx)
{
  char *copy = strdup(text ? text : "");
  if (!copy) return;
  int lineno = 0;
  for (char *line = copy, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    else if (!*line) break; /* nothing after the last '\n' */
    fn(line, ++lineno, ctx);
  }
  free(copy);
}

char *rh_trim(char *s)
{
  while (*s && isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}
