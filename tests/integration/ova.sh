# OVA and OVF packages as sources (a VMware export): scan, replicate and
# convert read the disks straight out of the package (no extraction), after
# checking the manifest's digests; the OVF's vCPUs, memory, firmware and NICs
# reach --libvirt-xml and the scan report. Hostile packages are refused with
# exit 3 before any disk is read, and nothing outside the package is opened.
# The packages are built here: a VMware OVF 1.0 envelope written by hand
# (lib.sh ovf_envelope), the guest fixture's disk as stream-optimized VMDK.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
cd "$T"

# ---- hostile packages: refused, exit 3, nothing outside read ----
truncate -s 32M small.raw && printf 'label: dos\n,,L\n' | sfdisk -q small.raw
make_ova "$T/good.ova" small.raw
mkdir -p good && tar -C good -xf good.ova
# repack DIR OUT MEMBER...: an OVA with these members, names as given
# (python's tarfile writes any name, "../x" too; GNU tar would strip it)
repack() {
  local dir=$1 out=$2; shift 2
  python3 - "$dir" "$out" "$@" <<'P'
import sys, tarfile, io, os
d, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    for spec in names:
        arc, _, src = spec.partition("=")
        data = open(os.path.join(d, src or arc), "rb").read()
        ti = tarfile.TarInfo(arc); ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
P
}
mf() { (cd "$1" && shift && for f in "$@"; do echo "SHA256($f)= $(sha256sum "$f" | cut -d' ' -f1)"; done); }
"$REHOST" -q replicate good.ova good.qcow2 || fail "the good small package replicates"
expect_same_data "good small package" small.raw good.qcow2

# a member whose name climbs out of the package
repack good traversal.ova good.ovf good.mf ../good-disk1.vmdk=good-disk1.vmdk
run_expect_fail 3 "traversal.ova: not a usable OVA \(tar\) package: .*\.\./good-disk1.vmdk" "$REHOST" scan traversal.ova
# a disk the descriptor places outside the package
sed 's|ovf:href="good-disk1.vmdk"|ovf:href="../../etc/passwd"|' good/good.ovf > good/outside.ovf
repack good outside.ova good.ovf=outside.ovf good-disk1.vmdk
run_expect_fail 3 "outside.ova: OVF descriptor: .*only a file beside the descriptor is read" "$REHOST" scan outside.ova
# the same as an .ovf with files beside it: never opened
mkdir -p od && cp good/outside.ovf od/x.ovf && cp good/good-disk1.vmdk od/
strace -f -e trace=open,openat -o st.log "$REHOST" scan od/x.ovf > /dev/null 2>&1 || true
expect_eq "a disk outside an .ovf's directory is never opened" "$(grep -c 'etc/passwd' st.log || true)" 0
# case NAME: a copy of the good package's files to alter
case_dir() { rm -rf "$1"; cp -r good "$1"; }
# a damaged or altered disk: the digest does not match
case_dir bad && printf 'X' | dd of=bad/good-disk1.vmdk bs=1 seek=100000 conv=notrunc status=none
repack bad baddigest.ova good.ovf good.mf good-disk1.vmdk
run_expect_fail 3 "baddigest.ova: good-disk1.vmdk does not match its SHA256 digest in the manifest" \
  "$REHOST" replicate baddigest.ova bd.qcow2
expect_no_file bd.qcow2
# an altered descriptor: its own digest does not match
case_dir bad && sed -i 's|<Name>good</Name>|<Name>evil</Name>|' bad/good.ovf
repack bad badovf.ova good.ovf good.mf good-disk1.vmdk
run_expect_fail 3 "badovf.ova: good.ovf does not match its SHA256 digest" "$REHOST" scan badovf.ova
# the disk the descriptor names is not in the package
repack good missing.ova good.ovf good.mf
run_expect_fail 3 "missing.ova: disk vmdisk1 names good-disk1.vmdk, which is not in the package" "$REHOST" scan missing.ova
mkdir -p miss && cp good/good.ovf good/good.mf miss/
run_expect_fail 3 "miss/good.ovf: disk vmdisk1: .*good-disk1.vmdk: No such file" "$REHOST" scan miss/good.ovf
# a manifest that leaves the disk out
case_dir bad && grep -v disk1 good/good.mf > bad/good.mf
repack bad unlisted.ova good.ovf good.mf good-disk1.vmdk
run_expect_fail 3 "unlisted.ova: the manifest has no digest for good-disk1.vmdk" "$REHOST" scan unlisted.ova
# XXE: a DOCTYPE with an external entity naming a host file
{ echo '<?xml version="1.0"?>'; echo '<!DOCTYPE Envelope [<!ENTITY x SYSTEM "file:///etc/shadow">]>'
  sed 1d good/good.ovf | sed 's|<Name>good</Name>|<Name>\&x;</Name>|'; } > bad/xxe.ovf
mf bad xxe.ovf good-disk1.vmdk > bad/xxe.mf
repack bad xxe.ova xxe.ovf xxe.mf good-disk1.vmdk
strace -f -e trace=open,openat -o st2.log "$REHOST" scan xxe.ova > /dev/null 2> xxe.err || true
expect_match "XXE: the DOCTYPE is refused" "$(cat xxe.err)" "xxe.ova: OVF descriptor: .*DOCTYPE"
expect_eq "XXE: /etc/shadow never opened" "$(grep -c 'etc/shadow' st2.log || true)" 0
# a compressed disk
sed 's|ovf:size=|ovf:compression="gzip" ovf:size=|' good/good.ovf > bad/gz.ovf
mf bad gz.ovf good-disk1.vmdk > bad/gz.mf
repack bad gz.ova gz.ovf gz.mf good-disk1.vmdk
run_expect_fail 3 "gz.ova: disk vmdisk1 \(good-disk1.vmdk\) is gzip-compressed" "$REHOST" scan gz.ova
# a member that is not a sparse VMDK: a text descriptor naming a host device
printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 65536 FLAT "/dev/sda" 0\n' > bad/good-disk1.vmdk
sed "s|ovf:size=\"[0-9]*\"|ovf:size=\"$(stat -c %s bad/good-disk1.vmdk)\"|" good/good.ovf > bad/desc.ovf
mf bad desc.ovf good-disk1.vmdk > bad/desc.mf
repack bad desc.ova desc.ovf desc.mf good-disk1.vmdk
strace -f -e trace=open,openat -o st3.log "$REHOST" replicate desc.ova desc.qcow2 > /dev/null 2> desc.err || true
expect_match "a descriptor member is refused" "$(cat desc.err)" "good-disk1.vmdk: not a sparse or stream-optimized VMDK"
expect_eq "the device it names is never opened" "$(grep -c '/dev/sda' st3.log || true)" 0
expect_no_file desc.qcow2
# a raw disk posing as a VMDK
cp small.raw bad/good-disk1.vmdk
sed "s|ovf:size=\"[0-9]*\"|ovf:size=\"$(stat -c %s bad/good-disk1.vmdk)\"|" good/good.ovf > bad/raw.ovf
mf bad raw.ovf good-disk1.vmdk > bad/raw.mf
repack bad raw.ova raw.ovf raw.mf good-disk1.vmdk
run_expect_fail 3 "good-disk1.vmdk: not a sparse or stream-optimized VMDK" "$REHOST" -q scan raw.ova
# two members of one name
repack good dup.ova good.ovf good.mf good-disk1.vmdk good-disk1.vmdk
run_expect_fail 3 "dup.ova: not a usable OVA \(tar\) package: .*good-disk1.vmdk.*twice|duplicate" "$REHOST" scan dup.ova
# an .ovf whose disk is a symlink to a host file
mkdir -p ln && cp good/good.ovf good/good.mf ln/ && ln -s /etc/passwd ln/good-disk1.vmdk
run_expect_fail 3 "ln/good.ovf: disk vmdisk1: .*good-disk1.vmdk: a symlink" "$REHOST" scan ln/good.ovf
# not a tar at all
cp small.raw notatar.ova
run_expect_fail 3 "notatar.ova: not a usable OVA \(tar\) package" "$REHOST" scan notatar.ova
# a package is one machine: not mixed with other disks
run_expect_fail 2 "good.ova is a whole machine" "$REHOST" scan good.ova small.raw

# ---- the guest fixture exported as VMware would: web01.ova ----
before_fx=$(sum "$FX/debian12-mbr.qcow2")
make_ova "$T/web01.ova" "$FX/debian12-mbr.qcow2" 2 3072 bios
make_ova "$T/web02.ovf" "$FX/debian12-mbr.qcow2" 4 1024 efi
ova_sum=$(sum web01.ova)
"$REHOST" -q scan web02.ovf -o scan2.json || fail "scan web02.ovf"
jq_eq scan2.json .domain.firmware uefi
jq_eq scan2.json .domain.vcpus 4

# replicate: the target is the disk inside the package; a second sync writes nothing
"$REHOST" -q replicate web01.ova web01.qcow2 || fail "replicate web01.ova"
expect_same_data "replicate from the OVA" "$FX/debian12-mbr.qcow2" web01.qcow2
"$REHOST" --machine-readable replicate web01.ova web01.qcow2 > repl.jsonl || fail "second sync from the OVA"
expect_eq "second sync: nothing written" "$(jq -r 'select(.event=="sync") | .bytes_written + .bytes_zeroed' repl.jsonl)" 0

# convert, with the OVF's machine in the libvirt domain; the package's scan
# report (as rehost scan writes it) from the same appliance launch
"$REHOST" -q convert web01.ova --firstboot-install --profile kvm -o web01-kvm.qcow2 --libvirt-xml web01.xml \
  --report web01-kvm.json --scan-report scan.json || fail "convert web01.ova"
jq_eq scan.json .os.distro debian
jq_eq scan.json .package web01.ova
jq_eq scan.json .domain.name web01
jq_eq scan.json .domain.vcpus 2
jq_eq scan.json .domain.memory_kib 3145728
jq_eq scan.json .domain.firmware bios
expect_eq "scan: the NICs' models" "$(jq -r '[.domain.nics[].model] | join(" ")' scan.json)" "vmxnet3 e1000"
expect_match "scan: the disk is named inside the package" "$(jq -r '.storage.disks[0].source' scan.json)" "web01.ova/web01-disk1.vmdk$"
qemu-img check -q web01-kvm.qcow2 || fail "qemu-img check of the converted image"
expect_match "converted: the kernel's console" "$(guestfish --ro --format=qcow2 -a web01-kvm.qcow2 -i cat /etc/default/grub 2>&1)" \
  'GRUB_CMDLINE_LINUX="[^"]*console=ttyS0'
expect_eq "libvirt XML: vCPUs from the OVF" "$(xmllint --xpath 'string(/domain/vcpu)' web01.xml)" 2
expect_eq "libvirt XML: memory from the OVF" "$(xmllint --xpath 'string(/domain/memory)' web01.xml)" 3145728
expect_eq "libvirt XML: one NIC per OVF NIC" "$(xmllint --xpath 'count(/domain/devices/interface)' web01.xml)" 2
expect_eq "libvirt XML: BIOS" "$(xmllint --xpath 'string(/domain/os/@firmware)' web01.xml)" ""
virt-xml-validate web01.xml domain > /dev/null 2>&1 || fail "the domain XML validates"
expect_eq "the package is never written" "$(sum web01.ova)" "$ova_sum"
expect_eq "the fixture is never written" "$(sum "$FX/debian12-mbr.qcow2")" "$before_fx"
expect_no_temp "$T"
finish
