# Bad input: each case is one clear error line naming the file, a specific
# non-zero exit status, and no output file left behind.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)

# --- cases rejected before any appliance launch ---
run_expect_fail 3 "$T/missing.qcow2: No such file or directory" "$REHOST" scan "$T/missing.qcow2"
run_expect_fail 3 "$T: is a directory" "$REHOST" scan "$T"
printf 'just some text\n' > "$T/notes.txt"
run_expect_fail 3 "$T/notes.txt: not a recognised disk image" "$REHOST" scan "$T/notes.txt"
: > "$T/empty.img"
run_expect_fail 3 "$T/empty.img: empty file" "$REHOST" scan "$T/empty.img"

# a target that is not a file: refused before anything is made beside it
mkdir "$T/tdir"
qemu-img create -q -f qcow2 "$T/small.qcow2" 16M
run_expect_fail 3 "$T/tdir: not a regular file or block device" "$REHOST" replicate "$T/small.qcow2" "$T/tdir"
expect_eq "no lock file beside a directory target" "$(ls -A "$T" | grep -c '^tdir[.]rehost')" 0
# (/dev/null: a character device, in /dev; its lock file would land there)
run_expect_fail 3 "/dev/null: not a regular file or block device" "$REHOST" replicate "$T/small.qcow2" /dev/null
expect_eq "nothing made in /dev" "$(ls -A /dev | grep -c '^null[.]rehost')" 0

# a qcow2 with real data, then damaged three ways
qemu-img create -q -f qcow2 "$T/good.qcow2" 64M
qemu-io -c 'write -P 0xab 0 8M' -c 'write -P 0xcd 32M 8M' "$T/good.qcow2" > /dev/null
cp "$T/good.qcow2" "$T/truncated.qcow2"
truncate -s 4M "$T/truncated.qcow2"
run_expect_fail 3 "$T/truncated.qcow2: corrupt qcow2 image" "$REHOST" scan "$T/truncated.qcow2"
cp "$T/good.qcow2" "$T/bad-l1.qcow2"
l1=$((16#$(xxd -s 40 -l 8 -p "$T/bad-l1.qcow2")))
printf '\x80\x00\x00\x00\x00\x01\x23\x45' | dd of="$T/bad-l1.qcow2" bs=1 seek=$l1 conv=notrunc status=none
run_expect_fail 3 "$T/bad-l1.qcow2: corrupt qcow2 image" "$REHOST" scan "$T/bad-l1.qcow2"
cp "$T/good.qcow2" "$T/bad-refcount.qcow2"
rt=$((16#$(xxd -s 48 -l 8 -p "$T/bad-refcount.qcow2")))
dd if=/dev/zero of="$T/bad-refcount.qcow2" bs=1 count=8 seek=$rt conv=notrunc status=none
run_expect_fail 3 "$T/bad-refcount.qcow2: corrupt qcow2 image" "$REHOST" scan "$T/bad-refcount.qcow2"
# header garbage: not qcow2 any more, and not a disk either
cp "$T/good.qcow2" "$T/garbage.qcow2"
dd if=/dev/urandom of="$T/garbage.qcow2" bs=512 count=1 conv=notrunc status=none
printf '\x00\x00' | dd of="$T/garbage.qcow2" bs=1 seek=510 conv=notrunc status=none
run_expect_fail 3 "$T/garbage.qcow2: not a recognised disk image" "$REHOST" scan "$T/garbage.qcow2"
# backing files are refused unless allowed
qemu-img create -q -f qcow2 -b "$T/good.qcow2" -F qcow2 "$T/overlay.qcow2"
run_expect_fail 3 "$T/overlay.qcow2: has a backing file \($T/good.qcow2\)" "$REHOST" scan "$T/overlay.qcow2"
# ... also when the chain points at a host file, directly or through json:
qemu-img create -q -f qcow2 -u -b /etc/passwd -F raw "$T/passwd.qcow2" 1M
run_expect_fail 3 "$T/passwd.qcow2: has a backing file \(/etc/passwd\)" \
  "$REHOST" replicate "$T/passwd.qcow2" "$T/passwd-copy.qcow2"
qemu-img create -q -f qcow2 -u -F raw \
  -b 'json:{"driver":"raw","file":{"driver":"file","filename":"/etc/passwd"}}' "$T/json.qcow2" 1M
run_expect_fail 3 "$T/json.qcow2: has a backing file \(json:.*/etc/passwd" "$REHOST" scan "$T/json.qcow2"
expect_no_file "$T/passwd-copy.qcow2"
# the second disk of a machine is held to the same rules as the first, before
# anything is read or written
run_expect_fail 3 "$T/passwd.qcow2: has a backing file \(/etc/passwd\)" \
  "$REHOST" convert --profile kvm -o "$T/machine" "$T/good.qcow2" "$T/passwd.qcow2"
expect_no_file "$T/machine"
# a VMDK descriptor is text: a "FLAT" extent can name any host file
mkdir -p "$T/vm"
head -c 1048576 /dev/zero > "$T/secret.raw"
# qcow2's external data file: the guest data is another file the image names
qemu-img create -q -f qcow2 -o data_file="$T/secret.raw",data_file_raw=on "$T/datafile.qcow2" 1M
run_expect_fail 3 "$T/datafile.qcow2: has an external data file \($T/secret.raw\)" \
  "$REHOST" replicate "$T/datafile.qcow2" "$T/datafile-copy.qcow2"
expect_no_file "$T/datafile-copy.qcow2"
printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 2048 FLAT "%s" 0\nddb.adapterType = "ide"\n' \
  "$T/secret.raw" > "$T/vm/evil.vmdk"
run_expect_fail 3 "$T/vm/evil.vmdk: VMDK descriptor names an extent that is not a regular file in its own directory \($T/secret.raw\)" \
  "$REHOST" replicate "$T/vm/evil.vmdk" "$T/evil-copy.qcow2"
ln -s "$T/secret.raw" "$T/vm/link-flat.vmdk"
sed "s|\"$T/secret.raw\"|\"link-flat.vmdk\"|" "$T/vm/evil.vmdk" > "$T/vm/link.vmdk"
run_expect_fail 3 "link.vmdk: VMDK descriptor names an extent that is not a regular file in its own directory" \
  "$REHOST" scan "$T/vm/link.vmdk"
expect_no_file "$T/evil-copy.qcow2"
# a differencing VHD (a Hyper-V checkpoint) holds only what changed since its
# parent, and qemu would read it as a whole disk with zeros for the rest: the
# dynamic VHD made here is turned into one (disk type 4, a parent's name, the
# footer's checksum redone in both copies)
qemu-img convert -q -f qcow2 -O vpc "$T/good.qcow2" "$T/child.vhd"
python3 - "$T/child.vhd" <<'PY'
import struct, sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
for off in (0, len(b) - 512):
    f = b[off:off + 512]
    f[60:64] = struct.pack('>I', 4); f[64:68] = bytes(4)
    f[64:68] = struct.pack('>I', ~sum(f) & 0xffffffff)
    b[off:off + 512] = f
dyn = struct.unpack('>Q', b[16:24])[0]
b[dyn + 64:dyn + 64 + 18] = 'web01.vhd'.encode('utf-16-be')
open(p, 'wb').write(b)
PY
run_expect_fail 3 "$T/child.vhd: is a differencing VHD .* of the parent web01.vhd: .*Merge-VHD" \
  "$REHOST" replicate "$T/child.vhd" "$T/child-copy.qcow2"
expect_no_file "$T/child-copy.qcow2"
run_expect_fail 3 "$T/child.vhd: is a differencing VHD" "$REHOST" scan --format vhd "$T/child.vhd"

# capture: damaged input leaves no output behind
run_expect_fail 3 "$T/truncated.qcow2: corrupt qcow2 image" "$REHOST" capture "$T/truncated.qcow2" -o "$T/out.qcow2"
expect_no_file "$T/out.qcow2"
run_expect_fail 3 "$T/notes.txt: not a recognised disk image" "$REHOST" capture "$T/notes.txt" -o "$T/out.qcow2"
expect_no_file "$T/out.qcow2"
mkdir -p "$T/notroot/data"
run_expect_fail 3 "$T/notroot: not a root filesystem tree" "$REHOST" capture "$T/notroot" -o "$T/out.qcow2"
expect_no_file "$T/out.qcow2"
touch "$T/exists.qcow2"
run_expect_fail 3 "$T/exists.qcow2: already exists" "$REHOST" capture "$T/good.qcow2" -o "$T/exists.qcow2"
# an output directory that is not writable: error, no temp left
mkdir "$T/ro" && chmod 0555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
  run_expect_fail 1 "$T/ro/out.qcow2" "$REHOST" capture "$T/good.qcow2" -o "$T/ro/out.qcow2"
fi
expect_no_temp "$T"

# --- cases found by the appliance (one launch each) ---
export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-}
[ -n "$LIBGUESTFS_BACKEND_SETTINGS" ] || unset LIBGUESTFS_BACKEND_SETTINGS
# a rehost killed while it probes KVM (which hangs on this machine) leaves no
# qemu behind: the probe dies with its parent
XDG_CACHE_HOME=$T/xdg env -u LIBGUESTFS_BACKEND_SETTINGS "$REHOST" -q scan "$FX/empty-fs.qcow2" \
  -o "$T/k.json" > /dev/null 2>&1 &
kp=$!
sleep 3
probe=$(pgrep -P "$kp" -f "accel=kvm" || true)
kill -9 "$kp"; wait "$kp" 2> /dev/null || true
if [ -n "$probe" ]; then
  sleep 1
  expect_eq "no KVM probe outlives a killed rehost (a zombie is dead)" \
    "$(ps -o stat= -p "$probe" | grep -vc Z || true)" 0
  kill -9 "$probe" 2> /dev/null || true
else ok "KVM probe answered within 3 s: nothing to leave behind"; fi
before=$(sum "$FX/empty-fs.qcow2")
run_expect_fail 4 "$FX/empty-fs.qcow2: no operating system found" "$REHOST" -q scan "$FX/empty-fs.qcow2" -o "$T/r.json"
expect_no_file "$T/r.json"
expect_eq "no-OS source unchanged" "$(sum "$FX/empty-fs.qcow2")" "$before"
run_expect_fail 4 "$FX/luks.qcow2: encrypted guest: /dev/sda1 is encrypted" "$REHOST" -q scan "$FX/luks.qcow2" -o "$T/r.json"
expect_no_file "$T/r.json"
# encryption inside md RAID and LVM is named too, by scan and by finalize
before=$(sum "$FX/luks-layers.qcow2")
run_expect_fail 4 "$FX/luks-layers.qcow2: encrypted guest: /dev/md0, /dev/vg0/root are encrypted" \
  "$REHOST" -q scan "$FX/luks-layers.qcow2" -o "$T/r.json"
expect_no_file "$T/r.json"
run_expect_fail 4 "$FX/luks-layers.qcow2: encrypted guest: /dev/md0, /dev/vg0/root are encrypted" \
  "$REHOST" -q finalize "$FX/luks-layers.qcow2" -f qcow2 --profile kvm --dry-run
expect_eq "encrypted source unchanged" "$(sum "$FX/luks-layers.qcow2")" "$before"
finish
