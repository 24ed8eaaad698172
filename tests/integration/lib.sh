# Shared helpers for integration tests (sourced, POSIX sh).
#
# Every test runs real processes on loopback in a fresh temporary folder,
# started in the background and stopped by PID from the EXIT trap; tests
# never pick fixed ports (several test runs may share one machine).
#
#   . "$(dirname "$0")/lib.sh"
#   spawn NAME cmd args...    start in background, log to $T/NAME.log, remember PID
#   free_port [tcp|udp]        print a free loopback port
#   wait_for SECONDS cmd...    retry cmd until it succeeds or time runs out
#   ok "what"  / fail "what"   report one check (fail sets the exit status)
#   check "what" cmd...        ok if cmd succeeds; with `all 'cmd' 'cmd'...`, if each does
#   finish                     exit 0 if every check passed, 1 otherwise
#   no_control_bytes FILE      FILE is UTF-8 whose only control is the line feed ending
#                              each line (what a terminal tool prints, termtext.h)
#   $FAULTVFS                  the SQLite fault shim: LD_PRELOAD=$FAULTVFS
#                              GAS_TEST_FAULT=SPEC PROGRAM (tests/shim/faultvfs.c)

: "${BUILD:?BUILD must name the build folder}"
# Under tests/run.sh every test's folder lives in GAS_TEST_ROOT, kept until
# the privacy scan of the whole run has read it.
T=$(mktemp -d "${GAS_TEST_ROOT:-${TMPDIR:-/tmp}}/gastest.XXXXXX")
PIDS=""
FAULTVFS="$BUILD/tests/faultvfs.so"
FAILED=0
CHECKS=0

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	if [ -n "${GAS_TEST_ROOT:-}" ]; then
		:	# tests/run.sh scans, then removes
	elif [ "$FAILED" -eq 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "# kept $T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

spawn() {
	name=$1; shift
	"$@" >"$T/$name.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
}

free_port() {
	/usr/bin/python3 - "${1:-tcp}" <<'PY'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

wait_for() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

ok() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1)); echo "not ok - $*"; }
# check "what" cmd...: ok if cmd succeeds
check() { what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
# all 'cmd' 'cmd'...: true if every command (one string each, eval'ed) is
all() { for c in "$@"; do eval "$c" || return 1; done; }

# no_control_bytes FILE: read as bytes, FILE is UTF-8 and holds no control a terminal would
# obey but the line feeds ending its lines: no C0 (tab, carriage return, ESC...), no DEL,
# no C1 (U+0080..U+009F; U+009B is CSI on xterm and VTE).  Says what it found.
no_control_bytes() {
	/usr/bin/python3 -c 'import sys
text = open(sys.argv[1], "rb").read().decode("utf-8")  # fails on bytes that are not UTF-8
bad = sorted({hex(ord(c)) for c in text if c != "\n" and (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f)})
sys.exit("%s: control characters %s" % (sys.argv[1], bad) if bad else 0)' "$1"
}

finish() {
	[ "$CHECKS" -gt 0 ] || { echo "not ok - test made no checks"; exit 1; }
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}
