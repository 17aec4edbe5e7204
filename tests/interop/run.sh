#!/bin/sh
# SPDX-License-Identifier: MIT
# Interop tests: every tests/interop/<case>.sh runs the real kernel and its
# tools (ping, traceroute, arping, tshark, scapy) against nsemu through a
# TAP, in network namespaces the case creates and deletes. A case exits 0
# (pass), 77 (skipped: it prints why: no root, no /dev/net/tun, a missing
# tool) or anything else (fail). Each case is bounded by timeout.
# Usage: run.sh NSEMU_BINARY [CASE...]   (CASE: a name such as "ping")
# Prints PASS/FAIL/SKIP per case and "interop: N passed, M failed, K
# skipped"; exits 1 if any failed.
set -u
bin=${1:?usage: run.sh NSEMU_BINARY [CASE...]}
shift
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
per_case_timeout=${NSEMU_INTEROP_TIMEOUT:-120}

if [ $# -gt 0 ]; then
	cases=""
	for c in "$@"; do cases="$cases $here/$c.sh"; done
else
	cases=$(ls "$here"/*.sh | grep -v '/lib\.sh$\|/run\.sh$')
fi

pass=0; fail=0; skipped=0; failed=""
for script in $cases; do
	name=$(basename "$script" .sh)
	start=$(date +%s)
	out=$(timeout -k 5 "$per_case_timeout" sh "$script" "$bin" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0)
		pass=$((pass + 1))
		echo "PASS interop/$name (${secs}s)"
		;;
	77)
		skipped=$((skipped + 1))
		echo "SKIP interop/$name: $(printf '%s\n' "$out" | sed -n 's/^skipped: //p' | head -1)"
		;;
	*)
		fail=$((fail + 1))
		failed="$failed $name"
		[ $rc -eq 124 ] && out="$out
  (timed out after ${per_case_timeout}s)"
		echo "FAIL interop/$name (exit $rc, ${secs}s)"
		printf '%s\n' "$out" | sed 's/^/    /'
		;;
	esac
done
echo "interop: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ] || { echo "failed:$failed"; exit 1; }
exit 0
