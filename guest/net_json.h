/* The JSON pieces the network-configuration parsers (parse_network.c,
 * parse_netplan.c) build the scan report's interfaces and MAC rules from. */
#ifndef REHOST_NET_JSON_H
#define REHOST_NET_JSON_H

#include <json-c/json.h>

void rh_json_set_str(json_object *o, const char *key, const char *val);
/* {name, file}: the start of an interface object */
json_object *rh_net_iface_new(const char *name, const char *file);
/* a NIC bound to a MAC: appends {file, mac, name} to macrules */
void rh_net_mac_rule(json_object *macrules, const char *file, const char *mac, const char *name);

#endif
