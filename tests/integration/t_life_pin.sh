#!/bin/sh
# A life event (gasctl dispatch, receive, inspection out, inspection back,
# scrap) is recorded under its operator's name for the county, so the
# operator proves who they are with their PIN, as at a login, on the same
# count of wrong PINs (redteam36: gasgw only looked the certificate up, and
# anyone in the control socket's group recorded a dispatch or a scrap under
# any registered operator's name, nobody logged in).  Real gassim and gasgw.
#   - the red team's exploit: `gasctl logout 1`, then a dispatch under OP-7
#     with no PIN (gasctl, and a raw request on the socket): refused, nothing
#     recorded
#   - a wrong PIN: refused with the login's words, nothing recorded (the
#     cylinder not stopped), logged without the PIN
#   - the right PIN: recorded, OP-7 the actor, whoever is logged in
#   - five wrong PINs at life events lock OP-7 out of login too, and five at
#     logins out of life events; an operator with no PIN is told so
#   - the PIN first on standard input, then the codes of `-`
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
LC_ALL=C
export LC_ALL

fill_ready 1 || { fail "set-up"; finish; }
W=delivery:wang@330825101
life() { sql "SELECT count(*) FROM life_events"; }
raw() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$T/gw.sock"; }
# pinctl PIN ARGS...: gasctl given PIN as the first line of standard input
pinctl() {
	_pin=$1
	shift
	printf '%s\n' "$_pin" | ctl "$@"
}

# --- the red team's exploit: nobody logged in, no PIN ---------------------------------
ctl logout 1 >/dev/null 2>&1
check "nobody is logged in on line 1" \
    sh -c "\"$BUILD/gasctl\" -s '$T/gw.sock' status --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if all(not l.get(\"operator\") for l in d[\"lines\"]) else 1)'"
ctl dispatch "$W" "$(code C-GOOD-1)" --operator OP-7 </dev/null >"$T/x.out" 2>&1
rc=$?
check "gasctl dispatch under OP-7 with no PIN is refused (exit $rc: $(head -c 200 "$T/x.out"))" \
    all "[ $rc -eq 1 ]" "grep -q '^gasctl: no PIN on standard input$' '$T/x.out'"
raw "{\"cmd\":\"life\",\"event\":\"dispatched\",\"worker\":\"$W\",\"operator\":\"OP-7\",\"codes\":[\"$(code C-GOOD-1)\"]}" >"$T/raw.out" 2>&1
check "a raw request on the socket without a PIN is refused ($(head -c 200 "$T/raw.out"))" \
    all "grep -q '\"ok\": *false' '$T/raw.out'" "grep -q 'life needs \\\\\"pin\\\\\": a string' '$T/raw.out'"
check "nothing was recorded" [ "$(life)" = 0 ]

# --- a wrong PIN ------------------------------------------------------------------
pinctl 1357-wrong scrap "$(code C-GOOD-2)" --reason "瓶阀损坏" --operator OP-7 >"$T/w.out" 2>&1
rc=$?
check "a scrap with a wrong PIN is refused with the login's words (exit $rc: $(head -c 200 "$T/w.out"))" \
    all "[ $rc -eq 1 ]" "grep -q '^gasctl: wrong PIN for operator OP-7 (4 more tries before a lock-out)$' '$T/w.out'"
check "nothing was recorded, C-GOOD-2 still fillable here" \
    all "[ \"\$(life)\" = 0 ]" "[ \"\$(sql \"SELECT count(*) FROM life_events WHERE serial = 'C-GOOD-2'\")\" = 0 ]"
check "gasgw logs the wrong PIN with the certificate, never the PIN" \
    all "grep -q 'life event: wrong PIN for operator OP-7' '$T/gasgw.log'" "! grep -q '1357-wrong' '$T/gasgw.log'" \
    "! grep -q '1357-wrong' '$T/w.out'"

# --- the right PIN, nobody logged in -------------------------------------------------
lifectl dispatch "$W" "$(code C-GOOD-1)" --operator OP-7 >"$T/r.out" 2>&1
rc=$?
check "the right PIN records the dispatch (exit $rc: $(head -c 200 "$T/r.out"))" \
    all "[ $rc -eq 0 ]" "grep -q '^1 cylinders dispatched to $W$' '$T/r.out'"
check "with OP-7 as its actor" \
    [ "$(sql "SELECT actor || ' ' || event FROM life_events WHERE serial = 'C-GOOD-1'")" = "OP-7 dispatched" ]

# --- the PIN first on standard input, then the codes of - ---------------------------------
printf '%s\n' "$(code C-GOOD-3)" "$(code C-GOOD-4)" | lifectl inspection out - --operator OP-7 >"$T/s.out" 2>&1
rc=$?
check "with CODE -, the codes follow the PIN on standard input (exit $rc: $(head -c 200 "$T/s.out"))" \
    all "[ $rc -eq 0 ]" "grep -q '^2 cylinders sent to inspection$' '$T/s.out'"
n=$(life)
printf '%s\n' "$(code C-GOOD-3)" "$(code C-GOOD-4)" | ctl receive - --operator OP-7 >"$T/s2.out" 2>&1
rc=$?
check "the first code is not a PIN: refused, nothing recorded (exit $rc: $(head -c 200 "$T/s2.out"))" \
    all "[ $rc -eq 1 ]" "grep -Eq 'wrong PIN for operator OP-7|\"pin\" must be at most 64 bytes' '$T/s2.out'" \
    "[ \"\$(life)\" = '$n' ]"
# a PIN of 65 characters and more: the rest of its line is not taken for a code
{ printf '%070d\n' 0; code C-GOOD-5; } | ctl receive - --operator OP-7 >"$T/s3.out" 2>&1
check "a PIN longer than 64 bytes is refused as such, the rest of its line not a code ($(head -c 200 "$T/s3.out"))" \
    all "grep -q '\"pin\" must be at most 64 bytes' '$T/s3.out'" "[ \"\$(life)\" = '$n' ]"
set_pin OP-7 # starts the count again (the first code above was a wrong PIN)

# --- five wrong PINs at life events lock the operator out of login too -------------------
i=1
while [ $i -le 5 ]; do
	pinctl "0000-$i" receive "$(code C-GOOD-6)" --operator OP-7 >"$T/l$i.out" 2>&1
	i=$((i + 1))
done
check "the fifth wrong PIN at a life event locks OP-7 out ($(cat "$T/l5.out"))" \
    grep -q '^gasctl: wrong PIN; operator OP-7 is locked out until ' "$T/l5.out"
login 1 >"$T/li.out" 2>&1
rc=$?
check "then OP-7's right PIN does not log in (exit $rc: $(cat "$T/li.out"))" \
    all "[ $rc -eq 1 ]" "grep -q 'operator OP-7 is locked out after 5 wrong PINs until ' '$T/li.out'"
n=$(life)
lifectl receive "$(code C-GOOD-6)" --operator OP-7 >"$T/lr.out" 2>&1
rc=$?
check "nor records a life event (exit $rc: $(cat "$T/lr.out"))" \
    all "[ $rc -eq 1 ]" "grep -q 'operator OP-7 is locked out after 5 wrong PINs until ' '$T/lr.out'" \
    "[ \"\$(life)\" = '$n' ]"

# --- and five at logins lock the operator out of life events -------------------------------
set_pin OP-7 # an administrator's new PIN lifts the lock-out
i=1
while [ $i -le 4 ]; do
	login 1 OP-7 "0000-$i" >/dev/null 2>&1
	i=$((i + 1))
done
pinctl 0000-5 scrap "$(code C-GOOD-6)" --reason "瓶阀损坏" --operator OP-7 >"$T/m5.out" 2>&1
check "four wrong PINs at logins and one at a scrap lock OP-7 out ($(cat "$T/m5.out"))" \
    grep -q '^gasctl: wrong PIN; operator OP-7 is locked out until ' "$T/m5.out"
lifectl scrap "$(code C-GOOD-6)" --reason "瓶阀损坏" --operator OP-7 >"$T/m6.out" 2>&1
rc=$?
check "then the right PIN records no scrap (exit $rc: $(cat "$T/m6.out"))" \
    all "[ $rc -eq 1 ]" "grep -q 'operator OP-7 is locked out after 5 wrong PINs until ' '$T/m6.out'" \
    "[ \"\$(life)\" = '$n' ]"
set_pin OP-7
i=1
while [ $i -le 5 ]; do
	login 1 OP-7 "0000-$i" >"$T/n$i.out" 2>&1
	i=$((i + 1))
done
lifectl inspection out "$(code C-GOOD-7)" --operator OP-7 >"$T/n6.out" 2>&1
rc=$?
check "five wrong PINs at logins: the right PIN records no inspection out (exit $rc: $(cat "$T/n6.out"))" \
    all "[ $rc -eq 1 ]" "grep -q 'operator OP-7 is locked out after 5 wrong PINs until ' '$T/n6.out'" \
    "[ \"\$(life)\" = '$n' ]"

# --- an operator with no PIN -------------------------------------------------------------
sql "INSERT INTO operators VALUES ('OP-NEW', 'Zhao Xin', '2099-01-01', 1, 0)"
lifectl inspection out "$(code C-GOOD-7)" --operator OP-NEW >"$T/p.out" 2>&1
rc=$?
check "an operator with no PIN is refused with the login's words (exit $rc: $(cat "$T/p.out"))" \
    all "[ $rc -eq 1 ]" \
    "grep -q '^gasctl: operator OP-NEW has no PIN yet: a station administrator sets one with gasctl operators pin OP-NEW$' '$T/p.out'" \
    "[ \"\$(life)\" = '$n' ]"

# --- where the PIN is said -------------------------------------------------------------
ctl scrap --help >"$T/h.out" 2>&1
check "gasctl scrap --help says the PIN is read first, never from the command line" \
    all "grep -q 'proves who they are with their PIN' '$T/h.out'" "grep -q 'never from the command line' '$T/h.out'"
finish
