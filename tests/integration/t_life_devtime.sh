#!/bin/sh
# A delivery device's clock is its own word (docs/county.md, "A delivery
# device's time", C17), end to end with the real gasdeliver and gascounty
# over DTLS.  C-GOOD-1 was filled at station S01 60 hours ago, handed over
# to a household by zhao, and the household gave it back empty to wang 50
# hours ago (a return the county counts: the cylinder's step before it is
# the hand-over to that household, docs/county.md); refilled at a black
# point, wang hands it over and dates the hand-over 59 hours ago, just
# after the licensed fill and before the return.  Taken at that time it has
# a licensed fill since it last came back: no C07.  The county judges it
# no earlier than wang's previous event: C07 all the same, and C17 to the
# county's queue names the device, the event, its claimed and received
# times; the event is kept as sent.  li's device, offline in a village
# for two days, sends its events in order: nothing is raised and the rules
# take each at its own time.  An event li dates four days back is past
# life_max_delay_h: C17, stored as sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@TA
L=delivery:li@TA
Z=delivery:zhao@TA
HOUR=3600000
mkdir -p "$T/minted"
"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null || { fail "set-up: keys"; finish; }
cat >"$T/registry.csv" <<EOF
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
C-GOOD-1,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
C-GOOD-2,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
C-GOOD-3,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
EOF
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/registry.csv" \
    --out "$T/minted" --no-labels >/dev/null || { fail "set-up: codes"; finish; }
county_keys "$W" "$L" "$Z"
COUNTY_EXTRA="c07_grace_min = 0
life_max_delay_h = 72"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() { # IDENTITY DB ARGS...: gasdeliver as that worker's device
	_id=$1
	_db=$2
	shift 2
	"$BUILD/gasdeliver" -u "$_id" -d "$T/$_db" -k "$T/$(echo "$_id" | tr ':' '_').key" \
	    -p "$CPORT" --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
# back-date the device's events of SERIAL by MS (as its clock would have stamped them)
dated() { # DB SERIAL EVENT MS
	sqlite3 "$T/$1" "UPDATE life_events SET at_ms = at_ms - $4 WHERE serial = '$2' AND event = '$3';
	    UPDATE outbox SET created_ms = created_ms - $4
	    WHERE uuid IN (SELECT uuid FROM life_events WHERE serial = '$2' AND event = '$3')"
}
sent_at() { sqlite3 "$T/$1" "SELECT at_ms FROM life_events WHERE serial = '$2' AND event = '$3'"; }

# --- the licensed fills, 60 hours ago ------------------------------------------------
"$BUILD/tests/station_fill" "$T/s01.db" -n 4 -s S01 -c C-GOOD- -t TA >/dev/null
sqlite3 "$T/s01.db" "UPDATE fills SET started_ms = started_ms - 60 * $HOUR,
    ended_ms = ended_ms - 60 * $HOUR"
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -x -w 30 >"$T/up.log" 2>&1
check "S01's fills of C-GOOD-1..3 reached the county" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE cylinder IN ('C-GOOD-1', 'C-GOOD-2', 'C-GOOD-3')")" = 3 ]

# --- zhao: the hand-over to the first household, 59 hours ago ----------------------------
deliver "$Z" zhao.db --offline handover "$(code C-GOOD-1)" --buyer-id "$BUYER1" --village 上宅村 \
    >/dev/null 2>&1
dated zhao.db C-GOOD-1 handed_over $((59 * HOUR + HOUR / 2))
deliver "$Z" zhao.db sync >"$T/zhao.out" 2>&1
check "zhao's device sends the first hand-over (exit $?)" \
    grep -q "^1 events sent to the county; none waits" "$T/zhao.out"

# --- wang: a hand-over dated back past the cylinder's return ---------------------------
deliver "$W" wang.db --offline return "$(code C-GOOD-1)" --from-buyer "$BUYER1" --village 上宅村 \
    >/dev/null 2>&1
deliver "$W" wang.db --offline handover "$(code C-GOOD-1)" --buyer-id "$BUYER2" --village 下宅村 \
    >/dev/null 2>&1
dated wang.db C-GOOD-1 returned $((50 * HOUR))
dated wang.db C-GOOD-1 handed_over $((59 * HOUR))
claimed=$(sent_at wang.db C-GOOD-1 handed_over)
deliver "$W" wang.db sync >"$T/wang.out" 2>&1
check "wang's device sends both (exit $?)" grep -q "^2 events sent to the county; none waits" "$T/wang.out"
check "the county keeps the hand-over exactly as sent, its time the device's" \
    [ "$(county_sql "SELECT at_ms FROM life_events WHERE source = '$W' AND event = 'handed_over'")" = "$claimed" ]
check "... and judges it at wang's previous event, the return" \
    [ "$(county_sql "SELECT (SELECT rule_ms FROM life_events WHERE source = '$W' AND seq = 2) = (SELECT rule_ms FROM life_events WHERE source = '$W' AND seq = 1)")" = 1 ]
check "C07: no licensed fill since it came back (the back-dating hides nothing)" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C07' AND cylinder = 'C-GOOD-1'")" = 1 ]
check "C17 to the county's queue, naming the device, the event and both times" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C17' AND township = 'county' AND station = '$W' AND text LIKE 'delivery device $W sent a handed_over of cylinder C-GOOD-1 (seq 2) dated % received %: before its previous event (seq 1, %)%'")" = 1 ]
check "C17 becomes a case for the county" \
    sql_eventually 10 "SELECT count(*) FROM cases WHERE kind = 'C17' AND township = 'county'" 1

# --- li: an honest device offline for two days ----------------------------------------
deliver "$L" li.db --offline handover "$(code C-GOOD-2)" --buyer-id "$BUYER3" --village 上宅村 \
    >/dev/null 2>&1
deliver "$L" li.db --offline return "$(code C-GOOD-3)" --village 上宅村 >/dev/null 2>&1
dated li.db C-GOOD-2 handed_over $((48 * HOUR))
dated li.db C-GOOD-3 returned $((47 * HOUR))
deliver "$L" li.db sync >"$T/li.out" 2>&1
check "li's device sends its two days' events (exit $?)" \
    grep -q "^2 events sent to the county; none waits" "$T/li.out"
check "nothing is raised for them" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE station = '$L' OR cylinder IN ('C-GOOD-2', 'C-GOOD-3')")" = 0 ]
check "the rules took each at its own time" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$L' AND rule_ms = at_ms")" = 2 ]

# --- li: an event older than the bound --------------------------------------------------
deliver "$L" li.db --offline return "$(code C-GOOD-2)" --from-buyer "$BUYER3" --village 上宅村 \
    >/dev/null 2>&1
sqlite3 "$T/li.db" "UPDATE life_events SET at_ms = at_ms - 96 * $HOUR WHERE event = 'returned' AND serial = 'C-GOOD-2'"
claimed=$(sent_at li.db C-GOOD-2 returned)
deliver "$L" li.db sync >"$T/li2.out" 2>&1
check "li's device sends it (exit $?)" grep -q "^1 events sent to the county; none waits" "$T/li2.out"
check "stored as sent" \
    [ "$(county_sql "SELECT at_ms FROM life_events WHERE source = '$L' AND seq = 3")" = "$claimed" ]
# taken at the bound (72 hours before it arrived) or, later still, at the device's latest
# event (seq 2, 47 hours back): a device's rule times only run forward
check "... judged at the device's latest time, not at the 96 hours back it claims" \
    [ "$(county_sql "SELECT (SELECT rule_ms FROM life_events WHERE source = '$L' AND seq = 3) = (SELECT rule_ms FROM life_events WHERE source = '$L' AND seq = 2)")" = 1 ]
check "C17 names it: more than 72 hours before it arrived" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C17' AND station = '$L' AND text LIKE '%returned of cylinder C-GOOD-2 (seq 3)%more than 72 hours before it arrived%'")" = 1 ]
check "one C17 per device" [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C17'")" = 2 ]
finish
