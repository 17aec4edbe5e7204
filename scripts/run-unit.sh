#!/bin/sh
# SPDX-License-Identifier: MIT
# Run cmocka unit test binaries; print a summary line; exit non-zero if any fails.
build=$1; shift
pass=0; fail=0; failed=""
for t in "$@"; do
	if "$t" >"$t.log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); failed="$failed $(basename "$t")"
		cat "$t.log"
	fi
	grep -E '^\[  (PASSED|FAILED)  \]' "$t.log" | sed "s|^|$(basename "$t"): |"
done
echo "unit ($build): $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed:$failed"; exit 1; }
