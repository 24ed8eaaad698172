#!/bin/sh
# Case requests sent again with their key (rid), with real processes
# (gascounty over DTLS, coapreq, gaswatch, gasweb).  libcoap does not
# de-duplicate a retransmitted confirmable POST, and a phone on a bad signal
# retries after a lost answer: before, a report handled twice after ten
# minutes was two cases, a comment handled twice after a colleague's was two
# steps, and an accept handled again after the officer went on site was
# refused although it had been taken.
#
# - A report sent twice with one rid answers 2.01 with one case id both
#   times and opens one case; another worker's report with the same rid is
#   a case of its own (a key is a person's).
# - A comment sent twice with one rid, a colleague's between, is one step.
# - An accept sent again with its rid after the officer went on site is
#   2.04, not refused, and the case has one accept.
# - The same rid on another request is a 4.09 naming rid, and so is the
#   same rid on the same step saying something else (a decision sent again
#   with another outcome and fine: before, answered as done and dropped);
#   nothing is stored and the case keeps its first decision.  A rid that is
#   no key (too short, a character outside [A-Za-z0-9_-]) is a 4.00 naming
#   rid; the bad key's text is neither answered nor logged.
# - gaswatch sends a fresh rid with each request; the console draws one
#   into each case form, so the same form posted twice adds one comment,
#   and the same form sent again with another text is 409, saying so in
#   the person's language, and stores nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"
PWD_TOP=$(cd "$(dirname "$0")/../.." && pwd)

county_keys officer:wang@TA officer:li@TA grid:dan@TA grid:eve@TA
printf 'village,township\n东村,TA\n北村,TB\n' >"$T/villages.csv"
COUNTY_EXTRA="catalogue = $PWD_TOP/etc/catalogue.csv
villages = $T/villages.csv"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

# post IDENTITY PATH FILE: one JSON request over DTLS; prints the code line and the body
post() {
	"$BUILD/tests/coapreq" -p "$CPORT" -u "$1" -k "$T/$(echo "$1" | tr ':' '_').key" \
	    -m POST -P "$2" -f "$3" -F 50 -j 2>&1
}
DAN=grid:dan@TA
EVE=grid:eve@TA
WANG=officer:wang@TA
LI=officer:li@TA

# --- a report, twice with one rid -----------------------------------------------------
cat >"$T/report.json" <<'EOF2'
{"kind": "stacked", "village": "东村", "note": "村口堆放十余只气瓶", "rid": "dan-report-0001-abcdef"}
EOF2
post $DAN cases/report "$T/report.json" >"$T/r1.out"
post $DAN cases/report "$T/report.json" >"$T/r2.out"
R1=$(sed -n 2p "$T/r1.out" | tr -dc 0-9)
R2=$(sed -n 2p "$T/r2.out" | tr -dc 0-9)
check "a report sent twice with one rid is 2.01 with the same case both times ($R1, $R2)" \
    all 'grep -q "^code 2.01" "$T/r1.out"' 'grep -q "^code 2.01" "$T/r2.out"' \
    '[ -n "$R1" ]' '[ "$R1" = "$R2" ]'
check "and opens one case" \
    [ "$(county_sql "SELECT count(*) FROM cases WHERE reporter = '$DAN'")" = 1 ]
post $EVE cases/report "$T/report.json" >"$T/r3.out"
R3=$(sed -n 2p "$T/r3.out" | tr -dc 0-9)
check "another worker's report with the same rid is a case of its own ($R3)" \
    all 'grep -q "^code 2.01" "$T/r3.out"' '[ -n "$R3" ]' '[ "$R3" != "$R1" ]'

# --- a comment, twice with one rid, a colleague's between ---------------------------
printf '{"id": %s, "step": "comment", "note": "邻居说昨晚有人搬运", "rid": "wang-comment-0002-xyz"}\n' \
    "$R1" >"$T/comment.json"
printf '{"id": %s, "step": "comment", "note": "已通知村委会"}\n' "$R1" >"$T/li.json"
post $WANG cases/step "$T/comment.json" >"$T/c1.out"
post $LI cases/step "$T/li.json" >"$T/c2.out"
post $WANG cases/step "$T/comment.json" >"$T/c3.out"
check "a comment sent again with its rid after a colleague's is 2.04 both times" \
    all 'grep -q "^code 2.04" "$T/c1.out"' 'grep -q "^code 2.04" "$T/c2.out"' \
    'grep -q "^code 2.04" "$T/c3.out"'
check "and the timeline holds it once" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE case_id = $R1 AND note = '邻居说昨晚有人搬运'")" = 1 ]

# --- a state step, again after the next one -----------------------------------------
printf '{"id": %s, "step": "accept", "rid": "wang-accept-0003-xyz"}\n' "$R1" >"$T/accept.json"
printf '{"id": %s, "step": "onsite", "note": "到达现场"}\n' "$R1" >"$T/onsite.json"
post $WANG cases/step "$T/accept.json" >"$T/a1.out"
post $WANG cases/step "$T/onsite.json" >"$T/a2.out"
post $WANG cases/step "$T/accept.json" >"$T/a3.out"
check "an accept sent again with its rid after onsite is 2.04 both times, not refused" \
    all 'grep -q "^code 2.04" "$T/a1.out"' 'grep -q "^code 2.04" "$T/a2.out"' \
    'grep -q "^code 2.04" "$T/a3.out"'
check "and the case is on site with one accept" all \
    '[ "$(county_sql "SELECT state FROM cases WHERE id = $R1")" = onsite ]' \
    '[ "$(county_sql "SELECT count(*) FROM case_steps WHERE case_id = $R1 AND action = '"'accept'"'")" = 1 ]'

# --- a rid on another request, and rids that are no keys ----------------------------
printf '{"id": %s, "step": "comment", "note": "另一个请求", "rid": "wang-accept-0003-xyz"}\n' \
    "$R1" >"$T/reuse.json"
post $WANG cases/step "$T/reuse.json" >"$T/u1.out"
check "the same rid on another request is a 4.09 naming rid, and nothing is stored" all \
    'grep -q "^code 4.09" "$T/u1.out"' 'grep -q "rid" "$T/u1.out"' \
    '[ "$(county_sql "SELECT count(*) FROM case_steps WHERE note = '"'另一个请求'"'")" = 0 ]'
# the same rid on the same step with another decision: not the resend it claims to be
printf '{"id": %s, "step": "decide", "outcome": "warning", "power": "P01", "rid": "wang-decide-0004-xyz"}\n' \
    "$R1" >"$T/decide1.json"
printf '{"id": %s, "step": "decide", "outcome": "fine", "power": "P01", "fine": 2000, "rid": "wang-decide-0004-xyz"}\n' \
    "$R1" >"$T/decide2.json"
post $WANG cases/step "$T/decide1.json" >"$T/d1.out"
post $WANG cases/step "$T/decide2.json" >"$T/d2.out"
post $WANG cases/step "$T/decide1.json" >"$T/d3.out"
check "a decision is 2.04; the same rid with another outcome and fine is a 4.09 naming rid" all \
    'grep -q "^code 2.04" "$T/d1.out"' 'grep -q "^code 4.09" "$T/d2.out"' \
    'grep -q "rid" "$T/d2.out"' '! grep -q "wang-decide" "$T/d2.out"'
check "and the case keeps the first decision, once; its own resend is 2.04" all \
    '[ "$(county_sql "SELECT state || outcome || fine_yuan FROM cases WHERE id = $R1")" = decidedwarning0 ]' \
    '[ "$(county_sql "SELECT count(*) FROM case_steps WHERE case_id = $R1 AND action = '"'decide'"'")" = 1 ]' \
    'grep -q "^code 2.04" "$T/d3.out"'
n=0
for rid in short 'has-a-semicolon;0123456' 'with space 0123456789' \
    "$(printf 'x%.0s' $(seq 65))"; do
	printf '{"id": %s, "step": "comment", "note": "坏键", "rid": "%s"}\n' "$R1" "$rid" >"$T/bad.json"
	post $WANG cases/step "$T/bad.json" >"$T/b.out"
	grep -q "^code 4.00" "$T/b.out" && grep -q "rid" "$T/b.out" &&
	    ! grep -qF "$rid" "$T/b.out" && n=$((n + 1))
done
check "a rid that is no key is a 4.00 naming rid, its text not answered (4 of 4, got $n)" \
    [ "$n" = 4 ]
check "nor logged" sh -c "! grep -q 'semicolon\\|with space' '$T/county.log'"
check "and nothing of them is stored" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE note = '坏键'")" = 0 ]

# --- gaswatch sends a fresh key with each request -----------------------------------
"$BUILD/gaswatch" --as $LI -k "$T/officer_li@TA.key" -p "$CPORT" step "$R1" comment \
    --note "gaswatch 的备注" >"$T/g1.out" 2>&1
check "gaswatch's comment is taken with a rid of its own" all \
    '[ "$(county_sql "SELECT count(*) FROM case_steps WHERE note = '"'gaswatch 的备注'"'")" = 1 ]' \
    '[ "$(county_sql "SELECT count(*) FROM case_requests WHERE identity = '"'$LI'"' AND length(rid) = 32")" = 1 ]'

# --- the console: a case form posted twice ------------------------------------------
web_conf "catalogue = $PWD_TOP/etc/catalogue.csv
villages = $T/villages.csv"
web_passwd $WANG wang-password-1
web_start
[ "$(signin "$T/wang.jar" $WANG wang-password-1)" = 303 ] || fail "wang does not sign in"
C -b "$T/wang.jar" -o "$T/case.html" "$U/cases/$R1"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/case.html" | head -n 1)
rid=$(sed -n 's/.*id="form-comment".*name="rid" value="\([^"]*\)".*/\1/p' "$T/case.html" | head -n 1)
check "the case page's comment form carries a rid" [ -n "$rid" ]
for i in 1 2; do
	C -b "$T/wang.jar" -o /dev/null -w '%{http_code}\n' -H "Origin: $U" -F "csrf=$csrf" \
	    -F "rid=$rid" -F step=comment -F "note=控制台双击" "$U/cases/$R1/step"
done >"$T/w.out"
check "the same comment form posted twice is 303 both times and one step" all \
    '[ "$(cat "$T/w.out" | tr "\n" " ")" = "303 303 " ]' \
    '[ "$(county_sql "SELECT count(*) FROM case_steps WHERE note = '"'控制台双击'"'")" = 1 ]'
C -b "$T/wang.jar" -o "$T/w2.html" -w '%{http_code}\n' -H "Origin: $U" -F "csrf=$csrf" \
    -F "rid=$rid" -F step=comment -F "note=返回后改了的备注" "$U/cases/$R1/step" >"$T/w2.out"
check "the same form sent again with another text is 409, saying it was not saved" all \
    '[ "$(cat "$T/w2.out")" = 409 ]' 'grep -q "这份表单已经提交过另一份内容" "$T/w2.html"' \
    '[ "$(county_sql "SELECT count(*) FROM case_steps WHERE note = '"'返回后改了的备注'"'")" = 0 ]'
finish
