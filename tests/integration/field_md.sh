# A physical server's layout (tests/fixtures/build-md-guest.sh): one machine
# on two disks, root and /srv each on an md RAID1 of a partition of each,
# mdadm.conf naming the arrays by UUID (and carried in the initramfs), grub
# on both disks, its debconf install devices two SATA disks' by-id names.
#   - converted for ec2, the arrays are left stopped as the guest would stop
#     them: an array clean in the source is clean in the output (the
#     appliance runs them while finalize works; left running, the first boot
#     resyncs the whole mirror);
#   - one disk alone is refused, its md members named; with --md-degraded
#     (the other disk lost) it converts: the scan report has both arrays
#     degraded, each is started and made whole with its one member (clean,
#     raid_disks 1 in its superblock), and it boots from one NVMe disk with
#     both arrays running whole, none started degraded;
#   - a copy whose mdadm.conf names the source's disks (a DEVICE line, an
#     ARRAY's devices=), dry run: both named, the initramfs's copy to be rebuilt;
#   - the machine converted for ec2 and booted from two NVMe disks with an
#     e1000 NIC of another MAC: both mirrors whole on the NVMe partitions,
#     DHCP on eth0, grub-pc's install devices both NVMe disks (rehost's
#     first-boot unit runs after cloud-init's grub_dpkg, which names the
#     array), and dpkg-reconfigure grub-pc (grub-install on each) exits 0.
source "$(dirname "$0")/lib.sh"
MD=$("${REHOST_SRC:?}/tests/fixtures/build-md-guest.sh") || { fail "building the md fixture"; finish; }
source "$MD/facts.env"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
a=$MD/md-a.qcow2 b=$MD/md-b.qcow2
before=$(sum "$a")$(sum "$b")

# ---- converted for ec2, both disks (-o DIR), then booted ----
"$REHOST" convert --profile ec2 -o "$T/ec2" --report "$T/ec2.json" --scan-report "$T/scan.json" "$a" "$b" \
  > /dev/null 2> "$T/ec2.err" \
  || fail "convert the md machine for ec2: $(tail -5 "$T/ec2.err")"
expect_eq "md: sources never written" "$(sum "$a")$(sum "$b")" "$before"
# (the members by the appliance's names for them)
expect_match "md: the scan names both mirrors, each of a partition of either disk" \
  "$(jq -r '[.storage.md.arrays[] | .level + " " + .uuid + " " + (.members | sort | join(","))] | sort | join("; ")' "$T/scan.json")" \
  "^raid1 ${MD0_UUID} /dev/sd[a-z]1,/dev/sd[a-z]1; raid1 ${MD1_UUID} /dev/sd[a-z]2,/dev/sd[a-z]2$"
jq_eq "$T/scan.json" .storage.md.conf /etc/mdadm/mdadm.conf
expect_eq "md: the scan finds nothing in mdadm.conf that names the source's disks" \
  "$(jq -r '.storage.md.conf_naming_source_disks | length' "$T/scan.json")" 0
# md_states LAYOUT [IMAGE FORMAT]: each partition of the raw disk LAYOUT's
# table, read in IMAGE (LAYOUT itself, or the same disk in another format),
# as pN=clean:DISKS or pN=active:DISKS when it holds an md 1.2 member, else
# pN=none: its superblock, 4 KiB into the partition, starts with the magic
# a92b4efc; its resync offset (byte 208) is all ones once the array was
# stopped clean (mdadm --examine's "State : clean"); DISKS is its raid_disks
# (byte 92, 32 bits little-endian: the members it has when whole)
md_states() {
  local layout=$1 img=${2:-$1} fmt=${3:-raw} s n i=0 out=
  while read -r s n; do
    i=$((i + 1))
    out+="p$i=$(qemu-io -r -f "$fmt" -c "read -v $((s * 512 + 4096)) 512" "$img" | awk '
      function byte(h) { return (index("0123456789abcdef", substr(h, 1, 1)) - 1) * 16 + index("0123456789abcdef", substr(h, 2, 1)) - 1 }
      /^[0-9a-f]+:/ { for (i = 2; i <= 17; i++) b[n++] = $i }
      END { if (b[0] b[1] b[2] b[3] != "fc4e2ba9") { print "none"; exit } for (i = 208; i < 216; i++) r = r b[i]
            print (r == "ffffffffffffffff" ? "clean" : "active") ":" byte(b[92]) + 256 * byte(b[93]) + 65536 * byte(b[94]) }'),"
  done < <(sfdisk -J "$layout" | jq -r '.partitiontable.partitions[] | "\(.start) \(.size)"')
  echo "$out"
}
expect_eq "md: one output per disk" "$(cd "$T/ec2" 2> /dev/null && ls | tr '\n' ' ')" "md-a.img md-b.img "
# /srv's array was stopped clean in the source (the root's was left running
# when the fixture was made: it resyncs wherever it is next started). The
# appliance runs both while finalize works: it must stop them as the guest
# would, or the first boot resyncs the whole mirror
src_md=$(md_states "$T/ec2/md-a.img" "$a" qcow2)$(md_states "$T/ec2/md-b.img" "$b" qcow2)
out_md=$(md_states "$T/ec2/md-a.img")$(md_states "$T/ec2/md-b.img")
echo "md: the members' superblocks, source: $src_md converted: $out_md"
expect_eq "md: /srv's members clean in the source (the premise)" "$(echo "$src_md" | grep -o 'p2=[a-z]*' | tr '\n' ,)" "p2=clean,p2=clean,"
expect_eq "md: /srv's members still clean once converted (no resync at first boot)" \
  "$(echo "$out_md" | grep -o 'p2=[a-z]*' | tr '\n' ,)" "p2=clean,p2=clean,"
expect_eq "md: grub-pc's install devices (both SATA disks) go to a first-boot unit" \
  "$(jq -r '.changes[] | select(.action=="grub-install-devices") | .before' "$T/ec2.json")" "$MD_SATA_A, $MD_SATA_B"
expect_eq "md: nothing to change in mdadm.conf, no initramfs rebuild" \
  "$(jq -r '[.changes[] | select(.action=="md-device" or .action=="md-array-devices" or .action=="rebuild")] | length' "$T/ec2.json")" 0
make_seed "$T/seed-md.iso" rehost-md-boot \
  'echo "rehost-md=$(for m in /sys/block/md*; do printf "%s:%s:%s:%s;" "${m##*/}" "$(cat $m/md/array_state)" "$(cat $m/md/degraded)" "$(ls $m/slaves | tr "\n" ",")"; done)" > /dev/ttyS0
      g=$(debconf-show grub-pc | sed -n "s|.*grub-pc/install_devices: ||p" | tr -d ,)
      echo "rehost-grub=$(for d in $g; do readlink -f "$d"; done | tr "\n" ",") rehost-grub-reconfigure=$(DEBIAN_FRONTEND=noninteractive dpkg-reconfigure grub-pc > /dev/null 2>&1; echo $?)" > /dev/ttyS0
      echo "rehost-md-race=$(dmesg | sed -n "s/^\[ *\([0-9.]*\)\] md\/raid1:\(md[0-9]*\): active with 1 out of 2 mirrors.*/\2@\1/p" | tr "\n" ",")/$(dmesg | sed -n "s/^\[ *\([0-9.]*\)\]  *nvme1n1: p.*/\1/p" | head -n 1)" > /dev/ttyS0
      dmesg | grep -E "md/raid1|md: |mdadm|nvme|I/O error" | sed "s/^/rehost-md-kmsg: /" > /dev/ttyS0'
md_boot() {
  boot_start md -drive "file=$T/ec2/md-a.img,format=raw,if=none,id=nv0" -device nvme,drive=nv0,serial=rehost-md-a,bootindex=0 \
    -drive "file=$T/ec2/md-b.img,format=raw,if=none,id=nv1" -device nvme,drive=nv1,serial=rehost-md-b \
    -drive "file=$T/seed-md.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=e1000,mac=52:54:00:ab:cd:16
}
# The boot is judged again once when the kernel's log shows the test machine
# at fault, not the conversion:
#   - Debian's initramfs starts an array without a missing member about 20 s
#     (of the clock) after it began to wait for the root (its mdadm
#     local-block script, which rehost leaves as it is). Emulated (TCG) on a
#     busy machine, the second NVMe disk can take longer than that to show
#     its partitions: the arrays start degraded before the disk is found;
#   - the emulated NVMe disk itself fails under load (a command timed out,
#     the controller reset or removed, an I/O error, md failing a member for
#     it): seen once in CI, both mirrors left on the first disk alone.
# The report gives the kernel's times (the arrays started degraded, the second
# disk's partitions found) and its md and NVMe lines (rehost-md-kmsg), printed
# here; when they show either case, the machine boots once more (from the
# same images: -snapshot).
# (sed -n, not head: a pipeline whose last stage leaves early fails under
# pipefail when the stage before it still writes)
md_kmsg() { grep -a '^rehost-md-kmsg: ' "$T/md.serial" | sed 's/^rehost-md-kmsg: //' | tr -d '\r' | sed -n '1,40p'; }
md_machine_at_fault() {
  local r; r=$(serial_value md rehost-md-race)
  r=${r#rehost-md-race=}
  local degraded=${r%%/*} second=${r#*/} failed
  if [ -n "$degraded" ] && [ -n "$second" ] \
    && awk -v d="$degraded" -v s="$second" 'BEGIN { split(d, a, ","); t = a[1]; sub(/^[^@]*@/, "", t); exit !(s + 0 > t + 0) }'; then
    echo "md: the boot lost the initramfs's race against the second disk (arrays started degraded at ${degraded%,}, its partitions found at ${second} s): booting again"
    return 0
  fi
  failed=$(md_kmsg | grep -E 'nvme[0-9]+: .*(timeout|[Rr]eset|Removing|[Aa]bort)|I/O error, dev nvme|Disk failure on nvme' | sed -n '1,3p')
  [ -n "$failed" ] || return 1
  echo "md: the emulated NVMe disk failed during the boot (the kernel: $(echo "$failed" | tr '\n' ';')): booting again"
}
md_boot

# ---- one disk alone (while it boots) ----
run_expect_fail 4 "no operating system found on this disk; /dev/sda1, /dev/sda2 are part of an LVM volume group or md array: if the machine has more disks, name them all \(an md array whose other disks are lost starts without them with --md-degraded\)" \
  "$REHOST" -q convert --dry-run --profile ec2 -o "$T/half.img" "$a"

# ---- mdadm.conf naming the source's disks, dry run (while it boots) ----
cp --sparse=always "$a" "$T/dev-a.qcow2" && cp --sparse=always "$b" "$T/dev-b.qcow2"
guestfish --format=qcow2 -a "$T/dev-a.qcow2" -a "$T/dev-b.qcow2" -i sh \
  "sed -i -e '/^HOMEHOST/a DEVICE /dev/sd[ab]1 /dev/sd[ab]2' -e '/^ARRAY \/dev\/md\/1 /s,\$, devices=/dev/sda2\,/dev/sdb2,' /etc/mdadm/mdadm.conf && mkdir -p /etc/mdadm/mdadm.conf.d && echo 'DEVICE /dev/disk/by-id/ata-QEMU_HARDDISK_*' > /etc/mdadm/mdadm.conf.d/disks.conf && cat /etc/mdadm/mdadm.conf /etc/mdadm/mdadm.conf.d/disks.conf" \
  > "$T/dev-edit.out" 2>&1 || fail "editing the copy's mdadm.conf: $(tail -3 "$T/dev-edit.out")"
expect_match "md copy: its mdadm.conf names the source's disks" "$(tr '\n' ' ' < "$T/dev-edit.out")" \
  "DEVICE /dev/sd\[ab\]1 /dev/sd\[ab\]2 .*name=rehost-md:1 devices=/dev/sda2,/dev/sdb2 .*DEVICE /dev/disk/by-id/ata-QEMU_HARDDISK_\*"
"$REHOST" convert --dry-run --profile ec2 -o "$T/dev" --report "$T/dev.json" --scan-report "$T/dev-scan.json" \
  "$T/dev-a.qcow2" "$T/dev-b.qcow2" \
  > /dev/null 2> "$T/dev.err" || fail "dry run of the md copy: $(tail -5 "$T/dev.err")"
expect_eq "md copy: the scan names the DEVICE lines (mdadm.conf and its .d) and the devices= tag" \
  "$(jq -r '.storage.md.conf_naming_source_disks | join("; ")' "$T/dev-scan.json")" \
  "DEVICE /dev/sd[ab]1 /dev/sd[ab]2; devices=/dev/sda2,/dev/sdb2; DEVICE /dev/disk/by-id/ata-QEMU_HARDDISK_*"
expect_eq "md copy: the DEVICE lines go, mdadm's default instead" \
  "$(jq -r '.changes[] | select(.action=="md-device") | .file + ": " + .before + " -> " + .after' "$T/dev.json" | tr '\n' ';')" \
  "/etc/mdadm/mdadm.conf: DEVICE /dev/sd[ab]1 /dev/sd[ab]2 -> DEVICE partitions containers;/etc/mdadm/mdadm.conf.d/disks.conf: DEVICE /dev/disk/by-id/ata-QEMU_HARDDISK_* -> DEVICE partitions containers;"
expect_eq "md copy: the array's devices= goes (its UUID finds the members)" \
  "$(jq -r '.changes[] | select(.action=="md-array-devices") | .before' "$T/dev.json")" "devices=/dev/sda2,/dev/sdb2"
expect_eq "md copy: the initramfs, which assembles the root's array with its copy, is to be rebuilt" \
  "$(jq -r '.changes[] | select(.action=="rebuild") | .reason' "$T/dev.json")" \
  "its copy of what finalize changed: etc/mdadm/mdadm.conf"
[ -e "$T/dev" ] && fail "md copy: a dry run wrote $T/dev"

# ---- one disk alone, the other lost: --md-degraded (while it boots) ----
"$REHOST" convert --profile ec2 --md-degraded -o "$T/one.img" --report "$T/one.json" --scan-report "$T/one-scan.json" "$a" \
  > /dev/null 2> "$T/one.err" || fail "convert one disk with --md-degraded: $(tail -5 "$T/one.err")"
expect_eq "md one disk: sources never written" "$(sum "$a")$(sum "$b")" "$before"
expect_eq "md one disk: the scan report has the arrays as the disk holds them: of 2 members, degraded" \
  "$(jq -r '[.storage.md.arrays[] | "\(.raid_devices):\(.degraded)"] | join(",")' "$T/one-scan.json")" "2:true,2:true"
expect_eq "md one disk: both arrays started, each made whole with its one member" \
  "$(jq -r '[.changes[] | select(.action=="md-degraded") | .file + ": " + .before + " -> " + .after] | sort | join("; ")' "$T/one.json")" \
  "md array ${MD0_UUID}: raid1, 1 of 2 members -> started, made whole with its 1 member; md array ${MD1_UUID}: raid1, 1 of 2 members -> started, made whole with its 1 member"
expect_eq "md one disk: its members clean, each array of one member" "$(md_states "$T/one.img")" "p1=clean:1,p2=clean:1,"
# scan alone: the arrays start read-only, degraded, and the summary says so
"$REHOST" scan --md-degraded -o "$T/one-only-scan.json" "$a" > "$T/one-scan.out" 2> "$T/one-scan.err" \
  || fail "scan one disk with --md-degraded: $(tail -5 "$T/one-scan.err")"
expect_eq "md one disk, scan --md-degraded: the OS found on the arrays, both degraded, of 2 members" \
  "$(jq -r '(.os.type // "none") + " " + ([.storage.md.arrays[] | "\(.raid_devices):\(.degraded)"] | join(","))' "$T/one-only-scan.json")" \
  "linux 2:true,2:true"
expect_match "md one disk, scan --md-degraded: its summary marks the arrays degraded" "$(cat "$T/one-scan.out")" \
  "DEGRADED: 2 members when whole"
expect_eq "md one disk: the scan wrote nothing to the source" "$(sum "$a")$(sum "$b")" "$before"

if boot_wait md "rehost-ipv4=" 1200 && md_machine_at_fault; then
  boot_stop md
  cp "$T/md.serial" "$T/md-first.serial"
  md_boot
  boot_wait md "rehost-ipv4=" 1200 || fail "md: the second boot did not finish"
fi
if grep -aq "rehost-ipv4=" "$T/md.serial"; then
  expect_match "md: seeded hostname, root on the mirror" \
    "$(grep -ao 'rehost-hostname=[^[:space:]]* rehost-root=[^[:space:]]*' "$T/md.serial" | head -1)" \
    "^rehost-hostname=rehost-md-boot rehost-root=/dev/md[0-9]+$"
  expect_match "md: / and /srv on the mirrors" "$(serial_value md rehost-mounts)" \
    "^rehost-mounts=/=/dev/md[0-9]+,/srv=/dev/md[0-9]+,$"
  m=$(serial_value md rehost-md)
  echo "md: $m $(serial_value md rehost-md-race) (arrays started degraded / the second disk's partitions found, kernel times)"
  echo "md: the kernel's md and NVMe lines:"; md_kmsg | sed 's/^/  /'
  expect_match "md: two arrays, running" "$m" "^rehost-md=(md[0-9]+:(clean|active):0:[a-z0-9,]+;){2}$"
  expect_match "md: root's mirror whole, on both NVMe disks" "$m" ":0:nvme0n1p1,nvme1n1p1,;"
  expect_match "md: /srv's mirror whole, on both NVMe disks" "$m" ":0:nvme0n1p2,nvme1n1p2,;"
  expect_eq "md: grub-pc's install devices are both NVMe disks, and grub-pc reconfigures (grub-install on each)" \
    "$(grep -ao 'rehost-grub=[^[:space:]]* rehost-grub-reconfigure=[0-9]*' "$T/md.serial" | head -1)" \
    "rehost-grub=/dev/nvme0n1,/dev/nvme1n1, rehost-grub-reconfigure=0"
  expect_eq "md: the new NIC (e1000, another MAC) has DHCP" "$(serial_value md rehost-ipv4)" \
    "rehost-ipv4=eth0=10.9.9.15/24,"
fi
boot_stop md

# ---- the one disk booted: both arrays whole with their one member ----
if [ -e "$T/one.img" ]; then
  boot_start one -drive "file=$T/one.img,format=raw,if=none,id=nv0" -device nvme,drive=nv0,serial=rehost-md-a,bootindex=0 \
    -drive "file=$T/seed-md.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=e1000,mac=52:54:00:ab:cd:17
  if boot_wait one "rehost-ipv4=" 1200; then
    expect_match "md one disk: root on an array" \
      "$(grep -ao 'rehost-hostname=[^[:space:]]* rehost-root=[^[:space:]]*' "$T/one.serial" | head -1)" \
      "^rehost-hostname=rehost-md-boot rehost-root=/dev/md[0-9]+$"
    expect_match "md one disk: both arrays running whole, each on its NVMe partition" "$(serial_value one rehost-md)" \
      "^rehost-md=md[0-9]+:(clean|active):0:nvme0n1p[12],;md[0-9]+:(clean|active):0:nvme0n1p[12],;$"
    expect_eq "md one disk: no array started degraded (the initramfs did not wait for a lost disk)" \
      "$(serial_value one rehost-md-race)" "rehost-md-race=/"
    expect_eq "md one disk: grub-pc's install device is the NVMe disk" \
      "$(grep -ao 'rehost-grub=[^[:space:]]* rehost-grub-reconfigure=[0-9]*' "$T/one.serial" | head -1)" \
      "rehost-grub=/dev/nvme0n1, rehost-grub-reconfigure=0"
    expect_eq "md one disk: DHCP on the new NIC" "$(serial_value one rehost-ipv4)" "rehost-ipv4=eth0=10.9.9.15/24,"
  fi
  boot_stop one
fi
finish
