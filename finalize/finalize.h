/* rehost finalize: apply a target profile to a replicated image, in one
 * appliance launch: in place, on a qcow2 overlay clone (--clone), or into a
 * converted copy (-o). */
#ifndef REHOST_FINALIZE_H
#define REHOST_FINALIZE_H

#include <stdbool.h>

struct rh_finalize_opts {
  const char *target;
  const char *profile;        /* name or path */
  const char *output;         /* -o OUT: write a converted copy; NULL: in place */
  const char *output_format;  /* user format name for OUT */
  const char *input_format;   /* -f: TARGET's (or SOURCE's) format, or NULL */
  bool allow_backing;
  const char *clone;          /* --clone OVERLAY.qcow2 */
  const char *report;         /* --report FILE */
  const char *packages;       /* --packages DIR: agent packages and dependencies */
  bool firstboot_install;     /* agents missing from DIR: install at first boot */
  bool dhcp;                  /* --network dhcp */
  bool firewall;
  bool dry_run;
  bool force;
  bool convert;               /* rehost convert: target is a source, read-only; no state */
};

int rh_finalize(const struct rh_finalize_opts *o);

#endif
