#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages nsemu needs, if any is missing.
#   scripts/deps.sh          build dependencies (called by `make`)
#   scripts/deps.sh test     also what the tests use (called by `make test`)
#   scripts/deps.sh bench    also what `make bench` uses
# Does nothing when everything is present.
set -e
BUILD_PKGS="libev-dev libnl-3-dev libnl-route-3-dev libjemalloc-dev libcmocka-dev libedit-dev libpcap-dev pkg-config"
# Tools the tests drive (the real iproute2 and kernel tools, sanitizer runtimes).
TEST_PKGS="iproute2 procps iputils-ping traceroute arping tshark python3-scapy tcpdump netcat-openbsd iperf3"
# `make bench`: the plot (gnuplot), callgrind (valgrind), the kernel chain (iproute2, util-linux taskset/unshare).
BENCH_PKGS="gnuplot-nox valgrind util-linux python3"

pkgs="$BUILD_PKGS"
case "${1:-}" in
test) pkgs="$pkgs $TEST_PKGS" ;;
bench) pkgs="$pkgs $TEST_PKGS $BENCH_PKGS" ;;
esac

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "nsemu: installing missing packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
