/* Unit tests for SUSE's wicked configuration (finalize/net_wicked.c): an
 * ifcfg file is named for its interface, so binding the NIC renames the
 * file; bonds, bridges and VLANs have the NICs they name renamed; with dhcp
 * a static NIC (or its bond or bridge) becomes dhcp and the default routes
 * go; exact output text, and a second pass (a second finalize, with a fresh
 * map) changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../finalize/net_edits.h"

#define DIR "/etc/sysconfig/network/"

/* the edit of FILE's text, its new path (or NULL) in *to; the same edit of
 * that output under its new name, with a fresh map, must leave the text as
 * it is */
static char *wicked(const char *text, const char *file, bool dhcp, struct rh_nic_map *m,
                    json_object *ch, char **to)
{
  char *out = rh_wicked_rewrite(text, file, dhcp, m, ch, to);
  assert_non_null(out);
  struct rh_nic_map fresh = {0};
  char *to2 = NULL;
  char *again = rh_wicked_rewrite(out, *to ? *to : file, dhcp, &fresh, NULL, &to2);
  assert_string_equal(again, out);
  free(to2);
  free(again);
  return out;
}

static void static_nic_keep_and_dhcp(void **state)
{
  (void)state;
  const char *in = "BOOTPROTO='static'\nSTARTMODE='auto'\nIPADDR='10.0.0.5/24'\n"
                   "IPADDR_1='10.0.0.6'\nNETMASK_1='255.255.255.0'\nLABEL_1='1'\n"
                   "LLADDR='00:50:56:aa:bb:cc'\nMTU='1500'\n# a comment naming IPADDR=x\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *to = NULL;
  char *out = wicked(in, DIR "ifcfg-ens192", false, &m, ch, &to);
  assert_string_equal(out, "BOOTPROTO='static'\nSTARTMODE='auto'\nIPADDR='10.0.0.5/24'\n"
                           "IPADDR_1='10.0.0.6'\nNETMASK_1='255.255.255.0'\nLABEL_1='1'\n"
                           "#rehost-removed# LLADDR='00:50:56:aa:bb:cc'\nMTU='1500'\n"
                           "# a comment naming IPADDR=x\n");
  assert_string_equal(to, DIR "ifcfg-eth0");
  free(out);
  free(to);
  /* the same NIC again, with dhcp: the same new name */
  out = wicked(in, DIR "ifcfg-ens192", true, &m, ch, &to);
  assert_string_equal(out, "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n#rehost-removed# IPADDR='10.0.0.5/24'\n"
                           "#rehost-removed# IPADDR_1='10.0.0.6'\n"
                           "#rehost-removed# NETMASK_1='255.255.255.0'\n#rehost-removed# LABEL_1='1'\n"
                           "#rehost-removed# LLADDR='00:50:56:aa:bb:cc'\nMTU='1500'\n"
                           "# a comment naming IPADDR=x\n");
  assert_string_equal(to, DIR "ifcfg-eth0");
  free(out);
  free(to);
  /* an address and no BOOTPROTO (static is wicked's default) */
  out = wicked("IPADDR=10.1.1.1/16\n", DIR "ifcfg-enp0s3", true, &m, ch, &to);
  assert_string_equal(out, "#rehost-removed# IPADDR=10.1.1.1/16\nBOOTPROTO='dhcp'\n");
  assert_string_equal(to, DIR "ifcfg-eth1");
  free(out);
  free(to);
  /* dhcp already, and already named eth2's way: nothing to do but its name */
  out = wicked("BOOTPROTO='dhcp4'\n", DIR "ifcfg-eth0", true, &m, ch, &to);
  assert_string_equal(out, "BOOTPROTO='dhcp4'\n");
  assert_string_equal(to, DIR "ifcfg-eth2");
  free(out);
  free(to);
  json_object_put(ch);
}

static void bond_bridge_vlan(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *to = NULL;
  /* a port: renamed, its BOOTPROTO none kept even with dhcp */
  const char *port = "BOOTPROTO='none'\nSTARTMODE='hotplug'\n";
  char *out = wicked(port, DIR "ifcfg-ens192", true, &m, ch, &to);
  assert_string_equal(out, port);
  assert_string_equal(to, DIR "ifcfg-eth0");
  free(out);
  free(to);
  /* the bond keeps its name; its ports are renamed, in either quoting and
   * numbering; with dhcp it asks DHCP (the address was on it, not on the
   * NIC), with keep it keeps its address */
  const char *bond = "BONDING_MASTER='yes'\nBONDING_SLAVE0='ens192'\nBONDING_SLAVE_1=\"ens224\"\n"
                     "BOOTPROTO='static'\nIPADDR='10.0.0.5/24'\n";
  out = wicked(bond, DIR "ifcfg-bond0", true, &m, ch, &to);
  assert_string_equal(out, "BONDING_MASTER='yes'\nBONDING_SLAVE0='eth0'\nBONDING_SLAVE_1=\"eth1\"\n"
                           "BOOTPROTO='dhcp'\n#rehost-removed# IPADDR='10.0.0.5/24'\n");
  assert_null(to);
  free(out);
  out = wicked(bond, DIR "ifcfg-bond0", false, &m, ch, &to);
  assert_string_equal(out, "BONDING_MASTER='yes'\nBONDING_SLAVE0='eth0'\nBONDING_SLAVE_1=\"eth1\"\n"
                           "BOOTPROTO='static'\nIPADDR='10.0.0.5/24'\n");
  free(out);
  out = wicked("BRIDGE='yes'\nBRIDGE_PORTS='ens192 ens224 tap0'\n", DIR "ifcfg-br0", true, &m, ch, &to);
  assert_string_equal(out, "BRIDGE='yes'\nBRIDGE_PORTS='eth0 eth1 tap0'\n");
  assert_null(to);
  free(out);
  /* a bridge with no NIC in it (a VM host's) keeps its static address */
  const char *host = "BRIDGE='yes'\nBRIDGE_PORTS='tap0 vnet1'\nBOOTPROTO='static'\nIPADDR='192.168.122.1/24'\n";
  out = wicked(host, DIR "ifcfg-br9", true, &m, ch, &to);
  assert_string_equal(out, host);
  assert_null(to);
  free(out);
  /* a bridge over the NIC with a static address: DHCP, BOOTPROTO added */
  out = wicked("BRIDGE='yes'\nBRIDGE_PORTS='ens192'\nIPADDR='10.0.0.7/24'\n", DIR "ifcfg-br1", true, &m, ch, &to);
  assert_string_equal(out, "BRIDGE='yes'\nBRIDGE_PORTS='eth0'\n#rehost-removed# IPADDR='10.0.0.7/24'\n"
                           "BOOTPROTO='dhcp'\n");
  free(out);
  /* a VLAN on the NIC, named after it: renamed with its tag; with dhcp its
   * address goes (the target passes no tags), with keep it stays */
  const char *vlan = "ETHERDEVICE='ens192'\nVLAN_ID='100'\nBOOTPROTO='static'\nIPADDR='10.5.0.5/24'\n";
  out = wicked(vlan, DIR "ifcfg-ens192.100", true, &m, ch, &to);
  assert_string_equal(out, "ETHERDEVICE='eth0'\nVLAN_ID='100'\nBOOTPROTO='none'\n"
                           "#rehost-removed# IPADDR='10.5.0.5/24'\n");
  assert_string_equal(to, DIR "ifcfg-eth0.100");
  free(out);
  free(to);
  out = wicked(vlan, DIR "ifcfg-ens192.100", false, &m, ch, &to);
  assert_string_equal(out, "ETHERDEVICE='eth0'\nVLAN_ID='100'\nBOOTPROTO='static'\nIPADDR='10.5.0.5/24'\n");
  free(out);
  free(to);
  /* a member list too long to rewrite is left as it is */
  char longer[700] = "BRIDGE='yes'\nBRIDGE_PORTS='ens192";
  for (size_t n = strlen(longer); n < 600; n = strlen(longer)) strcat(longer, " tap0");
  strcat(longer, "'\n");
  out = wicked(longer, DIR "ifcfg-br1", true, &m, ch, &to);
  assert_string_equal(out, longer);
  assert_null(to);
  free(out);
  /* a VLAN with a name of its own keeps it */
  out = wicked("ETHERDEVICE='ens192'\n", DIR "ifcfg-vlan7", true, &m, ch, &to);
  assert_string_equal(out, "ETHERDEVICE='eth0'\n");
  assert_null(to);
  free(out);
  json_object_put(ch);
}

static void left_alone(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *to = NULL;
  const char *files[] = {DIR "ifcfg-lo", DIR "ifcfg-ens192.bak", DIR "ifcfg-ens192~",
                         DIR "ifcfg-ens192.rpmsave", DIR "ifcfg-wlan0", DIR "ifcfg-"};
  const char *in = "BOOTPROTO='static'\nIPADDR='10.0.0.5/24'\nLLADDR='00:50:56:aa:bb:cc'\n";
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char *out = rh_wicked_rewrite(in, files[i], true, &m, ch, &to);
    assert_string_equal(out, in);
    assert_null(to);
    free(out);
  }
  /* a tunnel named like a NIC is not one */
  char *out = rh_wicked_rewrite("TUNNEL='gre'\n", DIR "ifcfg-eth5", true, &m, ch, &to);
  assert_null(to);
  free(out);
  assert_int_equal(m.n, 0);
  assert_int_equal(json_object_array_length(ch), 0);
  json_object_put(ch);
}

static void routes(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *to = NULL;
  free(rh_wicked_rewrite("BOOTPROTO='dhcp'\n", DIR "ifcfg-ens192", true, &m, ch, &to));
  free(to);
  const char *in = "# destination gateway netmask interface\n"
                   "default 10.0.0.1 - -\n"
                   "0.0.0.0 10.0.0.1 0.0.0.0 ens192\n"
                   "10.1.0.0/16   10.0.0.2 -   ens192 unicast\n"
                   "10.2.0.0/16 10.0.0.3 - br0\n"
                   "10.3.0.0/16 10.0.0.4 - ens224\n";
  char *out = rh_wicked_routes_rewrite(in, DIR "routes", false, &m, ch, &to);
  assert_string_equal(out, "# destination gateway netmask interface\n"
                           "default 10.0.0.1 - -\n"
                           "0.0.0.0 10.0.0.1 0.0.0.0 eth0\n"
                           "10.1.0.0/16   10.0.0.2 -   eth0 unicast\n"
                           "10.2.0.0/16 10.0.0.3 - br0\n"
                           "10.3.0.0/16 10.0.0.4 - ens224\n");
  assert_null(to);
  assert_int_equal(m.n, 1); /* a route adds no NIC */
  free(out);
  out = rh_wicked_routes_rewrite(in, DIR "ifroute-ens192", true, &m, ch, &to);
  assert_string_equal(out, "# destination gateway netmask interface\n"
                           "#rehost-removed# default 10.0.0.1 - -\n"
                           "#rehost-removed# 0.0.0.0 10.0.0.1 0.0.0.0 ens192\n"
                           "10.1.0.0/16   10.0.0.2 -   eth0 unicast\n"
                           "10.2.0.0/16 10.0.0.3 - br0\n"
                           "10.3.0.0/16 10.0.0.4 - ens224\n");
  assert_string_equal(to, DIR "ifroute-eth0");
  free(to);
  char *to2 = NULL;
  char *again = rh_wicked_routes_rewrite(out, DIR "ifroute-eth0", true, &m, NULL, &to2);
  assert_string_equal(again, out);
  assert_null(to2);
  free(again);
  free(out);
  /* a NIC no ifcfg file configured: its route file keeps its name */
  out = rh_wicked_routes_rewrite("", DIR "ifroute-ens224", true, &m, ch, &to);
  assert_null(to);
  free(out);
  json_object_put(ch);
}

/* RHEL's route files beside ifcfg: "dev NAME" renamed, IPv4 default routes
 * dropped under dhcp (route- only), the ADDRESSn= form and backups left */
static void rhel_route_files(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  free(rh_ifcfg_rewrite("DEVICE=ens192\nBOOTPROTO=none\nIPADDR=10.0.0.5\nPREFIX=24\n",
                        "/etc/sysconfig/network-scripts/ifcfg-ens192", true, &m, ch));
  assert_int_equal(m.n, 1);
  const char *in = "# routes\n"
                   "default via 10.0.0.1 dev ens192\n"
                   "10.1.0.0/16 via 10.0.0.2 dev  ens192 metric 10\n"
                   "10.2.0.0/16 via 10.0.0.3 dev ens224\n"
                   "10.3.0.0/16 via 10.0.0.4\n"
                   "10.4.0.0/16 dev ens192.100 table 3\n";
  const char *rs = "/etc/sysconfig/network-scripts/route-ens192";
  char *out = rh_ifcfg_routes_rewrite(in, rs, false, &m, ch);
  assert_string_equal(out, "# routes\n"
                           "default via 10.0.0.1 dev eth0\n"
                           "10.1.0.0/16 via 10.0.0.2 dev  eth0 metric 10\n"
                           "10.2.0.0/16 via 10.0.0.3 dev ens224\n"
                           "10.3.0.0/16 via 10.0.0.4\n"
                           "10.4.0.0/16 dev eth0.100 table 3\n");
  assert_int_equal(m.n, 1); /* a route adds no NIC */
  char *again = rh_ifcfg_routes_rewrite(out, rs, false, &m, ch);
  assert_string_equal(again, out);
  free(again);
  free(out);
  out = rh_ifcfg_routes_rewrite(in, rs, true, &m, ch);
  assert_string_equal(out, "# routes\n"
                           "#rehost-removed# default via 10.0.0.1 dev ens192\n"
                           "10.1.0.0/16 via 10.0.0.2 dev  eth0 metric 10\n"
                           "10.2.0.0/16 via 10.0.0.3 dev ens224\n"
                           "10.3.0.0/16 via 10.0.0.4\n"
                           "10.4.0.0/16 dev eth0.100 table 3\n");
  again = rh_ifcfg_routes_rewrite(out, rs, true, &m, NULL);
  assert_string_equal(again, out);
  free(again);
  free(out);
  /* IPv6's default route stays; the other form and backups are left */
  out = rh_ifcfg_routes_rewrite("default via fe80::1 dev ens192\n",
                                "/etc/sysconfig/network-scripts/route6-ens192", true, &m, ch);
  assert_string_equal(out, "default via fe80::1 dev eth0\n");
  free(out);
  const char *kv = "ADDRESS0=0.0.0.0\nNETMASK0=0.0.0.0\nGATEWAY0=10.0.0.1\n";
  out = rh_ifcfg_routes_rewrite(kv, rs, true, &m, ch);
  assert_string_equal(out, kv);
  free(out);
  out = rh_ifcfg_routes_rewrite(in, "/etc/sysconfig/network-scripts/route-ens192.bak", true, &m, ch);
  assert_string_equal(out, in);
  free(out);
  json_object_put(ch);
}

/* a name the guest's udev rule gives a NIC by its MAC is a NIC's file */
static void udev_named(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  rh_nic_rules_read(&m,
                    "SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"00:50:56:00:01:92\", "
                    "NAME=\"lan0\"\n",
                    "/etc/udev/rules.d/70-persistent-net.rules");
  json_object *ch = json_object_new_array();
  char *to = NULL;
  char *out = rh_wicked_rewrite("BOOTPROTO='dhcp'\n", DIR "ifcfg-lan0", false, &m, ch, &to);
  assert_string_equal(to, DIR "ifcfg-eth0");
  assert_string_equal(m.mac[0], "00:50:56:00:01:92");
  free(out);
  free(to);
  json_object_put(ch);
}

/* a NIC with no address of its own, a VLAN over it: with dhcp the NIC
 * asks DHCP (the VLAN's address goes); a port of a bond stays as it is */
static void vlan_lower(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *to = NULL;
  const char *vlan = "ETHERDEVICE='ens192'\nVLAN_ID='100'\nIPADDR='10.5.0.5/24'\n";
  const char *nic = "BOOTPROTO='none'\nSTARTMODE='auto'\n";
  rh_wicked_note_links(&m, vlan, DIR "ifcfg-vlan100");
  rh_wicked_note_links(&m, nic, DIR "ifcfg-ens192");
  char *out = wicked(nic, DIR "ifcfg-ens192", true, &m, ch, &to);
  assert_string_equal(out, "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n");
  assert_string_equal(to, DIR "ifcfg-eth0");
  free(out);
  free(to);
  out = wicked(nic, DIR "ifcfg-ens224", true, &m, ch, &to);
  assert_string_equal(out, nic);
  free(out);
  free(to);
  out = wicked(vlan, DIR "ifcfg-vlan100", true, &m, ch, &to);
  assert_string_equal(out, "ETHERDEVICE='eth0'\nVLAN_ID='100'\n#rehost-removed# IPADDR='10.5.0.5/24'\n");
  assert_null(to);
  free(out);
  json_object_put(ch);
}

/* a bridge over a bond over the NIC: the bridge asks DHCP, the bond (a
 * port of the bridge) keeps BOOTPROTO none */
static void bridge_over_bond(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *to = NULL;
  const char *bond = "BONDING_MASTER='yes'\nBONDING_SLAVE0='ens192'\nBOOTPROTO='none'\n";
  const char *br = "BRIDGE='yes'\nBRIDGE_PORTS='bond0'\nBOOTPROTO='static'\nIPADDR='10.0.0.5/24'\n";
  for (int pass = 0; pass < 2; pass++) {
    rh_wicked_note_links(&m, br, DIR "ifcfg-br0");
    rh_wicked_note_links(&m, bond, DIR "ifcfg-bond0");
  }
  char *out = wicked(bond, DIR "ifcfg-bond0", true, &m, ch, &to);
  assert_string_equal(out, "BONDING_MASTER='yes'\nBONDING_SLAVE0='eth0'\nBOOTPROTO='none'\n");
  free(out);
  out = wicked(br, DIR "ifcfg-br0", true, &m, ch, &to);
  assert_string_equal(out, "BRIDGE='yes'\nBRIDGE_PORTS='bond0'\nBOOTPROTO='dhcp'\n#rehost-removed# IPADDR='10.0.0.5/24'\n");
  free(out);
  json_object_put(ch);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(static_nic_keep_and_dhcp),
      cmocka_unit_test(bond_bridge_vlan),
      cmocka_unit_test(left_alone),
      cmocka_unit_test(routes),
      cmocka_unit_test(udev_named),
      cmocka_unit_test(rhel_route_files),
      cmocka_unit_test(vlan_lower),
      cmocka_unit_test(bridge_over_bond),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
