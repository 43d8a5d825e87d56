#include "words.h"

#include <stdio.h>
#include <string.h>

bool rh_words_has(const char *list, const char *word)
{
  size_t n = strlen(word);
  if (!n) return false;
  for (const char *p = list; (p = strstr(p, word)); p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n])) return true;
  return false;
}

bool rh_is_word(const char *s)
{
  for (const char *c = s; *c; c++)
    if ((unsigned char)*c <= ' ' || *c == 0x7f) return false;
  return s[0] != 0;
}

bool rh_words_add(char *list, size_t sz, const char *word)
{
  size_t n = strlen(word), l = strlen(list);
  if (!rh_is_word(word)) return false;
  if (rh_words_has(list, word)) return true;
  if (l + (l ? 1 : 0) + n >= sz) return false;
  snprintf(list + l, sz - l, "%s%s", l ? " " : "", word);
  return true;
}
