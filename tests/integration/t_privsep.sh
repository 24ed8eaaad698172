#!/bin/sh
# The valve side parses nothing from the network: gasgw's uplink is a
# process of its own that holds nothing of the station.  With gasgw, a fill
# line (gassim) and a real gascounty:
#   - the uplink process is gasgw's child, and (when the test runs as root,
#     as gasgw does when started by hand) runs as [county] uplink_user, with
#     no capability and no_new_privs, while gasgw stays root;
#   - it holds no descriptor of the station database, the control socket or
#     the Modbus connection, which gasgw does hold; its user cannot write the
#     station database;
#   - whatever arrives on its channel that is malformed (too short, from the
#     wrong side, oversized, text with a forged log line) or out of turn (an
#     ACK for no batch, claiming the county holds everything) is refused and
#     logged, the uplink process is replaced, no outbox row is lost, and
#     gasgw fills on; at the end the county holds every record once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/uplink_lib.sh"

PREACT=0.6
STATION_ID=S01
county_keys township:330825101 # the station's township (fill_lib)
county_start || { fail "gascounty starts"; finish; }
county_uplink "uplink_user = nobody"
fill_setup 1 "refill_min_minutes = 0
household_max = 1000" || { fail "set-up"; finish; }
gw_pid=$PID_gasgw
sim flow 1 8

connected() { ctl status | grep -q 'uplink: connected'; }
backlog() { sql "SELECT count(*) FROM outbox"; }
outbox_empty() { [ "$(backlog)" = 0 ]; }
status_field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
fill_once() {
	reset_line 1 >/dev/null 2>&1
	ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1 &&
	    grep -q '^ok' "$T/fill.out"
}

check "the uplink is up and connected to the county" wait_for 20 connected
up=$(uplink_pid)
check "the uplink process ($up) is gasgw's child" [ "$(status_field "$up" PPid)" = "$gw_pid" ]

# ---- who it runs as -----------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	nuid=$(id -u nobody)
	ngid=$(id -g nobody)
	check "gasgw runs as root here" [ "$(status_field "$gw_pid" Uid)" = "0 0 0 0" ]
	check "the uplink process runs as uplink_user (uid $nuid), every uid" \
	    [ "$(status_field "$up" Uid)" = "$nuid $nuid $nuid $nuid" ]
	check "... and its group alone, every gid" \
	    [ "$(status_field "$up" Gid)" = "$ngid $ngid $ngid $ngid" ]
	check "... with no supplementary group but its own" [ "$(status_field "$up" Groups)" = "$ngid" ]
	check "gasctl status names that user" [ "$(uplink user) $(uplink uid)" = "nobody $nuid" ]
else
	echo "# not root: gasgw cannot change the uplink's user, uid checks left out"
fi
for cap in CapEff CapPrm CapInh CapAmb; do
	check "the uplink process holds no capability ($cap)" \
	    [ "$(status_field "$up" "$cap")" = 0000000000000000 ]
done
check "the uplink process cannot gain privileges (no_new_privs)" [ "$(status_field "$up" NoNewPrivs)" = 1 ]

# The systemd unit's arrangement: gasgw as a plain user holding only
# CAP_SETUID and CAP_SETGID (AmbientCapabilities).  uplink_run starts the same
# uplink thread and process as gasgw does.
if [ "$(id -u)" = 0 ] && id daemon >/dev/null 2>&1; then
	# a folder of daemon's own, outside $T (whose parents daemon cannot enter)
	U=$(mktemp -d "${TMPDIR:-/tmp}/gasunit.XXXXXX")
	chown daemon:daemon "$U"
	install -o daemon -m 0600 "$T/station_S01.key" "$U/key"
	as_daemon() { setpriv --reuid=daemon --regid=daemon --init-groups "$@"; }
	setpriv --reuid=daemon --regid=daemon --init-groups --inh-caps=+setuid,+setgid \
	    --ambient-caps=+setuid,+setgid -- "$BUILD/tests/uplink_run" -d "$U/s.db" -p "$CPORT" -s S01 -k "$U/key" -w 4 \
	    >"$T/caps.log" 2>&1 &
	runner=$!
	child_of() { pgrep -P "$1" -f -- --uplink-process; }
	wait_for 10 child_of "$runner"
	child=$(child_of "$runner")
	check "with CAP_SETUID and CAP_SETGID, a plain user's gasgw starts its uplink as uplink_user" \
	    [ "$(status_field "$child" Uid)" = "$nuid $nuid $nuid $nuid" ]
	check "... which keeps none of those capabilities" \
	    [ "$(status_field "$child" CapPrm) $(status_field "$child" CapAmb)" = "0000000000000000 0000000000000000" ]
	wait "$runner"
	as_daemon --inh-caps=-all -- "$BUILD/tests/uplink_run" -d "$U/s.db" -p "$CPORT" -s S01 \
	    -k "$U/key" -w 1 >"$T/plain.log" 2>&1
	check "without them, the log says the uplink runs as gasgw's own user" \
	    grep -q "the uplink process runs as daemon, like gasgw" "$T/plain.log"
	rm -rf "$U"
fi

# gasgw -n checks uplink_user (at start-up a wrong one only keeps the uplink
# from starting: the lines fill on)
sed 's/^uplink_user = .*/uplink_user = no-such-user-x/' "$T/station.conf" >"$T/bad-user.conf"
"$BUILD/gasgw" -n -c "$T/bad-user.conf" >"$T/n.out" 2>&1
check "gasgw -n refuses an unknown uplink_user, naming the file, its line and the key" \
    sh -c "[ $? -eq 1 ] && grep -q \"bad-user.conf:[0-9][0-9]*: error: \\[county\\] uplink_user 'no-such-user-x': no such user\" '$T/n.out'"
sed 's/^uplink_user = .*/uplink_user = root/' "$T/station.conf" >"$T/root-user.conf"
"$BUILD/gasgw" -n -c "$T/root-user.conf" >"$T/n.out" 2>&1
check "gasgw -n refuses root as uplink_user" sh -c "[ $? -eq 1 ] && grep -q 'is root' '$T/n.out'"

# ---- what it holds ------------------------------------------------------------
fds_of() { # PID: the targets of its descriptors above 2
	for fd in /proc/"$1"/fd/*; do
		n=${fd##*/}
		[ "$n" -gt 2 ] && readlink "$fd"
	done
}
sockets_of() { fds_of "$1" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p'; }
tcp_inodes() { awk 'NR > 1 { print $10 }' /proc/net/tcp /proc/net/tcp6; }
control_inode() { awk -v p="$T/gw.sock" '$8 == p { print $7 }' /proc/net/unix; }
holds_tcp() { for i in $(sockets_of "$1"); do tcp_inodes | grep -qx "$i" && return 0; done; return 1; }
holds_control() { sockets_of "$1" | grep -qx "$(control_inode)"; }
fds_of "$up" >"$T/uplink.fds"
fds_of "$gw_pid" >"$T/gasgw.fds"
check "gasgw holds the station database (so the look below can see it)" grep -q 'station.db' "$T/gasgw.fds"
check "the uplink process holds no descriptor of the station database" \
    sh -c "! grep -q 'station.db' '$T/uplink.fds'"
check "gasgw holds the Modbus TCP connection" holds_tcp "$gw_pid"
if holds_tcp "$up"; then fail "the uplink process holds no TCP connection (no Modbus bus)"; else ok "the uplink process holds no TCP connection (no Modbus bus)"; fi
check "gasgw holds the control socket" holds_control "$gw_pid"
if holds_control "$up"; then fail "the uplink process does not hold the control socket"; else ok "the uplink process does not hold the control socket"; fi
check "the uplink process holds no file but its log: only sockets and the channel" \
    sh -c "! grep -v -e '^socket:' -e '^anon_inode:' '$T/uplink.fds'"
echo "# uplink descriptors: $(tr '\n' ' ' <"$T/uplink.fds")"

if [ "$(id -u)" = 0 ]; then
	before=$(sql "SELECT count(*) FROM fills")
	setpriv --reuid="$nuid" --regid="$ngid" --clear-groups -- \
	    sqlite3 "$T/station.db" "DELETE FROM fills; INSERT INTO outbox (uuid, kind, created_ms) VALUES ('x', 'event', 0)" \
	    >"$T/setpriv.out" 2>&1
	rc=$?
	check "the uplink's user cannot write the station database (sqlite3 as uid $nuid: exit $rc)" \
	    sh -c "[ $rc -ne 0 ] && [ \"\$(sqlite3 '$T/station.db' 'SELECT count(*) FROM fills')\" = $before ]"
fi

# ---- what it may say --------------------------------------------------------------
check "a first fill is recorded and sent" fill_once
check "the outbox drains" wait_for 20 outbox_empty
for case in "short-ack:ACK: 7 bytes, expected 32" \
    "wrong-side:CONFIG: not a message this side sends" \
    "oversized:a message longer than 16384 bytes" \
    "newline-status:STATUS: last_error is not text" \
    "ack-for-nothing:an ACK for no batch"; do
	kind=${case%%:*}
	why=${case#*:}
	up=$(uplink_pid)
	if [ "$kind" = ack-for-nothing ]; then
		# Freeze it between batches, queue records it has not been handed,
		# then claim from its channel that the county holds seq 1,000,000,000:
		# if gasgw believed it, those records would never reach the county.
		kill -STOP "$up"
		"$BUILD/tests/station_fill" "$T/station.db" -n 50 -s S01 -c HELD- >/dev/null
	fi
	"$BUILD/tests/chaninject" "$up" "$kind" >"$T/inject.out" 2>&1 ||
	    { fail "$kind: injected"; cat "$T/inject.out"; continue; }
	check "$kind: gasgw replaces the uplink process" wait_for 20 uplink_replaced "$up"
	check "$kind: gasgw logs the refusal and why ($why)" \
	    grep -q "uplink process $up sent a message the gateway refuses ($why)" "$T/gasgw.log"
	check "$kind: gasgw itself is untouched" kill -0 "$gw_pid"
done
grep 'sent a message the gateway refuses' "$T/gasgw.log" | sed 's/^/# /'
check "the forged log line never reached the log" sh -c "! grep -q 'FORGED' '$T/gasgw.log'"
ctl status --json >"$T/status.json"
check "nor gasctl status" sh -c "! grep -q 'FORGED' '$T/status.json'"
check "gasgw fills on after all that" fill_once
check "the new uplink process drains the outbox" wait_for 30 outbox_empty
queued=$(sql "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'")
check "county: every record the station queued arrived once, no sequence gap ($queued)" \
    [ "$(county_sql "SELECT count(*) || ' ' || max(seq) FROM records WHERE station = 'S01'")" = "$queued $queued" ]
finish
