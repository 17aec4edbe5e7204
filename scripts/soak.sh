#!/bin/sh
# SPDX-License-Identifier: MIT
# `make soak`: a long mixed-traffic run against one nsemu daemon (the ASan
# build by default), not part of `make test`.
#   scripts/soak.sh NSEMU [SECONDS]      (default 1800; SOAK_SECONDS in make)
# The daemon (-t 2) loads a 50-namespace star: router "core" and hosts
# h1..h49, each on its own /30, spread over both workers. Until the time is
# up, concurrent nsemuctl clients
#   - send traffic: pings between random hosts, and `bench fwd` runs over
#     the star (--topology, rate-limited) and on bench's own chain split
#     across the threads (which creates and deletes 6 namespaces a run);
#   - churn: add a namespace t<k> with a veth to core, ping it, and delete
#     it while that ping is still in flight across threads; add, replace
#     and delete routes in core and the hosts;
#   - watch: every 10 s the daemon's RSS and core's IpForwDatagrams.
# It fails if RSS in the last half grows more than 25% (+16 MiB) above its
# level at the end of the first quarter, if a counter ever runs backwards,
# if any client hangs, or if the daemon exits non-zero or prints a
# sanitizer report. The socket, the daemon and the clients are cleaned up on
# exit, failure or Ctrl-C. All traffic is inside the emulator.
set -u
bin=${1:?usage: soak.sh NSEMU [SECONDS]}
secs=${2:-1800}
ctl=$(dirname "$bin")/nsemuctl
[ -x "$ctl" ] || { echo "soak: $ctl not built" >&2; exit 1; }
tmp=$(mktemp -d)
sock=$tmp/ctl.sock
pids=""
dpid=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the star
{
	echo "ip netns add core thread 0"
	echo "ip netns exec core sysctl -q -w net.ipv4.ip_forward=1"
	i=1
	while [ $i -le 49 ]; do
		echo "ip netns add h$i thread $((i % 2))"
		echo "ip link add eth0 netns h$i type veth peer name h$i netns core"
		echo "ip -n h$i addr add 10.99.$i.2/30 dev eth0"
		echo "ip -n core addr add 10.99.$i.1/30 dev h$i"
		echo "ip -n h$i link set eth0 up"
		echo "ip -n core link set h$i up"
		echo "ip -n h$i route add default via 10.99.$i.1"
		i=$((i + 1))
	done
} >"$tmp/star.nsemu"

NSEMU_ASAN_LOG=$tmp/daemon.err
"$bin" --daemon -t 2 -s "$sock" -f "$tmp/star.nsemu" >"$tmp/daemon.out" 2>"$NSEMU_ASAN_LOG" &
dpid=$!
n=0
while ! "$ctl" -s "$sock" ip netns list >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -gt 300 ] && { echo "soak: the daemon did not come up" >&2; cat "$NSEMU_ASAN_LOG" >&2; exit 1; }
	kill -0 $dpid 2>/dev/null || { echo "soak: the daemon died" >&2; cat "$NSEMU_ASAN_LOG" >&2; exit 1; }
	sleep 0.1
done
end=$(($(date +%s) + secs))
c() { timeout 120 "$ctl" -s "$sock" "$@"; }
rnd() { awk -v m="$1" -v s="$(od -An -N4 -tu4 /dev/urandom)" 'BEGIN { srand(s); print 1 + int(rand() * m) }'; }
fail() { echo "soak: FAIL: $*" | tee -a "$tmp/fail" >&2; }

traffic() {
	while [ "$(date +%s)" -lt $end ]; do
		a=$(rnd 49); b=$(rnd 49)
		c ip netns exec h$a ping -q -c 20 -i 0.01 -W 1 10.99.$b.2 >/dev/null 2>&1
		[ $? -eq 124 ] && fail "ping h$a -> h$b hung"
		c bench fwd --topology /dev/null --from h$a --to 10.99.$b.2 --seconds 1 --rate 200000 \
			>"$tmp/bench.out" 2>&1
		case $? in 124) fail "bench over the star hung" ;; esac
		grep -q "unaccounted [1-9]" "$tmp/bench.out" && fail "bench lost packets: $(cat "$tmp/bench.out")"
		c bench fwd --hops 4 --threads 2 --seconds 1 >"$tmp/bench2.out" 2>&1
		[ $? -eq 124 ] && fail "bench fwd chain hung"
	done
}

churn() {
	k=0
	while [ "$(date +%s)" -lt $end ]; do
		k=$((k + 1))
		t=t$((k % 1000))
		c ip netns add $t thread $((k % 2)) >/dev/null 2>&1
		c ip link add eth0 netns $t type veth peer name $t netns core >/dev/null 2>&1
		c ip -n $t addr add 10.98.0.2/30 dev eth0 >/dev/null 2>&1
		c ip -n core addr add 10.98.0.1/30 dev $t >/dev/null 2>&1
		c ip -n $t link set eth0 up >/dev/null 2>&1
		c ip -n core link set $t up >/dev/null 2>&1
		c ip -n $t route add default via 10.98.0.1 >/dev/null 2>&1
		# a ping from a host on the other worker, still running when
		# the namespace goes: its packets are in rings and backlogs
		h=$(( (k % 24) * 2 + 1 ))
		c ip netns exec h$h ping -q -c 50 -i 0.002 -W 1 10.98.0.2 >/dev/null 2>&1 &
		pp=$!
		sleep 0.05
		c ip netns del $t >/dev/null 2>&1 || fail "ip netns del $t failed"
		wait $pp
		r=$(rnd 49)
		c ip -n core route add 10.97.$r.0/24 via 10.99.$r.2 >/dev/null 2>&1
		c ip -n core route replace 10.97.$r.0/24 via 10.99.$(rnd 49).2 >/dev/null 2>&1
		c ip -n h$r route add 10.96.0.0/16 via 10.99.$r.1 >/dev/null 2>&1
		c ip -n h$r route del 10.96.0.0/16 >/dev/null 2>&1
		c ip -n core route del 10.97.$r.0/24 >/dev/null 2>&1
	done
}

traffic & pids="$pids $!"
churn & pids="$pids $!"

start=$(date +%s)
prev_fwd=0
: >"$tmp/rss"
while [ "$(date +%s)" -lt $end ]; do
	sleep 10
	kill -0 $dpid 2>/dev/null || { fail "the daemon died"; break; }
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$dpid/status)
	fwd=$(c nstat -n core -a -z IpForwDatagrams 2>/dev/null | awk '$1 == "IpForwDatagrams" { print $2 }')
	now=$(( $(date +%s) - start ))
	echo "$now $rss ${fwd:-?}" >>"$tmp/rss"
	echo "soak: ${now}s rss ${rss} kB core IpForwDatagrams ${fwd:-?}" >&2
	if [ -n "$fwd" ] && [ "$fwd" -lt "$prev_fwd" ]; then
		fail "IpForwDatagrams ran backwards: $prev_fwd -> $fwd"
	fi
	[ -n "$fwd" ] && prev_fwd=$fwd
done
for p in $pids; do wait "$p"; done
pids=""
kill "$dpid" 2>/dev/null
wait "$dpid"
drc=$?
dpid=""
[ $drc -eq 0 ] || fail "the daemon exited with status $drc"
grep -q "Sanitizer\|runtime error" "$NSEMU_ASAN_LOG" && fail "sanitizer report: $(head -30 "$NSEMU_ASAN_LOG")"
# RSS flat: the last half against the level at the end of the first quarter
awk -v q=$((secs / 4)) -v h=$((secs / 2)) '
	$1 <= q { base = $2 } $1 >= h && $2 > max { max = $2 }
	END {
		if (!base || !max) exit 0
		printf "soak: RSS %d kB after the first quarter, at most %d kB in the last half\n", base, max
		if (max > base * 1.25 + 16384) exit 1
	}' "$tmp/rss" >&2 || fail "RSS grew"
if [ -s "$tmp/fail" ]; then
	echo "soak: FAILED" >&2
	exit 1
fi
echo "soak: PASS (${secs}s: traffic, namespace/link/route churn; RSS flat, counters monotonic, daemon exit clean)" >&2
