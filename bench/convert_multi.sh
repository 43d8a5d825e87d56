#!/usr/bin/env bash
# Several clouds from one golden machine: one `rehost convert` with several
# profiles (the source checked once, the profiles' appliances side by side,
# --jobs) against the same profiles converted one after another, in one run on
# this machine, from a VMware-style OVA of the fixture guest (the CI case).
# Each conversion installs nothing (--firstboot-install), so the time is
# rehost's own: appliance, edits, initramfs where the profile needs it, output.
# Goal: the ratio (one run / one after another) well under 1.0x on 2+ CPUs.
# Prints a Markdown table. Usage: bench/convert_multi.sh [REHOST_BINARY]
# Environment: PROFILES (default "ec2 openstack kvm"), JOBS (default 2).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
REHOST=${1:-$HERE/build/rehost}
PROFILES=${PROFILES:-ec2 openstack kvm}
JOBS=${JOBS:-2}
for t in qemu-img jq bc tar; do command -v $t >/dev/null || { echo "bench: needs $t" >&2; exit 1; }; done
export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}
FX=$("$HERE/tests/fixtures/build-guests.sh")
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/rehost-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
source "$HERE/tests/integration/ova_lib.sh"
make_ova "$D/web01.ova" "$FX/debian12-mbr.qcow2"
before=$(sha256sum < "$D/web01.ova")
now() { date +%s.%N; }

echo "bench: one after another: $PROFILES" >&2
mkdir -p "$D/seq" "$D/multi"
s=$(now)
for p in $PROFILES; do
  "$REHOST" -q convert "$D/web01.ova" --firstboot-install --profile "$p" -o "$D/seq/$p.out" \
    > "$D/seq.log" 2>&1 || { echo "bench: $p failed" >&2; tail "$D/seq.log" >&2; exit 1; }
done
t_seq=$(echo "$(now) - $s" | bc -l)

echo "bench: one run, --jobs $JOBS" >&2
args=()
for p in $PROFILES; do args+=(--profile "$p"); done
s=$(now)
"$REHOST" -q convert "$D/web01.ova" --firstboot-install "${args[@]}" --jobs "$JOBS" -o "$D/multi" \
  > "$D/multi.log" 2>&1 || { echo "bench: the several-profile run failed" >&2; tail "$D/multi.log" >&2; exit 1; }
t_multi=$(echo "$(now) - $s" | bc -l)
[ "$(sha256sum < "$D/web01.ova")" = "$before" ] || { echo "bench: the OVA changed" >&2; exit 1; }
[ "$(jq '.artifacts | length' "$D/multi/manifest.json")" = "$(echo $PROFILES | wc -w)" ] ||
  { echo "bench: the manifest does not list every profile" >&2; exit 1; }

n=$(echo $PROFILES | wc -w)
echo
echo "| $n profiles ($PROFILES) from web01.ova (Debian 12, 3 GiB; TCG; $(nproc) CPUs) | time | ratio |"
echo "|---|---|---|"
printf '| %d converts, one after another | %.0f s | 1.00x |\n' "$n" "$t_seq"
printf '| one convert, %d profiles, --jobs %s | %.0f s | %.2fx |\n' "$n" "$JOBS" "$t_multi" "$(echo "$t_multi / $t_seq" | bc -l)"
