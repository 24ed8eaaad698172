#!/bin/sh
# The buyer's address only to the township that must visit (issue 15,
# docs/buyers.md "The address"): a household of township TB, registered
# with its address at a station of TA, takes a second cylinder over the
# limit (R11, routed to TB).  Only that record carries the address to the
# county, which keeps it apart from the fills; TB's officer sees it on the
# case (gaswatch cases show, and the console's case page), and each showing
# is one row of the address log; TA's officer cannot open the case; the
# regulator sees the case without the address but with the log (both
# tools); the address is in no log file (station, county, console) and no
# other county table.  The regulator then reassigns the case to TC: the
# address goes with it to TC's officer, who now visits the household (both
# tools, each showing logged under their name), and no longer to TB's;
# TC's shared key, a grid worker of TC, TA's officer and the regulator
# still get none.  Once the case is closed and its keep time over
# (address_keep_days = 1 here, the close moved two days back in SQL), the
# sweep erases it: the log counts it, both tools say it was erased, the
# address log stays, and the address is in no county table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"
LC_ALL=C
export LC_ALL

TA=330825101 # the station's township
TB=330825102 # the buyer's
TC=330825103 # where the county reassigns the case
ADDR="南村12号"
: >"$T/ids"
chmod 600 "$T/ids"
for id in station:S1 township:$TA township:$TB township:$TC officer:wang@$TA officer:li@$TB \
    officer:zhao@$TC grid:zhou@$TC regulator:alice; do
	f="$T/$(echo "$id" | tr ':' '_').key"
	key_file "$id" "$f"
	echo "$id $(tr -d '\n' <"$f")" >>"$T/ids"
done
COUNTY_EXTRA="address_keep_days = 1"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
county_uplink
fill_ready 1 2.5 "household_max = 1"
"$BUILD/gasctl" --db "$T/station.db" --buyer-key "$T/keys/buyer.key" buyers add "$BUYER2" \
    --township $TB --address "$ADDR" >"$T/add.out" 2>&1
check "the buyer is registered in TB" grep -q "township $TB" "$T/add.out"

as_person() {
	who=$1; shift
	"$BUILD/gaswatch" --as "$who" -k "$T/$(echo "$who" | tr ':' '_').key" -p "$CPORT" "$@"
}
fill() { # CYLINDER OUT
	wait_state 1 idle 5
	ctl fill 1 --cylinder "$(code "$1")" --buyer "$BUYER2" --operator OP-7 >"$T/$2" 2>&1
	reset_line 1
}
fill C-GOOD-1 f1.out
fill C-GOOD-2 f2.out
check "the second cylinder is flagged R11" grep -q "^R11 household" "$T/f2.out"
check "both fills reach the county" sql_eventually 60 "SELECT count(*) FROM fills" 2
check "the R11 case is TB's" \
    sql_eventually 30 "SELECT count(*) FROM cases WHERE kind='R11' AND township='$TB'" 1
ID=$(county_sql "SELECT id FROM cases WHERE kind='R11'")
check "the county kept one address, for the R11 fill, routed to TB" \
    [ "$(county_sql "SELECT count(*) || ' ' || a.township FROM buyer_addresses a JOIN violations v ON v.event = a.fill AND v.rule = 'R11'")" = "1 $TB" ]
check "and the other fill's address stayed at the station" \
    [ "$(county_sql "SELECT count(*) FROM buyer_addresses")" = 1 ]

as_person officer:li@$TB show "$ID" >"$T/li.out" 2>&1
check "TB's officer sees the address on the case" grep -q "$ADDR" "$T/li.out"
check "and one row of the address log names them and the case" \
    [ "$(county_sql "SELECT count(*) FROM buyer_address_views WHERE case_id=$ID AND identity='officer:li@$TB'")" = 1 ]
as_person officer:wang@$TA show "$ID" >"$T/wang.out" 2>&1
check "TA's officer cannot open the case, let alone the address" \
    sh -c "! grep -q '$ADDR' '$T/wang.out' && grep -q 'refused\|not found\|4.0' '$T/wang.out'"
as_person regulator:alice show "$ID" >"$T/reg.out" 2>&1
check "the regulator sees the case without the address" \
    sh -c "grep -q '^case $ID' '$T/reg.out' && ! grep -q '$ADDR' '$T/reg.out'"
check "but with who saw it" grep -q "seen by officer:li@$TB" "$T/reg.out"
as_person regulator:alice --json show "$ID" >"$T/reg.json" 2>&1
check "nor in the JSON answer" sh -c "grep -q address_views '$T/reg.json' && ! grep -q '$ADDR' '$T/reg.json'"
check "only TB's officer's showing was logged" \
    [ "$(county_sql "SELECT count(*) FROM buyer_address_views")" = 1 ]
# --- the console's case page: the same rule, the same log ------------------------
# (the console's townships: an account of a township it does not draw is refused)
cat >"$T/map.geojson" <<EOF
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"code": "$TA", "name": "东乡"},
  "geometry": {"type": "Polygon", "coordinates":
   [[[119.1, 29.0], [119.2, 29.0], [119.2, 29.1], [119.1, 29.1], [119.1, 29.0]]]}},
 {"type": "Feature", "properties": {"code": "$TB", "name": "南乡"},
  "geometry": {"type": "Polygon", "coordinates":
   [[[119.2, 29.0], [119.3, 29.0], [119.3, 29.1], [119.2, 29.1], [119.2, 29.0]]]}},
 {"type": "Feature", "properties": {"code": "$TC", "name": "西乡"},
  "geometry": {"type": "Polygon", "coordinates":
   [[[119.3, 29.0], [119.4, 29.0], [119.4, 29.1], [119.3, 29.1], [119.3, 29.0]]]}}
]}
EOF
web_conf "buyer_key = $T/keys/buyer.key"
for who in officer:li@$TB officer:zhao@$TC regulator:alice; do
	web_passwd "$who" "pw-$who-123456"
done
web_start || { fail "gasweb did not start"; cat "$T/web.log"; }
page_as() { # IDENTITY OUT: the case page as IDENTITY, signed in with curl
	jar="$T/jar_$(echo "$1" | tr ':@' '__')"
	u="https://127.0.0.1:$WPORT"
	csrf=$(curl -sk -c "$jar" -b "$jar" "$u/signin" |
	    sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
	curl -sk -c "$jar" -b "$jar" -H "Origin: $u" --data-urlencode "csrf=$csrf" \
	    --data-urlencode "identity=$1" --data-urlencode "password=pw-$1-123456" \
	    "$u/signin" >/dev/null
	curl -sk -b "$jar" "$u/cases/$ID" >"$T/$2"
}
page_as officer:li@$TB web_li.html
check "the console's case page shows TB's officer the address" \
    grep -q "id=\"buyer-address\">$ADDR<" "$T/web_li.html"
check "and logs that showing too" \
    [ "$(county_sql "SELECT count(*) FROM buyer_address_views WHERE identity='officer:li@$TB'")" = 2 ]
page_as regulator:alice web_reg.html
check "the regulator's page lists both showings, without the address" \
    sh -c "grep -q 'id=\"address-views\"' '$T/web_reg.html' && [ \$(grep -o 'officer:li@$TB' '$T/web_reg.html' | wc -l) -ge 2 ] && ! grep -q '$ADDR' '$T/web_reg.html'"
check "two showings in all" [ "$(county_sql "SELECT count(*) FROM buyer_address_views")" = 2 ]

check "the address is in no log file" sh -c "! grep -rq '$ADDR' '$T'/*.log"
sqlite3 "$T/county.db" .dump >"$T/county.dump"
check "the county's dump holds the address (the search does look)" grep -q "$ADDR" "$T/county.dump"
check "and in no county table but its own" \
    sh -c "grep '$ADDR' '$T/county.dump' | grep -qv 'INSERT INTO buyer_addresses' && exit 1; exit 0"

# --- reassigned: the address goes with the case to the township that now visits ------
as_person regulator:alice reassign "$ID" --to $TC --note "the household is visited from TC" \
    >"$T/reassign.out" 2>&1
check "the regulator reassigns the case to TC" \
    sql_eventually 30 "SELECT township || ' ' || state FROM cases WHERE id=$ID" "$TC new"
as_person regulator:alice reassign "$ID" --to $TC --note "the household is visited from TC" \
    >"$T/reassign2.out" 2>&1
rc=$?
as_person regulator:alice reassign "$ID" --to $TC --note "once more" >"$T/reassign3.out" 2>&1
rc3=$?
check "the same reassignment sent twice moved it once; to where it is, for another reason, is refused and said" \
    all '[ $rc -eq 0 ] && [ $rc3 -eq 1 ]' \
    "[ \"\$(county_sql \"SELECT count(*) FROM case_steps WHERE case_id=$ID AND action='reassign'\")\" = 1 ]" \
    "grep -q 'gaswatch: case $ID is in township $TC already: nothing changed' '$T/reassign3.out'"
LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person regulator:alice reassign "$ID" --to $TC --note "once more" >"$T/reassign3_zh.out" 2>&1
check "and in Chinese under zh_CN" \
    all "[ $? -eq 1 ]" "grep -q '^gaswatch：案件 $ID 已在乡镇 $TC，未作改动' '$T/reassign3_zh.out'"
as_person officer:zhao@$TC show "$ID" >"$T/zhao.out" 2>&1
check "its timeline says from where to where, and the regulator's why" \
    grep -q "reassigned *$TB -> $TC: the household is visited from TC" "$T/zhao.out"
check "TC's officer, who now visits the household, sees the address on the case" \
    grep -q "$ADDR" "$T/zhao.out"
check "and that showing is logged under their name" \
    [ "$(county_sql "SELECT count(*) FROM buyer_address_views WHERE case_id=$ID AND identity='officer:zhao@$TC'")" = 1 ]
page_as officer:zhao@$TC web_zhao.html
check "the console's case page shows TC's officer the address" \
    grep -q "id=\"buyer-address\">$ADDR<" "$T/web_zhao.html"
check "and logs that showing too" \
    [ "$(county_sql "SELECT count(*) FROM buyer_address_views WHERE identity='officer:zhao@$TC'")" = 2 ]
as_person officer:li@$TB show "$ID" >"$T/li3.out" 2>&1
check "TB's officer no longer gets the case, let alone the address" \
    sh -c "! grep -q '$ADDR' '$T/li3.out' && grep -q 'refused\|not found\|4.0' '$T/li3.out'"
page_as officer:li@$TB web_li3.html
check "nor on the console" \
    sh -c "[ -s '$T/web_li3.html' ] && ! grep -q '$ADDR\|id=\"buyer-address' '$T/web_li3.html'"
for who in township:$TC grid:zhou@$TC officer:wang@$TA; do
	as_person "$who" show "$ID" >"$T/other.out" 2>&1
	check "$who does not get the address either" \
	    sh -c "! grep -q '$ADDR' '$T/other.out' && grep -q 'refused\|not found\|4.0' '$T/other.out'"
done
as_person regulator:alice show "$ID" >"$T/reg2.out" 2>&1
check "the regulator sees the reassigned case without the address, with TC's showings" \
    sh -c "grep -q '^case $ID' '$T/reg2.out' && ! grep -q '$ADDR' '$T/reg2.out' && grep -q 'seen by officer:zhao@$TC' '$T/reg2.out'"
check "four showings in all" [ "$(county_sql "SELECT count(*) FROM buyer_address_views")" = 4 ]
check "and still the address is in no log file" sh -c "! grep -rq '$ADDR' '$T'/*.log"

# --- the keep time: erased after the case closed (docs/buyers.md) -----------------
as_person officer:zhao@$TC step "$ID" dismiss --note "no hoarding: a second household" \
    >"$T/dismiss.out" 2>&1
check "TC's officer dismisses the case" \
    sql_eventually 30 "SELECT state FROM cases WHERE id=$ID" dismissed
as_person regulator:alice reassign "$ID" --to $TB --note "back to TB" >"$T/late.out" 2>&1
check "a dismissed case is not reassigned, and gaswatch says why, with its state now" \
    sh -c "[ $? -eq 1 ] && grep -q 'gaswatch: case $ID is dismissed now, so you cannot reassign it' '$T/late.out'"
LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    as_person regulator:alice reassign "$ID" --to $TB --note "back to TB" >"$T/late_zh.out" 2>&1
check "in Chinese under zh_CN" grep -q "案件 $ID 现为“.*”，不能改派" "$T/late_zh.out"
check "the address is still kept the moment the case closed" \
    [ "$(county_sql "SELECT address FROM buyer_addresses")" = "$ADDR" ]
county_sql "UPDATE cases SET closed_ms = closed_ms - 172800000 WHERE id=$ID;
    UPDATE buyer_addresses SET received_ms = received_ms - 172800000"
check "a day after the close (moved back two) the sweep erases it" \
    sql_eventually 30 "SELECT count(*) || ':' || address FROM buyer_addresses" "1:"
check "the county's log counts it" grep -q "1 buyer address(es) erased" "$T/county.log"
as_person officer:zhao@$TC show "$ID" >"$T/zhao2.out" 2>&1
check "gaswatch tells TC's officer it was erased" \
    sh -c "grep -q 'erased after its keep time' '$T/zhao2.out' && ! grep -q '$ADDR' '$T/zhao2.out'"
page_as officer:zhao@$TC web_zhao2.html
check "so does the console's case page" \
    sh -c "grep -q 'id=\"buyer-address-erased\"' '$T/web_zhao2.html' && ! grep -q '$ADDR' '$T/web_zhao2.html'"
check "the address log stays, with no new showing" \
    [ "$(county_sql "SELECT count(*) FROM buyer_address_views")" = 4 ]
check "and the address is in no log file" sh -c "! grep -rq '$ADDR' '$T'/*.log"
sqlite3 "$T/county.db" .dump >"$T/county2.dump"
check "nor in any county table" sh -c "! grep -q '$ADDR' '$T/county2.dump'"
finish
