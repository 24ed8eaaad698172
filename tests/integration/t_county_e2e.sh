#!/bin/sh
# The whole chain with real processes: gassim (fill line over Modbus TCP) ->
# gasgw (rules, records, uplink over CoAP/DTLS-PSK) -> gascounty -> gaswatch.
# A good fill reaches the county with its weights; an overdue cylinder's
# refusal (R05, refuse + alert) becomes an alert that reaches the station's
# township and not another one; the station's heartbeat arrives; a registry
# change made at the county reaches the station's database; the regulator
# draws the fill's curve from the county's copy (in Chinese under zh_CN).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"

PREACT=0.25
fill_setup 1 || { fail "set-up"; finish; }

# county identities: the station S1 and two townships
: >"$T/ids"
chmod 600 "$T/ids"
for id in station:S1 township:330825101 township:330825102 regulator:alice; do
	f="$T/$(echo "$id" | tr ':' '_').key"
	key_file "$id" "$f"
	echo "$id $(tr -d '\n' <"$f")" >>"$T/ids"
done
county_start || { fail "gascounty did not start"; finish; }

# gasgw again, now with the county link
gw_join_county || { fail "gasgw restarted with the uplink"; finish; }
check "gasgw started its uplink" grep -q "uplink to 127.0.0.1:$CPORT as station:S1" "$T/gasgw.log"

sim flow 1 2.5
sim place 1 15.3
wait_state 1 idle 5
out=$(ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 2>&1)
check "a good fill at the station" sh -c "printf '%s\n' '$out' | grep -q '^ok: net'"
sim remove 1 && sim place 1 15.3
sleep 1
out=$(ctl fill 1 --cylinder "$(code C-OVERDUE)" --buyer "$BUYER1" --operator OP-7 2>&1)
check "the overdue cylinder is refused (R05)" sh -c "printf '%s\n' '$out' | grep -q '^R05 '"

if sql_eventually 15 "SELECT count(*) FROM fills WHERE station = 'S1' AND cylinder = 'C-GOOD-1' AND net_kg > 14" 1; then
	ok "the fill reached the county with its weights"
else
	fail "the fill reached the county with its weights"
fi
check "the county holds the buyer only masked and hashed" \
    [ "$(county_sql "SELECT buyer_masked || ' ' || length(buyer) FROM fills")" = "110***********002X 64" ]
if sql_eventually 15 "SELECT count(*) FROM alerts WHERE rule = 'R05' AND township = '330825101'" 1; then
	ok "the R05 refusal became an alert for the station's township"
else
	fail "the R05 refusal became an alert for the station's township"
fi
check "station outbox drained" [ "$(sql "SELECT count(*) FROM outbox")" = 0 ]
check "gasctl status shows the uplink connected, nothing waiting, the county's mark" \
    sh -c "'$BUILD/gasctl' -s '$T/gw.sock' status | grep -q '^uplink: connected, backlog 0, county has up to seq 2'"

"$BUILD/gaswatch" --township 330825101 -k "$T/township_330825101.key" -p "$CPORT" --once \
    >"$T/w1.out" 2>&1
check "gaswatch of township 330825101 shows the R05 alert for C-OVERDUE" \
    grep -q "R05 .*C-OVERDUE" "$T/w1.out"
"$BUILD/gaswatch" --township 330825102 -k "$T/township_330825102.key" -p "$CPORT" --once \
    >"$T/w2.out" 2>&1
check "gaswatch of township 330825102 shows nothing" sh -c "! grep -q R05 '$T/w2.out'"

# a regulator traces the buyer by number: hashed here with the county buyer
# key, it must meet the id the station computed
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" \
    buyer "$BUYER1" --buyer-key "$T/keys/buyer.key" >"$T/tb.out" 2>&1
check "gastrace buyer NUMBER finds the buyer's fill and refusal" \
    sh -c "grep -q 'C-GOOD-1' '$T/tb.out' && grep -q 'refusal .*C-OVERDUE .*R05' '$T/tb.out'"
check "the buyer number never reached the county" \
    [ "$(county_sql "SELECT count(*) FROM audit WHERE key LIKE '%$BUYER1%'")" = 0 ]
check "the trace names the buyer masked only" sh -c "! grep -q '$BUYER1' '$T/tb.out'"

# the fill's weight curve went up with the record: the regulator draws it
good_fill=$(sql "SELECT uuid FROM fills WHERE cylinder = 'C-GOOD-1' LIMIT 1")
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" \
    curve "$good_fill" --out "$T/county-curve.svg" >"$T/tc.out" 2>&1
check "gastrace curve draws the fill's curve as the county holds it" \
    sh -c "grep -q 'target 14.90 kg' '$T/county-curve.svg' && grep -q 'final net' '$T/county-curve.svg'"
check "the county's curve is the station's, byte for byte" \
    [ "$(county_sql "SELECT hex(curve) FROM fill_curves WHERE uuid = '$good_fill'")" = \
      "$(sql "SELECT hex(curve) FROM fills WHERE uuid = '$good_fill'")" ]
check "looking at a curve is audited" \
    [ "$(county_sql "SELECT count(*) FROM audit WHERE query = 'curve' AND key = '$good_fill'")" = 1 ]
# a regulator who reads Chinese gets the SVG's words in Chinese (the PNG's
# font is ASCII: it stays English)
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" \
    curve "$good_fill" --out "$T/county-curve-zh.svg" >/dev/null 2>&1
check "gastrace curve under zh_CN: Chinese title, legend and axes in the SVG" \
    sh -c "grep -q '>充装 $(printf '%.8s' "$good_fill")，站点 S1 充装线 1，气瓶 C-GOOD-1<' '$T/county-curve-zh.svg' &&
    grep -q '>目标 14.90 kg<' '$T/county-curve-zh.svg' && grep -q '>时间（秒）<' '$T/county-curve-zh.svg'"
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" \
    curve 00000000-0000-4000-8000-000000000000 --out "$T/none.svg" >"$T/tn.out" 2>&1
check "a fill the county holds no curve for is said so (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q 'holds no curve' '$T/tn.out'"
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" \
    curve "$good_fill" --out "$T/nofolder/c.svg" >"$T/tcno.out" 2>&1
check "a curve into a folder that does not exist names the file asked for, not its temporary" \
    sh -c "grep -q '$T/nofolder/c.svg: No such file' '$T/tcno.out' && ! grep -q 'c.svg.tmp' '$T/tcno.out'"

if sql_eventually 15 "SELECT count(*) > 0 FROM heartbeats WHERE station = 'S1'" 1; then
	ok "the station's heartbeat arrived"
else
	fail "the station's heartbeat arrived"
fi

# the county scraps C-GOOD-2; within a registry poll the station knows
"$BUILD/gascounty" -c "$T/county.conf" registry set C-GOOD-2 --status scrapped
if wait_for 20 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/station.db' \"SELECT status FROM cylinders WHERE serial = 'C-GOOD-2'\")\" = scrapped ]"; then
	ok "a registry delta from the county reached the station"
else
	fail "a registry delta from the county reached the station"
fi
sim remove 1 && sim place 1 15.3
sleep 1
out=$(ctl fill 1 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER2" --operator OP-7 2>&1)
check "and the station now refuses that cylinder (R04)" sh -c "printf '%s\n' '$out' | grep -q '^R04 '"
finish
