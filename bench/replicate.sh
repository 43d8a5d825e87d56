#!/usr/bin/env bash
# Benchmark rehost replicate against its peers, in one run on this machine:
#   full copy:    rehost replicate --full   vs  the fastest durable peer (goal
#                 <= 1.0x) of: qemu-img convert + fsync of the file and directory,
#                 qemu-img convert -t none, and nbdcopy --flush between two
#                 qemu-nbd; and vs plain qemu-img convert (cache=unsafe: not
#                 durable), for the cost
#   delta sync:   rehost replicate compare (the target's block digests kept: only
#                 the source is read)  vs  rsync --inplace --no-whole-file --fsync
#                 (goal <= 0.5x) and vs reading the source file once with dd (the
#                 physical limit; goal <= 1.1x), and, for reference, vs 16 dd
#                 iflag=direct reading it at once; compare --verify reads both
#   change track: rehost replicate bitmap   vs  rehost full copy       (reference here: 1%
#                 of blocks spread over the disk cost more seeks than the copy of
#                 2 GiB; the 40x goal is on the fully allocated image below)
# on an 8 GiB sparse qcow2 holding 2 GiB of random data, after changing 1% of
# its 64 KiB blocks (MAIN=0 skips). Then (SCALING=0 skips) how a sync's time grows with the
# changed fraction (0.01%, 0.1%, 1%, 10%) and with --threads (1, 2, 4, 16);
# (FIXED=0 skips) the fixed cost of a sync with nothing or 64 KiB changed
# (goals 0.1 s and 0.15 s), warm, cold, and with only the images cold, and
# where one such sync spends its time (-v phases); and (FULLY_ALLOCATED=0
# skips) an 8 GiB image of 8 GiB random data, where a 1% bitmap sync (change
# tracking on, after a fresh change, as the libvirt hook syncs) must be
# >= 40x faster than the durable full copy, with MB/s against the disk's own
# read and write bandwidth (dd, measured here) and against the floors for that
# sync: reading the same changed blocks once with qemu-io, and reading them
# while writing them into the target (the most any sync can reach).
# Each timing is the best of RUNS (default 2); page cache warm, then cold
# (dropped before every run, when root). The main table's contenders run in
# rounds, in a random order each (see race) and show their median beside their best. Prints
# Markdown tables.
# Usage: bench/replicate.sh [REHOST_BINARY]   (BENCH_DIR: scratch, ~30 GB;
#   MAIN, SCALING, FIXED, FULLY_ALLOCATED=0 skip a part; PASSES=cold skips the warm pass)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
REHOST=${1:-$HERE/build/rehost}
RUNS=${RUNS:-2}
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/rehost-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
for t in qemu-img qemu-io qemu-nbd nbdcopy rsync jq; do command -v $t >/dev/null || { echo "bench: needs $t" >&2; exit 1; }; done

GiB=$((1024 * 1024 * 1024)); BS=65536
echo "bench: building an 8 GiB image with 2 GiB of random data in $D" >&2
truncate -s 8G "$D/src.raw"
for i in $(seq 0 63); do # 64 runs of 32 MiB spread over the disk
  head -c 32M /dev/urandom | dd of="$D/src.raw" bs=1M seek=$((i * 128)) conv=notrunc status=none
done
qemu-img convert -f raw -O qcow2 "$D/src.raw" "$D/src.qcow2"
rm "$D/src.raw"

# Two passes: page cache warm (CPU-bound: what each tool computes) and, when
# we can drop it (root), cold before every timed run (reads from disk).
CACHE=warm
IMAGES=()
drop_caches() {
  # every timed run starts with nothing left to write back: no run pays for
  # the writeback of the one before it (or of its setup's copies)
  sync
  if [ $CACHE = cold ]; then echo 3 > /proc/sys/vm/drop_caches; fi
  # images: only the images' pages leave the cache; rehost and qemu stay in
  # it, as on a host that syncs often
  if [ $CACHE = images ]; then for f in "${IMAGES[@]}"; do dd if="$f" iflag=nocache count=0 status=none; done; fi
}

# best TIME of RUNS runs of a command (after a setup command each time)
best() { # best SETUP CMD...
  local setup=$1 b= s e t; shift
  for _ in $(seq "$RUNS"); do
    eval "$setup"
    drop_caches
    s=$(date +%s.%N); "$@" > /dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  printf '%.2f' "$b"
}
check_equal() { qemu-img compare -q "$1" "$2" || { echo "bench: $2 differs from $1" >&2; exit 1; }; }
# race NAME<TAB>SETUP<TAB>COMMAND...: contenders that run in turn, RUNS
# rounds, each once per round, in a new random order every round (seeded:
# the same orders in every run of the bench), so that none always runs first
# or always after the same neighbour: on this disk a run pays for what the
# one before it left (a full copy right after nbdcopy took 2-5 s, after
# anything else 1.8-2.3 s). Each timed run also starts SETTLE seconds
# (default 2) after its setup and the sync. BEST[NAME] is each one's best
# time, MED[NAME] its median. SETUP and COMMAND are eval'd.
declare -A BEST MED ALL
RACE_SEED=1
race() {
  local specs=("$@") k=$# r i j tmp name setup cmd s e t order
  BEST=() MED=() ALL=()
  RANDOM=$((RACE_SEED++))
  for ((r = 0; r < RUNS; r++)); do
    order=()
    for ((i = 0; i < k; i++)); do order+=("$i"); done
    for ((i = k - 1; i > 0; i--)); do # Fisher-Yates
      j=$((RANDOM % (i + 1))) tmp=${order[i]}
      order[i]=${order[j]} order[j]=$tmp
    done
    for ((i = 0; i < k; i++)); do
      IFS=$'\t' read -r name setup cmd <<< "${specs[${order[i]}]}"
      eval "$setup"
      drop_caches
      sleep "${SETTLE:-2}"
      s=$(date +%s.%N); eval "$cmd" > /dev/null 2>&1 || { echo "bench: failed: $cmd" >&2; exit 1; }; e=$(date +%s.%N)
      t=$(echo "$e - $s" | bc -l)
      ALL[$name]="${ALL[$name]:-} $t"
    done
  done
  for name in "${!ALL[@]}"; do
    BEST[$name]=$(printf '%s\n' ${ALL[$name]} | sort -g | head -1 | xargs printf '%.2f')
    MED[$name]=$(printf '%s\n' ${ALL[$name]} | sort -g | awk '{v[NR] = $1} END {printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
  done
}
# bm NAME: "best (median)" of a raced contender
bm() { printf '%s (%s)' "${BEST[$1]}" "${MED[$1]}"; }
# rbm A B: A/B of the bests, and of the medians in brackets
rbm() { printf '%s (%s)' "$(ratio "${BEST[$1]}" "${BEST[$2]}")" "$(ratio "${MED[$1]}" "${MED[$2]}")"; }
c() { local IFS=$'\t'; printf '%s' "$*"; } # c NAME SETUP COMMAND: one contender

# the previous generation of the target, for every delta contender: a full
# copy, then a compare sync that keeps the target's block digests
"$REHOST" -q replicate "$D/src.qcow2" "$D/tgt.qcow2"
"$REHOST" -q replicate --verify "$D/src.qcow2" "$D/tgt.qcow2" # (--verify: the files are untouched, so a plain compare would have nothing to do)
save_old() { # the target, its state and digests as the last sync left them
  cp -p --sparse=always "$D/tgt.qcow2" "$D/old.qcow2"
  cp "$D/tgt.qcow2.rehost.json" "$D/old.state"
  rm -f "$D/old.digests"
  [ ! -e "$D/tgt.qcow2.rehost.digests" ] || cp -p "$D/tgt.qcow2.rehost.digests" "$D/old.digests"
}
save_old
cp --sparse=always "$D/src.qcow2" "$D/src-old.qcow2"   # rsync's destination: yesterday's file
cp --sparse=always "$D/src.qcow2" "$D/src-base.qcow2"  # the scaling runs start from it

# change IMAGE PERCENT: write a fresh pattern into PERCENT% of the 64 KiB blocks
change() {
  local img=$1 pct=$2 nblk n cmds=() b
  nblk=$(( $(qemu-img info --output=json "$img" | jq '.["virtual-size"]') / BS ))
  n=$(echo "$nblk * $pct / 100" | bc); [ "$n" -ge 1 ] || n=1
  declare -A seen=()
  while [ ${#seen[@]} -lt "$n" ]; do
    b=$(( (RANDOM * 32768 + RANDOM) % nblk ))
    [ -n "${seen[$b]:-}" ] && continue
    seen[$b]=1
    cmds+=("write -P $((RANDOM % 255 + 1)) $((b * BS)) $BS")
  done
  printf '%s\n' "${cmds[@]}" > "$D/qemu-io.cmds"
  qemu-io -f qcow2 "$img" < "$D/qemu-io.cmds" > /dev/null
  echo "$n"
}
NBLK=$((8 * GiB / BS))
echo "bench: changing 1% of $NBLK blocks" >&2
NCHG=$(change "$D/src.qcow2" 1)

# the peers, durable: qemu-img convert never flushes (cache=unsafe); rehost
# fsyncs the file and its directory before it records anything. Three ways:
# qemu-img convert then fsync; qemu-img convert -t none (O_DIRECT: no page
# cache, so nothing left to flush); nbdcopy between two qemu-nbd, --flush
durable_convert() { qemu-img convert -f qcow2 -O qcow2 -S 4k "$1" "$2" && sync "$2" && sync "$(dirname "$2")"; }
direct_convert() { qemu-img convert -f qcow2 -O qcow2 -S 4k -t none "$1" "$2" && sync "$(dirname "$2")"; }
nbdcopy_copy() {
  qemu-img create -q -f qcow2 "$2" "$(qemu-img info --output=json "$1" | jq '.["virtual-size"]')" &&
    nbdcopy --destination-is-zero --flush -- [ qemu-nbd -r -f qcow2 "$1" ] [ qemu-nbd -f qcow2 "$2" ] &&
    sync "$(dirname "$2")"
}
# the source file read with as many reads in flight as rehost's compare:
# 16 dd iflag=direct bs=4M at once, one per sixteenth of the file (dd alone
# reads one stream through the page cache, whose readahead this disk serves
# faster or slower by the hour)
dd_parallel() {
  local f=$1 n=16 per pids=() i
  per=$(( ($(stat -c %s "$f") / 4194304 + n) / n ))
  for ((i = 0; i < n; i++)); do
    dd if="$f" of=/dev/null bs=4M iflag=direct skip=$((i * per)) count=$per status=none & pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || return 1; done
}
# fastest NAME=TIME...: the smallest, as "TIME NAME"
fastest() { printf '%s\n' "$@" | awk -F= 'NR == 1 || $2 < b { b = $2; n = $1 } END { print b, n }'; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }
phase_table() { # phase_table FILE START END: the phases of one `rehost -v` run, and the rest
  echo "| phase | ms |"
  echo "|---|---|"
  sed -n 's/^rehost: debug: phase \(.*\): \([0-9.]*\) ms$/| \1 | \2 |/p' "$1"
  local inside
  inside=$(sed -n 's/^rehost: debug: phase .*: \([0-9.]*\) ms$/\1/p' "$1" | paste -sd+ | bc)
  printf '| process start and exit (exec, dynamic loader; the rest) | %.1f |\n' "$(echo "($3 - $2) * 1000 - $inside" | bc -l)"
  printf '| **total** | %.1f |\n' "$(echo "($3 - $2) * 1000" | bc -l)"
}
restore='cp -p --sparse=always "$D/old.qcow2" "$D/tgt.qcow2"; cp "$D/old.state" "$D/tgt.qcow2.rehost.json"; rm -f "$D/tgt.qcow2.rehost.digests"; [ ! -e "$D/old.digests" ] || cp -p "$D/old.digests" "$D/tgt.qcow2.rehost.digests"'
# PASSES: which passes to run (default: warm cold; cold only as root)
passes=()
for p in ${PASSES:-warm cold}; do
  [ "$p" = warm ] || { [ "$p" = cold ] && [ -w /proc/sys/vm/drop_caches ]; } && passes+=("$p")
done
[ ${#passes[@]} -gt 0 ] || { echo "bench: PASSES names no pass this user can run (warm, cold)" >&2; exit 1; }
echo "8 GiB qcow2, 2 GiB random data, 1% of 64 KiB blocks changed ($((NCHG * BS / 1048576)) MiB); $(nproc) cores; best of $RUNS; $(date -u +%Y-%m-%d)"
for CACHE in "${passes[@]}"; do
  [ "${MAIN:-1}" = 1 ] || break
  echo "bench: page cache $CACHE" >&2
  S=$D/src.qcow2
  race "$(c qemu 'rm -f "$D/ref.qcow2"' 'qemu-img convert -f qcow2 -O qcow2 -S 4k "$S" "$D/ref.qcow2"')" \
       "$(c qemu_d 'rm -f "$D/ref-d.qcow2"' 'durable_convert "$S" "$D/ref-d.qcow2"')" \
       "$(c qemu_t 'rm -f "$D/ref-t.qcow2"' 'direct_convert "$S" "$D/ref-t.qcow2"')" \
       "$(c nbdcopy 'rm -f "$D/ref-n.qcow2"' 'nbdcopy_copy "$S" "$D/ref-n.qcow2"')" \
       "$(c full 'rm -f "$D/full.qcow2" "$D/full.qcow2.rehost.json"' '"$REHOST" -q replicate --full --no-track "$S" "$D/full.qcow2"')"
  t_qemu=${BEST[qemu]} t_qemu_d=${BEST[qemu_d]} t_qemu_t=${BEST[qemu_t]} t_nbdcopy=${BEST[nbdcopy]} t_full=${BEST[full]} m_full=${MED[full]}
  for f in ref ref-d ref-t ref-n full; do check_equal "$S" "$D/$f.qcow2"; done
  rm -f "$D"/ref*.qcow2
  read -r t_peer peer < <(fastest "qemu_d=$t_qemu_d" "qemu_t=$t_qemu_t" "nbdcopy=$t_nbdcopy")
  declare -A PEER_NAME=([qemu_d]="qemu-img convert + fsync" [qemu_t]="qemu-img convert -t none" [nbdcopy]="nbdcopy --flush")
  FULL_BM=$(bm full) FULL_PEER_BM=$(bm "$peer") FULL_PEER_R=$(rbm full "$peer")
  FULL_R_D=$(rbm full qemu_d) FULL_R_T=$(rbm full qemu_t) FULL_R_N=$(rbm full nbdcopy) FULL_R_Q=$(rbm full qemu)
  Q_BM=$(bm qemu) QD_BM=$(bm qemu_d) QT_BM=$(bm qemu_t) N_BM=$(bm nbdcopy)
  # each delta run restores the old target and state; --no-track keeps the
  # source's generation-1 bitmap in place for the next run. rsync's
  # destination is its own file; the check that each rehost mode fell back
  # to nothing is made by one more run of each after the race.
  race "$(c bitmap "$restore" '"$REHOST" -q replicate --mode bitmap --no-track "$S" "$D/tgt.qcow2"')" \
       "$(c compare "$restore" '"$REHOST" -q replicate --mode compare --no-track "$S" "$D/tgt.qcow2"')" \
       "$(c verify "$restore" '"$REHOST" -q replicate --verify --no-track "$S" "$D/tgt.qcow2"')" \
       "$(c dd : 'dd if="$S" of=/dev/null bs=4M')" \
       "$(c ddpar : 'dd_parallel "$S"')" \
       "$(c rsync 'cp --sparse=always "$D/src-old.qcow2" "$D/rs.qcow2"' 'rsync --inplace --no-whole-file --ignore-times --fsync "$S" "$D/rs.qcow2"')"
  t_bitmap=${BEST[bitmap]} t_compare=${BEST[compare]} t_verify=${BEST[verify]} t_dd=${BEST[dd]} t_rsync=${BEST[rsync]}
  BM_BM=$(bm bitmap) C_BM=$(bm compare) V_BM=$(bm verify) DD_BM=$(bm dd) DP_BM=$(bm ddpar) RS_BM=$(bm rsync)
  C_R_RS=$(rbm compare rsync) C_R_DD=$(rbm compare dd) C_R_DP=$(rbm compare ddpar) V_R_RS=$(rbm verify rsync)
  BM_R=$(printf '%s (%s)' "$(ratio "$t_full" "$t_bitmap")" "$(ratio "$m_full" "${MED[bitmap]}")")
  eval "$restore"
  "$REHOST" -q replicate --mode bitmap --no-track "$S" "$D/tgt.qcow2"
  mode=$(jq -r .last_sync.mode "$D/tgt.qcow2.rehost.json")
  [ "$mode" = bitmap ] || { echo "bench: bitmap run fell back to $mode" >&2; exit 1; }
  check_equal "$S" "$D/tgt.qcow2"
  eval "$restore"
  [ "$("$REHOST" --machine-readable replicate --mode compare --no-track "$S" "$D/tgt.qcow2" |
       jq -r 'select(.event=="sync") | .bytes_read_target')" = 0 ] ||
    { echo "bench: the compare sync read the target (its digests were not trusted)" >&2; exit 1; }
  check_equal "$S" "$D/tgt.qcow2"
  eval "$restore"
  "$REHOST" -q replicate --verify --no-track "$S" "$D/tgt.qcow2"
  check_equal "$S" "$D/tgt.qcow2"
  cmp -s "$D/src.qcow2" "$D/rs.qcow2" || { echo "bench: rsync result differs" >&2; exit 1; }
  echo
  echo "page cache $CACHE:"
  echo
  echo "Each cell: the best of $RUNS rounds, each in a random order, ${SETTLE:-2} s between runs (the median in brackets)."
  echo
  echo "| operation | peer | peer (s) | rehost (s) | rehost / peer | goal |"
  echo "|---|---|---|---|---|---|"
  echo "| full copy (durable) | the fastest durable peer: ${PEER_NAME[$peer]} | $FULL_PEER_BM | $FULL_BM | $FULL_PEER_R | <= 1.0 |"
  echo "| full copy (durable) | qemu-img convert + fsync file and directory | $QD_BM | $FULL_BM | $FULL_R_D | |"
  echo "| full copy (durable) | qemu-img convert -t none (O_DIRECT) | $QT_BM | $FULL_BM | $FULL_R_T | |"
  echo "| full copy (durable) | nbdcopy --flush (qemu-nbd on each side) | $N_BM | $FULL_BM | $FULL_R_N | |"
  echo "| full copy | qemu-img convert (not durable: cache=unsafe) | $Q_BM | $FULL_BM | $FULL_R_Q | (the cost of durability) |"
  echo "| delta sync, compare (reads the source only) | rsync --inplace --no-whole-file -I --fsync | $RS_BM | $C_BM | $C_R_RS | <= 0.5 |"
  echo "| delta sync, compare (reads the source only) | dd of the source file (the physical limit) | $DD_BM | $C_BM | $C_R_DD | <= 1.1 |"
  echo "| delta sync, compare (reads the source only) | 16 dd iflag=direct bs=4M at once, one per sixteenth of the source file (as many reads in flight as rehost) | $DP_BM | $C_BM | $C_R_DP | (reference) |"
  echo "| delta sync, compare --verify (reads both) | rsync --inplace --no-whole-file -I --fsync | $RS_BM | $V_BM | $V_R_RS | (reference) |"
  echo "| delta sync, bitmap | rehost full copy | $FULL_BM | $BM_BM | speed-up $BM_R x | (reference; goal on the fully allocated image) |"
  # what a compare sync does besides reading the source, against dd's one read
  eval "$restore"
  drop_caches
  s=$(date +%s.%N)
  "$REHOST" -v replicate --mode compare --no-track "$S" "$D/tgt.qcow2" 2> "$D/cphases.txt"
  e=$(date +%s.%N)
  echo
  echo "Where one compare sync (source only) spends its time (\`rehost -v\`, page cache $CACHE):"
  echo
  phase_table "$D/cphases.txt" "$s" "$e"
done

# ---- scaling: changed fraction and threads (page cache cold when root) ----
if [ "${SCALING:-1}" = 1 ]; then
  CACHE=${passes[-1]}
  echo "bench: scaling ($CACHE cache)" >&2
  echo
  echo "How a sync's time grows with the changed fraction (8 GiB qcow2, 2 GiB data; page cache $CACHE; default threads: 16 for bitmap and for a compare reading the source with O_DIRECT, 4 for one reading it through the page cache):"
  echo
  echo "| changed | blocks | bitmap (s) | compare, source only (s) |"
  echo "|---|---|---|---|"
  for pct in 0.01 0.1 1 10; do
    cp --sparse=always "$D/src-base.qcow2" "$D/src.qcow2"
    n=$(change "$D/src.qcow2" "$pct")
    tb=$(best "$restore" "$REHOST" -q replicate --mode bitmap --no-track "$D/src.qcow2" "$D/tgt.qcow2")
    check_equal "$D/src.qcow2" "$D/tgt.qcow2"
    tc=$(best "$restore" "$REHOST" -q replicate --mode compare --no-track "$D/src.qcow2" "$D/tgt.qcow2")
    check_equal "$D/src.qcow2" "$D/tgt.qcow2"
    echo "| $pct% | $n | $tb | $tc |"
    [ "$pct" = 1 ] && cp --sparse=always "$D/src.qcow2" "$D/src-1pct.qcow2"
  done
  echo
  echo "And with --threads (1% changed):"
  echo
  echo "| --threads | bitmap (s) | compare, source only (s) | compare --verify (s) |"
  echo "|---|---|---|---|"
  cp --sparse=always "$D/src-1pct.qcow2" "$D/src.qcow2"
  for th in 1 2 4 16; do
    tb=$(best "$restore" "$REHOST" -q replicate --mode bitmap --no-track --threads $th "$D/src.qcow2" "$D/tgt.qcow2")
    tc=$(best "$restore" "$REHOST" -q replicate --mode compare --no-track --threads $th "$D/src.qcow2" "$D/tgt.qcow2")
    tv=$(best "$restore" "$REHOST" -q replicate --verify --no-track --threads $th "$D/src.qcow2" "$D/tgt.qcow2")
    check_equal "$D/src.qcow2" "$D/tgt.qcow2"
    echo "| $th | $tb | $tc | $tv |"
  done
fi

# ---- fixed cost: what a sync costs when (almost) nothing changed ----
if [ "${FIXED:-1}" = 1 ]; then
  echo "bench: fixed cost" >&2
  FX=$D/fx.qcow2 FXT=$D/fxt.qcow2
  qemu-img create -q -f qcow2 "$FX" 256M
  qemu-io -f qcow2 -c 'write -P 7 0 64M' "$FX" > /dev/null
  "$REHOST" -q replicate "$FX" "$FXT"
  "$REHOST" -q replicate "$FX" "$FXT"
  IMAGES=("$FX" "$FXT")
  poke() { qemu-io -f qcow2 -c "write -P $((RANDOM % 255 + 1)) $(( (RANDOM % 4096) * BS )) $BS" "$FX" > /dev/null; }
  echo
  echo "Fixed cost: a 256 MiB qcow2 (64 MiB data) kept in sync (change tracking on), best of $RUNS:"
  echo
  echo "| sync | page cache | time (s) | goal |"
  echo "|---|---|---|---|"
  for CACHE in "${passes[@]}" images; do
    [ $CACHE = images ] && [ ! -w /proc/sys/vm/drop_caches ] && continue
    t_unt=$(best : "$REHOST" -q replicate "$FX" "$FXT")
    [ "$(jq -r .last_sync.bytes_read "$FXT.rehost.json")" = 0 ] || { echo "bench: untouched sync read data" >&2; exit 1; }
    t_none=$(best 'chmod 0644 "$FX"' "$REHOST" -q replicate "$FX" "$FXT")
    t_64k=$(best poke "$REHOST" -q replicate "$FX" "$FXT")
    [ "$(jq -r .last_sync.mode "$FXT.rehost.json")" = bitmap ] || { echo "bench: the 64 KiB sync was not a bitmap sync" >&2; exit 1; }
    check_equal "$FX" "$FXT"
    what=$CACHE; [ $CACHE = images ] && what="cold images, warm programs"
    echo "| nothing changed, files untouched | $what | $t_unt | <= 0.1 |"
    echo "| nothing changed, source file touched (chmod: its bitmap is read) | $what | $t_none | <= 0.1 |"
    echo "| 64 KiB changed (bitmap) | $what | $t_64k | <= 0.15 |"
  done
  CACHE=${passes[-1]}
  poke
  drop_caches
  s=$(date +%s.%N)
  "$REHOST" -v replicate "$FX" "$FXT" 2> "$D/phases.txt"
  e=$(date +%s.%N)
  echo
  echo "Where one 64 KiB bitmap sync spends its time (\`rehost -v\`, page cache $CACHE):"
  echo
  phase_table "$D/phases.txt" "$s" "$e"
  IMAGES=()
fi

# ---- fully allocated: 8 GiB of random data ----
if [ "${FULLY_ALLOCATED:-1}" = 1 ]; then
  CACHE=${passes[-1]}
  echo "bench: fully allocated 8 GiB image ($CACHE cache)" >&2
  rm -f "$D"/src*.qcow2 "$D"/tgt.qcow2* "$D"/old.* "$D"/rs.qcow2 "$D"/ref.qcow2 "$D"/full.qcow2*
  head -c 8G /dev/urandom > "$D/big.raw"
  qemu-img convert -f raw -O qcow2 "$D/big.raw" "$D/src.qcow2"
  rm "$D/big.raw"
  sync
  # the disk's own bandwidth, as dd sees it (direct I/O: no page cache)
  wbw=$(dd if=/dev/zero of="$D/bw" bs=4M count=1024 oflag=direct conv=fsync 2>&1 | awk '/copied/ {print $(NF-1), $NF}')
  rbw=$(dd if="$D/bw" of=/dev/null bs=4M iflag=direct 2>&1 | awk '/copied/ {print $(NF-1), $NF}')
  rm -f "$D/bw"
  # change tracking on, as the libvirt hook syncs: each timed bitmap sync
  # follows a fresh change of 1% of the blocks (qemu-io, which the source's
  # bitmap records), finds the target as the previous sync left it, and
  # restarts the generation (qemu-img bitmap --clear) as it goes
  "$REHOST" -q replicate "$D/src.qcow2" "$D/tgt.qcow2"
  n=$(change "$D/src.qcow2" 1)
  t_full=$(best 'rm -f "$D/full.qcow2" "$D/full.qcow2.rehost.json"' "$REHOST" -q replicate --full --no-track "$D/src.qcow2" "$D/full.qcow2")
  rm -f "$D/full.qcow2"*
  fresh_change='change "$D/src.qcow2" 1 > /dev/null'
  t_bitmap=$(best "$fresh_change" "$REHOST" -q replicate --mode bitmap "$D/src.qcow2" "$D/tgt.qcow2")
  check_equal "$D/src.qcow2" "$D/tgt.qcow2"
  eval "$fresh_change"; drop_caches # one more, with its phases
  s=$(date +%s.%N)
  "$REHOST" -v replicate --mode bitmap "$D/src.qcow2" "$D/tgt.qcow2" 2> "$D/fphases.txt"
  e=$(date +%s.%N)
  # the floor for this sync: reading the changed blocks once, all requests in
  # flight at once, O_DIRECT, through qemu's qcow2 driver as rehost's source
  # server does (no write, no flush, no process but one)
  sed -n 's/^write -P [0-9]* \([0-9]*\) \([0-9]*\)$/aio_read -q \1 \2/p' "$D/qemu-io.cmds" > "$D/reads.cmds"
  echo aio_flush >> "$D/reads.cmds"
  [ "$(grep -c aio_read "$D/reads.cmds")" = "$n" ] || { echo "bench: the read list does not match the change" >&2; exit 1; }
  t_floor=$(best : sh -c 'qemu-io -r -f qcow2 -t none -i native "$1" < "$2"' sh "$D/src.qcow2" "$D/reads.cmds")
  # the same with only the images' pages dropped: rehost and qemu in the
  # page cache, as on a host that syncs often (the libvirt hook)
  if [ $CACHE = cold ]; then
    CACHE=images IMAGES=("$D/src.qcow2" "$D/tgt.qcow2")
    t_bitmap_img=$(best "$fresh_change" "$REHOST" -q replicate --mode bitmap "$D/src.qcow2" "$D/tgt.qcow2")
    check_equal "$D/src.qcow2" "$D/tgt.qcow2"
    t_floor_img=$(best : sh -c 'qemu-io -r -f qcow2 -t none -i native "$1" < "$2"' sh "$D/src.qcow2" "$D/reads.cmds")
    CACHE=cold IMAGES=()
  fi
  # a sync also writes those blocks: the floor for both is the same reads
  # with the same writes into the target at once (qemu-io, O_DIRECT, all in
  # flight, then a flush). The target gets other bytes: measured last.
  sed -n 's/^aio_read -q \(.*\)$/aio_write -q -P 1 \1/p' "$D/reads.cmds" > "$D/writes.cmds"
  printf 'aio_flush\nflush\n' >> "$D/writes.cmds"
  t_floor_rw=$(best : sh -c 'qemu-io -r -f qcow2 -t none -i native "$1" < "$2" > /dev/null & qemu-io -f qcow2 -t none -i native "$3" < "$4"; s=$?; wait $! && exit $s' sh "$D/src.qcow2" "$D/reads.cmds" "$D/tgt.qcow2" "$D/writes.cmds")
  mbps() { echo "scale=0; $1 / 1048576 / $2" | bc -l; }
  echo
  echo "8 GiB qcow2 fully allocated with random data, 1% changed ($n blocks); page cache $CACHE; disk: write $wbw, read $rbw (dd, direct I/O):"
  echo
  echo "| operation | time (s) | MB/s of data moved | goal |"
  echo "|---|---|---|---|"
  echo "| full copy (durable) | $t_full | $(mbps $((8 * GiB)) "$t_full") | |"
  echo "| bitmap sync, 1% | $t_bitmap | $(mbps $((n * BS)) "$t_bitmap") | speed-up $(ratio "$t_full" "$t_bitmap")x (>= 40x) |"
  echo "| reading the same changed blocks once (qemu-io aio_read, O_DIRECT, all in flight: the disk's floor) | $t_floor | $(mbps $((n * BS)) "$t_floor") | full copy / floor: $(ratio "$t_full" "$t_floor")x; bitmap sync / floor: $(ratio "$t_bitmap" "$t_floor") |"
  echo "| reading them and writing them into the target at once (qemu-io aio_read, aio_write, O_DIRECT, all in flight, flush: the floor for a sync) | $t_floor_rw | $(mbps $((n * BS)) "$t_floor_rw") | full copy / floor: $(ratio "$t_full" "$t_floor_rw")x (the most a sync can reach); bitmap sync / floor: $(ratio "$t_bitmap" "$t_floor_rw") |"
  if [ -n "${t_bitmap_img:-}" ]; then
    echo "| bitmap sync, 1%, images cold, programs warm | $t_bitmap_img | $(mbps $((n * BS)) "$t_bitmap_img") | speed-up $(ratio "$t_full" "$t_bitmap_img")x (>= 40x) |"
    echo "| reading the changed blocks once, images cold, programs warm (the floor) | $t_floor_img | $(mbps $((n * BS)) "$t_floor_img") | bitmap sync / floor: $(ratio "$t_bitmap_img" "$t_floor_img") |"
  fi
  echo
  echo "Where one such bitmap sync spends its time (\`rehost -v\`, page cache $CACHE):"
  echo
  phase_table "$D/fphases.txt" "$s" "$e"
fi
