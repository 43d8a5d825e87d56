#include "../convert/image.h"
#include "../finalize/finalize.h"
#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../lib/outfile.h"
#include "../profiles/profile.h"
#include "commands.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "Usage: rehost convert [OPTIONS] SOURCE --profile NAME -o OUT\n"
    "       rehost convert [OPTIONS] --domain NAME --profile NAME -o OUT\n"
    "Replicate and finalize in one: OUT is SOURCE converted for the target\n"
    "platform. SOURCE is never written: the edits go to a temporary overlay,\n"
    "and OUT is written once, in the profile's format, renamed into place when\n"
    "complete.\n\n"
    "  -p, --profile NAME    ec2, openstack, azure, hyperv, kvm, or a profile file\n"
    "  -o, --output OUT      the converted image (required)\n"
    "  -f, --format FMT      SOURCE's format (raw, qcow2, vmdk, vhd, vhdx); default:\n"
    "                        detected (a libvirt domain's: the one it declares)\n"
    "  -O, --output-format F format of OUT (one the profile allows)\n"
    "      --packages DIR    agent packages (.deb/.rpm, with dependencies) to install\n"
    "      --firstboot-install  agents missing from DIR are installed by a unit at\n"
    "                        the new machine's first boot (needs network then)\n"
    "      --network MODE    keep (static addresses stay, default) or dhcp\n"
    "      --firewall        enable iptables/ip6tables (default: disabled)\n"
    "      --dry-run         list the edits, write nothing\n"
    "      --report FILE     write the JSON change report\n"
    "      --force           overwrite OUT (and the --libvirt-xml file)\n"
    "      --libvirt-xml F   also write a libvirt domain for OUT (qcow2 or raw):\n"
    "                        virtio disk and NICs, serial console, the source\n"
    "                        domain's vCPUs, memory and firmware\n"
    "      --name NAME       that domain's name (default: OUT's base name; it gets a\n"
    "                        new UUID, so it can be defined beside the source)\n"
    "      --keep-mac        keep the source domain's MAC addresses in that XML\n"
    "      --allow-backing   allow a SOURCE image with a backing file\n"
    RH_DOMAIN_HELP
    "  -v, -q, --machine-readable, -h   as for rehost(1)\n";

/* The format OUT will have (user name), from -O or the profile. */
static int out_format(const struct rh_finalize_opts *o, char *fmt, size_t sz)
{
  struct rh_profile p;
  int rc = rh_profile_load(o->profile, &p);
  if (rc) return rc;
  snprintf(fmt, sz, "%s", o->output_format ? o->output_format : p.default_format);
  rh_profile_free(&p);
  return RH_EXIT_OK;
}

static int write_domain_xml(const struct rh_convert_cli *x, const struct rh_finalize_opts *o,
                            const char *fmt)
{
  char image[PATH_MAX];
  if (!realpath(o->output, image)) {
    rh_error("%s: %s", o->output, strerror(errno));
    return RH_EXIT_IO;
  }
  char base[256];
  snprintf(base, sizeof base, "%s", strrchr(image, '/') + 1);
  char *dot = strrchr(base, '.');
  if (dot && dot != base) *dot = 0;
  const struct rh_domain *d = x->ds.loaded ? &x->ds.dom : NULL;
  struct rh_target_domain t = {.name = x->name ? x->name : base, .image = image, .format = fmt,
                               .vcpus = d ? d->vcpus : 0, .memory_kib = d ? d->memory_kib : 0,
                               .uefi = d && d->uefi, .keep_mac = x->keep_mac,
                               .nics = d ? d->nics : NULL, .n_nics = d ? d->n_nics : 0};
  char *xml = rh_domain_xml_for_target(&t);
  int rc = xml ? rh_outfile_write_text(x->libvirt_xml, xml, 0) : RH_EXIT_FAILURE;
  free(xml);
  if (rc) return rc;
  rh_info("wrote libvirt domain '%s' to %s", t.name, x->libvirt_xml);
  rh_event_str("libvirt-xml", "path", x->libvirt_xml);
  return RH_EXIT_OK;
}

int cmd_convert(int argc, char **argv)
{
  struct rh_finalize_opts o = {.convert = true};
  struct rh_convert_cli x = {0};
  bool help = false;
  int rc = rh_finalize_parse("convert", argc, argv, &o, &x, &help);
  if (rc) return rc;
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (!o.output) return rh_usage_error("convert", "missing -o OUT");
  if (x.keep_mac && !x.libvirt_xml) return rh_usage_error("convert", "--keep-mac needs --libvirt-xml");
  if (x.name && !x.libvirt_xml) return rh_usage_error("convert", "--name needs --libvirt-xml");
  char fmt[32] = "";
  if (x.libvirt_xml) {
    if ((rc = out_format(&o, fmt, sizeof fmt))) return rc;
    if (strcmp(fmt, "qcow2") && strcmp(fmt, "raw"))
      return rh_usage_error("convert", "--libvirt-xml: OUT would be %s; libvirt's KVM runs qcow2 or raw "
                                       "(profiles kvm and openstack)", fmt);
    if (!o.force && !o.dry_run && access(x.libvirt_xml, F_OK) == 0) {
      rh_error("%s: already exists (--force to overwrite)", x.libvirt_xml);
      return RH_EXIT_INPUT;
    }
  }
  if ((rc = rh_domain_resolve("convert", &x.ds, true))) goto out;
  if (x.ds.chosen) {
    o.target = x.ds.chosen->path;
    /* the format libvirt runs the disk with, never a guess from its bytes */
    if (!o.input_format && x.ds.chosen->format && rh_format_driver(x.ds.chosen->format))
      o.input_format = x.ds.chosen->format;
    else if (!o.input_format) {
      rh_error("domain '%s': disk %s declares format '%s', which rehost does not read",
               x.ds.dom.name, x.ds.chosen->dev ? x.ds.chosen->dev : "?",
               x.ds.chosen->format ? x.ds.chosen->format : "(none)");
      rc = RH_EXIT_INPUT;
      goto out;
    }
    for (size_t i = 0; i < x.ds.dom.n_disks; i++)
      if (&x.ds.dom.disks[i] != x.ds.chosen)
        rh_warn("domain '%s': disk %s (%s) is not converted: convert converts one disk (--disk)",
                x.ds.dom.name, x.ds.dom.disks[i].dev ? x.ds.dom.disks[i].dev : "?", x.ds.dom.disks[i].path);
  }
  rc = rh_finalize(&o);
  if (!rc && x.libvirt_xml && !o.dry_run) rc = write_domain_xml(&x, &o, fmt);
out:
  rh_domain_src_free(&x.ds);
  return rc;
}
