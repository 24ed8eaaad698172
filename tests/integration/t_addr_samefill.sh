#!/bin/sh
# The buyer's address only on the case it was kept for (docs/buyers.md, "The
# address": a case of the station's township about the same fill shows it
# to no one, in that township or reassigned).  The buyer lives in the
# station's own township TA: a second fill of the same cylinder has R11
# (hoarding, routed to the buyer's township, TA) and R10 (filled again too
# soon, routed to the station's, TA), so TA has two cases on one fill.  TA's
# officer sees the address on the R11 case only, not on the R10 one (about
# the cylinder, nothing of the household); once the regulator moves the R10
# case to TC, TC's officer, who never visits the household, does not get it
# either, and no showing is logged under him.  Before the fix the address
# went with every case of its township about the fill (buyeraddr_may_see
# compared townships only).  From rev97's review.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

TA=330825101 # the station's township, and the buyer's
TC=330825103
ADDR="东村7号"
: >"$T/ids"
chmod 600 "$T/ids"
for id in station:S1 township:$TA township:$TC officer:wang@$TA officer:zhao@$TC regulator:alice; do
	f="$T/$(echo "$id" | tr ':' '_').key"
	key_file "$id" "$f"
	echo "$id $(tr -d '\n' <"$f")" >>"$T/ids"
done
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
county_uplink
fill_ready 1 2.5 "household_max = 1"
"$BUILD/gasctl" --db "$T/station.db" --buyer-key "$T/keys/buyer.key" buyers add "$BUYER2" \
    --township $TA --address "$ADDR" >"$T/add.out" 2>&1
check "the buyer is registered in TA, the station's township" grep -q "township $TA" "$T/add.out"

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
fill C-GOOD-1 f2.out
check "the second fill has R11 and R10" \
    sh -c "grep -q '^R11' '$T/f2.out' && grep -q '^R10' '$T/f2.out'"
check "an R11 and an R10 case, both TA's" \
    sql_eventually 60 "SELECT group_concat(kind || ':' || township, ' ') FROM (SELECT kind, township FROM cases WHERE kind IN ('R10','R11') ORDER BY kind)" "R10:$TA R11:$TA"
R11=$(county_sql "SELECT id FROM cases WHERE kind='R11'")
R10=$(county_sql "SELECT id FROM cases WHERE kind='R10'")
check "the county kept the address, for TA" \
    [ "$(county_sql "SELECT township FROM buyer_addresses")" = "$TA" ]
as_person officer:wang@$TA show "$R11" >"$T/r11.out" 2>&1
check "TA's officer sees it on the R11 case (the one it was kept for)" grep -q "$ADDR" "$T/r11.out"
as_person officer:wang@$TA show "$R10" >"$T/r10.out" 2>&1
check "TA's officer opens the R10 case" grep -q "^case $R10" "$T/r10.out"
check "but the R10 case (the station's, about the cylinder filled again too soon) shows no address" \
    sh -c "! grep -q '$ADDR' '$T/r10.out'"
as_person regulator:alice reassign "$R10" --to $TC --note "the station is visited from TC" \
    >"$T/reassign.out" 2>&1
check "the regulator moves the R10 case to TC" \
    sql_eventually 30 "SELECT township FROM cases WHERE id=$R10" "$TC"
as_person officer:zhao@$TC show "$R10" >"$T/zhao.out" 2>&1
check "TC's officer opens the R10 case" grep -q "^case $R10" "$T/zhao.out"
check "TC's officer, who never visits the household, does not get its address" \
    sh -c "! grep -q '$ADDR' '$T/zhao.out'"
check "and no showing of the address is logged under TC's officer" \
    [ "$(county_sql "SELECT count(*) FROM buyer_address_views WHERE identity='officer:zhao@$TC'")" = 0 ]
finish
