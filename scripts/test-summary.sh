#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make test`'s last line: runs COMMAND (the suites), passing its output
# through, then adds up every suite's "N passed, M failed" summary into one
# line, "total: N passed, M failed", with "(stopped: exit S)" when COMMAND
# failed before the last suite. Exits with COMMAND's status.
# Usage: test-summary.sh COMMAND [ARGS...]
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: test-summary.sh COMMAND [ARGS...]" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" | tee "$log"
status=${PIPESTATUS[0]}
awk -v status="$status" '/[0-9]+ passed, [0-9]+ failed/ && !/^total: / {
	for (i = 1; i < NF; i++) {
		if ($(i + 1) ~ /^passed,?$/) p += $i
		if ($(i + 1) ~ /^failed,?$/) f += $i
	}
} END {
	printf "total: %d passed, %d failed%s\n", p, f, status ? " (stopped: exit " status ")" : ""
}' "$log"
exit "$status"
