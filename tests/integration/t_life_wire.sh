#!/bin/sh
# A cylinder's life on the wire, end to end with real processes (gassim ->
# gasgw -> a lossy relay -> gascounty, and a delivery worker's gasdeliver):
# C-GOOD-1 is filled, dispatched to a delivery worker (gasctl dispatch),
# handed over at a household door and taken back empty (gasdeliver, while
# the worker's device cannot reach the county), received back at the
# station (gasctl receive) and filled again.  The station's records go
# through a relay that drops, duplicates and reorders datagrams; the device
# keeps its events across runs while offline, then sends them through the
# same relay, twice over.  The county holds each life event exactly once,
# in the station's and the device's own seq spaces, with nothing left in
# either outbox; a day-old event from the device is accepted.  Codes and
# buyer numbers that do not verify are refused with nothing recorded; the
# device may send life events only.  Nobody speaks for another worker: a
# second device (its own real key) sending a hand-over in wang's name, or
# naming wang as the worker, is refused naming the field, and a station's
# step recorded "by" wang's identity is refused and set aside at the
# station, the records after it going on.  A device's database is the
# identity's that first used it: taken up with another -u it is refused,
# naming the file and both, before anything is recorded or sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@330825101
W2=delivery:li@330825101
PREACT=0.25
fill_setup 1 || { fail "set-up"; finish; }
county_keys station:S1 township:330825101 "$W" "$W2"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }
RPORT=$(free_port udp)
spawn relay "$BUILD/tests/lossy_relay" -l "$RPORT" -u "$CPORT" -s 7 -d 20 -D 10 -r 5 -y 3
sleep 0.2

gw_stop
cat >>"$T/station.conf" <<EOF
[county]
host = 127.0.0.1
port = $RPORT
psk_file = $T/station_S1.key
heartbeat_s = 5
EOF
gw_start || { fail "gasgw restarted with the uplink"; finish; }
login 1 >/dev/null

deliver() { # PORT ARGS...: gasdeliver as the worker's device, the county at PORT
	_port=$1
	shift
	"$BUILD/gasdeliver" -u "$W" -d "$T/wang.db" -k "$T/$(echo "$W" | tr ':' '_').key" \
	    -p "$_port" --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
filled() { # how many fills of C-GOOD-1 the county holds, waiting up to 60 s
	sql_eventually 60 "SELECT count(*) FROM fills WHERE cylinder = 'C-GOOD-1'" "$1"
}

# --- filled, dispatched ---------------------------------------------------------
sim flow 1 2.5
sim place 1 15.3
wait_state 1 idle 5
out=$(ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 2>&1)
check "C-GOOD-1 filled at the station" sh -c "printf '%s\n' '$out' | grep -q '^ok: net'"
check "the fill reached the county through the lossy relay" filled 1

out=$(lifectl dispatch "$W" "$(code C-GOOD-1)" "$(code C-GOOD-1)x" --operator OP-7 2>&1)
check "a load with one code that does not verify is refused, naming it (exit $?)" \
    sh -c "printf '%s\n' '$out' | grep -q 'code 2 of 2: .*nothing was recorded'"
check "and nothing of that load was recorded" [ "$(sql "SELECT count(*) FROM life_events")" = 0 ]
out=$(lifectl dispatch "$W" "$(code C-GOOD-1)" --operator OP-NOBODY 2>&1)
check "an unregistered dispatcher is refused" \
    sh -c "printf '%s\n' '$out' | grep -q 'OP-NOBODY is not registered'"
out=$(printf '%s\n' "$(code C-GOOD-1)" "$(code C-GOOD-2)" | lifectl dispatch "$W" - --operator OP-7 2>&1)
check "gasctl dispatch takes the truck's load from the scanner (stdin)" \
    sh -c "printf '%s\n' '$out' | grep -q '^2 cylinders dispatched to $W'"
check "the station holds both, with the worker and the operator" \
    [ "$(sql "SELECT group_concat(serial || ':' || worker || ':' || actor, ' ') FROM (SELECT * FROM life_events ORDER BY serial)")" = \
      "C-GOOD-1:$W:OP-7 C-GOOD-2:$W:OP-7" ]
check "the dispatches reached the county once each, under the station's seq" \
    sql_eventually 60 "SELECT count(*) || ' ' || count(DISTINCT seq) FROM life_events WHERE source = 'S1' AND event = 'dispatched'" "2 2"

# --- at the door, offline ---------------------------------------------------------
DEAD=$(free_port udp)
deliver "$DEAD" handover "$(code C-GOOD-1)" --buyer-id "$BUYER2" --village "下宅村 3号" \
    --lat 29.028123 --lon 119.171456 >"$T/hand.out" 2>&1
check "the hand-over is recorded on the device while the county is out of reach" \
    all "grep -q '^recorded: C-GOOD-1 handed over to 110\*\*\*\*\*\*\*\*\*\*\*0038 (household, 330825101) at 下宅村 3号' '$T/hand.out'" \
        "grep -q 'kept on this device: 1 events wait' '$T/hand.out'"
# the number typed as an argument is wiped once read: ps (/proc/PID/cmdline) does not show
# it while the device tries to send (before 6 Dec 2026 it did, for as long as the send took)
MUTE=$(free_port udp) # a county that takes datagrams and never answers: the send waits
spawn mute python3 -c "import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $MUTE)); open('$T/mute.up', 'w').close(); time.sleep(120)"
wait_for 10 test -e "$T/mute.up"
"$BUILD/gasdeliver" -u "$W" -d "$T/probe.db" -k "$T/$(echo "$W" | tr ':' '_').key" -p "$MUTE" \
    --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" handover "$(code C-GOOD-1)" \
    --buyer-id "$BUYER2" --village "下宅村 3号" >"$T/hand2.out" 2>&1 & # a device of its own
pid=$!
wait_for 10 test -s "$T/probe.db" # made after the number is read
seen=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
check "while the device tries to send, its command line no longer shows the buyer's number" \
    all 'kill -0 "$pid"' '[ -n "$seen" ]' 'printf "%s" "$seen" | grep -q -- "--buyer-id"' \
    '! printf "%s" "$seen" | grep -q "$BUYER2"'
wait "$pid"
deliver "$DEAD" handover "$(code C-GOOD-1)" --buyer-id "$BUYER_BAD" --village X >"$T/bad.out" 2>&1
check "a buyer number that fails its check is refused, nothing recorded (exit $?)" \
    grep -q "buyer number: .*nothing recorded" "$T/bad.out"
deliver "$DEAD" handover "$(code C-GOOD-1)x" --buyer-id "$BUYER2" --village X >"$T/badcode.out" 2>&1
check "a code that does not verify is refused, nothing recorded (exit $?)" \
    grep -q "the cylinder code: .*nothing recorded" "$T/badcode.out"
printf '%s\n' "$BUYER2" | deliver "$DEAD" return "$(code C-GOOD-1)" --from-buyer - \
    --village "下宅村 3号" >"$T/ret.out" 2>&1
check "the empty taken back (the number read from stdin)" \
    grep -q "^recorded: C-GOOD-1 returned empty from 110" "$T/ret.out"
deliver "$DEAD" --offline return "$(code C-GOOD-2)" --village "上宅村" >/dev/null 2>&1
# C-GOOD-2's return was taken yesterday: the device was offline for a day
sqlite3 "$T/wang.db" "UPDATE life_events SET at_ms = at_ms - 90000000 WHERE serial = 'C-GOOD-2';
    UPDATE outbox SET created_ms = created_ms - 90000000
    WHERE uuid IN (SELECT uuid FROM life_events WHERE serial = 'C-GOOD-2')"
deliver "$DEAD" status >"$T/status.out" 2>&1
check "the device keeps all three across its runs" \
    grep -q ": 3 events wait for the county, the oldest from" "$T/status.out"
check "the device holds no buyer number, only its HMAC and masked form" \
    [ "$(sqlite3 "$T/wang.db" "SELECT count(*) FROM life_events WHERE buyer_masked = '110***********0038' AND length(buyer) = 64")" = 2 ]
check "the county has none of them yet" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$W'")" = 0 ]

# --- the link is back: through the lossy relay ------------------------------------
deliver "$RPORT" sync >"$T/sync1.out" 2>&1
check "sync sends all three (exit $?)" grep -q "^3 events sent to the county; none waits" "$T/sync1.out"
deliver "$RPORT" sync >"$T/sync2.out" 2>&1
check "a second sync has nothing to send" grep -q "^0 events sent" "$T/sync2.out"
check "the county holds the device's three events once each, seq 1..3" \
    [ "$(county_sql "SELECT group_concat(seq || event, ' ') FROM (SELECT * FROM life_events WHERE source = '$W' ORDER BY seq)")" = \
      "1handed_over 2returned 3returned" ]
# its third event is dated a day before its first two (as the device's clock said, or
# as a worker who set it back would have it): out of the device's order, so C17
check "the third, dated a day before the device's first two, is C17 to the county's queue, once" \
    [ "$(county_sql "SELECT count(*) || ' ' || group_concat(township) FROM alerts WHERE rule = 'C17' AND text LIKE '%$W%seq 3%'")" = "1 county" ]
check "the county keeps the device's mark, 3, beside its events (delivery_marks)" \
    [ "$(county_sql "SELECT hwm FROM delivery_marks WHERE source = '$W'")" = 3 ]
check "the hand-over carries the household and the place" \
    [ "$(county_sql "SELECT buyer_masked || ' ' || buyer_township || ' ' || buyer_kind || ' ' || village || ' ' || lat || ' ' || lon FROM life_events WHERE event = 'handed_over'")" = \
      "110***********0038 330825101 household 下宅村 3号 29.028123 119.171456" ]
# the same batch again, as if the answer had been lost: stored once
sqlite3 "$T/wang.db" "INSERT INTO outbox (seq, uuid, created_ms) SELECT 1, uuid, at_ms FROM life_events WHERE event = 'handed_over'"
deliver "$RPORT" sync >"$T/sync3.out" 2>&1
check "a resent event is acknowledged and stored once" \
    sh -c "grep -q '^1 events sent' '$T/sync3.out' && [ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM life_events WHERE source = '$W'\")\" = 3 ]"
# the device (its own real key) sends seq 1's uuid again with another
# village: the county keeps the first, records the conflict and raises C06
# to its own queue (reliability.md, bug 27)
sqlite3 "$T/wang.db" "UPDATE life_events SET village = '上宅村' WHERE event = 'handed_over';
    INSERT INTO outbox (seq, uuid, created_ms) SELECT 1, uuid, at_ms FROM life_events WHERE event = 'handed_over'"
deliver "$RPORT" sync >"$T/sync4.out" 2>&1
check "an event resent with other content is answered as held (exit $?)" grep -q '^1 events sent' "$T/sync4.out"
check "the county keeps the first copy" \
    [ "$(county_sql "SELECT count(*) || ' ' || group_concat(village) FROM life_events WHERE source = '$W' AND seq = 1")" = "1 下宅村 3号" ]
check "the conflict is recorded once, with the device as its source and both digests" \
    [ "$(county_sql "SELECT count(*) FROM conflicts WHERE station = '$W' AND seq = 1 AND held_digest <> sent_digest AND length(sent_digest) = 64")" = 1 ]
check "and raised as C06 to the county's queue" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule = 'C06' AND township = 'county' AND text LIKE 'record 1 resent with other content%'")" = 1 ]

# --- received back, filled again ------------------------------------------------------
out=$(lifectl receive "$(code C-GOOD-1)" --from "$W" --operator OP-7 2>&1)
check "gasctl receive takes the empty back" sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders received'"
reset_line 1
wait_state 1 idle 5
out=$(ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 2>&1)
# R10 flags a refill within 2 h: this life is compressed into minutes
check "C-GOOD-1 filled again" sh -c "printf '%s\n' '$out' | grep -q -e '^ok: net' -e '^flagged'"
check "the second fill reached the county" filled 2
station_drained() {
	_end=$(( $(date +%s) + 60 ))
	until [ "$(sql "SELECT count(*) FROM outbox")" = 0 ]; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.5
	done
}
check "the station's outbox is empty" station_drained
# the county: each step once, in the order it happened
check "the county has C-GOOD-1's life once each: dispatched, handed_over, returned, received" \
    [ "$(county_sql "SELECT group_concat(event, ' ') FROM (SELECT * FROM life_events WHERE serial = 'C-GOOD-1' ORDER BY at_ms, id)")" = \
      "dispatched handed_over returned received" ]
check "the station's mark covers its fills and life events with no gap" \
    sql_eventually 30 "SELECT hwm = max_seq AND hwm = (SELECT count(*) FROM records WHERE station = 'S1') + (SELECT count(*) FROM life_events WHERE source = 'S1') FROM stations WHERE id = 'S1'" 1
check "the delivery device is not a station (no row, no silence alert)" \
    [ "$(county_sql "SELECT count(*) FROM stations WHERE id LIKE 'delivery%'")" = 0 ]

# --- a station's step "by" a delivery identity -------------------------------------------
# an operator registered under wang's identity: a station's actor is its
# operator, never a delivery identity (through the lossy relay, so before
# the relay stops; C-GOOD-3, whose life no check above reads)
sql "INSERT INTO operators VALUES ('$W', 'not an operator', '2099-01-01', 1, 0)"
set_pin "$W" # it records under that name with its PIN, as any operator
out=$(lifectl receive "$(code C-GOOD-3)" --from "$W" --operator "$W" 2>&1)
check "the station records it" sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders received'"
out=$(lifectl receive "$(code C-GOOD-3)" --from "$W" --operator OP-7 2>&1)
check "and the same step by its operator after it" sh -c "printf '%s\n' '$out' | grep -q '^1 cylinders received'"
check "the county refuses the one by wang's identity, naming the record: the station sets it aside" \
    wait_for 60 sh -c "[ \"\$(sqlite3 '$T/station.db' \"SELECT count(*) FROM outbox o JOIN life_events l ON l.uuid = o.uuid WHERE l.actor = '$W' AND o.aside_ms IS NOT NULL AND o.aside_reason LIKE '%(seq ' || o.seq || '): life.actor: an identity of the county link%'\")\" = 1 ]"
check "the one after it reaches the county; nothing is held done by wang at the station" \
    sql_eventually 60 "SELECT count(*) || ' ' || sum(actor = 'OP-7') FROM life_events WHERE source = 'S1' AND event = 'received' AND serial = 'C-GOOD-3'" "1 1"
kill "$PID_relay" 2>/dev/null; sleep 0.2
check "the relay really dropped and duplicated datagrams" \
    sh -c "! grep -q ' 0 dropped' '$T/relay.log' && ! grep -q ' 0 duplicated' '$T/relay.log'"

# --- the regulator's trace: one timeline, where it is now and with whom ------------------
trace() { "$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" "$@"; }
trace cylinder C-GOOD-1 >"$T/trace.txt" 2>"$T/trace.err"
check "gastrace cylinder exits 0 (got $?)" [ $? -eq 0 ]
grep -E '^[0-9]{4}-' "$T/trace.txt" | grep -v ' county ' | awk '{ print $5 ":" $10 }' | tr '\n' ' ' >"$T/order"
check "the trace shows the whole life in order ($(cat "$T/order"))" \
    [ "$(cat "$T/order")" = "fill:ok life:dispatched life:handed_over life:returned life:received fill:flagged " ]
check "the hand-over row names the household, the village and the device" \
    grep -q "handed_over handed over to 110\*\*\*\*\*\*\*\*\*\*\*0038 (household, 330825101) at 下宅村 3号 (by $W)" "$T/trace.txt"
check "the dispatch row names the worker and the operator" \
    grep -q "dispatched dispatched to $W (by OP-7)" "$T/trace.txt"
trace cylinder C-GOOD-2 >"$T/trace2.txt" 2>&1
# the return, dated a day back but recorded after the device's hand-over
# (its seq), is taken by the county at that hand-over's time, after the
# dispatch: the trace follows the county's time (review rev102) and gives
# the device's own beside it
check "where C-GOOD-2 is now, by the county's time: the empty back with the worker" \
    grep -q "^now: empty, with $W, " "$T/trace2.txt"
check "... the return's row gives the device's own time, bounded by the county" \
    grep -q "returned .*device's time .*, bounded by the county" "$T/trace2.txt"
trace --csv cylinder C-GOOD-1 >"$T/trace.csv"
check "the CSV carries the life rows too" \
    [ "$(grep -c ',life,' "$T/trace.csv")" = 4 ]

# --- a delivery device sends life events only ----------------------------------------
"$BUILD/tests/coapreq" -p "$CPORT" -u "$W" -k "$T/$(echo "$W" | tr ':' '_').key" -m POST \
    -P records -b "batch:S1:330825101:9" >"$T/fillbatch.out" 2>&1
check "a device's batch of another kind is refused (4.00), naming why" \
    grep -q "code 4.00" "$T/fillbatch.out"
check "and nothing of it stored" [ "$(county_sql "SELECT count(*) FROM records WHERE seq = 9 AND station LIKE 'delivery%'")" = 0 ]

# --- nobody speaks for another worker ------------------------------------------------------
# li's device, with its own real key, edits what it holds so that its
# hand-over is wang's: the county would have traced it as wang's
li() {
	"$BUILD/gasdeliver" -u "$W2" -d "$T/li.db" -k "$T/$(echo "$W2" | tr ':' '_').key" \
	    -p "$CPORT" --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
li --offline handover "$(code C-GOOD-2)" --buyer-id "$BUYER2" --village "上宅村" >/dev/null 2>&1
sqlite3 "$T/li.db" "UPDATE life_events SET actor = '$W', worker = '$W'"
li sync >"$T/li1.out" 2>&1
check "a device's hand-over done in another worker's name is refused, naming the field, and set aside (exit $?)" \
    grep -q "refused the event of seq 1 (record 0 (seq 1): life.actor: not this device's own identity $W2.*set aside" "$T/li1.out"
sqlite3 "$T/li.db" "UPDATE life_events SET actor = '$W2'"
li aside --retry 1 >"$T/li2.out" 2>&1
check "and one naming another worker as the worker (exit $?)" \
    grep -q "refused the event of seq 1 (record 0 (seq 1): life.worker: neither empty nor this device's own identity $W2" "$T/li2.out"
check "the county holds nothing of li's, and wang's events are still his three" \
    [ "$(county_sql "SELECT (SELECT count(*) FROM life_events WHERE source = '$W2') || ' ' || (SELECT count(*) FROM life_events WHERE actor = '$W')")" = "0 3" ]
sqlite3 "$T/li.db" "UPDATE life_events SET worker = '$W2'"
li aside --retry all >"$T/li3.out" 2>&1
check "the same hand-over in li's own name is taken (exit $?)" \
    sh -c "grep -q '^1 events sent' '$T/li3.out' && [ \"\$(sqlite3 '$T/county.db' \"SELECT actor || ' ' || worker FROM life_events WHERE source = '$W2'\")\" = '$W2 $W2' ]"

# --- a device's database is the identity's that first used it -------------------------
# li's database taken up with wang's identity (-u): its events carry li as
# their actor, so the county would refuse them all and they would wait for
# ever; refused at the start, before anything is recorded or sent
li --offline return "$(code C-GOOD-2)" --village "上宅村" >/dev/null 2>&1
wang_on_li() {
	"$BUILD/gasdeliver" -u "$W" -d "$T/li.db" -k "$T/$(echo "$W" | tr ':' '_').key" \
	    -p "$CPORT" --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
wang_on_li handover "$(code C-GOOD-2)" --buyer-id "$BUYER2" --village X >"$T/swap1.out" 2>&1
rc1=$?
wang_on_li sync >"$T/swap2.out" 2>&1
rc2=$?
check "li's database refuses wang's identity, naming the file and both (exits $rc1 $rc2)" \
    all "[ $rc1 = 1 ] && [ $rc2 = 1 ]" \
        "grep -q '^gasdeliver: $T/li.db: this database is $W2.s (the identity that first used it), not $W.s' '$T/swap1.out'" \
        "grep -q 'nothing recorded or sent' '$T/swap2.out'"
held=$(sqlite3 "$T/li.db" "SELECT (SELECT count(*) FROM life_events) || ' ' || (SELECT count(*) FROM outbox)")
check "nothing was recorded or sent: li's return still waits ($held), the county holds wang's three" \
    all "[ '$held' = '2 1' ]" \
        "[ \"\$(county_sql \"SELECT count(*) FROM life_events WHERE source = '$W'\")\" = 3 ]"
# a database from before the binding (no meta row) is its first event's actor's
sqlite3 "$T/li.db" "DELETE FROM meta WHERE key = 'identity'"
wang_on_li status >"$T/swap3.out" 2>&1
check "a database from before the binding is bound to its first event's actor (exit $?)" \
    grep -q "this database is $W2.s" "$T/swap3.out"
li sync >"$T/li4.out" 2>&1
check "li's own device goes on: its return is sent (exit $?)" \
    all "grep -q '^1 events sent' '$T/li4.out'" \
        "[ \"\$(sqlite3 '$T/li.db' \"SELECT value FROM meta WHERE key = 'identity'\")\" = '$W2' ]"

finish
