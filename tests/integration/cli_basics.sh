# rehost's command line: help, version, usage errors and their exit status.
source "$(dirname "$0")/lib.sh"

out=$("$REHOST" --help); expect_match "--help lists commands" "$out" "scan .*capture|capture"
expect_match "--help lists scan" "$out" "^  scan "
out=$("$REHOST" --version); expect_match "--version" "$out" '^rehost [0-9]+\.[0-9]+\.[0-9]+$'
for c in scan capture; do
  out=$("$REHOST" "$c" --help); expect_match "$c --help" "$out" "^Usage: rehost $c"
done
run_expect_fail 2 "unknown command 'frobnicate'" "$REHOST" frobnicate
rc=0; "$REHOST" >/dev/null 2>&1 || rc=$?; expect_eq "no command" "$rc" 2
run_expect_fail 2 "missing DISK" "$REHOST" scan
run_expect_fail 2 "missing -o IMAGE" "$REHOST" capture /x
run_expect_fail 2 "unknown format 'floppy'" "$REHOST" scan --format floppy /etc/hostname
run_expect_fail 2 "unknown output format 'tar'" "$REHOST" capture -O tar /x -o y
run_expect_fail 2 "--clone takes one TARGET" "$REHOST" finalize --profile kvm --clone "$T/c.qcow2" "$T/a.qcow2" "$T/b.qcow2"
run_expect_fail 2 "expected SOURCE" "$REHOST" convert --profile kvm -o "$T/out"
run_expect_fail 2 "network must be keep or dhcp" "$REHOST" convert --network static --profile kvm -o "$T/out" "$T/a.qcow2"
# rehost profiles: list, show (merged after extends), check
expect_eq "profiles list names the shipped profiles" \
  "$("$REHOST" profiles list | awk 'NR>1{print $1}' | tr '\n' ' ')" "azure ec2 hyperv kvm openstack "
printf '{"schema":"rehost.profile/1","name":"mine","extends":"kvm","description":"d","output":{"formats":["raw"],"default":"raw"}}' > "$T/mine.json"
expect_eq "profiles show merges extends" "$("$REHOST" profiles show "$T/mine.json" | jq -r '[.name, .output.default, .agents[0].name] | join(" ")')" \
  "mine raw qemu-guest-agent"
expect_match "profiles check: a valid file" "$("$REHOST" profiles check "$T/mine.json")" "valid profile 'mine', extends kvm; writes raw"
printf '{"schema":"rehost.profile/1",\n "name": }' > "$T/broken.json"
run_expect_fail 3 "$T/broken.json: invalid JSON near line 2" "$REHOST" profiles check "$T/broken.json"
printf '{"schema":"rehost.profile/1","name":"x","extends":"x2"}' > "$T/x.json"
run_expect_fail 3 "unknown profile 'x2'" "$REHOST" profiles check "$T/x.json"
# global options are accepted before the command too
rc=0; "$REHOST" -q scan /nonexistent 2>/dev/null || rc=$?; expect_eq "-q before command" "$rc" 3
finish
