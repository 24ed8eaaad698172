#!/bin/sh
# One owner for the county's case settings: gasweb's county_config names
# gascounty's own file, and the console reads the case settings (catalogue,
# villages, deadlines, calendar, the case deadlines, evidence_max_kb,
# report_max_per_hour, code_key) from its [county] section with the county
# library's table, so that a report through the console is routed, limited
# and checked as one through gascounty.  Before, gasweb had its own copy of
# each key, and the two files drifted apart silently.
#
# - gasweb -n names the file the case settings come from.
# - gasweb passwd refuses a person of a township neither on the console's map
#   nor in its village list (in English and Chinese), and gasweb -n names one
#   written into the passwords file by hand; gascounty -n names where its
#   files' townships and its identities disagree.
# - A grid worker's reports through the console are limited by the county
#   file's report_max_per_hour (2), not by the console's default (30); a
#   report kind and a village only the county's files list are taken, and
#   the code is checked with the county's code_key.
# - A key set in both files with different values is refused at start,
#   naming this file's line, both values and the file in force; the same
#   value is accepted (a key copied from the example is no error).
# - The county's code_key and the console's (the check page's) must be the
#   same key; a county file that does not load is named with its FILE:LINE.
# - A report the county cannot route (a phone's position outside the county's
#   map, a village or kind not in its files) is refused by the console in the
#   person's language, by the county's own rule (cases_route), storing nothing.
# - On SIGHUP gasweb reads them again: a new village and a new limit are in
#   force for the next page; a file that no longer loads is named in the log
#   and the settings in force stay; thirty reloads while three clients load
#   pages leave every page answered (under the sanitizers too: asan.list).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
county_keys
"$BUILD/gaslabel" keygen --out "$T/keys" >/dev/null &&
    "$BUILD/gaslabel" keygen --out "$T/forger" >/dev/null || { fail "keygen"; finish; }
printf 'village,township\n河口村,TB\n' >"$T/villages.csv"
printf 'kind,code,name,basis,applies\nreport,leak,漏气,,\n' >"$T/catalogue.csv"
COUNTY_EXTRA="catalogue = $T/catalogue.csv
villages = $T/villages.csv
report_max_per_hour = 2
code_key = $T/keys/county.pub
township_map = $TOP/etc/county-map.geojson"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

web_conf "county_config = $T/county.conf"
web_passwd grid:eve@TB eve-password-1
web_passwd officer:zhao@TB zhao-password-1
web_passwd grid:fay@TB fay-password-1
# an account of a township the console's files do not name is a typo: it
# would show no case and none could be sent to it (catalogue_township)
printf 'qian-password-1\n' | "$BUILD/gasweb" -c "$T/web.conf" passwd officer:qian@TQ \
    >"$T/qian.out" 2>&1
rc=$?
check "gasweb passwd refuses a township neither on the map nor in the village list" \
    all '[ $rc -eq 1 ]' "grep -q 'township TQ is neither on the console' '$T/qian.out'" \
    "grep -q '(its townships: TA, TB)' '$T/qian.out'" "! grep -q '^officer:qian' '$T/passwords'"
printf 'qian-password-1\n' | LC_ALL=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gasweb" -c "$T/web.conf" passwd officer:qian@TQ >"$T/qian.zh" 2>&1
check "... in the administrator's language" grep -q '乡镇 TQ' "$T/qian.zh"
# one written into the file by hand is named at start (and by -n)
sed -n 's/^grid:fay@TB /officer:sun@TQ /p' "$T/passwords" >>"$T/passwords"
"$BUILD/gasweb" -n -c "$T/web.conf" >"$T/n.out" 2>&1
rc=$?
check "gasweb -n accepts it and names where the case settings come from" \
    all '[ $rc -eq 0 ]' "grep -q '^case settings from $T/county.conf\$' '$T/n.out'"
check "gasweb -n names a person of a township its files do not name" \
    grep -q "officer:sun@TQ: township TQ is neither on the map nor in the village list" "$T/n.out"
# gascounty says where its two lists of townships disagree: this county's
# map (the demonstration's) and village list against its identities
"$BUILD/gascounty" -c "$T/county.conf" -n >"$T/cn.out" 2>&1
rc=$?
check "gascounty -n names a routed township without identity and an identity not routed to" \
    all '[ $rc -eq 0 ]' \
    "grep -q 'township 330825101 is on the map or in the village list but has no identity township:330825101' '$T/cn.out'" \
    "grep -q 'township:TA in $T/ids is neither on the map nor in the village list' '$T/cn.out'" \
    "! grep -q 'township:TB in' '$T/cn.out'"
web_start || { fail "gasweb did not start"; cat "$T/web.log"; finish; }
check "the grid worker and the officer sign in" \
    all '[ "$(signin "$T/eve.jar" grid:eve@TB eve-password-1)" = 303 ]' \
    '[ "$(signin "$T/zhao.jar" officer:zhao@TB zhao-password-1)" = 303 ]'

printf 'serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n%s\n' \
    "LY-77,YSP35.5,2023-04,15.20,14.9,龙游燃气,2024-01-02,active" >"$T/reg.csv"
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/reg.csv" \
    --out "$T/minted" --no-labels >/dev/null
CODE=$(tail -n 1 "$T/minted/codes.csv" | sed 's/^.*,//')
report() { # NOTE: eve's report; prints the HTTP status
	C -b "$T/eve.jar" -o "$T/form.html" "$U/report"
	csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/form.html" | head -n 1)
	C -b "$T/eve.jar" -o "$T/report.html" -w '%{http_code}' -H "Origin: $U" -F "csrf=$csrf" \
	    -F kind=leak -F village=河口村 -F "note=$1" -F "code=$CODE" "$U/report"
}
check "the report form offers the county's report kind and village" \
    all 'C -b "$T/eve.jar" "$U/report" | grep -q "value=\"leak\""' \
    'C -b "$T/eve.jar" "$U/report" | grep -q "河口村"'
codes="$(report "一号漏气") $(report "二号漏气")"
check "two reports are taken (303 303, got $codes)" [ "$codes" = "303 303" ]
check "routed by the county's village list, the code checked with the county's key" \
    [ "$(county_sql "SELECT count(*) FROM cases WHERE township = 'TB' AND kind = 'leak' AND code_check = 'signed' AND cylinder = 'LY-77'")" = 2 ]
# the officer reads the kind by its catalogue name, and finds the cases by it
LEAK=$(county_sql "SELECT min(id) FROM cases WHERE kind = 'leak'")
C -b "$T/zhao.jar" -o "$T/leak.html" "$U/cases/$LEAK"
C -b "$T/zhao.jar" -o "$T/byname.html" "$U/cases?view=all&rule=%E6%BC%8F%E6%B0%94"
C -b "$T/zhao.jar" -o "$T/bycode.html" "$U/cases?view=all&rule=leak"
check "the case page names the report kind as the catalogue does (漏气 (leak))" \
    grep -q '漏气 (leak)' "$T/leak.html"
check "the case list filtered by the kind's name finds what its code finds (2 cases)" \
    all '[ "$(grep -o "class=\"caselink\"" "$T/byname.html" | wc -l)" = 2 ]' \
    '[ "$(grep -o "class=\"caselink\"" "$T/bycode.html" | wc -l)" = 2 ]'
code=$(report "三号漏气")
check "the third is refused by the county file's limit of 2 (429, got $code), the page naming it" \
    all '[ "$code" = 429 ]' 'grep -q "（每小时 2 条）" "$T/report.html"'
check "and nothing of it is stored" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE note = '三号漏气'")" = 0 ]

# --- a report the county cannot route, said in the grid worker's language ------------------
# (cases_route, the county's own rule, asked before the report is sent: a phone's position
# outside the county's map, a village or kind a form drawn before a reload still offered)
signin "$T/fay.jar" grid:fay@TB fay-password-1 >/dev/null
unroutable() { # LANG FIELD...: fay's report with these fields; prints the HTTP status
	lang=$1; shift
	C -b "$T/fay.jar" -o "$T/fform.html" "$U/report"
	csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/fform.html" | head -n 1)
	C -b "$T/fay.jar" -o "$T/unroutable.html" -w '%{http_code}' -H "Origin: $U" \
	    -H "Accept-Language: $lang" -F "csrf=$csrf" -F "note=无法上报" "$@" "$U/report"
}
code=$(unroutable zh -F kind=leak -F village=河口村 -F lat=40.0 -F lon=116.4)
check "a phone's position outside the county's map: refused (409, got $code), saying so in Chinese" \
    all '[ "$code" = 409 ]' \
    'grep -q "所在位置（40.000000，116.400000）不在本县乡镇地图范围内。请核对手机定位，或不带位置、按村（社区）上报" "$T/unroutable.html"'
code=$(unroutable en -F kind=leak -F village=河口村 -F lat=40.0 -F lon=116.4)
check "and in English to a browser that asks for it (409, got $code)" \
    all '[ "$code" = 409 ]' \
    'grep -q "The place 40.000000, 116.400000 lies in no township of the county" "$T/unroutable.html"'
code=$(unroutable zh -F kind=leak -F village=西村)
check "a village not in the county's list: refused (409, got $code), naming it" \
    all '[ "$code" = 409 ]' 'grep -q "“西村”不在本县村（社区）名录中" "$T/unroutable.html"'
code=$(unroutable zh -F kind=nosuch -F village=河口村)
check "a report kind not in the catalogue: refused (409, got $code), naming it" \
    all '[ "$code" = 409 ]' 'grep -q "“nosuch”不是本县目录中的上报类别" "$T/unroutable.html"'
# a note of spaces (which the form's required mark lets through) and no kind at all
cases_before=$(county_sql "SELECT count(*) FROM cases")
C -b "$T/fay.jar" -o "$T/fform.html" "$U/report"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/fform.html" | head -n 1)
code=$(C -b "$T/fay.jar" -o "$T/blank.html" -w '%{http_code}' -H "Origin: $U" \
    -H "Accept-Language: zh" -F "csrf=$csrf" -F kind=leak -F village=河口村 -F "note=   " \
    "$U/report")
check "a report whose note is only spaces: refused (409, got $code), asking for the note in Chinese" \
    all '[ "$code" = 409 ]' 'grep -q "请填写“说明”" "$T/blank.html"' \
    'grep -q "id=\"back\" href=\"/report\">返回<" "$T/blank.html"'
code=$(C -b "$T/fay.jar" -o "$T/nokind.html" -w '%{http_code}' -H "Origin: $U" \
    -H "Accept-Language: zh" -F "csrf=$csrf" -F village=河口村 -F "note=无法上报" "$U/report")
check "a report without its kind: refused (409, got $code), asking for it" \
    all '[ "$code" = 409 ]' 'grep -q "请选择“类型”" "$T/nokind.html"'
check "none of them stored anything" \
    all "[ \"\$(county_sql \"SELECT count(*) FROM case_steps WHERE note = '无法上报'\")\" = 0 ]" \
    "[ \"\$(county_sql 'SELECT count(*) FROM cases')\" = '$cases_before' ]"

# --- the county changes its settings: gasweb reads them again on SIGHUP ------------------
cp "$T/county.conf" "$T/county.good"
sed -i 's/^report_max_per_hour = 2$/report_max_per_hour = 3/' "$T/county.conf"
printf '山口村,TB\n' >>"$T/villages.csv"
kill -HUP "$PID_county" "$PID_web"
check "SIGHUP: gasweb says it read the county's settings again, from the county's file" \
    wait_for 10 grep -q "SIGHUP: the county's settings read again from $T/county.conf" "$T/web.log"
C -b "$T/eve.jar" -o "$T/form2.html" "$U/report"
check "the report form offers the village the county's list has now" grep -q '山口村' "$T/form2.html"
code=$(report "三号漏气")
check "the county's new limit of 3 holds through the console: the third is taken (303, got $code)" \
    [ "$code" = 303 ]
code=$(report "四号漏气")
check "and the fourth refused, the page naming 3 (429, got $code)" \
    all '[ "$code" = 429 ]' 'grep -q "（每小时 3 条）" "$T/report.html"'
printf 'evidence_max_kb = many\n' >>"$T/county.conf"
: >"$T/villages.csv"
kill -HUP "$PID_web"
check "a county file that no longer loads: gasweb names it and keeps the settings in force" \
    wait_for 10 grep -q "SIGHUP: .*county.conf:.*evidence_max_kb.*the county's settings in force stay" "$T/web.log"
C -b "$T/eve.jar" -o "$T/form3.html" "$U/report"
check "the form still offers the villages in force, and the console still answers" \
    grep -q '山口村' "$T/form3.html"
cp "$T/county.good" "$T/county.conf"
printf 'village,township\n河口村,TB\n山口村,TB\n' >"$T/villages.csv"
# reloads while pages are being answered: each page keeps the settings it
# began with, the ones a reload replaced are freed after the last of them
# (the sanitizer build's run of this test would stop on a use after free)
pages=
for i in 1 2 3; do
	( j=0; while [ $j -lt 40 ]; do
		C -b "$T/eve.jar" -o /dev/null -w '%{http_code}\n' "$U/report"; j=$((j + 1))
	done >"$T/pages.$i" ) &
	pages="$pages $!"
done
n=0
while [ $n -lt 30 ]; do kill -HUP "$PID_web"; n=$((n + 1)); sleep 0.05; done
wait $pages
check "120 report forms answered while the settings were read again 30 times, every one 200" \
    [ "$(cat "$T"/pages.1 "$T"/pages.2 "$T"/pages.3 | grep -c '^200$')" = 120 ]
check "and gasweb is still running" kill -0 "$PID_web"
web_stop() { kill "$PID_web" 2>/dev/null; wait "$PID_web" 2>/dev/null; }
web_stop

# --- the two files disagree --------------------------------------------------------------
cp "$T/web.conf" "$T/web.good"
printf 'report_max_per_hour = 5\n' >>"$T/web.conf"
line=$(grep -n '^report_max_per_hour' "$T/web.conf" | cut -d: -f1)
"$BUILD/gasweb" -n -c "$T/web.conf" >"$T/bad.out" 2>&1
rc=$?
check "a key both files set differently is refused, naming this file's line and both values" \
    all '[ $rc -eq 1 ]' \
    "grep -q 'web.conf:$line: report_max_per_hour = 5 here, but 2 in county_config .*county.conf, the one in force: remove it here' '$T/bad.out'"
cp "$T/web.good" "$T/web.conf"
printf 'report_max_per_hour = 2\ncatalogue = %s\n' "$T/catalogue.csv" >>"$T/web.conf"
"$BUILD/gasweb" -n -c "$T/web.conf" >"$T/same.out" 2>&1
check "the same values in both files are accepted" [ $? -eq 0 ]

cp "$T/web.good" "$T/web.conf"
sed -i "s|^code_key = .*|code_key = $T/forger/county.pub|" "$T/web.conf"
"$BUILD/gasweb" -n -c "$T/web.conf" >"$T/key.out" 2>&1
rc=$?
check "the check page's code_key and the county's must be the same key" \
    all '[ $rc -eq 1 ]' "grep -q 'are different keys' '$T/key.out'"

cp "$T/web.good" "$T/web.conf"
printf 'evidence_max_kb = many\n' >>"$T/county.conf"
cline=$(grep -n '^evidence_max_kb = many' "$T/county.conf" | cut -d: -f1)
"$BUILD/gasweb" -n -c "$T/web.conf" >"$T/county.out" 2>&1
rc=$?
check "a county file that does not load is named with its FILE:LINE" \
    all '[ $rc -eq 1 ]' "grep -q 'county.conf:$cline:.*evidence_max_kb' '$T/county.out'" \
    "grep -q 'county_config .*county.conf does not load' '$T/county.out'"
check "gascounty still running" kill -0 "$PID_county"
finish
