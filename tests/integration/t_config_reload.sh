#!/bin/sh
# gasgw on SIGHUP takes what a running gateway can take (the rule
# thresholds, the log level) and names, with FILE:LINE, each changed key it
# can only take on restart (the CONF_RESTART rows of gateway/gwconf.c's
# tables: here the valves' watchdog timeout and a line's pre-act, and a line
# added to the file).  A reload is routine: logged at info, not as a
# warning.  A file that does not load changes nothing, and says so as a
# warning with the error's line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_setup 1 || { fail "set-up"; finish; }
sim flow 1 2.5 && sim place 1 15.95
sleep 1

# hup: SIGHUP, and wait for the reload's last line
hup() {
	_n=$(( $(grep -c 'reload: ' "$T/gasgw.log") + 1 ))
	kill -HUP "$PID_gasgw"
	wait_for 10 sh -c "[ \$(grep -c 'reload: ' '$T/gasgw.log') -ge $_n ] &&
	    grep -q 'reload: .*\(in force\|nothing changed\)' '$T/gasgw.log'"
}

out=$(ctl fill 1 --cylinder "$(code C-GOOD-6)" --buyer "$BUYER3" --operator OP-7 2>&1); rc=$?
check "before the reload: 0.75 kg over the stamped tare is refused (R09, exit $rc)" \
    sh -c "[ $rc -eq 3 ] && printf '%s\n' '$out' | grep -q '^R09'"

# the edit: two thresholds and the log level (taken), the watchdog timeout,
# line 1's pre-act and a second line (each waits for a restart)
cp "$T/station.conf" "$T/station.orig"
sed -e 's/^\[rules\]$/[rules]\ntare_over_kg = 1.0/' \
    -e 's/^watchdog_ms = .*/watchdog_ms = 3000\nlog_level = debug/' \
    -e 's/^preact_kg = .*/preact_kg = 0.3/' "$T/station.orig" >"$T/station.conf"
printf '[line 2]\nbus = a\nscale_unit = 3\nvalve_unit = 4\n' >>"$T/station.conf"
wd_line=$(grep -n '^watchdog_ms = 3000' "$T/station.conf" | cut -d: -f1)
pa_line=$(grep -n '^preact_kg = 0.3' "$T/station.conf" | cut -d: -f1)
l2_line=$(grep -n '^\[line 2\]' "$T/station.conf" | cut -d: -f1)
hup
check "the reload is said, at info, not as a warning" sh -c "
    grep -q 'gasgw: reload: rule thresholds and log level from $T/station.conf in force; 3 change(s) wait for a restart' '$T/gasgw.log' &&
    ! grep -q 'warning: reload' '$T/gasgw.log'"
check "a changed restart-only key is named with its line (watchdog_ms)" \
    grep -q "gasgw: reload: $T/station.conf:$wd_line: 'watchdog_ms' changes only on restart" "$T/gasgw.log"
check "a line's changed key is named with its line ([line 1] preact_kg)" \
    grep -q "gasgw: reload: $T/station.conf:$pa_line: \[line 1\] 'preact_kg' changes only on restart" "$T/gasgw.log"
check "a line added to the file is named: it waits for a restart" \
    grep -q "gasgw: reload: $T/station.conf:$l2_line: \[line 2\] is new: it is added only on restart" "$T/gasgw.log"
check "gasctl status still shows one line" \
    [ "$(ctl status --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["lines"]))')" = 1 ]
wait_for 5 grep -q 'line 1: new rule thresholds in force' "$T/gasgw.log"
out=$(ctl fill 1 --cylinder "$(code C-GOOD-6)" --buyer "$BUYER3" --operator OP-7 2>&1); rc=$?
check "a changed threshold is taken: the wider tare band lets it fill (exit $rc)" \
    sh -c "[ $rc -eq 0 ] && ! printf '%s\n' '$out' | grep -q '^R09'"
check "the changed log level is taken: debug lines follow the reload" \
    sh -c "sed -n '/reload: rule thresholds/,\$p' '$T/gasgw.log' | grep -q 'debug: line 1: '"
printf 'status\n' | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" >"$T/sim.status" 2>&1
check "the valve unit still has the watchdog timeout gasgw started with (1000 ms)" \
    grep -q '^line 1 .* watchdog_ms 1000 ' "$T/sim.status"

# a file that does not load: a warning with its line, nothing changes
sed 's/^tare_over_kg = 1.0/tare_over_kg = lots/' "$T/station.conf" >"$T/station.bad" &&
    mv "$T/station.bad" "$T/station.conf"
bad_line=$(grep -n '^tare_over_kg = lots' "$T/station.conf" | cut -d: -f1)
hup
check "a file that does not load: a warning naming FILE:LINE" \
    grep -q "warning: reload: $T/station.conf:$bad_line: 'tare_over_kg' must be a number, not 'lots'" "$T/gasgw.log"
check "... and that nothing changed" \
    grep -q "warning: reload: $T/station.conf does not load; nothing changed" "$T/gasgw.log"
check "gasgw still serves" sh -c "ctl status >/dev/null 2>&1 || \"$BUILD/gasctl\" -s '$T/gw.sock' status >/dev/null"

# the inspection cycle a reload sets is the one an inspection return is judged by
due=$(date -d '+3 years' +%F)
out=$(lifectl inspection back "$(code C-GOOD-5)" --result pass --next-due "$due" --operator OP-7 2>&1)
check "before: a next due date 3 years ahead is within the 4-year cycle" \
    sh -c "! printf '%s\n' '$out' | grep -q 'inspection cycle'"
sed -e 's/^tare_over_kg = lots$/tare_over_kg = 1.0\ninspection_cycle_years = 2/' "$T/station.conf" \
    >"$T/station.new" && mv "$T/station.new" "$T/station.conf"
hup
out=$(lifectl inspection back "$(code C-GOOD-5)" --result pass --next-due "$due" --operator OP-7 2>&1)
check "after a reload to 2 years: the same date is beyond the 2-year cycle, said at once" \
    sh -c "printf '%s\n' '$out' | grep -q 'beyond the 2-year inspection cycle'"
gw_stop
finish
