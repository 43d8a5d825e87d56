# A UEFI guest that systemd-boot boots (Arch, Fedora's and Pop!_OS's
# layouts; Debian's systemd-boot package): the UEFI fixture with GRUB gone,
# systemd-boot on the ESP's removable path, the kernel and initramfs on the
# ESP (systemd-boot reads only its own partition), its one Boot Loader
# Specification entry in /boot/efi/loader/entries holding the kernel command
# line; NetworkManager static bound to the source's MAC and ens3. Finalized
# for kvm with --network dhcp: scan names systemd-boot, the entry's options
# line gets net.ifnames=0 (the keyfile now names eth0) and nothing is
# regenerated; booted under OVMF with another MAC, systemd-boot (its menu on
# the serial line, the initrd= it adds) boots it with that command line, and
# eth0 gets DHCP's address.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
OVMF=/usr/share/ovmf/OVMF.fd
[ -f "$OVMF" ] || { fail "$OVMF missing: scripts/setup installs ovmf"; finish; }

download_deb "$T/deb" systemd-boot-efi || finish
dpkg -x "$T"/deb/systemd-boot-efi_*.deb "$T/sdboot"
efi=$T/sdboot/usr/lib/systemd/boot/efi/systemd-bootx64.efi
[ -f "$efi" ] || { fail "systemd-bootx64.efi not in systemd-boot-efi's package"; finish; }

cp --sparse=always "$FX/debian12-uefi.qcow2" "$T/sd.qcow2"
guestfish --format=qcow2 -a "$T/sd.qcow2" -i upload "$efi" /boot/efi/EFI/BOOT/BOOTX64.EFI : sh 'set -e
mkdir -p /boot/efi/loader/entries /boot/efi/debian
kernel=$(ls /boot/vmlinuz-* | head -1); initrd=$(ls /boot/initrd.img-* | head -1)
cp "$kernel" /boot/efi/debian/vmlinuz
cp "$initrd" /boot/efi/debian/initrd.img
root=$(awk '"'"'$2 == "/" { print $1 }'"'"' /etc/fstab)
printf "default debian.conf\ntimeout 1\n" > /boot/efi/loader/loader.conf
printf "title Debian\nlinux /debian/vmlinuz\ninitrd /debian/initrd.img\noptions root=%s ro console=ttyS0\n" "$root" > /boot/efi/loader/entries/debian.conf
rm -rf /boot/grub /etc/default/grub /etc/default/grub.d
rm -f /usr/sbin/update-grub /usr/sbin/grub-mkconfig /usr/sbin/grub-install' > "$T/edit.out" 2>&1 \
  || fail "installing systemd-boot: $(tail -5 "$T/edit.out")"

"$REHOST" finalize --profile kvm --network dhcp --report "$T/sd.json" --scan-report "$T/sd-scan.json" "$T/sd.qcow2" \
  > "$T/sd.out" 2> "$T/sd.err" || fail "finalize systemd-boot guest: $(tail -5 "$T/sd.err")"
expect_eq "sdboot: the scan names systemd-boot and its entries on the ESP" \
  "$(jq -r '.boot.bootloader + " " + .boot.config + " " + .boot.firmware' "$T/sd-scan.json")" \
  "systemd-boot /boot/efi/loader/entries uefi"
expect_eq "sdboot: net.ifnames=0 on the entry's options line" \
  "$(jq -r '.changes[] | select(.file=="/boot/efi/loader/entries/debian.conf" and .action=="kernel-cmdline") | .after' "$T/sd.json" | sed 's/root=UUID=[0-9a-f-]*/root=UUID=X/')" \
  "root=UUID=X ro console=ttyS0 net.ifnames=0 biosdevname=0"
expect_match "sdboot: nothing to regenerate, the entry edited" "$(cat "$T/sd.err")" \
  "no GRUB in the guest; the kernel command line was edited in its boot entries \(1:"
expect_eq "sdboot: the keyfile bound to eth0" \
  "$(jq -r '.changes[] | select(.action=="network-nic") | .after' "$T/sd.json")" eth0

make_seed "$T/seed-sd.iso" rehost-sdboot 'echo "rehost-cmdline=$(tr " " "," < /proc/cmdline)" > /dev/ttyS0'
boot_start sd -bios "$OVMF" -drive "file=$T/sd.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-sd.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:16
if boot_wait sd "rehost-ipv4=" 900; then
  # systemd-boot's menu on the serial line, and the initrd= it adds for the
  # entry's initrd line
  expect_match "sdboot: systemd-boot's menu showed the entry" "$(tr -cd '[:print:]\n' < "$T/sd.serial")" \
    "Debian.*Reboot Into Firmware Interface"
  expect_match "sdboot: systemd-boot booted the entry with its edited command line" \
    "$(serial_value sd rehost-cmdline)" \
    '^rehost-cmdline=initrd=\\debian\\initrd\.img,root=UUID=[0-9a-f-]+,ro,console=ttyS0,net\.ifnames=0,biosdevname=0$'
  expect_match "sdboot: the new NIC (another MAC) is eth0 and got an address by DHCP" \
    "$(serial_value sd rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
fi
boot_stop sd
finish
