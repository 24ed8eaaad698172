#!/bin/sh
# Disk full and I/O errors end to end (issue 8, item 4): gasgw against
# gassim, fills through gasctl, the station database on a real disk that
# fills up.  The database lives on a small tmpfs mounted in a private mount
# namespace (the script runs itself again under unshare); a filler file
# takes the rest of the space, and deleting it gives the space back.  I/O
# errors come from the fault shim (LD_PRELOAD=$FAULTVFS GAS_TEST_FAULT=ioerr:N
# on gasgw, tests/shim/faultvfs.c) at
# operations picked from a trace of one fill: the start row's first write
# and its sync, the middle of the final record and its sync (TORTURE=1:
# every operation of the fill).
#
# What the operator and the regulator must see: a fill attempt on a full
# disk is refused with a reason naming the disk and its valve never opens;
# a fill running when the disk fills closes its valve and the operator is
# told it is not recorded yet (never a success); gasgw stays up and
# answers; nothing is half-written (quick_check, no orphan outbox row); once
# space returns the next fill succeeds without a restart and the fill the
# full disk held back is recorded, once; every fill gasctl reported as done
# is in the database exactly once.
if [ -z "${GAS_DISK_NS:-}" ]; then
	GAS_DISK_NS=1
	export GAS_DISK_NS
	# root: a private mount namespace; otherwise a user namespace gives one
	if [ "$(id -u)" -eq 0 ]; then
		unshare -m --propagation private true 2>/dev/null &&
		    exec unshare -m --propagation private sh "$0" "$@"
	else
		unshare -r -m --propagation private true 2>/dev/null &&
		    exec unshare -r -m --propagation private sh "$0" "$@"
	fi
	GAS_DISK_NS=none
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

DISK="$T/disk"
STATION_DB="$DISK/station.db"

# Stop the processes before unmounting (gasgw holds the database open);
# keep a copy of the database for KEEP=1 and the privacy scan of tests/run.sh.
disk_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		wait_for 5 sh -c "! kill -0 $p 2>/dev/null" || kill -9 "$p" 2>/dev/null
	done
	if mountpoint -q "$DISK" 2>/dev/null; then
		rm -f "$DISK/filler"
		for f in "$DISK"/station.db*; do [ -e "$f" ] && cp "$f" "$T/"; done
		umount "$DISK" || umount -l "$DISK"
	fi
	cleanup
}
trap disk_cleanup EXIT

mkdir "$DISK"
if [ "$GAS_DISK_NS" != 1 ] || ! mount -t tmpfs -o size=4m,mode=0755 gastest "$DISK"; then
	fail "a private mount namespace with a 4 MB tmpfs (unshare -m as root, or unshare -r -m)"
	finish
fi

PREACT=0.5
fill_ready 1 6.0

opens() { grep -c 'valve_cmd_open' "$T/events.log"; }
avail_kb() { df -k --output=avail "$DISK" | tail -n 1 | tr -d ' '; }
disk_fill() { dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null; sync; }
gw_alive() { kill -0 "$PID_gasgw" 2>/dev/null && ctl status >/dev/null 2>&1; }
# the line is not stuck in a fill state and its valve is closed
line_settled() {
	s=$(state_of 1)
	case "$s" in idle | identified | refused | recorded | interrupted) ;; *) return 1 ;; esac
	printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" | grep -q '^line 1 .* valve closed '
}
quick_check() { [ "$(sql "PRAGMA quick_check")" = ok ]; }
# every outbox row stands for a finished fill or for an event's violations
no_orphans() {
	[ "$(sql "SELECT count(*) FROM outbox o WHERE o.kind = 'fill' AND NOT EXISTS
	    (SELECT 1 FROM fills f WHERE f.uuid = o.uuid AND f.result <> 'filling')")" = 0 ] &&
	[ "$(sql "SELECT count(*) FROM outbox o WHERE o.kind <> 'fill' AND NOT EXISTS
	    (SELECT 1 FROM violations v WHERE v.event = o.uuid)")" = 0 ]
}
# every fill gasctl reported done: one finished row, one outbox row
reported_once() {
	for u in $(cat "$T/reported"); do
		[ "$(sql "SELECT count(*) FROM fills WHERE uuid = '$u' AND result IN ('ok', 'flagged')")" = 1 ] &&
		[ "$(sql "SELECT count(*) FROM outbox WHERE uuid = '$u' AND kind = 'fill'")" = 1 ] ||
		{ echo "# fill $u reported done but not recorded once"; return 1; }
	done
}
# told RC NAME TEXT: gasctl exited RC and printed a line starting with TEXT
told() { [ "$rc" -eq "$1" ] && grep -q "^$3" "$T/$2.out"; }
same_gasgw() { kill -0 "$PID_gasgw" 2>/dev/null && [ "$PID_gasgw" = "$gw_pid" ]; }
no_open_fill() { [ "$(sql "SELECT count(*) FROM fills WHERE result = 'filling'")" = 0 ]; }
# fill NAME SERIAL BUYER: a fill through gasctl; $T/NAME.out, $rc, and the
# fill's uuid in $uuid when gasctl printed one (it does for a fill that ran)
fill() {
	ctl fill 1 --cylinder "$(code "$2")" --buyer "$3" --operator OP-7 >"$T/$1.out" 2>&1
	rc=$?
	uuid=$(sed -n 's/.* fill \([0-9a-f-]\{36\}\)$/\1/p' "$T/$1.out" | head -n 1)
	if [ "$rc" -eq 0 ]; then echo "$uuid" >>"$T/reported"; fi
	[ "$rc" -eq 0 ] || sed "s/^/# $1: /" "$T/$1.out"
}
: >"$T/reported"
gw_pid=$PID_gasgw

fill base C-GOOD-1 "$BUYER1"
check "a fill on a healthy disk succeeds" all '[ "$rc" -eq 0 ]' '[ -n "$uuid" ]'
reset_line 1

# --- 1. the disk is full before the fill ------------------------------------
fills0=$(sql "SELECT count(*) FROM fills")
outbox0=$(sql "SELECT count(*) FROM outbox")
opens0=$(opens)
disk_fill
check "the disk is full (0 KB available)" [ "$(avail_kb)" -eq 0 ]
fill full_new C-GOOD-2 "$BUYER2"
check "full disk: a fill for a new buyer is refused (exit 1) as 'station disk full'" \
    told 1 full_new 'station disk full: the fill cannot be recorded, so the valve stays closed$'
fill full_known C-GOOD-3 "$BUYER1"
check "full disk: a fill for a known buyer is refused (exit 1) as 'station disk full'" \
    told 1 full_known 'station disk full: the fill cannot be recorded, so the valve stays closed$'
check "full disk: no valve opened" [ "$(opens)" -eq "$opens0" ]
check "full disk: no fill row and no outbox row written" \
    [ "$(sql "SELECT count(*) FROM fills")/$(sql "SELECT count(*) FROM outbox")" = "$fills0/$outbox0" ]
check "full disk: gasgw still answers, the line is idle with its valve closed" \
    all same_gasgw gw_alive line_settled

# --- 2. space returns -----------------------------------------------------------
rm -f "$DISK/filler"
fill back C-GOOD-4 "$BUYER2"
check "space back: the very next fill succeeds, gasgw not restarted" \
    all '[ "$rc" -eq 0 ]' same_gasgw
reset_line 1

# --- 3. the disk fills during a fill --------------------------------------------
opens0=$(opens)
ctl fill 1 --cylinder "$(code C-GOOD-5)" --buyer "$BUYER3" --operator OP-7 >"$T/during.out" 2>&1 &
fill_pid=$!
wait_state 1 filling 10
disk_fill
wait $fill_pid
rc=$?
sed "s/^/# during: /" "$T/during.out"
held=$(sed -n 's/.* fill \([0-9a-f-]\{36\}\)$/\1/p' "$T/during.out")
check "full during a fill: not claimed (exit 1), told 'station disk full ... not recorded yet'" \
    told 1 during 'station disk full: the fill is not recorded yet; the valve is closed'
check "full during a fill: the valve had opened once and is closed, gasgw up" \
    all '[ "$(opens)" -eq $((opens0 + 1)) ]' same_gasgw gw_alive line_settled
check "full during a fill: its start row was committed, its end and outbox row not written" \
    [ "$(sql "SELECT result FROM fills WHERE uuid = '$held'")/$(sql "SELECT count(*) FROM outbox WHERE uuid = '$held'")" = "filling/0" ]
reset_line 1
opens0=$(opens)
fill blocked C-GOOD-6 "$BUYER1"
check "full, a fill held back: the next attempt is refused (exit 1) with the reason" \
    told 1 blocked 'station disk full: the last fill on this line is not recorded yet, so no new fill starts$'
check "full, a fill held back: the valve stayed shut, the line idle, gasgw up" \
    all '[ "$(opens)" -eq "$opens0" ]' same_gasgw gw_alive line_settled
check "full disk: PRAGMA quick_check ok, no orphan outbox row" all quick_check no_orphans

# --- 4. space returns: the held-back record first, then the next fill ----------
rm -f "$DISK/filler"
fill after C-GOOD-6 "$BUYER4"
check "space back: the next fill succeeds without a restart" \
    all '[ "$rc" -eq 0 ]' same_gasgw
check "space back: the held-back fill is recorded, once, with its net weight" \
    [ "$(sql "SELECT count(*) FROM fills WHERE uuid = '$held' AND result IN ('ok', 'flagged')
	      AND net_kg > 14")/$(sql "SELECT count(*) FROM outbox WHERE uuid = '$held'")" = "1/1" ]
check "space back: quick_check ok, no fill left open, no orphan, every reported fill once" \
    all quick_check no_open_fill no_orphans reported_once
reset_line 1

# --- 5. I/O errors at chosen writes of a fill (the fault shim) -----------------
# gw_start_faulty SPEC: gasgw with the shim loaded, told to fail as SPEC says
gw_start_faulty() {
	LD_PRELOAD=$FAULTVFS GAS_TEST_FAULT=$1
	export LD_PRELOAD GAS_TEST_FAULT
	gw_start
	unset LD_PRELOAD GAS_TEST_FAULT
}
# The shipped gasgw has no fault seam: GAS_TEST_FAULT without the shim is
# nothing to it (it failed at its first write when the seam was built in).
gw_stop
GAS_TEST_FAULT=crash:1
export GAS_TEST_FAULT
gw_start
unset GAS_TEST_FAULT
fill shipped C-GOOD-8 "$BUYER5"
check "the shipped gasgw ignores GAS_TEST_FAULT=crash:1 without the shim: it starts and fills" \
    all '[ "$rc" -eq 0 ]' gw_alive
reset_line 1

# A trace of one fill says which operations belong to the start row and
# which to the final record (no other write happens while the line idles).
gw_stop
gw_start_faulty trace
fill trace C-GOOD-7 "$BUYER1"
gw_stop
cp "$T/gasgw.log" "$T/trace.log"
gw_start
set -- $(awk '/control socket/ { up = 1 }
    /^faultvfs: operation/ && up { n = $3; sub(":", "", n); if (first == "") first = n; last = n }
    /line 1: filling/ { start = last }
    /line 1: fill [0-9a-f-]* (ok|flagged)/ { final = last }
    END { print first, start, final }' "$T/trace.log")
first=${1:-0} start=${2:-0} final=${3:-0}
check "a trace of one fill shows its start row (operations $first-$start) and final record (to $final)" \
    all '[ "$first" -ge 1 ]' '[ "$start" -gt "$first" ]' '[ "$final" -gt "$start" ]'
if [ -n "${TORTURE:-}" ]; then
	points=$(seq "$first" "$final")
else
	points="$first $start $((start + (final - start + 1) / 2)) $final"
fi
reset_line 1

before=0 after=0
for n in $points; do
	case $n in
	"$first") where="the start row's first write" ;;
	"$start") where="the start row's commit sync" ;;
	"$final") where="the final record's commit sync" ;;
	*) if [ "$n" -lt "$start" ]; then where="the start row"; else where="the final record"; fi ;;
	esac
	gw_stop
	gw_start_faulty "ioerr:$n"
	o0=$(opens)
	t0=$(date +%s%3N)
	fill "ioerr$n" C-GOOD-8 "$BUYER5"
	opened=$(($(opens) - o0))
	rows=$(sql "SELECT count(*) FROM fills WHERE started_ms >= $t0")
	if [ "$rc" -eq 0 ]; then
		ok "ioerr:$n ($where): the fill succeeded and said so"
	else
		check "ioerr:$n ($where): not claimed (exit 1), told 'station disk failing (I/O error)'" \
		    told 1 "ioerr$n" 'station disk failing (I/O error): '

		[ "$opened" -eq 0 ] && before=$((before + 1))
		[ "$opened" -gt 0 ] && after=$((after + 1))
	fi
	check "ioerr:$n: the valve opened only with a committed start row ($opened open, $rows row), is closed; gasgw up" \
	    all '[ "$opened" -eq 0 ] || [ "$rows" -ge 1 ]' gw_alive line_settled
	gw_stop
	gw_start
	check "ioerr:$n: after a restart, quick_check ok, no fill left open, no orphan, every reported fill once" \
	    all quick_check no_open_fill no_orphans reported_once
	reset_line 1
done
check "I/O errors hit before the start row ($before: refused, valve shut) and after it ($after: ran, not claimed)" \
    all '[ "$before" -ge 1 ]' '[ "$after" -ge 1 ]'

fill last C-GOOD-9 "$BUYER2"
check "after the I/O errors a fill succeeds" [ "$rc" -eq 0 ]
check "in the end: quick_check ok, every fill gasctl reported done is recorded exactly once" \
    all quick_check no_orphans reported_once
finish
