#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-instr`: instructions per packet per hop, a figure machine
# noise does not move. Runs a fixed packet count through a chain of 1 and
# of 4 routers on one worker thread under callgrind, counting only the
# data path: the generator's runs (fwd_gen_run) and the backlog that
# carries every packet through the chain to the absorber
# (dev_process_backlog). Setup, teardown and the CLI thread are not
# counted.
#   scripts/bench-instr.sh NSEMU [PACKETS]
# Prints instructions per packet for each chain, the slope (the cost of
# one more router hop) and the 4-router figure per link traversed.
set -eu
bin=${1:?usage: bench-instr.sh NSEMU [PACKETS]}
pkts=${2:-200000}
command -v valgrind >/dev/null 2>&1 || { echo "bench-instr: valgrind is not installed (scripts/deps.sh bench)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# total Ir of a callgrind output file
total_ir() {
	awk '/^(summary|totals):/ { print $2; exit }' "$1"
}

for hops in 1 4; do
	echo "bench fwd --hops $hops --threads 1 --count $pkts" >"$tmp/script"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$hops" \
		--collect-atstart=no --toggle-collect=fwd_gen_run \
		--toggle-collect=dev_process_backlog \
		"$bin" -t 1 -q -b "$tmp/script" >"$tmp/out.$hops" 2>"$tmp/err.$hops" || {
		echo "bench-instr: run with $hops router(s) failed:" >&2
		cat "$tmp/out.$hops" "$tmp/err.$hops" >&2
		exit 1
	}
	grep -q "received $pkts," "$tmp/out.$hops" || {
		echo "bench-instr: not every packet arrived with $hops router(s):" >&2
		cat "$tmp/out.$hops" >&2
		exit 1
	}
	eval "ir$hops=\$(total_ir \"\$tmp/cg.$hops\")"
done
if [ -n "${BENCH_INSTR_KEEP:-}" ]; then
	cp "$tmp/cg.4" "$BENCH_INSTR_KEEP"
fi
awk -v p="$pkts" -v a="$ir1" -v b="$ir4" 'BEGIN {
	printf "bench-instr: %d packets, one worker thread, callgrind (data path only)\n", p
	printf "  1 router : %.0f instructions/pkt (%.0f per hop over 2 hops)\n", a / p, a / p / 2
	printf "  4 routers: %.0f instructions/pkt (%.0f per hop over 5 hops)\n", b / p, b / p / 5
	printf "  slope    : %.0f instructions/pkt/hop (one more router)\n", (b - a) / p / 3
}'
echo "(annotate: BENCH_INSTR_KEEP=cg.out make bench-instr; callgrind_annotate cg.out)"
