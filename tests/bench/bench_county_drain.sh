# Backlog drain (`make bench`): 10,000 fills queued in a station outbox go to
# a real gascounty over CoAP/DTLS-PSK on loopback, through the gateway's
# uplink (tests/helpers/uplink_run), with the gateway's default batch (200)
# and with the largest batch it accepts (1000), rate unlimited.
# Aim: under 5 s.
set -u
. "$(dirname "$0")/lib.sh"
N=${BENCH_DRAIN_RECORDS:-10000}

key="bench-station-key-000001"
printf '%s' "$key" | od -An -tx1 | tr -d ' \n' >"$T/s.key"
chmod 600 "$T/s.key"
echo "station:B01 $(cat "$T/s.key")" >"$T/ids"
# the station's township must be one of the county's (docs/county.md)
echo "township:TA $(cat "$T/s.key")" >>"$T/ids"
chmod 600 "$T/ids"
for batch in 200 1000; do
	port=$(free_port udp)
	rm -f "$T"/*.db*
	printf '[county]\nlisten = 127.0.0.1\nport = %s\ndatabase = %s\nidentities = %s\nlog_level = warn\n' \
	    "$port" "$T/county.db" "$T/ids" >"$T/county.conf"
	"$BUILD/gascounty" -c "$T/county.conf" -f 2>"$T/county.log" &
	county=$!; PIDS="$PIDS $county"
	"$BUILD/tests/station_fill" "$T/station.db" -n "$N" -s B01 -e 50 -r R09 -S flag -t TA
	sleep 0.3
	out=$("$BUILD/tests/uplink_run" -d "$T/station.db" -p "$port" -s B01 -t TA -k "$T/s.key" \
	    -b $batch -x -w 120 2>/dev/null | tail -n 1)
	held=$(sqlite3 "$T/county.db" "SELECT count(*) FROM records")
	secs=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')
	rate=$(echo "$out" | sed -n 's/.*(\([0-9]*\) records\/s).*/\1/p')
	echo "drain $N records, batch $batch: ${secs:-?} s, ${rate:-?} records/s, county holds $held" \
	    "(aim < 5 s: $(awk -v s="${secs:-99}" 'BEGIN { print (s < 5) ? "met" : "NOT met" }'))"
	kill "$county"; wait "$county" 2>/dev/null
done
