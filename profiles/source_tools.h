/* The source platforms' guest tools finalize takes out of a guest (VMware
 * Tools, VirtualBox Guest Additions, Parallels Tools, Citrix's
 * xe-guest-utilities), as data: one file per source platform in
 * PROFILE_DIR/source-tools/NAME.json, schema rehost.source-tools/1 (see
 * rehost-profiles(1)). A new source platform is a new file. */
#ifndef REHOST_SOURCE_TOOLS_H
#define REHOST_SOURCE_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

/* A tarball install's own uninstaller: run in the guest when a file matches
 * path (absolute; '*' matches within one path component, the first match
 * runs), after lines are appended to append_file if that file exists (the
 * answers an uninstaller would otherwise ask for or act on). */
struct rh_uninstaller {
  char *path;
  char **args;          /* NULL-terminated */
  char *append_file;    /* or NULL */
  char **append_lines;  /* NULL-terminated; NULL when append_file is */
};

struct rh_source_tools {
  char *name, *description, *origin; /* origin: the file */
  char **packages;      /* package names; one ending in '*' is a prefix */
  struct rh_uninstaller *uninstallers;
  size_t n_uninstallers;
};

/* Parse one document. 0, or -1 with a message in err. */
int rh_source_tools_parse(const char *text, struct rh_source_tools *t, char *err, size_t errsz);
void rh_source_tools_free(struct rh_source_tools *t);

/* Every file in rh_profile_dir()/source-tools, sorted by name (*v malloc'd,
 * *n entries). RH_EXIT_OK, or RH_EXIT_INPUT with an error naming the file. */
int rh_source_tools_load(struct rh_source_tools **v, size_t *n);
/* One file (rehost profiles check). RH_EXIT_OK or RH_EXIT_INPUT, as above. */
int rh_source_tools_load_file(const char *path, struct rh_source_tools *t);
void rh_source_tools_free_all(struct rh_source_tools *v, size_t n);

/* Does the package name match one of the patterns (NULL-terminated)? */
bool rh_source_tools_match(char *const *patterns, const char *name);

/* The installed package one line of the guest's package query names (see
 * below; the line is modified, the name points into it), or NULL: not
 * installed, or a name not made of package-name characters (it would go
 * into a command line). */
char *rh_pkg_query_name(char *line);

/* The packages of `installed` that match t's patterns and are none of
 * `keep` (NULL-terminated, may be NULL), appended space-separated to out
 * (of size outsz; a name that does not fit is left out, and false is
 * returned). `installed` is the guest's package query, one package a line:
 * "NAME" (rpm -qa --qf '%{NAME}\n'), or "WANT FLAG STATUS NAME" (dpkg-query
 * -W -f '${Status} ${Package}\n': not-installed and config-files are not
 * there). Names not made of package-name characters are skipped (they would
 * go into a command line). */
bool rh_source_tools_select(const struct rh_source_tools *t, const char *installed,
                            char *const *keep, char *out, size_t outsz);

#endif
