#!/bin/sh
# SPDX-License-Identifier: MIT
# Control socket tests (ctl/ctl_server.c, nsemuctl, nsemu --daemon). Each
# case drives a daemon started here with a socket in a temporary directory,
# removed (and the daemons killed) on any exit. Usage: run.sh BUILD_DIR
# (holding nsemu, nsemuctl and tests/ctl_client). Prints PASS/FAIL per case
# and "ctl: N passed, M failed"; exits 1 if any failed.
# CTL_LOAD=quick (the TSan run) uses fewer clients and requests.
set -u
dir=${1:?usage: run.sh BUILD_DIR}
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac
nsemu=$dir/nsemu
ctl=$dir/nsemuctl
client=$dir/tests/ctl_client
here=$(cd "$(dirname "$0")" && pwd)
topo=$here/../../topo/default.nsemu
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
if [ "${CTL_LOAD:-full}" = quick ]; then
	clients=8 requests=200 routes=20000
else
	clients=32 requests=2000 routes=100000
fi

ok() { pass=$((pass + 1)); echo "PASS ctl/$1"; }
ko() { fail=$((fail + 1)); echo "FAIL ctl/$1: $2"; }

# start_daemon NAME SOCKET SCRIPT: nsemu --daemon in the background; waits
# until it answers (the socket accepts during the script, serves after).
start_daemon() {
	"$nsemu" --daemon --seed 1 -t 2 -s "$2" -f "$3" >"$tmp/$1.out" 2>"$tmp/$1.err" &
	eval "$1=$!"
	pids="$pids $!"
	i=0
	while ! timeout 10 "$ctl" -s "$2" ip netns list >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "daemon $1 did not start:"; cat "$tmp/$1.err"; return 1; }
		sleep 0.1
	done
}

# stop_daemon NAME: SIGTERM, its exit status in $rc (ASan: leaks fail it)
stop_daemon() {
	eval "p=\$$1"
	kill -TERM "$p"
	rc=0
	wait "$p" || rc=$?
}

S=$tmp/s
start_daemon d1 "$S" "$topo" || exit 1

# ---- socket file ----
m=$(stat -c %a "$S")
[ "$m" = 600 ] && ok socket-mode-0600 || ko socket-mode-0600 "mode $m"

# ---- output and status match the in-process CLI ----
compare() {
	name=$1
	shift
	line="$*"
	{ cat "$topo"; echo "$line"; } >"$tmp/ref.nsemu"
	"$nsemu" --seed 1 -t 2 -b "$tmp/ref.nsemu" >"$tmp/ref.out" 2>"$tmp/ref.err"
	ref_rc=$?
	grep -v '^Command failed ' "$tmp/ref.err" >"$tmp/ref.err2"
	timeout 20 "$ctl" -s "$S" "$@" >"$tmp/got.out" 2>"$tmp/got.err"
	got_rc=$?
	if ! cmp -s "$tmp/ref.out" "$tmp/got.out"; then
		ko "$name" "stdout differs"
		diff "$tmp/ref.out" "$tmp/got.out" | head -10
	elif ! cmp -s "$tmp/ref.err2" "$tmp/got.err"; then
		ko "$name" "stderr differs"
		diff "$tmp/ref.err2" "$tmp/got.err" | head -10
	elif [ $((ref_rc != 0)) -ne $((got_rc != 0)) ]; then
		ko "$name" "exit $got_rc, in-process $ref_rc"
	else
		ok "$name"
	fi
}
compare link-show ip -n r1 link show
compare link-show-json ip -n r1 -j link show
compare link-show-pretty ip -n h1 -j -p -d link show
compare addr-show ip -n r1 addr
compare addr-show-json ip -j -n h2 addr show
compare route-show ip -n h1 route show
compare route-show-json ip -n h1 -j route
compare route-get ip -n h1 route get 10.0.2.2
compare neigh-show ip -n r1 neigh show
compare netns-list ip netns list
compare sysctl sysctl --netns r1 net.ipv4.ip_forward
compare error-no-device ip -n h1 link show nosuch
compare error-no-netns ip -n nosuch link
compare error-bad-prefix ip -n h1 route add 10.0.0.300/24 dev h1-eth0
compare error-unknown-command frobnicate
compare help help

# ---- -b: a script, stopping at the first failing line ----
printf 'ip netns list\nip link show nosuch\nip netns list\n' >"$tmp/b.nsemu"
(cd "$tmp" && "$nsemu" -t 2 -b b.nsemu) >/dev/null 2>"$tmp/bref.err"
(cd "$tmp" && "$ctl" -s "$S" -b b.nsemu) >/dev/null 2>"$tmp/bgot.err"
rc=$?
if [ $rc -eq 1 ] && grep -qx 'Command failed b.nsemu:2' "$tmp/bgot.err" &&
	cmp -s "$tmp/bgot.err" "$tmp/bref.err"; then
	ok batch-stops-at-failure
else
	ko batch-stops-at-failure "rc $rc: $(cat "$tmp/bgot.err")"
fi
echo "ip -n h1 addr show dev h1-eth0" | "$ctl" -s "$S" -b - >"$tmp/bs.out" 2>&1 &&
	grep -q 'inet 10.0.1.2/24' "$tmp/bs.out" && ok batch-stdin || ko batch-stdin "$(cat "$tmp/bs.out")"

# ---- relative paths name files in nsemuctl's directory, not the daemon's ----
mkdir "$tmp/cl"
dcwd=$(readlink "/proc/$d1/cwd")
rel=nsemu-ctl-rel-$$
echo "ip netns list" >"$tmp/cl/$rel.nsemu"
(cd "$tmp/cl" && "$ctl" -s "$S" source "$rel.nsemu") >"$tmp/rel.out" 2>&1 &&
	grep -q '^h1 ' "$tmp/rel.out" && ok relative-source-client-cwd ||
	ko relative-source-client-cwd "$(cat "$tmp/rel.out")"
(cd "$tmp/cl" && timeout 20 "$ctl" -s "$S" tcpdump -n r1 -i r1-eth0 -c 2 -w "$rel.pcap") \
	>/dev/null 2>"$tmp/relcap.err" &
cp=$!
i=0
while kill -0 $cp 2>/dev/null && [ $i -lt 50 ]; do
	"$ctl" -s "$S" ip netns exec h1 ping -c 1 -W 1 10.0.2.2 >/dev/null 2>&1
	i=$((i + 1))
done
rc=0
wait $cp || rc=$?
if [ $rc -eq 0 ] && [ -s "$tmp/cl/$rel.pcap" ] && [ ! -e "$dcwd/$rel.pcap" ] &&
	[ "$(cd "$tmp/cl" && "$ctl" -s "$S" tcpdump -r "$rel.pcap" 2>/dev/null | wc -l)" -eq 2 ]; then
	ok relative-pcap-client-cwd
else
	ko relative-pcap-client-cwd "rc $rc, in the daemon's directory: $(ls "$dcwd/$rel.pcap" 2>&1): $(cat "$tmp/relcap.err")"
fi
rm -f "$dcwd/$rel.pcap"
# the daemon and other clients keep their directory
"$ctl" -s "$S" source "$tmp/cl/$rel.nsemu" >/dev/null 2>&1 &&
	[ "$(readlink "/proc/$d1/cwd")" = "$dcwd" ] && ok daemon-cwd-unchanged ||
	ko daemon-cwd-unchanged "now $(readlink "/proc/$d1/cwd"), was $dcwd"

# ---- -j: JSON output, as the command's own -j; the usage text ----
"$ctl" -s "$S" -j ip -n h1 addr show dev h1-eth0 >"$tmp/j1.out" 2>&1
"$ctl" -s "$S" ip -n h1 -j addr show dev h1-eth0 >"$tmp/j2.out" 2>&1
grep -q '^\[{"ifindex"' "$tmp/j1.out" && cmp -s "$tmp/j1.out" "$tmp/j2.out" && ok ctl-j-ip ||
	ko ctl-j-ip "$(head -c 200 "$tmp/j1.out")"
"$ctl" -s "$S" -j nstat -n h1 >"$tmp/j3.out" 2>&1
"$ctl" -s "$S" nstat -n h1 -j >"$tmp/j4.out" 2>&1
grep -q '^{"kernel"' "$tmp/j3.out" && cmp -s "$tmp/j3.out" "$tmp/j4.out" && ok ctl-j-nstat ||
	ko ctl-j-nstat "$(head -c 200 "$tmp/j3.out")"
echo "ip -n h1 link show lo" | "$ctl" -s "$S" -j -b - >"$tmp/j5.out" 2>&1
grep -q '^\[{"ifindex":1,"ifname":"lo"' "$tmp/j5.out" && ok ctl-j-batch ||
	ko ctl-j-batch "$(head -c 200 "$tmp/j5.out")"
"$ctl" -s "$S" ip -n h1 link show lo >"$tmp/j6.out" 2>&1
grep -q '^1: lo:' "$tmp/j6.out" && ok ctl-j-per-run || ko ctl-j-per-run "$(head -c 200 "$tmp/j6.out")"
"$ctl" >/dev/null 2>"$tmp/usage.err"
rc=$?
[ $rc -eq 2 ] && grep -q '^Usage: nsemuctl ' "$tmp/usage.err" &&
	[ "$(tail -c 1 "$tmp/usage.err" | od -An -c | tr -d ' ')" = '\n' ] &&
	"$ctl" --help | cmp -s - "$tmp/usage.err" && ok usage-ends-with-newline ||
	ko usage-ends-with-newline "rc $rc: $(tail -c 40 "$tmp/usage.err" | od -c | tail -2)"

# ---- ping: streamed output, exit status, Ctrl-C ----
timeout 20 "$ctl" -s "$S" ip netns exec h1 ping -c 3 -i 0.2 10.0.2.2 >"$tmp/ping.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '3 packets transmitted, 3 received, 0% packet loss' "$tmp/ping.out" &&
	ok ping || ko ping "rc $rc: $(cat "$tmp/ping.out")"
timeout 20 "$ctl" -s "$S" ip netns exec h1 ping -c 1 -W 1 10.9.9.9 >"$tmp/ping2.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '100% packet loss' "$tmp/ping2.out" && ok ping-unreachable-exit-1 ||
	ko ping-unreachable-exit-1 "rc $rc: $(cat "$tmp/ping2.out")"
"$ctl" -s "$S" ip netns exec h1 ping -i 0.2 10.0.2.2 >"$tmp/ping3.out" 2>&1 &
p=$!
sleep 1
kill -INT $p
rc=0
wait $p || rc=$?
[ $rc -eq 0 ] && grep -q 'ping statistics' "$tmp/ping3.out" && ok ping-ctrl-c-summary ||
	ko ping-ctrl-c-summary "rc $rc: $(cat "$tmp/ping3.out")"

# ---- a second nsemu does not steal a live socket ----
"$nsemu" -t 1 -s "$S" -b /dev/null >/dev/null 2>"$tmp/second.err"
rc=$?
[ $rc -ne 0 ] && grep -qx "nsemu: another nsemu is serving $S" "$tmp/second.err" &&
	"$ctl" -s "$S" ip netns list >/dev/null && ok live-socket-not-stolen ||
	ko live-socket-not-stolen "rc $rc: $(cat "$tmp/second.err")"

# ---- malformed and oversized input; a client leaving mid-dump ----
"$client" "$S" errors >"$tmp/errors.out" 2>&1 && ok malformed-input-answered ||
	ko malformed-input-answered "$(cat "$tmp/errors.out")"

# ---- 32 clients x 2000 requests while a ping runs ----
"$ctl" -s "$S" ip netns exec h1 ping -c 20 -i 0.1 10.0.2.2 >"$tmp/pingbg.out" 2>&1 &
pp=$!
timeout 120 "$client" "$S" hammer h1 $clients $requests >"$tmp/hammer.out" 2>&1
rc=$?
prc=0
wait $pp || prc=$?
if [ $rc -eq 0 ] && [ $prc -eq 0 ] && grep -q ' 0% packet loss' "$tmp/pingbg.out"; then
	ok "concurrent-clients-$clients-x-$requests"
else
	ko "concurrent-clients-$clients-x-$requests" "rc $rc ping $prc: $(cat "$tmp/hammer.out" "$tmp/pingbg.out" | tail -5)"
fi

# ---- notifications: a member of the groups sees other clients' changes ----
"$client" "$S" monitor 3 >"$tmp/mon.out" 2>&1 &
mp=$!
sleep 0.5
"$ctl" -s "$S" ip link add m0 type veth peer name m1 >/dev/null 2>&1
"$ctl" -s "$S" ip addr add 192.0.2.1/24 dev m0 >/dev/null 2>&1
wait $mp
# RTM_NEWLINK (16) and RTM_NEWADDR (20), as `ip monitor` would see them
grep -q 'monitor: type 16$' "$tmp/mon.out" && grep -q 'monitor: type 20$' "$tmp/mon.out" &&
	ok notifications-delivered || ko notifications-delivered "$(cat "$tmp/mon.out")"

# ---- ip monitor in the CLI: another client's changes, as iproute2 prints
# them, until Ctrl-C (nsemuctl sends INTERRUPT); a client that goes away
# ends its monitor too. Bounded: every step has a timeout. ----
"$ctl" -s "$S" ip netns add mon >/dev/null 2>&1
timeout 20 "$ctl" -s "$S" ip -n mon monitor >"$tmp/climon.out" 2>&1 &
cm1=$!
timeout 20 "$ctl" -s "$S" ip -n mon monitor label route address >"$tmp/climon2.out" 2>&1 &
cm2=$!
timeout 20 "$ctl" -s "$S" ip -n mon monitor link >/dev/null 2>&1 &
cm3=$!
sleep 0.5
for l in "link add mv0 address 02:00:00:00:00:01 type veth peer name mv1 address 02:00:00:00:00:02" \
	"link set mv1 up" "link set mv0 up" "addr add 10.77.0.1/24 dev mv0" \
	"route add 10.78.0.0/16 via 10.77.0.2" "neigh add 10.77.0.9 lladdr 02:00:00:00:00:09 dev mv0" \
	"neigh del 10.77.0.9 dev mv0" "route del 10.78.0.0/16" "addr del 10.77.0.1/24 dev mv0" \
	"link set mv0 alias up-link" "link set mv0 down"; do
	timeout 10 "$ctl" -s "$S" ip -n mon $l >/dev/null 2>&1 || ko cli-monitor "ip -n mon $l failed"
done
# another namespace's change is not mon's
timeout 10 "$ctl" -s "$S" ip link add mvx type veth peer name mvy >/dev/null 2>&1
kill -9 $cm3 2>/dev/null
sleep 0.5
kill -INT $cm1 $cm2 2>/dev/null
rc1=0 rc2=0
wait $cm1 || rc1=$?
wait $cm2 || rc2=$?
wait $cm3 2>/dev/null
missing=
while IFS= read -r want; do
	grep -qxF -- "$want" "$tmp/climon.out" || missing="$missing
  $want"
done <<'WANT'
3: mv0@mv1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default 
2: mv1@mv0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default 
3: mv0@mv1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default 
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff
3: mv0    inet 10.77.0.1/24 scope global mv0
       valid_lft forever preferred_lft forever
10.77.0.0/24 dev mv0 proto kernel scope link src 10.77.0.1 
local 10.77.0.1 dev mv0 table local proto kernel scope host src 10.77.0.1 
10.78.0.0/16 via 10.77.0.2 dev mv0 
10.77.0.9 dev mv0 lladdr 02:00:00:00:00:09 PERMANENT 
Deleted 10.77.0.9 dev mv0 lladdr 02:00:00:00:00:09 PERMANENT 
Deleted 10.78.0.0/16 via 10.77.0.2 dev mv0 
Deleted 3: mv0    inet 10.77.0.1/24 scope global mv0
Deleted 10.77.0.0/24 dev mv0 proto kernel scope link src 10.77.0.1 
Deleted local 10.77.0.1 dev mv0 table local proto kernel scope host src 10.77.0.1 
3: mv0@mv1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default 
WANT
while IFS= read -r want; do
	grep -qxF -- "$want" "$tmp/climon2.out" || missing="$missing
  (label route address) $want"
done <<'WANT'
[ADDR]3: mv0    inet 10.77.0.1/24 scope global mv0
[ROUTE]10.78.0.0/16 via 10.77.0.2 dev mv0 
[ROUTE]Deleted 10.78.0.0/16 via 10.77.0.2 dev mv0 
[ADDR]Deleted 3: mv0    inet 10.77.0.1/24 scope global mv0
WANT
# what label route address must leave out, and what mon's monitors never see
if grep -q 'LINK\]\|NEIGH\]' "$tmp/climon2.out"; then missing="$missing
  (label route address) printed a link or neighbour event"; fi
if grep -q 'mvx\|mvy' "$tmp/climon.out"; then missing="$missing
  a link of namespace default"; fi
# the alias is not shown by ip monitor (iproute2 prints it for ip link only)
if grep -q 'alias' "$tmp/climon.out"; then missing="$missing
  an alias line"; fi
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -z "$missing" ] &&
	timeout 10 "$ctl" -s "$S" ip -n mon link show mv0 >/dev/null 2>&1; then
	ok cli-monitor-events-until-ctrl-c
else
	ko cli-monitor-events-until-ctrl-c "rc $rc1/$rc2, missing:$missing
$(cat "$tmp/climon.out")
--- label route address:
$(cat "$tmp/climon2.out")"
fi
timeout 10 "$ctl" -s "$S" ip link del mvx >/dev/null 2>&1
timeout 10 "$ctl" -s "$S" ip netns del mon >/dev/null 2>&1

# ---- other users: the file mode, then SO_PEERCRED ----
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" -s "$S" ip netns list \
		>/dev/null 2>"$tmp/nobody.err"
	rc=$?
	[ $rc -ne 0 ] && grep -q 'Permission denied' "$tmp/nobody.err" && ok other-uid-denied-by-mode ||
		ko other-uid-denied-by-mode "rc $rc: $(cat "$tmp/nobody.err")"
	chmod 666 "$S"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" -s "$S" ip netns list \
		>/dev/null 2>"$tmp/nobody.err"
	rc=$?
	chmod 600 "$S"
	[ $rc -ne 0 ] && grep -q 'lost the connection' "$tmp/nobody.err" &&
		grep -q 'control connection refused: .* uid 65534' "$tmp/d1.err" &&
		ok other-uid-refused-by-peercred ||
		ko other-uid-refused-by-peercred "rc $rc: $(cat "$tmp/nobody.err" "$tmp/d1.err")"
else
	echo "SKIP ctl/other-uid: needs root and setpriv"
fi

# ---- SIGTERM: exit 0, socket removed ----
stop_daemon d1
[ $rc -eq 0 ] && [ ! -e "$S" ] && ok sigterm-removes-socket ||
	ko sigterm-removes-socket "rc $rc, socket $(ls "$S" 2>&1): $(tail -5 "$tmp/d1.err")"

# ---- a stale socket file is replaced ----
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1])" "$tmp/stale"
if [ -S "$tmp/stale" ]; then
	echo "ip netns list" | "$nsemu" -t 1 -s "$tmp/stale" -b - >/dev/null 2>"$tmp/stale.err"
	rc=$?
	[ $rc -eq 0 ] && [ ! -e "$tmp/stale" ] && ok stale-socket-replaced ||
		ko stale-socket-replaced "rc $rc: $(cat "$tmp/stale.err")"
else
	ko stale-socket-replaced "could not make a stale socket"
fi
: >"$tmp/notasock"
"$nsemu" -t 1 -s "$tmp/notasock" -b /dev/null 2>"$tmp/nas.err"
rc=$?
[ $rc -ne 0 ] && [ -f "$tmp/notasock" ] && grep -q 'File exists' "$tmp/nas.err" &&
	ok regular-file-not-removed || ko regular-file-not-removed "rc $rc: $(cat "$tmp/nas.err")"

# ---- 100,000 routes: a full dump, a reader that never reads, one that leaves ----
{
	cat "$topo"
	echo "ip netns add big"
	awk -v n=$routes 'BEGIN { for (i = 0; i < n; i++)
		printf "ip -n big route add blackhole %d.%d.%d.0/24\n", 10 + int(i / 65536), int(i / 256) % 256, i % 256 }'
} >"$tmp/big.nsemu"
S2=$tmp/s2
start_daemon d2 "$S2" "$tmp/big.nsemu" || exit 1
n=$(timeout 60 "$ctl" -s "$S2" ip -n big route show | wc -l)
[ "$n" -eq $routes ] && ok "dump-$routes-routes" || ko "dump-$routes-routes" "got $n lines"
"$client" "$S2" middump big >"$tmp/mid.out" 2>&1 && "$ctl" -s "$S2" ip -n h1 addr >/dev/null &&
	ok disconnect-mid-dump || ko disconnect-mid-dump "$(cat "$tmp/mid.out")"
base=$(awk '/VmRSS/ { print $2 }' /proc/$d2/status)
"$client" "$S2" noread big >"$tmp/noread.out" 2>&1 &
np=$!
timeout 60 "$client" "$S2" hammer h1 4 500 >"$tmp/h2.out" 2>&1
hrc=$?
nrc=0
wait $np || nrc=$?
hwm=$(awk '/VmHWM/ { print $2 }' /proc/$d2/status)
# bounded: the 64 MiB queue cap, the dumps being built and copied, and (under
# ASan) its 256 MiB quarantine — not the gigabytes of 100 unread dumps
if [ $nrc -eq 0 ] && [ $hrc -eq 0 ] && grep -q 'dropped: .* bytes of replies unread' "$tmp/d2.err" &&
	[ $((hwm - base)) -lt 524288 ]; then
	ok "never-reading-client-dropped"
else
	ko never-reading-client-dropped "noread $nrc hammer $hrc rss ${base}kB peak ${hwm}kB: $(cat "$tmp/noread.out" "$tmp/h2.out")"
fi
echo "never-reading client: $(cat "$tmp/noread.out"); daemon RSS ${base} kB before, peak ${hwm} kB"
"$ctl" -s "$S2" ip -n h1 link show lo >/dev/null && ok serves-after-drop || ko serves-after-drop "no answer"
stop_daemon d2
[ $rc -eq 0 ] && ok sigterm-after-load || ko sigterm-after-load "rc $rc: $(tail -5 "$tmp/d2.err")"

echo "ctl: $pass passed, $fail failed"
[ $fail -eq 0 ]
