#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench`: the standard set of nsemu benchmarks, then the Linux kernel
# doing the same work on this machine (scripts/bench-kernel.sh), and
# docs/benchmarks.md (machine, commit, date, tables, ratios) with the plot
# docs/bench-fwd.png (Mpps against chain length, nsemu and the kernel).
#   scripts/bench.sh BUILD_DIR
# Knobs: BENCH_SECONDS (per forwarding run, default 5), BENCH_NETNS
# (namespaces, default 100000), BENCH_PREFIXES (default 1000000),
# BENCH_OUT (default docs/benchmarks.md), BENCH_RUNS (runs of each
# forwarding and namespace bench, median reported; default 3); RESP_SECONDS, RESP_NETNS
# (scripts/bench-responsive.sh: CLI latency under load, default 5, 100000);
# TCP_SECONDS (per TCP transfer, default 3), TCP_CONNS (idle connections,
# default 10000), TCP_CPS (the kernel's connect loop, default 20000);
# BENCH_PARTS=tcp runs only `bench tcp` and the kernel's TCP part, and
# writes a report of that section alone.
set -eu
O=${1:?usage: bench.sh BUILD_DIR}
bin=$O/nsemu
secs=${BENCH_SECONDS:-5}
nns=${BENCH_NETNS:-100000}
npfx=${BENCH_PREFIXES:-1000000}
nruns=${BENCH_RUNS:-3}
out=${BENCH_OUT:-docs/benchmarks.md}
parts=${BENCH_PARTS:-all}
tsecs=${TCP_SECONDS:-3}
tconns=${TCP_CONNS:-10000}
tcps=${TCP_CPS:-20000}
export TCP_SECONDS=$tsecs TCP_CONNS=$tconns TCP_CPS=$tcps TCP_RUNS=$nruns
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

run() { # name, nsemu args...
	name=$1; shift
	echo "bench: nsemu $*" >&2
	"$bin" "$@" -j >"$tmp/$name.json" 2>"$tmp/$name.err" || {
		echo "bench: nsemu $* failed:" >&2
		cat "$tmp/$name.err" >&2
		exit 1
	}
}

# TCP (issue 13): one stream over a veth pair on one worker and on two,
# through two routers on one and on two, four streams on two; idle
# connections (10,000 as the kernel's, and 100,000); the connect loop.
# The kernel: iperf3 and bench/ktcp (scripts/bench-kernel.sh ... tcp).
# The transfers and the loop run $nruns times, interleaved (median
# reported); the kernel's iperf3 and loop too (TCP_RUNS).
tcp_benches() {
	for k in $(seq 1 "$nruns"); do
		run tcp-1w.r$k -t 2 bench tcp --seconds "$tsecs"
		run tcp-2w.r$k -t 2 bench tcp --workers 2 --seconds "$tsecs"
		run tcp-2r-1w.r$k -t 2 bench tcp --routers 2 --seconds "$tsecs"
		run tcp-2r-2w.r$k -t 2 bench tcp --routers 2 --workers 2 --seconds "$tsecs"
		run tcp-4s-2w.r$k -t 2 bench tcp --streams 4 --workers 2 --seconds "$tsecs"
		run tcp-cps.r$k -t 2 bench tcp --cps --seconds 1
	done
	run tcp-conns -t 2 bench tcp --conns "$tconns"
	run tcp-conns-100k -t 2 bench tcp --conns 100000
}
machine() {
	echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "cpus=$(nproc)"
	echo "mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel=$(uname -r)"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
}
if [ "$parts" = tcp ]; then
	machine >"$tmp/machine.txt"
	tcp_benches
	echo "bench: the Linux kernel's TCP (scripts/bench-kernel.sh ... tcp)" >&2
	./scripts/bench-kernel.sh "$O/bench/kudp" "$secs" 200 tcp >"$tmp/kernel.txt" 2>"$tmp/kernel.err" || true
	cat "$tmp/kernel.txt" >&2
	python3 scripts/bench_report.py "$tmp" "$out" "$secs" --tcp-only "TCP_SECONDS=$tsecs TCP_CONNS=$tconns TCP_CPS=$tcps"
	echo "bench: wrote $out" >&2
	exit 0
fi

# Wall-clock figures vary between runs on a shared machine: each of these
# runs $nruns times, interleaved, and the report takes the median.
for k in $(seq 1 "$nruns"); do
	for h in 1 2 4 8; do
		run fwd-1t-$h.r$k -t 2 bench fwd --hops $h --threads 1 --seconds "$secs"
	done
	run fwd-2t-4.r$k -t 2 bench fwd --hops 4 --threads 2 --seconds "$secs"
	run fwd-2t-8.r$k -t 2 bench fwd --hops 8 --threads 2 --seconds "$secs"
	run netns.r$k -t 2 bench netns --count "$nns"
done
run fwd-lat -t 2 bench fwd --hops 4 --threads 1 --seconds "$secs" --rate 1000000
run fib -t 2 bench fib --prefixes "$npfx" --lookups 10000000
# where rules and multipath are used (issue 12): 100 rules that every
# lookup walks, 8-way ECMP hashed on L4 over 64 flows, and both
run fwd-flows -t 2 bench fwd --hops 4 --threads 1 --seconds "$secs" --flows 64
run fwd-rules -t 2 bench fwd --hops 4 --threads 1 --seconds "$secs" --flows 64 --rules 100
run fwd-ecmp -t 2 bench fwd --hops 4 --threads 1 --seconds "$secs" --flows 64 --ecmp 8
run fwd-rules-ecmp -t 2 bench fwd --hops 4 --threads 1 --seconds "$secs" --flows 64 --rules 100 --ecmp 8
run fib-rules-ecmp -t 2 bench fib --prefixes "$npfx" --lookups 2000000 --rules 100 --ecmp 8
tcp_benches

echo "bench: responsiveness (scripts/bench-responsive.sh)" >&2
./scripts/bench-responsive.sh "$O" "$tmp/resp.json" || echo "bench: bench-responsive failed" >&2

echo "bench: the Linux kernel (scripts/bench-kernel.sh)" >&2
./scripts/bench-kernel.sh "$O/bench/kudp" "$secs" 200 >"$tmp/kernel.txt" 2>"$tmp/kernel.err" || true
cat "$tmp/kernel.txt" >&2

echo "bench: callgrind (scripts/bench-instr.sh)" >&2
./scripts/bench-instr.sh "$bin" 200000 >"$tmp/instr.txt" 2>&1 || echo "bench-instr failed" >"$tmp/instr.txt"

machine >"$tmp/machine.txt"

python3 scripts/bench_report.py "$tmp" "$out" "$secs" "BENCH_SECONDS=$secs BENCH_NETNS=$nns BENCH_PREFIXES=$npfx BENCH_RUNS=$nruns TCP_SECONDS=$tsecs TCP_CONNS=$tconns TCP_CPS=$tcps"
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot "$tmp/plot.gp" && echo "bench: wrote $(dirname "$out")/bench-fwd.png" >&2
else
	echo "bench: gnuplot not installed, no plot (scripts/deps.sh bench)" >&2
fi
echo "bench: wrote $out" >&2
