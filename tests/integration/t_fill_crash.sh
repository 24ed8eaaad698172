#!/bin/sh
# kill -9 of gasgw at random moments of a fill (20 times; TORTURE=1: 200),
# with the uplink sending every record to a real gascounty meanwhile.
# Each time: gassim's event log shows the valve closed by its watchdog
# within the watchdog time (plus one heartbeat period of slack); after the
# restart every fill that had committed is still there, unchanged, the fill
# that was cut short is recorded once as interrupted, nothing is left
# 'filling', and the database passes quick_check.  At the end the county
# holds every fill exactly once, identical to the station's, with no
# sequence gap, though kills cut uploads short and records were resent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"

rounds=20
[ -n "${TORTURE:-}" ] && rounds=200
# A fast flow keeps a round short: a fill takes about 4 s at 8 kg/s.
PREACT=0.6
WATCHDOG_MS=1000
STATION_ID=S01
county_keys township:330825101 # the station's township (fill_lib)
county_start || { fail "gascounty starts"; finish; }
county_uplink
fill_setup 1 "refill_min_minutes = 0
household_max = 1000" || { fail "set-up"; finish; }
sim flow 1 8
sim place 1 15.3
sleep 1

now_ms() { date +%s%3N; }
seed=$(date +%s)
i=0
late=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	# 0.1 .. 5 s into a fill of about 4 s: before the open, during the
	# flow, around the close, while settling, or after the record
	delay=$(awk -v s="$seed" -v i="$i" 'BEGIN { srand(s + i); printf "%.2f", 0.1 + rand() * 4.9 }')
	reset_line 1
	before=$(sql "SELECT group_concat(uuid || result || coalesce(net_kg, ''), ',') FROM
	    (SELECT * FROM fills WHERE result != 'filling' ORDER BY uuid)")
	ctl fill 1 --cylinder "$(code C-GOOD-$(( (i % 9) + 1 )))" --buyer "$BUYER1" --operator OP-7 \
	    >"$T/round$i.out" 2>&1 &
	cp=$!
	sleep "$delay"
	opened=$(event_ms 1 valve_cmd_open)
	tkill=$(now_ms)
	gw_kill9
	wait "$cp" 2>/dev/null
	# The watchdog needs watchdog_ms; give it that and the slack below.
	sleep 1.4
	# Was the valve open when gasgw died?  Then the watchdog must have
	# closed it within watchdog_ms (+ 300 ms: heartbeat period and tick).
	last_close=$(event_ms 1 valve_cmd_close)
	wd=$(event_ms 1 watchdog_close)
	if [ "$opened" -gt "$last_close" ] || [ "$wd" -gt "$tkill" ]; then
		lat=$((wd - tkill))
		if [ "$wd" -gt "$tkill" ] && [ "$lat" -le $((WATCHDOG_MS + 300)) ]; then
			ok "round $i (kill at ${delay}s, valve open): watchdog closed it ${lat} ms after the kill"
		else
			fail "round $i (kill at ${delay}s, valve open): no watchdog close in time (wd=$wd kill=$tkill)"
			late=1
		fi
	else
		ok "round $i (kill at ${delay}s): valve already closed by gasgw"
	fi
	check "round $i: valve reported closed" \
	    sh -c "printf 'status\n' | socat -t 2 - 'UNIX-CONNECT:$T/sim.sock' | grep -q 'valve closed'"
	gw_start || { fail "round $i: gasgw restarts"; break; }
	after=$(sql "SELECT group_concat(uuid || result || coalesce(net_kg, ''), ',') FROM
	    (SELECT * FROM fills WHERE uuid IN (SELECT uuid FROM fills WHERE result != 'filling')
	     ORDER BY uuid)")
	missing=0
	for rec in $(printf '%s' "$before" | tr ',' ' '); do
		case ",$after," in *",$rec,"*) ;; *) missing=1 ;; esac
	done
	check "round $i: every committed fill survived unchanged" [ "$missing" -eq 0 ]
	check "round $i: quick_check ok after the kill" [ "$(sql "PRAGMA quick_check")" = ok ]
	check "round $i: nothing left 'filling' after recovery" \
	    [ "$(sql "SELECT count(*) FROM fills WHERE result = 'filling'")" = 0 ]
	check "round $i: one fill row per attempt that opened the valve" \
	    [ "$(sql "SELECT count(*) FROM fills")" -le "$i" ]
done
# The county: every record the station queued arrives exactly once.
wait_for 60 sh -c "[ \"\$(sqlite3 '$T/station.db' 'SELECT count(*) FROM outbox')\" = 0 ]" &&
    ok "the station's outbox drained to the county" || fail "the station's outbox drained to the county"
queued=$(sql "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'")
check "county: every record the station queued arrived, no sequence gap ($queued)" \
    [ "$(county_sql "SELECT count(*) || ' ' || max(seq) FROM records WHERE station = 'S01'")" = "$queued $queued" ]
check "county: high-water mark = the station's last sequence number" \
    [ "$(county_sql "SELECT hwm || ' ' || max_seq FROM stations WHERE id = 'S01'")" = "$queued $queued" ]
check "county: one record per station fill, no duplicates" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE station = 'S01'")" = "$(sql "SELECT count(*) FROM fills")" ]
fills_of() { sqlite3 "$1" "SELECT uuid || ' ' || result || ' ' || printf('%.3f', net_kg) FROM fills ORDER BY uuid"; }
fills_of "$T/station.db" >"$T/station.fills"
fills_of "$T/county.db" >"$T/county.fills"
check "county: each fill's result and net weight equal the station's" cmp -s "$T/station.fills" "$T/county.fills"
check "interrupted fills carry an R24 'gateway stopped' violation" \
    [ "$(sql "SELECT count(*) FROM fills f WHERE result = 'interrupted' AND NOT EXISTS
	      (SELECT 1 FROM violations v WHERE v.fill = f.uuid AND v.rule = 'R24')")" = 0 ]
echo "# fills: $(sql "SELECT result, count(*) FROM fills GROUP BY result" | tr '\n' ' ')"
finish
