#!/usr/bin/env bash
# The dependency rule of the layout (docs/architecture.md "Layout"), checked
# on every quoted #include: arrows point down only.
#   core/     includes core/ only
#   netns/    includes netns/ and core/ (never devices/, cli/, ctl/, shim/, bench/)
#   devices/  includes devices/, netns/ and core/
#   hw/       includes hw/ and core/
# An include is resolved as the compiler does: beside the file first, then
# from the top of the tree (-I.). Prints each violation; exits 1 if any.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0
allowed() {
	case "$1" in
	core/*) echo "core/" ;;
	netns/*) echo "netns/ core/" ;;
	devices/*) echo "devices/ netns/ core/" ;;
	hw/*) echo "hw/ core/" ;;
	esac
}
while IFS= read -r f; do
	ok=$(allowed "$f")
	[ -n "$ok" ] || continue
	dir=$(dirname "$f")
	while IFS= read -r inc; do
		if [ -e "$dir/$inc" ]; then
			target=$(realpath --relative-to=. "$dir/$inc")
		else
			target=$inc
		fi
		fine=0
		for p in $ok; do
			case "$target" in "$p"*) fine=1 ;; esac
		done
		if [ "$fine" = 0 ]; then
			echo "layout: $f includes $target (allowed: $ok)"
			bad=1
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(git ls-files 'core/*.[ch]' 'netns/*.[ch]' 'devices/*.[ch]' 'hw/*.[ch]')
if [ "$bad" = 0 ]; then
	echo "layout: dependency rule holds (core <- netns <- devices; hw <- core)"
fi
exit "$bad"
