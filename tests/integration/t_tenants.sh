#!/bin/sh
# Tenants (issue 8, item 7): every identity against every resource and method
# of a real gascounty, over real DTLS sessions (tests/helpers/coapreq, built on
# gateway/lib/coaplink.h).  The expected answer of each cell is in the table
# below; every cell must match.  Then the payload's own claims (another
# station's id, another township) are shown to be ignored: the county takes
# the tenant from the DTLS identity only.
#
# Identities: A = station:S01, B = station:S02 (township TB), X = township:TA,
# Y = township:TB, R = regulator:alice, U = station:S99 (not in the identities
# file), W = station:S01 with a wrong key.  "none" means no session: the
# handshake is refused, so no request reaches a handler (the server never
# needs 4.01: an unproven identity gets no session at all).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys
key_file station:S99 "$T/station_S99.key"
printf '%s' "not-the-key-of-S01-00000" | od -An -tx1 | tr -d ' \n' >"$T/wrong.key"
echo >>"$T/wrong.key"
chmod 600 "$T/wrong.key"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

# --- a county with data of both townships -----------------------------------
"$BUILD/tests/station_fill" "$T/s01.db" -n 20 -s S01 -c CYA -e 5 -r R05 -t TA -b TA
"$BUILD/tests/station_fill" "$T/s02.db" -n 20 -s S02 -c CYB -e 4 -r R05 -t TB -b TB
"$BUILD/tests/uplink_run" -d "$T/s01.db" -p "$CPORT" -s S01 -t TA -k "$T/station_S01.key" \
    -x -w 30 >"$T/up1.log" 2>&1
"$BUILD/tests/uplink_run" -d "$T/s02.db" -p "$CPORT" -s S02 -t TB -k "$T/station_S02.key" \
    -x -w 30 >"$T/up2.log" 2>&1
check "seeded: 40 records, alerts for TA and TB" \
    [ "$(county_sql "SELECT count(*) FROM records") $(county_sql "SELECT count(DISTINCT township) FROM alerts")" = "40 2" ]
TA_ALERT=$(county_sql "SELECT min(id) FROM alerts WHERE township='TA'")
TA_COUNT=$(county_sql "SELECT count(*) FROM alerts WHERE township='TA'")

# who -> identity and key file; the station a batch or heartbeat names
ident() {
	case $1 in
	A) echo "station:S01 $T/station_S01.key S01 TA" ;;
	B) echo "station:S02 $T/station_S02.key S02 TB" ;;
	X) echo "township:TA $T/township_TA.key S01 TA" ;;
	Y) echo "township:TB $T/township_TB.key S01 TA" ;;
	R) echo "regulator:alice $T/regulator_alice.key S01 TA" ;;
	U) echo "station:S99 $T/station_S99.key S99 TA" ;;
	W) echo "station:S01 $T/wrong.key S01 TA" ;;
	esac
}
SEQ=1000   # batches of the matrix use fresh sequence numbers (above every hwm)

# The matrix.  Body: - none, batch / heartbeat (claiming the asker's own
# station), ack (a disposition of one of TA's alerts).
cat >"$T/matrix" <<TABLE
#method path            query                 body      A    B    X    Y    R    U    W
POST    records         -                     batch     2.04 2.04 4.03 4.03 4.03 none none
POST    heartbeat       -                     heartbeat 2.04 2.04 4.03 4.03 4.03 none none
GET     registry        since=0               -         2.05 2.05 4.03 4.03 2.05 none none
GET     alerts          since=0               -         4.03 4.03 2.05 2.05 4.03 none none
POST    alerts/ack      -                     ack       4.03 4.03 2.04 4.03 4.03 none none
GET     trace/cylinder  serial=CYA5           -         4.03 4.03 4.03 4.03 2.05 none none
GET     trace/buyer     id=$(printf '%064d' 7) -        4.03 4.03 4.03 4.03 2.05 none none
GET     trace/station   id=S02                -         4.03 4.03 4.03 4.03 2.05 none none
GET     stations        -                     -         4.03 4.03 4.03 4.03 2.05 none none
GET     trace/curve     fill=$(printf '%08d-0000-4000-8000-000000000000' 7) - 4.03 4.03 4.03 4.03 4.04 none none
DELETE  records         -                     -         4.05 4.05 4.05 4.05 4.05 none none
PUT     alerts          -                     -         4.05 4.05 4.05 4.05 4.05 none none
POST    trace/cylinder  -                     -         4.05 4.05 4.05 4.05 4.05 none none
GET     nosuch          -                     -         4.04 4.04 4.04 4.04 4.04 none none
TABLE
cells=0; right=0
while read -r method path query body eA eB eX eY eR eU eW; do
	case $method in '#'*|'') continue ;; esac
	for who in A B X Y R U W; do
		eval "want=\$e$who"
		set -- $(ident $who)
		id=$1; key=$2; st=$3; town=$4
		case $body in
		batch) SEQ=$((SEQ + 1)); b="-b batch:$st:$town:$SEQ" ;;
		heartbeat) b="-b heartbeat:$st:$town" ;;
		ack) b="-b ack:$TA_ALERT" ;;
		*) b="" ;;
		esac
		q=""; [ "$query" != "-" ] && q="-q $query"
		# a wrong key's Finished fails its MAC and DTLS drops it silently:
		# the client just hears nothing (2 s; a good handshake takes ~10 ms)
		to=6000; [ $who = W ] && to=2000
		# shellcheck disable=SC2086
		got=$("$BUILD/tests/coapreq" -p "$CPORT" -u "$id" -k "$key" -m "$method" -P "$path" \
		    $q $b -t $to 2>>"$T/coapreq.err" | sed -n 's/^code //p')
		cells=$((cells + 1))
		if [ "$got" = "$want" ]; then
			right=$((right + 1))
		else
			echo "# $method /$path as $who ($id): expected $want, got ${got:-nothing}"
		fi
	done
done <"$T/matrix"
echo "# tenant matrix: $right of $cells cells as expected"
check "tenant matrix: every cell as expected ($right/$cells)" [ "$cells" -gt 0 ] && [ "$right" = "$cells" ]
check "handshakes of the unknown identity were refused by name" \
    grep -q "unknown identity 'station:S99'" "$T/county.log"
check "only the regulator's traces (three traces, one curve look-up) are in the audit log" \
    [ "$(county_sql "SELECT count(*) || '/' || count(DISTINCT identity) FROM audit")" = "4/1" ]

# --- payload claims are ignored ---------------------------------------------------
req() { # who args...: the code line
	who=$1; shift
	set -- $(ident "$who") "$@"
	id=$1; key=$2; shift 4
	"$BUILD/tests/coapreq" -p "$CPORT" -u "$id" -k "$key" "$@" 2>>"$T/coapreq.err"
}
S02_RECORDS=$(county_sql "SELECT count(*) FROM records WHERE station='S02'")
S02_HB=$(county_sql "SELECT count(*) FROM heartbeats WHERE station='S02'")
req A -m POST -P records -b "batch:S02:TB:5000" >"$T/claim1.out"
check "station A posting a record that claims station B: stored under A or refused" \
    grep -q -e "code 2.04" -e "code 4.00" -e "code 4.03" "$T/claim1.out"
check "no record was added to station B" \
    [ "$(county_sql "SELECT count(*) FROM records WHERE station='S02'")" = "$S02_RECORDS" ]
check "the claimed record, if kept, is A's" \
    [ "$(county_sql "SELECT count(*) FROM records WHERE seq=5000 AND station<>'S01'")" = 0 ]
req A -m POST -P heartbeat -b "heartbeat:S02:TB" >"$T/claim2.out"
check "station A's heartbeat claiming B is not B's" \
    [ "$(county_sql "SELECT count(*) FROM heartbeats WHERE station='S02'")" = "$S02_HB" ]
req A -m POST -P records -b "batch:S01:TB:5001" >/dev/null
check "station A claiming township TB keeps its township TA" \
    [ "$(county_sql "SELECT township FROM stations WHERE id='S01'")" = TA ]
req X -m GET -P alerts -q "since=0&township=TB" -j >"$T/claim3.out"
check "township X asking for Y's alerts gets only its own" \
    sh -c "grep -q 'code 2.05' '$T/claim3.out' && ! grep -q '\"town\":\"TB\"' '$T/claim3.out' &&
        [ \$(grep -o '\"town\":\"TA\"' '$T/claim3.out' | wc -l) -eq $TA_COUNT ]"
req Y -m GET -P alerts -q "since=0" -j >"$T/claim4.out"
check "township Y sees none of X's alerts" \
    sh -c "grep -q 'code 2.05' '$T/claim4.out' && ! grep -q '\"town\":\"TA\"' '$T/claim4.out'"
req Y -m POST -P alerts/ack -b "ack:$TA_ALERT" >"$T/claim5.out"
check "township Y's disposition of X's alert: 4.03, nothing recorded by Y" \
    sh -c "grep -q 'code 4.03' '$T/claim5.out' &&
        [ \$(sqlite3 '$T/county.db' \"SELECT count(*) FROM dispositions WHERE identity='township:TB'\") = 0 ]"
check "gascounty still running" kill -0 "$PID_county"
finish
