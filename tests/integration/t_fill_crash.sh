#!/bin/sh
# kill -9 of gasgw at random moments of a fill (5 times; TORTURE=1: 20).
# Each time: gassim's event log shows the valve closed by its watchdog
# within the watchdog time (plus one heartbeat period of slack); after the
# restart every fill that had committed is still there, unchanged, the fill
# that was cut short is recorded once as interrupted, nothing is left
# 'filling', and every fill has exactly one outbox row.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

rounds=5
[ -n "${TORTURE:-}" ] && rounds=20
PREACT=0.25
WATCHDOG_MS=1000
fill_setup 1 "refill_min_minutes = 0
household_max = 1000" || { fail "set-up"; finish; }
sim flow 1 2.5
sim place 1 15.3
sleep 1

now_ms() { date +%s%3N; }
seed=$(date +%s)
i=0
late=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	# 0.3 .. 13 s into a fill of about 10 s: before, during and after the close, or after the record
	delay=$(awk -v s="$seed" -v i="$i" 'BEGIN { srand(s + i); printf "%.2f", 0.3 + rand() * 12.7 }')
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
	sleep 1.5
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
	check "round $i: nothing left 'filling' after recovery" \
	    [ "$(sql "SELECT count(*) FROM fills WHERE result = 'filling'")" = 0 ]
	check "round $i: one fill row per attempt that opened the valve" \
	    [ "$(sql "SELECT count(*) FROM fills")" -le "$i" ]
done
check "no duplicate outbox rows: exactly one per fill" \
    [ "$(sql "SELECT count(*) FROM fills f JOIN outbox o ON o.uuid = f.uuid")" = "$(sql "SELECT count(*) FROM fills")" ]
check "interrupted fills carry an R24 'gateway stopped' violation" \
    [ "$(sql "SELECT count(*) FROM fills f WHERE result = 'interrupted' AND NOT EXISTS
	      (SELECT 1 FROM violations v WHERE v.fill = f.uuid AND v.rule = 'R24')")" = 0 ]
echo "# fills: $(sql "SELECT result, count(*) FROM fills GROUP BY result" | tr '\n' ' ')"
finish
