# Faults during finalize and convert: kill -9 at random points of an in-place
# finalize and of a convert; ENOSPC on convert's output filesystem. Afterwards
# a target is never marked consistent while it differs from its source (the
# next sync repairs it, saying why), no half-made output is presented under
# the output's name, the next run removes what the killed one left, and the
# source's bytes never change.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
FIN_ROUNDS=${FAULT_FINALIZE_ROUNDS:-4}
CONV_ROUNDS=${FAULT_CONVERT_ROUNDS:-2}
echo "random seed: $SEED, $FIN_ROUNDS finalize and $CONV_ROUNDS convert kill rounds (rerun with SEED=$SEED)"

# rehost's working directories (convert's overlay) go under TMPDIR: here,
# where the test can see what a killed run leaves
mkdir "$T/work"
export TMPDIR="$T/work"

src_sum=
check_source() {
  expect_eq "$1: the source's bytes are unchanged" "$(sum "$T/src.qcow2")" "$src_sum"
}
# The appliance (qemu) outlives a killed rehost by up to a second, until
# libguestfs' recovery process stops it: wait until nothing has FILE open.
wait_released() {
  for _ in $(seq 100); do
    fuser -s "$1" 2> /dev/null || return 0
    sleep 0.1
  done
  fail "$1 is still open 10 s after rehost was killed: $(fuser -v "$1" 2>&1)"
}
# kill_after MS CMD...: run CMD in the background, kill -9 it after MS
# milliseconds; sets pid and killed (1 if it was still running)
kill_after() {
  local ms=$1
  shift
  "$@" > "$T/killed.out" 2>&1 &
  pid=$!
  sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
  killed=0
  if kill -9 "$pid" 2> /dev/null; then killed=1; fi
  wait "$pid" 2> /dev/null || true
}

# --no-track: syncs add no change-tracking bitmap to the source, so its file
# must stay byte for byte the same through everything below
cp --sparse=always "$FX/debian12-mbr.qcow2" "$T/src.qcow2"
src_sum=$(sum "$T/src.qcow2")
"$REHOST" -q replicate --no-track "$T/src.qcow2" "$T/tgt.qcow2" || fail "initial full copy"
kills=0

# ---- kill -9 during an in-place finalize (about 45 s here under TCG) ----
for round in $(seq "$FIN_ROUNDS"); do
  ms=$((1000 + (RANDOM * 32768 + RANDOM) % 41000))
  kill_after "$ms" "$REHOST" finalize --profile kvm --firstboot-install "$T/tgt.qcow2"
  kills=$((kills + killed))
  wait_released "$T/tgt.qcow2"
  st=$(target_state "$T/tgt.qcow2")
  echo "finalize round $round: killed after $ms ms, state $st"
  case $st in
    consistent) # killed before it marked the target: it had not touched it
      expect_same_data "round $round: consistent means equal" "$T/src.qcow2" "$T/tgt.qcow2" ;;
    inconsistent)
      expect_match "round $round: the state says finalize did not finish" \
        "$(jq -r .reason "$T/tgt.qcow2.rehost.json")" "^finalize for kvm \(pid $pid\) did not finish"
      # finalize itself refuses a half-finalized target (exit 7, integrity)
      run_expect_fail 7 "tgt.qcow2: is inconsistent \(finalize for kvm \(pid $pid\) did not finish.*run rehost replicate first" \
        "$REHOST" finalize --profile kvm --firstboot-install "$T/tgt.qcow2"
      out=$("$REHOST" replicate --no-track "$T/src.qcow2" "$T/tgt.qcow2" 2>&1) || fail "round $round: repair sync: $out"
      expect_match "round $round: the next sync says why it compares" "$out" \
        "compare sync: the target is marked inconsistent \(finalize for kvm \(pid $pid\) did not finish"
      ;;
    finalized) # it finished before the kill: syncs are refused until --force
      run_expect_fail 7 "was finalized" "$REHOST" replicate --no-track "$T/src.qcow2" "$T/tgt.qcow2"
      "$REHOST" -q replicate --no-track --force "$T/src.qcow2" "$T/tgt.qcow2" || fail "round $round: forced sync" ;;
    *) fail "round $round: unexpected state $st" ;;
  esac
  expect_same_data "round $round: target equals the source" "$T/src.qcow2" "$T/tgt.qcow2"
  jq_eq "$T/tgt.qcow2.rehost.json" .state consistent
  qemu-img check -q "$T/tgt.qcow2" && ok "round $round: qemu-img check" \
    || fail "round $round: qemu-img check: $(qemu-img check "$T/tgt.qcow2" 2>&1 | tail -2)"
  check_source "finalize round $round"
done

# ---- kill -9 during convert, then ENOSPC, on one small output filesystem ----
# (the output does not fit: a convert that is not killed fails with ENOSPC)
mkdir "$T/small"
if ! mount -t tmpfs -o size=48M rehost-enospc "$T/small" 2> /dev/null; then
  fail "cannot mount a tmpfs (not root?): the convert cases did not run"
  finish
  exit $?
fi
trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
# (.guestfs-0 is libguestfs' appliance cache, kept on purpose)
leftovers() { find "$T/small" "$T/work" -mindepth 1 -maxdepth 1 ! -name '.guestfs-*' | head -5; }
for round in $(seq "$CONV_ROUNDS"); do
  ms=$((1000 + (RANDOM * 32768 + RANDOM) % 50000))
  kill_after "$ms" "$REHOST" convert --profile kvm --firstboot-install "$T/src.qcow2" -o "$T/small/out.qcow2"
  kills=$((kills + killed))
  wait_released "$T/src.qcow2"
  echo "convert round $round: killed after $ms ms, leftovers: $(leftovers | wc -l)"
  expect_no_file "$T/small/out.qcow2"
  check_source "convert round $round"
done
[ "$kills" -gt 0 ] && ok "some runs were killed mid-way" || fail "no run was killed: timing too short"
had_leftovers=$(leftovers | wc -l)

# the next convert removes what the killed ones left, says so, and fails
# cleanly when the output runs out of space
rc=0
"$REHOST" convert --profile kvm --firstboot-install "$T/src.qcow2" -o "$T/small/out.qcow2" \
  > "$T/enospc.out" 2> "$T/enospc.err" || rc=$?
expect_eq "ENOSPC: exit status 5 (I/O)" "$rc" 5
expect_match "ENOSPC: the error names the output and the cause" "$(cat "$T/enospc.err")" \
  "small/out.qcow2.*No space left on device"
if [ "$had_leftovers" -gt 0 ]; then
  expect_match "it says what it removed" "$(cat "$T/enospc.err")" "removed .*, left by an interrupted run"
fi
expect_no_file "$T/small/out.qcow2"
expect_eq "nothing left behind: no temporary, no work directory" "$(leftovers)" ""
check_source "convert with ENOSPC"
finish
