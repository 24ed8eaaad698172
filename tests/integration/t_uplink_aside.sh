#!/bin/sh
# One record the county refuses does not stop the station's uplink: a
# buyer registered in a township the county does not know makes the
# county refuse (4.00) every batch that holds that buyer's fill.  gasgw
# splits the batch, sets the refused record aside with the county's reason
# (kept in the station database, logged once, counted by gasctl status,
# listed by gasctl aside) and sends the rest: every later record reaches
# the county, which sees the gap.  Once the county knows the township
# (identities reloaded with SIGHUP), gasctl aside --retry brings the record
# in and the gap closes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"

UNKNOWN=330825999
county_keys township:330825101 # the station's township (fill_lib); not $UNKNOWN
CPORT=$(free_port udp)
PREACT=0.25
STATION_ID=S01
county_uplink
fill_setup 1 || { fail "set-up"; finish; }
"$BUILD/gasctl" --db "$T/station.db" --buyer-key "$T/keys/buyer.key" \
    buyers add "$BUYER2" --township "$UNKNOWN" >/dev/null ||
    { fail "buyer registered in township $UNKNOWN"; finish; }
sim flow 1 2.5
# four fills while the county is away: one batch, the second record refused
n=0
for b in "$BUYER1" "$BUYER2" "$BUYER3" "$BUYER4"; do
	n=$((n + 1))
	sim place 1 15.3
	sleep 1
	ctl fill 1 --cylinder "$(code C-GOOD-$n)" --buyer "$b" --operator OP-7 >"$T/fill$n.out" 2>&1
	grep -Eq '^(ok|flagged)' "$T/fill$n.out" || { fail "fill $n ran"; cat "$T/fill$n.out"; }
done
check "four records wait in the outbox" [ "$(sql "SELECT count(*) FROM outbox")" = 4 ]
bad=$(sql "SELECT o.seq FROM outbox o JOIN fills f ON f.uuid = o.uuid JOIN buyers b ON b.id = f.buyer
    WHERE b.township = '$UNKNOWN'")
check "the fill of the buyer of township $UNKNOWN is seq 2" [ "$bad" = 2 ]

county_start "$CPORT" || { fail "gascounty starts"; finish; }
if sql_eventually 30 "SELECT group_concat(seq) FROM (SELECT seq FROM records WHERE station = 'S01' ORDER BY seq)" "1,3,4"; then
	ok "the records before and after the refused one reach the county"
else
	fail "the records before and after the refused one reach the county"
fi
wait_for 10 sh -c "[ \"\$(sqlite3 '$T/station.db' 'SELECT count(*) FROM outbox WHERE aside_ms IS NULL')\" = 0 ]" &&
    ok "nothing else waits in the station's outbox" || fail "nothing else waits in the station's outbox"
check "the refused record is kept, set aside, with the county's reason" \
    [ "$(sql "SELECT seq FROM outbox WHERE aside_ms IS NOT NULL AND aside_reason LIKE '%btown ''$UNKNOWN'' is not a township of this county%'")" = 2 ]
check "the county refused the batch (4.00) and logged why" grep -q "refused batch: .*btown '$UNKNOWN'" "$T/county.log"
check "the county's mark stops at the gap" [ "$(county_sql "SELECT hwm || '/' || max_seq FROM stations WHERE id = 'S01'")" = "1/4" ]
check "gasgw logs the set-aside record once, at warn level" \
    [ "$(grep -c "record seq 2 set aside: the county refused it" "$T/gasgw.log")" = 1 ]
ctl status >"$T/status.out" 2>&1
check "gasctl status counts the set-aside record" grep -q "set aside: 1 records" "$T/status.out"
ctl aside >"$T/aside.out" 2>&1
check "gasctl aside lists it with the county's reason" \
    sh -c "grep -q '^seq 2 ' '$T/aside.out' && grep -q \"county: .*btown '$UNKNOWN'\" '$T/aside.out'"
ctl aside --json >"$T/aside.json" 2>&1
check "gasctl aside --json names the buyer's township" \
    [ "$(python3 -c "import json,sys; d=json.load(open('$T/aside.json')); print(d['total'], d['aside'][0]['seq'], d['aside'][0]['buyer_township'])")" = "1 2 $UNKNOWN" ]

if sql_eventually 15 "SELECT count(*) > 0 FROM heartbeats WHERE station = 'S01' AND status = 'backlog 0, 1 set aside'" 1; then
	ok "the station's heartbeat tells the county one record is set aside"
else
	fail "the station's heartbeat tells the county one record is set aside"
fi

# later fills go on reaching the county
sim place 1 15.3
sleep 1
ctl fill 1 --cylinder "$(code C-GOOD-5)" --buyer "$BUYER5" --operator OP-7 >"$T/fill5.out" 2>&1
check "a later fill ran" grep -Eq '^(ok|flagged)' "$T/fill5.out"
sql_eventually 20 "SELECT count(*) FROM records WHERE station = 'S01' AND seq = 5" 1 &&
    ok "a later record reaches the county" || fail "a later record reaches the county"

# a retry while the county still refuses it: set aside again
ctl aside --retry 2 >/dev/null 2>&1
wait_for 20 sh -c "[ \"\$(grep -c 'record seq 2 set aside' '$T/gasgw.log')\" = 2 ]" &&
    ok "retried too early, it is refused and set aside again" ||
    fail "retried too early, it is refused and set aside again"
ctl aside --retry 99 >"$T/retry99.out" 2>&1
check "retrying a seq that is not set aside fails, naming it" \
    sh -c "! ctl aside --retry 99 >/dev/null 2>&1 && grep -q 'no record with seq 99' '$T/retry99.out'"

# the county learns the township; a retry brings the record in
key_file "township:$UNKNOWN" "$T/township_$UNKNOWN.key"
echo "township:$UNKNOWN $(tr -d '\n' <"$T/township_$UNKNOWN.key")" >>"$T/ids"
kill -HUP "$PID_county"
wait_for 10 grep -q "reload: configuration" "$T/county.log"
sleep 1
ctl aside --retry all >"$T/retry.out" 2>&1
check "gasctl aside --retry all sends it again" grep -q "^1 " "$T/retry.out"
if sql_eventually 20 "SELECT hwm || '/' || max_seq FROM stations WHERE id = 'S01'" "5/5"; then
	ok "the county now holds seq 1..5: the gap is closed"
else
	fail "the county now holds seq 1..5: the gap is closed"
fi
check "the county holds the refused fill now, with its buyer's township" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE station = 'S01' AND seq = 2 AND buyer_township = '$UNKNOWN'")" = 1 ]
wait_for 10 sh -c "[ \"\$(sqlite3 '$T/station.db' 'SELECT count(*) FROM outbox')\" = 0 ]" &&
    ok "the station's outbox is empty" || fail "the station's outbox is empty"
wait_for 5 sh -c "\"$BUILD/gasctl\" -s '$T/gw.sock' status >'$T/status2.out' 2>&1 && ! grep -q 'set aside' '$T/status2.out'" &&
    ok "gasctl status no longer mentions set-aside records" ||
    fail "gasctl status no longer mentions set-aside records"
check "each record is held once" [ "$(county_sql "SELECT count(*) || '/' || count(DISTINCT uuid) FROM records WHERE station = 'S01'")" = "5/5" ]
finish
