# A hostile guest: /etc/fstab is binary garbage, /etc/os-release is text
# garbage with shell syntax in it, mdadm.conf a sparse 16 GiB file, and config
# files rehost edits or reads (resolv.conf, a grub.d file, extlinux.conf,
# GRUB legacy's menu.lst, /sbin/init) are symlinks to paths on the host. scan and finalize work inside the appliance: they finish with clear
# results, nothing on the host is read or written, and the guest's own files
# are edited (or left alone) safely.
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
FX=$(fixtures)
cd "$T" # a command in a guest name, were it ever run on the host, would show here

qemu-img convert -O qcow2 "$FX/debian12-mbr.qcow2" "$T/g.qcow2"

# host files the guest's symlinks name; one of them does not exist
mkdir "$T/host"
echo "host adjtime, must not change" > "$T/host/adjtime"
echo "host interfaces, must not change" > "$T/host/interfaces"
echo "nameserver 192.0.2.66" > "$T/host/resolv.conf"
printf 'LABEL host\n  LINUX /vmlinuz\n  APPEND quiet\n' > "$T/host/extlinux.conf"
printf 'title host\n\tkernel /vmlinuz root=/dev/sda1 quiet\n' > "$T/host/menu.lst"
host_state() { stat -c '%n %s %Y %i' "$T/host/"* | sha256sum; ls -A "$T/host"; }
before=$(host_state)

{ printf 'UUID=x / ext4 defaults 0 1\n\0\1\2\377\376'; head -c 4000 /dev/urandom; } > "$T/fstab.bad"
{
  printf 'ID=$(touch %s/host/pwned)\nVERSION_ID=`touch %s/host/pwned2`\n' "$T" "$T"
  printf 'PRETTY_NAME="unterminated\nNAME=\xff\xfe\xc3\x28 bad utf-8\n=\n==\nID_LIKE\n'
  head -c 70000 /dev/zero | tr '\0' 'A'
  echo
} > "$T/os-release.bad"
guestfish --rw --format=qcow2 -a "$T/g.qcow2" -i > "$T/gf.out" 2>&1 <<GF || fail "damaging the guest: $(cat "$T/gf.out")"
upload $T/fstab.bad /etc/fstab
upload $T/os-release.bad /etc/os-release
rm-f /usr/lib/os-release
rm-f /etc/adjtime
ln-s $T/host/adjtime /etc/adjtime
rm-f /etc/network/interfaces
ln-s $T/host/interfaces /etc/network/interfaces
rm-f /etc/resolv.conf
ln-s $T/host/resolv.conf /etc/resolv.conf
mkdir-p /etc/default/grub.d
ln-s $T/host/created-by-guest /etc/default/grub.d/99-hostile.cfg
mkdir-p /boot/extlinux
ln-s $T/host/extlinux.conf /boot/extlinux/extlinux.conf
ln-s $T/host/menu.lst /boot/grub/menu.lst
rm-f /sbin/init
ln-s $T/host/init /sbin/init
mkdir-p /etc/mdadm
touch /etc/mdadm/mdadm.conf
truncate-size /etc/mdadm/mdadm.conf 17179869184
mkdir-p "/lib/modules/6.1\$(touch PWNED)"
touch "/lib/modules/6.1\$(touch PWNED)/modules.dep"
touch "/boot/initrd.img-6.1\$(touch PWNED)"
GF

# ---- scan: a report, with warnings, and an exit status that says so ----
rc=0
"$REHOST" scan "$T/g.qcow2" -o "$T/scan.json" 2> "$T/scan.err" || rc=$?
expect_eq "scan of a hostile guest succeeds" "$rc" 0
expect_match "scan says the fstab is not text" "$(cat "$T/scan.err")" \
  "/etc/fstab: not a text file \(a NUL byte at offset 27\); not read"
# a sparse 16 GiB mdadm.conf: libguestfs would copy all of it to the host's
# temporary directory, then into memory
big="/etc/mdadm/mdadm.conf: 17179869184 bytes, more than a text file rehost reads may have (64 MiB); not read"
expect_match "scan leaves the 16 GiB mdadm.conf unread, and says so" "$(cat "$T/scan.err")" "${big//[()]/.}"
jq -e . "$T/scan.json" > /dev/null && ok "scan report is valid JSON" || fail "scan report is not JSON"
jq_eq "$T/scan.json" .os.type linux
# the garbage os-release is data, never run; the distribution still shows
# through /etc/debian_version
jq_eq "$T/scan.json" .os.distro debian
jq_eq "$T/scan.json" .os.major_version 12
# resolv.conf a link to a host file: its target named, nothing read through it
jq_eq "$T/scan.json" .network.resolv_conf.link "$T/host/resolv.conf"
jq_eq "$T/scan.json" '.network.resolv_conf.nameservers | length' 0

# ---- finalize in place: the dangling host symlinks become guest files ----
rc=0
"$REHOST" finalize --profile kvm --firstboot-install --network dhcp --report "$T/fin.json" \
  "$T/g.qcow2" > "$T/fin.out" 2> "$T/fin.err" || rc=$?
expect_eq "finalize of a hostile guest succeeds" "$rc" 0
[ "$rc" = 0 ] || cat "$T/fin.err" >&2
expect_match "it says it replaced the adjtime symlink" "$(cat "$T/fin.err")" \
  "/etc/adjtime: a symlink to $T/host/adjtime, which is not a file in the guest; replaced by a file"
expect_eq "the change report records it" \
  "$(jq -r '.changes[] | select(.action == "replace-symlink") | .file' "$T/fin.json" | tr '\n' ' ')" "/etc/adjtime "

expect_match "finalize leaves the 16 GiB mdadm.conf unread, and says so" "$(cat "$T/fin.err")" "${big//[()]/.}"
expect_match "a kernel directory named like a command is skipped" "$(cat "$T/fin.err")" \
  "skipping a kernel directory with an unusual name \(6\.1[$]\(touch PWNED\)\)"
# one read-only launch: the files finalize touched or had to leave alone
cat > "$T/links.gf" <<GF
is-file /PWNED
is-symlink /etc/adjtime
is-symlink /etc/network/interfaces
readlink /etc/network/interfaces
download /etc/adjtime $T/adjtime.out
download /etc/fstab $T/fstab.out
GF
guestfish --ro --format=qcow2 -a "$T/g.qcow2" -i -f "$T/links.gf" > "$T/links.out" 2> "$T/links.err" \
  || fail "reading the links: $(cat "$T/links.err")"
expect_eq "guest /etc/adjtime is now a file saying UTC" "$(sed -n 3p "$T/adjtime.out" 2> /dev/null)" UTC
expect_eq "a guest directory name never ran as a command" "$(sed -n 1p "$T/links.out")" false
sed -i 1d "$T/links.out"
expect_eq "adjtime is no longer a symlink" "$(sed -n 1p "$T/links.out")" false
# a dangling interfaces link is left alone: nothing to reset, nothing to follow
expect_eq "the interfaces symlink is left as it was" "$(sed -n 2,3p "$T/links.out" | tr '\n' ' ')" \
  "true $T/host/interfaces "
expect_eq "the binary fstab is left byte for byte" "$(sha256sum < "$T/fstab.out")" \
  "$(sha256sum < "$T/fstab.bad")"

# ---- nothing on the host changed, nothing was created there ----
expect_eq "host files untouched" "$(host_state)" "$before"
expect_no_file "$T/host/pwned"
expect_no_file "$T/PWNED"
expect_no_file "$T/host/created-by-guest"
finish
