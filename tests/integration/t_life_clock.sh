#!/bin/sh
# A scrap under a clock gasgw does not trust reaches the county and scraps
# the cylinder there.  gasgw records a scrap whatever its clock (it shuts
# the valve for the cylinder at once; t_fill_clock), stamped with that
# clock's time; a real-time clock reset to the epoch stamps it 1970, which
# the county refused as a time no record can have: the station set the scrap
# aside and the cylinder stayed active in the registry every station fills
# by.  Real gassim, gasgw (its clock moved by tests/shim/wallclock.c) and
# gascounty.  A dispatch under that clock is refused and never reaches the
# county; once the clock is right, the scrapped cylinder is refused by R04.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

fill_ready 1
county_keys station:S1 township:330825101
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
for s in C-GOOD-6 C-GOOD-7; do
	gc registry set "$s" --inspected 2024-06-01 --owner "Longyou Gas" >/dev/null 2>&1
done
gw_join_county || { fail "gasgw with the uplink"; finish; }
W1=delivery:W1@330825101
aside() { sql "SELECT count(*) FROM outbox WHERE aside_ms IS NOT NULL"; }

# a real-time clock reset to the epoch: 1970-01-02
gw_with_clock @86400 || { fail "gasgw under a clock of 1970"; finish; }
lifectl scrap "$(code C-GOOD-7)" --reason "瓶阀损坏" --operator OP-7 >"$T/s.out" 2>"$T/s.err"
rc=$?
check "a scrap under a clock of 1970 is recorded (exit $rc), the clock's warning beside it" \
    all "[ $rc -eq 0 ]" "grep -q '^1 cylinders scrapped\$' '$T/s.out'" \
    "grep -q \"^gasctl: CLOCK NOT TRUSTED: the station's clock reads 1970-01-02\" '$T/s.err'"
check "... stamped 1970" \
    [ "$(sql "SELECT date(at_ms / 1000, 'unixepoch') FROM life_events WHERE serial = 'C-GOOD-7'")" = 1970-01-02 ]
check "the county scraps the cylinder whatever the scrap's time" \
    sql_eventually 60 "SELECT status FROM registry WHERE serial = 'C-GOOD-7'" scrapped
check "... and holds the scrap at the time it carries" \
    [ "$(county_sql "SELECT date(at_ms / 1000, 'unixepoch') FROM life_events WHERE serial = 'C-GOOD-7' AND event = 'scrapped'")" = 1970-01-02 ]
check "the station's outbox empties: nothing set aside" \
    all "wait_for 30 sh -c \"[ \\\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' 'SELECT count(*) FROM outbox') = 0 ]\"" \
    "[ \"\$(aside)\" = 0 ]"
lifectl dispatch "$W1" "$(code C-GOOD-6)" --operator OP-7 >"$T/d.out" 2>&1
rc=$?
check "a dispatch under that clock is refused (exit $rc), nothing recorded for the county" \
    all "[ $rc -eq 1 ]" "grep -q 'nothing was recorded, as it would carry this clock' '$T/d.out'" \
    "[ \"\$(sql \"SELECT count(*) FROM life_events WHERE serial = 'C-GOOD-6'\")\" = 0 ]"

# the clock set right: the cylinder stays out of service
gw_with_clock "" || { fail "gasgw with the real clock"; finish; }
reset_line 1
ctl fill 1 --cylinder "$(code C-GOOD-7)" --buyer "$BUYER1" --operator OP-7 >"$T/f.out" 2>&1
rc=$?
check "with the clock right, the cylinder scrapped under a clock of 1970 is refused by R04 (exit $rc)" \
    all "[ $rc -eq 3 ]" "grep -q '^R04 ' '$T/f.out'"
check "... the station's copy of the registry says scrapped too" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-7'\")\" = scrapped ]"
finish
