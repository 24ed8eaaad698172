#!/bin/sh
# Operators prove who they are (issue 14 items 7, 9, 10): a PIN set by the
# administrator (kept as an Argon2id hash), refused logins that say why,
# lock-out after five wrong PINs, logout and the end of a shift, fills
# credited only to the operator logged in; a raw ID number typed into any
# field of the control socket is never stored, logged or echoed; and the
# databases are private whatever the umask.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"

RAW_ID=11010519491231002X # the kind of number an operator might type by mistake
umask 000 # the databases must be private all the same
NO_LOGIN=1 fill_ready 1

mode() { stat -c %a "$1"; }
check "the station database is owner-only under umask 000 ($(mode "$T/station.db"))" \
    all '[ "$(mode "$T/station.db")" = 600 ]' '[ "$(mode "$T/station.db-wal")" = 600 ]' \
        '[ "$(mode "$T/station.db-shm")" = 600 ]'
county_keys
county_start || fail "gascounty starts"
check "the county database is owner-only under umask 000 ($(mode "$T/county.db"))" \
    all '[ "$(mode "$T/county.db")" = 600 ]' '[ "$(mode "$T/county.db-wal")" = 600 ]'
county_stop
umask 022

hash=$(sql "SELECT hash FROM operator_credentials WHERE cert = 'OP-7'")
is_argon2id() { case $1 in '$argon2id$v=19$m=19456,t=2,p=1$'?*) return 0 ;; esac; return 1; }
check "the PIN is kept only as a salted Argon2id hash" \
    all 'is_argon2id "$hash"' '! printf "%s\n" "$hash" | grep -q -- "$OP_PIN"'
out=$(printf 'x1234\n' | "$BUILD/gasctl" --db "$T/station.db" operators pin OP-NOBODY 2>&1); rc=$?
check "no PIN for an operator who is not registered ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "OP-NOBODY is not registered"'
out=$(printf '12\n' | "$BUILD/gasctl" --db "$T/station.db" operators pin OP-7 2>&1); rc=$?
check "a PIN of 2 characters is refused ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "4 to 64"'

good=$(code C-GOOD-1)
out=$(ctl fill 1 --cylinder "$good" --buyer "$BUYER1" 2>&1); rc=$?
check "with nobody logged in, a fill is refused by R07 ($rc)" \
    all '[ "$rc" -eq 3 ]' 'printf "%s\n" "$out" | grep -q "^R07 no operator logged in"'

# --- wrong PINs, lock-out, a new PIN lifts it ------------------------------------
out=$(login 1 OP-7 wrong-pin 2>&1); rc=$?
check "a wrong PIN is refused and says how many tries are left ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "wrong PIN for operator OP-7 (4 more"'
check "and nobody is logged in on the line" \
    sh -c "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status --json | grep -q '\"operator\": \"\"'"
for n in 2 3 4; do login 1 OP-7 wrong-pin >/dev/null 2>&1; done
out=$(login 1 OP-7 wrong-pin 2>&1)
check "the fifth wrong PIN locks the operator out ($out)" \
    all 'printf "%s\n" "$out" | grep -q "locked out until"'
out=$(login 1 OP-7 2>&1); rc=$?
check "locked out, even the right PIN is refused ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "OP-7 is locked out after 5 wrong PINs"'
check "wrong PINs are logged with the certificate, never the PIN" \
    all 'grep -q "wrong PIN for operator OP-7" "$T/gasgw.log"' '! grep -q "wrong-pin" "$T/gasgw.log"'
set_pin OP-7 || fail "the administrator sets a new PIN"
out=$(login 1 2>&1); rc=$?
check "a new PIN lifts the lock-out: OP-7 logs in ($out)" [ "$rc" -eq 0 ]

# --- a fill is credited to the operator logged in ------------------------------
out=$(ctl fill 1 --cylinder "$good" --buyer "$BUYER1" 2>&1); rc=$?
check "OP-7 logged in: the fill runs ($rc)" [ "$rc" -eq 0 ]
check "and is credited to OP-7" \
    [ "$(sql "SELECT operator FROM fills ORDER BY started_ms DESC LIMIT 1")" = OP-7 ]
reset_line 1
sql "INSERT INTO operators VALUES ('OP-8', 'Zhao Lei', '2099-01-01', 1, 0);"
set_pin OP-8 8888-other
out=$(login 1 OP-8 2>&1); rc=$?
check "another operator's PIN does not log OP-8 in ($rc)" [ "$rc" -eq 1 ]
out=$(ctl fill 1 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER2" --operator OP-8 2>&1); rc=$?
check "a fill naming OP-8, who is not logged in, is refused ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "OP-8 is not logged in on line 1"'
login 1 OP-8 8888-other >/dev/null || fail "OP-8 logs in with their own PIN"
# Each PIN check takes 19 MiB (Argon2id); after a dozen of them gasgw must
# have given it back (it kept 20 MB in its heap while glibc's mmap
# threshold rose with the first one; about 2 MB is its own).
priv=$(awk '/^Private_Dirty/ { s += $2 } END { print s }' "/proc/$PID_gasgw/smaps_rollup")
check "after a dozen PIN checks gasgw holds no Argon2id memory (${priv} kB private dirty, under 8 MB)" \
    [ "${priv:-99999}" -lt 8192 ]
check "OP-8's login ended OP-7's shift as replaced" \
    [ "$(sql "SELECT ended_by FROM shifts WHERE operator = 'OP-7' ORDER BY id DESC LIMIT 1")" = replaced ]
out=$(ctl logout 1 2>&1); rc=$?
check "logout ends the shift ($out)" \
    all '[ "$rc" -eq 0 ]' \
        '[ "$(sql "SELECT ended_by FROM shifts WHERE operator = '"'"'OP-8'"'"'")" = logout ]'
out=$(ctl fill 1 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER2" 2>&1); rc=$?
check "after logout, nobody fills (R07)" [ "$rc" -eq 3 ]
login 1 >/dev/null
gw_stop
NO_LOGIN=1 gw_start || { fail "gasgw starts again"; finish; }
check "a restart ends the open shift (stop) and logs everybody out" \
    all '[ "$(sql "SELECT count(*) FROM shifts WHERE ended_ms IS NULL")" = 0 ]' \
        '[ "$(sql "SELECT ended_by FROM shifts ORDER BY id DESC LIMIT 1")" = stop ]' \
        "\"$BUILD/gasctl\" -s \"$T/gw.sock\" status --json | grep -q '\"operator\": \"\"'"

# --- a raw ID number in any field goes nowhere -----------------------------------
out=$(login 1 "$RAW_ID" 2>&1); rc=$?
check "an ID number typed as the certificate is refused ($rc)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "looks like an ID number"'
printf '%s\n' "$out" >"$T/out-login"
ctl fill 1 --cylinder "$good" --buyer "$BUYER1" --operator "$RAW_ID" >"$T/out-fill" 2>&1
ctl fill 1 --cylinder "$good" --buyer "$BUYER1" --operator "ID $RAW_ID" >>"$T/out-fill" 2>&1
ctl scan 1 "$RAW_ID" >"$T/out-scan" 2>&1
raw() { printf '%s\n' "$1" | socat -t 2 - "UNIX-CONNECT:$T/gw.sock" >>"$T/out-raw" 2>&1; }
raw "{\"cmd\":\"$RAW_ID\"}"
raw "{\"cmd\":\"stop\",\"line\":110105194912310038}"
raw "{\"cmd\":\"login\",\"line\":1,\"cert\":\"$RAW_ID\",\"pin\":\"$OP_PIN\"}"
raw "{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\",\"pin\":\"$RAW_ID\"}"
ctl status >"$T/out-status" 2>&1
ctl status --json >>"$T/out-status" 2>&1
check "the replies were refusals ($(grep -c '"ok":false' "$T/out-raw") of 4)" \
    [ "$(grep -c '"ok":false' "$T/out-raw")" -eq 4 ]
"$BUILD/tests/idscan" "$T" >"$T/idscan.out" 2>&1; rc=$?
check "no raw ID number in any reply, log or database of the run ($(head -n 3 "$T/idscan.out"))" \
    [ "$rc" -eq 0 ]
finish
