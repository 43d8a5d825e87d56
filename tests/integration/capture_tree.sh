# rehost capture of a root directory tree, in its default layout (MBR, ext4,
# qcow2): the image scans back with the same OS facts as the fixture and boots
# under qemu (TCG) to a login prompt on ttyS0. capture.tree-gpt (FULL=1) does
# the same for the GPT layout written as vhdx.
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

# boot it: SeaBIOS -> grub (in the MBR) -> kernel -> systemd -> serial getty
boot_start tree -drive "file=$T/tree.qcow2,format=qcow2,if=ide" -nic none
boot_wait tree "$FIX_HOSTNAME login:" 420
boot_stop tree
finish
