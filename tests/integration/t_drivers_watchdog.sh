#!/bin/sh
# The valve's fail-safe (docs/design.md, V2): a master opens the valve and
# feeds the heartbeat; while fed the valve stays open past the watchdog time;
# when the feeding stops -- or the master is killed outright -- the valve
# closes by itself within the watchdog time, per gassim's event log.
. "$(dirname "$0")/lib.sh"
SIM="$BUILD/gassim"
PROBE="$BUILD/tests/mbprobe"
export GAS_PROFILES="$(cd "$(dirname "$0")/../.." && pwd)/drivers/profiles"
port=$(free_port)
spawn sim "$SIM" --lines 1 --tcp "127.0.0.1:$port" --events "$T/ev" --control "$T/ctl" \
    --watchdog-ms 1000 -e "place 1 15"
wait_for 5 test -S "$T/ctl" || fail "gassim starts"
BUS="--tcp 127.0.0.1:$port"

# open, feed for 2 s (10 x 200 ms), then stop feeding and watch for 2 s
"$PROBE" $BUS --unit 1:sim-scale --unit 2:sim-valve write 2 valve_cmd 1 heartbeat 2 10 200 \
    sleep 2000 read >"$T/out" 2>&1
t_open=$(awk '$3=="valve_opened"{print $1; exit}' "$T/ev")
t_wd=$(awk '$3=="watchdog_close"{print $1; exit}' "$T/ev")
quiet=$(awk '$3=="watchdog_close"{print $4; exit}' "$T/ev")
t_closed=$(awk '$3=="valve_closed"{print $1; exit}' "$T/ev")
check "valve opened" [ -n "$t_open" ]
check "heartbeats kept the valve open beyond the watchdog time ($((t_wd - t_open)) ms)" \
    [ $((t_wd - t_open)) -ge 2000 ]
check "watchdog closed the valve within 1000 ms (+20 ms tick) of the last heartbeat ($quiet ms)" \
    [ "$quiet" -ge 1000 ] && [ "$quiet" -le 1020 ]
check "valve physically closed after its closing time" [ $((t_closed - t_wd)) -ge 140 ]
check "the master reads the valve command back as closed" grep -qx '2 valve_cmd 0' "$T/out"

# the master is killed with the valve open
: >"$T/ev"
"$PROBE" $BUS --unit 2:sim-valve write 2 valve_cmd 1 heartbeat 2 1000 100 >"$T/out2" 2>&1 &
probe=$!
wait_for 5 grep -q valve_opened "$T/ev"
sleep 0.5
kill -9 "$probe"; t_kill=$(date +%s%3N)
wait_for 4 grep -q valve_closed "$T/ev"
t_closed=$(awk '$3=="valve_closed"{print $1; exit}' "$T/ev")
check "a killed master leaves no valve open: closed $((t_closed - t_kill)) ms after the kill" \
    [ -n "$t_closed" ] && [ $((t_closed - t_kill)) -le 1400 ]
check "the watchdog did it" grep -q ' watchdog_close ' "$T/ev"

# watchdog timeout is a register the master sets
"$PROBE" $BUS --unit 2:sim-valve write 2 watchdog 300 read >"$T/out3" 2>&1
check "watchdog timeout written and read back (300 ms)" grep -qx '2 watchdog 300' "$T/out3"
finish
