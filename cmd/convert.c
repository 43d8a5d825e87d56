#include "../finalize/finalize.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "commands.h"

#include <stdio.h>

static const char usage_text[] =
    "Usage: rehost convert [OPTIONS] SOURCE --profile NAME -o OUT\n"
    "Replicate and finalize in one: OUT is SOURCE converted for the target\n"
    "platform. SOURCE is never written: the edits go to a temporary overlay,\n"
    "and OUT is written once, in the profile's format, renamed into place when\n"
    "complete.\n\n"
    "  -p, --profile NAME    ec2, openstack, azure, hyperv, kvm, or a profile file\n"
    "  -o, --output OUT      the converted image (required)\n"
    "  -O, --format F        format of OUT (one the profile allows)\n"
    "      --packages DIR    agent packages (.deb/.rpm, with dependencies) to install\n"
    "      --firstboot-install  agents missing from DIR are installed by a unit at\n"
    "                        the new machine's first boot (needs network then)\n"
    "      --network MODE    keep (static addresses stay, default) or dhcp\n"
    "      --firewall        enable iptables/ip6tables (default: disabled)\n"
    "      --dry-run         list the edits, write nothing\n"
    "      --report FILE     write the JSON change report\n"
    "      --force           overwrite OUT\n"
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

int cmd_convert(int argc, char **argv)
{
  struct rh_finalize_opts o = {.convert = true};
  bool help = false;
  int rc = rh_finalize_parse("convert", argc, argv, &o, &help);
  if (rc) return rc;
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (!o.output) return rh_usage_error("convert", "missing -o OUT");
  return rh_finalize(&o);
}
