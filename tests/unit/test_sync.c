/* Unit tests for the sync engine: extent maps, work plans, mode choice,
 * target state files, bitmap listing, disk identity, and a real run of the
 * engine over raw files served by qemu-nbd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../convert/bitmaps.h"
#include "../../convert/extents.h"
#include "../../convert/image_map.h"
#include "../../convert/nbd_server.h"
#include "../../convert/replicate.h"
#include "../../convert/sync_engine.h"
#include "../../convert/target_digests.h"
#include "../../convert/target_state.h"
#include "../../lib/exitcodes.h"
#include "../../lib/page_cache.h"

#define MiB (1024u * 1024u)

static void extents_merge_and_query(void **state)
{
  (void)state;
  struct rh_extents e = {0};
  assert_int_equal(rh_extents_append(&e, 0, 4096, 0), 0);
  assert_int_equal(rh_extents_append(&e, 4096, 4096, 0), 0); /* merged */
  assert_int_equal(rh_extents_append(&e, 8192, 8192, RH_EXT_ZERO | RH_EXT_HOLE), 0);
  assert_int_equal(rh_extents_append(&e, 100, 1, 0), -1); /* out of order */
  assert_int_equal(e.n, 2);
  assert_int_equal(rh_extents_end(&e), 16384);
  assert_true(rh_extents_all(&e, 8192, 8192, RH_EXT_ZERO));
  assert_false(rh_extents_all(&e, 4096, 8192, RH_EXT_ZERO));
  assert_false(rh_extents_all(&e, 8192, 16384, RH_EXT_ZERO)); /* past the end */
  assert_true(rh_extents_any(&e, 0, 16384, RH_EXT_ZERO));
  assert_false(rh_extents_any(&e, 0, 8192, RH_EXT_ZERO));
  assert_int_equal(rh_extents_bytes(&e, RH_EXT_ZERO), 8192);
  rh_extents_free(&e);
}

static void plan_compare_kinds(void **state)
{
  (void)state;
  /* 4 chunks of 1 MiB: src data|zero|data|zero, tgt data|data|zero|zero, 0.5 MiB tail */
  struct rh_extents s = {0}, t = {0};
  uint64_t size = 4 * MiB + MiB / 2;
  rh_extents_append(&s, 0, MiB, 0);
  rh_extents_append(&s, MiB, MiB, RH_EXT_ZERO);
  rh_extents_append(&s, 2 * MiB, MiB, 0);
  rh_extents_append(&s, 3 * MiB, MiB + MiB / 2, RH_EXT_ZERO);
  rh_extents_append(&t, 0, 2 * MiB, 0);
  rh_extents_append(&t, 2 * MiB, 2 * MiB, RH_EXT_ZERO);
  rh_extents_append(&t, 4 * MiB, MiB / 2, 0);
  struct rh_plan p = {0};
  assert_int_equal(rh_plan_compare(&s, &t, size, 65536, MiB, &p), 0);
  assert_int_equal(p.n, 4);
  assert_int_equal(p.v[0].kind, RH_WORK_COMPARE);
  assert_int_equal(p.v[1].kind, RH_WORK_CLEAR);
  assert_int_equal(p.v[2].kind, RH_WORK_FILL);
  assert_int_equal(p.v[3].off, 4 * MiB); /* chunk 3 skipped: zero on both sides */
  assert_int_equal(p.v[3].len, MiB / 2);
  assert_int_equal(p.v[3].kind, RH_WORK_CLEAR);
  assert_int_equal(p.bytes, 3 * MiB + MiB / 2);
  rh_plan_free(&p);
  rh_extents_free(&s);
  rh_extents_free(&t);
}

static void plan_compare_splits_sparse_chunks(void **state)
{
  (void)state;
  /* one 1 MiB chunk: the source has data in block 3 only (and a byte of
   * block 5); the target holds data everywhere but block 15 */
  const uint64_t B = 65536;
  struct rh_extents s = {0}, t = {0};
  rh_extents_append(&s, 0, 3 * B, RH_EXT_ZERO | RH_EXT_HOLE);
  rh_extents_append(&s, 3 * B, B, 0);
  rh_extents_append(&s, 4 * B, B + 4096, RH_EXT_ZERO | RH_EXT_HOLE);
  rh_extents_append(&s, 5 * B + 4096, 4096, 0);
  rh_extents_append(&s, 5 * B + 8192, MiB - 5 * B - 8192, RH_EXT_ZERO);
  rh_extents_append(&t, 0, 15 * B, 0);
  rh_extents_append(&t, 15 * B, B, RH_EXT_ZERO);
  struct rh_plan p = {0};
  assert_int_equal(rh_plan_compare(&s, &t, MiB, B, MiB, &p), 0);
  uint64_t want[][3] = {{0, 3 * B, RH_WORK_CLEAR},     {3 * B, B, RH_WORK_COMPARE},
                        {4 * B, B, RH_WORK_CLEAR},     {5 * B, B, RH_WORK_COMPARE},
                        {6 * B, 9 * B, RH_WORK_CLEAR}}; /* block 15: zero on both sides */
  assert_int_equal(p.n, 5);
  for (size_t i = 0; i < 5; i++) {
    assert_int_equal(p.v[i].off, want[i][0]);
    assert_int_equal(p.v[i].len, want[i][1]);
    assert_int_equal(p.v[i].kind, want[i][2]);
  }
  assert_int_equal(p.bytes, 15 * B);
  rh_plan_free(&p);
  /* a chunk with no zero on either side stays whole */
  rh_extents_free(&s);
  rh_extents_append(&s, 0, 2 * MiB, 0);
  rh_extents_free(&t);
  rh_extents_append(&t, 0, 2 * MiB, 0);
  assert_int_equal(rh_plan_compare(&s, &t, 2 * MiB, B, MiB, &p), 0);
  assert_int_equal(p.n, 2);
  assert_int_equal(p.v[1].len, MiB);
  assert_int_equal(rh_plan_compare(&s, &t, MiB, 0, MiB, &p), -1);
  rh_plan_free(&p);
  rh_extents_free(&s);
  rh_extents_free(&t);
}

static void plan_dirty_aligns_and_splits(void **state)
{
  (void)state;
  struct rh_extents d = {0};
  rh_extents_append(&d, 0, 1000, RH_EXT_DIRTY);         /* -> [0, 64K) */
  rh_extents_append(&d, 1000, 1000, 0);                  /* same block: merged, not repeated */
  rh_extents_append(&d, 2000, 100, RH_EXT_DIRTY);
  rh_extents_append(&d, 2100, 10 * MiB - 2100, 0);
  rh_extents_append(&d, 10 * MiB, 9 * MiB, RH_EXT_DIRTY); /* split in 4 MiB chunks */
  rh_extents_append(&d, 19 * MiB, 2 * MiB, 0);
  struct rh_plan p = {0};
  assert_int_equal(rh_plan_dirty(&d, 20 * MiB, 65536, 4 * MiB, &p), 0);
  assert_int_equal(p.n, 4);
  assert_int_equal(p.v[0].off, 0);
  assert_int_equal(p.v[0].len, 65536);
  assert_int_equal(p.v[1].off, 10 * MiB);
  assert_int_equal(p.v[1].len, 4 * MiB);
  assert_int_equal(p.v[3].off, 18 * MiB);
  assert_int_equal(p.v[3].len, MiB);
  assert_int_equal(p.bytes, 65536 + 9 * MiB);
  rh_plan_free(&p);
  /* clipped at the virtual size */
  assert_int_equal(rh_plan_dirty(&d, 10 * MiB + 100, 65536, 4 * MiB, &p), 0);
  assert_int_equal(p.v[p.n - 1].off + p.v[p.n - 1].len, 10 * MiB + 100);
  rh_plan_free(&p);
  assert_int_equal(rh_plan_dirty(&d, MiB, 0, MiB, &p), -1);
  rh_extents_free(&d);
}

static void choose_mode_rules(void **state)
{
  (void)state;
  char why[512];
  struct rh_mode_facts ok = {.target_exists = true, .state = RH_TS_CONSISTENT,
                             .source_qcow2 = true, .recorded_bitmap = "rehost-x-1",
                             .bitmap_present = true};
  assert_int_equal(rh_choose_mode(RH_MODE_AUTO, &ok, why, sizeof why), RH_MODE_BITMAP);
  assert_string_equal(why, "");
  assert_int_equal(rh_choose_mode(RH_MODE_COMPARE, &ok, why, sizeof why), RH_MODE_COMPARE);
  assert_int_equal(rh_choose_mode(RH_MODE_FULL, &ok, why, sizeof why), RH_MODE_FULL);

  struct rh_mode_facts f = ok;
  f.target_exists = false;
  assert_int_equal(rh_choose_mode(RH_MODE_BITMAP, &f, why, sizeof why), RH_MODE_FULL);
  assert_non_null(strstr(why, "does not exist"));

#define FALLS_BACK(field, value, needle)                                                    \
  do {                                                                                     \
    f = ok;                                                                                \
    f.field = value;                                                                       \
    assert_int_equal(rh_choose_mode(RH_MODE_BITMAP, &f, why, sizeof why), RH_MODE_COMPARE); \
    assert_non_null(strstr(why, needle));                                                  \
  } while (0)
  FALLS_BACK(state, RH_TS_SYNCING, "did not finish");
  FALLS_BACK(state, RH_TS_INCONSISTENT, "inconsistent");
  FALLS_BACK(state, RH_TS_NONE, "no replication state");
  FALLS_BACK(source_qcow2, false, "needs a qcow2 source");
  FALLS_BACK(recorded_bitmap, NULL, "no change-tracking generation");
  FALLS_BACK(bitmap_present, false, "has no bitmap rehost-x-1");
  FALLS_BACK(bitmap_in_use, true, "did not shut down cleanly");
  FALLS_BACK(bitmap_disabled, true, "is disabled");
  FALLS_BACK(size_changed, true, "size changed");
  FALLS_BACK(target_changed, true, "modified since the last sync");
  FALLS_BACK(identity_forced, true, "--force");
  f = ok;
  f.state = RH_TS_INCONSISTENT;
  f.state_reason = "bitmap sync interrupted at 2026-01-01T00:00:00Z";
  rh_choose_mode(RH_MODE_AUTO, &f, why, sizeof why);
  assert_non_null(strstr(why, "interrupted at 2026"));
  assert_int_equal(rh_repl_mode_parse("bitmap"), RH_MODE_BITMAP);
  assert_int_equal(rh_repl_mode_parse("fast"), -1);
}

static void tstate_roundtrip(void **state)
{
  (void)state;
  struct rh_target_state st = {0}, back;
  memcpy(st.id, "0123456789abcdef", 17);
  st.state = RH_TS_INCONSISTENT;
  rh_tstate_set(&st.reason, "compare sync failed \"quoted\"\n");
  rh_tstate_set(&st.src_path, "/srv/images/a b;$(x).qcow2");
  rh_tstate_set(&st.src_format, "qcow2");
  rh_tstate_set(&st.src_disk_id, "mbr:1234abcd");
  st.src_size = 3ull << 30;
  rh_tstate_set(&st.bitmap, "rehost-0123456789abcdef-7");
  st.generation = 7;
  st.tgt_mtime_ns = 1795429540983830989LL;
  rh_tstate_set(&st.last_mode, "bitmap");
  st.last_written = 65536;
  st.src_stamp = (struct rh_file_stamp){65024, 1114150, 67829872, 1796187455778558500LL,
                                        1796187455778558501LL};
  char *text = rh_tstate_format(&st);
  char err[256];
  assert_int_equal(rh_tstate_parse(text, &back, err, sizeof err), 0);
  assert_int_equal(back.state, RH_TS_INCONSISTENT);
  assert_string_equal(back.reason, st.reason);
  assert_string_equal(back.src_path, st.src_path);
  assert_int_equal(back.src_size, st.src_size);
  assert_string_equal(back.bitmap, st.bitmap);
  assert_int_equal(back.generation, 7);
  assert_int_equal(back.tgt_mtime_ns, st.tgt_mtime_ns);
  assert_int_equal(back.last_written, 65536);
  assert_true(rh_file_stamp_same(&back.src_stamp, &st.src_stamp));
  assert_int_equal(back.tgt_stamp.ino, 0); /* none recorded: none read back */
  assert_false(rh_file_stamp_same(&back.tgt_stamp, &back.tgt_stamp)); /* never "same" */
  struct rh_file_stamp moved = st.src_stamp;
  moved.ctime_ns++; /* chmod, utimes, any write: ctime moves */
  assert_false(rh_file_stamp_same(&st.src_stamp, &moved));
  free(text);
  rh_tstate_free(&st);
  rh_tstate_free(&back);
}

static void tstate_rejects_malformed(void **state)
{
  (void)state;
  struct rh_target_state st;
  char err[256];
  static const struct {
    const char *text, *needle;
  } bad[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[]", "not a JSON object"},
      {"{\"schema\":\"other/1\"}", "unknown schema"},
      {"{\"schema\":\"rehost.target/1\",\"state\":\"fine\",\"id\":\"0123456789abcdef\"}",
       "unknown state"},
      {"{\"schema\":\"rehost.target/1\",\"state\":\"consistent\",\"id\":\"../../etc\"}",
       "16 hex"},
      {"{\"schema\":\"rehost.target/1\",\"state\":\"consistent\",\"id\":\"0123456789abcdef\"}",
       "missing \"source\""},
      {"{\"schema\":\"rehost.target/1\",\"state\":\"consistent\",\"id\":\"0123456789abcdef\","
       "\"source\":{\"path\":5}}",
       "wrong type"},
      {"{\"schema\":\"rehost.target/1\",\"state\":\"consistent\",\"id\":\"0123456789abcdef\","
       "\"source\":{\"path\":\"/x\",\"virtual_size\":-1}}",
       "negative"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(rh_tstate_parse(bad[i].text, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, bad[i].needle));
  }
}

static void bitmaps_from_qemu_img_info(void **state)
{
  (void)state;
  const char *info =
      "{\"virtual-size\": 1073741824, \"format\": \"qcow2\", \"format-specific\": {\"type\": "
      "\"qcow2\", \"data\": {\"compat\": \"1.1\", \"bitmaps\": [{\"flags\": [\"auto\"], "
      "\"name\": \"rehost-aa-1\", \"granularity\": 65536}, {\"flags\": [\"in-use\", "
      "\"auto\"], \"name\": \"crashed\", \"granularity\": 131072}, {\"flags\": [], "
      "\"name\": \"disabled\", \"granularity\": 65536}]}}}";
  struct rh_bitmap_info *b = NULL;
  assert_int_equal(rh_bitmaps_parse(info, &b), 3);
  assert_string_equal(b[0].name, "rehost-aa-1");
  assert_false(b[0].in_use);
  assert_true(b[0].enabled);
  assert_true(b[1].in_use);
  assert_int_equal(b[1].granularity, 131072);
  assert_false(b[2].enabled);
  free(b);
  assert_int_equal(rh_bitmaps_parse("{\"format\":\"raw\"}", &b), 0);
  free(b);
  assert_int_equal(rh_bitmaps_parse("garbage", &b), -1);
  /* any number of bitmaps (a source with more than 64 once hid rehost's) */
  char *many = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&many, &len);
  fputs("{\"format\": \"qcow2\", \"format-specific\": {\"data\": {\"bitmaps\": [", m);
  for (int i = 0; i < 300; i++)
    fprintf(m, "%s{\"flags\": [\"auto\"], \"name\": \"b%d\", \"granularity\": 65536}",
            i ? ", " : "", i);
  fputs("]}}}", m);
  fclose(m);
  assert_int_equal(rh_bitmaps_parse(many, &b), 300);
  assert_string_equal(b[299].name, "b299");
  free(b);
  free(many);
}

static void disk_identity(void **state)
{
  (void)state;
  unsigned char buf[1024] = {0};
  char id[64];
  rh_disk_id(buf, sizeof buf, id, sizeof id);
  assert_string_equal(id, "none");
  buf[510] = 0x55;
  buf[511] = 0xaa;
  buf[446 + 8] = 0x80;
  rh_disk_id(buf, sizeof buf, id, sizeof id);
  assert_int_equal(strncmp(id, "mbr-table:", 10), 0);
  buf[440] = 0xef, buf[441] = 0xbe, buf[442] = 0xad, buf[443] = 0xde;
  rh_disk_id(buf, sizeof buf, id, sizeof id);
  assert_string_equal(id, "mbr:deadbeef");
  memcpy(buf + 512, "EFI PART", 8);
  for (int i = 0; i < 16; i++) buf[512 + 56 + i] = (unsigned char)i;
  rh_disk_id(buf, sizeof buf, id, sizeof id);
  assert_string_equal(id, "gpt:03020100-0504-0706-0809-0a0b0c0d0e0f");
  rh_disk_id(buf, 100, id, sizeof id); /* too short to hold anything */
  assert_string_equal(id, "none");
}

static void zero_detection(void **state)
{
  (void)state;
  static unsigned char b[65536];
  assert_true(rh_is_zero(b, sizeof b));
  assert_true(rh_is_zero(b, 3));
  b[65535] = 1;
  assert_false(rh_is_zero(b, sizeof b));
  b[65535] = 0;
  b[5] = 1;
  assert_false(rh_is_zero(b, 8));
  b[5] = 0;
}

static void write_at(int fd, const void *buf, size_t len, off_t off)
{
  assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
}

static int files_equal(const char *a, const char *b)
{
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int eq = fa && fb;
  while (eq) {
    int ca = fgetc(fa), cb = fgetc(fb);
    if (ca != cb) eq = 0;
    if (ca == EOF || cb == EOF) break;
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return eq;
}

/* how: VIA_NBD (both images read through their qemu-nbd), VIA_MAP (read
 * from the files through their maps), VIA_NBD_ODIRECT (through qemu-nbd
 * with O_DIRECT: --cache=none, as a cold source and every
 * target that takes it are served), VIA_MAP_ODIRECT (the maps, O_DIRECT:
 * a cold source), VIA_MAP_MMAP (the source read in place in its mapping: a
 * warm source) */
enum { VIA_NBD, VIA_MAP, VIA_NBD_ODIRECT, VIA_MAP_ODIRECT, VIA_MAP_MMAP };

/* Serve src and tgt (raw) by qemu-nbd, with O_DIRECT or not, and run one
 * compare sync with `threads` workers over them. */
static int sync_served(const char *src, const char *tgt, bool odirect, int threads,
                       const struct rh_image_map *sm, const struct rh_image_map *tm,
                       struct rh_digests *g, bool trusted, struct rh_sync_stats *st)
{
  static volatile sig_atomic_t cancel;
  struct rh_nbd_export se = {.path = src, .format = "raw", .readonly = true,
                             .connections = threads, .no_locking = true, .direct = odirect},
                       te = {.path = tgt, .format = "raw", .connections = threads,
                             .direct = odirect};
  struct rh_nbd_server ss, ts;
  assert_int_equal(rh_nbd_server_start(&se, &ss), 0);
  assert_int_equal(rh_nbd_server_start(&te, &ts), 0);
  struct rh_sync_opts o = {RH_SYNC_COMPARE, 65536, MiB, threads, NULL, &cancel,
                           sm, tm, false, g, trusted};
  int rc = rh_sync_run(&ss, &ts, &o, st);
  assert_int_equal(rh_nbd_server_stop(&ss), 0);
  assert_int_equal(rh_nbd_server_stop(&ts), 0);
  return rc;
}

static int run_compare_kept(const char *src, const char *tgt, struct rh_sync_stats *st, int how,
                            struct rh_digests *g, bool trusted)
{
  struct rh_image_map sm, tm;
  bool map = how == VIA_MAP || how == VIA_MAP_ODIRECT || how == VIA_MAP_MMAP;
  if (map) {
    assert_int_equal(rh_image_map_load(src, "raw", true, false, &sm), 0);
    assert_int_equal(rh_image_map_load(tgt, "raw", true, false, &tm), 0);
  }
  if (how == VIA_MAP_ODIRECT) { /* as a cold source's map is read */
    assert_true(rh_image_map_read_direct(&sm));
    assert_true(rh_image_map_read_direct(&tm));
  }
  if (how == VIA_MAP_MMAP) assert_true(rh_image_map_mmap(&sm));
  int rc = sync_served(src, tgt, how == VIA_NBD_ODIRECT, 2, map ? &sm : NULL, map ? &tm : NULL,
                       g, trusted, st);
  if (map) {
    rh_image_map_free(&sm);
    rh_image_map_free(&tm);
  }
  return rc;
}

static int run_compare(const char *src, const char *tgt, struct rh_sync_stats *st, int how)
{
  return run_compare_kept(src, tgt, st, how, NULL, false);
}

/* A scratch directory with the paths of a source and a target in it; under
 * /var/tmp: /tmp may be tmpfs, which refuses O_DIRECT. */
struct scratch {
  char dir[32], src[64], tgt[64];
};

static void scratch_make(struct scratch *x)
{
  snprintf(x->dir, sizeof x->dir, "/var/tmp/rehost-unit.XXXXXX");
  assert_non_null(mkdtemp(x->dir));
  snprintf(x->src, sizeof x->src, "%s/src", x->dir);
  snprintf(x->tgt, sizeof x->tgt, "%s/tgt", x->dir);
}

static void scratch_remove(const struct scratch *x)
{
  unlink(x->src);
  unlink(x->tgt);
  rmdir(x->dir);
}

/* The engine over real files: writes exactly the blocks that differ,
 * punches the block that is a hole in the source, leaves equal data alone. */
static void engine_compare_writes_only_changed_blocks(void **state)
{
  int how = *(int *)*state;
  if (system("command -v qemu-nbd >/dev/null") != 0) skip();
  struct scratch x;
  scratch_make(&x);
  const char *src = x.src, *tgt = x.tgt;
  int fs = open(src, O_RDWR | O_CREAT | O_TRUNC, 0600), ft = open(tgt, O_RDWR | O_CREAT | O_TRUNC, 0600);
  assert_true(fs >= 0 && ft >= 0);
  assert_int_equal(ftruncate(fs, 8 * MiB), 0);
  assert_int_equal(ftruncate(ft, 8 * MiB), 0);
  static unsigned char blk[65536];
  for (int i = 0; i < 64; i++) { /* first 4 MiB: data on both sides */
    memset(blk, i + 1, sizeof blk);
    write_at(fs, blk, sizeof blk, (off_t)i * 65536);
    if (i == 3 || i == 17 || i == 40) blk[100] ^= 0xff; /* three blocks differ */
    write_at(ft, blk, sizeof blk, (off_t)i * 65536);
  }
  memset(blk, 0x77, sizeof blk);
  write_at(ft, blk, sizeof blk, 100 * 65536); /* stale data where the source is a hole */
  close(fs);
  close(ft);
  if ((how == VIA_NBD_ODIRECT || how == VIA_MAP_ODIRECT) && !rh_opens_direct(src, O_RDONLY)) {
    scratch_remove(&x);
    skip();
  }

  struct rh_sync_stats st;
  assert_int_equal(run_compare(src, tgt, &st, how), 0);
  assert_int_equal(st.written, 3 * 65536);
  assert_int_equal(st.zeroed, 65536);
  assert_int_equal(st.blocks, 4);
  assert_int_equal(st.src_read, 4 * MiB); /* the source hole is never read */
  assert_true(files_equal(src, tgt));

  assert_int_equal(run_compare(src, tgt, &st, how), 0); /* in sync: nothing to write */
  assert_int_equal(st.written + st.zeroed, 0);

  /* Kept digests: a sync that reads both builds them; one that trusts them
   * reads the source alone and writes exactly the block that changed, a
   * block that became a hole included. */
  struct rh_digests g;
  assert_int_equal(rh_digests_init(&g, 65536, 8 * MiB, "0123456789abcdef"), 0);
  assert_int_equal(run_compare_kept(src, tgt, &st, how, &g, false), 0);
  assert_int_equal(st.tgt_read, 4 * MiB);
  assert_int_equal(st.written + st.zeroed, 0);
  assert_int_equal(run_compare_kept(src, tgt, &st, how, &g, true), 0);
  assert_int_equal(st.tgt_read, 0);
  assert_int_equal(st.written + st.zeroed, 0);
  int fd = open(src, O_RDWR);
  memset(blk, 0x55, sizeof blk);
  write_at(fd, blk, sizeof blk, 9 * 65536);
  assert_int_equal(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 20 * 65536, 65536), 0);
  close(fd);
  assert_int_equal(run_compare_kept(src, tgt, &st, how, &g, true), 0);
  assert_int_equal(st.tgt_read, 0);
  assert_int_equal(st.written, 65536);
  assert_int_equal(st.zeroed, 65536);
  assert_true(files_equal(src, tgt));
  assert_int_equal(run_compare_kept(src, tgt, &st, how, &g, true), 0);
  assert_int_equal(st.written + st.zeroed, 0);
  rh_digests_free(&g);

  scratch_remove(&x);
}

/* A sync that writes more than 16 MiB flushes as it writes when more than
 * one worker runs (the last flush then finds little to write back), never
 * with one; the target equals the source either way. Every MiB differs and
 * is read by copy (through NBD) into a worker's two buffers in turn: a
 * buffer read into again before its writes were done would show here. */
static void engine_flushes_as_it_writes(void **state)
{
  (void)state;
  if (system("command -v qemu-nbd >/dev/null") != 0) skip();
  struct scratch x;
  scratch_make(&x);
  const char *src = x.src, *tgt = x.tgt;
  int fs = open(src, O_RDWR | O_CREAT | O_TRUNC, 0600);
  assert_true(fs >= 0);
  static unsigned char blk[MiB];
  for (int i = 0; i < 40; i++) {
    memset(blk, i + 1, sizeof blk);
    write_at(fs, blk, sizeof blk, (off_t)i * MiB);
  }
  close(fs);
  for (int threads = 2; threads >= 1; threads--) {
    int ft = open(tgt, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(ft >= 0);
    assert_int_equal(ftruncate(ft, 40 * MiB), 0);
    close(ft);
    struct rh_sync_stats st;
    assert_int_equal(sync_served(src, tgt, false, threads, NULL, NULL, NULL, false, &st), 0);
    assert_int_equal(st.written, 40 * MiB);
    if (threads > 1) assert_in_range(st.flushes, 1, 2); /* at 16 and 32 MiB, give or take */
    else assert_int_equal(st.flushes, 0);
    assert_true(files_equal(src, tgt));
  }
  scratch_remove(&x);
}

/* A source file that shrinks while the sync reads it in place: the read
 * faults (SIGBUS) and the sync fails with an I/O error naming the source,
 * instead of dying. The served source and the mapped one are two copies, so
 * that the plan still sees data where the mapping has none. */
static void engine_survives_a_source_shrinking_under_its_mapping(void **state)
{
  (void)state;
  if (system("command -v qemu-nbd >/dev/null") != 0) skip();
  struct scratch x;
  scratch_make(&x);
  char mapped[96];
  snprintf(mapped, sizeof mapped, "%s/mapped", x.dir);
  static unsigned char blk[MiB];
  memset(blk, 0x5a, sizeof blk);
  for (int f = 0; f < 3; f++) {
    const char *path = f == 0 ? x.src : f == 1 ? mapped : x.tgt;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    if (f < 2)
      for (int i = 0; i < 4; i++) write_at(fd, blk, sizeof blk, (off_t)i * MiB);
    else
      assert_int_equal(ftruncate(fd, 4 * MiB), 0);
    close(fd);
  }
  struct rh_image_map sm;
  assert_int_equal(rh_image_map_load(mapped, "raw", true, false, &sm), 0);
  assert_true(rh_image_map_mmap(&sm));
  assert_int_equal(truncate(mapped, 0), 0);
  struct rh_sync_stats st;
  assert_int_equal(sync_served(x.src, x.tgt, false, 2, &sm, NULL, NULL, false, &st), RH_EXIT_IO);
  assert_int_equal(st.written, 0);
  rh_image_map_free(&sm);
  unlink(mapped);
  scratch_remove(&x);
}

/* The digest file: round trip, and damage refused */
static void digests_file_format(void **state)
{
  (void)state;
  struct rh_digests g, back;
  assert_int_equal(rh_digests_init(&g, 65536, 3 * 65536 + 4096, "00112233aabbccdd"), 0);
  assert_int_equal(g.n, 4);
  assert_true(XXH128_isEqual(g.d[0], rh_digests_zero(&g, 65536)));
  assert_true(XXH128_isEqual(g.d[3], rh_digests_zero(&g, 4096)));
  g.d[1].low64 = 42;
  g.tgt_mtime_ns = 1234567890123LL;
  g.tgt_ino = 77;
  unsigned char *buf;
  size_t len;
  char why[128];
  assert_int_equal(rh_digests_encode(&g, &buf, &len), 0);
  assert_int_equal(rh_digests_decode(buf, len, &back, why, sizeof why), 0);
  assert_int_equal(back.n, 4);
  assert_int_equal(back.seed, g.seed);
  assert_int_equal(back.tgt_mtime_ns, g.tgt_mtime_ns);
  assert_int_equal(back.tgt_ino, 77);
  assert_string_equal(back.id, "00112233aabbccdd");
  assert_int_equal(back.d[1].low64, 42);
  rh_digests_free(&back);
  buf[100] ^= 1;
  assert_int_equal(rh_digests_decode(buf, len, &back, why, sizeof why), -1);
  assert_string_equal(why, "checksum mismatch");
  assert_int_equal(rh_digests_decode(buf, len - 1, &back, why, sizeof why), -1);
  assert_int_equal(rh_digests_decode(buf, 10, &back, why, sizeof why), -1);
  free(buf);
  rh_digests_free(&g);
}

/* Digests kept by one build are read by another: the XXH3 rehost links
 * (dispatched to the CPU's vectors or not, convert/block_hash.h) gives the
 * digests of the reference implementation (xxhsum's, SSE2). */
static void block_digests_are_xxh3(void **state)
{
  (void)state;
  static unsigned char b[65536];
  for (size_t i = 0; i < sizeof b; i++) b[i] = (unsigned char)(i * 131 + 7);
  XXH128_hash_t h = XXH3_128bits_withSeed(b, sizeof b, 0x0123456789abcdefULL);
  assert_true(h.high64 == 0xd8a3626dadbe10f0ULL && h.low64 == 0x1b41c8cadd0401ceULL);
  h = XXH3_128bits_withSeed(b, 1000, 42);
  assert_true(h.high64 == 0x5da36eae3ce8e4aaULL && h.low64 == 0xd63ebcf17f51057bULL);
}

static int via_nbd = VIA_NBD, via_map = VIA_MAP, via_nbd_odirect = VIA_NBD_ODIRECT,
           via_map_odirect = VIA_MAP_ODIRECT, via_map_mmap = VIA_MAP_MMAP;

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(extents_merge_and_query),
      cmocka_unit_test(plan_compare_kinds),
      cmocka_unit_test(plan_compare_splits_sparse_chunks),
      cmocka_unit_test(plan_dirty_aligns_and_splits),
      cmocka_unit_test(choose_mode_rules),
      cmocka_unit_test(tstate_roundtrip),
      cmocka_unit_test(tstate_rejects_malformed),
      cmocka_unit_test(bitmaps_from_qemu_img_info),
      cmocka_unit_test(disk_identity),
      cmocka_unit_test(zero_detection),
      cmocka_unit_test(digests_file_format),
      cmocka_unit_test(block_digests_are_xxh3),
      cmocka_unit_test(engine_flushes_as_it_writes),
      cmocka_unit_test(engine_survives_a_source_shrinking_under_its_mapping),
      cmocka_unit_test_prestate(engine_compare_writes_only_changed_blocks, &via_nbd),
      cmocka_unit_test_prestate(engine_compare_writes_only_changed_blocks, &via_map),
      cmocka_unit_test_prestate(engine_compare_writes_only_changed_blocks, &via_nbd_odirect),
      cmocka_unit_test_prestate(engine_compare_writes_only_changed_blocks, &via_map_odirect),
      cmocka_unit_test_prestate(engine_compare_writes_only_changed_blocks, &via_map_mmap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
