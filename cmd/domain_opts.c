/* --connect URI --domain NAME [--snapshot S] [--disk DEV]: a libvirt domain's
 * disk as the source of scan, replicate and convert. */
#include "../convert/image.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../ova/package.h"
#include "../virt/domain.h"
#include "commands.h"

#include <stdlib.h>
#include <string.h>

bool rh_domain_option(int c, const char *arg, struct rh_domain_src *s)
{
  switch (c) {
  case RH_OPT_CONNECT: s->uri = arg; break;
  case RH_OPT_DOMAIN: s->name = arg; break;
  case RH_OPT_SNAPSHOT: s->snapshot = arg; break;
  case RH_OPT_DISK: s->disk = arg; break;
  default: return false;
  }
  return true;
}

int rh_package_arg(const char *cmd, struct rh_domain_src *s, char *const *args, int *n)
{
  if (*n < 1 || !rh_package_named(args[0])) return RH_EXIT_OK;
  if (*n > 1 || s->name)
    return rh_usage_error(cmd, "%s is a whole machine (an OVA/OVF package): name it alone, "
                               "without other disks or --domain", args[0]);
  s->package = args[0];
  *n = 0;
  return RH_EXIT_OK;
}

int rh_domain_resolve(const char *cmd, struct rh_domain_src *s, bool refuse_running)
{
  if (s->package && (s->uri || s->snapshot))
    return rh_usage_error(cmd, "--connect and --snapshot are for libvirt domains, not packages");
  if (!s->name && !s->package) {
    if (s->uri || s->snapshot || s->disk)
      return rh_usage_error(cmd, "--connect, --snapshot and --disk need --domain NAME");
    return RH_EXIT_OK;
  }
  int rc = s->package ? rh_package_load(s->package, &s->dom)
                      : rh_domain_load(s->uri, s->name, s->snapshot, &s->dom);
  if (rc) return rc;
  s->loaded = true;
  if (refuse_running && (rc = rh_domain_check_quiet(&s->dom, s->snapshot, cmd))) return rc;
  if (s->dom.running && !s->snapshot && !strcmp(cmd, "scan"))
    rh_warn("domain '%s' is running: the report describes disks that are changing", s->dom.name);
  s->chosen = rh_domain_disk(&s->dom, s->disk);
  if (!s->chosen) {
    if (s->disk)
      rh_error("domain '%s' has no disk '%s'", s->dom.name, s->disk);
    else
      rh_error("domain '%s' has no disks", s->dom.name);
    return RH_EXIT_INPUT;
  }
  for (size_t i = 0; i < s->dom.n_disks; i++) {
    struct rh_dom_disk *k = &s->dom.disks[i];
    if (!k->path) {
      rh_error("domain '%s': disk %s is a %s disk, not a file or block device rehost can read",
               s->dom.name, k->dev ? k->dev : "?", k->kind ? k->kind : "network");
      return RH_EXIT_INPUT;
    }
    /* The format libvirt runs the disk with is the one rehost reads it as,
     * never a guess from the guest's bytes; none declared means raw, as for
     * libvirt itself. */
    if (!k->format) k->format = strdup("raw");
    if (!k->format || !rh_format_driver(k->format)) {
      rh_error("domain '%s': disk %s declares format '%s'; rehost reads raw, qcow2, vmdk, vpc "
               "and vhdx only", s->dom.name, k->dev ? k->dev : "?", k->format ? k->format : "?");
      return RH_EXIT_INPUT;
    }
  }
  rh_info("%s '%s'%s%s: disk %s = %s (%s)", s->package ? "package" : "domain", s->dom.name, s->snapshot ? ", snapshot " : "",
          s->snapshot ? s->snapshot : "", s->chosen->dev ? s->chosen->dev : "?", s->chosen->path,
          s->chosen->format);
  return RH_EXIT_OK;
}

void rh_domain_src_free(struct rh_domain_src *s)
{
  if (s->loaded) rh_domain_free(&s->dom);
  s->loaded = false;
}
