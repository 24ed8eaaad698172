#!/bin/sh
# A station flooding heartbeats does not spend the county's disk
# (docs/county.md, "Heartbeats: one a minute, one commit a floor"): over
# real DTLS, S03, holding a real key, sends FLOOD heartbeats back to back
# while S02 sends its records.  With the default heartbeat_min_s (10 s):
#  - every heartbeat is answered 2.04 with S03's mark (the station side
#    reads it, gateway/uplinkproc.c), the last one too;
#  - the county's durable commits over the flood (the WAL index's change
#    counter, iChange in county.db-shm: one a write transaction, SQLite's
#    documented WAL-index header) are a handful, not FLOOD;
#  - S02's batch sent meanwhile is stored and acknowledged;
#  - a heartbeat whose status changed is written at once.
# Negative control: with heartbeat_min_s = 0 (or the floor taken out of
# county_heartbeat) the commit count is about FLOOD and the test fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

FLOOD=3000
county_keys
COUNTY_EXTRA="${HBFLOOD_EXTRA:-}"
county_start || { fail "gascounty did not start"; finish; }

code() { sed -n 's/^code //p' "$T/$1.out"; }
q() { county_sql "$1"; }
# the county's commits so far: the WAL index header's iChange (native u32 at 8)
commits() { od -An -tu4 -j8 -N4 "$T/county.db-shm" | tr -d ' '; }

# S03 holds records 1..3, so its mark is 3
"$BUILD/tests/batchgen" -s S03 -t TA "kind=event,seq=1" "kind=event,seq=2" "kind=event,seq=3" \
    >"$T/s03.cbor"
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S03 -k "$T/station_S03.key" -m POST -P records \
    -f "$T/s03.cbor" -j -t 8000 >"$T/s03.out" 2>>"$T/coapreq.err"
check "S03's records 1..3 stored (2.04: $(code s03))" [ "$(code s03)" = 2.04 ]
"$BUILD/tests/batchgen" -s S02 -t TB "kind=event,seq=1" "kind=event,seq=2" >"$T/s02.cbor"

sleep 1.2 # the sweeps of a new county done (check_s = 1)
before=$(commits)
t0=$(date +%s)
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S03 -k "$T/station_S03.key" -m POST -P heartbeat \
    -b "heartbeat:S03:TA:backlog 0" -n "$FLOOD" -a 60 -j -t 8000 >"$T/flood.out" \
    2>>"$T/coapreq.err" &
flood=$!
sleep 0.2
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m POST -P records \
    -f "$T/s02.cbor" -j -t 8000 >"$T/s02.out" 2>>"$T/coapreq.err"
beside=$(kill -0 "$flood" 2>/dev/null && echo during || echo after)
wait "$flood"
after=$(commits)
t1=$(date +%s)
secs=$((t1 - t0 + 1))
# S03's first heartbeat, one a floor after it, S02's batch, the sweeps
# (check_s = 1: at most one write a second, none when there is nothing to do)
most=$((1 + secs / 10 + 1 + 1 + secs))
check "S03's $FLOOD heartbeats: every one answered 2.04: $(tr '\n' ' ' <"$T/flood.out")" \
    all "[ '$(code flood)' = 2.04 ]" "grep -qx 'same $FLOOD' '$T/flood.out'"
check "the last answer carries S03's mark 3" grep -q '"hwm": *3' "$T/flood.out"
check "the county made $((after - before)) commits over the flood ($secs s): at most $most, not one a heartbeat" \
    all "[ -n '$before' ]" "[ $((after - before)) -le $most ]"
check "S02's batch sent $beside the flood: stored and acknowledged (2.04, hwm 2): $(tr '\n' ' ' <"$T/s02.out")" \
    all "[ '$(code s02)' = 2.04 ]" "grep -q '\"hwm\": *2' '$T/s02.out'" \
    "[ \"\$(q \"SELECT count(*) FROM records WHERE station = 'S02'\")\" = 2 ]"
check "S03's row: its township, last contact and a heartbeats row" \
    [ "$(q "SELECT township = 'TA' AND last_seen_ms > 0 AND (SELECT count(*) FROM heartbeats WHERE station = 'S03') >= 1 FROM stations WHERE id = 'S03'")" = 1 ]

# a status that matters (records set aside) is written at once, inside the floor
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S03 -k "$T/station_S03.key" -m POST -P heartbeat \
    -b "heartbeat:S03:TA:backlog 0, 2 set aside" -a 60 -j -t 8000 >"$T/aside.out" \
    2>>"$T/coapreq.err"
check "S03's status changed within the floor: written at once (2.04: $(code aside))" \
    all "[ '$(code aside)' = 2.04 ]" \
    "[ \"\$(q \"SELECT status FROM stations WHERE id = 'S03'\")\" = 'backlog 0, 2 set aside' ]"
check "gascounty logged no warning about heartbeats" \
    sh -c "! grep -Eq 'warning: .*heartbeat' '$T/county.log'"
check "no sanitizer report from gascounty" sh -c "! grep -q 'runtime error\|AddressSanitizer' '$T/county.log'"
finish
