#!/bin/sh
# A person's number never lands in a log (docs/buyers.md: "The raw number is
# never stored, logged or sent").  The county's free texts (note, place,
# village, code) were checked before anything was logged, but a report's
# kind and a decision's outcome and power were not: a number typed there
# (gaswatch takes them as free text) went whole into gascounty's log, and
# gasweb's, in the refusal naming the unknown kind or outcome, and into the
# console's refusal page.  Now they are asked like the others
# (cases_field_with_number): gaswatch refuses before sending, naming the
# field (exit 2), and the console (409) and the county refuse naming the
# field, never the text; a reassignment's township the same (test_cases
# covers the county's own refusals).  From rev97's review.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"
PWD_TOP=$(cd "$(dirname "$0")/../.." && pwd)
LC_ALL=C
export LC_ALL

TA=330825101
NUM=11010519491231002X
: >"$T/ids"
chmod 600 "$T/ids"
for id in officer:wang@$TA grid:dan@$TA; do
	f="$T/$(echo "$id" | tr ':' '_').key"
	key_file "$id" "$f"
	echo "$id $(tr -d '\n' <"$f")" >>"$T/ids"
done
printf 'village,township\n东村,%s\n' $TA >"$T/villages.csv"
cp "$PWD_TOP/etc/catalogue.csv" "$T/catalogue.csv"
COUNTY_EXTRA="catalogue = $T/catalogue.csv
villages = $T/villages.csv"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
as_person() {
	who=$1; shift
	"$BUILD/gaswatch" --as "$who" -k "$T/$(echo "$who" | tr ':' '_').key" -p "$CPORT" "$@"
}
as_person grid:dan@$TA report --kind 违规堆放气瓶 --village 东村 --note "村口堆放气瓶" >"$T/r.out" 2>&1
ID=$(county_sql "SELECT max(id) FROM cases")
check "a grid worker's report opens a case" [ -n "$ID" ]
as_person officer:wang@$TA accept "$ID" >"$T/acc.out" 2>&1
as_person officer:wang@$TA step "$ID" onsite --note "到场" >"$T/on.out" 2>&1
as_person officer:wang@$TA decide "$ID" --outcome "$NUM" --note "x" >"$T/dec.out" 2>&1
rc=$?
check "a decision with the number as its outcome is refused (exit $rc), naming the field" \
    all '[ $rc -eq 2 ]' "grep -q 'the outcome (--outcome) looks like it holds' '$T/dec.out'" \
    "[ \"\$(county_sql \"SELECT count(*) FROM case_steps WHERE case_id=$ID AND action='decide'\")\" = 0 ]"
as_person officer:wang@$TA decide "$ID" --outcome fine --power "$NUM" --fine 100 --note "x" \
    >"$T/pow.out" 2>&1
rc=$?
check "and with it as the power (exit $rc)" \
    all '[ $rc -eq 2 ]' "grep -q 'the penalty power (--power) looks like it holds' '$T/pow.out'"
as_person grid:dan@$TA report --kind "$NUM" --village 东村 --note "x" >"$T/r2.out" 2>&1
rc=$?
check "a report with the number as its kind is refused (exit $rc)" \
    all '[ $rc -eq 2 ]' "grep -q 'the report kind (--kind) looks like it holds' '$T/r2.out'" \
    "[ \"\$(county_sql 'SELECT count(*) FROM cases')\" = 1 ]"
check "gaswatch's words do not hold the number" \
    sh -c "! grep -q '$NUM' '$T/dec.out' '$T/pow.out' '$T/r2.out'"
sleep 1
check "gascounty's log does not hold the number" sh -c "! grep -q '$NUM' '$T/county.log'"
grep "$NUM" "$T/county.log" | sed 's/^/# /'

# the console: the same refusals, through the forms' fields
web_conf "catalogue = $T/catalogue.csv
villages = $T/villages.csv"
web_passwd grid:dan@$TA dan-password-1
web_passwd officer:wang@$TA wang-password-1
web_start || { fail "gasweb did not start"; finish; }
check "the grid worker signs in" [ "$(signin "$T/dan.jar" grid:dan@$TA dan-password-1)" = 303 ]
C -b "$T/dan.jar" -o "$T/report-form.html" "$U/report"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/report-form.html" | head -n 1)
code=$(C -b "$T/dan.jar" -o "$T/report.html" -w '%{http_code}' -H "Origin: $U" -F "csrf=$csrf" \
    -F "kind=$NUM" -F village=东村 -F "note=x" "$U/report")
check "a report whose kind is the number is refused (got $code)" [ "$code" = 409 ]
check "and the page does not echo it" sh -c "! grep -q '$NUM' '$T/report.html'"
check "the officer signs in" [ "$(signin "$T/wang.jar" officer:wang@$TA wang-password-1)" = 303 ]
C -b "$T/wang.jar" -o "$T/case.html" "$U/cases/$ID"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/case.html" | head -n 1)
code=$(C -b "$T/wang.jar" -o "$T/decide.html" -w '%{http_code}' -H "Origin: $U" -F "csrf=$csrf" \
    -F step=decide -F "outcome=$NUM" -F "note=x" "$U/cases/$ID/step")
check "a decision whose outcome is the number is refused (got $code)" [ "$code" = 409 ]
check "and the page does not echo it" sh -c "! grep -q '$NUM' '$T/decide.html'"
check "gasweb's log does not hold the number" sh -c "! grep -q '$NUM' '$T/web.log'"
grep "$NUM" "$T/web.log" | sed 's/^/# /'
finish
