#!/bin/sh
# A valve unit that restarts keeps its fail-safe (docs/design.md, V2;
# docs/fill-line.md, "Fail-safe behaviour"): gassim's valve units power up
# with no watchdog (--watchdog-ms 0), as a unit that keeps the setting in
# RAM does after a power cut, so only what gasgw writes makes them close by
# themselves.  The valve unit of line 1 restarts (silent 4 s, `sim restart`);
# no fill starts while it has not taken the watchdog again, gasgw writes it
# again once the unit answers, and then a fill whose gateway freezes
# (SIGSTOP) mid-fill has its valve closed by the unit's own watchdog.
# Negative control: with the watchdog written once only (bus.c's
# watchdog_setup as before), "gasgw ... wrote the watchdog again", "the
# unit holds the watchdog again" and "the unit's own watchdog closed the
# valve" fail (the valve stays open: the unit holds no watchdog).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

SIM_ARGS="--watchdog-ms 0"
fill_ready 1 1.0 "max_fill_s = 60
refill_min_minutes = 0"
simstatus() { printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" 2>&1; }
wd_of_line1() { simstatus | awk '$1 == "line" && $2 == 1 { for (i = 3; i < NF; i++) if ($i == "watchdog_ms") print $(i + 1) }'; }
check "at start gasgw wrote the watchdog into the valve unit ($(wd_of_line1) ms)" \
    all "grep -q 'line 1: valve watchdog set to 1000 ms' '$T/gasgw.log'" "[ '$(wd_of_line1)' = 1000 ]"

sim restart 1:valve 4000
sleep 0.5
check "the restarted unit holds no watchdog ($(wd_of_line1) ms)" [ "$(wd_of_line1)" = 0 ]
sleep 3
out=$(ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 2>&1)
check "a fill while the unit is silent is refused, no valve opened: $(printf '%s' "$out" | head -n 1)" \
    all "[ \"\$(valve_opens)\" -eq 0 ]" "! printf '%s\n' \"\$out\" | grep -q '^ok'"
wait_for 15 sh -c "[ \$(grep -c 'line 1: valve watchdog set to 1000 ms' '$T/gasgw.log') -ge 2 ]"
check "gasgw said the unit went silent, and wrote the watchdog again once it answered" \
    all "grep -q 'line 1: the valve unit has not answered for' '$T/gasgw.log'" \
    "[ \$(grep -c 'line 1: valve watchdog set to 1000 ms' '$T/gasgw.log') -ge 2 ]"
check "the unit holds the watchdog again ($(wd_of_line1) ms)" [ "$(wd_of_line1)" = 1000 ]

# a fill, and the gateway freezes with the valve open
(ctl fill 1 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER1" --operator OP-7 >"$T/f.out" 2>&1) &
bg=$!
wait_state 1 filling 10 || fail "line 1 never started filling after the restart"
sleep 1
kill -STOP "$PID_gasgw"
t_stop=$(date +%s%3N)
wait_for 5 sh -c "awk '\$3 == \"watchdog_close\"' '$T/events.log' | grep -q ."
t_wd=$(awk '$3 == "watchdog_close" { print $1; exit }' "$T/events.log")
kill -CONT "$PID_gasgw"
check "the unit's own watchdog closed the valve $((${t_wd:-0} - t_stop)) ms after gasgw froze" \
    all "[ -n '$t_wd' ]" "[ $((${t_wd:-0} - t_stop)) -le 2000 ]"
wait "$bg"
check "and the fill ended interrupted: $(head -n 1 "$T/f.out")" grep -q '^interrupted' "$T/f.out"
# the unit did not restart here: gasgw stopped feeding it, and R24 says so
check "R24 blames the heartbeat that did not get through, not a restart of the unit" \
    all "grep -q \"R24 the valve closed by itself .*heartbeat did not get through\" '$T/f.out'" \
    "! grep -q 'unit restarted' '$T/f.out'"
finish
