#!/bin/sh
# What gasgw reads of an idle line (issue 18, the poll loop's CPU): an idle
# line's valve unit is read once a second (its link is proven meanwhile by
# the heartbeats, written at their own rate), its scale at the full rate;
# a fill reads the valve unit at the full rate again.  Counted by gassim,
# per unit, as read requests (function codes 1-4), so the check is a ratio
# of two counts taken over the same seconds, not a timing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_setup 1 "refill_min_minutes = 0
household_max = 100" || { fail "set-up"; finish; }
sim flow 1 1.0 && sim place 1 15.3
wait_state 1 idle 5

# reads: "SCALE VALVE" read requests line 1's units have had so far
reads() {
	printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" |
	    sed -n 's/^line 1 .* reads \([0-9]*\),\([0-9]*\).*/\1 \2/p'
}

sleep 1.5 # the line found idle: the valve unit is on its slow pace
set -- $(reads)
s0=${1:-0} v0=${2:-0}
sleep 5
set -- $(reads)
s1=${1:-0} v1=${2:-0}
ds=$((s1 - s0)) dv=$((v1 - v0))
echo "# idle, 5 s: scale $ds reads, valve $dv reads"
check "gassim counts the reads per unit" [ "$ds" -gt 0 ]
check "idle: the scale is read at the full rate, the valve unit still read ($dv)" [ "$dv" -ge 2 ]
check "idle: the valve unit is read at least ten times less often than the scale ($dv against $ds)" \
    [ $((dv * 10)) -le "$ds" ]

set -- $(reads)
s0=${1:-0} v0=${2:-0}
ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
rc=$?
set -- $(reads)
ds=$(($1 - s0)) dv=$(($2 - v0))
echo "# a fill: scale $ds reads, valve $dv reads"
check "the fill succeeds" [ "$rc" -eq 0 ]
check "filling, the valve unit is read at the full rate again ($dv against $ds)" \
    [ $((dv * 10)) -ge $((ds * 8)) ]
finish
