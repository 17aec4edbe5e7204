#!/bin/sh
# SPDX-License-Identifier: MIT
# Capture integration test (make test-integration): nsemu captures a ping
# across the default topology to a pcap file (background `tcpdump ... &`),
# to a FIFO read by another process, and as printed lines; the capture ends
# when the namespace is deleted. The file is read back with nsemu's
# `tcpdump -r` (libpcap's reader), with the real tcpdump and with tshark
# (no malformed packet, no bad checksum) when they are installed.
# Usage: capture.sh NSEMU_BINARY. Prints PASS/FAIL lines; exits 1 on failure.
set -u
bin=${1:?usage: capture.sh NSEMU}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
topo=$(cd "$here/../../.." && pwd)/topo/default.nsemu
tmp=$(mktemp -d)
reader=""
cleanup() {
	[ -n "$reader" ] && kill "$reader" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fails=0
passes=0
ok() { echo "PASS capture/$1"; passes=$((passes + 1)); }
ko() { echo "FAIL capture/$1: $2"; fails=$((fails + 1)); }
# expect NAME FILE REGEX: some line of FILE matches the extended regex
expect() {
	if grep -Eq "$3" "$2"; then ok "$1"; else ko "$1" "no line matching /$3/ in"; sed 's/^/    /' "$2"; fi
}
run() { timeout 60 "$bin" -t 2 -b "$1" >"$2" 2>&1; }

# 1. a file, a filtered printing capture, both ended by deleting r1
cat >"$tmp/a.nsemu" <<EOS
source $topo
tcpdump -n r1 -i r1-eth0 -w $tmp/a.pcap &
tcpdump -n r1 -i r1-eth1 -c 2 icmp &
ip netns exec h1 ping -c 2 -i 0.2 10.0.2.2
ip netns del r1
wait
tcpdump -r $tmp/a.pcap
EOS
run "$tmp/a.nsemu" "$tmp/a.out"
[ $? -eq 0 ] && ok file-exit || ko file-exit "nsemu failed"
expect listening "$tmp/a.out" '^tcpdump: listening on r1-eth0, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes$'
expect gone "$tmp/a.out" '^tcpdump: pcap_loop: The interface disappeared$'
expect captured "$tmp/a.out" '^6 packets captured$'
expect printed "$tmp/a.out" '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} IP 10\.0\.1\.2 > 10\.0\.2\.2: ICMP echo request, id 1, seq 1, length 64$'
expect count-ended "$tmp/a.out" '^2 packets captured$'
expect reading "$tmp/a.out" '^reading from file .*/a\.pcap, link-type EN10MB \(Ethernet\), snapshot length 262144$'
expect arp-line "$tmp/a.out" '^[0-9:.]+ ARP, Request who-has 10\.0\.1\.1 tell 10\.0\.1\.2, length 28$'
expect arp-reply "$tmp/a.out" '^[0-9:.]+ ARP, Reply 10\.0\.1\.1 is-at ([0-9a-f]{2}:){5}[0-9a-f]{2}, length 28$'
expect reply-line "$tmp/a.out" '^[0-9:.]+ IP 10\.0\.2\.2 > 10\.0\.1\.2: ICMP echo reply, id 1, seq 2, length 64$'

if command -v tcpdump >/dev/null 2>&1; then
	n=$(tcpdump -n -r "$tmp/a.pcap" 2>/dev/null | grep -c 'ICMP echo')
	[ "$n" -eq 4 ] && ok real-tcpdump || ko real-tcpdump "tcpdump -r saw $n echo packets, want 4"
else
	echo "SKIP capture/real-tcpdump: tcpdump not installed"
fi
if command -v tshark >/dev/null 2>&1; then
	# every frame decodes, checksums verified and good (a bad filter
	# makes tshark fail, which fails the test rather than passing it)
	if tshark -r "$tmp/a.pcap" -o ip.check_checksum:TRUE -Y '_ws.malformed ||
	    ip.checksum.status == 0 || icmp.checksum.status == 0 || udp.checksum.status == 0' \
	    >"$tmp/bad" 2>"$tmp/tshark.err"; then
		bad=$(grep -c . "$tmp/bad")
		good=$(tshark -r "$tmp/a.pcap" -Y 'icmp.checksum.status == 1' 2>/dev/null | wc -l)
		[ "$bad" -eq 0 ] && [ "$good" -eq 4 ] && ok tshark ||
			ko tshark "$bad bad frames, $good ICMP with good checksums (want 4)"
	else
		ko tshark "tshark failed: $(cat "$tmp/tshark.err")"
	fi
else
	echo "SKIP capture/tshark: tshark not installed"
fi

# 2. a FIFO: nsemu waits for the reader, which gets a valid stream
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/fifo.pcap" &
reader=$!
cat >"$tmp/b.nsemu" <<EOS
source $topo
tcpdump -n h2 -i h2-eth0 -w $tmp/fifo &
ip netns exec h1 ping -c 1 10.0.2.2
ip netns del h2
wait
EOS
run "$tmp/b.nsemu" "$tmp/b.log"
# Read the file only once the reader has written all of it.
wait "$reader" 2>/dev/null
reader=""
echo "tcpdump -r $tmp/fifo.pcap icmp" >"$tmp/b2.nsemu"
run "$tmp/b2.nsemu" "$tmp/b.out"
expect fifo "$tmp/b.out" '^[0-9:.]+ IP 10\.0\.2\.2 > 10\.0\.1\.2: ICMP echo reply, id 1, seq 1, length 64$'

# 3. usage errors: tcpdump's messages, exit status 1, nothing attached
check_err() {
	printf '%s\n' "ip netns add h1" "ip -n h1 link add a0 type veth peer name b0" "$2" \
		>"$tmp/e.nsemu"
	run "$tmp/e.nsemu" "$tmp/e.out"
	st=$?
	if [ $st -eq 1 ] && grep -Fqx -- "$3" "$tmp/e.out"; then ok "$1"; else
		ko "$1" "exit $st"; sed 's/^/    /' "$tmp/e.out"; fi
}
check_err no-iface "tcpdump -n h1" "tcpdump: no interface given: use -i DEV (nsemu has no default)"
check_err no-ns "tcpdump -n nosuch -i a0" 'Cannot open network namespace "nosuch": No such file or directory'
check_err bad-count "tcpdump -n h1 -i a0 -c 0" "tcpdump: invalid packet count 0"
check_err no-arg "tcpdump -n h1 -i a0 -c" "tcpdump: option requires an argument -- 'c'"
check_err bad-opt "tcpdump -n h1 -i a0 -Z" "tcpdump: invalid option -- 'Z'"
check_err bad-filter "tcpdump -n h1 -i a0 ip and and" "tcpdump: can't parse filter expression: syntax error"
check_err no-file "tcpdump -r $tmp/none.pcap" "tcpdump: $tmp/none.pcap: No such file or directory"
check_err exec-form "ip netns exec h1 tcpdump -n -i eth9" "tcpdump: eth9: No such device exists"

echo "capture: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
