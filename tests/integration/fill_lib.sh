# Shared set-up for the fill-line integration tests (sourced after lib.sh).
#
#   fill_setup LINES [EXTRA_RULES]   keys, signed codes, gassim, station.conf, gasgw
#   fill_ready LINES [FLOW [EXTRA_RULES]]  fill_setup, then every line flowing and idle
#   county_uplink [LINE...]           EXTRA_CONF: a [county] section for county_start's
#                                     county ($CPORT), this station's key, heartbeat_s = 5,
#                                     and each LINE ("batch = 50") after
#   gw_start / gw_stop / gw_kill9     start gasgw again (under $GW_WRAP, when set), stop it, kill -9 it
#   sim CMD...                        one gassim control command ("ok" expected)
#   ctl ARGS...                       gasctl on this station
#   lifectl ARGS...                   a life command (dispatch, receive, inspection,
#                                     scrap) by an operator who gives the PIN
#                                     $OP_PIN as the first line of
#                                     standard input; with CODE -, the test's own
#                                     standard input follows it (the codes)
#   code SERIAL                       the signed code of a registry cylinder
#   sql "SQL"                         a query on the station database
#   wait_state LINE STATE SECONDS     until gasctl status shows that state
#   event_ms LINE EVENT               wall ms of the last such gassim event
#   reset_line LINE                   take the cylinder off, put an empty one on
#   set_pin CERT [PIN]                 an administrator sets an operator's PIN ($OP_PIN)
#   login LINE [CERT [PIN]]            an operator logs in on a line (OP-7, $OP_PIN)
#   login_all                          OP-7 logs in on every line
#
# PREACT (or PREACT_n for line n) sets the initial pre-act of the lines;
# STATION_ID the station id (S1); STATION_DB the database ($T/station.db); EXTRA_CONF text appended to station.conf;
# RTU_SIM and RTU_GW (the two ends of a pty pair) put the bus on Modbus RTU
# at RTU_BAUD (115200) instead of TCP.
#
# Registry: C-GOOD-1..9 (fine), C-OVERDUE (inspection due 2025-03-02),
# C-OTHER (another company's), C-SCRAP (scrapped), C-OLD (made 2016, past 8
# years), C-UNREG (signed, but not in this station's registry).
# Operators: OP-7 (valid), OP-OLD (certificate expired 2020-01-01), both
# with the PIN $OP_PIN.  Operators prove who they are with a PIN and a
# restart of gasgw logs everybody out, so gw_start logs OP-7 in on every
# line once the PINs are set, as the start of a shift would (NO_LOGIN=1:
# nobody logs in).
# Buyers: $BUYER1..$BUYER5 valid resident IDs, $BUYER_BAD fails its check digit.

BUYER1=11010519491231002X
BUYER2=110105194912310038
BUYER3=110105194912310046
BUYER4=110105194912310062
BUYER5=110105194912310089
BUYER_BAD=110105194912310021
OP_PIN=2468-test
PINS_SET=

sim() {
	r=$(printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" 2>&1)
	case "$r" in *ok*) return 0 ;; esac
	echo "# sim $*: $r"
	return 1
}

ctl() { "$BUILD/gasctl" -s "$T/gw.sock" "$@"; }

lifectl() {
	case " $* " in
	*" - "*) { printf '%s\n' "$OP_PIN" && cat; } | ctl "$@" ;;
	*) printf '%s\n' "$OP_PIN" | ctl "$@" ;;
	esac
}

code() { grep "^$1," "$T/minted/codes.csv" | sed 's/^[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,//'; }

sql() { sqlite3 -cmd ".timeout 5000" "${STATION_DB:-$T/station.db}" "$1"; }

state_of() { ctl status --json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print([l['state'] for l in d['lines'] if l['line']==$1][0])"; }

wait_state() {
	wait_for "$3" sh -c "[ \"\$(\"$BUILD/gasctl\" -s \"$T/gw.sock\" status --json | /usr/bin/python3 -c \"import json,sys; d=json.load(sys.stdin); print([l['state'] for l in d['lines'] if l['line']==$1][0])\")\" = \"$2\" ]"
}

event_ms() { awk -v l="$1" -v e="$2" '$2 == l && $3 == e { t = $1 } END { if (t == "") t = 0; print t }' "$T/events.log"; }

set_pin() {
	printf '%s\n' "${2:-$OP_PIN}" |
	    "$BUILD/gasctl" --db "${STATION_DB:-$T/station.db}" operators pin "$1" >/dev/null
}

login() { printf '%s\n' "${3:-$OP_PIN}" | ctl login "$1" "${2:-OP-7}"; }

login_all() {
	_line=1
	while [ "$_line" -le "$FILL_LINES" ]; do
		login "$_line" >/dev/null || { echo "# OP-7 could not log in on line $_line"; return 1; }
		_line=$((_line + 1))
	done
}

reset_line() { sim remove "$1" && sim place "$1" "${2:-15.3}" && sleep 0.8; }

# Fills watched at the valve, line 1 (gassim's events.log), as the valve tests
# make them: each with the next of five buyers (R11 counts three a household)
# and operator OP-7.
#   valve_fill SERIAL          its output in $T/f.out, its exit status in $rc
#   valve_opens                how often line 1's valve has opened
#   valve_refused WHAT SERIAL ERE   a check: the fill exits 3 with an R04 line
#                              matching ERE (grep -E), the valve shut
#   valve_fills WHAT SERIAL    a check: the fill exits 0, the valve opened
valve_n=0
valve_fill() {
	valve_n=$((valve_n + 1))
	_b=$(echo "$BUYER1 $BUYER2 $BUYER3 $BUYER4 $BUYER5" | cut -d' ' -f$(((valve_n - 1) % 5 + 1)))
	ctl fill 1 --cylinder "$(code "$1")" --buyer "$_b" --operator OP-7 >"$T/f.out" 2>&1
	rc=$?
}
valve_opens() { grep -c '^[0-9]* 1 valve_opened' "$T/events.log"; }
valve_refused() {
	_before=$(valve_opens)
	valve_fill "$2"
	check "$1 (exit $rc: $(tr '\n' ' ' <"$T/f.out"))" \
	    all "[ $rc -eq 3 ]" "grep -Eq '^R04 $3\$' '$T/f.out'" "[ \"\$(valve_opens)\" = '$_before' ]"
	reset_line 1
}
valve_fills() {
	_before=$(valve_opens)
	valve_fill "$2"
	check "$1 (exit $rc: $(tr '\n' ' ' <"$T/f.out"))" \
	    all "[ $rc -eq 0 ]" "grep -q '^ok' '$T/f.out'" "[ \"\$(valve_opens)\" -gt '$_before' ]"
	reset_line 1
}

gw_start() {
	# GW_WRAP: a command gasgw runs under (env LD_PRELOAD=... for a test shim)
	# shellcheck disable=SC2086
	spawn gasgw ${GW_WRAP:-} "$BUILD/gasgw" -f -v -c "$T/station.conf"
	wait_for 10 test -S "$T/gw.sock" || { echo "# gasgw did not start"; cat "$T/gasgw.log"; return 1; }
	wait_for 10 sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status | grep -q ' up '" || return 1
	if [ -n "$PINS_SET" ] && [ -z "${NO_LOGIN:-}" ]; then
		login_all
	fi
	return 0
}

gw_stop() {
	kill "$PID_gasgw" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $PID_gasgw 2>/dev/null"
	rm -f "$T/gw.sock"
}

# gw_with_clock SPEC: gasgw again, its wall clock as GAS_TEST_CLOCK=SPEC says
# (tests/shim/wallclock.c: -SECONDS, +SECONDS or @SECONDS; "": the real one)
gw_with_clock() {
	gw_stop
	if [ -n "$1" ]; then
		GW_WRAP="env LD_PRELOAD=$BUILD/tests/wallclock.so GAS_TEST_CLOCK=$1" gw_start
	else
		gw_start
	fi
}

# gw_join_county: gasgw again, now with an uplink to the test's gascounty
# (county_lib.sh's CPORT, station S1's key), heartbeats and registry pulls
# every 5 s
gw_join_county() {
	gw_stop
	cat >>"$T/station.conf" <<EOF
[county]
host = 127.0.0.1
port = $CPORT
psk_file = $T/station_S1.key
heartbeat_s = 5
registry_pull_s = 5
EOF
	gw_start
}

# gw_relink_after_outage: after county_stop, the county up again before a
# new gasgw (and so a new uplink process, which reports, pulls the registry,
# then sends, in that order), with no registry pull for an hour after that
# first one, so that the station keeps the row that pull brought
gw_relink_after_outage() {
	gw_stop
	sed -i 's/^registry_pull_s = 5$/registry_pull_s = 3600/' "$T/station.conf"
	county_start "$CPORT" || return 1
	gw_start || return 1
	reset_line 1
}

gw_kill9() {
	kill -9 "$PID_gasgw" 2>/dev/null
	wait_for 5 sh -c "! kill -0 $PID_gasgw 2>/dev/null"
	rm -f "$T/gw.sock"
}

# fill_setup LINES [RULES_TEXT [LINE_KEYS_TEXT]]
county_uplink() {
	EXTRA_CONF="[county]
host = 127.0.0.1
port = $CPORT
psk_file = $T/station_${STATION_ID:-S1}.key
heartbeat_s = 5"
	for _line in "$@"; do
		EXTRA_CONF="$EXTRA_CONF
$_line"
	done
}

fill_setup() {
	lines=$1
	FILL_LINES=$lines
	mkdir -p "$T/minted"
	"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null || return 1
	cat >"$T/registry.csv" <<-EOF
	serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
	C-GOOD-1,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-2,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-3,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-4,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-5,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-6,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-7,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-8,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-GOOD-9,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-OVERDUE,YSP35.5,2020-01,15.2,14.9,Longyou Gas,2021-03-02,active
	C-OTHER,YSP35.5,2024-01,15.2,14.9,Quzhou Other Gas,2024-06-01,active
	C-SCRAP,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,scrapped
	C-OLD,YSP35.5,2016-01,15.2,14.9,Longyou Gas,2024-06-01,active
	C-UNREG,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active
	EOF
	"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 \
	    --csv "$T/registry.csv" --out "$T/minted" --no-labels >/dev/null || return 1
	SIM_PORT=$(free_port)
	if [ -n "${RTU_SIM:-}" ]; then
		sim_bus="--rtu $RTU_SIM --baud ${RTU_BAUD:-115200}"
	else
		sim_bus="--tcp 127.0.0.1:$SIM_PORT"
	fi
	# shellcheck disable=SC2086
	spawn gassim "$BUILD/gassim" --lines "$lines" $sim_bus \
	    --profiles "$PWD_TOP/drivers/profiles" --control "$T/sim.sock" \
	    --events "$T/events.log" ${SIM_ARGS:-}
	wait_for 10 test -S "$T/sim.sock" || { echo "# gassim did not start"; cat "$T/gassim.log"; return 1; }
	{
		cat <<-EOF
		[station]
		id = ${STATION_ID:-S1}
		company = Longyou Gas
		township = 330825101
		county = 330825
		database = ${STATION_DB:-$T/station.db}
		control_socket = $T/gw.sock
		profiles = $PWD_TOP/drivers/profiles
		code_public_key = $T/keys/county.pub
		buyer_key = $T/keys/buyer.key
		heartbeat_ms = 200
		watchdog_ms = ${WATCHDOG_MS:-1000}
		[rules]
		${2:-}
		EOF
		if [ -n "${RTU_SIM:-}" ]; then
			printf '[bus a]\ntype = rtu\ndevice = %s\nbaud = %s\nparity = even\n' \
			    "$RTU_GW" "${RTU_BAUD:-115200}"
		else
			printf '[bus a]\ntype = tcp\nhost = 127.0.0.1\nport = %s\n' "$SIM_PORT"
		fi
		printf 'response_timeout_ms = 200\n'
		i=1
		while [ "$i" -le "$lines" ]; do
			eval "pa=\${PREACT_$i:-\${PREACT:-0.1}}"
			printf '[line %d]\nbus = a\nscale_unit = %d\nvalve_unit = %d\npreact_kg = %s\n%s\n' \
			    "$i" $((2 * i - 1)) $((2 * i)) "$pa" "${3:-}"
			i=$((i + 1))
		done
		printf '%s\n' "${EXTRA_CONF:-}"
	} >"$T/station.conf"
	gw_start || return 1
	sql "INSERT INTO operators VALUES ('OP-7', 'Wang Wei', '2099-01-01', 1, 0);
	     INSERT INTO operators VALUES ('OP-OLD', 'Li Na', '2020-01-01', 1, 0);
	     WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 9)
	     INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner,
	       last_inspection, status, updated_ms)
	     SELECT 'C-GOOD-' || v, 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Longyou Gas',
	       '2024-06-01', 'active', 0 FROM n;" || return 1
	sql "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner,
	       last_inspection, status, updated_ms) VALUES
	     ('C-OVERDUE', 'YSP35.5', '2020-01-01', 15.2, 14.9, 'Longyou Gas', '2021-03-02', 'active', 0),
	     ('C-OTHER', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Quzhou Other Gas', '2024-06-01', 'active', 0),
	     ('C-SCRAP', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Longyou Gas', '2024-06-01', 'scrapped', 0),
	     ('C-OLD', 'YSP35.5', '2016-01-01', 15.2, 14.9, 'Longyou Gas', '2024-06-01', 'active', 0);" ||
	    return 1
	set_pin OP-7 && set_pin OP-OLD || return 1
	PINS_SET=1
	[ -n "${NO_LOGIN:-}" ] || login_all
}

# fill_ready LINES [FLOW [RULES_TEXT]]: the station of fill_setup LINES
# RULES_TEXT with every line ready for a fill: LPG flowing at FLOW kg/s
# (2.5), an empty cylinder (15.3 kg) on the scale and the line idle.  A step
# that fails fails the test, saying which, and ends it.
fill_ready() {
	fill_setup "$1" "${3:-}" || { fail "set-up: gassim, gasgw and the station's database"; finish; }
	_ready=1
	while [ "$_ready" -le "$1" ]; do
		if ! { sim flow "$_ready" "${2:-2.5}" && sim place "$_ready" 15.3; }; then
			fail "set-up: line $_ready flowing at ${2:-2.5} kg/s with a cylinder on"
			finish
		fi
		if ! wait_state "$_ready" idle 5; then
			_state=$(state_of "$_ready" 2>"$T/ready.err") || _state="not known: $(head -n 1 "$T/ready.err")"
			fail "set-up: line $_ready idle within 5 s (it is $_state)"
			finish
		fi
		_ready=$((_ready + 1))
	done
}

PWD_TOP=$(cd "$(dirname "$0")/../.." && pwd)
