/* Unit tests for network continuity through bonds, bridges and VLANs
 * (finalize/net_masters.c and each stack's editor): the NIC's configuration
 * follows the NIC, the addressing stays on (or with dhcp moves to) the
 * device above it; exact output text. */
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
      cmocka_unit_test(ifcfg_bond),
      cmocka_unit_test(nm_bond),
      cmocka_unit_test(networkd_bond),
      cmocka_unit_test(netplan_bond),
      cmocka_unit_test(vlans),
      cmocka_unit_test(bridge_over_bond),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
