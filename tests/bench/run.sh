#!/bin/sh
# Run every benchmark (`make bench`): each tests/bench/bench_*.sh, and each
# compiled $BUILD/bench/bench_* that has no script of the same name to set
# up its peers.  Every benchmark prints its own figures and the ratio to the
# reference it names; timings are reported, never asserted.  Exit 1 if a
# benchmark itself failed to run.
set -u
: "${BUILD:?BUILD must name the build folder}"
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	[ -e "$here/$(basename "$b").sh" ] && continue
	echo "== $(basename "$b")"
	"$b" || { echo "!! $(basename "$b") failed"; status=1; }
done
for s in "$here"/bench_*.sh; do
	[ -e "$s" ] || continue
	echo "== $(basename "$s" .sh)"
	BUILD="$BUILD" sh "$s" || { echo "!! $(basename "$s") failed"; status=1; }
done
exit $status
