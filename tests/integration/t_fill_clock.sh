#!/bin/sh
# The station's clock is judged before the date rules: R05 (inspection),
# R06 (service life) and R07 (certificate) compare dates with today, so a
# clock set back (a real-time clock reset by a flat battery, no time
# server) would pass an overdue cylinder.  gasgw keeps the valve shut, with
# no record, while its clock reads before 2026 or more than
# clock_back_hours (24) before its newest fill, says why, and fills again
# once the clock is right.  The clock is moved for gasgw alone
# (tests/shim/wallclock.c); gassim and the tools keep the real one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_setup 1 || { fail "set-up"; finish; }
sim flow 1 2.5 && sim place 1 15.3
sleep 1
# fill SERIAL [BUYER]: the attempt's output in $T/f.out, its exit status in $rc
fill() {
	ctl fill 1 --cylinder "$(code "$1")" --buyer "${2:-$BUYER1}" --operator OP-7 >"$T/f.out" 2>&1
	rc=$?
}
said() { grep -q "$1" "$T/f.out"; }
opens() { grep -c '^[0-9]* 1 valve_opened' "$T/events.log"; }
counts() { echo "$(sql "SELECT count(*) FROM fills") $(sql "SELECT count(*) FROM violations")"; }
with_clock() { # gasgw again, its clock as GAS_TEST_CLOCK says ("": the real one)
	gw_stop
	if [ -n "$1" ]; then
		GW_WRAP="env LD_PRELOAD=$BUILD/tests/wallclock.so GAS_TEST_CLOCK=$1" gw_start
	else
		gw_start
	fi
}

fill C-GOOD-1
check "a fill with the clock right (exit $rc)" all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1
recorded=$(counts)

# 2000-01-01: C-OVERDUE (next due 2025-03-02) would pass R05 under this clock
with_clock @946684800 || { fail "gasgw under a clock of 2000"; finish; }
before=$(opens)
fill C-OVERDUE
check "a clock reset to 2000: the overdue cylinder is refused, saying the clock is wrong (exit $rc)" \
    all "[ $rc -ne 0 ]" \
    "said \"the station's clock reads 2000-01-01 [0-9:+]*, before 2026-01-01, when this gateway was made: the valve stays shut until the clock is set right\""
check "... the valve never opened" [ "$(opens)" = "$before" ]
check "... and nothing was recorded (its times would be the wrong clock's)" \
    [ "$(counts)" = "$recorded" ]
fill C-GOOD-2
check "a good cylinder is refused too (exit $rc)" all "[ $rc -ne 0 ]" "said \"station's clock reads\""
check "gasgw says so in its log" grep -q "station's clock reads 2000-01-01" "$T/gasgw.log"

# three days before the newest fill: after 2026, but set back
with_clock -259200 || { fail "gasgw three days back"; finish; }
fill C-GOOD-2
check "a clock three days before the newest fill: refused, naming the fill's time (exit $rc)" \
    all "[ $rc -ne 0 ]" "said '72 h before its newest fill (20[0-9-]* [0-9:+]*), more than clock_back_hours (24) allows'"
check "... the valve never opened, nothing recorded" \
    all "[ \"\$(opens)\" = '$before' ]" "[ \"\$(counts)\" = '$recorded' ]"

# the administrator who knows the clock was ahead before raises the allowance
sed -i 's/^\[rules\]$/[rules]\nclock_back_hours = 100/' "$T/station.conf"
kill -HUP "$PID_gasgw"
wait_for 5 grep -q 'new rule thresholds in force' "$T/gasgw.log"
fill C-GOOD-2
check "with clock_back_hours = 100 (SIGHUP) the same clock fills (exit $rc)" \
    all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1
sed -i '/^clock_back_hours = 100$/d' "$T/station.conf"

# a clock a little behind (a time server stepping it back): fills
with_clock -7200 || { fail "gasgw two hours back"; finish; }
fill C-GOOD-3 "$BUYER2"
check "a clock two hours before the newest fill still fills (exit $rc)" all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1

# and the clock set right: fills, and the overdue cylinder is refused by R05 again
with_clock "" || { fail "gasgw with the real clock"; finish; }
fill C-GOOD-4 "$BUYER3"
check "the clock set right: fills again (exit $rc)" all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1
fill C-OVERDUE "$BUYER4"
check "and C-OVERDUE is refused by R05 again (exit $rc)" all "[ $rc -ne 0 ]" "said '^R05 '"
finish
