#!/bin/sh
# SPDX-License-Identifier: MIT
# Integration tests: every tests/integration/<object>/<case>.nsemu is a CLI
# script run as `nsemu -t 2 -b <case>.nsemu` (from the case's directory);
# its stdout and stderr, followed by a line "[exit N]" with the exit
# status, are compared line by line with <case>.out, where
#   - a line starting with "~ " is an extended regex for the whole line;
#   - a line "..." skips any number of lines (up to the next line matching);
#   - any other line must be equal.
# Usage: run.sh BINARY [threads]   ("threads": only the cases whose script
# has a "# threads" line, i.e. that put namespaces on several workers; the
# TSan build runs these). Prints PASS/FAIL per case (with a diff on failure)
# and "integration: N passed, M failed"; exits 1 if any failed.
set -u
bin=${1:?usage: run.sh BINARY [threads]}
mode=${2:-all}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
per_case_timeout=${NSEMU_IT_TIMEOUT:-60}

# match EXPECTED ACTUAL: exit 0 if ACTUAL matches the EXPECTED pattern file.
match() {
	awk -v expf="$1" '
	BEGIN {
		ne = 0
		while ((getline l < expf) > 0) ex[++ne] = l
	}
	{ ac[++na] = $0 }
	function eq(e, a) {
		if (substr(e, 1, 2) == "~ ")
			return a ~ ("^(" substr(e, 3) ")$")
		return e == a
	}
	# m(i, j): expected lines i.. match actual lines j.. (backtracking on "...")
	function m(i, j,    k) {
		while (i <= ne) {
			if (ex[i] == "...") {
				if (i == ne)
					return 1
				for (k = j; k <= na; k++)
					if (eq(ex[i + 1], ac[k]) && m(i + 1, k))
						return 1
				return 0
			}
			if (j > na || !eq(ex[i], ac[j])) {
				if (j > bj || (j == bj && i > bi)) { bi = i; bj = j }
				return 0
			}
			i++; j++
		}
		return j > na
	}
	END {
		if (m(1, 1))
			exit 0
		# the furthest point the match reached: the likely culprit
		printf "    first difference: expected line %d: %s\n", bi, (bi <= ne ? ex[bi] : "(end)")
		printf "                      actual line %d:   %s\n", bj, (bj <= na ? ac[bj] : "(end)")
		exit 1
	}
	' "$2"
}

pass=0; fail=0; failed=""
for script in "$here"/*/*.nsemu; do
	[ -e "$script" ] || continue
	if [ "$mode" = threads ] && ! grep -q '^# threads' "$script"; then
		continue
	fi
	dir=$(dirname "$script"); base=$(basename "$script" .nsemu)
	name=$(basename "$dir")/$base
	expected=$dir/$base.out
	actual=$tmp/$base.actual
	(cd "$dir" && timeout "$per_case_timeout" "$bin" -t 2 -b "$base.nsemu" >"$actual" 2>&1 </dev/null)
	echo "[exit $?]" >>"$actual"
	if [ -f "$expected" ] && match "$expected" "$actual" >"$tmp/why"; then
		pass=$((pass + 1))
		echo "PASS $name"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL $name"
		if [ -f "$expected" ]; then
			cat "$tmp/why"
			diff -u "$expected" "$actual" | sed 's/^/    /'
		else
			echo "    missing $expected; got:"; sed 's/^/    /' "$actual"
		fi
	fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed:$failed"; exit 1; }
