#!/bin/sh
# A refused scan lets go of what the line held (review rev99): a cylinder
# code refused at the counter (R01: forged, or not a code at all) leaves the
# line holding no cylinder, a refused buyer number (R08) no buyer, so that
# `gasctl start` cannot fill the cylinder on the scale under the code (or
# for the buyer) taken before it.  The same from a barcode scanner (a pty),
# whose operator sees it in `gasctl status`, and for a scan that cannot be
# read at all.  A refused scan during a fill leaves that fill alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

socat "pty,raw,echo=0,link=$T/scan-in" "pty,raw,echo=0,link=$T/scan-dev" 2>/dev/null &
PIDS="$PIDS $!"
wait_for 5 test -e "$T/scan-dev" || { fail "set-up: a pty for the scanner"; finish; }
fill_setup 1 "" "scanner = $T/scan-dev" || { fail "set-up"; finish; }
sim flow 1 2.5 && sim place 1 15.3
wait_state 1 idle 5 || { fail "set-up: line 1 idle"; finish; }

# one character of the signed part of C-GOOD-2's code changed
good2=$(code C-GOOD-2)
forged=$(printf '%s' "$good2" | sed 's/^\(GC1:.\{20\}\)./\1Z/')
[ "$forged" = "$good2" ] && forged=$(printf '%s' "$good2" | sed 's/^\(GC1:.\{20\}\)./\1Y/')
member() { ctl status --json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print([l['$2'] for l in d['lines'] if l['line']==$1][0])"; }
# holds LINE MEMBER VALUE: the line's status says VALUE for MEMBER
holds() { [ "$(member "$1" "$2")" = "$3" ]; }

# --- the control socket: a cylinder -----------------------------------------------
out=$(ctl scan 1 "$(code C-GOOD-1)" 2>&1); rc=$?
check "C-GOOD-1 scanned (exit $rc: $out)" [ "$rc" -eq 0 ]
# the cylinder on the scale is another one, whose label does not verify
out=$(ctl scan 1 "$forged" 2>&1); rc=$?
check "the next cylinder's forged code is refused, R01 (exit $rc: $out)" \
    sh -c "[ $rc -eq 3 ] && printf '%s' '$out' | grep -q R01"
check "status: the line holds no cylinder after the refusal" [ "$(member 1 cylinder)" = "" ]
why=$(member 1 scan_refused)
check "status: and says why ($why)" sh -c 'printf "%s" "$1" | grep -q "^R01 "' - "$why"
ctl status >"$T/status.txt" 2>&1
check "gasctl status shows the line's cylinder as - and the refusal under it" \
    all "grep -q '^1 .* - *-\$' '$T/status.txt'" "grep -q '^     R01 ' '$T/status.txt'"
sed 's/^/# /' "$T/status.txt"
ctl buyer 1 "$BUYER1" >/dev/null 2>&1
before=$(valve_opens)
out=$(ctl start 1 2>&1); rc=$?
echo "# start: exit $rc: $(printf '%s' "$out" | head -c 200)"
sleep 1
check "after a refused scan, start does not open the valve (opens $before -> $(valve_opens))" \
    [ "$(valve_opens)" = "$before" ]
check "and no fill is recorded under the code scanned before the refused one" \
    [ "$(sql "SELECT count(*) FROM fills WHERE cylinder = 'C-GOOD-1'")" = 0 ]

# a text that is no code at all is refused (R01) and clears as well
ctl scan 1 "$(code C-GOOD-1)" >/dev/null 2>&1
out=$(ctl scan 1 "not a code" 2>&1); rc=$?
check "a text that is not a code is refused (exit $rc: $out)" [ "$rc" -eq 3 ]
check "status: and the line holds no cylinder" [ "$(member 1 cylinder)" = "" ]

# --- the control socket: a buyer --------------------------------------------------
reset_line 1
ctl scan 1 "$(code C-GOOD-3)" >/dev/null 2>&1
out=$(ctl buyer 1 "$BUYER2" 2>&1); rc=$?
check "buyer 2 taken (exit $rc: $out)" [ "$rc" -eq 0 ]
out=$(ctl buyer 1 "$BUYER_BAD" 2>&1); rc=$?
check "the next buyer's number is refused, R08 (exit $rc: $out)" [ "$rc" -eq 3 ]
check "status: the line holds no buyer, and still its cylinder" \
    sh -c "[ \"\$1\" = '' ] && [ \"\$2\" = C-GOOD-3 ]" - "$(member 1 buyer)" "$(member 1 cylinder)"
before=$(valve_opens)
out=$(ctl start 1 2>&1); rc=$?
echo "# start: exit $rc: $(printf '%s' "$out" | head -c 200)"
check "after a refused buyer number, start does not open the valve (opens $before -> $(valve_opens))" \
    [ "$(valve_opens)" = "$before" ]

# --- a barcode scanner ------------------------------------------------------------
reset_line 1
printf '%s\r\n' "$(code C-GOOD-4)" >"$T/scan-in"
wait_for 5 holds 1 cylinder C-GOOD-4
check "scanner: C-GOOD-4 scanned" [ "$(member 1 cylinder)" = C-GOOD-4 ]
check "a code taken ends what the status said of the refusal before" [ "$(member 1 scan_refused)" = "" ]
printf '%s\r\n' "$forged" >"$T/scan-in"
wait_for 5 holds 1 cylinder ""
check "scanner: after a forged code the status shows no cylinder" [ "$(member 1 cylinder)" = "" ]
why=$(member 1 scan_refused)
check "scanner: and says why ($why)" sh -c 'printf "%s" "$1" | grep -q "^R01 "' - "$why"
ctl buyer 1 "$BUYER4" >/dev/null 2>&1
before=$(valve_opens)
out=$(ctl start 1 2>&1); rc=$?
echo "# start: exit $rc: $(printf '%s' "$out" | head -c 200)"
check "scanner: start then does not open the valve (opens $before -> $(valve_opens))" \
    [ "$(valve_opens)" = "$before" ]
check "scanner: no fill recorded under C-GOOD-4" \
    [ "$(sql "SELECT count(*) FROM fills WHERE cylinder = 'C-GOOD-4'")" = 0 ]

# a scan that cannot be read at all (512 bytes and no end): the same
reset_line 1
printf '%s\r\n' "$(code C-GOOD-4)" >"$T/scan-in"
wait_for 5 holds 1 cylinder C-GOOD-4
/usr/bin/python3 -c 'import sys; sys.stdout.write("GC1:" + "7" * 600)' >"$T/scan-in"
wait_for 5 holds 1 cylinder ""
check "scanner: after an unreadable scan the status shows no cylinder" [ "$(member 1 cylinder)" = "" ]
check "scanner: and says it could not be read" [ "$(member 1 scan_refused)" = "the scan could not be read (no end in 512 bytes)" ]
check "scanner: and the log says so" grep -q 'unreadable scan: the line holds no cylinder' "$T/gasgw.log"
printf '\r\n' >"$T/scan-in"

# --- a refused scan during a fill leaves the fill alone ----------------------------
reset_line 1
ctl scan 1 "$(code C-GOOD-5)" >/dev/null 2>&1
ctl buyer 1 "$BUYER3" >/dev/null 2>&1
ctl start 1 --no-wait >/dev/null 2>&1
wait_state 1 filling 5
out=$(ctl scan 1 "$forged" 2>&1); rc=$?
echo "# scan during the fill: exit $rc: $out"
check "during the fill the status still shows C-GOOD-5" [ "$(member 1 cylinder)" = C-GOOD-5 ]
wait_for 20 sh -c "[ \"\$(sqlite3 '$T/station.db' \"SELECT result FROM fills WHERE cylinder = 'C-GOOD-5'\")\" = ok ]"
check "the fill ends ok, recorded under C-GOOD-5" \
    [ "$(sql "SELECT result FROM fills WHERE cylinder = 'C-GOOD-5'")" = ok ]
finish
