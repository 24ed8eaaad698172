#!/bin/sh
# Corrupted frames on an RTU bus during fills (issue 8, item 6), end to end:
# gassim and gasgw on the two ends of a pty pair at 115200 baud, two fill
# lines on one bus.  In each round line 1 gets one fault while it fills and
# line 2 fills at the same time:
#   - a persistent fault (wrong CRC or garbage from line 1's scale, wrong CRC
#     from its valve unit) leaves no usable data from that unit: docs/rules.md
#     R24 (link lost for link_loss_ms, 1 s) stops line 1's fill, its valve is
#     closed (by gasgw, or by the valve's own watchdog when the valve unit is
#     the one that cannot hear), the fill is recorded once as interrupted
#     with its R24, and gasgw keeps running;
#   - a 300 ms burst of wrong CRCs on both of line 1's units is shorter than
#     R24's 1 s and the valve watchdog's 1 s: the fill rides through, with no
#     R24 and no false R23;
# then, with the fault switched off, line 1 fills normally again on the same
# gasgw.  What line 2 must see is stated per round (LINE2 below).
# TORTURE=1 runs every round three times.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

reps=1
[ -n "${TORTURE:-}" ] && reps=3
socat "pty,raw,echo=0,link=$T/rtu-sim" "pty,raw,echo=0,link=$T/rtu-gw" 2>/dev/null &
PIDS="$PIDS $!"
wait_for 5 test -e "$T/rtu-gw" || { fail "pty pair"; finish; }
RTU_SIM=$T/rtu-sim RTU_GW=$T/rtu-gw PREACT=0.25
fill_setup 2 "max_fill_s = 30
refill_min_minutes = 0
household_max = 1000" || { fail "set-up"; finish; }
GW_PID=$PID_gasgw
# 1 kg/s (about 3 times a real pump): a fill takes 15 s, and a cut-off that
# waits one more reading on this busy bus (4 units, 70-100 ms a round, more
# on a loaded machine) overshoots by well under R20's 0.1 kg allowance.  At
# 2 kg/s one round late was 0.1 kg: CI saw a fill after the valve-unit fault
# held for 15.005 kg (R20) on a shared machine.
for l in 1 2; do sim flow $l 1.0; sim place $l 15.3; done
wait_for 10 sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status | grep -q '^2 .* up '" ||
    fail "both lines' units answer over RTU"
sleep 0.5

BG1="" BG2=""
fill_bg() { # LINE SERIAL BUYER -> $T/fillLINE.out, $T/fillLINE.rc; pid in BGLINE
	(ctl fill "$1" --cylinder "$(code "$2")" --buyer "$3" --operator OP-7 >"$T/fill$1.out" 2>&1
	 echo $? >"$T/fill$1.rc") &
	eval "BG$1=$!"
}
wait_fill() { eval "p=\$BG$1"; [ -n "$p" ] && wait "$p"; eval "BG$1="; }
rc_of() { cat "$T/fill$1.rc" 2>/dev/null; }
# plain LINE RESULT: the fill ended with RESULT and no rule at all
plain() { [ "$(rc_of "$1")" = 0 ] && grep -q "^$2: net" "$T/fill$1.out" && ! grep -q '^R[0-9]' "$T/fill$1.out"; }
# wall ms of the first gassim EVENT on LINE after ms AFTER (0 if none)
event_after() { awk -v l="$1" -v e="$2" -v a="$3" '$2 == l && $3 == e && $1 > a { t = $1; exit }
    END { printf "%.0f\n", t }' "$T/events.log"; }
# the value of that event
event_value() { awk -v l="$1" -v e="$2" -v a="$3" '$2 == l && $3 == e && $1 > a { print $4; exit }' "$T/events.log"; }
r23_since() { sql "SELECT count(*) FROM violations WHERE rule = 'R23' AND at_ms > $1"; }
show() { sed "s/^/#   line $1: /" "$T/fill$1.out"; }

n=0
# back_to_idle LINE: acknowledge whatever the round left (an emergency
# needs the operator's `gasctl stop`) and wait for idle
back_to_idle() {
	ctl stop "$1" >/dev/null 2>&1
	wait_state "$1" idle 5 || { sleep 1; ctl stop "$1" >/dev/null 2>&1; wait_state "$1" idle 10; } ||
	    fail "round $n: line $1 back to idle"
}

# start_both: fresh cylinders on both lines, line 2's fill then line 1's;
# returns once line 1 is filling
start_both() {
	n=$((n + 1))
	reset_line 1
	reset_line 2
	tr=$(date +%s%3N)
	fill_bg 2 "C-GOOD-$(( (n % 9) + 1 ))" "$BUYER2"
	fill_bg 1 "C-GOOD-$(( ((n + 4) % 9) + 1 ))" "$BUYER1"
	wait_state 1 filling 10 || { fail "round $n: line 1 never started filling"; show 1; }
	sleep 1
}

# persistent NAME UNITS KIND LINE2: KIND (crc or garbage) from UNITS of line
# 1 from mid-fill until 3 s later; LINE2 says what line 2, filling on the
# same bus the whole time, must see:
#   normal     its fill ends ok with no rule at all: the corrupted replies of
#              line 1's unit cost the bus no more than good ones, and
#              line 1's R24 and valve close touch only line 1
#   emergency  line 1's valve unit cannot hear its close (gassim, like a
#              slave that never got a valid request, does not act on it): the
#              valve flows on until its own watchdog closes it, up to about
#              R24's 1 s after the fault, plus its closing time.  If that
#              brought more than R23's 0.2 kg after gasgw gave up on the fill,
#              it is weight rising with the valve commanded closed: R23 on
#              line 1, and invariant V4 (docs/design.md) closes every valve on the bus
#              (line 2 interrupted, no R23/R24 of its own); if not, no R23 and
#              line 2 fills normally.  gassim's weight when the valve closed
#              against the gross the fill was given up at says which (at this
#              test's flow of 1 kg/s it can go either way; at a real 0.3 kg/s
#              the rise is a few tens of grams)
persistent() {
	name=$1 units=$2 kind=$3 line2=$4
	start_both
	tf=$(date +%s%3N)
	sim "$kind" "$units" on
	wait_fill 1
	# keep it on a while longer: line 2 fills next to the faulty unit
	sleep 2
	sim "$kind" "$units" off
	toff=$(date +%s%3N)
	cp "$T/fill1.out" "$T/round$n-line1.out"
	check "$name: line 1 stops with R24, interrupted (gasctl exit $(rc_of 1))" \
	    sh -c "[ \"$(rc_of 1)\" = 1 ] && grep -q '^interrupted' '$T/fill1.out' &&
	    grep -q '^R24 ' '$T/fill1.out'"
	grep -q '^R24 ' "$T/fill1.out" || show 1
	closed=$(event_after 1 valve_closed "$tf")
	by=$(event_value 1 valve_cmd_close "$tf")
	check "$name: line 1's valve closed after the fault ($((closed - tf)) ms, by ${by:-nobody})" \
	    sh -c "[ $closed -gt $tf ] && [ $closed -lt $toff ]"
	check "$name: no reopening of line 1's valve while the fault lasted" \
	    [ "$(event_after 1 valve_opened "$tf")" = 0 ]
	uuid=$(sql "SELECT uuid FROM fills WHERE line = 1 AND started_ms >= $tr")
	check "$name: the fill is recorded once, interrupted, with one R24 violation" \
	    sh -c "[ \"$(sql "SELECT count(*) FROM fills WHERE line = 1 AND started_ms >= $tr")\" = 1 ] &&
	    [ \"$(sql "SELECT result FROM fills WHERE uuid = '$uuid'")\" = interrupted ] &&
	    [ \"$(sql "SELECT group_concat(rule) FROM violations WHERE fill = '$uuid'")\" = R24 ]"
	# the fault is off: the same gasgw fills line 1 normally again, while
	# line 2 goes on filling (an emergency is acknowledged first, as an
	# operator would)
	back_to_idle 1
	reset_line 1
	fill_bg 1 "C-GOOD-$(( ((n + 2) % 9) + 1 ))" "$BUYER3"
	wait_fill 2
	cp "$T/fill2.out" "$T/round$n-line2.out"
	case $line2 in
	normal)
		check "$name: no R23 anywhere (the fault is no leak)" [ "$(r23_since "$tf")" = 0 ]
		check "$name: line 2 filled normally at the same time (ok, no rule)" plain 2 ok ;;
	emergency)
		# the true rise after gasgw gave up, from gassim; R23 compares
		# two noisy readings (+/- 5 g each), so 20 g either side is open
		rise=$(awk -v g="$(sql "SELECT gross_kg FROM fills WHERE uuid = '$uuid'")" \
		    -v c="$(event_value 1 valve_closed "$tf")" 'BEGIN { printf "%.0f", (c - g) * 1000 }')
		r23=$(r23_since "$tf")
		r23_1=$(sql "SELECT count(*) FROM violations WHERE rule = 'R23' AND at_ms > $tf AND line = 1")
		echo "# $name: the weight rose $rise g after the fill was given up; R23 raised: $r23"
		if [ "$rise" -gt 220 ]; then
			check "$name: R23 on line 1 (the valve let $rise g in after the close command)" \
			    sh -c "[ $r23_1 = 1 ] && [ $r23 = 1 ]"
		elif [ "$rise" -lt 180 ]; then
			check "$name: no R23 ($rise g after the close command is within the allowance)" \
			    [ "$r23" = 0 ]
		fi
		if [ "$r23" != 0 ]; then
			check "$name: line 1's R23 closed line 2's valve too (interrupted, no R23/R24 of its own)" \
			    sh -c "[ $r23_1 = $r23 ] && grep -q '^interrupted' '$T/fill2.out' &&
			    ! grep -q '^R2[34] ' '$T/fill2.out'"
		else
			check "$name: no emergency, so line 2 filled normally (ok, no rule)" plain 2 ok
		fi ;;
	esac
	plain 2 ok || show 2
	wait_fill 1
	cp "$T/fill1.out" "$T/round$n-line1-after.out"
	check "$name: with the fault off, line 1 fills normally again (ok, no rule)" plain 1 ok
	plain 1 ok || show 1
	check "$name: gasgw still running (same process)" kill -0 "$GW_PID"
	back_to_idle 1
	back_to_idle 2
}

# burst NAME MS: wrong CRCs from both of line 1's units for MS, mid-fill
burst() {
	name=$1 ms=$2
	start_both
	tf=$(date +%s%3N)
	# one control connection, so that the burst is as long as asked
	{ echo "crc 1 on"; sleep "$(awk -v m="$ms" 'BEGIN { print m / 1000 }')"; echo "crc 1 off"; } |
	    socat -t 2 - "UNIX-CONNECT:$T/sim.sock" >/dev/null
	on=$(event_after 1 crc "$tf")
	off=$(awk -v a="$tf" '$2 == 1 && $3 == "crc" && $4 ~ /:0$/ && $1 > a { t = $1 } END { printf "%.0f\n", t }' \
	    "$T/events.log")
	wait_fill 1
	wait_fill 2
	cp "$T/fill1.out" "$T/round$n-line1.out"
	cp "$T/fill2.out" "$T/round$n-line2.out"
	echo "# $name: the burst lasted $((off - on)) ms"
	check "$name: no R23 anywhere (a burst of bad frames is no leak)" [ "$(r23_since "$tf")" = 0 ]
	check "$name: line 1 rode through it: no R24, no watchdog close (gasctl exit $(rc_of 1))" \
	    sh -c "! grep -q '^R2[34] ' '$T/fill1.out' && [ $(event_after 1 watchdog_close "$tf") = 0 ]"
	check "$name: line 1's fill ended normally (ok, no rule)" plain 1 ok
	plain 1 ok || show 1
	check "$name: line 2 filled normally at the same time (ok, no rule)" plain 2 ok
	plain 2 ok || show 2
	check "$name: gasgw still running (same process)" kill -0 "$GW_PID"
	back_to_idle 1
	back_to_idle 2
}

rep=0
while [ $rep -lt $reps ]; do
	rep=$((rep + 1))
	persistent "wrong CRC from line 1's scale" 1:scale crc normal
	persistent "garbage from line 1's scale" 1:scale garbage normal
	persistent "wrong CRC from line 1's valve unit" 1:valve crc emergency
	burst "300 ms of wrong CRCs from both of line 1's units" 300
done
check "no fill left open" [ "$(sql "SELECT count(*) FROM fills WHERE result = 'filling'")" = 0 ]
check "every fill has its outbox row" \
    [ "$(sql "SELECT count(*) FROM fills f JOIN outbox o ON o.uuid = f.uuid")" = "$(sql "SELECT count(*) FROM fills")" ]
echo "# fills: $(sql "SELECT result, count(*) FROM fills GROUP BY result" | tr '\n' ' ')"
echo "# gassim: $(printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" | grep -i 'gap\|bad' | tr '\n' ' ')"
finish
