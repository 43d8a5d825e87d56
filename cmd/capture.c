#include "../convert/image.h"
#include "../guest/tree_image.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
    "Usage: rehost capture [OPTIONS] SOURCE -o IMAGE\n"
    "Capture a source system into a disk image. SOURCE is a block device or disk\n"
    "image (copied sparse), or a root directory tree (made into a partitioned,\n"
    "bootable disk).\n\n"
    "  -o, --output IMAGE    image to create (required)\n"
    "  -O, --output-format F raw, qcow2, vmdk, vhd, vhdx (default: from IMAGE's\n"
    "                        extension, else qcow2)\n"
    "  -f, --format FMT      force SOURCE's format (disk sources)\n"
    "      --partition T     mbr (default) or gpt, for a root tree\n"
    "      --size SIZE       disk size for a root tree (bytes, or with K/M/G suffix)\n"
    "      --allow-backing   allow a SOURCE image with a backing file\n"
    "      --force           overwrite IMAGE if it exists\n"
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

static int parse_size(const char *s, uint64_t *out)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s) return -1;
  switch (*end) {
  case 'K': case 'k': v <<= 10; end++; break;
  case 'M': case 'm': v <<= 20; end++; break;
  case 'G': case 'g': v <<= 30; end++; break;
  case 'T': case 't': v <<= 40; end++; break;
  }
  if (*end == 'i' && end[1] == 'B') end += 2;
  if (*end) return -1;
  *out = v;
  return 0;
}

int cmd_capture(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"output", required_argument, 0, 'o'},  {"output-format", required_argument, 0, 'O'},
      {"format", required_argument, 0, 'f'},  {"partition", required_argument, 0, 'P'},
      {"size", required_argument, 0, 'S'},    {"allow-backing", no_argument, 0, 'B'},
      {"force", no_argument, 0, 'F'},         RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  const char *output = NULL, *ofmt = NULL, *format = NULL, *partition = "mbr";
  uint64_t size = 0;
  bool help = false, allow_backing = false, force = false;
  int c;
  while ((c = getopt_long(argc, argv, "o:O:f:" RH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 'O': ofmt = optarg; break;
    case 'f':
      if (rh_format_option("capture", optarg, &format)) return RH_EXIT_USAGE;
      break;
    case 'P': partition = optarg; break;
    case 'S':
      if (parse_size(optarg, &size) < 0) return rh_usage_error("capture", "bad --size '%s'", optarg);
      break;
    case 'B': allow_backing = true; break;
    case 'F': force = true; break;
    default:
      if (!rh_common_option(c, &help)) return rh_usage_error("capture", "invalid option");
    }
  }
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (argc - optind != 1) return rh_usage_error("capture", "expected one SOURCE");
  if (!output) return rh_usage_error("capture", "missing -o IMAGE");
  if (strcmp(partition, "mbr") && strcmp(partition, "gpt"))
    return rh_usage_error("capture", "--partition must be mbr or gpt");
  if (!ofmt) ofmt = rh_format_name(rh_format_for_path(output));
  const char *driver = rh_format_driver(ofmt);
  if (!driver) return rh_usage_error("capture", "unknown output format '%s'", ofmt);
  const char *source = argv[optind];
  struct stat st;
  if (!force && stat(output, &st) == 0) {
    rh_error("%s: already exists (use --force to overwrite)", output);
    return RH_EXIT_INPUT;
  }
  if (stat(source, &st) == 0 && S_ISDIR(st.st_mode)) {
    struct rh_tree_image_opts o = {source, output, driver, partition, size};
    int rc = rh_tree_image_create(&o);
    if (!rc) rh_info("captured %s into %s (%s)", source, output, ofmt);
    return rc;
  }
  struct rh_image img;
  struct rh_probe_opts po = {.format = format, .allow_backing = allow_backing};
  int rc = rh_image_probe(source, &po, &img);
  if (rc) return rc;
  const char *opts = !strcmp(driver, "vmdk") ? "subformat=streamOptimized" : NULL;
  rc = rh_image_copy(&img, output, driver, opts);
  if (!rc) rh_info("captured %s into %s (%s)", source, output, ofmt);
  rh_image_free(&img);
  return rc;
}
