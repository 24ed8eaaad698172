#!/bin/sh
# One station cannot scrap the county's cylinders wholesale (C15): the
# county's registry follows at most c15_scraps_day of one station's scraps
# and failed returns in 24 hours, so that a station holding a real key
# cannot stop every station's fills of every registered cylinder.  Real
# gassim, gasgw and gascounty over DTLS, the scraps made with gasctl as an
# operator makes them: with the bound at 2, three scraps at once are all
# stored, the registry takes the first two and leaves the third active,
# and one C15 alert (the county's queue) names the station and the third
# cylinder, opening one case.  The station's own valve stays shut for all
# three (its local stop does not wait for the county): the third is served
# to it as scrapped whatever else of the row the county changes, until the
# county decides; found sound (registry set --status active), it fills
# there again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

fill_ready 1
county_keys station:S1 township:330825101
COUNTY_EXTRA="c15_scraps_day = 2"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
for s in C-GOOD-3 C-GOOD-4 C-GOOD-5; do
	gc registry set "$s" --inspected 2024-06-01 --owner "Longyou Gas" >/dev/null 2>&1
done
gw_join_county || { fail "gasgw restarted with the uplink"; finish; }
today=$(TZ=Asia/Shanghai date +%F)
status() { county_sql "SELECT status FROM registry WHERE serial = '$1'"; }

lifectl scrap "$(code C-GOOD-3)" "$(code C-GOOD-4)" "$(code C-GOOD-5)" --reason "瓶体严重腐蚀" \
    --operator OP-7 >"$T/scrap.out" 2>&1
check "gasctl scrap records three scraps" grep -q '^3 cylinders scrapped$' "$T/scrap.out"
check "the county stores all three" \
    sql_eventually 30 "SELECT count(*) FROM life_events WHERE source = 'S1' AND event = 'scrapped'" 3
check "the registry takes the first two within the bound (C-GOOD-3, C-GOOD-4: scrapped)" \
    all "[ \"\$(status C-GOOD-3)\" = scrapped ]" "[ \"\$(status C-GOOD-4)\" = scrapped ]"
check "and leaves the third as it was (C-GOOD-5: $(status C-GOOD-5))" [ "$(status C-GOOD-5)" = active ]
check "one C15 alert, in the county's queue, naming S1 and C-GOOD-5 and the bound" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C15' AND township = 'county' AND station = 'S1' AND text LIKE 'S1 took cylinder C-GOOD-5 out of service (scrapped): 3 cylinders in 24 hours, beyond the county''s bound of 2;%'")" = 1 ]
check "no other C15" [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C15'")" = 1 ]
check "one C15 case for the county" \
    sql_eventually 10 "SELECT count(*) FROM cases WHERE kind = 'C15' AND township = 'county' AND station = 'S1'" 1

# --- the station keeps its own valve shut -----------------------------------------
check "gasgw pulls the county's registry" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-4'\")\" = scrapped ]"
valve_refused "a fill of C-GOOD-5 is refused all the same: R04, scrapped at this station" \
    C-GOOD-5 "cylinder C-GOOD-5 was scrapped at this station on $today"

# --- another change of the row: still scrapped to S1 ------------------------------
gc registry set C-GOOD-5 --next 2031-01-01 >/dev/null 2>&1
check "the county changes C-GOOD-5's next inspection: S1 pulls it, served as scrapped to S1 alone" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status || ' ' || next_inspection FROM cylinders WHERE serial = 'C-GOOD-5'\")\" = 'scrapped 2031-01-01' ]"
check "while the county's registry says active" [ "$(status C-GOOD-5)" = active ]
valve_refused "and a fill of C-GOOD-5 is refused: no change of the row lifts S1's stop" \
    C-GOOD-5 "(cylinder C-GOOD-5 was scrapped at this station on $today|cylinder C-GOOD-5 is scrapped.*)"

# --- the county decides: C-GOOD-5 was sound -------------------------------------------
gc registry set C-GOOD-5 --status active >"$T/set.out" 2>&1
check "gascounty registry set --status active decides it: S1 pulls it active" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-5'\")\" = active ]"
valve_fills "and C-GOOD-5 fills at S1 again (the county's word after it had the scrap)" C-GOOD-5
check "no sanitizer report from gascounty" sh -c "! grep -q 'runtime error\|AddressSanitizer' '$T/county.log'"
finish
