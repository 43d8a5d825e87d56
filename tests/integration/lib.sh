# Shared helpers for rehost's integration tests (sourced).
set -euo pipefail

: "${REHOST:?REHOST must name the rehost binary}"
: "${REHOST_SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/rehost-test.XXXXXX")
if [ -n "${KEEP_TMP:-}" ]; then echo "keeping $T" >&2; else trap 'rm -rf "$T"' EXIT; fi
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); [ -n "${VERBOSE:-}" ] && echo "ok: $*" >&2; return 0; }

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', expected '$3'"; fi
}
# expect_match WHAT TEXT REGEX
expect_match() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1: '$2' does not match /$3/"; fi
}
# jq_eq FILE FILTER EXPECTED
jq_eq() {
  local got
  got=$(jq -r "$2" "$1" 2>&1) || got="jq error: $got"
  expect_eq "$2" "$got" "$3"
}
expect_no_file() { if [ -e "$1" ]; then fail "$1 exists but should not"; else ok "no $1"; fi; }
expect_no_temp() {
  local left
  left=$(find "$1" -maxdepth 1 -name '.*rehost-tmp*' | head -5)
  if [ -n "$left" ]; then fail "temporary output left behind: $left"; else ok "no temp in $1"; fi
}

# run_expect_fail CODE REGEX CMD...: the command must exit with CODE and its
# first stderr line match REGEX; errors other than usage (2) must be that one line.
run_expect_fail() {
  local code=$1 re=$2 rc=0
  shift 2
  "$@" > "$T/out" 2> "$T/err" || rc=$?
  expect_eq "exit status of: $*" "$rc" "$code"
  if [ "$code" != 2 ]; then
    expect_eq "stderr lines of: $*" "$(grep -c . "$T/err" || true)" 1
  fi
  expect_match "message of: $*" "$(head -1 "$T/err")" "$re"
}

fixtures() { "${FIXTURES_SCRIPT:?}"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

finish() {
  echo "$CHECKS checks, $FAILS failures"
  [ "$FAILS" -eq 0 ]
}
