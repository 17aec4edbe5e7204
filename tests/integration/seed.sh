#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two emulator runs hand out different MAC addresses (TAPs of two
# emulators may share a segment); two runs with the same --seed the same.
set -u
bin=${1:?usage: seed.sh NSEMU}
script=$(mktemp)
trap 'rm -f "$script"' EXIT
printf '%s\n' 'ip netns add a' \
	'ip link add x0 netns a type veth peer name x1 netns a' \
	'ip -n a link show' >"$script"
macs() { "$bin" -t 1 "$@" -b "$script" 2>&1 | awk '/link\/ether/ { print $2 }' | tr '\n' ' '; }
pass=0 fail=0
check() {
	if [ "$2" = ok ]; then
		echo "PASS seed/$1"
		pass=$((pass + 1))
	else
		echo "FAIL seed/$1: $3"
		fail=$((fail + 1))
	fi
}
a=$(macs) b=$(macs)
[ -n "$a" ] && [ "$a" != "$b" ] && r=ok || r=bad
check "runs-differ" $r "'$a' vs '$b'"
a=$(macs --seed 7) b=$(macs --seed 7)
[ -n "$a" ] && [ "$a" = "$b" ] && r=ok || r=bad
check "same-seed-same-macs" $r "'$a' vs '$b'"
out=$("$bin" --seed x -b "$script" 2>&1)
[ $? -eq 2 ] && [[ "$out" == *'invalid seed "x"'* ]] && r=ok || r=bad
check "bad-seed-refused" $r "$out"
echo "seed: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
