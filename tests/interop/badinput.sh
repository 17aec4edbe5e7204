#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad input from the host: craft.py (scapy) writes malformed frames into the
# kernel side of the TAP, addressed to nsemu's r1. For each kind, nsemu
# must count exactly the frames sent under the drop reason Linux uses
# (and the MIB counter it maps to), answer where Linux answers (a trimmed
# tot_len, TTL 0 delivered locally, TTL 0 forwarded -> time exceeded,
# fragments that never complete -> "fragment reassembly time exceeded"),
# give reassembly memory back after ipfrag_time, and keep serving: a ping
# works at the end and the frames nsemu wrote decode cleanly in tshark.
# Usage: badinput.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
$PY -c 'import scapy' 2>/dev/null || skip "no scapy for $PY (python3-scapy, scripts/deps.sh test)"
kernel_setup bad
emu_setup
nse_ok "sysctl --netns r1 -qw net.ipv4.ipfrag_time=2"
emac=$(tap_mac)

# drops NS REASON: the count `show drops NS` gives REASON (0 if absent).
drops()
{
	nse "show drops $1" | awk -v r="$2" '$1 == r { v = $2 } END { print v + 0 }'
}
# mib NS NAME: one nstat counter of an emulated namespace.
mib()
{
	nse "nstat -n $1 -z $2" | awk -v r="$2" '$1 == r { v = $2 } END { print v + 0 }'
}
# fragmem NS: bytes reassembly holds in NS (show -j drops: ipfrag_mem).
fragmem()
{
	nse "show -j drops $1" | sed -n 's/.*"ipfrag_mem":\([0-9]*\).*/\1/p'
}
# craft CASE [COUNT]: run one craft.py case in the kernel namespace.
craft()
{
	kx $PY "$INTEROP_DIR/craft.py" "$TAP" "$emac" "$R1ADDR" "$H1ADDR" "$@" 2>&1
}

# dropcase CASE REASON N [MIB]: CASE's frames move REASON (and MIB) by N.
dropcase()
{
	before=$(drops r1 "$2")
	[ -n "${4:-}" ] && mb=$(mib r1 "$4")
	out=$(craft "$1")
	case $out in SENT*) ;; *) bad "$1: craft.py failed: $out"; return ;; esac
	sleep 0.2
	after=$(drops r1 "$2")
	if [ "$after" -eq $((before + $3)) ]; then
		ok "$1: r1 counts $3 under $2"
	else
		bad "$1: r1 counts $((after - before)) under $2, expected $3"
		nse "show drops r1" | sed 's/^/         | /'
	fi
	if [ -n "${4:-}" ]; then
		ma=$(mib r1 "$4")
		check "$1: $4 +$3" test "$ma" -eq $((mb + $3))
	fi
}

dropcase runt IP_INHDR 6 IpInHdrErrors
dropcase ethertype UNHANDLED_PROTO 3
dropcase ihl IP_INHDR 3 IpInHdrErrors
dropcase totlen_big PKT_TRUNCATED 3 IpInTruncatedPkts
dropcase totlen_small IP_INHDR 3 IpInHdrErrors
dropcase csum IP_CSUM 3 IpInCsumErrors
dropcase otherhost OTHERHOST 3
# both fragments of each datagram go: the one held and the overlapping one
ov0=$(mib r1 IpReasmOverlaps)
dropcase overlap FRAG_OVERLAP 6
check "overlap: IpReasmOverlaps +3 (one per datagram)" test "$(mib r1 IpReasmOverlaps)" -eq $((ov0 + 3))
dropcase overrun FRAG_TOO_FAR 3
dropcase arp_len ARP_INVALID 9
dropcase icmp_garbage ICMP_INVALID 6 IcmpInErrors

out=$(craft totlen_trim)
expect "tot_len shorter than the frame: trimmed and answered" "^ICMP type 0 code 0 from $R1ADDR" "$out"
out=$(craft ttl0_local)
expect "TTL 0 to r1's own address: answered (TTL matters only when forwarding)" \
	"^ICMP type 0 code 0 from $R1ADDR" "$out"
out=$(craft ttl0_fwd)
expect "TTL 0 to forward: time exceeded from r1" "^ICMP type 11 code 0 from $R1ADDR" "$out"

# Fragments that never complete: held, then given back after ipfrag_time.
mem0=$(fragmem r1)
check "reassembly memory starts at 0 (saw ${mem0:-?})" test "${mem0:-x}" = 0
texc0=$(snmp Icmp InTimeExcds)
t0=$(drops r1 FRAG_REASM_TIMEOUT)
out=$(craft incomplete 3)
sleep 0.3
mem1=$(fragmem r1)
check "3 incomplete datagrams hold reassembly memory (${mem1:-?} bytes)" test "${mem1:-0}" -gt 0
sleep 3
mem2=$(fragmem r1)
check "reassembly memory back to its baseline after ipfrag_time (${mem2:-?} bytes)" \
	test "${mem2:-x}" = "$mem0"
check "r1 counts 3 FRAG_REASM_TIMEOUT" test "$(drops r1 FRAG_REASM_TIMEOUT)" -eq $((t0 + 3))
check "kernel got 3 \"fragment reassembly time exceeded\" (Icmp InTimeExcds +3)" \
	test "$(snmp Icmp InTimeExcds)" -eq $((texc0 + 3))

# Still serving.
check "nsemu still runs" nsemu_alive
out=$(craft echo)
expect "a crafted echo request is still answered" "^ICMP type 0 code 0 from $R1ADDR" "$out"
out=$(kx ping -c 2 -i 0.2 -W 2 "$H1ADDR" 2>&1)
expect "the kernel still pings h1 across the routers" "^2 packets transmitted, 2 received" "$out"

interop_check_counters
interop_check_capture
interop_finish
