/* Unit tests for network continuity (finalize/net_edits.c): each stack's
 * configuration, bound to the source's NIC by name or MAC, ends up bound to
 * what the target's NIC will be called (ethN under net.ifnames=0) or, with
 * dhcp, to every Ethernet NIC; bound by a glob or a type, still matching
 * it; exact output text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../finalize/edits.h"
#include "../../finalize/net_edits.h"
#include "changes.h"

static void physical_names(void **state)
{
  (void)state;
  const char *yes[] = {"eth0", "ens192", "enp0s3", "eno1", "em1", "p1p1", "ens192.100", "eth0:1",
                       "eth10:abcdefghijk"};
  const char *no[] = {"lo", "br0", "bond0", "virbr0", "docker0", "en*", "wlan0", "tun0", "",
                      "enp0s20f0u1u2u3u4", ":1", "eth0 1", "eth0\x7f"};
  for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) assert_true(rh_nic_is_physical(yes[i]));
  for (size_t i = 0; i < sizeof no / sizeof *no; i++) assert_false(rh_nic_is_physical(no[i]));
}

static void map_is_stable_by_name_or_mac(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  assert_string_equal(rh_nic_map_name(&m, "ens192", NULL), "eth0");
  assert_string_equal(rh_nic_map_name(&m, "ens224", "52:54:00:AA:BB:CC"), "eth1");
  assert_string_equal(rh_nic_map_name(&m, NULL, "52:54:00:aa:bb:cc"), "eth1");
  assert_string_equal(rh_nic_map_name(&m, "ens192.100", NULL), "eth0");
  assert_null(rh_nic_map_name(&m, NULL, NULL));
  assert_int_equal(m.n, 2);
  /* looked up only: the map stays as it is */
  unsigned hits = m.hits;
  assert_string_equal(rh_nic_map_find(&m, "ens224"), "eth1");
  assert_string_equal(rh_nic_map_find(&m, "ens192.100"), "eth0");
  assert_null(rh_nic_map_find(&m, "ens256"));
  assert_null(rh_nic_map_find(&m, "ens19"));
  assert_null(rh_nic_map_find(&m, ".100"));
  assert_int_equal(m.n, 2);
  assert_int_equal(m.hits, hits);
}

static void ifupdown_predictable_name_renamed(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_ifupdown_rename("auto lo\niface lo inet loopback\n\n"
                                 "allow-hotplug ens192\n"
                                 "iface ens192 inet static\n  address 10.0.0.5/24\n"
                                 "auto br0\niface br0 inet manual\n  bridge_ports ens224\n"
                                 "# iface ens192 inet dhcp\n",
                                 "/etc/network/interfaces", &m, ch);
  assert_string_equal(out, "auto lo\niface lo inet loopback\n\n"
                           "allow-hotplug eth0\n"
                           "iface eth0 inet static\n  address 10.0.0.5/24\n"
                           "auto br0\niface br0 inet manual\n  bridge_ports eth1\n"
                           "# iface ens192 inet dhcp\n");
  assert_int_equal(json_object_array_length(ch), 3);
  assert_true(has_action(ch, "network-rename-nic"));
  free(out);
  json_object_put(ch);
}

/* A rename may lengthen a name (em1 -> eth10); what it writes is read as
 * the same NIC by a second finalize, and the rest of the line is copied as
 * it is: its spacing, and words of any length (they were cut at 63 bytes,
 * lines at 1 KiB). */
static void ifupdown_rename_is_stable(void **state)
{
  (void)state;
  char longword[200];
  memset(longword, 'x', sizeof longword - 1);
  longword[sizeof longword - 1] = 0;
  char in[512], want[512];
  snprintf(in, sizeof in, "auto em1:abcdefghijk\niface em1:abcdefghijk inet static  %s\n"
           "bond-slaves  ens192\tens224\n", longword);
  snprintf(want, sizeof want, "auto eth0:abcdefghijk\niface eth0:abcdefghijk inet static  %s\n"
           "bond-slaves  eth1\teth2\n", longword);
  struct rh_nic_map m = {0};
  char *out = rh_ifupdown_rename(in, "/etc/network/interfaces", &m, NULL);
  assert_string_equal(out, want);
  struct rh_nic_map again_map = {0};
  char *again = rh_ifupdown_rename(out, "/etc/network/interfaces", &again_map, NULL);
  assert_string_equal(again, out);
  assert_int_equal(again_map.n, 3);
  free(again);
  free(out);
}

static void networkd_mac_match_keep_static(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_networkd_rewrite("[Match]\nMACAddress=52:54:00:12:34:56\n\n"
                                  "[Network]\nAddress=192.168.122.50/24\nGateway=192.168.122.1\n"
                                  "DNS=192.168.122.1\n",
                                  "/etc/systemd/network/10-lan.network", false, &m, ch);
  assert_string_equal(out, "[Match]\nName=eth0\n\n"
                           "[Network]\nAddress=192.168.122.50/24\nGateway=192.168.122.1\n"
                           "DNS=192.168.122.1\n");
  assert_true(has_action(ch, "network-match-nic"));
  free(out);
  json_object_put(ch);
}

static void networkd_name_match_to_dhcp(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_networkd_rewrite("[Match]\nName=ens3\nMACAddress=52:54:00:12:34:56\n"
                                  "[Network]\nAddress=10.1.1.2/24\nGateway=10.1.1.1\n"
                                  "[Route]\nDestination=10.9.0.0/16\n",
                                  "a.network", true, &m, ch);
  assert_string_equal(out, "[Match]\nType=ether\n#rehost-removed# MACAddress=52:54:00:12:34:56\n"
                           "[Network]\n#rehost-removed# Address=10.1.1.2/24\n"
                           "#rehost-removed# Gateway=10.1.1.1\nDHCP=yes\n"
                           "#rehost-removed# [Route]\n#rehost-removed# Destination=10.9.0.0/16\n");
  free(out);
  /* static IPv6 goes with what kept router advertisements out; a file with
   * no static IPv6 keeps its owner's IPv6AcceptRA= */
  out = rh_networkd_rewrite("[Match]\nName=ens3\n[Network]\nIPv6AcceptRA=no\nAddress=2001:db8::2/64\n"
                            "Gateway=2001:db8::1\n", "v6.network", true, &m, ch);
  assert_string_equal(out, "[Match]\nType=ether\n[Network]\n#rehost-removed# IPv6AcceptRA=no\n"
                           "#rehost-removed# Address=2001:db8::2/64\n#rehost-removed# Gateway=2001:db8::1\nDHCP=yes\n");
  free(out);
  out = rh_networkd_rewrite("[Match]\nName=ens3\n[Network]\nIPv6AcceptRA=no\nAddress=10.1.1.2/24\n",
                            "v4.network", true, &m, ch);
  assert_string_equal(out, "[Match]\nType=ether\n[Network]\nIPv6AcceptRA=no\n"
                           "#rehost-removed# Address=10.1.1.2/24\nDHCP=yes\n");
  free(out);
  /* a file for a bridge or for lo is left alone */
  out = rh_networkd_rewrite("[Match]\nName=br0\n[Network]\nAddress=10.0.0.1/24\n", "b.network",
                            true, &m, ch);
  assert_string_equal(out, "[Match]\nName=br0\n[Network]\nAddress=10.0.0.1/24\n");
  free(out);
  json_object_put(ch);
}

static void nm_keyfile(void **state)
{
  (void)state;
  const char *in = "[connection]\nid=Wired\ntype=ethernet\ninterface-name=enp1s0\n\n"
                   "[ethernet]\nmac-address=52:54:00:12:34:56\n\n"
                   "[ipv4]\naddress1=192.168.1.10/24,192.168.1.1\ndns=192.168.1.1;\n"
                   "method=manual\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_nm_keyfile_rewrite(in, "w.nmconnection", false, &m, ch);
  assert_string_equal(out, "[connection]\nid=Wired\ntype=ethernet\ninterface-name=eth0\n\n"
                           "[ethernet]\n#rehost-removed# mac-address=52:54:00:12:34:56\n\n"
                           "[ipv4]\naddress1=192.168.1.10/24,192.168.1.1\ndns=192.168.1.1;\n"
                           "method=manual\n");
  free(out);
  out = rh_nm_keyfile_rewrite(in, "w.nmconnection", true, &m, ch);
  assert_string_equal(out, "[connection]\nid=Wired\ntype=ethernet\n"
                           "#rehost-removed# interface-name=enp1s0\n\n"
                           "[ethernet]\n#rehost-removed# mac-address=52:54:00:12:34:56\n\n"
                           "[ipv4]\n#rehost-removed# address1=192.168.1.10/24,192.168.1.1\n"
                           "dns=192.168.1.1;\nmethod=auto\n");
  free(out);
  /* IPv6: a static address and its routes go, router advertisements
   * configure it (method=auto); a method the owner chose otherwise stays */
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\ninterface-name=ens3\n[ipv4]\nmethod=auto\n"
                              "[ipv6]\naddr-gen-mode=default\naddress1=fd00:10::15/64,fd00:10::1\n"
                              "route1=fd00:20::/64,fd00:10::2\nmethod=manual\n",
                              "v6.nmconnection", true, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\n#rehost-removed# interface-name=ens3\n[ipv4]\nmethod=auto\n"
                           "[ipv6]\naddr-gen-mode=default\n#rehost-removed# address1=fd00:10::15/64,fd00:10::1\n"
                           "#rehost-removed# route1=fd00:20::/64,fd00:10::2\nmethod=auto\n");
  free(out);
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\ninterface-name=ens3\n[ipv6]\nmethod=ignore\n",
                              "v6i.nmconnection", true, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\n#rehost-removed# interface-name=ens3\n[ipv6]\nmethod=ignore\n");
  free(out);
  /* with keep, IPv6 stays as it is */
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\ninterface-name=ens3\n[ipv6]\naddress1=fd00::5/64\nmethod=manual\n",
                              "v6k.nmconnection", false, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\ninterface-name=eth1\n[ipv6]\naddress1=fd00::5/64\nmethod=manual\n");
  free(out);
  /* a wifi or VPN profile is not a NIC binding */
  out = rh_nm_keyfile_rewrite("[connection]\ntype=wifi\ninterface-name=wlp2s0\n", "x", true, &m, ch);
  assert_string_equal(out, "[connection]\ntype=wifi\ninterface-name=wlp2s0\n");
  free(out);
  json_object_put(ch);
}

static void ifcfg(void **state)
{
  (void)state;
  const char *in = "TYPE=Ethernet\nBOOTPROTO=none\nNAME=ens192\nDEVICE=ens192\n"
                   "HWADDR=00:50:56:aa:bb:cc\nIPADDR=10.0.0.5\nPREFIX=24\nGATEWAY=10.0.0.1\n"
                   "ONBOOT=yes\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_ifcfg_rewrite(in, "/etc/sysconfig/network-scripts/ifcfg-ens192", false, &m, ch);
  assert_string_equal(out, "TYPE=Ethernet\nBOOTPROTO=none\nNAME=ens192\nDEVICE=eth0\n"
                           "#rehost-removed# HWADDR=00:50:56:aa:bb:cc\nIPADDR=10.0.0.5\nPREFIX=24\n"
                           "GATEWAY=10.0.0.1\nONBOOT=yes\n");
  free(out);
  out = rh_ifcfg_rewrite(in, "/etc/sysconfig/network-scripts/ifcfg-ens192", true, &m, ch);
  assert_string_equal(out, "TYPE=Ethernet\nBOOTPROTO=dhcp\nNAME=ens192\nDEVICE=eth0\n"
                           "#rehost-removed# HWADDR=00:50:56:aa:bb:cc\n#rehost-removed# IPADDR=10.0.0.5\n"
                           "#rehost-removed# PREFIX=24\n#rehost-removed# GATEWAY=10.0.0.1\nONBOOT=yes\n");
  free(out);
  /* IPv6: the static address and gateway go, autoconfiguration comes back */
  out = rh_ifcfg_rewrite("DEVICE=ens192\nBOOTPROTO=none\nIPV6INIT=yes\nIPV6_AUTOCONF=no\n"
                         "IPV6ADDR=fd00:10::15/64\nIPV6ADDR_SECONDARIES=\"fd00:10::16/64\"\n"
                         "IPV6_DEFAULTGW=fd00:10::1\n",
                         "/etc/sysconfig/network-scripts/ifcfg-ens192", true, &m, ch);
  assert_string_equal(out, "DEVICE=eth0\nBOOTPROTO=dhcp\nIPV6INIT=yes\nIPV6_AUTOCONF=yes\n"
                           "#rehost-removed# IPV6ADDR=fd00:10::15/64\n"
                           "#rehost-removed# IPV6ADDR_SECONDARIES=\"fd00:10::16/64\"\n"
                           "#rehost-removed# IPV6_DEFAULTGW=fd00:10::1\n");
  free(out);
  /* bound by MAC only, no DEVICE=: the name comes from the file name */
  out = rh_ifcfg_rewrite("HWADDR=\"00:50:56:00:00:01\"\nBOOTPROTO=dhcp\n", "/x/ifcfg-ens224", false,
                         &m, ch);
  assert_string_equal(out, "#rehost-removed# HWADDR=\"00:50:56:00:00:01\"\nBOOTPROTO=dhcp\nDEVICE=eth1\n");
  free(out);
  json_object_put(ch);
}

/* a configuration for every Ethernet NIC, bound by none: systemd-networkd's
 * Name= globs and Type=ether. A glob of the source's names ("en*") would
 * match nothing once the target names the NIC eth0 (net.ifnames=0, added
 * when another file names a NIC): it is widened to eth*. With dhcp, its
 * static addressing goes, as for a named NIC. */
static void networkd_glob_and_type(void **state)
{
  (void)state;
  const char *in = "[Match]\nName=en*\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\n";
  for (int dhcp = 0; dhcp < 2; dhcp++) {
    struct rh_nic_map m = {0};
    json_object *ch = json_object_new_array();
    char *out = rh_networkd_rewrite(in, "/etc/systemd/network/20-wired.network", dhcp, &m, ch);
    assert_string_equal(out, dhcp ? "[Match]\nName=en* eth*\n\n[Network]\n"
                                    "#rehost-removed# Address=10.0.2.15/24\n"
                                    "#rehost-removed# Gateway=10.0.2.2\nDHCP=yes\n"
                                  : "[Match]\nName=en* eth*\n\n[Network]\nAddress=10.0.2.15/24\n"
                                    "Gateway=10.0.2.2\n");
    assert_int_equal(m.n, 0);    /* no NIC is named */
    assert_int_equal(m.hits, 1); /* but the file brings one up */
    assert_true(has_action(ch, "network-match-nic"));
    struct rh_nic_map m2 = {0};
    char *again = rh_networkd_rewrite(out, "x.network", dhcp, &m2, NULL);
    assert_string_equal(again, out);
    free(again);
    free(out);
    json_object_put(ch);
  }
  struct rh_nic_map m = {0};
  /* a glob that matches eth0 already stays; its addressing follows dhcp */
  char *out = rh_networkd_rewrite("[Match]\nName=e* wl*\n[Network]\nAddress=10.0.0.2/24\n",
                                  "a.network", true, &m, NULL);
  assert_string_equal(out, "[Match]\nName=e* wl*\n[Network]\n#rehost-removed# Address=10.0.0.2/24\n"
                           "DHCP=yes\n");
  free(out);
  /* a list too long to read whole is not cut by a rewrite: left, and said
   * (found by fuzzing: the list was cut at 255 bytes, differently each pass) */
  char longlist[400] = "[Match]\nName=en*";
  while (strlen(longlist) < 300) strcat(longlist, " ens1*");
  strcat(longlist, "\n[Network]\nDHCP=yes\n");
  json_object *ch = json_object_new_array();
  struct rh_nic_map ml = {0};
  out = rh_networkd_rewrite(longlist, "l.network", true, &ml, ch);
  assert_string_equal(out, longlist);
  assert_true(has_action(ch, "network-unhandled"));
  assert_int_equal(ml.hits, 1); /* it applies to the NIC all the same */
  free(out);
  json_object_put(ch);
  out = rh_networkd_rewrite("[Match]\nType=ether\n[Network]\nAddress=10.0.0.2/24\n", "t.network",
                            true, &m, NULL);
  assert_string_equal(out, "[Match]\nType=ether\n[Network]\n#rehost-removed# Address=10.0.0.2/24\n"
                           "DHCP=yes\n");
  free(out);
  assert_int_equal(m.hits, 2);
  /* not for a physical NIC: bridges, wireless, a negated list, a type bound
   * to a name that is no NIC */
  const char *other[] = {"[Match]\nName=br*\n[Network]\nAddress=10.0.0.1/24\n",
                         "[Match]\nName=wl*\n[Network]\nAddress=10.0.0.1/24\n",
                         "[Match]\nName=!en*\n[Network]\nAddress=10.0.0.1/24\n",
                         "[Match]\nType=ether\nName=bond0\n[Network]\nAddress=10.0.0.1/24\n",
                         "[Match]\nType=bridge\n[Network]\nAddress=10.0.0.1/24\n"};
  for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
    out = rh_networkd_rewrite(other[i], "o.network", true, &m, NULL);
    assert_string_equal(out, other[i]);
    free(out);
  }
  assert_int_equal(m.hits, 2);
  assert_int_equal(m.n, 0);
}

/* A NetworkManager ethernet profile that names no NIC applies to any: with
 * dhcp its static addressing goes, numbered routes with their options (one
 * rule with netplan's passthrough: rh_nm_setting_role). */
static void nm_keyfile_unbound_and_route_options(void **state)
{
  (void)state;
  const char *in = "[connection]\nid=lan\ntype=ethernet\n\n[ipv4]\naddress1=10.0.0.5/24,10.0.0.1\n"
                   "route1=10.9.0.0/16,10.0.0.1\nroute1_options=onlink=true\ndns=10.0.0.1;\n"
                   "method=manual\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_nm_keyfile_rewrite(in, "lan.nmconnection", false, &m, ch);
  assert_string_equal(out, in);
  free(out);
  out = rh_nm_keyfile_rewrite(in, "lan.nmconnection", true, &m, ch);
  assert_string_equal(out, "[connection]\nid=lan\ntype=ethernet\n\n[ipv4]\n"
                           "#rehost-removed# address1=10.0.0.5/24,10.0.0.1\n"
                           "#rehost-removed# route1=10.9.0.0/16,10.0.0.1\n"
                           "#rehost-removed# route1_options=onlink=true\ndns=10.0.0.1;\nmethod=auto\n");
  assert_int_equal(m.n, 0);
  assert_int_equal(m.hits, 2);
  free(out);
  /* bound by name: the same rule for the route's options */
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\ninterface-name=ens3\n[ipv4]\n"
                              "route2=10.8.0.0/16\nroute2_options=mtu=1400\nmethod=manual\n",
                              "b.nmconnection", true, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\n#rehost-removed# interface-name=ens3\n"
                           "[ipv4]\n#rehost-removed# route2=10.8.0.0/16\n"
                           "#rehost-removed# route2_options=mtu=1400\nmethod=auto\n");
  free(out);
  /* NetworkManager 1.14's [match] globs: widened to ethN, bound or not; a
   * negated list is left as it is */
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\n[match]\ninterface-name=ens*;enp*;\n",
                              "c.nmconnection", false, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\n[match]\ninterface-name=ens*;enp*;eth*;\n");
  char *again = rh_nm_keyfile_rewrite(out, "c.nmconnection", false, &m, NULL);
  assert_string_equal(again, out);
  free(again);
  free(out);
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\ninterface-name=ens3\n[match]\n"
                              "interface-name=en*\n", "d.nmconnection", false, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\ninterface-name=eth0\n[match]\n"
                           "interface-name=en*;eth*\n");
  free(out);
  const char *neg = "[connection]\ntype=ethernet\n[match]\ninterface-name=!ens3;\n";
  out = rh_nm_keyfile_rewrite(neg, "e.nmconnection", false, &m, ch);
  assert_string_equal(out, neg);
  free(out);
  json_object_put(ch);
}

/* A NIC the guest names itself by MAC (udev NAME=, a .link file's Name=):
 * "lan0" is a NIC like ens192, bound to ethN in every stack, and the same
 * NIC as its MAC elsewhere; the .link file's naming goes, other .link files
 * stay. A rule for lo, a kernel-style name or a malformed MAC is no rule. */
static void naming_rules(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  rh_nic_rules_read(&m,
                    "# written by hand\n"
                    "SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"52:54:00:AA:00:01\", NAME=\"lan0\"\n"
                    "SUBSYSTEM==\"net\", ATTR{address}==\"52:54:00:aa:00:09\", NAME=\"eth3\"\n"
                    "SUBSYSTEM==\"net\", ATTR{address}==\"52:54:00:aa:00\", NAME=\"short\"\n"
                    "SUBSYSTEM==\"net\", ATTR{address}==\"52:54:00:aa:00:08\", ENV{NAME}=\"env\"\n"
                    "#SUBSYSTEM==\"net\", ATTR{address}==\"52:54:00:aa:00:07\", NAME=\"old0\"\n",
                    "/etc/udev/rules.d/70-names.rules");
  const char *link = "[Match]\nMACAddress=52:54:00:aa:00:02\n\n[Link]\nName=wan\nMTUBytes=9000\n";
  rh_nic_rules_read(&m, link, "/etc/systemd/network/10-wan.link");
  rh_nic_rules_read(&m, "[Match]\nOriginalName=eth*\n[Link]\nName=x0\n", "/etc/systemd/network/20.link");
  assert_int_equal(m.nrules, 2);
  assert_true(rh_nic_map_is_nic(&m, "lan0"));
  assert_true(rh_nic_map_is_nic(&m, "lan0.100"));
  assert_true(rh_nic_map_is_nic(&m, "wan"));
  assert_false(rh_nic_map_is_nic(&m, "short"));
  assert_false(rh_nic_map_is_nic(&m, "old0"));
  assert_false(rh_nic_map_is_nic(&m, "x0"));
  assert_false(rh_nic_map_is_nic(&m, "lan"));
  json_object *ch = json_object_new_array();
  char *out = rh_ifupdown_rename("auto lan0\niface lan0 inet dhcp\nauto lan0.100\n", "i", &m, ch);
  assert_string_equal(out, "auto eth0\niface eth0 inet dhcp\nauto eth0.100\n");
  free(out);
  /* the same NIC found by its MAC: the same name */
  out = rh_networkd_rewrite("[Match]\nMACAddress=52:54:00:aa:00:01\n[Network]\nDHCP=yes\n", "a.network",
                            false, &m, ch);
  assert_string_equal(out, "[Match]\nName=eth0\n[Network]\nDHCP=yes\n");
  free(out);
  out = rh_netplan_rewrite("network:\n  ethernets:\n    wan:\n      dhcp4: true\n", "/etc/netplan/1.yaml",
                           false, &m, ch);
  assert_string_equal(out, "network:\n  ethernets:\n    wan:\n      match:\n        name: eth1\n"
                           "      dhcp4: true\n");
  free(out);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.mac[0], "52:54:00:aa:00:01");
  out = rh_link_file_rewrite(link, "/etc/systemd/network/10-wan.link", ch);
  assert_string_equal(out, "[Match]\nMACAddress=52:54:00:aa:00:02\n\n[Link]\n"
                           "#rehost-removed# Name=wan\nMTUBytes=9000\n");
  char *again = rh_link_file_rewrite(out, "x.link", NULL);
  assert_string_equal(again, out);
  free(again);
  free(out);
  const char *other = "[Match]\nOriginalName=eth*\n[Link]\nName=x0";
  out = rh_link_file_rewrite(other, "/etc/systemd/network/20.link", ch);
  assert_string_equal(out, other);
  free(out);
  json_object_put(ch);
}

/* /etc/hosts after DHCP: the lines giving the names an address that went */
static void hosts_after_dhcp(void **state)
{
  (void)state;
  char *gone[] = {"10.0.2.15", "fd00::15", NULL};
  const char *in = "127.0.0.1\tlocalhost\n"
                   "10.0.2.15\tweb01.example.com web01 # the web server\n"
                   "10.0.2.150 other\n"
                   "# 10.0.2.15 web01\n"
                   "fd00::15 web01\n"
                   "10.0.2.15\n"
                   "10.0.2.15 # no names\n"
                   "  10.0.2.15  db01";
  json_object *ch = json_object_new_array();
  char *out = rh_hosts_rewrite(in, gone, ch);
  assert_string_equal(out, "127.0.0.1\tlocalhost\n"
                           "#rehost-removed# 10.0.2.15\tweb01.example.com web01 # the web server\n"
                           "127.0.1.1\tweb01.example.com web01 # the web server\n"
                           "10.0.2.150 other\n"
                           "# 10.0.2.15 web01\n"
                           "#rehost-removed# fd00::15 web01\n"
                           "127.0.1.1 web01\n"
                           "10.0.2.15\n"
                           "10.0.2.15 # no names\n"
                           "#rehost-removed#   10.0.2.15  db01\n"
                           "127.0.1.1  db01\n");
  assert_int_equal(json_object_array_length(ch), 3);
  char *again = rh_hosts_rewrite(out, gone, ch);
  assert_string_equal(again, out);
  assert_int_equal(json_object_array_length(ch), 3);
  free(again);
  free(out);
  char *none[] = {NULL};
  out = rh_hosts_rewrite(in, none, ch);
  assert_string_equal(out, in);
  free(out);
  json_object_put(ch);
}

/* resolv.conf's servers: the keyword at the start of a line only, as glibc
 * reads it; comments and other keywords skipped; what does not fit whole is
 * left out */
static void resolv_nameservers(void **state)
{
  (void)state;
  char out[64];
  assert_true(rh_resolv_nameservers("# generated\nsearch example.com\nnameserver 10.0.0.53\n"
                                    "nameserver\tfd00::53 # second\n ;nameserver 1.1.1.1\n"
                                    "  nameserver 9.9.9.9\nnameservers 8.8.8.8\nnameserver 10.0.0.54",
                                    out, sizeof out));
  assert_string_equal(out, "10.0.0.53 fd00::53 10.0.0.54");
  assert_false(rh_resolv_nameservers("search example.com\n#nameserver 10.0.0.53\nnameserver\n", out,
                                     sizeof out));
  assert_string_equal(out, "");
  assert_false(rh_resolv_nameservers("", out, sizeof out));
  char small[12];
  assert_true(rh_resolv_nameservers("nameserver 10.0.0.53\nnameserver 10.0.0.54\n", small,
                                    sizeof small));
  assert_string_equal(small, "10.0.0.53");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hosts_after_dhcp),
      cmocka_unit_test(resolv_nameservers),
      cmocka_unit_test(physical_names),
      cmocka_unit_test(map_is_stable_by_name_or_mac),
      cmocka_unit_test(ifupdown_predictable_name_renamed),
      cmocka_unit_test(ifupdown_rename_is_stable),
      cmocka_unit_test(networkd_mac_match_keep_static),
      cmocka_unit_test(networkd_name_match_to_dhcp),
      cmocka_unit_test(nm_keyfile),
      cmocka_unit_test(ifcfg),
      cmocka_unit_test(networkd_glob_and_type),
      cmocka_unit_test(nm_keyfile_unbound_and_route_options),
      cmocka_unit_test(naming_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
