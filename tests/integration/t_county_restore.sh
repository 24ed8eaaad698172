#!/bin/sh
# The county's database is restored from an older backup (docs/county.md,
# "Replication for availability"): it has lost records it had acknowledged.
# The station keeps acknowledged outbox rows for [county] acked_keep_days
# (outbox_acked) and learns of the loss from the county's mark: the ACK of
# its next batch (new fills) or, with nothing new to send, the answer to its
# heartbeat.  It sends those records again, the same bytes, so the county
# ends holding every record 1..N, with no conflict (C06) and no gap (C04).
# Past the keep time the acknowledged rows are deleted, and a county that
# lost them then is only logged (C04 needs a person, as before).
# Real gasgw and gascounty over DTLS; records come from real fills and from
# the station_fill helper writing to the live station database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"

county_keys township:330825101 # the station's township (fill_lib)
# a gap that lasts 10 s raises C04: a resend must close it before then
COUNTY_EXTRA="c04_gap_s = 10"
county_start || { fail "gascounty starts"; finish; }
PREACT=0.25
STATION_ID=S01
county_uplink "registry_pull_s = 3600"
fill_setup 1 || { fail "set-up"; finish; }

held() { county_sql "SELECT count(DISTINCT seq) FROM records WHERE station = 'S01'"; }
mark() { county_sql "SELECT coalesce((SELECT hwm FROM stations WHERE id = 'S01'), 0)"; }
last_seq() { sql "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"; }
acked() { sql "SELECT count(*) FROM outbox_acked"; }
waiting() { sql "SELECT count(*) FROM outbox"; }
# the county holds every record the station ever wrote, 1..N, and the
# station waits for none
all_held() {
	n=$(last_seq)
	[ "$(held)/$(mark)/$(waiting)" = "$n/$n/0" ]
}
records() { "$BUILD/tests/station_fill" "$T/station.db" -n "$1" -s S01 -c "$2" -e 0 >/dev/null; }
# stop the county and put the database it had at the backup back
restore() {
	county_stop
	rm -f "$T/county.db-wal" "$T/county.db-shm"
	cp "$T/backup.db" "$T/county.db"
	county_start "$CPORT"
}

# 1. records acknowledged: the station keeps them, out of its outbox
records 20 A
check "the county holds the first 20 records" wait_for 30 all_held
check "the station keeps the 20 it acknowledged (outbox empty)" \
    [ "$(acked)/$(waiting)" = "20/0" ]
county_stop
sqlite3 "$T/county.db" ".backup '$T/backup.db'"
county_start "$CPORT" || { fail "gascounty restarts"; finish; }

# 2. more records after the backup: a real fill, a refusal, 15 more
sim flow 1 2.5 && sim place 1 15.3
sleep 1
ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
check "the fill ran" grep -q '^ok' "$T/fill.out"
ctl fill 1 --cylinder "$(code C-OVERDUE)" --buyer "$BUYER1" --operator OP-7 >"$T/refuse.out" 2>&1
check "the refusal ran" grep -q '^R05' "$T/refuse.out"
records 15 B
check "the county holds all 37 records" wait_for 30 all_held
check "37 records, each sent once" [ "$(last_seq)/$(acked)" = "37/37" ]

# 3. restored from the backup (it holds 1..20), then new records: the ACK
# of their batch says the county lost 21..37, and they go again
restore || { fail "gascounty starts on the restored database"; finish; }
check "the restored county holds only 1..20" [ "$(held)/$(mark)" = "20/20" ]
records 5 C
check "the county holds every record 1..42 again" wait_for 30 all_held
check "the station said what it sends again" \
    grep -q "county holds this station's records only up to seq 20, but had acknowledged up to seq [0-9]*.*sending seq 21\.\." "$T/gasgw.log"
check "the real fill came back whole (its curve too)" [ "$(county_sql \
    "SELECT count(*) FROM fills f JOIN fill_curves c ON c.uuid = f.uuid WHERE f.cylinder = 'C-GOOD-1'")" = 1 ]
# the gap the new batch opened (38..42 above the mark 20) was closed at once
sleep 11
check "no gap alert (C04) after the resend, nor a conflict (C06)" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule IN ('C04', 'C06')")" = 0 ]

# 4. restored again, and nothing new to send: the heartbeat's answer says it
restore || { fail "gascounty starts on the restored database again"; finish; }
check "the restored county holds only 1..20 again" [ "$(held)/$(mark)" = "20/20" ]
check "with only heartbeats, the county holds every record 1..42 again" wait_for 30 all_held
check "the station said it twice, once for each loss" \
    [ "$(grep -c "sending seq 21\.\." "$T/gasgw.log")" = 2 ]

# the same records each time: no conflict, no gap left to raise
sleep 12
check "no conflict (C06): the records sent again are the same bytes" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C06'")$(county_sql "SELECT count(*) FROM conflicts")" = 00 ]
check "no gap alert (C04)" [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C04'")" = 0 ]
check "the county's mark has no gap" \
    [ "$(county_sql "SELECT hwm || '/' || max_seq || '/' || coalesce(gap_since_ms, 'none') FROM stations WHERE id = 'S01'")" = "42/42/none" ]

# 5. the keep time: 29 days on, every acknowledged record is kept; 31 days
# on, the uplink thread deletes them (it looks as it starts, then each
# minute).  The wall-clock shim cannot load ahead of a sanitizer's runtime
# (LD_PRELOAD): under ASan the rows are made 31 days old instead.
if [ -z "${GAS_SANITIZED:-}" ]; then
	gw_with_clock "+$((29 * 86400))" || { fail "gasgw starts 29 days on"; finish; }
	sleep 2
	check "29 days on, the 42 acknowledged records are kept" [ "$(acked)" = 42 ]
	gw_with_clock "+$((31 * 86400))" || { fail "gasgw starts 31 days on"; finish; }
else
	echo "# the clock not moved under ASan: the acknowledgements made 31 days old"
	gw_stop
	sql "UPDATE outbox_acked SET acked_ms = acked_ms - 86400000 * 31"
	gw_start || { fail "gasgw starts again"; finish; }
fi
check "31 days on, the acknowledged records are deleted" wait_for 10 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' 'SELECT count(*) FROM outbox_acked')\" = 0 ]"
check "and the log says so" grep -q "42 acknowledged records older than 30 days deleted" "$T/gasgw.log"
check "the sequence goes on, never reused" [ "$(last_seq)" = 42 ]

# 6. a county that loses them now: the station cannot send them again and
# says so (the county's C04 needs a person, docs/protocol.md)
restore || { fail "gascounty starts on the restored database a third time"; finish; }
check "the station says the county lacks what it no longer holds" \
    wait_for 20 grep -q "county holds this station's records only up to seq 20: it lacks seq 21, which the station no longer holds" "$T/gasgw.log"
check "and sends nothing again" \
    all "[ \"\$(held)/\$(waiting)\" = 20/0 ]" "! grep -q 'sending seq' '$T/gasgw.log'"
finish
