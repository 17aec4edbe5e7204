# SPDX-License-Identifier: MIT
# Shared setup for the interop cases (tests/interop/<case>.sh), sourced by
# each of them. A case gets: a kernel network namespace of its own ($KNS)
# holding a persistent TAP ($TAP, 10.77.0.1/24) that the case creates, an
# nsemu process started *inside* $KNS (TUNSETIFF finds a device by name in
# the caller's namespace) whose r1 attaches to that TAP with `type tap
# host-name`, and behind r1 an emulated chain of three routers on two
# worker threads and a host:
#
#   kernel $KNS            nsemu
#   $TAP 10.77.0.1 ─── tap0 10.77.0.2 r1 (thread 0) .1 ═ 10.77.1.0/30 ═ .2
#                      r2 (thread 1) .1 ═ 10.77.2.0/30, mtu 1400 ═ .2 r3
#                      (thread 0) 10.77.3.1 ═ 10.77.3.0/24 ═ 10.77.3.2 h1
#                      (thread 1)
#
# r1 has no default route, so 10.77.9.x is "net unreachable" from r1.
# Every frame on the TAP is captured by tshark on the kernel side from the
# start; interop_check_capture decodes what nsemu wrote. Cleanup (trap on
# EXIT, INT, TERM) stops nsemu and tshark and deletes the namespace and the
# TAP even when the case fails. Every command is bounded by timeout(1).
#
# nsemu is driven through a FIFO on its standard input (a batch: nsemu stops
# at the first failing line, so every line sent must succeed; a dead nsemu
# fails the case). `nse LINE` waits for the line's output with a marker line
# (a sysctl write in nsemu's default namespace, which the topology never
# uses) and prints it.

set -u
INTEROP_DIR=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3 # python3-scapy belongs to Debian's python, not one first on PATH
KADDR=10.77.0.1
R1ADDR=10.77.0.2
R2ADDR=10.77.1.2
R3ADDR=10.77.2.2
H1ADDR=10.77.3.2
NOROUTE=10.77.9.9

# skip WHY: the case cannot run here (exit 77, as automake's convention).
skip()
{
	echo "skipped: $*"
	exit 77
}

fails=0
# ok WHAT / bad WHAT: one check's verdict; the case exits 1 if any failed.
ok() { echo "  ok   $*"; }
bad()
{
	echo "  FAIL $*"
	fails=$((fails + 1))
}

# check WHAT CMD...: run CMD, ok if it succeeds.
check()
{
	what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# expect WHAT REGEX TEXT: ok if TEXT has a line matching the extended REGEX.
expect()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		bad "$1: no line matches /$2/ in:"
		printf '%s\n' "$3" | sed 's/^/         | /'
	fi
}

# expect_not WHAT REGEX TEXT: ok if no line of TEXT matches REGEX.
expect_not()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		bad "$1: a line matches /$2/ in:"
		printf '%s\n' "$3" | sed 's/^/         | /'
	else
		ok "$1"
	fi
}

# interop_require NSEMU_BINARY: skip unless this machine can run the case.
interop_require()
{
	NSEMU=${1:?usage: CASE.sh NSEMU_BINARY}
	case $NSEMU in /*) ;; *) NSEMU=$(pwd)/$NSEMU ;; esac
	[ -x "$NSEMU" ] || skip "no nsemu binary at $NSEMU"
	[ "$(id -u)" -eq 0 ] || skip "needs root (kernel namespaces, a TAP)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	for t in ip timeout mkfifo tshark; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/deps.sh test)"
	done
	ip netns add "nsemu-probe-$$" 2>/dev/null || skip "cannot create a kernel network namespace"
	ip netns del "nsemu-probe-$$"
}

# kx CMD...: run CMD in the kernel namespace, bounded to 30 s.
kx()
{
	timeout 30 ip netns exec "$KNS" "$@"
}

# kernel_ns CASE: a scratch directory $T and a kernel namespace $KNS with
# lo up and IPv6 off, both removed by interop_cleanup on any exit.
kernel_ns()
{
	KNS="nsemu-i-$1-$$"
	T=$(mktemp -d)
	NSEMU_PID=""
	TSHARK_PID=""
	trap interop_cleanup EXIT
	trap 'exit 1' INT TERM
	ip netns add "$KNS" || { bad "ip netns add $KNS"; exit 1; }
	kx ip link set lo up
	# Keep the wire quiet: no IPv6 (router solicitations, MLD) on the TAP.
	kx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# kernel_setup CASE: the kernel side: namespace, TAP, address, routes.
kernel_setup()
{
	TAP="nsi$$"
	TAP=$(printf '%.15s' "$TAP")
	kernel_ns "$1"
	# The kernel would rate-limit its port unreachables to the emulated
	# traceroute (icmp_ratelimit, 1/s per peer after a burst of 6).
	kx sysctl -qw net.ipv4.icmp_ratelimit=0
	kx ip tuntap add dev "$TAP" mode tap || { bad "ip tuntap add $TAP"; exit 1; }
	kx ip addr add "$KADDR/24" dev "$TAP"
	kx ip link set "$TAP" up
	kx ip route add 10.77.0.0/16 via "$R1ADDR" dev "$TAP"
	# Capture everything on the TAP from the start (the kernel's view of
	# the wire); wait until tshark really listens.
	timeout 600 ip netns exec "$KNS" tshark -i "$TAP" -w "$T/kernel.pcap" -q \
		>"$T/tshark.log" 2>&1 &
	TSHARK_PID=$!
	for _ in $(seq 50); do
		grep -q "Capturing on" "$T/tshark.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "Capturing on" "$T/tshark.log" || bad "tshark did not start: $(cat "$T/tshark.log")"
}

# nsemu_start: nsemu in the kernel namespace, reading the FIFO $T/in.
nsemu_start()
{
	mkfifo "$T/in"
	exec 3<>"$T/in" # read-write: the open does not wait for the reader
	echo 0 >"$T/seq"
	: >"$T/log"
	# 3>&-: nsemu must not hold the write end, or it never sees the EOF
	timeout 600 ip netns exec "$KNS" "$NSEMU" -t 2 -b - <"$T/in" >>"$T/log" 2>&1 3>&- &
	NSEMU_PID=$!
}

# nsemu_alive: nsemu still runs (a batch stops at the first failing line).
nsemu_alive()
{
	[ -n "$NSEMU_PID" ] && kill -0 "$NSEMU_PID" 2>/dev/null
}

# nse LINE: run one CLI line in nsemu, print its output (stdout and
# stderr), wait at most NSE_WAIT seconds (default 30). Returns 1 if nsemu
# died or did not answer in time.
nse()
{
	# the count lives in a file: nse runs in $(...) subshells
	SEQ=$(($(cat "$T/seq") + 1))
	echo $SEQ >"$T/seq"
	start=$(wc -c <"$T/log")
	printf '%s\nsysctl -w net.ipv4.ip_default_ttl=64\n' "$1" >&3
	n=0
	limit=$((${NSE_WAIT:-30} * 10))
	while [ "$(grep -c '^net.ipv4.ip_default_ttl = 64$' "$T/log")" -lt "$SEQ" ]; do
		if ! nsemu_alive || [ $n -ge $limit ]; then
			tail -c +"$((start + 1))" "$T/log"
			echo "nsemu: no answer to \"$1\" ($(nsemu_alive && echo timeout || echo exited))" >&2
			return 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
	tail -c +"$((start + 1))" "$T/log" | sed '$d'
}

# nse_ok LINE: run LINE in nsemu; a failure (nsemu exited) fails the case.
nse_ok()
{
	if ! out=$(nse "$1"); then
		bad "nsemu: $1"
		printf '%s\n' "$out" | sed 's/^/         | /'
		exit 1
	fi
}

# emu_setup: the emulated topology (see the top of this file).
emu_setup()
{
	nsemu_start
	# 'type tap' before the TAP device lands prints a parse error: skip
	# then, rather than fail, as the case cannot run without it.
	for ns in "r1 thread 0" "r2 thread 1" "r3 thread 0" "h1 thread 1"; do
		nse_ok "ip netns add $ns"
	done
	out=$(nse "ip -n r1 link add tap0 type tap host-name $TAP")
	if ! nsemu_alive; then
		case $out in
		*"Garbage instead of arguments"* | *"Unknown device type"* | *"not supported"*)
			skip "nsemu has no tap device: $(printf '%s' "$out" | head -1)" ;;
		esac
		bad "ip link add tap0 type tap host-name $TAP: $out"
		exit 1
	fi
	while read -r line; do
		[ -n "$line" ] && nse_ok "$line"
	done <<EOF
ip link add r1-r2 netns r1 type veth peer name r2-r1 netns r2
ip link add r2-r3 netns r2 mtu 1400 type veth peer name r3-r2 netns r3 mtu 1400
ip link add r3-h1 netns r3 type veth peer name h1-r3 netns h1
ip -n r1 addr add $R1ADDR/24 dev tap0
ip -n r1 addr add 10.77.1.1/30 dev r1-r2
ip -n r2 addr add $R2ADDR/30 dev r2-r1
ip -n r2 addr add 10.77.2.1/30 dev r2-r3
ip -n r3 addr add $R3ADDR/30 dev r3-r2
ip -n r3 addr add 10.77.3.1/24 dev r3-h1
ip -n h1 addr add $H1ADDR/24 dev h1-r3
ip -n r1 link set tap0 up
ip -n r1 link set r1-r2 up
ip -n r2 link set r2-r1 up
ip -n r2 link set r2-r3 up
ip -n r3 link set r3-r2 up
ip -n r3 link set r3-h1 up
ip -n h1 link set h1-r3 up
ip -n r1 route add 10.77.2.0/30 via $R2ADDR
ip -n r1 route add 10.77.3.0/24 via $R2ADDR
ip -n r2 route add 10.77.0.0/24 via 10.77.1.1
ip -n r2 route add 10.77.3.0/24 via $R3ADDR
ip -n r3 route add default via 10.77.2.1
ip -n h1 route add default via 10.77.3.1
sysctl --netns r1 -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
sysctl --netns r2 -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
sysctl --netns r3 -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
sysctl --netns h1 -qw net.ipv4.icmp_ratelimit=0
EOF
	# nsemu's own capture of tap0 (tcpdump -w, in the background until
	# nsemu exits), compared with the kernel's at the end.
	NSEMU_PCAP=""
	if nse "help" | grep -q '^ *tcpdump '; then
		NSEMU_PCAP=$T/nsemu.pcap
		nse_ok "tcpdump -n r1 -i tap0 -w $NSEMU_PCAP &"
	fi
	# The first kernel ping also proves the path works before the case.
	if ! kx ping -c 1 -W 3 "$H1ADDR" >"$T/first.ping" 2>&1 &&
		! kx ping -c 1 -W 3 "$H1ADDR" >"$T/first.ping" 2>&1; then
		bad "first ping from the kernel to h1: $(cat "$T/first.ping")"
	fi
}

# tap_mac: the MAC of nsemu's tap0 (frames nsemu writes carry it).
tap_mac()
{
	nse "ip -n r1 link show tap0" | awk '/link\/ether/ { print $2; exit }'
}

# capture_stop: stop the kernel-side tshark, so its file is complete.
capture_stop()
{
	[ -n "$TSHARK_PID" ] || return 0
	sleep 0.5 # frames written just now reach tshark's buffer
	CAPTURE_END=$(date +%s.%N)
	kill "$TSHARK_PID" 2>/dev/null
	wait "$TSHARK_PID" 2>/dev/null
	TSHARK_PID=""
}

# nsemu_stop: end nsemu's input; it exits, closing its captures.
nsemu_stop()
{
	[ -n "$NSEMU_PID" ] || return 0
	exec 3>&-
	for _ in $(seq 50); do nsemu_alive || break; sleep 0.1; done
	if nsemu_alive; then
		bad "nsemu did not exit at the end of its input"
		kill "$NSEMU_PID" 2>/dev/null
	fi
	wait "$NSEMU_PID" 2>/dev/null
	st=$?
	NSEMU_PID=""
	# a clean batch exits 0; sanitizer builds exit non-zero on a leak
	if [ $st -eq 0 ]; then
		ok "nsemu exits 0 at the end of its input"
	else
		bad "nsemu exited with status $st:"
		tail -30 "$T/log" | sed 's/^/         | /'
	fi
}

# interop_check_capture: every frame nsemu wrote to the TAP decodes in
# tshark with no malformed packet, no bad checksum, no expert warning (but
# the checksum of a TCP segment an ICMP error quotes, cut at 576 bytes,
# cannot verify: tshark's complaint about it is not counted); and
# nsemu's own pcap of tap0 opens cleanly and holds the same frames. Ends
# nsemu, then the kernel's capture: in that order, so that a frame nsemu
# sends late (an ARP reprobe seconds after the traffic) is in both files
# or in neither. Call it last; the kernel's capture can be read after it.
interop_check_capture()
{
	mac=$(tap_mac)
	[ -n "$mac" ] || { bad "capture: no MAC for tap0"; return; }
	nsemu_stop
	capture_stop
	n=$(timeout 60 tshark -r "$T/kernel.pcap" -Y "eth.src == $mac" 2>/dev/null | wc -l)
	if [ "$n" -gt 0 ]; then
		ok "capture: tshark decodes $n frames nsemu wrote"
	else
		bad "capture: no frame from nsemu ($mac) in the kernel's capture"
	fi
	# Only the layers nsemu writes: tshark's application dissectors guess
	# at TCP payload by port (random bytes of a transfer once decoded as a
	# Thrift-like "missing mandatory field", depending on segment bounds).
	# tshark 4.0 still runs Thrift's TCP heuristic with every protocol
	# disabled ("Not enough data to decode" on a 10 MiB random transfer):
	# it is turned off by its own name.
	TSHARK_L4="--disable-protocol ALL --enable-protocol frame,eth,ethertype,arp,ip,icmp,tcp,udp,data"
	TSHARK_L4="$TSHARK_L4 --disable-heuristic thrift_tcp"
	# On a loaded machine tshark's own capture drops frames ("N packets
	# dropped" in its log): the gaps read as "previous segment not
	# captured" / "ACKed unseen segment" about frames that are fine (the
	# transfers' sha256 checks the stream), so those two are not counted.
	TSHARK_GAPS="tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment"
	# A D-SACK block (RFC 2883: the peer sent a segment twice, e.g. a
	# kernel retransmission that crossed nsemu's ACK) is a tshark
	# "warning" on an ACK that is right: not counted, unless malformed or
	# with a bad checksum.
	TSHARK_DSACK="(tcp.options.sack.dsack && !_ws.malformed && tcp.checksum.status != 0)"
	badf=$(timeout 60 tshark -r "$T/kernel.pcap" $TSHARK_L4 -o ip.check_checksum:TRUE \
		-o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-Y "eth.src == $mac && (_ws.malformed || _ws.expert.severity >= warning) && !(icmp && tcp.checksum.status == 0 && !_ws.malformed) && !($TSHARK_GAPS) && !$TSHARK_DSACK" \
		-T fields -e frame.number -e _ws.col.Info -e _ws.expert.message 2>&1 |
		grep -v '^Running as user "root"')
	if [ -z "$badf" ]; then
		ok "capture: no malformed frame, bad checksum or warning from nsemu"
	else
		bad "capture: tshark complains about frames nsemu wrote:"
		printf '%s\n' "$badf" | head -20 | sed 's/^/         | /'
	fi
	if [ -z "$NSEMU_PCAP" ]; then
		echo "  note: nsemu has no tcpdump command; its own pcap is not checked"
		return
	fi
	# An ICMP error quoting a TCP segment (frag needed on the 1400-MTU
	# link) draws TCP sequence-analysis warnings about the quoted header,
	# which depend on timing: not counted while the ICMP checksum is good.
	# The file must read to its end without a complaint; the frames nsemu
	# received may be malformed on purpose (badinput.sh), those it wrote not.
	err=$(timeout 60 tshark -r "$NSEMU_PCAP" -q 2>&1 >/dev/null |
		grep -v '^Running as user "root"')
	err=$err$(timeout 60 tshark -r "$NSEMU_PCAP" $TSHARK_L4 -o ip.check_checksum:TRUE \
		-o udp.check_checksum:TRUE \
		-Y "eth.src == $mac && (_ws.malformed || _ws.expert.severity >= warning) && !(icmp && tcp && icmp.checksum.status == 1 && !_ws.malformed) && !($TSHARK_GAPS) && !$TSHARK_DSACK" \
		-T fields -e frame.number -e _ws.col.Info -e _ws.expert.message 2>/dev/null)
	if [ -z "$err" ]; then
		ok "capture: nsemu's own pcap of tap0 reads cleanly in tshark"
	else
		bad "capture: tshark on nsemu's pcap:"
		printf '%s\n' "$err" | head -20 | sed 's/^/         | /'
	fi
	# what nsemu wrote after the kernel's capture stopped (an ARP refresh
	# on its timer) is in its own pcap only
	m=$(timeout 60 tshark -r "$NSEMU_PCAP" \
		-Y "eth.src == $mac && frame.time_epoch < ${CAPTURE_END:-9999999999}" 2>/dev/null | wc -l)
	kdrop=$(sed -n 's/^\([0-9][0-9]*\) packets dropped from.*/\1/p' "$T/tshark.log" | head -1)
	if [ "${kdrop:-0}" -gt 0 ]; then
		echo "  note: the kernel's capture dropped $kdrop frames (load): nsemu's pcap ($m frames" \
			"from nsemu) is not compared with its $n"
	else
		check "capture: nsemu's pcap has the $n frames it wrote (saw $m)" test "$m" -eq "$n"
	fi
}

# link_counter OUTPUT DIRECTION FIELD: a field of `ip -s link` text output
# (DIRECTION RX or TX; FIELD 1 = bytes, 2 = packets, 3 = errors, 4 = dropped).
link_counter()
{
	printf '%s\n' "$1" | awk -v dir="$2:" -v f="$3" '
		$1 == dir { getline; print $f; exit }'
}

# interop_check_counters: frames one side sent = frames the other received.
interop_check_counters()
{
	sleep 0.3 # let in-flight frames land
	k=$(kx ip -s link show "$TAP")
	e=$(nse "ip -n r1 -s link show tap0")
	ktx=$(link_counter "$k" TX 2)
	krx=$(link_counter "$k" RX 2)
	erx=$(link_counter "$e" RX 2)
	etx=$(link_counter "$e" TX 2)
	if [ -n "$ktx" ] && [ "$ktx" = "$erx" ]; then
		ok "counters: kernel TX $ktx packets = nsemu tap0 RX $erx"
	else
		bad "counters: kernel TX ${ktx:-?} packets, nsemu tap0 RX ${erx:-?}"
	fi
	if [ -n "$etx" ] && [ "$etx" = "$krx" ]; then
		ok "counters: nsemu tap0 TX $etx packets = kernel RX $krx"
	else
		bad "counters: nsemu tap0 TX ${etx:-?} packets, kernel RX ${krx:-?}"
	fi
}

# snmp FIELD: a /proc/net/snmp counter of the kernel namespace ("Icmp
# InEchoReps" -> the value).
snmp()
{
	kx cat /proc/net/snmp | awk -v g="$1:" -v f="$2" '
		$1 == g && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == g && hdr { print $col[f]; exit }'
}

# interop_cleanup: stop everything this case started, delete what it made.
interop_cleanup()
{
	rc=$?
	trap - EXIT INT TERM
	if [ -n "${NSEMU_PID:-}" ]; then
		exec 3>&- # end of the batch: nsemu exits by itself
		for _ in $(seq 30); do nsemu_alive || break; sleep 0.1; done
		if nsemu_alive; then
			echo "  nsemu did not exit at the end of its input; killing it"
			kill "$NSEMU_PID" 2>/dev/null
			sleep 0.5
			kill -9 "$NSEMU_PID" 2>/dev/null
		fi
		wait "$NSEMU_PID" 2>/dev/null
	fi
	if [ -n "${TSHARK_PID:-}" ]; then
		kill "$TSHARK_PID" 2>/dev/null
		wait "$TSHARK_PID" 2>/dev/null
	fi
	if [ -n "${KNS:-}" ]; then
		timeout 10 ip -n "$KNS" tuntap del dev "$TAP" mode tap 2>/dev/null
		timeout 10 ip netns del "$KNS" 2>/dev/null
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -s "${T:-/nonexistent}/log" ]; then
		echo "  --- nsemu output (last 40 lines) ---"
		tail -40 "$T/log" | sed 's/^/  | /'
	fi
	[ -n "${T:-}" ] && rm -rf "$T"
	exit $rc
}

# interop_finish: the case's verdict.
interop_finish()
{
	if [ "$fails" -eq 0 ]; then
		exit 0
	fi
	echo "  $fails check(s) failed"
	exit 1
}
