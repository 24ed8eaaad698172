#!/bin/sh
# A person's number is never stored at the county (docs/buyers.md: "The raw
# number is never stored, logged or sent"), and an evidence file's name is
# no exception: a phone or a folder names a photo of an ID card by its
# number (11010519491231002X.jpg), gaswatch attach sends that name, and the
# county kept it in case_evidence, shown by gaswatch show (and the console)
# to everyone who reads the case.  Now the county keeps such a file under
# a neutral name, "evidence.jpg" (docs/county.md, "Evidence"): the photo is
# stored, its name holds no number, and no reader of the case sees one.
# gaswatch's own output names the file as the officer gave it (it is theirs,
# on their machine): it is read and then removed, so that the run's privacy
# scan reads only what the county and its readers got.  From rev97's review.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
PWD_TOP=$(cd "$(dirname "$0")/../.." && pwd)
LC_ALL=C
export LC_ALL

TA=330825101
NUM=11010519491231002X
: >"$T/ids"
chmod 600 "$T/ids"
for id in officer:wang@$TA grid:dan@$TA regulator:alice; do
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
printf '\377\330\377\340 a photo of an ID card' >"$T/$NUM.jpg"
as_person officer:wang@$TA attach "$ID" "$T/$NUM.jpg" >"$T/attach.out" 2>&1
rc=$?
check "a note holding the number is refused (the rule this test extends)" \
    sh -c "'$BUILD/gaswatch' --as officer:wang@$TA -k '$T/officer_wang@$TA.key' -p $CPORT step $ID comment --note 'card $NUM' 2>&1 | grep -q \"person's ID number\""
check "the county keeps no evidence name holding the number" \
    [ "$(county_sql "SELECT count(*) FROM case_evidence WHERE name LIKE '%$NUM%'")" = 0 ]
as_person regulator:alice show "$ID" >"$T/show.out" 2>&1
check "and the case, as anyone reads it, does not show the number" \
    sh -c "! grep -q '$NUM' '$T/show.out'"
check "the photo is stored all the same (attach exit $rc), under a neutral name" \
    all '[ $rc -eq 0 ]' \
    "[ \"\$(county_sql \"SELECT name FROM case_evidence WHERE case_id=$ID\")\" = evidence.jpg ]"
check "which the case shows" grep -q "evidence.jpg" "$T/show.out"
check "and the county's log does not hold the number" sh -c "! grep -q '$NUM' '$T/county.log'"
# the officer's own file and gaswatch's words to them name it: theirs, not the county's
rm -f "$T/$NUM.jpg" "$T/attach.out"
finish
