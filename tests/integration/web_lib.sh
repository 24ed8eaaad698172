# What the console's tests share (sourced after lib.sh and county_lib.sh):
# a gasweb on the county database $T/county.db, with its own TLS key and a
# map of townships TA and TB.
#
#   web_conf [KEY = VALUE lines]   write $T/web.conf (the lines appended),
#                                  its TLS key, the map (unless the test
#                                  wrote its own) and the county's keys;
#                                  sets WPORT and U (its https URL)
#   web_passwd IDENTITY PASSWORD   set a person's console password, and make
#                                  IDENTITY one of the county's people
#                                  (web_person)
#   web_person IDENTITY            give IDENTITY a key in the county's
#                                  identities $T/ids unless it has one; a
#                                  running gascounty reads it again (SIGHUP)
#                                  and the test waits until the console's
#                                  table people holds it (people are the
#                                  identities of that file: docs/console.md);
#                                  with gascounty stopped, the row it would
#                                  write at its next start is written here
#   web_start                      start gasweb (-f -v, log $T/web.log)
#   C curl-args...                 curl to the console (self-signed, 20 s)
#   signin JAR IDENTITY PASSWORD   sign in with cookie jar JAR; prints the
#                                  HTTP status (303: signed in)

web_conf() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	    -subj /CN=localhost -keyout "$T/web.key" -out "$T/web.crt" 2>/dev/null
	chmod 600 "$T/web.key"
	[ -e "$T/keys/county.pub" ] || "$BUILD/gaslabel" keygen --out "$T/keys" >/dev/null
	[ -e "$T/map.geojson" ] || cat >"$T/map.geojson" <<-'EOF'
	{"type": "FeatureCollection", "features": [
	 {"type": "Feature", "properties": {"code": "TA", "name": "甲镇", "name_en": "Town A"},
	  "geometry": {"type": "Polygon", "coordinates": [[[119.10, 29.00], [119.20, 29.00],
	   [119.20, 29.10], [119.10, 29.10], [119.10, 29.00]]]}},
	 {"type": "Feature", "properties": {"code": "TB", "name": "乙镇", "name_en": "Town B"},
	  "geometry": {"type": "Polygon", "coordinates": [[[119.20, 29.00], [119.30, 29.00],
	   [119.30, 29.10], [119.20, 29.10], [119.20, 29.00]]]}}
	]}
	EOF
	WPORT=$(free_port tcp)
	cat >"$T/web.conf" <<-EOF
	[web]
	listen = 127.0.0.1
	port = $WPORT
	certificate = $T/web.crt
	key = $T/web.key
	database = $T/county.db
	passwords = $T/passwords
	map = $T/map.geojson
	code_key = $T/keys/county.pub
	${1:-}
	EOF
	U="https://127.0.0.1:$WPORT"
}

web_start() {
	: >"$T/web.log"
	spawn web "$BUILD/gasweb" -c "$T/web.conf" -f -v
	wait_for 10 grep -q "listening on" "$T/web.log"
}

web_passwd() {
	printf '%s\n' "$2" | "$BUILD/gasweb" -c "$T/web.conf" passwd "$1" >/dev/null || return 1
	web_person "$1"
}

web_person() {
	grep -q "^$1 " "$T/ids" 2>/dev/null && return 0
	_f="$T/$(echo "$1" | tr ':' '_').key"
	key_file "$1" "$_f"
	echo "$1 $(tr -d '\n' <"$_f")" >>"$T/ids"
	chmod 600 "$T/ids"
	if [ -n "${PID_county:-}" ] && kill -0 "$PID_county" 2>/dev/null; then
		kill -HUP "$PID_county"
		sql_eventually 10 "SELECT count(*) FROM people WHERE identity = '$1'" 1
	elif [ -e "$T/county.db" ]; then # what gascounty writes at its next start
		county_sql "INSERT OR IGNORE INTO people VALUES ('$1', 0)"
	fi
}

C() { curl -sk --max-time 20 "$@"; }

signin() {
	C -c "$1" -b "$1" "$U/signin" >"$1.form"
	csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$1.form" | head -n 1)
	C -c "$1" -b "$1" -o /dev/null -w '%{http_code}' --data-urlencode "identity=$2" \
	    --data-urlencode "password=$3" --data-urlencode "csrf=$csrf" "$U/signin"
}
