#!/bin/sh
# No station can silence, forge or misroute an alert (issue 14, the county
# side): attacks from real station identities over DTLS against a real
# gascounty, with batches written by the project's own encoder
# (tests/helpers/batchgen) and sent with coapreq.  docs/reliability.md
# lists each attack with its check.
#
#  1. a station's violation uuids shaped like the county's keys (C04:S02:N,
#     county:C04:S02:N, C01:<its fill's uuid>) are refused, and C04 and C01
#     still fire;
#  3. county rule codes are refused; a station rule takes the county's
#     severity and goes to the station's township as the county holds it,
#     a buyer rule to the buyer's township as first registered; unknown
#     townships (station, buyer) are refused;
#  4. a conflicting resend is recorded (both digests, when, the session)
#     and alerted to the county's queue; a retransmission is not; a flood
#     of versions of one held record keeps at most 8, answered as held;
#  6. what cannot be true is refused with the field named; a cylinder the
#     registry does not know is filled: C05;
#  7. a heartbeat's time is any int64 (0, INT64_MAX, INT64_MIN, -1): taken,
#     no overflow in the clock's skew, one C14 for the whole episode;
#  8. a station flooding heartbeats over its one session: every one taken,
#     its last contact the newest, at most one heartbeats row a minute, and
#     another station answered all the while.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys
# heartbeat_min_s = 0: every heartbeat written, so that 7 and 8 check what
# each one stores (its skew saturated, S02's status beside the flood); the
# floor that answers a flood without writes is t_county_hbflood's
COUNTY_EXTRA="c04_gap_s = 1
c03_silent_s = 3600
heartbeat_min_s = 0"
county_start || { fail "gascounty did not start"; finish; }

gen() { # NAME [batchgen args...]: $T/NAME.cbor
	_n=$1
	shift
	"$BUILD/tests/batchgen" "$@" >"$T/$_n.cbor"
}
send() { # STATION NAME: POST it as station:STATION; $T/NAME.out holds "code X.YY" and the body
	"$BUILD/tests/coapreq" -p "$CPORT" -u "station:$1" -k "$T/station_$1.key" -m POST \
	    -P records -f "$T/$2.cbor" -j -t 8000 >"$T/$2.out" 2>>"$T/coapreq.err"
}
code() { sed -n 's/^code //p' "$T/$1.out"; }
refused() { # WHAT STATION NAME TEXT: 4.00 naming TEXT
	send "$2" "$3"
	if [ "$(code "$3")" = 4.00 ] && grep -qF -- "$4" "$T/$3.out"; then
		ok "$1: refused (4.00, \"$4\")"
	else
		fail "$1: refused (4.00, \"$4\"), got $(tr '\n' ' ' <"$T/$3.out")"
	fi
}
stored() { # WHAT STATION NAME: 2.04
	send "$2" "$3"
	check "$1: stored (2.04)" [ "$(code "$3")" = 2.04 ]
}
q() { county_sql "$1"; }

# --- 1. the county's keys cannot be taken by a station ------------------------
# S02 (township TB) holds 1, 2 and 4: record 3 is missing, a gap
gen s02gap -s S02 -t TB "kind=event,seq=1" "kind=event,seq=2" "kind=event,seq=4"
stored "S02 sends 1, 2 and 4" S02 s02gap
# S01 tries to take the key of S02's C04 in both shapes (the old one and
# the county's namespace), 64 violations each
gen c04old -s S01 "kind=event,seq=1,rule=R05,viol=64,vuuid=C04:S02:%d"
refused "S01's violations named C04:S02:N" S01 c04old "uuid is not a UUID"
gen c04new -s S01 "kind=event,seq=1,rule=R05,viol=64,vuuid=county:C04:S02:%d"
refused "S01's violations named county:C04:S02:N" S01 c04new "uuid is not a UUID"
if sql_eventually 10 "SELECT count(*) FROM alerts WHERE rule = 'C04' AND station = 'S02' AND township = 'TB'" 1; then
	ok "C04 fires for S02's gap, in S02's township TB"
else
	fail "C04 fires for S02's gap, in S02's township TB"
fi
# S01 takes the key of its own fill's C01 first, then fills a cylinder S02 filled
U=11111111-2222-4333-8444-555555555555
gen c01key -s S01 "kind=event,seq=1,rule=R05,vuuid=C01:$U"
refused "S01's violation named C01:<its next fill's uuid>" S01 c01key "uuid is not a UUID"
gen c01short -s S01 "seq=1,uuid=u1,cyl=TWIN"
refused "a short record uuid" S01 c01short "uuid is not a UUID"
gen twin2 -s S02 -t TB "seq=3,cyl=TWIN,btown=TB"
stored "S02 fills TWIN" S02 twin2
gen twin1 -s S01 "seq=1,uuid=$U,cyl=TWIN"
stored "S01 fills TWIN too" S01 twin1
check "C01 fires for S01's fill of the cloned cylinder" \
    [ "$(q "SELECT count(*) FROM alerts WHERE rule = 'C01' AND station = 'S01'")" = 1 ]
check "no station violation was stored under a county key" \
    [ "$(q "SELECT count(*) FROM violations WHERE rule NOT LIKE 'C%' AND (uuid LIKE 'C0%' OR uuid LIKE 'county:%')")" = 0 ]

# --- 3. only station rules, the county's severity, the county's routing -------
gen c03 -s S01 "kind=event,seq=2,rule=C03,sev=critical,town=TB"
refused "a station's violation with county rule C03, critical, for TB" S01 c03 "rule 'C03' is not a station rule"
check "TB has no C03 alert from a station" \
    [ "$(q "SELECT count(*) FROM alerts WHERE rule = 'C03' AND township = 'TB'")" = 0 ]
gen r10 -s S01 "kind=event,seq=2,rule=R10,sev=critical,town=TB"
stored "R10 claimed critical and for TB" S01 r10
check "R10 became an alert of the county's severity (alert) in S01's township TA" \
    [ "$(q "SELECT severity || ' ' || township FROM alerts WHERE rule = 'R10'")" = "alert TA" ]
gen r21 -s S01 "kind=event,seq=3,rule=R21,sev=critical,town=TA"
stored "R21 (a flag) claimed critical" S01 r21
check "R21 raised no alert and is stored as a flag" \
    [ "$(q "SELECT count(*) FROM alerts WHERE rule = 'R21'") $(q "SELECT severity FROM violations WHERE rule = 'R21'")" = "0 flag" ]
gen claimtb -s S01 -t TB "kind=event,seq=4,rule=R05,town=TB"
stored "S01 claims township TB in its batch" S01 claimtb
check "S01's R05 still goes to its own township TA" \
    [ "$(q "SELECT township FROM alerts WHERE rule = 'R05' AND station = 'S01'")" = TA ]
check "the county still holds TA as S01's township" [ "$(q "SELECT township FROM stations WHERE id = 'S01'")" = TA ]
# a buyer first registered in TB (by S02); S01 names TA for the same buyer
B=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
gen buyer2 -s S02 -t TB "seq=5,cyl=B-1,buyer=$B,btown=TB"
send S02 buyer2
gen r11 -s S01 "seq=5,cyl=B-2,buyer=$B,btown=TA,rule=R11,town=TA"
stored "S01's R11 naming TA for a buyer registered in TB" S01 r11
check "R11 goes to the buyer's registered township TB" \
    [ "$(q "SELECT township FROM alerts WHERE rule = 'R11'")" = TB ]
gen s03 -s S03 -t TZ "kind=event,seq=1"
refused "a new station naming township TZ (no such township)" S03 s03 "township 'TZ' is not a township of this county"
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S03 -k "$T/station_S03.key" -m POST -P heartbeat \
    -b heartbeat:S03:TZ -j >"$T/hb.out" 2>>"$T/coapreq.err"
check "its heartbeat naming TZ: refused (4.00)" [ "$(code hb)" = 4.00 ]
check "the county holds no station S03" [ "$(q "SELECT count(*) FROM stations WHERE id = 'S03'")" = 0 ]
gen btz -s S01 "seq=6,btown=TZ"
refused "a buyer's township TZ" S01 btz "btown 'TZ' is not a township of this county"

# --- 4. conflicting resends ---------------------------------------------------
C=22222222-3333-4444-8555-666666666666
T0=$(($(date +%s) * 1000))
W="at=$T0,start=$T0,end=$T0" # one fill's times, the same in every copy
gen first -s S01 "seq=6,uuid=$C,cyl=CONF-1,net=14.9,$W"
stored "S01 seq 6" S01 first
gen again -s S01 "seq=6,uuid=$C,cyl=CONF-1,net=14.9,$W"
send S01 again
check "the same record again is a duplicate and no conflict" \
    [ "$(grep -c '"dup":1' "$T/again.out") $(q "SELECT count(*) FROM conflicts")" = "1 0" ]
gen other -s S01 "seq=6,uuid=$C,cyl=CONF-1,net=11.2,$W"
send S01 other
check "seq 6 resent with another net: answered as held (2.04, dup 1)" \
    sh -c "[ '$(code other)' = 2.04 ] && grep -q '\"dup\":1' '$T/other.out'"
check "the first copy is kept" [ "$(q "SELECT net_kg FROM fills WHERE uuid = '$C'")" = 14.9 ]
check "the conflict is recorded with both digests, when and the session" \
    [ "$(q "SELECT count(*) FROM conflicts WHERE station = 'S01' AND seq = 6 AND held_seq = 6
        AND held_uuid = '$C' AND sent_uuid = '$C' AND length(held_digest) = 64
        AND length(sent_digest) = 64 AND held_digest <> sent_digest AND at_ms > 0
        AND session LIKE 'station:S01 from 127.0.0.1:%'")" = 1 ]
check "the held digest is the stored record's" \
    [ "$(q "SELECT held_digest FROM conflicts")" = "$(q "SELECT digest FROM records WHERE uuid = '$C'")" ]
send S01 other
check "the same conflicting version again is recorded once" [ "$(q "SELECT count(*) FROM conflicts")" = 1 ]
gen newuuid -s S01 "seq=6,salt=9,cyl=CONF-1,net=14.9,$W"
send S01 newuuid
gen reused -s S01 "seq=7,uuid=$C,cyl=CONF-1,net=14.9,$W"
send S01 reused
check "a new uuid at seq 6, and seq 7 with seq 6's uuid: two more conflicts" \
    [ "$(q "SELECT group_concat(seq || '/' || held_seq, ' ') FROM (SELECT * FROM conflicts ORDER BY id)")" = "6/6 6/6 7/6" ]
check "each conflict raised one C06 alert to the county" \
    [ "$(q "SELECT count(*) FROM alerts WHERE rule = 'C06' AND township = 'county' AND station = 'S01'")" = 3 ]
"$BUILD/tests/coapreq" -p "$CPORT" -u regulator:alice -k "$T/regulator_alice.key" -m GET \
    -P alerts/county -q since=0 -j >"$T/queue.out" 2>>"$T/coapreq.err"
check "the regulator reads the three C06 alerts in the county's queue (GET /alerts/county)" \
    [ "$(code queue) $(grep -o '"rule":"C06"' "$T/queue.out" | wc -l)" = "2.05 3" ]
check "each names both digests and the session" \
    [ "$(grep -o "held (seq 6) [0-9a-f]\{64\}, sent [0-9a-f]\{64\}, station:S01 from 127.0.0.1:[0-9]*" "$T/queue.out" | wc -l)" = 3 ]
check "the regulator's read of the queue is audited" \
    [ "$(q "SELECT count(*) FROM audit WHERE query = 'queue' AND identity = 'regulator:alice' AND results = 3")" = 1 ]
# a flood of versions of held seq 6 (the review's: 2,000 in a 717 kB batch
# stored 2,000 of each, and again at every new content): 40 in one batch,
# then 40 more with new content; seq 6 has 3 versions kept already
K=8 # COUNTY_CONFLICT_VERSIONS_MAX (tools/county/db.h)
hwm6=$(q "SELECT hwm FROM stations WHERE id = 'S01'")
flood() { # NAME FIRST: 40 versions of seq 6, nets FIRST.1 .. FIRST.40
	_r=""
	for _i in $(seq 1 40); do
		_r="$_r seq=6,uuid=$C,cyl=CONF-1,net=$2.$_i,$W"
	done
	# shellcheck disable=SC2086 # one word per record
	gen "$1" -s S01 $_r
	send S01 "$1"
}
flood flood1 12
check "40 versions of seq 6 in one batch: answered as held (2.04, dup 40)" \
    sh -c "[ '$(code flood1)' = 2.04 ] && grep -q '\"dup\":40' '$T/flood1.out'"
flood flood2 13
check "40 more with new content: answered as held (2.04, dup 40)" \
    sh -c "[ '$(code flood2)' = 2.04 ] && grep -q '\"dup\":40' '$T/flood2.out'"
check "the county keeps $K versions of seq 6 in all: $K conflicts, $K C06 alerts" \
    [ "$(q "SELECT count(*) FROM conflicts WHERE station = 'S01' AND held_uuid = '$C'") $(q "SELECT count(*) FROM alerts WHERE rule = 'C06' AND station = 'S01'")" = "$K $K" ]
check "the last one kept tells the regulator further versions are not kept" \
    [ "$(q "SELECT count(*) FROM alerts WHERE rule = 'C06' AND station = 'S01' AND text LIKE '%further versions of this record are not kept%' AND id = (SELECT max(id) FROM alerts WHERE rule = 'C06')")" = 1 ]
check "gascounty's log says so once, not once per version" \
    [ "$(grep -c "S01: $K conflicting versions of its record at seq 6 kept; further versions are not kept" "$T/county.log")" = 1 ]
check "the first copy is still kept and S01's mark has not moved" \
    [ "$(q "SELECT net_kg FROM fills WHERE uuid = '$C'") $(q "SELECT hwm FROM stations WHERE id = 'S01'")" = "14.9 $hwm6" ]
if sql_eventually 10 "SELECT CAST((SELECT value FROM meta WHERE key = 'cases_alerts_seen') AS INTEGER) >= (SELECT max(id) FROM alerts)" 1; then
	check "the county's C06 case has $K steps: its opening and $((K - 1)) joins" \
	    [ "$(q "SELECT count(*) FROM case_steps WHERE case_id IN (SELECT id FROM cases WHERE kind = 'C06')")" = "$K" ]
else
	fail "the county's sweep made cases of the C06 alerts"
fi
gen after -s S01 "seq=$((hwm6 + 1)),cyl=CONF-2"
stored "S01's next record after the flood" S01 after

# --- 6. what cannot be true is refused, with the field named -------------------
before=$(q "SELECT count(*) FROM records")
# first, so that a county without the bounds stores it and reaches C01's
# window (start - c01_minutes: the signed overflow UBSan reported)
refused "a start at INT64_MIN" S01 "$(gen n4 -s S01 "seq=8,start=min"; echo n4)" "start -9223372036854775808"
refused "net -14.9 kg" S01 "$(gen n1 -s S01 "seq=8,net=-14.9"; echo n1)" "net -14.900 kg"
refused "net 1e9 kg" S01 "$(gen n2 -s S01 "seq=8,net=1e9"; echo n2)" "net 1000000000.000 kg"
refused "a start in 2126" S01 "$(gen n3 -s S01 "seq=8,start=now+36500"; echo n3)" "start"
refused "a record time at INT64_MIN" S01 "$(gen n5 -s S01 "seq=8,at=min"; echo n5)" "at -9223372036854775808"
refused "an unknown result" S01 "$(gen n6 -s S01 "seq=8,result=bogus"; echo n6)" "result is not one of"
refused "an unknown buyer kind" S01 "$(gen n7 -s S01 "seq=8,bkind=alien"; echo n7)" "bkind is not household"
refused "line 999999" S01 "$(gen n8 -s S01 "seq=8,line=999999"; echo n8)" "line 999999"
refused "seq INT64_MAX" S01 "$(gen n9 -s S01 "seq=9223372036854775807"; echo n9)" "seq is more than 100000 beyond"
refused "seq 100001 beyond the mark" S01 "$(gen n10 -s S01 "seq=100008"; echo n10)" "seq is more than 100000 beyond"
refused "an unknown record kind" S01 "$(gen n11 -s S01 "seq=8,kind=bogus"; echo n11)" "kind"
check "nothing of it was stored" [ "$(q "SELECT count(*) FROM records")" = "$before" ]
check "gascounty is still serving" kill -0 "$PID_county"
check "S01's mark is not moved by a seq it can never fill up to" \
    [ "$(q "SELECT max_seq FROM stations WHERE id = 'S01'")" -lt 100 ]
# suspicious, not impossible: a cylinder the county registry does not know
"$BUILD/gascounty" -c "$T/county.conf" registry set KNOWN-1 >/dev/null
gen known -s S01 "seq=8,cyl=KNOWN-1"
stored "a fill of a registered cylinder" S01 known
gen unknown -s S01 "seq=9,cyl=NOBODY-1"
stored "a fill of a cylinder the registry does not know" S01 unknown
check "C05 alerts S01's township for the unregistered cylinder only" \
    [ "$(q "SELECT group_concat(cylinder || '@' || township) FROM alerts WHERE rule = 'C05'")" = "NOBODY-1@TA" ]

# --- 7. a heartbeat's time: any int64, one C14 an episode -----------------------
hb() { # NAME AT: S02's heartbeat, made at AT by its clock (Unix ms)
	"$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m POST \
	    -P heartbeat -b heartbeat:S02:TB -W "$2" -j >"$T/$1.out" 2>>"$T/coapreq.err"
}
c14() { q "SELECT count(*) FROM alerts WHERE rule = 'C14' $1"; }
hb hb_now "$(($(date +%s) * 1000))"
check "S02's heartbeat with its clock right: taken (2.04: $(code hb_now)), no C14" \
    all "[ '$(code hb_now)' = 2.04 ]" "[ \"\$(c14)\" = 0 ]"
for at in 0 9223372036854775807 -1 0 -9223372036854775807 9223372036854775806 \
    -9223372036854775808; do
	hb hb_abs "$at"
	check "S02's heartbeat made at $at: taken (2.04: $(code hb_abs))" [ "$(code hb_abs)" = 2.04 ]
done
check "one C14 for the whole episode, to S02's township TB, naming the clock's 1970" \
    all "[ \"\$(c14)\" = 1 ]" \
    "[ \"\$(c14 \"AND station = 'S02' AND township = 'TB' AND text LIKE 'station S02: its clock reads 1970-01-01 %behind the county''s'\")\" = 1 ]"
check "the last skew (INT64_MIN less the county's clock) kept saturated, not wrapped around" \
    [ "$(q "SELECT clock_skew_ms = -9223372036854775807 - 1 AND clock_alerted FROM stations WHERE id = 'S02'")" = 1 ]

# --- 8. a flood of heartbeats: one row a minute, the county still answers -------
# S03 (township TA, first contact) sends FLOOD heartbeats back to back over
# one DTLS session; before migration 022 each was a row of its own.
FLOOD=3000
min_before=$(($(date +%s) / 60))
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S03 -k "$T/station_S03.key" -m POST -P heartbeat \
    -b "heartbeat:S03:TA:flood" -n "$FLOOD" >"$T/flood.out" 2>>"$T/coapreq.err" &
flood=$!
# meanwhile S02 (its clock right now) sends heartbeats of its own, one
# after another while the flood goes on (at most 200): each is answered
# (2.04) within its 8 s
sent=0
during=0
refused=0
while kill -0 "$flood" 2>/dev/null && [ "$sent" -lt 200 ]; do
	sent=$((sent + 1))
	"$BUILD/tests/coapreq" -p "$CPORT" -u station:S02 -k "$T/station_S02.key" -m POST \
	    -P heartbeat -b "heartbeat:S02:TB:beside the flood" -t 8000 >"$T/beside.out" \
	    2>>"$T/coapreq.err"
	if [ "$(code beside)" != 2.04 ]; then
		refused=$((refused + 1))
	elif kill -0 "$flood" 2>/dev/null; then
		during=$((during + 1))
	fi
done
check "S02's heartbeats during S03's flood: each answered (2.04), $during while it went on ($sent sent)" \
    all "[ $refused = 0 ]" "[ $during -ge 1 ]"
wait "$flood"
min_after=$(($(date +%s) / 60))
check "S03's $FLOOD heartbeats: every one taken (2.04): $(tr '\n' ' ' <"$T/flood.out")" \
    all "[ '$(code flood)' = 2.04 ]" "grep -qx 'same $FLOOD' '$T/flood.out'"
rows=$(q "SELECT count(*) FROM heartbeats WHERE station = 'S03'")
check "S03's flood kept $rows heartbeats rows: at most one a minute ($((min_after - min_before + 1)) minutes)" \
    all "[ '$rows' -ge 1 ]" "[ '$rows' -le $((min_after - min_before + 1)) ]"
check "S03's last contact is its newest heartbeat's, its row its status" \
    [ "$(q "SELECT last_seen_ms = (SELECT max(received_ms) FROM heartbeats WHERE station = 'S03')
             AND status = 'flood' AND township = 'TA' FROM stations WHERE id = 'S03'")" = 1 ]
check "S02's row holds its heartbeat beside the flood" \
    [ "$(q "SELECT status FROM stations WHERE id = 'S02'")" = "beside the flood" ]
check "no sanitizer report from gascounty" sh -c "! grep -q 'runtime error\|AddressSanitizer' '$T/county.log'"
# --- what a query or an empty body claims -------------------------------------
# An empty POST /records is no batch (it was answered with the mark); a
# since= that is not a whole number 0 or more was read as 0.
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST -P records \
    -j >"$T/empty.out" 2>>"$T/coapreq.err"
check "an empty POST /records is refused (4.00: $(code empty))" [ "$(code empty)" = 4.00 ]
for since in x -1 1x 99999999999999999999 ''; do
	"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m GET \
	    -P registry -q "since=$since" -j >"$T/since.out" 2>>"$T/coapreq.err"
	check "GET /registry?since=$since is refused (4.00: $(code since))" [ "$(code since)" = 4.00 ]
done
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m GET \
    -P registry -q since=0 -j >"$T/since0.out" 2>>"$T/coapreq.err"
check "GET /registry?since=0 is answered (2.05)" [ "$(code since0)" = 2.05 ]
"$BUILD/tests/coapreq" -p "$CPORT" -u township:TB -k "$T/township_TB.key" -m GET \
    -P alerts -q since=abc -j >"$T/asince.out" 2>>"$T/coapreq.err"
check "GET /alerts?since=abc is refused (4.00: $(code asince))" [ "$(code asince)" = 4.00 ]

finish
