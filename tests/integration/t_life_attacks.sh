#!/bin/sh
# A delivery device with a real key of its own attacks the county's life
# rules (docs/county.md, "County rules", C07 to C09), end to end over DTLS
# with the real gascounty, the gateway's uplink and gasdeliver.  wang
# (delivery:wang@TA) is an honest worker; evil (delivery:evil@TB) records
# its events with its own gasdeliver and, where an attacker would, edits
# what its device holds before it syncs (as t_life_wire's li does).  Station
# S01 fills every cylinder (licensed fills, 30 hours ago: station_fill and
# the uplink, as t_life_devtime) and dispatches it: the rows `gasctl
# dispatch` writes, life_events and its outbox row, sent by the same uplink.
# What a user would notice:
#
#  1. spray on the truck: S01 dispatched SPRAY-0 and SPRAY-1 to wang; evil
#     says each came back empty (from a household X, and from nobody); wang
#     hands them over at B's door.  Their last step was the dispatch to
#     wang, not a hand-over to X nor a dispatch to evil: no C07 against B.
#     (The control: SPRAY-2, taken back by wang himself and handed over
#     again with no fill since, is C07.)
#  2. a stranger settles a dispatch: evil hands over LATE-0 (dispatched to
#     wang, its c08_days up 20 s after it is sent), and says LATE-1 came
#     back empty before its dispatch, 25 hours old, reaches the county: only
#     the worker it went to, or a station, settles a dispatch, so C08 is
#     raised for both, as for LATE-2 that nobody touched (the control).
#  3. fake returns: wang hands over three cylinders to each of H1 and H2
#     (c09_household_hold = 2).  evil says H2 gave back FAKE-0 and FAKE-1,
#     real cylinders never handed to H2: H2 holds 3 all the same, C09 as for
#     H1 (the control).
#  4. the code: evil's hand-over carrying the signed code of another
#     cylinder, a garbled code or none is refused (4.00, life.code) and
#     nothing of its batch is stored; with its own code it is taken, as
#     every event of wang's (each with the code it scanned).
#  5. the buyer's kind: household K bought at S01's counter as a household;
#     evil hands over three cylinders to K saying "business": the county
#     holds K to a household's limits, C09 at the third held.
#  6. an honest slip: wang scans a hand-over twice; gasdeliver refuses the
#     second (the county would take it as the cylinder going round unseen),
#     and records the same hand-over two days later (the county judges it).
#
# The rules judge at once (c07_grace_min = 0) and take a device's time up to
# life_max_delay_h back (72, as t_life_devtime); c08_days = 1 (the least).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

W=delivery:wang@TA
E=delivery:evil@TB
HOUR=3600000
DAY=86400000
GRACE_S=20 # LATE-0's dispatch is c08_days old this long after it is written
# household K: the buyer of station_fill's counter fills, a household of TA
K=0000000000000000000000000000000000000000000000000000000000000007
K_MASKED='330***********1234'

# --- the county, the codes, S01's fills --------------------------------------------------
mkdir -p "$T/minted"
"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null || { fail "set-up: keys"; finish; }
{
	echo "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status"
	for s in SPRAY-0 SPRAY-1 SPRAY-2 LATE-0 LATE-1 LATE-2 HOLD-0 HOLD-1 HOLD-2 HOLD-3 HOLD-4 HOLD-5 \
	    KIND-0 KIND-1 KIND-2 CODE-0 CODE-1 FAKE-0 FAKE-1; do
		echo "$s,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active"
	done
} >"$T/registry.csv"
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/registry.csv" \
    --out "$T/minted" --no-labels >/dev/null || { fail "set-up: codes"; finish; }
county_keys "$W" "$E"
COUNTY_EXTRA="c07_grace_min = 0
life_max_delay_h = 72
c08_days = 1
c09_household_hold = 2
code_key = $T/keys/county.pub"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() { # IDENTITY ARGS...: gasdeliver as that worker's device (its database NAME.db)
	_id=$1
	shift
	"$BUILD/gasdeliver" -u "$_id" -d "$T/$(echo "$_id" | sed 's/^delivery:\([^@]*\)@.*/\1/').db" \
	    -k "$T/$(echo "$_id" | tr ':' '_').key" -p "$CPORT" --code-key "$T/keys/county.pub" \
	    --buyer-key "$T/keys/buyer.key" "$@"
}
evil_db() { sqlite3 "$T/evil.db" "$1"; }
# S01 dispatches SERIAL to WORKER at AT (ms): the rows gasctl dispatch writes
dispatch() { # WORKER SERIAL AT
	_u=$(cat /proc/sys/kernel/random/uuid)
	sqlite3 "$T/s01.db" "INSERT INTO life_events (uuid, event, serial, code, actor, worker, at_ms)
	    VALUES ('$_u', 'dispatched', '$2', '$(code "$2")', 'OP1', '$1', $3);
	    INSERT INTO outbox (uuid, kind, created_ms) VALUES ('$_u', 'life', $3)"
}
upload() { # S01's outbox to the county
	"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
	    -x -w 30 >>"$T/up.log" 2>&1
}
alerts() { county_sql "SELECT count(*) FROM alerts WHERE $1"; }

# S01's counter fills, as station_fill makes them: SPRAY-0..2, LATE-0..2, HOLD-0..5...
for p in SPRAY-:3 LATE-:3 HOLD-:6 KIND-:3 CODE-:2; do
	"$BUILD/tests/station_fill" "$T/s01.db" -n "${p#*:}" -s S01 -c "${p%:*}" -t TA >/dev/null
done
sqlite3 "$T/s01.db" "UPDATE fills SET started_ms = started_ms - 30 * $HOUR,
    ended_ms = ended_ms - 30 * $HOUR"

upload
check "S01's 17 fills reached the county" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE station = 'S01'")" = 17 ]

# --- 2b. evil speaks of LATE-1 before its dispatch reaches the county ---------------------
deliver "$E" return "$(code LATE-1)" --village 下宅村 >"$T/late1.out" 2>&1

now=$(($(date +%s) * 1000))
for s in SPRAY-0 SPRAY-1 SPRAY-2 HOLD-0 HOLD-1 HOLD-2 HOLD-3 HOLD-4 HOLD-5; do
	dispatch "$W" "$s" $((now - HOUR))
done
for s in KIND-0 KIND-1 KIND-2 CODE-0 CODE-1; do
	dispatch "$E" "$s" $((now - HOUR))
done
dispatch "$W" LATE-0 $((now - DAY + GRACE_S * 1000))
dispatch "$W" LATE-1 $((now - 25 * HOUR))
dispatch "$W" LATE-2 $((now - 25 * HOUR))
upload
check "S01's 17 dispatches reached the county" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = 'S01' AND event = 'dispatched'")" = 17 ]

# --- 2a. evil hands over LATE-0, dispatched to wang, before its c08_days are up -----------
deliver "$E" handover "$(code LATE-0)" --buyer-id "$BUYER5" --village 下宅村 >"$T/late0.out" 2>&1
late0_sent=$(date +%s)

# --- 1. spray on the truck ------------------------------------------------------------------
deliver "$E" return "$(code SPRAY-0)" --from-buyer "$BUYER2" --village 上宅村 >"$T/spray0.out" 2>&1
deliver "$E" return "$(code SPRAY-1)" --village 上宅村 >"$T/spray1.out" 2>&1
deliver "$W" handover "$(code SPRAY-0)" --buyer-id "$BUYER1" --village 下宅村 >"$T/b0.out" 2>&1
deliver "$W" handover "$(code SPRAY-1)" --buyer-id "$BUYER1" --village 下宅村 >"$T/b1.out" 2>&1
check "wang hands SPRAY-0 and SPRAY-1 over to B" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$W' AND event = 'handed_over' AND serial LIKE 'SPRAY-%'")" = 2 ]
# the control: wang's own return of SPRAY-2, and SPRAY-2 handed over again with no fill
deliver "$W" handover "$(code SPRAY-2)" --buyer-id "$BUYER5" --village 下宅村 >"$T/b2.out" 2>&1
deliver "$W" return "$(code SPRAY-2)" --from-buyer "$BUYER5" --village 下宅村 >>"$T/b2.out" 2>&1
deliver "$W" handover "$(code SPRAY-2)" --buyer-id "$BUYER5" --village 下宅村 >>"$T/b2.out" 2>&1
check "C07 for SPRAY-2, taken back by wang and handed over again with no fill since" \
    [ "$(alerts "rule = 'C07' AND cylinder = 'SPRAY-2' AND township = 'TA'")" = 1 ]
check "no C07 for SPRAY-0: evil's 'returned from X' is not its step (last: dispatched to wang)" \
    [ "$(alerts "rule = 'C07' AND cylinder = 'SPRAY-0'")" = 0 ]
check "no C07 for SPRAY-1: nor is evil's 'returned' from nobody" \
    [ "$(alerts "rule = 'C07' AND cylinder = 'SPRAY-1'")" = 0 ]

# --- 3. C09 held: three hand-overs to H1; to H2, with two fake returns before the third ---
for s in HOLD-0 HOLD-1 HOLD-2; do
	deliver "$W" handover "$(code "$s")" --buyer-id "$BUYER3" --village 上宅村 >>"$T/h1.out" 2>&1
done
H1=$(county_sql "SELECT buyer_masked FROM life_events WHERE serial = 'HOLD-0' AND event = 'handed_over'")
check "H1 holds 3 after wang's third hand-over: C09" \
    [ "$(alerts "rule = 'C09' AND buyer_masked = '$H1' AND text LIKE '%holds 3 %'")" = 1 ]
for s in HOLD-3 HOLD-4; do
	deliver "$W" handover "$(code "$s")" --buyer-id "$BUYER4" --village 上宅村 >>"$T/h2.out" 2>&1
done
for s in FAKE-0 FAKE-1; do
	deliver "$E" return "$(code "$s")" --from-buyer "$BUYER4" --village 上宅村 >>"$T/fake.out" 2>&1
done
deliver "$W" handover "$(code HOLD-5)" --buyer-id "$BUYER4" --village 上宅村 >>"$T/h2.out" 2>&1
H2=$(county_sql "SELECT buyer_masked FROM life_events WHERE serial = 'HOLD-3' AND event = 'handed_over'")
check "H2 holds 3 all the same: evil's returns of FAKE-0 and FAKE-1 (never H2's) hide nothing: C09" \
    [ "$(alerts "rule = 'C09' AND buyer_masked = '$H2' AND text LIKE '%holds 3 %'")" = 1 ]

check "the county took evil's events so far as sent: its rules, not its door, see through them" \
    [ "$(evil_db 'SELECT count(*) FROM outbox') $(county_sql "SELECT count(*) FROM life_events WHERE source = '$E'")" = "0 6" ]

# --- 5. K, a household at the counter, called a business at the door -----------------------
for s in KIND-0 KIND-1 KIND-2; do
	deliver "$E" --offline handover "$(code "$s")" --buyer-id "$BUYER5" --village 上宅村 \
	    >/dev/null 2>&1
done
evil_db "UPDATE life_events SET buyer = '$K', buyer_masked = '$K_MASKED', buyer_kind = 'business',
    buyer_township = 'TA' WHERE serial LIKE 'KIND-%'"
deliver "$E" sync >"$T/kind.out" 2>&1
check "evil's three hand-overs to K, a business by its word, are sent (exit $?)" \
    grep -q "^3 events sent to the county; none waits" "$T/kind.out"
check "K bought at S01's counter as a household: a household's limits, C09 at the third held" \
    [ "$(alerts "rule = 'C09' AND buyer_masked = '$K_MASKED' AND text LIKE '%holds 3 %'")" = 1 ]

# --- 4. the code ---------------------------------------------------------------------------
# two hand-overs in one batch; CODE-1's code is changed before each send.  The
# county refuses the batch naming CODE-1; gasdeliver sends one by one, CODE-0
# is taken and CODE-1 set aside (review rev102), sent again only by
# `gasdeliver aside --retry`
deliver "$E" --offline handover "$(code CODE-0)" --buyer-id "$BUYER2" --village 上宅村 >/dev/null 2>&1
deliver "$E" --offline handover "$(code CODE-1)" --buyer-id "$BUYER2" --village 上宅村 >/dev/null 2>&1
garbled=$(code CODE-1 | awk '{ c = substr($0, 20, 1); print substr($0, 1, 19) (c == "A" ? "B" : "A") substr($0, 21) }')
held_before=$(county_sql "SELECT count(*) FROM life_events WHERE source = '$E'")
for v in other garbled empty; do
	case $v in
	other) c=$(code SPRAY-0) what="the signed code of another cylinder (SPRAY-0)" ;;
	garbled) c=$garbled what="a garbled code" ;;
	empty) c="" what="no code" ;;
	esac
	evil_db "UPDATE life_events SET code = '$c' WHERE serial = 'CODE-1'"
	deliver "$E" aside --retry all >"$T/code-$v.out" 2>&1
	check "a hand-over of CODE-1 carrying $what: refused naming life.code, set aside" \
	    grep -q "refused the event of seq [0-9]* (record 0 (seq [0-9]*): life\.code.*set aside" "$T/code-$v.out"
	check "... and not stored; CODE-0's good hand-over, sent apart, is" \
	    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$E'")" = "$((held_before + 1))" ]
done
evil_db "UPDATE life_events SET code = '$(code CODE-1)' WHERE serial = 'CODE-1'"
deliver "$E" aside --retry all >"$T/code-own.out" 2>&1
check "with its own code the same hand-overs are taken; nothing waits on evil's device" \
    all "[ \"\$(county_sql \"SELECT count(*) FROM life_events WHERE source = '$E' AND serial LIKE 'CODE-%'\")\" = 2 ]" \
    "[ \"\$(evil_db 'SELECT count(*) FROM outbox')\" = 0 ]"
check "every event of wang's was taken, each with the code it scanned" \
    [ "$(county_sql "SELECT count(*) || ' ' || sum(code = CASE serial $(for s in SPRAY-0 SPRAY-1 SPRAY-2 HOLD-0 HOLD-1 HOLD-2 HOLD-3 HOLD-4 HOLD-5; do printf "WHEN '%s' THEN '%s' " "$s" "$(code "$s")"; done) END) FROM life_events WHERE source = '$W'")" = "11 11" ]

# --- 6. an honest slip: wang scans SPRAY-0's hand-over a second time ----------------------
deliver "$W" handover "$(code SPRAY-0)" --buyer-id "$BUYER1" --village 下宅村 >"$T/twice.out" 2>&1
rc=$?
check "gasdeliver refuses the second scan of one hand-over (exit $rc), naming the cylinder" \
    all "[ $rc -eq 3 ]" "grep -q 'cylinder SPRAY-0 was handed over to this household a moment ago' '$T/twice.out'"
check "... so the county holds one hand-over of SPRAY-0 by wang, and no C07 for it" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$W' AND serial = 'SPRAY-0'") $(alerts "rule = 'C07' AND cylinder = 'SPRAY-0'")" = "1 0" ]
# two days later the same hand-over is the county's to judge, not a second scan
sqlite3 "$T/wang.db" "UPDATE life_events SET at_ms = at_ms - 2 * $DAY WHERE serial = 'SPRAY-0'"
deliver "$W" handover "$(code SPRAY-0)" --buyer-id "$BUYER1" --village 下宅村 >"$T/later.out" 2>&1
check "a hand-over of SPRAY-0 two days after wang's last is recorded and sent (exit $?)" \
    [ "$(county_sql "SELECT count(*) FROM life_events WHERE source = '$W' AND serial = 'SPRAY-0'")" = 2 ]

# --- 2. C08: only wang, or a station, settles a dispatch to wang --------------------------
check "C08 for LATE-2, dispatched to wang 25 hours ago and never settled (the control)" \
    sql_eventually 10 "SELECT count(*) FROM alerts WHERE rule = 'C08' AND cylinder = 'LATE-2' AND township = 'TA'" 1
check "C08 for LATE-1: evil's return, though it came first, does not settle its dispatch" \
    sql_eventually 10 "SELECT count(*) FROM alerts WHERE rule = 'C08' AND cylinder = 'LATE-1' AND township = 'TA'" 1
wait_s=$((GRACE_S + 15 - ($(date +%s) - late0_sent)))
[ "$wait_s" -gt 0 ] || wait_s=1
check "C08 for LATE-0 once its c08_days are up: evil's hand-over does not settle it" \
    sql_eventually "$wait_s" "SELECT count(*) FROM alerts WHERE rule = 'C08' AND cylinder = 'LATE-0' AND township = 'TA'" 1
check "no sanitizer report from gascounty" sh -c "! grep -q 'runtime error\|AddressSanitizer' '$T/county.log'"
finish
