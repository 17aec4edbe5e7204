#!/bin/sh
# SPDX-License-Identifier: MIT
# Run an integration case against the real Linux kernel, to write or check
# its expected output: every line of CASE.nsemu runs as a shell command in
# a private mount + network namespace (so `ip netns add` names cannot clash
# with the host's, and everything vanishes on exit), as `ip -batch` would:
# the first failing line prints "Command failed FILE:LINE" and ends the run.
# nsemu-only syntax is translated: `ip netns add NAME thread K` drops
# `thread K`; `show ...` lines (nsemu's own counters) are skipped. IPv6 is
# disabled in each namespace, as nsemu has none (no RS/MLD/DAD traffic in
# the counters). Needs root, iproute2, iputils-ping and traceroute.
# Output: what run.sh compares, ending with "[exit N]".
set -u
case=${1:?usage: kernel-ref.sh CASE.nsemu}
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root" >&2; exit 77; }
dir=$(cd "$(dirname "$case")" && pwd)
file=$(basename "$case")
unshare -mn sh -s "$dir" "$file" <<'INNER' 2>&1
dir=$1; file=$2
mount --make-rprivate / && mkdir -p /run/netns && mount -t tmpfs nsemu-ref /run/netns || exit 99
ip link set lo down
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
cd "$dir"
n=0; rc=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	case $line in
	'' | '#'*) continue ;;
	'show '*) continue ;;
	'ip netns add '*)
		set -- $line
		ns=$4
		ip netns add "$ns" || { rc=1; }
		[ $rc -eq 0 ] && ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		;;
	*) sh -c "$line" </dev/null || rc=1 ;;
	esac
	if [ $rc -ne 0 ]; then
		echo "Command failed $file:$n" >&2
		echo "[exit 1]"
		exit 0
	fi
done <"$file"
echo "[exit 0]"
INNER
