#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/test-summary.sh on made-up suite output: the sum of the suites'
# summaries, the command's exit status, and a summary printed by the
# command itself not counted twice. Prints "test-summary: N passed, M failed".
set -u
sum=$(dirname "$0")/test-summary.sh
pass=0
fail=0
check() { # NAME WANT_LAST_LINE WANT_STATUS COMMAND...
	name=$1 want=$2 want_rc=$3
	shift 3
	got=$("$sum" "$@" 2>&1 | tail -1)
	"$sum" "$@" >/dev/null 2>&1
	rc=$?
	if [ "$got" = "$want" ] && [ $rc -eq "$want_rc" ]; then
		pass=$((pass + 1))
		echo "PASS test-summary/$name"
	else
		fail=$((fail + 1))
		echo "FAIL test-summary/$name: \"$got\" exit $rc, want \"$want\" exit $want_rc"
	fi
}
check adds-suites "total: 165 passed, 1 failed" 0 sh -c \
	'echo "unit (build): 40 passed, 0 failed"; echo "tests/shim: 120 passed, 1 failed (in unshare -n)";
	 echo "interop: 5 passed, 0 failed, 2 skipped"; echo "PASS x"'
check stopped "total: 3 passed, 2 failed (stopped: exit 2)" 2 sh -c \
	'echo "ctl: 3 passed, 2 failed"; exit 2'
check no-double-count "total: 1 passed, 0 failed" 0 sh -c \
	'echo "a: 1 passed, 0 failed"; echo "total: 1 passed, 0 failed"'
check nothing-run "total: 0 passed, 0 failed" 0 true
echo "test-summary: $pass passed, $fail failed"
[ $fail -eq 0 ]
