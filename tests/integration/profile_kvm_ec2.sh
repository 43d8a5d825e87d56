# Chained conversions of the openstack-converted image (profile.openstack):
#   OpenStack -> KVM: qcow2, no --packages needed (qemu-guest-agent is there);
#     boots with virtio disk and net; cloud-init sets the seed's hostname and
#     the guest agent answers.
#   OpenStack -> EC2: raw; boots with its disk on NVMe (as Nitro instances do).
# Both boot with a NIC whose MAC differs from the source's, and must show an
# IPv4 address on it, by DHCP from a network that is not the source's
# (10.9.9.0/24; openstack, a cloud profile, turned the
# source's static address into DHCP; kvm keeps what it finds).
# Each output is read back against its profile.
source "$(dirname "$0")/lib.sh"
EXPECT_NET=dhcp # what the openstack image has
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }
before=$(sum "$SRC")

# ---- kvm ----
"$REHOST" convert --profile kvm -o "$T/kvm.qcow2" --report "$T/kvm.json" "$SRC" > /dev/null 2> "$T/kvm.err" \
  || fail "convert kvm: $(tail -5 "$T/kvm.err")"
expect_eq "kvm: agents already there, nothing to install" \
  "$(jq -r '[.changes[].action] | index("install-agents")' "$T/kvm.json")" null
guest_dump "$T/kvm.qcow2" qcow2 "$T/kvm.dump" qemu-guest-agent cloud-init
assert_profile "$T/kvm.dump" "$REHOST_SRC/profiles/kvm.json" "$T/kvm.qcow2" qcow2
expect_eq "kvm: an already finalized configuration is not edited twice" \
  "$(grep -c 'console=ttyS0' <<<"$(section "$T/kvm.dump" default-grub)")" 1
make_seed "$T/seed-kvm.iso" rehost-kvm-boot
boot_start kvm -drive "file=$T/kvm.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-kvm.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:01
if boot_wait kvm "rehost-hostname=" 900; then
  expect_match "kvm: cloud-init set the seed's hostname; root on virtio" \
    "$(grep -ao 'rehost-hostname=[^ ]* rehost-root=[^[:space:]]*' "$T/kvm.serial" | head -1)" \
    "^rehost-hostname=rehost-kvm-boot rehost-root=/dev/vda1$"
  expect_match "kvm: qemu-guest-agent answers guest-ping" "$(qga kvm '{"execute":"guest-ping"}' || echo no-answer)" '"return": *\{\}'
  # DHCP on a NIC with another MAC
  boot_wait kvm "rehost-ipv4=" 200 && expect_match "kvm: the new NIC (another MAC) has an IPv4 address" \
    "$(serial_value kvm rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
fi
boot_stop kvm

# ---- ec2 ----
"$REHOST" convert --profile ec2 -o "$T/ec2.img" --report "$T/ec2.json" "$SRC" > /dev/null 2> "$T/ec2.err" \
  || fail "convert ec2: $(tail -5 "$T/ec2.err")"
guest_dump "$T/ec2.img" raw "$T/ec2.dump" cloud-init
assert_profile "$T/ec2.dump" "$REHOST_SRC/profiles/ec2.json" "$T/ec2.img" raw
make_seed "$T/seed-ec2.iso" rehost-ec2-boot
boot_start ec2 -drive "file=$T/ec2.img,format=raw,if=none,id=nv0" -device nvme,drive=nv0,serial=rehost-ec2,bootindex=0 \
  -drive "file=$T/seed-ec2.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=e1000,mac=52:54:00:ab:cd:02
if boot_wait ec2 "rehost-hostname=" 900; then
  expect_match "ec2: boots from NVMe; cloud-init ran" \
    "$(grep -ao 'rehost-hostname=[^ ]* rehost-root=[^[:space:]]*' "$T/ec2.serial" | head -1)" \
    "^rehost-hostname=rehost-ec2-boot rehost-root=/dev/nvme0n1p1$"
  # DHCP again, on an e1000 NIC with another MAC
  boot_wait ec2 "rehost-ipv4=" 200 && expect_match "ec2: the new NIC (another MAC) has an IPv4 address" \
    "$(serial_value ec2 rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
fi
boot_stop ec2
expect_eq "the openstack image (the source here) is not written" "$(sum "$SRC")" "$before"
expect_no_temp "$T"
finish
