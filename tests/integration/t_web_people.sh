#!/bin/sh
# An identity the county removes loses the console at once (docs/console.md,
# "Who may sign in"; docs/county.md, "Reload").  Until 7 Dec 2026 gasweb
# knew only its passwords file: an officer taken out of the county's
# identities file (and gascounty sent SIGHUP) was refused over CoAP at once
# but kept his open console session, his console password still signed him
# in, and he could still dismiss his township's cases.  gascounty now
# writes the names of its people to the table people and gasweb asks it.
#
# Through a real gascounty and gasweb: wang (officer of TA) signs in; the
# county removes him; his session is over (303 to /signin), his right
# password gets the answer of a wrong one (and of an identity no one has),
# his old session cannot dismiss TA's case; put back, he signs in again;
# `gasweb passwd --remove` takes a password out of the file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys officer:wang@TA
county_start || { fail "gascounty did not start"; finish; }
printf 'village,township\n东村,TA\n北村,TB\n' >"$T/villages.csv"
web_conf "catalogue = $(cd "$(dirname "$0")/../.." && pwd)/etc/catalogue.csv
villages = $T/villages.csv"
web_passwd officer:wang@TA wang-password-1
web_passwd officer:li@TA li-password-1
web_passwd grid:eve@TA eve-password-1
web_start || { fail "gasweb did not start"; finish; }
csrf_of() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$1" | head -n 1; }
people() { county_sql "SELECT group_concat(identity, ' ') FROM (SELECT identity FROM people ORDER BY identity)"; }
# the sign-in form's answer without its tokens and the identity it echoes:
# status, then the page
answer_of() { # JAR IDENTITY PASSWORD
	C -c "$1" -b "$1" "$U/signin" >"$1.form"
	C -c "$1" -b "$1" -o "$1.answer" -w '%{http_code}\n' --data-urlencode "identity=$2" \
	    --data-urlencode "password=$3" --data-urlencode "csrf=$(csrf_of "$1.form")" "$U/signin"
	sed "s/value=\"[0-9a-f]\{64\}\"/value=\"\"/g; s/$2/IDENTITY/g" "$1.answer"
}

check "gascounty wrote its people, names only (got $(people))" \
    all '[ "$(people)" = "grid:eve@TA officer:li@TA officer:wang@TA regulator:alice" ]' \
    '[ "$(county_sql "SELECT count(*) FROM pragma_table_info('"'people'"')")" = 2 ]'
check "wang, li and eve sign in" \
    all '[ "$(signin "$T/wang.jar" officer:wang@TA wang-password-1)" = 303 ]' \
    '[ "$(signin "$T/li.jar" officer:li@TA li-password-1)" = 303 ]' \
    '[ "$(signin "$T/eve.jar" grid:eve@TA eve-password-1)" = 303 ]'

# a case of TA: eve's report
head -c 2000 /dev/urandom >"$T/one.jpg"
printf '\377\330\377' | dd of="$T/one.jpg" conv=notrunc 2>/dev/null
C -b "$T/eve.jar" -o "$T/report-form.html" "$U/report"
code=$(C -b "$T/eve.jar" -o /dev/null -w '%{http_code}' -H "Origin: $U" \
    -F "csrf=$(csrf_of "$T/report-form.html")" -F kind=stacked -F village=东村 \
    -F "note=发现违规堆放" -F "place=东村 3 号院" -F lat=29.05 -F lon=119.15 \
    -F "photo=@$T/one.jpg;type=image/jpeg" "$U/report")
CASE=$(county_sql "SELECT min(id) FROM cases WHERE township = 'TA'")
check "eve reports a site in TA: a case (303, got $code; case $CASE)" \
    all '[ "$code" = 303 ]' '[ -n "$CASE" ]'
C -b "$T/wang.jar" -o "$T/case.html" "$U/cases/$CASE"
check "wang opens TA's case" grep -q 'name="csrf"' "$T/case.html"
wrong=$(answer_of "$T/wrong.jar" officer:wang@TA not-wang-password)
since=$(county_sql "SELECT since_ms FROM people WHERE identity = 'officer:li@TA'")
nobody=$(answer_of "$T/nobody.jar" officer:nobody@TA wang-password-1)

# --- the county removes wang ----------------------------------------------------------
grep -v '^officer:wang@TA ' "$T/ids" >"$T/ids.new" && cat "$T/ids.new" >"$T/ids"
kill -HUP "$PID_county"
check "gascounty takes him out of its people at the reload" \
    sql_eventually 10 "SELECT count(*) FROM people WHERE identity = 'officer:wang@TA'" 0
check "the others stay, with the time they came (got $(people))" \
    all '[ "$(people)" = "grid:eve@TA officer:li@TA regulator:alice" ]' \
    '[ "$(county_sql "SELECT since_ms FROM people WHERE identity = '"'officer:li@TA'"'")" = "$since" ]'
code=$(C -b "$T/wang.jar" -o "$T/removed.html" -D "$T/removed.hdr" -w '%{http_code}' \
    "$U/cases/$CASE")
check "his open session is over (303 to /signin, got $code)" \
    all '[ "$code" = 303 ]' 'grep -qi "^location: /signin" "$T/removed.hdr"'
check "the console's log says why" \
    grep -q "officer:wang@TA: removed from the county: 1 session ended" "$T/web.log"
code=$(C -b "$T/wang.jar" -o /dev/null -w '%{http_code}' -H "Origin: $U" \
    -F "csrf=$(csrf_of "$T/case.html")" -F step=dismiss -F "note=重复，不予立案" \
    "$U/cases/$CASE/step")
check "his old session may not dismiss TA's case (403, got $code; case $(county_sql "SELECT state FROM cases WHERE id = $CASE"))" \
    all '[ "$code" = 403 ]' '[ "$(county_sql "SELECT state FROM cases WHERE id = $CASE")" = new ]'
removed=$(answer_of "$T/wang2.jar" officer:wang@TA wang-password-1)
printf '%s\n' "$wrong" >"$T/answer-wrong"; printf '%s\n' "$removed" >"$T/answer-removed"
printf '%s\n' "$nobody" >"$T/answer-nobody"
check "his right password gets the answer of a wrong one: 401 and the same page ($(diff "$T/answer-wrong" "$T/answer-removed" | head -c 300))" \
    all '[ "$(echo "$removed" | head -n 1)" = 401 ]' '[ "$removed" = "$wrong" ]' \
    '[ "$removed" = "$nobody" ]'
C -b "$T/wang2.jar" -o "$T/case2.html" -D "$T/case2.hdr" "$U/cases/$CASE"
code=$(C -b "$T/wang2.jar" -o /dev/null -w '%{http_code}' -H "Origin: $U" \
    -F "csrf=$(csrf_of "$T/wang2.jar.form")" -F step=dismiss -F "note=重复，不予立案" \
    "$U/cases/$CASE/step")
check "nor does that sign-in dismiss the case (303 to /signin, then 403, got $code; case $(county_sql "SELECT state FROM cases WHERE id = $CASE"))" \
    all 'grep -qi "^location: /signin" "$T/case2.hdr"' '[ "$code" = 403 ]' \
    '[ "$(county_sql "SELECT state FROM cases WHERE id = $CASE")" = new ]'
code=$(C -b "$T/li.jar" -o /dev/null -w '%{http_code}' "$U/cases/$CASE")
check "li, still one of the county, keeps his session (200, got $code)" [ "$code" = 200 ]

# --- put back ----------------------------------------------------------------------------
echo "officer:wang@TA $(tr -d '\n' <"$T/officer_wang@TA.key")" >>"$T/ids"
kill -HUP "$PID_county"
check "gascounty takes him back at the next reload" \
    sql_eventually 10 "SELECT count(*) FROM people WHERE identity = 'officer:wang@TA'" 1
check "and his password signs him in again" \
    [ "$(signin "$T/wang3.jar" officer:wang@TA wang-password-1)" = 303 ]

# --- gasweb passwd --remove ------------------------------------------------------------
"$BUILD/gasweb" -c "$T/web.conf" passwd --remove officer:li@TA >"$T/rm.out" 2>&1
rc=$?
check "gasweb passwd --remove takes li's line out (exit $rc: $(cat "$T/rm.out"))" \
    all '[ "$rc" = 0 ]' '! grep -q "^officer:li@TA " "$T/passwords"' \
    'grep -q "^officer:wang@TA " "$T/passwords"' \
    '[ "$(stat -c %a "$T/passwords")" = 600 ]'
code=$(C -b "$T/li.jar" -o /dev/null -w '%{http_code}' "$U/cases/$CASE")
check "li's session is over (303, got $code)" [ "$code" = 303 ]
check "and his password no longer signs him in" \
    [ "$(signin "$T/li2.jar" officer:li@TA li-password-1)" = 401 ]
"$BUILD/gasweb" -c "$T/web.conf" passwd --remove officer:li@TA >"$T/rm2.out" 2>&1
rc=$?
check "removing him again says so, exit 1 (exit $rc: $(cat "$T/rm2.out"))" \
    all '[ "$rc" = 1 ]' 'grep -q "officer:li@TA has no password in" "$T/rm2.out"'
"$BUILD/gasweb" -c "$T/web.conf" passwd --remove >/dev/null 2>&1
rc=$?
check "--remove without an identity is a usage error (exit 2, got $rc)" [ "$rc" = 2 ]
check "gasweb passwd --help tells of --remove" \
    eval '"$BUILD/gasweb" passwd --help | grep -q -- "--remove"'
check "no password reached a log" \
    all '! grep -q "password-1" "$T/web.log"' '! grep -q "password-1" "$T/county.log"'
finish
