# Every man page renders with man -l, and groff finds nothing to warn about.
source "$(dirname "$0")/lib.sh"
for page in rehost rehost-scan rehost-capture rehost-replicate rehost-profiles rehost-finalize rehost-convert \
    rehost-pair rehost-hook; do
  f="$REHOST_SRC/man/$page.1"
  if [ ! -f "$f" ]; then fail "missing man page $f"; continue; fi
  out=$(MANWIDTH=80 man -l "$f" 2>"$T/err" | col -b)
  expect_match "$page renders a NAME section" "$out" "^NAME"
  expect_match "$page names itself" "$out" "$page"
  warn=$(groff -man -ww -z "$f" 2>&1 || true)
  expect_eq "$page groff warnings" "$warn" ""
done
finish
