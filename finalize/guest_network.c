/* Network continuity in the guest: which stacks have configuration, edit all
 * of it (net_edits.h), and make the stack the guest actually uses come up. */
#include "edits.h"
#include "guest_steps.h"
#include "net_edits.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"
#include "../guest/appliance.h"
#include "../guest/net_programs.h"
#include "../scan/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum stack { IFUPDOWN, NETWORKD, NETPLAN, NM, IFCFG, WICKED, N_STACKS };

static const struct {
  const char *glob, *glob2; /* where its configuration lives */
  const char *service;      /* what brings it up (netplan: its renderer's) */
  const char *cloud_init_renderer;
} stacks[N_STACKS] = {
    [IFUPDOWN] = {"/etc/network/interfaces", "/etc/network/interfaces.d/*", "networking", "eni"},
    [NETWORKD] = {"/etc/systemd/network/*.network", NULL, "systemd-networkd", "networkd"},
    [NETPLAN] = {"/etc/netplan/*.yaml", NULL, NULL, "netplan"},
    [NM] = {"/etc/NetworkManager/system-connections/*", NULL, "NetworkManager", "network-manager"},
    /* the route files after every ifcfg file (they name NICs, they bind
     * none) */
    [IFCFG] = {"/etc/sysconfig/network-scripts/ifcfg-*", "/etc/sysconfig/network-scripts/route*",
               "network", "sysconfig"},
    [WICKED] = {"/etc/sysconfig/network/ifcfg-*", "/etc/sysconfig/network/*route*", "wicked",
                "sysconfig"},
};

struct net_scan {
  unsigned binds[N_STACKS]; /* files that bind a physical NIC */
  bool netplan_nm;          /* a netplan file says renderer: NetworkManager */
  bool wants_dhcp;          /* some binding is (now) dhcp */
};

static char *ifupdown_edit(const char *text, const char *file, bool dhcp, struct rh_nic_map *m,
                           json_object *changes, bool remove_mac)
{
  char *t = rh_ifupdown_rewrite(text, file, dhcp, remove_mac, m, changes);
  char *t2 = t ? rh_ifupdown_rename(t, file, m, changes) : NULL;
  free(t);
  return t2;
}

static char *edit_one(enum stack s, struct rh_fin *f, const char *text, const char *path,
                      struct rh_nic_map *m, char **newpath)
{
  *newpath = NULL;
  switch (s) {
  case IFUPDOWN: return ifupdown_edit(text, path, f->dhcp, m, f->changes, f->p->remove_mac_bindings);
  case NETWORKD: return rh_networkd_rewrite(text, path, f->dhcp, m, f->changes);
  case NETPLAN: return rh_netplan_rewrite(text, path, f->dhcp, m, f->changes);
  case NM: return rh_nm_keyfile_rewrite(text, path, f->dhcp, m, f->changes);
  case WICKED:
    if (strstr(path, "/ifcfg-"))
      return rh_wicked_rewrite(text, path, f->dhcp, m, f->changes, newpath);
    return rh_wicked_routes_rewrite(text, path, f->dhcp, m, f->changes, newpath);
  default:
    if (strstr(path, "/ifcfg-")) return rh_ifcfg_rewrite(text, path, f->dhcp, m, f->changes);
    return rh_ifcfg_routes_rewrite(text, path, f->dhcp, m, f->changes);
  }
}

static bool says_dhcp(enum stack s, const char *t)
{
  switch (s) {
  case IFUPDOWN: return strstr(t, " inet dhcp") != NULL;
  case IFCFG: return strstr(t, "BOOTPROTO=dhcp") || strstr(t, "BOOTPROTO=\"dhcp\"");
  default: return false; /* networkd, NetworkManager and wicked have their own client */
  }
}

/* Files whose name is their interface's (wicked's) and that are renamed:
 * moved after every file of the stack is edited, through a temporary name,
 * so that ens192 -> eth0 and eth0 -> eth1 do not clobber each other. A new
 * name some other file has already is not taken: that file stays, edited. */
struct renames {
  size_t n;
  struct {
    char *from, *to, *old, *text;
  } r[64];
};

/* is PATH a file that is moved away (to a new name still planned)? */
static bool renamed_away(const struct renames *rn, const char *path)
{
  for (size_t i = 0; i < rn->n; i++)
    if (rn->r[i].to && !strcmp(rn->r[i].from, path)) return true;
  return false;
}

/* rc: the stack's status so far; after a failed write nothing more is moved
 * or written */
static int apply_renames(struct rh_fin *f, struct renames *rn, int rc)
{
  /* a rename given up leaves its file where it is, which may take another's
   * new name in turn: until none is given up */
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < rn->n; i++)
      if (rn->r[i].to && guestfs_exists(f->g, rn->r[i].to) > 0 && !renamed_away(rn, rn->r[i].to)) {
        rh_warn("%s: not renamed to %s, which is another file of the guest's; edit it by hand",
                rn->r[i].from, rn->r[i].to);
        rh_change(f->changes, rn->r[i].from, "network-unhandled", rn->r[i].to, NULL,
                  "the NIC's new file name is taken by another file");
        free(rn->r[i].to);
        rn->r[i].to = NULL;
        again = true;
      }
  }
  for (int step = 0; step < 2 && !f->dry_run; step++)
    for (size_t i = 0; i < rn->n && !rc; i++) {
      if (!rn->r[i].to) continue;
      char tmp[512];
      snprintf(tmp, sizeof tmp, "%s.rehost-rename", rn->r[i].from);
      const char *a = step ? tmp : rn->r[i].from, *b = step ? rn->r[i].to : tmp;
      if (guestfs_mv(f->g, a, b) < 0) {
        rh_error("%s: cannot rename to %s in the guest: %s", a, b, rh_guestfs_err(f->g));
        rc = RH_EXIT_GUEST;
      }
    }
  for (size_t i = 0; i < rn->n; i++) {
    const char *at = rn->r[i].to ? rn->r[i].to : rn->r[i].from;
    if (!rc) rc = rh_fin_write_if_changed(f, at, rn->r[i].old, rn->r[i].text);
    free(rn->r[i].from);
    free(rn->r[i].to);
    free(rn->r[i].old);
    free(rn->r[i].text);
  }
  rn->n = 0;
  return rc;
}

/* The bonds and bridges the stack's NICs are enslaved to, and the VLANs
 * over either, from every file, before any is edited (a master's file may
 * sort before its NICs', a VLAN's before its master's): two passes. */
static void note_links(struct rh_fin *f, enum stack s, struct rh_nic_map *m)
{
  char **files = rh_guest_glob(f->g, stacks[s].glob);
  char **more = s == IFUPDOWN ? rh_guest_glob(f->g, stacks[s].glob2) : NULL;
  size_t n = 0, n2 = 0;
  while (files && files[n]) n++;
  while (more && more[n2]) n2++;
  char **texts = calloc(n + n2 + 1, sizeof *texts), **paths = calloc(n + n2 + 1, sizeof *paths);
  size_t t = 0;
  for (size_t i = 0; texts && paths && i < n + n2; i++) {
    const char *path = i < n ? files[i] : more[i - n];
    if (guestfs_is_file(f->g, path) <= 0) continue;
    char *text = rh_guest_read(f->g, path);
    if (!text) continue;
    paths[t] = (char *)path;
    texts[t++] = text;
  }
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < t; i++) {
      if (s == IFCFG) rh_ifcfg_note_master(m, texts[i], paths[i]);
      else if (s == NM) rh_nm_note_master(m, texts[i]);
      else if (s == NETWORKD) rh_networkd_note_master(m, texts[i]);
      else if (s == WICKED && strstr(paths[i], "/ifcfg-")) rh_wicked_note_links(m, texts[i], paths[i]);
    }
  /* networkd's VLANs are named in their NIC's or master's file: once every
   * master is known */
  for (size_t i = 0; s == NETWORKD && i < t; i++) rh_networkd_note_vlans(m, texts[i]);
  /* netplan merges its files; ifupdown's raw devices may have their stanza
   * in any */
  if (texts && s == NETPLAN) rh_netplan_note_masters(m, texts);
  if (texts && s == IFUPDOWN) rh_ifupdown_note_vlans(m, texts);
  free(paths);
  rh_strv_free(texts);
  rh_strv_free(more);
  rh_strv_free(files);
}

/* Is the stack there to read its files? netplan's, systemd-networkd's and
 * NetworkManager's files outlive their package (netplan.io removed for
 * ifupdown, a cloud image's 50-cloud-init.yaml left behind): such files
 * configure nothing, and must not choose the service that brings the NIC
 * up. The others' files are read whenever they are there. */
static bool stack_installed(struct rh_fin *f, enum stack s)
{
  const char *const *progs = s == NETPLAN    ? rh_netplan_programs
                             : s == NETWORKD ? rh_networkd_programs
                             : s == NM       ? rh_nm_programs
                                             : NULL;
  return !progs || rh_fin_exists_any(f, progs);
}

static int edit_stack(struct rh_fin *f, enum stack s, struct rh_nic_map *m, struct net_scan *ns)
{
  int rc = RH_EXIT_OK;
  struct renames rn = {0};
  if (!stack_installed(f, s)) {
    char **files = rh_guest_glob(f->g, stacks[s].glob);
    if (files && files[0])
      rh_info("network: %s (%s) is there, but not the program that reads it: it configures "
              "nothing, and is left as it is", files[0], s == NETPLAN ? "netplan" : stacks[s].service);
    rh_strv_free(files);
    return RH_EXIT_OK;
  }
  note_links(f, s, m);
  for (int pass = 0; pass < 2 && !rc; pass++) {
    const char *pat = pass ? stacks[s].glob2 : stacks[s].glob;
    if (!pat) continue;
    char **files = rh_guest_glob(f->g, pat);
    for (size_t i = 0; !rc && files && files[i]; i++) {
      if (guestfs_is_file(f->g, files[i]) <= 0) continue;
      char *old = rh_guest_read(f->g, files[i]);
      if (!old) continue;
      unsigned before = m->hits;
      char *newpath = NULL;
      char *text = edit_one(s, f, old, files[i], m, &newpath);
      if (m->hits != before) ns->binds[s]++;
      if (text && m->hits != before && says_dhcp(s, text)) ns->wants_dhcp = true;
      if (s == NETPLAN && strstr(old, "renderer: NetworkManager")) ns->netplan_nm = true;
      if (newpath && text && rn.n < sizeof rn.r / sizeof rn.r[0] &&
          (rn.r[rn.n].from = strdup(files[i]))) {
        rn.r[rn.n].to = newpath;
        rn.r[rn.n].old = old;
        rn.r[rn.n++].text = text;
        continue;
      }
      if (newpath) rh_warn("%s: too many files to rename; left under its name", files[i]);
      free(newpath);
      rc = rh_fin_write_if_changed(f, files[i], old, text);
      free(old);
      free(text);
    }
    rh_strv_free(files);
  }
  return apply_renames(f, &rn, rc);
}

/* The stack that brings the guest's network up: the one whose configuration
 * binds the NIC, not the first network service that exists. */
static int choose_stack(struct rh_fin *f, const struct net_scan *ns)
{
  if (ns->binds[NETPLAN]) return NETPLAN;
  if (ns->binds[NETWORKD]) return NETWORKD;
  if (ns->binds[NM]) return NM;
  if (ns->binds[IFUPDOWN]) return IFUPDOWN;
  if (ns->binds[IFCFG]) return rh_fin_unit_present(f, stacks[NM].service) ? NM : IFCFG;
  if (ns->binds[WICKED]) return WICKED;
  /* nothing names a NIC (NetworkManager's automatic "Wired connection", say):
   * the stack that is enabled now, or else the first one the guest has */
  static const enum stack order[] = {NM, NETWORKD, WICKED, IFUPDOWN, IFCFG};
  for (size_t i = 0; i < 5; i++)
    if (rh_fin_unit_enabled(f, stacks[order[i]].service)) return order[i];
  for (size_t i = 0; i < 5; i++)
    if (rh_fin_unit_present(f, stacks[order[i]].service)) return order[i];
  return -1;
}

static bool has_dhcp_client(struct rh_fin *f)
{
  static const char *const clients[] = {"/sbin/dhclient", "/usr/sbin/dhclient", "/sbin/dhcpcd",
                                        "/usr/sbin/dhcpcd", "/sbin/udhcpc", "/usr/sbin/udhcpc",
                                        "/usr/bin/udhcpc", NULL};
  return rh_fin_exists_any(f, clients);
}

static int check_dhcp_client(struct rh_fin *f, const char *service)
{
  if (has_dhcp_client(f)) return RH_EXIT_OK;
  int rc = rh_fin_install_package(f, "isc-dhcp-client", "dhcp-client",
                                  "DHCP client for ifupdown/initscripts, from --packages");
  /* the package manager's record can say installed while the program is
   * gone (deleted by hand): the same version is then skipped, and the NIC
   * would stay down all the same */
  if (!rc && !f->dry_run && !has_dhcp_client(f)) {
    rh_error("the guest's package database lists its DHCP client as installed, but there is "
             "no dhclient, dhcpcd or udhcpc in the guest: reinstall the client in the source");
    return RH_EXIT_GUEST;
  }
  if (rc != 1) return rc;
  rh_error("the guest's network (%s.service) needs a DHCP client on the target and has none: "
           "install isc-dhcp-client (Debian) or dhcp-client (RHEL) in the source or put it in "
           "--packages DIR, or switch the guest to systemd-networkd or NetworkManager",
           !strcmp(service, "networking") ? "ifupdown, networking" : "initscripts, network");
  rh_change(f->changes, "network", "problem", NULL, NULL,
            "no DHCP client for ifupdown/initscripts: the NIC would stay down");
  return RH_EXIT_GUEST;
}

/* cloud-init writes its own network configuration at first boot (DHCP on
 * the first NIC, with the first renderer it finds). When the guest's own
 * configuration binds the NIC (now made to work on the new one), a second
 * one would fight it (two ifupdown stanzas for eth0, a static address lost
 * to DHCP): cloud-init leaves the network alone. Otherwise it is told the
 * renderer the guest really uses. */
static int cloud_init_network(struct rh_fin *f, const char *renderer, bool keep)
{
  if (guestfs_is_dir(f->g, "/etc/cloud/cloud.cfg.d") <= 0) return RH_EXIT_OK;
  const char *path = "/etc/cloud/cloud.cfg.d/90-rehost-network.cfg";
  char text[400];
  if (keep)
    snprintf(text, sizeof text,
             "# written by rehost finalize: the guest's own network configuration,\n"
             "# bound to the new NIC, brings it up. Delete this file to let cloud-init\n"
             "# configure the network instead.\n"
             "network: {config: disabled}\n");
  else
    snprintf(text, sizeof text,
             "# written by rehost finalize: the network stack this guest uses\n"
             "system_info:\n  network:\n    renderers: ['%s']\n",
             renderer);
  char *old = rh_guest_read(f->g, path);
  if (!old || strcmp(old, text))
    rh_change(f->changes, path, "network-cloud-init", NULL,
              keep ? "network: {config: disabled}" : renderer,
              keep ? "the guest's own configuration brings the NIC up; cloud-init's "
                     "fallback would compete with it"
                   : "cloud-init's network configuration goes to the stack the guest uses");
  int rc = rh_fin_write_if_changed(f, path, old ? old : "", text);
  free(old);
  return rc;
}

/* the NIC names the guest's own rules give by MAC (net_naming.c), read
 * before any configuration that may use them. A profile that keeps MAC
 * bindings keeps the rules, and so the names. */
static void read_naming_rules(struct rh_fin *f, struct rh_nic_map *m)
{
  if (!f->p->remove_mac_bindings) return;
  static const char *const where[] = {"/etc/udev/rules.d/*.rules", "/etc/systemd/network/*.link"};
  for (size_t w = 0; w < 2; w++) {
    char **files = rh_guest_glob(f->g, where[w]);
    for (size_t i = 0; files && files[i]; i++) {
      char *text = guestfs_is_file(f->g, files[i]) > 0 ? rh_guest_read(f->g, files[i]) : NULL;
      if (text) rh_nic_rules_read(m, text, files[i]);
      free(text);
    }
    rh_strv_free(files);
  }
}

/* The static addresses the guest's configuration gives (scan's reading of
 * every stack; IPv4 and IPv6), without their prefix length. */
static size_t static_addresses(guestfs_h *g, char (*addrs)[64], size_t max)
{
  json_object *net = rh_scan_network(g), *ifs = NULL;
  size_t n = 0;
  if (json_object_object_get_ex(net, "interfaces", &ifs))
    for (size_t i = 0; i < json_object_array_length(ifs) && n < max; i++) {
      for (const char *const *k = (const char *const[]){"address", "address6", NULL}; *k && n < max; k++) {
        json_object *a = NULL;
        if (!json_object_object_get_ex(json_object_array_get_idx(ifs, i), *k, &a)) continue;
        snprintf(addrs[n], sizeof addrs[n], "%s", json_object_get_string(a));
        addrs[n][strcspn(addrs[n], "/ \t")] = 0;
        if (addrs[n][0]) n++;
      }
    }
  json_object_put(net);
  return n;
}

/* /etc/hosts lines giving the guest's names an address its configuration
 * gave before the edits and no longer does (net_hosts.c). What went is read
 * back from the edited files, so a dry run does not list it. */
static int edit_hosts(struct rh_fin *f, char (*before)[64], size_t nb)
{
  char after[32][64], *gone[33];
  size_t na = static_addresses(f->g, after, 32), ng = 0;
  for (size_t i = 0; i < nb; i++) {
    bool still = false;
    for (size_t j = 0; j < na && !still; j++) still = !strcmp(before[i], after[j]);
    if (!still) gone[ng++] = before[i];
  }
  gone[ng] = NULL;
  char *old = ng ? rh_guest_read(f->g, "/etc/hosts") : NULL;
  if (!old) return RH_EXIT_OK;
  char *text = rh_hosts_rewrite(old, gone, f->changes);
  int rc = rh_fin_write_if_changed(f, "/etc/hosts", old, text);
  free(old);
  free(text);
  return rc;
}

/* systemd-networkd gives the DNS servers DHCP hands out to systemd-resolved
 * alone. A guest that does not run it resolves names through the servers its
 * own /etc/resolv.conf names (a file, not a link something manages): the
 * source network's, which the target's network may not reach. Said, not
 * changed: which resolver the guest runs is its owner's choice. */
static void resolver_after_dhcp(struct rh_fin *f)
{
  json_object *rc = rh_scan_resolv_conf(f->g), *link = NULL, *ns = NULL;
  char servers[256] = "";
  bool file = rc && json_object_object_get_ex(rc, "link", &link) && !link &&
              json_object_object_get_ex(rc, "nameservers", &ns);
  for (size_t i = 0; file && i < json_object_array_length(ns); i++) { /* those that fit whole */
    const char *a = json_object_get_string(json_object_array_get_idx(ns, i));
    size_t l = strlen(servers), n = strlen(a);
    if (l + (l ? 1 : 0) + n >= sizeof servers) continue;
    if (l) servers[l++] = ' ';
    memcpy(servers + l, a, n + 1);
  }
  json_object_put(rc);
  /* systemctl in the appliance only when a file names servers */
  if (!servers[0] || rh_fin_unit_enabled(f, "systemd-resolved")) return;
  rh_warn("/etc/resolv.conf: names %s, and systemd-networkd gives the DNS servers DHCP hands "
          "out only to systemd-resolved, which the guest does not run: names resolve on the "
          "target only if those servers answer there (enable systemd-resolved in the source, "
          "or edit /etc/resolv.conf)", servers);
  rh_change(f->changes, "/etc/resolv.conf", "warning", servers, NULL,
            "systemd-networkd's DHCP does not update this file (no systemd-resolved): the "
            "source network's DNS servers stay");
}

int rh_fin_network(struct rh_fin *f)
{
  struct rh_nic_map m = {0};
  struct net_scan ns = {0};
  int rc = RH_EXIT_OK;
  char statics[32][64];
  size_t nstatic = f->dhcp && !f->dry_run ? static_addresses(f->g, statics, 32) : 0;
  read_naming_rules(f, &m);
  for (int s = 0; s < N_STACKS && !rc; s++) rc = edit_stack(f, (enum stack)s, &m, &ns);
  if (!rc && nstatic) rc = edit_hosts(f, statics, nstatic);
  if (rc) return rc;
  if (m.n) f->keep_eth_names = true; /* ethN are the names the configs now use */
  for (size_t i = 0; i < m.n; i++) {
    char before[64], after[24];
    snprintf(after, sizeof after, "eth%zu", i);
    if (!strcmp(m.old[i], after)) continue; /* already its name: nothing to say */
    snprintf(before, sizeof before, "%s%s%s", m.old[i], m.old[i][0] && m.mac[i][0] ? " " : "",
             m.mac[i]);
    rh_change(f->changes, "network", "network-nic", before, after,
              "the source's NIC as the target names it (net.ifnames=0)");
  }
  int st = choose_stack(f, &ns);
  if (st < 0) {
    rh_warn("no network service found in the guest; its network will not come up by itself");
    rh_change(f->changes, "network", "problem", NULL, NULL, "no network service in the guest");
    return RH_EXIT_OK;
  }
  const char *service = st != NETPLAN       ? stacks[st].service
                        : ns.netplan_nm ? stacks[NM].service
                                        : stacks[NETWORKD].service;
  char why[160];
  snprintf(why, sizeof why, "the network stack the guest's configuration uses (%s)", service);
  rh_info("network: %s on the target's NIC%s, %zu NIC(s) renamed", service,
          f->dhcp ? " with DHCP" : "", m.n);
  if ((rc = rh_fin_enable_unit(f, service, why))) return rc;
  if (f->dhcp && !strcmp(service, stacks[NETWORKD].service)) resolver_after_dhcp(f);
  bool needs_client = st == IFUPDOWN || st == IFCFG; /* the others have their own */
  if (needs_client && (f->dhcp || ns.wants_dhcp) && (rc = check_dhcp_client(f, service)))
    return rc;
  /* the guest's own configuration, made to work, brings the NIC up: one that
   * names it, or one for every Ethernet NIC (a glob, a type) */
  bool keep = m.hits > 0;
  return cloud_init_network(f, stacks[st].cloud_init_renderer, keep);
}
