#!/bin/sh
# make demo: a county in miniature on loopback, start to finish in about a
# minute and a half.
#
#   gascounty (CoAP/DTLS-PSK) <- gasgw (4 fill lines) <- gassim (Modbus TCP)
#   gaswatch for two townships, gastrace for the regulator
#   gasweb, the web console (DEMO_HOLD=1 keeps it up until Enter)
#
# It makes county keys, mints signed codes and QR labels for a small
# registry, imports it at the station, plays a scripted shift (good fills on
# several lines at once, an overdue cylinder, a forged code, a buyer taking a
# fourth cylinder in 30 days, a valve that closes late), shows the township
# alerts arriving and a regulator's trace, one cylinder's life (dispatched,
# handed over, returned, received) and a black point (the same cylinder at a
# door again with no licensed fill: a C07 case for the household's
# township), draws the fill curves, checks the story came out as it should,
# and stops every process it started.
#
# Everything it leaves is under DEMO_OUT (default ./demo-out).
set -u
: "${BUILD:?BUILD must name the build folder}"
top=$(cd "$(dirname "$0")/.." && pwd)
OUT=${DEMO_OUT:-$top/demo-out}
rm -rf "$OUT"
mkdir -p "$OUT/labels" "$OUT/curves" "$OUT/run"
R="$OUT/run"
PIDS=""
START=$(date +%s.%N)
PROBLEMS=0
export GAS_LOCALEDIR="$BUILD/locale"
export GAS_PROFILES="$top/drivers/profiles"

# --- presentation --------------------------------------------------------
if [ -t 1 ]; then
	B=$(printf '\033[1m'); G=$(printf '\033[32m'); Y=$(printf '\033[33m')
	RED=$(printf '\033[31m'); C=$(printf '\033[36m'); N=$(printf '\033[0m')
else
	B=""; G=""; Y=""; RED=""; C=""; N=""
fi
elapsed() { awk -v s="$START" -v n="$(date +%s.%N)" 'BEGIN { printf "%5.1fs", n - s }'; }
step() { printf '\n%s[%s] %s%s\n' "$B" "$(elapsed)" "$*" "$N"; }
say() { printf '         %s\n' "$*"; }
good() { printf '         %s✔ %s%s\n' "$G" "$*" "$N"; }
bad() { printf '         %s✘ %s%s\n' "$RED" "$*" "$N"; PROBLEMS=$((PROBLEMS + 1)); }
expect() { what=$1; shift; if "$@"; then good "$what"; else bad "$what"; fi; }

stop_all() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

spawn() { # NAME CMD...: run in the background, log to $R/NAME.log
	name=$1; shift
	"$@" > "$R/$name.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
}

wait_for() { # SECONDS CMD...
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	until "$@" > /dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

free_port() {
	/usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}

hexkey() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }

sim() { printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$R/sim.sock" > /dev/null 2>&1; }
ctl() { "$BUILD/gasctl" -c "$R/station.conf" "$@"; }
code_of() { awk -F, -v s="$1" '$1 == s { print $NF }' "$R/minted/codes.csv"; }
trace() { "$BUILD/gastrace" -u regulator:county-office -k "$R/regulator.psk" -p "$COUNTY_PORT" "$@"; }

# --- 1. county keys, registry, signed codes ---------------------------------
step "County office: signing keys, registry of 12 cylinders, signed codes and QR labels"
"$BUILD/gaslabel" keygen --out "$R/keys" --buyer-key > /dev/null || exit 1
say "county key pair (Ed25519) and buyer key in $R/keys"
cat > "$R/registry.csv" <<EOF
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
LY-0001,YSP35.5,2023-03,15.2,14.9,Longyou Gas Co.,2024-05-10,active
LY-0002,YSP35.5,2023-03,15.2,14.9,Longyou Gas Co.,2024-05-10,active
LY-0003,YSP35.5,2023-04,15.2,14.9,Longyou Gas Co.,2024-05-10,active
LY-0004,YSP35.5,2023-04,15.2,14.9,Longyou Gas Co.,2024-05-10,active
LY-0005,YSP35.5,2023-05,15.2,14.9,Longyou Gas Co.,2024-05-10,active
LY-0006,YSP35.5,2023-05,15.2,14.9,Longyou Gas Co.,2024-05-10,active
LY-0007,YSP35.5,2019-08,15.2,14.9,Longyou Gas Co.,2021-03-02,active
LY-0008,YSP35.5,2019-09,15.2,14.9,Longyou Gas Co.,2020-11-20,active
LY-0009,YSP35.5,2018-01,15.2,14.9,Longyou Gas Co.,2022-01-15,scrapped
LY-0010,YSP35.5,2023-06,15.2,14.9,Quzhou Other Gas,2024-05-10,active
LY-0011,YSP35.5,2023-06,15.2,14.9,Longyou Gas Co.,2024-05-10,active
LY-0012,YSP35.5,2023-06,15.2,14.9,Longyou Gas Co.,2024-05-10,active
EOF
"$BUILD/gaslabel" mint --key "$R/keys/county.key" --county 330825 --csv "$R/registry.csv" \
    --out "$R/minted" > "$R/mint.log" 2>&1 || { cat "$R/mint.log"; exit 1; }
cp "$R"/minted/labels/*.png "$OUT/labels/"
say "$(ls "$OUT/labels" | wc -l) labels in $OUT/labels (LY-0007/8 overdue, LY-0009 scrapped, LY-0010 another company's)"
say "LY-0001: $(code_of LY-0001 | cut -c1-40)..."

# --- 2. the county server -------------------------------------------------
step "County server: gascounty on CoAP/DTLS-PSK, one identity per station, township and regulator"
COUNTY_PORT=$(free_port udp)
for who in station regulator township101 township102 officer101 grid101 delivery101; do
	hexkey > "$R/$who.psk"
	chmod 600 "$R/$who.psk"
done
cat > "$R/identities" <<EOF
# identity key
station:LY01 $(cat "$R/station.psk")
township:330825101 $(cat "$R/township101.psk")
township:330825102 $(cat "$R/township102.psk")
regulator:county-office $(cat "$R/regulator.psk")
officer:zhang@330825101 $(cat "$R/officer101.psk")
grid:chen@330825101 $(cat "$R/grid101.psk")
delivery:li@330825101 $(cat "$R/delivery101.psk")
EOF
chmod 600 "$R/identities"
cat > "$R/villages.csv" <<EOF
village,township
城关村,330825101
石门村,330825102
EOF
cat > "$R/county.conf" <<EOF
[county]
listen = 127.0.0.1
port = $COUNTY_PORT
database = $R/county.db
identities = $R/identities
check_s = 5
catalogue = $top/etc/catalogue.csv
villages = $R/villages.csv
# a cylinder code in a grid worker's report is checked and read to its serial
code_key = $R/keys/county.pub
# the demo's day is a minute: a hand-over with no licensed fill is judged at
# once, not after two hours (C07, docs/county.md)
c07_grace_min = 0
EOF
spawn gascounty "$BUILD/gascounty" -f -c "$R/county.conf"
wait_for 10 grep -q "listening\|ready\|serving" "$R/gascounty.log" || sleep 1
kill -0 "$PID_gascounty" 2>/dev/null || { cat "$R/gascounty.log"; exit 1; }
say "listening on udp 127.0.0.1:$COUNTY_PORT (identities: station:LY01, township:330825101, township:330825102, regulator:county-office,"
say "officer:zhang@330825101, grid:chen@330825101; catalogue etc/catalogue.csv)"

# --- 3. the station -------------------------------------------------------
step "Station LY01 (township 330825101): gassim with 4 fill lines, gasgw, registry import"
SIM_PORT=$(free_port tcp)
spawn gassim "$BUILD/gassim" --lines 4 --tcp "127.0.0.1:$SIM_PORT" --flow 1.2 \
    --control "$R/sim.sock" --events "$R/sim-events.log"
wait_for 10 test -S "$R/sim.sock" || { cat "$R/gassim.log"; exit 1; }
cat > "$R/station.conf" <<EOF
[station]
id = LY01
company = Longyou Gas Co.
township = 330825101
county = 330825
database = $R/station.db
control_socket = $R/gasgw.sock
profiles = $top/drivers/profiles
code_public_key = $R/keys/county.pub
buyer_key = $R/keys/buyer.key
[county]
host = 127.0.0.1
port = $COUNTY_PORT
psk_file = $R/station.psk
heartbeat_s = 5
registry_pull_s = 5
[bus plant]
type = tcp
host = 127.0.0.1
port = $SIM_PORT
[line 1]
bus = plant
scale_unit = 1
valve_unit = 2
[line 2]
bus = plant
scale_unit = 3
valve_unit = 4
[line 3]
bus = plant
scale_unit = 5
valve_unit = 6
[line 4]
bus = plant
scale_unit = 7
valve_unit = 8
EOF
"$BUILD/gasgw" -n -c "$R/station.conf" > /dev/null || exit 1
ctl registry import "$R/minted/codes.csv" --pub "$R/keys/county.pub" > "$R/import.log" 2>&1 ||
    { cat "$R/import.log"; exit 1; }
say "$(tail -n 1 "$R/import.log")"
ctl operators add ZJ-OP-0188 --name "Wang Wei" --expires 2029-06-30 > /dev/null || exit 1
# The administrator sets Wang Wei's PIN (read from stdin: never on the
# command line); only its Argon2id hash is stored.
DEMO_PIN=5821-demo
printf '%s\n' "$DEMO_PIN" | ctl operators pin ZJ-OP-0188 > /dev/null || exit 1
say "operator ZJ-OP-0188 (Wang Wei), certificate valid to 2029-06-30, PIN set"
# Real-name buyers: the numbers are hashed at once; only masked forms remain.
BUYER_A=330825198804120010
BUYER_B=330825197611230024
BUYER_C=91330825MA2K7TQX1G
ctl buyers add "$BUYER_A" --township 330825102 --address "Zhanjia village" > "$R/buyer-a.log" || exit 1
ctl buyers add "$BUYER_B" --township 330825101 --address "Longzhou street" > /dev/null || exit 1
ctl buyers add "$BUYER_C" --township 330825101 --address "Longyou food market" --business \
    > /dev/null 2>&1 || ctl buyers add "$BUYER_C" --township 330825101 > /dev/null || exit 1
say "buyers: household A (township 330825102), household B, restaurant C (business)"
spawn gasgw "$BUILD/gasgw" -f -c "$R/station.conf"
wait_for 10 test -S "$R/gasgw.sock" || { cat "$R/gasgw.log"; exit 1; }
wait_for 10 sh -c "\"$BUILD/gasctl\" -c \"$R/station.conf\" status | grep -q ' up '" || true
say "gasgw up: every valve commanded closed at start, watchdog fed, uplink to the county"
for l in 1 2 3 4; do
	printf '%s\n' "$DEMO_PIN" | ctl login "$l" ZJ-OP-0188 > /dev/null || exit 1
done
say "Wang Wei logs in on lines 1-4 with his PIN: his shift begins"

# --- 4. the township officers ---------------------------------------------
step "Township officers start gaswatch (330825101: the station's; 330825102: buyer A's home)"
spawn watch101 "$BUILD/gaswatch" --township 330825101 -k "$R/township101.psk" -p "$COUNTY_PORT"
spawn watch102 "$BUILD/gaswatch" --township 330825102 -k "$R/township102.psk" -p "$COUNTY_PORT"
SEEN101=0
SEEN102=0
show_alerts() { # print alert lines that arrived since last time
	for t in 101 102; do
		eval "seen=\$SEEN$t"
		n=$(grep -c 'R[0-9][0-9]\|C0[0-9]' "$R/watch$t.log" 2>/dev/null)
		n=${n:-0}
		if [ "$n" -gt "$seen" ]; then
			grep 'R[0-9][0-9]\|C0[0-9]' "$R/watch$t.log" | sed -n "$((seen + 1)),${n}p" |
			    while IFS= read -r l; do printf '         %s[township 330825%s] %s%s\n' "$C" "$t" "$l" "$N"; done
			eval "SEEN$t=$n"
		fi
	done
}

# --- 5. the shift ------------------------------------------------------------
place() { sim place "$1" 15.2; }
fill_bg() { # LINE SERIAL BUYER NAME
	code=$(code_of "$2")
	printf '%s\n' "$3" | "$BUILD/gasctl" -c "$R/station.conf" fill "$1" --cylinder "$code" \
	    --buyer - --operator ZJ-OP-0188 > "$R/fill-$4.log" 2>&1 &
	eval "FILLPID_$4=$!"
}
watch_lines() { # until the named background fills end, show the lines every 2 s
	while :; do
		running=0
		for n in "$@"; do eval "p=\$FILLPID_$n"; kill -0 "$p" 2>/dev/null && running=1; done
		[ "$running" -eq 0 ] && break
		"$BUILD/gasctl" -c "$R/station.conf" status --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
parts = []
for l in d["lines"]:
    if l["state"] in ("idle",):
        continue
    net = l.get("net")
    parts.append("line %d %s %s" % (l["line"], l["state"], "" if net is None else "%.2f/%.2f kg" % (net, l.get("target") or 0)))
print("         " + (" | ".join(parts) if parts else "lines idle"))
' 2>/dev/null
		show_alerts
		sleep 2
	done
}
result_of() { tail -n 3 "$R/fill-$1.log" | tr '\n' ' '; }

step "Shift, round 1: three good fills at once (lines 1-3, buyer A) and one on line 4 (restaurant C)"
for l in 1 2 3 4; do place "$l"; done
sleep 1
fill_bg 1 LY-0001 "$BUYER_A" a1
fill_bg 2 LY-0002 "$BUYER_A" a2
fill_bg 3 LY-0003 "$BUYER_A" a3
fill_bg 4 LY-0004 "$BUYER_C" c1
watch_lines a1 a2 a3 c1
for n in a1 a2 a3 c1; do
	eval "p=\$FILLPID_$n"
	if wait "$p"; then good "fill $n: $(result_of $n)"; else bad "fill $n: $(result_of $n)"; fi
done

step "An overdue cylinder (LY-0007, last inspected 2021-03-02) on line 1: refused"
sim remove 1; place 1; sleep 0.8
printf '%s\n' "$BUYER_B" | ctl fill 1 --cylinder "$(code_of LY-0007)" --buyer - \
    --operator ZJ-OP-0188 > "$R/fill-overdue.log" 2>&1
rc=$?
say "$(grep -m1 'R05' "$R/fill-overdue.log" || tail -n 1 "$R/fill-overdue.log")"
expect "refused with exit status 3 and rule R05" sh -c "[ $rc -eq 3 ] && grep -q R05 '$R/fill-overdue.log'"

step "A forged code on line 2 (one character of LY-0005's code changed): refused"
good_code=$(code_of LY-0005)
forged=$(printf '%s' "$good_code" | /usr/bin/python3 -c '
import sys
c = sys.stdin.read()
i = len(c) // 2
alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
print(c[:i] + alphabet[(alphabet.index(c[i]) + 7) % 45] + c[i + 1:])')
sim remove 2; place 2; sleep 0.8
printf '%s\n' "$BUYER_B" | ctl fill 2 --cylinder "$forged" --buyer - --operator ZJ-OP-0188 \
    > "$R/fill-forged.log" 2>&1
rc=$?
say "$(grep -m1 'R01' "$R/fill-forged.log" || tail -n 1 "$R/fill-forged.log")"
expect "refused with exit status 3 and rule R01" sh -c "[ $rc -eq 3 ] && grep -q R01 '$R/fill-forged.log'"

step "Round 2: buyer A takes a fourth cylinder in 30 days (line 3), and line 4's valve closes late"
sim remove 3; place 3
sim remove 4; place 4
sim close-delay 4 2500
sleep 1
fill_bg 3 LY-0006 "$BUYER_A" a4
fill_bg 4 LY-0011 "$BUYER_B" late
watch_lines a4 late
wait "$FILLPID_a4"; say "fill a4: $(result_of a4)"
expect "buyer A's fourth cylinder flagged R11 (hoarding)" grep -q R11 "$R/fill-a4.log"
wait "$FILLPID_late"; say "fill late: $(result_of late)"
expect "late valve: overfill R20, cylinder held" grep -q R20 "$R/fill-late.log"
expect "late valve: weight rose after the close command, R23 critical alert" grep -q R23 "$R/fill-late.log"
sim close-delay 4 150

# --- 6. what the county and the townships saw -----------------------------
step "Uplink: every record reaches the county, exactly once"
local_records=$(sqlite3 -cmd ".timeout 5000" "$R/station.db" \
    "SELECT (SELECT count(*) FROM fills WHERE result != 'filling') + (SELECT count(DISTINCT event) FROM violations WHERE fill IS NULL)")
wait_for 30 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$R/station.db' 'SELECT count(*) FROM outbox')\" = 0 ]"
expect "station outbox drained (the county acknowledged every record after its commit)" \
    sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$R/station.db' 'SELECT count(*) FROM outbox')\" = 0 ]"
say "station recorded $local_records fills and refusals"
trace station LY01 > "$R/trace-station.txt" 2>&1
sed -n '1,12p' "$R/trace-station.txt" | sed 's/^/         /'

step "Township alerts (each officer sees only their own township)"
wait_for 20 grep -q R11 "$R/watch102.log"
sleep 1
show_alerts
expect "township 330825102 got buyer A's hoarding alert (R11)" grep -q R11 "$R/watch102.log"
expect "township 330825102 did not get the station's R05" sh -c "! grep -q R05 '$R/watch102.log'"
expect "township 330825101 got the overdue refusal (R05)" grep -q R05 "$R/watch101.log"
expect "township 330825101 got the forged code (R01)" grep -q R01 "$R/watch101.log"
expect "township 330825101 got the overfill (R20)" grep -q R20 "$R/watch101.log"
alert_id=$("$BUILD/gaswatch" --township 330825101 -k "$R/township101.psk" -p "$COUNTY_PORT" \
    --once --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    a = json.loads(line)
    if a.get("rule") == "R20":
        print(a["id"]); break' 2>/dev/null)
if [ -n "$alert_id" ]; then
	"$BUILD/gaswatch" --township 330825101 -k "$R/township101.psk" -p "$COUNTY_PORT" \
	    ack "$alert_id" --note "Visited LY01; cylinder LY-0011 decanted to 14.9 kg" > "$R/ack.log" 2>&1
	expect "officer recorded a disposition for the overfill alert #$alert_id" [ $? -eq 0 ]
fi

step "Regulator: the whole history of cylinder LY-0001"
trace cylinder LY-0001 > "$R/trace-LY-0001.txt" 2>&1
sed 's/^/         /' "$R/trace-LY-0001.txt" | head -n 20
expect "trace shows the fill at LY01, buyer masked" sh -c "grep -q LY01 '$R/trace-LY-0001.txt' && grep -q '330\*' '$R/trace-LY-0001.txt'"
late_fill=$(sqlite3 -cmd ".timeout 5000" "$R/station.db" "SELECT uuid FROM fills WHERE cylinder = 'LY-0011'")
trace curve "$late_fill" --out "$OUT/curves/county-LY-0011.png" > /dev/null 2>&1
expect "regulator draws the overfilled fill's curve from the county's copy ($OUT/curves/county-LY-0011.png)" \
    test -s "$OUT/curves/county-LY-0011.png"

# --- 6a. one cylinder's life: dispatched, handed over, returned, received ------
step "LY-0001's life: out on the delivery truck, handed over at a door, back empty"
DELIVERY=delivery:li@330825101
deliver() {
	"$BUILD/gasdeliver" -u "$DELIVERY" -d "$R/delivery-li.db" -k "$R/delivery101.psk" \
	    -p "$COUNTY_PORT" --code-key "$R/keys/county.pub" --buyer-key "$R/keys/buyer.key" "$@"
}
# Wang Wei gives his PIN for every life event, as at a login (first line of stdin here)
printf '%s\n' "$DEMO_PIN" |
    ctl dispatch "$DELIVERY" "$(code_of LY-0001)" --operator ZJ-OP-0188 > "$R/dispatch.log" 2>&1
say "$(head -n 1 "$R/dispatch.log") (gasctl dispatch, scanned as the truck is loaded, with his PIN)"
printf '%s\n' "$BUYER_B" | deliver --offline handover "$(code_of LY-0001)" --buyer-id - \
    --village "城关村 12号" > "$R/handover.log" 2>&1
say "Li's phone, no signal in the lane: $(head -n 1 "$R/handover.log" | cut -d'(' -f1-3)"
printf '%s\n' "$BUYER_B" | deliver --offline return "$(code_of LY-0001)" --from-buyer - \
    --village "城关村 12号" > "$R/return.log" 2>&1
say "$(deliver status 2>&1) (kept on the phone)"
deliver sync > "$R/sync.log" 2>&1
synced=$?
# (gasdeliver speaks the person's language: what the county stored is the check)
expect "back in signal, the phone sends both: $(head -n 1 "$R/sync.log")" \
    sh -c "[ $synced -eq 0 ] && [ \"\$(sqlite3 -cmd '.timeout 5000' '$R/county.db' \"SELECT count(*) FROM life_events WHERE source = '$DELIVERY' AND serial = 'LY-0001' AND event IN ('handed_over', 'returned')\")\" = 2 ]"
printf '%s\n' "$DEMO_PIN" |
    ctl receive "$(code_of LY-0001)" --from "$DELIVERY" --operator ZJ-OP-0188 > "$R/receive.log" 2>&1
say "$(head -n 1 "$R/receive.log") back at LY01 (gasctl receive)"
wait_for 20 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$R/county.db' \"SELECT count(*) FROM life_events WHERE serial = 'LY-0001'\")\" = 4 ]" || true
trace cylinder LY-0001 > "$R/life-LY-0001.txt" 2>&1
grep -E ' (fill|life) ' "$R/life-LY-0001.txt" | cut -c1-160 | sed 's/^/         /'
grep '^now:' "$R/life-LY-0001.txt" | sed 's/^/         /'
expect "the county holds each step once: filled, dispatched, handed over, returned, received" \
    [ "$(sqlite3 -cmd '.timeout 5000' "$R/county.db" "SELECT group_concat(event, ' ') FROM (SELECT event FROM life_events WHERE serial = 'LY-0001' ORDER BY at_ms, id)")" = \
      "dispatched handed_over returned received" ]

# --- 6a'. a black point: handed over again with no licensed fill since ------------
person() { # IDENTITY KEYFILE ARGS...
	_who=$1; _key=$2; shift 2
	"$BUILD/gaswatch" --as "$_who" -k "$_key" -p "$COUNTY_PORT" "$@"
}
step "A black point (黑气点): LY-0001 is at a door again, never refilled at a licensed station"
BUYER_D=330825199003150011
printf '%s\n' "$BUYER_D" | deliver handover "$(code_of LY-0001)" --buyer-id - \
    --village "石门村 5号" --township 330825102 > "$R/blackpoint.log" 2>&1
say "Li's phone: $(head -n 1 "$R/blackpoint.log" | cut -d'(' -f1-3)"
say "(LY-0001 came back empty to LY01 and left no fill there: it was filled somewhere unlicensed)"
wait_for 20 sh -c "[ -n \"\$(sqlite3 -cmd '.timeout 5000' '$R/county.db' \"SELECT id FROM cases WHERE kind = 'C07'\")\" ]"
c07=$(sqlite3 -cmd ".timeout 5000" "$R/county.db" \
    "SELECT id || ' ' || township || ' ' || cylinder FROM cases WHERE kind = 'C07'")
expect "the county opened one C07 case, for LY-0001, in the household's township 330825102: $c07" \
    [ "$(echo "$c07" | cut -d' ' -f2-)" = "330825102 LY-0001" ]
person regulator:county-office "$R/regulator.psk" show "${c07%% *}" 2>&1 | head -n 8 | sed 's/^/         /'

# --- 6b. a case from alert to closure, and a grid worker's report ------------
zhang() { person officer:zhang@330825101 "$R/officer101.psk" "$@"; }
step "A case, alert to closure: officer Zhang (330825101) handles the overfill"
wait_for 20 sh -c "[ -n \"\$(sqlite3 -cmd '.timeout 5000' '$R/county.db' \"SELECT id FROM cases WHERE kind = 'R20'\")\" ]"
case_id=$(sqlite3 -cmd ".timeout 5000" "$R/county.db" "SELECT id FROM cases WHERE kind = 'R20' LIMIT 1")
zhang list | sed 's/^/         /'
if [ -n "$case_id" ] &&
    zhang accept "$case_id" > "$R/case.log" 2>&1 &&
    zhang step "$case_id" onsite --note "到站检查：LY-0011 已扣留并倒出至 14.9 kg" \
        --photo "$OUT/curves/county-LY-0011.png" >> "$R/case.log" 2>&1 &&
    zhang decide "$case_id" --outcome fine --power P05 --fine 2000 --note "气瓶超量充装，罚款 2000 元" \
        >> "$R/case.log" 2>&1 &&
    zhang close "$case_id" --note "罚款已缴纳，阀门已检修" >> "$R/case.log" 2>&1; then
	good "case $case_id accepted, visited (the fill curve attached), fined 2000 yuan under P05, closed"
else
	bad "case of the overfill handled to closure ($(tail -n 1 "$R/case.log" 2>/dev/null))"
fi
say "the regulator reads the timeline:"
person regulator:county-office "$R/regulator.psk" show "$case_id" 2>&1 | sed 's/^/         /'
step "A grid worker's report: Chen finds stacked cylinders in 石门村 (township 330825102)"
person grid:chen@330825101 "$R/grid101.psk" report --kind 违规堆放气瓶 --village 石门村 \
    --note "石门村小卖部后院堆放约二十只液化气瓶" --lat 29.1234 --lon 120.5678 \
    --code "$(code_of LY-0002)" > "$R/report.log" 2>&1
say "$(cat "$R/report.log")"
expect "the report opened a case in 石门村's township 330825102, not the worker's own" \
    [ "$(sqlite3 -cmd '.timeout 5000' "$R/county.db" "SELECT township FROM cases WHERE village = '石门村'")" = 330825102 ]
expect "the label Chen scanned was checked with the county's key and names cylinder LY-0002" \
    [ "$(sqlite3 -cmd '.timeout 5000' "$R/county.db" "SELECT code_check || ' ' || cylinder FROM cases WHERE village = '石门村'")" = "signed LY-0002" ]
person regulator:county-office "$R/regulator.psk" figures 2>&1 | sed 's/^/         /'

# --- 7. fill curves ----------------------------------------------------------
step "Fill curves (evidence for weight disputes) in $OUT/curves"
sqlite3 -cmd ".timeout 5000" "$R/station.db" \
    "SELECT uuid || ' ' || line || ' ' || cylinder FROM fills WHERE result != 'filling' ORDER BY started_ms" |
while read -r uuid line serial; do
	f="$OUT/curves/line$line-$serial.png"
	if ctl plot "$uuid" --out "$f" > /dev/null 2>&1; then
		say "$f"
	else
		bad "could not draw fill $uuid"
	fi
done

# --- 7b. the county web console (docs/console.md) ------------------------
step "County web console: gasweb over HTTPS beside gascounty (map, traces, public check)"
WEB_PORT=$(free_port tcp)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj /CN=localhost -keyout "$R/web.key" -out "$R/web.crt" 2>/dev/null
chmod 600 "$R/web.key"
cat > "$R/web.conf" <<EOF
[web]
listen = 127.0.0.1
port = $WEB_PORT
certificate = $R/web.crt
key = $R/web.key
database = $R/county.db
passwords = $R/web-passwords
map = $top/etc/county-map.geojson
code_key = $R/keys/county.pub
buyer_key = $R/keys/buyer.key
county_name = 龙游县燃气瓶监管平台
# the case settings (catalogue, villages, limits, code key) are gascounty's own
county_config = $R/county.conf
EOF
# the county's own registry, so that the public check page knows the cylinders
"$BUILD/gascounty" -c "$R/county.conf" registry import "$R/registry.csv" > "$R/county-import.log" 2>&1 ||
    bad "county registry import: $(tail -n 1 "$R/county-import.log")"
printf 'officer-demo-1\n' | "$BUILD/gasweb" -c "$R/web.conf" passwd officer:zhang@330825101 > /dev/null
printf 'regulator-demo-1\n' | "$BUILD/gasweb" -c "$R/web.conf" passwd regulator:county-office > /dev/null
spawn gasweb "$BUILD/gasweb" -f -c "$R/web.conf"
if wait_for 10 grep -q "listening on" "$R/gasweb.log"; then
	say "https://127.0.0.1:$WEB_PORT/  (a certificate of its own: the browser asks once)"
	say "accounts: officer:zhang@330825101 / officer-demo-1 (the station's township),"
	say "          regulator:county-office / regulator-demo-1 (the whole county, traces)"
	say "public check of LY-0001: https://127.0.0.1:$WEB_PORT/c/<its code>"
	if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
		/usr/bin/python3 "$top/tools/console_shots.py" "https://127.0.0.1:$WEB_PORT" "$OUT" \
		    regulator:county-office regulator-demo-1 "$(code_of LY-0001)" > "$R/shots.log" 2>&1
		expect "console screenshots (phone and desk) in $OUT" \
		    test -s "$OUT/console-phone-map.png" -a -s "$OUT/console-desk-trace.png"
	fi
	if [ -n "${DEMO_HOLD:-}" ]; then
		printf '         the console stays up until you press Enter... '
		read -r _
	fi
else
	bad "gasweb did not start: $(tail -n 2 "$R/gasweb.log")"
fi

# --- 8. summary -------------------------------------------------------------
step "Summary"
fills=$(sqlite3 "$R/station.db" "SELECT count(*) FROM fills WHERE result != 'filling'")
refusals=$(sqlite3 "$R/station.db" "SELECT count(DISTINCT event) FROM violations WHERE fill IS NULL")
say "fills recorded: $fills; refusals: $refusals; rules fired: $(sqlite3 "$R/station.db" "SELECT group_concat(rule || 'x' || n, ' ') FROM (SELECT rule, count(*) n FROM violations GROUP BY rule)")"
say "alerts: township 330825101: $(grep -c 'R[0-9][0-9]\|C0[0-9]' "$R/watch101.log"), township 330825102: $(grep -c 'R[0-9][0-9]\|C0[0-9]' "$R/watch102.log")"
say "labels: $OUT/labels ($(ls "$OUT/labels" | wc -l) PNG); curves: $OUT/curves ($(ls "$OUT/curves" | wc -l) PNG)"
say "logs and databases: $R"
if "$BUILD/tests/idscan" "$R" "$OUT/labels" > "$R/privacy.txt" 2>&1; then
	good "no raw ID number in any database, log or output of the demo"
else
	bad "a raw ID number leaked: $(head -n 3 "$R/privacy.txt")"
fi
stop_all
PIDS=""
printf '\n%s[%s] demo finished: %s%s\n' "$B" "$(elapsed)" \
    "$([ "$PROBLEMS" -eq 0 ] && echo "${G}everything as expected" || echo "${RED}$PROBLEMS problem(s)")" "$N"
[ "$PROBLEMS" -eq 0 ]
