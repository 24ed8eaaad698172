#!/bin/sh
# Signal polarity, end to end: a valve I/O module whose limit-switch input
# reads 1 when the valve is closed (drivers/profiles/dio-valve.ini, invert =
# yes; gassim plays the module through the same profile).  gasgw opens and
# closes the valve through it and fills; when the module's own watchdog
# shuts the valve mid-fill (the valve unit silent for longer than the
# watchdog, shorter than R24's link-loss time), gasgw notices from the
# feedback and records the fill as interrupted (R24, the valve closed by
# itself) rather than waiting on a shut valve until R22.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

WATCHDOG_MS=500 SIM_ARGS="--valve-profile dio-valve" \
    fill_setup 1 "link_loss_ms = 5000
max_fill_s = 60" "valve_profile = dio-valve" || { fail "set-up"; finish; }
sim flow 1 1.5 && sim place 1 15.3
sleep 1
check "the valve unit's watchdog took gasgw's 500 ms" \
    wait_for 5 grep -q 'line 1: valve watchdog set to 500 ms' "$T/gasgw.log"

ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill1.out" 2>&1; rc=$?
check "a fill through the inverted feedback completes (exit $rc)" [ "$rc" -eq 0 ]
check "... the valve opened and closed at gassim" \
    sh -c "grep -q ' valve_opened ' '$T/events.log' && grep -q ' valve_closed ' '$T/events.log'"
check "... and no watchdog trip" sh -c "! grep -q ' watchdog_close ' '$T/events.log'"

reset_line 1
ctl fill 1 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER2" --operator OP-7 >"$T/fill2.out" 2>&1 &
cp=$!
wait_state 1 filling 10
sleep 1
t0=$(date +%s%3N)
sim dead 1:valve on
sleep 1.5
sim dead 1:valve off
wait "$cp"
t1=$(date +%s%3N)
check "the module's watchdog shut the valve mid-fill" grep -q ' watchdog_close ' "$T/events.log"
check "gasgw saw it from the inverted feedback: interrupted, R24 ($((t1 - t0)) ms)" \
    sh -c "grep -q '^interrupted' '$T/fill2.out' && grep -q '^R24 ' '$T/fill2.out'"
check "... said as the valve closing by itself" \
    grep -q 'line 1: R24 the valve closed by itself during the fill' "$T/gasgw.log"
check "... not left to R22's time limit" sh -c "! grep -q '^R22 ' '$T/fill2.out'"
finish
