/* Space-separated word lists in fixed buffers ("open-vm-tools vmware-tools"):
 * package names, paths, module names the finalize steps collect. */
#ifndef REHOST_WORDS_H
#define REHOST_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* WORD is one of LIST's words (whole words only: "vm" is not in "vmw vm-x"). */
bool rh_words_has(const char *list, const char *word);
/* S is one word: not empty, no white space, no control characters. */
bool rh_is_word(const char *s);
/* Add WORD to LIST (of size SZ) unless it is one of its words already.
 * False when it is not one word or would not fit (LIST is left as it was). */
bool rh_words_add(char *list, size_t sz, const char *word);

#endif
