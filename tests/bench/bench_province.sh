# A county at province scale (`make bench`, issue 18): BENCH_PROVINCE_STATIONS
# (default 500) simulated stations in one process (bench_province), each with
# its own CoAP/DTLS-PSK session on loopback, uploading one fill record a
# batch every BENCH_PROVINCE_INTERVAL_MS (default 2000: 250 records/s from
# 500 stations, above the national peak of about 210 fills/s) for
# BENCH_PROVINCE_SECONDS (default 60) to one gascounty (synchronous=FULL).
# Prints records/s stored, send -> acknowledgement p50/p99, the county's CPU
# (% of one core) and peak RSS, and whether the county holds every record
# it acknowledged (nothing lost).  Reported, never asserted.
set -u
. "$(dirname "$0")/lib.sh"
n=${BENCH_PROVINCE_STATIONS:-500}
secs=${BENCH_PROVINCE_SECONDS:-60}
interval=${BENCH_PROVINCE_INTERVAL_MS:-2000}
tick=$(getconf CLK_TCK)

printf '%s' "bench-province-key-00001" | od -An -tx1 | tr -d ' \n' >"$T/s.key"
chmod 600 "$T/s.key"
key=$(cat "$T/s.key")
awk -v n="$n" -v k="$key" 'BEGIN { for (i = 1; i <= n; i++) printf "station:P%04d %s\n", i, k
	printf "township:TA %s\n", k }' >"$T/ids"
chmod 600 "$T/ids"
port=$(free_port udp)
cat >"$T/county.conf" <<-CONF
[county]
listen = 127.0.0.1
port = $port
database = $T/county.db
identities = $T/ids
log_level = warn
max_handshakes = $((n + 100))
handshakes_per_address = 0
max_idle = $((n + 100))
CONF
"$BUILD/gascounty" -c "$T/county.conf" -f 2>"$T/county.log" &
county=$!
PIDS="$PIDS $county"
sleep 0.5
c0=$(awk '{ print $14 + $15 }' "/proc/$county/stat")
out=$("$BUILD/bench/bench_province" -p "$port" -k "$T/s.key" -n "$n" -s "$secs" -i "$interval") ||
	{ echo "bench_province: no batch acknowledged (see $T/county.log)" >&2; echo "$out"; exit 1; }
c1=$(awk '{ print $14 + $15 }' "/proc/$county/stat")
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$county/status")
echo "$out" | grep -v '^acked '
acked=$(echo "$out" | sed -n 's/^acked //p')
held=$(sqlite3 "$T/county.db" "SELECT count(*) FROM records")
awk -v c0="$c0" -v c1="$c1" -v t="$tick" -v s="$secs" -v r="$rss" -v a="$acked" -v h="$held" 'BEGIN {
	printf "  county: CPU %.1f %% of one core over the run, peak RSS %.1f MB; holds %d records for %d acknowledged: %s\n",
	    100 * (c1 - c0) / t / (s + 1), r / 1024, h, a, (h >= a) ? "nothing lost" : "RECORDS LOST"
}'
kill "$county"
wait "$county" 2>/dev/null
