/* Target profiles: what finalize does for a platform, as data
 * (profiles/NAME.json, schema rehost.profile/1; see rehost-profiles(1)).
 * A profile may "extends" another: objects merge key by key, anything else
 * (strings, numbers, arrays) in the child replaces the parent's. */
#ifndef REHOST_PROFILE_H
#define REHOST_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

struct rh_agent {
  char *name;
  char **deb, **rpm;      /* package names per package manager (NULL-terminated) */
  char **services;        /* units the agent ships, enabled after install */
};

struct rh_profile {
  char *name, *description, *origin;   /* origin: the file it came from */
  char *merged;            /* rh_profile_load: the JSON after "extends", pretty-printed */
  char *extends;           /* rh_profile_load: the profile it extends, or NULL */
  struct rh_agent *agents;
  size_t n_agents;
  char **initramfs_modules; /* what the target boots with: in the initramfs */
  char **kernel_modules;    /* what it needs after boot (from the root fs): in the kernel */
  char ***enable;          /* each entry: alternatives, the first present is enabled */
  size_t n_enable;
  char **disable, **firewall;
  bool drop_network_mounts;
  bool fstab_uuid;         /* rewrite bus-dependent device names to UUID= */
  bool adjtime_utc, adjtime_reset_drift;
  bool network_dhcp;       /* default: force DHCP (else keep static addresses) */
  bool remove_mac_bindings;
  char **cmdline_add, **cmdline_remove_prefix;
  char *grub_terminal;      /* GRUB_TERMINAL ("console serial"), NULL: keep */
  char *grub_serial_command;/* GRUB_SERIAL_COMMAND, NULL: keep */
  char **formats;          /* allowed output formats (user names: raw, qcow2, vmdk, vhd, vhdx) */
  char *default_format;
  struct json_object *format_options;  /* format -> qemu-img -o string */
  uint64_t size_alignment; /* 0 or a power of two */
  char *import_platform;   /* "import.platform": whose import step the facts are for */
  struct json_object *import_facts; /* "import.facts": name -> template (import_facts.h) */
};

/* Parse one profile document (already merged with its parent). Returns 0 or
 * -1 with a message in err. */
int rh_profile_parse(const char *text, struct rh_profile *p, char *err, size_t errsz);
/* Load a shipped profile by NAME, or a file by path (contains '/' or ends in
 * .json), resolving "extends". Prints one error naming the file and returns
 * RH_EXIT_INPUT (or RH_EXIT_USAGE for an unknown name). */
int rh_profile_load(const char *name_or_path, struct rh_profile *p);
void rh_profile_free(struct rh_profile *p);
/* qemu-img -o options for format (user name) in this profile, or NULL. */
const char *rh_profile_format_options(const struct rh_profile *p, const char *format);
/* Directory holding the shipped profiles (REHOST_PROFILE_DIR overrides). */
const char *rh_profile_dir(void);
/* Names of the shipped profiles, sorted, NULL-terminated (caller frees). */
char **rh_profile_names(void);

#endif
