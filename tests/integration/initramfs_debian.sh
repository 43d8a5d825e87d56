# The Debian initramfs-tools rebuild, booted (FULL=1 only: the rebuild takes
# 11-18 minutes in the TCG appliance; CI boots the dracut rebuild, in
# field.guests). Debian's MODULES=most initramfs already carries the boot
# drivers of every shipped profile, so a profile that asks for one more is
# used: kvm's virtio drivers plus hv_utils, which the guest's kernel has and
# its initramfs lacks. finalize adds it to /etc/initramfs-tools/modules,
# regenerates the initramfs with the guest's update-initramfs inside the
# appliance, and the regenerated initramfs carries it and boots (virtio disk).
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }
before=$(sum "$SRC")
cat > "$T/kvm-plus.json" <<'P'
{"schema": "rehost.profile/1", "name": "kvm-plus", "extends": "kvm",
 "initramfs_modules": ["virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net", "hv_utils"]}
P
"$REHOST" convert --profile "$T/kvm-plus.json" -o "$T/out.qcow2" --report "$T/r.json" "$SRC" \
  > /dev/null 2> "$T/conv.err" || fail "convert: $(tail -5 "$T/conv.err")"
expect_eq "only the missing driver is added, to initramfs-tools' list" "$(changes_of "$T/r.json" add-initramfs-modules)" \
  "/etc/initramfs-tools/modules hv_utils"
expect_eq "the initramfs rebuilt with update-initramfs" "$(changes_of "$T/r.json" rebuild)" "initramfs update-initramfs -u -k all"
cat > "$T/read.gf" <<'GF'
echo ==modules
cat /etc/initramfs-tools/modules
echo ==initrd
sh "for i in /boot/initrd.img-*; do lsinitramfs $i; done | grep -E '[.]ko$' | sed 's,.*/,,; s,[.]ko$,,' | sort -u"
GF
guestfish --ro --format=qcow2 -a "$T/out.qcow2" -i -f "$T/read.gf" > "$T/dump" 2> "$T/read.err" \
  || fail "reading the output: $(cat "$T/read.err")"
expect_match "the module list names it" "$(section "$T/dump" modules)" "^hv_utils$"
expect_match "the regenerated initramfs carries it" "$(section "$T/dump" initrd)" "^hv_utils$"
expect_match "and still the virtio drivers" "$(section "$T/dump" initrd)" "^virtio_blk$"
boot_start deb -drive "file=$T/out.qcow2,format=qcow2,if=virtio" -nic none
boot_wait deb "login:" 900
boot_stop deb
expect_eq "the source is not written" "$(sum "$SRC")" "$before"
expect_no_temp "$T"
finish
