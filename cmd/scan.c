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
    "Inspect a machine's disk image(s) (raw, qcow2, vmdk, vhd, vhdx; or a block\n"
    "device) read-only and report what a migration needs to know.\n\n"
    "  -o, --output FILE     write the JSON report to FILE\n"
    "      --json            write the JSON report to stdout\n"
    "  -f, --format FMT      force the disk format (raw, qcow2, vmdk, vhd, vhdx)\n"
    "      --allow-backing   allow images with a backing file\n"
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

static int write_report(json_object *report, const char *path)
{
  const char *text = json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
  if (!strcmp(path, "-")) {
    puts(text);
    return fflush(stdout) == 0 ? 0 : RH_EXIT_IO;
  }
  char *tmp = rh_outfile_begin(path);
  FILE *f = tmp ? fopen(tmp, "w") : NULL;
  if (!f) {
    rh_error("%s: cannot write: %s", path, strerror(errno));
    rh_outfile_abort(tmp);
    return RH_EXIT_IO;
  }
  int bad = fputs(text, f) < 0 || fputc('\n', f) < 0;
  bad |= fclose(f) != 0;
  if (bad || rh_outfile_commit(tmp, path) < 0) {
    rh_error("%s: cannot write: %s", path, strerror(errno));
    if (bad) rh_outfile_abort(tmp);
    return RH_EXIT_IO;
  }
  return 0;
}

int cmd_scan(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"output", required_argument, 0, 'o'}, {"json", no_argument, 0, 'J'},
      {"format", required_argument, 0, 'f'}, {"allow-backing", no_argument, 0, 'B'},
      RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  const char *output = NULL, *format = NULL;
  bool json_stdout = false, help = false, allow_backing = false;
  int c;
  while ((c = getopt_long(argc, argv, "o:f:" RH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 'J': json_stdout = true; break;
    case 'f': format = optarg; break;
    case 'B': allow_backing = true; break;
    default:
      if (!rh_common_option(c, &help)) return rh_usage_error("scan", "invalid option");
    }
  }
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  int n = argc - optind;
  if (n < 1) return rh_usage_error("scan", "missing DISK");
  if (n > 16) return rh_usage_error("scan", "at most 16 disks");
  struct rh_image imgs[16];
  struct rh_probe_opts po = {format, allow_backing};
  int rc = 0, probed = 0;
  for (; probed < n && !rc; probed++) rc = rh_image_probe(argv[optind + probed], &po, &imgs[probed]);
  if (rc) probed--;
  json_object *report = NULL;
  if (!rc) {
    rh_info("scanning %s%s", imgs[0].path, n > 1 ? " and the other disks" : "");
    rc = rh_scan_images(imgs, n, &report);
  }
  for (int i = 0; i < probed; i++) rh_image_free(&imgs[i]);
  if (rc) return rc;
  if (output) rc = write_report(report, output);
  if (!rc && json_stdout) rc = write_report(report, "-");
  if (!rc && !json_stdout && !rh_machine_readable() && rh_verbosity() >= RH_NORMAL)
    rh_scan_print_summary(report, stdout);
  if (!rc && output) rh_event_str("report", "path", output);
  json_object_put(report);
  return rc;
}
