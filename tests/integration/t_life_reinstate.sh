#!/bin/sh
# A registry import does not bring a scrapped cylinder back at the station,
# and only the county's word lifts this station's own stop; a scrap made by
# mistake at a station with no county comes back through gasctl registry
# reinstate, on purpose and on the record.  Real gassim and gasgw; the valve
# is watched in gassim's event log (as t_life_valve).
#
# With no county: a stale company file listing a scrapped cylinder active is
# taken but the cylinder stays scrapped (FILE:LINE named, "1 kept
# scrapped"), its fill refused; reinstate brings it, and a cylinder this
# station scrapped, back, kept with who, when and why, and both fill.
#
# With a county: this station scraps a cylinder during an outage; the row
# the county changed meanwhile arrives first (active), then the county takes
# the scrap.  A stale local import after that rewrites the row, after the
# delivery: the fill is still refused (only a county pull lifts the stop).
# The next pull brings scrapped, a stale import keeps it so.  reinstate is
# refused, naming the county's command, with -c and from the database alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

fill_ready 1
today=$(TZ=Asia/Shanghai date +%F)
dbctl() { "$BUILD/gasctl" --db "$T/station.db" "$@"; }
# pinned CMD...: CMD given the operator's PIN ($OP_PIN) as its standard input
pinned() { printf '%s\n' "$OP_PIN" | "$@"; }
# the company's file: every cylinder active, a later inspection
sed -e 's/,scrapped$/,active/' -e 's/,2024-06-01,/,2024-07-01,/' "$T/registry.csv" >"$T/stale.csv"
scrap_line=$(grep -n '^C-SCRAP,' "$T/stale.csv" | cut -d: -f1)

valve_fills "a good cylinder fills (the line works)" C-GOOD-1

# --- no county: an import keeps scrapped -------------------------------------------
dbctl registry import "$T/stale.csv" >"$T/imp1.out" 2>"$T/imp1.err"
rc=$?
check "a stale file is taken (exit $rc), C-SCRAP kept scrapped: FILE:LINE and the count" \
    all "[ $rc -eq 0 ]" "grep -q ', 1 kept scrapped (' '$T/imp1.out'" \
    "grep -q '^$T/stale.csv:$scrap_line: C-SCRAP is scrapped in the station.s registry and stays so (the file says active)' '$T/imp1.err'"
check "the copy still says scrapped; the rest of the row was taken" \
    [ "$(sql "SELECT status || ' ' || last_inspection FROM cylinders WHERE serial = 'C-SCRAP'")" = "scrapped 2024-07-01" ]
valve_refused "C-SCRAP is still refused after the import" C-SCRAP "cylinder C-SCRAP is scrapped"

# --- no county: reinstate -------------------------------------------------------------
lifectl scrap "$(code C-GOOD-3)" --reason "扫错了" --operator OP-7 >/dev/null 2>&1
valve_refused "a cylinder this station scrapped is refused" \
    C-GOOD-3 "cylinder C-GOOD-3 was scrapped at this station on $today"
pinned dbctl registry reinstate C-GOOD-3 --reason "scanned the wrong cylinder" --operator OP-9 \
    >"$T/re0.out" 2>&1
rc=$?
check "reinstate by an operator not registered here: refused (exit $rc), nothing kept" \
    all "[ $rc -eq 1 ]" "grep -q 'OP-9 is not registered at this station; nothing was changed' '$T/re0.out'" \
    "[ \"\$(sql 'SELECT count(*) FROM reinstatements')\" = 0 ]"
# the operator named proves it with their PIN, as at a login, on the same count
dbctl registry reinstate C-GOOD-3 --reason "scanned the wrong cylinder" --operator OP-7 \
    </dev/null >"$T/rep0.out" 2>&1
rc=$?
check "reinstate with no PIN: refused (exit $rc), nothing kept" \
    all "[ $rc -eq 1 ]" "grep -q '^gasctl: no PIN on standard input$' '$T/rep0.out'" \
    "[ \"\$(sql 'SELECT count(*) FROM reinstatements')\" = 0 ]"
printf '0000-wrong\n' | dbctl registry reinstate C-GOOD-3 --reason "scanned the wrong cylinder" \
    --operator OP-7 >"$T/rep1.out" 2>&1
rc=$?
check "reinstate with a wrong PIN: refused with the login's words (exit $rc: $(cat "$T/rep1.out")), nothing kept" \
    all "[ $rc -eq 1 ]" \
    "grep -q 'wrong PIN for operator OP-7 (4 more tries before a lock-out); nothing was changed' '$T/rep1.out'" \
    "[ \"\$(sql 'SELECT count(*) FROM reinstatements')\" = 0 ]"
login 1 OP-7 0000-wrong2 >"$T/rep2.out" 2>&1
check "and a login counts on from it ($(cat "$T/rep2.out"))" \
    grep -q 'wrong PIN for operator OP-7 (3 more tries before a lock-out)' "$T/rep2.out"
login 1 >/dev/null 2>&1 # the right one starts the count again
pinned dbctl registry reinstate C-GOOD-1 --reason "nothing wrong" --operator OP-7 >"$T/re1.out" 2>&1
rc=$?
check "reinstate of a cylinder that is not scrapped: nothing to undo (exit $rc)" \
    all "[ $rc -eq 1 ]" "grep -q 'C-GOOD-1 is not scrapped here' '$T/re1.out'"
pinned "$BUILD/gasctl" -c "$T/station.conf" registry reinstate C-GOOD-3 \
    --reason "scanned the wrong cylinder" --operator OP-7 >"$T/re2.out" 2>&1
rc=$?
check "reinstate with -c (no [county]): done (exit $rc), the scrap lifted" \
    all "[ $rc -eq 0 ]" "grep -q '^C-GOOD-3: this station.s scrap no longer keeps the valve shut' '$T/re2.out'" \
    "grep -q '^reinstated by OP-7 (system user ' '$T/re2.out'"
check "kept with who, when and why" \
    [ "$(sql "SELECT actor || '|' || reason || '|' || was_status || '|' || (at_ms > 0) || '|' || (login <> '') FROM reinstatements WHERE serial = 'C-GOOD-3'")" = \
      "OP-7|scanned the wrong cylinder|active|1|1" ]
valve_fills "C-GOOD-3 fills again" C-GOOD-3
pinned dbctl registry reinstate C-SCRAP --reason "the company's mistake" --operator OP-7 >"$T/re3.out" 2>&1
rc=$?
check "reinstate of C-SCRAP (exit $rc): the copy says active again" \
    all "[ $rc -eq 0 ]" "grep -q '^C-SCRAP: the station.s registry said scrapped and says active again' '$T/re3.out'" \
    "[ \"\$(sql \"SELECT status FROM cylinders WHERE serial = 'C-SCRAP'\")\" = active ]"
valve_fills "C-SCRAP fills" C-SCRAP
lifectl scrap "$(code C-GOOD-3)" --reason "真的坏了" --operator OP-7 >/dev/null 2>&1
valve_refused "a scrap recorded after the reinstatement stands" \
    C-GOOD-3 "cylinder C-GOOD-3 was scrapped at this station on $today"

# --- with a county ------------------------------------------------------------------------
county_keys station:S1 township:330825101
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
gc registry set C-GOOD-6 --inspected 2024-06-01 --owner "Longyou Gas" >/dev/null 2>&1
gw_join_county || { fail "gasgw restarted with the uplink"; finish; }
reset_line 1
check "the station pulls the county's registry" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT pulled_status FROM cylinders WHERE serial = 'C-GOOD-6'\")\" = active ]"
# an outage: the scrap waits in the outbox while the county changes the row
county_stop
lifectl scrap "$(code C-GOOD-6)" --reason "瓶阀损坏" --operator OP-7 >/dev/null 2>&1
gc registry set C-GOOD-6 --next 2031-01-01 >/dev/null 2>&1
# a new uplink pulls before it sends: the changed row (active) arrives before
# the county has the scrap; then no pull for an hour
gw_relink_after_outage || { fail "gascounty and gasgw started again"; finish; }
check "the link back: the row the county changed arrives, still active" \
    wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status || ' ' || next_inspection FROM cylinders WHERE serial = 'C-GOOD-6'\")\" = 'active 2031-01-01' ]"
check "the county takes the scrap (the outbox empties, the event delivered)" \
    wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT count(*) FROM life_events WHERE serial = 'C-GOOD-6' AND delivered_ms IS NOT NULL\")\" = 1 ]"
check "the county scraps it" \
    sql_eventually 30 "SELECT status FROM registry WHERE serial = 'C-GOOD-6'" scrapped
valve_refused "refused before the import" C-GOOD-6 "cylinder C-GOOD-6 was scrapped at this station on $today"
sleep 0.1
dbctl registry import "$T/stale.csv" >"$T/imp2.out" 2>&1
check "a stale local import after the delivery rewrites the row: active, written after the delivery" \
    [ "$(sql "SELECT c.status || ' ' || (c.updated_ms > l.delivered_ms) FROM cylinders c JOIN life_events l ON l.serial = c.serial AND l.event = 'scrapped' WHERE c.serial = 'C-GOOD-6'")" = "active 1" ]
valve_refused "and the fill is still refused: an import is not the county's word" \
    C-GOOD-6 "cylinder C-GOOD-6 was scrapped at this station on $today"
# the next pull (a new uplink pulls first) brings the county's scrapped
gw_stop
gw_start || { fail "gasgw restarted"; finish; }
reset_line 1
check "the next pull brings scrapped" \
    wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status || ' ' || pulled_status FROM cylinders WHERE serial = 'C-GOOD-6'\")\" = 'scrapped scrapped' ]"
dbctl registry import "$T/stale.csv" >"$T/imp3.out" 2>"$T/imp3.err"
check "the stale file again: C-GOOD-6 kept scrapped, named" \
    all "grep -q 'kept scrapped' '$T/imp3.out'" "grep -q ': C-GOOD-6 is scrapped in the station.s registry and stays so' '$T/imp3.err'" \
    "[ \"\$(sql \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-6'\")\" = scrapped ]"
valve_refused "still refused" C-GOOD-6 "cylinder C-GOOD-6 (is scrapped|was scrapped at this station on $today)"

# --- reinstate at a station joined to a county: the county decides --------------------------
pinned "$BUILD/gasctl" -c "$T/station.conf" registry reinstate C-GOOD-6 --reason "mistake" \
    --operator OP-7 >"$T/re4.out" 2>&1
rc=$?
check "refused with -c (exit $rc), naming the county's command" \
    all "[ $rc -eq 1 ]" "grep -q 'this station is joined to a county (\[county\] host 127.0.0.1 in $T/station.conf)' '$T/re4.out'" \
    "grep -q 'gascounty registry set C-GOOD-6 --status active' '$T/re4.out'"
pinned dbctl registry reinstate C-GOOD-6 --reason "mistake" --operator OP-7 >"$T/re5.out" 2>&1
rc=$?
check "refused from the database alone too (exit $rc): it holds the county's registry" \
    all "[ $rc -eq 1 ]" "grep -q 'the station database holds the county.s registry version' '$T/re5.out'"
check "nothing kept, nothing changed" \
    all "[ \"\$(sql \"SELECT count(*) FROM reinstatements WHERE serial = 'C-GOOD-6'\")\" = 0 ]" \
    "[ \"\$(sql \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-6'\")\" = scrapped ]"
valve_refused "still refused after the refused reinstate" C-GOOD-6 \
    "cylinder C-GOOD-6 (is scrapped|was scrapped at this station on $today)"
# the county's administrator decides; its pull lifts both
gc registry set C-GOOD-6 --status active >/dev/null 2>&1
gw_stop
gw_start || { fail "gasgw restarted"; finish; }
reset_line 1
check "the county's word reaches the station" \
    wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status || ' ' || pulled_status FROM cylinders WHERE serial = 'C-GOOD-6'\")\" = 'active active' ]"
valve_fills "and the cylinder fills again" C-GOOD-6
finish
