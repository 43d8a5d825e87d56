#include "json_get.h"

const char *rh_json_str(json_object *o, const char *key)
{
  json_object *v;
  if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}
