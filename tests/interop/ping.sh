#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel's ping (iputils) against the emulated topology of lib.sh:
# plain echo, -s 3000 (fragmented by the kernel and re-fragmented by r2 on
# the 1400-MTU link, reassembled by h1; the reply fragmented by h1 and r3,
# reassembled by the kernel), -M do -s 1472 (r2 answers "frag needed, mtu
# 1400"; the kernel caches the PMTU and its next send fails locally),
# -t 2 (time exceeded from r2) and a destination r1 has no route to (net
# unreachable from r1). Checks what ping prints, the kernel's
# /proc/net/snmp and nsemu's own counters and drop reasons.
# Usage: ping.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
kernel_setup ping
emu_setup

echo_reps0=$(snmp Icmp InEchoReps)
reasm0=$(snmp Ip ReasmOKs)
frag0=$(snmp Ip FragCreates)
texc0=$(snmp Icmp InTimeExcds)
unr0=$(snmp Icmp InDestUnreachs)

out=$(kx ping -c 3 -i 0.2 -W 2 "$H1ADDR" 2>&1)
expect "ping: 3 replies" "^3 packets transmitted, 3 received, 0% packet loss" "$out"
# 64 from h1, minus one per emulated router (r3, r2, r1)
expect "ping: reply ttl is 64 - 3 hops" "^64 bytes from $H1ADDR: icmp_seq=1 ttl=61 " "$out"

out=$(kx ping -c 2 -i 0.3 -W 2 -s 3000 "$H1ADDR" 2>&1)
expect "ping -s 3000: 2 reassembled replies" "^2 packets transmitted, 2 received" "$out"
expect "ping -s 3000: 3008 bytes each" "^3008 bytes from $H1ADDR: icmp_seq=1 ttl=61 " "$out"
check "kernel reassembled the 2 replies (Ip ReasmOKs +2)" \
	test "$(snmp Ip ReasmOKs)" -eq $((reasm0 + 2))
check "kernel fragmented the 2 requests (Ip FragCreates +6)" \
	test "$(snmp Ip FragCreates)" -eq $((frag0 + 6))
n=$(nse "nstat -n h1 IpReasmOKs IpFragCreates IpFragOKs")
expect "h1 reassembled the 2 requests" "^IpReasmOKs +2 " "$n"
expect "h1 fragmented the 2 replies" "^IpFragOKs +2 " "$n"
# 3028 bytes at MTU 1500 are fragments of 1500, 1500 and 68 bytes: the two
# big ones of each datagram are fragmented again for the 1400 link.
n=$(nse "nstat -n r2 IpFragOKs")
expect "r2 re-fragmented the kernel's 1500-byte fragments for the 1400 link" "^IpFragOKs +4 " "$n"
n=$(nse "nstat -n r3 IpFragOKs")
expect "r3 re-fragmented h1's 1500-byte fragments for the 1400 link" "^IpFragOKs +4 " "$n"

out=$(kx ping -c 3 -i 0.3 -W 1 -M do -s 1472 "$H1ADDR" 2>&1)
expect "ping -M do -s 1472: frag needed from r2" \
	"^From $R2ADDR icmp_seq=1 Frag needed and DF set \(mtu = 1400\)" "$out"
expect "ping -M do: the kernel then knows the path MTU" \
	"^ping: local error: message too long, mtu=1400" "$out"
out=$(kx ip route get "$H1ADDR")
expect "kernel route cache holds mtu 1400" "mtu 1400" "$out"
d=$(nse "show drops r2")
expect "r2 counts the DF drop (IP_FRAG_NEEDED)" "IP_FRAG_NEEDED +1 " "$d"
n=$(nse "nstat -n r2 IcmpOutDestUnreachs")
expect "r2 sent one destination unreachable" "^IcmpOutDestUnreachs +1 " "$n"

out=$(kx ping -c 1 -W 2 -t 2 "$H1ADDR" 2>&1)
expect "ping -t 2: time exceeded from r2" "^From $R2ADDR icmp_seq=1 Time to live exceeded" "$out"
d=$(nse "show drops r2")
expect "r2 counts IP_TTL_EXPIRED" "IP_TTL_EXPIRED +1 " "$d"
check "kernel counted the time exceeded (Icmp InTimeExcds +1)" \
	test "$(snmp Icmp InTimeExcds)" -eq $((texc0 + 1))

out=$(kx ping -c 1 -W 2 "$NOROUTE" 2>&1)
expect "ping to an unrouted address: net unreachable from r1" \
	"^From $R1ADDR icmp_seq=1 Destination Net Unreachable" "$out"
check "kernel counted 2 destination unreachables (Icmp InDestUnreachs +2)" \
	test "$(snmp Icmp InDestUnreachs)" -eq $((unr0 + 2))
n=$(nse "nstat -n r1 IpInNoRoutes IcmpOutDestUnreachs")
expect "r1 counts IpInNoRoutes" "^IpInNoRoutes +1 " "$n"
expect "r1 sent one destination unreachable" "^IcmpOutDestUnreachs +1 " "$n"

# 3 plain + 2 big (the first ping of emu_setup came before the snapshot)
check "kernel counted 5 echo replies (Icmp InEchoReps +5)" \
	test "$(snmp Icmp InEchoReps)" -eq $((echo_reps0 + 5))

interop_check_counters
interop_check_capture
interop_finish
