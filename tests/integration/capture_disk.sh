# rehost capture of a raw disk file and of a block device: sparse copies whose
# content equals the source in every output format; the source is unchanged.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)

qemu-img convert -O raw "$FX/debian12-mbr.qcow2" "$T/src.raw"
before=$(sum "$T/src.raw")
vsize=$(stat -c %s "$T/src.raw")

"$REHOST" --machine-readable capture "$T/src.raw" -o "$T/out.qcow2" > "$T/events.jsonl"
expect_eq "source unchanged by capture" "$(sum "$T/src.raw")" "$before"
qemu-img compare -q "$T/src.raw" "$T/out.qcow2" && ok "qcow2 equals source" || fail "qcow2 differs from source"
qemu-img check -q "$T/out.qcow2" && ok "qcow2 check" || fail "qemu-img check out.qcow2"
actual=$(qemu-img info --output=json "$T/out.qcow2" | jq '.["actual-size"]')
[ "$actual" -lt $((vsize / 2)) ] && ok "qcow2 is sparse" || fail "qcow2 not sparse: $actual of $vsize"
expect_eq "events are JSON lines" "$(jq -c 'select(.event)' "$T/events.jsonl" | wc -l)" "$(wc -l < "$T/events.jsonl")"
expect_match "progress events" "$(jq -r 'select(.event=="progress") | .phase' "$T/events.jsonl" | sort -u)" '^copy$'
expect_eq "final progress is complete" "$(jq -r 'select(.event=="progress") | (.done==.total)' "$T/events.jsonl" | tail -1)" true
expect_eq "copy event names output" "$(jq -r 'select(.event=="copy" and .output) | .output' "$T/events.jsonl")" "$T/out.qcow2"

for fmt in vmdk vhdx vhd raw; do
  ext=$fmt
  "$REHOST" -q capture "$T/src.raw" -o "$T/out.$ext"
  want=$fmt; [ "$fmt" = vhd ] && want=vpc
  expect_eq "$fmt output format" "$(qemu-img info --output=json "$T/out.$ext" | jq -r .format)" "$want"
  qemu-img compare -q "$T/src.raw" "$T/out.$ext" && ok "$fmt equals source" || fail "$fmt differs from source"
done
expect_eq "vmdk is stream-optimized" \
  "$(qemu-img info --output=json "$T/out.vmdk" | jq -r '.["format-specific"].data["create-type"]')" streamOptimized
used=$(du -k "$T/out.raw" | cut -f1)
[ "$used" -lt $((vsize / 2048)) ] && ok "raw output is sparse" || fail "raw output not sparse: ${used}K"
rm -f "$T"/out.*

# a real block device (loop), captured read-only
if loopdev=$(losetup -f --show -r "$T/src.raw" 2>/dev/null); then
  trap 'losetup -d "$loopdev"; rm -rf "$T"' EXIT
  "$REHOST" -q capture "$loopdev" -o "$T/dev.qcow2"
  qemu-img compare -q "$T/src.raw" "$T/dev.qcow2" && ok "block device capture equals source" || fail "block device capture differs"
  out=$("$REHOST" capture -O raw "$loopdev" -o "$T/dev.img" 2>&1); expect_match "block device message" "$out" "captured $loopdev"
  jq_eq <(qemu-img info --output=json "$T/dev.img") .format raw
else
  echo "note: no loop device available; block-device capture not exercised" >&2
fi
# interrupted capture: exit status 6, no output, no temporary, helper stopped
"$REHOST" capture "$T/src.raw" -O vhdx -o "$T/int.vhdx" 2> "$T/int.err" &
rpid=$!
for _ in $(seq 1 100); do
  ls "$T"/.int.vhdx.rehost-tmp.* > /dev/null 2>&1 && break
  sleep 0.05
done
kill -INT $rpid
rc=0; wait $rpid || rc=$?
expect_eq "interrupted capture exit status" "$rc" 6
expect_match "interrupted message" "$(cat "$T/int.err")" "interrupted; partial output removed"
sleep 0.5
expect_no_file "$T/int.vhdx"
expect_no_temp "$T"
if pgrep -f "qemu-img convert.*int.vhdx" > /dev/null; then fail "qemu-img still running after interrupt"; else ok "helper stopped"; fi

expect_eq "source unchanged at the end" "$(sum "$T/src.raw")" "$before"
expect_no_temp "$T"
finish
