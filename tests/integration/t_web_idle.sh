#!/bin/sh
# A browser left open on the case list idles out (docs/console.md, "Sign-in,
# sessions, lock-out"): the list asks for its rows every poll_s on its own
# (/cases/rows, cases.js), and that is not a person's use of the session,
# so the session ends after session_idle_s without a person's request as
# any other does, rather than living for session_max_s (12 hours by
# default) on a desk or in a phone left in a car.
#
# Through a real gasweb over HTTPS (curl's cookie jars), session_idle_s 60:
# two sessions of one officer; one only polls the rows, as the page does,
# every 10 s; the other is left alone; after 70 s both are over.  A third
# that opens a page every 10 s (a person) is not.
# Negative control: with the poll counted as use (signin_session_find in
# http.c for /cases/rows) "the browser left on the case list has idled out
# too" fails (200).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys
county_start || { fail "gascounty did not start"; finish; }
county_stop # gasweb needs the county's database, not gascounty

web_conf "session_idle_s = 60
poll_s = 10"
web_passwd officer:wang@TA wang-password-1
web_start || { fail "gasweb did not start"; finish; }

for b in left polled used; do
	got=$(signin "$T/$b.jar" officer:wang@TA wang-password-1)
	check "wang signs in on the '$b' browser (303, got $got)" [ "$got" = 303 ]
done
# what the page polls (its data-rows), and that it is the rows
C -b "$T/polled.jar" "$U/cases" >"$T/cases.html"
rows=$(sed -n 's/.*data-rows="\([^"]*\)".*/\1/p' "$T/cases.html" | sed 's/&amp;/\&/g')
check "the case list polls its rows ($rows)" expr "$rows" : '/cases/rows?' '>' 0
code() { C -b "$T/$1.jar" -o /dev/null -w '%{http_code}' "$U$2"; }
got=$(code polled "$rows")
check "the rows answer 200 while the session lives (got $got)" [ "$got" = 200 ]

i=0
while [ $i -lt 7 ]; do
	sleep 10
	code polled "$rows" >/dev/null
	code used /cases >/dev/null
	i=$((i + 1))
done
got=$(code left /cases)
check "the browser left on no page has idled out after 70 s (303, got $got)" [ "$got" = 303 ]
got=$(code polled /cases)
check "the browser left on the case list has idled out too (303, got $got)" [ "$got" = 303 ]
got=$(code polled "$rows")
check "and its poll is sent to the sign-in, which the page follows (303, got $got)" \
    [ "$got" = 303 ]
got=$(code used /cases)
check "the browser a person used every 10 s is still signed in (200, got $got)" [ "$got" = 200 ]
finish
