# The openstack-converted image (from profile.openstack) boots under qemu with
# a virtio disk and virtio-net and no display adapter; cloud-init, fed a
# NoCloud seed ISO, sets the hostname the seed gives (read from the serial
# line), the NIC (with another MAC than the source's) has its IPv4 address,
# and qemu-guest-agent answers over its virtio-serial channel.
source "$(dirname "$0")/lib.sh"
IMG=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$IMG" ] || { fail "$IMG missing: profile.openstack did not pass"; finish; }
before=$(sum "$IMG")
make_seed "$T/seed.iso" rehost-openstack-boot
boot_start os -drive "file=$IMG,format=qcow2,if=virtio" -drive "file=$T/seed.iso,format=raw,if=virtio,readonly=on" \
  -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:ef
if boot_wait os "rehost-hostname=" 900; then
  expect_match "cloud-init set the seed's hostname; root is on virtio" \
    "$(grep -ao 'rehost-hostname=[^ ]* rehost-root=[^[:space:]]*' "$T/os.serial" | head -1)" \
    "^rehost-hostname=rehost-openstack-boot rehost-root=/dev/vda1$"
  expect_match "qemu-guest-agent reports the new hostname" \
    "$(qga os '{"execute":"guest-get-host-name"}' || echo no-answer)" '"host-name": *"rehost-openstack-boot"'
  # the source's NIC had 52:54:00:12:34:56 and a static 10.0.2.15 on eth0; the
  # openstack profile turns it to DHCP, and this network's DHCP hands out 10.9.9.15
  boot_wait os "rehost-ipv4=" 200 && expect_match "the new NIC (another MAC) got its IPv4 address by DHCP" \
    "$(serial_value os rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
  boot_wait os "rehost-openstack-boot login:" 300
fi
boot_stop os
expect_eq "the image is not written by booting it (snapshot)" "$(sum "$IMG")" "$before"
finish
