#!/bin/sh
# The same fill line over Modbus RTU (a pty pair standing in for the RS-485
# adapter, 115200 baud, even parity): two lines on one bus, a good fill on
# each at the same time, a refusal, and kill -9 of gasgw mid-fill with the
# valve closed by its watchdog.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

socat "pty,raw,echo=0,link=$T/rtu-sim" "pty,raw,echo=0,link=$T/rtu-gw" 2>/dev/null &
PIDS="$PIDS $!"
wait_for 5 test -e "$T/rtu-gw" || { fail "pty pair"; finish; }
RTU_SIM=$T/rtu-sim RTU_GW=$T/rtu-gw PREACT=0.25
fill_setup 2 || { fail "set-up"; finish; }
sim flow 1 2.5 && sim flow 2 2.5 && sim place 1 15.3 && sim place 2 15.3
wait_for 10 sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status | grep -q '^2 .* up '" &&
    ok "both lines' units answer over RTU" || fail "both lines' units answer over RTU"
ctl fill 2 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER2" --operator OP-7 >"$T/f2.out" 2>&1 &
p2=$!
out=$(ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 2>&1); rc=$?
wait $p2; rc2=$?
check "RTU: line 1 fills (exit $rc: $out)" sh -c "[ $rc -eq 0 ] && printf '%s\n' '$out' | grep -Eq '^(ok|flagged)'"
check "RTU: line 2 fills at the same time (exit $rc2)" [ "$rc2" -eq 0 ]
check "RTU: both within 0.2 kg of target" \
    [ "$(sql "SELECT count(*) FROM fills WHERE abs(net_kg - 14.9) < 0.2")" = 2 ]
out=$(ctl fill 1 --cylinder "$(code C-SCRAP)" --buyer "$BUYER1" --operator OP-7 2>&1); rc=$?
check "RTU: a scrapped cylinder is refused (R04)" sh -c "[ $rc -eq 3 ] && printf '%s\n' '$out' | grep -q '^R04'"
reset_line 1
ctl fill 1 --cylinder "$(code C-GOOD-3)" --buyer "$BUYER3" --operator OP-7 >/dev/null 2>&1 &
wait_state 1 filling 10
sleep 1
tkill=$(date +%s%3N)
gw_kill9
sleep 1.6
wd=$(event_ms 1 watchdog_close)
check "RTU: after kill -9 the watchdog closed the valve ($((wd - tkill)) ms)" \
    sh -c "[ $wd -gt $tkill ] && [ $((wd - tkill)) -le 1300 ]"
gw_start
check "RTU: the cut-short fill is interrupted after restart" \
    [ "$(sql "SELECT result FROM fills WHERE cylinder = 'C-GOOD-3'")" = interrupted ]
finish
