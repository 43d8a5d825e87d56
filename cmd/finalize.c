#include "../finalize/finalize.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: rehost finalize [OPTIONS] TARGET... --profile NAME\n"
    "Prepare a replicated image to boot and run on a target platform: drivers in\n"
    "the initramfs, fstab, clock, network, services, kernel command line and\n"
    "bootloader, as the profile says. One appliance launch. Name every disk of\n"
    "a machine whose filesystems span several (md RAID, LVM): they are edited as\n"
    "one machine, and each is written back.\n\n"
    "  -p, --profile NAME    ec2, openstack, azure, hyperv, kvm, or a profile file\n"
    "  -o, --output OUT      write a finalized copy in the profile's format and\n"
    "                        leave TARGET unchanged (default: edit TARGET in place\n"
    "                        and mark it finalized: no more syncs into it); with\n"
    "                        several disks, OUT is a directory: OUT/NAME.EXT each\n"
    "  -f, --format FMT      TARGET's format (raw, qcow2, vmdk, vhd, vhdx); default:\n"
    "                        the one its replication state records, else detected\n"
    "  -O, --output-format F format of OUT (one the profile allows)\n"
    "      --clone OVERLAY   finalize a new qcow2 overlay on top of TARGET instead;\n"
    "                        TARGET stays bit-for-bit unchanged and can keep\n"
    "                        receiving syncs (do not sync while the clone is used)\n"
    "      --packages DIR    agent packages (.deb/.rpm, with dependencies) to install\n"
    "      --firstboot-install  agents missing from DIR are installed by a unit at\n"
    "                        the new machine's first boot (needs network then)\n"
    "      --network MODE    keep (static addresses stay) or dhcp; default: the\n"
    "                        profile's (dhcp: ec2, azure, openstack; keep: kvm, hyperv)\n"
    "      --firewall        enable iptables/ip6tables (default: disabled)\n"
    "      --md-degraded     start md arrays whose other disks are lost without\n"
    "                        them (a RAID1 made whole with the members it has)\n"
    "      --keep-source-tools  leave the old platform's guest tools (VMware Tools,\n"
    "                        VirtualBox Guest Additions, ...) in; default: removed\n"
    "      --allow-missing-mounts  fstab entries on none of the disks given (a disk\n"
    "                        of the machine lost) get nofail; default: refused\n"
    "      --dry-run         list the edits, change nothing\n"
    "      --report FILE     write the JSON change report\n"
    "      --scan-report FILE  also write TARGET's scan report (as rehost scan -o\n"
    "                        FILE), from the same appliance, before any edit\n"
    "      --force           finalize an inconsistent or already finalized TARGET\n"
    "      --allow-backing   allow a TARGET with a backing file\n"
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

/* Options finalize and convert share; --clone is finalize's only. */
int rh_finalize_parse(const char *cmd, int argc, char **argv, struct rh_finalize_opts *o,
                      struct rh_convert_cli *x, bool *help)
{
  enum { O_CLONE = 256, O_NET, O_FW, O_DRY, O_REPORT, O_FORCE, O_PKG, O_FIRST, O_XML, O_MAC,
         O_NAME, O_BACKING, O_JOBS, O_SCAN, O_MDDEG, O_KEEPTOOLS, O_MISSING };
  static const struct option longopts[] = {
      {"profile", required_argument, 0, 'p'}, {"output", required_argument, 0, 'o'},
      {"output-format", required_argument, 0, 'O'}, {"format", required_argument, 0, 'f'},
      {"clone", required_argument, 0, O_CLONE}, {"name", required_argument, 0, O_NAME},
      {"allow-backing", no_argument, 0, O_BACKING},
      {"network", required_argument, 0, O_NET}, {"firewall", no_argument, 0, O_FW},
      {"dry-run", no_argument, 0, O_DRY},     {"report", required_argument, 0, O_REPORT},
      {"scan-report", required_argument, 0, O_SCAN},
      {"force", no_argument, 0, O_FORCE},     {"packages", required_argument, 0, O_PKG},
      {"firstboot-install", no_argument, 0, O_FIRST}, {"md-degraded", no_argument, 0, O_MDDEG},
      {"keep-source-tools", no_argument, 0, O_KEEPTOOLS},
      {"allow-missing-mounts", no_argument, 0, O_MISSING},
      {"libvirt-xml", required_argument, 0, O_XML}, {"keep-mac", no_argument, 0, O_MAC},
      {"jobs", required_argument, 0, O_JOBS},
      RH_DOMAIN_LONGOPTS, RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "p:o:O:f:" RH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if (!o->profile) o->profile = optarg;
      if (x && x->n_profiles >= (int)(sizeof x->profiles / sizeof x->profiles[0]))
        return rh_usage_error(cmd, "too many --profile options");
      if (x) x->profiles[x->n_profiles++] = optarg;
      else if (o->profile != optarg) return rh_usage_error(cmd, "one --profile (convert takes several)");
      break;
    case O_JOBS: {
      char *end;
      long j = strtol(optarg, &end, 10);
      if (!x || *end || j < 1 || j > 64) return rh_usage_error(cmd, "--jobs takes 1 to 64 (convert only)");
      x->jobs = (int)j;
      break;
    }
    case 'f':
      if (rh_format_option(cmd, optarg, &o->input_format)) return RH_EXIT_USAGE;
      break;
    case O_BACKING: o->allow_backing = true; break;
    case 'o': o->output = optarg; break;
    case 'O': o->output_format = optarg; break;
    case O_CLONE:
      if (o->convert) return rh_usage_error(cmd, "invalid option");
      o->clone = optarg;
      break;
    case O_NET:
      if (strcmp(optarg, "dhcp") && strcmp(optarg, "keep"))
        return rh_usage_error(cmd, "--network must be keep or dhcp");
      o->network = !strcmp(optarg, "dhcp") ? RH_NET_DHCP : RH_NET_KEEP;
      break;
    case O_FW: o->firewall = true; break;
    case O_DRY: o->dry_run = true; break;
    case O_REPORT: o->report = optarg; break;
    case O_SCAN: o->scan_report = optarg; break;
    case O_FORCE: o->force = true; break;
    case O_PKG: o->packages = optarg; break;
    case O_FIRST: o->firstboot_install = true; break;
    case O_MDDEG: o->md_degraded = true; break;
    case O_KEEPTOOLS: o->keep_source_tools = true; break;
    case O_MISSING: o->allow_missing_mounts = true; break;
    case O_XML:
    case O_MAC:
    case O_NAME:
      if (!x) return rh_usage_error(cmd, "invalid option");
      if (c == O_XML) x->libvirt_xml = optarg;
      else if (c == O_NAME) x->name = optarg;
      else x->keep_mac = true;
      break;
    default:
      if (!(x && rh_domain_option(c, optarg, &x->ds)) && !rh_common_option(c, help))
        return rh_usage_error(cmd, "invalid option");
    }
  }
  if (*help) return RH_EXIT_OK;
  int npos = argc - optind;
  if (x && rh_package_arg(cmd, &x->ds, argv + optind, &npos)) return RH_EXIT_USAGE;
  if (x && x->ds.package) {
  } else if (x && x->ds.name) {
    if (argc - optind != 0) return rh_usage_error(cmd, "SOURCE and --domain exclude each other");
  } else if (argc - optind < 1) {
    return rh_usage_error(cmd, o->convert ? "expected SOURCE (the disks of one machine)"
                                          : "expected TARGET (the disks of one machine)");
  } else {
    o->targets = (const char *const *)&argv[optind];
    o->n_targets = (size_t)(argc - optind);
  }
  if (!o->profile) return rh_usage_error(cmd, "missing --profile NAME");
  return RH_EXIT_OK;
}

int cmd_finalize(int argc, char **argv)
{
  struct rh_finalize_opts o = {0};
  bool help = false;
  int rc = rh_finalize_parse("finalize", argc, argv, &o, NULL, &help);
  if (rc) return rc;
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (o.output && o.clone) return rh_usage_error("finalize", "--output and --clone exclude each other");
  if (o.output_format && !o.output) return rh_usage_error("finalize", "-O needs --output");
  return rh_finalize(&o);
}
