# An OpenRC guest: sysvinit as init and OpenRC as its rc, as Gentoo, and
# Debian or Devuan with the openrc package, run them (inittab runs
# /etc/init.d/rc, which execs /sbin/openrc), made from the OpenStack image.
# What starts is what OpenRC's runlevels hold (/etc/runlevels/default/NAME),
# not the rcN.d links the SysV tools leave beside them: qemu-guest-agent and
# ssh are taken out of the default runlevel with rc-update while their
# /etc/rc2.d start links stay (a reader of those links would call them
# enabled, and leave the target without its agent and sshd). grub-pc's
# install device is the source disk's VMware serial; ifupdown static on the
# source's ens192. Finalized for kvm with --network dhcp:
#   - scan names the init system openrc and lists neither service;
#   - both are enabled with rc-update; grub-pc's first-boot fix is an
#     openrc-run script in the default runlevel that takes itself out once
#     it ran;
# booted on virtio with another MAC: DHCP's address on eth0, the guest agent
# and sshd (started by OpenRC) answering, grub-pc's install device the
# target's disk, the fix out of the runlevel.
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }

cp "$SRC" "$T/or.qcow2"
for p in sysvinit-core initscripts openrc insserv libeinfo1 librc1; do
  download_deb "$T/debs" "$p" || finish
done
guestfish --format=qcow2 -a "$T/or.qcow2" -i mkdir-p /var/tmp/rehost-openrc : copy-in "$T"/debs/*.deb /var/tmp/rehost-openrc : sh 'set -e
echo "network: {config: disabled}" > /etc/cloud/cloud.cfg.d/99-site-network.cfg
printf "auto lo\niface lo inet loopback\n\nallow-hotplug ens192\niface ens192 inet static\n  address 10.0.2.15/24\n  gateway 10.0.2.2\n" > /etc/network/interfaces
rm -f /etc/network/interfaces.d/* /etc/udev/rules.d/70-persistent-net.rules
echo "grub-pc grub-pc/install_devices multiselect /dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6" | debconf-set-selections
echo "grub_dpkg: {enabled: false}" > /etc/cloud/cloud.cfg.d/99-no-grub-dpkg.cfg
dpkg --remove --force-depends --force-remove-essential systemd-sysv
dpkg -i /var/tmp/rehost-openrc/*.deb
rm -rf /var/tmp/rehost-openrc
for s in qemu-guest-agent ssh; do
  ls /etc/rc2.d/S*$s
  for l in /etc/runlevels/*/$s; do [ -e "$l" ] && rc-update del $s "$(basename "$(dirname "$l")")"; done
done
! ls /etc/runlevels/*/qemu-guest-agent /etc/runlevels/*/ssh 2> /dev/null
test -e /etc/runlevels/sysinit/networking -o -e /etc/runlevels/default/networking
test "$(basename "$(readlink -f /sbin/init)")" = init
grep -q /sbin/openrc /etc/init.d/rc' > "$T/edit.out" 2>&1 \
  || fail "making the OpenRC guest: $(tail -5 "$T/edit.out")"
"$REHOST" finalize --profile kvm --network dhcp --report "$T/or.json" --scan-report "$T/or-scan.json" "$T/or.qcow2" \
  > "$T/or.out" 2> "$T/or.err" || fail "finalize the OpenRC guest: $(tail -5 "$T/or.err")"
expect_eq "openrc: the scan names the init system" "$(jq -r .os.init_system "$T/or-scan.json")" openrc
expect_eq "openrc: the scan counts OpenRC's runlevels, not the rc2.d links (neither service enabled; networking is)" \
  "$(jq -r '[.services.enabled[] | select(. == "ssh" or . == "qemu-guest-agent" or . == "networking")] | join(" ")' "$T/or-scan.json")" \
  networking
expect_eq "openrc: the agent's and the profile's services enabled with rc-update" \
  "$(jq -r '[.changes[] | select(.action=="enable-service") | .file + " " + .before] | sort | join(", ")' "$T/or.json")" \
  "OpenRC service qemu-guest-agent disabled, OpenRC service ssh disabled"
expect_eq "openrc: grub-pc's first-boot fix is an init script" \
  "$(jq -r '.changes[] | select(.action=="grub-install-devices") | .file' "$T/or.json")" /etc/init.d/rehost-grub-devices
expect_eq "openrc: ens192's stanza made eth0's" \
  "$(jq -r '.changes[] | select(.action=="network-nic") | .before + " -> " + .after' "$T/or.json")" "ens192 -> eth0"
guestfish --ro --format=qcow2 -a "$T/or.qcow2" -i <<'GF' > "$T/or.dump" 2>&1 || fail "reading the guest back: $(tail -3 "$T/or.dump")"
echo "== default"
ls /etc/runlevels/default
echo "== unit"
head-n 1 /etc/init.d/rehost-grub-devices
echo "== fix"
tail-n 1 /usr/local/sbin/rehost-grub-devices
GF
expect_eq "openrc: qemu-guest-agent, ssh and the first-boot fix are in the default runlevel" \
  "$(section "$T/or.dump" " default" | grep -xE 'qemu-guest-agent|ssh|rehost-grub-devices' | sort | tr '\n' ' ')" \
  "qemu-guest-agent rehost-grub-devices ssh "
expect_eq "openrc: the fix is an openrc-run script" "$(section "$T/or.dump" " unit")" "#!/sbin/openrc-run"
expect_match "openrc: the fix takes itself out of its runlevels with rc-update once it ran" \
  "$(section "$T/or.dump" " fix")" "rc-update del rehost-grub-devices"

# the late report runs beside cloud-init, not in it: the fix starts after
# every other service of the runlevel, cloud-init's last stage too
make_seed "$T/seed-or.iso" rehost-openrc 'echo "rehost-qga=$(pgrep -x qemu-ga > /dev/null && echo running),$(ls /dev/virtio-ports | tr "\n" ,)" > /dev/ttyS0
      setsid sh -c '"'"'n=0; while [ $n -lt 300 ] && [ -e /etc/runlevels/default/rehost-grub-devices ]; do sleep 1; n=$((n + 1)); done; sleep 2; echo "rehost-grubdev=$(debconf-show grub-pc 2> /dev/null | grep -o "install_devices: [^ ]*" | tr -d " ")" > /dev/ttyS0; echo "rehost-fixlevels=$(ls /etc/runlevels/*/rehost-grub-devices 2> /dev/null | tr "\n" ",")" > /dev/ttyS0; echo "rehost-openrc=$(rc-status -r 2> /dev/null)" > /dev/ttyS0'"'"' > /dev/null 2>&1 < /dev/null &'
or_port=$(free_port)
boot_start or -drive "file=$T/or.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-or.iso,format=raw,if=virtio,readonly=on" \
  -nic "user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:06,hostfwd=tcp:127.0.0.1:$or_port-:22"
if boot_wait or "rehost-ipv4=" 900; then
  expect_match "openrc: the root found on the virtio disk" \
    "$(serial_value or rehost-root)" "^rehost-root=/dev/vda1$"
  expect_match "openrc: the new NIC (another MAC) is eth0 and got an address by DHCP" \
    "$(serial_value or rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
  expect_eq "openrc: qemu-guest-agent, enabled by rc-update, runs on its virtio port" \
    "$(serial_value or rehost-qga)" "rehost-qga=running,org.qemu.guest_agent.0,"
  expect_match "openrc: qemu-guest-agent answers" \
    "$(qga or '{"execute":"guest-ping"}' || echo no-answer)" '"return": *\{\}'
  expect_eq "openrc: sshd, enabled by rc-update, answers at the address DHCP gave" "$(ssh_banner "$or_port")" SSH-2.0
  if boot_wait or "rehost-openrc=" 420; then
    expect_eq "openrc: grub-pc's install device is the target's disk, set at first boot" \
      "$(serial_value or rehost-grubdev)" "rehost-grubdev=install_devices:/dev/vda"
    expect_eq "openrc: the fix took itself out of the runlevel after it ran" \
      "$(serial_value or rehost-fixlevels)" "rehost-fixlevels="
    expect_eq "openrc: OpenRC ran the boot (its runlevel is default)" \
      "$(serial_value or rehost-openrc)" "rehost-openrc=default"
  fi
fi
boot_stop or
finish
