#!/bin/sh
# The county's register of stations, with real processes (gascounty,
# coapreq over DTLS, gaswatch): `gascounty station set` refuses what cannot
# be right and names the field; a registered station that names another
# township is refused (4.00, both named) and nothing of its batch stored,
# while the same station naming its own township is stored and its alert
# becomes a case of the registered township; the case answer (CoAP GET
# /cases/show, as gaswatch show prints it and --json gives it) carries the
# station's registered name and address, quotes and markup as text; a
# station nobody registered keeps the township of its first contact, with a
# warning in the county's log; `station list` shows both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys officer:wang@TA
county_start || { fail "gascounty did not start"; finish; }
GC() { "$BUILD/gascounty" -c "$T/county.conf" "$@"; }
q() { county_sql "$1"; }
send() { # STATION NAME: POST $T/NAME.cbor as station:STATION; $T/NAME.out
	"$BUILD/tests/coapreq" -p "$CPORT" -u "station:$1" -k "$T/station_$1.key" -m POST \
	    -P records -f "$T/$2.cbor" -j -t 8000 >"$T/$2.out" 2>>"$T/coapreq.err"
}
code() { sed -n 's/^code //p' "$T/$1.out"; }

NAME='龙游城南加气站 "<b>"'
ADDR="龙游县城南路 1 号 <script>x</script>"

# --- the register's command ----------------------------------------------------------
GC station set S01 --name "$NAME" --address "$ADDR" --township TZ >"$T/tz.out" 2>&1
check "a township not of this county is refused by name (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q \"township 'TZ'\" '$T/tz.out'"
GC station set S01 --address "$ADDR" --township TA >"$T/noname.out" 2>&1
check "a missing --name is bad usage (exit 2)" sh -c "[ $? -eq 2 ] && grep -q -- '--name' '$T/noname.out'"
GC station set S01 --name "$NAME" --address "$ADDR" --township TA --lat 91 --lon 119 \
    >"$T/lat.out" 2>&1
check "a latitude beyond 90 is refused (exit 2)" [ $? -eq 2 ]
check "nothing was registered by the refused commands" \
    [ "$(q "SELECT count(*) FROM stations")" = 0 ]
GC station set S01 --name "$NAME" --address "$ADDR" --township TA --lat 29.03 --lon 119.17 \
    >"$T/set.out" 2>&1
check "S01 is registered in TA" [ $? -eq 0 ]
GC station set S09 --name x --address y --township TA >"$T/s09.out" 2>&1
check "registering a station with no identity yet says so" \
    sh -c "[ $? -eq 0 ] && grep -q 'no identity station:S09' '$T/s09.out'"

# --- a registered station naming another township ----------------------------------
"$BUILD/tests/batchgen" -s S01 -t TB "seq=1,rule=R05" >"$T/tb.cbor"
send S01 tb
check "S01's batch naming TB is refused (4.00) with both townships named" \
    sh -c "[ '$(code tb)' = 4.00 ] && grep -q 'registered in township TA by the county, not TB' '$T/tb.out'"
check "nothing of it was stored" [ "$(q "SELECT count(*) FROM records")" = 0 ]
check "the county's log says why" grep -q "registered in township TA" "$T/county.log"
"$BUILD/tests/batchgen" -s S01 -t TA "seq=1,rule=R05" >"$T/ta.cbor"
send S01 ta
check "the same record naming TA is stored (2.04)" [ "$(code ta)" = 2.04 ]
if sql_eventually 10 "SELECT count(*) FROM cases WHERE station='S01' AND township='TA'" 1; then
	ok "its alert became a case of the registered township TA"
else
	fail "its alert became a case of the registered township TA"
fi
ID=$(q "SELECT id FROM cases WHERE station='S01'")

# --- the case carries the station's name and address -------------------------------
W() { "$BUILD/gaswatch" --as officer:wang@TA -k "$T/officer_wang@TA.key" -p "$CPORT" "$@"; }
W show "$ID" >"$T/show.out" 2>&1
check "gaswatch show prints the registered name and address" \
    sh -c "grep -qF 'name:     $NAME   address: $ADDR' '$T/show.out'"
W show "$ID" --json >"$T/show.json" 2>&1
check "the CoAP case answer has them in its station part, as text" \
    python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["station"]
assert s["name"] == sys.argv[2] and s["address"] == sys.argv[3], s
assert s["registered"] == 1 and abs(s["lat"] - 29.03) < 1e-6 and s["township"] == "TA"' \
    "$T/show.json" "$NAME" "$ADDR"

# --- a station nobody registered: first contact, with a warning --------------------
"$BUILD/tests/batchgen" -s S03 -t TB "seq=1" >"$T/s03.cbor"
send S03 s03
check "an unregistered station is stored under the township it names (2.04)" \
    sh -c "[ '$(code s03)' = 2.04 ] && [ \"\$(sqlite3 '$T/county.db' \"SELECT township FROM stations WHERE id='S03'\")\" = TB ]"
check "with a warning in the county's log" \
    grep -q "station S03 is not in the county's register: township TB taken from its first contact" \
    "$T/county.log"
GC station list >"$T/list.out" 2>&1
check "station list shows the registered and the unregistered station" \
    sh -c "head -1 '$T/list.out' | grep -q '^id	township	registered' &&
        grep -q '^S01	TA	yes	' '$T/list.out' && grep -q '^S03	TB	no	' '$T/list.out'"
check "gascounty still running" kill -0 "$PID_county"
finish
