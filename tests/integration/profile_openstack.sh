# rehost convert --profile openstack on the real Debian guest, agents
# (cloud-init, qemu-guest-agent and their dependencies: 52 packages) installed
# from a local directory of real Debian packages. Every edit the profile asks
# for is read back from the output. The output is then shared (ctest fixture
# "openstack-image") by the boot test and the chained conversions
# (OpenStack -> KVM, EC2, Hyper-V -> Azure).
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
: "${LIBGUESTFS_BACKEND_SETTINGS:=force_tcg}"; export LIBGUESTFS_BACKEND_SETTINGS
: "${REHOST_ARTIFACTS:?}"
PKGS=$("$REHOST_SRC/tests/fixtures/fetch-agents.sh" cloud-init qemu-guest-agent 2> "$T/fetch.err") \
  || { echo "cannot fetch agent packages (no Debian mirror?): $(tail -2 "$T/fetch.err")"; exit 77; }
mkdir -p "$REHOST_ARTIFACTS"
rm -f "$REHOST_ARTIFACTS/openstack.qcow2"
cp --sparse=always "$FX/debian12-mbr.qcow2" "$T/src.qcow2"
before=$(sum "$T/src.qcow2")

"$REHOST" convert --profile openstack --packages "$PKGS" -o "$T/os.qcow2" --report "$T/os.json" \
  "$T/src.qcow2" > "$T/os.out" 2> "$T/os.err" || fail "convert openstack: $(tail -5 "$T/os.err")"
expect_eq "source never written" "$(sum "$T/src.qcow2")" "$before"
expect_no_temp "$T"
jq_eq "$T/os.json" .profile openstack
expect_eq "report lists the agent install" \
  "$(jq -r '.changes[] | select(.action=="install-agents") | .after' "$T/os.json")" "cloud-init qemu-guest-agent"
expect_eq "Debian's initramfs already has virtio: no rebuild" \
  "$(jq -r '[.changes[].action] | index("rebuild")' "$T/os.json")" null

guest_dump "$T/os.qcow2" qcow2 "$T/dump" cloud-init qemu-guest-agent python3
assert_profile "$T/dump" "$REHOST_SRC/profiles/openstack.json" "$T/os.qcow2" qcow2
en=$(section "$T/dump" enabled)
expect_match "cloud-init's units enabled" "$en" "^cloud-init-local\.service$"
expect_match "cloud-final enabled" "$en" "^cloud-final\.service$"
if grep -qx 'hal.service' <<<"$en"; then fail "hal enabled"; else ok "hal off"; fi

if [ "$FAILS" -eq 0 ]; then mv "$T/os.qcow2" "$REHOST_ARTIFACTS/openstack.qcow2"; fi
finish
