# rehost capture of a root directory tree with --partition gpt: root stays
# partition 1 (the tree's fstab names /dev/sda1), the BIOS boot partition is
# number 2. It is written as vhdx, built through a qcow2 scratch: right
# format, no temporaries left. It scans back and boots under qemu (TCG) to a
# login prompt. FULL=1 only: CI captures and boots the default layout
# (capture.tree).
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
source "$FX/facts.env"

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

# boot it: SeaBIOS -> grub (core image in the BIOS boot partition) -> kernel -> systemd -> serial getty
boot_start gpt -drive "file=$T/gpt.vhdx,format=vhdx,if=ide" -nic none
boot_wait gpt "$FIX_HOSTNAME login:" 420
boot_stop gpt
finish
