#!/bin/sh
# An event the county refuses (4.00 naming it) no longer heads a delivery
# device's outbox for ever (review rev102): gasdeliver sets it aside, as a
# station does (records_outbox_set_aside), and the events after it go on.
# It stays on the device, shown by status and `gasdeliver aside` with the
# county's reason, and is sent again (--retry) or given up (--drop) only
# when the worker says so.  The refused event here was recorded by a
# gasdeliver of before (its village in GBK bytes, which today's door
# refuses): written into the device's database directly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@TA

county_mint AS-0 AS-1 AS-2 AS-3 || finish
county_keys "$W"
COUNTY_EXTRA="code_key = $T/keys/county.pub"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() {
	"$BUILD/gasdeliver" -u "$W" -d "$T/wang.db" -k "$T/delivery_wang@TA.key" -p "$CPORT" \
	    --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
at_county() { # SERIAL
	county_sql "SELECT count(*) FROM life_events WHERE serial = '$1'"
}
gbk() { # SERIAL: its village as a GBK terminal gave 下宅村 to a gasdeliver of before
	sqlite3 "$T/wang.db" "UPDATE life_events SET village = CAST(X'CFC2D5ACB4E5' AS TEXT) WHERE serial = '$1'"
}

deliver --offline handover "$(code AS-0)" --buyer-id "$BUYER1" --village 下宅村 >"$T/rec.out" 2>&1
gbk AS-0
deliver --offline handover "$(code AS-1)" --buyer-id "$BUYER2" --village 上宅村 >>"$T/rec.out" 2>&1
deliver sync >"$T/sync.out" 2>&1
rc=$?
check "sync: the hand-over after the refused one reaches the county (AS-1: $(at_county AS-1))" \
    [ "$(at_county AS-1)" = 1 ]
check "... the refused one does not (AS-0: $(at_county AS-0))" [ "$(at_county AS-0)" = 0 ]
check "... and nothing waits behind it (exit 0; got $rc: $(cat "$T/sync.out"))" [ $rc = 0 ]
check "... the worker is told it is set aside" grep -q 'set aside' "$T/sync.out"
deliver status >"$T/status.out" 2>&1
check "status shows the event set aside ($(cat "$T/status.out"))" \
    grep -q '^1 events the county refused are set aside' "$T/status.out"
deliver aside >"$T/aside.out" 2>&1
check "aside lists it with its seq, cylinder and the county's reason ($(cat "$T/aside.out"))" \
    grep -q '^seq 1  AS-0 .*life.village' "$T/aside.out"

# kept: sent again only when the worker says so, refused again while unchanged
deliver handover "$(code AS-2)" --buyer-id "$BUYER3" --village 上宅村 >"$T/next.out" 2>&1
check "a later hand-over goes straight through (AS-2: $(at_county AS-2))" [ "$(at_county AS-2)" = 1 ]
deliver aside --retry 1 >"$T/retry.out" 2>&1
deliver aside >"$T/aside.again" 2>&1
check "retried unchanged, it is refused and set aside again, not lost ($(cat "$T/aside.again"))" \
    grep -q '^seq 1  AS-0 .*life.village' "$T/aside.again"
# its village put right (a person with the database), retried: delivered
sqlite3 "$T/wang.db" "UPDATE life_events SET village = '下宅村' WHERE serial = 'AS-0'"
deliver aside --retry all >"$T/retry2.out" 2>&1
rc=$?
check "put right and retried, it reaches the county (exit $rc; AS-0: $(at_county AS-0))" \
    [ "$(at_county AS-0)" = 1 ]
deliver aside >"$T/aside2.out" 2>&1
check "... and no event is set aside any more" grep -q '^0 events set aside' "$T/aside2.out"

# given up: --drop deletes it from the outbox, never sent
deliver --offline handover "$(code AS-3)" --buyer-id "$BUYER1" --village 下宅村 >>"$T/rec.out" 2>&1
gbk AS-3
deliver sync >"$T/sync2.out" 2>&1
seq=$(sqlite3 "$T/wang.db" "SELECT seq FROM outbox WHERE aside_ms IS NOT NULL")
deliver aside --drop "$seq" >"$T/drop.out" 2>&1
rc=$?
deliver status >"$T/status2.out" 2>&1
check "--drop $seq gives it up (exit $rc: $(cat "$T/drop.out"))" [ $rc = 0 ]
check "... nothing waits and nothing is set aside ($(cat "$T/status2.out"))" \
    sh -c "grep -q ': 0 events wait' '$T/status2.out' && ! grep -q 'set aside' '$T/status2.out'"
check "... the county never got it" [ "$(at_county AS-3)" = 0 ]
check "... the device still has the event in its records" \
    [ "$(sqlite3 "$T/wang.db" "SELECT count(*) FROM life_events WHERE serial = 'AS-3'")" = 1 ]
check "--drop of a seq not set aside is refused (exit 1)" \
    sh -c '"$@" >/dev/null 2>&1; [ $? = 1 ]' sh "$BUILD/gasdeliver" -u "$W" -d "$T/wang.db" aside --drop 2
finish
