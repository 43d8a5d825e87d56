# rehost finalize on the real Debian guest, kvm profile: a dry run lists every
# edit and changes nothing; a --clone finalize leaves the replicated target
# bit-for-bit unchanged (and syncable) while the clone carries every edit,
# checked by reading the clone's files and initramfs; in place, the target is
# marked finalized and refuses further syncs. A guest without a DHCP client
# gets one from --packages when DHCP needs it (FULL=1).
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
PKGS=$("$REHOST_SRC/tests/fixtures/fetch-agents.sh" qemu-guest-agent 2> "$T/fetch.err") \
  || { echo "cannot fetch agent packages (no Debian mirror?): $(tail -2 "$T/fetch.err")"; exit 77; }
cp --sparse=always "$FX/debian12-mbr.qcow2" "$T/src.qcow2"
"$REHOST" -q replicate "$T/src.qcow2" "$T/t.qcow2"
before=$(sum "$T/t.qcow2")

# ---- dry run ----
REHOST_APPLIANCE_CPUS=1 "$REHOST" -v finalize --dry-run --packages "$PKGS" --report "$T/dry.json" --profile kvm "$T/t.qcow2" \
  > "$T/dry.out" 2> "$T/dry.err" || fail "dry run: $(cat "$T/dry.err")"
expect_match "REHOST_APPLIANCE_CPUS sets the appliance's vCPUs" "$(cat "$T/dry.err")" "appliance: 1 vCPU, "
expect_eq "dry run leaves the target unchanged" "$(sum "$T/t.qcow2")" "$before"
jq_eq "$T/dry.json" .dry_run true
jq_eq "$T/dry.json" .profile kvm
acts=$(jq -r '.changes[].action' "$T/dry.json" | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')
for want in install-agents=1 remove-network-mount=2 device-name-to-uuid=1 reset-clock=1 remove-mac-binding=1 \
            kernel-cmdline=1 disable-service=2 regenerate=1; do
  expect_match "dry run plans $want" "$acts" "(^| )$want( |$)"
done
disabled=$(jq -r '.changes[] | select(.action=="disable-service") | .file' "$T/dry.json" | tr '\n' ' ')
expect_match "dry run disables libvirtd" "$disabled" "libvirtd.service"
expect_match "dry run disables iptables (no --firewall)" "$disabled" "iptables.service"
# Debian's initramfs (MODULES=most) already carries the virtio drivers: no rebuild
expect_eq "no initramfs rebuild planned when the drivers are there" \
  "$(jq -r '[.changes[].action] | index("rebuild")' "$T/dry.json")" null
expect_match "dry run prints the plan" "$(cat "$T/dry.out")" "finalize would make [0-9]+ changes"

# ---- agents: --firstboot-install defers them (missing packages without it
# are listed in network.field's dry run) ----
# the package format is the guest's, not the tool's: without dpkg, agents can't
# be installed now, but can at first boot (dpkg's status file says what is there)
cp --sparse=always "$T/t.qcow2" "$T/nodpkg.qcow2"
guest_edit "$T/nodpkg.qcow2" "mv /usr/bin/dpkg /usr/bin/dpkg.away"
run_expect_fail 4 "agents: the guest has no dpkg to install qemu-guest-agent now; use --firstboot-install" \
  "$REHOST" -q finalize --dry-run -f qcow2 --packages "$PKGS" --profile kvm "$T/nodpkg.qcow2"
"$REHOST" -q finalize --dry-run -f qcow2 --firstboot-install --report "$T/nodpkg.json" --profile openstack \
  "$T/nodpkg.qcow2" > /dev/null || fail "--firstboot-install dry run without dpkg"
expect_eq "without dpkg: first-boot install planned for both agents" \
  "$(jq -r '.changes[] | select(.action=="firstboot-install") | .after' "$T/nodpkg.json")" "cloud-init qemu-guest-agent"

# ---- --clone: the target stays as it is ----
"$REHOST" finalize --profile kvm --packages "$PKGS" --clone "$T/clone.qcow2" --report "$T/clone.json" "$T/t.qcow2" > "$T/clone.out" 2> "$T/clone.err" \
  || fail "clone finalize: $(cat "$T/clone.err")"
expect_eq "clone finalize leaves the target bit-for-bit unchanged" "$(sum "$T/t.qcow2")" "$before"
expect_eq "clone is an overlay on the target" "$(qemu-img info --output=json "$T/clone.qcow2" | jq -r '.["full-backing-filename"]')" "$T/t.qcow2"
expect_no_temp "$T"
guestfish --ro --format=qcow2 -a "$T/clone.qcow2" -i <<'GF' > "$T/guest.txt" 2> "$T/gf.err" || fail "reading the clone: $(cat "$T/gf.err")"
echo ==fstab
cat /etc/fstab
echo ==adjtime
cat /etc/adjtime
echo ==grub
cat /boot/grub/grub.cfg
echo ==udev
cat /etc/udev/rules.d/70-persistent-net.rules
echo ==wants
ls /etc/systemd/system/multi-user.target.wants
echo ==dpkg
sh "dpkg-query -W -f='${Status}' qemu-guest-agent; echo; test -e /usr/sbin/policy-rc.d && echo policy-left || true; ls /var/tmp"
echo ==initrd
sh "lsinitramfs /boot/initrd.img-* | grep -E '/(virtio|nvme|ena|xen|hv_)[^/]*[.]ko' | sort"
GF
section() { awk -v s="==$1" '$0==s{on=1;next} /^==/{on=0} on' "$T/guest.txt"; }
expect_match "fstab: NFS line removed, recorded" "$(section fstab)" "^#rehost-removed# fileserver.example.com:/export/home"
expect_match "fstab: CIFS line removed" "$(section fstab)" "#rehost-removed# //winserver.example.com/share"
expect_no_match "no network mounts left" "$(section fstab)" '^[^#]*(nfs|cifs)'
expect_match "fstab: root by UUID" "$(section fstab)" "^UUID=[0-9a-f-]+[[:space:]]+/[[:space:]]+ext4"
expect_eq "adjtime: UTC, no drift" "$(section adjtime | grep . | tr '\n' ' ')" "0.0 0 0.0 0 UTC "
expect_match "grub.cfg: serial console" "$(section grub)" "linux.*console=ttyS0"
expect_match "grub.cfg: eth0 keeps its name without the MAC rule" "$(section grub)" "linux.*net.ifnames=0"
expect_match "udev MAC rule removed" "$(section udev)" "^#rehost-removed# .*52:54:00:12:34:56"
expect_no_match "libvirtd disabled" "$(section wants)" '^libvirtd\.service$'
expect_no_match "iptables disabled" "$(section wants)" '^iptables\.service$'
expect_match "ssh enabled" "$(section wants)" "^ssh.service$"
for m in virtio_blk virtio_net virtio_scsi virtio_pci; do
  expect_match "initramfs has $m" "$(section initrd)" "/$m\.ko"
done
expect_eq "agent installed from --packages (dpkg status)" "$(section dpkg | head -1)" "install ok installed"
expect_eq "no install leftovers in the guest" "$(section dpkg | tail -n +2 | grep -v '^$' || true)" ""
jq_eq "$T/clone.json" .dry_run false
expect_eq "clone report matches the dry run's plan" "$(jq -c '[.changes[].action]' "$T/clone.json")" "$(jq -c '[.changes[].action]' "$T/dry.json")"

# the target still takes syncs: change the source, replicate, compare
qemu-io -f qcow2 -c "write -P 0x42 2G 64k" "$T/src.qcow2" > /dev/null
"$REHOST" -q replicate "$T/src.qcow2" "$T/t.qcow2" || fail "replicate after clone finalize"
qemu-img compare -q "$T/src.qcow2" "$T/t.qcow2" && ok "target synced after clone finalize" || fail "target differs after sync"

# ---- a DHCP client from --packages: ifupdown needs one for DHCP ----
# The fixture has no cloud-init, so its client can be purged cleanly; the
# client's package then comes from --packages (the agent is left to first boot).
# The full matrix's: CI installs packages from --packages above (the same
# install step), and network.field's dry run finds the missing client
if full_matrix "finalize.kvm: a DHCP client installed from --packages (CI installs the agent from --packages here; network.field finds a missing client)" &&
  download_deb "$T/dhcp-pkgs" isc-dhcp-client; then
  cp --sparse=always "$FX/debian12-mbr.qcow2" "$T/nocl.qcow2"
  guest_edit "$T/nocl.qcow2" "dpkg --purge isc-dhcp-client > /dev/null; test ! -e /sbin/dhclient"
  "$REHOST" convert --profile kvm --network dhcp --packages "$T/dhcp-pkgs" --firstboot-install -o "$T/nocl-out.qcow2" \
    --report "$T/nocl.json" "$T/nocl.qcow2" > /dev/null 2> "$T/nocl.err" \
    || fail "convert a guest without a DHCP client, the client in --packages: $(tail -3 "$T/nocl.err")"
  expect_match "the DHCP client installed from --packages, and said so" \
    "$(jq -r '.changes[] | select(.action=="install-packages") | .after' "$T/nocl.json")" "isc-dhcp-client"
  expect_eq "the client is in the converted guest" \
    "$(guestfish --ro -a "$T/nocl-out.qcow2" -i sh "dpkg-query -W -f='\${Status}' isc-dhcp-client; test -x /sbin/dhclient && echo ' dhclient'" 2>&1)" \
    "install ok installed dhclient"
fi

# ---- in place: marked finalized, syncs refused ----
# on a flattened copy of the clone: finalize again finds nothing left to edit
qemu-img convert -O qcow2 "$T/clone.qcow2" "$T/flat.qcow2"
cp "$T/t.qcow2.rehost.json" "$T/flat.qcow2.rehost.json"
jq '.source.path' "$T/flat.qcow2.rehost.json" > /dev/null
"$REHOST" --machine-readable finalize --report "$T/inplace.json" --profile kvm "$T/flat.qcow2" > /dev/null 2> "$T/inplace.err" \
  || fail "in-place finalize: $(cat "$T/inplace.err")"
expect_eq "second finalize: only the bootloader regenerated" "$(jq -c '[.changes[].action]' "$T/inplace.json")" '["regenerate"]'
expect_eq "second finalize: nothing left in fstab to change" "$(jq -r '[.changes[] | select(.file=="/etc/fstab")] | length' "$T/inplace.json")" 0
jq_eq "$T/flat.qcow2.rehost.json" .state finalized
run_expect_fail 7 "was finalized .*refusing to sync" "$REHOST" replicate "$T/src.qcow2" "$T/flat.qcow2"
run_expect_fail 7 "already finalized" "$REHOST" finalize --profile kvm "$T/flat.qcow2"
finish
