#!/bin/sh
# The station's other life events, end to end with real processes (gassim ->
# gasgw -> gascounty over DTLS): `gasctl inspection out`, `gasctl inspection
# back --result --next-due` and `gasctl scrap --reason` go through gasgw's
# control request like dispatch and receive: every code verified (one bad
# code refuses the whole batch, nothing recorded), the operator registered,
# a bad result, date or reason refused naming it; each cylinder a record of
# kind life that reaches the county once, where the registry takes the new
# inspection dates and the scrapped status, each as a history row; a next
# due date beyond the county's inspection cycle is still taken, and opens a
# C12 case for the station's township; so does a cylinder back from
# inspection without a trip out (a second return), a C13 case.  A dispatch
# goes to a delivery worker's identity; one of a cylinder still out with
# another worker (no receipt, no fill since) is recorded with a warning.
# A fail needs no --next-due (gasgw sends the day of the return), and one
# typed is held to a pass's 10 years, or the county would set it aside.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

fill_setup 1 || { fail "set-up"; finish; }
county_keys station:S1 township:330825101
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
for s in C-GOOD-3 C-GOOD-4 C-GOOD-5 C-GOOD-8; do
	gc registry set "$s" --inspected 2024-06-01 --owner "Longyou Gas" >/dev/null 2>&1
done
gw_join_county || { fail "gasgw restarted with the uplink"; finish; }
due=$(date -d '+4 years' +%F)
past=$(date -d '-1 day' +%F)
# the county dates an inspection by its own zone (timezone, default
# Asia/Shanghai): from 16:00 UTC its today is tomorrow in UTC
today=$(TZ=Asia/Shanghai date +%F)

# --- inspection out -------------------------------------------------------------
out=$(lifectl inspection out "$(code C-GOOD-3)" "$(code C-GOOD-4)x" --operator OP-7 2>&1)
check "a batch with one code that does not verify is refused, naming it" \
    sh -c "printf '%s\n' '$out' | grep -q 'code 2 of 2: .*nothing was recorded'"
out=$(lifectl inspection out "$(code C-GOOD-3)" --operator OP-NOBODY 2>&1)
check "an unregistered operator is refused" \
    sh -c "printf '%s\n' '$out' | grep -q 'OP-NOBODY is not registered'"
check "nothing was recorded" [ "$(sql "SELECT count(*) FROM life_events")" = 0 ]
out=$(printf '%s\n' "$(code C-GOOD-3)" "$(code C-GOOD-4)" | lifectl inspection out - --operator OP-7 2>&1)
check "gasctl inspection out sends the batch from the scanner (stdin)" \
    sh -c "printf '%s\n' '$out' | grep -q '^2 cylinders sent to inspection$'"

# --- inspection back ------------------------------------------------------------
out=$(lifectl inspection back "$(code C-GOOD-3)" --result pass --next-due "$past" --operator OP-7 2>&1)
check "a pass whose next due date is not after today is refused, naming the date" \
    sh -c "printf '%s\n' '$out' | grep -q '\"next_due\" $past is not after today'"
out=$(lifectl inspection back "$(code C-GOOD-3)" --result maybe --next-due "$due" --operator OP-7 2>&1)
check "a result other than pass or fail is refused by gasctl (exit $?)" \
    sh -c "printf '%s\n' '$out' | grep -q 'result must be pass or fail'"
out=$(lifectl inspection back "$(code C-GOOD-3)" --result pass --operator OP-7 2>&1)
check "a pass without --next-due is refused" \
    sh -c "printf '%s\n' '$out' | grep -q 'next-due YYYY-MM-DD is required after a pass'"
out=$(lifectl inspection back "$(code C-GOOD-3)" "$(code C-GOOD-4)" --result pass --next-due "$due" \
    --operator OP-7 2>&1)
check "gasctl inspection back records the result and the next due date" \
    sh -c "printf '%s\n' '$out' | grep -q '^2 cylinders back from inspection: pass, next due $due$'"
check "and warns of nothing (the date is within the cycle)" \
    sh -c "! printf '%s\n' '$out' | grep -q 'warning'"
check "the station holds both with the result and the date" \
    [ "$(sql "SELECT group_concat(serial || ':' || result || ':' || next_due, ' ') FROM (SELECT * FROM life_events WHERE event = 'inspection_back' ORDER BY serial)")" = \
      "C-GOOD-3:pass:$due C-GOOD-4:pass:$due" ]

# --- scrap ------------------------------------------------------------------------
out=$(lifectl scrap "$(code C-GOOD-5)" --operator OP-7 2>&1)
check "scrap without --reason is refused" \
    sh -c "printf '%s\n' '$out' | grep -q 'reason TEXT is required'"
out=$(lifectl scrap "$(code C-GOOD-5)" --reason "owner 11010519491231002X" --operator OP-7 2>&1)
check "a reason holding an ID number is refused and not kept" \
    sh -c "printf '%s\n' '$out' | grep -q 'looks like it holds an ID number'"
out=$(lifectl scrap "$(code C-GOOD-5)" --reason "瓶体严重腐蚀" --operator OP-7 2>&1)
check "gasctl scrap records the reason" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders scrapped$'"
check "the station holds five life events, none from a refused request" \
    [ "$(sql "SELECT count(*) FROM life_events")" = 5 ]

# --- the county ---------------------------------------------------------------------
check "the county has each event once, under the station's seq" \
    sql_eventually 60 "SELECT count(*) || ' ' || count(DISTINCT uuid) || ' ' || count(DISTINCT seq) FROM life_events WHERE source = 'S1'" "5 5 5"
check "the county's registry takes the inspection: last today, next $due" \
    [ "$(county_sql "SELECT group_concat(serial || ':' || last_inspection || ':' || next_inspection, ' ') FROM (SELECT * FROM registry WHERE serial IN ('C-GOOD-3', 'C-GOOD-4') ORDER BY serial)")" = \
      "C-GOOD-3:$today:$due C-GOOD-4:$today:$due" ]
check "and the scrapped status" \
    [ "$(county_sql "SELECT status FROM registry WHERE serial = 'C-GOOD-5'")" = scrapped ]
check "each change is a history row, the one before kept" \
    [ "$(county_sql "SELECT group_concat(source || ':' || status || ':' || next_inspection, ' ') FROM (SELECT * FROM registry_history WHERE serial = 'C-GOOD-3' ORDER BY id)")" = \
      "set:active:2028-06-01 life:active:$due" ]
check "the scrap's reason reached the county" \
    [ "$(county_sql "SELECT reason FROM life_events WHERE event = 'scrapped'")" = "瓶体严重腐蚀" ]

# --- C12: a next inspection beyond the county's cycle (4 years) ----------------------
check "an inspection four years ahead raised no C12" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C12'")" = 0 ]
check "nor C13: both came back to the station that sent them out" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C13'")" = 0 ]
far=$(date -d '+7 years' +%F)
out=$(lifectl inspection back "$(code C-GOOD-4)" --result pass --next-due "$far" --operator OP-7 2>&1)
check "a pass seven years ahead is within what gasgw takes (10 years)" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders back from inspection: pass, next due $far$'"
check "and gasctl warns the operator at once that it is beyond the 4-year cycle (C12)" \
    sh -c "printf '%s\n' '$out' | grep -q 'warning: next due $far is beyond the 4-year inspection cycle.*C12'"
check "and that this station did not send it out since its last return (C13)" \
    sh -c "printf '%s\n' '$out' | grep -q 'C12 for it; C-GOOD-4 not sent out for inspection from this station (gasctl inspection out): recorded, and the county will raise C13 for it'"
check "the county stores it and its registry follows it" \
    sql_eventually 60 "SELECT next_inspection FROM registry WHERE serial = 'C-GOOD-4'" "$far"
check "and opens a C12 case for the station's township, for that cylinder" \
    sql_eventually 30 "SELECT count(*) FROM cases WHERE kind = 'C12' AND cylinder = 'C-GOOD-4' AND township = (SELECT township FROM stations WHERE id = 'S1') AND township <> ''" 1
check "and for no other" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C12'")" = 1 ]
# --- C13: back from inspection without a trip out ----------------------------------
check "back a second time from one trip out: a C13 case for the station's township" \
    sql_eventually 30 "SELECT count(*) FROM cases WHERE kind = 'C13' AND cylinder = 'C-GOOD-4' AND township = (SELECT township FROM stations WHERE id = 'S1') AND township <> ''" 1
c13=$(county_sql "SELECT text FROM alerts WHERE rule = 'C13' AND cylinder = 'C-GOOD-4'")
check "naming the station and the inspection step before it" \
    [ "$c13" = "cylinder C-GOOD-4 back from inspection at S1, which did not send it there (its last inspection step: inspection_back by S1)" ]
out=$(lifectl inspection back "$(code C-GOOD-1)" "$(code C-GOOD-2)" "$(code C-GOOD-6)" \
    "$(code C-GOOD-7)" "$(code C-GOOD-8)" "$(code C-GOOD-9)" --result pass --next-due "$due" \
    --operator OP-7 2>&1)
check "six back never sent out: gasctl names five and counts the sixth" \
    sh -c "printf '%s\n' '$out' | grep -q 'warning: C-GOOD-1, C-GOOD-2, C-GOOD-6, C-GOOD-7, C-GOOD-8 and 1 more were not sent out for inspection from this station (gasctl inspection out): recorded, and the county will raise C13 for each'"
check "and the county raises C13 for each of the six" \
    sql_eventually 60 "SELECT count(*) FROM alerts WHERE rule = 'C13' AND cylinder IN ('C-GOOD-1', 'C-GOOD-2', 'C-GOOD-6', 'C-GOOD-7', 'C-GOOD-8', 'C-GOOD-9') AND text LIKE '%no inspection_out on record%'" 6
out=$(lifectl inspection back "$(code C-OLD)" "$(code C-UNREG)" --result pass --next-due "$due" \
    --operator OP-7 2>&1)
check "two back never sent out: both named, a C13 for each" \
    sh -c "printf '%s\n' '$out' | grep -q 'warning: C-OLD, C-UNREG were not sent out for inspection from this station (gasctl inspection out): recorded, and the county will raise C13 for each'"
check "they reach the county" \
    sql_eventually 60 "SELECT count(*) FROM life_events WHERE serial IN ('C-OLD', 'C-UNREG')" 2
check "and add no cylinder to its registry: a station's return changes only what it holds" \
    [ "$(county_sql "SELECT count(*) FROM registry WHERE serial IN ('C-GOOD-1', 'C-OLD', 'C-UNREG')")" = 0 ]

# --- dispatch: to a delivery worker's identity; one still out is warned of ---------------
before=$(sql "SELECT count(*) FROM life_events")
lifectl dispatch nobody "$(code C-GOOD-6)" --operator OP-7 >"$T/nobody.out" 2>&1
check "a dispatch to a worker who is no delivery identity is refused, naming the form" \
    grep -q 'nobody is not a delivery worker.s identity: delivery:NAME@TOWNSHIP' "$T/nobody.out"
check "and recorded nothing" [ "$(sql "SELECT count(*) FROM life_events")" = "$before" ]
out=$(lifectl dispatch delivery:wang@330825101 "$(code C-GOOD-6)" --operator OP-7 2>&1)
check "a dispatch to delivery:wang@330825101 is recorded, warning of nothing" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders dispatched to delivery:wang@330825101' && ! printf '%s\n' '$out' | grep -q warning"
out=$(lifectl dispatch delivery:li@330825101 "$(code C-GOOD-6)" --operator OP-7 2>&1)
check "dispatched again with no receipt or fill between: recorded, with a warning naming the first" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders dispatched to delivery:li@330825101' && printf '%s\n' '$out' | grep -q 'warning: C-GOOD-6 went out with delivery:wang@330825101 before and has not come back through this station'"
lifectl receive "$(code C-GOOD-6)" --from delivery:li@330825101 --operator OP-7 >/dev/null 2>&1
out=$(lifectl dispatch delivery:li@330825101 "$(code C-GOOD-6)" --operator OP-7 2>&1)
check "after its receipt, a dispatch warns of nothing" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders dispatched' && ! printf '%s\n' '$out' | grep -q warning"

# --- a failed inspection: out of service everywhere -----------------------------------
# gasctl asks a next due date of every return, a fail's too; the county took
# it into the registry with the cylinder still active, so every station
# filled a cylinder that failed until that date (neither R04 nor R05)
failnext=$(date -d '+3 years' +%F)
lifectl inspection out "$(code C-GOOD-8)" --operator OP-7 >/dev/null 2>&1
out=$(lifectl inspection back "$(code C-GOOD-8)" --result fail --next-due "$failnext" \
    --operator OP-7 2>&1)
check "gasctl records a failed inspection" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders back from inspection: fail'"
check "the county's registry scraps the cylinder that failed" \
    sql_eventually 60 "SELECT status FROM registry WHERE serial = 'C-GOOD-8'" scrapped
check "keeping the inspection's date, not believing the fail's next due date" \
    [ "$(county_sql "SELECT last_inspection || ' ' || (next_inspection <> '$failnext') FROM registry WHERE serial = 'C-GOOD-8'")" = "$today 1" ]
check "the station learns it within a registry poll: no station fills it (R04)" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-8'\")\" = scrapped ]"
# the county does not believe a fail's date: the operator need not type one,
# and gasgw sends the day of the return (every county's wire asks a date)
out=$(lifectl inspection back "$(code C-GOOD-8)" --result fail --operator OP-7 2>&1)
check "a fail without --next-due is recorded" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders back from inspection: fail, out of service$'"
check "with the day of the return as its next due date" \
    [ "$(sql "SELECT next_due FROM life_events WHERE serial = 'C-GOOD-8' AND event = 'inspection_back' ORDER BY at_ms DESC LIMIT 1")" = "$today" ]
check "which the county takes" \
    sql_eventually 60 "SELECT count(*) FROM life_events WHERE serial = 'C-GOOD-8' AND event = 'inspection_back' AND result = 'fail' AND next_due = '$today'" 1
far=$(date -d '+11 years' +%F)
out=$(lifectl inspection back "$(code C-GOOD-8)" --result fail --next-due "$far" --operator OP-7 2>&1)
check "a fail's date typed eleven years ahead is refused, as a pass's (the county would set it aside)" \
    sh -c "printf '%s\n' '$out' | grep -q '\"next_due\" $far is more than 10 years ahead'"
finish
