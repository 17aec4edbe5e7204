#!/bin/sh
# SPDX-License-Identifier: MIT
# ARP across the TAP, both ways. The kernel resolves r1's address to nsemu's
# tap0 MAC; r1 resolves the kernel's address to the kernel TAP's MAC (after
# a flush, when h1 pings the kernel); the kernel's arping gets answers from
# r1's address and none for an address nothing owns (Linux does not proxy
# without proxy_arp). The ARP frames nsemu wrote are replies and requests of
# the right shape, as tshark decodes them.
# Usage: arp.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
command -v arping >/dev/null 2>&1 || skip "arping is not installed (scripts/deps.sh test)"
kernel_setup arp
emu_setup

emac=$(tap_mac)
kmac=$(kx cat "/sys/class/net/$TAP/address")

out=$(kx ip neigh show "$R1ADDR" dev "$TAP")
expect "kernel resolved r1 by ARP to nsemu's tap0 MAC" "^$R1ADDR lladdr $emac (REACHABLE|STALE|DELAY)" "$out"
out=$(nse "ip -n r1 neigh show dev tap0")
expect "r1 resolved the kernel's address to the TAP's MAC" "^$KADDR lladdr $kmac (REACHABLE|STALE|DELAY)" "$out"

# Both sides forget, then h1 pings the kernel: r1 must ask for the kernel's
# MAC first (and the kernel, learning from the request, answers).
kx ip neigh flush dev "$TAP"
nse_ok "ip -n r1 neigh flush dev tap0"
out=$(nse "ip -n r1 neigh show dev tap0")
expect_not "r1's neighbour table is empty after the flush" "^$KADDR " "$out"
out=$(nse "ip netns exec h1 ping -c 2 -i 0.2 $KADDR")
expect "h1 pings the kernel after the flush" "^2 packets transmitted, 2 received" "$out"
out=$(nse "ip -n r1 neigh show dev tap0")
expect "r1 resolved the kernel's address again" "^$KADDR lladdr $kmac " "$out"

out=$(kx arping -c 3 -W 0.2 -i "$TAP" "$R1ADDR" 2>&1)
expect "arping r1: 3 replies from nsemu's MAC" "^3 packets transmitted, 3 packets received" "$out"
expect "arping r1: the reply names tap0's MAC" "bytes from $emac \($R1ADDR\)" "$out"
if kx arping -c 2 -W 0.2 -w 2 -i "$TAP" 10.77.0.99 >"$T/arping.none" 2>&1; then
	bad "arping an address nobody owns got a reply: $(cat "$T/arping.none")"
else
	ok "arping an address nobody owns: no reply"
fi
d=$(nse "show drops r1")
# arp_process consumes a request for an address that is not ours: not a drop
expect_not "r1 does not count the requests for 10.77.0.99 as drops" "ARP_" "$d"

interop_check_counters
interop_check_capture
# The ARP frames nsemu wrote: replies to the kernel's requests, and the
# request r1 sent after the flush.
n=$(tshark -r "$T/kernel.pcap" -Y "eth.src == $emac && arp.opcode == 2 && arp.src.proto_ipv4 == $R1ADDR && arp.dst.hw_mac == $kmac" 2>/dev/null | wc -l)
check "nsemu answered at least 4 ARP requests (1 + 3 arping), saw $n" test "$n" -ge 4
n=$(tshark -r "$T/kernel.pcap" -Y "eth.src == $emac && arp.opcode == 1 && arp.dst.proto_ipv4 == $KADDR && eth.dst == ff:ff:ff:ff:ff:ff" 2>/dev/null | wc -l)
check "nsemu broadcast ARP requests for the kernel's address, saw $n" test "$n" -ge 1

interop_finish
