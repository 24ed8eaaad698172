#!/bin/sh
# An operator's stop that arrives while the scale misses a few readings
# (far below link_loss_ms) still closes the valve (docs/fill-line.md,
# "Stopping a fill"): real gasgw and gassim over Modbus TCP, the scale
# answering exceptions for 0.5 s around the stop.  Before, the stop was
# taken from the mailbox and dropped while the scale was silent, and once
# the scale answered again the fill ran on to its target as "ok".
# Negative control: with the stop looked at only after a good reading
# (gateway/line.c, the filling state), all three checks fail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_ready 1 1.0 "max_fill_s = 60
refill_min_minutes = 0"
(ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/f.out" 2>&1
 echo $? >"$T/f.rc") &
bg=$!
wait_state 1 filling 10 || fail "line 1 never started filling"
sleep 2
sim exception 1:scale 4
sleep 0.3
ts=$(date +%s%3N)
ctl stop 1 >/dev/null
sleep 0.2
sim exception 1:scale 0
sleep 2
st=$(state_of 1)
check "2 s after the stop, line 1 is not filling any more (it is $st)" [ "$st" != filling ]
check "line 1's valve commanded closed after the stop" [ "$(event_ms 1 valve_cmd_close)" -gt "$ts" ]
wait "$bg"
check "the fill ended interrupted, not at its target ($(head -n 1 "$T/f.out"))" \
    grep -q '^interrupted' "$T/f.out"
finish
