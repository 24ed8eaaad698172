# County-link test helpers (sourced after lib.sh).
#
#   county_keys [ID...]      write $T/ids and one key file per identity (the usual six,
#                            then each ID given: e.g. township:330825101, the township
#                            of fill_lib's station, which the county must know)
#   county_start [PORT]      start gascounty on PORT (default a free one), wait until it listens;
#                            $COUNTY_EXTRA (lines) is added to its [county] section
#   county_conf              (re)write $T/county.conf: port $CPORT, database $T/county.db,
#                            identities $T/ids unless $COUNTY_PORT, $COUNTY_DB, $COUNTY_IDS
#                            say otherwise; then check_s = 1 and $COUNTY_EXTRA
#   county_stop              stop it (by PID)
#   key_ascii NAME           the ASCII key of an identity (for coap-client -k)
#
# Keys are ASCII text (hex-encoded in the files) so that coap-client-openssl,
# whose -k takes the key as text, can use the same keys.

key_ascii() { printf '%s' "secret-of-$1-0123456789" | cut -c1-24; }

key_file() { # identity file
	printf "%s" "$(key_ascii "$1")" | od -An -tx1 | tr -d " \n" >"$2"
	echo >>"$2"
	chmod 600 "$2"
}

county_keys() {
	: >"$T/ids"
	chmod 600 "$T/ids"
	for id in station:S01 station:S02 station:S03 township:TA township:TB regulator:alice "$@"; do
		f="$T/$(echo "$id" | tr ':' '_').key"
		key_file "$id" "$f"
		echo "$id $(tr -d '\n' <"$f")" >>"$T/ids"
	done
}

county_conf() {
	cat >"$T/county.conf" <<EOF
[county]
listen = 127.0.0.1
port = ${COUNTY_PORT:-$CPORT}
database = ${COUNTY_DB:-$T/county.db}
identities = ${COUNTY_IDS:-$T/ids}
check_s = 1
${COUNTY_EXTRA:-}
EOF
}

county_start() {
	CPORT=${1:-$(free_port udp)}
	county_conf
	: >"$T/county.log"
	spawn county "$BUILD/gascounty" -c "$T/county.conf" -f -v
	wait_for 10 grep -q "listening on" "$T/county.log"
}

county_stop() {
	kill "$PID_county" 2>/dev/null
	wait "$PID_county" 2>/dev/null
}

# county_sql SQL: a query on the county database
# county_mint SERIAL...: the county's keys in $T/keys (a buyer key too) and
# signed codes for these cylinders (YSP35.5, active) in $T/minted, their
# registry in $T/registry.csv; fails (and says so) if gaslabel does.
county_mint() {
	mkdir -p "$T/minted"
	"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null || { fail "set-up: keys"; return 1; }
	{
		echo "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status"
		for s in "$@"; do
			echo "$s,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active"
		done
	} >"$T/registry.csv"
	"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/registry.csv" \
	    --out "$T/minted" --no-labels >/dev/null || { fail "set-up: codes"; return 1; }
}

county_sql() { sqlite3 "$T/county.db" "$1"; }

# sql_eventually SECONDS SQL VALUE: wait until the county query gives VALUE
sql_eventually() {
	_end=$(( $(date +%s) + $1 ))
	while [ "$(county_sql "$2")" != "$3" ]; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
	return 0
}

# count_eventually SECONDS FILE PATTERN N: wait until FILE has N lines matching PATTERN
count_eventually() {
	_end=$(( $(date +%s) + $1 ))
	while [ "$(grep -c -- "$3" "$2" 2>/dev/null)" != "$4" ]; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
	return 0
}
