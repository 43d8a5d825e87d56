#!/usr/bin/env bash
# Benchmark rehost replicate against its peers, in one run on this machine:
#   full copy:    rehost replicate --full   vs  qemu-img convert, made durable the
#                 same way (fsync of the file and its directory; goal <= 1.0x), and
#                 vs plain qemu-img convert (cache=unsafe: not durable), for the cost
#   delta sync:   rehost replicate compare  vs  rsync --inplace --no-whole-file --fsync
#                 (goal <= 0.5x)
#   change track: rehost replicate bitmap   vs  rehost full copy       (goal >= 50x faster)
# on an 8 GiB sparse qcow2 holding 2 GiB of random data, after changing 1% of
# its 64 KiB blocks. Each timing is the best of RUNS (default 2); page cache
# warm, then cold (dropped before every run, when root). Prints Markdown tables.
# Usage: bench/replicate.sh [REHOST_BINARY]   (BENCH_DIR: scratch, ~12 GB)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
REHOST=${1:-$HERE/build/rehost}
RUNS=${RUNS:-2}
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/rehost-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
for t in qemu-img qemu-io rsync jq; do command -v $t >/dev/null || { echo "bench: needs $t" >&2; exit 1; }; done

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
drop_caches() { if [ $CACHE = cold ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi; }

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

# the previous generation of the target, for every delta contender
"$REHOST" -q replicate "$D/src.qcow2" "$D/tgt.qcow2"
cp -p --sparse=always "$D/tgt.qcow2" "$D/old.qcow2"
cp "$D/tgt.qcow2.rehost.json" "$D/old.state"
cp --sparse=always "$D/src.qcow2" "$D/src-old.qcow2"   # rsync's destination: yesterday's file

NBLK=$((8 * GiB / BS)); NCHG=$((NBLK / 100))
echo "bench: changing $NCHG of $NBLK blocks (1%)" >&2
cmds=()
declare -A seen=()
while [ ${#seen[@]} -lt $NCHG ]; do
  b=$(( (RANDOM * 32768 + RANDOM) % NBLK ))
  [ -n "${seen[$b]:-}" ] && continue
  seen[$b]=1
  cmds+=(-c "write -P $((RANDOM % 255 + 1)) $((b * BS)) $BS")
done
qemu-io -f qcow2 "${cmds[@]}" "$D/src.qcow2" > /dev/null

# the peer, durable: qemu-img convert never flushes (cache=unsafe); rehost
# fsyncs the file and its directory before it records anything
durable_convert() { qemu-img convert -f qcow2 -O qcow2 -S 4k "$1" "$2" && sync "$2" && sync "$(dirname "$2")"; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }
restore='cp -p --sparse=always "$D/old.qcow2" "$D/tgt.qcow2"; cp "$D/old.state" "$D/tgt.qcow2.rehost.json"'
passes=(warm)
[ -w /proc/sys/vm/drop_caches ] && passes+=(cold)
echo "8 GiB qcow2, 2 GiB random data, 1% of 64 KiB blocks changed ($((NCHG * BS / 1048576)) MiB); $(nproc) cores; best of $RUNS; $(date -u +%Y-%m-%d)"
for CACHE in "${passes[@]}"; do
  echo "bench: page cache $CACHE" >&2
  t_qemu=$(best 'rm -f "$D/ref.qcow2"' qemu-img convert -f qcow2 -O qcow2 -S 4k "$D/src.qcow2" "$D/ref.qcow2")
  t_qemu_d=$(best 'rm -f "$D/ref.qcow2"' durable_convert "$D/src.qcow2" "$D/ref.qcow2")
  t_full=$(best 'rm -f "$D/full.qcow2" "$D/full.qcow2.rehost.json"' "$REHOST" -q replicate --full --no-track "$D/src.qcow2" "$D/full.qcow2")
  check_equal "$D/src.qcow2" "$D/full.qcow2"
  # each delta run restores the old target and state; --no-track keeps the
  # source's generation-1 bitmap in place for the next run
  t_bitmap=$(best "$restore" "$REHOST" -q replicate --mode bitmap --no-track "$D/src.qcow2" "$D/tgt.qcow2")
  mode=$(jq -r .last_sync.mode "$D/tgt.qcow2.rehost.json")
  [ "$mode" = bitmap ] || { echo "bench: bitmap run fell back to $mode" >&2; exit 1; }
  check_equal "$D/src.qcow2" "$D/tgt.qcow2"
  t_compare=$(best "$restore" "$REHOST" -q replicate --mode compare --no-track "$D/src.qcow2" "$D/tgt.qcow2")
  check_equal "$D/src.qcow2" "$D/tgt.qcow2"
  t_rsync=$(best 'cp --sparse=always "$D/src-old.qcow2" "$D/rs.qcow2"' rsync --inplace --no-whole-file --ignore-times --fsync "$D/src.qcow2" "$D/rs.qcow2")
  cmp -s "$D/src.qcow2" "$D/rs.qcow2" || { echo "bench: rsync result differs" >&2; exit 1; }
  echo
  echo "page cache $CACHE:"
  echo
  echo "| operation | peer | peer (s) | rehost (s) | rehost / peer | goal |"
  echo "|---|---|---|---|---|---|"
  echo "| full copy (durable) | qemu-img convert + fsync file and directory | $t_qemu_d | $t_full | $(ratio "$t_full" "$t_qemu_d") | <= 1.0 |"
  echo "| full copy | qemu-img convert (not durable: cache=unsafe) | $t_qemu | $t_full | $(ratio "$t_full" "$t_qemu") | (the cost of durability) |"
  echo "| delta sync, compare | rsync --inplace --no-whole-file -I --fsync | $t_rsync | $t_compare | $(ratio "$t_compare" "$t_rsync") | <= 0.5 |"
  echo "| delta sync, bitmap | rehost full copy | $t_full | $t_bitmap | $(ratio "$t_bitmap" "$t_full") (speed-up $(ratio "$t_full" "$t_bitmap")x) | speed-up >= 50x |"
done
