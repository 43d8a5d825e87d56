/* Parsers for guest configuration files. Pure functions over text: no
 * libguestfs here, so they are unit-tested and fuzzed directly. Each takes the
 * file's whole text and returns a json-c array/object (caller puts it). */
#ifndef REHOST_GUESTCONF_H
#define REHOST_GUESTCONF_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- text helpers ---- */
/* Call fn for each line of text (a modifiable copy without its '\n', numbered
 * from 1). A final line without '\n' counts; a trailing '\n' adds none. */
typedef void (*rh_line_fn)(char *line, int lineno, void *ctx);
void rh_for_each_line(const char *text, rh_line_fn fn, void *ctx);
/* Strip leading and trailing white space in place; returns the new start. */
char *rh_trim(char *s);

/* ---- /etc/fstab ---- */
struct rh_fstab_entry {
  char *spec, *file, *vfstype, *options; /* point into a caller-owned line copy */
  int freq, passno;
};
/* Parse one line (modified in place). Returns 1 for an entry, 0 for a blank or
 * comment line, -1 for a malformed line (fewer than 3 fields). */
int rh_fstab_parse_line(char *line, struct rh_fstab_entry *e);
bool rh_fstab_is_network(const struct rh_fstab_entry *e);
/* OPT is one of the comma-separated OPTIONS, alone or as OPT=value. */
bool rh_fstab_has_option(const char *options, const char *opt);
/* "/dev/sda1", "/dev/hdb2", "/dev/vda1", "/dev/xvda1": kernel names that
 * change with the disk bus; and the names of the source disk's hardware
 * (rh_fstab_hw_partition). */
bool rh_fstab_is_bus_device_name(const char *spec);
/* A name of the source disk's hardware, by serial, WWN or bus path
 * (/dev/disk/by-id/ata-..-part1, scsi-3600..., /dev/disk/by-path/pci-..,
 * HP Smart Array's /dev/cciss/c0d0p1), or of the multipath map over its
 * paths (/dev/mapper/mpatha1, /dev/mapper/3600...-part1, by-id's dm-name-
 * and dm-uuid-part1-mpath-, EMC PowerPath's /dev/emcpowera1), none of which
 * the target's disk has; not a name of content (LVM's, md's, dm-uuid-LVM-).
 * The partition number it names, 0 for a whole disk, -1 when it is no such
 * name. */
int rh_fstab_hw_partition(const char *spec);
/* Array of {spec,mountpoint,type,options,freq,passno,network,bus_device_name,line}. */
json_object *rh_fstab_parse(const char *text);

/* ---- /etc/adjtime ---- */
/* {"drift":double,"last_adjust":int,"mode":"UTC"|"LOCAL","valid":bool} */
json_object *rh_adjtime_parse(const char *text);

/* ---- Debian /etc/network/interfaces (and interfaces.d files) ---- */
/* Appends {name,family,method,auto,address,netmask,gateway,file} objects to arr. */
void rh_ifupdown_parse(const char *text, const char *file, json_object *arr);

/* ---- RHEL/SUSE ifcfg-* files ---- */
void rh_ifcfg_parse(const char *text, const char *file, json_object *arr, json_object *macrules);

/* ---- systemd-networkd .network / .link files ---- */
void rh_networkd_parse(const char *text, const char *file, json_object *arr, json_object *macrules);

/* ---- NetworkManager keyfiles (files in system-connections) ---- */
/* Appends one {name ("*" when bound by MAC only),id,kind,family,method,auto,
 * address,gateway,hwaddress,file} object (none for a loopback connection);
 * a MAC binding also goes to macrules. */
void rh_nm_keyfile_parse(const char *text, const char *file, json_object *arr, json_object *macrules);

/* ---- netplan YAML (block style; flow-style interfaces for dhcp4/addresses) ---- */
/* Appends one object per interface under network.{ethernets,bonds,bridges,
 * vlans,wifis}: {name (set-name, else match name, else "*" for a MAC match,
 * else the id),id,kind,family,method,auto,address,gateway,hwaddress,file};
 * a match on macaddress also goes to macrules. */
void rh_netplan_parse(const char *text, const char *file, json_object *arr, json_object *macrules);

/* ---- udev rules binding a NIC name to a MAC (70-persistent-net.rules) ---- */
/* Appends {file,line,mac,name} objects to arr. */
void rh_udev_mac_rules_parse(const char *text, const char *file, json_object *arr);

/* Value of KEY in a shell-style KEY=value file (os-release, ifcfg), quotes
 * removed; malloc'd, or NULL when absent. */
char *rh_kv_get(const char *text, const char *key);

/* The OS version as the OS itself spells it: os-release's VERSION_ID ("12",
 * "22.04", "9.2") when os_release has a plain one (letters, digits, ". _ -
 * + ~", at most 31 bytes), else libguestfs' major[.minor] ("7.9"; "8" when
 * minor is 0), else "" (major unknown). Scan reports and finalize reports
 * (and so profile metadata such as os_version) use this one spelling. */
void rh_os_version(const char *os_release, int major, int minor, char *out, size_t outsz);

/* Is s a MAC address "xx:xx:xx:xx:xx:xx" (hex, either case)? */
bool rh_is_mac(const char *s);

/* ---- /var/lib/dpkg/status ---- */
/* Is pkg installed (its stanza's Status ends in " installed")? */
bool rh_dpkg_installed(const char *status, const char *pkg);
/* debconf's answer to question NAME (its stanza's Value:) into out; false
 * when it has none (or it does not fit). */
bool rh_debconf_value(const char *config_dat, const char *name, char *out, size_t outsz);

#endif
