#!/bin/sh
# gascounty on SIGHUP re-reads its whole configuration, on real records:
# a county rule threshold changed in the file takes effect without a
# restart (C01 starts, then stops, firing); a file with an error, or
# identities that do not load, keep the old configuration entirely and the
# log names the line; a changed port or database (CONF_RESTART rows of the
# configuration table) is kept as it was, named in the log with its line (a
# routine event: info, not a warning), while the rest of the file applies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

county_keys
COUNTY_EXTRA="c01_minutes = 0
c02_household_max = 0"
county_start || { fail "gascounty did not start"; finish; }

# conf LINES: county.conf with these lines in place of COUNTY_EXTRA's
conf() { COUNTY_EXTRA=$1; county_conf; }

# hup: SIGHUP, and wait for the reload's last line ("reload: ...")
hup() {
	_n=$(( $(grep -c 'reload: ' "$T/county.log") + 1 ))
	kill -HUP "$PID_county"
	count_eventually 10 "$T/county.log" 'reload: ' "$_n"
}

# pair CYL: cylinder CYL0 filled at S01 and at S02 moments apart (a cloned
# code if C01 is on), both sent to the county
pair() {
	"$BUILD/tests/station_fill" "$T/a.db" -n 1 -s S01 -c "$1" -b TB
	"$BUILD/tests/station_fill" "$T/b.db" -n 1 -s S02 -c "$1" -b TB
	for s in a:S01 b:S02; do
		"$BUILD/tests/uplink_run" -d "$T/${s%%:*}.db" -p "$CPORT" -s "${s#*:}" -t TA \
		    -k "$T/station_${s#*:}.key" -x -w 30 >>"$T/up.log" 2>&1 ||
		    fail "uplink of $1 from ${s#*:}"
	done
}
c01() { county_sql "SELECT count(*) FROM alerts WHERE rule='C01' AND cylinder='${1}0'"; }
alive() { kill -0 "$PID_county" 2>/dev/null; }

# 1. C01 off as started
pair ONE
check "c01_minutes = 0: no C01 for a cylinder filled at two stations" [ "$(c01 ONE)" = 0 ]

# 2. C01 on by SIGHUP
conf "c01_minutes = 60
c02_household_max = 0"
if hup && grep -q "reload: configuration from $T/county.conf and 6 identities" "$T/county.log"; then
	ok "SIGHUP: gascounty says the file and the identities are in force"
else
	fail "SIGHUP: gascounty says the file and the identities are in force"
fi
pair TWO
check "after SIGHUP with c01_minutes = 60, C01 fires without a restart" [ "$(c01 TWO)" = 1 ]

# 3. a broken file: the line is logged, nothing of it applies (its
#    c01_minutes = 0 would stop C01; the server goes on with 60)
conf "c01_minutes = 0
c02_household_max = 0
max_trace = lots"
hup
check "a broken file on SIGHUP: the log names FILE:LINE" \
    grep -q "$T/county.conf:9: 'max_trace' must be a whole number, not 'lots'" "$T/county.log"
check "a broken file on SIGHUP: the log says the old configuration stays" \
    grep -q "reload: $T/county.conf does not load; the previous configuration and identities stay in force" \
    "$T/county.log"
check "a broken file on SIGHUP: gascounty still runs" alive
pair THREE
check "a broken file on SIGHUP: not half-applied, C01 still fires (60 min)" [ "$(c01 THREE)" = 1 ]

# 4. identities that do not load: the (good) file around them is not applied either
COUNTY_IDS=$T/no-such-identities
conf "c01_minutes = 0
c02_household_max = 0"
COUNTY_IDS=
hup
check "identities that do not load on SIGHUP: the old configuration stays" \
    grep -q "reload: the previous configuration and identities stay in force" "$T/county.log"
pair FOUR
check "identities that do not load: C01 still fires (c01_minutes not applied)" [ "$(c01 FOUR)" = 1 ]

# 5. port and database changed with a threshold: those two warn and stay,
#    the threshold applies
COUNTY_PORT=$(free_port udp) COUNTY_DB=$T/other.db
conf "c01_minutes = 0
c02_household_max = 0"
hup
check "a changed port on SIGHUP is named with FILE:LINE and the key" \
    grep -q "$T/county.conf:3: 'port' changes only on restart" "$T/county.log"
check "a changed database on SIGHUP is named with FILE:LINE and the key" \
    grep -q "$T/county.conf:4: 'database' changes only on restart" "$T/county.log"
check "a key that waits for a restart is no warning" \
    sh -c "! grep -q \"warning: .*'port' changes only on restart\" '$T/county.log'"
check "a changed port on SIGHUP: gascounty still runs" alive
pair FIVE
check "the old port still serves, into the old database" \
    [ "$(county_sql "SELECT count(*) FROM fills WHERE cylinder='FIVE0'")" = 2 ]
check "the rest of that file applied: C01 stopped firing" [ "$(c01 FIVE)" = 0 ]
check "no database opened at the new path" [ ! -e "$T/other.db" ]
check "nothing in the log says 'fatal'" sh -c "! grep -qi fatal '$T/county.log'"
finish
