#!/bin/sh
# The STATION's database is restored from an older backup (a failed SD
# card, a re-imaged gateway).  Its outbox sequence is back where the backup
# left it, below the county's mark, so its next records take seqs the
# county already holds for others.  Before the fix (review rev96, 7 Dec
# 2026) the county counted each as a "duplicate" (a C06 conflict, content
# not kept) and answered 2.04, and the station moved them to outbox_acked:
# acknowledged, never stored at the county, forgotten after
# acked_keep_days.  Now the station sees the county's mark above every seq
# it ever numbered, renumbers what it has not yet had acknowledged after
# the county's mark and sends it again (gateway/uplink.c county_ahead).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"

county_keys township:330825101
county_start || { fail "gascounty starts"; finish; }
PREACT=0.25
STATION_ID=S01
county_uplink "registry_pull_s = 3600"
fill_setup 1 || { fail "set-up"; finish; }

mark() { county_sql "SELECT coalesce((SELECT hwm FROM stations WHERE id = 'S01'), 0)"; }
records() { "$BUILD/tests/station_fill" "$T/station.db" -n "$1" -s S01 -c "$2" -e 0 >/dev/null; }
county_has() { county_sql "SELECT count(*) FROM fills WHERE cylinder LIKE '$1%'"; }
county_seqs() {
	county_sql "SELECT group_concat(r.seq) FROM (SELECT r.seq FROM records r JOIN fills f
	    ON f.uuid = r.uuid WHERE r.station = 'S01' AND f.cylinder LIKE '$1%' ORDER BY r.seq) r"
}
mark_is() { wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT hwm FROM stations WHERE id = 'S01'\")\" = $1 ]"; }

records 10 OLD
check "the county holds the first 10" mark_is 10
gw_stop
sqlite3 "$T/station.db" ".backup '$T/station-backup.db'"
gw_start || { fail "gasgw restarts"; finish; }
records 5 MID
check "the county holds 15" mark_is 15

# the station's disk is replaced: its database put back from the backup
gw_stop
rm -f "$T/station.db-wal" "$T/station.db-shm"
cp "$T/station-backup.db" "$T/station.db"
# two records written before gasgw is back (waiting at the restore), three after
records 2 WAIT
gw_start || { fail "gasgw starts on the restored database"; finish; }
records 3 NEW
check "the station's outbox drains (the county answered)" \
    wait_for 30 sh -c "[ \"\$(sqlite3 '$T/station.db' 'SELECT count(*) FROM outbox')\" = 0 ]"
check "the county's mark goes on past the station's records: 20" mark_is 20
check "the 5 records written after the station's restore are held at the county (held: $(county_has WAIT)+$(county_has NEW))" \
    [ "$(county_has WAIT)$(county_has NEW)" = 23 ]
check "they are held at seqs after the county's 15 (at: $(county_seqs WAIT),$(county_seqs NEW))" \
    [ "$(county_seqs WAIT),$(county_seqs NEW)" = "16,17,18,19,20" ]
check "the county still holds the 5 of before the restore, no conflict" \
    [ "$(county_has MID)/$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C06'")" = 5/0 ]
check "the station said what it did" \
    grep -q "holds this station's records up to seq 15, but this station's numbering stopped at seq 1[02]" "$T/gasgw.log"
check "the station numbers on from there" \
    [ "$(sql "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")" = 20 ]
records 1 LATER
check "a later record takes seq 21 and is held" mark_is 21
finish
