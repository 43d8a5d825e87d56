/* What a package manager's run changed among the files an initramfs is made
 * from (finalize/guest_initramfs_defer.c lists them in the guest): a
 * generator's hook or configuration means the image must be made again; a
 * module, firmware file, udev rule or modprobe.d file matters only when the
 * image carries a copy (the initramfs step looks in its listing). */
#include "edits.h"

#include "../guest/guestconf.h"
#include "../lib/words.h"

#include <stdio.h>
#include <string.h>

const char *const rh_initramfs_input_dirs[] = {
    "/lib/modules",     "/usr/lib/modules",   "/lib/firmware",          "/usr/lib/firmware",
    "/lib/udev",        "/usr/lib/udev",      "/etc/udev",              "/etc/modprobe.d",
    "/lib/modprobe.d",  "/usr/lib/modprobe.d", "/usr/share/initramfs-tools", "/etc/initramfs-tools",
    "/usr/lib/dracut",  "/usr/lib/dracut.conf.d", "/lib/dracut",        "/etc/dracut.conf",
    "/etc/dracut.conf.d", NULL};

/* the generators' own hooks, modules and configuration (initramfs-tools',
 * dracut's): what they put in an image is not a copy of these files */
static const char *const generator_prefixes[] = {
    "/usr/share/initramfs-tools/", "/etc/initramfs-tools/", "/usr/lib/dracut", "/lib/dracut/",
    "/etc/dracut.conf", NULL};

struct touched {
  char *carried, *force;
  size_t n, fn;
  bool must;
};

/* /lib/modules/KVER/modules.dep and the rest of depmod's output: made again
 * whenever a module comes or goes; the image's own are made with it */
static bool depmod_output(const char *path)
{
  const char *m = !strncmp(path, "/lib/modules/", 13)       ? path + 13
                  : !strncmp(path, "/usr/lib/modules/", 17) ? path + 17
                                                            : NULL;
  const char *slash = m ? strchr(m, '/') : NULL;
  return slash && !strchr(slash + 1, '/') && !strncmp(slash + 1, "modules.", 8);
}

static void one_path(char *line, int lineno, void *ctx)
{
  (void)lineno;
  struct touched *t = ctx;
  const char *path = rh_trim(line);
  if (!path[0] || depmod_output(path)) return;
  /* every name the listing gives starts with '/': a line that does not is
   * the rest of a name with a newline in it */
  bool generator = false;
  for (const char *const *g = generator_prefixes; *g && !generator; g++)
    generator = !strncmp(path, *g, strlen(*g));
  /* white space or a control character: no listing gives it as one word
   * (and it is not for the report): the image is made again, not missed */
  bool odd = path[0] != '/' || !rh_is_word(path);
  if (generator || odd) {
    if (!t->must) snprintf(t->force, t->fn, "%s", odd ? "a file whose name has white space or control characters" : path);
    t->must = true;
    return;
  }
  if (!rh_words_add(t->carried, t->n, path + 1)) {
    if (!t->must) snprintf(t->force, t->fn, "%s (and more)", path);
    t->must = true;
  }
}

bool rh_initramfs_inputs_touched(const char *paths, char *carried, size_t n, char *force, size_t fn)
{
  struct touched t = {carried, force, n, fn, false};
  force[0] = 0;
  rh_for_each_line(paths, one_path, &t);
  return t.must;
}
