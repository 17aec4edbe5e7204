#!/bin/sh
# SPDX-License-Identifier: MIT
# The non-root recipe of docs/host.md: nsemu running as an unprivileged user
# (nobody, no capabilities) cannot create a host TAP and says what is
# missing; once root made a persistent TAP owned by that user
# (`ip tuntap add dev X mode tap user nobody`), the same user attaches to it
# with host-name and the kernel pings through it.
# Needs root (to make the TAP and drop to nobody) and /dev/net/tun.
. "$(dirname "$0")/lib.sh"
interop_require "$@"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
id nobody >/dev/null 2>&1 || skip "no user nobody"

TAP="nsn$$"
kernel_ns tapn
chmod 755 "$T"
uid=$(id -u nobody)
gid=$(id -g nobody)
as_nobody()
{
	ip netns exec "$KNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}
as_nobody test -x "$NSEMU" || skip "user nobody cannot run $NSEMU"

# Without a TAP made for it: a clear error, nothing created.
out=$(printf 'ip netns add e1\nip -n e1 link add tap0 type tap host-name %s\n' "$TAP" |
	as_nobody timeout 30 "$NSEMU" -b - 2>&1)
rc=$?
[ $rc -ne 0 ] && ok "unprivileged create fails (exit $rc)" || bad "unprivileged create succeeded"
expect "the error names what is missing" \
	"Error: cannot (attach $TAP|open /dev/net/tun): .*need CAP_NET_ADMIN or a persistent TAP owned by you: see docs/host.md" \
	"$out"
if kx ip link show "$TAP" >/dev/null 2>&1; then
	bad "a host device was created anyway"
else
	ok "no host device was created"
fi

# The administrator's part of the recipe, then the same user attaches.
kx ip tuntap add dev "$TAP" mode tap user nobody || { bad "ip tuntap add"; exit 1; }
kx ip addr add 10.80.0.1/24 dev "$TAP"
kx ip link set "$TAP" up
# Where /dev/net/tun is 0600 (some containers; distributions ship 0666),
# the user reaches it through a private node of the same device, mounted
# over it in a mount namespace of nsemu's own: the host is left unchanged.
if ! as_nobody test -r /dev/net/tun -a -w /dev/net/tun; then
	mknod "$T/tun" c 10 200 && chmod 666 "$T/tun" ||
		skip "/dev/net/tun is not accessible to nobody and no private node can be made"
	cat >"$T/nsemu-nobody" <<WRAP
#!/bin/sh
exec unshare -m sh -c 'mount --bind $T/tun /dev/net/tun && exec setpriv --reuid=$uid \
	--regid=$gid --clear-groups --inh-caps=-all --bounding-set=-all $NSEMU "\$@"' nsemu "\$@"
WRAP
else
	cat >"$T/nsemu-nobody" <<WRAP
#!/bin/sh
exec setpriv --reuid=$uid --regid=$gid --clear-groups --inh-caps=-all --bounding-set=-all \
	$NSEMU "\$@"
WRAP
fi
chmod 755 "$T/nsemu-nobody"
NSEMU=$T/nsemu-nobody
nsemu_start
nse_ok "ip netns add e1"
nse_ok "ip -n e1 link add tap0 type tap host-name $TAP"
nse_ok "ip -n e1 addr add 10.80.0.2/24 dev tap0"
nse_ok "ip -n e1 link set tap0 up"
sleep 1.2
expect "unprivileged nsemu attached to the persistent TAP" "LOWER_UP.*state UP" \
	"$(nse "ip -n e1 link show tap0")"
expect "kernel pings the unprivileged emulator" " 0% packet loss" \
	"$(kx ping -c 2 -i 0.2 -W 2 10.80.0.2 2>&1)"
interop_finish
