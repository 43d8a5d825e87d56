# The RHEL-family layout (tests/fixtures/build-guests.sh, debian12-rhel.qcow2:
# a tree built from Debian packages with what RHEL tools and inspection read):
# scan reports it as RHEL 9.3 with rpm, grub2 and ifcfg; finalize for kvm then
# goes through the RPM, dracut, grub2-mkconfig, BLS and ifcfg paths, and every
# edit is read back from the output. Not booted (its userland is Debian's).
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
src=$FX/rhel9-layout.qcow2
before=$(sum "$src")

# the scan report from finalize's own appliance launch, before its edits
"$REHOST" finalize --profile kvm --packages "$FX/rhel-agents" -o "$T/out.qcow2" --report "$T/r.json" \
  --scan-report "$T/scan.json" "$src" > /dev/null 2> "$T/fin.err" \
  || fail "finalize the RHEL layout for kvm: $(tail -5 "$T/fin.err")"
expect_eq "source never written" "$(sum "$src")" "$before"
R=$T/scan.json
jq_eq $R '.sources[0].path' "$src"
jq_eq $R .os.distro rhel
jq_eq $R .os.major_version 9
jq_eq $R .os.version 9.3   # os-release's VERSION_ID, as finalize's report spells it too
jq_eq $R .os.package_format rpm
jq_eq $R .os.hostname rehost-rhel
jq_eq $R .os.root /dev/rhel/root
jq_eq $R .boot.bootloader grub2
jq_eq $R .boot.config /boot/grub2/grub.cfg
jq_eq $R '[.network.interfaces[] | select(.name=="ens192")][0].address' 10.0.2.15
jq_eq $R '.network.mac_bound_rules[0].mac' 52:54:00:12:34:56
jq_eq $R '.kernels[0].initramfs | test("^/boot/initramfs-.*[.]img$")' true

J=$T/r.json
jq_eq $J .guest.version 9.3
expect_match "agent installed with rpm" "$(changes_of "$J" install-agents)" "qemu-guest-agent"
expect_match "virtio added to dracut's configuration" "$(changes_of "$J" add-initramfs-modules)" "^/etc/dracut.conf.d/rehost.conf .*virtio_blk"
expect_match "initramfs rebuilt by dracut under RHEL's name" "$(changes_of "$J" rebuild)" "dracut --force /boot/initramfs-[^ ]+[.]img [^ ]+$"
expect_match "GRUB regenerated with grub2-mkconfig" "$(changes_of "$J" regenerate)" "grub2-mkconfig -o /boot/grub2/grub.cfg"
expect_match "the BLS entry's options edited" "$(changes_of "$J" kernel-cmdline)" "^/boot/loader/entries/.*[.]conf .*console=ttyS0"
expect_match "/etc/kernel/cmdline edited" "$(changes_of "$J" kernel-cmdline)" "^/etc/kernel/cmdline .*console=ttyS0"
expect_match "SELinux relabel asked for" "$(changes_of "$J" selinux-relabel)" "^/[.]autorelabel "
expect_match "NetworkManager (ifcfg's manager on RHEL) chosen" "$(cat "$T/fin.err")" "network: NetworkManager on the target's NIC"

cat > "$T/read.gf" <<'GF'
echo ==rpm
sh "rpm -q qemu-guest-agent || true"
echo ==ifcfg
sh "cat /etc/sysconfig/network-scripts/ifcfg-*"
echo ==bls
sh "grep -h ^options /boot/loader/entries/*.conf"
echo ==kcmd
cat /etc/kernel/cmdline
echo ==grubcfg
sh "grep -c console=ttyS0 /boot/grub2/grub.cfg || true"
echo ==initrd
sh "lsinitrd /boot/initramfs-*.img | grep -o '[a-z_]*[.]ko' | sort -u"
echo ==relabel
sh "test -e /.autorelabel && echo yes || echo no"
echo ==enabled
sh "systemctl list-unit-files --state=enabled --no-legend --type=service 2>/dev/null | cut -d' ' -f1"
GF
guestfish --ro -a "$T/out.qcow2" -i -f "$T/read.gf" > "$T/dump" 2> "$T/dump.err" || fail "reading the output: $(tail -3 "$T/dump.err")"
expect_match "rpm database has the agent" "$(section "$T/dump" rpm)" "^qemu-guest-agent-7[.]2[.]0-1[.]rehost[.]noarch$"
ifc=$(section "$T/dump" ifcfg)
if grep -q '^HWADDR=' <<<"$ifc"; then fail "ifcfg still bound to the old MAC"; else ok "ifcfg: no HWADDR"; fi
expect_match "ifcfg: bound to the new NIC's name" "$ifc" "^DEVICE=eth0$"
expect_match "ifcfg: static address kept (kvm keeps it)" "$ifc" "^IPADDR=10[.]0[.]2[.]15$"
expect_match "BLS options: console on the serial line" "$(section "$T/dump" bls)" "console=ttyS0"
expect_match "BLS options: NIC names as the configuration now says" "$(section "$T/dump" bls)" "net[.]ifnames=0"
expect_match "/etc/kernel/cmdline: console on the serial line" "$(section "$T/dump" kcmd)" "console=ttyS0"
if [ "$(section "$T/dump" grubcfg)" -ge 1 ] 2> /dev/null; then ok "grub.cfg regenerated"; else fail "grub2/grub.cfg has no console=ttyS0"; fi
expect_match "dracut's rebuilt image has virtio_blk" "$(section "$T/dump" initrd)" "^virtio_blk[.]ko$"
expect_eq "/.autorelabel created" "$(section "$T/dump" relabel)" yes
en=$(section "$T/dump" enabled)
expect_match "qemu-guest-agent enabled" "$en" "^qemu-guest-agent[.]service$"
expect_match "NetworkManager enabled" "$en" "^NetworkManager[.]service$"
finish
