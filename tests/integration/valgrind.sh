# valgrind memcheck over the scan and replicate paths: no invalid reads or
# writes, no uninitialised values, no definitely lost memory, no file
# descriptors left open at exit. Exit status 99 is valgrind's; the results
# are checked as in the ordinary tests, so a run that does nothing fails.
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
command -v valgrind > /dev/null || { fail "valgrind is not installed (scripts/setup installs it)"; finish; exit 1; }
FX=$(fixtures)

vg() { # vg NAME CMD...: run CMD under memcheck; its log is kept in $T/NAME.vg
  local name=$1 rc=0
  shift
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-fds=yes --log-file="$T/$name.vg" "$@" || rc=$?
  if [ "$rc" = 99 ]; then
    fail "$name: memcheck found errors:"
    sed 's/^/    /' "$T/$name.vg" | head -60 >&2
  elif [ "$rc" != 0 ]; then
    fail "$name: exit status $rc"
  else
    ok "$name: memcheck clean"
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

# ---- scan: the libguestfs path (one appliance launch) ----
vg scan "$REHOST" -q scan "$FX/debian12-mbr.qcow2" -o "$T/scan.json"
jq_eq "$T/scan.json" .os.type linux

# ---- replicate: full, compare and bitmap syncs ----
qemu-img create -q -f qcow2 "$T/src.qcow2" 512M
qemu-io -f qcow2 -c "write -P 0x11 0 64M" -c "write -P 0x12 300M 8M" "$T/src.qcow2" > /dev/null
vg full "$REHOST" -q replicate "$T/src.qcow2" "$T/tgt.qcow2"
qemu-io -f qcow2 -c "write -P 0x13 32M 4M" -c "write -z 300M 1M" "$T/src.qcow2" > /dev/null
vg bitmap "$REHOST" -q replicate --mode bitmap "$T/src.qcow2" "$T/tgt.qcow2"
qemu-io -f qcow2 -c "write -P 0x14 400M 2M" "$T/src.qcow2" > /dev/null
vg compare "$REHOST" -q replicate --mode compare "$T/src.qcow2" "$T/tgt.qcow2"
qemu-img compare -q "$T/src.qcow2" "$T/tgt.qcow2" && ok "target equals source" || fail "target differs from source"
jq_eq "$T/tgt.qcow2.rehost.json" .state consistent
# an error path: a source that is not an image
head -c 1000 /dev/urandom > "$T/junk.bin"
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --log-file="$T/junk.vg" "$REHOST" -q replicate "$T/junk.bin" "$T/j.qcow2" 2> /dev/null && rc=0 || rc=$?
expect_eq "refused input: exit 3, memcheck clean" "$rc" 3
finish
