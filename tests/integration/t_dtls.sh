#!/bin/sh
# DTLS (issue 8, item 10) against a real gascounty:
#  - cipher suites: only the RFC 7925 suite TLS_PSK_WITH_AES_128_CCM_8
#    completes a handshake; a client offering only non-PSK suites or other
#    PSK suites gets none; a client offering every suite gets CCM_8 (the
#    server chooses).
#  - a flood of 5,000 ClientHellos (tests/helpers/hello_flood, loopback,
#    200 client ports, cookies echoed so the server must open handshake
#    sessions) while a station uploads: its established session keeps
#    delivering, its records all arrive, the server's memory stays bounded
#    by the handshake cap, and a new session gets in again after the flood
#    (the time it took is printed: libcoap ignores hellos while the cap is
#    full and drops half-open sessions only after its partial-session timeout).
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

# --- the flood, while a station uploads ----------------------------------------
"$BUILD/tests/station_fill" "$T/s.db" -n 100 -s S01 -c PRE -t TA
spawn uplink "$BUILD/tests/uplink_run" -d "$T/s.db" -p "$CPORT" -s S01 -t TA \
    -k "$T/station_S01.key" -b 20 -B 1 -w 110
wait_for 15 [ "$(county_sql "SELECT count(*) FROM records")" = 100 ]
check "station session established, first 100 records in" \
    [ "$(county_sql "SELECT count(*) FROM records")" = 100 ]
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$PID_county/status")
spawn flood "$BUILD/tests/hello_flood" -p "$CPORT" -n "$FLOOD" -s 200 -r 1000 -t 100
i=0
while kill -0 "$PID_flood" 2>/dev/null && [ $i -lt 1000 ]; do
	i=$((i + 1))
	"$BUILD/tests/station_fill" "$T/s.db" -n 5 -s S01 -c "FL$i" -t TA
	sleep 0.5
done
wait "$PID_flood" 2>/dev/null
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$PID_county/status")
sed 's/^/# /' "$T/flood.log"
during=$(county_sql "SELECT count(*) FROM records WHERE seq > 100")
check "the flood really sent $FLOOD hellos" grep -q "sent $FLOOD hellos" "$T/flood.log"
check "records kept arriving during the flood ($during of $((i * 5)))" [ "$during" -gt 0 ]
echo "# gascounty memory: ${rss0} kB before, ${rss1} kB after the flood"
check "gascounty's memory stayed bounded (under 64 MB)" [ "$rss1" -lt 65536 ]
check "gascounty still running" kill -0 "$PID_county"
total=$(sqlite3 "$T/s.db" "SELECT max(seq) FROM outbox" 2>/dev/null)
wait_for 30 [ "$(sqlite3 "$T/s.db" "SELECT count(*) FROM outbox")" = 0 ]
check "every record of the station arrived, no gap" \
    [ "$(county_sql "SELECT count(*) || '/' || max(seq) || '/' || (SELECT hwm FROM stations)
        FROM records")" = "$((100 + i * 5))/$((100 + i * 5))/$((100 + i * 5))" ]
start=$(date +%s)
got=""
while [ $(( $(date +%s) - start )) -lt 75 ]; do
	got=$("$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m GET \
	    -P registry -t 2000 2>/dev/null)
	[ "$got" = "code 2.05" ] && break
	sleep 1
done
echo "# a new session got in $(( $(date +%s) - start )) s after the flood ended"
check "a new station session gets in after the flood" [ "$got" = "code 2.05" ]
finish
