# Chained conversion of the openstack-converted image (profile.openstack):
# OpenStack -> Hyper-V (vhdx, hyperv-daemons from packages). Debian's
# initramfs (MODULES=most) already has the Hyper-V boot drivers, and hv_utils
# (integration services) is loaded from the root filesystem: no rebuild (the
# rebuild path is initramfs.debian's, FULL=1). The output is read back against
# its profile, and boots (under qemu, IDE disk). It is kept for profile.azure
# (FULL=1), which converts it on.
source "$(dirname "$0")/lib.sh"
EXPECT_NET=dhcp # what the openstack image (the chain's source) has
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/openstack.qcow2
[ -f "$SRC" ] || { fail "$SRC missing: profile.openstack did not pass"; finish; }
# one package directory per platform: every package in DIR is installed
PKGS=$("$REHOST_SRC/tests/fixtures/fetch-agents.sh" hyperv-daemons 2> "$T/fetch.err") \
  || { echo "cannot fetch agent packages (no Debian mirror?): $(tail -2 "$T/fetch.err")"; exit 77; }
before=$(sum "$SRC")

"$REHOST" convert --profile hyperv --packages "$PKGS" -o "$T/hv.vhdx" --report "$T/hv.json" "$SRC" \
  > /dev/null 2> "$T/hv.err" || fail "convert hyperv: $(tail -5 "$T/hv.err")"
expect_eq "hyperv: the boot drivers are in the initramfs already: no rebuild" \
  "$(jq -r '[.changes[] | select(.action=="rebuild" or .action=="add-initramfs-modules")] | length' "$T/hv.json")" 0
if grep -q "no module" "$T/hv.err"; then fail "hyperv: a module reported missing: $(grep 'no module' "$T/hv.err")"
else ok "hyperv: the kernel has hv_utils (no warning)"; fi
guest_dump "$T/hv.vhdx" vhdx "$T/hv.dump" hyperv-daemons waagent
assert_profile "$T/hv.dump" "$REHOST_SRC/profiles/hyperv.json" "$T/hv.vhdx" vhdx
expect_match "hyperv: no Azure agent" "$(section "$T/hv.dump" dpkg | grep '^waagent')" "missing|not-installed"
expect_match "hyperv: KVP daemon enabled" "$(section "$T/hv.dump" enabled)" "^hv-kvp-daemon\.service$"

# it boots (qemu, IDE disk: no Hyper-V here)
boot_start hv -drive "file=$T/hv.vhdx,format=vhdx,if=ide" -nic none
boot_wait hv "login:" 600
boot_stop hv
expect_eq "the openstack image (the source here) is not written" "$(sum "$SRC")" "$before"
expect_no_temp "$T"
if [ "$FAILS" -eq 0 ]; then mv "$T/hv.vhdx" "$REHOST_ARTIFACTS/hyperv.vhdx"; fi
finish
