#!/bin/sh
# The county is down for the whole time the station works, then comes up:
# the uplink keeps retrying with back-off (no session, ICMP errors, failed
# handshakes), the station keeps recording, and once the county listens the
# whole backlog arrives complete, in order and exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

N1=1000
N2=200
county_keys
CPORT=$(free_port udp)
"$BUILD/tests/station_fill" "$T/s.db" -n $N1 -s S01 -c DOWN -e 50 -r R09 -S flag -t TA
spawn uplink "$BUILD/tests/uplink_run" -d "$T/s.db" -p "$CPORT" -s S01 -t TA \
    -k "$T/station_S01.key" -b 200 -B 1 -x -w 120
sleep 4
# the fill line goes on recording while the county is away
"$BUILD/tests/station_fill" "$T/s.db" -n $N2 -s S01 -c LATER
check "uplink retried while the county was down" grep -q "county link" "$T/uplink.log"
check "nothing left the outbox" [ "$(sqlite3 "$T/s.db" "SELECT count(*) FROM outbox")" = $((N1 + N2)) ]
check "uplink still running" kill -0 "$PID_uplink"

county_start "$CPORT" || { fail "gascounty did not start"; finish; }
if wait "$PID_uplink"; then ok "backlog drained once the county came up"; else fail "backlog drained once the county came up"; fi
grep drained "$T/uplink.log" | sed 's/^/# /'
N=$((N1 + N2))
check "all $N records stored" [ "$(county_sql "SELECT count(*) FROM records")" = $N ]
check "each exactly once" [ "$(county_sql "SELECT count(DISTINCT uuid) || '/' || count(DISTINCT seq) FROM records")" = "$N/$N" ]
check "high-water mark $N, no gap" [ "$(county_sql "SELECT hwm || '/' || max_seq || '/' || coalesce(gap_since_ms, 'none') FROM stations")" = "$N/$N/none" ]
check "stored in order (no record arrived before a lower seq)" [ "$(county_sql \
    "SELECT count(*) FROM records a JOIN records b ON a.station = b.station
     AND a.seq < b.seq AND a.received_ms > b.received_ms")" = 0 ]
check "the county holds exactly the station's fills" [ "$(sqlite3 "$T/s.db" \
    "ATTACH '$T/county.db' AS c; SELECT count(*) FROM fills f FULL JOIN c.fills g ON g.uuid = f.uuid
     WHERE f.uuid IS NULL OR g.uuid IS NULL")" = 0 ]
check "station outbox empty" [ "$(sqlite3 "$T/s.db" "SELECT count(*) FROM outbox")" = 0 ]

# The county crashes (kill -9: no DTLS close_notify) and restarts under an
# established session: the old session is dead on the server side and
# libcoap will not notice by itself; the uplink must give up on it (its
# requests go unanswered) and open a new one.
spawn uplink2 "$BUILD/tests/uplink_run" -d "$T/s.db" -p "$CPORT" -s S01 -t TA \
    -k "$T/station_S01.key" -a 1000 -m 2 -B 1 -w 60
sleep 2
check "uplink connected and heartbeating" sql_eventually 5 \
    "SELECT count(*) > 0 FROM heartbeats" 1
kill -9 "$PID_county"
wait "$PID_county" 2>/dev/null
county_start "$CPORT" || { fail "gascounty did not restart"; finish; }
"$BUILD/tests/station_fill" "$T/s.db" -n 100 -s S01 -c AFTER
if sql_eventually 40 "SELECT count(*) FROM records" $((N + 100)); then
	ok "records made after a county restart arrive over a new session"
else
	fail "records made after a county restart arrive over a new session"
fi
check "the uplink opened a new session" grep -q "county link:" "$T/uplink2.log"
finish
