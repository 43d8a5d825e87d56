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
expect_eq "profiles list names the shipped profiles, then the source platforms' tools" \
  "$("$REHOST" profiles list | awk '/^ /{print $1} /^source/{print "|"}' | tr '\n' ' ')" \
  "azure ec2 hyperv kvm openstack | citrix parallels virtualbox vmware "
printf '{"schema":"rehost.source-tools/1","name":"odd","packages":["odd-tools"],"uninstallers":[{"path":"/opt/odd/un.sh","args":["-r; reboot"]}]}' > "$T/odd.json"
run_expect_fail 3 "odd.json: \"uninstallers\" element 0: \"args\" element 0 is not a valid name" "$REHOST" profiles check "$T/odd.json"
printf '{"schema":"rehost.profile/1","name":"mine","extends":"kvm","description":"d","output":{"formats":["raw"],"default":"raw"}}' > "$T/mine.json"
expect_eq "profiles show merges extends" "$("$REHOST" profiles show "$T/mine.json" | jq -r '[.name, .output.default, .agents[0].name] | join(" ")')" \
  "mine raw qemu-guest-agent"
expect_match "profiles check: a valid file" "$("$REHOST" profiles check "$T/mine.json")" "valid profile 'mine', extends kvm; writes raw"
printf '{"schema":"rehost.profile/1",\n "name": }' > "$T/broken.json"
run_expect_fail 3 "$T/broken.json: invalid JSON near line 2" "$REHOST" profiles check "$T/broken.json"
printf '{"schema":"rehost.profile/1","name":"x","extends":"x2"}' > "$T/x.json"
run_expect_fail 3 "unknown profile 'x2'" "$REHOST" profiles check "$T/x.json"
# a several-profile convert whose second job cannot start (fork fails under a
# process limit, as an unprivileged user) starts no more, waits for the one it
# started and exits non-zero: no child outlives it
if [ -x "$REHOST" ] && setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$REHOST" 2> /dev/null; then
  U=$(mktemp -d /tmp/rehost-nproc.XXXXXX); chmod 755 "$U"; mkdir -m 777 "$U/w"
  qemu-img create -q -f qcow2 "$U/w/src.qcow2" 64M && chmod 644 "$U/w/src.qcow2"
  out=$(cd "$U/w" && setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c \
    'ulimit -u 3; "$0" convert --dry-run --jobs 2 --profile kvm --profile ec2 -o out src.qcow2; echo "exit=$?"
     pgrep -u nobody -x rehost || echo "no rehost left"' "$REHOST" 2>&1)
  expect_match "fork failure: named" "$out" "cannot start the conversion for ec2: Resource temporarily unavailable"
  expect_match "fork failure: the started job waited for" "$out" "kvm: conversion failed"
  expect_match "fork failure: exit status 1" "$out" "^exit=1$"
  expect_match "fork failure: no child left" "$out" "^no rehost left$"
  rm -rf "$U"
else
  echo "skipping the fork-failure check: nobody cannot run $REHOST"
fi
# rehost itself links neither libguestfs nor libvirt (cmd/full_exec.c); the
# guest commands run in rehost-full, through an exec that keeps the arguments
libs=$(ldd "$REHOST")
if grep -Eq 'libguestfs|libvirt' <<< "$libs"; then fail "rehost links $(grep -Eo 'lib(guestfs|virt)[^ ]*' <<< "$libs" | tr '\n' ' ')"; else ok "rehost links neither libguestfs nor libvirt"; fi
expect_match "rehost-full has libguestfs" "$(ldd "${REHOST_FULL:?}")" "libguestfs"
# nor, at start, libnbd, libxml2 or libcrypto: it loads them when a command
# calls into them (lib/lazy_load.h); a library that cannot be loaded then is
# named, and the run stops with exit status 1 before it touches the target
if grep -Eq 'libnbd|libxml2|libcrypto' <<< "$libs"; then fail "rehost loads at start: $(grep -Eo 'lib(nbd|xml2|crypto)[^ ]*' <<< "$libs" | tr '\n' ' ')"; else ok "rehost loads libnbd, libxml2 and libcrypto on first use"; fi
mkdir "$T/nolib"; : > "$T/nolib/libnbd.so.0"
qemu-img create -q -f qcow2 "$T/lazy-src.qcow2" 16M
rc=0; out=$(LD_LIBRARY_PATH="$T/nolib" "$REHOST" replicate "$T/lazy-src.qcow2" "$T/lazy-tgt.qcow2" 2>&1) || rc=$?
expect_eq "an unloadable libnbd: exit status 1" "$rc" 1
expect_match "an unloadable libnbd: named" "$out" "cannot load nbd_[a-z_]+ from libnbd.so.0: .*reinstall"
expect_eq "an unloadable libnbd: no target or state written" "$(ls "$T" | grep -cE "^lazy-tgt.qcow2(.rehost.json)?$")" 0
run_expect_fail 3 "/nonexistent.qcow2" "$REHOST" -q scan --format qcow2 /nonexistent.qcow2
# global options are accepted before the command too
rc=0; "$REHOST" -q scan /nonexistent 2>/dev/null || rc=$?; expect_eq "-q before command" "$rc" 3
finish
