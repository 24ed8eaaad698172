#!/bin/sh
# Traces a regulator can rely on, end to end with real processes over DTLS:
# a station's records (fills sent by the uplink, refusals beside them, two
# at the same instant) come from gastrace in time order, then station, then
# seq, not in the order of their random uuids or fills before refusals; an
# answer holds at most max_trace (7 here) and every output form says when
# more match (the table's last line, the JSON's "more" and "next", a note
# on standard error for CSV and JSON) with exit status 4; --after CURSOR
# goes on, --all walks to the end (exit 0); every page is in the audit log;
# the CSV details column carries every violation of a record; weights are
# written to the gram; times are local with their offset, and --from/--to
# days are local days.  A station id the county never knew is said to be
# unknown (exit 1, audited, in Chinese under zh_CN), not "0 records"; a
# known one with nothing in the period is "0 records".  The station list
# shows the backlog once and lines up in Chinese; a key file others may
# read is said in the person's language.  A station's status and a
# delivery device's village, free texts whose line breaks the county keeps,
# stay on their own rows, with no control byte (C0, DEL, C1 such as CSI)
# for the regulator's terminal; the CSV keeps them as sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys delivery:li@TA
COUNTY_EXTRA="max_trace = 7"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

"$BUILD/tests/station_fill" "$T/s01.db" -n 20 -s S01 -c CYL -e 5 -r R05 -t TA
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -x -w 30 >"$T/up.log" 2>&1
check "20 fills reached the county" [ "$(county_sql "SELECT count(*) FROM fills")" = 20 ]

# Refusals beside the fills, each with two violations (text with commas):
# one before every fill, one between fills, one at the very instant of fill
# seq 10 (same time: seq decides), with uuids that sort first and last.
t1=$(county_sql "SELECT min(started_ms) FROM fills")
t3=$(county_sql "SELECT started_ms FROM fills WHERE seq = 3")
t10=$(county_sql "SELECT started_ms FROM fills WHERE seq = 10")
refusal() { # seq uuid ms
	county_sql "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms)
	    VALUES ('S01', $1, '$2', 'refusal', $3, $3);
	  INSERT INTO violations (uuid, event, station, rule, severity, township, details, cylinder, at_ms)
	    VALUES ('$2-a', '$2', 'S01', 'R01', 'refuse', 'TA', 'code altered, signature invalid', 'FORGED', $3),
	           ('$2-b', '$2', 'S01', 'R08', 'refuse', 'TA', 'buyer number, check digit wrong', 'FORGED', $3);"
}
refusal 21 00000000-0000-4000-8000-000000000021 $((t3 + 500))
refusal 22 ffffffff-0000-4000-8000-000000000022 "$t10"
refusal 23 77777777-0000-4000-8000-000000000023 $((t1 - 1000))
# a fill with a second rule: both travel in its details
ev6=$(county_sql "SELECT uuid FROM records WHERE station = 'S01' AND seq = 6")
county_sql "INSERT INTO violations (uuid, event, station, rule, severity, township, details, cylinder, at_ms)
    SELECT '$ev6-x', '$ev6', 'S01', 'R11', 'alert', 'TA', 'buyer took 4 cylinders in 30 days', 'CYL5',
        started_ms + 1 FROM fills WHERE seq = 6"

# the order a regulator must get, computed apart from the product's query
county_sql "SELECT r.seq FROM records r LEFT JOIN fills f ON f.uuid = r.uuid WHERE r.station = 'S01'
    ORDER BY coalesce(f.started_ms, r.created_ms), r.station, r.seq" >"$T/expected"
check "the oracle has 23 records" [ "$(wc -l <"$T/expected")" -eq 23 ]

trace() { "$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" "$@"; }
seqs() { # the seq column of a CSV trace (header skipped)
	/usr/bin/python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1])): print(r["seq"])' "$1"
}
cursor_of() { sed -n 's/.*--after \([0-9.-][0-9a-f.-]*\).*/\1/p' "$1" | head -n 1; }

# --- one answer: the first 7 in time order, and it says there is more --------
trace --csv station S01 >"$T/p1.csv" 2>"$T/p1.err"
rc=$?
check "a CSV trace with more records than one answer holds exits 4" [ "$rc" -eq 4 ]
seqs "$T/p1.csv" >"$T/p1.seq"
check "the first answer is the first 7 records in time order (then station, seq)" \
    sh -c "head -n 7 '$T/expected' | diff - '$T/p1.seq' >/dev/null"
check "the CSV's standard error says more match and names the cursor" \
    sh -c "grep -q 'more records match' '$T/p1.err' && [ -n \"\$(sed -n 's/.*--after \([0-9.-][0-9a-f.-]*\).*/\1/p' '$T/p1.err')\" ]"

# --- following the cursor: every record once, in order --------------------------
cp "$T/p1.seq" "$T/walked"
cur=$(cursor_of "$T/p1.err")
pages=1
while [ -n "$cur" ] && [ "$pages" -lt 10 ]; do
	trace --csv --after "$cur" station S01 >"$T/p.csv" 2>"$T/p.err"
	rc=$?
	pages=$((pages + 1))
	seqs "$T/p.csv" >>"$T/walked"
	cur=$(cursor_of "$T/p.err")
	[ "$rc" -eq 4 ] || break
done
check "the last part exits 0 and names no cursor" sh -c "[ $rc -eq 0 ] && [ -z '$cur' ]"
check "--after walks every record once, in order, in 4 parts" \
    sh -c "diff '$T/expected' '$T/walked' >/dev/null && [ $pages -eq 4 ]"

# --- --all: to the end in one run --------------------------------------------------
trace --csv --all station S01 >"$T/all.csv" 2>"$T/all.err"
check "--all exits 0" [ $? -eq 0 ]
seqs "$T/all.csv" >"$T/all.seq"
check "--all gives every record once, in order, under one header" \
    sh -c "diff '$T/expected' '$T/all.seq' >/dev/null && [ \$(grep -c '^time,station' '$T/all.csv') -eq 1 ]"
check "--all says nothing of more" sh -c "! grep -q 'more records match' '$T/all.err'"

# --- the table says it on its last line --------------------------------------------
trace station S01 >"$T/p1.txt" 2>&1
check "a table with more exits 4" [ $? -eq 4 ]
check "the table's last line says more match and how to go on" \
    sh -c "tail -n 1 '$T/p1.txt' | grep -q '^7 records shown; MORE MATCH: go on with --after [0-9]'"
trace --all station S01 >"$T/all.txt" 2>&1
check "the table with --all counts every record" sh -c "tail -n 1 '$T/all.txt' | grep -qx '23 records'"

# --- JSON: the county's document says more and next; --all joins the parts ----------
trace --json station S01 >"$T/p1.json" 2>"$T/p1j.err"
check "a JSON trace with more exits 4" [ $? -eq 4 ]
check "the JSON says more and where to go on" \
    sh -c "grep -q '\"more\":true' '$T/p1.json' && grep -q '\"next\":\"[0-9]' '$T/p1.json' && grep -q 'more records match' '$T/p1j.err'"
trace --json --all station S01 >"$T/all.json" 2>/dev/null
check "--json --all is one document of every record in order, more false" \
    /usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
seqs = [str(r["seq"]) for r in d["records"]]
assert seqs == open(sys.argv[2]).read().split(), seqs
assert d["more"] is False and "next" not in d' "$T/all.json" "$T/expected"
check "weights in the county's JSON are written to the gram" \
    sh -c "grep -q '\"net\":14.9,' '$T/all.json' && ! grep -Eq '[0-9]\.[0-9]{4,}' '$T/all.json'"

# --- every page was audited -----------------------------------------------------------
# pages: 4 by cursor, 4 by --all csv, 1 + 4 tables, 1 + 4 JSON
check "every page read is in the audit log" \
    [ "$(county_sql "SELECT count(*) FROM audit WHERE identity = 'regulator:alice'")" = 18 ]
check "pages after the first are audited with their cursor" \
    [ "$(county_sql "SELECT count(*) FROM audit WHERE identity = 'regulator:alice' AND after <> ''")" = 12 ]

# --- the CSV details column carries every violation --------------------------------
check "a refusal's details carry both its violations" \
    /usr/bin/python3 -c 'import csv,sys
rows = {r["seq"]: r for r in csv.DictReader(open(sys.argv[1]))}
r = rows["21"]
assert r["violations"] == "R01 R08", r
assert r["details"] == "R01: code altered, signature invalid; R08: buyer number, check digit wrong", r
f = rows["6"]
assert f["violations"] == "R05 R11", f
# a reason that begins with its rule is not prefixed again ("R05 from batchgen")
assert f["details"].startswith("R05 ") and "R05: R05" not in f["details"], f
assert "; R11: buyer took 4 cylinders in 30 days" in f["details"], f
assert rows["2"]["net_kg"] == "14.900", rows["2"]' "$T/all.csv"

# --- local time ------------------------------------------------------------------------
ms1=$(county_sql "SELECT started_ms FROM fills WHERE seq = 1")
want() { # zone: the first fill's time as ISO 8601 with the zone's offset
	TZ=$1 /usr/bin/python3 -c 'import datetime,sys,time
time.tzset()
t = datetime.datetime.fromtimestamp(int(sys.argv[1]) / 1000).astimezone()
print(t.isoformat(timespec="milliseconds"))' "$ms1"
}
TZ=Asia/Shanghai trace --csv --all station S01 >"$T/sh.csv" 2>/dev/null
check "CSV times are ISO 8601 with the local offset (Asia/Shanghai)" \
    grep -q "^$(want Asia/Shanghai),S01,1," "$T/sh.csv"
TZ=UTC trace --csv --all station S01 >"$T/utc.csv" 2>/dev/null
check "CSV times are ISO 8601 with the local offset (UTC)" \
    grep -q "^$(want UTC),S01,1," "$T/utc.csv"
TZ=Asia/Shanghai trace --all station S01 >"$T/sh.txt" 2>/dev/null
check "table times are local with the offset" \
    grep -q "^$(want Asia/Shanghai | sed 's/T/ /; s/\.[0-9]*//') S01 " "$T/sh.txt"

# days are local days: two refusals of S02 either side of Beijing's midnight
county_sql "INSERT INTO stations (id, township, created_ms) VALUES ('S02', 'TA', 0)"
late=$(/usr/bin/python3 -c 'import datetime as d; print(int(d.datetime(2026,12,3,23,30,tzinfo=d.timezone(d.timedelta(hours=8))).timestamp()*1000))')
early=$(/usr/bin/python3 -c 'import datetime as d; print(int(d.datetime(2026,12,4,0,30,tzinfo=d.timezone(d.timedelta(hours=8))).timestamp()*1000))')
county_sql "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms) VALUES
    ('S02', 1, 'day-late', 'refusal', $late, $late), ('S02', 2, 'day-early', 'refusal', $early, $early)"
TZ=Asia/Shanghai trace --csv station S02 --from 2026-12-04 --to 2026-12-04 >"$T/d1.csv" 2>"$T/d1.err"
check "in Beijing, 4 December is from its own midnight: only the 00:30 refusal" \
    [ "$(seqs "$T/d1.csv" | tr '\n' ' ')" = "2 " ]
TZ=Asia/Shanghai trace --csv station S02 --to 2026-12-03 >"$T/d2.csv" 2>"$T/d2.err"
check "a bare --to date takes that whole local day: the 23:30 refusal" \
    [ "$(seqs "$T/d2.csv" | tr '\n' ' ')" = "1 " ]
TZ=UTC trace --csv station S02 --from 2026-12-04 >"$T/d3.csv" 2>"$T/d3.err"
check "in UTC both refusals are on 3 December" [ "$(seqs "$T/d3.csv" | wc -l)" -eq 0 ]
trace station S02 --from 2026-12-07 --to 2026-12-01 >"$T/rev.out" 2>&1
rc=$?
check "a period that ends before it begins is refused (exit $rc), not answered '0 records'" \
    all '[ $rc -eq 2 ]' "grep -q 'the period ends before it begins' '$T/rev.out'" \
    "! grep -q '0 records' '$T/rev.out'"

# A station's texts that a spreadsheet would run as formulas (a serial, a masked buyer)
# come out of the CSV quoted with a leading ', as the console's CSV writes them; a
# number, negative or not, is written as it is.
county_sql "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms) VALUES
    ('S02', 3, 'formula-1', 'fill', $early, $early);
  INSERT INTO fills (uuid, station, seq, line, cylinder, buyer_masked, started_ms, net_kg, result)
    VALUES ('formula-1', 'S02', 3, 1, '=1+2', '@SUM(A1)', $early, -0.3, 'interrupted')"
trace --csv --all station S02 >"$T/formula.csv" 2>"$T/formula.err"
check "a serial '=1+2' and a masked buyer '@SUM(A1)' are written as text, the net -0.3 as a number" \
    /usr/bin/python3 -c 'import csv,sys
r = [x for x in csv.DictReader(open(sys.argv[1])) if x["seq"] == "3"]
sys.exit(0 if len(r) == 1 and r[0]["cylinder"] == "'"'"'=1+2" and r[0]["buyer"] == "'"'"'@SUM(A1)"
         and r[0]["net_kg"].startswith("-0.3") else 1)' "$T/formula.csv"

# --- a station the county does not know is not a station that sent nothing ---------------
ZH="LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR=$BUILD/locale"
AUDIT=$(county_sql "SELECT count(*) FROM audit")
for form in table --csv --json; do
	f=""; [ $form != table ] && f=$form
	# shellcheck disable=SC2086
	trace $f station S0l >"$T/nope$form.out" 2>"$T/nope$form.err"
	rc=$?
	check "$form: a mistyped station id (S0l) exits 1, says the county knows no such station, prints nothing" \
	    all "[ $rc -eq 1 ]" "grep -q 'the county knows no station S0l' '$T/nope$form.err'" \
	    "[ ! -s '$T/nope$form.out' ]"
done
check "each look at the unknown station is audited all the same" \
    [ "$(county_sql "SELECT count(*) FROM audit WHERE key='S0l' AND results=0")" = 3 ]
env $ZH "$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" \
    station S0l >/dev/null 2>"$T/nope_zh.err"
check "and in Chinese under zh_CN" \
    all "grep -q '^gastrace：县级平台没有站号为 S0l 的充装站' '$T/nope_zh.err'" \
    "! grep -q 'station S0l' '$T/nope_zh.err'"
# a station the county knows with nothing in the period, or nothing at all, is "0 records"
county_sql "INSERT INTO stations (id, township, created_ms) VALUES ('S09', 'TA', 0)"
trace station S09 >"$T/s09.out" 2>&1
check "a registered station with no records is traced: 0 records, exit 0" \
    all "[ $? -eq 0 ]" "tail -n 1 '$T/s09.out' | grep -qx '0 records'"
trace station S02 --from 2030-01-01 >"$T/s02later.out" 2>&1
check "a known station with no records in the period: 0 records, exit 0" \
    all "[ $? -eq 0 ]" "tail -n 1 '$T/s02later.out' | grep -qx '0 records'"
check "gastrace station --help and gastrace --help say so, with the exit status" \
    all "'$BUILD/gastrace' station --help | grep -q 'knows nothing of'" \
    "'$BUILD/gastrace' --help | grep -q '1 error (the county unreachable, a station it knows'"

# --- the station list: the backlog once, the Chinese columns in line ---------------------
county_sql "UPDATE stations SET backlog = 3, status = 'backlog 3, 1 set aside' WHERE id = 'S01';
    UPDATE stations SET backlog = 0, status = 'backlog 0' WHERE id = 'S02'"
trace stations >"$T/st.out" 2>&1
check "the station list shows the backlog once, in its column, and what else the status says" \
    all "grep -Eq '^S01 .* 3 1 set aside$' '$T/st.out'" "! grep -q 'backlog 3' '$T/st.out'" \
    "grep -Eq '^S02 .* 0 -$' '$T/st.out'"
trace --csv stations >"$T/st.csv" 2>&1
check "the CSV keeps the status as the station sent it (then the clock's skew, not wrong)" \
    grep -Eq '^S01,TA,.*,3,"backlog 3, 1 set aside",-?[0-9]+,no$' "$T/st.csv"
env $ZH TZ=Asia/Shanghai "$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" \
    -p "$CPORT" stations >"$T/st_zh.out" 2>&1
# columns by what a terminal draws (two for a Chinese character): a left-aligned heading
# starts where its column's values start, a number's heading ends where the numbers end
check "the Chinese station list's headings stand over their columns" \
    /usr/bin/python3 -c '
import sys, unicodedata
def cols(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
head, row = lines[0], [l for l in lines if l.startswith("S01 ")][0]
def span(line, word):   # the columns word takes in line
    i = line.index(word)
    return cols(line[:i]), cols(line[:i]) + cols(word)
fields = row.split()
# station, township, held to, highest, gap since, last seen (date time), backlog, status
checks = [("充装站", "S01", "left"), ("乡镇", "TA", "left"), ("连续至", fields[2], "right"),
          ("最高", fields[3], "right"), ("缺号起于", fields[4], "left"),
          ("最近联系", fields[5], "left"), ("待发", "3", "right"), ("状态", "1", "left")]
pos = 0
for word, value, side in checks:
    h = span(head, word)
    i = row.index(" " + value + " " if side == "right" else value, pos) + (1 if side == "right" else 0)
    v = (cols(row[:i]), cols(row[:i]) + cols(value))
    pos = i + len(value)
    if (h[0] != v[0]) if side == "left" else (h[1] != v[1]):
        sys.exit("%s at %s, its value %s at %s" % (word, h, value, v))
' "$T/st_zh.out"
check "and says the set-aside records in Chinese" grep -Eq '^S01 .* 3 1 条已搁置$' "$T/st_zh.out"
check "a station registered but never in contact was never seen, not seen in 1970" \
    all "grep -Eq '^S09 +TA +0 +0 +- +- +0 -$' '$T/st.out'" "grep -q '^S09,TA,0,0,,,0,,0,no$' '$T/st.csv'"

# --- a station's status is its own row's: a line break it sends writes no row --------------
# The county keeps a status's line breaks (a free text); S01 sends one followed by a row of
# its making, for a station of another township that seems to hold everything.
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST \
    -P heartbeat -b "heartbeat:S01:TA:$(printf 'backlog 0\nS77        TB             500      500 -  -  0 -')" \
    -j >"$T/hb_nl.out" 2>&1
check "S01's heartbeat with a line break in its status is taken (2.04)" grep -q '^code 2.04' "$T/hb_nl.out"
trace stations >"$T/st_nl.out" 2>&1
check "gastrace stations: one row a station, the header above, none forged by a status" \
    all "[ \"\$(wc -l <'$T/st_nl.out')\" -eq $(($(county_sql "SELECT count(*) FROM stations") + 1)) ]" \
    "! grep -q '^S77' '$T/st_nl.out'" "grep -Eq '^S01 .*S77 +TB' '$T/st_nl.out'"

# --- a life event's village is its row's: a line break writes no row, a CSI no escape -------
# A delivery device's village (a free text: the county keeps its line breaks, and takes C1
# controls, which are well-formed UTF-8) lays a fill of its making out after a line break,
# with CSI (U+009B) "2J", erase the screen.
CSI=$(printf '\302\233')
FORGED_FILL="2025-01-01 09:00:00 +08:00 S77      1      fill    1    CYA5           -                    14.900 ok        -"
"$BUILD/tests/coapreq" -p "$CPORT" -u delivery:li@TA -k "$T/delivery_li@TA.key" -m POST \
    -P records -b "life:li@TA:TA:1" -T "东村${CSI}2J
$FORGED_FILL" >"$T/life_nl.out" 2>&1
check "a device's return whose village holds a line break, a forged fill and a CSI is taken (2.04)" \
    grep -q '^code 2.04' "$T/life_nl.out"
trace cylinder CYA5 >"$T/life_nl.txt" 2>&1
check "gastrace cylinder: no control byte reaches the regulator's terminal (C0, DEL, C1)" \
    no_control_bytes "$T/life_nl.txt"
check "the village stays on its event's row, its CSI and line break spaces: no fill is forged" \
    all "grep -q ' returned .* at 东村 2J 2025-01-01 09:00:00 +08:00 S77 ' '$T/life_nl.txt'" \
    "! grep -q '^2025-01-01' '$T/life_nl.txt'" "[ \"\$(grep -c CYA5 '$T/life_nl.txt')\" -eq 1 ]"
trace --csv cylinder CYA5 >"$T/life_nl.csv" 2>&1
check "the CSV keeps the village as the device sent it" \
    /usr/bin/python3 -c 'import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["kind"] == "life"]
assert len(rows) == 1 and "at 东村\u009b2J\n2025-01-01 09:00:00 +08:00 S77 " in rows[0]["violations"], rows
' "$T/life_nl.csv"

# --- a key file others may read: said in the person's language ----------------------------
cp "$T/regulator_alice.key" "$T/open.key"
chmod 644 "$T/open.key"
env $ZH "$BUILD/gastrace" -u regulator:alice -k "$T/open.key" -p "$CPORT" stations \
    >"$T/openkey.out" 2>&1
check "gastrace with a key file others may read says so in Chinese (exit 1)" \
    all "[ $? -eq 1 ]" "grep -q '^gastrace：密钥文件 $T/open.key 他人也可读取（权限 644）' '$T/openkey.out'"

# --- usage -------------------------------------------------------------------------------
trace --after not-a-cursor station S01 >/dev/null 2>"$T/bad.err"
check "a malformed --after is bad usage (exit 2)" sh -c "[ $? -eq 2 ] && grep -q 'after' '$T/bad.err'"
trace --all stations >/dev/null 2>&1
check "--all is for traces only (exit 2)" [ $? -eq 2 ]
finish
