# Field guests unlike the first fixture (tests/fixtures/build-guests.sh), each
# scanned, converted and booted with a NIC whose MAC and name differ from the
# source's. The serial line must show the seeded hostname, the root device, the
# local mounts and an IPv4 address on the NIC: by DHCP from a network that is
# not the source's (10.9.9.0/24) for the cloud profiles' default, or the
# source's static one with --network keep:
#   debian12-lvm: BIOS, /boot + LVM (root ext4, home XFS, swap), fstab by
#     /dev/mapper names and /boot by the source disk's WWN (by-id, as on
#     VMware; /etc/crypttab names a LUKS volume by it, which /boot's
#     partition is not: not taken for it; and a swap encrypted with a new
#     random key at every boot on /dev/sda3, which has no UUID: PARTUUID=,
#     and it is in use on the NVMe disk), netplan (networkd) static on bond0 over ens192, in flow
#     style, a VLAN over the bond with a static address and a preferred
#     default route, and a second NIC's file in netplan's own layout
#     (indentless lists) -> ec2 (DHCP on the bond, the VLAN left without
#     addresses): NVMe disk, e1000 NIC
#   debian12-uefi: GPT + ESP, grub-efi on the removable path only (no NVRAM
#     entry), separate /var, NetworkManager keyfile static on the source's MAC
#     and name, a VLAN whose parent= is that name, with a static address of
#     its own -> openstack --network keep (the VLAN comes up on the renamed
#     NIC), with --libvirt-xml (UEFI firmware), booted under OVMF
#   debian12-uefi again, NetworkManager with a bridge over an active-backup
#     bond over the NIC (the NIC's profile a port by the bond's UUID, bound
#     to the source's MAC and name; the bond a port of the bridge by its
#     name; the static address on the bridge; a VLAN on the bridge with its
#     own) -> openstack (DHCP): the bridge gets the address, the VLAN none,
#     the new NIC is in the bond, the bond in the bridge, the VLAN over the
#     bridge, and sshd answers through the bridge's address (booted with FULL=1)
#   debian12-twodisk-a + -b: one machine, root on a, an LVM VG spanning both
#     with an XFS /home larger than either -> openstack (DHCP), both disks at once
#     (-o DIR), booted from both (FULL=1: lib.sh full_matrix)
#   debian12-btrfs: btrfs root on subvolumes @ and @home, dracut (not
#     initramfs-tools) with a SATA-only initramfs, networkd DHCP on
#     Name=ens33 -> kvm: virtio added with dracut, booted on virtio
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
# These guests have their agents already (profile.openstack proves installing
# them): no --packages.
OVMF=/usr/share/ovmf/OVMF.fd
[ -f "$OVMF" ] || { fail "$OVMF missing: scripts/setup installs ovmf"; finish; }

# vlans_report TEST: a line for make_seed's report: once TEST (a shell
# condition) holds, 60 s at most, the VLAN links as rehost-vlans=NAME@LOWER,
vlans_report() {
  printf 'i=0; while [ $i -lt 60 ] && ! %s; do sleep 1; i=$((i + 1)); done; echo "rehost-vlans=$(ip -o link show type vlan | cut -d: -f2 | tr -d " " | tr "\\n" ",")" > /dev/ttyS0' "$1"
}

# serial_facts NAME HOST ROOT_RE MOUNTS_RE ADDR [IFACE [MORE]]: the report
# lines of make_seed's script; the address is on IFACE (eth0 unless given),
# and MORE (IFACE=ADDR/LEN,...) are the other addresses
serial_facts() {
  expect_match "$1: local filesystems mounted" \
    "$(serial_value $1 rehost-mounts)" "$4"
  expect_match "$1: seeded hostname, root device" \
    "$(grep -ao 'rehost-hostname=[^[:space:]]* rehost-root=[^[:space:]]*' "$T/$1.serial" | head -1)" \
    "^rehost-hostname=$2 rehost-root=$3$"
  expect_eq "$1: the new NIC (another MAC) has its IPv4 address" \
    "$(serial_value $1 rehost-ipv4)" "rehost-ipv4=${6:-eth0}=$5/24,${7:-}"
}

# ---- LVM + XFS + netplan bond0 over ens192 -> ec2 ----
# its static address is on a bond (active-backup) over ens192, written in
# flow style, as some tools and people write it, the NIC's own entry an
# empty map ("ens192: {}", as netplan's examples write a bond's ports):
# scan reads them, finalize opens the bond into block style and gives it
# DHCP, and binds the NIC's entry (a port: no addressing) to eth0. A
# second NIC's file is in the layout netplan and PyYAML (cloud-init) write,
# lists at their key's indent: its static addressing must go whole, or the
# file is no longer YAML and netplan brings up nothing, eth0 included.
# /etc/hosts gives names to both static addresses: after DHCP they must
# resolve to this machine, not to an address it no longer has.
src=$T/lvm-src.qcow2
cp --sparse=always "$FX/debian12-lvm.qcow2" "$src"
# a third partition (64 MiB after the 4 GiB the fixture fills) for the swap
# keyed at random (Debian's installer names it by its kernel name)
qemu-img resize -q "$src" +64M
# a name no disk but the source's has: the mount would wait for it, then fail
BYID=/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part1
guest_edit "$src" "printf 'network:\n  version: 2\n  renderer: networkd\n  ethernets:\n    ens192: {}\n  bonds:\n    bond0: {interfaces: [ens192], addresses: [10.0.2.15/24], routes: [{to: default, via: 10.0.2.2}], nameservers: {addresses: [10.0.2.3]}, parameters: {mode: active-backup}}  # flow\n' > /etc/netplan/01-lan.yaml &&
  printf 'network:\n  version: 2\n  ethernets:\n    wan:\n      match:\n        macaddress: \"00:50:56:00:02:24\"\n      set-name: \"ens224\"\n      addresses:\n      - \"10.0.3.15/24\"\n      routes:\n      - to: \"10.0.4.0/24\"\n        via: \"10.0.3.1\"\n' > /etc/netplan/02-wan.yaml &&
  sed -i -E 's,^UUID=[^[:space:]]+([[:space:]]+/boot[[:space:]]),$BYID\1,' /etc/fstab && grep -q '^/dev/disk/by-id/.*[[:space:]]/boot[[:space:]]' /etc/fstab &&
  printf 'vault\t$BYID\tnone\tluks,noauto\n' >> /etc/crypttab &&
  printf 'cswap\t/dev/sda3\t/dev/urandom\tswap,cipher=aes-xts-plain64,size=256\n' >> /etc/crypttab &&
  printf '/dev/mapper/cswap none swap sw 0 0\n' >> /etc/fstab &&
  printf 'network:\n  version: 2\n  vlans:\n    vlan100:\n      id: 100\n      link: bond0\n      addresses: [10.0.5.15/24]\n      routes:\n        - to: default\n          via: 10.0.5.1\n          metric: 50\n' > /etc/netplan/03-vlan.yaml &&
  printf '10.0.2.15 db01.example.com db01\n10.0.3.15 db01-wan\n' >> /etc/hosts" \
  "part-add /dev/sda p 8388608 8519679"
before=$(sum "$src")
# the scan report comes from the convert's own appliance, taken before any edit
"$REHOST" convert --profile ec2 -o "$T/lvm.img" --report "$T/lvm.json" --scan-report "$T/lvm-scan.json" "$src" \
  > /dev/null 2> "$T/lvm.err" || fail "convert lvm guest for ec2: $(tail -5 "$T/lvm.err")"
expect_eq "lvm: source never written" "$(sum "$src")" "$before"
R=$T/lvm-scan.json
jq_eq $R .schema rehost.scan/1
jq_eq $R '.sources[0].path' "$src"
jq_eq $R .os.root /dev/vg0/root
jq_eq $R '[.storage.lvm.lvs[]] | length' 3
jq_eq $R '[.storage.filesystems[] | select(.device=="/dev/vg0/home")][0].type' xfs
jq_eq $R .boot.firmware bios
jq_eq $R '.network.managers | index("netplan") != null' true
# the source's addressing, as its netplan file states it (before DHCP replaced it)
NP='.network.interfaces[] | select(.file=="/etc/netplan/01-lan.yaml")'
jq_eq $R "[$NP] | length" 2
jq_eq $R "[$NP | select(.name==\"bond0\")][0] | [.name, .method, .address, .gateway] | join(\" \")" "bond0 static 10.0.2.15/24 10.0.2.2"
NP2='.network.interfaces[] | select(.file=="/etc/netplan/02-wan.yaml")'
jq_eq $R "$NP2 | [.name, .method, .address, .hwaddress] | join(\" \")" "ens224 static 10.0.3.15/24 00:50:56:00:02:24"
# the clock as the source has it: the convert's edits (UTC) came after the scan
jq_eq $R .adjtime.mode LOCAL
jq_eq $R '[.fstab[] | select(.mountpoint=="/boot")][0] | [.spec, .bus_device_name] | join(" ")' "$BYID true"
# crypttab's device by the same name: that partition holds /boot's ext4, not
# a LUKS header, so the name is not taken for it (as for another disk's)
expect_eq "lvm: /etc/crypttab's device by the disk's WWN, on a partition with no LUKS header: left, with a warning" \
  "$(jq -r '.changes[] | select(.file=="/etc/crypttab" and .action=="warning") | .before' "$T/lvm.json")" \
  "$BYID"
# the swap keyed at random has no header and no UUID: its partition's PARTUUID
# (MBR: the disk's signature and the partition's number)
expect_match "lvm: crypttab's swap keyed at random, /dev/sda3, goes to its partition's PARTUUID" \
  "$(jq -r '.changes[] | select(.file=="/etc/crypttab" and .action=="device-name-to-uuid") | .before + " " + .after' "$T/lvm.json")" \
  "^/dev/sda3 PARTUUID=[0-9a-f]{8}-03$"
expect_eq "lvm: fstab's /boot by the source disk's WWN goes to its filesystem's UUID" \
  "$(jq -r '.changes[] | select(.action=="device-name-to-uuid" and .file=="/etc/fstab") | .before + " " + .after' "$T/lvm.json")" \
  "$BYID UUID=6d1c3e2a-1b7f-4c55-8e0a-3a9d5f2c7b0b"
expect_match "lvm: netplan's flow-style bond opened and turned to DHCP, ens192 bound" \
  "$(jq -r '.changes[] | select(.file=="/etc/netplan/01-lan.yaml") | .action' "$T/lvm.json" | sort -u | tr '\n' ' ')" \
  "network-dhcp .*network-match-nic .*network-netplan-block "
expect_eq "lvm: the bond's static addressing went (not the port's: it has none)" \
  "$(jq -r '.changes[] | select(.file=="/etc/netplan/01-lan.yaml" and .action=="network-dhcp") | .before // .after' "$T/lvm.json" | tr '\n' ' ')" \
  "addresses: [10.0.2.15/24] routes: dhcp4: true "
expect_eq "lvm: netplan's second NIC (indentless lists) bound by name and turned to DHCP" \
  "$(jq -r '.changes[] | select(.file=="/etc/netplan/02-wan.yaml") | .action' "$T/lvm.json" | sort -u | tr '\n' ' ')" \
  "network-dhcp network-match-nic "
expect_match "lvm: networkd (netplan's renderer) is the service chosen" "$(cat "$T/lvm.err")" \
  "network: systemd-networkd on the target's NIC"
expect_eq "lvm: /etc/hosts gives the names of the static addresses that went to 127.0.1.1" \
  "$(jq -r '.changes[] | select(.action=="hosts-address") | .after' "$T/lvm.json" | tr '\n' ' ')" \
  "127.0.1.1 db01.example.com db01 127.0.1.1 db01-wan "
expect_eq "lvm: the VLAN over the bond loses its address and default route (the target passes no tags)" \
  "$(jq -r '.changes[] | select(.file=="/etc/netplan/03-vlan.yaml" and .action=="network-dhcp") | .before' "$T/lvm.json" | tr '\n' ' ')" \
  "addresses: [10.0.5.15/24] routes: "
# the encrypted swap: its device, whether it is in use, the partition under it
cswap_report='i=0; while [ $i -lt 60 ] && ! grep -q "^$(readlink -f /dev/mapper/cswap) " /proc/swaps; do sleep 1; i=$((i + 1)); done; c=$(readlink -f /dev/mapper/cswap); echo "rehost-cswap=$c,$(grep -c "^$c " /proc/swaps),$(ls /sys/class/block/${c##*/}/slaves 2> /dev/null)" > /dev/ttyS0'
make_seed "$T/seed-lvm.iso" rehost-lvm-boot "echo \"rehost-hosts=\$(getent hosts db01 | tr -s ' ' ',')\" > /dev/ttyS0; $(vlans_report 'ip -o link show type vlan | grep -q @'); $cswap_report"
boot_start lvm -drive "file=$T/lvm.img,format=raw,if=none,id=nv0" -device nvme,drive=nv0,serial=rehost-lvm,bootindex=0 \
  -drive "file=$T/seed-lvm.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=e1000,mac=52:54:00:ab:cd:11

# ---- UEFI + separate /var + NetworkManager keyfile -> openstack under OVMF (while lvm boots) ----
src=$T/uefi-src.qcow2
cp --sparse=always "$FX/debian12-uefi.qcow2" "$src"
NMDIR=/etc/NetworkManager/system-connections
guest_edit "$src" "sed -i '/^id=lan/a interface-name=ens3' $NMDIR/lan.nmconnection &&
  printf '[connection]\nid=vlan100\ntype=vlan\ninterface-name=vlan100\n\n[vlan]\nid=100\nparent=ens3\n\n[ipv4]\nmethod=manual\naddress1=10.5.0.5/24\n\n[ipv6]\nmethod=ignore\n' > $NMDIR/vlan100.nmconnection &&
  chmod 600 $NMDIR/vlan100.nmconnection"
before=$(sum "$src")
"$REHOST" convert --profile openstack --network keep -o "$T/uefi.qcow2" --report "$T/uefi.json" \
  --scan-report "$T/uefi-scan.json" --libvirt-xml "$T/uefi.xml" "$src" > /dev/null 2> "$T/uefi.err" \
  || fail "convert uefi guest for openstack: $(tail -5 "$T/uefi.err")"
expect_eq "uefi: source never written" "$(sum "$src")" "$before"
R=$T/uefi-scan.json
jq_eq $R .boot.firmware uefi
jq_eq $R .boot.efi_system_partition true
jq_eq $R '.network.managers | index("NetworkManager") != null' true
# the keyfile as the source has it: static, bound to the source's MAC
KF='.network.interfaces[] | select(.file=="/etc/NetworkManager/system-connections/lan.nmconnection")'
jq_eq $R "$KF | [.id, .method, .address, .gateway, .hwaddress] | join(\" \")" \
  "lan static 10.0.2.15/24 10.0.2.2 52:54:00:12:34:56"
jq_eq $R '[.network.mac_bound_rules[] | select(.file | endswith("lan.nmconnection"))][0].mac' 52:54:00:12:34:56
jq_eq "$T/uefi.json" .guest.firmware uefi
expect_match "uefi: --libvirt-xml declares UEFI firmware" "$(cat "$T/uefi.xml" 2> /dev/null)" \
  "<os firmware=.efi.>|<loader[^>]*>[^<]*(OVMF|edk2)"
# the keyfile is bound to the NIC's new name, not to the source's MAC
expect_eq "uefi: the keyfile's MAC binding removed, its name renamed" \
  "$(jq -r '.changes[] | select(.file=="/etc/NetworkManager/system-connections/lan.nmconnection") | .action + " " + (.after // "")' "$T/uefi.json" | tr '\n' ' ')" \
  "network-rename-nic interface-name=eth0 remove-mac-binding  "
expect_eq "uefi: the VLAN's parent follows the NIC's new name; its address stays (keep)" \
  "$(jq -r '.changes[] | select(.file=="/etc/NetworkManager/system-connections/vlan100.nmconnection") | .action + " " + (.after // "")' "$T/uefi.json" | tr '\n' ' ')" \
  "network-rename-nic parent=eth0 "
expect_match "uefi: NetworkManager is the service chosen" "$(cat "$T/uefi.err")" \
  "network: NetworkManager on the target's NIC"

# the converted files, as the booted guest has them (its serial report)
if boot_wait lvm "rehost-ipv4=" 1200; then
  serial_facts lvm rehost-lvm-boot /dev/mapper/vg0-root '/boot=/dev/nvme0n1p1,.*/home=/dev/mapper/vg0-home,' 10.9.9.15 bond0
  fstab=$(serial_value lvm rehost-fstab)
  netplan=$(grep -ao 'rehost-netplan=.*' "$T/lvm.serial" | sed -n 1p)
  expect_match "lvm: fstab's root by /dev/mapper name or UUID (not a bus name)" "$fstab" "[=,]/=(/dev/mapper/vg0-root|UUID=[0-9a-f-]+),"
  expect_match "lvm: fstab's XFS /home kept" "$fstab" ",/home=[^,]+,"
  expect_match "lvm: the swap encrypted with a random key at every boot is in use, on the NVMe disk's third partition" \
    "$(serial_value lvm rehost-cswap)" "^rehost-cswap=/dev/dm-[0-9]+,1,nvme0n1p3$"
  expect_match "lvm: its name resolves to this machine, not the source's static address" \
    "$(serial_value lvm rehost-hosts)" "^rehost-hosts=127[.]0[.]1[.]1,db01[.]example[.]com,db01$"
  expect_match "lvm: fstab's /boot by UUID in the booted guest" "$fstab" ",/boot=UUID=6d1c3e2a-1b7f-4c55-8e0a-3a9d5f2c7b0b,"
  expect_match "lvm: netplan's bond asks for DHCP" "$netplan" "bond0: interfaces: \[ens192\] .*dhcp4: (true|yes)"
  # the entry's id stays (bonds and bridges refer to ids); it matches the new NIC
  expect_match "lvm: netplan's entry for the NIC (a port) matches the new NIC (eth0, net.ifnames=0), no addressing" \
    "$netplan" "ens192: match: name: eth0 bonds:"
  if grep -q 'name: ens192' <<<"$netplan"; then fail "lvm: netplan still matches ens192"; else ok "lvm: no match on ens192"; fi
  if grep -q '10\.0\.2\.15' <<<"$netplan"; then fail "lvm: the static address is left beside DHCP"; else ok "lvm: static address gone"; fi
  if grep -q '10\.0\.5\.' <<<"$netplan"; then fail "lvm: the VLAN's address or default route is left"; else ok "lvm: the VLAN's addressing gone"; fi
  expect_eq "lvm: the VLAN is up over the bond, with no address (rehost-ipv4 shows bond0's alone)" \
    "$(serial_value lvm rehost-vlans)" "rehost-vlans=vlan100@bond0,"
  expect_match "lvm: the second NIC's entry matches eth1" "$netplan" "wan: match: name: eth1 "
  if grep -q '10\.0\.[34]\.' <<<"$netplan"; then fail "lvm: the second NIC's static address or route is left"; else ok "lvm: the second NIC's list items went with their keys"; fi
fi
boot_stop lvm

make_seed "$T/seed-uefi.iso" rehost-uefi-boot "$(vlans_report 'ip -4 -o addr show dev vlan100 2> /dev/null | grep -q inet')"
boot_start uefi -bios "$OVMF" -drive "file=$T/uefi.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-uefi.iso,format=raw,if=virtio,readonly=on" -nic user,model=virtio-net-pci,mac=52:54:00:ab:cd:12

# ---- one machine on two disks (LVM VG spanning both) -> openstack, -o DIR (while uefi boots) ----
a=$FX/debian12-twodisk-a.qcow2 b=$FX/debian12-twodisk-b.qcow2
before=$(sum "$a")$(sum "$b")
run_expect_fail 4 "no operating system found on this disk; /dev/sda1 is part of an LVM volume group or md array: if the machine has more disks, name them all" \
  "$REHOST" -q convert --dry-run --profile openstack -o "$T/half.qcow2" "$b"
"$REHOST" convert --profile openstack -o "$T/two" --report "$T/two.json" \
  --libvirt-xml "$T/two.xml" "$a" "$b" > /dev/null 2> "$T/two.err" \
  || fail "convert two-disk machine: $(tail -5 "$T/two.err")"
expect_eq "two disks: sources never written" "$(sum "$a")$(sum "$b")" "$before"
expect_eq "two disks: one output per disk, named after its source" \
  "$(cd "$T/two" 2> /dev/null && ls | tr '\n' ' ')" "debian12-twodisk-a.qcow2 debian12-twodisk-b.qcow2 "
expect_eq "two disks: the report lists both" "$(jq -r '[.disks[].output] | map(split("/") | last) | join(" ")' "$T/two.json")" \
  "debian12-twodisk-a.qcow2 debian12-twodisk-b.qcow2"
for f in "$T"/two/*.qcow2; do
  expect_eq "$(basename "$f"): qemu-img check" "$(qemu-img check -q -f qcow2 "$f" > /dev/null 2>&1; echo $?)" 0
done
expect_match "two disks: --libvirt-xml has both, vda and vdb" \
  "$(grep -o 'dev="vd[a-z]"' "$T/two.xml" 2> /dev/null | tr '\n' ' ')" 'dev="vda" dev="vdb"'

if boot_wait uefi "rehost-ipv4=" 1200; then
  serial_facts uefi rehost-uefi-boot /dev/vda2 '/var=/dev/vda3,.*/boot/efi=/dev/vda1,' 10.0.2.15 eth0 vlan100=10.5.0.5/24,
  expect_eq "uefi: the VLAN is over the renamed NIC" "$(serial_value uefi rehost-vlans)" \
    "rehost-vlans=vlan100@eth0,"
fi
boot_stop uefi

# ---- the first disk alone, the second lost: /home (an LV of a VG spanning both) on no disk given ----
# refused, or converted with --allow-missing-mounts: /home's entry nofail, and
# the machine boots without it (CI boots this one; FULL=1 the two-disk one)
# (a copy whose fstab also names the lost disk by its kernel name, and an
# NVMe name, which an NVMe target may have: not judged; and its root by the
# multipath map a SAN-booted machine has, mpatha1: that is the one disk's
# first partition, found by its UUID, so it is not among the missing)
cp --sparse=always "$a" "$T/a-named.qcow2"
guest_edit "$T/a-named.qcow2" 'sed -i -E "s,^UUID=[^[:space:]]+([[:space:]]+/[[:space:]]),/dev/mapper/mpatha1\1," /etc/fstab &&
  grep -q "^/dev/mapper/mpatha1[[:space:]]" /etc/fstab &&
  printf "/dev/sdb2 /data ext4 defaults 0 2\n/dev/nvme1n1p1 /scratch ext4 defaults 0 2\n" >> /etc/fstab'
run_expect_fail 4 "/etc/fstab mounts at boot what is on none of the disks given: /home \(/dev/mapper/data-home\), /data \(/dev/sdb2\); the target would stop its boot" \
  "$REHOST" -q convert --dry-run --profile openstack -o "$T/a-only.qcow2" "$T/a-named.qcow2"
"$REHOST" convert --profile openstack --allow-missing-mounts -o "$T/a-only.qcow2" --report "$T/a-only.json" \
  --scan-report "$T/a-only-scan.json" "$a" \
  > /dev/null 2> "$T/a-only.err" || fail "convert the first disk alone: $(tail -5 "$T/a-only.err")"
expect_eq "one disk of two: sources never written" "$(sum "$a")$(sum "$b")" "$before"
expect_match "one disk of two: /home's entry given nofail, nothing else" \
  "$(jq -r '[.changes[] | select(.action=="fstab-nofail") | (.before | gsub("[ \t]+"; " ")) + " -> " + .after] | join("; ")' "$T/a-only.json")" \
  "^/dev/mapper/data-home /home xfs defaults 0 2 -> defaults,nofail$"
expect_eq "one disk of two: the scan report says which of fstab's filesystems are on the disks given" \
  "$(jq -r '[.fstab[] | select(has("on_disks_given")) | .mountpoint + "=" + (.on_disks_given | tostring)] | join(",")' "$T/a-only-scan.json")" \
  "/=true,/home=false"
expect_match "one disk of two: a warning says so" "$(cat "$T/a-only.err")" \
  "warning: /etc/fstab: /home \(/dev/mapper/data-home\): on none of the disks given; given nofail"

# its boot is the full matrix's: CI boots a machine converted from two disks
# at once in field.md, and an LVM root in the lvm guest above
boot_two=
if ! full_matrix "field.guests: the two-disk machine's boot (CI boots two disks converted at once in field.md)"; then
  make_seed "$T/seed-one.iso" rehost-onedisk-boot
  boot_start one -drive "file=$T/a-only.qcow2,format=qcow2,if=virtio" \
    -drive "file=$T/seed-one.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:18
else
  boot_two=1
  make_seed "$T/seed-two.iso" rehost-twodisk-boot
  boot_start two -drive "file=$T/two/debian12-twodisk-a.qcow2,format=qcow2,if=virtio" \
    -drive "file=$T/two/debian12-twodisk-b.qcow2,format=qcow2,if=virtio" \
    -drive "file=$T/seed-two.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:13
fi

# ---- btrfs @/@home + dracut with SATA drivers only -> kvm (while two boots, FULL=1) ----
src=$FX/debian12-btrfs.qcow2
before=$(sum "$src")
"$REHOST" convert --profile kvm -o "$T/btrfs.qcow2" --report "$T/btrfs.json" "$src" > /dev/null 2> "$T/btrfs.err" \
  || fail "convert btrfs/dracut guest for kvm: $(tail -5 "$T/btrfs.err")"
expect_eq "btrfs: source never written" "$(sum "$src")" "$before"
expect_match "btrfs: virtio drivers added to dracut's configuration" \
  "$(jq -r '.changes[] | select(.action=="add-initramfs-modules") | .file + " " + .after' "$T/btrfs.json")" \
  "^/etc/dracut.conf.d/rehost.conf .*virtio_blk"
expect_match "btrfs: the initramfs rebuilt by dracut, in place" \
  "$(jq -r '.changes[] | select(.action=="rebuild") | .after' "$T/btrfs.json")" "^dracut --force /boot/initrd.img-[^ ]+ [^ ]+$"
if [ -n "$boot_two" ]; then
  if boot_wait two "rehost-ipv4=" 1200; then serial_facts two rehost-twodisk-boot /dev/vda1 \
    '/home=/dev/mapper/data-home,' 10.9.9.15; fi
  boot_stop two
else
  if boot_wait one "rehost-ipv4=" 1200; then serial_facts one rehost-onedisk-boot /dev/vda1 \
    '^rehost-mounts=/=/dev/vda1,$' 10.9.9.15; fi
  boot_stop one
fi

make_seed "$T/seed-btrfs.iso" rehost-btrfs-boot
boot_start btrfs -drive "file=$T/btrfs.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-btrfs.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:14

# ---- UEFI + NetworkManager: a bridge over a bond over the NIC -> openstack (DHCP) (while btrfs boots) ----
# the NIC's profile a port of the bond by the bond's UUID, bound to the
# source's MAC and name; the bond a port of the bridge by its name; the
# bridge with the static address
src=$T/nmbr-src.qcow2
cp --sparse=always "$FX/debian12-uefi.qcow2" "$src"
BOND_UUID=3f1b2a6e-6c1e-4d4b-9a52-2b7d0c6f1e02
guest_edit "$src" "printf '[connection]\nid=lan\nuuid=3f1b2a6e-6c1e-4d4b-9a52-2b7d0c6f1e01\ntype=ethernet\ninterface-name=ens3\nmaster=$BOND_UUID\nslave-type=bond\n\n[ethernet]\nmac-address=52:54:00:12:34:56\n' > $NMDIR/lan.nmconnection &&
  printf '[connection]\nid=bond0\nuuid=$BOND_UUID\ntype=bond\ninterface-name=bond0\nmaster=br0\nslave-type=bridge\n\n[bond]\nmode=active-backup\nmiimon=100\n' > $NMDIR/bond0.nmconnection &&
  printf '[connection]\nid=br0\nuuid=3f1b2a6e-6c1e-4d4b-9a52-2b7d0c6f1e03\ntype=bridge\ninterface-name=br0\n\n[bridge]\nstp=false\n\n[ipv4]\nmethod=manual\naddress1=10.0.2.15/24,10.0.2.2\ndns=10.0.2.3;\n\n[ipv6]\nmethod=manual\naddress1=fd00:10::15/64,fd00:10::1\n' > $NMDIR/br0.nmconnection &&
  printf '[connection]\nid=vlan100\ntype=vlan\ninterface-name=vlan100\n\n[vlan]\nid=100\nparent=br0\n\n[ipv4]\nmethod=manual\naddress1=10.5.0.5/24\n\n[ipv6]\nmethod=manual\naddress1=fd00:5::5/64\n' > $NMDIR/vlan100.nmconnection &&
  chmod 600 $NMDIR/*.nmconnection"
before=$(sum "$src")
"$REHOST" convert --profile openstack -o "$T/nmbr.qcow2" --report "$T/nmbr.json" "$src" > /dev/null 2> "$T/nmbr.err" \
  || fail "convert NetworkManager bridge-over-bond guest for openstack: $(tail -5 "$T/nmbr.err")"
expect_eq "nmbr: source never written" "$(sum "$src")" "$before"
expect_eq "nmbr: the bridge's profile gets DHCP and IPv6 autoconfiguration, the VLAN's loses its addresses (the bond and the NIC are ports)" \
  "$(jq -r '.changes[] | select(.action=="network-dhcp") | .file + " " + (.after // "")' "$T/nmbr.json" | sort | tr '\n' ';')" \
  "$NMDIR/br0.nmconnection ;$NMDIR/br0.nmconnection ;$NMDIR/br0.nmconnection method=auto;$NMDIR/br0.nmconnection method=auto;$NMDIR/vlan100.nmconnection ;$NMDIR/vlan100.nmconnection ;$NMDIR/vlan100.nmconnection method=disabled;$NMDIR/vlan100.nmconnection method=ignore;"
expect_match "nmbr: the NIC's profile loses its binding to the source's MAC and name" \
  "$(jq -r '.changes[] | select(.file=="'$NMDIR'/lan.nmconnection") | .action' "$T/nmbr.json" | sort -u | tr '\n' ' ')" \
  "remove-mac-binding"
expect_match "nmbr: NetworkManager is the service chosen" "$(cat "$T/nmbr.err")" \
  "network: NetworkManager on the target's NIC with DHCP"

# its initramfs had SATA drivers only: a root found on virtio is the rebuilt one's virtio_blk
if boot_wait btrfs "rehost-ipv4=" 1200; then serial_facts btrfs rehost-btrfs-boot '/dev/vda1\[/@\]' \
  '/home=/dev/vda1\[/@home\],' 10.9.9.15; fi
boot_stop btrfs

# its boot is the full matrix's: CI boots NetworkManager under OVMF in the
# uefi guest above, and a bridge over a bond over the new NIC (sshd answering
# through it) in network.field
if full_matrix "field.guests: the NetworkManager bridge-over-bond guest's boot (CI boots NetworkManager in the uefi guest, a bridge over a bond in network.field)"; then
  make_seed "$T/seed-nmbr.iso" rehost-nmbr-boot "$(links_report 'ip -4 -o addr show dev br0 2> /dev/null | grep -q inet && ip -o link show type vlan | grep -q @' eth0 bond0 br0 vlan100)"
  nmbr_port=$(free_port)
  boot_start nmbr -bios "$OVMF" -drive "file=$T/nmbr.qcow2,format=qcow2,if=virtio" \
    -drive "file=$T/seed-nmbr.iso,format=raw,if=virtio,readonly=on" \
    -nic "user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:15,hostfwd=tcp:127.0.0.1:$nmbr_port-:22"
  if boot_wait nmbr "rehost-ipv4=" 1200; then
    serial_facts nmbr rehost-nmbr-boot /dev/vda2 '/var=/dev/vda3,.*/boot/efi=/dev/vda1,' 10.9.9.15 br0
    expect_eq "nmbr: the new NIC (another MAC) in the bond, the bond in the bridge, the VLAN over the bridge, all up" \
      "$(serial_value nmbr rehost-links)" \
      "rehost-links=eth0:bond0::up,bond0:br0:eth0:up,br0::bond0:up,vlan100::br0:up,"
    expect_eq "nmbr: sshd answers at the address DHCP gave the bridge" "$(ssh_banner "$nmbr_port")" SSH-2.0
  fi
  boot_stop nmbr
fi
finish
