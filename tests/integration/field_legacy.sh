# A guest whose kernel command line is in GRUB legacy's menu (the layout of
# RHEL and CentOS 5 and 6, the old VMs most often lifted and shifted):
# /boot/grub/grub.conf, with menu.lst and /etc/grub.conf links to it, an
# entry booting Linux with root=/dev/sda1 (the source's SCSI disk) and one
# chain-loading another disk; no GRUB 2 tools, no /etc/default/grub; ifupdown
# static on the source's ens192. Finalized for kvm with --network dhcp, the
# entry's kernel line must name the root by its UUID and carry
# net.ifnames=0, the chain-loading entry stay as it was, the links stay
# links; booted on virtio (/dev/vda: /dev/sda1 would not be found) with
# another MAC, the guest must find its root and get DHCP's address on eth0.
# The boot reads menu.lst through GRUB 2's legacy_configfile, as GRUB legacy
# would read it (GRUB 0.97's installer is a 32-bit program, and its ext2
# driver cannot read this fixture's 64-bit ext4): the boot sector stays
# GRUB 2's, and grub.cfg only hands over to menu.lst.
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }

cp "$SRC" "$T/gl.qcow2"
guest_edit "$T/gl.qcow2" 'echo "network: {config: disabled}" > /etc/cloud/cloud.cfg.d/99-site-network.cfg
printf "auto lo\niface lo inet loopback\n\nallow-hotplug ens192\niface ens192 inet static\n  address 10.0.2.15/24\n  gateway 10.0.2.2\n" > /etc/network/interfaces
rm -f /etc/network/interfaces.d/* /etc/udev/rules.d/70-persistent-net.rules
kernel=$(ls /boot/vmlinuz-* | head -1); initrd=$(ls /boot/initrd.img-* | head -1)
printf "default=0\ntimeout=1\nserial --unit=0 --speed=115200\nterminal serial console\n\ntitle Debian (%s)\n\troot (hd0,0)\n\tkernel %s ro root=/dev/sda1 console=ttyS0\n\tinitrd %s\n\ntitle Other\n\trootnoverify (hd1,0)\n\tchainloader +1\n" "${kernel#/boot/vmlinuz-}" "$kernel" "$initrd" > /boot/grub/grub.conf
ln -sf grub.conf /boot/grub/menu.lst
ln -sf ../boot/grub/grub.conf /etc/grub.conf
printf "serial --unit=0 --speed=115200\nterminal_input console serial\nterminal_output console serial\ninsmod legacycfg\nlegacy_configfile /boot/grub/menu.lst\n" > /boot/grub/grub.cfg
rm -f /etc/default/grub /usr/sbin/update-grub /usr/sbin/grub-mkconfig /usr/sbin/grub-install
test -f /boot/grub/i386-pc/legacycfg.mod'
"$REHOST" finalize --profile kvm --network dhcp --report "$T/gl.json" "$T/gl.qcow2" > "$T/gl.out" 2> "$T/gl.err" \
  || fail "finalize GRUB legacy guest: $(tail -5 "$T/gl.err")"
expect_eq "legacy: the entry's kernel line names the root by UUID and carries net.ifnames=0 (one record, for the file both links lead to)" \
  "$(jq -r '.changes[] | select((.file | test("/boot/grub/")) and .action=="kernel-cmdline") | .file + ": " + .after' "$T/gl.json" | sed 's/root=UUID=[0-9a-f-]*/root=UUID=X/')" \
  "/boot/grub/grub.conf: ro root=UUID=X console=ttyS0 net.ifnames=0 biosdevname=0"
expect_match "legacy: the bootloader step says where the command line went" "$(cat "$T/gl.err")" \
  "no GRUB in the guest; the kernel command line was edited in its boot entries \(1:"
expect_eq "legacy: ens192's stanza made eth0's, with DHCP" \
  "$(jq -r '.changes[] | select(.action=="network-nic") | .before + " -> " + .after' "$T/gl.json")" "ens192 -> eth0"
guestfish --ro --format=qcow2 -a "$T/gl.qcow2" -i <<'GF' > "$T/gl.dump" 2>&1 || fail "reading the guest back: $(tail -3 "$T/gl.dump")"
echo "== links"
is-symlink /boot/grub/menu.lst
is-symlink /etc/grub.conf
echo "== grub.conf"
cat /boot/grub/grub.conf
GF
expect_eq "legacy: menu.lst and /etc/grub.conf are still links (edited through)" \
  "$(section "$T/gl.dump" " links" | tr '\n' ' ')" "true true "
conf=$(section "$T/gl.dump" " grub.conf")
uuid=$(grep -o 'root=UUID=[0-9a-f-]*' <<< "$conf" | head -1)
expect_match "legacy: grub.conf's kernel line, edited" "$conf" \
  "kernel /boot/vmlinuz-[^ ]* ro root=UUID=[0-9a-f-]{36} console=ttyS0 net.ifnames=0 biosdevname=0"
expect_eq "legacy: the chain-loading entry is as it was" "$(awk '/^title Other/ {on = 1} on' <<< "$conf" | tr '\n\t' '| ')" \
  "title Other| rootnoverify (hd1,0)| chainloader +1|"

make_seed "$T/seed-gl.iso" rehost-legacy 'echo "rehost-cmdline=$(tr " " "," < /proc/cmdline)" > /dev/ttyS0'
boot_start gl -drive "file=$T/gl.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-gl.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:05
if boot_wait gl "rehost-ipv4=" 900; then
  expect_match "legacy: booted from menu.lst's entry, with its edited command line" \
    "$(grep -ao 'rehost-cmdline=[^[:space:]]*' "$T/gl.serial" | head -1)" \
    "ro,${uuid:-root=UUID=missing},console=ttyS0,net.ifnames=0,biosdevname=0"
  expect_match "legacy: the root found on the virtio disk by its UUID" \
    "$(grep -ao 'rehost-root=[^[:space:]]*' "$T/gl.serial" | head -1)" "^rehost-root=/dev/vda1$"
  expect_match "legacy: the new NIC (another MAC) is eth0 and got an address by DHCP" \
    "$(grep -ao 'rehost-ipv4=[^[:space:]]*' "$T/gl.serial" | head -1)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
fi
boot_stop gl
finish
