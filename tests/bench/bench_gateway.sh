# Gateway cost (`make bench`): gasgw serving 8 fill lines (16 Modbus units:
# scale + valve each) polled at 20 Hz over Modbus TCP from gassim, idle
# lines with a cylinder on each scale, a 50,000-cylinder registry in the
# station database; beside it, in the same run and
# against the same simulator, a pymodbus loop (Debian's python3-pymodbus,
# /usr/bin/python3) doing the same reads at the same rate (what Python
# gateways run).  Prints CPU % of one core, CPU time per unit poll and peak
# RSS of each, and the ratio.  Then the same again while a CPU hog (one
# busy-looping process per core, same priority) keeps the machine busy: a
# poller scheduled late must not cost more per poll (time-outs,
# reconnections, extra wake-ups).  BENCH_SECONDS sets each measuring time
# (default 20).  Timings are reported, never asserted.
#
# BENCH_FILLS=N (default 0: skipped) then measures gasgw's private memory in
# long operation: a fresh gasgw, 8 operators' logins (an Argon2id check
# each), N fills through it at BENCH_FLOW kg/s (default 2) on the 8 lines,
# each a different cylinder of the 50,000, `gasctl status` after each and
# `gasctl fills` every 5; private dirty before, right after, and after
# BENCH_REST seconds at rest (default 65: gasgw gives its caches back
# once every line rests, at most once a minute), and on stderr where the
# private memory at rest is.
#
# CPU is the scheduler's account of every thread (schedstat, ns), with each
# thread's share and its sleeps (voluntary context switches) on stderr, and
# the Modbus requests gassim counted, so the cost per request sent shows
# beside the cost per unit poll.  Private memory is the private dirty pages
# (heap, stacks, written data: memory only gasgw holds); the private clean
# pages (library code no other process happens to map at that moment, which
# the kernel can drop and read again) are printed apart: they are shared as
# soon as another process maps the same library.
set -u
. "$(dirname "$0")/lib.sh"
secs=${BENCH_SECONDS:-20}
lines=8
hz=20

# CPU time of every thread of a process, in ns (the scheduler's own
# account, not /proc's 10 ms ticks: about 20 of those a run were +-5 %)
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }
sim_requests() { printf 'status\n' | socat - "UNIX-CONNECT:$T/sim.sock" | sed -n 's/^bus .*tcp_requests \([0-9]*\).*/\1/p'; }
# one word per thread: CPU ns/voluntary context switches (its sleeps)
thread_figures() {
	for t in /proc/"$1"/task/*; do
		printf '%s/%s ' "$(awk '{ print $1 }' "$t/schedstat")" \
		    "$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")"
	done
}

"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null || exit 1
port=$(free_port)
"$BUILD/gassim" --lines $lines --tcp "127.0.0.1:$port" --profiles "$top/drivers/profiles" \
    --control "$T/sim.sock" 2>"$T/sim.log" &
PIDS="$PIDS $!"
wait_file "$T/sim.sock"
l=1
while [ $l -le $lines ]; do
	printf 'place %d 15.3\n' $l | socat - "UNIX-CONNECT:$T/sim.sock" >/dev/null
	l=$((l + 1))
done
bench_station_conf $lines "$port" >"$T/station.conf"
# a county's stock in the station database, as a station runs with: its
# pages are what SQLite's caches would hold (private memory)
awk 'BEGIN { print "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status"
	for (i = 0; i < 50000; i++)
		printf "LY%08d,YSP35.5,2015-03,15.20,14.5,Longyou Gas Co.,2025-06-15,active\n", i }' \
    >"$T/registry.csv"
"$BUILD/gasctl" -c "$T/station.conf" registry import "$T/registry.csv" >/dev/null ||
	{ echo "bench_gateway: the registry import failed" >&2; exit 1; }


cat >"$T/poll.py" <<'EOF'
# Every polled signal of the two profiles at the same rate, as a Python
# gateway reads them: per line, the scale's input registers 0-4 (gross, net,
# status) and the valve's coil 0, discrete input 0 and holding registers 0-1
# (watchdog, heartbeat).  gasgw reads only what the line uses (its plan).
import resource, sys, time
from pymodbus.client import ModbusTcpClient

port, lines, hz, secs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
c = ModbusTcpClient("127.0.0.1", port=port)
c.connect()
period = 1.0 / hz
polls = 0
time.sleep(2)   # same warm-up as gasgw
r0 = resource.getrusage(resource.RUSAGE_SELF)
start = time.monotonic()
next_t = start
while time.monotonic() - start < secs:
    for l in range(1, lines + 1):
        s = c.read_input_registers(0, 5, slave=2 * l - 1)
        gross = (s.registers[0] << 16 | s.registers[1])
        c.read_coils(0, 1, slave=2 * l)
        c.read_discrete_inputs(0, 1, slave=2 * l)
        c.read_holding_registers(0, 2, slave=2 * l)
        polls += 2
    next_t += period
    d = next_t - time.monotonic()
    if d > 0:
        time.sleep(d)
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print("%.3f %d %d" % (cpu, polls, r1.ru_maxrss))
EOF

# One measurement: gasgw for $secs, then the pymodbus loop for $secs.
# Prints "gw_cpu_s gw_rss_kb gw_private_dirty_kb py_cpu_s py_polls py_rss_kb gw_requests".
measure() {
	"$BUILD/gasgw" -f -c "$T/station.conf" 2>>"$T/gw.log" &
	gw=$!
	wait_file "$T/gw.sock"
	sleep 2
	threads0=$(thread_figures $gw)
	r0=$(sim_requests)
	c0=$(cpu_ns $gw)
	sleep "$secs"
	c1=$(cpu_ns $gw)
	r1=$(sim_requests)
	threads1=$(thread_figures $gw)
	gw_rss=$(awk '/VmHWM/ { print $2 }' "/proc/$gw/status")
	gw_priv=$(awk '/^Private_Dirty/ { s += $2 } END { print s }' "/proc/$gw/smaps_rollup")
	gw_clean=$(awk '/^Private_Clean/ { s += $2 } END { print s }' "/proc/$gw/smaps_rollup")
	echo "# $1: gasgw per thread (main/control, poller, interlock...), CPU ms and sleeps in $secs s:" \
	    "$(awk -v a="$threads0" -v b="$threads1" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) { split(x[i], p, "/"); split(y[i], q, "/")
			printf "%.0f ms %d sleeps; ", (q[1] - p[1]) / 1e6, q[2] - p[2] } }')" >&2
	echo "# $1: gasgw sent $((r1 - r0)) Modbus requests in $secs s," \
	    "$(awk -v c0="$c0" -v c1="$c1" -v n=$((r1 - r0)) 'BEGIN { if (n > 0) printf "%.1f", (c1 - c0) / 1e3 / n }') us CPU each" >&2
	echo "# $1: gasgw private memory: $gw_priv kB dirty (its own), $gw_clean kB clean file pages no other process maps now" >&2
	kill $gw
	wait $gw 2>/dev/null
	rm -f "$T/gw.sock"
	gw_cpu_s=$(echo "$c0 $c1" | awk '{ printf "%.4f", ($2 - $1) / 1e9 }')
	echo "$gw_cpu_s $gw_rss $gw_priv $(/usr/bin/python3 "$T/poll.py" "$port" $lines $hz "$secs") $((r1 - r0))"
}

units=$((2 * lines))
report() {
	awk -v what="$1" -v g="$2" -v gr="$3" -v gp="$4" -v p="$5" -v pp="$6" -v pr="$7" -v gq="$8" \
	    -v s="$secs" -v u=$units -v hz=$hz 'BEGIN {
	gpolls = u * hz * s
	printf "gateway cost, %s, %d lines (%d units) at %d Hz over Modbus TCP, %d s:\n", what, u / 2, u, hz, s
	printf "  gasgw     CPU %5.2f %% of a core, %6.1f us CPU per unit poll, peak RSS %6.1f MB (%.2f MB private dirty, the rest shared libraries)\n",
	    100 * g / s, 1e6 * g / gpolls, gr / 1024, gp / 1024
	printf "  pymodbus  CPU %5.2f %% of a core, %6.1f us CPU per unit poll, peak RSS %6.1f MB (%d polls)\n",
	    100 * p / s, 1e6 * p / pp, pr / 1024, pp
	if (g > 0)
		printf "  ratio: gasgw uses %.2f of pymodbus CPU per poll (aim <= 0.20); private dirty %.2f MB (aim < 2), RSS %.2f MB\n",
		    (g / gpolls) / (p / pp), gp / 1024, gr / 1024
	if (g > 0 && gq > 0)
		printf "  per Modbus request sent: gasgw %.1f us (%d requests), pymodbus %.1f us (%d), ratio %.2f\n",
		    1e6 * g / gq, gq, 1e6 * p / (2 * pp), 2 * pp, (g / gq) / (p / (2 * pp))
}'
}

set -- $(measure quiet)
[ $# -eq 7 ] || { echo "bench_gateway: the quiet run failed (see $T/gw.log)" >&2; exit 1; }
report "quiet machine" "$@"
quiet_gw=$1 quiet_py=$4 quiet_pp=$5

# --- busy machine: one CPU hog per core, in the same run ----------------------
cores=$(getconf _NPROCESSORS_ONLN)
hogs=""
i=0
while [ $i -lt "$cores" ]; do
	/bin/sh -c 'while :; do :; done' &
	hogs="$hogs $!"
	PIDS="$PIDS $!"
	i=$((i + 1))
done
set -- $(measure busy)
for h in $hogs; do kill "$h" 2>/dev/null; done
[ $# -eq 7 ] || { echo "bench_gateway: the busy run failed (see $T/gw.log)" >&2; exit 1; }
report "busy machine ($cores CPU hogs)" "$@"
awk -v qg="$quiet_gw" -v qp="$quiet_py" -v qpp="$quiet_pp" -v bg="$1" -v bp="$4" -v bpp="$5" 'BEGIN {
	if (qg > 0 && qp > 0 && bpp > 0)
		printf "  busy / quiet CPU per poll: gasgw %.2f, pymodbus %.2f\n", bg / qg, (bp / bpp) / (qp / qpp)
}'

# --- long operation: private memory after many fills (BENCH_FILLS) -----------
fills=${BENCH_FILLS:-0}
[ "$fills" -gt 0 ] || exit 0
priv_kb() { awk '/^Private_Dirty/ { s += $2 } END { print s }' "/proc/$1/smaps_rollup"; }
simctl() { printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" >/dev/null; }
kill $(echo "$PIDS" | awk '{ print $1 }') 2>/dev/null # the first gassim
buyers="11010519491231002X 110105194912310038 110105194912310046 110105194912310062 110105194912310089 11010519491231010X"
awk 'BEGIN { print "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status"
	for (i = 0; i < 50000; i++)
		printf "LY%08d,YSP35.5,2024-01,15.20,14.9,Bench Gas,2026-06-15,active\n", i }' \
    >"$T/fillable.csv"
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/fillable.csv" \
    --out "$T/minted" --no-labels >/dev/null || { echo "bench_gateway: mint failed" >&2; exit 1; }
rm -f "$T/station.db" "$T/station.db-wal" "$T/station.db-shm" "$T/sim.sock"
port=$(free_port)
"$BUILD/gassim" --lines $lines --tcp "127.0.0.1:$port" --profiles "$top/drivers/profiles" \
    --control "$T/sim.sock" --flow "${BENCH_FLOW:-2}" --noise 0.005 --close-delay-ms 150 \
    2>"$T/sim2.log" &
PIDS="$PIDS $!"
wait_file "$T/sim.sock"
bench_station_conf $lines "$port" "refill_min_minutes = 0
household_max = 1000" >"$T/station.conf"
"$BUILD/gasctl" -c "$T/station.conf" registry import "$T/minted/codes.csv" >/dev/null ||
	{ echo "bench_gateway: the registry import failed" >&2; exit 1; }
sqlite3 -cmd ".timeout 5000" "$T/station.db" \
    "INSERT INTO operators VALUES ('OP-1', 'Bench', '2099-01-01', 1, 0);" || exit 1
printf 'bench-pin\n' | "$BUILD/gasctl" --db "$T/station.db" operators pin OP-1 >/dev/null || exit 1
"$BUILD/gasgw" -f -c "$T/station.conf" 2>>"$T/gw.log" &
gw=$!
PIDS="$PIDS $gw"
wait_file "$T/gw.sock"
sleep 3
before=$(priv_kb $gw)
l=1
while [ $l -le $lines ]; do
	printf 'bench-pin\n' | "$BUILD/gasctl" -s "$T/gw.sock" login $l OP-1 >/dev/null || exit 1
	l=$((l + 1))
done
logins=$(priv_kb $gw)
start=$(date +%s)
l=1
while [ $l -le $lines ]; do
	(
		buyer=$(echo $buyers | cut -d' ' -f$(( (l - 1) % 6 + 1 )))
		n=0
		while [ $(( n * lines + l )) -le "$fills" ]; do
			row=$(( 2 + (n * lines + l) * 37 % 50000 ))
			code=$(sed -n "${row}p" "$T/minted/codes.csv" | sed 's/^\([^,]*,\)\{8\}//')
			simctl remove $l
			simctl place $l 15.2 0 100
			sleep 0.5
			printf '%s\n' "$buyer" | "$BUILD/gasctl" -s "$T/gw.sock" fill $l --cylinder "$code" \
			    --buyer - --operator OP-1 >>"$T/fills$l.out" 2>&1
			[ $((n % 5)) -eq 0 ] && "$BUILD/gasctl" -s "$T/gw.sock" fills >/dev/null 2>&1
			"$BUILD/gasctl" -s "$T/gw.sock" status >/dev/null 2>&1
			n=$((n + 1))
		done
	) &
	eval "w$l=$!"
	l=$((l + 1))
done
wait_workers "$lines"
elapsed=$(( $(date +%s) - start ))
sleep 2
after=$(priv_kb $gw)
sleep "${BENCH_REST:-65}"
rest=$(priv_kb $gw)
# where it is: the main heap, the other anonymous memory (thread arenas,
# stacks, the lines' state), the libraries' written data (relocations)
awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6 == "" ? "anon" : $6 ~ /^\[/ ? $6 : $6 ~ /\.so/ ? "lib" : "file"
		if ($6 ~ /libcrypto/) n = "libcrypto" }
	/^Private_Dirty/ { kb[n] += $2 }
	END { printf "# at rest: private dirty heap %d kB, other anonymous %d kB, stack %d kB, libraries %d kB (libcrypto %d), files %d kB\n",
		kb["[heap]"], kb["anon"], kb["[stack]"], kb["lib"] + kb["libcrypto"], kb["libcrypto"], kb["file"] }' \
    "/proc/$gw/smaps" >&2
done_fills=$(sqlite3 -cmd ".timeout 5000" "$T/station.db" "SELECT count(*) || ' (' || sum(result = 'ok') || ' ok)' FROM fills")
echo "gateway memory in long operation, $lines lines:"
echo "  private dirty idle $before kB, after $lines logins $logins kB, after $done_fills fills in $elapsed s $after kB, after ${BENCH_REST:-65} s at rest $rest kB (aim < 2048)"
