#!/bin/sh
# DTLS (issue 8, item 10) against a real gascounty:
#  - cipher suites: only the RFC 7925 suite TLS_PSK_WITH_AES_128_CCM_8
#    completes a handshake; a client offering only non-PSK suites or other
#    PSK suites gets none; a client offering every suite gets CCM_8 (the
#    server chooses).  Failed handshakes do not count against their
#    address's share of handshakes: right after ten of them, open at once, a
#    new session from the same address gets in.
#  - hello floods (tests/helpers/hello_flood: ClientHellos from distinct
#    ports, cookies echoed so that the server must open handshake sessions),
#    from addresses that are not the station's (127.0.0.2 to .6):
#    a burst of 150, then 5,000 while a station uploads.  A new station
#    session (tests/helpers/coapreq, a libcoap client) gets its answer within
#    10 s during and right after each flood (the time is printed); the
#    station's established session keeps delivering, a station that
#    reconnects in mid-flood delivers too, every record arrives, and the
#    server's memory stays bounded.  Before gascounty's per-address share of
#    handshakes (tools/gascounty/door.h) 100 such hellos locked new sessions
#    out for up to 30 s; the last check is that lockout, with the share
#    turned off, so that the checks above are known to be able to fail.
#  - a client the county refuses (an identity it does not hold) and one with
#    no county at its port are told which, in words.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

FLOOD=5000
[ -n "${TORTURE:-}" ] && FLOOD=50000
county_keys
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
check "gascounty sets handshake and idle session caps" \
    sh -c "grep -q coap_context_set_max_handshake_sessions '$(dirname "$0")/../../tools/gascounty/server.c' &&
        grep -q coap_context_set_max_idle_sessions '$(dirname "$0")/../../tools/gascounty/server.c'"
HEX=$(tr -d '\n' <"$T/station_S01.key")

suite() { # cipher -> the negotiated cipher, or NONE
	echo | timeout 10 openssl s_client -dtls1_2 -psk "$HEX" -psk_identity station:S01 \
	    -cipher "$1" -connect "127.0.0.1:$CPORT" 2>/dev/null |
	    sed -n 's/.*Cipher is \(.*\)/\1/p' | head -n 1
}
check "the RFC 7925 suite PSK-AES128-CCM8 completes a handshake" [ "$(suite PSK-AES128-CCM8)" = PSK-AES128-CCM8 ]
for c in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-CCM8 AES128-SHA DHE-RSA-AES128-GCM-SHA256 \
    PSK-AES256-GCM-SHA384 PSK-CHACHA20-POLY1305 ECDHE-PSK-CHACHA20-POLY1305 PSK-AES128-CCM \
    PSK-AES128-GCM-SHA256 PSK-AES128-CBC-SHA256; do
	got=$(suite $c)
	check "a client offering only $c gets no handshake" [ "${got:-(NONE)}" = "(NONE)" ]
done
check "a client offering every suite gets PSK-AES128-CCM8" [ "$(suite 'ALL:PSK')" = PSK-AES128-CCM8 ]
timeout 20 coap-client-openssl -B 5 -u station:S01 -k "$(key_ascii station:S01)" \
    "coaps://127.0.0.1:$CPORT/registry" >"$T/cc.out" 2>&1
check "coap-client-openssl (libcoap's own suite list) still gets in" \
    sh -c "! grep -q -e '4.0' -e 'DTLS' '$T/cc.out' && [ -s '$T/cc.out' ]"

# what a person is told when the session cannot be had: the county refused the identity
# (its alert), or nothing answers at that port; never libcoap's own warning lines
"$BUILD/gastrace" -p "$CPORT" -u regulator:bob -k "$T/regulator_alice.key" stations \
    >"$T/who.out" 2>&1
rc=$?
check "an identity the county does not hold: told the county refused it (exit $rc)" \
    all '[ $rc -ne 0 ]' \
    "grep -q 'the county refused the secure session for regulator:bob: its identities file does not hold that identity' '$T/who.out'"
DEADP=$(free_port udp)
"$BUILD/gastrace" -p "$DEADP" -u regulator:alice -k "$T/regulator_alice.key" stations \
    >"$T/dead.out" 2>&1
rc=$?
check "no county at the port: told nothing answers there, with no libcoap warning (exit $rc)" \
    all '[ $rc -ne 0 ]' "grep -q 'no county answering at 127.0.0.1 port $DEADP' '$T/dead.out'" \
    "! grep -q 'WARN' '$T/dead.out'"
check "gascounty's per-address handshake share is in libcoap's path" \
    sh -c "! grep -q 'no per-address handshake limit' '$T/county.log'"

now_ms() { date +%s%3N; }
# probe WHEN: a new station session (S02) asks for the registry; prints the
# time and leaves the answer in $probe_got
probe() {
	_t0=$(now_ms)
	probe_got=$("$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" \
	    -m GET -P registry -t "${PROBE_MS:-10000}" 2>/dev/null)
	probe_ms=$(( $(now_ms) - _t0 ))
	echo "# a new station session $1: ${probe_got:-nothing} in $probe_ms ms"
}
probe_ok() { [ "$probe_got" = "code 2.05" ] && [ "$probe_ms" -le 10000 ]; }

# --- failed handshakes do not hold their address's share ------------------------------
# Ten sessions from 127.0.0.1 (the probe's address), open at once, each then
# fails at its cookie round (a suite gascounty refuses: alert 40), which
# libcoap 4.3.1 frees without any event.  Counted on, they would lock the
# address out for 30 s.  Alive together, the ten have ten places in memory,
# so no reuse of freed memory by the next session can hide that.
spawn refused "$BUILD/tests/hello_flood" -p "$CPORT" -n 20 -s 10 -r 100 -t 10 -c 0xc02f
wait "$PID_refused" 2>/dev/null
sed 's/^/# /' "$T/refused.log"
check "ten sessions from one address went to their cookie round with a refused suite" \
    grep -q "(10 with a cookie)" "$T/refused.log"
probe "right after 10 failed handshakes from its address"
check "a new station session gets in right after 10 failed handshakes from its address (${probe_ms} ms)" \
    probe_ok

# --- a burst of 150 hellos from one other address --------------------------------
spawn burst "$BUILD/tests/hello_flood" -p "$CPORT" -n 150 -s 150 -r 5000 -t 10 -a 127.0.0.6
wait "$PID_burst" 2>/dev/null
sed 's/^/# /' "$T/burst.log"
probe "right after 150 hellos from 127.0.0.6"
check "a new station session gets in right after a burst of 150 hellos (${probe_ms} ms)" probe_ok

# --- the flood, while a station uploads ---------------------------------------------
"$BUILD/tests/station_fill" "$T/s.db" -n 100 -s S01 -c PRE -t TA
uplink() {
	spawn uplink "$BUILD/tests/uplink_run" -d "$T/s.db" -p "$CPORT" -s S01 -t TA \
	    -k "$T/station_S01.key" -b 20 -B 1 -w 110
}
uplink
wait_for 15 [ "$(county_sql "SELECT count(*) FROM records")" = 100 ]
check "station session established, first 100 records in" \
    [ "$(county_sql "SELECT count(*) FROM records")" = 100 ]
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$PID_county/status")
spawn flood "$BUILD/tests/hello_flood" -p "$CPORT" -n "$FLOOD" -s 200 -r 1000 -t 100 -a 127.0.0.2
sleep 1
probe "during $FLOOD hellos from 127.0.0.2"
check "a new station session gets in during the flood (${probe_ms} ms)" probe_ok
# the station reconnects in mid-flood: a new uplink, a new session
kill "$PID_uplink" 2>/dev/null
wait "$PID_uplink" 2>/dev/null
uplink
i=0
while kill -0 "$PID_flood" 2>/dev/null && [ $i -lt 1000 ]; do
	i=$((i + 1))
	"$BUILD/tests/station_fill" "$T/s.db" -n 5 -s S01 -c "FL$i" -t TA
	sleep 0.5
done
wait "$PID_flood" 2>/dev/null
probe "right after the flood"
check "a new station session gets in right after the flood (${probe_ms} ms)" probe_ok
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$PID_county/status")
sed 's/^/# /' "$T/flood.log"
during=$(county_sql "SELECT count(*) FROM records WHERE seq > 100")
check "the flood really sent $FLOOD hellos" grep -q "sent $FLOOD hellos" "$T/flood.log"
check "records kept arriving during the flood, through a reconnection ($during of $((i * 5)))" \
    [ "$during" -gt 0 ]
echo "# gascounty memory: ${rss0} kB before, ${rss1} kB after the flood"
# The sanitizer build's own memory (shadow, quarantine) is no measure of
# gascounty's: its stage of tests/run.sh says so, and the bound is not
# checked there (no check, not a pass).
if [ -z "${GAS_SANITIZED:-}" ]; then
	check "gascounty's memory stayed bounded (under 64 MB)" [ "$rss1" -lt 65536 ]
else
	echo "# memory bound not checked: a sanitizer build (GAS_SANITIZED)"
fi
check "gascounty still running" kill -0 "$PID_county"
wait_for 30 [ "$(sqlite3 "$T/s.db" "SELECT count(*) FROM outbox")" = 0 ]
check "every record of the station arrived, no gap" \
    [ "$(county_sql "SELECT count(*) || '/' || max(seq) || '/' || (SELECT hwm FROM stations)
        FROM records")" = "$((100 + i * 5))/$((100 + i * 5))/$((100 + i * 5))" ]

# --- the same from four addresses at once ----------------------------------------------
spawn flood4 "$BUILD/tests/hello_flood" -p "$CPORT" -n "$FLOOD" -s 200 -r 1000 -t 100 \
    -a 127.0.0.2 -a 127.0.0.3 -a 127.0.0.4 -a 127.0.0.5
sleep 1
probe "during $FLOOD hellos from 127.0.0.2-5"
check "a new station session gets in during a flood from four addresses (${probe_ms} ms)" probe_ok
wait "$PID_flood4" 2>/dev/null
sed 's/^/# /' "$T/flood4.log"
probe "right after it"
check "a new station session gets in right after a flood from four addresses (${probe_ms} ms)" \
    probe_ok
grep 'refused .* ClientHellos' "$T/county.log" | tail -n 1 | sed 's/^/# /'

# --- negative control: without the share, 150 hellos lock new sessions out ----------
county_stop
COUNTY_EXTRA="handshakes_per_address = 0"
county_start "$CPORT" || county_start || fail "gascounty did not start again"
spawn burst2 "$BUILD/tests/hello_flood" -p "$CPORT" -n 150 -s 150 -r 5000 -t 10 -a 127.0.0.2
wait "$PID_burst2" 2>/dev/null
PROBE_MS=3000 probe "after 150 hellos, share off"
check "negative control: with the share off, 150 hellos lock a new session out" \
    [ "$probe_got" != "code 2.05" ]
finish
