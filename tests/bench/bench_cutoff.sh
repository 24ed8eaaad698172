# Cut-off accuracy (`make bench`): YSP35.5 fills (target 14.9 kg) through the
# whole product, gasctl -> gasgw -> Modbus TCP -> gassim, with the physics of
# the issue: flow 0.30 kg/s, scale noise +/-5 g, valve closing time 150 ms.
# gassim slows the flow as a cylinder fills (back-pressure, by fill/capacity);
# the cylinders are placed with a 100 kg capacity so that the flow stays
# near 0.30 kg/s (0.27 kg/s at the end).  gassim has no time-scale option,
# so the fills run in real time, on BENCH_LINES lines at once (default 8):
# 200 fills take about 25 minutes.  BENCH_FILLS (default 200), BENCH_FLOW
# (default 0.30) change the run.
#
# Prints mean, p99 and max of |net - target| over every fill, over each
# line's first fill (no pre-act learnt yet: predicted from the flow and the
# valve's close_ms, sim-valve's 150 ms; aim: within 20 g), and over the fills
# after each line's first 10 (the pre-act is learnt per line); aim: p99
# within 50 g after the first 10.  Reported, never asserted.
set -u
. "$(dirname "$0")/lib.sh"
fills=${BENCH_FILLS:-200}
lines=${BENCH_LINES:-8}
flow=${BENCH_FLOW:-0.30}
buyers="11010519491231002X 110105194912310038 110105194912310046 110105194912310062 110105194912310089 11010519491231010X"

sim() { printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$T/sim.sock" >/dev/null; }

"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null || exit 1
{
	echo "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status"
	l=1
	while [ $l -le $lines ]; do
		echo "BENCH-$l,YSP35.5,2024-01,15.2,14.9,Bench Gas,2024-06-01,active"
		l=$((l + 1))
	done
} >"$T/registry.csv"
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/registry.csv" \
    --out "$T/minted" --no-labels >/dev/null || exit 1
port=$(free_port)
"$BUILD/gassim" --lines "$lines" --tcp "127.0.0.1:$port" --profiles "$top/drivers/profiles" \
    --control "$T/sim.sock" --flow "$flow" --noise 0.005 --close-delay-ms 150 \
    --events "$T/events.log" 2>"$T/sim.log" &
PIDS="$PIDS $!"
wait_file "$T/sim.sock"
bench_station_conf "$lines" "$port" "refill_min_minutes = 0
household_max = 1000" >"$T/station.conf"
"$BUILD/gasgw" -f -c "$T/station.conf" 2>"$T/gw.log" &
PIDS="$PIDS $!"
wait_file "$T/gw.sock"
sleep 1
sqlite3 -cmd ".timeout 5000" "$T/station.db" "INSERT INTO operators VALUES ('OP-1', 'Bench', '2099-01-01', 1, 0);" || exit 1
"$BUILD/gasctl" --db "$T/station.db" registry import "$T/minted/codes.csv" >/dev/null 2>&1 ||
    sqlite3 -cmd ".timeout 5000" "$T/station.db" "$(awk -F, 'NR > 1 { printf "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner, last_inspection, status, updated_ms) VALUES (\x27%s\x27, \x27YSP35.5\x27, \x27%s-01\x27, %s, %s, \x27%s\x27, \x27%s\x27, \x27active\x27, 0);\n", $1, $3, $4, $5, $6, $7 }' "$T/registry.csv")" ||
    exit 1

printf 'bench-pin\n' | "$BUILD/gasctl" --db "$T/station.db" operators pin OP-1 >/dev/null || exit 1
l=1
while [ $l -le $lines ]; do
	printf 'bench-pin\n' | "$BUILD/gasctl" -s "$T/gw.sock" login $l OP-1 >/dev/null || exit 1
	l=$((l + 1))
done

per_line=$(( (fills + lines - 1) / lines ))
start=$(date +%s)
l=1
while [ $l -le $lines ]; do
	(
		code=$(grep "^BENCH-$l," "$T/minted/codes.csv" | sed 's/^\([^,]*,\)\{8\}//')
		buyer=$(echo $buyers | cut -d' ' -f$(( (l - 1) % 6 + 1 )))
		n=0
		while [ $n -lt $per_line ] && [ $(( (n * lines) + l )) -le "$fills" ]; do
			sim remove $l
			sim place $l 15.3 0 100
			sleep 1
			printf '%s\n' "$buyer" | "$BUILD/gasctl" -s "$T/gw.sock" fill $l --cylinder "$code" \
			    --buyer - --operator OP-1 >>"$T/line$l.out" 2>&1
			n=$((n + 1))
		done
	) &
	PIDS="$PIDS $!"
	eval "w$l=$!"
	l=$((l + 1))
done
wait_workers "$lines"
elapsed=$(( $(date +%s) - start ))

sqlite3 -cmd ".timeout 5000" -separator ' ' "$T/station.db" \
    "SELECT line, net_kg, target_kg, result, coalesce(preact_kg, 0) FROM fills ORDER BY line, started_ms" >"$T/fills.txt"
/usr/bin/python3 - "$T/fills.txt" "$elapsed" "$flow" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
seen = {}
allerr, late, first, firsts = [], [], [], []
results = {}
for line, net, target, result, preact in rows:
    results[result] = results.get(result, 0) + 1
    if net == "":
        continue
    i = seen.get(line, 0)
    seen[line] = i + 1
    e = abs(float(net) - float(target)) * 1000
    allerr.append(e)
    if i == 0:
        first.append(e)
        firsts.append("  line %s first fill: net %.3f kg, %+.1f g off" % (line, float(net), (float(net) - float(target)) * 1000))
    if i >= 10:
        late.append(e)
def stats(v):
    if not v:
        return "no fills"
    v = sorted(v)
    p99 = v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]
    return "n=%d mean %.1f g, p99 %.1f g, max %.1f g" % (len(v), sum(v) / len(v), p99, v[-1])
print("cut-off accuracy, YSP35.5 to 14.9 kg, flow %s kg/s, noise 5 g, valve 150 ms, %s s:" % (sys.argv[3], sys.argv[2]))
print("  every fill:                    |net - target| " + stats(allerr))
print("  each line's first fill:        |net - target| " + stats(first) + "  (aim: within 20 g)")
for f in firsts:
    print(f)
print("  after each line's first 10:    |net - target| " + stats(late) + "  (aim: p99 <= 50 g)")
print("  results: " + ", ".join("%s %d" % kv for kv in sorted(results.items())))
print("  reference: legal tolerance 400-500 g; filling carousels claim +/-100 g")
EOF
