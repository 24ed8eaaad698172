#!/bin/sh
# Rules after the fill, end to end against gassim: a good fill where none
# fires, an overfill (R20, held, exit 3), a short fill (R21), a slow fill
# stopped at the time limit (R22), all four lines at once; then a
# check-weigh that never settles (R25).  R23 and R24 are in
# t_fill_emergency.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

# line 1 good, line 2 no pre-act (overfills), line 3 closes 1 kg early,
# line 4 slow (R22 at 15 s).
PREACT=0.25 PREACT_2=0 PREACT_3=1.0
fill_setup 4 "max_fill_s = 15
refill_min_minutes = 0
household_max = 100" || { fail "set-up"; finish; }
for l in 1 2 3; do sim flow $l 2.5; sim place $l 15.3; done
sim flow 4 0.3 && sim place 4 15.3
wait_state 4 idle 5
sleep 0.5

BG=""
fill_bg() { # LINE SERIAL BUYER -> $T/fillLINE.out, $T/fillLINE.rc
	(ctl fill "$1" --cylinder "$(code "$2")" --buyer "$3" --operator OP-7 >"$T/fill$1.out" 2>&1
	 echo $? >"$T/fill$1.rc") &
	BG="$BG $!"
}
# wait for the fills only (a bare `wait` would wait for gasgw and gassim too)
wait_fills() { for p in $BG; do wait "$p"; done; BG=""; }
rc_of() { cat "$T/fill$1.rc"; }
out_has() { grep -q "$2" "$T/fill$1.out"; }

fill_bg 1 C-GOOD-1 "$BUYER1"
fill_bg 2 C-GOOD-2 "$BUYER2"
fill_bg 3 C-GOOD-3 "$BUYER3"
fill_bg 4 C-GOOD-4 "$BUYER4"
wait_fills

check "good fill: exit 0, result ok" sh -c "[ $(rc_of 1) -eq 0 ] && grep -q '^ok: net' '$T/fill1.out'"
check "good fill: none of R20-R25 fires" sh -c "! grep -q '^R2' '$T/fill1.out'"
check "R20: overfill without pre-act is held, exit 3" \
    sh -c "[ $(rc_of 2) -eq 3 ] && grep -q '^held' '$T/fill2.out' && grep -q '^R20 overfilled' '$T/fill2.out'"
check "R21: closing 1 kg early is short weight" \
    sh -c "[ $(rc_of 3) -eq 0 ] && grep -q '^flagged' '$T/fill3.out' && grep -q '^R21 short weight' '$T/fill3.out'"
check "R22: the slow fill is closed at 15 s" \
    sh -c "grep -q '^R22 fill reached the maximum time' '$T/fill4.out'"
check "R22: the valve was commanded closed" [ "$(event_ms 4 valve_cmd_close)" -gt 0 ]
check "every fill recorded once with its outbox row" \
    [ "$(sql "SELECT count(*) FROM fills f JOIN outbox o ON o.uuid = f.uuid AND o.kind = 'fill'")" = 4 ]
check "fill row holds the curve" \
    [ "$(sql "SELECT count(*) FROM fills WHERE length(curve) > 20")" = 4 ]

# R25: a slow creep after the close keeps the scale from settling.
# (The creep starts once the valve is open: before, it would keep the empty
# weight from settling and R09 would refuse the fill.)
reset_line 3
fill_bg 3 C-GOOD-8 "$BUYER3"
wait_state 3 filling 10
sim leak 3 0.01
wait_fills
sim leak 3 0
sim remove 3
check "R25: unstable check-weigh is flagged" sh -c "grep -q '^R25 check-weigh never became stable' '$T/fill3.out'"
check "R25: not on the other fills" [ "$(sql "SELECT count(*) FROM violations WHERE rule = 'R25'")" = 1 ]
check "no fill left open" [ "$(sql "SELECT count(*) FROM fills WHERE result = 'filling'")" = 0 ]
finish
