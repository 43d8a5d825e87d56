#include "../convert/image.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../scan/scan.h"
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: rehost scan [OPTIONS] DISK [DISK...]\n"
    "       rehost scan [OPTIONS] --domain NAME\n"
    "       rehost scan [OPTIONS] PACKAGE.ova|PACKAGE.ovf\n"
    "Inspect a machine's disk image(s) (raw, qcow2, vmdk, vhd, vhdx; or a block\n"
    "device; or an OVA/OVF package's disks, digests checked first) read-only and\n"
    "report what a migration needs to know.\n\n"
    "  -o, --output FILE     write the JSON report to FILE\n"
    "      --json            write the JSON report to stdout\n"
    "  -f, --format FMT      force the disk format (raw, qcow2, vmdk, vhd, vhdx)\n"
    "      --allow-backing   allow images with a backing file\n"
    "      --md-degraded     start md arrays whose other disks are lost without\n"
    "                        them (read-only)\n"
    RH_DOMAIN_HELP
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

int cmd_scan(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"output", required_argument, 0, 'o'}, {"json", no_argument, 0, 'J'},
      {"format", required_argument, 0, 'f'}, {"allow-backing", no_argument, 0, 'B'},
      {"md-degraded", no_argument, 0, 'D'},
      RH_DOMAIN_LONGOPTS, RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  const char *output = NULL, *format = NULL;
  struct rh_domain_src ds = {0};
  bool json_stdout = false, help = false, allow_backing = false, md_degraded = false;
  int c;
  while ((c = getopt_long(argc, argv, "o:f:" RH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 'J': json_stdout = true; break;
    case 'f':
      if (rh_format_option("scan", optarg, &format)) return RH_EXIT_USAGE;
      break;
    case 'B': allow_backing = true; break;
    case 'D': md_degraded = true; break;
    default:
      if (!rh_domain_option(c, optarg, &ds) && !rh_common_option(c, &help))
        return rh_usage_error("scan", "invalid option");
    }
  }
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  int n = argc - optind;
  if (rh_package_arg("scan", &ds, argv + optind, &n)) return RH_EXIT_USAGE;
  if (ds.name && n) return rh_usage_error("scan", "DISK and --domain exclude each other");
  if (!ds.name && !ds.package && n < 1) return rh_usage_error("scan", "missing DISK");
  if (n > 16) return rh_usage_error("scan", "at most 16 disks");
  int rc = rh_domain_resolve("scan", &ds, false);
  if (rc) return rc;
  const char *paths[16], *formats[16];
  if (ds.loaded) {
    n = 0;
    for (size_t i = 0; i < ds.dom.n_disks && n < 16; i++, n++) {
      paths[n] = ds.dom.disks[i].path;
      formats[n] = ds.dom.disks[i].format; /* declared (checked), never guessed */
    }
  } else {
    for (int i = 0; i < n && i < 16; i++) paths[i] = argv[optind + i], formats[i] = format;
  }
  struct rh_image imgs[16];
  int probed = 0;
  for (; probed < n && !rc; probed++) {
    struct rh_probe_opts po = {.format = formats[probed], .allow_backing = allow_backing,
                               .force_share = ds.snapshot && ds.dom.running};
    rc = rh_image_probe(paths[probed], &po, &imgs[probed]);
  }
  if (rc) probed--;
  json_object *report = NULL;
  if (!rc) {
    rh_info("scanning %s%s", rh_image_name(&imgs[0]), n > 1 ? " and the other disks" : "");
    rc = rh_scan_images(imgs, n, md_degraded, &report);
    if (!rc && ds.loaded) json_object_object_add(report, "domain", rh_domain_to_json(&ds.dom, ds.snapshot));
    if (!rc && ds.package) json_object_object_add(report, "package", json_object_new_string(ds.package));
  }
  rh_domain_src_free(&ds);
  for (int i = 0; i < probed; i++) rh_image_free(&imgs[i]);
  if (rc) return rc;
  if (output) rc = rh_scan_write(report, output);
  if (!rc && json_stdout) rc = rh_scan_write(report, "-");
  if (!rc && !json_stdout && !rh_machine_readable() && rh_verbosity() >= RH_NORMAL)
    rh_scan_print_summary(report, stdout);
  if (!rc && output) rh_event_str("report", "path", output);
  json_object_put(report);
  return rc;
}
