#!/bin/sh
# bench_console: the county console's page latency (p50, p99) for the case
# list (/cases, when this gasweb serves it), the map, a cylinder trace and
# the figures, with 1,000,000 fills (500 days of a county, 40 stations),
# 10,000 cases and 50,000 cylinders in the county database, first from one
# session alone, then from SESSIONS (200) signed-in sessions at once, each
# on its own keep-alive HTTPS connection going round the pages.  The
# reference measured in the same run is the static stylesheet under the
# same load (no database, no page): the last column is each page's p99 over
# it.  Aim: p99 under 50 ms for the case list and the map.  Printed, never
# asserted.
#
# The database is made by gascounty (its migrations) and filled in bulk by
# bench_console.py (setup only; synchronous off); gasweb then reads it with
# its own settings.  The client is Python on the same two cores as the
# server: under load its own share is in every figure, which is why the
# ratio to the static file is printed beside them.
. "$(dirname "$0")/lib.sh"
SESSIONS=${SESSIONS:-200}
THREADS=${THREADS:-8} # gasweb's threads (and so its database handles)

cat >"$T/county.conf" <<EOF
[county]
listen = 127.0.0.1
port = $(free_port udp)
database = $T/county.db
identities = $T/ids
EOF
: >"$T/ids"
chmod 600 "$T/ids"
"$BUILD/gascounty" -c "$T/county.conf" registry set LY-SETUP --owner setup >/dev/null 2>&1
[ -s "$T/county.db" ] || { echo "!! gascounty did not create the database"; exit 1; }
# the row that made gascounty create the database goes (its history row too)
for table in registry_history registry; do
	sqlite3 "$T/county.db" "DELETE FROM $table" 2>/dev/null
done
t0=$(date +%s)
/usr/bin/python3 "$top/tests/bench/bench_console.py" fill "$T/county.db" "$T/map.geojson" || exit 1
echo "(set-up: $(($(date +%s) - t0)) s; database $(du -m "$T/county.db" | cut -f1) MB)"

# the console tests' own set-up of gasweb (its TLS key, the county's keys,
# web.conf); the map is the one bench_console.py wrote
. "$top/tests/integration/web_lib.sh"
web_conf "max_connections = $((SESSIONS + 50))
per_ip = $((SESSIONS + 50))
threads = $THREADS
log_level = info"
PORT=$WPORT
. "$top/tests/integration/county_lib.sh" # key_file, county_sql (web_person)
web_passwd regulator:bench bench-password-1 # one of the county's people too
"$BUILD/gasweb" -c "$T/web.conf" -f >"$T/web.log" 2>&1 &
WEB=$!
PIDS="$PIDS $WEB"
i=0
while ! /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" \
    2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "gasweb: threads = $THREADS (8: the default), a database handle each, on $(nproc) cores shared with the client"
/usr/bin/python3 "$top/tests/bench/bench_console.py" measure "https://127.0.0.1:$PORT" \
    regulator:bench bench-password-1 "$SESSIONS" 50000
rc=$?
# gasweb's own count, logged at stop: how many pages had a handle at once
kill "$WEB" 2>/dev/null
wait "$WEB" 2>/dev/null
grep -o "database: at most .*" "$T/web.log" || echo "database: (this gasweb does not count its handles)"
exit $rc
