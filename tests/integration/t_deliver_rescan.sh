#!/bin/sh
# rev102: a double scan at the door after the phone's clock was set back a
# little (an NTP correction, a worker fixing the time) between the two scans.
# gasdeliver promises (docs/county.md, "A device's word at the door") to
# refuse the same step of a cylinder to the same household within 10
# minutes (exit 3, "a second scan"), so that a double scan never reaches the
# county as a second cycle (C07 against the household).  Its check skips
# when the new scan's time is earlier than the last one's: the second scan
# is recorded, sent, and the county raises C07 against an honest household.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@TA
HOUR=3600000

county_mint DUP-0 DUP-1 || finish
county_keys "$W"
COUNTY_EXTRA="c07_grace_min = 0
code_key = $T/keys/county.pub"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() {
	"$BUILD/gasdeliver" -u "$W" -d "$T/wang.db" -k "$T/delivery_wang@TA.key" -p "$CPORT" \
	    --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
station_step() { # EVENT SERIAL WORKER AT
	_u=$(cat /proc/sys/kernel/random/uuid)
	sqlite3 "$T/s01.db" "INSERT INTO life_events (uuid, event, serial, code, actor, worker, at_ms)
	    VALUES ('$_u', '$1', '$2', '$(code "$2")', 'OP1', '$3', $4);
	    INSERT INTO outbox (uuid, kind, created_ms) VALUES ('$_u', 'life', $4)"
}
upload() {
	"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
	    -x -w 30 >>"$T/up.log" 2>&1
}

"$BUILD/tests/station_fill" "$T/s01.db" -n 2 -s S01 -c DUP- -t TA >/dev/null
sqlite3 "$T/s01.db" "UPDATE fills SET started_ms = started_ms - 3 * $HOUR, ended_ms = ended_ms - 3 * $HOUR"
now=$(($(date +%s) * 1000))
station_step dispatched DUP-0 "$W" $((now - 2 * HOUR))
station_step dispatched DUP-1 "$W" $((now - 2 * HOUR))
upload

# the control: a double scan, the clock steady: refused
deliver handover "$(code DUP-1)" --buyer-id "$BUYER1" --village 下宅村 >"$T/c1.out" 2>&1
deliver handover "$(code DUP-1)" --buyer-id "$BUYER1" --village 下宅村 >"$T/c2.out" 2>&1
check "the control: a second scan of DUP-1 a moment later is refused (exit 3; got $?)" [ $? = 3 ]

# the phone's clock is set back 2 minutes between the two scans of DUP-0
deliver handover "$(code DUP-0)" --buyer-id "$BUYER1" --village 下宅村 >"$T/d1.out" 2>&1
sqlite3 "$T/wang.db" "UPDATE life_events SET at_ms = at_ms + 120000 WHERE serial = 'DUP-0'"
deliver handover "$(code DUP-0)" --buyer-id "$BUYER1" --village 下宅村 >"$T/d2.out" 2>&1
check "a second scan of DUP-0, the clock set back 2 minutes between, is refused too (exit 3; got $?)" [ $? = 3 ]
check "... so the county holds one hand-over of DUP-0" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE serial = 'DUP-0' AND event = 'handed_over'")" = 1 ]
check "... and raises no C07 against the household" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C07' AND cylinder = 'DUP-0'")" = 0 ]
finish
