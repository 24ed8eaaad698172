#!/bin/sh
# rev102: what a worker types into gasdeliver is not checked as the county
# will check it.  --township is cut to 15 bytes with no word (a township
# of Chinese characters cut in the middle of one is no longer UTF-8), and
# --village is taken in whatever bytes the terminal gave (a GBK terminal's
# 下宅村).  gasdeliver says "recorded"; the county refuses the batch (4.00,
# not UTF-8 text), and every event recorded after it waits behind it on the
# device for ever: the worker's next, honest hand-overs never reach the
# county.  What should happen: gasdeliver refuses what the county would
# refuse (exit 2, nothing recorded), as it does for an ID number in --village.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@TA

county_mint ST-0 ST-1 ST-2 ST-3 || finish
county_keys "$W"
COUNTY_EXTRA="code_key = $T/keys/county.pub"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() { # DB ARGS...
	_db=$1
	shift
	"$BUILD/gasdeliver" -u "$W" -d "$T/$_db" -k "$T/delivery_wang@TA.key" -p "$CPORT" \
	    --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}

# 1. a township of six Chinese characters (18 bytes): cut at 15 bytes? (5 whole ones)
#    'A' then five: 16 bytes, cut at 15 in the middle of the fifth
deliver a.db handover "$(code ST-0)" --buyer-id "$BUYER1" --village 下宅村 --township 'A乡乡乡乡乡' \
    >"$T/a.out" 2>&1
rc=$?
deliver a.db handover "$(code ST-1)" --buyer-id "$BUYER1" --village 下宅村 >>"$T/a.out" 2>&1
check "a --township longer than the county takes is refused at the door (exit 2; got $rc), or the next hand-over still reaches the county" \
    sh -c "[ $rc = 2 ] || [ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM life_events WHERE serial = 'ST-1'\")\" = 1 ]"

# 2. a village typed on a GBK terminal (下宅村 in GBK)
v=$(printf '\317\302\325\254\264\345')
deliver b.db handover "$(code ST-2)" --buyer-id "$BUYER2" --village "$v" >"$T/b.out" 2>&1
rc=$?
deliver b.db handover "$(code ST-3)" --buyer-id "$BUYER2" --village 下宅村 >>"$T/b.out" 2>&1
check "a --village that is not UTF-8 is refused at the door (exit 2; got $rc), or the next hand-over still reaches the county" \
    sh -c "[ $rc = 2 ] || [ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM life_events WHERE serial = 'ST-3'\")\" = 1 ]"
finish
