/* rehost finalize: apply a target profile to a replicated image, in one
 * appliance launch: in place, on a qcow2 overlay clone (--clone), or into a
 * converted copy (-o). A machine with several disks is finalized as one:
 * they are all given to the appliance, so md RAID and LVM spanning disks
 * are found, and each disk is written back (in place, or -o DIR). */
#ifndef REHOST_FINALIZE_H
#define REHOST_FINALIZE_H

#include <stdbool.h>
#include <stddef.h>

/* What finalize found in the guest (for convert's --libvirt-xml and reports). */
struct rh_guest_facts {
  char firmware[16]; /* "bios", "uefi", "bios+uefi"; empty if the guest was not inspected */
  char distro[32];   /* inspection's distro: debian, rhel, ubuntu, ... */
  char version[32];  /* "12", "9.3" */
};

struct rh_finalize_opts {
  const char *const *targets; /* the disks of one machine (TARGETs, or convert's SOURCEs) */
  size_t n_targets;
  const char *profile;        /* name or path */
  const char *output;         /* -o OUT: write a converted copy; NULL: in place */
  const char *output_format;  /* user format name for OUT */
  const char *input_format;   /* -f: TARGET's (or SOURCE's) format, or NULL */
  const char *const *target_formats; /* or each disk's (a libvirt domain declares them) */
  bool allow_backing;
  const char *clone;          /* --clone OVERLAY.qcow2 */
  const char *report;         /* --report FILE */
  const char *scan_report;    /* --scan-report FILE: the guest's scan, before any edit */
  struct json_object *scan_extra; /* keys added to that report (a domain's, a package's) */
  const char *packages;       /* --packages DIR: agent packages and dependencies */
  bool firstboot_install;     /* agents missing from DIR: install at first boot */
  bool keep_source_tools;     /* the source platform's tools stay (listed only) */
  bool allow_missing_mounts;  /* fstab entries on no disk given get nofail (else refused) */
  bool md_degraded;           /* md arrays that miss members start without them */
  enum rh_net_mode { RH_NET_PROFILE, RH_NET_KEEP, RH_NET_DHCP } network; /* --network */
  bool firewall;
  bool dry_run;
  bool force;
  bool convert;               /* rehost convert: target is a source, read-only; no state */
  struct rh_guest_facts *facts; /* out, optional: filled in once the guest is inspected */
  const char *output_suffix;  /* -o DIR with several disks: DIR/STEM-SUFFIX.EXT */
  int appliance_cpus;         /* vCPUs for the appliance; 0: the machine's (at most 4) */
};

int rh_finalize(const struct rh_finalize_opts *o);

/* Where -o DIR puts the disk `target` of a machine with several: DIR/STEM.EXT,
 * or DIR/STEM-SUFFIX.EXT (STEM: target's file name without its extension;
 * EXT: fmt, raw as img; SUFFIX: the profile, when convert writes several).
 * malloc'd. */
char *rh_finalize_output_name(const char *dir, const char *target, const char *suffix,
                              const char *fmt);
/* Where -o puts disk i of o's machine: OUT itself for one disk, else
 * rh_finalize_output_name in the directory OUT. malloc'd. */
char *rh_finalize_output_path(const struct rh_finalize_opts *o, size_t i, const char *fmt);

#endif
