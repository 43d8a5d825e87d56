# Untrusted images and hostile neighbours (issue: an outside review): each
# case reproduces an attack or fault the review found, on real images, and
# asserts what rehost does now. No appliance is launched here.
source "$(dirname "$0")/lib.sh"
: "${REHOST_STATE_DIR:=$T/state}"; export REHOST_STATE_DIR
cd "$T"
root() { [ "$(id -u)" = 0 ]; }
# a 64 MiB raw "guest disk" whose data is recognisable
mkdisk() { truncate -s 64M "$1"; printf '\x55\xaa' | dd of="$1" bs=1 seek=510 conv=notrunc status=none
           printf 'GUEST-DATA-%s' "$2" | dd of="$1" bs=1 seek=1048576 conv=notrunc status=none; }
has_bytes() { qemu-img convert -O raw "$1" "$T/hb.raw" && { grep -c "$2" "$T/hb.raw" || true; }; rm -f "$T/hb.raw"; }
chmod 0755 "$T"
# same_raw WHAT RAWFILE IMAGE: IMAGE holds RAWFILE's bytes (RAWFILE read as raw,
# never probed: the helper must not fall for the guest's descriptor either)
same_raw() { local out; if out=$(qemu-img compare -f raw "$2" "$3" 2>&1); then ok "$1"; else fail "$1: $out"; fi; } # other users may look in (they try to take locks below)

# ---- 1. guest-chosen image format ----
mkdir -p vm
head -c 8M /dev/urandom > vm/other.img
printf 'NEIGHBOUR-SECRET' | dd of=vm/other.img bs=1 seek=4096 conv=notrunc status=none
mkdisk vm/guest.img guest
# the guest wrote a VMDK descriptor into its own first sector, naming its neighbour
printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 16384 FLAT "other.img" 0\n' \
  | dd of=vm/guest.img conv=notrunc status=none
run_expect_fail 3 "vm/guest.img: starts with a VMDK descriptor, but was not named as a VMDK" \
  "$REHOST" replicate vm/guest.img t1.qcow2
run_expect_fail 3 "starts with a VMDK descriptor" "$REHOST" scan vm/guest.img
expect_no_file t1.qcow2
"$REHOST" -q replicate -f raw vm/guest.img t1.qcow2 || fail "replicate -f raw of the guest disk"
same_raw "-f raw: the target is the guest's own disk" vm/guest.img t1.qcow2
expect_eq "the neighbour's bytes are not in the target" "$(has_bytes t1.qcow2 NEIGHBOUR-SECRET)" 0
# a later sync keeps the pinned format, whatever the guest writes
"$REHOST" -q replicate vm/guest.img t1.qcow2 || fail "second sync uses the pinned raw format"
run_expect_fail 7 "was replicated as raw; refusing to read it as vmdk" \
  "$REHOST" replicate -f vmdk vm/guest.img t1.qcow2
# formats outside the allow-list are refused before any driver parses them
for f in parallels qcow vdi qed; do
  qemu-img create -q -f $f "odd.$f" 16M
  run_expect_fail 3 "odd.$f: is a $f image; rehost reads raw, qcow2, vmdk, vhd and vhdx only" \
    "$REHOST" replicate "odd.$f" "odd-copy.qcow2"
done
# a VMDK whose extent is not a regular file in its directory: refused before qemu opens it
mkdir -p vm2 && mkfifo vm2/pipe
printf '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 2048 FLAT "pipe" 0\n' > vm2/fifo.vmdk
run_expect_fail 3 "fifo.vmdk: VMDK descriptor names an extent that is not a regular file" \
  timeout 20 "$REHOST" replicate vm2/fifo.vmdk x.qcow2
if root; then
  mknod vm2/sda b 7 0
  sed 's/"pipe"/"sda"/' vm2/fifo.vmdk > vm2/dev.vmdk
  run_expect_fail 3 "dev.vmdk: VMDK descriptor names an extent that is not a regular file .*sda" \
    "$REHOST" replicate vm2/dev.vmdk x.qcow2
fi
# a block device is raw, never probed: the descriptor in its first sector is data
if root && LOOP=$(losetup -f --show vm/guest.img 2> /dev/null); then
  trap 'losetup -d "$LOOP" 2> /dev/null; rm -rf "$T"' EXIT
  "$REHOST" -q capture "$LOOP" -o cap.qcow2 || fail "capture of a block device whose guest wrote a descriptor"
  same_raw "capture reads the device as raw" vm/guest.img cap.qcow2
  "$REHOST" -q replicate "$LOOP" t2.qcow2 || fail "replicate from a block device"
  expect_eq "no neighbour bytes from a device source" "$(has_bytes t2.qcow2 NEIGHBOUR-SECRET)" 0
  losetup -d "$LOOP"
  trap 'rm -rf "$T"' EXIT
else
  fail "no loop device: the block-device cases did not run"
fi
# a libvirt domain's raw disk is read as the raw it declares
cat > node.xml <<XML
<node><domain type="test"><name>evil</name><uuid>4f8ea39e-6a12-4c76-8db2-a4011ca3f1d4</uuid>
  <memory>1048576</memory><os><type>hvm</type></os>
  <devices><disk type="file" device="disk"><driver name="qemu" type="raw"/>
    <source file="$T/vm/guest.img"/><target dev="vda" bus="virtio"/></disk></devices>
  <test:runstate xmlns:test="http://libvirt.org/schemas/domain/test/1.0">5</test:runstate></domain>
<domain type="test"><name>floppy</name><uuid>5f8ea39e-6a12-4c76-8db2-a4011ca3f1d5</uuid>
  <memory>1048576</memory><os><type>hvm</type></os>
  <devices><disk type="file" device="disk"><driver name="qemu" type="qed"/>
    <source file="$T/odd.qed"/><target dev="vda" bus="virtio"/></disk></devices>
  <test:runstate xmlns:test="http://libvirt.org/schemas/domain/test/1.0">5</test:runstate></domain></node>
XML
"$REHOST" -q replicate --connect "test://$T/node.xml" --domain evil t3.qcow2 || fail "replicate --domain (raw disk)"
same_raw "--domain: the declared raw format is used" vm/guest.img t3.qcow2
run_expect_fail 3 "disk vda declares format 'qed'" \
  "$REHOST" replicate --connect "test://$T/node.xml" --domain floppy t4.qcow2
"$REHOST" -q replicate -f raw vm/guest.img t5.raw -O raw || fail "raw target"
# the target's own first sector is the guest's: pinned raw, it stays raw
"$REHOST" -q replicate vm/guest.img t5.raw || fail "a raw target whose first sector is a descriptor"
if out=$(qemu-img compare -f raw -F raw vm/guest.img t5.raw 2>&1); then ok "raw target equals the source"; else fail "raw target: $out"; fi
# an in-place finalize opens the format the replication pinned for the target
run_expect_fail 7 "t5.raw: was replicated as raw; refusing to open it as qcow2" \
  "$REHOST" finalize -f qcow2 --profile kvm --dry-run t5.raw
# a target replaced by another kind of image is refused
qemu-img create -q -f qcow2 src.qcow2 64M
qemu-io -c 'write -P 0x11 0 4M' -c 'write -P 0x22 32M 4M' src.qcow2 > /dev/null
"$REHOST" -q replicate src.qcow2 t6.qcow2 || fail "replicate src.qcow2"
run_expect_fail 7 "is replicated as qcow2; refusing to sync it as raw" \
  "$REHOST" replicate -O raw src.qcow2 t6.qcow2
qemu-img convert -O vmdk t6.qcow2 t6.new && mv t6.new t6.qcow2
run_expect_fail 7 "its replication state says qcow2, but it is now a vmdk image" \
  "$REHOST" replicate src.qcow2 t6.qcow2

# ---- 2. durable copies: data fsync'd before the rename, before "consistent" ----
# (LeakSanitizer cannot run under ptrace: off for the traced runs of an ASan build)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
strace -f -y -e trace=fsync,fdatasync,rename,renameat,renameat2 -o st.log \
  "$REHOST" -q replicate --full src.qcow2 t7.qcow2 || fail "replicate --full under strace"
fs=$(grep -nE "fsync\([0-9]+</.*\.t7\.qcow2\.rehost-tmp\." st.log | sed -n 1p | cut -d: -f1)
rn=$(grep -nE "rename.*\.t7\.qcow2\.rehost-tmp\..*t7\.qcow2\"" st.log | sed -n 1p | cut -d: -f1)
dfs=$(grep -nE "fsync\([0-9]+<$T>\)" st.log | cut -d: -f1 | awk -v rn="${rn:-0}" '$1 > rn && !f {print; f = 1}')
st=$(grep -nE "rename.*t7\.qcow2\.rehost\.json\.tmp" st.log | tail -1 | cut -d: -f1)
if [ -n "$fs" ] && [ -n "$rn" ] && [ -n "$dfs" ] && [ -n "$st" ] && [ "$fs" -lt "$rn" ] && [ "$rn" -lt "$dfs" ] && [ "$dfs" -lt "$st" ]; then
  ok "full copy: data fsync, rename, directory fsync, then the state"
else fail "full copy order: fsync $fs rename $rn dirsync $dfs state $st: $(grep -E 'fsync|rename' st.log | head -12)"; fi
strace -f -y -e trace=fsync,rename -o st2.log "$REHOST" -q capture src.qcow2 -o cap2.vmdk || fail "capture under strace"
fs=$(grep -nE "fsync\([0-9]+</.*\.cap2\.vmdk\.rehost-tmp\." st2.log | sed -n 1p | cut -d: -f1)
rn=$(grep -nE "rename.*\.cap2\.vmdk\.rehost-tmp\." st2.log | sed -n 1p | cut -d: -f1)
if [ -n "$fs" ] && [ -n "$rn" ] && [ "$fs" -lt "$rn" ]; then ok "capture: fsync before rename"; else fail "capture: fsync $fs rename $rn"; fi
export ASAN_OPTIONS="${ASAN_OPTIONS%detect_leaks=0}"

# ---- 3. a disabled bitmap never drives a sync ----
"$REHOST" -q replicate --full --force src.qcow2 t6.qcow2 || fail "recreate t6"
bm=$(jq -r .bitmap.name t6.qcow2.rehost.json)
qemu-img bitmap --disable src.qcow2 "$bm"
qemu-io -c 'write -P 0x33 8M 1M' src.qcow2 > /dev/null
out=$("$REHOST" replicate src.qcow2 t6.qcow2 2>&1) || fail "sync after a disabled bitmap: $out"
expect_match "a disabled bitmap is refused, saying why" "$out" "bitmap $bm is disabled"
expect_same_data "the write made while it was disabled reached the target" src.qcow2 t6.qcow2
# a disabled bitmap is not restarted in place (--clear would leave it
# disabled): a new generation replaces it
nbm=$(jq -r .bitmap.name t6.qcow2.rehost.json)
expect_eq "a new generation replaces the disabled bitmap" "$nbm" "${bm%-*}-$(( ${bm##*-} + 1 ))"
expect_eq "the disabled bitmap is gone" \
  "$(qemu-img info --output=json src.qcow2 | jq -r --arg b "$bm" '[.["format-specific"].data.bitmaps[] | select(.name == $b)] | length')" 0

# ---- 4. a block-device target is written in place ----
truncate -s 80M devt.img
if root && TLOOP=$(losetup -f --show devt.img 2> /dev/null); then
  trap 'losetup -d "$TLOOP" 2> /dev/null; rm -rf "$T"' EXIT
  "$REHOST" -q replicate --full src.qcow2 "$TLOOP" || fail "replicate --full into a block device"
  expect_eq "the device is still a block device" "$(test -b "$TLOOP" && echo yes)" yes
  qemu-img convert -O raw src.qcow2 s.raw
  expect_eq "data landed on the device" "$(cmp -n $((64 << 20)) s.raw "$TLOOP" && echo same)" same
  expect_no_file "$TLOOP.rehost.json"
  expect_no_file "$TLOOP.rehost.lock"
  esc=$(printf '%s' "$TLOOP" | tr / '!')
  expect_eq "the device's state is in the state dir" "$(jq -r .state "$REHOST_STATE_DIR/devices/$esc.rehost.json")" consistent
  qemu-io -c 'write -P 0x44 40M 1M' src.qcow2 > /dev/null
  "$REHOST" -q replicate src.qcow2 "$TLOOP" || fail "delta sync into a block device"
  qemu-img convert -O raw src.qcow2 s.raw
  expect_eq "delta sync reached the device" "$(cmp -n $((64 << 20)) s.raw "$TLOOP" && echo same)" same
  losetup -d "$TLOOP"
  trap 'rm -rf "$T"' EXIT
else
  fail "no loop device: the block-device target case did not run"
fi

# ---- 5. symlinks beside the target are never followed ----
printf 'victim\n' > victim
vsum=$(sum victim)
ln -s "$T/victim" t8.qcow2.rehost.lock
run_expect_fail 5 "t8.qcow2.rehost.lock: lock file is a symlink" "$REHOST" replicate src.qcow2 t8.qcow2
rm t8.qcow2.rehost.lock
ln -s "$T/victim" t8.qcow2.rehost.json
run_expect_fail 3 "t8.qcow2.rehost.json: the replication state is a symlink" "$REHOST" replicate src.qcow2 t8.qcow2
rm t8.qcow2.rehost.json
ln -s "$T/victim" t8.qcow2.rehost.json.tmp
run_expect_fail 5 "rehost.json.tmp: replication state's spare is a symlink" "$REHOST" -q replicate src.qcow2 t8.qcow2
rm t8.qcow2.rehost.json.tmp
ln -s "$T/victim" report.json
"$REHOST" -q hook install --hooks-dir "$T/hooks" > /dev/null 2>&1 || fail "hook install"
expect_eq "the victim file is untouched" "$(sum victim)" "$vsum"
expect_eq "the victim is still a plain file" "$(test -f victim && ! test -L victim && echo yes)" yes
mkdir -m 0777 pub
run_expect_fail 5 "refusing to write into a directory others can change: .*pub is writable by everyone" \
  "$REHOST" -q replicate src.qcow2 pub/t.qcow2
if root; then
  # a lock planted by another user is not used
  mkdir -m 0755 own; runuser -u nobody -- true 2> /dev/null && {
    chown nobody own; runuser -u nobody -- touch own/t.qcow2.rehost.lock
    chown root own
    run_expect_fail 5 "own/t.qcow2.rehost.lock: refusing to use it as the lock file: owned by another user" \
      "$REHOST" replicate src.qcow2 own/t.qcow2; }
fi

# ---- 6. the hook trusts only a state dir and pair files that only root can write ----
S="$T/hstate"; mkdir -p "$S/pairs"
cat > "$S/pairs/0000000000000001.json" <<J
{"schema":"rehost.pair/1","domain":"evil","disk":"vda","source":"$T/src.qcow2","format":"qcow2","target":"$T/hooked.qcow2","mode":"auto"}
J
chmod 0777 "$S"
"$REHOST" hook run --state-dir "$S" -- evil release end - < /dev/null 2> hook.err
sleep 1
expect_no_file hooked.qcow2
expect_match "an untrusted state dir is refused, saying why" "$(cat hook.err)" "not trusted .*writable by everyone"
chmod 0755 "$S"; chmod 0666 "$S/pairs/0000000000000001.json"
out=$("$REHOST" pair list --state-dir "$S" 2>&1 || true)
expect_match "a pair file others can write is skipped" "$out" "0000000000000001.json: skipped: owned or writable by another user"
chmod 0644 "$S/pairs/0000000000000001.json"
"$REHOST" -q pair sync --state-dir "$S" --domain evil || fail "pair sync by hand"
expect_same_data "pair sync: the target equals the source" src.qcow2 hooked.qcow2
expect_eq "the pair lock is private" "$(stat -c %a "$S"/locks/*.lock 2> /dev/null || echo missing)" 600
mkdir -m 0777 badbin && cp "$REHOST" badbin/rehost
run_expect_fail 7 "badbin/rehost: refusing to install a hook that runs it: .*badbin is writable by everyone" \
  badbin/rehost hook install --hooks-dir "$T/hooks2"
expect_no_file hooks2/qemu.d/rehost

# ---- 7. locks: private, the real holder named, --wait bounded ----
expect_eq "lock files are 0600" "$(stat -c %a t6.qcow2.rehost.lock)" 600
flock t6.qcow2.rehost.lock sleep 30 & holder=$!
sleep 0.5
run_expect_fail 1 "another rehost \(pid $holder\) is syncing this target" "$REHOST" replicate src.qcow2 t6.qcow2
s=$(date +%s)
run_expect_fail 1 "gave up after 2 s: another rehost \(pid $holder\) is still syncing this target" \
  "$REHOST" -q replicate --wait=2 src.qcow2 t6.qcow2
expect_eq "--wait=2 gave up in time" "$(( $(date +%s) - s < 10 ))" 1
kill $holder; wait $holder 2> /dev/null || true
if root && runuser -u nobody -- true 2> /dev/null; then
  expect_match "another user cannot open the lock" \
    "$(runuser -u nobody -- flock -n "$T/t6.qcow2.rehost.lock" true 2>&1 || true)" "Permission denied"
fi

# ---- 8. flat VMDK and data-file images: direct reads only from the image itself ----
mkdir -p legit
qemu-img create -q -f vmdk -o subformat=monolithicFlat legit/disk.vmdk 64M
qemu-io -f vmdk -c 'write -P 0x55 1M 2M' legit/disk.vmdk > /dev/null
"$REHOST" -q replicate legit/disk.vmdk t9.qcow2 || fail "first sync of a monolithicFlat VMDK (relative path)"
qemu-io -f vmdk -c 'write -P 0x66 9M 1M' legit/disk.vmdk > /dev/null
"$REHOST" -q replicate --mode compare legit/disk.vmdk t9.qcow2 || fail "second sync of a monolithicFlat VMDK"
expect_same_data "flat VMDK replicated" legit/disk.vmdk t9.qcow2
expect_eq "flat VMDK target consistent" "$(target_state t9.qcow2)" consistent
qemu-img create -q -f qcow2 -o data_file="$T/legit/data.raw" legit/df.qcow2 64M
qemu-io -c 'write -P 0x77 2M 1M' legit/df.qcow2 > /dev/null
"$REHOST" -q replicate --allow-backing legit/df.qcow2 t10.qcow2 || fail "data-file qcow2, first sync"
qemu-io -c 'write -P 0x78 20M 1M' legit/df.qcow2 > /dev/null
"$REHOST" -q replicate --allow-backing --mode compare legit/df.qcow2 t10.qcow2 || fail "data-file qcow2, second sync"
expect_same_data "data-file qcow2 replicated" legit/df.qcow2 t10.qcow2

# ---- 9. a running qemu: its overlay's base is read; a VM starting mid-sync is noticed ----
qemu-img create -q -f qcow2 base.qcow2 64M
qemu-io -c 'write -P 0x21 0 2M' base.qcow2 > /dev/null
qemu-img create -q -f qcow2 -b "$T/base.qcow2" -F qcow2 overlay.qcow2
qemu-system-x86_64 -machine none -nodefaults -display none -S \
  -drive file="$T/overlay.qcow2",format=qcow2,if=none,id=d0 > qemu.log 2>&1 & QEMU=$!
for i in $(seq 50); do grep -q "WRITE" /proc/locks 2> /dev/null && break; sleep 0.1; done; sleep 0.5
out=$("$REHOST" replicate base.qcow2 t11.qcow2 2>&1) || fail "replicate the base of a running VM's overlay: $out"
expect_match "it says why there is no tracking" "$out" "open read-only .*without change tracking"
expect_same_data "the base read while qemu runs" base.qcow2 t11.qcow2
kill $QEMU; wait $QEMU 2> /dev/null || true
head -c 512M /dev/urandom > big.raw; printf '\x55\xaa' | dd of=big.raw bs=1 seek=510 conv=notrunc status=none
qemu-img convert -O qcow2 big.raw vmdisk.qcow2; rm big.raw
"$REHOST" -q replicate vmdisk.qcow2 t12.qcow2 || fail "first sync of the VM disk"
qemu-io -c 'write -P 0x31 1M 128M' vmdisk.qcow2 > /dev/null
"$REHOST" replicate --mode compare --threads 2 vmdisk.qcow2 t12.qcow2 > sync.out 2>&1 & SYNC=$!
caught=no
# the target's server starts once the source is being read for the sync
for i in $(seq 500); do pgrep -f "shared=2.*t12.qcow2" > /dev/null && { caught=yes; break; }; sleep 0.01; done
kill -STOP $SYNC
expect_eq "the sync was caught while it read the source" "$caught" yes
qemu-system-x86_64 -machine none -nodefaults -display none -S \
  -drive file="$T/vmdisk.qcow2",format=qcow2,if=none,id=d0 > qemu2.log 2>&1 & QEMU=$!
sleep 1
expect_eq "a VM starts while rehost reads its disk" "$(kill -0 $QEMU 2> /dev/null && echo running || cat qemu2.log)" running
kill -CONT $SYNC; rc=0; wait $SYNC || rc=$?
expect_eq "the sync that overlapped the VM fails" "$rc" 7
expect_match "it says why" "$(cat sync.out)" "opened the source for writing during the sync|written while it was read"
expect_eq "the target is marked inconsistent" "$(target_state t12.qcow2)" inconsistent
kill $QEMU; wait $QEMU 2> /dev/null || true
"$REHOST" -q replicate vmdisk.qcow2 t12.qcow2 || fail "the next sync repairs"
expect_same_data "repaired after the VM stopped" vmdisk.qcow2 t12.qcow2

# ---- 10. two targets from one source at once ----
qemu-io -c 'write -P 0x41 4M 4M' src.qcow2 > /dev/null
"$REHOST" -q replicate --wait=120 src.qcow2 tA.qcow2 & a=$!
"$REHOST" -q replicate --wait=120 src.qcow2 tB.qcow2 & b=$!
ra=0; rb=0; wait $a || ra=$?; wait $b || rb=$?
expect_eq "two syncs from one source at once both succeed" "$ra $rb" "0 0"
expect_same_data "first target" src.qcow2 tA.qcow2
expect_same_data "second target" src.qcow2 tB.qcow2
expect_eq "source still sound" "$(qemu-img check -q src.qcow2 && echo clean)" clean

# ---- 11. any number of bitmaps; stale ones of this target go, others' stay ----
for i in $(seq 70); do qemu-img bitmap --add src.qcow2 "user$i"; done
tid=$(jq -r .id tA.qcow2.rehost.json)
qemu-img bitmap --add src.qcow2 "rehost-$tid-99"
qemu-img bitmap --add src.qcow2 "rehost-0123456789abcdef-1"
qemu-io -c 'write -P 0x42 12M 1M' src.qcow2 > /dev/null
out=$("$REHOST" replicate src.qcow2 tA.qcow2 2>&1) || fail "sync with 72 other bitmaps: $out"
expect_match "rehost's bitmap is found among 72 others" "$out" "^rehost: bitmap sync"
expect_same_data "bitmap sync with many bitmaps" src.qcow2 tA.qcow2
names=$(qemu-img info --output=json src.qcow2 | jq -r '.["format-specific"].data.bitmaps[].name')
expect_eq "users' bitmaps kept" "$(grep -c '^user' <<< "$names")" 70
expect_eq "another target's bitmap kept" "$(grep -c '^rehost-0123456789abcdef-1$' <<< "$names")" 1
expect_eq "this target's stale bitmap removed" "$(grep -c "^rehost-$tid-99$" <<< "$names")" 0
expect_eq "this target has one live bitmap" "$(grep -c "^rehost-$tid-" <<< "$names")" 1
# --untrack releases the source (qemu-img snapshot -a refuses active bitmaps)
"$REHOST" -q replicate --untrack src.qcow2 tA.qcow2 || fail "--untrack"
names=$(qemu-img info --output=json src.qcow2 | jq -r '.["format-specific"].data.bitmaps[]?.name')
expect_eq "--untrack removed this target's bitmaps" "$(grep -c "^rehost-$tid-" <<< "$names" || true)" 0
jq_eq tA.qcow2.rehost.json '.bitmap.name' null

# ---- 12. a file name that looks like a protocol is a file ----
mkdisk "nbd:127.0.0.1:9:exportname=x" nbd
"$REHOST" -q replicate "nbd:127.0.0.1:9:exportname=x" t13.qcow2 || fail "a file named like an NBD URI"
expect_same_data "read from the file, not the network" "$T/nbd:127.0.0.1:9:exportname=x" t13.qcow2

# ---- 13. control characters never reach the terminal ----
evil=$'esc\e]0;pwned\a\e[2J.img'
"$REHOST" scan "$evil" > /dev/null 2> esc.err || true
expect_eq "no raw ESC in messages" "$(grep -c $'\e' esc.err || true)" 0
expect_match "the escape is shown escaped" "$(cat esc.err)" 'esc\\x1b\]0;pwned\\x07'

# ---- 16. a signal early in replicate: exit 6, nothing marked consistent ----
dev=$(stat -c %d src.qcow2); ino=$(stat -c %i src.qcow2)
if root; then lockdir=/run/rehost; elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then lockdir=$XDG_RUNTIME_DIR/rehost; else lockdir=/tmp/rehost-$(id -u); fi
srclock="$lockdir/source-$(printf '%x' "$dev")-$ino.lock"
flock "$srclock" sleep 30 & holder=$!
sleep 0.5
"$REHOST" replicate --wait=60 src.qcow2 t14.qcow2 > sig.out 2>&1 & r=$!
for i in $(seq 100); do grep -q "waiting up to" sig.out && break; sleep 0.05; done
kill -INT $r; rc=0; wait $r || rc=$?
expect_eq "SIGINT while waiting: exit 6" "$rc" 6
expect_no_file t14.qcow2
expect_eq "no state says consistent" "$(target_state t14.qcow2)" none
kill $holder; wait $holder 2> /dev/null || true

# ---- 17. a huge claimed size is refused, unless raised ----
qemu-img create -q -f qcow2 huge.qcow2 100T
run_expect_fail 3 "huge.qcow2: claims a virtual size of 100.* TiB, more than the 64.* TiB" \
  "$REHOST" replicate huge.qcow2 th.qcow2
"$REHOST" -q --max-virtual-size 200T replicate --untrack huge.qcow2 th.qcow2 || fail "--max-virtual-size raises the cap"

expect_no_temp "$T"
expect_eq "sources never written: the neighbour" "$(grep -c NEIGHBOUR-SECRET vm/other.img)" 1
finish
