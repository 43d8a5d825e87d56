# Network continuity on guests whose network is not like the fixture's: the
# openstack-converted fixture (it has cloud-init, made to leave the network
# alone so that only the guest's own configuration can bring the NIC up) is
# turned into two guests the field brought:
#   networkd: ifupdown has only lo; systemd-networkd has a static address on
#     every NIC named en* (a glob, no name), and a file for a second NIC
#     that a .link file names mgmt0 by its MAC; no DHCP client at all.
#     Binding that second NIC puts net.ifnames=0 on the kernel command line:
#     the glob must now match eth0 too, or the second NIC's file is the one
#     that matches it.
#     Its boot names the root by the source's disk name: root=/dev/sda1 on
#     GRUB_CMDLINE_LINUX and GRUB_DISABLE_LINUX_UUID=true (grub-mkconfig,
#     run in the appliance, would write the appliance's name for the root).
#     Booted on virtio (/dev/vda), it must find its root. grub-pc's install
#     device is the source's disk by its VMware serial (cloud-init's
#     grub-dpkg, which would fix it, is off, as on a guest without
#     cloud-init): on the target, reconfiguring grub-pc must succeed.
#   lan0: ifupdown, a static address on the VLAN lan0.100 and no stanza for
#     lan0 itself (as Debian's VLAN examples write it), lan0 a name the
#     guest's own udev rule gives its NIC by MAC (which the target's NIC
#     does not have), no "source interfaces.d" line; isc-dhcp-client
#     installed. Finalized with --network dhcp: a cloud-like network passes
#     no VLAN tags, so the VLAN must lose its address and lan0 (now eth0)
#     must get a stanza asking DHCP. Booted with FULL=1 (lib.sh full_matrix).
#   bridge: systemd-networkd, a bridge br0 over an active-backup bond0 over
#     the NIC (bound by its MAC), a static address on the bridge and a VLAN
#     vlan100 on the bridge with its own; finalized with --network dhcp: the
#     bridge asks DHCP, the bond and the NIC stay ports, the VLAN loses its
#     address and stays up. sshd answering through the address DHCP gave
#     shows traffic flowing through bond and bridge on the new NIC. Its
#     static /etc/resolv.conf, which networkd's DHCP never updates without
#     systemd-resolved, is named in a warning.
#   extlinux: no GRUB at all; extlinux boots it (its APPEND line holds the
#     kernel command line, a second label chain-loads another disk),
#     ifupdown static on the source's ens192, IPv6 too (its stanza first,
#     with accept_ra 0), and a netplan file for ens192 that outlived netplan
#     (it configures nothing: ifupdown must stay the guest's network).
#     Finalized with --network dhcp: IPv6 must come from
#     the target's router advertisements (inet6 auto), not fail the NIC;
#     the configuration now names eth0, which only net.ifnames=0 on the
#     APPEND line makes the new NIC's name; the chain-loading label is left
#     alone. Before extlinux is installed, a dry run on the same guest (no
#     bootloader configuration at all) warns that eth0 needs that argument.
# Each is finalized for kvm and booted with a NIC whose MAC and name differ
# from the source's; the serial line must show an IPv4 address on it.
# Plus: a guest whose ifupdown needs DHCP but has no client is refused with
# the package named, before anything is written; a dry run lists that and
# every other problem; a client dpkg lists but whose program is gone is not
# taken as installed from --packages.
source "$(dirname "$0")/lib.sh"
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }
NOCI='echo "network: {config: disabled}" > /etc/cloud/cloud.cfg.d/99-site-network.cfg'

# ---- the guests: copies of the openstack image, all edited in one appliance launch ----
# networkd with a MAC match and a static address
ND_EDIT="$NOCI
printf 'auto lo\niface lo inet loopback\n' > /etc/network/interfaces
rm -f /etc/network/interfaces.d/* /etc/udev/rules.d/70-persistent-net.rules
sed -i 's/net.ifnames=0//g; s/biosdevname=0//g' /etc/default/grub
mkdir -p /etc/systemd/network
printf '[Match]\nName=en*\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\nDNS=10.0.2.3\n' > /etc/systemd/network/10-lan.network
printf '[Match]\nMACAddress=00:50:56:00:02:24\n\n[Link]\nName=mgmt0\n' > /etc/systemd/network/20-mgmt.link
printf '[Match]\nName=mgmt0\n\n[Network]\nAddress=10.0.5.15/24\n' > /etc/systemd/network/20-mgmt.network
systemctl disable networking.service
systemctl enable systemd-networkd.service
rm -f /sbin/dhclient /usr/sbin/dhclient
echo GRUB_DISABLE_LINUX_UUID=true >> /etc/default/grub
sed -i 's|^GRUB_CMDLINE_LINUX=\"|GRUB_CMDLINE_LINUX=\"root=/dev/sda1 |' /etc/default/grub
mkdir -p /etc/default/grub.d
printf 'GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0\"\nGRUB_CMDLINE_LINUX=\"root=/dev/sda1\"\nGRUB_TERMINAL=console\n' > /etc/default/grub.d/50-cloudimg-settings.cfg
echo 'grub_dpkg: {enabled: false}' > /etc/cloud/cloud.cfg.d/99-no-grub-dpkg.cfg
echo 'grub-pc grub-pc/install_devices multiselect /dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6' | debconf-set-selections"
# ifupdown VLAN over lan0, named by a udev rule; no source line
ENS_EDIT="$NOCI
printf 'auto lo\niface lo inet loopback\n\nauto lan0.100\niface lan0.100 inet static\n  address 10.5.0.5/24\n  gateway 10.5.0.1\n' > /etc/network/interfaces
rm -f /etc/network/interfaces.d/*
printf 'SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"00:50:56:00:01:92\", NAME=\"lan0\"\n' > /etc/udev/rules.d/70-persistent-net.rules
sed -i 's/net.ifnames=0//g; s/biosdevname=0//g' /etc/default/grub"
# networkd: a bridge over a bond over the NIC, a VLAN on the bridge
BR_EDIT="$NOCI
printf 'auto lo\niface lo inet loopback\n' > /etc/network/interfaces
rm -f /etc/network/interfaces.d/* /etc/udev/rules.d/70-persistent-net.rules
sed -i 's/net.ifnames=0//g; s/biosdevname=0//g' /etc/default/grub
mkdir -p /etc/systemd/network
cd /etc/systemd/network
printf '[Match]\nMACAddress=00:50:56:00:03:01\n\n[Network]\nBond=bond0\n' > 10-uplink.network
printf '[NetDev]\nName=bond0\nKind=bond\n\n[Bond]\nMode=active-backup\nMIIMonitorSec=100ms\n' > 20-bond0.netdev
printf '[Match]\nName=bond0\n\n[Network]\nBridge=br0\n' > 20-bond0.network
printf '[NetDev]\nName=br0\nKind=bridge\n' > 30-br0.netdev
printf '[Match]\nName=br0\n\n[Network]\nAddress=192.168.10.5/24\nGateway=192.168.10.1\nDNS=192.168.10.1\nVLAN=vlan100\n' > 30-br0.network
printf '[NetDev]\nName=vlan100\nKind=vlan\n\n[VLAN]\nId=100\n' > 40-vlan100.netdev
printf '[Match]\nName=vlan100\n\n[Network]\nAddress=10.5.0.5/24\nGateway=10.5.0.1\n' > 40-vlan100.network
printf '# the source network resolver\nsearch example.com\nnameserver 192.168.10.1\n' > /etc/resolv.conf
systemctl disable networking.service
systemctl enable systemd-networkd.service"
# no GRUB (extlinux is installed after a dry run without it)
XL_EDIT="$NOCI
printf 'auto lo\niface lo inet loopback\n\nallow-hotplug ens192\niface ens192 inet6 static\n  address fd00:10::15/64\n  gateway fd00:10::1\n  accept_ra 0\n  autoconf 0\niface ens192 inet static\n  address 10.0.2.15/24\n  gateway 10.0.2.2\n' > /etc/network/interfaces
rm -f /etc/network/interfaces.d/* /etc/udev/rules.d/70-persistent-net.rules
mkdir -p /etc/netplan && printf 'network:\n  version: 2\n  ethernets:\n    ens192:\n      addresses: [10.0.2.99/24]\n' > /etc/netplan/50-cloud-init.yaml
root=\$(grep -o 'root=UUID=[0-9a-f-]*' /boot/grub/grub.cfg | head -1)
kernel=\$(ls /boot/vmlinuz-* | head -1); initrd=\$(ls /boot/initrd.img-* | head -1)
printf 'DEFAULT debian\nTIMEOUT 1\nPROMPT 0\n\nLABEL debian\n  LINUX %s\n  INITRD %s\n  APPEND %s ro console=ttyS0\n\nLABEL hd\n  KERNEL chain.c32\n  APPEND hd1\n' \$kernel \$initrd \$root > /root/extlinux.conf
rm -rf /boot/grub /etc/default/grub /usr/sbin/update-grub /usr/sbin/grub-mkconfig /usr/sbin/grub-install"
for g in nd ens ens-nocl br xl; do cp "$SRC" "$T/$g.qcow2"; done
# ens-nocl: the lan0 guest whose DHCP client's program is gone (dpkg still lists it)
guest_edits "$T/nd.qcow2" "$ND_EDIT" "$T/ens.qcow2" "$ENS_EDIT" \
  "$T/ens-nocl.qcow2" "$ENS_EDIT
mv /sbin/dhclient /sbin/dhclient.away" "$T/br.qcow2" "$BR_EDIT" "$T/xl.qcow2" "$XL_EDIT"

# ---- networkd with a MAC match and a static address ----
before=$(sum "$T/nd.qcow2")
"$REHOST" finalize --profile kvm --report "$T/nd.json" "$T/nd.qcow2" > "$T/nd.out" 2> "$T/nd.err" \
  || fail "finalize networkd guest: $(tail -5 "$T/nd.err")"
[ "$(sum "$T/nd.qcow2")" != "$before" ] && ok "networkd guest edited" || fail "networkd guest unchanged"
expect_eq "networkd: the report names the glob widened and the MAC match rebound" \
  "$(jq -r '.changes[] | select(.action=="network-match-nic") | .file + " " + .after' "$T/nd.json" | sort | tr '\n' ' ')" \
  "/etc/systemd/network/10-lan.network Name=en* eth* /etc/systemd/network/20-mgmt.network Name=eth0 "
expect_match "networkd: the NIC map is reported (the .link file's name and its MAC)" \
  "$(jq -r '.changes[] | select(.action=="network-nic") | .before + " -> " + .after' "$T/nd.json")" \
  "^mgmt0 00:50:56:00:02:24 -> eth0$"
expect_eq "networkd: the .link file's naming by MAC goes" \
  "$(jq -r '.changes[] | select(.file=="/etc/systemd/network/20-mgmt.link") | .action + " " + .before' "$T/nd.json")" \
  "remove-mac-binding Name=mgmt0"
expect_match "networkd: net.ifnames=0 on the kernel command line" \
  "$(jq -r '.changes[] | select(.action=="kernel-cmdline") | .after' "$T/nd.json")" "net.ifnames=0"
expect_match "networkd: systemd-networkd is the service finalize chose" "$(cat "$T/nd.err")" \
  "network: systemd-networkd on the target's NIC"
if jq -e '.changes[] | select(.action=="enable-service" and (.file | test("networking")))' "$T/nd.json" > /dev/null; then
  fail "networkd: ifupdown's networking was enabled on a networkd guest"
else ok "networkd: networking left alone"; fi
expect_eq "networkd: root=/dev/sda1 on the kernel command line becomes the root's UUID, in grub.d's file too" \
  "$(jq -r '.changes[] | select(.action=="device-name-to-uuid") | .file + " " + .before' "$T/nd.json" | tr '\n' ' ')" \
  "/etc/default/grub root=/dev/sda1 /etc/default/grub.d/50-cloudimg-settings.cfg root=/dev/sda1 "
expect_match "networkd: grub.d's GRUB_CMDLINE_LINUX (sourced after /etc/default/grub) gets net.ifnames=0 too" \
  "$(jq -r '.changes[] | select(.file=="/etc/default/grub.d/50-cloudimg-settings.cfg" and .action=="kernel-cmdline") | .after' "$T/nd.json")" \
  "^root=UUID=[0-9a-f-]+ console=ttyS0 net.ifnames=0 biosdevname=0$"
expect_match "networkd: grub-mkconfig told to use the UUID again" \
  "$(jq -r '.changes[] | select(.action=="bootloader") | .after' "$T/nd.json")" '^GRUB_DISABLE_LINUX_UUID="false"$'
expect_eq "networkd: grub-pc's install device (the source's disk) goes to a first-boot unit" \
  "$(jq -r '.changes[] | select(.action=="grub-install-devices") | .before' "$T/nd.json")" \
  "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6"
make_seed "$T/seed-nd.iso" rehost-networkd \
  'echo "rehost-grub=$(debconf-show grub-pc | sed -n "s|.*grub-pc/install_devices: ||p") rehost-grub-reconfigure=$(DEBIAN_FRONTEND=noninteractive dpkg-reconfigure grub-pc > /dev/null 2>&1; echo $?)" > /dev/ttyS0'
boot_start nd -drive "file=$T/nd.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-nd.iso,format=raw,if=virtio,readonly=on" -nic user,model=virtio-net-pci,mac=52:54:00:ab:cd:01

# ---- ifupdown VLAN over lan0, named by a udev rule; no source line (built while the first boots) ----
# A dry run goes through every step: for azure without --packages, both the
# missing agent (exit 3) and the missing DHCP client (exit 4) are found, the
# other steps' edits are still planned, and the exit status is the first's.
rc=0; "$REHOST" finalize --dry-run --profile azure --report "$T/two.json" "$T/ens-nocl.qcow2" \
  > "$T/two.out" 2> "$T/nocl.err" || rc=$?
expect_eq "dry run with two problems: exit status of the first (agents)" "$rc" 3
expect_eq "dry run report lists both problems" "$(jq -r '[.problems[].step] | join(" ")' "$T/two.json")" "agents files"
expect_match "no --packages: the missing agent and its package named" "$(cat "$T/nocl.err")" \
  "agent packages missing \(no --packages DIR\): waagent \(walinuxagent\)"
expect_match "no DHCP client: the message names the package" "$(grep -a 'DHCP client' "$T/nocl.err")" \
  "ifupdown.*needs a DHCP client on the target and has none: install isc-dhcp-client"
# (azure's boot drivers are in this initramfs already: the initramfs step plans nothing)
expect_match "dry run still plans the later steps (bootloader), after the problem" \
  "$(jq -r '[.changes[].action] | join(" ")' "$T/two.json")" "problem.* regenerate$"
expect_match "dry run prints its problems after the plan" "$(cat "$T/two.out")" "finalize would fail: 2 problems"
# dpkg still lists the client (only its program is gone): installing the same
# version from --packages is skipped, so finalize must say so, not go on with
# a NIC that stays down. With --clone, the image is left as it is.
if download_deb "$T/dhcp-pkgs" isc-dhcp-client; then
  run_expect_fail 4 "lists its DHCP client as installed, but there is no dhclient, dhcpcd or udhcpc in the guest" \
    "$REHOST" -q finalize --profile kvm --network dhcp --packages "$T/dhcp-pkgs" --clone "$T/ens-clone.qcow2" "$T/ens-nocl.qcow2"
  expect_no_file "$T/ens-clone.qcow2"
fi
"$REHOST" finalize --profile kvm --network dhcp --report "$T/ens.json" "$T/ens.qcow2" > "$T/ens.out" 2> "$T/ens.err" \
  || fail "finalize lan0 guest: $(tail -5 "$T/ens.err")"
expect_eq "lan0: the VLAN made manual, lan0 given a DHCP stanza, both renamed to eth0" \
  "$(jq -r '.changes[] | select(.action=="network-rename-nic") | .after' "$T/ens.json" | tr '\n' ' ')" \
  "auto eth0.100 iface eth0.100 inet manual auto eth0 iface eth0 inet dhcp "
expect_eq "lan0: the NIC map is reported (the udev rule's name and its MAC)" \
  "$(jq -r '.changes[] | select(.action=="network-nic") | .before + " -> " + .after' "$T/ens.json")" \
  "lan0 00:50:56:00:01:92 -> eth0"
expect_match "lan0: the udev rule naming it by MAC is commented out" \
  "$(jq -r '.changes[] | select(.file=="/etc/udev/rules.d/70-persistent-net.rules") | .action' "$T/ens.json")" \
  "^remove-mac-binding$"
expect_match "lan0: net.ifnames=0 on the kernel command line" \
  "$(jq -r '.changes[] | select(.action=="kernel-cmdline") | .after' "$T/ens.json")" "net.ifnames=0"

if boot_wait nd "rehost-ipv4=" 900; then
  expect_match "networkd: booted on virtio, its root found by UUID" \
    "$(serial_value nd rehost-root)" "^rehost-root=/dev/vda1$"
  expect_match "networkd: grub-pc's install device is the target's disk, and grub-pc reconfigures" \
    "$(grep -ao 'rehost-grub=[^[:space:]]* rehost-grub-reconfigure=[0-9]*' "$T/nd.serial" | head -1)" \
    "^rehost-grub=/dev/vda rehost-grub-reconfigure=0$"
  # 10.0.5.15 (the second NIC's file) if the glob were left to match nothing
  expect_match "networkd: the new NIC (another MAC) has the glob's static address" \
    "$(serial_value nd rehost-ipv4)" "^rehost-ipv4=eth0=10\.0\.2\.15/24,$"
fi
boot_stop nd

# its boot is the full matrix's: CI boots ifupdown's DHCP on a renamed NIC
# in field.openrc and field.legacy, and VLANs in field.guests and the bridge
# guest below
boot_ens=
if full_matrix "network.field: the lan0 guest's boot (its VLAN over the renamed NIC)"; then
  boot_ens=1
  make_seed "$T/seed-ens.iso" rehost-ens192 'i=0; while [ $i -lt 60 ] && ! ip -o link show type vlan | grep -q @; do sleep 1; i=$((i + 1)); done; echo "rehost-vlans=$(ip -o link show type vlan | cut -d: -f2 | tr -d " " | tr "\n" ",")" > /dev/ttyS0'
  boot_start ens -drive "file=$T/ens.qcow2,format=qcow2,if=virtio" \
    -drive "file=$T/seed-ens.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:02
fi

# ---- networkd: a bridge over a bond over the NIC, a VLAN on the bridge (built while lan0 boots, FULL=1) ----
"$REHOST" finalize --profile kvm --network dhcp --report "$T/br.json" "$T/br.qcow2" > "$T/br.out" 2> "$T/br.err" \
  || fail "finalize bridge-over-bond guest: $(tail -5 "$T/br.err")"
expect_eq "bridge: the NIC's MAC match becomes eth0" \
  "$(jq -r '.changes[] | select(.action=="network-match-nic") | .file + " " + .after' "$T/br.json" | tr '\n' ' ')" \
  "/etc/systemd/network/10-uplink.network Name=eth0 "
expect_eq "bridge: only the bridge's file is addressed (DHCP), the VLAN's static address goes" \
  "$(jq -r '.changes[] | select(.file | test("/etc/systemd/network/")) | select(.action | test("dhcp|address|route|gateway")) | .file' "$T/br.json" | sort -u | tr '\n' ' ')" \
  "/etc/systemd/network/30-br0.network /etc/systemd/network/40-vlan100.network "
expect_eq "bridge: the static /etc/resolv.conf that networkd's DHCP will not update is named (no systemd-resolved)" \
  "$(jq -r '.changes[] | select(.file=="/etc/resolv.conf" and .action=="warning") | .before' "$T/br.json")" "192.168.10.1"
expect_match "bridge: and said on stderr" "$(cat "$T/br.err")" "/etc/resolv.conf: names 192.168.10.1, and systemd-networkd"
expect_no_match "bridge: the bond's and the NIC's files get no addressing" \
  "$(jq -r '.changes[] | select(.file | test("(10-uplink|20-bond0)[.]network")) | .action' "$T/br.json")" "dhcp|address"

if [ -n "$boot_ens" ]; then
  if boot_wait ens "rehost-ipv4=" 900; then
    expect_match "lan0: the new NIC got an address by DHCP, the VLAN none" \
      "$(serial_value ens rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
    expect_eq "lan0: the VLAN is up over eth0" "$(serial_value ens rehost-vlans)" \
      "rehost-vlans=eth0.100@eth0,"
  fi
  boot_stop ens
fi

# the links as the booted guest has them: NAME:MASTER:LOWER:STATE for the
# NIC, the bond, the bridge and the VLAN
make_seed "$T/seed-br.iso" rehost-bridge "$(links_report 'ip -o link show type vlan | grep -q @' eth0 bond0 br0 vlan100)"
br_port=$(free_port)
boot_start br -drive "file=$T/br.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-br.iso,format=raw,if=virtio,readonly=on" \
  -nic "user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:03,hostfwd=tcp:127.0.0.1:$br_port-:22"
# ---- no GRUB: extlinux boots it (built while the bridge guest boots) ----
# no bootloader configuration at all: the kernel command line cannot be
# edited, and the NIC named eth0 needs it: said, and recorded
"$REHOST" finalize --dry-run --profile kvm --network dhcp --report "$T/xl-none.json" "$T/xl.qcow2" \
  > /dev/null 2> "$T/xl-none.err" || fail "dry run of the guest without a bootloader: $(tail -3 "$T/xl-none.err")"
expect_match "no bootloader: the warning says eth0 needs net.ifnames=0" \
  "$(jq -r '.changes[] | select(.file=="bootloader" and .action=="warning") | .reason' "$T/xl-none.json")" \
  "no bootloader configuration rehost edits was found.*names the NIC eth0, which needs net.ifnames=0"
# extlinux in its boot sector, the MBR's boot code, partition 1 active
guestfish --format=qcow2 -a "$T/xl.qcow2" -i mkdir-p /boot/extlinux : mv /root/extlinux.conf /boot/extlinux/extlinux.conf \
  : extlinux /boot/extlinux > "$T/edit.out" 2>&1 || fail "installing extlinux: $(tail -3 "$T/edit.out")"
qemu-io -f qcow2 -c "write -s /usr/lib/EXTLINUX/mbr.bin 0 440" -c "write -P 0x80 446 1" "$T/xl.qcow2" > /dev/null \
  || fail "writing the MBR's boot code"
"$REHOST" finalize --profile kvm --network dhcp --report "$T/xl.json" --scan-report "$T/xl-scan.json" "$T/xl.qcow2" > "$T/xl.out" 2> "$T/xl.err" \
  || fail "finalize extlinux guest: $(tail -5 "$T/xl.err")"
expect_eq "extlinux: the scan names the bootloader and its configuration" \
  "$(jq -r '.boot.bootloader + " " + .boot.config' "$T/xl-scan.json")" "extlinux /boot/extlinux/extlinux.conf"
expect_eq "extlinux: net.ifnames=0 on the Linux label's APPEND line, and on no other" \
  "$(jq -r '.changes[] | select(.file=="/boot/extlinux/extlinux.conf" and .action=="kernel-cmdline") | .after' "$T/xl.json" | sed 's/root=UUID=[0-9a-f-]*/root=UUID=X/')" \
  "root=UUID=X ro console=ttyS0 net.ifnames=0 biosdevname=0"
expect_match "extlinux: the bootloader step says where the command line went" "$(cat "$T/xl.err")" \
  "no GRUB in the guest; the kernel command line was edited in its boot entries \(1:"
expect_eq "extlinux: ens192's stanza made eth0's, with DHCP" \
  "$(jq -r '.changes[] | select(.action=="network-nic") | .before + " -> " + .after' "$T/xl.json")" "ens192 -> eth0"
expect_eq "extlinux: a netplan file left behind (no netplan in the guest) is not the guest's configuration: left alone" \
  "$(jq -r '[.changes[] | select(.file | startswith("/etc/netplan"))] | length' "$T/xl.json")" 0
expect_match "extlinux: the left-over netplan file is named" "$(cat "$T/xl.err")" \
  "/etc/netplan/50-cloud-init.yaml \(netplan\) is there, but not the program that reads it"
expect_eq "extlinux: the scan lists ifupdown alone as the network's manager (the file is listed, netplan is not)" \
  "$(jq -r '([.network.managers[]] | join(" ")) + " / " + ([.network.interfaces[] | select(.file | startswith("/etc/netplan"))] | length | tostring)' "$T/xl-scan.json")" \
  "ifupdown / 1"
expect_match "extlinux: ifupdown's networking brings the NIC up" "$(cat "$T/xl.err")" \
  "network: networking on the target's NIC with DHCP"
expect_match "extlinux: the static IPv6 stanza made SLAAC (inet6 auto), the IPv4 one DHCP" \
  "$(jq -r '.changes[] | select(.action=="network-dhcp" and (.after // "" | startswith("iface"))) | .after' "$T/xl.json" | tr '\n' ';')" \
  "^iface (ens192|eth0) inet6 auto;iface (ens192|eth0) inet dhcp;$"

if boot_wait br "rehost-ipv4=" 900; then
  expect_match "bridge: DHCP gave the bridge an address, and nothing else has one (the VLAN's static is gone)" \
    "$(serial_value br rehost-ipv4)" "^rehost-ipv4=br0=10\.9\.9\.15/24,$"
  expect_eq "bridge: the new NIC (another MAC) in the bond, the bond in the bridge, the VLAN over the bridge, all up" \
    "$(serial_value br rehost-links)" \
    "rehost-links=eth0:bond0::up,bond0:br0:eth0:up,br0::bond0:up,vlan100::br0:up,"
  expect_eq "bridge: sshd answers at the address DHCP gave the bridge (traffic flows through bond and bridge)" \
    "$(ssh_banner "$br_port")" SSH-2.0
fi
boot_stop br

make_seed "$T/seed-xl.iso" rehost-extlinux 'echo "rehost-cmdline=$(tr " " "," < /proc/cmdline)" > /dev/ttyS0; i=0; while [ $i -lt 60 ] && ! ip -6 -o addr show dev eth0 | grep -v "scope link" | grep -q inet6; do sleep 1; i=$((i + 1)); done; echo "rehost-ipv6=$(ip -6 -o addr show dev eth0 | grep -v "scope link" | while read -r n d f a r; do printf "%s=%s," "$d" "$a"; done)" > /dev/ttyS0'
boot_start xl -drive "file=$T/xl.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-xl.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:04
if boot_wait xl "rehost-ipv4=" 900; then
  expect_match "extlinux: booted by extlinux with net.ifnames=0 from its APPEND line" \
    "$(serial_value xl rehost-cmdline)" "ro,console=ttyS0,net.ifnames=0,biosdevname=0"
  expect_match "extlinux: the new NIC (another MAC) is eth0 and got an address by DHCP" \
    "$(serial_value xl rehost-ipv4)" "^rehost-ipv4=eth0=10\.9\.9\.15/24,$"
  # qemu's user network advertises fec0::/64; the source's fd00:10::15 is gone
  expect_match "extlinux: IPv6 by the target's router advertisements (SLAAC from its MAC), the static one gone" \
    "$(serial_value xl rehost-ipv6)" "^rehost-ipv6=eth0=fec0::5054:ff:feab:cd04/64,$"
fi
boot_stop xl
finish
