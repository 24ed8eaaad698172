#!/bin/sh
# A county restored from an older backup while one of the station's
# records is set aside, after the station forgot the oldest records the
# county had acknowledged (acked_keep_days).  The county's mark stops at
# the set-aside record, and its count of what it holds above the mark
# ("held") takes in the records the station forgot.  Before the fix
# (review rev101, 8 Dec 2026) the station compared that count with the
# rows it still kept: a loss no larger than what it had forgotten was
# neither sent again nor logged.  Now it compares with what it had
# acknowledged there (its seqs have no gaps), sends again what it keeps,
# and logs once what the county lacks for good (gateway/uplink.c
# county_behind).
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
backup() {
	county_stop
	sqlite3 "$T/county.db" ".backup '$T/$1'"
	county_start "$CPORT"
}
restore() {
	county_stop
	rm -f "$T/county.db-wal" "$T/county.db-shm"
	cp "$T/$1" "$T/county.db"
	county_start "$CPORT"
}

records 5 A
check "the county holds 1..5" wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT hwm FROM stations WHERE id = 'S01'\")\" = 5 ]"
backup old.db || { fail "gascounty restarts"; finish; }
# one fill the county refuses: its buyer's township is not the county's
# (as t_aside_restore.sh)
sql "BEGIN IMMEDIATE; CREATE TEMP TABLE t AS SELECT * FROM fills ORDER BY started_ms LIMIT 1;
    UPDATE t SET uuid = '6e1f0c2a-0000-4000-8000-000000000bad', buyer_township = '330825999';
    INSERT INTO fills SELECT * FROM t;
    INSERT INTO outbox (uuid, kind, created_ms) VALUES ('6e1f0c2a-0000-4000-8000-000000000bad', 'fill', CAST(strftime('%s', 'now') AS INTEGER) * 1000);
    COMMIT;"
records 4 B
check "seq 6 is set aside, the county holds 7..10, its mark at 5" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT hwm || '/' || max_seq FROM stations WHERE id = 'S01'\")\" = 5/10 ]"
backup mid.db || { fail "gascounty restarts"; finish; }
records 2 C
check "the county holds 11..12" wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT max_seq FROM stations WHERE id = 'S01'\")\" = 12 ]"
# the station forgets 7..10, as acked_keep_days would (not days in a test)
sql "DELETE FROM outbox_acked WHERE seq BETWEEN 7 AND 10"
check "the station keeps 11..12 only above seq 6" [ "$(sql "SELECT group_concat(seq) FROM outbox_acked WHERE seq > 5")" = 11,12 ]

# restored to mid.db: it holds 7..10 (4 above its mark, more than the 2
# the station keeps there) and lost 11..12
restore mid.db || { fail "gascounty starts on the restored database"; finish; }
check "the restored county lacks 11..12" [ "$(held_between 11 12)/$(cmark)" = "0/5/10" ]
check "the county holds 11..12 again" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM records WHERE station = 'S01' AND seq BETWEEN 11 AND 12\")\" = 2 ]"
check "the station said what it did" \
    grep -q "the county holds 4 of this station's records above its mark (seq 5), but had acknowledged 6 there .*sending seq 11..12 again (2 records; 4 more this station no longer keeps)" "$T/gasgw.log"
check "nothing lost for good then" [ "$(grep -c "lost for good" "$T/gasgw.log")" = 0 ]

# restored to old.db: it holds nothing above its mark; 11..12 go again,
# 7..10 are lost for good and said so, once
restore old.db || { fail "gascounty starts on the older database"; finish; }
check "the county holds 11..12 again, not 7..10" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM records WHERE station = 'S01' AND seq BETWEEN 7 AND 12\")\" = 2 ]"
check "the station names what the county lost for good" \
    wait_for 30 grep -q "the county lacks 4 of this station's records it had acknowledged above its mark (seq 5), among seq 7..10, which this station no longer keeps" "$T/gasgw.log"
sleep 6 # another heartbeat's answer
check "said once, sent again twice in all" \
    [ "$(grep -c "lost for good" "$T/gasgw.log")/$(grep -c "above its mark (seq 5), but had" "$T/gasgw.log")" = 1/2 ]
check "the station's outbox holds only the set-aside record" [ "$(sql 'SELECT group_concat(seq) FROM outbox')" = 6 ]
finish
