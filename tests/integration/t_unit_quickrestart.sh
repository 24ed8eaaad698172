#!/bin/sh
# A valve unit that restarts quickly (silent 0.6 s: a brown-out, a contactor
# bounce, shorter than the 3 s of silence after which gasgw writes the
# watchdog again) comes back with its power-on watchdog timeout, here none
# (gassim --watchdog-ms 0).  gasgw reads the timeout back before each fill
# opens and every second while a line is in use, and writes it again: the
# next fill opens with the unit's watchdog armed, so the unit closes the
# valve by itself when gasgw freezes mid-fill (docs/design.md, V2); and a
# restart during a fill is noticed and the timeout written again, and the
# fill it cut short says the unit restarted.  (review rev99, finding 2)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

SIM_ARGS="--watchdog-ms 0"
fill_ready 1 1.0 "max_fill_s = 60
refill_min_minutes = 0"
simstatus() { printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" 2>&1; }
wd_of_line1() { simstatus | awk '$1 == "line" && $2 == 1 { for (i = 3; i < NF; i++) if ($i == "watchdog_ms") print $(i + 1) }'; }
wd_is() { [ "$(wd_of_line1)" = "$1" ]; }

check "control: at start gasgw wrote the watchdog ($(wd_of_line1) ms)" wd_is 1000
sim restart 1:valve ${QUICK:-600}
sleep 0.5
check "control: the restarted unit holds no watchdog ($(wd_of_line1) ms)" wd_is 0
sleep 4
echo "# watchdog after 4 s of an idle line: $(wd_of_line1) ms"

# 1. The next fill opens only with the watchdog armed again.
(ctl fill 1 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER1" --operator OP-7 >"$T/f.out" 2>&1) &
bg=$!
if wait_state 1 filling 10; then
	check "the fill opened with the unit's watchdog armed ($(wd_of_line1) ms)" wd_is 1000
	sleep 1
	kill -STOP "$PID_gasgw"
	t_stop=$(date +%s%3N)
	wait_for 5 sh -c "awk '\$3 == \"watchdog_close\"' '$T/events.log' | grep -q ."
	t_wd=$(awk '$3 == "watchdog_close" { print $1; exit }' "$T/events.log")
	kill -CONT "$PID_gasgw"
	check "the unit's own watchdog closed the valve after gasgw froze (${t_wd:-never})" \
	    all "[ -n '$t_wd' ]" "[ $((${t_wd:-0} - t_stop)) -le 2000 ]"
else
	fail "the fill opened after the quick restart ($(state_of 1); $(head -n 1 "$T/f.out"))"
fi
wait "$bg"

# 2. A restart during a fill: the timeout is read back while the line is in
# use, and written again within a few seconds.
reset_line 1
(ctl fill 1 --cylinder "$(code C-GOOD-3)" --buyer "$BUYER2" --operator OP-7 >"$T/f2.out" 2>&1) &
bg=$!
if wait_state 1 filling 10; then
	check "the second fill opened with the unit's watchdog armed ($(wd_of_line1) ms)" wd_is 1000
	sim restart 1:valve ${QUICK:-600}
	sleep 0.3
	check "control: the unit restarted mid-fill holds no watchdog ($(wd_of_line1) ms)" wd_is 0
	wait_for 4 wd_is 1000
	check "the watchdog of the unit restarted mid-fill is armed again within 4 s ($(wd_of_line1) ms)" \
	    wd_is 1000
else
	fail "the second fill opened ($(state_of 1); $(head -n 1 "$T/f2.out"))"
fi
wait "$bg"
echo "# second fill: $(tr '\n' ' ' <"$T/f2.out")"
# 3. What the operator reads of it: the unit restarted, not the heartbeat
# (until 8 Dec 2026 R24 said "its watchdog: the gateway's heartbeat did
# not get through", which the gateway had fed on time).
check "the fill cut by the restart ended interrupted, R24 saying the valve unit restarted" \
    all "grep -q '^interrupted' '$T/f2.out'" \
    "grep -q 'R24 the valve unit restarted during the fill (silent [0-9]* ms' '$T/f2.out'" \
    "! grep -q 'heartbeat' '$T/f2.out'"
finish
