#include "edits.h"

#include "net_edits.h"
#include "net_edits_int.h"

#include "../guest/guestconf.h"
#include "../lib/words.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


void rh_change(json_object *changes, const char *file, const char *action, const char *before,
               const char *after, const char *reason)
{
  if (!changes) return;
  json_object *c = json_object_new_object();
  json_object_object_add(c, "file", json_object_new_string(file));
  json_object_object_add(c, "action", json_object_new_string(action));
  if (before) json_object_object_add(c, "before", json_object_new_string(before));
  if (after) json_object_object_add(c, "after", json_object_new_string(after));
  if (reason) json_object_object_add(c, "reason", json_object_new_string(reason));
  json_object_array_add(changes, c);
}

/* ---- output buffer ---- */
struct sb {
  char *s;
  size_t len, cap;
  int oom;
};

static void sb_add(struct sb *b, const char *p, size_t n)
{
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->len + n + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
      b->oom = 1;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
  memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void sb_str(struct sb *b, const char *p) { sb_add(b, p, strlen(p)); }

static char *sb_done(struct sb *b)
{
  if (b->oom) {
    free(b->s);
    return NULL;
  }
  if (!b->s) return strdup("");
  return b->s;
}

/* Split text into lines; call fn(line, len, has_newline, ctx). */
typedef void (*line_fn)(const char *line, size_t len, void *ctx);
static void each_line(const char *text, line_fn fn, void *ctx)
{
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    fn(p, len, ctx);
    p += len + (nl ? 1 : 0);
  }
}

static char *dup_line(const char *line, size_t len)
{
  char *s = malloc(len + 1);
  if (s) {
    memcpy(s, line, len);
    s[len] = 0;
  }
  return s;
}

/* ---- fstab ---- */
struct fstab_ctx {
  struct sb out;
  bool drop_network, to_uuid;
  rh_uuid_lookup_fn lookup;
  void *opaque;
  json_object *changes;
  struct sb uuids; /* the UUIDs the file names, and those resolved so far, as words */
};

bool rh_fstype_matches(const char *want, const char *have)
{
  if (!want || !*want || !strcmp(want, "auto") || !strcmp(want, "none")) return true;
  if (!have) return false;
  /* one family each, whatever name the entry gives it */
  static const char *const families[][5] = {{"ext2", "ext3", "ext4", NULL}, {"vfat", "msdos", "fat", NULL}};
  for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
    bool we = false, he = false;
    for (const char *const *x = families[f]; *x; x++) we |= !strcmp(want, *x), he |= !strcmp(have, *x);
    if (we && he) return true;
  }
  if (!strncmp(want, "ntfs", 4) && !strcmp(have, "ntfs")) return true;
  return !strcmp(want, have);
}

/* UUIDs compare without case (blkid writes them lower case, people not always) */
static void uuid_lower(char *dst, size_t n, const char *uuid)
{
  size_t i = 0;
  for (; uuid[i] && i + 1 < n; i++) dst[i] = (char)tolower((unsigned char)uuid[i]);
  dst[i] = 0;
}

static bool fstab_uuid_known(const struct fstab_ctx *c, const char *uuid)
{
  return c->uuids.s && rh_words_has(c->uuids.s, uuid);
}

/* a list that grows with the file: a short one would drop the check for the rest */
static void fstab_uuid_add(struct fstab_ctx *c, const char *uuid)
{
  if (!rh_is_word(uuid) || fstab_uuid_known(c, uuid)) return;
  if (c->uuids.len) sb_str(&c->uuids, " ");
  sb_str(&c->uuids, uuid);
  if (c->uuids.oom) c->out.oom = 1;
}

/* the UUID= specs of every entry, before any line is rewritten */
static void fstab_uuid_line(const char *line, size_t len, void *vctx)
{
  struct fstab_ctx *c = vctx;
  char *copy = dup_line(line, len);
  struct rh_fstab_entry e;
  char lower[80];
  if (copy && rh_fstab_parse_line(copy, &e) == 1 && !strncasecmp(e.spec, "UUID=", 5)) {
    uuid_lower(lower, sizeof lower, e.spec + 5);
    fstab_uuid_add(c, lower);
  }
  free(copy);
}

static void fstab_line(const char *line, size_t len, void *vctx)
{
  struct fstab_ctx *c = vctx;
  char *orig = dup_line(line, len), *copy = dup_line(line, len);
  struct rh_fstab_entry e;
  if (!orig || !copy) {
    c->out.oom = 1;
    goto out;
  }
  if (rh_fstab_parse_line(copy, &e) == 1) {
    if (c->drop_network && rh_fstab_is_network(&e)) {
      sb_str(&c->out, REMOVED);
      sb_str(&c->out, orig);
      sb_str(&c->out, "\n");
      rh_change(c->changes, "/etc/fstab", "remove-network-mount", orig, NULL,
                "a network mount would stop the new machine from booting on another network");
      goto out;
    }
    if (c->to_uuid && rh_fstab_is_bus_device_name(e.spec)) {
      char *uuid = c->lookup ? c->lookup(e.spec, e.vfstype, c->opaque) : NULL;
      char lower[80];
      if (uuid) uuid_lower(lower, sizeof lower, uuid);
      /* btrfs mounts one filesystem once per subvolume */
      if (uuid && strcmp(e.vfstype, "btrfs") != 0 && fstab_uuid_known(c, lower)) {
        char why[400];
        snprintf(why, sizeof why,
                 "it would be UUID=%s, a filesystem another entry mounts already: the name is "
                 "another disk's, one not given; left as is: the mount will wait for it", uuid);
        rh_change(c->changes, "/etc/fstab", "warning", e.spec, NULL, why);
        free(uuid);
        sb_str(&c->out, orig);
        sb_str(&c->out, "\n");
        goto out;
      }
      if (uuid) {
        fstab_uuid_add(c, lower);
        const char *start = orig + strspn(orig, " \t");
        size_t tok = strcspn(start, " \t");
        sb_add(&c->out, orig, (size_t)(start - orig));
        sb_str(&c->out, "UUID=");
        sb_str(&c->out, uuid);
        sb_str(&c->out, start + tok);
        sb_str(&c->out, "\n");
        char after[256];
        snprintf(after, sizeof after, "UUID=%s", uuid);
        rh_change(c->changes, "/etc/fstab", "device-name-to-uuid", e.spec, after,
                  "device names change with the disk bus on the target");
        free(uuid);
        goto out;
      }
      rh_change(c->changes, "/etc/fstab", "warning", e.spec, NULL,
                rh_fstab_hw_partition(e.spec) >= 0
                    ? "a name of the source disk's hardware (serial, bus path or multipath map) with no "
                      "filesystem UUID found, or of another type than the entry's (another disk's "
                      "partition), or the machine has more than one disk and which "
                      "one it names is unknown; left as is: the mount will wait for it"
                    : "bus-dependent device name with no filesystem UUID found; left as is");
    }
  }
  sb_str(&c->out, orig);
  sb_str(&c->out, "\n");
out:
  free(orig);
  free(copy);
}

char *rh_fstab_rewrite(const char *text, bool drop_network, bool to_uuid, rh_uuid_lookup_fn lookup,
                       void *opaque, json_object *changes)
{
  struct fstab_ctx c = {{0}, drop_network, to_uuid, lookup, opaque, changes, {0}};
  if (to_uuid) each_line(text, fstab_uuid_line, &c);
  each_line(text, fstab_line, &c);
  free(c.uuids.s);
  return sb_done(&c.out);
}

/* ---- adjtime ---- */
char *rh_adjtime_rewrite(const char *text, json_object *changes)
{
  static const char utc[] = "0.0 0 0.0\n0\nUTC\n";
  if (strcmp(text, utc) != 0) {
    json_object *old = rh_adjtime_parse(text), *v;
    char before[128] = "unreadable";
    if (old && json_object_object_get_ex(old, "mode", &v)) {
      json_object *d;
      double drift = json_object_object_get_ex(old, "drift", &d) ? json_object_get_double(d) : 0;
      snprintf(before, sizeof before, "%s, drift %g s/day", json_object_get_string(v), drift);
    }
    json_object_put(old);
    rh_change(changes, "/etc/adjtime", "reset-clock", before, "UTC, drift 0",
              "the source's clock drift does not carry over to new hardware");
  }
  return strdup(utc);
}

/* ---- /etc/default/grub ---- */
struct grub_ctx {
  struct sb out;
  const char *file;
  const struct rh_cmdline_ops *ops;
  json_object *changes;
  bool saw_linux;
};

static bool prefixed(const char *arg, char *const *remove)
{
  for (; remove && *remove; remove++)
    if (!strncmp(arg, *remove, strlen(*remove))) return true;
  return false;
}

/* Do the value's prefixed arguments (console=...) already read exactly as the
 * prefixed arguments being added, in the same order? Then they stay where
 * they are (the rewrite is idempotent). Otherwise they all go and `add` is
 * appended in its order: for console= the order decides the primary console. */
static bool prefixed_args_match(const char *value, char *const *add, char *const *remove)
{
  char *copy = strdup(value), *save = NULL;
  if (!copy) return false;
  char *const *a = add;
  bool same = true;
  for (char *tok = strtok_r(copy, " \t", &save); tok && same; tok = strtok_r(NULL, " \t", &save)) {
    if (!prefixed(tok, remove)) continue;
    while (a && *a && !prefixed(*a, remove)) a++;
    same = a && *a && !strcmp(tok, *a);
    if (same) a++;
  }
  while (same && a && *a && !prefixed(*a, remove)) a++;
  same &= !(a && *a);
  free(copy);
  return same;
}

char *rh_cmdline_edit(const char *value, char *const *add, char *const *remove)
{
  struct sb v = {0};
  char *copy = strdup(value), *save = NULL;
  if (!copy) return NULL;
  bool keep = prefixed_args_match(value, add, remove);
  for (char *tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
    if (!keep && prefixed(tok, remove)) continue;
    if (v.len) sb_str(&v, " ");
    sb_str(&v, tok);
  }
  for (char *const *a = add; a && *a; a++) {
    bool have = false;
    if (v.s) {
      char *again = strdup(v.s), *s2 = NULL;
      for (char *t = again ? strtok_r(again, " ", &s2) : NULL; t && !have; t = strtok_r(NULL, " ", &s2))
        have = !strcmp(t, *a);
      free(again);
    }
    if (have) continue;
    if (v.len) sb_str(&v, " ");
    sb_str(&v, *a);
  }
  free(copy);
  return sb_done(&v);
}

char *rh_cmdline_apply(const char *value, const struct rh_cmdline_ops *ops, bool append,
                       const char *file, json_object *changes, const char *why)
{
  char *devs = ops->lookup ? rh_cmdline_devices(value, ops->lookup, ops->opaque, file, changes)
                           : strdup(value);
  char *nv = devs ? rh_cmdline_edit(devs, append ? ops->add : NULL, ops->remove_prefix) : NULL;
  if (nv && strcmp(nv, devs) != 0) rh_change(changes, file, "kernel-cmdline", devs, nv, why);
  free(devs);
  return nv;
}

/* Rebuild KEY="args" (append: `add` goes to GRUB_CMDLINE_LINUX only). */
static void grub_var(struct grub_ctx *c, const char *key, const char *value, bool append)
{
  char *nv = rh_cmdline_apply(value, c->ops, append, c->file, c->changes,
                              "console and boot options for the target platform");
  if (!nv) {
    c->out.oom = 1;
    return;
  }
  sb_str(&c->out, key);
  sb_str(&c->out, "=\"");
  sb_str(&c->out, nv);
  sb_str(&c->out, "\"\n");
  free(nv);
}

/* ---- Boot Loader Specification entries (/boot/loader/entries/NAME.conf) ---- */
struct bls_ctx {
  struct sb out;
  const char *file;
  const struct rh_cmdline_ops *ops;
  json_object *changes;
};

static void bls_line(const char *line, size_t len, void *vctx)
{
  struct bls_ctx *c = vctx;
  char *l = dup_line(line, len);
  if (!l) {
    c->out.oom = 1;
    return;
  }
  const char *p = l + strspn(l, " \t");
  /* "options $kernelopts" (RHEL 8): the arguments live in grubenv, which
   * grub2-mkconfig rewrites from /etc/default/grub */
  if (!strncmp(p, "options", 7) && (p[7] == ' ' || p[7] == '\t') && !strstr(p, "$kernelopts")) {
    const char *v = p + 7 + strspn(p + 7, " \t");
    char *nv = rh_cmdline_apply(v, c->ops, true, c->file, c->changes,
                             "console and boot options for the target platform (BLS entry)");
    if (!nv) {
      c->out.oom = 1;
    } else {
      sb_str(&c->out, "options ");
      sb_str(&c->out, nv);
      sb_str(&c->out, "\n");
      free(nv);
    }
    free(l);
    return;
  }
  sb_str(&c->out, l);
  sb_str(&c->out, "\n");
  free(l);
}

char *rh_bls_options_rewrite(const char *text, const char *file, const struct rh_cmdline_ops *ops,
                             json_object *changes)
{
  struct bls_ctx c = {{0}, file, ops, changes};
  each_line(text, bls_line, &c);
  return sb_done(&c.out);
}

static void grub_line(const char *line, size_t len, void *vctx)
{
  struct grub_ctx *c = vctx;
  char *l = dup_line(line, len);
  if (!l) {
    c->out.oom = 1;
    return;
  }
  const char *p = l + strspn(l, " \t");
  const char *keys[] = {"GRUB_CMDLINE_LINUX_DEFAULT=", "GRUB_CMDLINE_LINUX="};
  for (int k = 0; k < 2; k++) {
    size_t kl = strlen(keys[k]);
    if (strncmp(p, keys[k], kl) != 0) continue;
    const char *v = p + kl;
    char q = (*v == '"' || *v == '\'') ? *v : 0;
    char *val = strdup(q ? v + 1 : v);
    if (val && q) {
      char *end = strrchr(val, q);
      if (end) *end = 0;
    }
    if (val) {
      char key[32];
      snprintf(key, sizeof key, "%.*s", (int)kl - 1, keys[k]);
      grub_var(c, key, val, k == 1);
      if (k == 1) c->saw_linux = true;
    } else {
      c->out.oom = 1;
    }
    free(val);
    free(l);
    return;
  }
  sb_str(&c->out, l);
  sb_str(&c->out, "\n");
  free(l);
}

char *rh_grub_cmdline_rewrite_in(const char *text, const char *file,
                                 const struct rh_cmdline_ops *ops, bool create,
                                 json_object *changes)
{
  struct grub_ctx c = {{0}, file, ops, changes, false};
  each_line(text, grub_line, &c);
  if (!c.saw_linux && create) grub_var(&c, "GRUB_CMDLINE_LINUX", "", true);
  return sb_done(&c.out);
}

char *rh_grub_cmdline_rewrite(const char *text, const struct rh_cmdline_ops *ops,
                              json_object *changes)
{
  return rh_grub_cmdline_rewrite_in(text, "/etc/default/grub", ops, true, changes);
}

/* ---- /etc/default/grub: one variable ---- */
struct grubset_ctx {
  struct sb out;
  const char *file, *key, *value, *reason;
  json_object *changes;
  bool seen;
};

static void grubset_line(const char *line, size_t len, void *vctx)
{
  struct grubset_ctx *c = vctx;
  char *l = dup_line(line, len);
  if (!l) {
    c->out.oom = 1;
    return;
  }
  const char *p = l + strspn(l, " \t");
  size_t kl = strlen(c->key);
  if (!strncmp(p, c->key, kl) && p[kl] == '=') {
    char want[512];
    snprintf(want, sizeof want, "%s=\"%s\"", c->key, c->value);
    if (!c->seen) sb_str(&c->out, want), sb_str(&c->out, "\n");
    if (strcmp(p, want) != 0 || c->seen)
      rh_change(c->changes, c->file, "bootloader", p, c->seen ? NULL : want, c->reason);
    c->seen = true;
  } else {
    sb_str(&c->out, l);
    sb_str(&c->out, "\n");
  }
  free(l);
}

char *rh_grub_set_var_in(const char *text, const char *file, const char *key, const char *value,
                         const char *reason, bool create, json_object *changes)
{
  struct grubset_ctx c = {{0}, file, key, value, reason, changes, false};
  each_line(text, grubset_line, &c);
  if (!c.seen && create) {
    char want[512];
    snprintf(want, sizeof want, "%s=\"%s\"", key, value);
    sb_str(&c.out, want);
    sb_str(&c.out, "\n");
    rh_change(changes, file, "bootloader", NULL, want, reason);
  }
  return sb_done(&c.out);
}

char *rh_grub_set_var(const char *text, const char *key, const char *value, const char *reason,
                      json_object *changes)
{
  return rh_grub_set_var_in(text, "/etc/default/grub", key, value, reason, true, changes);
}

/* ---- Debian /etc/network/interfaces ---- */
struct ifup_ctx {
  struct sb out;
  const char *file;
  bool to_dhcp, remove_mac, in_static, in_static6, in_vlan;
  struct rh_nic_map *m;
  json_object *changes;
  size_t nraws; /* the raw devices of the VLANs made manual */
  char raw[16][64];
};

static void ifup_note_raw(struct ifup_ctx *c, const char *raw, size_t len)
{
  if (!len || len >= sizeof c->raw[0] || c->nraws == sizeof c->raw / sizeof c->raw[0]) return;
  snprintf(c->raw[c->nraws++], sizeof c->raw[0], "%.*s", (int)len, raw);
}

static bool first_word_is(const char *p, const char *w)
{
  size_t n = strlen(w);
  return !strncmp(p, w, n) && (p[n] == 0 || isspace((unsigned char)p[n]));
}

static void ifup_line(const char *line, size_t len, void *vctx)
{
  struct ifup_ctx *c = vctx;
  char *l = dup_line(line, len);
  if (!l) {
    c->out.oom = 1;
    return;
  }
  const char *p = l + strspn(l, " \t");
  /* whole words ("autoconf" is an inet6 option, not "auto"), and allow-* */
  static const char *const stanza[] = {"iface", "auto", "mapping", "source", "source-directory", NULL};
  bool starts = !strncmp(p, "allow-", 6);
  for (const char *const *s = stanza; *s; s++) starts |= first_word_is(p, *s);
  if (starts) c->in_static = c->in_static6 = c->in_vlan = false;
  if (c->in_vlan && (first_word_is(p, "vlan-raw-device") || first_word_is(p, "vlan_raw_device"))) {
    const char *r = p + strcspn(p, " \t");
    r += strspn(r, " \t");
    ifup_note_raw(c, r, strcspn(r, " \t#"));
  }
  if (first_word_is(p, "iface")) {
    char name[64] = "", fam[16] = "", method[16] = "";
    bool three = sscanf(p, "iface %63s %15s %15s", name, fam, method) == 3;
    /* a VLAN's addressing goes (the target's network passes no tags), and
     * the device below it asks DHCP */
    bool vlan = c->m && rh_nic_map_is_vlan(c->m, name);
    bool lower = c->m && rh_nic_map_is_lower(c->m, name) && !strcmp(fam, "inet") &&
                 !strcmp(method, "manual");
    if (three && c->to_dhcp && (!strcmp(method, "static") || lower)) {
      c->in_static = true;
      /* IPv6: stateless autoconfiguration from the target's router
       * advertisements (DHCPv6 would make ifup fail, and with it the
       * interface, on a network that has none) */
      bool v6 = !strcmp(fam, "inet6");
      c->in_static6 = v6 && !vlan;
      char after[160];
      snprintf(after, sizeof after, "iface %s %s %s", name, fam, vlan ? "manual" : v6 ? "auto" : "dhcp");
      if (vlan && strchr(name, '.')) ifup_note_raw(c, name, strcspn(name, "."));
      c->in_vlan = vlan;
      rh_change(c->changes, c->file, "network-dhcp", p, after,
                vlan ? WHY_VLAN : v6 ? WHY_DHCP6 : "dhcp on the target (profile or --network dhcp)");
      sb_add(&c->out, l, (size_t)(p - l));
      sb_str(&c->out, after);
      sb_str(&c->out, "\n");
      free(l);
      return;
    }
  }
  static const char *const addr_words[] = {"address", "netmask", "gateway", "broadcast",
                                           "network", "pointopoint", NULL};
  /* a static stanza's "accept_ra 0" or "autoconf 0" would keep the router
   * advertisements from configuring the address */
  static const char *const ra_words[] = {"accept_ra", "autoconf", NULL};
  bool drop = false;
  for (const char *const *w = addr_words; c->in_static && *w; w++) drop |= first_word_is(p, *w);
  for (const char *const *w = ra_words; c->in_static6 && *w; w++) drop |= first_word_is(p, *w);
  if (c->remove_mac && first_word_is(p, "hwaddress")) {
    drop = true;
    rh_change(c->changes, c->file, "remove-mac-binding", p, NULL,
              "the target's NIC has a different MAC");
  }
  if (drop) {
    sb_str(&c->out, REMOVED);
    sb_str(&c->out, l);
  } else {
    sb_str(&c->out, l);
  }
  sb_str(&c->out, "\n");
  free(l);
}

char *rh_ifupdown_rewrite(const char *text, const char *file, bool to_dhcp, bool remove_mac,
                          struct rh_nic_map *m, json_object *changes)
{
  struct ifup_ctx c = {.file = file, .to_dhcp = to_dhcp, .remove_mac = remove_mac, .m = m,
                       .changes = changes};
  each_line(text, ifup_line, &c);
  /* a raw device with no stanza anywhere: it would come up for its VLAN
   * without an address */
  for (size_t i = 0; i < c.nraws && m; i++)
    for (size_t j = 0; j < m->nbare; j++) {
      if (strcmp(m->bare[j], c.raw[i])) continue;
      char add[160];
      snprintf(add, sizeof add, "\nauto %s\niface %s inet dhcp\n", c.raw[i], c.raw[i]);
      sb_str(&c.out, add);
      rh_change(changes, file, "network-dhcp", NULL, add + 1,
                "the VLAN's raw device had no stanza; DHCP on it (the target passes no VLAN tags)");
      m->bare[j][0] = 0; /* one stanza, in the first file that needs it */
    }
  return sb_done(&c.out);
}

/* ---- udev MAC rules ---- */
struct udev_ctx {
  struct sb out;
  const char *file;
  json_object *changes;
};

static void udev_line(const char *line, size_t len, void *vctx)
{
  struct udev_ctx *c = vctx;
  char *l = dup_line(line, len);
  if (!l) {
    c->out.oom = 1;
    return;
  }
  const char *p = l + strspn(l, " \t");
  if (*p != '#' && strstr(p, "ATTR{address}") && strstr(p, "NAME=")) {
    sb_str(&c->out, REMOVED);
    rh_change(c->changes, c->file, "remove-mac-binding", p, NULL,
              "the target's NIC has a different MAC; the rule would leave it unnamed");
  }
  sb_str(&c->out, l);
  sb_str(&c->out, "\n");
  free(l);
}

char *rh_udev_rules_rewrite(const char *text, const char *file, json_object *changes)
{
  struct udev_ctx c = {{0}, file, changes};
  each_line(text, udev_line, &c);
  return sb_done(&c.out);
}
