#!/bin/sh
# A 72-hour county outage (issue 8, item 5).  The uplink has no clock seam
# (it reads record times from the database and uses the clock only for
# pacing and back-off), so the backlog is built directly: 72 h of a busy
# station, 40 fills an hour (2,880 fills; TORTURE=1: 160 an hour, 11,520),
# with fill, violation and outbox times spread over the 72 hours as the line
# would have written them.  The uplink runs against a county that is down,
# then the county comes up: every record arrives once, the county's count
# equals the station's, there is no sequence gap, the times are the
# station's, and the drain is paced by the [county] rate setting (uplink
# rate; here 1,000 records/s, so it cannot take less than N/1000 s).  The
# drain time is printed, with an unpaced drain of the same backlog by a
# second station for comparison.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

PER_HOUR=40
[ -n "${TORTURE:-}" ] && PER_HOUR=160
N=$((72 * PER_HOUR))
RATE=1000
county_keys
CPORT=$(free_port udp)

backlog() { # DB STATION: N fills over the last 72 hours, every 20th flagged R21
	"$BUILD/tests/station_fill" "$1" -n "$N" -s "$2" -c "$2-" -e 20 -r R21 -S flag -t TA
	end=$(date +%s%3N)
	step=$((72 * 3600 * 1000 / N))
	sqlite3 "$1" "
	    BEGIN;
	    UPDATE outbox SET created_ms = $end - ($N - seq) * $step;
	    UPDATE fills SET started_ms = (SELECT created_ms - 90000 FROM outbox o WHERE o.uuid = fills.uuid),
	                     ended_ms = (SELECT created_ms FROM outbox o WHERE o.uuid = fills.uuid);
	    UPDATE violations SET at_ms = (SELECT ended_ms FROM fills f WHERE f.uuid = violations.fill);
	    COMMIT;"
}
backlog "$T/s01.db" S01
backlog "$T/s02.db" S02
span=$(sqlite3 "$T/s01.db" "SELECT CAST(round((max(created_ms) - min(created_ms)) / 3600000.0) AS INTEGER) FROM outbox")
check "station S01 holds $N fills over ${span} h, all waiting in the outbox" \
    [ "$(sqlite3 "$T/s01.db" "SELECT count(*) FROM outbox") $span" = "$N 72" ]

# the county is down; the station's uplink keeps trying (with back-off)
spawn up1 "$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA \
    -k "$T/station_S01.key" -b 200 -r "$RATE" -B 5 -x -w 100
sleep 3
check "nothing left the outbox while the county was down" \
    [ "$(sqlite3 "$T/s01.db" "SELECT count(*) FROM outbox")" = "$N" ]
up_ms=$(date +%s%3N)
county_start "$CPORT" || { fail "gascounty did not start"; finish; }
if wait "$PID_up1"; then ok "backlog of $N drained after the county came up"; else fail "backlog of $N drained after the county came up"; fi
done_ms=$(date +%s%3N)
drain=$(sed -n 's/.*drained \([0-9]*\) records in \([0-9.]*\) s.*/\2/p' "$T/up1.log" | tail -n 1)
echo "# $N records (72 h at $PER_HOUR fills/h), rate $RATE/s: county up to backlog empty in $(( done_ms - up_ms )) ms (uplink: ${drain:-?} s from its start, incl. back-off)"

check "county count = station count ($N)" [ "$(county_sql "SELECT count(*) FROM records WHERE station='S01'")" = "$N" ]
check "county fills = station fills, by uuid" [ "$(sqlite3 "$T/s01.db" \
    "ATTACH '$T/county.db' AS c; SELECT count(*) FROM fills f FULL JOIN (SELECT * FROM c.fills WHERE uuid IN
     (SELECT uuid FROM c.records WHERE station = 'S01')) g ON g.uuid = f.uuid WHERE f.uuid IS NULL OR g.uuid IS NULL")" = 0 ]
check "0 sequence gaps: hwm = max seq = $N, no gap open" \
    [ "$(county_sql "SELECT hwm || '/' || max_seq || '/' || coalesce(gap_since_ms, 'none') FROM stations WHERE id='S01'")" = "$N/$N/none" ]
check "no C04 (sequence gap) alert" [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule='C04'")" = 0 ]
check "the records keep the station's 72 h of times" [ "$(sqlite3 "$T/s01.db" \
    "ATTACH '$T/county.db' AS c; SELECT count(*) FROM c.records r JOIN c.fills g ON g.uuid = r.uuid
     JOIN fills f ON f.uuid = g.uuid WHERE f.ended_ms <> g.ended_ms")" = 0 ]
check "flag violations arrived once each" [ "$(county_sql "SELECT count(*) FROM violations WHERE rule='R21'")" = "$(sqlite3 "$T/s01.db" "SELECT count(*) FROM violations")" ]
elapsed=$(( done_ms - up_ms ))
min_ms=$(( N * 1000 / RATE - 1000 ))
check "the drain was paced by the rate setting (${elapsed} ms >= ${min_ms} ms)" [ "$elapsed" -ge "$min_ms" ]

# the same backlog without pacing, for comparison (county already up)
"$BUILD/tests/uplink_run" -d "$T/s02.db" -p "$CPORT" -s S02 -t TA -k "$T/station_S02.key" \
    -b 200 -r 0 -x -w 100 >"$T/up2.log" 2>&1
check "unpaced: S02's $N records stored, no gap" \
    [ "$(county_sql "SELECT hwm || '/' || max_seq FROM stations WHERE id='S02'")" = "$N/$N" ]
echo "# unpaced drain of the same backlog: $(grep -o 'drained.*' "$T/up2.log" | tail -n 1)"
finish
