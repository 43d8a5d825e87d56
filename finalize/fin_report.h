/* finalize's change report and terminal listings (internal to finalize/). */
#ifndef REHOST_FIN_REPORT_H
#define REHOST_FIN_REPORT_H

#include "finalize.h"

#include <json-c/json.h>
#include <stdbool.h>

/* The JSON report (schema rehost.finalize/1) to o->report, if asked for.
 * outputs: each disk's output file, or NULL. */
int rh_fin_write_report(const struct rh_finalize_opts *o, const char *profile,
                        const char *const *outputs, json_object *changes, json_object *problems,
                        const struct rh_guest_facts *facts);
/* "finalize made/would make N changes:" and one line per change, on stdout. */
void rh_fin_print_changes(json_object *changes, bool planned);
/* A dry run's problems after its plan, on stdout. */
void rh_fin_print_problems(json_object *problems);

#endif
