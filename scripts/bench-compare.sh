#!/bin/sh
# SPDX-License-Identifier: MIT
# Two builds side by side in one run: the forwarding, namespace and FIB
# benches of `make bench`, interleaved old/new so that both see the same
# machine, median of BENCH_RUNS runs each, and new/old as a ratio.
#   scripts/bench-compare.sh OLD_NSEMU NEW_NSEMU
# Knobs as scripts/bench.sh: BENCH_SECONDS (default 5), BENCH_NETNS
# (default 100000), BENCH_PREFIXES (default 1000000), BENCH_RUNS (default 3).
set -eu
old=${1:?usage: bench-compare.sh OLD_NSEMU NEW_NSEMU}
new=${2:?usage: bench-compare.sh OLD_NSEMU NEW_NSEMU}
secs=${BENCH_SECONDS:-5}
nns=${BENCH_NETNS:-100000}
npfx=${BENCH_PREFIXES:-1000000}
nruns=${BENCH_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

run() { # side name args...
	side=$1 name=$2; shift 2
	if [ "$side" = old ]; then bin=$old; else bin=$new; fi
	echo "bench-compare: $side: nsemu $*" >&2
	"$bin" "$@" -j >"$tmp/$side.$name.json" 2>"$tmp/$side.$name.err" || {
		echo "bench-compare: $side: nsemu $* failed:" >&2
		cat "$tmp/$side.$name.err" >&2
		exit 1
	}
}

for k in $(seq 1 "$nruns"); do
	for side in old new; do
		run $side fwd-1t-1.r$k -t 2 bench fwd --hops 1 --threads 1 --seconds "$secs"
		run $side fwd-1t-4.r$k -t 2 bench fwd --hops 4 --threads 1 --seconds "$secs"
		run $side fwd-2t-1.r$k -t 2 bench fwd --hops 1 --threads 2 --seconds "$secs"
		run $side fwd-2t-4.r$k -t 2 bench fwd --hops 4 --threads 2 --seconds "$secs"
		run $side netns.r$k -t 2 bench netns --count "$nns"
		run $side fib.r$k -t 2 bench fib --prefixes "$npfx" --lookups 10000000
	done
done

python3 - "$tmp" "$nruns" <<'EOF'
import json, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
rows = [
    ("fwd 1 router, 1 thread", "fwd-1t-1", "mpps", "Mpps", True),
    ("fwd 4 routers, 1 thread", "fwd-1t-4", "mpps", "Mpps", True),
    ("fwd 1 router, 2 threads", "fwd-2t-1", "mpps", "Mpps", True),
    ("fwd 4 routers, 2 threads", "fwd-2t-4", "mpps", "Mpps", True),
    ("netns create", "netns", "create_per_second", "/s", True),
    ("netns delete", "netns", "delete_per_second", "/s", True),
    ("netns memory", "netns", ("allocated", "bytes_per_netns"), "B/ns", False),
    ("fib load", "fib", "routes_per_second", "routes/s", True),
    ("fib lookup (batched)", "fib", "ns_per_lookup_batched", "ns", False),
]
def val(side, name, key, k):
    with open(f"{d}/{side}.{name}.r{k}.json") as f:
        o = json.load(f)[0]
    if isinstance(key, tuple):
        for part in key:
            o = o[part]
        return o
    return o[key]
print(f"| bench | old | new | new/old | better |")
print(f"|---|---:|---:|---:|---|")
for label, name, key, unit, higher in rows:
    o = statistics.median(val("old", name, key, k) for k in range(1, n + 1))
    w = statistics.median(val("new", name, key, k) for k in range(1, n + 1))
    print(f"| {label} | {o:.4g} {unit} | {w:.4g} {unit} | {w / o:.3f} | "
          f"{'higher' if higher else 'lower'} |")
EOF
