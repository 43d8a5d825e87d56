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
# rehost(1)'s EXIT STATUS table lists exactly the codes lib/exitcodes.h defines
header=$(sed -nE 's/^ *RH_EXIT_[A-Z]+ = ([0-9]+),.*/\1/p' "$REHOST_SRC/lib/exitcodes.h" | sort -n | tr '\n' ' ')
table=$(sed -n '/^\.SH EXIT STATUS/,/^\.TE/p' "$REHOST_SRC/man/rehost.1" | grep -oE '^[0-9]+'"$(printf '\t')" | tr -d '\t' | sort -n | tr '\n' ' ')
expect_eq "exit status table matches lib/exitcodes.h" "$table" "$header"
expect_match "every code is in the table" "$header" "^0 1 2 3 4 5 6 7 $"
finish
