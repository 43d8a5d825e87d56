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

static bool has_action(json_object *changes, const char *act)
{
  for (size_t i = 0; i < json_object_array_length(changes); i++) {
    json_object *v;
    json_object_object_get_ex(json_object_array_get_idx(changes, i), "action", &v);
    if (!strcmp(json_object_get_string(v), act)) return true;
  }
  return false;
}

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
  /* bound by MAC only, no DEVICE=: the name comes from the file name */
  out = rh_ifcfg_rewrite("HWADDR=\"00:50:56:00:00:01\"\nBOOTPROTO=dhcp\n", "/x/ifcfg-ens224", false,
                         &m, ch);
  assert_string_equal(out, "#rehost-removed# HWADDR=\"00:50:56:00:00:01\"\nBOOTPROTO=dhcp\nDEVICE=eth1\n");
  free(out);
  json_object_put(ch);
}

/* a bond over a NIC: with dhcp, the bond's addresses go and it asks DHCP;
 * the NIC (a port) is renamed and has no addressing to convert; a bridge
 * with no NIC in it keeps its static address */
static void ifcfg_bond(void **state)
{
  (void)state;
  const char *nic = "TYPE=Ethernet\nDEVICE=ens192\nMASTER=bond0\nSLAVE=yes\nBOOTPROTO=none\nONBOOT=yes\n";
  const char *bond = "DEVICE=bond0\nTYPE=Bond\nBONDING_MASTER=yes\nBOOTPROTO=none\n"
                     "IPADDR=10.0.0.5\nPREFIX=24\nGATEWAY=10.0.0.1\nONBOOT=yes\n";
  const char *bridge = "DEVICE=virbr9\nTYPE=Bridge\nBOOTPROTO=static\nIPADDR=192.168.122.1\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  rh_ifcfg_note_master(&m, bond, "/etc/sysconfig/network-scripts/ifcfg-bond0");
  rh_ifcfg_note_master(&m, bridge, "/etc/sysconfig/network-scripts/ifcfg-virbr9");
  assert_int_equal(m.nmasters, 0);
  rh_ifcfg_note_master(&m, nic, "/etc/sysconfig/network-scripts/ifcfg-ens192");
  assert_int_equal(m.nmasters, 1);
  assert_true(rh_nic_map_is_master(&m, "bond0"));
  char *out = rh_ifcfg_rewrite(bond, "/etc/sysconfig/network-scripts/ifcfg-bond0", true, &m, ch);
  assert_string_equal(out, "DEVICE=bond0\nTYPE=Bond\nBONDING_MASTER=yes\nBOOTPROTO=dhcp\n"
                           "#rehost-removed# IPADDR=10.0.0.5\n#rehost-removed# PREFIX=24\n"
                           "#rehost-removed# GATEWAY=10.0.0.1\nONBOOT=yes\n");
  free(out);
  out = rh_ifcfg_rewrite(bond, "/etc/sysconfig/network-scripts/ifcfg-bond0", false, &m, ch);
  assert_string_equal(out, bond);
  free(out);
  out = rh_ifcfg_rewrite(nic, "/etc/sysconfig/network-scripts/ifcfg-ens192", true, &m, ch);
  assert_string_equal(out, "TYPE=Ethernet\nDEVICE=eth0\nMASTER=bond0\nSLAVE=yes\nBOOTPROTO=none\nONBOOT=yes\n");
  free(out);
  out = rh_ifcfg_rewrite(bridge, "/etc/sysconfig/network-scripts/ifcfg-virbr9", true, &m, ch);
  assert_string_equal(out, bridge);
  free(out);
  /* a master without BOOTPROTO gets one */
  out = rh_ifcfg_rewrite("DEVICE=bond0\nIPADDR=10.0.0.5\n", "/x/ifcfg-bond0", true, &m, ch);
  assert_string_equal(out, "DEVICE=bond0\n#rehost-removed# IPADDR=10.0.0.5\nBOOTPROTO=dhcp\n");
  free(out);
  json_object_put(ch);
}

/* NetworkManager: a bond's port names it by UUID; with dhcp the bond's
 * profile goes to method=auto, the port is only renamed */
static void nm_bond(void **state)
{
  (void)state;
  const char *port = "[connection]\nid=bond0-port1\ntype=ethernet\ninterface-name=ens192\n"
                     "master=5b1c0de0-0000-4000-8000-000000000001\nslave-type=bond\n";
  const char *bond = "[connection]\nid=bond0\nuuid=5b1c0de0-0000-4000-8000-000000000001\n"
                     "type=bond\ninterface-name=bond0\n\n[ipv4]\nmethod=manual\n"
                     "address1=10.0.0.5/24,10.0.0.1\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  rh_nm_note_master(&m, bond);
  assert_int_equal(m.nmasters, 0);
  rh_nm_note_master(&m, port);
  assert_true(rh_nic_map_is_master(&m, "5b1c0de0-0000-4000-8000-000000000001"));
  char *out = rh_nm_keyfile_rewrite(bond, "/etc/NetworkManager/system-connections/bond0.nmconnection",
                                    true, &m, ch);
  assert_string_equal(out, "[connection]\nid=bond0\nuuid=5b1c0de0-0000-4000-8000-000000000001\n"
                           "type=bond\ninterface-name=bond0\n\n[ipv4]\nmethod=auto\n"
                           "#rehost-removed# address1=10.0.0.5/24,10.0.0.1\n");
  free(out);
  out = rh_nm_keyfile_rewrite(port, "/etc/NetworkManager/system-connections/port1.nmconnection",
                              true, &m, ch);
  assert_string_equal(out, "[connection]\nid=bond0-port1\ntype=ethernet\ninterface-name=eth0\n"
                           "master=5b1c0de0-0000-4000-8000-000000000001\nslave-type=bond\n");
  free(out);
  /* without dhcp the bond keeps its address */
  out = rh_nm_keyfile_rewrite(bond, "/etc/NetworkManager/system-connections/bond0.nmconnection",
                              false, &m, ch);
  assert_string_equal(out, bond);
  free(out);
  json_object_put(ch);
}

/* systemd-networkd: the NIC's .network puts it in bond0 (Bond=); with dhcp
 * bond0's .network asks DHCP and loses its addresses, the NIC's is only
 * rebound */
static void networkd_bond(void **state)
{
  (void)state;
  const char *port = "[Match]\nName=ens192\n\n[Network]\nBond=bond0\n";
  const char *bond = "[Match]\nName=bond0\n\n[Network]\nAddress=10.0.0.5/24\nGateway=10.0.0.1\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  rh_networkd_note_master(&m, bond);
  assert_int_equal(m.nmasters, 0);
  rh_networkd_note_master(&m, port);
  assert_true(rh_nic_map_is_master(&m, "bond0"));
  char *out = rh_networkd_rewrite(bond, "/etc/systemd/network/20-bond0.network", true, &m, ch);
  assert_string_equal(out, "[Match]\nName=bond0\n\n[Network]\n#rehost-removed# Address=10.0.0.5/24\n"
                           "#rehost-removed# Gateway=10.0.0.1\nDHCP=yes\n");
  free(out);
  out = rh_networkd_rewrite(port, "/etc/systemd/network/10-ens192.network", true, &m, ch);
  assert_string_equal(out, "[Match]\nName=eth0\n\n[Network]\nBond=bond0\n");
  free(out);
  out = rh_networkd_rewrite(bond, "/etc/systemd/network/20-bond0.network", false, &m, ch);
  assert_string_equal(out, bond);
  free(out);
  json_object_put(ch);
}

/* netplan: a bond over the NIC's id, and a bridge over that bond; with
 * dhcp the bridge (the top master) asks DHCP, the bond and the NIC's id
 * (ports) get no addressing, the NIC's id is bound; a bridge with no NIC
 * keeps its address. Masters may be in another file than their NIC. */
static void netplan_bond(void **state)
{
  (void)state;
  const char *nics = "network:\n  version: 2\n  ethernets:\n    ens192: {}  # port\n"
                     "    other:\n      match:\n        macaddress: 00:50:56:aa:bb:cc\n    unused: {}\n";
  const char *masters = "network:\n  bonds:\n    bond0:\n      interfaces: [ens192, \"other\"]\n"
                        "      parameters:\n        mode: active-backup\n"
                        "  bridges:\n    br0:\n      interfaces:\n      - bond0\n"
                        "      addresses: [10.0.0.5/24]\n      gateway4: 10.0.0.1\n"
                        "    virbr9:\n      interfaces: []\n      addresses:\n        - 192.168.122.1/24\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *texts[] = {(char *)masters, (char *)nics, NULL};
  rh_netplan_note_masters(&m, texts);
  assert_true(rh_nic_map_is_master(&m, "bond0"));
  assert_true(rh_nic_map_is_master(&m, "br0"));
  assert_false(rh_nic_map_is_master(&m, "virbr9"));
  assert_true(rh_nic_map_is_port(&m, "ens192"));
  assert_true(rh_nic_map_is_port(&m, "other"));
  assert_true(rh_nic_map_is_port(&m, "bond0"));
  assert_false(rh_nic_map_is_port(&m, "br0"));
  char *out = rh_netplan_rewrite(nics, "/etc/netplan/01-nics.yaml", true, &m, ch);
  assert_string_equal(out, "network:\n  version: 2\n  ethernets:\n    ens192:  # port\n      match:\n"
                           "        name: eth0\n    other:\n      match:\n"
                           "        name: eth1\n#rehost-removed#       match:\n"
                           "#rehost-removed#         macaddress: 00:50:56:aa:bb:cc\n    unused: {}\n");
  free(out);
  out = rh_netplan_rewrite(masters, "/etc/netplan/02-bond.yaml", true, &m, ch);
  assert_string_equal(out, "network:\n  bonds:\n    bond0:\n      interfaces: [ens192, \"other\"]\n"
                           "      parameters:\n        mode: active-backup\n"
                           "  bridges:\n    br0:\n      interfaces:\n      - bond0\n"
                           "#rehost-removed#       addresses: [10.0.0.5/24]\n"
                           "#rehost-removed#       gateway4: 10.0.0.1\n      dhcp4: true\n"
                           "    virbr9:\n      interfaces: []\n      addresses:\n        - 192.168.122.1/24\n");
  free(out);
  /* without dhcp the masters keep their addresses */
  out = rh_netplan_rewrite(masters, "/etc/netplan/02-bond.yaml", false, &m, ch);
  assert_string_equal(out, masters);
  free(out);
  json_object_put(ch);
}

/* finalize's netplan edit of its own output (a second finalize, with a
 * fresh NIC map) changes nothing */
static void assert_netplan_stable(const char *out)
{
  struct rh_nic_map m = {0};
  char *again = rh_netplan_rewrite(out, "/etc/netplan/01.yaml", false, &m, NULL);
  assert_string_equal(again, out);
  free(again);
}

static void netplan(void **state)
{
  (void)state;
  const char *in = "network:\n  version: 2\n  ethernets:\n"
                   "    lan:\n      match:\n        macaddress: \"00:50:56:aa:bb:cc\"\n"
                   "      set-name: ens192\n"
                   "      addresses:\n        - 10.0.0.5/24\n"
                   "      gateway4: 10.0.0.1\n"
                   "      nameservers:\n        addresses: [10.0.0.1]\n"
                   "  bridges:\n    br0:\n      interfaces: [lan]\n";
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_netplan_rewrite(in, "/etc/netplan/01.yaml", false, &m, ch);
  assert_string_equal(out, "network:\n  version: 2\n  ethernets:\n"
                           "    lan:\n      match:\n        name: eth0\n"
                           "#rehost-removed#       match:\n"
                           "#rehost-removed#         macaddress: \"00:50:56:aa:bb:cc\"\n"
                           "#rehost-removed#       set-name: ens192\n"
                           "      addresses:\n        - 10.0.0.5/24\n"
                           "      gateway4: 10.0.0.1\n"
                           "      nameservers:\n        addresses: [10.0.0.1]\n"
                           "  bridges:\n    br0:\n      interfaces: [lan]\n");
  /* a second finalize changes nothing (it used to add a second match) */
  assert_netplan_stable(out);
  free(out);
  m = (struct rh_nic_map){0};
  out = rh_netplan_rewrite("network:\n  ethernets:\n    ens192:\n      dhcp4: false\n"
                           "      addresses: [10.0.0.5/24]\n  version: 2\n",
                           "/etc/netplan/01.yaml", true, &m, ch);
  assert_string_equal(out, "network:\n  ethernets:\n    ens192:\n      match:\n        name: eth0\n"
                           "      dhcp4: true\n"
                           "#rehost-removed#       addresses: [10.0.0.5/24]\n  version: 2\n");
  free(out);
  json_object_put(ch);
}

/* flow style, an interface or the whole document: opened into block style
 * (the old line kept as a comment), then bound like any other; a second
 * finalize changes nothing */
static void netplan_flow_style(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_netplan_rewrite(
      "network:\n  ethernets:\n"
      "    lan: {match: {macaddress: \"00:50:56:aa:bb:cc\"}, set-name: ens192, addresses: [10.0.0.5/24], "
      "routes: [{to: default, via: 10.0.0.1}]}  # uplink\n  version: 2\n",
      "/etc/netplan/01.yaml", false, &m, ch);
  assert_string_equal(out, "network:\n  ethernets:\n"
                           "#rehost-removed#     lan: {match: {macaddress: \"00:50:56:aa:bb:cc\"}, "
                           "set-name: ens192, addresses: [10.0.0.5/24], routes: [{to: default, via: "
                           "10.0.0.1}]}  # uplink\n"
                           "    lan:\n      match:\n        name: eth0\n"
                           "#rehost-removed#       match:\n"
                           "#rehost-removed#         macaddress: \"00:50:56:aa:bb:cc\"\n"
                           "#rehost-removed#       set-name: ens192\n"
                           "      addresses: [10.0.0.5/24]\n"
                           "      routes:\n        - to: default\n          via: 10.0.0.1\n"
                           "  version: 2\n");
  assert_true(has_action(ch, "network-netplan-block"));
  assert_true(has_action(ch, "network-match-nic"));
  assert_false(has_action(ch, "network-unhandled"));
  assert_netplan_stable(out);
  free(out);
  m = (struct rh_nic_map){0};
  out = rh_netplan_rewrite("network: {version: 2, ethernets: {enp1s0: {dhcp4: no, addresses: [10.0.0.6/24]}}}\n",
                           "/etc/netplan/02.yaml", true, &m, ch);
  assert_string_equal(out, "#rehost-removed# network: {version: 2, ethernets: {enp1s0: {dhcp4: no, "
                           "addresses: [10.0.0.6/24]}}}\n"
                           "network:\n  version: 2\n  ethernets:\n    enp1s0:\n"
                           "      match:\n        name: eth0\n      dhcp4: true\n"
                           "#rehost-removed#       addresses: [10.0.0.6/24]\n");
  free(out);
  json_object_put(ch);
}

/* an entry of any length is one entry: its MAC match after 300 routes is
 * still dropped and the id bound (the rewriter once cut an entry at 256
 * lines, and read the rest as lines outside it) */
static void netplan_long_entry(void **state)
{
  (void)state;
  char *in = NULL, *want = NULL;
  size_t inlen = 0, wantlen = 0;
  FILE *fi = open_memstream(&in, &inlen), *fw = open_memstream(&want, &wantlen);
  fputs("network:\n  ethernets:\n    lan:\n      routes:\n", fi);
  fputs("network:\n  ethernets:\n    lan:\n      match:\n        name: eth0\n      routes:\n", fw);
  for (int i = 0; i < 300; i++) {
    fprintf(fi, "        - to: 10.%d.%d.0/24\n          via: 10.0.0.1\n", i / 256, i % 256);
    fprintf(fw, "        - to: 10.%d.%d.0/24\n          via: 10.0.0.1\n", i / 256, i % 256);
  }
  fputs("      match:\n        macaddress: 00:50:56:aa:bb:cc\n  version: 2\n", fi);
  fputs("#rehost-removed#       match:\n#rehost-removed#         macaddress: 00:50:56:aa:bb:cc\n"
        "  version: 2\n", fw);
  fclose(fi);
  fclose(fw);
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_netplan_rewrite(in, "/etc/netplan/01.yaml", false, &m, ch);
  assert_string_equal(out, want);
  assert_netplan_stable(out);
  free(out);
  free(in);
  free(want);
  json_object_put(ch);
}

/* the layout netplan itself writes (NetworkManager's netplan backend,
 * `netplan set`) and PyYAML writes (cloud-init): a list at its key's own
 * indent ("addresses:\n      - ..."). A dropped key takes its items with it,
 * where they used to be left behind under the wrong key (netplan then
 * rejects the file: no network). NetworkManager settings netplan passes
 * through as written go too when they would undo the binding or the dhcp. */
static void netplan_indentless_lists(void **state)
{
  (void)state;
  const char *in = "network:\n  version: 2\n  ethernets:\n"
                   "    NM-ff9d6ebc-226d-4f82-a485-b7ff83b9607f:\n"
                   "      renderer: NetworkManager\n"
                   "      match:\n        macaddress: \"00:11:22:33:44:55\"\n"
                   "      addresses:\n      - \"1.2.3.4/24\"\n      - \"5.6.7.8/16\"\n"
                   "      nameservers:\n        addresses:\n        - 9.8.7.6\n"
                   "      routes:\n      - to: \"default\"\n        via: \"1.2.3.1\"\n"
                   "      wakeonlan: true\n"
                   "      networkmanager:\n        uuid: \"ff9d6ebc-226d-4f82-a485-b7ff83b9607f\"\n"
                   "        name: \"Wired\"\n        passthrough:\n"
                   "          connection.interface-name: \"ens192\"\n"
                   "          ipv4.method: \"manual\"\n"
                   "          ipv4.address1: \"1.2.3.4/24,1.2.3.1\"\n"
                   "          ipv4.route1_options: \"onlink=true\"\n"
                   "          ipv4.dns-search: \"example.com\"\n";
  const char *head = "network:\n  version: 2\n  ethernets:\n"
                     "    NM-ff9d6ebc-226d-4f82-a485-b7ff83b9607f:\n"
                     "      match:\n        name: eth0\n"
                     "      renderer: NetworkManager\n"
                     "#rehost-removed#       match:\n#rehost-removed#         macaddress: \"00:11:22:33:44:55\"\n";
  const char *keep_tail = "      addresses:\n      - \"1.2.3.4/24\"\n      - \"5.6.7.8/16\"\n"
                          "      nameservers:\n        addresses:\n        - 9.8.7.6\n"
                          "      routes:\n      - to: \"default\"\n        via: \"1.2.3.1\"\n"
                          "      wakeonlan: true\n"
                          "      networkmanager:\n        uuid: \"ff9d6ebc-226d-4f82-a485-b7ff83b9607f\"\n"
                          "        name: \"Wired\"\n        passthrough:\n"
                          "#rehost-removed#           connection.interface-name: \"ens192\"\n"
                          "          ipv4.method: \"manual\"\n"
                          "          ipv4.address1: \"1.2.3.4/24,1.2.3.1\"\n"
                          "          ipv4.route1_options: \"onlink=true\"\n"
                          "          ipv4.dns-search: \"example.com\"\n";
  const char *dhcp_tail = "#rehost-removed#       addresses:\n#rehost-removed#       - \"1.2.3.4/24\"\n"
                          "#rehost-removed#       - \"5.6.7.8/16\"\n"
                          "      nameservers:\n        addresses:\n        - 9.8.7.6\n"
                          "#rehost-removed#       routes:\n#rehost-removed#       - to: \"default\"\n"
                          "#rehost-removed#         via: \"1.2.3.1\"\n"
                          "      wakeonlan: true\n"
                          "      networkmanager:\n        uuid: \"ff9d6ebc-226d-4f82-a485-b7ff83b9607f\"\n"
                          "        name: \"Wired\"\n        passthrough:\n"
                          "#rehost-removed#           connection.interface-name: \"ens192\"\n"
                          "#rehost-removed#           ipv4.method: \"manual\"\n"
                          "#rehost-removed#           ipv4.address1: \"1.2.3.4/24,1.2.3.1\"\n"
                          "#rehost-removed#           ipv4.route1_options: \"onlink=true\"\n"
                          "          ipv4.dns-search: \"example.com\"\n"
                          "      dhcp4: true\n";
  for (int dhcp = 0; dhcp < 2; dhcp++) {
    struct rh_nic_map m = {0};
    json_object *ch = json_object_new_array();
    char *out = rh_netplan_rewrite(in, "/etc/netplan/90-NM-ff9d6ebc.yaml", dhcp, &m, ch);
    char want[4096];
    snprintf(want, sizeof want, "%s%s", head, dhcp ? dhcp_tail : keep_tail);
    assert_string_equal(out, want);
    assert_true(has_action(ch, "network-match-nic"));
    assert_int_equal(has_action(ch, "network-dhcp"), dhcp);
    assert_netplan_stable(out);
    free(out);
    json_object_put(ch);
  }
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

/* netplan: an id matched by a glob of the source's names keeps its match,
 * widened to every Ethernet name the target may use; with dhcp its
 * addresses and routes go */
static void netplan_glob(void **state)
{
  (void)state;
  const char *in = "network:\n  version: 2\n  ethernets:\n    lan:\n      match:\n"
                   "        name: \"en*\"\n      addresses:\n      - 10.0.2.15/24\n"
                   "      routes:\n      - to: default\n        via: 10.0.2.2\n";
  for (int dhcp = 0; dhcp < 2; dhcp++) {
    struct rh_nic_map m = {0};
    json_object *ch = json_object_new_array();
    char *out = rh_netplan_rewrite(in, "/etc/netplan/01.yaml", dhcp, &m, ch);
    assert_string_equal(out, dhcp ? "network:\n  version: 2\n  ethernets:\n    lan:\n      match:\n"
                                    "        name: \"e*\"\n"
                                    "#rehost-removed#       addresses:\n"
                                    "#rehost-removed#       - 10.0.2.15/24\n"
                                    "#rehost-removed#       routes:\n"
                                    "#rehost-removed#       - to: default\n"
                                    "#rehost-removed#         via: 10.0.2.2\n"
                                    "      dhcp4: true\n"
                                  : "network:\n  version: 2\n  ethernets:\n    lan:\n      match:\n"
                                    "        name: \"e*\"\n      addresses:\n      - 10.0.2.15/24\n"
                                    "      routes:\n      - to: default\n        via: 10.0.2.2\n");
    assert_int_equal(m.n, 0);
    assert_int_equal(m.hits, 1);
    assert_true(has_action(ch, "network-match-nic"));
    assert_netplan_stable(out);
    struct rh_nic_map m2 = {0};
    char *again = rh_netplan_rewrite(out, "/etc/netplan/01.yaml", dhcp, &m2, NULL);
    assert_string_equal(again, out);
    free(again);
    free(out);
    json_object_put(ch);
  }
  /* a glob for no Ethernet NIC, and one that matches eth0 (kept as it is) */
  struct rh_nic_map m = {0};
  const char *wl = "network:\n  wifis:\n    w:\n      match:\n        name: \"wl*\"\n"
                   "  ethernets:\n    x:\n      match:\n        name: \"br*\"\n      dhcp4: false\n";
  char *out = rh_netplan_rewrite(wl, "/etc/netplan/02.yaml", true, &m, NULL);
  assert_string_equal(out, wl);
  free(out);
  const char *e = "network:\n  ethernets:\n    all:\n      match:\n        name: e*\n      dhcp4: true\n";
  out = rh_netplan_rewrite(e, "/etc/netplan/03.yaml", true, &m, NULL);
  assert_string_equal(out, e);
  free(out);
  assert_int_equal(m.hits, 1);
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

/* Driver= / Path= (networkd) and match driver (netplan) bind the source's
 * hardware (vmxnet3, ixgbe): a file bound by nothing else is for any
 * Ethernet NIC now; beside a name, MAC or glob they just go */
static void driver_bindings(void **state)
{
  (void)state;
  struct rh_nic_map m = {0};
  json_object *ch = json_object_new_array();
  char *out = rh_networkd_rewrite("[Match]\nDriver=vmxnet3\nPath=pci-0000:0b:00.0\n[Network]\n"
                                  "Address=10.0.0.2/24\n", "d.network", false, &m, ch);
  assert_string_equal(out, "[Match]\nType=ether\n#rehost-removed# Path=pci-0000:0b:00.0\n[Network]\n"
                           "Address=10.0.0.2/24\n");
  char *again = rh_networkd_rewrite(out, "d.network", false, &m, NULL);
  assert_string_equal(again, out);
  free(again);
  free(out);
  out = rh_networkd_rewrite("[Match]\nName=ens192\nDriver=vmxnet3\n[Network]\nDHCP=yes\n", "n.network",
                            false, &m, ch);
  assert_string_equal(out, "[Match]\nName=eth0\n#rehost-removed# Driver=vmxnet3\n[Network]\nDHCP=yes\n");
  free(out);
  out = rh_networkd_rewrite("[Match]\nName=en*\nDriver=ixgbe\n[Network]\nDHCP=yes\n", "g.network",
                            true, &m, ch);
  assert_string_equal(out, "[Match]\nName=en* eth*\n#rehost-removed# Driver=ixgbe\n[Network]\nDHCP=yes\n");
  free(out);
  assert_int_equal(m.n, 1);
  /* NetworkManager's [match] driver= and path=, unbound or beside a name */
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\n[match]\ndriver=vmxnet3;\n"
                              "path=pci-0000:0b:00.0\n[ipv4]\nmethod=auto\n",
                              "w.nmconnection", false, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\n[match]\n#rehost-removed# driver=vmxnet3;\n"
                           "#rehost-removed# path=pci-0000:0b:00.0\n[ipv4]\nmethod=auto\n");
  again = rh_nm_keyfile_rewrite(out, "w.nmconnection", false, &m, NULL);
  assert_string_equal(again, out);
  free(again);
  free(out);
  out = rh_nm_keyfile_rewrite("[connection]\ntype=ethernet\ninterface-name=ens192\n[match]\n"
                              "driver=vmxnet3\n", "n.nmconnection", false, &m, ch);
  assert_string_equal(out, "[connection]\ntype=ethernet\ninterface-name=eth0\n[match]\n"
                           "#rehost-removed# driver=vmxnet3\n");
  free(out);
  /* a bridge's is not ours */
  const char *nmbr = "[connection]\ntype=bridge\ninterface-name=br0\n[match]\ndriver=bridge\n";
  out = rh_nm_keyfile_rewrite(nmbr, "b.nmconnection", false, &m, ch);
  assert_string_equal(out, nmbr);
  free(out);
  assert_int_equal(m.n, 1);
  const char *np = "network:\n  ethernets:\n    ports:\n      match:\n        driver: ixgbe\n"
                   "      dhcp4: true\n    lan:\n      match:\n        driver:\n        - e1000e\n"
                   "        - igb\n        name: \"eno*\"\n      dhcp4: true\n";
  out = rh_netplan_rewrite(np, "/etc/netplan/01.yaml", false, &m, ch);
  assert_string_equal(out, "network:\n  ethernets:\n    ports:\n      match:\n"
                           "#rehost-removed#         driver: ixgbe\n        name: \"e*\"\n"
                           "      dhcp4: true\n    lan:\n      match:\n"
                           "#rehost-removed#         driver:\n#rehost-removed#         - e1000e\n"
                           "#rehost-removed#         - igb\n        name: \"e*\"\n      dhcp4: true\n");
  assert_netplan_stable(out);
  free(out);
  /* a driver beside a name that is no NIC: not ours */
  const char *br = "network:\n  ethernets:\n    x:\n      match:\n        name: br0\n        driver: virtio_net\n";
  out = rh_netplan_rewrite(br, "/etc/netplan/02.yaml", false, &m, ch);
  assert_string_equal(out, br);
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

/* VLANs over the NIC, in each stack: with keep, each keeps its address and
 * follows the NIC's new name (ifcfg's DEVICE=ens192.100 keeps its tag,
 * PHYSDEV= and NetworkManager's parent= are renamed); with dhcp, its static
 * addressing goes (a cloud passes no tags) and the device below it asks
 * DHCP, even with no address of its own. A VLAN over no NIC is left. */
static void vlans(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  const char *ifc_nic = "DEVICE=ens192\nTYPE=Ethernet\nBOOTPROTO=none\n";
  const char *ifc_vlan = "DEVICE=ens192.100\nVLAN=yes\nBOOTPROTO=none\nIPADDR=10.0.0.5\nGATEWAY=10.0.0.1\n";
  const char *ifc_nmvlan = "DEVICE=vlan200\nTYPE=Vlan\nPHYSDEV=ens192\nBOOTPROTO=static\nIPADDR=10.0.1.5\n";
  for (int dhcp = 0; dhcp < 2; dhcp++) {
    struct rh_nic_map m = {0};
    char *out = rh_ifcfg_rewrite(ifc_vlan, "/x/ifcfg-ens192.100", dhcp, &m, ch);
    assert_string_equal(out, dhcp ? "DEVICE=eth0.100\nVLAN=yes\nBOOTPROTO=none\n#rehost-removed# IPADDR=10.0.0.5\n"
                                    "#rehost-removed# GATEWAY=10.0.0.1\n"
                                  : "DEVICE=eth0.100\nVLAN=yes\nBOOTPROTO=none\nIPADDR=10.0.0.5\nGATEWAY=10.0.0.1\n");
    free(out);
    out = rh_ifcfg_rewrite(ifc_nmvlan, "/x/ifcfg-vlan200", dhcp, &m, ch);
    assert_string_equal(out, dhcp ? "DEVICE=vlan200\nTYPE=Vlan\nPHYSDEV=eth0\nBOOTPROTO=none\n#rehost-removed# IPADDR=10.0.1.5\n"
                                  : "DEVICE=vlan200\nTYPE=Vlan\nPHYSDEV=eth0\nBOOTPROTO=static\nIPADDR=10.0.1.5\n");
    free(out);
    /* a VLAN over that VLAN (QinQ): its PHYSDEV keeps the tag */
    out = rh_ifcfg_rewrite("DEVICE=vlan300\nTYPE=Vlan\nPHYSDEV=ens192.100\nBOOTPROTO=none\n", "/x/ifcfg-vlan300",
                           dhcp, &m, ch);
    assert_string_equal(out, "DEVICE=vlan300\nTYPE=Vlan\nPHYSDEV=eth0.100\nBOOTPROTO=none\n");
    free(out);
    out = rh_ifcfg_rewrite(ifc_nic, "/x/ifcfg-ens192", dhcp, &m, ch);
    assert_string_equal(out, dhcp ? "DEVICE=eth0\nTYPE=Ethernet\nBOOTPROTO=dhcp\n" : "DEVICE=eth0\nTYPE=Ethernet\nBOOTPROTO=none\n");
    free(out);
    /* over a bridge with no NIC in it: left */
    const char *host = "DEVICE=virbr0.5\nVLAN=yes\nIPADDR=192.168.5.1\n";
    out = rh_ifcfg_rewrite(host, "/x/ifcfg-virbr0.5", dhcp, &m, ch);
    assert_string_equal(out, host);
    free(out);
  }
  /* NetworkManager: parent= by the NIC connection's UUID, or by name */
  const char *nm_nic = "[connection]\nid=lan\nuuid=0f0e0d0c-0000-4000-8000-000000000001\ntype=ethernet\n"
                       "[ethernet]\nmac-address=52:54:00:12:34:56\n[ipv4]\nmethod=disabled\n";
  const char *nm_vlan = "[connection]\nid=vlan100\ntype=vlan\n[vlan]\nid=100\n"
                        "parent=0f0e0d0c-0000-4000-8000-000000000001\n[ipv4]\nmethod=manual\n"
                        "address1=10.0.0.5/24,10.0.0.1\nroute-metric=50\n";
  const char *nm_byname = "[connection]\nid=v2\ntype=vlan\n[vlan]\nparent=ens224\n[ipv4]\nmethod=manual\n"
                          "address1=10.0.1.5/24\n";
  const char *nm_other = "[connection]\nid=v3\ntype=vlan\n[vlan]\nparent=virbr0\n[ipv4]\nmethod=manual\n"
                         "address1=10.0.2.5/24\n";
  for (int dhcp = 0; dhcp < 2; dhcp++) {
    struct rh_nic_map m = {0};
    for (int pass = 0; pass < 2; pass++) { /* as finalize runs the pre-scan */
      rh_nm_note_master(&m, nm_vlan);
      rh_nm_note_master(&m, nm_nic);
    }
    char *out = rh_nm_keyfile_rewrite(nm_vlan, "/x/vlan100.nmconnection", dhcp, &m, ch);
    assert_string_equal(out, dhcp ? "[connection]\nid=vlan100\ntype=vlan\n[vlan]\nid=100\n"
                                    "parent=0f0e0d0c-0000-4000-8000-000000000001\n[ipv4]\nmethod=disabled\n"
                                    "#rehost-removed# address1=10.0.0.5/24,10.0.0.1\nroute-metric=50\n"
                                  : nm_vlan);
    free(out);
    out = rh_nm_keyfile_rewrite(nm_byname, "/x/v2.nmconnection", dhcp, &m, ch);
    assert_string_equal(out, dhcp ? "[connection]\nid=v2\ntype=vlan\n[vlan]\nparent=eth0\n[ipv4]\n"
                                    "method=disabled\n#rehost-removed# address1=10.0.1.5/24\n"
                                  : "[connection]\nid=v2\ntype=vlan\n[vlan]\nparent=eth0\n[ipv4]\nmethod=manual\n"
                                    "address1=10.0.1.5/24\n");
    free(out);
    out = rh_nm_keyfile_rewrite(nm_other, "/x/v3.nmconnection", dhcp, &m, ch);
    assert_string_equal(out, nm_other);
    free(out);
  }
  /* systemd-networkd: the NIC's .network names its VLANs */
  struct rh_nic_map m = {0};
  const char *nd_nic = "[Match]\nName=ens192\n[Network]\nVLAN=vlan100 vlan101\n";
  const char *nd_vlan = "[Match]\nName=vlan100\n[Network]\nAddress=10.0.0.5/24\nGateway=10.0.0.1\n";
  rh_networkd_note_master(&m, nd_nic);
  rh_networkd_note_vlans(&m, nd_vlan);
  rh_networkd_note_vlans(&m, nd_nic);
  assert_true(rh_nic_map_is_vlan(&m, "vlan101"));
  char *out = rh_networkd_rewrite(nd_vlan, "/x/20-vlan100.network", true, &m, ch);
  assert_string_equal(out, "[Match]\nName=vlan100\n[Network]\n#rehost-removed# Address=10.0.0.5/24\n"
                           "#rehost-removed# Gateway=10.0.0.1\n");
  free(out);
  out = rh_networkd_rewrite(nd_vlan, "/x/20-vlan100.network", false, &m, ch);
  assert_string_equal(out, nd_vlan);
  free(out);
  /* netplan: a VLAN's link is the NIC's id; one over a bridge of no NIC is left */
  memset(&m, 0, sizeof m);
  const char *np = "network:\n  ethernets:\n    ens192: {}\n  vlans:\n    vlan100:\n      id: 100\n"
                   "      link: ens192\n      addresses: [10.0.0.5/24]\n      routes:\n"
                   "        - to: default\n          via: 10.0.0.1\n    vlan7:\n      id: 7\n"
                   "      link: virbr0\n      addresses: [10.1.1.1/24]\n";
  char *texts[] = {(char *)np, NULL};
  rh_netplan_note_masters(&m, texts);
  out = rh_netplan_rewrite(np, "/etc/netplan/01.yaml", true, &m, ch);
  assert_string_equal(out, "network:\n  ethernets:\n    ens192:\n      match:\n        name: eth0\n"
                           "      dhcp4: true\n  vlans:\n    vlan100:\n      id: 100\n      link: ens192\n"
                           "#rehost-removed#       addresses: [10.0.0.5/24]\n#rehost-removed#       routes:\n"
                           "#rehost-removed#         - to: default\n#rehost-removed#           via: 10.0.0.1\n"
                           "    vlan7:\n      id: 7\n      link: virbr0\n      addresses: [10.1.1.1/24]\n");
  free(out);
  /* ifupdown: by name (ens192.100) or vlan-raw-device; the raw device's
   * manual stanza asks DHCP */
  memset(&m, 0, sizeof m);
  const char *ifu = "auto ens192\niface ens192 inet manual\nauto ens192.100\niface ens192.100 inet static\n"
                    "  address 10.0.0.5/24\n  gateway 10.0.0.1\niface vlan7 inet static\n"
                    "  vlan-raw-device ens224\n  address 10.0.7.5/24\n";
  /* ens224 has its stanza in another file */
  char *ifu_texts[] = {(char *)ifu, "iface ens224 inet manual\n", NULL};
  rh_ifupdown_note_vlans(&m, ifu_texts);
  out = rh_ifupdown_rewrite(ifu, "/etc/network/interfaces", true, true, &m, ch);
  assert_string_equal(out, "auto ens192\niface ens192 inet dhcp\nauto ens192.100\niface ens192.100 inet manual\n"
                           "#rehost-removed#   address 10.0.0.5/24\n#rehost-removed#   gateway 10.0.0.1\n"
                           "iface vlan7 inet manual\n  vlan-raw-device ens224\n#rehost-removed#   address 10.0.7.5/24\n");
  free(out);
  out = rh_ifupdown_rewrite(ifu_texts[1], "/etc/network/interfaces.d/ens224", true, true, &m, ch);
  assert_string_equal(out, "iface ens224 inet dhcp\n");
  free(out);
  /* Debian's VLAN example: no stanza for the raw device in any file; the
   * VLAN's file gets one, once, and the rename binds it */
  memset(&m, 0, sizeof m);
  const char *deb = "auto eth0.100\niface eth0.100 inet static\n  address 10.0.0.5/24\n"
                    "auto vlan7\niface vlan7 inet static\n  vlan-raw-device ens224\n  address 10.0.7.5/24\n";
  char *deb_texts[] = {(char *)deb, "auto lo\niface lo inet loopback\n", NULL};
  rh_ifupdown_note_vlans(&m, deb_texts);
  out = rh_ifupdown_rewrite(deb, "/etc/network/interfaces", true, true, &m, ch);
  char *named = rh_ifupdown_rename(out, "/etc/network/interfaces", &m, ch);
  assert_string_equal(named, "auto eth0.100\niface eth0.100 inet manual\n#rehost-removed#   address 10.0.0.5/24\n"
                             "auto vlan7\niface vlan7 inet manual\n  vlan-raw-device eth1\n"
                             "#rehost-removed#   address 10.0.7.5/24\n\nauto eth0\niface eth0 inet dhcp\n"
                             "\nauto eth1\niface eth1 inet dhcp\n");
  free(out);
  free(named);
  out = rh_ifupdown_rewrite(deb, "/etc/network/interfaces", true, true, &m, ch);
  assert_null(strstr(out, "inet dhcp")); /* once */
  free(out);
  /* a VLAN over a bond: the bond's manual stanza asks DHCP */
  memset(&m, 0, sizeof m);
  const char *bond = "auto bond0\niface bond0 inet manual\n  bond-slaves ens192\nauto bond0.100\n"
                     "iface bond0.100 inet static\n  address 10.0.0.5/24\n";
  char *bond_texts[] = {(char *)bond, NULL};
  rh_ifupdown_note_vlans(&m, bond_texts);
  out = rh_ifupdown_rewrite(bond, "/etc/network/interfaces", true, true, &m, ch);
  assert_string_equal(out, "auto bond0\niface bond0 inet dhcp\n  bond-slaves ens192\nauto bond0.100\n"
                           "iface bond0.100 inet manual\n#rehost-removed#   address 10.0.0.5/24\n");
  free(out);
  /* with keep, nothing is added */
  memset(&m, 0, sizeof m);
  rh_ifupdown_note_vlans(&m, deb_texts);
  out = rh_ifupdown_rewrite(deb, "/etc/network/interfaces", false, true, &m, ch);
  assert_string_equal(out, deb);
  free(out);
  assert_true(has_action(ch, "network-dhcp"));
  json_object_put(ch);
}

/* A bridge over a bond over the NIC, in ifcfg, NetworkManager and
 * systemd-networkd: with dhcp the bridge (the top master) asks DHCP and
 * loses its addresses; the bond, a port of the bridge, is left as it is.
 * The pre-scan runs twice, as finalize runs it: the bond's file may be read
 * before the NIC's. */
static void bridge_over_bond(void **state)
{
  (void)state;
  json_object *ch = json_object_new_array();
  struct rh_nic_map m = {0};
  const char *nic = "DEVICE=ens192\nMASTER=bond0\nSLAVE=yes\n";
  const char *bond = "DEVICE=bond0\nTYPE=Bond\nBRIDGE=br0\nBOOTPROTO=none\n";
  const char *br = "DEVICE=br0\nTYPE=Bridge\nBOOTPROTO=static\nIPADDR=10.0.0.5\n";
  for (int pass = 0; pass < 2; pass++) {
    rh_ifcfg_note_master(&m, bond, "/x/ifcfg-bond0");
    rh_ifcfg_note_master(&m, br, "/x/ifcfg-br0");
    rh_ifcfg_note_master(&m, nic, "/x/ifcfg-ens192");
  }
  assert_true(rh_nic_map_is_master(&m, "br0"));
  char *out = rh_ifcfg_rewrite(bond, "/x/ifcfg-bond0", true, &m, ch);
  assert_string_equal(out, bond);
  free(out);
  out = rh_ifcfg_rewrite(br, "/x/ifcfg-br0", true, &m, ch);
  assert_string_equal(out, "DEVICE=br0\nTYPE=Bridge\nBOOTPROTO=dhcp\n#rehost-removed# IPADDR=10.0.0.5\n");
  free(out);
  /* NetworkManager: the bond names its bridge by UUID */
  memset(&m, 0, sizeof m);
  const char *nm_nic = "[connection]\nid=p1\ntype=ethernet\ninterface-name=ens192\nmaster=bond0\nslave-type=bond\n";
  const char *nm_bond = "[connection]\nid=bond0\ntype=bond\ninterface-name=bond0\n"
                        "master=7b1c0de0-0000-4000-8000-000000000002\nslave-type=bridge\n";
  const char *nm_br = "[connection]\nid=br0\nuuid=7b1c0de0-0000-4000-8000-000000000002\ntype=bridge\n"
                      "interface-name=br0\n[ipv4]\nmethod=manual\naddress1=10.0.0.5/24\n";
  for (int pass = 0; pass < 2; pass++) {
    rh_nm_note_master(&m, nm_bond);
    rh_nm_note_master(&m, nm_br);
    rh_nm_note_master(&m, nm_nic);
  }
  out = rh_nm_keyfile_rewrite(nm_bond, "/x/bond0.nmconnection", true, &m, ch);
  assert_string_equal(out, nm_bond);
  free(out);
  out = rh_nm_keyfile_rewrite(nm_br, "/x/br0.nmconnection", true, &m, ch);
  assert_string_equal(out, "[connection]\nid=br0\nuuid=7b1c0de0-0000-4000-8000-000000000002\ntype=bridge\n"
                           "interface-name=br0\n[ipv4]\nmethod=auto\n#rehost-removed# address1=10.0.0.5/24\n");
  free(out);
  /* systemd-networkd */
  memset(&m, 0, sizeof m);
  const char *nd_nic = "[Match]\nName=ens192\n[Network]\nBond=bond0\n";
  const char *nd_bond = "[Match]\nName=bond0\n[Network]\nBridge=br0\n";
  const char *nd_br = "[Match]\nName=br0\n[Network]\nAddress=10.0.0.5/24\n";
  for (int pass = 0; pass < 2; pass++) {
    rh_networkd_note_master(&m, nd_bond);
    rh_networkd_note_master(&m, nd_nic);
  }
  out = rh_networkd_rewrite(nd_bond, "/x/bond0.network", true, &m, ch);
  assert_string_equal(out, nd_bond);
  free(out);
  out = rh_networkd_rewrite(nd_br, "/x/br0.network", true, &m, ch);
  assert_string_equal(out, "[Match]\nName=br0\n[Network]\n#rehost-removed# Address=10.0.0.5/24\nDHCP=yes\n");
  free(out);
  json_object_put(ch);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hosts_after_dhcp),
      cmocka_unit_test(resolv_nameservers),
      cmocka_unit_test(vlans),
      cmocka_unit_test(bridge_over_bond),
      cmocka_unit_test(physical_names),
      cmocka_unit_test(map_is_stable_by_name_or_mac),
      cmocka_unit_test(ifupdown_predictable_name_renamed),
      cmocka_unit_test(ifupdown_rename_is_stable),
      cmocka_unit_test(networkd_mac_match_keep_static),
      cmocka_unit_test(networkd_name_match_to_dhcp),
      cmocka_unit_test(nm_keyfile),
      cmocka_unit_test(ifcfg),
      cmocka_unit_test(netplan),
      cmocka_unit_test(netplan_flow_style),
      cmocka_unit_test(netplan_long_entry),
      cmocka_unit_test(netplan_indentless_lists),
      cmocka_unit_test(networkd_glob_and_type),
      cmocka_unit_test(nm_keyfile_unbound_and_route_options),
      cmocka_unit_test(netplan_glob),
      cmocka_unit_test(naming_rules),
      cmocka_unit_test(driver_bindings),
      cmocka_unit_test(ifcfg_bond),
      cmocka_unit_test(nm_bond),
      cmocka_unit_test(networkd_bond),
      cmocka_unit_test(netplan_bond),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
