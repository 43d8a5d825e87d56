#!/usr/bin/env bash
# Benchmark rehost convert against virt-v2v, in one run on this machine, on the
# same real Debian 12 fixture guest (tests/fixtures/build-guests.sh):
#   rehost convert SRC --profile kvm --packages DIR -o OUT.qcow2
#     (installs qemu-guest-agent from DIR, plus every other finalize edit)
#   virt-v2v -i disk SRC -o local -os DIR -of qcow2
#     (its own conversion for KVM: virtio drivers, bootloader, initramfs as it decides)
# Both run their appliance under TCG here (KVM is broken on these machines).
# Each timing is the best of RUNS (default 1: a run takes minutes). Goal: <= 1.0x.
# Prints a Markdown table. Usage: bench/convert.sh [REHOST_BINARY]
# Needs virt-v2v (Debian package virt-v2v; not installed by scripts/setup).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
REHOST=${1:-$HERE/build/rehost}
RUNS=${RUNS:-1}
for t in virt-v2v qemu-img jq bc; do command -v $t >/dev/null || { echo "bench: needs $t (apt-get install virt-v2v)" >&2; exit 1; }; done
export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}
# virt-v2v has no KVM fallback of its own; rehost detects it. Give both the
# same setting when KVM does not work (see README "KVM").
kvm_works() { # the probe rehost makes (guest/appliance.c): boot the host kernel under KVM
  local k; k=$(ls /boot/vmlinuz-* 2> /dev/null | tail -1)
  [ -r /dev/kvm ] && [ -n "$k" ] && timeout 30 qemu-system-x86_64 -machine accel=kvm -cpu max,la57=off \
    -m 256 -display none -nodefaults -no-user-config -no-reboot -serial stdio -kernel "$k" \
    -append "console=ttyS0 panic=-1 quiet" > /dev/null 2>&1
}
if [ -z "${LIBGUESTFS_BACKEND_SETTINGS:-}" ] && ! (kvm_works) 2> /dev/null; then
  echo "bench: KVM does not work here: both tools run under TCG" >&2
  export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
fi
FX=$("$HERE/tests/fixtures/build-guests.sh")
PKGS=$("$HERE/tests/fixtures/fetch-agents.sh" qemu-guest-agent 2> /dev/null)
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/rehost-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
cp --sparse=always "$FX/debian12-mbr.qcow2" "$D/src.qcow2"
before=$(sha256sum < "$D/src.qcow2")

best() { # best CLEANUP CMD...: best wall time of RUNS runs
  local cleanup=$1 b= s e t; shift
  for _ in $(seq "$RUNS"); do
    eval "$cleanup"
    s=$(date +%s.%N)
    "$@" > "$D/last.log" 2>&1 || { echo "bench: failed: $*" >&2; tail -20 "$D/last.log" >&2; exit 1; }
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  printf '%.1f' "$b"
}

echo "bench: rehost convert (kvm profile)" >&2
t_rh=$(best 'rm -f "$D/rehost.qcow2"' "$REHOST" convert "$D/src.qcow2" --profile kvm --packages "$PKGS" -o "$D/rehost.qcow2")
echo "bench: virt-v2v -i disk -o local" >&2
mkdir -p "$D/v2v"
t_v2v=$(best 'rm -rf "$D/v2v"/*' virt-v2v -i disk "$D/src.qcow2" -o local -os "$D/v2v" -of qcow2 -on v2v)
[ "$(sha256sum < "$D/src.qcow2")" = "$before" ] || { echo "bench: the source changed" >&2; exit 1; }
for f in "$D/rehost.qcow2" "$D/v2v/v2v-sda"; do
  qemu-img check -q "$f" || { echo "bench: $f fails qemu-img check" >&2; exit 1; }
done
cpus=$(nproc)
echo
echo "| conversion (Debian 12 guest, 3 GiB disk, TCG, $cpus CPUs) | rehost | virt-v2v | ratio |"
echo "|---|---|---|---|"
echo "| source qcow2 -> finalized KVM qcow2 | ${t_rh} s | ${t_v2v} s | $(printf '%.2f' "$(echo "$t_rh / $t_v2v" | bc -l)")x |"
