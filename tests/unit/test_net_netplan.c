/* Unit tests for netplan's editor (finalize/net_netplan.c): the YAML in
 * block, flow and netplan's own indentless style, each NIC's entry bound to
 * the target's NIC or, with dhcp, to every Ethernet NIC; exact output text,
 * and a second finalize changes nothing; a NIC bound by its driver (netplan
 * and systemd-networkd). */
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
                   "          ipv4.dns-search: \"example.com\"\n"
                   "          ipv6.method: \"manual\"\n"
                   "          ipv6.address1: \"fd00::5/64\"\n"
                   "          ipv6.addr-gen-mode: \"stable-privacy\"\n";
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
                          "          ipv4.dns-search: \"example.com\"\n"
                          "          ipv6.method: \"manual\"\n"
                          "          ipv6.address1: \"fd00::5/64\"\n"
                          "          ipv6.addr-gen-mode: \"stable-privacy\"\n";
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
                          "#rehost-removed#           ipv6.method: \"manual\"\n"
                          "#rehost-removed#           ipv6.address1: \"fd00::5/64\"\n"
                          "          ipv6.addr-gen-mode: \"stable-privacy\"\n"
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

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(netplan),
      cmocka_unit_test(netplan_flow_style),
      cmocka_unit_test(netplan_long_entry),
      cmocka_unit_test(netplan_indentless_lists),
      cmocka_unit_test(netplan_glob),
      cmocka_unit_test(driver_bindings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
