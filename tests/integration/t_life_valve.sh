#!/bin/sh
# The valve stays shut for a cylinder this station itself scrapped, or whose
# return from inspection it recorded as failed, without waiting for the
# county: gasgw's pre-fill checks read the station's own life events beside
# its copy of the county's registry, which changes only at the next registry
# poll (and never while the county is out of reach).  Real gassim and gasgw;
# the valve is watched in gassim's event log.
#
# First with no county at all: a scrap, a failed return, a pass recorded
# after the fail (scrapped is final, as at the county), each refused by R04
# naming the event and its date, the valve never opened, the registry copy
# still saying active.
#
# Then with a county: the event stands until the county has taken it and
# its registry says active afterwards.  A delta pulled before the county
# took the event (the uplink pulls the registry before it sends, so after an
# outage a row the county changed meanwhile arrives first, active) does not
# lift it; the county's administrator setting the cylinder active again
# does.  Last, gasgw in Chinese words the refusal in Chinese, and R01's
# for a label whose fill mass is not the registry's (docs/rules.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

fill_ready 1
# gasgw dates events by its zone (timezone, default Asia/Shanghai)
today=$(TZ=Asia/Shanghai date +%F)
due=$(date -d '+4 years' +%F)
valve_fills "a good cylinder fills (the line works)" C-GOOD-1

# --- scrapped here, no county -------------------------------------------------------
lifectl scrap "$(code C-GOOD-3)" --reason "瓶阀损坏" --operator OP-7 >"$T/scrap.out" 2>&1
check "gasctl scrap records the scrap" grep -q '^1 cylinders scrapped$' "$T/scrap.out"
check "the station's copy of the registry still says active (no county to ask)" \
    [ "$(sql "SELECT status FROM cylinders WHERE serial = 'C-GOOD-3'")" = active ]
valve_refused "a cylinder this station scrapped is refused at once: R04, scrapped here, the date" \
    C-GOOD-3 "cylinder C-GOOD-3 was scrapped at this station on $today"
check "the refusal is recorded as R04 with that reason" \
    [ "$(sql "SELECT details FROM violations WHERE rule = 'R04' ORDER BY at_ms DESC LIMIT 1")" = \
      "R04 cylinder C-GOOD-3 was scrapped at this station on $today" ]

# --- a failed return from inspection, no county ---------------------------------------
lifectl inspection out "$(code C-GOOD-4)" --operator OP-7 >/dev/null 2>&1
out=$(lifectl inspection back "$(code C-GOOD-4)" --result fail --operator OP-7 2>&1)
check "gasctl records the fail ($out)" \
    sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders back from inspection: fail'"
valve_refused "a cylinder whose inspection failed here is refused at once: R04, failed here, the date" \
    C-GOOD-4 "cylinder C-GOOD-4 failed its inspection at this station on $today"
lifectl inspection back "$(code C-GOOD-4)" --result pass --next-due "$due" --operator OP-7 \
    >/dev/null 2>&1
valve_refused "a pass recorded after the fail does not lift it (the county keeps it scrapped too)" \
    C-GOOD-4 "cylinder C-GOOD-4 failed its inspection at this station on $today"
valve_fills "another cylinder still fills" C-GOOD-2

# --- with a county ---------------------------------------------------------------------
county_keys station:S1 township:330825101
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
for s in C-GOOD-6 C-GOOD-7; do
	gc registry set "$s" --inspected 2024-06-01 --owner "Longyou Gas" >/dev/null 2>&1
done
gw_join_county || { fail "gasgw restarted with the uplink"; finish; }
reset_line 1

# the county takes the scrap, its registry and then the station's copy say scrapped
lifectl scrap "$(code C-GOOD-7)" --reason "瓶体腐蚀" --operator OP-7 >/dev/null 2>&1
check "the county's registry scraps C-GOOD-7" \
    sql_eventually 60 "SELECT status FROM registry WHERE serial = 'C-GOOD-7'" scrapped
check "and the station's copy follows at the next poll" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-7'\")\" = scrapped ]"
valve_refused "refused, naming this station's scrap" \
    C-GOOD-7 "cylinder C-GOOD-7 was scrapped at this station on $today"
# the county's administrator sets it active again (a scrap typed by mistake)
gc registry set C-GOOD-7 --status active >/dev/null 2>&1
check "the county's word after it took the scrap reaches the station" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-7'\")\" = active ]"
valve_fills "and lifts it: the cylinder fills again" C-GOOD-7

# an outage: the scrap waits in the outbox while the county changes the row
county_stop
lifectl scrap "$(code C-GOOD-6)" --reason "瓶阀损坏" --operator OP-7 >/dev/null 2>&1
valve_refused "scrapped during the outage: refused" \
    C-GOOD-6 "cylinder C-GOOD-6 was scrapped at this station on $today"
gc registry set C-GOOD-6 --next 2031-01-01 >/dev/null 2>&1
# A new uplink process reports, pulls the registry, then sends, in that
# order: with the county up before gasgw starts, the row the county changed
# arrives before the county has the scrap.  No pull for an hour after that
# first one, so that the station keeps that row.
gw_relink_after_outage || { fail "gascounty and gasgw started again"; finish; }
check "the link back: the row the county changed arrives, still active" \
    wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status || ' ' || next_inspection FROM cylinders WHERE serial = 'C-GOOD-6'\")\" = 'active 2031-01-01' ]"
check "the scrap reaches the county after it (the outbox empties)" \
    wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' 'SELECT count(*) FROM outbox')\" = 0 ]"
check "the county scraps it" \
    sql_eventually 30 "SELECT status FROM registry WHERE serial = 'C-GOOD-6'" scrapped
check "the station's row was written after the scrap was recorded, and says active" \
    [ "$(sql "SELECT c.status || ' ' || (c.updated_ms > l.at_ms) FROM cylinders c JOIN life_events l ON l.serial = c.serial AND l.event = 'scrapped' WHERE c.serial = 'C-GOOD-6'")" = "active 1" ]
valve_refused "a row the county served before it took the scrap does not lift it" \
    C-GOOD-6 "cylinder C-GOOD-6 was scrapped at this station on $today"

# --- in Chinese --------------------------------------------------------------------------
gw_stop
GW_WRAP="env LC_ALL= LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR=$BUILD/locale" gw_start ||
    { fail "gasgw in Chinese"; finish; }
reset_line 1
valve_refused "gasgw in Chinese words the refusal in Chinese: scrapped here" \
    C-GOOD-3 "气瓶 C-GOOD-3 已于 $today 在本站报废"
valve_refused "and failed its inspection here" \
    C-GOOD-4 "气瓶 C-GOOD-4 已于 $today 在本站定期检验不合格"
# R01's sentence for a label the registry does not hold (docs/rules.md), too
sql "UPDATE cylinders SET fill_kg = 12.0 WHERE serial = 'C-GOOD-5'"
valve_fill C-GOOD-5
check "and a label whose fill mass is not the registry's ($(tr '\n' ' ' <"$T/f.out"))" \
    all "[ $rc -eq 3 ]" \
    "grep -q '^R01 气瓶 C-GOOD-5 的码与登记档案不符：充装量 14.90 kg（档案 12.00 kg）\$' '$T/f.out'"
finish
