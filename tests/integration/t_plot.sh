#!/bin/sh
# gasctl plot: after a real fill through gasgw (gassim over Modbus TCP), the
# fill's stored curve is drawn from the station database as SVG and PNG:
# the PNG is a real PNG of the plot's size, the SVG carries the target, the
# cut-off and the final net the record holds; a uuid prefix works, an
# unknown or ambiguous one is refused, a refusal has no curve, and a
# damaged curve blob is reported, not drawn.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_ready 1

ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 >"$T/fill.out" 2>&1
check "a fill through gasgw succeeded" grep -q '^ok: net' "$T/fill.out"
uuid=$(sql "SELECT uuid FROM fills WHERE cylinder = 'C-GOOD-1'")
net=$(sql "SELECT net_kg FROM fills WHERE uuid = '$uuid'")
check "the fill row has a curve" [ "$(sql "SELECT length(curve) > 20 FROM fills WHERE uuid = '$uuid'")" = 1 ]

plot() { "$BUILD/gasctl" --db "$T/station.db" plot "$@"; }

plot "$uuid" --out "$T/fill.svg" >"$T/plot.out" 2>&1
check "plot by full uuid exits 0 and says where" grep -q "drawn to $T/fill.svg" "$T/plot.out"
check "the SVG is an SVG document" grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' "$T/fill.svg"
check "the SVG shows the target" grep -q 'target 14.90 kg' "$T/fill.svg"
# (to the gram: the curve keeps whole grams, the record a fraction of one)
shown=$(sed -n 's/.*final net \([0-9.]*\) kg.*/\1/p' "$T/fill.svg" | head -1)
check "the SVG shows the final net of the record ($shown for $net kg)" \
    awk -v a="$shown" -v b="$net" 'BEGIN { d = a - b; exit !(a != "" && d < 0.00051 && d > -0.00051) }'
check "the SVG shows when the close was commanded" grep -q 'close commanded at [0-9.]* s' "$T/fill.svg"
check "the SVG title names the fill, line and cylinder" \
    grep -q "fill $(printf '%.8s' "$uuid"), line 1, cylinder C-GOOD-1" "$T/fill.svg"
# the curve is many segments (a polyline's points or separate lines)
segments=$(( $(grep -o '<line ' "$T/fill.svg" | wc -l) + \
    $(grep -o '<polyline[^>]*points="[^"]*"' "$T/fill.svg" | tr ' ' '\n' | grep -c ,) ))
check "the SVG draws the curve ($segments segments)" [ "$segments" -gt 40 ]

prefix=$(printf '%.8s' "$uuid" | tr a-f A-F)
plot "$prefix" --out "$T/fill.png" >/dev/null 2>"$T/png.err"
check "plot by an upper-case 8-character prefix writes the PNG" test -s "$T/fill.png"
check "the PNG starts with the PNG signature" \
    [ "$(head -c 8 "$T/fill.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
check "the PNG is a whole picture (IHDR ... IEND)" sh -c \
    "head -c 16 '$T/fill.png' | tail -c 4 | grep -q IHDR && tail -c 8 '$T/fill.png' | head -c 4 | grep -q IEND"
if command -v file >/dev/null 2>&1; then
	check "file(1) sees a PNG image" sh -c "file '$T/fill.png' | grep -q 'PNG image data'"
fi
check "no temporary file left beside the pictures" sh -c "! ls '$T' | grep -q '\\.tmp\$'"

plot ffffffff --out "$T/none.svg" >/dev/null 2>"$T/none.err"
rc=$?
check "an unknown fill exits 1 with a reason" sh -c "[ $rc -eq 1 ] && grep -q 'no fill ffffffff' '$T/none.err'"
plot "$uuid" --out "$T/fill.gif" >/dev/null 2>"$T/gif.err"
rc=$?
check "a picture that is neither .svg nor .png is refused" sh -c "[ $rc -eq 1 ] && grep -q '.svg or .png' '$T/gif.err'"
plot xyz --out "$T/x.svg" >/dev/null 2>&1
check "a FILL that is not a uuid prefix is bad usage (2)" [ $? -eq 2 ]
plot "$uuid" >/dev/null 2>&1
check "plot without --out is bad usage (2)" [ $? -eq 2 ]

# Two more fills whose uuids share a prefix with the first (inserted rows):
# a prefix naming both is ambiguous and lists them.
p4=$(printf '%.4s' "$uuid")
sql "INSERT INTO fills (uuid, station, line, cylinder, started_ms, tare_kg, target_kg, result)
     VALUES ('${p4}0000-0000-4000-8000-000000000001', 'S1', 1, 'C-GOOD-2', 1, 15.2, 14.9, 'interrupted')"
plot "$p4" --out "$T/amb.svg" >/dev/null 2>"$T/amb.err"
rc=$?
check "an ambiguous prefix exits 2 and lists the fills" \
    sh -c "[ $rc -eq 2 ] && grep -q '$uuid' '$T/amb.err' && grep -q '${p4}0000-0000' '$T/amb.err'"
check "nothing drawn for an ambiguous prefix" test ! -e "$T/amb.svg"
plot "${p4}0000" --out "$T/nocurve.svg" >/dev/null 2>"$T/nocurve.err"
rc=$?
check "a fill without a curve exits 1 and says so" \
    sh -c "[ $rc -eq 1 ] && grep -q 'no recorded curve (result: interrupted)' '$T/nocurve.err'"
sql "UPDATE fills SET curve = x'0102030405' WHERE uuid LIKE '${p4}0000%'"
plot "${p4}0000" --out "$T/bad.svg" >/dev/null 2>"$T/bad.err"
rc=$?
check "a damaged curve blob is reported, not drawn" \
    sh -c "[ $rc -eq 1 ] && grep -q 'damaged' '$T/bad.err' && test ! -e '$T/bad.svg'"
finish
