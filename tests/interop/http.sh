#!/bin/sh
# SPDX-License-Identifier: MIT
# HTTP between the kernel and nsemu's h1 (lib.sh's topology, through the
# 1400-MTU link): the kernel's curl and wget fetch a 10 MiB file from
# nsemu's httpd (sha256 compared), curl's HEAD sees the headers, two URLs
# in one curl run share one connection, a missing file is a 404, a 10 MiB
# fetch through netem loss and delay retransmits and arrives whole; then
# nsemu's wget fetches a 10 MiB file from the kernel's python3 -m
# http.server (sha256 compared) and the server logs the request. h1's
# default route carries the path's 1400-byte MTU, so its segments fit from
# the first (path MTU discovery itself is tcp.sh's; its dropped first
# segments would show in the capture check as gaps).
# Usage: http.sh NSEMU_BINARY
. "$(dirname "$0")/lib.sh"
interop_require "$@"
for t in curl sha256sum head; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/deps.sh test)"
done
PY=/usr/bin/python3
[ -x "$PY" ] || skip "/usr/bin/python3 is not installed"
kernel_setup http
emu_setup
nse_ok "ip -n h1 route replace default via 10.77.3.1 mtu 1400"

mkdir -p "$T/www" "$T/kwww"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$T/www/big.bin"
cp "$T/www/big.bin" "$T/kwww/kbig.bin"
printf 'hello from h1\n' >"$T/www/index.html"
want=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
NSE_WAIT=120

# 1. the kernel's clients -> nsemu's httpd
nse_ok "ip netns exec h1 httpd -p 8080 -d $T/www &"
if kx curl -s -S --max-time 60 -o "$T/got1" "http://$H1ADDR:8080/big.bin"; then
	ok "kernel curl fetched 10 MiB from nsemu's httpd"
else
	bad "kernel curl from http://$H1ADDR:8080/big.bin failed"
fi
check "curl's copy is intact (sha256)" \
	test "$(sha256sum <"$T/got1" | cut -d' ' -f1)" = "$want"
if command -v wget >/dev/null 2>&1; then
	if kx wget -q -T 60 -O "$T/got2" "http://$H1ADDR:8080/big.bin"; then
		ok "kernel wget fetched 10 MiB from nsemu's httpd"
	else
		bad "kernel wget from http://$H1ADDR:8080/big.bin failed"
	fi
	check "wget's copy is intact (sha256)" \
		test "$(sha256sum <"$T/got2" | cut -d' ' -f1)" = "$want"
fi
h=$(kx curl -s -I "http://$H1ADDR:8080/big.bin" | tr -d '\r')
expect "curl -I: 200 OK" "^HTTP/1.1 200 OK$" "$h"
expect "curl -I: the length" "^Content-Length: 10485760$" "$h"
expect "curl -I: the type" "^Content-Type: application/octet-stream$" "$h"
expect "curl -I: kept alive" "^Connection: keep-alive$" "$h"
n=$(kx curl -s -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' \
	"http://$H1ADDR:8080/" "http://$H1ADDR:8080/index.html")
expect "curl: the first URL connects" "^200 1$" "$n"
expect "curl: the second reuses the connection" "^200 0$" "$n"
c=$(kx curl -s -o /dev/null -w '%{http_code}' "http://$H1ADDR:8080/nothere")
check "curl: a missing file is 404 (got $c)" test "$c" = 404
c=$(kx curl -s -o /dev/null -w '%{http_code}' --path-as-is "http://$H1ADDR:8080/../etc/passwd")
check "curl: a .. path is 403 (got $c)" test "$c" = 403
# through 1% loss and 20 ms on the kernel's side: nsemu's httpd retransmits
if kx tc qdisc add dev "$TAP" root netem loss 1% delay 20ms 2>/dev/null; then
	r0=$(nse "nstat -n h1 -a TcpRetransSegs" | awk '$1 == "TcpRetransSegs" { print $2 }')
	if timeout 100 ip netns exec "$KNS" curl -s -S --max-time 90 -o "$T/got4" \
		"http://$H1ADDR:8080/big.bin"; then
		ok "kernel curl fetched 10 MiB through netem loss 1% delay 20ms"
	else
		bad "kernel curl through netem loss failed"
	fi
	kx tc qdisc del dev "$TAP" root
	check "through loss curl's copy is intact (sha256)" \
		test "$(sha256sum <"$T/got4" | cut -d' ' -f1)" = "$want"
	r1=$(nse "nstat -n h1 -a TcpRetransSegs" | awk '$1 == "TcpRetransSegs" { print $2 }')
	check "httpd's side retransmitted (TcpRetransSegs ${r0:-0} -> ${r1:-0})" \
		test "${r1:-0}" -gt "${r0:-0}"
else
	echo "  note: no netem qdisc here (sch_netem); the lossy transfer is not run"
fi
log=$(cat "$T/log")
expect "httpd logged curl's request" \
	"^$KADDR - - \[[^]]+\] \"GET /big.bin HTTP/1.1\" 200 10485760$" "$log"

# 2. nsemu's wget -> the kernel's python3 http.server
(cd "$T/kwww" && exec timeout 120 ip netns exec "$KNS" "$PY" -m http.server 8000 \
	--bind "$KADDR" >"$T/py.log" 2>&1) &
PYPID=$!
for _ in $(seq 50); do
	grep -q "Serving HTTP" "$T/py.log" 2>/dev/null && break
	sleep 0.1
done
out=$(nse "ip netns exec h1 wget -T 60 -O $T/got3 http://$KADDR:8000/kbig.bin")
expect "nsemu's wget: 200 OK" "awaiting response\.\.\. 200 OK$" "$out"
expect "nsemu's wget: the length" "^Length: 10485760 \(10M\) \[application/octet-stream\]$" "$out"
expect "nsemu's wget: saved" "saved \[10485760/10485760\]$" "$out"
check "nsemu's copy is intact (sha256)" \
	test "$(sha256sum <"$T/got3" | cut -d' ' -f1)" = "$want"
kill "$PYPID" 2>/dev/null
wait "$PYPID" 2>/dev/null
expect "python's server logged nsemu's request" "\"GET /kbig.bin HTTP/1.1\" 200 -" \
	"$(cat "$T/py.log")"

nse_ok "kill %1"
n=$(nse "nstat -n h1 -a TcpPassiveOpens TcpActiveOpens TcpInCsumErrors")
expect "h1 accepted the kernel's connections" "^TcpPassiveOpens +([5-9]|1[0-9]) " "$n"
expect "h1 opened one" "^TcpActiveOpens +1 " "$n"
expect_not "h1 saw no bad checksum" "^TcpInCsumErrors" "$n"
check "kernel: no TCP checksum errors" test "$(snmp Tcp InCsumErrors)" -eq 0
capture_stop
interop_check_counters
interop_check_capture
interop_finish
