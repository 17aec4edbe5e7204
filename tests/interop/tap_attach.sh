#!/bin/sh
# SPDX-License-Identifier: MIT
# TAP/TUN basics against the real kernel (devices/tap.c): nsemu, started in
# a kernel namespace of the case's own, creates its host devices itself
# (no host-name: the host device takes the nsemu device's name) and the
# kernel pings through them both ways:
#   - `type tap`: Ethernet, ARP in both directions, kernel ping to the
#     emulated host and emulated ping to the kernel;
#   - `type tun`: bare IP (link/none, POINTOPOINT,NOARP), both ways;
#   - `ip link del` in nsemu closes the fd and the non-persistent host
#     device disappears from the kernel.
# Needs root and /dev/net/tun (skipped otherwise).
. "$(dirname "$0")/lib.sh"
interop_require "$@"

TAP="nsa$$"
TUN="nsu$$"
kernel_ns tap

nsemu_start
nse_ok "ip netns add e1"
out=$(nse "ip -n e1 link add tap0 type tap host-name $TAP")
nsemu_alive || skip "nsemu has no tap device: $(printf '%s' "$out" | head -1)"
nse_ok "ip -n e1 link add tun0 type tun host-name $TUN"
nse_ok "ip -n e1 addr add 10.78.0.2/24 dev tap0"
nse_ok "ip -n e1 addr add 10.78.1.2/24 dev tun0"
nse_ok "ip -n e1 link set tap0 up"
nse_ok "ip -n e1 link set tun0 up"

# The host devices exist now in the kernel namespace, down: nsemu's side
# has no carrier until the host brings its end up.
present() { kx ip link show "$1" >/dev/null 2>&1; }
check "kernel sees the TAP nsemu created" present "$TAP"
check "kernel sees the TUN nsemu created" present "$TUN"
expect "tap0 without carrier while the host side is down" "NO-CARRIER.*state DOWN" \
	"$(nse "ip -n e1 link show tap0")"
kx ip addr add 10.78.0.1/24 dev "$TAP"
kx ip link set "$TAP" up
kx ip addr add 10.78.1.1/24 dev "$TUN"
kx ip link set "$TUN" up
sleep 1.5 # carrier follows the host's IFF_UP within a second
expect "tap0 has carrier once the host side is up" "state UP" "$(nse "ip -n e1 link show tap0")"
tun=$(nse "ip -n e1 link show tun0")
expect "tun0 is point-to-point without ARP and carrier" "<POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP>" \
	"$tun"
expect "tun0 has no link-layer address" "link/none" "$tun"

expect "kernel pings the emulated host through the TAP" " 0% packet loss" \
	"$(kx ping -c 3 -i 0.2 -W 2 10.78.0.2 2>&1)"
expect "kernel resolved the emulated host by ARP" "10.78.0.2 .*REACHABLE|10.78.0.2 .*STALE|10.78.0.2 .*DELAY" \
	"$(kx ip neigh show dev "$TAP")"
expect "emulated ping to the kernel through the TAP" " 0% packet loss" \
	"$(nse "ip netns exec e1 ping -c 3 -i 0.2 10.78.0.1")"
expect "kernel pings the emulated host through the TUN" " 0% packet loss" \
	"$(kx ping -c 3 -i 0.2 -W 2 10.78.1.2 2>&1)"
expect "emulated ping to the kernel through the TUN" " 0% packet loss" \
	"$(nse "ip netns exec e1 ping -c 3 -i 0.2 10.78.1.1")"
expect "kernel sends 3000-byte pings (fragments) through the TUN" " 0% packet loss" \
	"$(kx ping -c 2 -i 0.2 -s 3000 -W 2 10.78.1.2 2>&1)"

# Counters agree: the kernel's TX of the TUN is nsemu's RX and back.
k=$(kx ip -s link show "$TUN")
e=$(nse "ip -n e1 -s link show tun0")
if [ "$(link_counter "$k" TX 2)" = "$(link_counter "$e" RX 2)" ] &&
	[ "$(link_counter "$k" RX 2)" = "$(link_counter "$e" TX 2)" ] &&
	[ "$(link_counter "$k" TX 1)" = "$(link_counter "$e" RX 1)" ]; then
	ok "tun packet and byte counters agree on both sides"
else
	bad "tun counters differ: kernel"
	printf '%s\n%s\n' "$k" "$e" | sed 's/^/         | /'
fi

# Deleting the nsemu device closes the fd: the non-persistent host
# device goes with it.
nse_ok "ip -n e1 link del tap0"
sleep 0.3
if present "$TAP"; then
	bad "host TAP still present after ip link del in nsemu"
else
	ok "host TAP gone after ip link del in nsemu"
fi
interop_finish
