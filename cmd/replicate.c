#include "../convert/image.h"
#include "../convert/replicate.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/private_files.h"
#include "commands.h"
#ifdef REHOST_SLIM
#include "../lib/lazy_load.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef REHOST_SLIM
/* while qemu-img probes the source: the first NBD call comes after */
static void load_libnbd(void)
{
  rh_lazy_load("libnbd.so.0");
}
#endif

static const char usage_text[] =
    "Usage: rehost replicate [OPTIONS] SOURCE TARGET\n"
    "       rehost replicate [OPTIONS] PACKAGE.ova|PACKAGE.ovf [--disk ID] TARGET\n"
    "       rehost replicate [OPTIONS] --domain NAME [--disk DEV] TARGET\n"
    "Copy SOURCE's data into TARGET, then keep TARGET current by writing only the\n"
    "blocks that changed. The first run makes a full copy. TARGET holds data only;\n"
    "'rehost finalize' makes it bootable.\n\n"
    "  -m, --mode MODE       auto (default): change tracking when the source has a\n"
    "                        valid bitmap generation for TARGET, else compare;\n"
    "                        full: copy everything; compare: read both sides, write\n"
    "                        the blocks whose digests differ; bitmap: copy only the\n"
    "                        blocks written since the last sync (falls back to\n"
    "                        compare, saying why, when that is not safe)\n"
    "      --full            same as --mode full\n"
    "  -f, --format FMT      force SOURCE's format\n"
    "  -O, --target-format F format for a new TARGET: raw, qcow2, vmdk, vhd, vhdx\n"
    "                        (default: from TARGET's extension, else qcow2)\n"
    "      --block-size N    compare/write unit, 4K..4M, power of two (default 64K)\n"
    "      --threads N       worker threads and NBD connections (default 4; bitmap 16)\n"
    "      --no-track        never add change-tracking bitmaps to the source\n"
    "      --force           sync from a different source than TARGET was replicated\n"
    "                        from, into a finalized TARGET, or shrink TARGET\n"
    "      --wait[=SECONDS]  wait (default up to 3600 s) for another rehost syncing\n"
    "                        TARGET or reading SOURCE, instead of failing\n"
    "      --verify          compare every block of SOURCE and TARGET, reading both\n"
    "                        (not the block digests kept from the last sync)\n"
    "      --untrack         remove TARGET's change-tracking bitmaps from SOURCE and\n"
    "                        stop (the next sync compares every block)\n"
    "      --allow-backing   allow a SOURCE image with a backing file\n"
    RH_DOMAIN_HELP
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n"
    "\nTARGET's replication state is kept in TARGET.rehost.json.\n";

static int parse_block(const char *s, uint32_t *out)
{
  uint64_t v = rh_parse_size(s);
  if (v < 4096 || v > (4ul << 20) || (v & (v - 1))) return -1;
  *out = (uint32_t)v;
  return 0;
}

int cmd_replicate(int argc, char **argv)
{
  enum { O_FULL = 256, O_BLOCK, O_THREADS, O_NOTRACK, O_FORCE, O_WAIT, O_BACKING, O_UNTRACK, O_VERIFY };
  static const struct option longopts[] = {
      {"mode", required_argument, 0, 'm'},    {"full", no_argument, 0, O_FULL},
      {"format", required_argument, 0, 'f'},  {"target-format", required_argument, 0, 'O'},
      {"block-size", required_argument, 0, O_BLOCK},
      {"threads", required_argument, 0, O_THREADS},
      {"no-track", no_argument, 0, O_NOTRACK}, {"force", no_argument, 0, O_FORCE},
      {"wait", optional_argument, 0, O_WAIT}, {"allow-backing", no_argument, 0, O_BACKING},
      {"untrack", no_argument, 0, O_UNTRACK}, {"verify", no_argument, 0, O_VERIFY},
      RH_DOMAIN_LONGOPTS,                     RH_COMMON_LONGOPTS, {0, 0, 0, 0}};
  struct rh_replicate_opts o = {0};
  struct rh_domain_src ds = {0};
  bool help = false;
  int c;
  while ((c = getopt_long(argc, argv, "m:f:O:" RH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    switch (c) {
    case 'm': {
      int m = rh_repl_mode_parse(optarg);
      if (m < 0) return rh_usage_error("replicate", "unknown --mode '%s'", optarg);
      o.mode = (enum rh_repl_mode)m;
      break;
    }
    case O_FULL: o.mode = RH_MODE_FULL; break;
    case 'f':
      if (rh_format_option("replicate", optarg, &o.source_format)) return RH_EXIT_USAGE;
      break;
    case 'O':
      if (!(o.target_format = rh_format_driver(optarg)))
        return rh_usage_error("replicate", "unknown target format '%s'", optarg);
      break;
    case O_BLOCK:
      if (parse_block(optarg, &o.block_size) < 0)
        return rh_usage_error("replicate", "--block-size must be a power of two from 4K to 4M");
      break;
    case O_THREADS:
      o.threads = atoi(optarg);
      if (o.threads < 1 || o.threads > 64)
        return rh_usage_error("replicate", "--threads must be 1..64");
      break;
    case O_NOTRACK: o.no_track = true; break;
    case O_FORCE: o.force = true; break;
    case O_WAIT:
      o.wait_s = optarg ? atoi(optarg) : RH_WAIT_DEFAULT;
      if (o.wait_s < 1) return rh_usage_error("replicate", "--wait=SECONDS must be at least 1");
      break;
    case O_UNTRACK: o.untrack = true; break;
    case O_VERIFY: o.verify = true; break;
    case O_BACKING: o.allow_backing = true; break;
    default:
      if (!rh_domain_option(c, optarg, &ds) && !rh_common_option(c, &help))
        return rh_usage_error("replicate", "invalid option");
    }
  }
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (o.verify && o.mode != RH_MODE_AUTO && o.mode != RH_MODE_COMPARE)
    return rh_usage_error("replicate", "--verify is a compare sync that reads the target too");
  if (o.verify) o.mode = RH_MODE_COMPARE;
  int npos = argc - optind - 1;
  if (npos >= 1 && rh_package_arg("replicate", &ds, argv + optind, &npos)) return RH_EXIT_USAGE;
  if (ds.package) {
    if (argc - optind != 2) return rh_usage_error("replicate", "expected PACKAGE and TARGET");
    o.target = argv[optind + 1];
  } else if (ds.name) {
    if (argc - optind != 1) return rh_usage_error("replicate", "with --domain, expected one TARGET");
    o.target = argv[optind];
  } else {
    if (argc - optind != 2) return rh_usage_error("replicate", "expected SOURCE and TARGET");
    o.source = argv[optind];
    o.target = argv[optind + 1];
  }
  int rc = rh_domain_resolve("replicate", &ds, true);
  if (!rc && ds.chosen) {
    o.source = ds.chosen->path;
    /* the format libvirt runs the disk with (checked), not a guess from its bytes */
    if (!o.source_format) o.source_format = ds.chosen->format;
    /* a running domain's external snapshot: its base is read-only now */
    o.source_shared = ds.snapshot && ds.dom.running;
  }
#ifdef REHOST_SLIM
  o.while_probing = load_libnbd;
#endif
  if (!rc) rc = rh_replicate(&o);
  rh_domain_src_free(&ds);
  return rc;
}
