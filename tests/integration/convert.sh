# rehost convert (replicate + finalize in one) on the real Debian guest: the
# output is written once in the profile's format (ec2: stream-optimized vmdk;
# azure: fixed VHD whose virtual size is rounded up to a 1 MiB multiple),
# carries the edits, and the source is never written. Several profiles in one
# run go side by side into a directory with a manifest, a failing one not
# stopping the others. The Azure VHD boots (IDE, another NIC: DHCP).
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
MiB=1048576
# a source whose size is not a MiB multiple, as disks from other platforms often are
qemu-img convert -O qcow2 "$FX/debian12-mbr.qcow2" "$T/src.qcow2"
qemu-img resize -q "$T/src.qcow2" +3584   # 3 GiB + 7 sectors
vsize=$(qemu-img info --output=json "$T/src.qcow2" | jq '.["virtual-size"]')
before=$(sum "$T/src.qcow2")

# ec2 as stream-optimized vmdk (-O; its default, raw, is booted in field.guests),
# with --machine-readable: one step-start and one step event per step, in
# order, with its duration, so that a CI log shows where the time went
"$REHOST" -q --machine-readable convert --firstboot-install --profile ec2 -O vmdk -o "$T/ec2.vmdk" \
  --report "$T/ec2.json" --scan-report "$T/ec2-scan.json" "$T/src.qcow2" > "$T/events.jsonl" \
  || fail "convert ec2 vmdk"
expect_eq "--scan-report: its event names the file" \
  "$(jq -r 'select(.event=="scan-report") | .path' "$T/events.jsonl")" "$T/ec2-scan.json"
jq_eq "$T/ec2-scan.json" '.sources[0].path' "$T/src.qcow2"
jq_eq <(qemu-img info --output=json -f vmdk "$T/ec2.vmdk") '.["virtual-size"]' "$vsize"
jq_eq "$T/ec2.json" .profile ec2
expect_match "ec2 output carries the edits" "$(guestfish --ro --format=vmdk -a "$T/ec2.vmdk" -i cat /etc/default/grub 2>&1)" \
  'GRUB_CMDLINE_LINUX="[^"]*console=ttyS0'
expect_match "ec2: cloud-init deferred to first boot" "$(jq -r '.changes[] | select(.action=="firstboot-install") | .after' "$T/ec2.json")" '^cloud-init$'
expect_eq "step events, in order" \
  "$(jq -r 'select(.event=="step") | .step + "=" + .status' "$T/events.jsonl" | tr '\n' ' ')" \
  "appliance=ok scan=ok source-tools=ok agents=ok files=ok services=ok initramfs=ok bootloader=ok output=ok "
expect_eq "every step has a duration" \
  "$(jq -r 'select(.event=="step") | (.seconds | type)' "$T/events.jsonl" | sort -u)" number
expect_eq "each step announced once" "$(jq -r 'select(.event=="step-start") | .step' "$T/events.jsonl" | wc -l)" 9
expect_eq "ec2 vmdk is stream-optimized" \
  "$(qemu-img info --output=json "$T/ec2.vmdk" | jq -r '.["format-specific"].data["create-type"]')" streamOptimized
run_expect_fail 2 "writes raw; -O qcow2 is not one of them" "$REHOST" convert --firstboot-install --profile ec2 -O qcow2 -o "$T/x.qcow2" "$T/src.qcow2"
echo old > "$T/ec2.img"
run_expect_fail 3 "ec2.img: already exists" "$REHOST" convert --firstboot-install --profile ec2 -o "$T/ec2.img" "$T/src.qcow2"
expect_eq "an existing OUT is left as it is" "$(cat "$T/ec2.img")" old

# a site's own profile file, extending azure as it is (Debian's initramfs
# already has Azure's boot drivers: no rebuild)
cat > "$T/azure-site.json" <<'P'
{"schema": "rehost.profile/1", "name": "azure-site", "extends": "azure", "description": "Azure, as our site uses it"}
P
# Several profiles in one run, side by side, into a directory with a manifest,
# from a VMware-style export (OVA) of the source, as a CI pipeline starts;
# kvm's output is already there, so kvm fails and the others still finish
make_ova "$T/web01.ova" "$T/src.qcow2"
ova_before=$(sum "$T/web01.ova")
mkdir -p "$T/multi" && echo old > "$T/multi/web01-disk1-kvm.qcow2"
rc=0
"$REHOST" -q convert --firstboot-install --profile "$T/azure-site.json" --profile kvm --profile openstack \
  --jobs 2 -o "$T/multi" --scan-report "$T/multi-scan.json" "$T/web01.ova" 2> "$T/multi.err" || rc=$?
expect_eq "several profiles: the failed one's exit status" "$rc" 3
expect_match "several profiles: the failure named" "$(cat "$T/multi.err")" "kvm: conversion failed \(exit status 3\)"
expect_eq "kvm's old file untouched" "$(cat "$T/multi/web01-disk1-kvm.qcow2")" old
M=$T/multi/manifest.json
jq_eq "$M" .schema rehost.manifest/1
expect_eq "manifest: the artifacts that completed" "$(jq -r '[.artifacts[] | .profile + "=" + .path] | sort | join(" ")' "$M")" \
  "azure-site=web01-disk1-azure-site.vhd openstack=web01-disk1-openstack.qcow2"
expect_eq "manifest: the failed profile" "$(jq -r '[.failed[] | .profile + "=" + (.exit_status | tostring)] | join(" ")' "$M")" "kvm=3"
for a in web01-disk1-azure-site.vhd web01-disk1-openstack.qcow2; do
  expect_eq "manifest: sha256 of $a" "$(jq -r --arg p "$a" '.artifacts[] | select(.path==$p) | .sha256' "$M")" "$(sum "$T/multi/$a")"
  expect_eq "manifest: file size of $a" "$(jq -r --arg p "$a" '.artifacts[] | select(.path==$p) | .file_size' "$M")" "$(stat -c %s "$T/multi/$a")"
done
jq_eq "$M" '.sources[0].virtual_size' "$vsize"
jq_eq "$M" '.sources[0].package' "$T/web01.ova"
# the scan report (each profile's launch writes the same one) names the package
jq_eq "$T/multi-scan.json" .package "$T/web01.ova"
jq_eq "$T/multi-scan.json" .os.hostname rehost-fixture
jq_eq "$M" .machine.vcpus 2
jq_eq "$M" .machine.memory_kib 3145728
jq_eq "$M" .machine.firmware bios
expect_eq "manifest: the OVF's NICs" "$(jq -r '[.machine.nics[].model] | join(" ")' "$M")" "vmxnet3 e1000"
expect_eq "the OVA is never written" "$(sum "$T/web01.ova")" "$ova_before"
jq_eq "$M" '.artifacts[] | select(.profile=="openstack") | .import.facts.hw_firmware_type' bios
jq_eq "$M" '.artifacts[] | select(.profile=="openstack") | .import.facts.os_distro' debian
jq_eq "$M" '.artifacts[] | select(.profile=="openstack") | .import.facts.min_disk' 4
jq_eq "$M" '.artifacts[] | select(.profile=="azure-site") | .import.facts.hyper_v_generation' V1
jq_eq "$M" '.artifacts[] | select(.profile=="azure-site") | .import.facts.fixed_vhd_size_mib_aligned' true
jq_eq "$M" '.artifacts[] | select(.profile=="openstack") | .changes["firstboot-install"]' 1
expect_no_temp "$T/multi"
AZ=$T/multi/web01-disk1-azure-site.vhd
expect_eq "azure: no initramfs rebuild (its boot drivers are in Debian's)" \
  "$(jq -r '[.changes[] | select(.action=="rebuild")] | length' "$T/multi/azure-site.report.json")" 0
azsize=$(qemu-img info --output=json -f vpc "$AZ" | jq '.["virtual-size"]')
expect_eq "azure VHD virtual size rounded up to a MiB multiple" "$azsize" $(( (vsize + MiB - 1) / MiB * MiB ))
expect_eq "azure VHD is fixed (file = size + 512-byte footer)" "$(stat -c %s "$AZ")" $((azsize + 512))
expect_eq "VHD footer says fixed (disk type 2)" "$(tail -c 512 "$AZ" | head -c 64 | tail -c 4 | xxd -p)" 00000002
# rehost reads its own fixed VHD back as one: known by its footer (it has no
# header), the footer is not one more sector of the disk
"$REHOST" -q replicate "$AZ" "$T/az-back.qcow2"
expect_eq "a fixed VHD named without --format is read as a VHD (its size without the footer)" \
  "$(qemu-img info --output=json "$T/az-back.qcow2" | jq '.["virtual-size"]')" "$azsize"
if out=$(qemu-img compare -f vpc -F qcow2 "$AZ" "$T/az-back.qcow2" 2>&1); then ok "the fixed VHD's data replicated as it is"
else fail "the fixed VHD's data replicated: $out"; fi
rm -f "$T/az-back.qcow2"*
# The Azure VHD boots: its disk on IDE (as a Hyper-V generation 1 machine
# has it), an e1000 NIC with another MAC on another network. The fixture has
# no cloud-init: sshd's banner, through the port QEMU forwards to the address
# its DHCP server gave the NIC, shows the network up. It boots while the
# files are read below (both read-only).
az_port=$(free_port)
boot_start az -drive "file=$AZ,format=vpc,if=ide" \
  -nic "user,net=10.9.9.0/24,model=e1000,mac=52:54:00:ab:cd:17,hostfwd=tcp:127.0.0.1:$az_port-:22"
# Debian's initramfs sleeps for rootdelay= at every boot (Azure means it as the
# longest wait for the root disk): not added, and said so
azgrub=$(guestfish --ro --format=vpc -a "$AZ" -i sh \
  'grep -h "^GRUB_CMDLINE_LINUX=" /etc/default/grub; echo "grub.cfg-rootdelay=$(grep -c rootdelay /boot/grub/grub.cfg)"' 2>&1)
expect_match "azure kernel command line: its consoles, no rootdelay= in /etc/default/grub or grub.cfg" \
  "$(printf '%s' "$azgrub" | tr '\n' ' ')" '^GRUB_CMDLINE_LINUX="[^"]*console=ttyS0 earlyprintk=ttyS0( [^"]*)?" grub.cfg-rootdelay=0 ?$'
expect_eq "azure: rootdelay=300 not added, the initramfs that sleeps for it named" \
  "$(jq -r '.changes[] | select(.action=="kernel-cmdline-not-added") | .file + " " + .before' "$T/multi/azure-site.report.json")" \
  "/usr/share/initramfs-tools/init rootdelay=300"
if boot_wait az "login:" 900; then
  azcmd=$(grep -ao 'Command line: [^[:cntrl:]]*' "$T/az.serial" | head -1)
  expect_match "azure boot: the kernel's command line has the profile's consoles" "$azcmd" \
    ' console=ttyS0 earlyprintk=ttyS0( |$)'
  if grep -q rootdelay <<< "$azcmd"; then fail "azure boot: rootdelay on the kernel's command line: $azcmd"
  else ok "azure boot: no rootdelay on the kernel's command line"; fi
  expect_eq "azure boot: DHCP on the new NIC (sshd answers at the address it gave)" "$(ssh_banner "$az_port")" SSH-2.0
fi
boot_stop az

expect_eq "source never written" "$(sum "$T/src.qcow2")" "$before"
expect_no_temp "$T"
finish
