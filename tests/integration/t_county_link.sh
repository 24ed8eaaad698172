#!/bin/sh
# The county link end to end with real processes over DTLS on loopback:
# records from a station database reach gascounty exactly once; alerts go to
# the township the station named and not to another; gaswatch follows them
# live and records a disposition; gastrace reads a cylinder's history and
# the query lands in the audit log; coap-client-openssl with a regulator key
# reads a trace, with a station key gets 4.03, with a wrong key gets no
# session; registry deltas reach the station database; SIGHUP revokes an
# identity.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
ok "gascounty listens on udp $CPORT"
check "gascounty -n checks the identities file too" \
    sh -c "'$BUILD/gascounty' -c '$T/county.conf' -n | grep -q '6 identities'"
cp "$T/ids" "$T/ids.good"
echo "station:S09 not-hex" >>"$T/ids"
"$BUILD/gascounty" -c "$T/county.conf" -n >"$T/n.out" 2>&1
check "gascounty -n names FILE:LINE of a broken identity (exit 1)" \
    sh -c "[ $? -eq 1 ] && grep -q 'ids:7: key of station:S09' '$T/n.out'"
chmod 644 "$T/ids"
"$BUILD/gascounty" -c "$T/county.conf" -n >"$T/n.out" 2>&1
check "gascounty -n refuses an identities file others can read" grep -q "chmod 600" "$T/n.out"
cp "$T/ids.good" "$T/ids" && chmod 600 "$T/ids"

# --- records arrive -----------------------------------------------------------
"$BUILD/tests/station_fill" "$T/s01.db" -n 50 -s S01 -c CYL -e 10 -r R05 -t TA -b TB
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -x -w 30 >"$T/up1.log" 2>&1
check "uplink drained the outbox" grep -q "backlog 0" "$T/up1.log"
check "50 records stored" [ "$(county_sql "SELECT count(*) FROM records WHERE station='S01'")" = 50 ]
check "county high-water mark is 50" [ "$(county_sql "SELECT hwm FROM stations WHERE id='S01'")" = 50 ]
check "station outbox empty" [ "$(sqlite3 "$T/s01.db" "SELECT count(*) FROM outbox")" = 0 ]
check "fills carry the masked buyer" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE buyer_masked='330***********1234'")" = 50 ]

# sending records again (a lost answer, a crash before the delete) changes nothing
sqlite3 "$T/s01.db" "ATTACH '$T/county.db' AS c; INSERT INTO outbox (seq, uuid, kind, created_ms)
    SELECT seq, uuid, kind, created_ms FROM c.records WHERE station = 'S01' AND seq <= 20"
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -x -w 30 >"$T/up1b.log" 2>&1
check "resent records drained again" [ "$(sqlite3 "$T/s01.db" "SELECT count(*) FROM outbox")" = 0 ]
check "resent records stored once" [ "$(county_sql "SELECT count(*) FROM records")" = 50 ]
check "five alerts for township TA" [ "$(county_sql "SELECT count(*) FROM alerts WHERE township='TA'")" = 5 ]
check "no alert for township TB" [ "$(county_sql "SELECT count(*) FROM alerts WHERE township='TB'")" = 0 ]

# --- gaswatch: TA sees its alerts, TB sees none --------------------------------
"$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" --once >"$T/wa.out" 2>&1
check "gaswatch TA lists 5 alerts" [ "$(grep -c R05 "$T/wa.out")" = 5 ]
"$BUILD/gaswatch" --township TB -k "$T/township_TB.key" -p "$CPORT" --once >"$T/wb.out" 2>&1
check "gaswatch TB lists none" [ "$(grep -c R05 "$T/wb.out")" = 0 ]

# live: both follow; a new station alert for TA appears at A only
spawn watchA "$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" --json
spawn watchB "$BUILD/gaswatch" --township TB -k "$T/township_TB.key" -p "$CPORT" --json
count_eventually 10 "$T/watchA.log" '"rule"' 5
sleep 1
"$BUILD/tests/station_fill" "$T/s02.db" -n 3 -s S02 -c NEW -e 1 -r R20 -S critical -t TA
"$BUILD/tests/uplink_run" -d "$T/s02.db" -p "$CPORT" -s S02 -t TA -k "$T/station_S02.key" \
    -x -w 30 >"$T/up2.log" 2>&1
if count_eventually 15 "$T/watchA.log" '"R20"' 3; then
	ok "gaswatch TA follows 3 new alerts live"
else
	fail "gaswatch TA follows 3 new alerts live"; cat "$T/watchA.log"
fi
check "gaswatch TA showed each alert once" [ "$(grep -c '"rule"' "$T/watchA.log")" = 8 ]
# (TB does see C02: this buyer, registered in TB by S01's records, is over
# the limit across two stations now; C02 goes to the buyer's township)
check "gaswatch TB saw none of the station's R20 alerts" [ "$(grep -c '"R20"' "$T/watchB.log")" = 0 ]

# a disposition by the owning township; another township is refused
ID=$(county_sql "SELECT min(id) FROM alerts WHERE township='TA'")
"$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" ack "$ID" --note "seized" >/dev/null
check "disposition recorded" [ "$(county_sql "SELECT note FROM dispositions WHERE alert=$ID")" = seized ]
"$BUILD/gaswatch" --township TB -k "$T/township_TB.key" -p "$CPORT" ack "$ID" --note "not mine" 2>/dev/null
check "another township's disposition refused (exit 3)" [ $? -eq 3 ]
# the disposition shows on the alert's own line, its bracket closed there
TZ=Asia/Shanghai "$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" --once \
    >"$T/wd.out" 2>&1
check "gaswatch shows the disposition on the alert's line, bracket closed" \
    grep -Eq "^$ID +.* R05 .*  \[done [0-9-]+ [0-9:]+\+08:00: seized\]\$" "$T/wd.out"
check "gaswatch prints no line of its own for a bracket" sh -c "! grep -q '^\]' '$T/wd.out'"
check "gaswatch shows alert times in local time with the offset" \
    grep -Eq "^$ID +20[0-9-]+ [0-9:]+\+08:00 R05" "$T/wd.out"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" TZ=Asia/Shanghai \
    "$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" --once >"$T/wd_zh.out" 2>&1
check "under zh_CN an alert's line says its severity in Chinese, its columns in line" \
    all "grep -Eq '^$ID +20[0-9-]+ [0-9:]+\+08:00 R05  告警     S01 ' '$T/wd_zh.out'" \
    "! grep -q ' alert ' '$T/wd_zh.out'"
TZ=Asia/Shanghai "$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" --once --json \
    >"$T/wdj.out" 2>&1
check "gaswatch --json writes times as ISO 8601 with the offset" \
    grep -Eq '"at":"20[0-9-]+T[0-9:.]+\+08:00".*"disposed_at":"20[0-9-]+T[0-9:.]+\+08:00"' "$T/wdj.out"
# an empty note records nothing: refused before anything is sent, with what to write
notes=$(county_sql "SELECT count(*) FROM dispositions")
"$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" ack "$ID" --note "" 2>"$T/empty.err"
check "an empty note is bad usage (exit 2) and says what to write" \
    sh -c "[ $? -eq 2 ] && grep -q 'the note is empty: say what you did' '$T/empty.err'"
"$BUILD/gaswatch" --township TA -k "$T/township_TA.key" -p "$CPORT" ack "$ID" --note "   " 2>/dev/null
check "a blank note is refused too (exit 2)" [ $? -eq 2 ]
check "neither reached the county" [ "$(county_sql "SELECT count(*) FROM dispositions")" = "$notes" ]

# --- traces -------------------------------------------------------------------
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" cylinder CYL10 >"$T/tr.out"
check "gastrace shows the cylinder's fill with its violation" grep -q "CYL10 .*R05" "$T/tr.out"
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" --csv station S01 >"$T/tr.csv"
check "gastrace --csv lists the station's 50 fills" [ "$(grep -c ',S01,' "$T/tr.csv")" = 50 ]
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" --json \
    buyer --id "$(printf '%064d' 7)" >"$T/tr.json"
check "gastrace buyer --json answers JSON" grep -q '"query":"buyer"' "$T/tr.json"
# gastrace cylinder reads the trace and the registry history: two audit rows
check "every trace is in the audit log (the cylinder's trace and its registry history too)" \
    [ "$(county_sql "SELECT group_concat(query, ' ') FROM (SELECT query FROM audit WHERE identity='regulator:alice' ORDER BY id)")" = "history cylinder station buyer" ]
"$BUILD/gastrace" -u station:S01 -k "$T/station_S01.key" -p "$CPORT" cylinder CYL10 \
    2>"$T/tr-station.err"; rc=$?
check "gastrace with a station identity is refused (exit $rc, want 3: $(head -c 200 "$T/tr-station.err"))" \
    [ $rc -eq 3 ]

# --- a real peer: coap-client-openssl --------------------------------------------
URI="coaps://127.0.0.1:$CPORT/trace/cylinder?serial=CYL20"
timeout 20 coap-client-openssl -B 10 -u regulator:alice -k "$(key_ascii regulator:alice)" -A 50 "$URI" \
    >"$T/cc1.out" 2>&1
check "coap-client with the regulator key reads a trace" grep -q '"cyl":"CYL20"' "$T/cc1.out"
timeout 20 coap-client-openssl -B 10 -u station:S01 -k "$(key_ascii station:S01)" "$URI" >"$T/cc2.out" 2>&1
# the answer code, not a log line's time (coap-client's 14:03:34.031 held "4.03")
code403='(^|[^0-9:.])4\.03([^0-9]|$)'
check "coap-client with a station key gets 4.03" grep -qE "$code403" "$T/cc2.out"
timeout 20 coap-client-openssl -B 5 -u regulator:alice -k "wrong-key-wrong-key-0000" "$URI" >"$T/cc3.out" 2>&1
check "coap-client with a wrong key gets no session and no data" \
    sh -c "! grep -qE -e CYL20 -e '$code403' '$T/cc3.out'"
timeout 20 coap-client-openssl -B 5 -u regulator:mallory -k "$(key_ascii regulator:alice)" "$URI" >"$T/cc4.out" 2>&1
check "unknown identity refused at the handshake" grep -q "unknown identity 'regulator:mallory'" "$T/county.log"
check "audit log has only the regulator's successful traces" \
    [ "$(county_sql "SELECT count(*) FROM audit")" = 5 ]

# --- registry deltas ------------------------------------------------------------
# every command gascounty --help lists answers --help, without a configuration
"$BUILD/gascounty" --help | sed -n '/^Commands/,/^$/p' | sed -n 's/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p' >"$T/commands"
check "gascounty --help lists its commands" [ "$(wc -l <"$T/commands")" -ge 2 ]
while read -r words; do
	# shellcheck disable=SC2086
	"$BUILD/gascounty" -c "$T/no-such.conf" $words --help >"$T/help.out" 2>&1
	check "gascounty $words --help: its usage, exit 0" \
	    sh -c "[ $? -eq 0 ] && grep -q '^usage: gascounty \[-c FILE\] $words' '$T/help.out'"
done <"$T/commands"
"$BUILD/gascounty" registry --help >"$T/help.out" 2>&1
check "gascounty registry --help lists the registry's commands" \
    sh -c "[ $? -eq 0 ] && grep -q 'registry set' '$T/help.out' && grep -q 'registry import' '$T/help.out'"
# a command with a mistake says so before it opens the configured database (this
# one cannot be made, as on a machine where gascounty was never set up)
printf '[county]\ndatabase = %s/no/such/dir/county.db\n' "$T" >"$T/nodb.conf"
"$BUILD/gascounty" -c "$T/nodb.conf" station set S9 --name x >"$T/nodb.out" 2>&1
check "station set without --address: exit 2, says what is missing, not the database" \
    sh -c "[ $? -eq 2 ] && grep -q 'station set needs --name, --address and --township' '$T/nodb.out' &&
    ! grep -q 'county.db' '$T/nodb.out'"
"$BUILD/gascounty" -c "$T/nodb.conf" registry set CYL3 --status melted >"$T/nodb.out" 2>&1
check "registry set --status melted: exit 2, names the statuses, not the database" \
    sh -c "[ $? -eq 2 ] && grep -q 'status must be active, scrapped or retired' '$T/nodb.out' &&
    ! grep -q 'county.db' '$T/nodb.out'"
"$BUILD/gascounty" -c "$T/nodb.conf" station list >"$T/nodb.out" 2>&1
check "a good command with a database that cannot be opened: exit 1, naming the file" \
    sh -c "[ $? -eq 1 ] && grep -q 'no/such/dir/county.db' '$T/nodb.out'"
"$BUILD/gascounty" -c "$T/county.conf" registry bogus >"$T/help.out" 2>&1
check "an unknown registry command: exit 2, named" \
    sh -c "[ $? -eq 2 ] && grep -q \"unknown command 'registry bogus'\" '$T/help.out'"

"$BUILD/gascounty" -c "$T/county.conf" registry set CYL3 --status scrapped
"$BUILD/gascounty" -c "$T/county.conf" registry set CYL4 --inspected 2026-01-15 --owner "Other Gas"
printf 'serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n%s\n%s\n' \
    "CYL5,YSP35.5,2020-03,15.5,14.9,GasCo,2024-05-06,retired" \
    "CYL6,YSP35.5,2020-03,15.5,14.9,GasCo,2024-05-06,melted" >"$T/registry.csv"
"$BUILD/gascounty" -c "$T/county.conf" registry import "$T/registry.csv" >"$T/imp1.out" 2>&1
rc=$?
check "registry import takes the good row, names the bad one by line and exits 1 (got $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'registry.csv: 2 rows, 1 changed, 1 rejected' '$T/imp1.out' && grep -q 'registry.csv:3:' '$T/imp1.out'"
# what an import refuses, registry set refuses too: stations pull these rows
for bad in "CYL4 --inspected 2090-01-01:last inspection 2090-01-01 is in the future" \
    "CYL4 --next 2025-01-01:next inspection 2025-01-01 is not after the last inspection 2026-01-15" \
    "bad!serial --status scrapped:serial must be"; do
	args=${bad%%:*}
	# shellcheck disable=SC2086 # the arguments are words
	"$BUILD/gascounty" -c "$T/county.conf" registry set $args >"$T/set.out" 2>&1
	rc=$?
	check "registry set $args is refused (exit $rc), the field named" \
	    all '[ $rc -eq 1 ]' "grep -q '${bad#*:}' '$T/set.out'"
done
"$BUILD/gascounty" -c "$T/county.conf" registry set CYL4 --owner "" >"$T/set.out" 2>&1
rc=$?
check "registry set CYL4 --owner '' is refused (exit $rc), the field named" \
    all '[ $rc -eq 1 ]' "grep -q 'owner is empty' '$T/set.out'"
check "and nothing of them is stored" \
    [ "$(county_sql "SELECT count(*) || '|' || max(version) || '|' || group_concat(owner) FROM registry WHERE serial IN ('CYL4', 'bad!serial')")" = "1|2|Other Gas" ]
"$BUILD/gascounty" -c "$T/county.conf" registry import "$T/registry.csv" >"$T/imp2.out" 2>&1
check "importing the same file again changes nothing" grep -q '0 changed' "$T/imp2.out"
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -g 1 -B 1 -w 3 >"$T/up3.log" 2>&1
check "imported registry row reached the station" \
    [ "$(sqlite3 "$T/s01.db" "SELECT status || '|' || next_inspection FROM cylinders WHERE serial='CYL5'")" = "retired|2028-05-06" ]
check "registry delta scrapped CYL3 at the station" \
    [ "$(sqlite3 "$T/s01.db" "SELECT status FROM cylinders WHERE serial='CYL3'")" = scrapped ]
check "registry delta moved CYL4's inspection and owner" \
    [ "$(sqlite3 "$T/s01.db" "SELECT next_inspection || '|' || owner FROM cylinders WHERE serial='CYL4'")" = "2030-01-15|Other Gas" ]
check "station remembers the registry version" \
    [ "$(sqlite3 "$T/s01.db" "SELECT value FROM meta WHERE key='registry_version'")" = 3 ]
check "heartbeat recorded" [ "$(county_sql "SELECT count(*) FROM heartbeats WHERE station='S01'")" -ge 1 ]

# --- SIGHUP: an identity removed from the file loses its rights at once --------
grep -v '^regulator:alice ' "$T/ids" >"$T/ids.new" && chmod 600 "$T/ids.new" && mv "$T/ids.new" "$T/ids"
kill -HUP "$PID_county"
wait_for 5 sh -c "grep -c 'identities from' '$T/county.log' | grep -q 2"
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" cylinder CYL10 \
    >/dev/null 2>&1
check "after SIGHUP the removed regulator is refused" [ $? -ne 0 ]
check "and the audit log did not grow" [ "$(county_sql "SELECT count(*) FROM audit")" = 5 ]

finish
