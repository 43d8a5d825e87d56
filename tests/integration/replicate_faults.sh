# Faults during replicate: kill -9 at random points of full, compare and bitmap
# syncs, repeated; ENOSPC on the target's filesystem. Afterwards the target is
# never marked consistent while it differs from the source, the next run says
# why it falls back and repairs it, and the source's data never changes.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
ROUNDS=${FAULT_ROUNDS:-14}
echo "random seed: $SEED, $ROUNDS kill rounds (rerun with SEED=$SEED)"


cp --sparse=always "$FX/debian12-mbr.qcow2" "$T/src.qcow2"
"$REHOST" -q replicate "$T/src.qcow2" "$T/tgt.qcow2" || fail "initial full copy"
qemu-img convert -O qcow2 "$T/src.qcow2" "$T/prev.qcow2"
modes=(full compare auto auto)
killed=0
for round in $(seq "$ROUNDS"); do
  # give the sync real work: a 96 MiB run and 200 scattered blocks, none in
  # the first MiB: the partition table is the source's identity, and a source
  # whose identity changed is refused (as it should be; once in about 18 runs
  # a random block landed on it and every round after failed)
  cmds=(-c "write -P $((round % 250 + 1)) $(( (RANDOM % 2000 + 1) * 1048576 )) 96M")
  for _ in $(seq 200); do cmds+=(-c "write -P $((RANDOM % 250 + 1)) $(( (RANDOM * 32768 + RANDOM) % 49136 * 65536 + 1048576 )) 64k"); done
  qemu-io -f qcow2 "${cmds[@]}" "$T/src.qcow2" > "$T/io.out" 2>&1 \
    || { fail "round $round: writing the source: $(tail -3 "$T/io.out"; pgrep -af "qemu-(nbd|img|io).*$T" || true)"; break; }
  qemu-img convert -O qcow2 "$T/src.qcow2" "$T/snap.qcow2" 2> "$T/io.out" \
    || { fail "round $round: copying the source: $(tail -3 "$T/io.out")"; break; }
  prev_started=$(jq -r .last_sync.started "$T/tgt.qcow2.rehost.json")
  mode=${modes[$((RANDOM % ${#modes[@]}))]}
  case $mode in # kill somewhere inside the sync's typical duration here
    auto) delay=$(( RANDOM % 450 )) ;; full) delay=$(( RANDOM % 800 )) ;; *) delay=$(( RANDOM % 1500 )) ;;
  esac
  "$REHOST" -q replicate --mode "$mode" "$T/src.qcow2" "$T/tgt.qcow2" 2> "$T/killed.err" &
  pid=$!
  sleep "$(printf '0.%03d' "$delay")"
  if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); fi
  wait $pid 2>/dev/null || true
  # rehost's helpers get SIGTERM when it dies (PR_SET_PDEATHSIG) and exit
  # as qemu does, closing the image first; on a busy machine that is not
  # always done in 0.3 s (a qemu-img bitmap step, which opens the source for
  # writing, still held its lock once): wait until both images open with
  # their locks, 10 s at most
  for _ in $(seq 100); do
    qemu-img info "$T/src.qcow2" > /dev/null 2>&1 && qemu-img info "$T/tgt.qcow2" > /dev/null 2>&1 && break
    sleep 0.1
  done
  st=$(target_state "$T/tgt.qcow2")
  echo "round $round: $mode sync killed after ${delay} ms, state $st"
  if [ "$st" = consistent ] && [ "$(jq -r .last_sync.started "$T/tgt.qcow2.rehost.json")" = "$prev_started" ]; then
    # killed before it began: the target still equals the source of the last sync
    expect_same_data "round $round: untouched target still consistent" "$T/prev.qcow2" "$T/tgt.qcow2"
  elif [ "$st" = consistent ]; then
    expect_same_data "round $round: consistent means equal" "$T/src.qcow2" "$T/tgt.qcow2"
  else
    expect_eq "round $round: a killed sync is not consistent" "$st" syncing
  fi
  expect_same_data "round $round: source data unchanged" "$T/src.qcow2" "$T/snap.qcow2"
  # the killed rehost's qemu-nbd closed the target (parent-death signal):
  # its preallocated tail is trimmed. One that lost that SIGTERM while it
  # started (qemu-nbd does) still holds the target: the next run stops it
  # (tested below), and the tail is checked after that run
  orphan=$(pgrep -f "qemu-nbd.*$T/tgt\.qcow2" || true)
  if [ -z "$orphan" ]; then expect_trimmed "round $round: the target file ends at its data" "$T/tgt.qcow2"
  else echo "round $round: the killed sync's qemu-nbd (pid $orphan) still holds the target: the next run stops it"; fi
  "$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" > /dev/null 2> "$T/next.err" \
    || fail "round $round: next sync failed: $(cat "$T/next.err")"
  [ -z "$orphan" ] || expect_trimmed "round $round: the target file ends at its data (after the next run)" "$T/tgt.qcow2"
  if [ "$st" = syncing ]; then
    expect_match "round $round: next run says why" "$(cat "$T/next.err")" \
      "compare sync: the previous sync \(pid $pid\) did not finish"
  fi
  expect_same_data "round $round: repaired" "$T/src.qcow2" "$T/tgt.qcow2"
  mv "$T/snap.qcow2" "$T/prev.qcow2"
  qemu-img check -q "$T/tgt.qcow2" && ok "round $round: target passes qemu-img check" \
    || fail "round $round: qemu-img check target: $(qemu-img check "$T/tgt.qcow2" 2>&1 | tail -2)"
  expect_eq "round $round: consistent again" "$(target_state "$T/tgt.qcow2")" consistent
  expect_no_temp "$T"
done
[ "$killed" -gt 0 ] && ok "some syncs were killed mid-way" || fail "no sync was killed: timing too short"
[ -z "$(pgrep -f "qemu-nbd.*$T" || true)" ] && ok "no qemu-nbd left running" || fail "qemu-nbd processes left: $(pgrep -af "qemu-nbd.*$T")"

# ---- a qemu-nbd orphaned by a killed rehost is stopped by the next run ----
# (qemu-nbd loses a SIGTERM that comes while it starts up, so the parent-death
# signal alone can leave one holding its image; its work directory says whose)
sh -c 'exit 0' & deadpid=$!; wait $deadpid
odir=$(mktemp -d "/tmp/rehost-nbd.$deadpid.XXXXXX")
qemu-img create -q -f qcow2 "$T/orphan.qcow2" 64M
qemu-nbd --socket="$odir/sock" -f qcow2 --shared=1 "$T/orphan.qcow2" 2> /dev/null &
opid=$!
for _ in $(seq 50); do [ -S "$odir/sock" ] && break; sleep 0.1; done
"$REHOST" replicate --mode compare "$T/src.qcow2" "$T/tgt.qcow2" > /dev/null 2> "$T/orph.err" \
  || fail "sync with an orphan around: $(tail -3 "$T/orph.err")"
for _ in $(seq 50); do kill -0 $opid 2> /dev/null || break; sleep 0.1; done
if kill -0 $opid 2> /dev/null; then fail "the orphaned qemu-nbd still runs"; kill $opid; else ok "the orphaned qemu-nbd was stopped"; fi
wait $opid 2> /dev/null || true
expect_no_file "$odir"
expect_match "the orphan's stop is reported" "$(cat "$T/orph.err")" "stopping a qemu block helper \(pid $opid\)"

# expect_interrupted LABEL PID ERRFILE [MODE]: the sync PID stopped as
# interrupted (exit 6, says so last, and no failure of what it stopped) and
# left the target marked inconsistent, its reason the interrupt alone
expect_interrupted() {
  local rc=0
  wait "$2" || rc=$?
  expect_eq "$1: exit status" "$rc" 6
  expect_match "$1: says interrupted" "$(tail -1 "$3")" "interrupted"
  # what the interrupt stopped (a helper, a copy) is not said to have failed
  expect_no_match "$1: no failure said" "$(cat "$3")" "failed"
  jq_eq "$T/tgt.qcow2.rehost.json" .state inconsistent
  expect_match "$1: reason" "$(jq -r .reason "$T/tgt.qcow2.rehost.json")" \
    "^${4:-compare} sync interrupted at [0-9TZ:-]+\$"
}

# ---- Ctrl-C (SIGINT) during a compare sync: exit 6, marked inconsistent ----
qemu-io -f qcow2 -c "write -P 0x71 512M 256M" "$T/src.qcow2" > /dev/null
# the source out of the page cache: read from the disk (O_DIRECT, one
# thread), the sync outlasts the wait below; warm, it can end before it
sync "$T/src.qcow2"
dd if="$T/src.qcow2" iflag=nocache count=0 status=none
"$REHOST" replicate --mode compare --threads 1 "$T/src.qcow2" "$T/tgt.qcow2" 2> "$T/int.err" &
pid=$!
sleep 0.4
kill -INT $pid
expect_interrupted "SIGINT" $pid "$T/int.err"
out=$("$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2>&1) || fail "sync after SIGINT: $out"
expect_match "next run compares, saying why" "$out" "compare sync: the target is marked inconsistent \(compare sync interrupted"
expect_same_data "repaired after SIGINT" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- SIGINT while a helper runs: the helper dies with the signal too; the
# run is still "interrupted" (exit 6), not a failure of that helper ----
mkdir -p "$T/slowbin"
cat > "$T/slowbin/qemu-img" <<EOS
#!/bin/sh
[ "\$1" = "\${SLOW_STEP:-bitmap}" ] && { touch "$T/slowbin/started"; sleep 5; }
exec $(command -v qemu-img) "\$@"
EOS
chmod +x "$T/slowbin/qemu-img"
# interrupt_at_step STEP MODE AT ERR: 1 MiB written at AT, then a MODE sync
# with the slow qemu-img, sent SIGINT once its qemu-img STEP runs (pid: $pid)
interrupt_at_step() {
  qemu-io -f qcow2 -c "write -P 0x72 $3 1M" "$T/src.qcow2" > /dev/null
  rm -f "$T/slowbin/started"
  SLOW_STEP=$1 PATH="$T/slowbin:$PATH" "$REHOST" replicate --mode "$2" "$T/src.qcow2" "$T/tgt.qcow2" 2> "$4" &
  pid=$!
  for _ in $(seq 100); do [ -e "$T/slowbin/started" ] && break; sleep 0.1; done
  [ -e "$T/slowbin/started" ] && ok "$2 sync reached qemu-img $1" || fail "$2 sync never ran qemu-img $1"
  kill -INT $pid
}
interrupt_at_step bitmap compare 8M "$T/int2.err"
expect_interrupted "SIGINT during qemu-img bitmap" $pid "$T/int2.err"
out=$("$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2>&1) || fail "sync after SIGINT in helper: $out"
expect_same_data "repaired after SIGINT in helper" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- SIGINT while the new generation's qemu-img runs beside a bitmap
# sync's reads (it is waited for after the copy): the same ----
expect_match "a bitmap drives the next sync" "$(jq -r .bitmap.name "$T/tgt.qcow2.rehost.json")" '^rehost-'
interrupt_at_step bitmap bitmap 16M "$T/int3.err"
expect_interrupted "SIGINT beside a bitmap sync" $pid "$T/int3.err" bitmap
out=$("$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2>&1) || fail "sync after SIGINT beside a bitmap sync: $out"
expect_same_data "repaired after SIGINT beside a bitmap sync" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- SIGINT while a full copy's qemu-img convert runs: the same ----
interrupt_at_step convert full 24M "$T/int4.err"
expect_interrupted "SIGINT during qemu-img convert" $pid "$T/int4.err" full
out=$("$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2>&1) || fail "sync after SIGINT in a full copy: $out"
expect_same_data "repaired after SIGINT in a full copy" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- a bitmap sync whose bitmap step fails: the target's qemu-nbd, started
# beside that step, is stopped cleanly at once (qemu-nbd loses a SIGTERM
# that comes while it starts, which left one running for 10 s and killed),
# and the target is marked inconsistent ----
cat > "$T/slowbin/qemu-img" <<EOS
#!/bin/sh
[ "\$1" = bitmap ] && { echo "qemu-img: bitmap step refused (test)" >&2; exit 1; }
exec $(command -v qemu-img) "\$@"
EOS
qemu-io -f qcow2 -c "write -P 0x73 9M 1M" "$T/src.qcow2" > /dev/null
rc=0
PATH="$T/slowbin:$PATH" "$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2> "$T/bmfail.err" || rc=$?
[ "$rc" -ne 0 ] && ok "failed bitmap step: the sync fails" || fail "failed bitmap step: exit 0"
expect_match "failed bitmap step: says so" "$(cat "$T/bmfail.err")" \
  "restarting a change-tracking bitmap failed: bitmap step refused"
expect_no_match "failed bitmap step: the target's server stopped cleanly" "$(cat "$T/bmfail.err")" \
  "did not stop|exited abnormally"
expect_match "failed bitmap step: it was a bitmap sync" "$(jq -r .reason "$T/tgt.qcow2.rehost.json")" \
  "^bitmap sync failed at"
expect_eq "failed bitmap step: the target is marked inconsistent" "$(target_state "$T/tgt.qcow2")" inconsistent
[ -z "$(pgrep -f "qemu-nbd.*$T" || true)" ] && ok "failed bitmap step: no qemu-nbd left" \
  || fail "failed bitmap step: qemu-nbd left: $(pgrep -af "qemu-nbd.*$T")"
out=$("$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2>&1) || fail "sync after a failed bitmap step: $out"
expect_same_data "repaired after a failed bitmap step" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- a writer during the look: a VM that starts, writes and stops after the
# source's server loaded the recorded bitmap and before the generation is
# restarted (cleared) or a new one added. Its write lands in what is cleared
# or retired, and the server may serve data from before it: the sync must
# fail and say so, and the next one
# must copy the write. Staged by a qemu-nbd that writes the source once it
# serves (answers nbdinfo), before it shows its socket to rehost. ----
"$REHOST" -q replicate "$T/src.qcow2" "$T/tgt.qcow2" || fail "sync before the race"
mkdir -p "$T/racebin"
cat > "$T/racebin/qemu-nbd" <<EOS
#!/bin/bash
real=$(command -v qemu-nbd)
[[ -e "$T/racebin/armed" && "\$*" == *--bitmap=* ]] || exec "\$real" "\$@"
rm "$T/racebin/armed"
log=$T/racebin/log; echo "armed: \$*" >> "\$log"
args=(); sock=
for a; do case \$a in --socket=*) sock=\${a#--socket=}; args+=("\$a.real") ;; *) args+=("\$a") ;; esac; done
"\$real" "\${args[@]}" & child=\$!
trap 'echo "stopped by a signal" >> "\$log"; kill \$child 2> /dev/null; wait \$child; exit 0' TERM INT HUP
for i in \$(seq 500); do nbdinfo --size "nbd+unix:///?socket=\$sock.real" > /dev/null 2>&1 && break; sleep 0.02; done
echo "serving after \$i looks" >> "\$log"
qemu-io -f qcow2 -c "write -P 0x3c 40M 64k" "$T/src.qcow2" > /dev/null 2>> "\$log" && touch "$T/racebin/written"
echo "qemu-io: \$?" >> "\$log"
mv "\$sock.real" "\$sock"
wait \$child
EOS
chmod +x "$T/racebin/qemu-nbd"
# race_sync WHAT SETUP...: SETUP (a command), then one armed sync, and the
# checks. On a busy machine the staging can miss (the sync then runs as
# usual, with nothing written during its look): what the wrapper saw is
# shown and the whole case, SETUP included, runs again, up to 3 times.
race_sync() {
  local what=$1 rc out try; shift
  for try in 1 2 3; do
    "$@" > /dev/null
    rm -f "$T/racebin/written" "$T/racebin/log"; touch "$T/racebin/armed"
    rc=0
    PATH="$T/racebin:$PATH" "$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2> "$T/race.err" || rc=$?
    [ -e "$T/racebin/written" ] && break
    echo "$what: try $try: the race was not staged (exit $rc); the wrapper: $(cat "$T/racebin/log" 2> /dev/null || echo "never armed")" >&2
    rm -f "$T/racebin/armed"
    # the missed try synced as usual; one more sync, checked, before the next try
    "$REHOST" -q replicate "$T/src.qcow2" "$T/tgt.qcow2" || fail "$what: sync after a missed try"
  done
  [ -e "$T/racebin/written" ] && ok "$what: the writer wrote during the look" \
    || { fail "$what: the race was never staged, in 3 tries"; return; }
  expect_eq "$what: a write during the look fails the sync (exit)" "$rc" 7
  expect_match "$what: and says the source was written" "$(cat "$T/race.err")" "src.qcow2: the source was written while it was read"
  expect_eq "$what: the target is marked inconsistent" "$(target_state "$T/tgt.qcow2")" inconsistent
  out=$("$REHOST" replicate "$T/src.qcow2" "$T/tgt.qcow2" 2>&1) || fail "$what: sync after the race: $out"
  expect_match "$what: the next sync compares" "$out" "compare sync: the target is marked inconsistent"
  expect_same_data "$what: the racing write reached the target" "$T/src.qcow2" "$T/tgt.qcow2"
}
race_sync "bitmap sync, a new generation" qemu-io -f qcow2 -c "write -P 0x3b 30M 64k" "$T/src.qcow2"
# not untouched; the bitmap marks nothing: the generation is kept
race_sync "bitmap sync, nothing marked" touch "$T/src.qcow2"
qemu-io -f qcow2 -c "write -P 0x3d 50M 64k" "$T/src.qcow2" > /dev/null
"$REHOST" -q replicate "$T/src.qcow2" "$T/tgt.qcow2" || fail "bitmap sync after the race"
expect_same_data "and the bitmap sync after it too" "$T/src.qcow2" "$T/tgt.qcow2"

# ---- read errors: a source disk with one unreadable 4 KiB sector ----
# nbdkit's ddrescue filter fails reads in the ranges a ddrescue map marks bad
# ('-'); nbdfuse presents the export as a file, as a failing disk shows itself.
bad=$((100 * 1048576 + 8192))
qemu-img create -q -f raw "$T/disk.raw" 256M
qemu-io -f raw -c "write -P 0x5a 0 256M" "$T/disk.raw" > /dev/null
mkdir "$T/mnt"
serve() { # serve MAPFILE: (re)mount $T/mnt/disk with that map
  fusermount3 -u "$T/mnt" 2> /dev/null || true
  nbdfuse "$T/mnt/disk" --command nbdkit -s --filter=ddrescue file "$T/disk.raw" \
    ddrescue-mapfile="$1" > "$T/nbdfuse.log" 2>&1 &
  for _ in $(seq 50); do [ -e "$T/mnt/disk" ] && return 0; sleep 0.1; done
  fail "nbdfuse did not start: $(cat "$T/nbdfuse.log")"
}
printf '0x0 + 1\n0x0 0x%x +\n' $((256 * 1048576)) > "$T/good.map"
printf '0x0 + 1\n0x0 0x%x +\n0x%x 0x1000 -\n0x%x 0x%x +\n' "$bad" "$bad" $((bad + 4096)) \
  $((256 * 1048576 - bad - 4096)) > "$T/bad.map"
trap 'fusermount3 -u "$T/mnt" 2>/dev/null; rm -rf "$T"' EXIT
serve "$T/good.map"
"$REHOST" -q replicate -f raw "$T/mnt/disk" "$T/r.qcow2" || fail "full copy of the good disk"
qemu-io -f raw -c "write -P 0x5b 96M 16M" "$T/disk.raw" > /dev/null
disk_sum=$(sum "$T/disk.raw")
serve "$T/bad.map"
run_expect_fail 5 "mnt/disk: read at offset $bad failed: Input/output error" \
  "$REHOST" -q replicate -f raw --mode compare "$T/mnt/disk" "$T/r.qcow2"
jq_eq "$T/r.qcow2.rehost.json" .state inconsistent
expect_match "the reason names the bad sector" "$(jq -r .reason "$T/r.qcow2.rehost.json")" \
  "compare sync failed at .*read at offset $bad failed"
# a full copy (qemu-img convert) names the offset of the read that failed
run_expect_fail 5 "copying .*mnt/disk to .*r2.qcow2 failed: error while reading at byte 10[0-9]{7}: Input/output error" \
  "$REHOST" -q replicate -f raw "$T/mnt/disk" "$T/r2.qcow2"
expect_no_file "$T/r2.qcow2"
expect_no_temp "$T"
jq_eq "$T/r2.qcow2.rehost.json" .state inconsistent
serve "$T/good.map"
out=$("$REHOST" replicate -f raw "$T/mnt/disk" "$T/r.qcow2" 2>&1) || fail "sync after the disk recovered: $out"
expect_match "the next sync says why it compares" "$out" \
  "compare sync: the target is marked inconsistent \(compare sync failed at .*offset $bad"
expect_same_data "repaired after the read error" "$T/disk.raw" "$T/r.qcow2"
expect_eq "the failing source's bytes are unchanged" "$(sum "$T/disk.raw")" "$disk_sum"
fusermount3 -u "$T/mnt"

# ---- ENOSPC: a target filesystem that fills up ----
mkdir "$T/small"
if ! mount -t tmpfs -o size=48M rehost-enospc "$T/small" 2>/dev/null; then
  fail "cannot mount a tmpfs (not root?): the ENOSPC cases did not run"
  finish
  exit $?
fi
trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
qemu-img create -q -f qcow2 "$T/big.qcow2" 256M
qemu-io -f qcow2 -c "write -P 0x61 0 80M" "$T/big.qcow2" > /dev/null
big_sum=$(sum "$T/big.qcow2")
run_expect_fail 5 "No space left on device" "$REHOST" -q replicate --no-track "$T/big.qcow2" "$T/small/t.qcow2"
expect_eq "ENOSPC: the source's bytes are unchanged" "$(sum "$T/big.qcow2")" "$big_sum"
expect_no_file "$T/small/t.qcow2"
expect_no_temp "$T/small"
jq_eq "$T/small/t.qcow2.rehost.json" .state inconsistent

qemu-img create -q -f qcow2 "$T/grow.qcow2" 256M
qemu-io -f qcow2 -c "write -P 0x62 0 16M" "$T/grow.qcow2" > /dev/null
"$REHOST" -q replicate "$T/grow.qcow2" "$T/small/g.qcow2" || fail "small full copy"
qemu-io -f qcow2 -c "write -P 0x63 64M 64M" "$T/grow.qcow2" > /dev/null
# bitmap syncs keep their change-tracking bitmaps in the source's qcow2: its
# data, not its file, must stay the same
qemu-img convert -O raw "$T/grow.qcow2" "$T/grow.raw"
for mode in bitmap compare; do
  run_expect_fail 5 "small/g.qcow2: write at offset [0-9]+ failed: No space left on device" \
    "$REHOST" -q replicate --mode $mode "$T/grow.qcow2" "$T/small/g.qcow2"
  jq_eq "$T/small/g.qcow2.rehost.json" .state inconsistent
  expect_match "reason recorded" "$(jq -r .reason "$T/small/g.qcow2.rehost.json")" "sync failed at"
done
mount -o remount,size=256M "$T/small"
out=$("$REHOST" replicate "$T/grow.qcow2" "$T/small/g.qcow2" 2>&1) || fail "sync after freeing space: $out"
expect_match "falls back to compare after ENOSPC" "$out" "compare sync: the target is marked inconsistent"
expect_same_data "repaired after ENOSPC" "$T/grow.qcow2" "$T/small/g.qcow2"
expect_same_data "ENOSPC: the source's data is unchanged" "$T/grow.raw" "$T/grow.qcow2"
finish
