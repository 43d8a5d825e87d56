# rehost capture of a root directory tree: the image scans back with the same OS
# facts as the fixture and boots under qemu (TCG) to a login prompt on ttyS0.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
source "$FX/facts.env"

"$REHOST" capture "$FX/root" -o "$T/tree.qcow2" 2> "$T/capture.err"
expect_match "capture says what it built" "$(cat "$T/capture.err")" "building a mbr-partitioned ext4 disk"
qemu-img check -q "$T/tree.qcow2" && ok "qemu-img check" || fail "qemu-img check tree.qcow2"
expect_no_temp "$T"

"$REHOST" -q scan --json "$T/tree.qcow2" > "$T/r.json"
R=$T/r.json
jq_eq $R .os.distro "$FIX_DISTRO"
jq_eq $R .os.version "$FIX_VERSION"
jq_eq $R .os.hostname "$FIX_HOSTNAME"
jq_eq $R .os.init_system systemd
jq_eq $R .os.root /dev/sda1
jq_eq $R '.kernels[0].version' "$FIX_KERNEL"
jq_eq $R '.kernels[0].initramfs' "/boot/initrd.img-$FIX_KERNEL"
jq_eq $R .boot.bootloader grub2
jq_eq $R .adjtime.mode "$FIX_ADJTIME"
jq_eq $R '.storage.disks[0].partition_table' msdos
jq_eq $R '[.fstab[] | select(.network)] | length' 2

# GPT layout: root stays partition 1 (the tree's fstab names /dev/sda1), the
# BIOS boot partition is number 2; this one is booted. It is written as vhdx,
# built through a qcow2 scratch: right format, no temporaries left.
"$REHOST" -q capture --partition gpt "$FX/root" -o "$T/gpt.vhdx"
expect_eq "tree to vhdx" "$(qemu-img info --output=json "$T/gpt.vhdx" | jq -r .format)" vhdx
qemu-img check -q "$T/gpt.vhdx" && ok "vhdx check" || fail "qemu-img check gpt.vhdx"
expect_no_temp "$T"
"$REHOST" -q scan --json "$T/gpt.vhdx" > "$T/g.json"
G=$T/g.json
jq_eq $G '.storage.disks[0].partition_table' gpt
jq_eq $G .os.root /dev/sda1
jq_eq $G '.storage.disks[0].partitions[] | select(.number==2) | .gpt_type' 21686148-6449-6E6F-744E-656564454649
jq_eq $G '.storage.disks[0].partitions[] | select(.number==1) | .device' /dev/sda1
expect_eq "bios boot partition lies before root" \
  "$(jq '[.storage.disks[0].partitions[] | {(.number|tostring): .start}] | add | .["2"] < .["1"]' $G)" true
jq_eq $G .os.hostname "$FIX_HOSTNAME"

# boot it: SeaBIOS -> grub -> kernel -> systemd -> serial getty
log=$T/serial.log
timeout 420 qemu-system-x86_64 -machine accel=tcg -cpu max -m 1024 -smp "$TEST_VCPUS" -display none \
  -no-reboot -nodefaults -serial "file:$log" \
  -drive "file=$T/gpt.vhdx,format=vhdx,if=ide,snapshot=on" -nic none &
qpid=$!
booted=
for _ in $(seq 1 400); do
  if grep -q "$FIX_HOSTNAME login:" "$log" 2>/dev/null; then booted=1; break; fi
  kill -0 $qpid 2>/dev/null || break
  sleep 1
done
kill $qpid 2>/dev/null || true
wait $qpid 2>/dev/null || true
if [ -n "$booted" ]; then ok "booted to a login prompt"; else
  fail "no login prompt on the serial console"; tail -c 3000 "$log" >&2 || true
fi
finish
