# Shared helpers for rehost's integration tests (sourced).
set -euo pipefail

: "${REHOST:?REHOST must name the rehost binary}"
: "${REHOST_SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/rehost-test.XXXXXX")
if [ -n "${KEEP_TMP:-}" ]; then echo "keeping $T" >&2; else trap 'rm -rf "$T"' EXIT; fi
FAILS=0
CHECKS=0

# each line says how far into the test it came ($SECONDS): where the time goes
fail() { echo "FAIL [${SECONDS}s]: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); [ -n "${VERBOSE:-}" ] && echo "ok [${SECONDS}s]: $*" >&2; return 0; }

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', expected '$3'"; fi
}
# expect_match WHAT TEXT REGEX
expect_match() {
  # a here-string, not a pipe: grep -q leaving early must not SIGPIPE the writer
  # (with pipefail that turned a match into a failure, under load)
  if grep -Eq -- "$3" <<< "$2"; then ok "$1"; else fail "$1: '$2' does not match /$3/"; fi
}
# expect_no_match WHAT TEXT REGEX
expect_no_match() {
  if grep -Eq -- "$3" <<< "$2"; then fail "$1: '$2' matches /$3/"; else ok "$1"; fi
}
# jq_eq FILE FILTER EXPECTED
jq_eq() {
  local got
  got=$(jq -r "$2" "$1" 2>&1) || got="jq error: $got"
  expect_eq "$2" "$got" "$3"
}
# expect_same_data WHAT A B: the two images hold the same data (qemu-img
# compare, any formats); on a difference, qemu-img's account of it
expect_same_data() {
  local out
  if out=$(qemu-img compare "$2" "$3" 2>&1); then ok "$1"; else fail "$1: $out"; fi
}
# expect_trimmed WHAT QCOW2: the file ends where its data ends (qemu-img
# check's image end offset; a few MiB of freed clusters allowed), not
# 128 MiB or more past it, as a target written through qemu's preallocate
# filter is left when its qemu-nbd did not close the image cleanly
# (qemu-img check's status is its verdict, not this check's: leaks exit 3,
# an image another process holds exits 1; either is said, never a silent
# end of the test under set -e)
expect_trimmed() {
  local size end out rc=0
  size=$(stat -c %s "$2")
  out=$(qemu-img check --output=json "$2" 2>&1) || rc=$?
  end=$(jq '.["image-end-offset"] // 0' <<< "$out" 2> /dev/null) || end=0
  if [ "${end:-0}" -gt 0 ] && [ "$size" -le $((end + 16 * 1048576)) ]; then ok "$1"
  else fail "$1: $2 is $size bytes, its data ends at ${end:-?} (qemu-img check, exit $rc: $(tail -3 <<< "$out"))"; fi
}
# target_state TARGET: the state in TARGET.rehost.json, or "none"
target_state() { jq -r .state "$1.rehost.json" 2> /dev/null || echo none; }
expect_no_file() { if [ -e "$1" ]; then fail "$1 exists but should not"; else ok "no $1"; fi; }
expect_no_temp() {
  local left
  left=$(find "$1" -maxdepth 1 -name '.*rehost-tmp*' | sed -n 1,5p)
  if [ -n "$left" ]; then fail "temporary output left behind: $left"; else ok "no temp in $1"; fi
}

# run_expect_fail CODE REGEX CMD...: the command must exit with CODE and its
# first stderr line match REGEX; errors other than usage (2) must be that one line.
run_expect_fail() {
  local code=$1 re=$2 rc=0
  shift 2
  "$@" > "$T/out" 2> "$T/err" || rc=$?
  expect_eq "exit status of: $*" "$rc" "$code"
  if [ "$code" != 2 ]; then
    expect_eq "stderr lines of: $*" "$(grep -c . "$T/err" || true)" 1
  fi
  expect_match "message of: $*" "$(head -1 "$T/err")" "$re"
}

fixtures() { "${FIXTURES_SCRIPT:?}"; }
# full_matrix WHAT: true under FULL=1 scripts/test (which exports
# REHOST_TEST_FULL=1); otherwise says on stderr that WHAT is left to the full
# matrix, and is false. For a cell of a test (a boot, mostly) whose
# capability CI proves elsewhere: WHAT says where.
full_matrix() {
  [ -n "${REHOST_TEST_FULL:-}" ] && return 0
  echo "left to the full matrix (FULL=1 scripts/test): $1" >&2
  return 1
}
# guest_edit IMG SHELL [PRE]: run a shell command in a qcow2 guest (its OS mounted)
# (PRE: guestfish commands run first, in libguestfs's device names, words
# split on blanks: "part-add /dev/sda p 8388608 8519679")
guest_edit() {
  local pre=()
  [ -z "${3:-}" ] || read -r -a pre <<< "$3 :"
  guestfish --format=qcow2 -a "$1" -i "${pre[@]}" sh "$2" > "$T/edit.out" 2>&1 \
    || fail "editing $1: $(tail -3 "$T/edit.out")"
}
# guest_edits IMAGE CMD [IMAGE CMD]...: each CMD run in its own IMAGE (qcow2
# copies of a guest whose root filesystem is its first partition, as the
# openstack image's), all in one appliance launch: a launch and an inspection
# cost about 20 s of CPU under TCG. The disks are named by libguestfs's own
# device names (/dev/sda is the first one added), never the kernel's.
guest_edits() {
  local letters=abcdefghijklmnopqrstuvwxyz imgs=() cmds=() i rc=0
  while [ $# -ge 2 ]; do imgs+=("$1"); cmds+=("$2"); shift 2; done
  local GUESTFISH_PID
  eval "$(guestfish --listen 2> "$T/edit.out")" && [ -n "${GUESTFISH_PID:-}" ] \
    || { fail "guestfish --listen: $(tail -3 "$T/edit.out")"; return 1; }
  for i in "${!imgs[@]}"; do
    guestfish --remote -- add "${imgs[$i]}" format:qcow2 >> "$T/edit.out" 2>&1 || rc=1
  done
  [ "$rc" = 0 ] && guestfish --remote -- run >> "$T/edit.out" 2>&1 || rc=1
  [ "$rc" = 0 ] || fail "guest_edits: the appliance with ${imgs[*]}: $(tail -3 "$T/edit.out")"
  for i in "${!imgs[@]}"; do
    [ "$rc" = 0 ] || break
    { guestfish --remote -- mount "/dev/sd${letters:$i:1}1" / &&
      guestfish --remote -- sh "${cmds[$i]}" && guestfish --remote -- umount-all; } >> "$T/edit.out" 2>&1 \
      || { fail "editing ${imgs[$i]}: $(tail -3 "$T/edit.out")"; rc=1; }
  done
  guestfish --remote -- exit > /dev/null 2>&1 || true
  # the server closes the appliance (qemu's lock on the images) before it ends
  i=0
  while kill -0 "$GUESTFISH_PID" 2> /dev/null && [ $((i++)) -lt 300 ]; do sleep 0.2; done
  return 0
}
sum() { sha256sum "$1" | cut -d' ' -f1; }
# download_deb DIR PKG: PKG's own .deb (not its dependencies) into DIR, for
# --packages DIR; fails the test, saying why, when no Debian mirror answers
download_deb() {
  mkdir -p "$1"
  (cd "$1" && apt-get download -q "$2" > "$T/download-$2.log" 2>&1) && return 0
  fail "cannot download $2 (no Debian mirror?): $(tail -2 "$T/download-$2.log")"
  return 1
}

finish() {
  echo "$CHECKS checks, $FAILS failures"
  [ "$FAILS" -eq 0 ]
}

# ---- guests: read a converted image, boot it ----

# guest_dump IMAGE FORMAT OUT PKG...: one read-only appliance launch writes the
# files finalize edits, the enabled units, dpkg status of PKG... and the
# initramfs's driver modules into OUT, in "==name" sections (see section).
guest_dump() {
  local img=$1 fmt=$2 out=$3
  shift 3
  sed "s/@PKGS@/$*/" > "$out.gf" <<'GF'
echo ==fstab
cat /etc/fstab
echo ==adjtime
cat /etc/adjtime
echo ==default-grub
cat /etc/default/grub
echo ==grub-linux
sh "grep -E '^[[:space:]]*linux[[:space:]]' /boot/grub/grub.cfg | head -1"
echo ==grub-terminal
sh "grep -E '^(terminal_output|terminal_input|serial)' /boot/grub/grub.cfg || true"
echo ==interfaces
sh "cat /etc/network/interfaces /etc/network/interfaces.d/* 2>/dev/null || true"
echo ==udev
sh "cat /etc/udev/rules.d/*.rules 2>/dev/null || true"
echo ==enabled
sh "systemctl list-unit-files --state=enabled --no-legend --type=service 2>/dev/null | cut -d' ' -f1"
echo ==dpkg
sh "for p in @PKGS@; do printf '%s ' $p; dpkg-query -W -f='${Status}' $p 2>/dev/null || printf missing; echo; done"
echo ==initrd
sh "for i in /boot/initrd.img-*; do lsinitramfs $i; done | grep -E '[.]ko([.]xz|[.]zst)?$' | sed 's,.*/,,; s,[.]ko.*,,' | sort -u"
echo ==kmods
sh "cat /lib/modules/*/modules.dep /lib/modules/*/modules.builtin | sed 's,:.*,,; s,.*/,,; s,[.]ko.*,,' | sort -u"
echo ==leftovers
sh "ls /var/tmp; test -e /usr/sbin/policy-rc.d && echo policy-rc.d || true"
echo ==initramfs-sleeps-rootdelay
sh "grep -Els '^[^#]*sleep[[:space:]]+\"?[$][{]?ROOTDELAY' /usr/share/initramfs-tools/init /usr/share/initramfs-tools/scripts/init-top/* 2>/dev/null || true"
GF
  guestfish --ro --format="$fmt" -a "$img" -i -f "$out.gf" > "$out" 2> "$out.err" \
    || { fail "reading $img: $(tail -3 "$out.err")"; return 1; }
}
# changes_of REPORT ACTION: "FILE AFTER" of each change of that action in a
# finalize or convert report, one per line
changes_of() { jq -r --arg a "$2" '[.changes[] | select(.action==$a) | (.file + " " + (.after // ""))] | join("\n")' "$1"; }

# section FILE NAME: the lines of one guest_dump section
section() { awk -v s="==$2" '$0==s{on=1;next} /^==/{on=0} on' "$1"; }

# assert_profile DUMP PROFILE.json IMAGE FORMAT: every edit the profile asks
# for is in the dump (the profile file is the specification; unit.profile
# checks the shipped files against the issue's table).
assert_profile() {
  local d=$1 p=$2 img=$3 fmt=$4 name m
  name=$(jq -r .name "$p")
  # agents installed (dpkg status) and their services enabled
  for m in $(jq -r '.agents[]?.deb[]' "$p"); do
    expect_eq "$name: agent package $m installed" "$(section "$d" dpkg | awk -v p="$m" '$1==p{$1="";print substr($0,2)}')" "install ok installed"
  done
  # initramfs carries the drivers
  for m in $(jq -r '.initramfs_modules[]' "$p"); do
    expect_match "$name: initramfs has $m" "$(section "$d" initrd | tr - _)" "^${m//-/_}$"
  done
  # the kernel has the modules the platform loads from the root filesystem
  for m in $(jq -r '.kernel_modules[]?' "$p"); do
    expect_match "$name: the kernel has $m" "$(section "$d" kmods | tr - _)" "^${m//-/_}$"
  done
  # fstab: no network mounts, bus names became UUIDs, the removed lines recorded
  expect_no_match "$name: no network mounts" "$(section "$d" fstab)" '^[^#]*[[:space:]](nfs|nfs4|cifs|smbfs)[[:space:]]'
  expect_match "$name: fstab records the removed NFS line" "$(section "$d" fstab)" "^#rehost-removed# fileserver"
  expect_no_match "$name: no bus names in fstab" "$(section "$d" fstab)" '^/dev/(sd|vd|hd|xvd)'
  expect_match "$name: root by UUID" "$(section "$d" fstab)" "^UUID=[0-9a-f-]+[[:space:]]+/[[:space:]]"
  expect_eq "$name: adjtime UTC, no drift" "$(section "$d" adjtime | grep . | tr '\n' ' ')" "0.0 0 0.0 0 UTC "
  # services: disabled ones off, the first present alternative on
  local en; en=$(section "$d" enabled)
  for m in $(jq -r '.services.disable[]' "$p") iptables ip6tables; do
    if grep -qx "$m.service" <<<"$en"; then fail "$name: $m still enabled"; else ok "$name: $m off"; fi
  done
  expect_match "$name: ssh enabled" "$en" "^ssh\.service$"
  expect_match "$name: networking enabled" "$en" "^networking\.service$"
  # network: MAC binding gone; DHCP when the profile says so (the clouds), else
  # the source's method kept (EXPECT_NET: what the source had, default static)
  expect_no_match "$name: no MAC-bound udev rule" "$(section "$d" udev)" '^[^#]*ATTR\{address\}'
  local net; net=$(jq -r '.network.default' "$p")
  [ "$net" = dhcp ] || net=${EXPECT_NET:-static}
  expect_match "$name: eth0 by $net" "$(section "$d" interfaces)" "^iface eth0 inet $net$"
  if [ "$net" = dhcp ]; then
    expect_no_match "$name: no static address left beside DHCP" "$(section "$d" interfaces)" '^[[:space:]]*(address|gateway)[[:space:]]'
  fi
  # kernel command line and boot menu terminal
  for m in $(jq -r '.kernel_cmdline.add[]' "$p"); do
    if [ "${m%%=*}" = rootdelay ] && [ -n "$(section "$d" initramfs-sleeps-rootdelay)" ]; then
      # Debian's initramfs sleeps for it at every boot: finalize leaves it out
      if grep -Eq "[[:space:]]$m([[:space:]]|$)" <<< "$(section "$d" grub-linux)"; then
        fail "$name: $m on the kernel command line, and $(section "$d" initramfs-sleeps-rootdelay | head -1) sleeps for it"
      else ok "$name: no $m (the initramfs would sleep for it)"; fi
      continue
    fi
    expect_match "$name: kernel command line has $m" "$(section "$d" grub-linux)" "[[:space:]]$m([[:space:]]|$)"
  done
  local want_primary; want_primary=$(jq -r '[.kernel_cmdline.add[] | select(startswith("console="))] | last // empty' "$p")
  if [ -n "$want_primary" ]; then # the last console= is the kernel's primary console
    expect_eq "$name: primary console" "$(section "$d" grub-linux | grep -o 'console=[^ ]*' | tail -1)" "$want_primary"
  fi
  if [ "$(jq -r '.bootloader.terminal // empty' "$p")" ]; then
    expect_match "$name: GRUB on the serial line" "$(section "$d" grub-terminal)" "^terminal_output .*serial"
  fi
  expect_eq "$name: nothing left over from the install" "$(section "$d" leftovers | grep . || true)" ""
  # output format, as qemu sees it
  local want; want=$(jq -r .output.default "$p")
  case $want in
    vhd) expect_eq "$name: VHD footer says fixed (disk type 2)" \
           "$(tail -c 512 "$img" | head -c 64 | tail -c 4 | xxd -p)" 00000002 ;;
    vmdk|raw|qcow2|vhdx) expect_eq "$name: output format" "$(qemu-img info --output=json "$img" | jq -r .format)" "$want" ;;
  esac
  local al; al=$(jq -r '.output.size_alignment // 0' "$p")
  if [ "$al" != 0 ]; then
    expect_eq "$name: virtual size a multiple of $al" \
      $(( $(qemu-img info --output=json -f "$fmt" "$img" | jq '.["virtual-size"]') % al )) 0
  fi
  local crc=0; qemu-img check -f "$fmt" "$img" > "$T/check.out" 2>&1 || crc=$?
  if [ "$crc" = 63 ]; then ok "$name: $fmt has no qemu-img check"
  else expect_eq "$name: qemu-img check: $(head -2 "$T/check.out" | tr '\n' ' ')" "$crc" 0; fi
}

# make_seed ISO HOSTNAME: a cloud-init NoCloud seed. Its user-data prints the
# hostname the guest ended up with, its root device, its local mounts
# (rehost-mounts=/=DEV,/home=DEV,), its fstab's entries
# (rehost-fstab=/=SPEC,/home=SPEC,) and its netplan files on one line, comment
# lines left out (rehost-netplan=YAML), on the serial line; then, once there
# is one (90 s at most), every global IPv4 address as rehost-ipv4=NIC=ADDR/LEN,
# (empty when the network never came up). A third argument is one more shell
# line the report runs before the addresses.
make_seed() {
  local d; d=$(mktemp -d "$T/seed.XXXX")
  printf 'instance-id: rehost-test-%s\nlocal-hostname: %s\n' "$2" "$2" > "$d/meta-data"
  cat > "$d/user-data" <<UD
#cloud-config
hostname: $2
write_files:
  - path: /usr/local/sbin/rehost-report
    permissions: '0755'
    content: |
      #!/bin/sh
      echo "rehost-hostname=\$(hostname) rehost-root=\$(findmnt -no SOURCE /)" > /dev/ttyS0
      echo "rehost-mounts=\$(findmnt -rno TARGET,SOURCE -t ext4,xfs,btrfs,vfat | awk '{printf "%s=%s,", \$1, \$2}')" > /dev/ttyS0
      echo "rehost-fstab=\$(awk '!/^[[:space:]]*(#|\$)/ {printf "%s=%s,", \$2, \$1}' /etc/fstab)" > /dev/ttyS0
      echo "rehost-netplan=\$(cat /etc/netplan/*.yaml 2> /dev/null | grep -v '^[[:space:]]*#' | tr -s ' \\n' ' ')" > /dev/ttyS0
      ${3:-}
      i=0
      while [ \$i -lt 90 ] && ! ip -4 -o addr show scope global | grep -q inet; do sleep 1; i=\$((i + 1)); done
      echo "rehost-ipv4=\$(ip -4 -o addr show scope global | awk '{printf "%s=%s,", \$2, \$4}')" > /dev/ttyS0
runcmd:
  - [/usr/local/sbin/rehost-report]
UD
  xorriso -as mkisofs -quiet -V cidata -J -r -o "$1" "$d/user-data" "$d/meta-data" 2> "$d/err" \
    || fail "making the seed ISO: $(cat "$d/err")"
}

# links_report WAIT IFACE...: a line for make_seed's report: once WAIT (a
# shell condition) holds, 60 s at most, each IFACE as NAME:MASTER:LOWER:STATE
# (its bond or bridge, the device under it, its operstate) in rehost-links=
links_report() {
  local w=$1; shift
  printf 'i=0; while [ $i -lt 60 ] && ! %s; do sleep 1; i=$((i + 1)); done; echo "rehost-links=$(for l in %s; do d=/sys/class/net/$l; m=$(readlink $d/master); lo=$(ls -d $d/lower_* 2> /dev/null | head -1); printf "%%s:%%s:%%s:%%s," $l "${m##*/}" "${lo##*lower_}" "$(cat $d/operstate 2> /dev/null)"; done)" > /dev/ttyS0' "$w" "$*"
}

# boot_start NAME QEMU_ARGS...: boot under qemu (TCG: KVM is broken on these
# machines; REHOST_TEST_ACCEL=kvm elsewhere), serial line to $T/NAME.serial,
# a guest-agent channel at $T/NAME.qga. Disks are opened with snapshot=on.
# vCPUs: the share of the host that rehost's appliances get too
# ($REHOST_APPLIANCE_CPUS, which scripts/test sets to cores / parallel tests).
TEST_VCPUS=${REHOST_APPLIANCE_CPUS:-2}
boot_start() {
  local name=$1; shift
  : > "$T/$name.serial"
  qemu-system-x86_64 -accel "${REHOST_TEST_ACCEL:-tcg}" -m 1024 -smp "$TEST_VCPUS" -nodefaults -display none \
    -serial "file:$T/$name.serial" -snapshot \
    -chardev "socket,path=$T/$name.qga,server=on,wait=off,id=qga0" -device virtio-serial \
    -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0 \
    "$@" > "$T/$name.qemu" 2>&1 &
  echo $! > "$T/$name.pid"
}
# boot_wait NAME REGEX SECONDS: wait until the serial log matches
boot_wait() {
  local i
  for ((i = 0; i < $3; i += 2)); do
    if grep -aEq -- "$2" "$T/$1.serial"; then ok "$1: serial shows /$2/ after ~${i}s"; return 0; fi
    kill -0 "$(cat "$T/$1.pid")" 2> /dev/null || { fail "$1: qemu exited: $(tail -3 "$T/$1.qemu")"; return 1; }
    sleep 2
  done
  fail "$1: /$2/ not on the serial line in $3 s; it shows: $(tail -c 600 "$T/$1.serial" | tr -cd '[:print:]\n' | tail -5)"
  return 1
}
# serial_value NAME KEY: the first KEY=VALUE a report wrote on NAME's serial
# line (VALUE up to the first blank), or nothing
serial_value() { grep -ao "$2=[^[:space:]]*" "$T/$1.serial" | sed -n 1p || true; }
# qga NAME JSON: one guest-agent command, its reply (retried until the agent answers)
qga() {
  local i r
  for ((i = 0; i < 30; i++)); do
    # the connection stays open until the answer can come: qemu drops it as
    # soon as it reads the end of the request's input, and an agent that
    # answers later than that (seen on a SysV guest) is never heard
    r=$({ printf '%s\n' "$2"; sleep 4; } | timeout 6 socat -t 4 - "UNIX-CONNECT:$T/$1.qga" 2> /dev/null | head -1) || true
    [ -n "$r" ] && { echo "$r"; return 0; }
    sleep 2
  done
  return 1
}
# free_port: a TCP port on 127.0.0.1 that nothing listens on (for hostfwd)
free_port() {
  shuf -i 20000-60000 -n 40 | while read -r p; do
    [ -n "$(ss -Htln "sport = :$p")" ] || { echo "$p"; break; }; done
}
# ssh_banner PORT: the first 7 bytes sshd sends through a forwarded port
# (SSH-2.0 once the guest's network and sshd are up; 3 minutes at most)
ssh_banner() {
  local i banner=
  for ((i = 0; i < 60; i++)); do
    banner=$(timeout 5 bash -c "exec 3<> /dev/tcp/127.0.0.1/$1 && head -c 7 <&3" 2> /dev/null) || true
    [ "$banner" = SSH-2.0 ] && break
    sleep 3
  done
  echo "$banner"
}
boot_stop() { kill "$(cat "$T/$1.pid")" 2> /dev/null || true; wait "$(cat "$T/$1.pid")" 2> /dev/null || true; }

# VMware-style OVA/OVF packages built by hand (ovf_envelope, make_ova)
source "$REHOST_SRC/tests/integration/ova_lib.sh"
