# libvirt integration on the test:/// driver (a node file with two domains
# whose disks are real images): a domain as the source of scan, replicate and
# convert; a running domain refused; convert's target domain XML validated
# (virt-xml-validate) and defined on test:///default; replication pairs and
# the qemu hook, invoked exactly as libvirt invokes it (argv, XML on stdin),
# with a hostile domain name, concurrent events and a failing sync.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
for t in virsh virt-xml-validate; do command -v $t > /dev/null || { echo "needs $t (libvirt-clients)"; exit 77; }; done
cd "$T"   # a command substitution in a name, were it ever run, would touch files here
D="$T/dir with 'quotes' and \$(spaces)"
mkdir -p "$D"
cp --sparse=always "$FX/debian12-mbr.qcow2" "$D/src.qcow2"
NAME="web 01; \$(touch pwned) \`touch pwned2\` 'q' \"dq\" ünï"
xmlname=$(printf '%s' "$NAME" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/"/\&quot;/g')
xmlpath=$(printf '%s' "$D/src.qcow2" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/"/\&quot;/g')
cat > "$T/node.xml" <<XML
<node xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
  <domain type="test">
    <name>$xmlname</name>
    <uuid>0f8ea39e-6a12-4c76-8db2-a4011ca3f1d1</uuid>
    <memory unit="MiB">1536</memory>
    <vcpu>3</vcpu>
    <os firmware="efi"><type arch="x86_64">hvm</type></os>
    <devices>
      <disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
        <source file="$xmlpath"/><target dev="vda" bus="virtio"/><boot order="1"/></disk>
      <interface type="network"><mac address="52:54:00:12:34:56"/><source network="default"/></interface>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
  <domain type="test">
    <name>twodisk</name>
    <uuid>4f8ea39e-6a12-4c76-8db2-a4011ca3f1d4</uuid>
    <memory unit="MiB">1024</memory>
    <os><type arch="x86_64">hvm</type></os>
    <devices>
      <disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
        <source file="$FX/debian12-twodisk-a.qcow2"/><target dev="vda" bus="virtio"/></disk>
      <disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
        <source file="$FX/debian12-twodisk-b.qcow2"/><target dev="vdb" bus="virtio"/></disk>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
  <domain type="test">
    <name>busy</name>
    <uuid>1f8ea39e-6a12-4c76-8db2-a4011ca3f1d2</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices><disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
      <source file="$xmlpath"/><target dev="vda" bus="virtio"/></disk></devices>
  </domain>
  <domain type="test">
    <name>live</name>
    <uuid>2f8ea39e-6a12-4c76-8db2-a4011ca3f1d3</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices><disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
      <source file="$T/live-overlay.qcow2"/><target dev="vda" bus="virtio"/></disk></devices>
    <test:domainsnapshot>
      <name>frozen</name><creationTime>1700000000</creationTime><active>0</active>
      <state>disk-snapshot</state><memory snapshot="no"/>
      <disks><disk name="vda" snapshot="external" type="file"><source file="$T/live-overlay.qcow2"/></disk></disks>
      <domain type="test"><name>live</name><uuid>2f8ea39e-6a12-4c76-8db2-a4011ca3f1d3</uuid>
        <memory>1048576</memory><os><type>hvm</type></os>
        <devices><disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
          <source file="$xmlpath"/><target dev="vda" bus="virtio"/></disk></devices></domain>
    </test:domainsnapshot>
    <test:domainsnapshot>
      <name>inside</name><creationTime>1700000100</creationTime><active>0</active>
      <state>running</state><memory snapshot="internal"/>
      <disks><disk name="vda" snapshot="internal"/></disks>
      <domain type="test"><name>live</name><uuid>2f8ea39e-6a12-4c76-8db2-a4011ca3f1d3</uuid>
        <memory>1048576</memory><os><type>hvm</type></os>
        <devices><disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
          <source file="$T/live-overlay.qcow2"/><target dev="vda" bus="virtio"/></disk></devices></domain>
    </test:domainsnapshot>
  </domain>
</node>
XML
URI="test://$T/node.xml"
virsh -c "$URI" list --all > /dev/null 2> "$T/virsh.err" || { fail "the test driver refuses the node file: $(cat "$T/virsh.err")"; finish; }
export REHOST_STATE_DIR="$T/state"

# ---- a domain as the source ----
run_expect_fail 3 "libvirt domain 'nosuch' not found" "$REHOST" scan --connect "$URI" --domain nosuch
run_expect_fail 3 "domain 'busy' is running: .*--snapshot" "$REHOST" replicate --connect "$URI" --domain busy "$T/x.qcow2"
run_expect_fail 3 "domain 'busy' is running" "$REHOST" convert --connect "$URI" --domain busy --profile kvm -o "$T/x.qcow2"
run_expect_fail 3 "libvirt domain 'nosuch' not found" "$REHOST" replicate --connect "$URI" --domain nosuch "$T/x.qcow2"
run_expect_fail 3 "has no disk 'vdz'" "$REHOST" replicate --connect "$URI" --domain "$NAME" --disk vdz "$T/x.qcow2"
# a running domain through its external snapshot: the frozen disk is read
"$REHOST" -q replicate --connect "$URI" --domain live --snapshot frozen "$T/frozen.qcow2" || fail "replicate --snapshot"
expect_eq "replicate --snapshot reads the disk the snapshot froze" \
  "$(qemu-img compare -q "$D/src.qcow2" "$T/frozen.qcow2" && echo same)" same
run_expect_fail 3 "snapshot 'inside' of domain 'live' is internal" \
  "$REHOST" replicate --connect "$URI" --domain live --snapshot inside "$T/x.qcow2"
run_expect_fail 3 "domain 'live' has no snapshot 'nosuch'" \
  "$REHOST" replicate --connect "$URI" --domain live --snapshot nosuch "$T/x.qcow2"
"$REHOST" -q replicate --connect "$URI" --domain "$NAME" "$D/direct.qcow2" || fail "replicate --domain"
expect_eq "replicate --domain: target equals the domain's disk" \
  "$(qemu-img compare -q "$D/src.qcow2" "$D/direct.qcow2" && echo same)" same

# ---- convert --libvirt-xml ----
"$REHOST" -q convert --connect "$URI" --domain "$NAME" --profile kvm --firstboot-install -o "$D/conv.qcow2" \
  --libvirt-xml "$D/conv.xml" --scan-report "$T/scan.json" 2> "$T/conv.err" \
  || fail "convert --domain --libvirt-xml: $(cat "$T/conv.err")"
# the domain's scan report, as rehost scan --domain writes it, from the convert's launch
jq_eq "$T/scan.json" .domain.name "$NAME"
jq_eq "$T/scan.json" .domain.vcpus 3
jq_eq "$T/scan.json" .domain.memory_kib 1572864
jq_eq "$T/scan.json" .domain.firmware uefi
jq_eq "$T/scan.json" '.domain.disks[0].path' "$D/src.qcow2"
jq_eq "$T/scan.json" '.domain.nics[0].mac' 52:54:00:12:34:56
jq_eq "$T/scan.json" '.sources[0].path' "$D/src.qcow2"
jq_eq "$T/scan.json" .os.hostname rehost-fixture
expect_eq "domain XML valid (virt-xml-validate)" "$(virt-xml-validate "$D/conv.xml" domain > /dev/null 2>&1 && echo valid)" valid
dx=$(cat "$D/conv.xml")
expect_match "virtio disk on the converted image" "$dx" "<target dev=\"vda\" bus=\"virtio\"/>"
expect_match "the source's vCPUs" "$dx" "<vcpu>3</vcpu>"
expect_match "the source's memory" "$dx" "<memory unit=\"KiB\">1572864</memory>"
expect_match "the source's firmware" "$dx" "<os firmware=\"efi\">"
expect_match "serial console" "$dx" "<console type=\"pty\">"
expect_match "virtio NIC" "$dx" "<model type=\"virtio\"/>"
if grep -q 52:54:00:12:34:56 <<<"$dx"; then fail "stale MAC in the target XML"; else ok "no stale MAC"; fi
cp "$D/conv.xml" "$T/define.xml"
expect_match "the new domain is named after OUT" "$dx" "<name>conv</name>"
# defined on the very connection where the source domain exists: a new name, a new UUID
defined=$(virsh -c "$URI" "define $T/define.xml; dumpxml conv" 2>&1 || true)
expect_match "defined beside its source domain" "$defined" "<source file=.*conv\.qcow2"
run_expect_fail 2 "OUT would be vhdx" "$REHOST" convert --connect "$URI" --domain "$NAME" --profile hyperv -o "$T/x.vhdx" --libvirt-xml "$T/x.xml"
"$REHOST" -q convert --dry-run --connect "$URI" --domain "$NAME" --profile kvm --firstboot-install -o "$T/k.qcow2" \
  --libvirt-xml "$T/k.xml" --keep-mac --name web-copy > /dev/null 2>&1 || fail "dry run with --libvirt-xml"
expect_no_file "$T/k.qcow2"
expect_no_file "$T/k.xml"
# a domain with two disks is converted as one machine (its /home is an LVM VG
# spanning both): the dry run finds the OS and plans both outputs
"$REHOST" convert --dry-run --connect "$URI" --domain twodisk --profile kvm --firstboot-install \
  -o "$T/twodisk" --report "$T/twodisk.json" > /dev/null 2> "$T/twodisk.err" \
  || fail "dry run of a two-disk domain: $(tail -3 "$T/twodisk.err")"
expect_match "two-disk domain: both disks converted" "$(cat "$T/twodisk.err")" "converting its 2 disks as one machine"
expect_eq "two-disk domain: planned outputs" "$(jq -r '[.disks[].output] | map(split("/") | last) | join(" ")' "$T/twodisk.json" 2> /dev/null)" \
  "debian12-twodisk-a.qcow2 debian12-twodisk-b.qcow2"
run_expect_fail 2 "--name needs --libvirt-xml" "$REHOST" convert --name x --profile kvm -o "$T/k.qcow2" "$D/src.qcow2"
expect_no_file "$T/k.xml"

# ---- pairs and the hook ----
"$REHOST" -q pair add --connect "$URI" --domain "$NAME" --target "$D/tgt.qcow2" || fail "pair add"
"$REHOST" -q pair add --connect "$URI" --domain "$NAME" --target "$D/tgt.qcow2" || fail "pair add again"
expect_eq "adding the same pair again updates it" "$(ls "$T/state/pairs" | wc -l)" 1
"$REHOST" -q hook install --hooks-dir "$T/hooks" || fail "hook install"
HOOK="$T/hooks/qemu.d/rehost"
expect_eq "hook script is executable" "$(test -x "$HOOK" && echo yes)" yes
virsh -c "$URI" dumpxml "$NAME" > "$T/dom.xml"
LOG=$(ls "$T/state/logs/"*.log 2> /dev/null || echo "$T/state/logs/$(ls "$T/state/pairs" | sed 's/.json$//').log")
finished() { local n; n=$(grep -c 'sync finished' "$LOG" 2> /dev/null) || true; echo "${n:-0}"; }
wait_finished() { # N: wait until N syncs have finished
  local i; for ((i = 0; i < 240; i++)); do [ "$(finished)" -ge "$1" ] && return 0; sleep 0.5; done
  fail "only $(finished) of $1 syncs finished: $(tail -5 "$LOG" 2> /dev/null)"
}
# libvirt's events before release do nothing
for op in prepare start started stopped; do "$HOOK" "$NAME" $op begin - < "$T/dom.xml" || fail "hook $op"; done
expect_eq "no sync on prepare/start/started/stopped" "$(finished)" 0
s=$(date +%s%N)
"$HOOK" "$NAME" release end - < "$T/dom.xml"; rc=$?
e=$(( ($(date +%s%N) - s) / 1000000 ))
expect_eq "hook exits 0" "$rc" 0
if [ $e -lt 3000 ]; then ok "hook returned in ${e} ms"; else fail "hook blocked libvirt for ${e} ms"; fi
wait_finished 1
expect_eq "after the stop event the target equals the source" \
  "$(qemu-img compare -q "$D/src.qcow2" "$D/tgt.qcow2" && echo same)" same
jq_eq <("$REHOST" pair list --json) '.[0].state' consistent

# two stop events at once: the second waits; the syncs never overlap
qemu-io -f qcow2 -c "write -P 0x5a 100M 1M" "$D/src.qcow2" > /dev/null
qemu-img convert -O raw "$D/src.qcow2" "$T/expected.raw"   # the source's data from here on
"$HOOK" "$NAME" release end - < "$T/dom.xml" & "$HOOK" "$NAME" release end - < "$T/dom.xml"; wait
wait_finished 3
seq=$(grep -oE 'sync (started|finished)' "$LOG" | awk '{print $2}' | tr '\n' ' ')
expect_eq "syncs of one target never overlap" "$seq" "started finished started finished started finished "
expect_match "the second event waited" "$(cat "$LOG")" "pair [0-9a-f]+: waiting up to [0-9]+ s for another rehost"
expect_eq "target equals the changed source" "$(qemu-img compare -q "$D/src.qcow2" "$D/tgt.qcow2" && echo same)" same
listing=$("$REHOST" pair list --json)
jq_eq <(echo "$listing") '.[0].state' consistent
expect_match "pair list shows the last sync" "$(jq -r '.[0].last_sync' <<<"$listing")" '^20[0-9-]+T'

# a failing sync: logged, target marked inconsistent, repaired next time
mv "$D/src.qcow2" "$D/src.moved"
"$HOOK" "$NAME" release end - < "$T/dom.xml" || fail "hook exit status on a failing sync"
wait_finished 4
expect_match "failure logged" "$(tail -3 "$LOG")" "sync finished: FAILED"
jq_eq <("$REHOST" pair list --json) '.[0].state' inconsistent
mv "$D/src.moved" "$D/src.qcow2"
"$HOOK" "$NAME" release end - < "$T/dom.xml"
wait_finished 5
expect_match "next sync repairs, saying why" "$(tail -4 "$LOG")" "inconsistent"
jq_eq <("$REHOST" pair list --json) '.[0].state' consistent

# hostile names straight from libvirt's argv: no pair, no shell, one log line each
for evil in "-rf" "\$(touch pwned3)" "\`touch pwned4\`" "a;touch pwned5" $'line1\nline2' "../../etc/passwd"; do
  "$HOOK" "$evil" release end - < /dev/null || fail "hook with name '$evil'"
done
expect_eq "hostile names never reach a shell" "$(find "$T" -name 'pwned*' | wc -l)" 0
if grep -q '^line2' "$T/state/hook.log"; then fail "a newline in a name split the hook log"; else ok "log lines intact"; fi
expect_eq "a domain whose disk changed is not synced" \
  "$(sed "s|src.qcow2|other.qcow2|" "$T/dom.xml" | "$HOOK" "$NAME" release end -; sleep 1; grep -c 'now .*other.qcow2' "$T/state/hook.log")" 1
jq_eq <("$REHOST" pair list --json) '.[0].state' inconsistent
(cd "$D" && "$REHOST" -q pair remove --domain "$NAME" --target tgt.qcow2) || fail "pair remove by a relative target"
expect_eq "pair removed" "$(ls "$T/state/pairs" | wc -l)" 0
expect_eq "the source's data never written by rehost" "$(qemu-img compare -q "$T/expected.raw" "$D/src.qcow2" && echo same)" same

# two pairs on one disk, one release event: both syncs run, one source read at a time
"$REHOST" -q pair add --connect "$URI" --domain "$NAME" --target "$D/twinA.qcow2" || fail "pair add twin A"
"$REHOST" -q pair add --connect "$URI" --domain "$NAME" --target "$D/twinB.qcow2" || fail "pair add twin B"
before_logs=$(ls "$T/state/logs")
twins_done() { local f n=0; for f in "$T"/state/logs/*.log; do
  grep -qxF "$(basename "$f")" <<< "$before_logs" || n=$((n + $(grep -c 'sync finished: ok' "$f" || true))); done; echo $n; }
"$HOOK" "$NAME" release end - < "$T/dom.xml" || fail "hook, two pairs"
for i in $(seq 240); do [ "$(twins_done)" -ge 2 ] && break; sleep 0.5; done
expect_eq "both pairs synced after one event" "$(twins_done)" 2
for t in twinA twinB; do
  expect_same_data "$t equals the source" "$D/src.qcow2" "$D/$t.qcow2"
  expect_eq "$t consistent" "$(target_state "$D/$t.qcow2")" consistent
done
expect_eq "source sound after two concurrent pairs" "$(qemu-img check -q "$D/src.qcow2" && echo clean)" clean
"$REHOST" -q pair remove --domain "$NAME" || fail "remove the twins"
# a domain literally named "--" is synced like any other
sed "s|<name>busy</name>|<name>--</name>|; s|<uuid>1f8ea39e|<uuid>3f8ea39e|" "$T/node.xml" > "$T/node2.xml"
URI2="test://$T/node2.xml"
virsh -c "$URI" dumpxml busy | sed "s|<name>busy</name>|<name>--</name>|; s|1f8ea39e|3f8ea39e|" > "$T/dd.xml"
"$REHOST" -q pair add --connect "$URI2" --domain -- --target "$D/dashes.qcow2" || fail "pair add --domain --"
"$HOOK" -- release end - < "$T/dd.xml" || fail "hook for a domain named --"
for i in $(seq 240); do [ -e "$D/dashes.qcow2" ] && [ "$(target_state "$D/dashes.qcow2")" = consistent ] && break; sleep 0.5; done
expect_eq "a domain named -- is synced" "$(target_state "$D/dashes.qcow2")" consistent
"$REHOST" -q pair remove --domain -- || fail "remove the -- pair"
# a pair whose disk is an external-snapshot overlay needs --allow-backing; pair sync runs it by hand
qemu-img create -q -f qcow2 -b "$D/src.qcow2" -F qcow2 "$T/live-overlay.qcow2"
qemu-io -c "write -P 0x6b 200M 1M" "$T/live-overlay.qcow2" > /dev/null
"$REHOST" -q pair add --connect "$URI" --domain live --target "$T/liveA.qcow2" || fail "pair add live"
rc=0; "$REHOST" pair sync --domain live > /dev/null 2> "$T/ps.err" || rc=$?
expect_eq "an overlay pair without --allow-backing: refused" "$rc" 3
expect_match "it says why" "$(cat "$T/ps.err")" "has a backing file"
"$REHOST" -q pair add --connect "$URI" --domain live --allow-backing --target "$T/liveA.qcow2" || fail "pair add live --allow-backing"
"$REHOST" -q pair sync --domain live 2> "$T/ps.err" || fail "pair sync --domain live: $(cat "$T/ps.err")"
expect_same_data "the overlay's chain replicated" "$T/live-overlay.qcow2" "$T/liveA.qcow2"
finish
