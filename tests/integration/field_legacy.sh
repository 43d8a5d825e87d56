# A guest of the old kind most often lifted and shifted (RHEL and CentOS 5
# and 6: GRUB legacy and SysV init), made from the OpenStack image: its
# kernel command line in GRUB legacy's menu, /boot/grub/grub.conf, with
# menu.lst and /etc/grub.conf links to it, an entry booting Linux with
# root=/dev/sda1 (the source's SCSI disk) and one chain-loading another
# disk; no GRUB 2 tools, no /etc/default/grub; sysvinit as init (Debian's
# sysvinit-core: update-rc.d and rc links, no systemctl), qemu-guest-agent
# and ssh disabled, grub-pc's install device the source disk's VMware
# serial; ifupdown static on the source's ens192. Finalized for kvm with
# --network dhcp:
#   - the entry's kernel line names the root by its UUID and carries
#     net.ifnames=0, the chain-loading entry stays as it was, the links stay;
#   - the services are enabled with update-rc.d (rc links), and grub-pc's
#     first-boot fix is an init script that disables itself once it ran;
# booted on virtio (/dev/vda: /dev/sda1 would not be found) with another
# MAC: the root found, DHCP's address on eth0, the guest agent and sshd
# answering, grub-pc's install device the target's disk.
# The boot reads menu.lst through GRUB 2's legacy_configfile, as GRUB legacy
# would read it (GRUB 0.97's installer is a 32-bit program, and its ext2
# driver cannot read this fixture's 64-bit ext4): the boot sector stays
# GRUB 2's, and grub.cfg only hands over to menu.lst.
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }

cp "$SRC" "$T/gl.qcow2"
debs=()
for p in sysvinit-core initscripts sysv-rc insserv startpar; do
  download_deb "$T/sysv" "$p" || finish
done
for d in "$T"/sysv/*.deb; do debs+=("$d"); done
# The machine comes from VMware with its tools: Debian's open-vm-tools (its
# libraries not all there: it is here to be removed), a tools package another
# package depends on (made here: Depends: is what dpkg keeps it for), and a
# tarball install's uninstaller (a stand-in that fails unless finalize gave
# it the answers that stop it restoring an initramfs of its own).
download_deb "$T/vmw" open-vm-tools || finish
mkdeb() { # NAME [DEPENDS [POSTRM]]
  local d=$T/deb-$1
  mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$1"
  printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: rehost tests <tests@example.org>\n%bDescription: made by field_legacy.sh\n' \
    "$1" "${2:+Depends: $2\n}" > "$d/DEBIAN/control"
  echo "$1" > "$d/usr/share/doc/$1/README"
  if [ -n "${3:-}" ]; then printf '#!/bin/sh\nset -e\n%s\n' "$3" > "$d/DEBIAN/postrm"; chmod 755 "$d/DEBIAN/postrm"; fi
  dpkg-deb -Zgzip --root-owner-group --build "$d" "$T/vmw/$1_1.0_all.deb" > /dev/null
}
mkdeb open-vm-tools-containerinfo
mkdeb acme-monitoring open-vm-tools-containerinfo
# a tools package with a kernel module, as a dkms package is: its removal
# asks for the initramfs to be made again (minutes in the TCG appliance),
# though the image does not carry its module
mkdir -p "$T/deb-open-vm-tools-dkms/lib/modules/rehost-test/updates/dkms"
echo "not a module" > "$T/deb-open-vm-tools-dkms/lib/modules/rehost-test/updates/dkms/vmw_test.ko"
mkdeb open-vm-tools-dkms "" 'if [ "$1" = remove ]; then update-initramfs -u; fi'
for d in "$T"/vmw/*.deb; do vmw+=("$d"); done
printf '#!/bin/sh\ngrep -qx "remove_answer RESTORE_RAMDISK_CMD" /etc/vmware-tools/locations || { echo "would restore its own initramfs" >&2; exit 1; }\nrm -rf /etc/vmware-tools /usr/lib/vmware-tools /usr/bin/vmware-uninstall-tools.pl\necho "uninstalled: $*" > /var/log/vmware-uninstall.log\n' > "$T/vmware-uninstall-tools.pl"
guestfish --format=qcow2 -a "$T/gl.qcow2" -i mkdir-p /var/tmp/rehost-sysv : copy-in "${debs[@]}" /var/tmp/rehost-sysv \
  : mkdir-p /var/tmp/rehost-vmw : copy-in "${vmw[@]}" /var/tmp/rehost-vmw \
  : copy-in "$T/vmware-uninstall-tools.pl" /usr/bin : sh 'set -e
echo "network: {config: disabled}" > /etc/cloud/cloud.cfg.d/99-site-network.cfg
printf "auto lo\niface lo inet loopback\n\nallow-hotplug ens192\niface ens192 inet static\n  address 10.0.2.15/24\n  gateway 10.0.2.2\n" > /etc/network/interfaces
rm -f /etc/network/interfaces.d/* /etc/udev/rules.d/70-persistent-net.rules
kernel=$(ls /boot/vmlinuz-* | head -1); initrd=$(ls /boot/initrd.img-* | head -1)
printf "default=0\ntimeout=1\nserial --unit=0 --speed=115200\nterminal serial console\n\ntitle Debian (%s)\n\troot (hd0,0)\n\tkernel %s ro root=/dev/sda1 console=ttyS0\n\tinitrd %s\n\ntitle Other\n\trootnoverify (hd1,0)\n\tchainloader +1\n" "${kernel#/boot/vmlinuz-}" "$kernel" "$initrd" > /boot/grub/grub.conf
ln -sf grub.conf /boot/grub/menu.lst
ln -sf ../boot/grub/grub.conf /etc/grub.conf
printf "serial --unit=0 --speed=115200\nterminal_input console serial\nterminal_output console serial\ninsmod legacycfg\nlegacy_configfile /boot/grub/menu.lst\n" > /boot/grub/grub.cfg
rm -f /etc/default/grub /usr/sbin/update-grub /usr/sbin/grub-mkconfig /usr/sbin/grub-install
test -f /boot/grub/i386-pc/legacycfg.mod
echo "grub-pc grub-pc/install_devices multiselect /dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6" | debconf-set-selections
echo "grub_dpkg: {enabled: false}" > /etc/cloud/cloud.cfg.d/99-no-grub-dpkg.cfg
dpkg --remove --force-depends --force-remove-essential systemd-sysv
dpkg -i /var/tmp/rehost-sysv/*.deb
rm -rf /var/tmp/rehost-sysv
printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
dpkg -i --force-depends /var/tmp/rehost-vmw/*.deb
rm -rf /usr/sbin/policy-rc.d /var/tmp/rehost-vmw
test -x /usr/bin/vmtoolsd; ls /etc/rc2.d/S*open-vm-tools
sha256sum /boot/initrd.img-* > /var/tmp/initrd.sha256
chmod 755 /usr/bin/vmware-uninstall-tools.pl; mkdir -p /etc/vmware-tools /usr/lib/vmware-tools/modules
printf "answer BINDIR /usr/bin\nanswer LIBDIR /usr/lib/vmware-tools\n" > /etc/vmware-tools/locations
update-rc.d qemu-guest-agent disable
update-rc.d ssh disable
test "$(basename "$(readlink -f /sbin/init)")" = init
! ls /etc/rc2.d/S*qemu-guest-agent /etc/rc2.d/S*ssh 2> /dev/null' > "$T/edit.out" 2>&1 \
  || fail "making the GRUB legacy and SysV guest: $(tail -5 "$T/edit.out")"
"$REHOST" finalize --profile kvm --network dhcp --report "$T/gl.json" --scan-report "$T/gl-scan.json" "$T/gl.qcow2" > "$T/gl.out" 2> "$T/gl.err" \
  || fail "finalize GRUB legacy guest: $(tail -5 "$T/gl.err")"
expect_eq "legacy: the entry's kernel line names the root by UUID and carries net.ifnames=0 (one record, for the file both links lead to)" \
  "$(jq -r '.changes[] | select((.file | test("/boot/grub/")) and .action=="kernel-cmdline") | .file + ": " + .after' "$T/gl.json" | sed 's/root=UUID=[0-9a-f-]*/root=UUID=X/')" \
  "/boot/grub/grub.conf: ro root=UUID=X console=ttyS0 net.ifnames=0 biosdevname=0"
expect_match "legacy: the bootloader step says where the command line went" "$(cat "$T/gl.err")" \
  "no GRUB in the guest; the kernel command line was edited in its boot entries \(1:"
expect_eq "legacy: ens192's stanza made eth0's, with DHCP" \
  "$(jq -r '.changes[] | select(.action=="network-nic") | .before + " -> " + .after' "$T/gl.json")" "ens192 -> eth0"
expect_eq "sysv: the scan names the init system" "$(jq -r .os.init_system "$T/gl-scan.json")" sysvinit
expect_eq "sysv: the agent's and the profile's services enabled with update-rc.d" \
  "$(jq -r '[.changes[] | select(.action=="enable-service") | .file] | sort | join(", ")' "$T/gl.json")" \
  "SysV (update-rc.d) service qemu-guest-agent, SysV (update-rc.d) service ssh"
expect_eq "sysv: grub-pc's first-boot fix is an init script" \
  "$(jq -r '.changes[] | select(.action=="grub-install-devices") | .file' "$T/gl.json")" /etc/init.d/rehost-grub-devices
guestfish --ro --format=qcow2 -a "$T/gl.qcow2" -i <<'GF' > "$T/gl.dump" 2>&1 || fail "reading the guest back: $(tail -3 "$T/gl.dump")"
echo "== vmw"
sh "for p in open-vm-tools open-vm-tools-containerinfo acme-monitoring open-vm-tools-dkms; do s=$(dpkg-query -W -f='${db:Status-Status}' $p 2> /dev/null); echo $p=${s:-not-installed}; done; echo gone=$(ls /usr/bin/vmtoolsd /etc/init.d/open-vm-tools /etc/rc2.d/*open-vm-tools /etc/vmware-tools /usr/lib/vmware-tools 2>&1 | grep -c 'No such file'); echo log=$(cat /var/log/vmware-uninstall.log)"
echo "== initramfs"
sh "sha256sum -c /var/tmp/initrd.sha256 2>&1; ls -a /tmp | grep -c rehost-initramfs; ls /lib/modules/rehost-test 2>&1 | grep -c 'No such file'"
echo "== rc2"
glob ls /etc/rc2.d
echo "== fix"
tail /usr/local/sbin/rehost-grub-devices
echo "== links"
is-symlink /boot/grub/menu.lst
is-symlink /etc/grub.conf
echo "== grub.conf"
cat /boot/grub/grub.conf
GF
expect_eq "sysv: qemu-guest-agent, ssh and the first-boot fix start in runlevel 2" \
  "$(section "$T/gl.dump" " rc2" | grep -oE '^S[0-9]+(qemu-guest-agent|ssh|rehost-grub-devices)$' | sed 's/^S[0-9]*//' | sort | tr '\n' ' ')" \
  "qemu-guest-agent rehost-grub-devices ssh "
expect_eq "sysv: the fix disables itself with update-rc.d once it ran" "$(section "$T/gl.dump" " fix" | tail -1)" \
  "update-rc.d rehost-grub-devices disable"
expect_eq "vmware: open-vm-tools purged; the tools package acme-monitoring depends on kept" \
  "$(section "$T/gl.dump" " vmw" | head -4 | tr '\n' ' ')" \
  "open-vm-tools=not-installed open-vm-tools-containerinfo=installed acme-monitoring=installed open-vm-tools-dkms=not-installed "
expect_eq "initramfs: the rebuild the dkms-like package's removal asked for was left to the initramfs step, and recorded" \
  "$(jq -r '.changes[] | select(.action == "defer-rebuild") | .before + " | " + .reason' "$T/gl.json")" \
  "update-initramfs -u | removing vmware's packages asked for the initramfs to be made again: left to finalize's initramfs step, which makes it once, if the image carries a file that changed"
expect_eq "initramfs: the image carries none of what the removal changed (its module): not made again, byte for byte as it was; the stand-ins gone" \
  "$(section "$T/gl.dump" " initramfs" | grep . | sed 's/^.*initrd.img-[^:]*: //' | tr '\n' ' ')" "OK 0 1 "
expect_eq "initramfs: no rebuild record" \
  "$(jq -r '[.changes[] | select(.file == "initramfs" and .action == "rebuild")] | length' "$T/gl.json")" 0
expect_eq "vmware: vmtoolsd, its init script and rc link, the tarball's files: all gone; its uninstaller ran" \
  "$(section "$T/gl.dump" " vmw" | grep -E '^(gone|log)=' | tr '\n' ' ')" "gone=5 log=uninstalled: "
expect_eq "vmware: the records: the packages removed, the one kept, the uninstaller run" \
  "$(jq -r '.changes[] | select((.action | test("source-tools|uninstaller")) or (.action == "warning" and .file == "packages")) | .action + " " + .before' "$T/gl.json" | tr '\n' '|')" \
  "remove-source-tools open-vm-tools open-vm-tools-dkms|warning open-vm-tools-containerinfo|run-uninstaller /usr/bin/vmware-uninstall-tools.pl|"
expect_match "vmware: the kept package's warning gives dpkg's reason" \
  "$(jq -r '.changes[] | select(.action == "warning" and .file == "packages") | .reason' "$T/gl.json")" \
  "acme-monitoring depends on open-vm-tools-containerinfo"
expect_eq "legacy: menu.lst and /etc/grub.conf are still links (edited through)" \
  "$(section "$T/gl.dump" " links" | tr '\n' ' ')" "true true "
conf=$(section "$T/gl.dump" " grub.conf")
uuid=$(grep -o 'root=UUID=[0-9a-f-]*' <<< "$conf" | head -1 || true)
expect_match "legacy: grub.conf's kernel line, edited" "$conf" \
  "kernel /boot/vmlinuz-[^ ]* ro root=UUID=[0-9a-f-]{36} console=ttyS0 net.ifnames=0 biosdevname=0"
expect_eq "legacy: the chain-loading entry is as it was" "$(awk '/^title Other/ {on = 1} on' <<< "$conf" | tr '\n\t' '| ')" \
  "title Other| rootnoverify (hd1,0)| chainloader +1|"

# the report waits for grub-pc's first-boot fix (an init script, which may
# run beside cloud-init's) to set the target's disk, then lists its links
make_seed "$T/seed-gl.iso" rehost-legacy 'echo "rehost-cmdline=$(tr " " "," < /proc/cmdline)" > /dev/ttyS0
      echo "rehost-qga=$(pgrep -x qemu-ga > /dev/null && echo running),$(ls /dev/virtio-ports | tr "\n" ,)" > /dev/ttyS0
      n=0; while [ $n -lt 120 ] && ! debconf-show grub-pc 2> /dev/null | grep -q "install_devices: /dev/vda"; do sleep 1; n=$((n + 1)); done; sleep 2
      echo "rehost-grubdev=$(debconf-show grub-pc 2> /dev/null | grep -o "install_devices: [^ ]*" | tr -d " ")" > /dev/ttyS0
      echo "rehost-fixlinks=$(ls /etc/rc2.d | grep rehost-grub-devices | tr "\n" ",")" > /dev/ttyS0'
gl_port=$(free_port)
boot_start gl -drive "file=$T/gl.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-gl.iso,format=raw,if=virtio,readonly=on" \
  -nic "user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:05,hostfwd=tcp:127.0.0.1:$gl_port-:22"
if boot_wait gl "rehost-ipv4=" 900; then
  expect_match "legacy: booted from menu.lst's entry, with its edited command line" \
    "$(serial_value gl rehost-cmdline)" \
    "ro,${uuid:-root=UUID=missing},console=ttyS0,net.ifnames=0,biosdevname=0"
  expect_match "legacy: the root found on the virtio disk by its UUID" \
    "$(serial_value gl rehost-root)" "^rehost-root=/dev/vda1$"
  expect_match "legacy: the new NIC (another MAC) is eth0 and got an address by DHCP" \
    "$(serial_value gl rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
  expect_eq "sysv: qemu-guest-agent, enabled by update-rc.d, runs on its virtio port" \
    "$(serial_value gl rehost-qga)" "rehost-qga=running,org.qemu.guest_agent.0,"
  expect_match "sysv: qemu-guest-agent answers" \
    "$(qga gl '{"execute":"guest-ping"}' || echo no-answer)" '"return": *\{\}'
  expect_eq "sysv: sshd, enabled by update-rc.d, answers at the address DHCP gave" "$(ssh_banner "$gl_port")" SSH-2.0
  if boot_wait gl "rehost-fixlinks=" 300; then
    expect_eq "sysv: grub-pc's install device is the target's disk, set at first boot" \
      "$(serial_value gl rehost-grubdev)" "rehost-grubdev=install_devices:/dev/vda"
    expect_match "sysv: the fix disabled itself after it ran (a K link)" \
      "$(serial_value gl rehost-fixlinks)" "^rehost-fixlinks=K[0-9]+rehost-grub-devices,$"
  fi
fi
boot_stop gl
finish
