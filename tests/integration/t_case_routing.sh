#!/bin/sh
# Grid reports routed by township boundaries, report kinds from the
# catalogue, deadlines in working days of the county's calendar, and JSON
# request bodies, with real processes (gascounty, gaswatch, coapreq over
# DTLS) and the county's own files (etc/catalogue.csv, the demonstration
# county's etc/county-map.geojson).
#
# - A report whose coordinates lie inside township 102's boundary lands in
#   102 even though its village (东村) is listed under 101: the coordinates
#   win, and the timeline says so; 102's officer sees it, 101's does not.
# - A point in no township is refused with a message saying so, and a
#   village not in the county's list by its name, in English and in Chinese
#   (the county's reasons are fixed texts gaswatch knows); a report
#   without coordinates still goes by its village; a kind the catalogue
#   does not list is refused by name.
# - A case opened today, when the calendar makes every day until the next
#   Saturday a holiday and that Saturday a make-up working day, must be
#   accepted within one working day: by midnight after that Saturday
#   (a calendar ignored, or weekdays alone, would give another day, whatever
#   weekday today is), and gaswatch show says so.
# - The same report and a step sent as JSON (Content-Format 50) are taken;
#   a JSON body with an unknown key is a 4.00 naming it; a body in another
#   format is a 4.15.
# - A broken deadlines file on SIGHUP is named by FILE:LINE and the
#   previous rules stay in force.
# - A grid worker's scanned cylinder code, a label's URL for a serial too
#   long for the old 127-byte field, is checked with the county's key and
#   names that cylinder; gaswatch show says so (and in Chinese).  A label
#   signed by another key names no cylinder, and the case's timeline says
#   the code is not the county's.  gascounty -n says codes are checked.
# - One grid worker's identity files at most report_max_per_hour reports
#   in an hour: the next is refused over the real wire naming the setting
#   (in Chinese too), and nothing of it is stored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
T101=330825101 # 龙洲街道 in etc/county-map.geojson
T102=330825102 # 东华街道
county_keys officer:wang@$T101 officer:li@$T102 grid:dan@$T101 grid:eve@$T101

printf 'village,township\n东村,%s\n南村,%s\n' $T101 $T102 >"$T/villages.csv"
# the calendar, relative to today in the county's zone: every day after
# today until the next Saturday a holiday, that Saturday worked
day() { TZ=Asia/Shanghai date -d "@$(( $(date +%s) + $1 * 86400 ))" +%F; }
N=$(( (12 - $(TZ=Asia/Shanghai date +%u)) % 7 + 1 )) # days to the next Saturday, 1..7
printf 'date,day,name\n' >"$T/calendar.csv"
i=1
while [ $i -lt $N ]; do
	printf '%s,holiday,测试假日\n' "$(day $i)" >>"$T/calendar.csv"
	i=$((i + 1))
done
SAT=$(day $N)
printf '%s,workday,测试调休\n' "$SAT" >>"$T/calendar.csv"
printf 'kind,severity,accept,onsite,close\n*,alert,1wd,3wd,15wd\n*,critical,30m,2h,3wd\n' \
    >"$T/deadlines.csv"
# the county's code key and labels: one of its own, one signed by a forger's key
"$BUILD/gaslabel" keygen --out "$T/keys" >/dev/null &&
    "$BUILD/gaslabel" keygen --out "$T/forger" >/dev/null || { fail "keygen"; finish; }
LONG=ZJ-000123456789012345678
printf '%s\n%s,YSP35.5,2023-04,15.20,14.9,龙游燃气,2024-01-02,active\n' \
    serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status "$LONG" >"$T/reg.csv"
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/reg.csv" \
    --out "$T/minted" --no-labels --base-url https://gas.longyou.gov.cn/c/ >/dev/null &&
    "$BUILD/gaslabel" mint --key "$T/forger/county.key" --county 330825 --csv "$T/reg.csv" \
        --out "$T/forged" --no-labels >/dev/null || { fail "mint"; finish; }
CODE=$(tail -n 1 "$T/minted/codes.csv" | sed 's/^.*,//')
FORGED=$(tail -n 1 "$T/forged/codes.csv" | sed 's/^.*,//')
# the URL the label's QR holds (gaslabel escapes blanks and '%'), as a phone's camera
# hands it over (this one also escapes '+')
URL="https://gas.longyou.gov.cn/c/$(printf '%s' "$CODE" | sed 's/%/%25/g; s/ /%20/g; s/+/%2B/g')"
COUNTY_EXTRA="code_key = $T/keys/county.pub
catalogue = $TOP/etc/catalogue.csv
villages = $T/villages.csv
township_map = $TOP/etc/county-map.geojson
deadlines = $T/deadlines.csv
calendar = $T/calendar.csv
report_max_per_hour = 20"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

as_person() {
	who=$1
	shift
	"$BUILD/gaswatch" --as "$who" -k "$T/$(echo "$who" | tr ':' '_').key" -p "$CPORT" "$@"
}
DAN=grid:dan@$T101
WANG=officer:wang@$T101
LI=officer:li@$T102

# --- the coordinates win over the village --------------------------------------------
as_person $DAN report --kind 违规堆放气瓶 --village 东村 --note "路口堆放气瓶" \
    --lat 29.04 --lon 119.28 >"$T/r1.out" 2>&1
check "a report at a point inside 102's boundary is taken" [ $? -eq 0 ]
R1=$(county_sql "SELECT max(id) FROM cases")
check "it lands in 102, routed by the map, kind by its code, though 东村 is listed under 101" \
    [ "$(county_sql "SELECT township||' '||routed_by||' '||kind||' '||village FROM cases WHERE id=$R1")" = \
      "$T102 map stacked 东村" ]
check "the timeline keeps that the village is listed under another township, as facts" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE case_id=$R1 AND action='route' AND json_extract(facts,'\$.village')='东村' AND json_extract(facts,'\$.listed')='$T101'")" = 1 ]
as_person $LI list >"$T/li.out" 2>&1
check "102's officer has it in the list" grep -q "^$R1 " "$T/li.out"
as_person $WANG show "$R1" >"$T/wang.out" 2>&1
check "101's officer may not open it (exit 3)" [ $? -eq 3 ]
as_person $LI show "$R1" >"$T/show1.out" 2>&1
check "gaswatch show says how it was routed" \
    grep -q "routed: *to $T102 by its coordinates" "$T/show1.out"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $LI show "$R1" \
    >"$T/show1_zh.out" 2>&1
check "and in Chinese under zh_CN" grep -q "分派.*按位置坐标" "$T/show1_zh.out"
check "its timeline's routing step in English, with the village and both townships" \
    grep -q "routed .*routed to $T102 by its coordinates 29.040000, 119.280000; the village named, 东村, is listed under $T101" "$T/show1.out"
check "and in Chinese under zh_CN, no English left in it" \
    sh -c "grep -q '按上报坐标派至 $T102（29.040000, 119.280000）；所报村庄“东村”在村庄名录中属 $T101' '$T/show1_zh.out' &&
        ! grep -q 'by its coordinates\\|listed under' '$T/show1_zh.out'"

as_person $DAN report --kind stacked --village 东村 --note "县界外" --lat 28.5 --lon 118.5 \
    >"$T/r2.out" 2>&1
check "a point in no township is refused, saying so (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q 'the place 28.500000, 118.500000 lies in no township' '$T/r2.out'"
ZH="LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR=$BUILD/locale"
env $ZH "$BUILD/gaswatch" --as $DAN -k "$T/grid_dan@$T101.key" -p "$CPORT" report --kind stacked \
    --village 东村 --note "县界外" --lat 28.5 --lon 118.5 >"$T/r2_zh.out" 2>&1
check "and in Chinese under zh_CN, with the place sent (the county's reason is a fixed one)" \
    all "grep -q '^gaswatch：位置（28.500000，118.500000）不在本县乡镇地图范围内' '$T/r2_zh.out'" \
    "! grep -q 'township\|county' '$T/r2_zh.out'"
as_person $DAN report --kind stacked --village 西村 --note "村口" >"$T/r5.out" 2>&1
check "a village not in the county's list is refused by its name (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q '^gaswatch: \"西村\" is not in the county.s village list' '$T/r5.out'"
env $ZH "$BUILD/gaswatch" --as $DAN -k "$T/grid_dan@$T101.key" -p "$CPORT" report --kind stacked \
    --village 西村 --note "村口" >"$T/r5_zh.out" 2>&1
check "and in Chinese under zh_CN" \
    all "grep -q '^gaswatch：“西村”不在本县村（社区）名录中' '$T/r5_zh.out'" \
    "! grep -q 'village list' '$T/r5_zh.out'"
check "neither refused report stored anything" \
    [ "$(county_sql "SELECT count(*) FROM cases WHERE village='西村' OR title LIKE '%28.5%'")" = 0 ]
as_person $DAN report --kind stacked --village 南村 --note "村口" >"$T/r3.out" 2>&1
R3=$(county_sql "SELECT max(id) FROM cases")
check "without coordinates the village list routes it (南村 -> 102)" \
    [ "$(county_sql "SELECT township||' '||routed_by FROM cases WHERE id=$R3")" = "$T102 village" ]
as_person $DAN report --kind 烟花爆竹 --village 东村 --note x >"$T/r4.out" 2>&1
check "a kind the catalogue does not list is refused by name, in gaswatch's words" \
    sh -c "[ $? -eq 1 ] && grep -q 'gaswatch: .烟花爆竹. is not a report kind of the county.s catalogue' '$T/r4.out'"
as_person $DAN catalogue >"$T/cat.out" 2>&1
check "gaswatch catalogue lists the report kinds and the deadline rows" \
    sh -c "grep -q '^  stacked *违规堆放气瓶' '$T/cat.out' && grep -q '^  \* *alert *1wd *3wd *15wd' '$T/cat.out'"

# --- one working day, past two holidays --------------------------------------------------
OPENED=$(county_sql "SELECT opened_ms / 1000 FROM cases WHERE id=$R3")
D0=$(TZ=Asia/Shanghai date -d "@$OPENED" +%F)
if [ "$D0" = "$(day 0)" ]; then
	# the end of the first working day after today: midnight after that Saturday
	WANT=$(( $(TZ=Asia/Shanghai date -d "$SAT + 1 day" +%s) * 1000 ))
	check "accept is due at midnight after the make-up Saturday, past $((N - 1)) holiday(s)" \
	    [ "$(county_sql "SELECT accept_due_ms FROM cases WHERE id=$R3")" = "$WANT" ]
	as_person $LI show "$R3" --json >"$T/show3.json" 2>&1
	check "gaswatch show --json carries the same deadline" \
	    grep -q "\"accept_due_ms\":$WANT" "$T/show3.json"
	TZ=Asia/Shanghai as_person $LI show "$R3" >"$T/show3.out" 2>&1
	check "gaswatch show prints the three deadlines, the first one at that midnight" \
	    grep -q "deadlines: accept by $(TZ=Asia/Shanghai date -d "$SAT + 1 day" +%F) 00:00" \
	    "$T/show3.out"
else
	echo "# the day changed while the test ran: deadline checks left out"
fi

# --- JSON bodies (Content-Format 50) ---------------------------------------------------------
cat >"$T/report.json" <<'EOF'
{"kind": "nocode", "village": "南村", "note": "JSON 上报：三只无码气瓶",
 "lat": 29.0712, "lon": 119.1655, "file": "p.jpg", "type": "image/jpeg", "data": "/9j/4AAQ"}
EOF
"$BUILD/tests/coapreq" -p "$CPORT" -u $DAN -k "$T/grid_dan@$T101.key" -m POST -P cases/report \
    -f "$T/report.json" -F 50 -j >"$T/j1.out" 2>&1
check "a report as JSON is taken (2.01)" grep -q "^code 2.01" "$T/j1.out"
J1=$(sed -n 2p "$T/j1.out")
check "it lands where its coordinates lie (101, not 南村's 102), its photo decoded from base64" \
    [ "$(county_sql "SELECT township||' '||routed_by||' '||(SELECT size FROM evidence v JOIN case_evidence e ON e.hash=v.hash WHERE e.case_id=c.id) FROM cases c WHERE id=$J1")" = \
      "$T101 map 6" ]
printf '{"id": %s, "step": "comment", "note": "JSON 备注：已电话联系村委"}' "$R1" >"$T/step.json"
"$BUILD/tests/coapreq" -p "$CPORT" -u $LI -k "$T/officer_li@$T102.key" -m POST -P cases/step \
    -f "$T/step.json" -F 50 >"$T/j2.out" 2>&1
check "a step as JSON is taken (2.04) and recorded with its Chinese note" \
    sh -c "grep -q '^code 2.04' '$T/j2.out' && [ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM case_steps WHERE case_id=$R1 AND action='comment' AND identity='$LI' AND note='JSON 备注：已电话联系村委'\")\" = 1 ]"
printf '{"id": %s, "step": "comment", "note": "x", "colour": 1}' "$R1" >"$T/bad.json"
"$BUILD/tests/coapreq" -p "$CPORT" -u $LI -k "$T/officer_li@$T102.key" -m POST -P cases/step \
    -f "$T/bad.json" -F 50 -j >"$T/j3.out" 2>&1
check "a JSON body with an unknown key is a 4.00 naming it" \
    sh -c "grep -q '^code 4.00' '$T/j3.out' && grep -q \"unknown key 'colour'\" '$T/j3.out'"
"$BUILD/tests/coapreq" -p "$CPORT" -u $LI -k "$T/officer_li@$T102.key" -m POST -P cases/step \
    -f "$T/step.json" -F 0 -j >"$T/j4.out" 2>&1
check "a body in another format (text/plain) is a 4.15" grep -q "^code 4.15" "$T/j4.out"
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST -P records \
    -f "$T/step.json" -F 50 >"$T/j5.out" 2>&1
check "a station's batch stays CBOR only (JSON is a 4.15)" grep -q "^code 4.15" "$T/j5.out"

# --- a scanned cylinder code ----------------------------------------------------------------
check "the label's URL is longer than the old 127-byte code field" [ "${#URL}" -gt 127 ]
as_person $DAN report --kind stacked --village 东村 --note "院内气瓶，扫码" --code "$URL" \
    >"$T/c1.out" 2>&1
check "a report with the label's URL is taken" [ $? -eq 0 ]
C1=$(county_sql "SELECT max(id) FROM cases")
check "its code is checked with the county's key and names cylinder $LONG" \
    [ "$(county_sql "SELECT code_check||' '||cylinder||' '||(code='$CODE') FROM cases WHERE id=$C1")" = \
      "signed $LONG 1" ]
as_person $WANG show "$C1" >"$T/c1.show" 2>&1
check "gaswatch show says the code is the county's" \
    grep -q "code: *signed by the county, checked" "$T/c1.show"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $WANG show "$C1" \
    >"$T/c1_zh.show" 2>&1
check "and in Chinese" grep -q "气瓶码：.*本县签发，核验通过" "$T/c1_zh.show"
as_person $DAN report --kind stacked --village 东村 --note "可疑标签" --code "$FORGED" \
    >"$T/c2.out" 2>&1
check "a report with a label signed by another key is taken (it is what was found)" [ $? -eq 0 ]
C2=$(county_sql "SELECT max(id) FROM cases")
check "but names no cylinder" \
    [ "$(county_sql "SELECT code_check||'/'||cylinder FROM cases WHERE id=$C2")" = "invalid/" ]
as_person $WANG show "$C2" >"$T/c2.show" 2>&1
check "gaswatch show says it is not the county's, and the timeline says why" \
    sh -c "grep -q 'NOT a code the county signed' '$T/c2.show' &&
        grep -q 'code checked.*signature' '$T/c2.show'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $WANG show "$C2" \
    >"$T/c2_zh.show" 2>&1
check "and in Chinese, the timeline's code step too" \
    grep -q "上报的气瓶码不是本县签发的码：.*signature" "$T/c2_zh.show"
"$BUILD/gascounty" -n -c "$T/county.conf" >"$T/n.out" 2>&1
check "gascounty -n says reported codes are checked" grep -q "reported codes checked" "$T/n.out"

# --- a broken deadlines file on SIGHUP changes nothing -------------------------------------
cp "$T/deadlines.csv" "$T/deadlines.good"
echo "*,alert,1wd,2 days,15wd" >>"$T/deadlines.csv"
kill -HUP "$PID_county"
wait_for 10 grep -q "deadlines.csv:4: onsite is N then" "$T/county.log"
check "a broken deadlines file on SIGHUP is named by FILE:LINE and the old rules stay" \
    sh -c "grep -q 'deadlines.csv:4: onsite is N then' '$T/county.log' &&
        grep -q 'catalogue stay in force' '$T/county.log'"
as_person $DAN report --kind stacked --village 南村 --note "重载之后" >/dev/null 2>&1
check "reports are still taken after the refused reload, with the old deadlines" \
    [ "$(county_sql "SELECT accept_due_ms FROM cases WHERE id=(SELECT max(id) FROM cases)")" = \
      "$(county_sql "SELECT accept_due_ms FROM cases WHERE id=$R3")" ]
# --- one person's identity cannot bury a township in reports ---------------------------
EVE=grid:eve@$T101
i=1
while [ $i -le 20 ]; do
	as_person $EVE report --kind stacked --village 东村 --note "第${i}处堆放" >/dev/null 2>&1 ||
	    break
	i=$((i + 1))
done
check "a grid worker's 20 reports in an hour are taken" \
    [ "$(county_sql "SELECT count(*) FROM cases WHERE reporter='$EVE'")" = 20 ]
as_person $EVE report --kind stacked --village 东村 --note "第21处堆放" >"$T/flood.out" 2>&1
check "the 21st is refused over the wire as too many (4.29, not 4.00), naming report_max_per_hour" \
    sh -c "[ $? -eq 1 ] && grep -q 'takes no more reports from you this hour (its report_max_per_hour)' '$T/flood.out'"
env $ZH "$BUILD/gaswatch" --as $EVE -k "$T/grid_eve@$T101.key" -p "$CPORT" report --kind stacked \
    --village 东村 --note "第22处堆放" >"$T/flood_zh.out" 2>&1
check "and in Chinese under zh_CN, without the county's English" \
    all "grep -q '^gaswatch：您本小时的上报已达县级平台的上限（report_max_per_hour）' '$T/flood_zh.out'" \
    "! grep -q 'too many\|last hour' '$T/flood_zh.out'"
check "and nothing of it is stored" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE note='第21处堆放'")" = 0 ]
as_person $DAN report --kind stacked --village 东村 --note "另一人的报告" >/dev/null 2>&1
check "another grid worker is not held to that count" [ $? -eq 0 ]
check "gascounty still running" kill -0 "$PID_county"
finish
