# valgrind memcheck over the scan and replicate paths: no invalid reads or
# writes, no uninitialised values, no definitely lost memory, no file
# descriptors left open at exit. Exit status 99 is valgrind's; the results
# are checked as in the ordinary tests, so a run that does nothing fails.
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
command -v valgrind > /dev/null || { fail "valgrind is not installed (scripts/setup installs it)"; finish; exit 1; }
FX=$(fixtures)

# vg NAME STATUS CMD...: run CMD under memcheck, expecting exit STATUS; its
# log is kept in $T/NAME.vg
vg() {
  local name=$1 want=$2 rc=0
  shift 2
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-fds=yes --log-file="$T/$name.vg" "$@" 2> "$T/$name.err" || rc=$?
  if [ "$rc" = 99 ]; then
    fail "$name: memcheck found errors:"
    head -60 "$T/$name.vg" | sed 's/^/    /' >&2
  elif [ "$rc" != "$want" ]; then
    fail "$name: exit status $rc, expected $want: $(tail -3 "$T/$name.err")"
  else
    ok "$name: memcheck clean, exit status $want"
  fi
  # --track-fds lists each descriptor open at exit; those rehost opened carry
  # a stack instead of "<inherited from parent>" (the harness's own)
  if ! grep -q "FILE DESCRIPTORS:" "$T/$name.vg"; then
    fail "$name: no descriptor list in the valgrind log"
  else
    local leaked
    leaked=$(awk '/Open .*descriptor [0-9]+:/ {d=$0; getline; if ($0 !~ /inherited from parent/) print d}' "$T/$name.vg")
    expect_eq "$name: no descriptors left open at exit" "$leaked" ""
  fi
}

# ---- scan: the libguestfs path (one appliance launch), in rehost-full, which
# rehost re-executes for it (memcheck does not follow an exec) ----
vg scan 0 "${REHOST_FULL:?}" -q scan "$FX/debian12-mbr.qcow2" -o "$T/scan.json"
jq_eq "$T/scan.json" .os.type linux

# ---- replicate: full, compare and bitmap syncs ----
qemu-img create -q -f qcow2 "$T/src.qcow2" 512M
qemu-io -f qcow2 -c "write -P 0x11 0 64M" -c "write -P 0x12 300M 8M" "$T/src.qcow2" > /dev/null
vg full 0 "$REHOST" -q replicate "$T/src.qcow2" "$T/tgt.qcow2"
qemu-io -f qcow2 -c "write -P 0x13 32M 4M" -c "write -z 300M 1M" "$T/src.qcow2" > /dev/null
vg bitmap 0 "$REHOST" -q replicate --mode bitmap "$T/src.qcow2" "$T/tgt.qcow2"
qemu-io -f qcow2 -c "write -P 0x14 400M 2M" "$T/src.qcow2" > /dev/null
vg compare 0 "$REHOST" -q replicate --mode compare "$T/src.qcow2" "$T/tgt.qcow2"
expect_same_data "target equals source" "$T/src.qcow2" "$T/tgt.qcow2"
jq_eq "$T/tgt.qcow2.rehost.json" .state consistent
# an error path: a source that is not an image
head -c 1000 /dev/urandom > "$T/junk.bin"
vg refused 3 "$REHOST" -q replicate "$T/junk.bin" "$T/j.qcow2"
finish
