/* libFuzzer: the JSON documents rehost reads back: target profiles, target
 * replication state, replication pair files. */
#include "../convert/target_state.h"
#include "../profiles/profile.h"
#include "../virt/pairs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  char err[256];
  struct rh_profile p;
  if (rh_profile_parse(text, &p, err, sizeof err) == 0) rh_profile_free(&p);
  struct rh_target_state st;
  if (rh_tstate_parse(text, &st, err, sizeof err) == 0) {
    char *again = rh_tstate_format(&st); /* what parses serialises */
    free(again);
  }
  rh_tstate_free(&st);
  struct rh_pair pr;
  if (rh_pair_parse(text, &pr, err, sizeof err) == 0) {
    free(rh_pair_format(&pr));
    rh_pair_free(&pr);
  }
  free(text);
  return 0;
}
