#!/bin/sh
# SPDX-License-Identifier: MIT
# The Linux kernel doing the work of nsemu's benches, on this machine, for
# `make bench` (scripts/bench.sh prints the ratios):
#   - forwarding: a chain src - r1 - ... - rN - dst of real network
#     namespaces joined by veth pairs, ip_forward=1 in the routers, static
#     routes, permanent neighbour entries, rp_filter=0; a UDP sender
#     (bench/kudp.c, sendmmsg, 64-byte payloads) pinned to CPU 0 in src, a
#     receiver pinned to CPU 1 in dst; N=1 and N=4; the per-hop cost is the
#     slope between them;
#   - namespaces: `ip netns add` and `unshare -n` rates, and memory per
#     namespace (MemAvailable before and after COUNT namespaces with lo up
#     and a veth to a hub).
# Usage: bench-kernel.sh KUDP [SECONDS] [COUNT]
# Output: "kernel <key> <value>" lines. Without root or the tools it prints
# "kernel comparison skipped: <why>" and exits 0. Every namespace it made
# is deleted on exit, failure or Ctrl-C; traffic stays inside them.
set -u
kudp=${1:?usage: bench-kernel.sh KUDP [SECONDS] [COUNT]}
secs=${2:-3}
count=${3:-200}
pfx=nsemub$$

skip() {
	echo "kernel comparison skipped: $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
for t in ip taskset unshare; do
	command -v $t >/dev/null 2>&1 || skip "$t not installed"
done
[ -x "$kudp" ] || skip "$kudp not built"
ip netns add ${pfx}-probe 2>/dev/null || skip "cannot create network namespaces here"
ip netns del ${pfx}-probe

cleanup() {
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^${pfx}-"); do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

ns_name() { # i hops
	if [ "$1" -eq 0 ]; then echo ${pfx}-src
	elif [ "$1" -eq $(($2 + 1)) ]; then echo ${pfx}-dst
	else echo ${pfx}-r$1; fi
}

# build_chain HOPS: the same chain as `bench fwd` (10.201.i.0/24 on link i)
build_chain() {
	hops=$1
	i=0
	while [ $i -le $((hops + 1)) ]; do
		ns=$(ns_name $i $hops)
		ip netns add $ns || return 1
		ip -n $ns link set lo up
		ip netns exec $ns sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
		if [ $i -ge 1 ] && [ $i -le $hops ]; then
			ip netns exec $ns sysctl -q -w net.ipv4.ip_forward=1
		fi
		i=$((i + 1))
	done
	i=0
	while [ $i -le $hops ]; do
		a=$(ns_name $i $hops); z=$(ns_name $((i + 1)) $hops)
		mac=$(printf '02:be:01:00:%02x:02' $i)
		ip link add east netns $a type veth peer name west netns $z || return 1
		ip -n $z link set west address $mac
		ip -n $a addr add 10.201.$i.1/24 dev east
		ip -n $z addr add 10.201.$i.2/24 dev west
		ip -n $a link set east up
		ip -n $z link set west up
		ip netns exec $z sysctl -q -w net.ipv4.conf.west.rp_filter=0
		ip -n $a neigh replace 10.201.$i.2 lladdr $mac dev east nud permanent
		ip -n $a route add default via 10.201.$i.2
		i=$((i + 1))
	done
}

# fwd HOPS: packets/s received through HOPS routers
fwd() {
	hops=$1
	build_chain $hops || { echo "kernel: cannot build the chain" >&2; return 1; }
	out=$(mktemp)
	ip netns exec $(ns_name $((hops + 1)) $hops) "$kudp" recv 9 $secs 1 >"$out" &
	rpid=$!
	# wait until the receiver is bound
	n=0
	while ! grep -q ready "$out" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	ip netns exec ${pfx}-src "$kudp" send 10.201.$hops.2 9 $(echo "$secs + 1" | bc 2>/dev/null || echo $((secs + 1))) 64 0 >/dev/null
	wait $rpid
	awk '/^received/ { if ($3 > 0) printf "%.0f\n", $2 / $3; else print 0 }' "$out"
	rm -f "$out"
	cleanup
}

p1=$(fwd 1) || exit 1
p4=$(fwd 4) || exit 1
echo "kernel fwd_pps_1 $p1"
echo "kernel fwd_pps_4 $p4"
awk -v a="$p1" -v b="$p4" 'BEGIN { if (a > 0 && b > 0) printf "kernel ns_per_hop %.1f\n", (1e9 / b - 1e9 / a) / 3 }'

# namespaces: ip netns add / del rate
t0=$(date +%s.%N)
i=0
while [ $i -lt $count ]; do ip netns add ${pfx}-n$i; i=$((i + 1)); done
t1=$(date +%s.%N)
i=0
while [ $i -lt $count ]; do ip netns del ${pfx}-n$i; i=$((i + 1)); done
t2=$(date +%s.%N)
awk -v n=$count -v a=$t0 -v b=$t1 -v c=$t2 'BEGIN {
	printf "kernel netns_add_per_s %.0f\nkernel netns_del_per_s %.0f\n", n / (b - a), n / (c - b) }'
# unshare -n: create and destroy one namespace per process
t0=$(date +%s.%N)
i=0
while [ $i -lt $count ]; do unshare -n true; i=$((i + 1)); done
t1=$(date +%s.%N)
awk -v n=$count -v a=$t0 -v b=$t1 'BEGIN { printf "kernel unshare_per_s %.0f\n", n / (b - a) }'
# memory: COUNT namespaces with lo up and a veth to a hub
avail() { awk '/^MemAvailable:/ { print $2 * 1024 }' /proc/meminfo; }
sync; m0=$(avail)
ip netns add ${pfx}-hub
i=0
while [ $i -lt $count ]; do
	ip netns add ${pfx}-m$i
	ip -n ${pfx}-m$i link set lo up
	ip link add eth0 netns ${pfx}-m$i type veth peer name h$i netns ${pfx}-hub
	i=$((i + 1))
done
m1=$(avail)
awk -v n=$count -v a=$m0 -v b=$m1 'BEGIN { printf "kernel bytes_per_netns %.0f\n", (a - b) / n }'
cleanup
