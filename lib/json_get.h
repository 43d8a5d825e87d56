/* Reading members of JSON objects that came from elsewhere (a profile, a
 * pair file, a scan report): a member of the wrong type is absent. */
#ifndef REHOST_JSON_GET_H
#define REHOST_JSON_GET_H

#include <json-c/json.h>

/* The string member `key` of `o`, or NULL when o is NULL, not an object,
 * has no such member, or the member is not a string (a number's text is
 * not taken for a string). The text belongs to o. */
const char *rh_json_str(json_object *o, const char *key);

#endif
