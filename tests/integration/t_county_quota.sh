#!/bin/sh
# No station can fill the county's disk (records_day_max, C16): a source
# holding a real key may have at most records_day_max new records stored in
# 24 hours.  The batch that passes the bound is stored and raises C16 to
# the county's queue, once; every batch after it, until the 24 hours end,
# is answered 5.03 and stored nowhere, and the station keeps it in its
# outbox: nothing is lost (it sends them again a minute later).  The gateway's real uplink (tests/helpers/
# uplink_run) drains a real station database to a real gascounty over
# DTLS: with the bound at 50 and batches of 20, 60 of 120 records arrive,
# the station's status names the bound, the county's log is not flooded;
# the bound lifted by SIGHUP, the rest arrive, every seq once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys
COUNTY_EXTRA="records_day_max = 50"
county_start || { fail "gascounty did not start"; finish; }
"$BUILD/tests/station_fill" "$T/s01.db" -n 120 -s S01 -c S01- -t TA >/dev/null
outbox() { sqlite3 "$T/s01.db" "SELECT count(*) FROM outbox"; }
held() { county_sql "SELECT count(*) FROM records WHERE station = 'S01'"; }
c16() { county_sql "SELECT count(*) FROM alerts WHERE rule = 'C16' $1"; }

"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -b 20 -x -w 8 >"$T/up1.out" 2>"$T/up1.err"
rc=$?
check "the uplink cannot drain its outbox past the bound (exit $rc: $(cat "$T/up1.out"))" [ "$rc" -eq 1 ]
check "the county stored 60 records: three batches of 20, the third passing the bound of 50 ($(held))" \
    [ "$(held)" = 60 ]
check "and the station still holds the other 60 in its outbox ($(outbox))" [ "$(outbox)" = 60 ]
check "one C16 alert, in the county's queue, naming S01, the count and the bound" \
    [ "$(c16 "AND township = 'county' AND station = 'S01' AND text LIKE 'S01 sent 60 new records in 24 hours, beyond the county''s bound of 50: its batches are refused (5.03) until %'")" = 1 ]
check "however many batches were refused after it (one C16 in all)" [ "$(c16)" = 1 ]
check "the station's status names the bound and the time" \
    grep -Eq "last error: county answered 5\.03 to a batch: over the county's bound of 50 new records in 24 h, until 20[0-9-]+ [0-9:]+" "$T/up1.err"
check "the uplink sends the refused batch again after a minute, not every second (one 5.03 in 8 s)" \
    [ "$(grep -c 'gasgw-uplink: county answered 5.03' "$T/up1.err")" = 1 ]
check "the county logged no warning for the refused batches" \
    sh -c "! grep -q 'S01: .*batch' '$T/county.log'"
if sql_eventually 10 "SELECT count(*) FROM cases WHERE kind = 'C16' AND township = 'county'" 1; then
	ok "the C16 alert is a case for the county"
else
	fail "the C16 alert is a case for the county"
fi

# the bound lifted (a regulator who found the station honest): nothing was lost
COUNTY_EXTRA="records_day_max = 0" county_conf
kill -HUP "$PID_county"
wait_for 10 grep -q 'reload: configuration from' "$T/county.log"
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -b 20 -x -w 30 >"$T/up2.out" 2>"$T/up2.err"
rc=$?
check "records_day_max = 0 by SIGHUP: the uplink drains the rest (exit $rc)" [ "$rc" -eq 0 ]
check "the county holds all 120, every seq once, no gap" \
    [ "$(county_sql "SELECT count(*) || '/' || count(DISTINCT seq) || '/' || max(seq) FROM records WHERE station = 'S01'")/$(county_sql "SELECT hwm FROM stations WHERE id = 'S01'")" = "120/120/120/120" ]
check "the station's outbox is empty" [ "$(outbox)" = 0 ]
check "no sanitizer report from gascounty" sh -c "! grep -q 'runtime error\|AddressSanitizer' '$T/county.log'"
finish
