/* dpkg's status file (/var/lib/dpkg/status) and debconf's answers
 * (/var/cache/debconf/config.dat): stanzas of "Field: value" lines separated
 * by blank lines, read without running dpkg or debconf. */
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

struct debconf_ctx {
  const char *name;
  bool in_name; /* this stanza's Name: is name */
  char *out;
  size_t outsz;
  bool found;
};

static void debconf_line(char *line, int lineno, void *vctx)
{
  (void)lineno;
  struct debconf_ctx *c = vctx;
  if (!*rh_trim(line))
    c->in_name = false;
  else if (!strncmp(line, "Name:", 5))
    c->in_name = !strcmp(rh_trim(line + 5), c->name);
  else if (c->in_name && !c->found && !strncmp(line, "Value:", 6))
    c->found = (size_t)snprintf(c->out, c->outsz, "%s", rh_trim(line + 6)) < c->outsz;
}

bool rh_debconf_value(const char *config_dat, const char *name, char *out, size_t outsz)
{
  struct debconf_ctx c = {.name = name, .out = out, .outsz = outsz};
  if (!outsz) return false;
  out[0] = 0;
  if (config_dat && name && *name) rh_for_each_line(config_dat, debconf_line, &c);
  if (!c.found) out[0] = 0;
  return c.found;
}
