#!/bin/sh
# A registry file that was sent to the station or the county, read as an
# attacker would write it (rev95): text hidden inside a quoted cell that
# an RFC 4180 reader (a spreadsheet, Python's csv) shows as one cell is
# never imported as rows; a serial listed twice keeps its first row at the
# county as at a station, the second named; an owner that is not UTF-8 (a
# GBK file from a spreadsheet) is refused at both, so it never reaches the
# registry deltas (CBOR text) or a JSON answer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL
DB="$T/station.db"
county_keys
CPORT=$(free_port udp)
county_conf
gc() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }

# 1. a cell longer than a record may be, its quotes holding a row
{
	printf 'serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n'
	printf 'A1,YSP12,2020-02,6.1,5,Longyou Gas,,active\n'
	printf 'A2,YSP12,2020-02,6.1,5,"'
	head -c 4200 /dev/zero | tr '\0' 'x'
	printf '\nSMUG1,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2026-12-01,active\n'
	printf 'x",,active\n'
	printf 'A3,YSP12,2020-02,6.1,5,Longyou Gas,,active\n'
} >"$T/reg.csv"
rows=$(/usr/bin/python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1]))) - 1)' "$T/reg.csv")
# the file itself, not our code: if an RFC 4180 reader does not see three
# rows, the test's file is wrong and nothing below means anything
[ "$rows" = 3 ] || { echo "not ok - the test's file: a spreadsheet's reader sees $rows rows, not 3"; exit 1; }
"$BUILD/gasctl" --db "$DB" registry import "$T/reg.csv" >"$T/import.out" 2>"$T/import.err"
sed 's/^/# /' "$T/import.err" "$T/import.out"
check "the text inside A2's quoted owner is not imported as cylinder SMUG1" \
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM cylinders WHERE serial = 'SMUG1'")" = 0 ]
check "A2 is refused on the line it starts on" grep -q "reg.csv:3: record longer than 4096 bytes" "$T/import.err"
check "and A3, after the cell, is imported" \
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM cylinders WHERE serial IN ('A1', 'A3')")" = 2 ]
gc registry set SMUG1 --inspected 2019-06-01 --owner "Longyou Gas" >/dev/null 2>&1
gc registry import "$T/reg.csv" >"$T/cimport.out" 2>"$T/cimport.err"
sed 's/^/# /' "$T/cimport.err" "$T/cimport.out"
check "the county keeps SMUG1's inspection of 2019 (the hidden row is not taken)" \
    [ "$(county_sql "SELECT last_inspection FROM registry WHERE serial = 'SMUG1'")" = 2019-06-01 ]

# 2. a serial twice: the later row would change the owner and retire it
cat >"$T/dup.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
D1,YSP35.5,2019-05,15.2,,Longyou Gas,2024-02-20,active
D2,YSP35.5,2019-05,15.2,,Longyou Gas,2024-02-20,active
D1,YSP35.5,2019-05,15.2,,Other Co,2024-02-20,retired
CSV
gc registry import "$T/dup.csv" >"$T/dup.out" 2>"$T/dup.err"
rc=$?
sed 's/^/# /' "$T/dup.out" "$T/dup.err"
check "the county names the second D1 row, as gasctl does" \
    grep -q "dup.csv:4: serial D1 appears again (first on line 2)" "$T/dup.err"
check "and exits 1 (got $rc)" [ $rc -eq 1 ]
check "the county keeps the first D1 row (active, Longyou Gas), as a station does" \
    [ "$(county_sql "SELECT status || ' ' || owner FROM registry WHERE serial = 'D1'")" = "active Longyou Gas" ]
"$BUILD/gasctl" --db "$DB" registry import "$T/dup.csv" >/dev/null 2>"$T/sdup.err"
check "the station names it in the same words" \
    grep -q "dup.csv:4: serial D1 appears again (first on line 2)" "$T/sdup.err"

# 3. an owner in GBK (龙游石化 saved by a spreadsheet in the local code page)
printf 'serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\nG1,YSP35.5,2019-05,15.2,,\301\372\323\316\317\330,2024-02-20,active\n' >"$T/gbk.csv"
gc registry import "$T/gbk.csv" >"$T/gbk.out" 2>"$T/gbk.err"
sed 's/^/# /' "$T/gbk.out" "$T/gbk.err"
check "the county refuses an owner that is not UTF-8" \
    [ "$(county_sql "SELECT count(*) FROM registry WHERE serial = 'G1'")" = 0 ]
check "naming the line and the rule" grep -q "gbk.csv:2: owner .*not UTF-8 text" "$T/gbk.err"
"$BUILD/gasctl" --db "$DB" registry import "$T/gbk.csv" >"$T/sgbk.out" 2>"$T/sgbk.err"
sed 's/^/# /' "$T/sgbk.out" "$T/sgbk.err"
check "the station refuses an owner that is not UTF-8" \
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM cylinders WHERE serial = 'G1'")" = 0 ]
printf 'serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\nU1,YSP35.5,2019-05,15.2,,龙游石化,2024-02-20,active\n' >"$T/utf8.csv"
"$BUILD/gasctl" --db "$DB" registry import "$T/utf8.csv" >/dev/null 2>&1
check "the same owner in UTF-8 is taken" \
    [ "$(sqlite3 "$DB" "SELECT owner FROM cylinders WHERE serial = 'U1'")" = 龙游石化 ]
finish
