#!/bin/sh
# What the station's tools print, with a real gasgw and gassim: weights are
# the fixed decimals they are (to the gram), in gasctl's JSON and in gasgw's
# control socket replies alike, never 14.840999999999999; times are local
# with their offset (TZ for gasctl, the configured zone for gasgw's log);
# --since is read in local time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_ready 1
ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
check "a fill was recorded" [ "$(sql "SELECT count(*) FROM fills WHERE result IN ('ok', 'flagged')")" = 1 ]

# a recorded fill whose weights a double cannot hold exactly (14.841,
# 0.1 + 0.2): the gateway writes them through the same records, so this is
# what any fill may carry
sql "INSERT INTO fills (uuid, station, line, cylinder, started_ms, ended_ms, tare_kg, target_kg,
       preact_kg, cutoff_kg, gross_kg, net_kg, result)
     SELECT '00000000-0000-4000-8000-0000000e4841', station, 1, cylinder, started_ms - 1000,
       ended_ms - 1000, 15.2, 14.9, 0.1 + 0.2, 14.6, 15.2 + 14.841, 14.841, 'ok'
     FROM fills WHERE cylinder = 'C-GOOD-1'"

# every number with a fraction has at most three decimals (grams)
grams_only() { # FILE
	/usr/bin/python3 -c 'import re,sys
text = open(sys.argv[1]).read()
bad = [n for n in re.findall(r"-?\d+\.\d+(?:[eE][-+]?\d+)?", text) if not re.fullmatch(r"-?\d+\.\d{1,3}", n)]
assert not bad and re.search(r"\d\.\d", text), bad' "$1"
}

TZ=Asia/Shanghai ctl fills --json >"$T/fills.json"
check "gasctl fills --json writes weights to the gram" grams_only "$T/fills.json"
check "gasctl fills --json: the target reads 14.9" grep -q '"target": 14.9,' "$T/fills.json"
check "gasctl fills --json: a net of 14.841 kg reads 14.841" grep -q '"net": 14.841,' "$T/fills.json"
check "gasctl fills --json: times are ISO 8601 with the local offset" \
    grep -Eq '"started": "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}\+08:00"' "$T/fills.json"
ctl status --json >"$T/status.json"
check "gasctl status --json writes weights to the gram" grams_only "$T/status.json"
printf '{"cmd":"fills","since":0,"limit":10}\n' | socat -t 5 - "UNIX-CONNECT:$T/gw.sock" >"$T/raw.json"
check "gasgw's control socket replies with weights to the gram" grams_only "$T/raw.json"
check "the control socket reply holds the fills, 14.841 as it is" grep -q '"net":14.841,' "$T/raw.json"

# the table: local time with the offset; --since in local time
TZ=Asia/Shanghai ctl fills >"$T/fills.txt"
check "gasctl fills shows the start in local time with the offset" \
    grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8}\+08:00 +1 +C-GOOD-1 ' "$T/fills.txt"
check "gasctl fills shows the net with three decimals" grep -Eq ' [0-9]+\.[0-9]{3} ' "$T/fills.txt"
hour_ago=$(TZ=Asia/Shanghai date -d '-1 hour' '+%Y-%m-%d %H:%M:%S')
hour_on=$(TZ=Asia/Shanghai date -d '+1 hour' '+%Y-%m-%d %H:%M:%S')
TZ=Asia/Shanghai ctl fills --since "$hour_ago" >"$T/since1.txt"
check "--since an hour ago, Beijing time, finds the fill" grep -q C-GOOD-1 "$T/since1.txt"
TZ=Asia/Shanghai ctl fills --since "$hour_on" >"$T/since2.txt"
check "--since an hour ahead, Beijing time, finds none" sh -c "! grep -q C-GOOD-1 '$T/since2.txt'"
TZ=Asia/Shanghai ctl fills --since "$(TZ=Asia/Shanghai date '+%Y-%m-%d')" >"$T/since3.txt"
check "--since today's date is from local midnight" grep -q C-GOOD-1 "$T/since3.txt"
TZ=Europe/Berlin ctl fills --since "2026-03-29 02:30" >/dev/null 2>"$T/gap.err"
check "--since a time the clocks skip is refused, saying so (exit 2)" \
    sh -c "[ $? -eq 2 ] && grep -q 'does not exist in Europe/Berlin' '$T/gap.err'"

# gasgw's log is in its configured zone (timezone, Asia/Shanghai by default)
check "gasgw's log times carry the zone's offset" \
    grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+08:00 gasgw: ' "$T/gasgw.log"

# the curve's title: local time with the offset, not UTC
uuid=$(sql "SELECT uuid FROM fills WHERE cylinder = 'C-GOOD-1' AND curve IS NOT NULL")
TZ=Asia/Shanghai ctl --db "$T/station.db" plot "$uuid" --out "$T/c.svg" >/dev/null 2>&1
check "the curve's title has the local time with its offset" \
    grep -Eq ">fill [0-9a-f]{8}, line 1, cylinder C-GOOD-1, 20[0-9-]+ [0-9]{2}:[0-9]{2}\+08:00, ok<" "$T/c.svg"
finish
