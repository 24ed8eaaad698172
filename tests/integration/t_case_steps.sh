#!/bin/sh
# A case no one can open (red team, review 91): a station's alerts joining a
# case were folded (the first and newest 25 listed) once the page outgrew
# the console's PAGE_MAX, but every step a person took was still listed
# whole.  One officer of the township posted some 200 long comments (each
# 4,000 quote marks, six bytes each once escaped, varied so that the resend
# check kept them) and the case's page answered "answer too large" (500) to
# every other officer and to the regulator.
#
# Now a case's page lists every step that moves the case (accept, on site,
# decide, close, dismiss, reassign...), wherever it falls, and the first and
# newest 20 comments and attachments; those between are counted where they
# fall, with a link to /cases/ID/steps, which lists them page by page under
# the same access as the case's page.  gaswatch says the count too.  And one
# person adds at most CASES_NOTES_PER_HOUR (60) comments and attachments to
# one case in an hour: the next is refused (429) saying so.
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
web_passwd officer:zhao@TB zhao-password-1
web_passwd regulator:alice alice-password-1
web_passwd grid:eve@TA eve-password-1
web_passwd grid:dan@TA dan-password-1
web_start
for who in wang:officer:wang@TA li:officer:li@TA zhao:officer:zhao@TB alice:regulator:alice \
    eve:grid:eve@TA dan:grid:dan@TA; do
	jar=${who%%:*}
	id=${who#*:}
	[ "$(signin "$T/$jar.jar" "$id" "${jar}-password-1")" = 303 ] || fail "$id does not sign in"
done
csrf_of() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$1" | head -n 1; }

# eve's report: a case of TA
C -b "$T/eve.jar" -o "$T/report-form.html" "$U/report"
code=$(C -b "$T/eve.jar" -o /dev/null -w '%{http_code}' -H "Origin: $U" \
    -F "csrf=$(csrf_of "$T/report-form.html")" -F kind=stacked -F village=东村 \
    -F "note=发现违规堆放" -F "place=东村 3 号院" "$U/report")
CASE=$(county_sql "SELECT min(id) FROM cases WHERE township = 'TA'")
check "eve reports a site in TA: case $CASE (303, got $code)" \
    all '[ "$code" = 303 ]' '[ -n "$CASE" ]'

# --- li's comments, each 4,000 quote marks ---------------------------------------------
C -b "$T/li.jar" -o "$T/li-case.html" "$U/cases/$CASE"
lcsrf=$(csrf_of "$T/li-case.html")
Q=$(printf '"%.0s' $(seq 4000))
comment() { # N: li's comment N; prints the HTTP status
	C -b "$T/li.jar" -o "$T/comment.html" -w '%{http_code}' -H "Origin: $U" -F "csrf=$lcsrf" \
	    -H 'Accept-Language: en' \
	    -F step=comment --form-string "note=$Q$1" "$U/cases/$CASE/step"
}
n=0
for i in $(seq 1 30); do
	[ "$(comment "$i")" = 303 ] && n=$((n + 1))
done
# wang accepts the case among li's comments: a step that moves the case
C -b "$T/wang.jar" -o "$T/wang-case.html" "$U/cases/$CASE"
code=$(C -b "$T/wang.jar" -o /dev/null -w '%{http_code}' -H "Origin: $U" \
    -F "csrf=$(csrf_of "$T/wang-case.html")" -F step=accept "$U/cases/$CASE/step")
check "wang accepts the case among li's comments (303, got $code)" [ "$code" = 303 ]
for i in $(seq 31 60); do
	[ "$(comment "$i")" = 303 ] && n=$((n + 1))
done
check "li's first 60 comments of the hour are taken (got $n)" [ "$n" = 60 ]
code=$(comment 61)
check "the 61st within the hour is refused as too many (429, got $code), saying why" \
    all '[ "$code" = 429 ]' 'grep -q "as many comments and attachments to this case as one hour allows (60)" "$T/comment.html"'
check "and is not stored" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE case_id = $CASE AND action = 'comment'")" = 60 ]
# what the limit lets through over the days before: 140 more of li's comments, as the
# county stores them (the console took 60 of them above, the same way)
county_sql "WITH RECURSIVE k(i) AS (SELECT 61 UNION ALL SELECT i + 1 FROM k WHERE i < 200)
  INSERT INTO case_steps (case_id, at_ms, identity, action, note, state)
  SELECT $CASE, (SELECT max(at_ms) FROM case_steps WHERE case_id = $CASE) + i, 'officer:li@TA',
         'comment', replace(printf('%4000s', ''), ' ', '\"') || i, 'accepted' FROM k"
check "li's 200 comments are stored" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE case_id = $CASE AND identity = 'officer:li@TA' AND action = 'comment'")" = 200 ]

# --- the case still opens, and counts what it does not list -----------------------------
code=$(C -b "$T/alice.jar" -H 'Accept-Language: en' -o "$T/flooded.html" -w '%{http_code}' \
    "$U/cases/$CASE")
check "the regulator still opens the case (200, got $code: $(head -c 40 "$T/flooded.html"))" \
    [ "$code" = 200 ]
size=$(wc -c <"$T/flooded.html")
check "its page stays well under PAGE_MAX (4 MiB; got $size bytes)" [ "$size" -lt 1500000 ]
shown=$(grep -o 'class="step step-comment"' "$T/flooded.html" | wc -l)
check "it lists the first and the newest 20 comments (40, got $shown)" [ "$shown" = 40 ]
check "it lists wang's accept, among the comments left out" \
    grep -q 'class="step step-accept"' "$T/flooded.html"
check "it says how many are not listed: 160, where they fall" \
    grep -q 'id="steps-folded"><div class="what">160 more comments and attachments' "$T/flooded.html"
link=$(sed -n 's/.*id="steps-folded-link" href="\([^"]*\)".*/\1/p' "$T/flooded.html" | head -n 1)
check "with a link to read them ($link)" eval 'echo "$link" | grep -q "^/cases/$CASE/steps?after=[0-9][0-9]*$"'
code=$(C -b "$T/wang.jar" -o "$T/wang-flooded.html" -w '%{http_code}' "$U/cases/$CASE")
check "the township's officer opens it too (200, got $code)" [ "$code" = 200 ]
C -b "$T/alice.jar" -H 'Accept-Language: zh-CN' -o "$T/flooded-zh.html" "$U/cases/$CASE"
check "in Chinese the count reads so" grep -q '160 条备注和附件在此期间添加' "$T/flooded-zh.html"

# --- the steps page ---------------------------------------------------------------------
read=0 pages=0 next=$link
: >"$T/read.txt"
while [ -n "$next" ] && [ "$pages" -lt 20 ]; do
	code=$(C -b "$T/alice.jar" -o "$T/steps.html" -w '%{http_code}' "$U$next")
	[ "$code" = 200 ] || { fail "the steps page $next answered $code"; break; }
	sed 's/<li id="step-/\n&/g' "$T/steps.html" | sed -n 's/^<li id="step-\([0-9]*\)" class="step step-comment".*&quot;\([0-9][0-9]*\)<\/div>.*/\2/p' >>"$T/read.txt"
	pages=$((pages + 1))
	next=$(sed -n 's/.*id="steps-next" href="\([^"]*\)".*/\1/p' "$T/steps.html" | head -n 1)
done
got=$(sort -n "$T/read.txt" | uniq | tr '\n' ' ')
want=$(seq 21 200 | tr '\n' ' ')
check "the steps page lists every comment after the first 20, in pages of 40 ($pages pages, $(wc -l <"$T/read.txt") comments)" \
    all '[ "$got" = "$want" ]' '[ "$pages" = 5 ]' 'grep -q "id=\"steps-end\"" "$T/steps.html"'
C -b "$T/alice.jar" -o "$T/steps-first.html" "$U$link"
check "its first page lists wang's accept too" grep -q 'class="step step-accept"' "$T/steps-first.html"
code=$(C -b "$T/alice.jar" -o /dev/null -w '%{http_code}' "$U/cases/$CASE/steps")
check "from the first step without after= (200, got $code)" [ "$code" = 200 ]
code=$(C -b "$T/alice.jar" -o /dev/null -w '%{http_code}' "$U/cases/$CASE/steps?after=-1")
code2=$(C -b "$T/alice.jar" -o /dev/null -w '%{http_code}' "$U/cases/$CASE/steps?after=1x")
check "a step that is no number is a bad request (400 400, got $code $code2)" \
    all '[ "$code" = 400 ]' '[ "$code2" = 400 ]'

# --- the same access as the case's page ----------------------------------------------------
for who in zhao dan eve wang li; do
	c1=$(C -b "$T/$who.jar" -o /dev/null -w '%{http_code}' "$U/cases/$CASE")
	c2=$(C -b "$T/$who.jar" -o "$T/steps-$who.html" -w '%{http_code}' "$U$link")
	eval "case_$who=$c1 steps_$who=$c2"
done
check "another township's officer may read neither the case nor its steps (403 403, got $case_zhao $steps_zhao)" \
    all '[ "$case_zhao" = 403 ]' '[ "$steps_zhao" = 403 ]' '! grep -q "&quot;&quot;&quot;" "$T/steps-zhao.html"'
check "nor a grid worker whose report it is not (403 403, got $case_dan $steps_dan)" \
    all '[ "$case_dan" = 403 ]' '[ "$steps_dan" = 403 ]' '! grep -q "&quot;&quot;&quot;" "$T/steps-dan.html"'
check "the reporter reads the steps as she reads the case (got $case_eve $steps_eve)" \
    [ "$case_eve" = "$steps_eve" ]
check "the township's officers read both (200 200, got $case_wang $steps_wang, $case_li $steps_li)" \
    all '[ "$case_wang$steps_wang$case_li$steps_li" = 200200200200 ]'
code=$(C -o /dev/null -w '%{http_code}' "$U$link")
check "no one signed out reads them (303 to /signin, got $code)" [ "$code" = 303 ]
code=$(C -b "$T/alice.jar" -o /dev/null -w '%{http_code}' "$U/cases/999999/steps")
check "a case that does not exist has no steps page (404, got $code)" [ "$code" = 404 ]

# --- gaswatch over CoAP: the same count ---------------------------------------------------
"$BUILD/gaswatch" --as officer:wang@TA -k "$T/officer_wang@TA.key" -p "$CPORT" show "$CASE" \
    >"$T/show.txt" 2>&1
check "gaswatch shows the case, saying the 160 comments it does not list and where to read them" \
    all "grep -q '160 more comments and attachments in between, not listed here' '$T/show.txt'" \
    "grep -q '/cases/$CASE/steps?after=' '$T/show.txt'" \
    "[ \$(grep -c 'officer:li@TA' '$T/show.txt') = 40 ]" "grep -q 'accept' '$T/show.txt'"
size=$(wc -c <"$T/show.txt")
check "and its answer stays small (under 1.5 MB, got $size bytes)" [ "$size" -lt 1500000 ]

finish
