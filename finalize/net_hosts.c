/* /etc/hosts after the move to DHCP, and the servers /etc/resolv.conf names.
 * See net_edits.h. */
#include "net_edits.h"

#include "edits.h"
#include "net_edits_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool listed(char *const *list, const char *s, size_t n)
{
  for (; list && *list; list++)
    if (strlen(*list) == n && !strncmp(*list, s, n)) return true;
  return false;
}

char *rh_hosts_rewrite(const char *text, char *const *gone, json_object *changes)
{
  struct out o;
  if (!rh_net_out_open(&o)) return NULL;
  for (const char *l = text; *l;) {
    size_t len = strcspn(l, "\n");
    const char *p = l + strspn(l, " \t");
    size_t al = strcspn(p, " \t\n#");
    const char *names = p + al;
    const char *first_name = names + strspn(names, " \t");
    bool named = first_name < l + len && *first_name != '#';
    if (*p != '#' && al && named && listed(gone, p, al)) {
      char *line = NULL, *moved = NULL;
      if (asprintf(&line, "%.*s", (int)len, l) >= 0 &&
          asprintf(&moved, "127.0.1.1%.*s", (int)(l + len - names), names) >= 0) {
        fprintf(o.f, REMOVED "%s\n%s\n", line, moved);
        rh_change(changes, "/etc/hosts", "hosts-address", line, moved,
                  "the machine no longer has this static address (DHCP on the target): its "
                  "names resolve to this machine on 127.0.1.1, as on a DHCP host");
      } else {
        fprintf(o.f, "%.*s\n", (int)len, l);
      }
      free(line);
      free(moved);
    } else {
      fprintf(o.f, "%.*s%s", (int)len, l, l[len] ? "\n" : "");
    }
    l += len + (l[len] ? 1 : 0);
  }
  return rh_net_out_done(&o);
}

bool rh_resolv_nameservers(const char *text, char *out, size_t outsz)
{
  size_t used = 0;
  bool any = false;
  if (outsz) out[0] = 0;
  for (const char *l = text; *l;) {
    size_t len = strcspn(l, "\n");
    /* "nameserver ADDR": glibc takes the keyword only at the very start of
     * a line (resolv.conf(5)), as here */
    if (len > 10 && !strncmp(l, "nameserver", 10) && (l[10] == ' ' || l[10] == '\t')) {
      const char *a = l + 10 + strspn(l + 10, " \t");
      size_t al = strcspn(a, " \t\n#;"); /* stops at the line's end */
      any = any || al;
      if (al && used + al + (used ? 1 : 0) < outsz)
        used += (size_t)snprintf(out + used, outsz - used, "%s%.*s", used ? " " : "", (int)al, a);
    }
    l += len + (l[len] ? 1 : 0);
  }
  return any;
}
