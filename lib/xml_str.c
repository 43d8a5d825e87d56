#include "xml_str.h"

#include <stdlib.h>
#include <string.h>

char *rh_xml_take(xmlChar *v)
{
  char *s = v ? strdup((const char *)v) : NULL;
  rh_xml_free(v);
  return s;
}
