#!/bin/sh
# SPDX-License-Identifier: MIT
# SACK against the kernel through a lossy wire. This kernel has no
# sch_netem, classifiers or nftables, so the loss is a relay
# (lossy_relay.py) in a namespace of its own between nsemu's TAP and a
# second TAP in the kernel's namespace; it drops 2% of the TCP segments
# that carry data and delays 1% behind the next one, both ways, from a
# fixed seed:
#
#   kernel $KNS                   relay $RNS                 nsemu
#   $KTAP 10.78.0.1 ── fd ─ lossy_relay.py ─ AF_PACKET ── $TAP ── h1 tap0 10.78.0.2
#
# The kernel's nc sends 4 MiB to nsemu's nc -l and nsemu's nc 4 MiB to
# the kernel's nc -l; both arrive whole (sha256), each sender recovered
# with SACK (TcpExtTCPSackRecovery on the kernel for the blocks nsemu
# sent, on h1 for the kernel's), neither side discarded a block of the
# other's (TCPSACKDiscard 0), and both saw the reordering in the SACKs
# (TCPSACKReorder).
# Usage: tcp_sack.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
for t in nc sha256sum head python3; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/deps.sh test)"
done
nc -h 2>&1 | grep -q -- '-N' || skip "nc is not OpenBSD netcat (netcat-openbsd)"

KADDR=10.78.0.1
HADDR=10.78.0.2
kernel_ns sack
RNS="nsemu-r-sack-$$"
TAP=$(printf '%.15s' "nsi$$")
KTAP=$(printf '%.15s' "nsk$$")
RELAY_PID=""

sack_cleanup()
{
	rc=$?
	if [ -n "$RELAY_PID" ]; then
		kill "$RELAY_PID" 2>/dev/null
		wait "$RELAY_PID" 2>/dev/null
	fi
	[ -s "${T:-/nonexistent}/relay.log" ] && sed 's/^/  relay: /' "$T/relay.log"
	timeout 10 ip -n "$RNS" tuntap del dev "$TAP" mode tap 2>/dev/null
	timeout 10 ip netns del "$RNS" 2>/dev/null
	(exit $rc)
	interop_cleanup
}
trap sack_cleanup EXIT

rx() { timeout 30 ip netns exec "$RNS" "$@"; }
ip netns add "$RNS" || { bad "ip netns add $RNS"; exit 1; }
rx ip link set lo up
rx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
rx ip tuntap add dev "$TAP" mode tap || { bad "ip tuntap add $TAP"; exit 1; }
rx ip link set "$TAP" up
timeout 120 ip netns exec "$RNS" python3 "$(dirname "$0")/lossy_relay.py" "$TAP" "$KTAP" 2 13 1 \
	>"$T/relay.log" 2>&1 &
RELAY_PID=$!
for _ in $(seq 50); do
	grep -q "relay ready" "$T/relay.log" 2>/dev/null && break
	sleep 0.1
done
grep -q "relay ready" "$T/relay.log" || { bad "the relay did not start"; exit 1; }
rx ip link set "$KTAP" netns "$KNS" || { bad "ip link set $KTAP netns $KNS"; exit 1; }
kx ip addr add "$KADDR/24" dev "$KTAP"
kx ip link set "$KTAP" up

# nsemu runs where its TAP is (TUNSETIFF looks the name up there)
KERNEL_NS=$KNS
KNS=$RNS
nsemu_start
KNS=$KERNEL_NS
nse_ok "ip netns add h1"
nse_ok "ip -n h1 link add tap0 type tap host-name $TAP"
nse_ok "ip -n h1 addr add $HADDR/24 dev tap0"
nse_ok "ip -n h1 link set tap0 up"
kx ping -c 1 -W 3 "$HADDR" >/dev/null 2>&1 || kx ping -c 1 -W 3 "$HADDR" >"$T/ping" 2>&1 ||
	bad "first ping from the kernel to h1: $(cat "$T/ping")"

# netstat FIELD: the kernel namespace's TcpExt counter FIELD
netstat()
{
	kx cat /proc/net/netstat | awk -v f="$1" '
		$1 == "TcpExt:" && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == "TcpExt:" && hdr { print $col[f]; exit }'
}
# h1 COUNTER: nsemu's h1 counter (nstat name)
h1()
{
	nse "nstat -n h1 -a -z $1" | awk -v f="$1" '$1 == f { print $2 }'
}

head -c $((4 * 1024 * 1024)) /dev/urandom >"$T/big"
want=$(sha256sum <"$T/big" | cut -d' ' -f1)
NSE_WAIT=40

# 1. kernel -> nsemu: the kernel recovers from nsemu's SACK blocks
nse_ok "ip netns exec h1 nc -l 5000 -o $T/recv1 &"
if kx nc -N -w 25 "$HADDR" 5000 <"$T/big"; then
	ok "kernel nc sent 4 MiB to nsemu's nc -l through the lossy relay"
else
	bad "kernel nc to $HADDR:5000 failed"
fi
for _ in $(seq 50); do
	[ "$(wc -c <"$T/recv1" 2>/dev/null)" = "$(wc -c <"$T/big")" ] && break
	sleep 0.1
done
check "nsemu received the file intact (sha256)" \
	test "$(sha256sum <"$T/recv1" | cut -d' ' -f1)" = "$want"
k=$(netstat TCPSackRecovery)
check "kernel: SACK recoveries from nsemu's blocks (TCPSackRecovery $k)" test "${k:-0}" -gt 0
k=$(netstat TCPSACKDiscard)
check "kernel: none of nsemu's blocks discarded (TCPSACKDiscard $k)" test "${k:-1}" -eq 0
k=$(netstat TCPSACKReneging)
check "kernel: no reneging seen (TCPSACKReneging $k)" test "${k:-1}" -eq 0
k=$(netstat TCPSACKReorder)
check "kernel: reordering seen in nsemu's SACKs (TCPSACKReorder $k)" test "${k:-0}" -gt 0

# 2. nsemu -> kernel: nsemu recovers from the kernel's SACK blocks
timeout 40 ip netns exec "$KNS" nc -l -N 5001 >"$T/recv2" </dev/null &
KNC=$!
sleep 0.3
r0=$(h1 TcpRetransSegs)
nse_ok "ip netns exec h1 nc -i $T/big $KADDR 5001"
wait $KNC
check "the kernel received the file intact (sha256)" \
	test "$(sha256sum <"$T/recv2" | cut -d' ' -f1)" = "$want"
n=$(h1 TcpExtTCPSackRecovery)
check "h1: SACK recoveries (TcpExtTCPSackRecovery $n)" test "${n:-0}" -gt 0
n=$(h1 TcpExtTCPSACKDiscard)
check "h1: none of the kernel's blocks discarded (TcpExtTCPSACKDiscard $n)" test "${n:-1}" -eq 0
n=$(h1 TcpExtTCPSACKReorder)
check "h1: reordering seen in the kernel's SACKs (TcpExtTCPSACKReorder $n)" test "${n:-0}" -gt 0
r1=$(h1 TcpRetransSegs)
check "h1 retransmitted (TcpRetransSegs $r0 -> $r1)" test "${r1:-0}" -gt "${r0:-0}"
echo "  note: h1 $(nse "nstat -n h1 TcpExtTCPSackRecovery TcpExtTCPFastRetrans TcpExtTCPSACKReorder TcpExtTCPSackRecoveryFail TcpExtTCPDSACKOldSent TcpExtTCPDSACKRecv" |
	awk '$1 !~ /^#/ { printf "%s=%s ", $1, $2 }')"
nsemu_stop # exit 0: no leak or error under a sanitizer build
interop_finish
