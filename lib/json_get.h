/* Reading members of JSON objects that came from elsewhere (a profile, a
 * pair file, a scan report): a member of the wrong type is absent. */
#ifndef REHOST_JSON_GET_H
#define REHOST_JSON_GET_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* The string member `key` of `o`, or NULL when o is NULL, not an object,
 * has no such member, or the member is not a string (a number's text is
 * not taken for a string). The text belongs to o. */
const char *rh_json_str(json_object *o, const char *key);

/* Is s non-empty and made of ASCII letters, digits and the characters of
 * `extra` only? (Names that go into a guest's command line.) */
bool rh_json_valid_name(const char *s, const char *extra);

/* The string array member `k` of `o` as a NULL-terminated vector (*out,
 * malloc'd; an absent member gives an empty one): every element accepted
 * by rh_json_valid_name(extra), or with extra NULL any non-empty string
 * without whitespace. -1 with a message in err for anything else. */
int rh_json_strv(json_object *o, const char *k, const char *extra, char ***out, char *err,
                 size_t errsz);
void rh_strv_free(char **v);
size_t rh_strv_len(char *const *v);
/* In a key, value, key, value... vector (libguestfs's hashes: blkid's
 * answer, md_detail), the value of the first `key`, or NULL. */
const char *rh_strv_kv(char *const *kv, const char *key);

/* A JSON object from the file at path (at most 256 KiB), or NULL with the
 * reason in err (the line of a syntax error). */
json_object *rh_json_read_file(const char *path, char *err, size_t errsz);

#endif
