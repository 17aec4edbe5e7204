#!/bin/sh
# SPDX-License-Identifier: MIT
# traceroute both ways across the TAP. The kernel's traceroute (UDP probes,
# then -I with ICMP echo) lists r1, r2, r3 by the addresses of the
# interfaces the probes entered (as Linux routers answer) and ends at h1
# (port unreachable / echo reply). nsemu's own ping and traceroute, run in
# h1, reach the kernel's address, and the kernel's answers (echo replies,
# port unreachables) show in both sides' counters.
# Usage: traceroute.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
command -v traceroute >/dev/null 2>&1 || skip "traceroute is not installed (scripts/deps.sh test)"
kernel_setup trace
emu_setup

# hop_line OUT N ADDR: the trace's line N names ADDR (and no '*' instead).
hop_re() { printf '^ *%s  %s  ' "$1" "$2"; }

for mode in UDP ICMP; do
	flag=""
	[ $mode = ICMP ] && flag=-I
	# -N 1: one probe at a time, so the counts below are exact
	out=$(kx traceroute $flag -N 1 -n -q 2 -w 2 -m 8 "$H1ADDR" 2>&1)
	expect "kernel traceroute ($mode): hop 1 is r1" "$(hop_re 1 "$R1ADDR")" "$out"
	expect "kernel traceroute ($mode): hop 2 is r2" "$(hop_re 2 10.77.1.2)" "$out"
	expect "kernel traceroute ($mode): hop 3 is r3" "$(hop_re 3 10.77.2.2)" "$out"
	expect "kernel traceroute ($mode): hop 4 is h1, the end" "$(hop_re 4 "$H1ADDR")" "$out"
	expect_not "kernel traceroute ($mode): no lost probe, no 5th hop" '^ *5 |\*' "$out"
done
n=$(nse "nstat -n h1 IcmpOutDestUnreachs IcmpOutEchoReps")
expect "h1 answered the UDP probes with port unreachable" "^IcmpOutDestUnreachs +2 " "$n"
d=$(nse "show drops h1")
expect "h1 counts the UDP probes under NO_SOCKET" "NO_SOCKET +2 " "$d"
n=$(nse "nstat -n r2 IcmpOutTimeExcds")
expect "r2 answered 4 probes with time exceeded" "^IcmpOutTimeExcds +4 " "$n"

reqs0=$(snmp Icmp InEchos)
out=$(nse "ip netns exec h1 ping -c 3 -i 0.2 $KADDR")
expect "emulated ping to the kernel: 3 replies" "^3 packets transmitted, 3 received, 0% packet loss" "$out"
expect "emulated ping: the kernel's reply ttl is 64 - 3 hops" "^64 bytes from $KADDR: icmp_seq=1 ttl=61 " "$out"
check "kernel answered 3 echo requests (Icmp InEchos +3)" test "$(snmp Icmp InEchos)" -eq $((reqs0 + 3))

unr0=$(snmp Icmp OutDestUnreachs)
out=$(nse "ip netns exec h1 traceroute -n -q 2 -w 2 $KADDR")
expect "emulated traceroute to the kernel: hop 1 is r3" "$(hop_re 1 10.77.3.1)" "$out"
expect "emulated traceroute: hop 2 is r2" "$(hop_re 2 10.77.2.1)" "$out"
expect "emulated traceroute: hop 3 is r1" "$(hop_re 3 10.77.1.1)" "$out"
expect "emulated traceroute: hop 4 is the kernel" "$(hop_re 4 "$KADDR")" "$out"
expect_not "emulated traceroute: no lost probe" '\*' "$out"
check "kernel sent 2 port unreachables (Icmp OutDestUnreachs +2)" \
	test "$(snmp Icmp OutDestUnreachs)" -eq $((unr0 + 2))

out=$(nse "ip netns exec h1 traceroute -I -n -q 2 -w 2 $KADDR")
expect "emulated traceroute -I: hop 4 is the kernel" "$(hop_re 4 "$KADDR")" "$out"

interop_check_counters
interop_check_capture
interop_finish
