# Debian 13 (trixie), as a VMware machine has it (tests/fixtures/build-trixie-
# guest.sh): merged /usr, systemd 257, netplan's networkd renderer with static
# IPv4 and IPv6 on ens192 bound to a VMware MAC, systemd-resolved, open-vm-
# tools, the clock in local time. Converted for openstack with trixie's own
# cloud-init and qemu-guest-agent (--packages), booted on virtio with another
# MAC: open-vm-tools gone, the netplan file bound to eth0 with DHCP (IPv4 and
# the router's advertisements for IPv6), cloud-init's seed honoured, the agent
# answering, the source never written. FULL=1 only: CI boots each of these
# capabilities on Debian 12 guests (field.guests, network.field,
# boot.openstack); this is the current Debian release, end to end.
source "$(dirname "$0")/lib.sh"
TX=$("$REHOST_SRC/tests/fixtures/build-trixie-guest.sh" 2> "$T/fixture.err") \
  || { fail "building the Debian 13 fixture: $(tail -5 "$T/fixture.err")"; finish; }
# shellcheck disable=SC1091
source "$TX/facts.env"

src=$T/trixie-src.qcow2
cp --sparse=always "$TX/trixie.qcow2" "$src"
before=$(sum "$src")
"$REHOST" convert --profile openstack --packages "$TX/pkgs" -o "$T/tx.qcow2" --report "$T/tx.json" \
  --scan-report "$T/tx-scan.json" "$src" > /dev/null 2> "$T/tx.err" \
  || fail "convert the Debian 13 guest for openstack: $(tail -5 "$T/tx.err")"
expect_eq "trixie: source never written" "$(sum "$src")" "$before"
expect_match "trixie: the output passes qemu-img check" "$(qemu-img check -f qcow2 "$T/tx.qcow2" 2>&1)" \
  "No errors were found on the image"
R=$T/tx-scan.json
jq_eq $R '.os.distro + " " + .os.version' "debian 13"
jq_eq $R '.network.managers | join(" ")' "netplan"
jq_eq $R "[.network.interfaces[] | select(.file==\"/etc/netplan/50-vmware.yaml\")][0] | [.name, .method, .address, .hwaddress] | join(\" \")" \
  "ens192 static 10.0.2.15/24 $TRIXIE_MAC"
expect_eq "trixie: open-vm-tools purged with the guest's dpkg" \
  "$(jq -r '[.changes[] | select(.action=="remove-source-tools") | .before] | join(" ")' "$T/tx.json")" \
  "open-vm-tools"
expect_eq "trixie: the clock reset to UTC (the source kept local time)" \
  "$(jq -r '.changes[] | select(.action=="reset-clock") | .before' "$T/tx.json")" "LOCAL, drift 0.012345 s/day"
expect_match "trixie: netplan's entry bound to eth0 and turned to DHCP" \
  "$(jq -r '.changes[] | select(.file=="/etc/netplan/50-vmware.yaml") | .action' "$T/tx.json" | sort -u | tr '\n' ' ')" \
  "network-dhcp .*network-match-nic "
expect_match "trixie: the agents installed from trixie's packages" \
  "$(jq -r '[.changes[] | select(.action=="install-agents") | .after] | join(" ")' "$T/tx.json")" \
  "^cloud-init qemu-guest-agent$"

make_seed "$T/seed-tx.iso" rehost-trixie-boot 'i=0; while [ $i -lt 60 ] && ! ip -6 -o addr show dev eth0 | grep -v "scope link" | grep -q inet6; do sleep 1; i=$((i + 1)); done; echo "rehost-ipv6=$(ip -6 -o addr show dev eth0 | grep -v "scope link" | while read -r n d f a r; do printf "%s=%s," "$d" "$a"; done)" > /dev/ttyS0; echo "rehost-vmtools=$(dpkg-query -W -f="\${Status}" open-vm-tools 2> /dev/null | tr " " _)" > /dev/ttyS0'
boot_start tx -drive "file=$T/tx.qcow2,format=qcow2,if=virtio" \
  -drive "file=$T/seed-tx.iso,format=raw,if=virtio,readonly=on" -nic user,net=10.9.9.0/24,model=virtio-net-pci,mac=52:54:00:ab:cd:13
if boot_wait tx "rehost-ipv4=" 1200; then
  expect_match "trixie: seeded hostname (cloud-init), root by its UUID's device" \
    "$(grep -ao 'rehost-hostname=[^[:space:]]* rehost-root=[^[:space:]]*' "$T/tx.serial" | sed -n 1p)" \
    "^rehost-hostname=rehost-trixie-boot rehost-root=/dev/vda1$"
  expect_eq "trixie: the new NIC (another MAC) is eth0, its IPv4 address by DHCP" \
    "$(serial_value tx rehost-ipv4)" "rehost-ipv4=eth0=10.9.9.15/24,"
  expect_match "trixie: IPv6 from the new network's router advertisements (SLAAC), the static fd00:10::15 gone" \
    "$(serial_value tx rehost-ipv6)" "^rehost-ipv6=(eth0=fec0::[0-9a-f:]+/64,)+$"
  expect_match "trixie: open-vm-tools is not installed" "$(serial_value tx rehost-vmtools)" "^rehost-vmtools=(unknown_ok_not-installed|deinstall_ok_config-files)?$"
  expect_match "trixie: qemu-guest-agent answers" \
    "$(qga tx '{"execute":"guest-get-host-name"}' || echo no-answer)" '"host-name": *"rehost-trixie-boot"'
fi
boot_stop tx
finish
