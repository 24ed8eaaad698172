#!/bin/sh
# The county notices a station whose clock is wrong (C14, docs/county.md "A
# station's clock"): a real gasgw heartbeats to a real gascounty over DTLS,
# and the county compares each heartbeat's time with its own clock.  With
# the right clock nothing is raised; moved three hours back
# (tests/shim/wallclock.c moves gasgw's clock alone, its uplink process's
# too), one C14 for the station's township whatever the heartbeats that
# follow, which gaswatch shows, gastrace stations says and the console's map card
# of the station shows in the reader's language; its bound taken
# up by SIGHUP at once; set right again, the episode ends and nothing more
# is raised; two hours ahead, an hour later, a new one.  No fill is made: the heartbeat alone carries the clock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys township:330825101 # the station's township (fill_lib)
county_start || { fail "gascounty starts"; finish; }
STATION_ID=S01
county_uplink
NO_LOGIN=1
fill_setup 1 || { fail "set-up"; finish; }

c14() { county_sql "SELECT count(*) FROM alerts WHERE rule = 'C14' AND station = 'S01' $1"; }
# more_beats N: wait until N more heartbeats than now have arrived, one
# after another: the county keeps the newest of each minute, so each moves
# the arrival time of S01's newest heartbeats row
newest_beat() {
	sqlite3 "$T/county.db" "SELECT coalesce(max(received_ms), 0) FROM heartbeats WHERE station = 'S01'"
}
more_beats() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		_seen=$(newest_beat)
		wait_for 30 sh -c "[ \"\$(sqlite3 '$T/county.db' \"SELECT coalesce(max(received_ms), 0) FROM heartbeats WHERE station = 'S01'\")\" -gt $_seen ]" ||
		    return 1
		_i=$((_i + 1))
	done
}
trace_stations() {
	"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" "$@" stations
}

# --- the right clock: heartbeats, no C14 --------------------------------------------------
check "gasgw with the right clock heartbeats to the county" more_beats 2
check "... and the county raises no C14 for it" [ "$(c14)" = 0 ]
check "... having measured its clock within a few seconds of its own" \
    [ "$(county_sql "SELECT abs(clock_skew_ms) < 5000 AND clock_alerted = 0 FROM stations WHERE id = 'S01'")" = 1 ]

# --- three hours back: one C14, however many heartbeats follow -----------------------------
gw_with_clock -10800 || { fail "gasgw three hours back"; finish; }
if sql_eventually 30 "SELECT count(*) FROM alerts WHERE rule = 'C14' AND station = 'S01'" 1; then
	ok "gasgw three hours back: the county raises C14"
else
	fail "gasgw three hours back: the county raises C14"
fi
check "... to the station's township, saying what its clock read and how far behind" \
    [ "$(c14 "AND township = '330825101' AND severity = 'alert' AND text LIKE 'station S01: its clock reads 20%, 3 h behind the county''s'")" = 1 ]
check "three heartbeats more, the same episode: still one C14" all "more_beats 3" "[ \"\$(c14)\" = 1 ]"
check "the county keeps the station's skew, about -3 h" \
    [ "$(county_sql "SELECT abs(clock_skew_ms + 10800000) < 5000 AND clock_alerted = 1 FROM stations WHERE id = 'S01'")" = 1 ]
"$BUILD/gaswatch" --township 330825101 -k "$T/township_330825101.key" -p "$CPORT" --once \
    >"$T/watch.out" 2>&1
check "gaswatch of the township shows the C14 alert" \
    grep -q "C14 .*station S01: its clock reads .*3 h behind the county's" "$T/watch.out"
if sql_eventually 15 "SELECT count(*) FROM cases WHERE kind = 'C14' AND station = 'S01' AND township = '330825101'" 1; then
	ok "... and it is the township's case, as C03's and C04's are"
else
	fail "... and it is the township's case, as C03's and C04's are"
fi
trace_stations >"$T/st.out" 2>&1
check "gastrace stations leads S01's status with its clock" \
    grep -Eq '^S01 .* clock 3 h behind' "$T/st.out"
trace_stations --csv >"$T/st.csv" 2>&1
check "gastrace stations --csv: the skew in seconds and clock_wrong" \
    all "head -1 '$T/st.csv' | grep -q ',status,clock_skew_s,clock_wrong\$'" \
    "grep -Eq '^S01,.*,-10[78][0-9][0-9],yes\$' '$T/st.csv'"
trace_stations --json >"$T/st.json" 2>&1
check "gastrace stations --json: clock_skew (ms) and clock_wrong" \
    /usr/bin/python3 -c 'import json, sys
s = [s for s in json.load(open(sys.argv[1]))["stations"] if s["id"] == "S01"][0]
assert abs(s["clock_skew"] + 10800000) < 5000 and s["clock_wrong"] is True, s
' "$T/st.json"

# the regulator's map: the card of S01 is amber and says how far off, in the
# reader's language
web_conf
web_passwd regulator:alice alice-password-1
web_start || { fail "gasweb starts"; finish; }
signin "$T/alice.jar" regulator:alice alice-password-1 >/dev/null
card() { # LANG FILE: S01's card on the map
	C -b "$T/alice.jar" -H "Accept-Language: $1" -o "$T/$2.html" "$U/map"
	sed -n 's/.*\(<article class="card station [a-z]*" id="st-S01">.*\)/\1/p' "$T/$2.html" |
	    sed 's,</article>.*,,' >"$T/$2.card"
}
card en map-en
check "the console's map: S01's card is amber and says its clock is 3 h behind" \
    all "grep -q '^<article class=\"card station warn\" id=\"st-S01\">' '$T/map-en.card'" \
    "grep -qF '<dt>Clock</dt><dd class=\"note clock\">3 h behind (the county holds it wrong)</dd>' '$T/map-en.card'"
card zh map-zh
check "... in Chinese to a Chinese browser" \
    grep -qF '<dt>时钟</dt><dd class="note clock">慢 3 小时（县平台判定不准）</dd>' "$T/map-zh.card"

# --- the bound on SIGHUP, at once: 24 h makes 3 h back right, and back to 600 s wrong again ----
reload_county() { # the [county] lines of $1 in force by SIGHUP
	COUNTY_EXTRA=$1 county_conf
	_n=$(grep -c 'reload: configuration from' "$T/county.log")
	kill -HUP "$PID_county"
	wait_for 10 sh -c "[ \"\$(grep -c 'reload: configuration from' '$T/county.log')\" -gt $_n ]"
}
reload_county "c14_clock_skew_s = 86400"
check "c14_clock_skew_s = 86400 by SIGHUP: 3 h back is within half of it, the episode ends" \
    all "more_beats 1" \
    "[ \"\$(county_sql \"SELECT clock_alerted FROM stations WHERE id = 'S01'\")\" = 0 ]" \
    "[ \"\$(c14)\" = 1 ]"
reload_county ""
check "600 s again: a new episode, within the hour of the last C14, so no alert" \
    all "more_beats 1" \
    "[ \"\$(county_sql \"SELECT clock_alerted FROM stations WHERE id = 'S01'\")\" = 1 ]" \
    "[ \"\$(c14)\" = 1 ]"

# --- set right: the episode ends, nothing more is raised -----------------------------------
gw_with_clock "" || { fail "gasgw with the real clock"; finish; }
check "the clock set right: the episode ends" \
    all "more_beats 2" \
    "[ \"\$(county_sql \"SELECT clock_alerted FROM stations WHERE id = 'S01'\")\" = 0 ]"
check "... with no new C14" [ "$(c14)" = 1 ]
trace_stations >"$T/st2.out" 2>&1
check "... and gastrace stations says nothing of S01's clock" \
    all "grep -q '^S01 ' '$T/st2.out'" "! grep -q 'clock' '$T/st2.out'"
trace_stations --json >"$T/st2.json" 2>&1
check "... nor its JSON of a wrong clock" \
    /usr/bin/python3 -c 'import json, sys
s = [s for s in json.load(open(sys.argv[1]))["stations"] if s["id"] == "S01"][0]
assert "clock_wrong" not in s and abs(s.get("clock_skew", 0)) < 5000, s
' "$T/st2.json"

card en map-en2
check "... and the console's card of S01 says nothing of its clock" \
    all "grep -q 'id=\"st-S01\"' '$T/map-en2.card'" "! grep -q 'Clock' '$T/map-en2.card'"

# --- two hours ahead, an hour after the last C14: a new episode, a new alert ---------------
# (an episode within the hour of the last alert raises none: the hour passes here by
# moving the station's last C14 back)
county_sql "UPDATE stations SET clock_alert_ms = clock_alert_ms - 3600000 WHERE id = 'S01'"
gw_with_clock +7200 || { fail "gasgw two hours ahead"; finish; }
if sql_eventually 30 "SELECT count(*) FROM alerts WHERE rule = 'C14' AND station = 'S01'" 2; then
	ok "gasgw two hours ahead: a new C14"
else
	fail "gasgw two hours ahead: a new C14"
fi
check "... saying it is ahead" [ "$(c14 "AND text LIKE '%, 2 h ahead of the county''s'")" = 1 ]
card en map-en3
check "... and so does the console's card of S01" \
    grep -qF '<dt>Clock</dt><dd class="note clock">2 h ahead (the county holds it wrong)</dd>' "$T/map-en3.card"
check "... and no more while it lasts" all "more_beats 2" "[ \"\$(c14)\" = 2 ]"
check "gascounty logged no error" sh -c "! grep -Eq 'warning: .*(heartbeat|C14)' '$T/county.log'"
finish
