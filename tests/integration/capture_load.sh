# rehost capture of the fixture's root tree, five times in a row while a busy
# loop runs on every core. Inside the libguestfs appliance the kernel names of
# the guest's disk and the appliance's own disk race, more so under load: a
# guest command that named /dev/sda would, in some runs, install GRUB on the
# appliance's disk and fail ("cross-disk install"). Every run must succeed
# and give a disk whose boot sector is GRUB's and that scans back with the
# tree's root. Labelled "full": scripts/test runs it with FULL=1.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
busy=()
for _ in $(seq "$(nproc)"); do (while :; do :; done) & busy+=($!); done
trap 'kill "${busy[@]}" 2> /dev/null; rm -rf "$T"' EXIT
for i in 1 2 3 4 5; do
  t0=$(date +%s)
  if "$REHOST" -q capture "$FX/root" -o "$T/c.qcow2" 2> "$T/c$i.err"; then
    ok "capture $i under load ($(( $(date +%s) - t0 )) s)"
    qemu-img dd -f qcow2 -O raw bs=512 count=1 if="$T/c.qcow2" of="$T/mbr.bin" 2> /dev/null
    expect_match "capture $i: GRUB's boot code in the MBR" "$(grep -ao GRUB "$T/mbr.bin" | head -1)" "^GRUB$"
    "$REHOST" -q scan --json "$T/c.qcow2" > "$T/r.json" 2> /dev/null || fail "capture $i: scan"
    jq_eq "$T/r.json" .os.root /dev/sda1
  else
    fail "capture $i under load: $(tail -3 "$T/c$i.err")"
  fi
  rm -f "$T/c.qcow2"
done
finish
