/* Strings that libxml2 returns (xmlGetProp, xmlNodeGetContent, ...) are
 * freed with its xmlFree, a variable holding its allocator's free. */
#ifndef REHOST_XML_STR_H
#define REHOST_XML_STR_H

#include <libxml/xmlstring.h>

/* v as a malloc'd C string (v freed), or NULL when v is NULL or memory runs out. */
char *rh_xml_take(xmlChar *v);
/* xmlFree(p). The lean rehost loads libxml2 on first use (lazy_load.h) and
 * cannot name the variable xmlFree, which would be copied into it at start. */
void rh_xml_free(void *p);

#endif
