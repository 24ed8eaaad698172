# Shared set-up for the benchmark scripts (sourced; not itself a benchmark:
# tests/bench/run.sh runs only bench_*.sh).
#
#   top                          the repository's top folder
#   T                            a fresh folder, removed at exit (KEEP=1 keeps it)
#   PIDS                         background processes, killed at exit
#   wait_file PATH               until PATH exists (at most 10 s)
#   wait_workers N               until the background workers whose PIDs are
#                                in w1 .. wN (one per fill line) have ended
#   free_port [tcp|udp]          a free loopback port
#   bench_station_conf LINES PORT [RULES]
#                                a station.conf for gasgw in $T: LINES fill
#                                lines on one Modbus TCP bus at PORT, 20 Hz,
#                                keys in $T/keys; RULES is a [rules] body
: "${BUILD:?BUILD must name the build folder}"
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/gasbench.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; sleep 0.2; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

wait_file() { i=0; while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; }

wait_workers() {
	_w=1
	while [ $_w -le "$1" ]; do
		eval "wait \$w$_w"
		_w=$((_w + 1))
	done
}

free_port() {
	/usr/bin/python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_$( [ "${1:-tcp}" = udp ] && echo DGRAM || echo STREAM)); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
}

bench_station_conf() {
	cat <<-EOF
	[station]
	id = BENCH
	company = Bench Gas
	township = 330825101
	county = 330825
	database = $T/station.db
	control_socket = $T/gw.sock
	profiles = $top/drivers/profiles
	code_public_key = $T/keys/county.pub
	buyer_key = $T/keys/buyer.key
	log_level = warn
	[rules]
	${3:-}
	[bus a]
	type = tcp
	host = 127.0.0.1
	port = $2
	poll_hz = 20
	EOF
	_l=1
	while [ $_l -le "$1" ]; do
		printf '[line %d]\nbus = a\nscale_unit = %d\nvalve_unit = %d\n' $_l $((2 * _l - 1)) $((2 * _l))
		_l=$((_l + 1))
	done
}
