#!/bin/sh
# Fill records reach the county: gasgw with a [county] section starts the
# uplink thread (county helper's uplink.h); a fill, and a refusal that must
# alert (R05), each commit an outbox row that the uplink sends to a real
# gascounty over CoAP/DTLS-PSK; the county stores them once and gasgw drops
# them from its outbox.  gasctl status shows the link; gasctl plot draws
# the stored curve; gasctl watch shows the lines.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"

county_keys township:330825101 # the station's township (fill_lib)
county_start || { fail "gascounty starts"; finish; }
PREACT=0.25
STATION_ID=S01
county_uplink
fill_setup 1 || { fail "set-up"; finish; }
sim flow 1 2.5 && sim place 1 15.3
sleep 1
ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
check "the fill ran" grep -q '^ok' "$T/fill.out"
ctl fill 1 --cylinder "$(code C-OVERDUE)" --buyer "$BUYER1" --operator OP-7 >"$T/refuse.out" 2>&1
check "the refusal ran" grep -q '^R05' "$T/refuse.out"
wait_for 20 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM records WHERE station = 'S01'\")\" = 2 ]" &&
    ok "county holds the fill and the refusal" || fail "county holds the fill and the refusal"
check "county has the fill with the masked buyer" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE buyer_masked = '110***********002X'")" = 1 ]
wait_for 10 sh -c "[ \"\$(sqlite3 '$T/station.db' 'SELECT count(*) FROM outbox')\" = 0 ]" &&
    ok "station outbox drained after the county's acknowledgement" ||
    fail "station outbox drained after the county's acknowledgement"
check "gasctl status shows the uplink connected" sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status | grep -q 'uplink: connected'"
uuid=$(sql "SELECT substr(uuid, 1, 8) FROM fills LIMIT 1")
"$BUILD/gasctl" --db "$T/station.db" plot "$uuid" --out "$T/fill.svg" >/dev/null
check "gasctl plot draws the stored fill curve" grep -q 'cylinder C-GOOD-1' "$T/fill.svg"
# The watch is interrupted by one SIGINT, as Ctrl-C in a terminal sends it,
# and not by `timeout -s INT`: GNU timeout follows its signal with SIGCONT,
# and a SIGCONT that lands while LeakSanitizer's tracer attaches to the
# exiting gasctl discards the SIGSTOP of that attach, so the tracer waits
# for a stop that never comes and gasctl spins waiting for the tracer
# (reliability.md bug 26: the sanitizer run hung to the test's limit).
# Its exit status is checked too, which timeout's own 124 hid.
"$BUILD/gasctl" -s "$T/gw.sock" watch >"$T/watch.out" 2>&1 </dev/null &
watch=$!
wait_for 20 grep -q '^1 .*idle' "$T/watch.out"
kill -INT "$watch"
# Bounded, so that a hang fails here (with the state that explains it)
# instead of running the whole test to its limit.  Gone: no process, or a
# zombie the shell has not reaped yet (kill -0 succeeds on one).
gone() { case "$(ps -o stat= -p "$1" 2>/dev/null)" in "" | Z*) return 0 ;; esac; return 1; }
if wait_for 60 gone "$watch"; then
	wait "$watch"
	rc=$?
else
	rc=hung
	for t in /proc/"$watch"/task/*; do
		echo "# $t: $(grep -E '^(State|TracerPid)' "$t/status" | tr '\n\t' '  ')"
	done
	kill -9 "$watch" 2>/dev/null
	wait "$watch"
fi
check "gasctl watch shows the lines until interrupted" grep -q '^1 .*idle' "$T/watch.out"
check "SIGINT ends gasctl watch with status 0 (got $rc)" [ "$rc" = 0 ]
finish
