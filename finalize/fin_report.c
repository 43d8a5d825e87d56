/* finalize's change report (--report) and its terminal listings. */
#include "fin_report.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

int rh_fin_write_report(const struct rh_finalize_opts *o, const char *profile,
                        const char *const *outputs, json_object *changes, json_object *problems,
                        const struct rh_guest_facts *facts)
{
  json_object *r = json_object_new_object();
  json_object_object_add(r, "schema", json_object_new_string("rehost.finalize/1"));
  json_object_object_add(r, "rehost_version", json_object_new_string(REHOST_VERSION));
  json_object_object_add(r, "profile", json_object_new_string(profile));
  json_object_object_add(r, "target", json_object_new_string(o->targets[0]));
  json_object *disks = json_object_new_array();
  for (size_t i = 0; i < o->n_targets; i++) {
    json_object *d = json_object_new_object();
    json_object_object_add(d, "target", json_object_new_string(o->targets[i]));
    if (outputs && outputs[i]) json_object_object_add(d, "output", json_object_new_string(outputs[i]));
    json_object_array_add(disks, d);
  }
  json_object_object_add(r, "disks", disks);
  if (o->output) json_object_object_add(r, "output", json_object_new_string(o->output));
  if (o->clone) json_object_object_add(r, "clone", json_object_new_string(o->clone));
  json_object_object_add(r, "dry_run", json_object_new_boolean(o->dry_run));
  if (facts->firmware[0]) {
    json_object *gj = json_object_new_object();
    json_object_object_add(gj, "firmware", json_object_new_string(facts->firmware));
    json_object_object_add(gj, "distro", json_object_new_string(facts->distro));
    json_object_object_add(gj, "version", json_object_new_string(facts->version));
    json_object_object_add(r, "guest", gj);
  }
  json_object_object_add(r, "changes", json_object_get(changes));
  json_object_object_add(r, "problems", json_object_get(problems));
  int rc = RH_EXIT_OK;
  const char *text = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE);
  if (o->report) rc = rh_outfile_write_text(o->report, text, 0);
  json_object_put(r);
  return rc;
}

void rh_fin_print_changes(json_object *changes, bool planned)
{
  /* guest strings (file contents before and after): escaped for the terminal */
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (!out) return;
  size_t n = json_object_array_length(changes);
  fprintf(out, "%s %zu change%s:\n", planned ? "finalize would make" : "finalize made", n,
         n == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++) {
    json_object *c = json_object_array_get_idx(changes, i), *v;
    const char *k[] = {"file", "action", "before", "after"};
    const char *s[4] = {"", "", NULL, NULL};
    for (int j = 0; j < 4; j++)
      if (json_object_object_get_ex(c, k[j], &v)) s[j] = json_object_get_string(v);
    fprintf(out, "  %-28s %-22s %s%s%s\n", s[0], s[1], s[2] ? s[2] : "",
            s[2] && s[3] ? " -> " : "", s[3] ? s[3] : "");
  }
  fclose(out);
  rh_fputs_safe(text, stdout);
  free(text);
}

/* The problems a dry run found, after its plan (on stdout with the plan;
 * each was reported on stderr as it was found). */
void rh_fin_print_problems(json_object *problems)
{
  size_t n = json_object_array_length(problems);
  if (!n) return;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (!out) return;
  fprintf(out, "finalize would fail: %zu problem%s:\n", n, n == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++) {
    json_object *pr = json_object_array_get_idx(problems, i);
    fprintf(out, "  %-10s %s\n", json_object_get_string(json_object_object_get(pr, "step")),
            json_object_get_string(json_object_object_get(pr, "message")));
  }
  fclose(out);
  rh_fputs_safe(text, stdout);
  free(text);
}
