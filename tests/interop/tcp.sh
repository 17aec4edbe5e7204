#!/bin/sh
# SPDX-License-Identifier: MIT
# TCP between the kernel and nsemu's h1 (lib.sh's topology: through r1,
# r2 and the 1400-MTU link, r3): the kernel's nc (netcat-openbsd) sends a
# 10 MiB file to nsemu's `nc -l`, nsemu's nc sends one to the kernel's
# `nc -l`, both compared by sha256; the kernel's `ss -ti` shows what the
# handshake agreed (window scaling; timestamps and SACK-permitted from
# the SYNs in the kernel's capture, as this kernel's ss -ti does not
# print them) and the MSS the kernel uses; then
# with netem dropping 2% on the kernel's side of the TAP, nsemu's send
# still arrives whole and its RetransSegs moves; a kernel that asks for
# ECN gets it from nsemu (ECE in the SYN-ACK, ECT(0) data, plain ACKs).
# Counters on both sides.
# Usage: tcp.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
for t in nc sha256sum head ss; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/deps.sh test)"
done
nc -h 2>&1 | grep -q -- '-N' || skip "nc is not OpenBSD netcat (netcat-openbsd)"
kernel_setup tcp
emu_setup

head -c $((10 * 1024 * 1024)) /dev/urandom >"$T/big"
want=$(sha256sum <"$T/big" | cut -d' ' -f1)
NSE_WAIT=120

# 1. kernel -> nsemu
nse_ok "ip netns exec h1 nc -l 5000 -o $T/recv1 &"
if kx nc -N -w 60 "$H1ADDR" 5000 <"$T/big"; then
	ok "kernel nc sent 10 MiB to nsemu's nc -l"
else
	bad "kernel nc to $H1ADDR:5000 failed"
fi
# (no `wait`: lib.sh's tcpdump runs in the background until nsemu exits;
# nsemu's nc closes its file before its FIN, which ended the kernel's nc)
check "nsemu received the file intact (sha256)" \
	test "$(sha256sum <"$T/recv1" | cut -d' ' -f1)" = "$want"

# 2. nsemu -> kernel
timeout 120 ip netns exec "$KNS" nc -l -N 5001 >"$T/recv2" </dev/null &
KNC=$!
sleep 0.3
out=$(nse "ip netns exec h1 nc -v -i $T/big $KADDR 5001")
expect "nsemu's nc connected to the kernel" "^Connection to $KADDR 5001 port" "$out"
wait $KNC
check "the kernel received the file intact (sha256)" \
	test "$(sha256sum <"$T/recv2" | cut -d' ' -f1)" = "$want"

# 3. what the kernel sees of a connection nsemu opened (held open by the
# kernel's nc until it is killed)
timeout 60 ip netns exec "$KNS" nc -l 5002 >/dev/null </dev/null &
KNC=$!
sleep 0.3
nse_ok "ip netns exec h1 nc $KADDR 5002 &"
sleep 0.3
info=$(kx ss -tin "dst $H1ADDR")
expect "kernel ss: the connection is established" "^ESTAB " "$info"
# This kernel's ss -ti prints no ts/sack flags even between two kernel
# sockets: the options are read from the SYNs in the kernel's capture.
expect "kernel ss -ti: window scaling agreed (nsemu's scale 2)" "wscale:2,[0-9]+" "$info"
# the kernel learned the 1400-byte path MTU from r2 in the transfers
# above: 1400 - 40 - 12 bytes of timestamps
expect "kernel ss -ti: mss 1348 (path MTU 1400, timestamps on)" "mss:1348 pmtu:1400" "$info"
e=$(nse "ss -n h1 -tn")
expect "nsemu ss: the same connection" "^ESTAB +0 +0 +$H1ADDR:[0-9]+ +$KADDR:5002 *$" "$e"
kill $KNC 2>/dev/null
wait $KNC 2>/dev/null
sleep 0.3
e=$(nse "ss -n h1 -tn")
expect_not "nsemu's nc ended with the kernel's close" "^ESTAB|^CLOSE-WAIT" "$e"

# 4. a lossy kernel side: nsemu retransmits
if kx tc qdisc add dev "$TAP" root netem loss 2% 2>/dev/null; then
	r0=$(nse "nstat -n h1 -a TcpRetransSegs" | awk '$1 == "TcpRetransSegs" { print $2 }')
	timeout 120 ip netns exec "$KNS" nc -l -N 5003 >"$T/recv3" </dev/null &
	KNC=$!
	sleep 0.3
	nse_ok "ip netns exec h1 nc -i $T/big $KADDR 5003"
	wait $KNC
	kx tc qdisc del dev "$TAP" root
	check "through 2% loss the kernel received the file intact (sha256)" \
		test "$(sha256sum <"$T/recv3" | cut -d' ' -f1)" = "$want"
	r1=$(nse "nstat -n h1 -a TcpRetransSegs" | awk '$1 == "TcpRetransSegs" { print $2 }')
	check "nsemu retransmitted (TcpRetransSegs $r0 -> $r1)" test "${r1:-0}" -gt "${r0:-0}"
else
	echo "  note: no netem qdisc here (sch_netem); the lossy transfer is not run"
fi

# 5. ECN: the kernel asks (tcp_ecn 1), nsemu agrees (its default 2)
kx sysctl -qw net.ipv4.tcp_ecn=1
nse_ok "ip netns exec h1 nc -l 5004 -o $T/recv4 &"
head -c $((1024 * 1024)) "$T/big" >"$T/ecn"
if kx nc -N -w 60 "$H1ADDR" 5004 <"$T/ecn"; then
	ok "kernel nc sent 1 MiB over ECN to nsemu's nc -l"
else
	bad "kernel nc to $H1ADDR:5004 (ECN) failed"
fi
kx sysctl -qw net.ipv4.tcp_ecn=2

n=$(nse "nstat -n h1 -a TcpActiveOpens TcpPassiveOpens TcpInCsumErrors")
expect "h1 accepted two connections" "^TcpPassiveOpens +2 " "$n"
expect "h1 opened two or three" "^TcpActiveOpens +[23] " "$n"
expect_not "h1 saw no bad checksum" "^TcpInCsumErrors" "$n"
check "kernel: no TCP checksum errors" test "$(snmp Tcp InCsumErrors)" -eq 0

interop_check_counters
interop_check_capture
# the handshakes, from the kernel's capture (complete now)
syns=$(timeout 60 tshark -r "$T/kernel.pcap" -Y "tcp.flags.syn == 1 && tcp.port == 5002" \
	-T fields -e ip.src -e tcp.options.mss_val -e tcp.options.wscale.shift \
	-e tcp.options.timestamp.tsval -e tcp.options.sack_perm 2>/dev/null)
expect "nsemu's SYN: MSS 1460, wscale 2, timestamps, SACK-permitted" \
	"^$H1ADDR	1460	2	[0-9]+	[^	]+$" "$syns"
expect "the kernel's SYN-ACK answers with timestamps" "^$KADDR	[0-9]+	[0-9]+	[0-9]+	" "$syns"
ecn=$(timeout 60 tshark -r "$T/kernel.pcap" -Y "tcp.port == 5004 && tcp.flags.syn == 1" \
	-T fields -e ip.src -e tcp.flags.ece -e tcp.flags.cwr 2>/dev/null)
expect "the kernel's SYN asks for ECN (ECE, CWR)" "^$KADDR	(1|True)	(1|True)$" "$ecn"
expect "nsemu's SYN-ACK agrees (ECE without CWR)" "^$H1ADDR	(1|True)	(0|False)$" "$ecn"
ect=$(timeout 60 tshark -r "$T/kernel.pcap" -Y "tcp.port == 5004 && tcp.len > 0" \
	-T fields -e ip.src -e ip.dsfield.ecn 2>/dev/null | sort | uniq -c)
expect "the kernel's data is ECT(0) once agreed" "^ +[0-9]+ $KADDR	2$" "$ect"
ack=$(timeout 60 tshark -r "$T/kernel.pcap" -Y "tcp.port == 5004 && ip.src == $H1ADDR && tcp.len == 0" \
	-T fields -e ip.dsfield.ecn 2>/dev/null | sort -u)
expect "nsemu's ACKs are not ECN-capable" "^0$" "$ack"
interop_finish
