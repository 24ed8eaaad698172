#!/bin/sh
# A record sent again names the buyer as the fill did: `gasctl buyers add`
# moving the buyer to another township and making it a delivery company
# between the first send and a resend changes nothing the county sees
# (docs/buyers.md, "What a record says about its buyer").  Two resends,
# over real DTLS with gascounty: one after a lost acknowledgement (the
# outbox row put back as records_outbox_reack does, the county still
# holding the record: before station migration 010 a changed record was a
# C06 conflict against an honest station), and the put-back for a county
# restored from a backup that lost the record (it then stored the buyer as
# the station held it at the resend).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"

T1=330825101 # the station's township (fill_lib), the buyer's at the fill
T2=330825102 # the buyer's after it
county_keys township:$T1 township:$T2
county_start || { fail "gascounty starts"; finish; }
PREACT=0.25
STATION_ID=S01
county_uplink "registry_pull_s = 3600"
fill_setup 1 || { fail "set-up"; finish; }
buyers() { "$BUILD/gasctl" --db "$T/station.db" --buyer-key "$T/keys/buyer.key" buyers "$@"; }

held() { county_sql "SELECT count(DISTINCT seq) FROM records WHERE station = 'S01'"; }
waiting() { sql "SELECT count(*) FROM outbox"; }
last_seq() { sql "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"; }
all_held() {
	n=$(last_seq)
	[ "$(held)/$(waiting)" = "$n/0" ]
}
as_county_holds() {
	county_sql "SELECT buyer_township || '/' || buyer_kind FROM fills WHERE cylinder = 'C-GOOD-1'"
}
no_conflict() {
	[ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C06'")/$(county_sql "SELECT count(*) FROM conflicts")" = 0/0 ]
}

# 1. three records the county holds, and its backup then
"$BUILD/tests/station_fill" "$T/station.db" -n 3 -s S01 -c A -e 0 >/dev/null
check "the county holds the first 3 records" wait_for 30 all_held
county_stop
sqlite3 "$T/county.db" ".backup '$T/backup.db'"
county_start "$CPORT" || { fail "gascounty restarts"; finish; }

# 2. a household of T1 fills a cylinder
buyers add "$BUYER1" --township $T1 --address "东村12号" >"$T/add.out" 2>&1
check "the buyer is a household of $T1" grep -q "household township $T1" "$T/add.out"
sim flow 1 2.5 && sim place 1 15.3
sleep 1
ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
check "the fill ran" grep -q '^ok' "$T/fill.out"
check "the county holds it, the buyer a household of $T1" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT buyer_township || '/' || buyer_kind FROM fills WHERE cylinder = 'C-GOOD-1'\")\" = '$T1/household' ]"
check "every record held, none waiting" wait_for 30 all_held
FILL=$(sql "SELECT uuid FROM fills WHERE cylinder = 'C-GOOD-1'")

# 3. the buyer moves to T2 and becomes a delivery company
buyers add "$BUYER1" --township $T2 --delivery --address "西村3号" >"$T/readd.out" 2>&1
check "the buyer is now a delivery company of $T2" grep -q "delivery township $T2" "$T/readd.out"

# 4. the acknowledgement of the fill's record was lost: it goes again
gw_stop
sql "BEGIN; INSERT INTO outbox (seq, uuid, kind, created_ms) SELECT seq, uuid, kind, created_ms
     FROM outbox_acked WHERE uuid = '$FILL'; DELETE FROM outbox_acked WHERE uuid = '$FILL'; COMMIT"
check "the fill's record waits again" [ "$(waiting)" = 1 ]
gw_start || { fail "gasgw starts again"; finish; }
check "sent again and acknowledged" wait_for 30 all_held
check "the county counted it as a duplicate: no conflict (C06)" no_conflict
check "and holds the buyer as the fill named it" [ "$(as_county_holds)" = "$T1/household" ]

# 5. the county restored from the backup (it lost the fill): put back
county_stop
rm -f "$T/county.db-wal" "$T/county.db-shm"
cp "$T/backup.db" "$T/county.db"
county_start "$CPORT" || { fail "gascounty starts on the restored database"; finish; }
check "the restored county lacks the fill" [ "$(as_county_holds)" = "" ]
check "the station puts it back and the county holds it again" wait_for 40 all_held
check "with the buyer as the fill named it, not as it is now" [ "$(as_county_holds)" = "$T1/household" ]
check "no conflict (C06)" no_conflict
check "the station itself still names the buyer as the fill did" \
    [ "$(sql "SELECT buyer_township || '/' || buyer_kind FROM fills WHERE uuid = '$FILL'")" = "$T1/household" ]
finish
