#!/bin/sh
# Rule R11 (hoarding) counts households, not the delivery company that is
# the counter buyer for a whole village (issue 17, "real-name at the door"):
# with a limit of one cylinder per buyer, a household's second cylinder is
# flagged R11, while a company registered with `gasctl buyers add
# --delivery` takes its second and third without R11; its fills reach the
# county with the buyer kind "delivery", so the county's C02 does not count
# them either.  Registered again without --delivery, the same company is an
# ordinary business and its next cylinder is flagged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

county_keys station:S1 township:330825101
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
county_uplink
fill_ready 1 2.5 "household_max = 1
business_max = 1"
COMPANY=91350100M000100Y43
buyers() { "$BUILD/gasctl" --db "$T/station.db" --buyer-key "$T/keys/buyer.key" buyers "$@"; }
buyers add "$COMPANY" --township 330825101 --delivery >"$T/add.out" 2>&1
check "the delivery company is registered as such" \
    grep -q "913\*\*\*\*\*\*\*\*\*\*\*0Y43 delivery township 330825101" "$T/add.out"
buyers list >"$T/list.out" 2>&1
check "buyers list shows its kind" grep -q "913\*\*\*\*\*\*\*\*\*\*\*0Y43 delivery " "$T/list.out"

fill() { # CYLINDER BUYER OUT: one fill on line 1, the line made ready again after it
	wait_state 1 idle 5
	ctl fill 1 --cylinder "$(code "$1")" --buyer "$2" --operator OP-7 >"$T/$3" 2>&1
	reset_line 1
}
fill C-GOOD-1 "$BUYER1" h1.out
fill C-GOOD-2 "$BUYER1" h2.out
check "a household's first cylinder is not flagged" grep -q '^ok: net' "$T/h1.out"
check "a household's second cylinder over the limit of one is flagged R11" \
    grep -q "^R11 household buyer 110\*\*\*\*\*\*\*\*\*\*\*002X takes cylinder 2 within 30 days (limit 1)" "$T/h2.out"
fill C-GOOD-3 "$COMPANY" d1.out
fill C-GOOD-4 "$COMPANY" d2.out
fill C-GOOD-5 "$COMPANY" d3.out
check "the delivery company's second and third cylinders are not flagged R11" \
    sh -c "grep -q '^ok: net' '$T/d2.out' && grep -q '^ok: net' '$T/d3.out' && ! grep -q R11 '$T/d1.out' '$T/d2.out' '$T/d3.out'"
check "the station recorded no R11 for the company" \
    [ "$(sql "SELECT count(*) FROM violations WHERE rule = 'R11' AND buyer = (SELECT id FROM buyers WHERE kind = 'business')")" = 0 ]
check "its fills reach the county with the buyer kind delivery" \
    sql_eventually 60 "SELECT count(*) FROM fills WHERE buyer_kind = 'delivery'" 3
check "and the county raised no C02 for them" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C02'")" = 0 ]

buyers add "$COMPANY" --township 330825101 >"$T/readd.out" 2>&1
check "registered again without --delivery, it is an ordinary business" \
    grep -q "913\*\*\*\*\*\*\*\*\*\*\*0Y43 business township" "$T/readd.out"
fill C-GOOD-6 "$COMPANY" b1.out
check "and its next cylinder is flagged R11 (business, limit 1)" \
    grep -q "^R11 business buyer 913\*\*\*\*\*\*\*\*\*\*\*0Y43 takes cylinder 4 within 30 days (limit 1)" "$T/b1.out"
finish
