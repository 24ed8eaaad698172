#!/bin/sh
# rev95 F1: a new station joins the county first and imports the gas
# company's older file after.  Its first pull speaks of a cylinder it does
# not hold yet (C-UNREG, which the county scrapped), and its registry
# version moves past that row: the county never serves it again.  The
# station keeps the county's word for it (registry_waiting, migration 011)
# and the import that adds it takes it: C-UNREG comes in scrapped, with the
# county's later inspection, and its fill is refused (R04).  A cylinder the
# pull retired (C-GOOD-9, held) is not made active by the file either.
# Before, both came back active from the file and filled, the valve open.
# Real gassim, gasgw and gascounty over DTLS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

fill_ready 1
dbctl() { "$BUILD/gasctl" --db "$T/station.db" "$@"; }
county_keys station:S1 township:330825101
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
gc registry set C-UNREG --inspected 2025-03-01 --owner "Longyou Gas" --status scrapped \
    >"$T/set1.out" 2>&1
gc registry set C-GOOD-9 --inspected 2025-03-01 --owner "Longyou Gas" --status retired \
    >"$T/set2.out" 2>&1
check "the county holds C-UNREG scrapped and C-GOOD-9 retired" \
    [ "$(county_sql "SELECT group_concat(serial || ' ' || status, ', ') FROM (SELECT * FROM registry WHERE serial IN ('C-UNREG', 'C-GOOD-9') ORDER BY serial)")" = "C-GOOD-9 retired, C-UNREG scrapped" ]
v=$(county_sql "SELECT max(version) FROM registry")
gw_join_county || { fail "gasgw restarted with the uplink"; finish; }
check "gasgw pulls the county's registry to its version ($v)" \
    wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT value FROM meta WHERE key = 'registry_version'\")\" = '$v' ]"
check "C-GOOD-9, held, is retired; C-UNREG, not held, is not in the copy" \
    all "[ \"\$(sql \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-9'\")\" = retired ]" \
    "[ \"\$(sql \"SELECT count(*) FROM cylinders WHERE serial = 'C-UNREG'\")\" = 0 ]"
check "but the county's word for C-UNREG waits at the station" \
    [ "$(sql "SELECT status || ' ' || last_inspection FROM registry_waiting WHERE serial = 'C-UNREG'")" = "scrapped 2025-03-01" ]

# the company's file, older than the county's word: both active
grep -e '^serial,' -e '^C-UNREG,' -e '^C-GOOD-9,' "$T/registry.csv" >"$T/company.csv"
dbctl registry import "$T/company.csv" >"$T/imp.out" 2>"$T/imp.err"
rc=$?
sed 's/^/# /' "$T/imp.out" "$T/imp.err"
check "the company's file is taken (exit $rc)" [ $rc -eq 0 ]
check "both rows are named, kept as the county says, and counted" \
    all "grep -q 'company.csv:[0-9]*: C-UNREG is scrapped in the county.s registry and stays so (the file says active)' '$T/imp.err'" \
    "grep -q 'company.csv:[0-9]*: C-GOOD-9 is retired in the county.s registry and stays so (the file says active)' '$T/imp.err'" \
    "grep -q ': 2 kept as the county.s registry says' '$T/imp.out'"
check "C-UNREG comes in scrapped, with the county's later inspection" \
    [ "$(sql "SELECT status || ' ' || last_inspection FROM cylinders WHERE serial = 'C-UNREG'")" = "scrapped 2025-03-01" ]
check "C-GOOD-9 stays retired" [ "$(sql "SELECT status FROM cylinders WHERE serial = 'C-GOOD-9'")" = retired ]
check "nothing waits any more" [ "$(sql "SELECT count(*) FROM registry_waiting")" = 0 ]
valve_refused "a fill of C-UNREG is refused: R04, scrapped" C-UNREG "cylinder C-UNREG is scrapped.*"
valve_refused "a fill of C-GOOD-9 is refused: R04, retired" C-GOOD-9 "cylinder C-GOOD-9 is retired.*"
valve_fills "C-GOOD-1 fills (the line works)" C-GOOD-1
finish
