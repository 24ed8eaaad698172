#!/bin/sh
# Bounds of a session (docs/county.md): answers held for their client.
#
# An answer larger than one block stays in gascounty's memory (libcoap
# 4.3.1's lg_xmit of the session, the whole answer) until the client fetches
# its last block or about 93 s pass, and libcoap replaces a kept answer only
# for the same query.  A client that asks again and again with another query
# and never fetches block 2 pinned one whole answer per request (review
# rev92, before the bound: +174 MB for 1,000 registry answers of a station,
# +573 MB for 300 evidence answers of an officer, from one session each).
# gascounty now counts the bytes of held answers per session (8 MiB), per
# identity (32 MiB) and for the county (256 MiB) and answers 5.03 with a
# Max-Age above them (server.c, held_allowed).
#  1. a station's key, GET /registry?since=0, since=1 ... (queries the
#     resource takes: 2,000 rows, ~190 KB an answer): memory stays bounded,
#     another station is served whole meanwhile, and the same station on a
#     new session fetches the registry whole after the flood;
#  2. an officer's key, GET /cases/evidence of a 2 MB photo, each with
#     another query: bounded; the officer on a new session still fetches it.
# Negative control: with held_allowed always returning 0 the checks fail
# (all 1,000 and 300 answered, the growth above) and no refusal is logged.
# Under the sanitizers (GAS_SANITIZED) the RSS is not checked, the counts are.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys officer:ann@TA
county_start || { fail "gascounty did not start"; finish; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID_county/status"; }

# a county registry of 5,000 cylinders (a real county holds tens of thousands)
county_sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
  INSERT INTO registry (serial, status, last_inspection, next_inspection, owner, version,
  updated_ms) SELECT printf('CYL%08d', i), 'active', '2025-01-01', '2029-01-01',
  'owner ' || i, i, 0 FROM n"

# 1. a station pins registry answers; another station is served meanwhile
before=$(rss)
SINCEQ=1 NOOBS=1 "$BUILD/tests/obsflood" "$CPORT" station:S01 "$(key_ascii station:S01)" \
    registry 1000 0 20 >"$T/reg.out" 2>&1 &
REG=$!
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m GET -P registry \
    -q since=0 -j -t 30000 >"$T/s02.out"
check "another station is served the registry during the flood ($(head -1 "$T/s02.out"))" \
    grep -q "^code 2.05" "$T/s02.out"
check "... whole (its 2,000th row)" grep -q CYL00002000 "$T/s02.out"
wait_for 60 grep -q "^sent" "$T/reg.out" || fail "the registry requests were answered"
grown=$(( ($(rss) - before) / 1024 ))
echo "# $(head -1 "$T/reg.out"): gascounty grew by $grown MB (before the bound: 174 MB)"
ok2=$(sed -n 's/^sent .* 2.xx \([0-9]*\)$/\1/p' "$T/reg.out")
check "a session holds at most 8 MiB of registry answers (2.05 to $ok2 of 1000, at most 50)" \
    [ "${ok2:-1000}" -le 50 ]
# the sanitizer's quarantine keeps freed memory: RSS tells nothing there
[ -n "${GAS_SANITIZED:-}" ] ||
    check "a station's unfetched registry answers are bounded (grew $grown MB, at most 30)" \
        [ "$grown" -le 30 ]
check "the refusal is logged" grep -q "answers not yet fetched hold" "$T/county.log"
kill "$REG" 2>/dev/null
wait "$REG" 2>/dev/null
# the flood's session still holds its answers (no one closed it): the
# station on a new session is served whole
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m GET -P registry \
    -q since=0 -j -t 30000 >"$T/s01.out"
check "the station on a new session fetches the registry after the flood ($(head -1 "$T/s01.out"))" \
    grep -q "^code 2.05" "$T/s01.out"
check "... whole (its 2,000th row)" grep -q CYL00002000 "$T/s01.out"

# 2. an officer: an alert's case in TA, one photo of 2 MB on it, asked for
# 300 times with 38 different queries the resource takes (id=0..0C,
# hash=H before or after it), never fetched past block 1
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST -P records \
    -b batch:S01:TA:1 -T "an alert" -t 8000 >/dev/null
sql_eventually 10 "SELECT count(*) FROM cases WHERE township = 'TA'" 1 ||
    fail "the alert opened a case in TA"
C=$(county_sql "SELECT id FROM cases WHERE township = 'TA'")
"$BUILD/tests/casefill" -p "$CPORT" -u officer:ann@TA -k "$T/officer_ann@TA.key" -i "$C" -n 1 \
    -s 2000000 >/dev/null
H=$(county_sql "SELECT hash FROM case_evidence WHERE case_id = $C")
before=$(rss)
NOOBS=1 EVID="$C&$H" "$BUILD/tests/obsflood" "$CPORT" officer:ann@TA \
    "$(key_ascii officer:ann@TA)" cases/evidence 300 0 20 >"$T/ev.out" 2>&1 &
EV=$!
wait_for 60 grep -q "^sent" "$T/ev.out" || fail "the evidence requests were answered"
grown=$(( ($(rss) - before) / 1024 ))
echo "# $(head -1 "$T/ev.out"): gascounty grew by $grown MB (unbounded: 38 x 2 MB)"
ok2=$(sed -n 's/^sent .* 2.xx \([0-9]*\)$/\1/p' "$T/ev.out")
check "a session holds at most 8 MiB of 2 MB photos (2.05 to $ok2 of 300, at most 4)" \
    [ "${ok2:-300}" -le 4 ]
[ -n "${GAS_SANITIZED:-}" ] ||
    check "an officer's unfetched evidence answers are bounded (grew $grown MB, at most 30)" \
        [ "$grown" -le 30 ]
kill "$EV" 2>/dev/null
wait "$EV" 2>/dev/null
"$BUILD/tests/coapreq" -p "$CPORT" -u officer:ann@TA -k "$T/officer_ann@TA.key" -m GET \
    -P cases/evidence -q "id=$C&hash=$H" -t 30000 >"$T/ev1.out"
check "the officer on a new session fetches the photo after the flood ($(head -1 "$T/ev1.out"))" \
    grep -q "^code 2.05" "$T/ev1.out"
county_stop
finish
