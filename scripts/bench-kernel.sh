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
#     and a veth to a hub);
#   - TCP (`bench tcp`'s loads): iperf3 for TCP_SECONDS over a veth pair
#     and through two routers, with both ends on CPU 0 and on CPUs 0 and 1
#     (`-A`), and 4 streams (`-P 4`) on CPUs 0 and 1; TCP_CONNS idle connections held by bench/ktcp (memory per
#     connection: the Slab line of /proc/meminfo, and the live objects of
#     /proc/slabinfo, before and after); a connect/accept/close loop of
#     TCP_CPS connections, one at a time (bench/ktcp, next to KUDP).
# Usage: bench-kernel.sh KUDP [SECONDS] [COUNT] [all|tcp]   (tcp: the TCP part alone)
# Environment: TCP_SECONDS (3), TCP_CONNS (10000), TCP_CPS (20000), TCP_RUNS
# (3: each iperf3 run and the connect loop that many times, interleaved;
# keys of run K end in .rK, the report takes the median).
# Output: "kernel <key> <value>" lines. Without root or the tools it prints
# "kernel comparison skipped: <why>" and exits 0 (the TCP part alone says
# "kernel tcp comparison skipped: <why>" without iperf3). Every namespace
# it made is deleted on exit, failure or Ctrl-C; traffic stays inside them.
set -u
kudp=${1:?usage: bench-kernel.sh KUDP [SECONDS] [COUNT]}
secs=${2:-3}
count=${3:-200}
parts=${4:-all}
ktcp=$(dirname "$kudp")/ktcp
tsecs=${TCP_SECONDS:-3}
tconns=${TCP_CONNS:-10000}
tcps=${TCP_CPS:-20000}
truns=${TCP_RUNS:-3}
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

# ---- TCP ----

# tcp_chain ROUTERS: ${pfx}-ta - ${pfx}-tr1 .. - ${pfx}-tb on 10.203.i.0/24,
# routes both ways (as `bench tcp` builds its chain); ARP as usual.
tcp_ns() { # i routers
	if [ "$1" -eq 0 ]; then echo ${pfx}-ta
	elif [ "$1" -eq $(($2 + 1)) ]; then echo ${pfx}-tb
	else echo ${pfx}-tr$1; fi
}
tcp_chain() {
	n=$1
	i=0
	while [ $i -le $((n + 1)) ]; do
		ns=$(tcp_ns $i $n)
		ip netns add $ns || return 1
		ip -n $ns link set lo up
		[ $i -ge 1 ] && [ $i -le $n ] && ip netns exec $ns sysctl -q -w net.ipv4.ip_forward=1
		i=$((i + 1))
	done
	i=0
	while [ $i -le $n ]; do
		a=$(tcp_ns $i $n); z=$(tcp_ns $((i + 1)) $n)
		ip link add east netns $a type veth peer name west netns $z || return 1
		ip -n $a addr add 10.203.$i.1/24 dev east
		ip -n $z addr add 10.203.$i.2/24 dev west
		ip -n $a link set east up
		ip -n $z link set west up
		ip -n $a route add default via 10.203.$i.2
		[ $i -gt 0 ] && ip -n $z route add 10.203.0.0/24 via 10.203.$i.1
		i=$((i + 1))
	done
	[ $n -gt 0 ] && ip -n $(tcp_ns $((n + 1)) $n) route add default via 10.203.$n.1
	return 0
}

# wait_listen NS PORT: until something listens there (5 s at most)
wait_listen() {
	k=0
	while ! ip netns exec $1 ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && [ $k -lt 50 ]; do
		sleep 0.1; k=$((k + 1))
	done
}

# iperf KEY ROUTERS AFFINITY [STREAMS]: iperf3 for TCP_SECONDS from a to b
iperf() {
	key=$1
	streams=${4:-1}
	tcp_chain $2 || { echo "kernel: cannot build the TCP chain" >&2; cleanup; return 1; }
	a=$(tcp_ns 0 $2); b=$(tcp_ns $(($2 + 1)) $2)
	ip netns exec $b iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	spid=$!
	wait_listen $b 5201
	out=$(mktemp)
	ip netns exec $a iperf3 -c 10.203.$2.2 -p 5201 -t $tsecs -A $3 -P $streams -J >"$out" 2>/dev/null
	wait $spid
	python3 - "$out" "$key" <<'PY' || echo "kernel: iperf3 $key failed" >&2
import json, sys
d = json.load(open(sys.argv[1]))
e, k = d["end"], sys.argv[2]
r = e["sum_received"]
cpu = e.get("cpu_utilization_percent", {})
secs = r["seconds"]
print("kernel tcp_gbps_%s %.3f" % (k, r["bits_per_second"] / 1e9))
print("kernel tcp_retrans_%s %d" % (k, e["sum_sent"].get("retransmits", 0)))
# CPU of both iperf3 processes (user + system, the stack's work in
# their context included; softirq time on ksoftirqd is not)
cpus = (cpu.get("host_total", 0) + cpu.get("remote_total", 0)) / 100 * secs
if r["bytes"]:
    print("kernel tcp_cpu_ms_per_gb_%s %.1f" % (k, cpus * 1e3 / (r["bytes"] / 1e9)))
PY
	rm -f "$out"
	cleanup
}

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
# bytes of live slab objects (every cache: active_objs * objsize)
slab_objs() { awk 'NR > 2 { s += $2 * $4 } END { printf "%.0f\n", s }' /proc/slabinfo; }

# conns: TCP_CONNS idle connections, both ends in this kernel
tcp_conns() {
	tcp_chain 0 || return 1
	a=${pfx}-ta; b=${pfx}-tb
	ip netns exec $a sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
	sout=$(mktemp); cout=$(mktemp)
	sync; s0=$(slab_kb); o0=$(slab_objs)
	ip netns exec $b "$ktcp" serve 10.203.0.2 5202 hold $tconns >"$sout" &
	spid=$!
	wait_listen $b 5202
	ip netns exec $a "$ktcp" conns 10.203.0.2 5202 $tconns >"$cout" &
	cpid=$!
	k=0
	while ! { grep -q held "$sout" && grep -q established "$cout"; } && [ $k -lt 600 ]; do
		sleep 0.1; k=$((k + 1))
	done
	s1=$(slab_kb); o1=$(slab_objs)
	if grep -q held "$sout"; then
		echo "kernel tcp_conns $tconns"
		awk -v n=$tconns -v a=$s0 -v b=$s1 'BEGIN { printf "kernel tcp_slab_bytes_per_conn %.0f\n", (b - a) * 1024 / n }'
		awk -v n=$tconns -v a=$o0 -v b=$o1 'BEGIN { printf "kernel tcp_slab_objs_bytes_per_conn %.0f\n", (b - a) / n }'
		awk '$1 == "TCP" { print "kernel tcp_sock_bytes", $4 }' /proc/slabinfo
		awk '{ printf "kernel tcp_open_per_s %.0f\n", $2 / $3 }' "$cout"
	else
		echo "kernel: $tconns connections not established" >&2
	fi
	kill $cpid $spid 2>/dev/null
	wait $cpid $spid 2>/dev/null
	rm -f "$sout" "$cout"
	cleanup
}

# cps: connect, accept, close, one at a time
tcp_cps() {
	tcp_chain 0 || return 1
	a=${pfx}-ta; b=${pfx}-tb
	ip netns exec $a sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
	sout=$(mktemp)
	ip netns exec $b "$ktcp" serve 10.203.0.2 5203 close $tcps >"$sout" &
	spid=$!
	wait_listen $b 5203
	ip netns exec $a "$ktcp" cps 10.203.0.2 5203 $tcps |
		awk -v r="$1" '{ printf "kernel tcp_cps%s %.0f\n", r, $2 / $3 }'
	wait $spid
	rm -f "$sout"
	cleanup
}

tcp_all() {
	if ! command -v iperf3 >/dev/null 2>&1; then
		echo "kernel tcp comparison skipped: iperf3 not installed (scripts/deps.sh bench)"
	else
		for r in $(seq 1 "$truns"); do
			iperf 1cpu.r$r 0 0,0
			iperf 2cpu.r$r 0 0,1
			iperf 2r1cpu.r$r 2 0,0
			iperf 2r.r$r 2 0,1
			iperf 4s.r$r 0 0,1 4
		done
	fi
	if [ ! -x "$ktcp" ]; then
		echo "kernel tcp comparison skipped: $ktcp not built"
		return 0
	fi
	tcp_conns
	for r in $(seq 1 "$truns"); do
		tcp_cps .r$r
	done
}

if [ "$parts" = tcp ]; then
	tcp_all
	exit 0
fi

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
[ "$parts" = all ] && tcp_all
exit 0
