# The RHEL-family layout (tests/fixtures/build-guests.sh, debian12-rhel.qcow2:
# a tree built from Debian packages with what RHEL tools and inspection read):
# scan reports it as RHEL 9.3 with rpm, grub2 and ifcfg; finalize for kvm then
# goes through the RPM, dracut, grub2-mkconfig, BLS and ifcfg paths, and every
# edit is read back from the output. Not booted (its userland is Debian's).
# Its copy gets an LVM devices file first (use_devicesfile = 1, as on RHEL 9)
# naming the source's disk by WWID, which no target disk has, and a
# global_filter that accepts only /dev/sd* disks; both files are put in its
# initramfs too, as RHEL's dracut does; and a route file naming ens192.
# Then that output is made SUSE-shaped (SLES 15 os-release, wicked's
# /etc/sysconfig/network with ifcfg-ens192, route files, LLADDR) and
# finalized for kvm with DHCP: the NIC's files are renamed for eth0. The
# same copy also has GRUB's menu only on the ESP, as RHEL 7 and 8 have it
# under UEFI (/etc/grub2-efi.cfg leads there; no /boot/grub2/grub.cfg):
# grub2-mkconfig must write the ESP's file. The two are independent of
# each other, and one finalize (one appliance launch) serves both.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
src=$T/rhel.qcow2
cp "$FX/rhel9-layout.qcow2" "$src"
# (guestfish reads a backslash in its command as an escape: none below but
# printf's \n)
guest_edit "$src" 'sed -i "s/# use_devicesfile = 0/use_devicesfile = 1/" /etc/lvm/lvm.conf
sed -i "/^devices {/a global_filter = [ \"a|^/dev/sd|\", \"r|.*|\" ]" /etc/lvm/lvm.conf
printf "default via 10.0.2.2 dev ens192\n10.1.0.0/16 via 10.0.2.1 dev ens192 metric 10\n" > /etc/sysconfig/network-scripts/route-ens192
mkdir -p /etc/lvm/devices
printf "# LVM uses devices listed in this file.\nVERSION=1.1.1\nIDTYPE=sys_wwid IDNAME=naa.6000c2900000000000000000000000a1 DEVNAME=/dev/sda2 PVID=rehostrehostrehostrehostrehostre PART=2\n" > /etc/lvm/devices/system.devices
img=$(ls /boot/initramfs-*.img) && mkdir /tmp/ir && cd /tmp/ir && zcat "$img" | cpio -id --quiet &&
mkdir -p etc/lvm/devices && cp /etc/lvm/devices/system.devices etc/lvm/devices/ && cp /etc/lvm/lvm.conf etc/lvm/ &&
find . | cpio -o -H newc --quiet | gzip -1 > "$img" && cd / && rm -rf /tmp/ir &&
mkdir -p /root/rpmbuild/SPECS &&
for n in open-vm-tools open-vm-tools-containerinfo acme-monitoring; do
  req=; [ $n = acme-monitoring ] && req="Requires: open-vm-tools-containerinfo"
  # (a scriptlet needs /bin/sh, which the rpm database of this layout does
  # not provide: installed with --nodeps)
  post=; [ $n = open-vm-tools ] && post="%postun
dracut -f"
  printf "Name: %s\nVersion: 12.2.0\nRelease: 1\nSummary: rehost test\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n%s\n%%description\nrehost test.\n%%install\nmkdir -p %%{buildroot}/usr/share/doc/%s\necho %s > %%{buildroot}/usr/share/doc/%s/README\n%%files\n/usr/share/doc/%s/README\n%s\n" \
    $n "$req" $n $n $n $n "$post" > /root/rpmbuild/SPECS/$n.spec &&
  rpmbuild --quiet --define "_topdir /root/rpmbuild" -bb /root/rpmbuild/SPECS/$n.spec || exit 1
done &&
rpm -i --nodeps /root/rpmbuild/RPMS/noarch/open-vm-tools*.rpm /root/rpmbuild/RPMS/noarch/acme-monitoring*.rpm &&
rpm -q open-vm-tools acme-monitoring'
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
jq_eq $R .storage.lvm.devices_file /etc/lvm/devices/system.devices
jq_eq $R '.storage.lvm.filters_rejecting_target_disks | length' 1
jq_eq $R .boot.bootloader grub2
jq_eq $R .boot.config /boot/grub2/grub.cfg
jq_eq $R '[.network.interfaces[] | select(.name=="ens192")][0].address' 10.0.2.15
jq_eq $R '.network.mac_bound_rules[0].mac' 52:54:00:12:34:56
jq_eq $R '.kernels[0].initramfs | test("^/boot/initramfs-.*[.]img$")' true

J=$T/r.json
jq_eq $J .guest.version 9.3
expect_match "agent installed with rpm" "$(changes_of "$J" install-agents)" "qemu-guest-agent"
# VMware's tools out with rpm -e: one transaction fails on the package
# acme-monitoring needs, and each is then removed alone
expect_eq "vmware: open-vm-tools removed with rpm, the package another needs kept" \
  "$(jq -r '.changes[] | select(.action == "remove-source-tools" or (.action == "warning" and .file == "packages")) | .action + " " + .before' "$J" | tr '\n' '|')" \
  "remove-source-tools open-vm-tools|warning open-vm-tools-containerinfo|"
expect_eq "initramfs: open-vm-tools' %postun ran dracut by name, as a kmod package's weak-modules does: rpm's scriptlet found the stand-in" \
  "$(jq -r '.changes[] | select(.action == "defer-rebuild") | .before' "$J")" "dracut -f"
expect_eq "initramfs: made once, by the initramfs step" \
  "$(jq -r '[.changes[] | select(.file == "initramfs" and .action == "rebuild")] | length' "$J")" 1
expect_match "vmware: the kept package's warning gives rpm's reason" \
  "$(jq -r '.changes[] | select(.action == "warning" and .file == "packages") | .reason' "$J")" \
  "open-vm-tools-containerinfo is needed by \\(installed\\) acme-monitoring"
expect_match "virtio added to dracut's configuration" "$(changes_of "$J" add-initramfs-modules)" "^/etc/dracut.conf.d/rehost.conf .*virtio_blk"
expect_match "initramfs rebuilt by dracut under RHEL's name" "$(changes_of "$J" rebuild)" "dracut --force /boot/initramfs-[^ ]+[.]img [^ ]+$"
expect_match "GRUB regenerated with grub2-mkconfig" "$(changes_of "$J" regenerate)" "grub2-mkconfig -o /boot/grub2/grub.cfg"
expect_match "the BLS entry's options edited" "$(changes_of "$J" kernel-cmdline)" "^/boot/loader/entries/.*[.]conf .*console=ttyS0"
expect_match "/etc/kernel/cmdline edited" "$(changes_of "$J" kernel-cmdline)" "^/etc/kernel/cmdline .*console=ttyS0"
expect_match "SELinux relabel asked for" "$(changes_of "$J" selinux-relabel)" "^/[.]autorelabel "
expect_match "the LVM devices file moved aside" "$(changes_of "$J" remove-lvm-devices-file)" \
  "^/etc/lvm/devices/system.devices /etc/lvm/devices/system.devices.rehost-saved$"
expect_eq "the filter that rejects the target's disk names commented out" "$(changes_of "$J" lvm-filter)" \
  "/etc/lvm/lvm.conf "
expect_match "the initramfs rebuilt for its copies of lvm.conf and the devices file" \
  "$(jq -r '.changes[] | select(.action=="rebuild") | .reason' "$J")" \
  "changed: etc/lvm/lvm.conf etc/lvm/devices/system.devices$"
expect_match "NetworkManager (ifcfg's manager on RHEL) chosen" "$(cat "$T/fin.err")" "network: NetworkManager on the target's NIC"

cat > "$T/read.gf" <<'GF'
echo ==rpm
sh "rpm -q qemu-guest-agent || true"
echo ==rpm-vmw
sh "rpm -q open-vm-tools open-vm-tools-containerinfo acme-monitoring || true"
echo ==ifcfg
sh "cat /etc/sysconfig/network-scripts/ifcfg-*"
echo ==route
cat /etc/sysconfig/network-scripts/route-ens192
echo ==bls
sh "grep -h ^options /boot/loader/entries/*.conf"
echo ==kcmd
cat /etc/kernel/cmdline
echo ==grubcfg
sh "grep -c console=ttyS0 /boot/grub2/grub.cfg || true"
echo ==initrd
sh "lsinitrd /boot/initramfs-*.img > /tmp/rehost-ir.list; grep -o '[a-z_]*[.]ko' /tmp/rehost-ir.list | sort -u"
echo ==lvmdev
sh "ls /etc/lvm/devices"
echo ==lvmconf
sh "grep -n global_filter /etc/lvm/lvm.conf | grep -v \"# Configuration\""
echo ==initrd-lvm
sh "grep -c etc/lvm/devices/ /tmp/rehost-ir.list; rm -f /tmp/rehost-ir.list"
echo ==relabel
sh "test -e /.autorelabel && echo yes || echo no"
echo ==enabled
sh "systemctl list-unit-files --state=enabled --no-legend --type=service 2>/dev/null | cut -d' ' -f1"
GF
# The SUSE layout below starts from this output: the same launch reads the
# output (a copy of it) and then makes the copy SUSE-shaped, with the
# guest-side script uploaded (guestfish would read the backslashes of a
# command it is given)
cp "$T/out.qcow2" "$T/suse.qcow2"
cat > "$T/suse-edit.sh" <<'SH'
rm -rf /etc/sysconfig/network-scripts /etc/redhat-release
printf 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nID="sles"\nID_LIKE="suse"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\n' > /etc/os-release
mkdir -p /etc/sysconfig/network
printf "NAME='VMXNET3 Ethernet Controller'\nBOOTPROTO='static'\nSTARTMODE='auto'\nIPADDR='10.0.2.15/24'\nLLADDR='52:54:00:12:34:56'\n" > /etc/sysconfig/network/ifcfg-ens192
printf "BOOTPROTO=static\nIPADDR=10.7.0.1/24\n" > /etc/sysconfig/network/ifcfg-ens192.bak
printf "IPADDR=127.0.0.1/8\nSTARTMODE=nfsroot\n" > /etc/sysconfig/network/ifcfg-lo
printf "10.1.0.0/16 10.0.2.1 - ens192\n" > /etc/sysconfig/network/ifroute-ens192
printf "default 10.0.2.2 - -\n" > /etc/sysconfig/network/routes
printf "[Unit]\nDescription=wicked (stand-in)\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n" > /usr/lib/systemd/system/wicked.service
systemctl disable NetworkManager.service
# GRUB's menu only on the ESP, without the serial console that finalize
# for kvm must put back where GRUB reads it
mkdir -p /boot/efi/EFI/redhat
mv /boot/grub2/grub.cfg /boot/efi/EFI/redhat/grub.cfg
sed -i "s/console=ttyS0//g" /boot/efi/EFI/redhat/grub.cfg /etc/default/grub
ln -s ../boot/efi/EFI/redhat/grub.cfg /etc/grub2-efi.cfg
SH
printf 'echo ==suse-edit\nupload %s /root/suse-edit.sh\nsh "sh -e /root/suse-edit.sh > /dev/null 2>&1 && rm /root/suse-edit.sh && echo done"\n' \
  "$T/suse-edit.sh" >> "$T/read.gf"
guestfish -a "$T/suse.qcow2" -i -f "$T/read.gf" > "$T/dump" 2> "$T/dump.err" || fail "reading the output: $(tail -3 "$T/dump.err")"
expect_eq "the copy of the output made SUSE-shaped" "$(section "$T/dump" suse-edit)" done
expect_match "rpm database has the agent" "$(section "$T/dump" rpm)" "^qemu-guest-agent-7[.]2[.]0-1[.]rehost[.]noarch$"
expect_eq "vmware: the rpm database has open-vm-tools no more" "$(section "$T/dump" rpm-vmw | grep . | tr '\n' '|')" \
  "package open-vm-tools is not installed|open-vm-tools-containerinfo-12.2.0-1.noarch|acme-monitoring-12.2.0-1.noarch|"
ifc=$(section "$T/dump" ifcfg)
if grep -q '^HWADDR=' <<<"$ifc"; then fail "ifcfg still bound to the old MAC"; else ok "ifcfg: no HWADDR"; fi
expect_match "ifcfg: bound to the new NIC's name" "$ifc" "^DEVICE=eth0$"
expect_match "ifcfg: static address kept (kvm keeps it)" "$ifc" "^IPADDR=10[.]0[.]2[.]15$"
expect_eq "route-ens192 (it keeps its name, as its ifcfg file does): its routes on eth0" \
  "$(section "$T/dump" route)" "default via 10.0.2.2 dev eth0
10.1.0.0/16 via 10.0.2.1 dev eth0 metric 10"
expect_match "BLS options: console on the serial line" "$(section "$T/dump" bls)" "console=ttyS0"
expect_match "BLS options: NIC names as the configuration now says" "$(section "$T/dump" bls)" "net[.]ifnames=0"
expect_match "/etc/kernel/cmdline: console on the serial line" "$(section "$T/dump" kcmd)" "console=ttyS0"
if [ "$(section "$T/dump" grubcfg)" -ge 1 ] 2> /dev/null; then ok "grub.cfg regenerated"; else fail "grub2/grub.cfg has no console=ttyS0"; fi
expect_match "dracut's rebuilt image has virtio_blk" "$(section "$T/dump" initrd)" "^virtio_blk[.]ko$"
expect_eq "/etc/lvm/devices: the file moved aside, none in use" "$(section "$T/dump" lvmdev)" "system.devices.rehost-saved"
expect_match "lvm.conf: the filter is a comment now" "$(section "$T/dump" lvmconf)" \
  "^[0-9]+:#rehost-removed# global_filter = \[ \"a\|\^/dev/sd\|\", \"r\|\.\*\|\" \]$"
expect_eq "the rebuilt initramfs has no devices file" "$(section "$T/dump" initrd-lvm)" 0
expect_eq "/.autorelabel created" "$(section "$T/dump" relabel)" yes
en=$(section "$T/dump" enabled)
expect_match "qemu-guest-agent enabled" "$en" "^qemu-guest-agent[.]service$"
expect_match "NetworkManager enabled" "$en" "^NetworkManager[.]service$"
# ---- SUSE: wicked's files, named for the NIC; GRUB's menu on the ESP
# (made above; the output already carries virtio in its initramfs: no
# rebuild) ----
"$REHOST" finalize --profile kvm --network dhcp --report "$T/suse.json" --scan-report "$T/suse-scan.json" \
  "$T/suse.qcow2" > /dev/null 2> "$T/suse.err" || fail "finalize the SUSE layout for kvm: $(tail -5 "$T/suse.err")"
jq_eq "$T/suse-scan.json" .os.distro sles
jq_eq "$T/suse-scan.json" '[.network.interfaces[] | select(.name=="ens192")][0].address' 10.0.2.15/24
expect_match "wicked chosen, with DHCP" "$(cat "$T/suse.err")" "network: wicked on the target's NIC with DHCP"
jq_eq "$T/suse-scan.json" .boot.bootloader grub2
jq_eq "$T/suse-scan.json" .boot.config /boot/efi/EFI/redhat/grub.cfg
expect_eq "ESP: grub2-mkconfig writes the ESP's grub.cfg, the one /etc/grub2-efi.cfg names" \
  "$(changes_of "$T/suse.json" regenerate)" "bootloader grub2-mkconfig -o /boot/efi/EFI/redhat/grub.cfg"
expect_eq "the NIC's files renamed for eth0" \
  "$(jq -r '.changes[] | select(.action=="network-rename-nic" and (.before // "" | test("^/etc"))) | .before + " -> " + .after' "$T/suse.json")" \
  "/etc/sysconfig/network/ifcfg-ens192 -> /etc/sysconfig/network/ifcfg-eth0
/etc/sysconfig/network/ifroute-ens192 -> /etc/sysconfig/network/ifroute-eth0"
cat > "$T/suse.gf" <<'GF'
echo ==files
sh "cd /etc/sysconfig/network && ls"
echo ==eth0
cat /etc/sysconfig/network/ifcfg-eth0
echo ==ifroute
cat /etc/sysconfig/network/ifroute-eth0
echo ==routes
cat /etc/sysconfig/network/routes
echo ==bak
cat /etc/sysconfig/network/ifcfg-ens192.bak
echo ==enabled
sh "systemctl list-unit-files --state=enabled --no-legend --type=service 2>/dev/null | cut -d' ' -f1"
echo ==esp
sh "grep -c console=ttyS0 /boot/efi/EFI/redhat/grub.cfg || true"
echo ==grub2
sh "ls /boot/grub2/grub.cfg 2>&1 | grep -c 'No such' || true"
GF
guestfish --ro -a "$T/suse.qcow2" -i -f "$T/suse.gf" > "$T/suse.dump" 2> "$T/suse.dump.err" \
  || fail "reading the SUSE output: $(tail -3 "$T/suse.dump.err")"
expect_eq "ifcfg-ens192 and ifroute-ens192 are gone, the backup and lo stay" \
  "$(section "$T/suse.dump" files | grep -E '^if' | tr '\n' ' ')" \
  "ifcfg-ens192.bak ifcfg-eth0 ifcfg-lo ifroute-eth0 "
expect_eq "ifcfg-eth0: DHCP, no address, no LLADDR" "$(section "$T/suse.dump" eth0)" \
  "NAME='VMXNET3 Ethernet Controller'
BOOTPROTO='dhcp'
STARTMODE='auto'
#rehost-removed# IPADDR='10.0.2.15/24'
#rehost-removed# LLADDR='52:54:00:12:34:56'"
expect_eq "ifroute-eth0: its route on eth0" "$(section "$T/suse.dump" ifroute)" "10.1.0.0/16 10.0.2.1 - eth0"
expect_eq "routes: the old default route goes (DHCP gives one)" "$(section "$T/suse.dump" routes)" \
  "#rehost-removed# default 10.0.2.2 - -"
expect_eq "a backup wicked ignores is left as it was" "$(section "$T/suse.dump" bak)" "BOOTPROTO=static
IPADDR=10.7.0.1/24"
expect_match "wicked enabled" "$(section "$T/suse.dump" enabled)" "^wicked[.]service$"

if [ "$(section "$T/suse.dump" esp)" -ge 1 ] 2> /dev/null; then ok "ESP: its grub.cfg has console=ttyS0 again"
else fail "ESP: its grub.cfg has no console=ttyS0: $(section "$T/suse.dump" esp)"; fi
expect_eq "ESP: no grub.cfg written where nothing reads it" "$(section "$T/suse.dump" grub2)" 1
finish
