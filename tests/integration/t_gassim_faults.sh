#!/bin/sh
# gassim's physical faults as a master sees them: a leak (weight rising with
# the valve closed), a valve stuck open, a frozen weight display, slow
# replies; and two TCP masters served at once.
. "$(dirname "$0")/lib.sh"
SIM="$BUILD/gassim"
PROBE="$BUILD/tests/mbprobe"
export GAS_PROFILES="$(cd "$(dirname "$0")/../.." && pwd)/drivers/profiles"
ctl() { printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$T/ctl" >/dev/null; }
gross() { awk '$1==1 && $2=="gross"{print $3}' "$1" | tail -n 1; }

port=$(free_port)
spawn sim "$SIM" --lines 2 --tcp "127.0.0.1:$port" --control "$T/ctl" --events "$T/ev" \
    --noise 0 -e "place 1 15" -e "place 2 15"
wait_for 5 test -S "$T/ctl" || fail "gassim starts"
BUS="--tcp 127.0.0.1:$port"

# leak: 0.05 kg/s with the valve closed
ctl "leak 1 0.05"
"$PROBE" $BUS --unit 1:sim-scale --unit 2:sim-valve read >"$T/a" 2>&1
sleep 1
"$PROBE" $BUS --unit 1:sim-scale --unit 2:sim-valve read >"$T/b" 2>&1
check "leak: valve closed" grep -qx '2 valve_fb 0' "$T/b"
check "leak: weight rose with the valve closed ($(gross "$T/a") -> $(gross "$T/b"))" \
    awk -v a="$(gross "$T/a")" -v b="$(gross "$T/b")" 'BEGIN{d=b-a; exit !(d > 0.03 && d < 0.1)}'
ctl "leak 1 0"

# valve stuck open: the close command is ignored
ctl "valve-stuck 1 on"
"$PROBE" $BUS --unit 1:sim-scale --unit 2:sim-valve write 2 valve_cmd 1 heartbeat 2 3 100 \
    write 2 valve_cmd 0 heartbeat 2 3 100 sleep 200 read >"$T/out" 2>&1
check "valve stuck: commanded closed" grep -qx '2 valve_cmd 0' "$T/out"
check "valve stuck: feedback still open" grep -qx '2 valve_fb 1' "$T/out"
check "valve stuck: logged, and no valve_closed" \
    sh -c "grep -q ' valve_stuck_open ' $T/ev && ! grep -q ' valve_closed ' $T/ev"
ctl "valve-stuck 1 off"
"$PROBE" $BUS --unit 2:sim-valve write 2 valve_cmd 1 write 2 valve_cmd 0 sleep 300 read >"$T/out" 2>&1
check "valve closes again once unstuck" grep -qx '2 valve_fb 0' "$T/out"

# frozen display: the weight register stops changing while gas flows
ctl "stuck 2 on"
"$PROBE" $BUS --unit 3:sim-scale --unit 4:sim-valve read write 4 valve_cmd 1 heartbeat 4 5 100 \
    read write 4 valve_cmd 0 >"$T/out" 2>&1
g1=$(awk '$1==3 && $2=="gross"{print $3}' "$T/out" | head -n 1)
g2=$(awk '$1==3 && $2=="gross"{print $3}' "$T/out" | tail -n 1)
check "stuck display: gross unchanged while filling ($g1 = $g2)" [ "$g1" = "$g2" ]
check "stuck display: yet the truth moved" sh -c "grep -q ' 2 weight 15\.[0-9]*[1-9]' $T/ev"
ctl "stuck 2 off"

# slow replies: 150 ms per reply, under a 500 ms timeout
ctl "slow 1:scale 150"
"$PROBE" $BUS --timeout-ms 500 --unit 1:sim-scale poll 1.5 >"$T/out" 2>&1
r=$(awk '$1==1{print $7}' "$T/out")
check "slow replies: about 6 reads/s at 150 ms each ($r/s), none failed" \
    sh -c "awk -v r=$r 'BEGIN{exit !(r > 4 && r < 7.5)}' && grep -q ' failed 0 ' $T/out"
ctl "slow 1:scale 0"

# two masters at once on TCP
"$PROBE" $BUS --unit 1:sim-scale poll 1.5 >"$T/m1" 2>&1 &
m1=$!
"$PROBE" $BUS --unit 3:sim-scale poll 1.5 >"$T/m2" 2>&1
wait $m1
check "two TCP masters are served at once" \
    sh -c "awk '\$1==1 && \$3>100{f=1} END{exit !f}' $T/m1 && awk '\$1==3 && \$3>100{f=1} END{exit !f}' $T/m2"
finish
