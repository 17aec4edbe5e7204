#!/bin/sh
# SPDX-License-Identifier: MIT
# Carrier of a TAP attached with host-name to a persistent host device
# (devices/tap.c): the host device going down, being deleted and being
# recreated as persistent shows in nsemu as NO-CARRIER / DOWN and
# back, nothing crashes, and traffic flows again after each recovery.
# Needs root and /dev/net/tun (skipped otherwise).
. "$(dirname "$0")/lib.sh"
interop_require "$@"

TAP="nsc$$"
kernel_ns tapc

# host_tap: make the persistent TAP and configure the kernel's end.
host_tap()
{
	kx ip tuntap add dev "$TAP" mode tap || { bad "ip tuntap add $TAP"; exit 1; }
	kx ip addr add 10.79.0.1/24 dev "$TAP"
	kx ip link set "$TAP" up
}

# wait_state WANT: poll nsemu's tap0 until its line matches WANT (5 s).
wait_state()
{
	for _ in $(seq 25); do
		line=$(nse "ip -n e1 link show tap0" | head -1)
		printf '%s\n' "$line" | grep -Eq -- "$1" && return 0
		sleep 0.2
	done
	echo "$line"
	return 1
}

host_tap
nsemu_start
nse_ok "ip netns add e1"
out=$(nse "ip -n e1 link add tap0 type tap host-name $TAP")
nsemu_alive || skip "nsemu has no tap device: $(printf '%s' "$out" | head -1)"
nse_ok "ip -n e1 addr add 10.79.0.2/24 dev tap0"
nse_ok "ip -n e1 link set tap0 up"
check "carrier with the host device up" wait_state "LOWER_UP.*state UP"
expect "kernel pings the emulated host" " 0% packet loss" "$(kx ping -c 2 -i 0.2 -W 2 10.79.0.2 2>&1)"

kx ip link set "$TAP" down
check "host device down: NO-CARRIER, DOWN" wait_state "NO-CARRIER.*state DOWN"
kx ip link set "$TAP" up
check "host device up again: carrier back" wait_state "LOWER_UP.*state UP"

# Deleting the host device under nsemu's fd (the fd then reads EBADFD).
kx ip link del "$TAP" || bad "ip link del $TAP"
check "host device deleted: NO-CARRIER, DOWN" wait_state "NO-CARRIER.*state DOWN"
# Sending meanwhile is a counted drop (no carrier), and nsemu keeps serving
# (a failing ping would end nsemu's batch, so the drop is checked instead).
nse_ok "ip -n e1 neigh add 10.79.0.9 lladdr 02:00:00:00:00:09 dev tap0"
expect "nsemu keeps serving with the host device gone" "NO-CARRIER" "$(nse "ip -n e1 -s link show tap0")"

# Recreated as persistent: nsemu reattaches (1 s poll) and regains carrier.
host_tap
check "host device recreated: reattached, carrier back" wait_state "LOWER_UP.*state UP"
expect "kernel pings the emulated host after the recovery" " 0% packet loss" \
	"$(kx ping -c 2 -i 0.2 -W 2 10.79.0.2 2>&1)"
expect "emulated ping to the kernel after the recovery" " 0% packet loss" \
	"$(nse "ip netns exec e1 ping -c 2 -i 0.2 10.79.0.1")"
interop_finish
