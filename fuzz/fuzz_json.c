/* libFuzzer: the JSON documents rehost reads: target profiles and the
 * source platforms' tools files, target
 * replication state, replication pair files, and what qemu-img says about an
 * image (map extents, bitmaps) - which a hostile image shapes; and the image
 * headers rehost reads itself (qcow2 header, VMDK descriptor); and a
 * target's block digest file (binary, checksummed). */
#include "../convert/image_header.h"
#include "../convert/bitmaps.h"
#include "../convert/image_map.h"
#include "../convert/target_digests.h"
#include "../convert/target_state.h"
#include "../profiles/profile.h"
#include "../profiles/source_tools.h"
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
  struct rh_source_tools st_tools;
  if (rh_source_tools_parse(text, &st_tools, err, sizeof err) == 0) rh_source_tools_free(&st_tools);
  struct rh_digests g;
  if (rh_digests_decode(data, size, &g, err, sizeof err) == 0) { /* what decodes re-encodes */
    unsigned char *buf;
    size_t len;
    struct rh_digests back;
    if (rh_digests_encode(&g, &buf, &len) == 0) {
      if (len != size || rh_digests_decode(buf, len, &back, err, sizeof err) != 0 || back.n != g.n)
        abort();
      rh_digests_free(&back);
      free(buf);
    }
    rh_digests_free(&g);
  }
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
  struct rh_image_map m;
  memset(&m, 0, sizeof m);
  if (rh_image_map_parse(text, &m) == 0) {
    uint64_t total = 0; /* the extents tile [0, size) */
    for (size_t i = 0; i < m.n; i++) {
      if (m.v[i].off != total) __builtin_trap();
      total += m.v[i].len;
    }
    if (total != m.size) __builtin_trap();
  }
  rh_image_map_free(&m);
  struct rh_bitmap_info *bm = NULL;
  int nb = rh_bitmaps_parse(text, &bm);
  for (int i = 0; i < nb; i++)
    if (!memchr(bm[i].name, 0, sizeof bm[i].name)) __builtin_trap();
  free(bm);
  struct rh_header h = {0};
  rh_header_parse_qcow2(data, size, &h);
  rh_header_free(&h);
  rh_header_parse_vmdk_text(text, "/nonexistent", &h);
  rh_header_free(&h);
  if (size >= 512) (void)rh_header_vhd_fixed_footer(data + size - 512, size);
  rh_header_parse_vhd(data, size, &h);
  rh_header_free(&h);
  free(text);
  return 0;
}
