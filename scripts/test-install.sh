#!/bin/sh
# SPDX-License-Identifier: MIT
# `make install` / `make uninstall` into a temporary DESTDIR with
# PREFIX=/usr, then the installed programs run from there: --help, the man
# pages, a daemon
# answering the installed nsemuctl, and `nsemu exec` preloading the shim
# from PREFIX/lib/nsemu/. Usage: test-install.sh BUILD_DIR. Prints PASS/FAIL
# per case and "install: N passed, M failed"; exits 1 if any failed.
set -u
build=${1:?usage: test-install.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$root/$build ;; esac
# a make of its own: not the caller's flags (-n, -j's jobserver)
make="env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make"
dest=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$dest"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS install/$1"; }
ko() { fail=$((fail + 1)); echo "FAIL install/$1: $2"; }

bin=$dest/usr/bin
shim=$dest/usr/lib/nsemu/libnsemu-shim.so
if $make -s -C "$root" O="$build" install DESTDIR="$dest" PREFIX=/usr >"$dest/make.log" 2>&1; then
	ok make-install
else
	ko make-install "exit $?"
	cat "$dest/make.log"
fi
missing=
man1=$dest/usr/share/man/man1
for f in "$bin/nsemu" "$bin/nsemuctl" "$shim" "$man1/nsemu.1" "$man1/nsemuctl.1"; do
	[ -f "$f" ] || missing="$missing $f"
done
[ -x "$bin/nsemu" ] && [ -x "$bin/nsemuctl" ] || missing="$missing (not executable)"
[ -z "$missing" ] && ok files || ko files "missing:$missing"

for p in nsemu nsemuctl; do
	out=$("$bin/$p" --help 2>&1)
	case $out in
	"Usage: $p "*) ok "$p-help" ;;
	*) ko "$p-help" "got: $(printf %s "$out" | head -1)" ;;
	esac
	if command -v man >/dev/null; then
		out=$(MANPATH="$dest/usr/share/man" MANWIDTH=80 man "$p" 2>&1 | head -5)
		case $out in
		*"$p \- "* | *"$p - "*) ok "$p-man" ;;
		*) ko "$p-man" "man $p: $out" ;;
		esac
	fi
done

# the installed daemon, client and launcher together
sock=$dest/s
"$bin/nsemu" --daemon -t 1 -s "$sock" -f "$root/topo/default.nsemu" >/dev/null 2>"$dest/err" &
pid=$!
i=0
while ! timeout 10 "$bin/nsemuctl" -s "$sock" ip netns list >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
out=$(timeout 10 "$bin/nsemuctl" -s "$sock" ip netns list 2>&1)
case $out in
*h1*) ok nsemuctl ;;
*) ko nsemuctl "ip netns list: $out $(cat "$dest/err")" ;;
esac
# the build directory's shim must not be the one found
out=$(env -u LD_PRELOAD "$bin/nsemu" exec -s "$sock" h1 -- sh -c 'printf %s "$LD_PRELOAD"' 2>&1)
[ "$out" = "$shim" ] && ok exec-finds-shim || ko exec-finds-shim "LD_PRELOAD=$out, want $shim"
kill -TERM "$pid" && wait "$pid"
pid=

if $make -s -C "$root" O="$build" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 &&
	[ ! -e "$bin/nsemu" ] && [ ! -e "$bin/nsemuctl" ] && [ ! -e "$dest/usr/lib/nsemu" ] &&
	[ ! -e "$man1/nsemu.1" ] && [ ! -e "$man1/nsemuctl.1" ]; then
	ok uninstall
else
	ko uninstall "left: $(cd "$dest" && find usr -type f | tr '\n' ' ')"
fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
