#!/bin/sh
# A delivery worker's phone is replaced (or the app reinstalled, its
# database lost or put back from an old backup): the worker goes on with the
# same identity and a new gasdeliver database, whose seqs start again at 1,
# while the county holds the old phone's events at seq 1.. (review rev102).
# The county answers a different event at a seq it holds as held (a
# conflict, its C06); gasdeliver took that as delivered, deleted its row and
# said "none waits": the hand-over was nowhere.  Now, as a station does
# (gateway/uplink.c county_ahead), a mark above every seq the device
# numbered renumbers what waits after it, and a conflict (the ack's
# "conflict", when the device numbered beyond the old mark offline) is
# never taken as delivered: that event moves to a seq of its own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@TA

county_mint PH-0 PH-1 PH-2 PH-3 PH-4 PH-5 || finish
county_keys "$W"
COUNTY_EXTRA="code_key = $T/keys/county.pub"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() { # DB ARGS...
	_db=$1
	shift
	"$BUILD/gasdeliver" -u "$W" -d "$T/$_db" -k "$T/delivery_wang@TA.key" -p "$CPORT" \
	    --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
at_county() { # SERIAL: its hand-overs the county holds from wang
	county_sql "SELECT count(*) FROM life_events WHERE serial = '$1' AND source = '$W'"
}

deliver old.db handover "$(code PH-0)" --buyer-id "$BUYER1" --village 下宅村 >"$T/old.out" 2>&1
deliver old.db handover "$(code PH-1)" --buyer-id "$BUYER1" --village 下宅村 >>"$T/old.out" 2>&1
check "the old phone's two hand-overs are at the county" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$W'")" = 2 ]

# 1. the new phone, online: its first hand-over takes seq 1, which the county holds
deliver new.db handover "$(code PH-2)" --buyer-id "$BUYER2" --village 上宅村 >"$T/new.out" 2>&1
rc=$?
deliver new.db status >"$T/status.out" 2>&1
check "the new phone's hand-over of PH-2 reaches the county (exit $rc; $(cat "$T/new.out"))" \
    [ "$(at_county PH-2)" = 1 ]
check "... after the old phone's two, at seq 3 (got $(county_sql "SELECT seq FROM life_events WHERE serial = 'PH-2'"))" \
    [ "$(county_sql "SELECT seq FROM life_events WHERE serial = 'PH-2'")" = 3 ]
check "... and the old phone's hand-overs are still the county's at seq 1 and 2" \
    [ "$(county_sql "SELECT group_concat(serial, ' ') FROM (SELECT serial FROM life_events WHERE source = '$W' AND seq <= 2 ORDER BY seq)")" = "PH-0 PH-1" ]
check "the new phone says nothing waits ($(cat "$T/status.out"))" \
    grep -q ': 0 events wait' "$T/status.out"
check "and the worker is told why it renumbered" grep -q 'renumbered' "$T/new.out"

# 2. another new phone, offline past the old mark: seqs 1..3 recorded before it sends
deliver third.db --offline handover "$(code PH-3)" --buyer-id "$BUYER3" --village 上宅村 >"$T/third.out" 2>&1
deliver third.db --offline handover "$(code PH-4)" --buyer-id "$BUYER3" --village 上宅村 >>"$T/third.out" 2>&1
deliver third.db --offline handover "$(code PH-5)" --buyer-id "$BUYER3" --village 上宅村 >>"$T/third.out" 2>&1
deliver third.db sync >>"$T/third.out" 2>&1
rc=$?
check "sync ends with nothing waiting (exit 0; got $rc)" [ $rc = 0 ]
check "every one of its three hand-overs is at the county (PH-3 $(at_county PH-3), PH-4 $(at_county PH-4), PH-5 $(at_county PH-5))" \
    [ "$(at_county PH-3)$(at_county PH-4)$(at_county PH-5)" = 111 ]
check "the county holds wang's events at seq 1..6, one at each" \
    [ "$(county_sql "SELECT count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq) FROM life_events WHERE source = '$W'")" = "6 1 6" ]
finish
