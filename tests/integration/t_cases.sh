#!/bin/sh
# Cases end to end with real processes (gassim -> gasgw -> gascounty ->
# gaswatch): a station's overfill (R20) becomes a case of the station's
# township; its officer accepts it, records the visit with a photo, decides
# a fine from the county's catalogue and closes it; the regulator reads the
# whole timeline.  Another township's officer is refused, and so is the
# township's shared key.  A grid worker's report from a village opens a case
# in that village's township and no other.  gascounty killed with -9 while
# steps are being recorded leaves no step half-done: every case's state is
# its last step's, and every step the officer was told was done is there.
# A case left alone past its deadline appears in the regulator's overdue
# list with its township.  Figures count the closed case and its outcome.
# What gaswatch is refused in this work (another identity's action, a
# village not in the county's list, a note the step needs, a note with a
# person's number) is said in the person's language, before anything is
# sent where gaswatch can tell.  gaswatch show names a decision, a decision
# set aside and a report's kind by the catalogue's names, and by their codes
# once the county's catalogue no longer holds them.  Texts of others that
# keep their line breaks at the county (a grid worker's note and place, a
# station's violation details as an alert's text and a case's title) reach
# the officer's terminal on their own lines, with no control byte (C0, DEL,
# C1 such as CSI), and as sent in --json.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"

PREACT=0 # no pre-act: the fill runs over (R20, alert)
fill_setup 1 || { fail "set-up"; finish; }

TA=330825101 # the station's township
TB=330825102
: >"$T/ids"
chmod 600 "$T/ids"
for id in station:S1 station:S2 township:$TA officer:wang@$TA officer:li@$TB grid:dan@$TA regulator:alice; do
	f="$T/$(echo "$id" | tr ':' '_').key"
	key_file "$id" "$f"
	echo "$id $(tr -d '\n' <"$f")" >>"$T/ids"
done
printf 'village,township\n东村,%s\n南村,%s\n' $TA $TB >"$T/villages.csv"
cp "$PWD_TOP/etc/catalogue.csv" "$T/catalogue.csv"
COUNTY_EXTRA="catalogue = $T/catalogue.csv
villages = $T/villages.csv
case_alert_accept_min = 1
case_alert_onsite_min = 600
case_alert_close_min = 6000"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

# people: as_person IDENTITY ARGS...
as_person() {
	who=$1; shift
	"$BUILD/gaswatch" --as "$who" -k "$T/$(echo "$who" | tr ':' '_').key" -p "$CPORT" "$@"
}
WANG=officer:wang@$TA
LI=officer:li@$TB
DAN=grid:dan@$TA

# --- a grid worker's report, left alone (the overdue list at the end) ------------
as_person $DAN report --kind 违规堆放气瓶 --village 东村 --note "村口堆放十余只气瓶" >"$T/r0.out" 2>&1
check "a report from 东村 opens a case (the id is printed)" grep -q "[0-9]" "$T/r0.out"
LEFT=$(county_sql "SELECT max(id) FROM cases WHERE village='东村'")

# --- the station's overfill ------------------------------------------------------
gw_stop
cat >>"$T/station.conf" <<EOF
[county]
host = 127.0.0.1
port = $CPORT
psk_file = $T/station_S1.key
EOF
gw_start || { fail "gasgw restarted with the uplink"; finish; }
sim flow 1 2.5
sim place 1 15.3
wait_state 1 idle 5
ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
check "the station holds an overfilled cylinder (R20)" grep -q "^R20 overfilled" "$T/fill.out"
if sql_eventually 20 "SELECT count(*) FROM cases WHERE kind='R20' AND township='$TA' AND state='new'" 1; then
	ok "the overfill became one new case of the station's township"
else
	fail "the overfill became one new case of the station's township"
fi
ID=$(county_sql "SELECT id FROM cases WHERE kind='R20'")

as_person $WANG list >"$T/list.out" 2>&1
check "the officer's list has a header and the case" \
    sh -c "head -1 '$T/list.out' | grep -q '^ID ' && grep -q '^$ID .*new' '$T/list.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $WANG list \
    >"$T/list_zh.out" 2>&1
# the columns by what the terminal draws: each header word starts where its row's does
check "the Chinese list's header stands over its columns (状态 over 待受理, 乡镇 over the code)" \
    /usr/bin/python3 -c '
import sys, unicodedata
def col(line, word):
    i = line.index(word)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:i])
head, row = open(sys.argv[1], encoding="utf-8").read().splitlines()[:2]
sys.exit(0 if col(head, "状态") == col(row, "待受理") and col(head, "乡镇") == col(row, sys.argv[2]) else 1)
' "$T/list_zh.out" "$TA"
as_person $LI list >"$T/list_li.out" 2>&1
check "another township's officer does not see it" sh -c "! grep -q '^$ID ' '$T/list_li.out'"
as_person $LI accept "$ID" >"$T/li.out" 2>&1
check "another township's officer may not accept it (exit 3)" \
    sh -c "[ $? -eq 3 ] && grep -q 'refused' '$T/li.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $LI show "$ID" \
    >"$T/li_zh.out" 2>&1
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $LI show 999999 \
    >"$T/none_zh.out" 2>&1
check "the county's reasons for a case it will not show are said in Chinese" \
    all "grep -q '这是其他乡镇的案件' '$T/li_zh.out'" "grep -q '没有这个案件' '$T/none_zh.out'" \
    "! grep -q 'another township\|no such case' '$T/li_zh.out' '$T/none_zh.out'"
"$BUILD/gaswatch" --as township:$TA -k "$T/township_$TA.key" -p "$CPORT" accept "$ID" \
    >"$T/shared.out" 2>&1
check "the township's shared key cannot act on cases (exit 3)" [ $? -eq 3 ]
check "and is told who may, and who it is" \
    grep -q "^gaswatch: refused by the county: only regulators and officers may do this (you are township:$TA)" \
    "$T/shared.out"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gaswatch" --as township:$TA -k "$T/township_$TA.key" -p "$CPORT" accept "$ID" \
    >"$T/shared_zh.out" 2>&1
check "in Chinese under zh_CN (the county's door said 'regulators and officers only')" \
    all "grep -q '^gaswatch：县级平台拒绝（refused）：只有县级监管人员和乡镇执法人员可以这样做（您的身份是 township:$TA）' '$T/shared_zh.out'" \
    "! grep -q 'only' '$T/shared_zh.out'"
# the alerts are the township key's: an officer's identity asking is told so, in Chinese
ALERT=$(county_sql "SELECT min(id) FROM alerts WHERE township='$TA'")
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $WANG --once \
    >"$T/follow_zh.out" 2>&1
check "an officer following alerts is told they are the township key's (exit 3, Chinese)" \
    all "[ $? -eq 3 ]" "grep -q '^gaswatch：县级平台拒绝（refused）：只有乡镇共用密钥（--township）可以这样做' '$T/follow_zh.out'" \
    "! grep -q 'warning\|4.03' '$T/follow_zh.out'"
as_person $WANG ack "$ALERT" --note "处理完毕" >"$T/ack_officer.out" 2>&1
check "an officer's ack is not told the alert is another township's" \
    all "[ $? -eq 3 ]" "grep -q 'refused by the county: only township keys (--township) may do this' '$T/ack_officer.out'" \
    "! grep -q 'belongs to another township' '$T/ack_officer.out'"
"$BUILD/gaswatch" --township $TA -k "$T/township_$TA.key" -p "$CPORT" ack "$ALERT" \
    --note "购气人 $BUYER1 已处理" >"$T/ack_number.out" 2>&1
check "a disposition's note with a person's number is refused before anything is sent (exit 2)" \
    all "[ $? -eq 2 ]" "grep -q 'looks like it holds a person.s ID number' '$T/ack_number.out'" \
    "! grep -q '$BUYER1' '$T/ack_number.out'" \
    "[ \"\$(county_sql 'SELECT count(*) FROM dispositions')\" = 0 ]"
as_person $WANG close "$ID" >"$T/early.out" 2>&1
check "closing a new case is refused with the reason" \
    sh -c "[ $? -eq 1 ] && grep -q 'is new' '$T/early.out'"

# a broken catalogue on SIGHUP is named by its line and changes nothing
cp "$T/catalogue.csv" "$T/catalogue.good"
echo "power,P99,x,,fine" >>"$T/catalogue.csv"
kill -HUP "$PID_county"
wait_for 10 grep -q "catalogue.csv:[0-9]*: a power needs its legal basis" "$T/county.log"
check "a broken catalogue on SIGHUP is named by FILE:LINE and the old one stays in force" \
    sh -c "grep -q 'catalogue.csv:[0-9]*: a power needs its legal basis' '$T/county.log' &&
        grep -q 'catalogue stay in force' '$T/county.log'"
cp "$T/catalogue.good" "$T/catalogue.csv"

# --- the officer's visit (watched through Observe on /cases) ------------------------
"$BUILD/tests/coapreq" -p "$CPORT" -u "$WANG" -k "$T/officer_wang@$TA.key" -o -P cases -t 30000 \
    >"$T/observe.out" 2>&1 &
OBS=$!
wait_for 10 grep -q "^observing 2.05" "$T/observe.out"
printf '\377\330\377\340 site photo of %s\n' "$ID" >"$T/site.jpg"
as_person $WANG accept "$ID" >"$T/s1.out" 2>&1 &&
    as_person $WANG step "$ID" onsite --note "到达现场，气瓶已扣留，倒出至14.9公斤" --photo "$T/site.jpg" \
        >"$T/s2.out" 2>&1 &&
    as_person $WANG decide "$ID" --outcome fine --power P05 --fine 2000 --note "超量充装，罚款" \
        >"$T/s3.out" 2>&1 &&
    as_person $WANG close "$ID" --note "罚款已缴纳" >"$T/s4.out" 2>&1
check "accept, on site with a photo, decide a fine, close: each done" [ $? -eq 0 ]
wait "$OBS"
check "an officer observing /cases was notified of the change" grep -q "^notified" "$T/observe.out"
check "the case is closed with the officer, the outcome and the fine" \
    [ "$(county_sql "SELECT state||' '||officer||' '||outcome||' '||power||' '||fine_yuan FROM cases WHERE id=$ID")" = \
      "closed $WANG fine P05 2000" ]
check "the photo is stored once, by its SHA-256" \
    [ "$(county_sql "SELECT hash FROM case_evidence WHERE case_id=$ID")" = "$(sha256sum "$T/site.jpg" | cut -d' ' -f1)" ]
as_person $WANG decide "$ID" --outcome fine --power P01 --fine 1 >"$T/again.out" 2>&1
check "a closed case cannot be decided again" [ $? -eq 1 ]
check "and gaswatch says why, with the case's state now" \
    grep -q "case $ID is closed now, so you cannot decide it" "$T/again.out"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $WANG decide "$ID" --outcome fine --power P01 --fine 1 >"$T/again_zh.out" 2>&1
check "in Chinese under zh_CN" grep -q "案件 $ID 现为“已关闭”，不能作出决定" "$T/again_zh.out"
steps=$(county_sql "SELECT count(*) FROM case_steps WHERE case_id=$ID")
as_person $WANG step "$ID" comment --note "车主身份证 11010519491231002X" >"$T/idno.out" 2>&1
check "a note holding a resident ID is refused by gaswatch itself (exit 2), naming the field" \
    sh -c "[ $? -eq 2 ] && grep -q 'the note (--note) looks like it holds a person.s ID number' '$T/idno.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $WANG step "$ID" comment --note "车主身份证 11010519491231002X" >"$T/idno_zh.out" 2>&1
check "in Chinese under zh_CN" grep -q "说明（--note） 中似乎含有个人证件号码" "$T/idno_zh.out"
as_person $WANG attach "$ID" "$T" >"$T/folder.out" 2>&1
rc=$?
check "gaswatch attach of a folder: said as such (exit $rc), not as a file too large" \
    all '[ $rc -eq 1 ]' "grep -q 'not a file (a folder?)' '$T/folder.out'"
as_person $WANG attach "$ID" "$T/site.jpg" --type bogus >"$T/type.out" 2>&1
rc=$?
check "gaswatch attach --type bogus: refused before sending (exit $rc), naming --type" \
    all '[ $rc -eq 1 ]' "grep -q -- '--type bogus is not a media type' '$T/type.out'"
check "and nothing reached the county: no step, the number in no log" \
    sh -c "[ \"\$(sqlite3 '$T/county.db' 'SELECT count(*) FROM case_steps WHERE case_id=$ID')\" = $steps ] &&
        ! grep -q 11010519491231002X '$T/county.log'"

as_person regulator:alice show "$ID" >"$T/show.out" 2>&1
check "the regulator sees the whole timeline: opened, accepted, on site, decided, closed" \
    sh -c "grep -q 'county *opened' '$T/show.out' && grep -q '$WANG *accepted' '$T/show.out' &&
        grep -q 'on site.*倒出至14.9公斤' '$T/show.out' && grep -q 'decided.*罚款' '$T/show.out' &&
        grep -q 'closed.*罚款已缴纳' '$T/show.out' && grep -q 'site.jpg' '$T/show.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person regulator:alice show "$ID" \
    >"$T/show_zh.out" 2>&1
check "under zh_CN the timeline is in Chinese" \
    sh -c "grep -q '时间线' '$T/show_zh.out' && grep -q '已受理' '$T/show_zh.out'"
check "the decision is shown by the catalogue's names, each with its code, a rule by its code and name" \
    all "grep -q '^  outcome:  罚款 (fine)  power: 气瓶超量充装 (P05)  fine: 2000 yuan$' '$T/show.out'" \
    "grep -q '^  kind:     R20 overfilled$' '$T/show.out'"
check "and in Chinese under zh_CN" \
    all "grep -q '^  处理结果：罚款 (fine)  处罚事项：气瓶超量充装 (P05)  罚款：2000 元$' '$T/show_zh.out'" \
    "grep -q '^  类别：    R20 超量充装$' '$T/show_zh.out'"
as_person regulator:alice show "$ID" --json >"$T/show.json" 2>&1
check "--json gives the case and its steps" \
    sh -c "grep -q '\"state\":\"closed\"' '$T/show.json' && grep -q '\"action\":\"onsite\"' '$T/show.json'"
check "the case carries what the officer needs: station, the fill's curve, the cylinder's fills, the buyer masked" \
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = d["fill"]["curve"]
assert d["station"]["id"] == d["case"]["station"] != ""
assert len(c["t_ms"]) == len(c["grams"]) > 10 and c["target_g"] > 0
assert d["fills"][0]["uuid"] == d["fill"]["uuid"]
assert d["buyer"]["masked"] == d["case"]["buyer_masked"] != ""' "$T/show.json"

# --- a grid worker's report goes to the village's township --------------------------------
as_person $DAN report --kind 无码气瓶 --village 南村 --note "小卖部有三只无码气瓶" --lat 30.1 --lon 120.2 \
    >"$T/r1.out" 2>&1
check "the report from 南村 is taken" [ $? -eq 0 ]
check "it opened a case in 南村's township and not in the worker's own" \
    [ "$(county_sql "SELECT township FROM cases WHERE village='南村'")" = $TB ]
REP=$(county_sql "SELECT id FROM cases WHERE village='南村'")
as_person $LI list >"$T/li2.out" 2>&1
check "南村's township's officer sees it" grep -q "^$REP " "$T/li2.out"
as_person $WANG show "$REP" >/dev/null 2>&1
check "the worker's own township's officer may not open it (exit 3)" [ $? -eq 3 ]
as_person $DAN list --view mine >"$T/dan.out" 2>&1
check "the grid worker follows their own reports" \
    sh -c "grep -q '^$REP ' '$T/dan.out' && grep -q '^$LEFT ' '$T/dan.out' && ! grep -q '^$ID ' '$T/dan.out'"
as_person $DAN report --kind stacked --village 西村 --note y >"$T/r2.out" 2>&1
check "a village not in the county's list is refused by name" \
    sh -c "[ $? -eq 1 ] && grep -q '西村' '$T/r2.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $DAN report --kind stacked --village 西村 --note y >"$T/r2_zh.out" 2>&1
check "in Chinese under zh_CN, not in the county's English" \
    all "grep -q '^gaswatch：“西村”不在本县村（社区）名录中' '$T/r2_zh.out'" \
    "! grep -q 'village list' '$T/r2_zh.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $DAN report --kind stacked --lat 29.1 --lon 119.2 --note y >"$T/r2_map_zh.out" 2>&1
check "coordinates with no township map at the county: name the village, in Chinese" \
    all "[ $? -eq 1 ]" "grep -q '^gaswatch：县级平台没有乡镇地图' '$T/r2_map_zh.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $DAN report --kind stacked --village 东村 --note "  " >"$T/r2_blank_zh.out" 2>&1
check "a report with a blank note is refused before anything is sent (exit 2), in Chinese" \
    all "[ $? -eq 2 ]" "grep -q '^gaswatch：要上报，请用 --note 写明发现的问题；未发送任何内容' '$T/r2_blank_zh.out'"
as_person $DAN report --kind 堆放 --village 东村 --note y >"$T/r3.out" 2>&1
check "a report kind not in the catalogue is refused by gaswatch's words, pointing to the list" \
    sh -c "[ $? -eq 1 ] && grep -q 'gaswatch: \"堆放\" is not a report kind of the county.s catalogue (gaswatch catalogue lists them)' '$T/r3.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $DAN report --kind 堆放 --village 东村 --note y >"$T/r3_zh.out" 2>&1
check "in Chinese under zh_CN" grep -q '“堆放”不是县级目录中的上报类别' "$T/r3_zh.out"

# --- kill -9 between steps: nothing half-done, nothing told done and lost -------------------
as_person $LI accept "$REP" >/dev/null 2>&1
steps=$(county_sql "SELECT count(*) FROM case_steps WHERE case_id=$REP")
as_person $LI decide "$REP" --outcome nosuch >"$T/nosuch.out" 2>&1
check "an outcome not in the catalogue is refused, said by gaswatch and pointing to the list" \
    sh -c "[ $? -eq 1 ] && grep -q '\"nosuch\" is not an outcome of the county.s catalogue (gaswatch catalogue lists them)' '$T/nosuch.out'"
as_person $LI decide "$REP" --outcome fine --power P05 >"$T/nofine.out" 2>&1
check "a fine without its amount: named by the catalogue's name" \
    sh -c "[ $? -eq 1 ] && grep -q '罚款 (fine) is a fine: give its amount in yuan (--fine)' '$T/nofine.out'"
as_person $LI decide "$REP" --outcome warning --fine 200 >"$T/warnfine.out" 2>&1
check "an amount given with an outcome that is no fine" \
    grep -q '警告 (warning) is not a fine: leave out --fine' "$T/warnfine.out"
as_person $LI decide "$REP" --outcome confiscation >"$T/nopower.out" 2>&1
check "an outcome some power ends in, with no power named" \
    grep -q '没收违法所得和非法财物 (confiscation) needs the penalty power it rests on (--power' "$T/nopower.out"
as_person $LI decide "$REP" --outcome warning --power P77 >"$T/badpower.out" 2>&1
check "a power not in the catalogue" \
    grep -q '"P77" is not a penalty power of the county.s catalogue' "$T/badpower.out"
as_person $LI decide "$REP" --outcome confiscation --power P05 >"$T/mismatch.out" 2>&1
check "a power that does not end in the outcome, both by name" \
    grep -q 'the penalty power 气瓶超量充装 (P05) does not end in 没收违法所得和非法财物 (confiscation)' "$T/mismatch.out"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $LI decide "$REP" --outcome confiscation --power P05 >"$T/mismatch_zh.out" 2>&1
check "in Chinese under zh_CN" \
    grep -q '处罚权力 气瓶超量充装 (P05) 不能作出 没收违法所得和非法财物 (confiscation) 的决定' "$T/mismatch_zh.out"
check "none of the refused decisions reached the case" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE case_id=$REP")" = "$steps" ]
as_person $LI step "$REP" comment >"$T/nonote.out" 2>&1
check "a comment without a note is refused before anything is sent, saying what to write (exit 2)" \
    sh -c "[ $? -eq 2 ] && grep -q '^gaswatch: to comment on it, say what you have to say with --note TEXT; nothing was sent' '$T/nonote.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $LI step "$REP" dismiss \
    >"$T/nonote_zh.out" 2>&1
check "and a dismissal without one, in Chinese" \
    all "[ $? -eq 2 ]" "grep -q '^gaswatch：.*请用 --note 写明不予立案的理由；未发送任何内容' '$T/nonote_zh.out'"
# refusals the county gives in fixed text, said by gaswatch with what it sent
steps=$(county_sql "SELECT count(*) FROM case_steps WHERE case_id=$REP")
as_person regulator:alice reassign "$REP" --to 999 --note "改派" >"$T/badtown.out" 2>&1
check "a reassignment to a township the county does not know is said with the township sent (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q '^gaswatch: 999 is not a township of this county: nothing changed' '$T/badtown.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person regulator:alice reassign "$REP" --to 999 --note "改派" >"$T/badtown_zh.out" 2>&1
check "in Chinese under zh_CN" \
    all "[ $? -eq 1 ]" "grep -q '^gaswatch：999 不是本县的乡镇，未作改动' '$T/badtown_zh.out'" \
    "! grep -q 'township' '$T/badtown_zh.out'"
head -c 2252800 /dev/zero >"$T/big.jpg" # 2200 KiB, over evidence_max_kb (2048)
as_person $LI attach "$REP" "$T/big.jpg" >"$T/big.out" 2>&1
check "evidence over the county's evidence_max_kb is said with the file's name and size (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q '^gaswatch: big.jpg is 2200 KiB, more than the county takes for evidence (its evidence_max_kb): nothing was stored' '$T/big.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person $LI attach "$REP" "$T/big.jpg" >"$T/big_zh.out" 2>&1
check "in Chinese under zh_CN" \
    all "[ $? -eq 1 ]" "grep -q '^gaswatch：big.jpg 有 2200 KiB，超过县级平台接收的证据大小' '$T/big_zh.out'" \
    "! grep -q 'evidence of' '$T/big_zh.out'"
check "nothing of either was stored, and the county's log keeps the values" \
    all "[ \"\$(county_sql \"SELECT count(*) FROM case_steps WHERE case_id=$REP\")\" = $steps ]" \
    "grep -q 'case $REP: reassignment to 999 refused: the township is not a township of this county' '$T/county.log'" \
    "grep -q 'case $REP: attach refused: .*(evidence of 2252800 bytes, at most 2048 KiB)' '$T/county.log'"
# comments one after the other until the county stops answering
( i=0; while [ $i -lt 400 ]; do
	as_person $LI step "$REP" comment --note "记录 $i" >/dev/null 2>&1 || break
	echo ok; i=$((i + 1))
done >"$T/comments.out" ) &
BGC=$!
sql_eventually 60 "SELECT count(*) >= 5 FROM case_steps WHERE case_id=$REP AND action='comment'" 1
kill -9 "$PID_county"
wait "$PID_county" 2>/dev/null
wait "$BGC"
county_start "$CPORT" || { fail "gascounty restarted"; finish; }
check "the database is whole after kill -9" [ "$(county_sql "PRAGMA integrity_check")" = ok ]
check "every case's state is the state of its last step" \
    [ "$(county_sql "SELECT count(*) FROM cases c WHERE state <> (SELECT state FROM case_steps s WHERE s.case_id=c.id ORDER BY id DESC LIMIT 1)")" = 0 ]
told=$(grep -c '^ok' "$T/comments.out")
kept=$(county_sql "SELECT count(*) FROM case_steps WHERE case_id=$REP AND action='comment'")
sent=$((told + 1)) # the last one, unanswered, may or may not have been kept
echo "# comments: $told acknowledged, $kept kept, $sent sent"
check "every comment the officer was told was done is kept, none twice ($told <= $kept <= $sent)" \
    sh -c "[ $told -le $kept ] && [ $kept -le $sent ] && [ $told -ge 5 ] && [ $told -lt 400 ]"
as_person $LI step "$REP" onsite --note "已到场" >/dev/null 2>&1
check "the case goes on after the restart" \
    [ "$(county_sql "SELECT state FROM cases WHERE id=$REP")" = onsite ]

# --- the case left alone is overdue ----------------------------------------------
if wait_for 100 sh -c "'$BUILD/gaswatch' --as regulator:alice -k '$T/regulator_alice.key' -p $CPORT overdue 2>/dev/null | grep -q '^$LEFT .*$TA.*overdue'"; then
	ok "the case left alone is in the regulator's overdue list with its township"
else
	fail "the case left alone is in the regulator's overdue list with its township"
fi
check "and its timeline says (once) it was escalated to the county" \
    sql_eventually 10 "SELECT count(*) FROM case_steps WHERE case_id=$LEFT AND action='escalate'" 1
"$BUILD/gaswatch" --as regulator:alice -k "$T/regulator_alice.key" -p $CPORT show "$LEFT" \
    >"$T/left.show" 2>&1
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" "$BUILD/gaswatch" --as regulator:alice \
    -k "$T/regulator_alice.key" -p $CPORT show "$LEFT" >"$T/left_zh.show" 2>&1
check "gaswatch show says which stage was late and by how much, in the reader's language" \
    all "grep -q 'escalated to the county *acceptance overdue by [0-9]* min' '$T/left.show'" \
    "grep -q '逾期，已上报县级督导 *受理已超期 [0-9]* 分钟' '$T/left_zh.show'"
as_person $LI overdue >"$T/li_overdue.out" 2>&1
check "another township's officer does not see it as theirs" sh -c "! grep -q '^$LEFT ' '$T/li_overdue.out'"

as_person regulator:alice figures >"$T/fig.out" 2>&1
check "figures: the station's township closed one case, a fine" \
    grep -q "^$TA .* fine=1" "$T/fig.out"
as_person regulator:alice figures --from 2026-12-07 --to 2026-12-01 >"$T/figrev.out" 2>&1
rc=$?
check "figures over a period that ends before it begins: refused by gaswatch (exit $rc)" \
    all '[ $rc -eq 2 ]' \
    "grep -q 'the period ends before it begins (--from 2026-12-07, --to 2026-12-01)' '$T/figrev.out'"
as_person regulator:alice figures --from 2026-13-01 >"$T/figbad.out" 2>&1
rc=$?
check "... and a date that is none, named by its option (exit $rc)" \
    all '[ $rc -eq 2 ]' "grep -q 'gaswatch: --from 2026-13-01: ' '$T/figbad.out'"
check "the county refuses the reversed period too (4.00), and answers it the right way round" \
    all "'$BUILD/tests/coapreq' -p $CPORT -u regulator:alice -k '$T/regulator_alice.key' -m GET -P cases/figures -q 'from=1764979200000&to=1764547200000' 2>&1 | grep -q '^code 4.00'" \
    "'$BUILD/tests/coapreq' -p $CPORT -u regulator:alice -k '$T/regulator_alice.key' -m GET -P cases/figures -q 'from=1764547200000&to=1764979200000' 2>&1 | grep -q '^code 2.05'"
# --- a decision set aside, by the catalogue's names while it has them -------------
as_person $LI decide "$REP" --outcome warning --power P01 --note "当场警告" >"$T/warn.out" 2>&1
check "the report's case is decided: a warning on P01" [ $? -eq 0 ]
as_person $LI show "$REP" >"$T/rep.show" 2>&1
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person $LI show "$REP" \
    >"$T/rep_zh.show" 2>&1
check "gaswatch show names the report's kind and the decision by the catalogue, codes beside" \
    all "grep -q '^  kind:     无码气瓶 (nocode)$' '$T/rep.show'" \
    "grep -q '^  outcome:  警告 (warning)  power: 违规储存、堆放瓶装燃气 (P01)  fine: 0 yuan$' '$T/rep.show'"
check "and in Chinese under zh_CN" \
    all "grep -q '^  类别：    无码气瓶 (nocode)$' '$T/rep_zh.show'" \
    "grep -q '^  处理结果：警告 (warning)  处罚事项：违规储存、堆放瓶装燃气 (P01)  罚款：0 元$' '$T/rep_zh.show'"
as_person regulator:alice reassign "$REP" --to $TA --note "店在东村" >"$T/aside.out" 2>&1
check "the regulator moves the decided case, setting its decision aside" [ $? -eq 0 ]
as_person regulator:alice show "$REP" >"$T/aside.show" 2>&1
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person regulator:alice show "$REP" \
    >"$T/aside_zh.show" 2>&1
check "gaswatch show says the decision set aside by the catalogue's names" \
    grep -q "$TB -> $TA: 店在东村 (the decision of $TB set aside: outcome 警告 (warning), penalty power 违规储存、堆放瓶装燃气 (P01), fine 0 yuan)" "$T/aside.show"
check "and in Chinese under zh_CN" \
    grep -q "$TB -> $TA: 店在东村（$TB 作出的决定已撤销：处理结果 警告 (warning)，处罚事项 违规储存、堆放瓶装燃气 (P01)，罚款 0 元）" "$T/aside_zh.show"
# the county drops the warning, P01 and the nocode kind from its files: what the cases
# were written with is shown by its codes, and the show still succeeds
sed -e '/^outcome,warning,/d' -e '/^power,P01,/d' -e '/^report,nocode,/d' -e 's/warning;//' \
    "$T/catalogue.csv" >"$T/catalogue.new" && mv "$T/catalogue.new" "$T/catalogue.csv"
kill -HUP "$PID_county"
wait_for 10 grep -q "reload: configuration from" "$T/county.log"
as_person regulator:alice show "$REP" >"$T/gone.show" 2>&1
rc=$?
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" as_person regulator:alice show "$REP" \
    >"$T/gone_zh.show" 2>&1
rc_zh=$?
check "codes no longer in the catalogue are shown as codes, and the show succeeds (exit $rc, $rc_zh)" \
    all '[ $rc -eq 0 ] && [ $rc_zh -eq 0 ]' \
    "grep -q '(the decision of $TB set aside: outcome warning, penalty power P01, fine 0 yuan)' '$T/gone.show'" \
    "grep -q '^  what: .* (nocode)$' '$T/gone.show'" \
    "grep -q '（$TB 作出的决定已撤销：处理结果 warning，处罚事项 P01，罚款 0 元）' '$T/gone_zh.show'" \
    "grep -q '^  事由：.*（nocode）$' '$T/gone_zh.show'"
as_person regulator:alice show "$ID" >"$T/still.show" 2>&1
check "while the codes still in it keep their names" \
    grep -q '^  outcome:  罚款 (fine)  power: 气瓶超量充装 (P05)  fine: 2000 yuan$' "$T/still.show"

# --- others' texts on the officer's terminal: each on its own line, no escape ------------
# The county keeps the line breaks and tabs of a note, a place and a violation's details
# (free texts) and takes C1 controls (well-formed UTF-8).  A grid worker lays a forged step
# out after a line break in a report's note, with CSI (U+009B) "2J", erase the screen; a
# station does the same with a forged row of the case list in a violation's details, which
# become an alert's text and its case's title.  gaswatch prints each on the line it
# belongs to, the controls as spaces (termtext.h); --json keeps what was sent.
CSI=$(printf '\302\233')
FORGED_STEP="  2025-01-01 09:00 +08:00  $WANG   closed          已处理，无违规"
as_person $DAN report --kind 违规堆放气瓶 --village 东村 --note "村口堆放气瓶${CSI}2J
$FORGED_STEP" --place "$(printf '村口\t小卖部\n后院')" >"$T/forge_r.out" 2>&1
check "a report whose note holds a line break, a forged step and a CSI is taken" [ $? -eq 0 ]
FORGE=$(county_sql "SELECT max(id) FROM cases WHERE village='东村'")
as_person $WANG show "$FORGE" >"$T/forge_show.out" 2>&1
check "gaswatch show: no control byte reaches the officer's terminal (C0, DEL, C1)" \
    no_control_bytes "$T/forge_show.out"
check "the note stays on its step's line, its CSI and line break spaces: no step is forged" \
    all "grep -q '^  .* reported *村口堆放气瓶 2J   2025-01-01 09:00 +08:00  $WANG   closed' '$T/forge_show.out'" \
    "! grep -q '^  2025-01-01' '$T/forge_show.out'"
check "the report's place on its own line, its tab and line break spaces" \
    grep -q "^  reported: $DAN in 东村, 村口 小卖部 后院 (" "$T/forge_show.out"
as_person $WANG show "$FORGE" --json >"$T/forge_show.json" 2>&1
check "gaswatch show --json keeps the note and the place as the worker sent them" \
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["case"]["place"] == "村口\t小卖部\n后院", d["case"]["place"]
assert any(s["note"].startswith("村口堆放气瓶\u009b2J\n  2025-01-01 09:00") for s in d["steps"]), d["steps"]
' "$T/forge_show.json"
FORGED_ROW="999    critical  new        $TA  -   2025-01-01 09:00 +08:00 R20 overfilled"
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S2 -k "$T/station_S2.key" -m POST -P records \
    -b "batch:S2:$TA:1" -T "overfilled by 2 kg${CSI}2J
$FORGED_ROW" >"$T/forge_batch.out" 2>&1
check "a station's violation whose details hold a line break, a forged row and a CSI is taken" \
    grep -q '^code 2.04' "$T/forge_batch.out"
if sql_eventually 20 "SELECT count(*) FROM cases WHERE station='S2' AND township='$TA'" 1; then
	ok "it became an alert and a case of the station's township"
else
	fail "it became an alert and a case of the station's township"
fi
FID=$(county_sql "SELECT id FROM cases WHERE station='S2'")
as_person $WANG list >"$T/forge_list.out" 2>&1
check "gaswatch list: the case's title on its row, no row forged, no control byte" \
    all "no_control_bytes '$T/forge_list.out'" "! grep -q '^999 ' '$T/forge_list.out'" \
    "grep -q '^$FID .*overfilled by 2 kg 2J 999    critical  new' '$T/forge_list.out'"
as_person $WANG show "$FID" >"$T/forge_title.out" 2>&1
check "gaswatch show: the title on the what: line, and the opening step on its own" \
    all "no_control_bytes '$T/forge_title.out'" "! grep -q '^999 ' '$T/forge_title.out'" \
    "grep -q '^  what: *overfilled by 2 kg 2J 999    critical' '$T/forge_title.out'" \
    "grep -q ' opened *overfilled by 2 kg 2J 999    critical' '$T/forge_title.out'"
"$BUILD/gaswatch" --township $TA -k "$T/township_$TA.key" -p "$CPORT" --once \
    >"$T/forge_alerts.out" 2>&1
check "gaswatch --once: the alert on one line, no line forged, no control byte" \
    all "no_control_bytes '$T/forge_alerts.out'" "! grep -q '^999 ' '$T/forge_alerts.out'" \
    "grep -q ' S2 .*overfilled by 2 kg 2J 999    critical  new' '$T/forge_alerts.out'"

check "gascounty still running" kill -0 "$PID_county"
finish
