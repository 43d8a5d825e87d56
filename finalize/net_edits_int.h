/* What the network rewriters (net_edits.c, net_netplan.c) share: the
 * output buffer, the marker of a removed line, the reasons given. */
#ifndef REHOST_NET_EDITS_INT_H
#define REHOST_NET_EDITS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define REMOVED "#rehost-removed# "
#define WHY_MAC "the target's NIC has another MAC; a MAC binding would match nothing"
#define WHY_NAME "the NIC's name changes on new hardware; ethN with net.ifnames=0 is stable"
#define WHY_DHCP "dhcp on the target (profile or --network dhcp)"

/* the new text, written through f into a malloc'd string */
struct out {
  char *s;
  size_t len;
  FILE *f;
};
bool rh_net_out_open(struct out *o);
/* the text (malloc'd), or NULL when writing it failed */
char *rh_net_out_done(struct out *o);
/* v's value: inside its quotes, else up to white space or a comment */
void rh_net_unquote(char *dst, size_t dstsz, const char *v);

#endif
