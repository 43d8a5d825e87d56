#include "../convert/image.h"
#include "../finalize/finalize.h"
#include "../guest/firmware.h"
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
    "Usage: rehost convert [OPTIONS] SOURCE... --profile NAME -o OUT\n"
    "       rehost convert [OPTIONS] --domain NAME --profile NAME -o OUT\n"
    "       rehost convert [OPTIONS] PACKAGE.ova|PACKAGE.ovf --profile NAME -o OUT\n"
    "Replicate and finalize in one: OUT is SOURCE converted for the target\n"
    "platform. SOURCE is never written: the edits go to a temporary overlay,\n"
    "and OUT is written once, in the profile's format, renamed into place when\n"
    "complete. Several SOURCEs are the disks of one machine (md RAID or LVM may\n"
    "span them): OUT is then a directory, and each disk is written to\n"
    "OUT/NAME.EXT. A --domain or an OVA/OVF package is converted with all its\n"
    "disks (unless --disk); their vCPUs, memory, firmware and NICs go to\n"
    "--libvirt-xml and the manifest.\n\n"
    "  -p, --profile NAME    ec2, openstack, azure, hyperv, kvm, or a profile file;\n"
    "                        several (or \"all\"): OUT is a directory, DIR/NAME-PROFILE.EXT\n"
    "                        each, and DIR/manifest.json for a pipeline to act on\n"
    "  -o, --output OUT      the converted image (required)\n"
    "      --jobs N          with several profiles: N conversions side by side (default 2)\n"
    "  -f, --format FMT      SOURCE's format (raw, qcow2, vmdk, vhd, vhdx); default:\n"
    "                        detected (a libvirt domain's: the one it declares)\n"
    "  -O, --output-format F format of OUT (one the profile allows)\n"
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
    "      --dry-run         list the edits, write nothing\n"
    "      --report FILE     write the JSON change report\n"
    "      --scan-report FILE  also write SOURCE's scan report (as rehost scan -o\n"
    "                        FILE), from the same appliance, before any edit\n"
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

/* The converted disks' absolute paths, in the order finalize wrote them. */
static char **output_paths(const struct rh_finalize_opts *o, const char *fmt)
{
  char **v = calloc(o->n_targets + 1, sizeof *v);
  for (size_t i = 0; v && i < o->n_targets; i++) {
    char *name = rh_finalize_output_path(o, i, fmt);
    v[i] = name ? realpath(name, NULL) : NULL;
    if (!v[i]) rh_error("%s: %s", name ? name : o->output, strerror(errno ? errno : ENOMEM));
    free(name);
    if (!v[i]) {
      for (size_t j = 0; j < i; j++) free(v[j]);
      free(v);
      return NULL;
    }
  }
  return v;
}

static int write_domain_xml(const struct rh_convert_cli *x, const struct rh_finalize_opts *o,
                            const char *fmt, const struct rh_guest_facts *facts)
{
  char **images = output_paths(o, fmt);
  if (!images) return RH_EXIT_IO;
  char base[256];
  const char *b = strrchr(o->output, '/');
  snprintf(base, sizeof base, "%s", b && b[1] ? b + 1 : o->output);
  char *dot = o->n_targets == 1 ? strrchr(base, '.') : NULL;
  if (dot && dot != base) *dot = 0;
  const struct rh_domain *d = x->ds.loaded ? &x->ds.dom : NULL;
  struct rh_target_domain t = {.name = x->name ? x->name : base, .image = images[0], .format = fmt,
                               .extra_images = (const char *const *)images + 1,
                               .n_extra = o->n_targets - 1,
                               .vcpus = d ? d->vcpus : 0, .memory_kib = d ? d->memory_kib : 0,
                               /* a guest that only UEFI boots gets UEFI, whatever the source said */
                               .uefi = (d && d->uefi) || rh_firmware_needs_uefi(facts->firmware),
                               .keep_mac = x->keep_mac,
                               .nics = d ? d->nics : NULL, .n_nics = d ? d->n_nics : 0};
  char *xml = rh_domain_xml_for_target(&t);
  int rc = xml ? rh_outfile_write_text(x->libvirt_xml, xml, 0) : RH_EXIT_FAILURE;
  free(xml);
  for (size_t i = 0; i < o->n_targets; i++) free(images[i]);
  free(images);
  if (rc) return rc;
  rh_info("wrote libvirt domain '%s' to %s", t.name, x->libvirt_xml);
  rh_event_str("libvirt-xml", "path", x->libvirt_xml);
  return RH_EXIT_OK;
}

/* --domain: the disk --disk names, else every disk of the domain, each read
 * in the format libvirt declares for it, never a guess from its bytes. */
static int domain_disks(struct rh_convert_cli *x, struct rh_finalize_opts *o, const char ***paths,
                        const char ***formats)
{
  size_t n = x->ds.disk ? 1 : x->ds.dom.n_disks;
  *paths = calloc(n, sizeof **paths);
  *formats = calloc(n, sizeof **formats);
  if (!*paths || !*formats) return RH_EXIT_FAILURE;
  for (size_t i = 0; i < n; i++) {
    const struct rh_dom_disk *k = x->ds.disk ? x->ds.chosen : &x->ds.dom.disks[i];
    (*paths)[i] = k->path;
    (*formats)[i] = k->format; /* checked by rh_domain_resolve */
  }
  o->targets = *paths;
  o->n_targets = n;
  if (!o->input_format) o->target_formats = *formats;
  if (n > 1) rh_info("domain '%s': converting its %zu disks as one machine", x->ds.dom.name, n);
  return RH_EXIT_OK;
}

int cmd_convert(int argc, char **argv)
{
  struct rh_guest_facts facts = {0};
  struct rh_finalize_opts o = {.convert = true, .facts = &facts};
  struct rh_convert_cli x = {0};
  const char **dpaths = NULL, **dformats = NULL;
  bool help = false;
  int rc = rh_finalize_parse("convert", argc, argv, &o, &x, &help);
  if (rc) return rc;
  if (help) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (!o.output) return rh_usage_error("convert", "missing -o OUT");
  bool multi = x.n_profiles > 1 || !strcmp(o.profile, "all");
  if (multi && (x.libvirt_xml || o.output_format || o.report))
    return rh_usage_error("convert", "with several profiles, -O, --report and --libvirt-xml are not "
                                     "taken: each profile writes its format, DIR/PROFILE.report.json "
                                     "and DIR/manifest.json");
  if (!multi && x.jobs) return rh_usage_error("convert", "--jobs needs several --profile");
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
  if (x.ds.chosen && (rc = domain_disks(&x, &o, &dpaths, &dformats))) goto out;
  if (o.scan_report && (x.ds.loaded || x.ds.package)) {
    /* as rehost scan reports a domain or a package */
    o.scan_extra = json_object_new_object();
    if (x.ds.loaded)
      json_object_object_add(o.scan_extra, "domain", rh_domain_to_json(&x.ds.dom, x.ds.snapshot));
    if (x.ds.package) json_object_object_add(o.scan_extra, "package", json_object_new_string(x.ds.package));
  }
  if (multi) {
    rc = rh_convert_multi(&o, &x);
    goto out;
  }
  rc = rh_finalize(&o);
  if (!rc && x.libvirt_xml && !o.dry_run) rc = write_domain_xml(&x, &o, fmt, &facts);
out:
  json_object_put(o.scan_extra);
  free(dpaths);
  free(dformats);
  rh_domain_src_free(&x.ds);
  return rc;
}
