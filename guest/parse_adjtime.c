#include "guestconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* adjtime(5): line 1 "DRIFT LAST_ADJ_SECS 0", line 2 "LAST_CALIB_SECS",
 * line 3 "UTC" or "LOCAL" (absent means UTC). */
json_object *rh_adjtime_parse(const char *text)
{
  json_object *o = json_object_new_object();
  double drift = 0;
  long long last = 0;
  char mode[16] = "UTC";
  bool valid = false;
  if (text) {
    char l1[256] = "", l2[256] = "", l3[256] = "";
    const char *p = text;
    char *lines[3] = {l1, l2, l3};
    for (int i = 0; i < 3 && *p; i++) {
      const char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      if (n >= sizeof l1) n = sizeof l1 - 1;
      memcpy(lines[i], p, n);
      lines[i][n] = 0;
      p = nl ? nl + 1 : p + strlen(p);
    }
    valid = sscanf(l1, "%lf %lld", &drift, &last) == 2;
    if (!isfinite(drift)) { /* "nan", "inf": not a drift, and not JSON either */
      drift = 0;
      valid = false;
    }
    char word[16];
    if (sscanf(l3, "%15s", word) == 1) {
      if (strcmp(word, "LOCAL") == 0 || strcmp(word, "UTC") == 0) snprintf(mode, sizeof mode, "%s", word);
      else valid = false;
    }
  }
  json_object_object_add(o, "drift", json_object_new_double(drift));
  json_object_object_add(o, "last_adjust", json_object_new_int64(last));
  json_object_object_add(o, "mode", json_object_new_string(mode));
  json_object_object_add(o, "valid", json_object_new_boolean(valid));
  return o;
}
