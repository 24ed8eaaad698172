#!/bin/sh
# The other ways a line is driven: a serial barcode scanner (a pty) giving
# the cylinder code and the buyer; controller cut-off mode with a filling
# controller (gassim's wtx-filler profile) that cuts off by itself; a
# SIGHUP that puts new rule thresholds in force without a restart; and a
# clean shutdown (SIGTERM) in the middle of a fill, which closes the valve
# at once and records the fill as interrupted before it exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

# --- scanner, gateway mode ------------------------------------------------------
socat "pty,raw,echo=0,link=$T/scan-in" "pty,raw,echo=0,link=$T/scan-dev" 2>/dev/null &
PIDS="$PIDS $!"
wait_for 5 test -e "$T/scan-dev"
PREACT=0.25
fill_setup 1 "" "scanner = $T/scan-dev" || { fail "set-up"; finish; }
sim flow 1 2.5 && sim place 1 15.3
sleep 1

# --- the control socket itself --------------------------------------------------------
check "control socket has mode 0660" [ "$(stat -c %a "$T/gw.sock")" = 660 ]
r=$(printf 'not json\n' | socat -t 2 - "UNIX-CONNECT:$T/gw.sock")
check "a request that is not JSON gets an error reply" sh -c "printf '%s' '$r' | grep -q '\"ok\":false'"
r=$(printf '{"cmd":"start","line":9}\n' | socat -t 2 - "UNIX-CONNECT:$T/gw.sock")
check "an unknown line is an error" sh -c "printf '%s' '$r' | grep -q 'no line 9'"
/usr/bin/python3 -c 'import sys; sys.stdout.write("{\"cmd\":\"" + "x" * 5000 + "\"}\n")' |
    socat -t 2 - "UNIX-CONNECT:$T/gw.sock" >"$T/long.out" 2>&1
check "an over-long request is refused and the connection closed" grep -q 'longer than 4096' "$T/long.out"
check "gasgw still serves after bad requests" sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status >/dev/null"
# a wrong line number is said before a buyer number or a PIN is asked for: what
# is on standard input is left unread
for c in "fill 9 --cylinder GC1:x --buyer -" "buyer 9 -" "login 9 OP-7"; do
	printf 'not-read-yet\n' | { ctl $c 2>"$T/line9.err"; echo "rc=$?"; cat; } >"$T/line9.out"
	check "gasctl ${c%% *} on a line gasgw has not: said at once (exit 1), nothing read" \
	    all "grep -q '^gasctl: no line 9\$' '$T/line9.err'" "grep -q '^rc=1\$' '$T/line9.out'" \
	        "grep -q '^not-read-yet\$' '$T/line9.out'"
done

login 1 >/dev/null
printf '%s\r\n' "$(code C-GOOD-1)" >"$T/scan-in"
printf '%s\r\n' "$BUYER1" >"$T/scan-in"
wait_for 5 sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status | grep -q 'C-GOOD-1'" &&
    ok "scanner: the scanned code identifies the cylinder" ||
    fail "scanner: the scanned code identifies the cylinder"
check "scanner: the scanned buyer shows masked" \
    sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status --json | grep -q '110\*\*\*\*\*\*\*\*\*\*\*002X'"
out=$(ctl start 1 2>&1); rc=$?
check "scanner: the fill runs from scanned identity (exit $rc)" \
    sh -c "[ $rc -eq 0 ] && printf '%s\n' '$out' | grep -q '^ok'"
# one character of the signed part changed (to R when it already is Q:
# a code whose 31st character is Q would otherwise pass unchanged)
good2=$(code C-GOOD-2)
forged=$(printf '%s' "$good2" | sed 's/^\(GC1:.\{30\}\)./\1Q/')
[ "$forged" = "$good2" ] && forged=$(printf '%s' "$good2" | sed 's/^\(GC1:.\{30\}\)./\1R/')
printf '%s\n' "$forged" >"$T/scan-in"
wait_for 5 sh -c "[ \"\$(sqlite3 '$T/station.db' \"SELECT count(*) FROM violations WHERE rule = 'R01'\")\" = 1 ]" &&
    ok "scanner: a forged code is refused and recorded (R01)" ||
    fail "scanner: a forged code is refused and recorded (R01)"
check "scanner: no raw buyer number in the log" sh -c "! grep -q '$BUYER1' '$T/gasgw.log'"

# --- SIGHUP: new rule thresholds without a restart -----------------------------------
sim place 1 15.95
sleep 1
out=$(ctl fill 1 --cylinder "$(code C-GOOD-6)" --buyer "$BUYER3" --operator OP-7 2>&1); rc=$?
check "SIGHUP: 0.75 kg over the stamped tare is refused with the default band (R09)" \
    sh -c "[ $rc -eq 3 ] && printf '%s\n' '$out' | grep -q '^R09'"
sed 's/^\[rules\]$/[rules]\ntare_over_kg = 1.0/' "$T/station.conf" >"$T/station.new" &&
    mv "$T/station.new" "$T/station.conf"
kill -HUP "$PID_gasgw"
wait_for 5 grep -q 'new rule thresholds in force' "$T/gasgw.log"
out=$(ctl fill 1 --cylinder "$(code C-GOOD-6)" --buyer "$BUYER3" --operator OP-7 2>&1); rc=$?
check "SIGHUP: after the reload the wider band lets it fill (exit $rc)" \
    sh -c "[ $rc -eq 0 ] && ! printf '%s\n' '$out' | grep -q '^R09'"

# --- SIGTERM mid-fill ----------------------------------------------------------------
reset_line 1
ctl fill 1 --cylinder "$(code C-GOOD-3)" --buyer "$BUYER2" --operator OP-7 >"$T/term.out" 2>&1 &
cp=$!
wait_state 1 filling 10
sleep 1
tterm=$(date +%s%3N)
gw_stop
wait "$cp"
tclose=$(event_ms 1 valve_cmd_close)
check "SIGTERM: gasgw closed the valve itself ($((tclose - tterm)) ms), no watchdog needed" \
    sh -c "[ $tclose -ge $tterm ] && [ $((tclose - tterm)) -lt 1000 ] && ! grep -q watchdog_close '$T/events.log'"
check "SIGTERM: the cut-short fill is recorded as interrupted before exit" \
    [ "$(sql "SELECT count(*) FROM fills WHERE cylinder = 'C-GOOD-3' AND result = 'interrupted'")" = 1 ]
gw_start
check "SIGTERM: and once only after the restart" \
    [ "$(sql "SELECT count(*) FROM fills WHERE cylinder = 'C-GOOD-3' AND result = 'interrupted'")" = 1 ]
gw_stop
kill "$PID_gassim"

# --- controller cut-off mode -----------------------------------------------------------
port=$(free_port)
spawn gassim2 "$BUILD/gassim" --lines 1 --tcp "127.0.0.1:$port" --profile wtx-filler \
    --profiles "$PWD_TOP/drivers/profiles" --control "$T/sim2.sock" --events "$T/events2.log"
wait_for 10 test -S "$T/sim2.sock"
sed -e "s/^port = .*/port = $port/" -e 's/^valve_unit = .*/valve_unit = 1/' \
    -e 's/^scale_profile = .*//' -e '/^scanner/d' "$T/station.conf" >"$T/station2.conf"
printf 'scale_profile = wtx-filler\ncutoff = controller\n' >>"$T/station2.conf"
cp "$T/station2.conf" "$T/station.conf"
gw_start || { fail "controller mode: gasgw starts"; finish; }
printf 'flow 1 1.5\nplace 1 15.3\n' | socat -t 2 - "UNIX-CONNECT:$T/sim2.sock" >/dev/null
sleep 1
out=$(ctl fill 1 --cylinder "$(code C-GOOD-4)" --buyer "$BUYER3" --operator OP-7 2>&1); rc=$?
check "controller mode: the filler fills and the gateway records it (exit $rc: $(echo $out | head -c 80))" \
    sh -c "[ $rc -eq 0 ] && printf '%s\n' '$out' | grep -Eq '^(ok|flagged)'"
check "controller mode: the controller did the cut-off (gassim 'cutoff' event)" \
    grep -q ' 1 cutoff ' "$T/events2.log"
check "controller mode: the fill started by target + start (gassim 'fill_start')" \
    grep -q ' 1 fill_start 14.900' "$T/events2.log"
check "controller mode: net within 0.1 kg of target" \
    [ "$(sql "SELECT abs(net_kg - 14.9) < 0.1 FROM fills WHERE cylinder = 'C-GOOD-4'")" = 1 ]
finish
