#include "guestconf.h"
#include "net_json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool rh_is_mac(const char *s)
{
  if (!s || strlen(s) != 17) return false;
  for (int i = 0; i < 17; i++) {
    if (i % 3 == 2) {
      if (s[i] != ':' && s[i] != '-') return false;
    } else if (!isxdigit((unsigned char)s[i])) {
      return false;
    }
  }
  return true;
}

void rh_json_set_str(json_object *o, const char *key, const char *val)
{
  json_object_object_add(o, key, json_object_new_string(val));
}

json_object *rh_net_iface_new(const char *name, const char *file)
{
  json_object *o = json_object_new_object();
  rh_json_set_str(o, "name", name);
  rh_json_set_str(o, "file", file);
  return o;
}

void rh_net_mac_rule(json_object *macrules, const char *file, const char *mac, const char *name)
{
  json_object *r = json_object_new_object();
  rh_json_set_str(r, "file", file);
  rh_json_set_str(r, "mac", mac);
  rh_json_set_str(r, "name", name);
  json_object_array_add(macrules, r);
}

/* ---------------- ifupdown ---------------- */
struct ifupdown_ctx {
  const char *file;
  json_object *arr;
  json_object *cur;      /* current iface stanza */
  json_object *autos;    /* names from "auto" / "allow-hotplug" lines */
};

static void ifupdown_line(char *line, int lineno, void *vctx)
{
  line = rh_trim(line);
  struct ifupdown_ctx *c = vctx;
  (void)lineno;
  if (!*line || *line == '#') return;
  char *save;
  char *kw = strtok_r(line, " \t", &save);
  if (!kw) return;
  if (strcmp(kw, "auto") == 0 || strncmp(kw, "allow-", 6) == 0) {
    for (char *n; (n = strtok_r(NULL, " \t", &save));)
      json_object_array_add(c->autos, json_object_new_string(n));
    c->cur = NULL;
  } else if (strcmp(kw, "iface") == 0) {
    char *name = strtok_r(NULL, " \t", &save);
    char *family = strtok_r(NULL, " \t", &save);
    char *method = strtok_r(NULL, " \t", &save);
    if (!name) { c->cur = NULL; return; }
    c->cur = rh_net_iface_new(name, c->file);
    rh_json_set_str(c->cur, "family", family ? family : "inet");
    rh_json_set_str(c->cur, "method", method ? method : "manual");
    json_object_array_add(c->arr, c->cur);
  } else if (strcmp(kw, "mapping") == 0 || strcmp(kw, "source") == 0 ||
             strcmp(kw, "source-directory") == 0) {
    c->cur = NULL;
  } else if (c->cur) {
    char *val = strtok_r(NULL, "", &save);
    while (val && isspace((unsigned char)*val)) val++;
    if (!val) return;
    if (strcmp(kw, "address") == 0 || strcmp(kw, "netmask") == 0 ||
        strcmp(kw, "gateway") == 0 || strcmp(kw, "hwaddress") == 0 ||
        strcmp(kw, "dns-nameservers") == 0) {
      rh_json_set_str(c->cur, kw, val);
    }
  }
}

void rh_ifupdown_parse(const char *text, const char *file, json_object *arr)
{
  struct ifupdown_ctx c = {file, arr, NULL, json_object_new_array()};
  size_t first = json_object_array_length(arr);
  rh_for_each_line(text, ifupdown_line, &c);
  for (size_t i = first; i < json_object_array_length(arr); i++) {
    json_object *o = json_object_array_get_idx(arr, i);
    const char *name = json_object_get_string(json_object_object_get(o, "name"));
    bool is_auto = false;
    for (size_t j = 0; j < json_object_array_length(c.autos); j++)
      if (strcmp(json_object_get_string(json_object_array_get_idx(c.autos, j)), name) == 0)
        is_auto = true;
    json_object_object_add(o, "auto", json_object_new_boolean(is_auto));
  }
  json_object_put(c.autos);
}

/* ---------------- ifcfg (KEY=value, optionally quoted) ---------------- */
struct kv_ctx {
  json_object *o;
};

static void kv_line(char *line, int lineno, void *vctx)
{
  line = rh_trim(line);
  struct kv_ctx *c = vctx;
  (void)lineno;
  if (!*line || *line == '#') return;
  char *eq = strchr(line, '=');
  if (!eq) return;
  *eq = 0;
  char *v = eq + 1;
  size_t n = strlen(v);
  if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
    v[n - 1] = 0;
    v++;
  }
  json_object_object_add(c->o, line, json_object_new_string(v));
}

static const char *kv_get(json_object *kv, const char *key)
{
  json_object *v;
  return json_object_object_get_ex(kv, key, &v) ? json_object_get_string(v) : NULL;
}

char *rh_kv_get(const char *text, const char *key)
{
  struct kv_ctx c = {json_object_new_object()};
  rh_for_each_line(text, kv_line, &c);
  const char *v = kv_get(c.o, key);
  char *r = v ? strdup(v) : NULL;
  json_object_put(c.o);
  return r;
}

void rh_os_version(const char *os_release, int major, int minor, char *out, size_t outsz)
{
  if (!outsz) return;
  out[0] = 0;
  char *id = os_release ? rh_kv_get(os_release, "VERSION_ID") : NULL;
  size_t n = id ? strlen(id) : 0;
  if (n && n <= 31 &&
      strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+~") == n)
    snprintf(out, outsz, "%s", id);
  else if (major > 0 && minor > 0)
    snprintf(out, outsz, "%d.%d", major, minor);
  else if (major > 0)
    snprintf(out, outsz, "%d", major);
  free(id);
}

void rh_ifcfg_parse(const char *text, const char *file, json_object *arr, json_object *macrules)
{
  struct kv_ctx c = {json_object_new_object()};
  rh_for_each_line(text, kv_line, &c);
  /* SUSE's (/etc/sysconfig/network/ifcfg-NAME) are named for their
   * interface, and their NAME= describes the hardware */
  bool suse = strstr(file, "/sysconfig/network/") != NULL;
  const char *dev = suse ? NULL : kv_get(c.o, "DEVICE");
  if (!dev && !suse) dev = kv_get(c.o, "NAME");
  if (!dev) {
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    dev = strncmp(base, "ifcfg-", 6) == 0 ? base + 6 : base;
  }
  json_object *o = rh_net_iface_new(dev, file);
  const char *proto = kv_get(c.o, "BOOTPROTO");
  rh_json_set_str(o, "family", "inet");
  if (proto && (strncasecmp(proto, "dhcp", 4) == 0 || strcasecmp(proto, "bootp") == 0))
    rh_json_set_str(o, "method", "dhcp");
  else if (kv_get(c.o, "IPADDR") || (proto && strcasecmp(proto, "static") == 0))
    rh_json_set_str(o, "method", "static");
  else
    rh_json_set_str(o, "method", "manual");
  const char *onboot = kv_get(c.o, "ONBOOT"), *start = kv_get(c.o, "STARTMODE");
  bool is_auto = (onboot && strcasecmp(onboot, "yes") == 0) ||
                 (start && (!strcmp(start, "auto") || !strcmp(start, "hotplug") ||
                            !strcmp(start, "onboot") || !strcmp(start, "nfsroot")));
  json_object_object_add(o, "auto", json_object_new_boolean(is_auto));
  if (kv_get(c.o, "IPADDR")) rh_json_set_str(o, "address", kv_get(c.o, "IPADDR"));
  if (kv_get(c.o, "NETMASK")) rh_json_set_str(o, "netmask", kv_get(c.o, "NETMASK"));
  if (kv_get(c.o, "PREFIX")) rh_json_set_str(o, "prefix", kv_get(c.o, "PREFIX"));
  if (kv_get(c.o, "GATEWAY")) rh_json_set_str(o, "gateway", kv_get(c.o, "GATEWAY"));
  if (kv_get(c.o, "IPV6ADDR")) rh_json_set_str(o, "address6", kv_get(c.o, "IPV6ADDR"));
  const char *mac = kv_get(c.o, "HWADDR");
  if (!mac) mac = kv_get(c.o, "MACADDR");
  if (mac && rh_is_mac(mac)) {
    rh_json_set_str(o, "hwaddress", mac);
    rh_net_mac_rule(macrules, file, mac, dev);
  }
  json_object_array_add(arr, o);
  json_object_put(c.o);
}

/* ---------------- systemd-networkd ---------------- */
struct nd_ctx {
  char section[32];
  json_object *kv;   /* Section.Key -> value (first wins, Address may repeat) */
};

static void nd_line(char *line, int lineno, void *vctx)
{
  line = rh_trim(line);
  struct nd_ctx *c = vctx;
  (void)lineno;
  if (!*line || *line == '#' || *line == ';') return;
  if (*line == '[') {
    char *end = strchr(line, ']');
    if (end) *end = 0;
    snprintf(c->section, sizeof c->section, "%s", line + 1);
    return;
  }
  char *eq = strchr(line, '=');
  if (!eq) return;
  *eq = 0;
  char *k = line, *v = eq + 1;
  size_t kn = strlen(k);
  while (kn && isspace((unsigned char)k[kn - 1])) k[--kn] = 0;
  while (isspace((unsigned char)*v)) v++;
  char key[96];
  snprintf(key, sizeof key, "%s.%s", c->section, k);
  if (!json_object_object_get_ex(c->kv, key, NULL))
    json_object_object_add(c->kv, key, json_object_new_string(v));
}

void rh_networkd_parse(const char *text, const char *file, json_object *arr, json_object *macrules)
{
  struct nd_ctx c = {"", json_object_new_object()};
  rh_for_each_line(text, nd_line, &c);
  const char *mac = kv_get(c.kv, "Match.MACAddress");
  const char *name = kv_get(c.kv, "Match.Name");
  bool is_link = strlen(file) > 5 && strcmp(file + strlen(file) - 5, ".link") == 0;
  if (is_link) name = kv_get(c.kv, "Link.Name");
  if (!is_link) {
    json_object *o = rh_net_iface_new(name ? name : "*", file);
    const char *dhcp = kv_get(c.kv, "Network.DHCP");
    const char *addr = kv_get(c.kv, "Network.Address");
    if (!addr) addr = kv_get(c.kv, "Address.Address");
    rh_json_set_str(o, "family", "inet");
    if (dhcp && (strcasecmp(dhcp, "yes") == 0 || strcasecmp(dhcp, "ipv4") == 0 ||
                 strcasecmp(dhcp, "true") == 0))
      rh_json_set_str(o, "method", "dhcp");
    else
      rh_json_set_str(o, "method", addr ? "static" : "manual");
    if (addr) rh_json_set_str(o, "address", addr);
    if (kv_get(c.kv, "Network.Gateway")) rh_json_set_str(o, "gateway", kv_get(c.kv, "Network.Gateway"));
    json_object_object_add(o, "auto", json_object_new_boolean(true));
    json_object_array_add(arr, o);
  }
  if (mac) {
    rh_net_mac_rule(macrules, file, mac, name ? name : "");
  }
  json_object_put(c.kv);
}

/* ---------------- NetworkManager keyfiles ---------------- */
static const char *nm_get(json_object *kv, const char *section, const char *key)
{
  char k[96];
  snprintf(k, sizeof k, "%s.%s", section, key);
  const char *v = kv_get(kv, k);
  if (!v && !strcmp(section, "ethernet")) { /* the older section name */
    snprintf(k, sizeof k, "802-3-ethernet.%s", key);
    v = kv_get(kv, k);
  }
  return v && *v ? v : NULL;
}

void rh_nm_keyfile_parse(const char *text, const char *file, json_object *arr, json_object *macrules)
{
  struct nd_ctx c = {"", json_object_new_object()};
  rh_for_each_line(text, nd_line, &c);
  const char *type = nm_get(c.kv, "connection", "type");
  if (type && !strcmp(type, "loopback")) goto out;
  const char *dev = nm_get(c.kv, "connection", "interface-name");
  const char *mac = nm_get(c.kv, "ethernet", "mac-address");
  json_object *o = rh_net_iface_new(dev ? dev : "*", file);
  const char *id = nm_get(c.kv, "connection", "id");
  if (id) rh_json_set_str(o, "id", id);
  if (type) rh_json_set_str(o, "kind", type);
  const char *method = nm_get(c.kv, "ipv4", "method");
  /* address1=10.0.0.5/24,10.0.0.1 (the gateway after the comma); the older
   * "addresses1" and "addresses" spell it the same way */
  const char *a = nm_get(c.kv, "ipv4", "address1");
  if (!a) a = nm_get(c.kv, "ipv4", "addresses1");
  if (!a) a = nm_get(c.kv, "ipv4", "addresses");
  char addr[64] = "", gw[64] = "";
  if (a) {
    snprintf(addr, sizeof addr, "%s", a);
    char *comma = strchr(addr, ',');
    if (comma) {
      *comma = 0;
      snprintf(gw, sizeof gw, "%s", rh_trim(comma + 1));
    }
    addr[strcspn(addr, ";")] = 0;
    gw[strcspn(gw, ";")] = 0;
  }
  const char *gateway = nm_get(c.kv, "ipv4", "gateway");
  if (gateway) snprintf(gw, sizeof gw, "%s", gateway);
  /* a static IPv6 address (the first; its gateway after the comma) */
  const char *a6 = nm_get(c.kv, "ipv6", "address1");
  if (!a6) a6 = nm_get(c.kv, "ipv6", "addresses1");
  if (!a6) a6 = nm_get(c.kv, "ipv6", "addresses");
  if (a6) {
    char addr6[64];
    snprintf(addr6, sizeof addr6, "%.*s", (int)strcspn(a6, ",;"), a6);
    rh_json_set_str(o, "address6", rh_trim(addr6));
  }
  rh_json_set_str(o, "family", "inet");
  rh_json_set_str(o, "method", !method || !strcmp(method, "auto") ? "dhcp"
                       : !strcmp(method, "manual")        ? "static"
                                                          : method);
  const char *ac = nm_get(c.kv, "connection", "autoconnect");
  json_object_object_add(o, "auto", json_object_new_boolean(!ac || strcasecmp(ac, "false")));
  if (addr[0]) rh_json_set_str(o, "address", addr);
  if (gw[0]) rh_json_set_str(o, "gateway", gw);
  if (mac && rh_is_mac(mac)) {
    rh_json_set_str(o, "hwaddress", mac);
    rh_net_mac_rule(macrules, file, mac, dev ? dev : "");
  }
  json_object_array_add(arr, o);
out:
  json_object_put(c.kv);
}

/* ---------------- udev persistent-net rules ---------------- */
struct udev_ctx {
  const char *file;
  json_object *arr;
};

/* Value of KEY=="v" or KEY="v" in a udev rule line; copies into out. */
static bool udev_value(const char *line, const char *key, char *out, size_t outsz)
{
  const char *p = line;
  size_t kn = strlen(key);
  while ((p = strstr(p, key))) {
    if (p != line && !(p[-1] == ' ' || p[-1] == ',' || p[-1] == '\t')) { p += kn; continue; }
    const char *q = p + kn;
    while (*q == ' ') q++;
    if (q[0] == '=' && q[1] == '=') q += 2;
    else if (q[0] == '=' || (q[0] == ':' && q[1] == '=')) q += q[0] == ':' ? 2 : 1;
    else { p += kn; continue; }
    while (*q == ' ') q++;
    if (*q != '"') { p += kn; continue; }
    q++;
    const char *end = strchr(q, '"');
    if (!end) return false;
    size_t n = (size_t)(end - q);
    if (n >= outsz) n = outsz - 1;
    memcpy(out, q, n);
    out[n] = 0;
    return true;
  }
  return false;
}

static void udev_line(char *line, int lineno, void *vctx)
{
  line = rh_trim(line);
  struct udev_ctx *c = vctx;
  if (!*line || *line == '#') return;
  char mac[64], name[64] = "";
  if (!udev_value(line, "ATTR{address}", mac, sizeof mac) &&
      !udev_value(line, "ATTRS{address}", mac, sizeof mac))
    return;
  udev_value(line, "NAME", name, sizeof name);
  json_object *r = json_object_new_object();
  rh_json_set_str(r, "file", c->file);
  json_object_object_add(r, "line", json_object_new_int(lineno));
  rh_json_set_str(r, "mac", mac);
  rh_json_set_str(r, "name", name);
  json_object_array_add(c->arr, r);
}

void rh_udev_mac_rules_parse(const char *text, const char *file, json_object *arr)
{
  struct udev_ctx c = {file, arr};
  rh_for_each_line(text, udev_line, &c);
}
