#!/bin/sh
# A cylinder's life on one timeline, end to end over DTLS: the county
# registry keeps every change (registration, a new inspection, a new owner,
# scrapping) as history instead of overwriting it, written by `gascounty
# registry set` and `registry import` with who made the change; `gastrace
# cylinder` merges those changes with the cylinder's fills at two stations
# in time order, says where the cylinder is now (the last station that saw
# it) and its registry state, in the table, CSV and JSON forms; the history
# read is audited; a station may not read it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

county_keys
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
trace() { "$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" "$@"; }

# one fill of LIFE0 at S01, a later one at S02
"$BUILD/tests/station_fill" "$T/s01.db" -n 1 -s S01 -c LIFE -t TA
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -x -w 30 >"$T/up1.log" 2>&1
"$BUILD/tests/station_fill" "$T/s02.db" -n 1 -s S02 -c LIFE -t TB
"$BUILD/tests/uplink_run" -d "$T/s02.db" -p "$CPORT" -s S02 -t TB -k "$T/station_S02.key" \
    -x -w 30 >"$T/up2.log" 2>&1
check "both fills of LIFE0 reached the county" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE cylinder = 'LIFE0'")" = 2 ]
# the second fill a day after the first, so the registry changes fall between
f1=$(county_sql "SELECT started_ms FROM fills WHERE station = 'S01'")
county_sql "UPDATE fills SET started_ms = $f1 + 86400000, ended_ms = $f1 + 86460000
    WHERE station = 'S02'"

# registry changes: registered before the first fill, inspected again between
# the fills (by an import), owner changed and scrapped after the second
gc registry set LIFE0 --inspected 2020-03-01 --owner "Longyou Gas" >"$T/set.out" 2>&1
check "registry set registers the cylinder (exit $?)" [ -z "$(cat "$T/set.out")" ]
cat >"$T/reg.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
LIFE0,YSP35.5,2019-05,15.2,,Longyou Gas,2024-02-20,active
CSV
gc registry import "$T/reg.csv" >"$T/import.out" 2>&1
check "the import changes the cylinder" grep -q "1 rows, 1 changed, 0 rejected" "$T/import.out"
gc registry set LIFE0 --owner "Quzhou LPG" >/dev/null 2>&1
gc registry set LIFE0 --status scrapped >/dev/null 2>&1
check "the registry row holds only the newest state" \
    [ "$(county_sql "SELECT status || ' ' || last_inspection || ' ' || owner FROM registry WHERE serial = 'LIFE0'")" = "scrapped 2024-02-20 Quzhou LPG" ]
check "the history keeps all four changes, the 2020 inspection too" \
    [ "$(county_sql "SELECT group_concat(last_inspection, ' ') FROM (SELECT * FROM registry_history WHERE serial = 'LIFE0' ORDER BY id)")" = \
      "2020-03-01 2024-02-20 2024-02-20 2024-02-20" ]
me=$(id -un)
check "each change names the account that made it ($me) and how" \
    [ "$(county_sql "SELECT group_concat(source || ':' || actor, ' ') FROM (SELECT * FROM registry_history WHERE serial = 'LIFE0' ORDER BY id)")" = \
      "set:$me import:$me set:$me set:$me" ]
check "the import's change names FILE:LINE" \
    [ "$(county_sql "SELECT detail FROM registry_history WHERE source = 'import'")" = "$T/reg.csv:2" ]
# place the changes on the timeline: before fill 1, between, after fill 2
county_sql "UPDATE registry_history SET changed_ms = CASE id
    WHEN (SELECT min(id) FROM registry_history) THEN $f1 - 3600000
    WHEN (SELECT min(id) + 1 FROM registry_history) THEN $f1 + 43200000
    WHEN (SELECT min(id) + 2 FROM registry_history) THEN $f1 + 90000000
    ELSE $f1 + 93600000 END WHERE serial = 'LIFE0'"

# --- the table ------------------------------------------------------------------
trace cylinder LIFE0 >"$T/life.txt" 2>"$T/life.err"
check "gastrace cylinder exits 0 (got $?)" [ $? -eq 0 ]
awk 'NR > 1 && $0 ~ /^[0-9][0-9][0-9][0-9]-/ { print ($3 == "county" ? "registry" : $3) }' "$T/life.txt" | tr '\n' ' ' >"$T/order"
check "registry changes and fills in time order: change, fill S01, change, fill S02, change, change ($(cat "$T/order"))" \
    [ "$(cat "$T/order")" = "registry S01 registry S02 registry registry " ]
check "the first change shows the whole state and who made it" \
    grep -q "registry.*status active, inspected 2020-03-01, next inspection 2024-03-01, owner Longyou Gas (set by $me)" "$T/life.txt"
check "the import's change shows only what changed, and the file line" \
    grep -q "inspected 2024-02-20, next inspection 2028-02-20 (import by $me, $T/reg.csv:2)" "$T/life.txt"
check "the owner change" grep -q "owner Quzhou LPG (set by $me)" "$T/life.txt"
check "the scrapping" grep -q "scrapped .*status scrapped (set by $me)" "$T/life.txt"
check "the counts: 2 records, 4 registry changes" \
    sh -c "grep -q '^2 records\$' '$T/life.txt' && grep -q '^4 registry changes\$' '$T/life.txt'"
check "where it is now: last seen at S02, scrapped" \
    grep -q "^now: last seen at station S02, .* (fill); registry: scrapped, next inspection 2028-02-20\$" "$T/life.txt"

# --- CSV and JSON ---------------------------------------------------------------------
trace --csv cylinder LIFE0 >"$T/life.csv"
check "the CSV has the same six rows in the same order" \
    [ "$(/usr/bin/python3 -c 'import csv,sys
print(" ".join(r["station"] if r["kind"] != "registry" else "registry" for r in csv.DictReader(open(sys.argv[1]))))' "$T/life.csv")" = \
      "registry S01 registry S02 registry registry" ]
check "a CSV registry row carries the status and what changed" \
    grep -q ",county,,registry,,LIFE0,,,scrapped,,status scrapped (set by $me)\$" "$T/life.csv"
trace --json cylinder LIFE0 >"$T/life.json"
check "the JSON carries the four changes as history and where it is now" \
    /usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
h = d["history"]
assert [c["last_inspection"] for c in h] == ["2020-03-01", "2024-02-20", "2024-02-20", "2024-02-20"], h
assert h[1]["source"] == "import" and h[3]["status"] == "scrapped"
assert d["now"]["station"] == "S02" and d["now"]["status"] == "scrapped", d["now"]
assert len(d["records"]) == 2' "$T/life.json"

# --- a time range keeps the changes in it ----------------------------------------
from=$(date -d "@$(( (f1 + 43200000) / 1000 ))" '+%Y-%m-%d %H:%M:%S')
trace --from "$from" cylinder LIFE0 >"$T/range.txt"
check "--from drops the registration before it (3 changes, 1 record)" \
    sh -c "grep -q '^1 record\$' '$T/range.txt' && grep -q '^3 registry changes\$' '$T/range.txt'"

# --- audited, and for regulators only ---------------------------------------------
check "each history read is in the audit log under the regulator" \
    [ "$(county_sql "SELECT count(*) FROM audit WHERE query = 'history' AND identity = 'regulator:alice' AND key = 'LIFE0'")" = 4 ]
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m GET \
    -P registry/history -q serial=LIFE0 >"$T/st.out" 2>&1
check "a station may not read a cylinder's history (4.03)" grep -q "code 4.03" "$T/st.out"
"$BUILD/tests/coapreq" -p "$CPORT" -u regulator:alice -k "$T/regulator_alice.key" -m GET \
    -P registry/history -q "serial=../x" >"$T/bad.out" 2>&1
check "a malformed serial is refused (4.00)" grep -q "code 4.00" "$T/bad.out"
trace cylinder NEVER9 >"$T/never.txt"
check "a cylinder the county never heard of: no rows, not seen" \
    sh -c "grep -q '^0 registry changes\$' '$T/never.txt' && grep -q '^now: not seen at any station' '$T/never.txt'"

# --- a file does not bring a scrapped cylinder back ---------------------------------
gc registry import "$T/reg.csv" >"$T/import2.out" 2>&1
rc=$?
check "the old file again: taken (exit $rc), LIFE0 kept scrapped, said with FILE:LINE" \
    sh -c "[ $rc -eq 0 ] && grep -q '1 rows, 1 changed, 0 rejected, 1 kept scrapped' '$T/import2.out' &&
    grep -q '^$T/reg.csv:2: LIFE0 is scrapped in the registry and stays so' '$T/import2.out'"
check "the registry still says scrapped; the rest of the row (the owner) was taken" \
    [ "$(county_sql "SELECT status || ' ' || owner FROM registry WHERE serial = 'LIFE0'")" = "scrapped Longyou Gas" ]
# an import that fails (a later row the database refuses, as a full disk would) tells no
# row kept scrapped: until 7 Dec 2026 each was told as it was read, before the rollback
cat >"$T/fails.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
LIFE0,YSP35.5,2019-05,15.2,,New Owner,2024-02-20,active
LIFE7,YSP50,2019-05,15.2,,New Owner,2024-02-20,active
LIFE9,YSP35.5,2019-05,15.2,,New Owner,2024-02-20,active
CSV
county_sql "CREATE TRIGGER boom BEFORE INSERT ON registry WHEN NEW.serial = 'LIFE9'
    BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
gc registry import "$T/fails.csv" >"$T/fails.out" 2>"$T/fails.err"
rc=$?
county_sql "DROP TRIGGER boom"
cat >"$T/want-fails.err" <<EOF2
gascounty: the import failed (the reason follows) and nothing was imported; rows of the file found wrong before it failed, to fix before trying again:
$T/fails.csv:3: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118
gascounty: $T/fails.csv:4: database refused the row: disk on fire
EOF2
check "a failed import exits 1 (got $rc), says so first, names the row to fix, no row kept scrapped" \
    all "[ $rc -eq 1 ]" "[ ! -s '$T/fails.out' ]" \
    "[ \"\$(head -n 2 '$T/fails.err')\" = \"\$(head -n 2 '$T/want-fails.err')\" ]" \
    "grep -q '^gascounty: nothing imported' '$T/fails.err'" "! grep -q 'stays so' '$T/fails.err'"
check "the reason names the row the database refused by FILE:LINE" \
    [ "$(sed -n 3p "$T/fails.err")" = "$(sed -n 3p "$T/want-fails.err")" ]
check "and nothing of it is in" \
    [ "$(county_sql "SELECT count(*) FROM registry WHERE owner = 'New Owner'")" = 0 ]
# a reason quotes the row's text: printed with no control byte, as gasctl prints it
# (until 7 Dec 2026 a status holding ESC [2J cleared the operator's terminal)
printf 'serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n%s\n' \
    "LIFE8,YSP35.5,2019-05,15.2,,Co,2024-02-20,$(printf '\033[2Jx')" >"$T/esc.csv"
gc registry import "$T/esc.csv" >"$T/esc.out" 2>"$T/esc.err"
check "a rejected row's reason is printed without its control bytes" \
    all "grep -q \"esc.csv:2: status ' \\[2Jx' is not active\" '$T/esc.err'" \
    "no_control_bytes '$T/esc.err'"
finish
