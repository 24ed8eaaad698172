#!/bin/sh
# A county restored from an older backup while one of the station's
# records is set aside (refused by the county).  The county's mark stops
# at the set-aside record, and before the fix (review rev96, 7 Dec 2026)
# the station put back only when it had had mark + 1 acknowledged: the
# records the county lost after the set-aside one were never sent again,
# and were forgotten after acked_keep_days.  Now the county's answers (the
# ACK, a heartbeat's) say how many of the station's records it holds
# ("held"), the station sees fewer above the mark than it had acknowledged
# there and sends them all again (gateway/uplink.c county_mark); those the
# county still held are answered as duplicates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"

county_keys township:330825101
county_start || { fail "gascounty starts"; finish; }
PREACT=0.25
STATION_ID=S01
county_uplink "registry_pull_s = 3600"
fill_setup 1 || { fail "set-up"; finish; }

records() { "$BUILD/tests/station_fill" "$T/station.db" -n "$1" -s S01 -c "$2" -e 0 ${3:+-b $3} >/dev/null; }
cmark() { county_sql "SELECT coalesce((SELECT hwm || '/' || max_seq FROM stations WHERE id = 'S01'), '')"; }
held_between() { county_sql "SELECT count(*) FROM records WHERE station = 'S01' AND seq BETWEEN $1 AND $2"; }
restore() {
	county_stop
	rm -f "$T/county.db-wal" "$T/county.db-shm"
	cp "$T/backup.db" "$T/county.db"
	county_start "$CPORT"
}

records 5 A
check "the county holds 1..5" wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT hwm FROM stations WHERE id = 'S01'\")\" = 5 ]"
# one fill the county refuses: its buyer's township is not the county's
# (as t_uplink_aside.sh), written with its outbox row in one transaction
sql "BEGIN IMMEDIATE; CREATE TEMP TABLE t AS SELECT * FROM fills ORDER BY started_ms LIMIT 1;
    UPDATE t SET uuid = '6e1f0c2a-0000-4000-8000-000000000bad', buyer_township = '330825999';
    INSERT INTO fills SELECT * FROM t;
    INSERT INTO outbox (uuid, kind, created_ms) VALUES ('6e1f0c2a-0000-4000-8000-000000000bad', 'fill', CAST(strftime('%s', 'now') AS INTEGER) * 1000);
    COMMIT;"
records 4 B
check "seq 6 is set aside (its buyer's township)" wait_for 30 sh -c "[ \"\$(sqlite3 '$T/station.db' \"SELECT seq FROM outbox WHERE aside_ms IS NOT NULL AND aside_reason LIKE '%btown%'\")\" = 6 ]"
check "the county holds 7..10, its mark at 5" wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT hwm || '/' || max_seq FROM stations WHERE id = 'S01'\")\" = 5/10 ]"
county_stop
sqlite3 "$T/county.db" ".backup '$T/backup.db'"
county_start "$CPORT" || { fail "gascounty restarts"; finish; }
records 5 C
check "the county holds 11..15" wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT max_seq FROM stations WHERE id = 'S01'\")\" = 15 ]"
check "the station acknowledged 11..15" [ "$(sql "SELECT count(*) FROM outbox_acked WHERE seq BETWEEN 11 AND 15")" = 5 ]

restore || { fail "gascounty starts on the restored database"; finish; }
check "the restored county lacks 11..15" [ "$(held_between 11 15)/$(cmark)" = "0/5/10" ]
# nothing new to send: a heartbeat's answer alone tells the station
check "the county holds 11..15 again after its restore" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM records WHERE station = 'S01' AND seq BETWEEN 11 AND 15\")\" = 5 ]"
check "the station said what it did" \
    grep -q "the county holds 4 of this station's records above its mark (seq 5), but had acknowledged 9 there" "$T/gasgw.log"
check "the station's outbox holds only the set-aside record" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/station.db' 'SELECT group_concat(seq) FROM outbox')\" = 6 ]"
check "the county holds 7..10 once, no conflict" \
    [ "$(held_between 7 10)/$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C06'")" = 4/0 ]
records 1 D   # a new batch: its ACK carries the county's count too
check "a later record is held, nothing sent again" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT hwm || '/' || max_seq FROM stations WHERE id = 'S01'\")\" = 5/16 ]"
check "the county holds 7..16, 6 set aside at the station" [ "$(held_between 7 16)" = 10 ]
check "sent again once" [ "$(grep -c "above its mark" "$T/gasgw.log")" = 1 ]
echo "# county mark/max $(cmark); station outbox_acked 11..15: $(sql "SELECT count(*) FROM outbox_acked WHERE seq BETWEEN 11 AND 15")"
finish
