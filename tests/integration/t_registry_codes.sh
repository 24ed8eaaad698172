#!/bin/sh
# The codes a registry file holds, as a station's R01 compares them (rev98):
# a company file without a code column that corrects a cylinder's fill mass
# after a file with codes was imported leaves no stale code behind, and the
# old label (its code signed for the old mass) is refused at the counter
# and at start, the valve shut; a code column holding the label URL, imported
# without --pub, is kept as the bare code a scanner reads, so the
# cylinder's own label is accepted; a code column holding what is no code is
# refused, naming its line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

PREACT=0.25
fill_ready 1 2.5

"$BUILD/gasctl" --db "$T/station.db" registry import "$T/minted/codes.csv" \
    --pub "$T/keys/county.pub" --county 330825 >"$T/imp1.out" 2>&1
printf '%s\n' "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status" \
    "C-GOOD-8,YSP35.5,2024-01,15.2,12.0,Longyou Gas,2024-06-01,active" >"$T/nocode.csv"
"$BUILD/gasctl" --db "$T/station.db" registry import "$T/nocode.csv" \
    --pub "$T/keys/county.pub" --county 330825 >"$T/imp2.out" 2>&1
row=$(sql "SELECT fill_kg || '|' || (code IS NULL) FROM cylinders WHERE serial = 'C-GOOD-8'")
check "the row says 12.0 kg and holds no code signed for the old mass ($row)" [ "$row" = "12.0|1" ]
out=$(ctl scan 1 "$(code C-GOOD-8)" 2>&1)
rc=$?
check "R01: the old label (fill 14.90) is refused at the counter (exit $rc: $out)" \
    all '[ "$rc" -eq 3 ]' 'printf "%s\n" "$out" | grep -q "R01.*fill 14.90 kg (registry 12.00 kg)"'
sim place 1 15.2
sleep 1
out=$(ctl fill 1 --cylinder "$(code C-GOOD-8)" --buyer "$BUYER1" --operator OP-7 2>&1)
rc=$?
check "and at start: the valve stays shut (exit $rc: $out)" [ "$rc" -eq 3 ]
check "no fill of C-GOOD-8 was started" [ "$(sql "SELECT count(*) FROM fills WHERE cylinder = 'C-GOOD-8'")" = 0 ]
sim remove 1 2>/dev/null

c=$(code C-GOOD-7)
printf '%s\n' "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status,code" \
    "C-GOOD-7,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active,https://l.example/c/$c" \
    "C-GOOD-6,YSP35.5,2024-01,15.2,14.9,Longyou Gas,2024-06-01,active,not-a-code" >"$T/url.csv"
"$BUILD/gasctl" --db "$T/station.db" registry import "$T/url.csv" >"$T/imp3.out" 2>"$T/imp3.err"
sed 's/^/# /' "$T/imp3.err"
check "a label URL in the code column is kept as the bare code" \
    [ "$(sql "SELECT code FROM cylinders WHERE serial = 'C-GOOD-7'")" = "$c" ]
out=$(ctl scan 1 "$c" 2>&1)
rc=$?
check "the cylinder's own label is accepted (exit $rc: $out)" [ "$rc" -eq 0 ]
check "a code column holding no code is refused, naming its line" \
    grep -q "url.csv:3: code is not a cylinder code" "$T/imp3.err"
finish
