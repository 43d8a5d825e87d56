/* dpkg's status file (/var/lib/dpkg/status): stanzas of "Field: value"
 * lines separated by blank lines, read without running dpkg. */
#include "guestconf.h"

#include <stdio.h>
#include <string.h>

struct dpkg_ctx {
  const char *pkg;
  bool in_pkg;     /* this stanza's Package: is pkg */
  char status[64]; /* this stanza's Status: value */
  bool found;
};

static void stanza_end(struct dpkg_ctx *c)
{
  if (c->in_pkg) {
    /* "install ok installed"; "deinstall ok config-files" and the half
     * states are not installed */
    size_t n = strlen(c->status);
    if (n >= 10 && !strcmp(c->status + n - 10, " installed")) c->found = true;
  }
  c->in_pkg = false;
  c->status[0] = 0;
}

static void dpkg_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct dpkg_ctx *c = vctx;
  if (!*rh_trim(line)) {
    stanza_end(c);
  } else if (!strncmp(line, "Package:", 8)) {
    stanza_end(c);
    c->in_pkg = !strcmp(rh_trim(line + 8), c->pkg);
  } else if (!strncmp(line, "Status:", 7)) {
    snprintf(c->status, sizeof c->status, "%s", rh_trim(line + 7));
  }
}

bool rh_dpkg_installed(const char *status, const char *pkg)
{
  struct dpkg_ctx c = {.pkg = pkg};
  if (!status || !pkg || !*pkg) return false;
  rh_for_each_line(status, dpkg_line, &c);
  stanza_end(&c);
  return c.found;
}
