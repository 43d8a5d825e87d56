/* Unit tests' readers of change records (the JSON array finalize's editors
 * append to): the action of record i, and whether any record has an action. */
#ifndef REHOST_TESTS_CHANGES_H
#define REHOST_TESTS_CHANGES_H

#include <json-c/json.h>
#include <stdbool.h>
#include <string.h>

static inline const char *action(json_object *changes, size_t i)
{
  json_object *v;
  json_object_object_get_ex(json_object_array_get_idx(changes, i), "action", &v);
  return json_object_get_string(v);
}

static inline bool has_action(json_object *changes, const char *act)
{
  for (size_t i = 0; i < json_object_array_length(changes); i++)
    if (!strcmp(action(changes, i), act)) return true;
  return false;
}

#endif
