#!/bin/sh
# One dead unit on a shared RTU bus (19200 baud, simulated wire) must not
# starve the others: each healthy unit keeps at least 90 % of the poll rate
# it had with every unit alive.  Units are read every 200 ms (the gateway
# polls at a fixed rate per unit); rates are measured over several seconds,
# after a warm-up second.  TORTURE=1 measures longer.
. "$(dirname "$0")/lib.sh"
SIM="$BUILD/gassim"
PROBE="$BUILD/tests/mbprobe"
export GAS_PROFILES="$(cd "$(dirname "$0")/../.." && pwd)/drivers/profiles"
secs=5; [ -n "${TORTURE:-}" ] && secs=30

spawn pty socat "pty,raw,echo=0,link=$T/a" "pty,raw,echo=0,link=$T/b"
wait_for 5 test -e "$T/b" || fail "pty pair"
spawn sim "$SIM" --lines 2 --rtu "$T/a" --baud 19200 --control "$T/ctl"
wait_for 5 test -S "$T/ctl" || fail "gassim starts"
ctl() { printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$T/ctl" >/dev/null; }
UNITS="--unit 1:sim-scale --unit 2:sim-valve --unit 3:sim-scale --unit 4:sim-valve"
RTU="--rtu $T/b --baud 19200 --timeout-ms 200 --interval-ms 200"

"$PROBE" $RTU $UNITS sleep 1000 poll "$secs" >"$T/healthy" 2>&1
ctl "dead 2:scale on"
"$PROBE" $RTU $UNITS sleep 1000 poll "$secs" >"$T/dead" 2>&1
# the same without per-unit back-off: the measurement must see the damage
"$PROBE" $RTU --no-backoff $UNITS sleep 1000 poll "$secs" >"$T/nobackoff" 2>&1
cat "$T/healthy" "$T/dead" "$T/nobackoff"

rate() { awk -v u="$2" '$1==u{print $7}' "$1"; }
check "the dead unit (3) was not read" [ "$(awk '$1==3{print $3}' "$T/dead")" = 0 ]
for u in 1 2 4; do
	h=$(rate "$T/healthy" $u); d=$(rate "$T/dead" $u)
	check "unit $u keeps >= 90% of its healthy rate with unit 3 dead ($d/s vs $h/s)" \
	    awk -v h="$h" -v d="$d" 'BEGIN{exit !(h > 2 && d >= 0.9 * h)}'
done
printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/ctl" >"$T/status"
v=$(awk '$1=="bus"{print $5}' "$T/status")
check "the poller left the t3.5 gap before every request (gap violations: $v)" [ "$v" = 0 ]
# a master that leaves no gap is caught by the same counter
"$PROBE" --rtu "$T/b" --baud 19200 --gap-us 1 --unit 1:sim-scale poll 1 >/dev/null 2>&1
printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/ctl" >"$T/status"
v=$(awk '$1=="bus"{print $5}' "$T/status")
check "a master without the gap is counted ($v violations): the gap check can fail" [ "${v:-0}" -gt 0 ]
h=$(rate "$T/healthy" 1); d=$(rate "$T/nobackoff" 1)
check "without back-off the dead unit does starve unit 1 ($d/s vs $h/s): the check can fail" \
    awk -v h="$h" -v d="$d" 'BEGIN{exit !(d < 0.9 * h)}'
finish
