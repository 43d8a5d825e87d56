# rehost replicate on a real Debian guest image: full, bitmap and compare syncs
# end with target == source for qcow2, raw, vmdk, vhdx and vhd targets; a sync
# writes exactly the changed blocks and a bitmap sync reads only them; the
# integrity rules (other source, modified target, unclean bitmap, source in use,
# concurrent sync) hold; the source's data never changes.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
echo "random seed: $SEED (rerun with SEED=$SEED)"
fixture_sum=$(sum "$FX/debian12-mbr.qcow2")
BS=65536

cp --sparse=always "$FX/debian12-mbr.qcow2" "$T/src.qcow2"
VSIZE=$(qemu-img info --output=json "$T/src.qcow2" | jq '.["virtual-size"]')
NBLK=$((VSIZE / BS))

# change_blocks IMAGE FMT N: write a fresh pattern into N distinct random 64 KiB
# blocks; their offsets go to $T/changed. None in the first MiB: the partition
# table is the source's identity, and a source whose identity changed is
# refused (as it should be), which a random block there would trigger.
change_blocks() {
  local img=$1 fmt=$2 n=$3 cmds=() b i=0 pattern
  : > "$T/changed"
  declare -A seen=()
  while [ $i -lt "$n" ]; do
    b=$(( (RANDOM * 32768 + RANDOM) % (NBLK - 16) + 16 ))
    [ -n "${seen[$b]:-}" ] && continue
    seen[$b]=1
    pattern=$(( (RANDOM % 254) + 1 ))
    cmds+=(-c "write -P $pattern $((b * BS)) $BS")
    echo $((b * BS)) >> "$T/changed"
    i=$((i + 1))
  done
  qemu-io -f "$fmt" "${cmds[@]}" "$img" > /dev/null
}

# sync EVENTS-FILE ARGS...: run replicate with events; fails the test on error.
sync() {
  local ev=$1; shift
  if "$REHOST" --machine-readable replicate "$@" > "$T/$ev.jsonl" 2> "$T/$ev.err"; then ok "replicate $*"
  else fail "replicate $* exited $?: $(cat "$T/$ev.err")"; fi
}
ev() { jq -r "select(.event==\"sync\") | $2" "$T/$1.jsonl"; }
# FILE's pages written down and dropped from the page cache (coreutils' sync
# FILE is fsync: sync() here is the test's replicate)
evict() { command sync "$1" && dd if="$1" iflag=nocache count=0 status=none; }
# does the file system of FILE take O_DIRECT (tmpfs does not)?
takes_direct() { dd if="$1" iflag=direct bs=4096 count=1 of=/dev/null status=none 2> /dev/null; }
# data snapshot of a qcow2 source: later syncs must leave its data unchanged
snapshot() { qemu-img convert -O qcow2 "$1" "$T/snap.qcow2"; }
unchanged() { expect_same_data "source data unchanged ($2)" "$1" "$T/snap.qcow2"; }

# ---- full copy, then bitmap and compare syncs, qcow2 -> qcow2 ----
snapshot "$T/src.qcow2"
sync full "$T/src.qcow2" "$T/tgt.qcow2"
unchanged "$T/src.qcow2" "full"
expect_same_data "full copy equals source" "$T/src.qcow2" "$T/tgt.qcow2"
qemu-img check -q "$T/tgt.qcow2" && ok "target passes qemu-img check" || fail "qemu-img check target"
expect_eq "first sync is full" "$(ev full .mode)" full
jq_eq "$T/tgt.qcow2.rehost.json" .state consistent
jq_eq "$T/tgt.qcow2.rehost.json" .source.path "$T/src.qcow2"
bitmap=$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")
expect_match "bitmap generation recorded" "$bitmap" '^rehost-[0-9a-f]{16}-1$'
expect_eq "source carries the bitmap" \
  "$(qemu-img info --output=json "$T/src.qcow2" | jq -r '.["format-specific"].data.bitmaps[].name')" "$bitmap"
alloc=$(qemu-img info --output=json "$T/tgt.qcow2" | jq '.["actual-size"]')
tgt_size_full=$(stat -c %s "$T/tgt.qcow2")
[ "$alloc" -lt $((VSIZE / 2)) ] && ok "target is sparse" || fail "target not sparse: $alloc"

N=23
change_blocks "$T/src.qcow2" qcow2 $N
snapshot "$T/src.qcow2"
sync bm1 "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "auto chooses bitmap" "$(ev bm1 .mode)" bitmap
expect_eq "bitmap sync reads only the dirty blocks" "$(ev bm1 .bytes_read_source)" $((N * BS))
expect_eq "bitmap sync never reads the target" "$(ev bm1 .bytes_read_target)" 0
expect_eq "bitmap sync writes the dirty blocks" "$(ev bm1 '.bytes_written + .bytes_zeroed')" $((N * BS))
expect_same_data "bitmap sync: target equals source" "$T/src.qcow2" "$T/tgt.qcow2"
unchanged "$T/src.qcow2" "bitmap"
# the blocks went into new clusters at the file's end, through qemu's
# preallocate filter (128 MiB at a time): the file is trimmed to them again
[ "$(stat -c %s "$T/tgt.qcow2")" -gt "$tgt_size_full" ] && ok "bitmap sync grew the target file" \
  || fail "bitmap sync did not grow the target file: the test's blocks were not new clusters"
expect_trimmed "bitmap sync: the target file ends at its data" "$T/tgt.qcow2"
# the recorded bitmap, healthy, restarts in place (qemu-img bitmap --clear):
# still the one bitmap, now empty, so a sync with no new write copies nothing
expect_eq "bitmap restarted in place: same generation" "$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")" "$bitmap"
expect_eq "bitmap restarted in place: the source carries it alone" \
  "$(qemu-img info --output=json "$T/src.qcow2" | jq -r '[.["format-specific"].data.bitmaps[].name] | join(",")')" \
  "$bitmap"

# neither file touched since: nothing is opened, read or written
gen=$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")
tgt_mtime=$(stat -c %Y.%N "$T/tgt.qcow2")
sync unt "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "untouched files: said so" "$(ev unt .untouched)" true
expect_eq "untouched files: nothing read or written" "$(ev unt '.bytes_read_source + .bytes_read_target + .bytes_written')" 0
expect_match "untouched files: one line says why" "$(cat "$T/unt.err")" "as the last sync left them: nothing to sync"
expect_eq "untouched files: the generation stays" "$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")" "$gen"
expect_eq "untouched files: the target file is not touched" "$(stat -c %Y.%N "$T/tgt.qcow2")" "$tgt_mtime"
jq_eq "$T/tgt.qcow2.rehost.json" .state consistent
# the target touched (only its ctime moves): the shortcut is not taken
chmod 0644 "$T/tgt.qcow2"
sync tch "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "target's ctime moved: a real sync" "$(ev tch .untouched)" false
expect_eq "target's ctime moved: its data did not, so bitmap still" "$(ev tch .mode)" bitmap
expect_eq "the restarted bitmap marks nothing: nothing copied" "$(ev tch '.bytes_read_source + .bytes_written + .bytes_zeroed')" 0

# the source's file touched but no data written (chmod: its ctime moves):
# the recorded bitmap marks nothing, so no new generation, nothing read or
# written, and the kept bitmap goes on recording: the next change is copied
chmod 0644 "$T/src.qcow2"
sync bm0 "$T/src.qcow2" "$T/tgt.qcow2"
gen=$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")
tgt_mtime=$(stat -c %Y.%N "$T/tgt.qcow2")
chmod 0644 "$T/src.qcow2"
sync bm0 "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "no change: not the untouched shortcut" "$(ev bm0 .untouched)" false
expect_eq "no change: bitmap sync" "$(ev bm0 .mode)" bitmap
expect_eq "no change: nothing read or written" "$(ev bm0 '.bytes_read_source + .bytes_written + .bytes_zeroed')" 0
expect_eq "no change: the generation is kept" "$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")" "$gen"
expect_eq "no change: the source still carries it alone" \
  "$(qemu-img info --output=json "$T/src.qcow2" | jq -r '[.["format-specific"].data.bitmaps[].name] | join(",")')" "$gen"
expect_eq "no change: the target file is not touched" "$(stat -c %Y.%N "$T/tgt.qcow2")" "$tgt_mtime"
jq_eq "$T/tgt.qcow2.rehost.json" .state consistent
N=5
change_blocks "$T/src.qcow2" qcow2 $N
sync bm2 "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "after a no-change sync, the kept bitmap drives the next" "$(ev bm2 .mode)" bitmap
expect_eq "after a no-change sync, exactly the changed blocks are copied" "$(ev bm2 '.bytes_written + .bytes_zeroed')" $((N * BS))
expect_same_data "after a no-change sync: target equals source" "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "then the same generation, restarted" "$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")" "$gen"

N=17
change_blocks "$T/src.qcow2" qcow2 $N
snapshot "$T/src.qcow2"
sync cmp1 --mode compare "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "compare mode" "$(ev cmp1 .mode)" compare
expect_eq "compare writes exactly the changed blocks" "$(ev cmp1 '.bytes_written + .bytes_zeroed')" $((N * BS))
expect_eq "compare block count" "$(ev cmp1 .blocks_written)" $N
r=$(ev cmp1 .bytes_read_target)
[ "$r" -gt 0 ] && [ "$r" -lt "$VSIZE" ] && ok "compare skips ranges zero on both sides" || fail "compare read $r of $VSIZE"
expect_same_data "compare sync: target equals source" "$T/src.qcow2" "$T/tgt.qcow2"
unchanged "$T/src.qcow2" "compare"
expect_eq "the first compare keeps the target's block digests" "$(stat -c %a "$T/tgt.qcow2.rehost.digests")" 600
sync cmp2 --mode compare "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "a second compare writes nothing" "$(ev cmp2 '.bytes_written + .bytes_zeroed')" 0
expect_eq "with the kept digests, a compare reads only the source" "$(ev cmp2 .bytes_read_target)" 0
N=9
change_blocks "$T/src.qcow2" qcow2 $N
evict "$T/src.qcow2" # out of the page cache: its data clusters are read with O_DIRECT
sync cmp3 -v --mode compare "$T/src.qcow2" "$T/tgt.qcow2"
if takes_direct "$T/src.qcow2"; then
  expect_match "source-only compare: a cold source's data is read with O_DIRECT" "$(cat "$T/cmp3.err")" "src.qcow2: its data read with O_DIRECT"
fi
expect_eq "source-only compare writes exactly the changed blocks" "$(ev cmp3 '.bytes_written + .bytes_zeroed')" $((N * BS))
expect_eq "source-only compare: the target is not read" "$(ev cmp3 .bytes_read_target)" 0
expect_same_data "source-only compare: target equals source" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- the target was modified behind rehost's back: auto refuses bitmap ----
qemu-io -f qcow2 -c "write -P 0x5a 1M 64k" "$T/tgt.qcow2" > /dev/null
sync mod "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "modified target: compare" "$(ev mod .mode)" compare
expect_match "says why" "$(cat "$T/mod.err")" "target was modified since the last sync"
expect_match "its kept digests are not trusted" "$(cat "$T/mod.err")" "compare sync reads the target too: the target was changed since the last sync"
[ "$(ev mod .bytes_read_target)" -gt 0 ] && ok "modified target: re-read" || fail "modified target not re-read"
expect_same_data "modified target repaired" "$T/src.qcow2" "$T/tgt.qcow2"
# changed behind rehost's back with its mtime put back: --verify reads it all
m=$(stat -c %y "$T/tgt.qcow2")
qemu-io -f qcow2 -c "write -P 0x5b 3M 64k" "$T/tgt.qcow2" > /dev/null
touch -d "$m" "$T/tgt.qcow2"
sync ver --verify "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "--verify: compare" "$(ev ver .mode)" compare
[ "$(ev ver .bytes_read_target)" -gt 0 ] && ok "--verify reads the target" || fail "--verify did not read the target"
expect_eq "--verify repairs the block" "$(ev ver .blocks_written)" 1
expect_same_data "--verify: target equals source" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- unclean shutdown of the source's VM: its bitmap is flagged in-use ----
crashed=$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")
qemu-io -f qcow2 -c "write -P 0x3c 2M 64k" -c "sleep 60000" "$T/src.qcow2" > /dev/null &
qpid=$!
sleep 1
kill -9 $qpid; wait $qpid 2>/dev/null || true
sync crash "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "in-use bitmap: compare" "$(ev crash .mode)" compare
# an in-use bitmap is not restarted in place: a new generation replaces it
next="${crashed%-*}-$(( ${crashed##*-} + 1 ))"
expect_eq "in-use bitmap: a new generation replaces it" \
  "$(qemu-img info --output=json "$T/src.qcow2" | jq -r '[.["format-specific"].data.bitmaps[].name] | join(",")')" "$next"
expect_eq "in-use bitmap: the state records the new generation" "$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")" "$next"
expect_match "says the VM did not shut down cleanly" "$(cat "$T/crash.err")" "did not shut down cleanly"
expect_same_data "write of the crashed VM replicated" "$T/src.qcow2" "$T/tgt.qcow2"
sync after "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "next sync is bitmap again" "$(ev after .mode)" bitmap

# ---- explicit --mode bitmap on an inconsistent target falls back, saying so ----
jq '.state="inconsistent" | .reason="test"' "$T/tgt.qcow2.rehost.json" > "$T/st" && mv "$T/st" "$T/tgt.qcow2.rehost.json"
sync inc --mode bitmap "$T/src.qcow2" "$T/tgt.qcow2"
expect_eq "inconsistent: compare" "$(ev inc .mode)" compare
expect_match "bitmap refused, with the reason" "$(cat "$T/inc.err")" "bitmap mode refused: the target is marked inconsistent \(test\)"

# ---- integrity refusals ----
cp --sparse=always "$FX/debian12-gpt.qcow2" "$T/other.qcow2"
run_expect_fail 7 "replicated from $T/src.qcow2; refusing" "$REHOST" replicate "$T/other.qcow2" "$T/tgt.qcow2"
expect_same_data "refused sync left the target alone" "$T/src.qcow2" "$T/tgt.qcow2"
qemu-nbd -f qcow2 --socket="$T/nbd.sock" "$T/src.qcow2" & npid=$!
for _ in $(seq 50); do [ -S "$T/nbd.sock" ] && break; sleep 0.1; done
run_expect_fail 3 "src.qcow2: in use by another process" "$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2"
kill $npid; wait $npid 2>/dev/null || true
exec 9> "$T/tgt.qcow2.rehost.lock"; flock 9
run_expect_fail 1 "another rehost .* is syncing this target" "$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2"
exec 9>&-
run_expect_fail 2 "same file" "$REHOST" replicate "$T/src.qcow2" "$T/src.qcow2"
echo '{"schema":"rehost.target/1",' > "$T/bad.qcow2.rehost.json"; cp "$T/tgt.qcow2" "$T/bad.qcow2"
run_expect_fail 3 "bad.qcow2.rehost.json: malformed replication state" "$REHOST" replicate "$T/src.qcow2" "$T/bad.qcow2"
sync forced --force "$T/other.qcow2" "$T/tgt.qcow2"
expect_same_data "--force replaces the target's source" "$T/other.qcow2" "$T/tgt.qcow2"
jq_eq "$T/tgt.qcow2.rehost.json" .source.path "$T/other.qcow2"
rm -f "$T"/tgt.qcow2* "$T"/other.qcow2* "$T"/bad.qcow2*

# ---- qcow2 source into vmdk, vhdx, vhd and raw targets ----
# (each bitmap sync with the source out of the page cache: its server reads
# with O_DIRECT, and every target's writes with O_DIRECT, where the file
# system takes it)
for ext in vmdk vhdx vhd raw; do
  sync "f$ext" "$T/src.qcow2" "$T/t.$ext"
  change_blocks "$T/src.qcow2" qcow2 5
  evict "$T/src.qcow2"
  sync "b$ext" -v "$T/src.qcow2" "$T/t.$ext"
  expect_eq "$ext: bitmap sync" "$(ev "b$ext" .mode)" bitmap
  if takes_direct "$T/src.qcow2"; then
    expect_match "$ext: a cold source is read with O_DIRECT" "$(cat "$T/b$ext.err")" "src.qcow2: read with O_DIRECT"
    expect_match "$ext: the target is written with O_DIRECT" "$(cat "$T/b$ext.err")" "t.$ext: written with O_DIRECT"
  else
    expect_match "$ext: no O_DIRECT here: the target is written through the cache" "$(cat "$T/b$ext.err")" "t.$ext: written through the page cache"
  fi
  expect_eq "$ext: wrote the 5 blocks" "$(ev "b$ext" '.bytes_written + .bytes_zeroed')" $((5 * BS))
  expect_same_data "$ext target equals source" "$T/src.qcow2" "$T/t.$ext"
  rm -f "$T/t.$ext"*
done

# ---- raw source (read-only, byte-identical) into a qcow2 target; it grows ----
qemu-img convert -O raw "$T/src.qcow2" "$T/src.raw"
rm -f "$T/src.qcow2" "$T/snap.qcow2"
before=$(sum "$T/src.raw")
# out of the page cache: the full copy reads it with O_DIRECT (qemu-img -T
# none) where its file system takes it
evict "$T/src.raw"
sync rfull -v "$T/src.raw" "$T/r.qcow2"
if takes_direct "$T/src.raw"; then
  expect_match "a source out of the page cache is read with O_DIRECT" "$(cat "$T/rfull.err")" "src.raw: read with O_DIRECT"
else
  expect_match "a source on a file system without O_DIRECT is read through the cache" "$(cat "$T/rfull.err")" "src.raw: read through the page cache"
fi
expect_same_data "raw -> qcow2 full copy equals source" "$T/src.raw" "$T/r.qcow2"
expect_eq "raw source file unchanged by full" "$(sum "$T/src.raw")" "$before"
change_blocks "$T/src.raw" raw 11
before=$(sum "$T/src.raw")
evict "$T/src.raw"
sync rcmp -v "$T/src.raw" "$T/r.qcow2"
if takes_direct "$T/src.raw"; then
  expect_match "compare: the cold source's server reads with O_DIRECT" "$(cat "$T/rcmp.err")" "src.raw: read with O_DIRECT"
  expect_match "compare: and its data is read with O_DIRECT" "$(cat "$T/rcmp.err")" "src.raw: its data read with O_DIRECT"
  expect_match "compare: the target is written with O_DIRECT" "$(cat "$T/rcmp.err")" "r.qcow2: written with O_DIRECT"
fi
expect_eq "raw source: compare" "$(ev rcmp .mode)" compare
expect_match "raw source: says why" "$(cat "$T/rcmp.err")" "change tracking needs a qcow2 source, not raw"
expect_eq "raw source: exactly the changed blocks" "$(ev rcmp '.bytes_written + .bytes_zeroed')" $((11 * BS))
expect_eq "raw source file unchanged by compare" "$(sum "$T/src.raw")" "$before"
expect_same_data "raw -> qcow2 equals source" "$T/src.raw" "$T/r.qcow2"
truncate -s +64M "$T/src.raw"
qemu-io -f raw -c "write -P 0x42 $((VSIZE + 1048576)) 64k" "$T/src.raw" > /dev/null
sync grow "$T/src.raw" "$T/r.qcow2"
expect_eq "target grew with the source" "$(qemu-img info --output=json "$T/r.qcow2" | jq '.["virtual-size"]')" $((VSIZE + 67108864))
expect_same_data "grown target equals source" "$T/src.raw" "$T/r.qcow2"
expect_match "says it grows" "$(cat "$T/grow.err")" "source grew"
truncate -s "$VSIZE" "$T/src.raw"
run_expect_fail 7 "refusing to shrink" "$REHOST" replicate "$T/src.raw" "$T/r.qcow2"

expect_eq "fixture untouched" "$(sum "$FX/debian12-mbr.qcow2")" "$fixture_sum"
expect_no_temp "$T"
finish
