#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages nsemu builds and tests with, if any is missing.
# Called by `make` (deps target); does nothing when everything is present.
set -e
pkgs="libev-dev libnl-3-dev libnl-route-3-dev libjemalloc-dev libcmocka-dev libedit-dev pkg-config"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "nsemu: installing missing packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
