#!/bin/sh
# Records cross a damaged network exactly once: a seeded relay between the
# station's uplink and gascounty drops 30 % of the datagrams in each
# direction, duplicates 10 %, reorders and delays some and corrupts a few.
# DTLS throws away what was corrupted or replayed; CoAP retransmits what was
# lost; the county stores by (station, seq) and uuid, so retransmitted
# requests change nothing; the station deletes only what the county's
# high-water mark covers.
#
# Normal mode sends 10 records in one block-wise request (about half a
# minute at this loss: every lost datagram costs a CoAP retransmission
# timeout, doubling each time); TORTURE=1 sends the 1,000 records of the
# issue, which takes the better part of an hour (raise TEST_TIMEOUT).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

N=10
[ -n "${TORTURE:-}" ] && N=1000
county_keys
county_start || { fail "gascounty did not start"; finish; }
RPORT=$(free_port udp)
spawn relay "$BUILD/tests/lossy_relay" -l "$RPORT" -u "$CPORT" -s 42 -d 30 -D 10 -r 5 -y 3 -c 1
sleep 0.2

"$BUILD/tests/station_fill" "$T/s.db" -n "$N" -s S01 -c LOSSY -e 7 -r R05 -t TA
"$BUILD/tests/uplink_run" -d "$T/s.db" -p "$RPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -b 10 -a 1000 -m 6 -x -w $((N * 20 + 60)) >"$T/up.log" 2>&1
check "uplink drained all $N records through the relay" grep -q "backlog 0" "$T/up.log"
kill "$PID_relay"; sleep 0.2
grep "lossy_relay:" "$T/relay.log" | sed 's/^/# /'
check "the relay really dropped and duplicated datagrams" \
    sh -c "grep -q 'dropped' '$T/relay.log' && ! grep -q ' 0 dropped' '$T/relay.log' && ! grep -q ' 0 duplicated' '$T/relay.log'"
check "$N records stored" [ "$(county_sql "SELECT count(*) FROM records")" = "$N" ]
check "each uuid once" [ "$(county_sql "SELECT count(DISTINCT uuid) FROM records")" = "$N" ]
check "high-water mark $N" [ "$(county_sql "SELECT hwm || '/' || max_seq FROM stations")" = "$N/$N" ]
check "exactly the station's fills, none missing, none extra" [ "$(sqlite3 "$T/s.db" \
    "ATTACH '$T/county.db' AS c; SELECT count(*) FROM fills f FULL JOIN c.fills g ON g.uuid = f.uuid
     WHERE f.uuid IS NULL OR g.uuid IS NULL")" = 0 ]
check "alerts raised once each" [ "$(county_sql "SELECT count(*) FROM alerts")" = \
    "$(sqlite3 "$T/s.db" "SELECT count(*) FROM violations")" ]
check "station outbox empty" [ "$(sqlite3 "$T/s.db" "SELECT count(*) FROM outbox")" = 0 ]
finish
