#!/bin/sh
# A valve unit that does not keep the watchdog timeout as written: it clamps
# it to 800 ms (gassim --watchdog-max-ms 800; gasgw writes 1000).  Nothing
# the gateway writes will change that, so writing it again at every check
# would only wear out a unit that keeps it in EEPROM and fill the log.
# gasgw says so once, writes it again only after a minute (doubling up to
# an hour), and refuses every fill on that line meanwhile with the usual
# reason: a watchdog it cannot confirm is not one.  (review rev101, F6)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

SIM_ARGS="--watchdog-max-ms 800"
fill_ready 1 1.0 "max_fill_s = 60
refill_min_minutes = 0"
writes() { grep -c '^[0-9]* 1 watchdog_written' "$T/events.log"; }
said() { grep -c 'does not keep the watchdog timeout written to it: ' "$T/gasgw.log"; }

wait_for 5 sh -c "[ \$(grep -c 'does not keep the watchdog timeout written to it: ' '$T/gasgw.log') -ge 1 ]"
before=$(writes)
# 12 s with the line in use: three fill attempts, each refused
for s in C-GOOD-1 C-GOOD-2 C-GOOD-3; do
	_before=$(valve_opens)
	valve_fill "$s"
	check "a fill on the line whose unit clamps its watchdog is refused, saying so ($s: exit $rc: $(tr '\n' ' ' <"$T/f.out"))" \
	    all "[ $rc -ne 0 ]" "grep -q 'does not keep the watchdog timeout' '$T/f.out'" \
	    "[ \"\$(valve_opens)\" = '$_before' ]"
	reset_line 1
	sleep 2
done
after=$(writes)
check "the watchdog timeout was not written again during the attempts ($before then $after writes)" \
    [ "$after" = "$before" ]
check "at most one write since start-up ($after)" [ "$after" -le 1 ]
check "gasgw said once that the unit does not keep its timeout ($(said) times)" [ "$(said)" = 1 ]
grep 'does not keep the watchdog timeout written to it: ' "$T/gasgw.log" | head -n 1 | sed 's/^/# /'
finish
