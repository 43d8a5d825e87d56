/* rh_xml_free for every build but the lean rehost, whose own (lazy_libs.c)
 * comes first: this file is only linked in when nothing else defines it. */
#include "xml_str.h"

#include <libxml/globals.h>

void rh_xml_free(void *p)
{
  xmlFree(p);
}
