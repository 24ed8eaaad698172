#!/bin/sh
# County-side rules (docs/county.md) with real processes: C01 the same cylinder
# filled at two stations within the window; C02 one buyer over the limit
# across stations, routed to the buyer's township; C04 a gap in a station's
# sequence not filled in time; C03 a station silent beyond its heartbeat.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys
# short C03/C04 limits for the test
COUNTY_EXTRA="c03_silent_s = 10
c04_gap_s = 1"
county_start || { fail "gascounty did not start"; finish; }

up() { # db station township
	"$BUILD/tests/uplink_run" -d "$1" -p "$CPORT" -s "$2" -t "$3" -k "$T/station_$2.key" \
	    -x -w 30 >>"$T/up.log" 2>&1
}

# C01: cylinder TWIN0 at S01 and at S02 within minutes
"$BUILD/tests/station_fill" "$T/a.db" -n 1 -s S01 -c TWIN -b TB
"$BUILD/tests/station_fill" "$T/b.db" -n 1 -s S02 -c TWIN -b TB
up "$T/a.db" S01 TA
up "$T/b.db" S02 TA
check "C01 raised once for the cloned cylinder" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule='C01' AND cylinder='TWIN0'")" = 1 ]
check "C01 went to the station's township" \
    [ "$(county_sql "SELECT township FROM alerts WHERE rule='C01'")" = TA ]

# C02: the same household buyer takes 3 more at S01 and 2 at S02 (limit 3
# in 30 days; the county already holds the 2 TWIN fills): over the limit
# across stations, routed to the buyer's township TB
"$BUILD/tests/station_fill" "$T/a.db" -n 3 -s S01 -c HOARD-A -b TB
"$BUILD/tests/station_fill" "$T/b.db" -n 2 -s S02 -c HOARD-B -b TB
up "$T/a.db" S01 TA
up "$T/b.db" S02 TA
check "C02 raised for the buyer" [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule='C02'")" -ge 1 ]
check "C02 went to the buyer's township, not the station's" \
    [ "$(county_sql "SELECT group_concat(DISTINCT township) FROM alerts WHERE rule='C02'")" = TB ]
check "C02 shows only the masked buyer" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule='C02' AND text LIKE '%330***********1234%'")" -ge 1 ]

# C04: S03 loses record 3 of 5 before sending (a gap the station cannot fill)
"$BUILD/tests/station_fill" "$T/c.db" -n 5 -s S03 -c GAP
sqlite3 "$T/c.db" "DELETE FROM outbox WHERE seq = 3"
"$BUILD/tests/uplink_run" -d "$T/c.db" -p "$CPORT" -s S03 -t TA -k "$T/station_S03.key" \
    -w 3 >>"$T/up.log" 2>&1
check "county holds S03 up to 2, and 4..5 beyond the gap" \
    [ "$(county_sql "SELECT hwm || '/' || max_seq FROM stations WHERE id='S03'")" = "2/5" ]
# the county stored the whole batch (4 and 5 beyond the gap): the station
# lets them go rather than resend them forever, and says what the county lacks
check "station lets go of what the county stored beyond its mark" \
    [ "$(sqlite3 "$T/c.db" "SELECT count(*) FROM outbox")" = 0 ]
check "station says the county lacks seq 3, which it no longer holds" \
    grep -q "county holds this station's records only up to seq 2: it lacks seq 3" "$T/up.log"
"$BUILD/gastrace" -u regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" stations >"$T/st.out"
check "gastrace stations shows S03 held to 2 of 5, with a gap" \
    sh -c "grep -q '^S03 .* 2 *5 *20[0-9][0-9]-' '$T/st.out'"
check "gastrace stations shows S01 complete" sh -c "grep -q '^S01 .* 4 *4 *- ' '$T/st.out'"
if sql_eventually 10 "SELECT count(*) FROM alerts WHERE rule='C04'" 1; then
	ok "C04 raised for the gap"
else
	fail "C04 raised for the gap"
fi
check "C04 names the missing record" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule='C04' AND text LIKE '%record 3 missing%'")" = 1 ]

# C03: every station has now been silent; after 10 s each gets one alert
if sql_eventually 20 "SELECT count(*) FROM alerts WHERE rule='C03'" 3; then
	ok "C03 raised once per silent station"
else
	fail "C03 raised once per silent station"
fi
sleep 2
check "C03 not repeated while the silence lasts" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule='C03'")" = 3 ]

# The county's own alert texts are written once, in gascounty's locale, as a station's
# rule reasons are in gasgw's: a county run under zh_CN tells its officers of a cloned
# code in Chinese (the English above is the C locale's)
county_stop
was_lang=${LANG-}
export LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale"
county_start "$CPORT" || fail "gascounty did not start again under zh_CN"
export LANG="$was_lang"
unset LANGUAGE GAS_LOCALEDIR
"$BUILD/tests/station_fill" "$T/a.db" -n 1 -s S01 -c ZHTWIN -b TB
"$BUILD/tests/station_fill" "$T/b.db" -n 1 -s S02 -c ZHTWIN -b TB
up "$T/a.db" S01 TA
up "$T/b.db" S02 TA
check "under zh_CN the county writes its C01 alert in Chinese" \
    [ "$(county_sql "SELECT count(*) FROM alerts WHERE rule='C01' AND cylinder='ZHTWIN0' AND text LIKE '气瓶 ZHTWIN0 在 S0_（%）和 S0_（%）都有充装：疑似克隆码？'")" = 1 ]
finish
