#!/bin/sh
# A lock-out that keeps an officer out (docs/console.md, "Sign-in, sessions,
# lock-out"): lockout_failures wrong passwords lock an account for
# lockout_s even for the right password, and identities are guessable
# (officer:wang@TA), so anyone (a station owner under investigation) could
# keep a township's officer out of the console for as long as they liked,
# a few wrong passwords every lockout_s.  A good sign-in now gives the
# browser a device cookie (OWASP's "device cookies"); with it the person
# signs in through the account's lock, held only by that cookie's own count.
#
# Through a real gasweb over HTTPS, as curl's cookie jars: the officer's
# phone and tablet sign in; an attacker elsewhere locks the account; the
# phone still signs in, a browser without the cookie does not, nor one with
# a forged cookie or another person's; wrong passwords from the tablet lock
# the tablet's cookie (the phone's still works); the cookie outlives a
# restart of gasweb; `gasweb passwd` ends it; and a cookie sent for an
# identity no one has gets the answer of any wrong password.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys
county_start || { fail "gascounty did not start"; finish; }
county_stop # gasweb needs the county's database, not gascounty

web_conf "lockout_failures = 3
lockout_s = 600"
web_passwd officer:wang@TA wang-password-1
web_passwd regulator:alice alice-password-1
web_start || { fail "gasweb did not start"; finish; }

DEV=__Host-gasweb-device
# the device cookie held in the jar $1
device_of() { awk -v n="$DEV" '$6 == n {print $7}' "$1"; }
# try VALUE IDENTITY PASSWORD: sign in from a browser holding only the device cookie VALUE
# ("": none); the HTTP status (303 signed in, 401 wrong, 429 locked)
try() {
	rm -f "$T/try.jar"
	[ -z "$1" ] || printf '#HttpOnly_127.0.0.1\tFALSE\t/\tTRUE\t0\t%s\t%s\n' "$DEV" "$1" \
	    >"$T/try.jar"
	signin "$T/try.jar" "$2" "$3"
}

# --- the officer's phone and tablet sign in and keep a device cookie ------------------
C -c "$T/phone.jar" -b "$T/phone.jar" "$U/signin" >"$T/phone.form"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/phone.form" | head -n 1)
code=$(C -c "$T/phone.jar" -b "$T/phone.jar" -D "$T/phone.head" -o /dev/null -w '%{http_code}' \
    --data-urlencode identity=officer:wang@TA --data-urlencode password=wang-password-1 \
    --data-urlencode "csrf=$csrf" "$U/signin")
check "the officer's phone signs in (303, got $code)" [ "$code" = 303 ]
PHONE=$(device_of "$T/phone.jar")
check "and gets a device cookie: __Host-, Secure, HttpOnly, SameSite=Strict, Path=/, a year" \
    all '[ -n "$PHONE" ]' \
    'grep -qi "^set-cookie: $DEV=$PHONE; Max-Age=31536000; Path=/; Secure; HttpOnly; SameSite=Strict" "$T/phone.head"'
[ "$(signin "$T/tablet.jar" officer:wang@TA wang-password-1)" = 303 ]
TABLET=$(device_of "$T/tablet.jar")
check "the tablet gets a cookie of its own" all '[ -n "$TABLET" ]' '[ "$TABLET" != "$PHONE" ]'
[ "$(signin "$T/alice.jar" regulator:alice alice-password-1)" = 303 ]
ALICE=$(device_of "$T/alice.jar")
check "the password is not in the cookie, nor the cookie in the log" \
    all '! grep -q wang-password-1 "$T/phone.jar"' '! grep -q "$PHONE" "$T/web.log"'

# --- an attacker without the cookie locks the account -----------------------------------
for i in 1 2 3; do code=$(try "" officer:wang@TA "guess-$i-guess"); done
check "an attacker's third wrong password locks officer:wang@TA (429, got $code)" [ "$code" = 429 ]
code=$(try "" officer:wang@TA wang-password-1)
check "a browser without a device cookie is locked out, the right password too (429, got $code)" \
    [ "$code" = 429 ]
code=$(try "$PHONE" officer:wang@TA wang-password-1)
check "the phone that signed in before still signs in with the right password (303, got $code)" \
    [ "$code" = 303 ]
check "the log says it was a known device" \
    grep -q "signed in: officer:wang@TA from 127.0.0.1 (a known device)" "$T/web.log"
code=$(try "$PHONE" officer:wang@TA wang-password-2)
check "the phone with a wrong password is refused (401, got $code)" [ "$code" = 401 ]
code=$(try "" officer:wang@TA wang-password-1)
check "the phone's sign-in did not lift the lock for browsers without the cookie (429, got $code)" \
    [ "$code" = 429 ]

# --- forged cookies, another person's, and an identity no one has -------------------------
last=$(printf '%s' "$PHONE" | cut -c 97)
[ "$last" = a ] && swap=b || swap=a
FORGED="$(printf '%s' "$PHONE" | cut -c 1-96)$swap"
code=$(try "$FORGED" officer:wang@TA wang-password-1)
check "a cookie changed in its last character gives no way through (429, got $code)" [ "$code" = 429 ]
FORGED="$(printf '%s' "$TABLET" | cut -c 1-33)$(printf '%s' "$PHONE" | cut -c 34-)"
code=$(try "$FORGED" officer:wang@TA wang-password-1)
check "nor the tablet's nonce with the phone's MAC (429, got $code)" [ "$code" = 429 ]
code=$(try "$ALICE" officer:wang@TA wang-password-1)
check "nor the regulator's own cookie for the officer (429, got $code)" [ "$code" = 429 ]
code=$(try "x$PHONE" officer:wang@TA wang-password-1)
check "nor one of the wrong length (429, got $code)" [ "$code" = 429 ]
code_none=$(try "" officer:ghost@TA wang-password-1)
code_dev=$(try "$PHONE" officer:ghost@TA wang-password-1)
code_known=$(try "" regulator:alice wrong-password-9)
check "an identity no one has answers the same with a cookie as without, as a wrong password ($code_dev $code_none $code_known)" \
    all '[ "$code_dev" = 401 ]' '[ "$code_none" = 401 ]' '[ "$code_known" = 401 ]'

# --- wrong passwords from the tablet lock the tablet's cookie, not the phone's ------------
for i in 1 2 3; do code=$(try "$TABLET" officer:wang@TA "tablet-$i-typo"); done
check "the tablet's third wrong password locks its cookie (429, got $code)" [ "$code" = 429 ]
code=$(try "$TABLET" officer:wang@TA wang-password-1)
check "then the tablet is an untrusted browser: the account's lock holds it (429, got $code)" \
    [ "$code" = 429 ]
code=$(try "$PHONE" officer:wang@TA wang-password-1)
check "the phone still signs in (303, got $code)" [ "$code" = 303 ]

# --- the cookie outlives a restart; a new password ends it ---------------------------------
kill "$PID_web"
wait "$PID_web" 2>/dev/null
web_start || { fail "gasweb did not start again"; finish; }
for i in 1 2 3; do code=$(try "" officer:wang@TA "guess-$i-again"); done
check "after a restart, the attacker locks the account again (429, got $code)" [ "$code" = 429 ]
code=$(try "$PHONE" officer:wang@TA wang-password-1)
check "the phone's cookie made before the restart still signs in (303, got $code)" [ "$code" = 303 ]
web_passwd officer:wang@TA wang-password-1 # the same password again: a new salt, a new hash
code=$(try "$PHONE" officer:wang@TA wang-password-1)
check "after gasweb passwd the old cookie no longer signs in through the lock (429, got $code)" \
    [ "$code" = 429 ]
code=$(try "" regulator:alice alice-password-1)
check "another person's sign-in is untouched (303, got $code)" [ "$code" = 303 ]
check "no password reached the log" \
    all '! grep -q "wang-password" "$T/web.log"' '! grep -q "guess-1-guess" "$T/web.log"'
finish
