# Chained conversion of the Hyper-V image (profile.hyperv), as a migration
# from Hyper-V to Azure goes: fixed VHD, MiB-aligned size; walinuxagent from
# packages; the Hyper-V drivers are there now, so the initramfs is not
# rebuilt. The output is read back against its profile (Azure's rootdelay=300
# is left out: Debian's initramfs would sleep for it at every boot). FULL=1
# only: CI writes Azure's fixed VHD in convert.outputs.
source "$(dirname "$0")/lib.sh"
EXPECT_NET=dhcp # what the openstack image (the chain's first source) has
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
SRC=${REHOST_ARTIFACTS:?}/hyperv.vhdx
[ -f "$SRC" ] || { fail "$SRC missing: profile.hyperv did not pass"; finish; }
AZPKGS=$("$REHOST_SRC/tests/fixtures/fetch-agents.sh" waagent 2> "$T/fetch.err") \
  || { echo "cannot fetch agent packages (no Debian mirror?): $(tail -2 "$T/fetch.err")"; exit 77; }
before=$(sum "$SRC")

"$REHOST" convert --profile azure --packages "$AZPKGS" -o "$T/az.vhd" --report "$T/az.json" "$SRC" \
  > /dev/null 2> "$T/az.err" || fail "convert azure: $(tail -5 "$T/az.err")"
expect_eq "azure: walinuxagent installed from its packages" \
  "$(jq -r '.changes[] | select(.action=="install-agents") | .after' "$T/az.json")" waagent
expect_eq "azure: drivers already there, no rebuild" "$(jq -r '[.changes[].action] | index("rebuild")' "$T/az.json")" null
guest_dump "$T/az.vhd" vpc "$T/az.dump" waagent cloud-init
assert_profile "$T/az.dump" "$REHOST_SRC/profiles/azure.json" "$T/az.vhd" vpc
expect_eq "azure: fixed VHD (file = virtual size + 512-byte footer)" "$(stat -c %s "$T/az.vhd")" \
  $(( $(qemu-img info --output=json -f vpc "$T/az.vhd" | jq '.["virtual-size"]') + 512 ))
expect_match "azure: walinuxagent enabled" "$(section "$T/az.dump" enabled)" "^walinuxagent\.service$"
expect_eq "the hyperv image (the source here) is not written" "$(sum "$SRC")" "$before"
expect_no_temp "$T"
finish
