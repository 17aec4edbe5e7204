#!/bin/sh
# SPDX-License-Identifier: MIT
# iperf3 between the kernel and nsemu's h1 (lib.sh's topology: through r1,
# r2 and the 1400-MTU link, r3), so each side's iperf3 talks to the other
# implementation of the protocol: the kernel's real iperf3 client against
# nsemu's `iperf3 -s` (forward, then -R with -P 2), and nsemu's client
# against a real `iperf3 -s` in the kernel namespace (forward, then -R).
# Every run completes ("iperf Done.") with sender and receiver byte counts
# above zero; the kernel client's --json says the same.
# Usage: iperf3.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
command -v iperf3 >/dev/null 2>&1 || skip "iperf3 is not installed (scripts/deps.sh test)"
kernel_setup iperf3
emu_setup
NSE_WAIT=60

# expect_bytes WHAT ROLE TEXT: a summary line of ROLE (sender/receiver)
# with a transfer above zero.
expect_bytes()
{
	expect "$1" "sec +([1-9][0-9.]*|0\.[0-9]*[1-9][0-9]*) [KMG]?Bytes .* $2\$" "$3"
}

# 1. the kernel's iperf3 client -> nsemu's server
nse_ok "ip netns exec h1 iperf3 -s -1 &"
out=$(kx iperf3 -c "$H1ADDR" -t 2 2>&1)
expect "kernel iperf3 client finished against nsemu's server" "^iperf Done\.$" "$out"
expect_bytes "kernel client: sender bytes > 0" sender "$out"
expect_bytes "kernel client: receiver bytes (nsemu's count) > 0" receiver "$out"

# 2. the same, reverse (nsemu sends) on two streams, with --json
nse_ok "ip netns exec h1 iperf3 -s -1 &"
out=$(kx iperf3 -c "$H1ADDR" -t 2 -R -P 2 --json 2>&1)
expect "kernel --json: two streams connected" '"num_streams":[[:space:]]*2' "$out"
sent=$(printf '%s\n' "$out" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(int(d["end"]["sum_sent"]["bytes"]), int(d["end"]["sum_received"]["bytes"]))' 2>&1)
expect "kernel --json -R -P 2: nsemu sent and the kernel received bytes > 0" '^[1-9][0-9]* [1-9][0-9]*$' "$sent"

# 3. nsemu's client -> the kernel's real iperf3 server
timeout 60 ip netns exec "$KNS" iperf3 -s -1 >"$T/ksrv1" 2>&1 &
KSRV=$!
sleep 0.5
out=$(nse "ip netns exec h1 iperf3 -c $KADDR -t 2")
expect "nsemu's client finished against the kernel's server" "^iperf Done\.$" "$out"
expect_bytes "nsemu client: sender bytes > 0" sender "$out"
expect_bytes "nsemu client: receiver bytes (the kernel's count) > 0" receiver "$out"
wait $KSRV
expect_bytes "the kernel's server counted bytes from nsemu" receiver "$(cat "$T/ksrv1")"

# 4. reverse: the kernel's server sends to nsemu's client
timeout 60 ip netns exec "$KNS" iperf3 -s -1 >"$T/ksrv2" 2>&1 &
KSRV=$!
sleep 0.5
out=$(nse "ip netns exec h1 iperf3 -c $KADDR -t 2 -R")
expect "nsemu's client -R finished" "^iperf Done\.$" "$out"
expect_bytes "nsemu client -R: the kernel sent bytes > 0" sender "$out"
expect_bytes "nsemu client -R: nsemu received bytes > 0" receiver "$out"
wait $KSRV
expect_bytes "the kernel's server -R reports what it sent" sender "$(cat "$T/ksrv2")"

[ "$fails" -eq 0 ]
