#!/bin/sh
# What gasgw reads of an idle line (issue 18, the poll loop's CPU): an idle
# line's valve unit is read once a second (its link is proven meanwhile by
# the heartbeats, written at their own rate), its scale five times a second;
# a fill reads both at the full rate (20 Hz) again.  Counted by gassim, per
# unit, as read requests (function codes 1-4) and as the valve unit's
# writes (the heartbeat, 5 Hz, and the idle valve's close re-asserted once a
# second), so each check is a ratio of two counts taken over the same
# seconds, both paced by gasgw's own timers, not a timing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_ready 1 1.0 "refill_min_minutes = 0
household_max = 100"

# counts: "SCALE-READS VALVE-READS VALVE-WRITES" line 1's units have had so far
counts() {
	printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" |
	    sed -n 's/^line 1 .* reads \([0-9]*\),\([0-9]*\) writes \([0-9]*\).*/\1 \2 \3/p'
}

sleep 1.5 # the line found idle: its units are on their slow pace
set -- $(counts)
s0=${1:-0} v0=${2:-0} w0=${3:-0}
sleep 5
set -- $(counts)
ds=$((${1:-0} - s0)) dv=$((${2:-0} - v0)) dw=$((${3:-0} - w0))
echo "# idle, 5 s: scale $ds reads, valve unit $dv reads and $dw writes"
check "gassim counts the reads and writes per unit" [ "$ds" -gt 0 ] && [ "$dw" -gt 0 ]
check "idle: the scale is still read, about as often as the heartbeat ($ds reads, $dw writes)" \
    [ $((ds * 3)) -ge "$dw" ]
# at the full rate the scale would be read about three times as often as
# the valve unit is written (20 Hz against 5 + 1): at most twice, it is slowed
check "idle: the scale is read at most twice as often as the valve unit is written ($ds against $dw)" \
    [ "$ds" -le $((dw * 2)) ]
check "idle: the valve unit still read ($dv)" [ "$dv" -ge 2 ]
check "idle: the valve unit is read at least three times less often than the scale ($dv against $ds)" \
    [ $((dv * 3)) -le "$ds" ]

set -- $(counts)
s0=${1:-0} v0=${2:-0} w0=${3:-0}
ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
rc=$?
set -- $(counts)
ds=$((${1:-0} - s0)) dv=$((${2:-0} - v0)) dw=$((${3:-0} - w0))
echo "# a fill: scale $ds reads, valve unit $dv reads and $dw writes"
check "the fill succeeds" [ "$rc" -eq 0 ]
check "filling, the scale is read at the full rate again ($ds reads against $dw writes)" \
    [ "$ds" -ge $((dw * 2)) ]
check "filling, the valve unit is read at the full rate again ($dv against $ds)" \
    [ $((dv * 10)) -ge $((ds * 8)) ]
finish
