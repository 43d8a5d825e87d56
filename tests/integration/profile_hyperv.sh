# Chained conversions of the openstack-converted image (profile.openstack):
# OpenStack -> Hyper-V (vhdx, hyperv-daemons from packages; Debian's initramfs
# lacks hv_utils, so it is rebuilt with the guest's update-initramfs: the slow
# path, about 7 minutes under TCG) -> Azure (fixed VHD, MiB-aligned size;
# walinuxagent from packages; the Hyper-V drivers are now there: no rebuild).
# Each output is read back against its profile; the Hyper-V image, with its
# regenerated initramfs, still boots (under qemu, IDE disk).
source "$(dirname "$0")/lib.sh"
EXPECT_NET=dhcp # what the openstack image (the chain's source) has
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }
# one package directory per platform: every package in DIR is installed
PKGS=$("$REHOST_SRC/tests/fixtures/fetch-agents.sh" hyperv-daemons 2> "$T/fetch.err") \
  && AZPKGS=$("$REHOST_SRC/tests/fixtures/fetch-agents.sh" waagent 2>> "$T/fetch.err") \
  || { echo "cannot fetch agent packages (no Debian mirror?): $(tail -2 "$T/fetch.err")"; exit 77; }
before=$(sum "$SRC")

"$REHOST" convert --profile hyperv --packages "$PKGS" -o "$T/hv.vhdx" --report "$T/hv.json" "$SRC" \
  > /dev/null 2> "$T/hv.err" || fail "convert hyperv: $(tail -5 "$T/hv.err")"
expect_match "hyperv: the missing driver added to the initramfs" \
  "$(jq -r '.changes[] | select(.action=="add-initramfs-modules") | .after' "$T/hv.json")" "hv_utils"
expect_eq "hyperv: the initramfs rebuilt" "$(jq -r '[.changes[] | select(.action=="rebuild")] | length' "$T/hv.json")" 1
guest_dump "$T/hv.vhdx" vhdx "$T/hv.dump" hyperv-daemons waagent
assert_profile "$T/hv.dump" "$REHOST_SRC/profiles/hyperv.json" "$T/hv.vhdx" vhdx
expect_match "hyperv: no Azure agent" "$(section "$T/hv.dump" dpkg | grep '^waagent')" "missing|not-installed"
expect_match "hyperv: KVP daemon enabled" "$(section "$T/hv.dump" enabled)" "^hv-kvp-daemon\.service$"

"$REHOST" convert --profile azure --packages "$AZPKGS" -o "$T/az.vhd" --report "$T/az.json" "$T/hv.vhdx" \
  > /dev/null 2> "$T/az.err" || fail "convert azure: $(tail -5 "$T/az.err")"
expect_eq "azure: walinuxagent installed from its packages" \
  "$(jq -r '.changes[] | select(.action=="install-agents") | .after' "$T/az.json")" waagent
expect_eq "azure: drivers already there, no rebuild" "$(jq -r '[.changes[].action] | index("rebuild")' "$T/az.json")" null
guest_dump "$T/az.vhd" vpc "$T/az.dump" waagent cloud-init
assert_profile "$T/az.dump" "$REHOST_SRC/profiles/azure.json" "$T/az.vhd" vpc
expect_eq "azure: fixed VHD (file = virtual size + 512-byte footer)" "$(stat -c %s "$T/az.vhd")" \
  $(( $(qemu-img info --output=json -f vpc "$T/az.vhd" | jq '.["virtual-size"]') + 512 ))
expect_match "azure: walinuxagent enabled" "$(section "$T/az.dump" enabled)" "^walinuxagent\.service$"

# the regenerated initramfs boots (qemu, IDE disk: no Hyper-V here). The
# Hyper-V image, not the Azure one: Azure's rootdelay=300 would hold the boot
# for five minutes.
boot_start hv -drive "file=$T/hv.vhdx,format=vhdx,if=ide" -nic none
boot_wait hv "login:" 600
boot_stop hv
expect_eq "the openstack image (the source here) is not written" "$(sum "$SRC")" "$before"
expect_no_temp "$T"
finish
