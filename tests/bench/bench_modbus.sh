# Modbus bus rates (`make bench`, run by tests/bench/run.sh): gassim with 2
# fill lines (4 units) on an RTU pty pair at 19200 and 115200 baud (simulated
# wire, 5 ms turnaround) and on TCP loopback, polled as fast as the poller
# goes; rates next to the bus limit.
set -u
. "$(dirname "$0")/lib.sh"
export GAS_PROFILES="$top/drivers/profiles"
secs=${BENCH_SECONDS:-5}
UNITS="--unit 1:sim-scale --unit 2:sim-valve --unit 3:sim-scale --unit 4:sim-valve"

if [ -x "$BUILD/bench/bench_modbus" ] && [ -x "$BUILD/gassim" ]; then
	for baud in 19200 115200; do
		socat "pty,raw,echo=0,link=$T/a$baud" "pty,raw,echo=0,link=$T/b$baud" 2>/dev/null &
		PIDS="$PIDS $!"
		wait_file "$T/b$baud"
		"$BUILD/gassim" --lines 2 --rtu "$T/a$baud" --baud $baud --turnaround-ms 5 \
		    --control "$T/c$baud" 2>/dev/null &
		sim=$!; PIDS="$PIDS $sim"
		wait_file "$T/c$baud"
		"$BUILD/bench/bench_modbus" --rtu "$T/b$baud" --baud $baud --turnaround-ms 5 \
		    --seconds "$secs" $UNITS
		kill "$sim"
	done
	port=$(free_port)
	"$BUILD/gassim" --lines 2 --tcp "127.0.0.1:$port" --control "$T/ctcp" 2>/dev/null &
	sim=$!; PIDS="$PIDS $sim"
	wait_file "$T/ctcp"
	"$BUILD/bench/bench_modbus" --tcp "127.0.0.1:$port" --seconds "$secs" $UNITS
	kill "$sim"
fi
