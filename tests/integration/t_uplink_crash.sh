#!/bin/sh
# kill -9 of the uplink process alone, again and again, while two lines fill
# and while a backlog drains to a real gascounty (6 kills; TORTURE=1: 30).
# gasgw itself is never touched: each time it notices, starts a new uplink
# process after its back-off, and the fills go on meanwhile.  At the end:
# every fill the operators asked for finished ok, none was interrupted,
# gasgw is the same process, the outbox drained, and the county holds every
# record the station queued exactly once, with no sequence gap, each fill
# equal to the station's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/uplink_lib.sh"

kills=6
[ -n "${TORTURE:-}" ] && kills=30
PREACT=0.6
STATION_ID=S01
county_keys township:330825101 # the station's township (fill_lib)
county_start || { fail "gascounty starts"; finish; }
# a slow drain (batch 50, 400 records/s), so that kills land in the middle of it
county_uplink "batch = 50" "rate = 400"
fill_setup 2 "refill_min_minutes = 0
household_max = 1000" || { fail "set-up"; finish; }
gw_pid=$PID_gasgw

backlog() { sql "SELECT count(*) FROM outbox"; }
# wait_for runs these in this shell
draining_below() { [ "$(backlog)" -lt "$1" ]; }
outbox_empty() { [ "$(backlog)" = 0 ]; }
fills_done() { if [ -f "$T/fills.log" ]; then wc -l <"$T/fills.log"; else echo 0; fi; }

check "gasgw started an uplink process of its own" wait_for 10 uplink_up
first=$(uplink_pid)
check "the uplink process is a child of gasgw" \
    [ "$(awk '/^PPid:/ { print $2 }' "/proc/$first/status")" = "$gw_pid" ]

# Fills on both lines, one after the other on each, all through the test.
fill_loop() { # LINE
	n=0
	while [ ! -f "$T/stop-fills" ]; do
		n=$((n + 1))
		reset_line "$1" >/dev/null 2>&1
		ctl fill "$1" --cylinder "$(code C-GOOD-$(( (n % 9) + 1 )))" --buyer "$BUYER1" \
		    --operator OP-7 >"$T/fill-$1-$n.out" 2>&1
		echo "$1 $n $? $(head -n 1 "$T/fill-$1-$n.out")" >>"$T/fills.log"
	done
}
sim flow 1 8
sim flow 2 8
fill_loop 1 &
loop1=$!
fill_loop 2 &
loop2=$!

# An outage: the county goes away while records (fills, and a 72 h backlog
# written as the fill line would) pile up, then comes back.
county_stop
"$BUILD/tests/station_fill" "$T/station.db" -n 3000 -s S01 -c OUTAGE- -e 25 -r R21 -S flag -t TA \
    >/dev/null || fail "backlog written"
sleep 3
county_start "$CPORT" || fail "gascounty comes back"

seed=$(date +%s)
i=0
restarted=0
while [ "$i" -lt "$kills" ]; do
	i=$((i + 1))
	pid=$(uplink_pid)
	# while a backlog is left, kill only once it moves (the drain is on)
	before=$(backlog)
	[ "$before" -lt 100 ] || wait_for 60 draining_below "$before" ||
	    fail "kill $i: the uplink process drains before the kill"
	# 0 .. 1.5 s into its life: in a batch, between batches, in a heartbeat
	sleep "$(awk -v s="$seed" -v i="$i" 'BEGIN { srand(s + i); printf "%.2f", rand() * 1.5 }')"
	left=$(backlog)
	kill -9 "$pid"
	echo "# kill $i: uplink process $pid, backlog $left"
	[ "$i" -eq 1 ] && at_first_kill=$(fills_done)
	if wait_for 60 uplink_replaced "$pid"; then
		restarted=$((restarted + 1))
	else
		fail "kill $i: no new uplink process within 60 s"
	fi
	check "kill $i: gasgw itself is untouched" kill -0 "$gw_pid"
done
check "gasgw started a new uplink process after each of the $kills kills" [ "$restarted" -eq "$kills" ]
check "gasgw's log names each end of an uplink process" \
    [ "$(grep -c 'uplink process [0-9]* killed by signal 9; a new one starts in' "$T/gasgw.log")" -ge "$kills" ]
check "gasctl status counts the restarts" [ "$(uplink restarts)" -ge "$kills" ]
check "gasctl status says how the last one ended" [ "$(uplink last_exit)" = "killed by signal 9" ]

check "the outbox drained to the county after the kills" wait_for 120 outbox_empty
touch "$T/stop-fills"
wait "$loop1" "$loop2"
check "fills went on while the uplink was being killed ($(( $(fills_done) - at_first_kill )) after the first kill)" \
    [ $(( $(fills_done) - at_first_kill )) -ge 4 ]
# A fill ends ok, or flagged or held (exit 3) by a post-fill rule on its
# weight (at 8 kg/s a loaded machine's timing shows as grams); what the
# uplink could cause is an error or an interrupted fill.
check "every fill asked for was weighed and recorded while the uplink was killed ($(fills_done) fills)" \
    sh -c "! grep -v -E '^[12] [0-9]+ (0 ok|0 flagged|3 held)' '$T/fills.log'"
check "no fill was interrupted" [ "$(sql "SELECT count(*) FROM fills WHERE result IN ('interrupted', 'filling')")" = 0 ]
check "the uplink process running now is still gasgw's child" \
    [ "$(awk '/^PPid:/ { print $2 }' "/proc/$(uplink_pid)/status")" = "$gw_pid" ]

# wait for the last fills' records too
wait_for 60 outbox_empty
queued=$(sql "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'")
check "county: every record the station queued arrived once, no sequence gap ($queued)" \
    [ "$(county_sql "SELECT count(*) || ' ' || max(seq) FROM records WHERE station = 'S01'")" = "$queued $queued" ]
check "county: high-water mark = the station's last sequence number" \
    [ "$(county_sql "SELECT hwm FROM stations WHERE id = 'S01'")" = "$queued" ]
check "county: one fill per station fill, no duplicates" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE station = 'S01'")" = "$(sql "SELECT count(*) FROM fills")" ]
fills_of() { sqlite3 "$1" "SELECT uuid || ' ' || result || ' ' || printf('%.3f', net_kg) FROM fills ORDER BY uuid"; }
fills_of "$T/station.db" >"$T/station.fills"
fills_of "$T/county.db" >"$T/county.fills"
check "county: each fill's result and net weight equal the station's" cmp -s "$T/station.fills" "$T/county.fills"

# A process killed after it asked and before gasgw answered (reliability.md,
# bug 25): gasgw is frozen while the process asks (an idle one asks for its
# next batch every 0.5 s, and waits up to 10 s for the answer), the process
# is killed, gasgw goes on: it reads the question, its answer finds the
# channel closed, and that is the process's death, not a message refused.
pid=$(uplink_pid)
kill -STOP "$gw_pid"
sleep 7
kill -9 "$pid"
sleep 0.5
kill -CONT "$gw_pid"
check "a new uplink process after one killed before gasgw answered it" wait_for 60 uplink_replaced "$pid"
check "gasgw's log names that end as the process's death (killed by signal 9)" \
    grep -q "uplink process $pid killed by signal 9; a new one starts in" "$T/gasgw.log"
check "gasgw refused no message of an uplink process" sh -c "! grep 'the gateway refuses' '$T/gasgw.log'"
echo "# $(wc -l <"$T/fills.log") fills at the lines, $queued records, $(uplink restarts) uplink restarts"
finish
