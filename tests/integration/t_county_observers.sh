#!/bin/sh
# Bounds of a session (docs/county.md): Observe registrations.
#
# libcoap 4.3.1 keeps one observer per session and distinct request (every
# option but ETag counts, the query included) and runs the handler for each
# at every notification.  Review rev92: one grid worker's session registered
# 20,000 observers of /cases, each with a query key the server ignored
# (x<i>=...): +22 MB, and then one alert cost 1.26 s of the event loop.
# Now (server.c): a query key a resource does not take is 4.00 (naming it),
# since= on an Observe registration is 4.00, and a session keeps at most 8
# distinct registrations (an identity 64): 4.29 past them.
#  1. 20,000 registrations with ignored query keys: all refused, memory flat;
#  2. 20,000 registrations made new by an elective option of no meaning:
#     8 kept, memory flat;
#  3. GET /alerts?since=N with Observe: 4.00; a plain Observe of /alerts and
#     of /cases is still notified (gaswatch's use).
# The CPU and latency of one alert with the observers in place are printed,
# never asserted (they depend on the machine).
# Negative control: without query_acceptable part 1 fails (+22 MB, 20,000
# kept); without observe_allowed part 2 fails (20,000 kept).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

N=${OBS_N:-20000}
county_keys grid:gil@TA
county_start || { fail "gascounty did not start"; finish; }

rss() { awk '/VmRSS/ {print $2}' "/proc/$PID_county/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$PID_county/stat"; }
hz=$(getconf CLK_TCK)
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# warm up: one alert and one case exist, the paths are used once
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m POST -P records \
    -b batch:S02:TB:1 -T warmup -t 8000 >/dev/null
sql_eventually 10 "SELECT count(*) FROM cases" 1 || fail "the warm-up alert opened a case"

# 1. ignored query keys
rss0=$(rss)
"$BUILD/tests/obsflood" "$CPORT" grid:gil@TA "$(key_ascii grid:gil@TA)" cases "$N" 900 \
    >"$T/obs1.out" 2>&1
echo "# $(head -1 "$T/obs1.out")"
grown=$(( ($(rss) - rss0) / 1024 ))
echo "# gascounty grew by $grown MB for $N registrations with unknown query keys (before: 22 MB)"
check "registrations with a query key /cases does not take are refused" \
    grep -q "^sent $N answered $N 2.xx 0$" "$T/obs1.out"
[ -n "${GAS_SANITIZED:-}" ] || # the sanitizer's quarantine keeps freed memory
    check "... and the memory stays (grew $grown MB, at most 8)" [ "$grown" -le 8 ]
"$BUILD/tests/coapreq" -p "$CPORT" -u grid:gil@TA -k "$T/grid_gil@TA.key" -m GET -P cases \
    -q "view=open&color=red" -j -t 8000 >"$T/q.out"
check "an unknown query key is 4.00 naming it ($(head -1 "$T/q.out"))" \
    sh -c "grep -q '^code 4.00' '$T/q.out' && grep -q \"key 'color'\" '$T/q.out'"
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m GET -P registry \
    -q "since=0&since=5" -t 8000 >"$T/q2.out"
check "a key given twice is 4.00 ($(head -1 "$T/q2.out"))" grep -q "^code 4.00" "$T/q2.out"

# 2. one session, 20,000 distinct registrations the query cannot tell apart
rss0=$(rss)
NOQ=1 ELECTIVE=1 "$BUILD/tests/obsflood" "$CPORT" grid:gil@TA "$(key_ascii grid:gil@TA)" cases \
    "$N" 0 30 >"$T/obs2.out" 2>&1 &
OBS=$!
wait_for 120 grep -q "^sent" "$T/obs2.out" || fail "the registrations were answered"
echo "# $(head -1 "$T/obs2.out")"
check "a session keeps at most 8 registrations" grep -q "^sent $N answered $N 2.xx 8$" \
    "$T/obs2.out"
grown=$(( ($(rss) - rss0) / 1024 ))
echo "# gascounty grew by $grown MB for $N registrations on one session"
[ -n "${GAS_SANITIZED:-}" ] || # the sanitizer's quarantine keeps freed memory
    check "... and the memory stays (grew $grown MB, at most 8)" [ "$grown" -le 8 ]

# what one alert costs now (printed only)
t0=$(ticks)
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m POST -P records \
    -b batch:S02:TB:2 -T another -t 60000 >"$T/b2.out"
start=$(ms)
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST -P heartbeat \
    -b heartbeat:S01:TA -t 60000 >"$T/hb.out"
took=$(( $(ms) - start ))
sleep 2
cpu=$(( ($(ticks) - t0) * 1000 / hz ))
echo "# one alert in township TB: $cpu ms of gascounty's CPU (before: 1260 ms); S01's heartbeat answered in $took ms (before: 1430 ms) ($(head -1 "$T/hb.out"))"
kill "$OBS" 2>/dev/null
wait "$OBS" 2>/dev/null

# 3. since= with Observe; the plain registrations clients make still work
SINCEQ=1 "$BUILD/tests/obsflood" "$CPORT" township:TA "$(key_ascii township:TA)" alerts 1 0 \
    >"$T/obs3.out" 2>&1
check "since= on an Observe registration of /alerts is refused" \
    grep -q "^sent 1 answered 1 2.xx 0$" "$T/obs3.out"
"$BUILD/tests/coapreq" -p "$CPORT" -u township:TB -k "$T/township_TB.key" -o -P alerts \
    -t 15000 >"$T/o1.out" &
O1=$!
wait_for 10 grep -q observing "$T/o1.out" || fail "township TB observes /alerts"
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m POST -P records \
    -b batch:S02:TB:3 -T third -t 8000 >/dev/null
wait "$O1"
check "a plain Observe of /alerts is notified" grep -q "^notified" "$T/o1.out"
county_stop
finish
