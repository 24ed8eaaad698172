#!/bin/sh
# (review rev102's t_rev102_trace_now.sh)
# rev102: what gastrace cylinder says of a cylinder's life past the station
# (its rows' order and its "now:" line) against what the county judged.
#
#  1. clock skew: S01 dispatches CLK-0 to wang; wang's phone runs 20 hours
#     ahead and hands it over to household B (the county takes the step at
#     its arrival: C17's "a clock ahead is taken at the arrival"); then S01
#     receives the empty back.  The cylinder is at the station.
#     gastrace orders by the phone's time and says "now: at household ...".
#  2. a stranger's word: S01 dispatches STR-0 to wang; evil (another
#     township's device, never dispatched it; a code is on the label for
#     anyone to read) says it handed STR-0 over to household X.  The county
#     keeps the step outside the chain (counts 0: it counts for nothing).
#     gastrace says "now: at household ..." on evil's word, with nothing
#     to tell the regulator the county did not take it.
#  3. a hand-over dated back years (2001): the county takes it at its
#     arrival (C17), but a trace of the day it arrived does not show it
#     (the trace filters and orders life events by the device's at_ms).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@TA
E=delivery:evil@TB
HOUR=3600000

county_mint CLK-0 STR-0 BACK-0 || finish
county_keys "$W" "$E"
COUNTY_EXTRA="c07_grace_min = 0
code_key = $T/keys/county.pub"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() { # IDENTITY ARGS...
	_id=$1
	shift
	"$BUILD/gasdeliver" -u "$_id" -d "$T/$(echo "$_id" | sed 's/^delivery:\([^@]*\)@.*/\1/').db" \
	    -k "$T/$(echo "$_id" | tr ':' '_').key" -p "$CPORT" --code-key "$T/keys/county.pub" \
	    --buyer-key "$T/keys/buyer.key" "$@"
}
station_step() { # EVENT SERIAL WORKER AT: the rows gasctl dispatch / receive write at S01
	_u=$(cat /proc/sys/kernel/random/uuid)
	sqlite3 "$T/s01.db" "INSERT INTO life_events (uuid, event, serial, code, actor, worker, at_ms)
	    VALUES ('$_u', '$1', '$2', '$(code "$2")', 'OP1', '$3', $4);
	    INSERT INTO outbox (uuid, kind, created_ms) VALUES ('$_u', 'life', $4)"
}
upload() {
	"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
	    -x -w 30 >>"$T/up.log" 2>&1
}
trace() { "$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" "$@"; }

for p in CLK- STR- BACK-; do
	"$BUILD/tests/station_fill" "$T/s01.db" -n 1 -s S01 -c "$p" -t TA >/dev/null
done
sqlite3 "$T/s01.db" "UPDATE fills SET started_ms = started_ms - 3 * $HOUR, ended_ms = ended_ms - 3 * $HOUR"
now=$(($(date +%s) * 1000))
station_step dispatched CLK-0 "$W" $((now - 2 * HOUR))
station_step dispatched STR-0 "$W" $((now - 2 * HOUR))
station_step dispatched BACK-0 "$W" $((now - 2 * HOUR))
upload
check "S01's fills and dispatches reached the county" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = 'S01'")" = 3 ]

# --- 1. wang's phone 20 hours ahead; S01 takes the empty back after the hand-over ---
deliver "$W" --offline handover "$(code CLK-0)" --buyer-id "$BUYER1" --village 下宅村 >/dev/null 2>&1
sqlite3 "$T/wang.db" "UPDATE life_events SET at_ms = at_ms + 20 * $HOUR WHERE serial = 'CLK-0'"
deliver "$W" sync >"$T/clk.out" 2>&1
check "wang's hand-over of CLK-0 reached the county" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$W' AND serial = 'CLK-0'")" = 1 ]
check "... and the county took it at its arrival (rule time before S01's receipt to come)" \
    [ "$(county_sql "SELECT rule_ms < $(($(date +%s) * 1000 + 60000)) FROM life_events WHERE source = '$W' AND serial = 'CLK-0'")" = 1 ]
sleep 1
station_step received CLK-0 "$W" $(($(date +%s) * 1000))
upload
trace cylinder CLK-0 >"$T/clk.txt" 2>&1
order=$(awk '/^[0-9][0-9][0-9][0-9]-/ && $5 == "life" { printf "%s ", $10 }' "$T/clk.txt")
check "the trace shows CLK-0's steps in the order they happened: dispatched, handed_over, received (got: $order)" \
    [ "$order" = "dispatched handed_over received " ]
check "gastrace's now: CLK-0 is back at the station, not at the household ($(grep '^now:' "$T/clk.txt"))" \
    grep -q "^now: back at the station" "$T/clk.txt"

# --- 2. evil's word about a cylinder on wang's truck ---------------------------------------
deliver "$E" handover "$(code STR-0)" --buyer-id "$BUYER2" --village 上宅村 >"$T/str.out" 2>&1
check "evil's hand-over of STR-0 is held, outside the chain (counts 0)" \
    [ "$(county_sql "SELECT counts FROM life_events WHERE source = '$E' AND serial = 'STR-0'")" = 0 ]
trace cylinder STR-0 >"$T/str.txt" 2>&1
check "gastrace's now does not put STR-0 at a household on a step the county holds outside its chain ($(grep '^now:' "$T/str.txt"))" \
    sh -c "! grep -q '^now: at household' '$T/str.txt'"

# --- 3. a hand-over dated back years (the county takes it now, C17) -------------------------
deliver "$W" --offline handover "$(code BACK-0)" --buyer-id "$BUYER3" --village 下宅村 >/dev/null 2>&1
sqlite3 "$T/wang.db" "UPDATE life_events SET at_ms = 1000000000000 WHERE serial = 'BACK-0'"
deliver "$W" sync >"$T/back.out" 2>&1
check "the county holds wang's back-dated hand-over of BACK-0, taken at its arrival" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE serial = 'BACK-0' AND event = 'handed_over' AND rule_ms > $now - $HOUR")" = 1 ]
trace cylinder BACK-0 --from "$(date -u -d @$(($(date +%s) - 86400)) +%Y-%m-%d)" >"$T/back.txt" 2>&1
check "a trace of BACK-0 over the last day, when the county took the hand-over, shows it" \
    grep -q "handed_over" "$T/back.txt"

# --- 4. the console's trace page says the same (added to the review's test) ---------------
web_conf
web_passwd regulator:alice 'trace-pw-1234'
web_start
check "the regulator signs in to the console" \
    [ "$(signin "$T/alice.jar" regulator:alice 'trace-pw-1234')" = 303 ]
C -b "$T/alice.jar" -o "$T/clk.html" "$U/trace?kind=cylinder&key=CLK-0"
C -b "$T/alice.jar" -o "$T/str.html" "$U/trace?kind=cylinder&key=STR-0"
order=$(sed -n '/<tbody>/,/<\/tbody>/p' "$T/clk.html" | grep -o 'dispatched\|handed_over\|received' | tr '\n' ' ')
check "the console's trace of CLK-0: dispatched, handed_over, received (got: $order)" \
    [ "$order" = "dispatched handed_over received " ]
check "... the hand-over's row gives the phone's own time, bounded by the county" \
    grep -q 'class="bounded"' "$T/clk.html"
check "the console's trace of STR-0 marks evil's hand-over outside the chain" \
    sh -c "grep -o '<tr class=\"outside\">.*' '$T/str.html' | grep -q 'delivery:evil@TB.*chain-out'"
check "... and wang's dispatch is not marked" \
    sh -c "! grep -q '<tr class=\"outside\"><td>[^<]*</td><td>S01' '$T/str.html'"
finish
