# Another station's batches while one floods heartbeats (`make bench`;
# docs/county.md, "One commit a floor"): station B02 holds a real key and
# sends heartbeats back to back over one DTLS session; meanwhile B01 sends
# BATCHES batches of 50 records, each over its own session, and the time
# until the last is acknowledged is taken.  Once with heartbeat_min_s = 0
# (every heartbeat a durable commit, the county before the floor) and once
# with the default (10 s), then with no flood at all; the ratio is the
# flood's cost to B01 without the floor over its cost with it, and the
# county's commits meanwhile (iChange of the WAL index header).  Reported,
# never asserted.  Where a sync is cheap (this machine's virtual disk:
# about 45 us an fdatasync) the loop's time per request, not the sync,
# is what the flood costs B01, and the floor buys little time there; on
# flash, where a sync takes milliseconds, the commits are the cost.
set -u
. "$(dirname "$0")/lib.sh"
BATCHES=${BENCH_HBFLOOD_BATCHES:-40}

for id in station:B01 station:B02 township:TA; do
	printf '%s' "bench-key-of-$id-000000" | cut -c1-24 | od -An -tx1 | tr -d ' \n' \
	    >"$T/$(echo "$id" | tr ':' '_').key"
	chmod 600 "$T/$(echo "$id" | tr ':' '_').key"
	echo "$id $(cat "$T/$(echo "$id" | tr ':' '_').key")" >>"$T/ids"
done
chmod 600 "$T/ids"
i=1
while [ $i -le "$BATCHES" ]; do
	recs=""
	j=1
	while [ $j -le 50 ]; do
		recs="$recs kind=event,seq=$(((i - 1) * 50 + j))"
		j=$((j + 1))
	done
	# shellcheck disable=SC2086
	"$BUILD/tests/batchgen" -s B01 -t TA $recs >"$T/b$i.cbor"
	i=$((i + 1))
done

# the county's write transactions so far: the WAL index header's iChange
commits() { od -An -tu4 -j8 -N4 "$T/county.db-shm" | tr -d ' '; }

# run FLOOR FLOOD: B01's BATCHES batches: "SECONDS COMMITS", the seconds to
# the last ACK and the county's commits meanwhile
run() {
	port=$(free_port udp)
	rm -f "$T"/county.db*
	printf '[county]\nlisten = 127.0.0.1\nport = %s\ndatabase = %s\nidentities = %s\nlog_level = warn\nheartbeat_min_s = %s\n' \
	    "$port" "$T/county.db" "$T/ids" "$1" >"$T/county.conf"
	"$BUILD/gascounty" -c "$T/county.conf" -f 2>"$T/county.log" &
	county=$!
	PIDS="$PIDS $county"
	sleep 0.3
	flood=""
	if [ "$2" = flood ]; then
		"$BUILD/tests/coapreq" -p "$port" -u station:B02 -k "$T/station_B02.key" -m POST \
		    -P heartbeat -b "heartbeat:B02:TA:backlog 0" -n 10000000 >/dev/null 2>&1 &
		flood=$!
		PIDS="$PIDS $flood"
		sleep 0.5
	fi
	before=$(commits)
	start=$(date +%s.%N)
	k=1
	while [ $k -le "$BATCHES" ]; do
		"$BUILD/tests/coapreq" -p "$port" -u station:B01 -k "$T/station_B01.key" -m POST \
		    -P records -f "$T/b$k.cbor" -t 30000 >"$T/b.out" 2>/dev/null
		grep -qx 'code 2.04' "$T/b.out" || echo "batch $k: $(head -n 1 "$T/b.out")" >&2
		k=$((k + 1))
	done
	end=$(date +%s.%N)
	after=$(commits)
	[ -n "$flood" ] && kill "$flood" 2>/dev/null && wait "$flood" 2>/dev/null
	held=$(sqlite3 "$T/county.db" "SELECT count(*) FROM records")
	kill "$county"
	wait "$county" 2>/dev/null
	[ "$held" = $((BATCHES * 50)) ] || echo "county holds $held records of $((BATCHES * 50))" >&2
	awk -v a="$start" -v b="$end" -v c=$((after - before)) 'BEGIN { printf "%.2f %d", b - a, c }'
}

set -- $(run 10 none)
quiet=$1
set -- $(run 0 flood)
nofloor=$1 nofloor_c=$2
set -- $(run 10 flood)
floor=$1 floor_c=$2
echo "B01's $BATCHES batches of 50 records: ${quiet} s with no flood;" \
    "beside B02's heartbeat flood ${nofloor} s with heartbeat_min_s = 0 (the county made" \
    "$nofloor_c commits meanwhile), ${floor} s with 10 s ($floor_c commits)"
awk -v q="$quiet" -v n="$nofloor" -v f="$floor" -v nc="$nofloor_c" -v fc="$floor_c" 'BEGIN {
	printf "flood cost to B01 (time less the quiet one): %.2f s without the floor, %.2f s with it", n - q, f - q
	if (f - q > 0.01) printf " (%.1fx)", (n - q) / (f - q)
	printf "; time with the floor / without: %.2f; commits without / with: %.0fx\n", (n > 0) ? f / n : 0, (fc > 0) ? nc / fc : 0
}'
