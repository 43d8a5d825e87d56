#include "../lib/log.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>

static const char *s(json_object *o, const char *k)
{
  json_object *v;
  const char *r = json_object_object_get_ex(o, k, &v) && v ? json_object_get_string(v) : NULL;
  return r ? r : "-";
}

static json_object *get(json_object *o, const char *k) { return json_object_object_get(o, k); }

static void print_list(FILE *f, const char *label, json_object *arr)
{
  fprintf(f, "  %-14s", label);
  size_t n = json_object_array_length(arr);
  if (!n) fputs("none", f);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s%s", i ? ", " : "", json_object_get_string(json_object_array_get_idx(arr, i)));
  fputc('\n', f);
}

static void summary(json_object *r, FILE *f)
{
  json_object *os = get(r, "os"), *boot = get(r, "boot");
  fprintf(f, "%s (%s), hostname %s\n", s(os, "product_name"), s(os, "arch"), s(os, "hostname"));
  fprintf(f, "  %-14s%s %s, init %s, packages %s/%s\n", "os", s(os, "distro"), s(os, "version"),
          s(os, "init_system"), s(os, "package_format"), s(os, "package_manager"));
  fprintf(f, "  %-14s%s on %s firmware, root %s\n", "boot", s(boot, "bootloader"),
          s(boot, "firmware"), s(os, "root"));
  json_object *disks = get(get(r, "storage"), "disks");
  for (size_t i = 0; i < json_object_array_length(disks); i++) {
    json_object *d = json_object_array_get_idx(disks, i);
    fprintf(f, "  %-14s%s: %.1f GiB, %s, %zu partitions\n", i ? "" : "disks", s(d, "source"),
            (double)json_object_get_int64(get(d, "size")) / (1024.0 * 1024 * 1024),
            s(d, "partition_table"), json_object_array_length(get(d, "partitions")));
  }
  json_object *mds = get(get(get(r, "storage"), "md"), "arrays");
  for (size_t i = 0; i < json_object_array_length(mds); i++) {
    json_object *m = json_object_array_get_idx(mds, i), *mem = get(m, "members");
    fprintf(f, "  %-14s%s %s, uuid %s:", i ? "" : "md arrays", s(m, "device"), s(m, "level"), s(m, "uuid"));
    for (size_t k = 0; k < json_object_array_length(mem); k++)
      fprintf(f, " %s", json_object_get_string(json_object_array_get_idx(mem, k)));
    if (json_object_get_boolean(get(m, "degraded")))
      fprintf(f, " (DEGRADED: %lld members when whole)",
              (long long)json_object_get_int64(get(m, "raid_devices")));
    fputc('\n', f);
  }
  json_object *ks = get(r, "kernels");
  for (size_t i = 0; i < json_object_array_length(ks); i++) {
    json_object *k = json_object_array_get_idx(ks, i);
    json_object *mods = get(k, "modules");
    fprintf(f, "  %-14s%s (initramfs %s); drivers:", i ? "" : "kernels", s(k, "version"),
            strcmp(s(k, "initramfs"), "-") ? "yes" : "MISSING");
    json_object_object_foreach(mods, fam, names)
      fprintf(f, " %s%s", fam, json_object_array_length(names) ? "" : "(none)");
    fputc('\n', f);
  }
  json_object *fstab = get(r, "fstab");
  for (size_t i = 0; i < json_object_array_length(fstab); i++) {
    json_object *e = json_object_array_get_idx(fstab, i);
    if (get(e, "malformed")) {
      fprintf(f, "  %-14sline %s malformed\n", i ? "" : "fstab", s(e, "line"));
      continue;
    }
    json_object *given = get(e, "on_disks_given");
    const char *flag = json_object_get_boolean(get(e, "network")) ? "  [network mount]"
                       : given && !json_object_get_boolean(given) ? "  [ON NONE OF THE DISKS GIVEN]"
                       : json_object_get_boolean(get(e, "bus_device_name")) ? "  [device name, not UUID]"
                                                                            : "";
    fprintf(f, "  %-14s%s %s %s%s\n", i ? "" : "fstab", s(e, "spec"), s(e, "mountpoint"),
            s(e, "type"), flag);
  }
  json_object *net = get(r, "network");
  json_object *ifs = get(net, "interfaces");
  for (size_t i = 0; i < json_object_array_length(ifs); i++) {
    json_object *e = json_object_array_get_idx(ifs, i);
    fprintf(f, "  %-14s%s %s %s%s%s\n", i ? "" : "network", s(e, "name"), s(e, "family"),
            s(e, "method"), get(e, "address") ? " " : "", get(e, "address") ? s(e, "address") : "");
  }
  json_object *mr = get(net, "mac_bound_rules");
  for (size_t i = 0; i < json_object_array_length(mr); i++) {
    json_object *e = json_object_array_get_idx(mr, i);
    fprintf(f, "  %-14s%s -> %s (%s)\n", i ? "" : "MAC rules", s(e, "mac"), s(e, "name"), s(e, "file"));
  }
  json_object *rc = get(net, "resolv_conf");
  if (rc && get(rc, "link")) {
    fprintf(f, "  %-14s/etc/resolv.conf -> %s\n", "resolver", s(rc, "link"));
  } else if (rc) {
    fprintf(f, "  %-14s/etc/resolv.conf (a file):", "resolver");
    json_object *ns = get(rc, "nameservers");
    for (size_t i = 0; i < json_object_array_length(ns); i++)
      fprintf(f, " %s", json_object_get_string(json_object_array_get_idx(ns, i)));
    fputs(json_object_array_length(ns) ? "\n" : " no nameserver\n", f);
  }
  json_object *adj = get(r, "adjtime");
  fprintf(f, "  %-14s%s\n", "clock", adj ? s(adj, "mode") : "no /etc/adjtime");
  print_list(f, "services", get(get(r, "services"), "enabled"));
  json_object *ag = get(r, "agents");
  fprintf(f, "  %-14s", "agents");
  int any = 0;
  json_object_object_foreach(ag, name, val) {
    if (json_object_get_boolean(val)) fprintf(f, "%s%s", any++ ? ", " : "", name);
  }
  fputs(any ? "\n" : "none\n", f);
}

/* The summary holds guest strings (hostname, os-release, fstab): escape
 * control characters before they reach a terminal. */
void rh_scan_print_summary(json_object *r, FILE *out)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return;
  summary(r, f);
  fclose(f);
  rh_fputs_safe(text, out);
  free(text);
}
