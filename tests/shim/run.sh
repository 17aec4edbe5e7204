#!/bin/bash
# SPDX-License-Identifier: MIT
# The preload shim and `nsemu exec` against a running daemon: the real
# iproute2 `ip` and procps `sysctl` drive namespace h1 through the shim, and
# every output is compared with what nsemuctl (the emulator's own CLI)
# prints for the same state. Also `ip monitor` seeing another client's
# changes, the libnl example client, name lookups that must not reach the
# host, and the shim failing closed. When run as root, each shimmed command
# runs in a fresh empty network namespace (unshare -n): a netlink call that
# escaped the shim would see nothing there, and could not touch the host.
#   tests/shim/run.sh BUILD_DIR
set -u
B=${1:?usage: run.sh BUILD_DIR}
NSEMU=$B/nsemu
CTL=$B/nsemuctl
NLC=$B/examples/nl_client
for f in "$NSEMU" "$CTL" "$B/libnsemu-shim.so" "$NLC"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "tests/shim: missing $f"; exit 1; }
done
command -v ip >/dev/null && command -v sysctl >/dev/null ||
	{ echo "tests/shim: needs iproute2 and procps (scripts/deps.sh test)"; exit 1; }

T=$(mktemp -d /tmp/nsemu-shim.XXXXXX)
SOCK=$T/ctl.sock
DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ISO=
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	ISO="unshare -n"
fi
UTS=
if [ "$(id -u)" = 0 ] && unshare -u true 2>/dev/null; then
	UTS="unshare -u"
fi

fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

shim() { $ISO "$NSEMU" exec -s "$SOCK" h1 -- "$@"; }
ctl() { "$CTL" -s "$SOCK" "$@"; }

cat >"$T/topo.nsemu" <<'TOPO'
ip netns add h1
ip -n h1 link add eth0 type veth peer name eth1
ip -n h1 link set eth0 up
ip -n h1 link set eth1 up
ip -n h1 addr add 10.0.0.1/24 dev eth0
TOPO
"$NSEMU" --daemon -t 2 -s "$SOCK" -f "$T/topo.nsemu" >"$T/daemon.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && ctl ip netns list >/dev/null 2>&1 && break; sleep 0.05; done
[ -S "$SOCK" ] || { echo "tests/shim: the daemon did not start"; cat "$T/daemon.log"; exit 1; }

# run a command through the shim; it must succeed
do_shim() {
	local out
	if out=$(shim "$@" 2>&1); then ok; else bad "nsemu exec h1 -- $* -> $?: $out"; fi
}

# the same `ip` arguments through the shim and through nsemuctl -n h1
same() {
	local a b
	local ra rb
	a=$(shim ip "$@" 2>&1)
	ra=$?
	b=$(ctl ip -n h1 "$@" 2>&1)
	rb=$?
	# iproute2 exits 2 where nsemu's CLI exits 1 (e.g. a failed route
	# get): the outputs must match, and success or failure
	if [ "$a" == "$b" ] && [ $((ra == 0)) -eq $((rb == 0)) ]; then
		ok
	else
		bad "ip $* differs (shim <, nsemuctl >)"
		diff <(echo "$a") <(echo "$b") | head -20
	fi
}

shows() {
	same link show
	same -d link show
	same -s link show
	same -j link show
	same addr show
	same -j addr show
	same route show
	same route show table all
	same neigh show
	same -br link show
	same -br addr show
	same -br -j addr show
	same -o link show
	same -o addr show
	same -br neigh show
	same -c=always link show
	same -c=always addr show
	same -c=always route show
	same -br -c=always link show
}

# ---- monitor: notifications of what another client changes ----
timeout 10 "$NSEMU" exec -s "$SOCK" h1 -- ip monitor link address route neigh rule >"$T/mon" 2>&1 &
MPID=$!
# the CLI's own ip monitor, and the real one with labels, on the same events
timeout 10 "$CTL" -s "$SOCK" ip -n h1 monitor link address route neigh rule >"$T/climon" 2>&1 &
CPID=$!
timeout 10 "$NSEMU" exec -s "$SOCK" h1 -- ip monitor label >"$T/monl" 2>&1 &
LPID=$!
timeout 10 "$CTL" -s "$SOCK" ip -n h1 monitor label >"$T/climonl" 2>&1 &
CLPID=$!
sleep 0.5
ctl ip -n h1 link add m0 type veth peer name m1 >/dev/null || bad "nsemuctl link add"
ctl ip -n h1 link set m0 up >/dev/null || bad "nsemuctl link set up"
ctl ip -n h1 link set m1 up >/dev/null || bad "nsemuctl link set up"
ctl ip -n h1 addr add 10.5.0.1/24 dev m0 >/dev/null || bad "nsemuctl addr add"
ctl ip -n h1 route add 10.6.0.0/16 via 10.5.0.2 >/dev/null || bad "nsemuctl route add"
ctl ip -n h1 neigh add 10.5.0.9 lladdr 02:00:00:00:00:09 dev m0 >/dev/null || bad "neigh add"
ctl ip -n h1 route del 10.6.0.0/16 >/dev/null || bad "nsemuctl route del"
ctl ip -n h1 rule add from 10.5.0.0/24 lookup 77 >/dev/null || bad "nsemuctl rule add"
ctl ip -n h1 rule del from 10.5.0.0/24 lookup 77 >/dev/null || bad "nsemuctl rule del"
ctl ip -n h1 route add 10.16.0.0/16 nexthop via 10.5.0.2 weight 2 nexthop dev m1 >/dev/null ||
	bad "nsemuctl multipath route add"
ctl ip -n h1 route del 10.16.0.0/16 >/dev/null || bad "nsemuctl multipath route del"
ctl ip -n h1 addr del 10.5.0.1/24 dev m0 >/dev/null || bad "nsemuctl addr del"
ctl ip -n h1 link del m0 >/dev/null || bad "nsemuctl link del"
# a change in another namespace must not show up in h1's monitor
ctl ip -n default link add other0 type veth peer name other1 >/dev/null || bad "link add in default"
ctl ip -n h1 link set eth1 alias seen-by-no-monitor-line >/dev/null || bad "nsemuctl link set alias"
sleep 0.5
kill "$MPID" "$LPID" 2>/dev/null
kill -INT "$CPID" "$CLPID" 2>/dev/null
wait "$MPID" 2>/dev/null
wait "$LPID" 2>/dev/null
wait "$CPID" && ok || bad "nsemuctl ip monitor did not end with 0 on Ctrl-C"
wait "$CLPID" 2>/dev/null
# byte for byte what the real ip printed, also with labels
if cmp -s "$T/mon" "$T/climon"; then ok; else
	bad "nsemuctl ip monitor differs from the real ip monitor (real <, CLI >)"
	diff "$T/mon" "$T/climon" | head -20
fi
if [ -s "$T/monl" ] && cmp -s "$T/monl" "$T/climonl"; then ok; else
	bad "nsemuctl ip monitor label differs from the real one (real <, CLI >)"
	diff "$T/monl" "$T/climonl" | head -20
fi
grep -q '^\[LINK\]' "$T/climonl" && grep -q '^\[ROUTE\]Deleted ' "$T/climonl" &&
	grep -qxF "[RULE]Deleted 32765:	from 10.5.0.0/24 lookup 77" "$T/climonl" && ok ||
	bad "ip monitor label: no [LINK], [ROUTE]Deleted or [RULE]Deleted line"
ctl ip -n h1 link set eth1 alias "''" >/dev/null || bad "nsemuctl link set alias ''"
for want in \
	'^[0-9]+: m0@m1: <BROADCAST,MULTICAST(,M-DOWN)?> mtu 1500 qdisc noop state DOWN' \
	'^[0-9]+: m1@m0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP' \
	'^[0-9]+: m0    inet 10.5.0.1/24 scope global m0' \
	'^10.5.0.0/24 dev m0 proto kernel scope link src 10.5.0.1 $' \
	'^local 10.5.0.1 dev m0 table local proto kernel scope host src 10.5.0.1 $' \
	'^broadcast 10.5.0.255 dev m0 table local proto kernel scope link src 10.5.0.1 $' \
	'^10.6.0.0/16 via 10.5.0.2 dev m0 $' \
	'^10.5.0.9 dev m0 lladdr 02:00:00:00:00:09 PERMANENT $' \
	'^Deleted 10.6.0.0/16 via 10.5.0.2 dev m0 $' \
	'^32765:	from 10.5.0.0/24 lookup 77$' \
	'^Deleted 32765:	from 10.5.0.0/24 lookup 77$' \
	'^10.16.0.0/16 $' \
	'^	nexthop via 10.5.0.2 dev m0 weight 2 $' \
	'^	nexthop dev m1 weight 1 $' \
	'^Deleted 10.16.0.0/16 $' \
	'^Deleted [0-9]+: m0    inet 10.5.0.1/24 scope global m0' \
	'^Deleted 10.5.0.0/24 dev m0 proto kernel scope link src 10.5.0.1 $' \
	'^Deleted [0-9]+: m0@m1: ' \
	'^Deleted [0-9]+: m1@'; do
	if grep -Eq "$want" "$T/mon"; then ok; else bad "ip monitor: no line matching /$want/"; fi
done
if grep -q other0 "$T/mon"; then bad "ip monitor of h1 saw a link of namespace default"; else ok; fi
if grep -q "RTNETLINK\|Error" "$T/mon"; then bad "ip monitor printed an error"; else ok; fi
[ $fails -eq 0 ] || { echo "--- monitor output:"; cat "$T/mon"; }

# ---- show commands on the start topology, then after each change ----
shows
same route get 10.0.0.7
same route get 127.0.0.1

do_shim ip link add va type veth peer name vb
shows
do_shim ip link set va up
do_shim ip link set vb up
do_shim ip link set va mtu 1400
do_shim ip link set vb down
do_shim ip link set vb name vc
do_shim ip link set vc address 02:00:00:00:00:0c
do_shim ip link set vc up
shows
do_shim ip addr add 10.1.0.1/24 dev va
do_shim ip addr add 10.1.0.2/24 dev va
do_shim ip addr add 10.3.0.1/24 dev vc
shows
do_shim ip addr del 10.1.0.2/24 dev va
do_shim ip route add 10.2.0.0/16 via 10.1.0.254
do_shim ip route add 10.2.1.0/24 dev va
do_shim ip route add 10.4.0.0/16 via 10.1.0.254 table 100
do_shim ip route add blackhole 10.7.0.0/16
do_shim ip route add unreachable 10.8.0.0/16
do_shim ip route add prohibit 10.9.0.0/16 table 100
do_shim ip route replace 10.2.0.0/16 via 10.1.0.253
# multipath: the real ip's RTA_MULTIPATH in, its dump out
do_shim ip route add 10.20.0.0/16 nexthop via 10.1.0.254 dev va weight 3 nexthop via 10.3.0.254 dev vc
do_shim ip route add 10.21.0.0/16 nexthop via 10.1.0.254 nexthop dev vc
do_shim ip route add 10.22.0.0/16 table 100 nexthop via 10.1.0.254 nexthop via 10.1.0.253
shows
same -j route show
same -d route show table all
same route show 10.20.0.0/16
same route get 10.20.1.1
out=$(shim ip route show 10.20.0.0/16 2>&1)
want=$(printf '10.20.0.0/16 \n\tnexthop via 10.1.0.254 dev va weight 3 \n\tnexthop via 10.3.0.254 dev vc weight 1 ')
[ "$out" = "$want" ] && ok || bad "multipath route through the shim: \"$out\""
do_shim ip route del 10.21.0.0/16 nexthop via 10.1.0.254 nexthop dev vc
out=$(shim ip route show 10.21.0.0/16 2>&1)
[ -z "$out" ] && ok || bad "multipath route del: still \"$out\""
out=$(shim ip route add 10.23.0.0/16 nexthop via 10.1.0.254 nexthop via 10.99.0.1 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Nexthop has invalid gateway." ] && ok ||
	bad "multipath route with an unreachable gateway: rc $rc, \"$out\""
out=$(shim ip route show 10.23.0.0/16 2>&1)
[ -z "$out" ] && ok || bad "a refused multipath route was half-added: \"$out\""
# the path of `ip route get ... ipproto udp sport S`: one for every port
# under hash policy 0, both over 64 ports under policy 1
route_get_devs() {
	for p in $(seq 1000 1063); do
		shim ip route get 10.20.1.1 ipproto udp sport $p dport 53
	done | grep -o 'dev v[ac]' | sort -u | tr '\n' ' '
}
devs=$(route_get_devs)
[ "$devs" = "dev va " ] || [ "$devs" = "dev vc " ] && ok || bad "policy 0 route get over ports: $devs"
do_shim sysctl -qw net.ipv4.fib_multipath_hash_policy=1
devs=$(route_get_devs)
[ "$devs" = "dev va dev vc " ] && ok || bad "policy 1 route get over ports: $devs"
do_shim sysctl -qw net.ipv4.fib_multipath_hash_policy=0
out=$(shim ip route get 10.20.1.1 ipproto 47 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Unsupported ip proto." ] && ok ||
	bad "route get with ipproto 47: rc $rc, \"$out\""
# nexthop objects through the real `ip nexthop` (RTM_*NEXTHOP) and routes
# using them (RTA_NH_ID), shown alike by both; a group route; the
# kernel's errors; deleting a member shrinks the group; then flushed
do_shim ip nexthop add id 1 via 10.1.0.254 dev va
do_shim ip nexthop add id 2 via 10.3.0.254 dev vc
do_shim ip nexthop add id 3 dev vc
do_shim ip nexthop add id 10 group 1,2/2
do_shim ip nexthop add via 10.1.0.253 dev va
do_shim ip route add 10.30.0.0/16 nhid 1
do_shim ip route add 10.31.0.0/16 nhid 10 metric 7
do_shim ip route add 10.32.0.0/16 nhid 3
same nexthop show
same -j nexthop show
same nexthop show groups
same nexthop show dev va
same nexthop get id 10
same -j nexthop show id 1
same route show
same -j route show 10.31.0.0/16
out=$(shim ip nexthop show id 4 2>&1)
[ "$out" = "id 4 via 10.1.0.253 dev va scope link " ] && ok || bad "auto-assigned nexthop id: \"$out\""
out=$(shim ip route show 10.31.0.0/16 2>&1)
want=$(printf '10.31.0.0/16 nhid 10 metric 7 \n\tnexthop via 10.1.0.254 dev va weight 2 \n\tnexthop via 10.3.0.254 dev vc weight 1 ')
[ "$out" = "$want" ] && ok || bad "group route through the shim: \"$out\""
out=$(shim ip nexthop add id 11 group 10 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Hash-threshold group can not be a nexthop within a group." ] &&
	ok || bad "nested group: rc $rc, \"$out\""
out=$(shim ip route add 10.33.0.0/16 nhid 99 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Nexthop id does not exist." ] && ok ||
	bad "route with a missing nhid: rc $rc, \"$out\""
do_shim ip nexthop replace id 1 via 10.1.0.250 dev va
same route show 10.30.0.0/16
do_shim ip nexthop del id 2
out=$(shim ip route show 10.31.0.0/16 2>&1)
[ "$out" = "10.31.0.0/16 nhid 10 via 10.1.0.250 dev va metric 7 " ] && ok ||
	bad "group route after its member's deletion: \"$out\""
same nexthop show
# RTNLGRP_NEXTHOP: the real ip monitor sees another client's changes
timeout 3 "$NSEMU" exec -s "$SOCK" h1 -- ip monitor nexthop >"$T/nhmon" 2>&1 &
NHMON=$!
sleep 0.5
ctl ip -n h1 nexthop add id 40 via 10.1.0.254 dev va >/dev/null || bad "nsemuctl nexthop add"
ctl ip -n h1 nexthop add id 41 via 10.1.0.253 dev va >/dev/null || bad "nsemuctl nexthop add"
ctl ip -n h1 nexthop add id 42 group 40/41 >/dev/null || bad "nsemuctl nexthop add group"
ctl ip -n h1 nexthop add id 43 group 40 >/dev/null || bad "nsemuctl nexthop add group"
# as this machine's kernel: the member, then its groups newest first (an
# emptied one deleted, the other shown as it is now)
ctl ip -n h1 nexthop del id 40 >/dev/null || bad "nsemuctl nexthop del"
ctl ip -n h1 nexthop del id 42 >/dev/null || bad "nsemuctl nexthop del group"
ctl ip -n h1 nexthop del id 41 >/dev/null || bad "nsemuctl nexthop del"
wait $NHMON
want=$(printf '%s\n' 'id 40 via 10.1.0.254 dev va scope link ' \
	'id 41 via 10.1.0.253 dev va scope link ' 'id 42 group 40/41 ' 'id 43 group 40 ' \
	'Deleted id 40 via 10.1.0.254 dev va scope link ' 'Deleted id 43 group 40 ' \
	'id 42 group 41 ' 'Deleted id 42 group 41 ' 'Deleted id 41 via 10.1.0.253 dev va scope link ')
want=${want%$'\n'}
[ "$(cat "$T/nhmon")" = "$want" ] && ok || bad "ip monitor nexthop: \"$(cat "$T/nhmon")\""
out=$(shim ip nexthop flush 2>&1)
[ "$out" = "Flushed 4 nexthops" ] && ok || bad "nexthop flush: \"$out\""
out=$(shim ip route show 10.30.0.0/15 2>&1; shim ip nexthop show 2>&1)
[ -z "$out" ] && ok || bad "after the nexthop flush: \"$out\""
shows
same route show table 100
same route get 10.2.3.4
same route get 10.2.1.1
# route MTU metrics (RTA_METRICS) from the real ip, and its cache flush
# (a write of /proc/sys/net/ipv4/route/flush)
do_shim ip route add 10.5.0.0/16 via 10.1.0.254 mtu lock 1300
do_shim ip route add 10.6.0.0/16 via 10.1.0.254 mtu 1400
same route show 10.5.0.0/16
same route show 10.6.0.0/16
same route get 10.5.1.1
same -j route get 10.6.1.1
do_shim ip route flush cache
same route show cache
out=$(shim ip route add 10.11.0.0/16 via 10.1.0.254 advmss 1000 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Route metrics other than mtu are not supported." ] && ok ||
	bad "route add with advmss: rc $rc, \"$out\""
do_shim ip route del 10.5.0.0/16
do_shim ip route del 10.6.0.0/16
# ---- policy rules through the real `ip rule`, and route get through them ----
do_shim ip rule add from 10.1.0.0/24 lookup 100
do_shim ip rule add pref 50 to 10.9.0.0/16 prohibit
do_shim ip rule add pref 60 iif va fwmark 0x10/0xff goto 32766
do_shim ip rule add pref 70 not from 10.3.0.0/16 tos 0x10 nop
do_shim ip rule add from all table 100 suppress_prefixlength 0
same rule show
same -j rule show
same -d rule show
same rule show table 100
same route get 10.4.1.1 from 10.1.0.1
same route get 10.4.1.1
same route get 10.9.1.1
same route get fibmatch 10.4.1.1 from 10.1.0.1
same route get 10.4.1.1 mark 0x10
same -j route get 10.4.1.1 from 10.1.0.1
same route get 10.4.1.1 from 10.3.0.9 iif vc
same route get 10.1.0.1 from 10.3.0.9 iif vc
same route get 10.4.1.1 iif vc
out=$(shim ip rule add pref 60 iif va fwmark 0x10/0xff goto 32766 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "RTNETLINK answers: File exists" ] && ok ||
	bad "rule add of an existing rule: rc $rc, \"$out\""
do_shim ip rule del pref 50
out=$(shim ip rule del pref 50 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "RTNETLINK answers: No such file or directory" ] && ok ||
	bad "rule del of a missing rule: rc $rc, \"$out\""
out=$(shim ip rule add pref 80 goto 20 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Backward goto not supported." ] && ok ||
	bad "backward goto: rc $rc, \"$out\""
same rule show
do_shim ip rule flush
same rule show
do_shim ip rule add pref 32766 table main
do_shim ip rule add pref 32767 table default
same rule show
do_shim ip route del 10.7.0.0/16
do_shim ip route del 10.9.0.0/16 table 100
do_shim ip neigh add 10.1.0.9 lladdr 02:00:00:00:00:09 dev va
do_shim ip neigh add 10.1.0.10 lladdr 02:00:00:00:00:0a dev va
shows
do_shim ip neigh del 10.1.0.9 dev va
do_shim ip addr flush dev vc
shows
do_shim ip link del va
shows
# the alias (IFLA_IFALIAS) through the real ip: set, shown, too long, cleared
do_shim ip link set eth1 alias "to the other end"
shows
same link set eth1 alias "$(printf '%0256d' 0)"
do_shim ip link set eth1 alias "$(printf '%0255d' 0)"
same link show eth1
do_shim ip link set eth1 alias ""
shows
# the kernel's limit on a raw RTM_SETLINK: 255 bytes, then ERANGE with
# "Attribute failed policy validation" (as this machine's kernel answers)
if command -v python3 >/dev/null; then
	out=$(shim python3 -c '
import socket, struct
def setalias(idx, data):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.setsockopt(270, 11, 1); s.setsockopt(270, 10, 1)  # EXT_ACK, CAP_ACK
    a = struct.pack("HH", 4 + len(data), 20) + data + b"\0" * (-len(data) % 4)
    body = struct.pack("BxHiII", 0, 0, idx, 0, 0) + a
    s.send(struct.pack("IHHII", 16 + len(body), 19, 5, 1, 0) + body)
    r = s.recv(65536)
    err, msg, off = struct.unpack("i", r[16:20])[0], "", 36
    while off + 4 <= len(r):
        l, t = struct.unpack("HH", r[off:off + 4])
        if l < 4: break
        if t == 1: msg = r[off + 4:off + l].rstrip(b"\0").decode()
        off += (l + 3) & ~3
    print(len(data), err, msg)
idx = socket.if_nametoindex("eth1")
for d in (b"b" * 255, b"c" * 256, b""):
    setalias(idx, d)' 2>&1)
	want="255 0 
256 -34 Attribute failed policy validation
0 0 "
	[ "$out" = "$want" ] && ok || bad "raw IFLA_IFALIAS limits: \"$out\""
	out=$(ctl ip -n h1 link show eth1 2>&1)
	case $out in *alias*) bad "an empty IFLA_IFALIAS did not clear: $out" ;; *) ok ;; esac
fi

# errors come back as from the kernel
out=$(shim ip route del 10.123.0.0/16 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "RTNETLINK answers: No such process" ] && ok ||
	bad "route del of a missing route: rc $rc, \"$out\""
out=$(shim ip link add eth0 type veth peer name x 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "RTNETLINK answers: File exists" ] && ok ||
	bad "link add of an existing name: rc $rc, \"$out\""
# ---- VRF through the real ip: the kind's IFLA_INFO_DATA (with
# NLA_F_NESTED, as iproute2 nests), `vrf NAME` resolved by name_is_vrf,
# a port's routes into table 10 and back, the kernel's errors ----
do_shim ip link add red type vrf table 10
do_shim ip link set red up
do_shim ip link add vd type dummy
do_shim ip addr add 10.50.0.1/24 dev vd
do_shim ip link set vd up
do_shim ip link set vd vrf red
shows
same -d link show red
same -d link show vd
same -j -d link show vd
same link show master red
same link show vrf red
same vrf show
same -j vrf show
same vrf show red
same route show vrf red
same route show table 10
same rule show
same -j rule show
same -d rule show
do_shim ip rule add l3mdev pref 2000
same rule show
same rule add l3mdev table 10 pref 2001
do_shim ip rule del pref 2000
same route get 10.50.0.9 vrf red
out=$(shim ip link set red master red 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Can not enslave an L3 master device to a VRF." ] && ok ||
	bad "VRF enslaved to itself: rc $rc, \"$out\""
out=$(shim ip link add blue type vrf 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: VRF table id is missing." ] && ok ||
	bad "VRF without a table: rc $rc, \"$out\""
out=$(shim ip link set lo vrf red 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$out" = "Error: Can not enslave loopback device to a VRF." ] && ok ||
	bad "lo into a VRF: rc $rc, \"$out\""
do_shim ip link set vd nomaster
same route show table all
do_shim ip link del red
do_shim ip link del vd
shows
# a name that exists only on the host (lo exists in h1, eth0 too): the
# shim resolves names in the emulated namespace, never on the host
out=$(shim ip addr add 10.99.0.1/24 dev nsemu-nosuch0 2>&1); rc=$?
[ $rc -eq 1 ] && [ "$out" = 'Cannot find device "nsemu-nosuch0"' ] && ok ||
	bad "unknown device: rc $rc, \"$out\""

# ---- sysctl through /proc/sys/net ----
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
out=$(shim sysctl net.ipv4.ip_forward 2>&1)
[ "$out" = "net.ipv4.ip_forward = 0" ] && ok || bad "sysctl read: \"$out\""
out=$(shim sysctl -w net.ipv4.ip_forward=1 2>&1)
[ "$out" = "net.ipv4.ip_forward = 1" ] && ok || bad "sysctl -w: \"$out\""
out=$(ctl ip netns exec h1 sysctl net.ipv4.ip_forward 2>&1)
[ "$out" = "net.ipv4.ip_forward = 1" ] && ok || bad "sysctl -w did not reach h1: \"$out\""
out=$(shim sysctl -n net.ipv4.conf.eth0.forwarding 2>&1)
[ "$out" = "1" ] && ok || bad "ip_forward did not set conf.eth0.forwarding: \"$out\""
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] && ok || bad "the host's ip_forward changed"
out=$(shim sh -c 'echo 2 > /proc/sys/net/ipv4/conf/eth0/rp_filter && cat /proc/sys/net/ipv4/conf/eth0/rp_filter' 2>&1)
[ "$out" = "2" ] && ok || bad "shell redirection to /proc/sys/net: \"$out\""
out=$(ctl ip netns exec h1 sysctl net.ipv4.conf.eth0.rp_filter 2>&1)
[ "$out" = "net.ipv4.conf.eth0.rp_filter = 2" ] && ok || bad "rp_filter in h1: \"$out\""
out=$(shim sysctl net.ipv4.nosuch 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$out" = "sysctl: cannot stat /proc/sys/net/ipv4/nosuch: No such file or directory" ] &&
	ok || bad "unknown key: rc $rc, \"$out\""
out=$(shim sysctl -w net.ipv4.conf.eth0.rp_filter=abc 2>&1); rc=$?
[ "$out" = 'sysctl: setting key "net.ipv4.conf.eth0.rp_filter": Invalid argument' ] && ok ||
	bad "an invalid value was not refused: rc $rc, \"$out\""
out=$(ctl ip netns exec h1 sysctl net.ipv4.conf.eth0.rp_filter 2>&1)
[ "$out" = "net.ipv4.conf.eth0.rp_filter = 2" ] && ok || bad "refused value changed rp_filter: \"$out\""
if [ -n "$UTS" ]; then
	# a private UTS namespace, so even a broken shim cannot rename the host
	out=$($UTS "$NSEMU" exec -s "$SOCK" h1 -- sysctl -w kernel.hostname=nsemu-shim-test 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ "$out" = 'sysctl: permission denied on key "kernel.hostname"' ] && ok ||
		bad "a write outside /proc/sys/net was not refused: rc $rc, \"$out\""
fi

# ---- the shim itself ----
# every netlink socket of `ip` is a connection to the emulator
NSEMU_SHIM_DEBUG=1 shim ip link show >/dev/null 2>"$T/dbg"
n=$(grep -c 'socket(AF_NETLINK, NETLINK_ROUTE) -> fd' "$T/dbg")
[ "$n" -ge 1 ] && ok || bad "shim debug log shows no emulated socket"
# other netlink families fail closed instead of reaching the host
if command -v python3 >/dev/null; then
	out=$(shim python3 -c '
import errno, socket
try:
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    print("opened")
except OSError as e:
    print(errno.errorcode[e.errno])' 2>&1)
	[ "$out" = "EPROTONOSUPPORT" ] && ok || bad "NETLINK_GENERIC under the shim: \"$out\""
fi
out=$("$NSEMU" exec -s "$SOCK" nosuch -- true 2>&1); rc=$?
[ $rc -eq 1 ] && [ "$out" = "nsemu exec: no namespace \"nosuch\" in the emulator at $SOCK" ] && ok ||
	bad "exec into a missing namespace: rc $rc, \"$out\""
out=$("$NSEMU" exec -s "$SOCK" h1 -- /nonexistent/prog 2>&1); rc=$?
[ $rc -eq 127 ] && ok || bad "exec of a missing program: rc $rc, \"$out\""
out=$("$NSEMU" exec -s "$T/none.sock" h1 -- true 2>&1); rc=$?
[ $rc -eq 1 ] && ok || bad "exec without an emulator: rc $rc, \"$out\""

# ---- the libnl example client (no shim: nl_cb_overwrite_send/recv) ----
out=$("$NLC" "$SOCK" h1 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok; else bad "nl_client: rc $rc: $out"; fi
for want in '^link [0-9]+ nl0 mtu 1500 up type veth$' '^link [0-9]+ nl1 mtu 1500 up type veth$' \
	'^link 1 lo mtu 65536 down$' '^route table 254 10.9.0.0/24 dev nl0$' \
	'^route table 254 10.10.0.0/16 via 10.9.0.254 dev nl0$' '^route table 255 10.9.0.1 dev nl0$'; do
	echo "$out" | grep -Eq "$want" && ok || bad "nl_client: no line matching /$want/"
done
out=$(ctl ip -n h1 route show 10.10.0.0/16 2>&1)
[ "$out" = "10.10.0.0/16 via 10.9.0.254 dev nl0 proto static " ] && ok || bad "nl_client's route in h1: \"$out\""
shows
# the same program under the shim (way 1 works for libnl too); not for a
# sanitizer build, whose runtime must be the first preload
ctl ip -n h1 route del 10.10.0.0/16 >/dev/null || bad "route del 10.10.0.0/16"
if ldd "$NLC" | grep -q 'libasan\|libtsan'; then
	echo "tests/shim: skipped nl_client under the shim: $NLC is sanitized"
else
	out=$(shim "$NLC" "$SOCK" h1 nm 2>&1); rc=$?
	echo "$out" | grep -q '^link [0-9]* nm0 mtu 1500 up type veth$' && ok ||
		bad "nl_client under the shim: rc $rc: $out"
fi
out=$("$NLC" "$SOCK" nosuch 2>&1); rc=$?
[ $rc -eq 1 ] && ok || bad "nl_client into a missing namespace: rc $rc, \"$out\""

kill "$DPID" 2>/dev/null
wait "$DPID"
drc=$?
DPID=
# a daemon stopped by SIGTERM exits 0 (ASan: and leaked nothing)
[ $drc -eq 0 ] && ok || { bad "daemon exit status $drc"; cat "$T/daemon.log"; }
[ -S "$SOCK" ] && bad "daemon left its socket behind" || ok

echo "tests/shim: $pass passed, $fails failed${ISO:+ (shimmed commands in unshare -n)}"
[ $fails -eq 0 ]
