#!/bin/sh
# gaslabel end to end: a county key pair, codes minted from a registry CSV,
# PNG labels read back by an independent QR reader (zbarimg) to exactly the
# code, verify accepting good codes and refusing forged, altered and
# truncated ones, and --help everywhere.
. "$(dirname "$0")/lib.sh"
# Messages are checked in English here; one check runs in zh_CN on purpose.
LC_ALL=C
export LC_ALL
G="$BUILD/gaslabel"

# svg_to_pgm SVG PGM: rasterise the label's module squares (the path of
# "Mx yh1v1h-1z" squares gaslabel writes) so zbarimg can read the SVG too.
svg_to_pgm() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import re, sys
svg = open(sys.argv[1]).read()
w, h = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
d = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
dark = {(int(x), int(y)) for x, y in re.findall(r'M(\d+) (\d+)h1v1h-1z', d)}
s = 6
pixels = bytes(0 if (px // s, py // s) in dark else 255
    for py in range(h * s) for px in range(w * s))
open(sys.argv[2], 'wb').write(b'P5\n%d %d\n255\n' % (w * s, h * s) + pixels)
PY
}

# code_of SERIAL: the code column of DIR/codes.csv for that serial
code_of() { sed -n "s/^$1,.*,\(GC1:.*\)\$/\1/p" "$T/out/codes.csv"; }

# keys
"$G" keygen --out "$T/keys" >"$T/keygen.out" 2>&1
check "keygen succeeds" [ $? -eq 0 ]
mode=$(stat -c %a "$T/keys/county.key")
check "private key is mode 600 (got $mode)" [ "$mode" = 600 ]
check "public key written" grep -q "BEGIN PUBLIC KEY" "$T/keys/county.pub"
check "private key is PEM PKCS#8" grep -q "BEGIN PRIVATE KEY" "$T/keys/county.key"
sum=$(md5sum <"$T/keys/county.key")
"$G" keygen --out "$T/keys" >"$T/keygen2.out" 2>&1
rc=$?
check "second keygen into the same folder refuses (exit $rc)" [ $rc -eq 1 ]
check "and says the key exists" grep -q "exists already" "$T/keygen2.out"
check "and leaves the key untouched" [ "$(md5sum <"$T/keys/county.key")" = "$sum" ]
"$G" keygen --out "$T/other" >/dev/null 2>&1

# mint: four good rows, one bad
cat >"$T/reg.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
ZJ-000123,YSP35.5,2023-04,15.2,14.9,Longyou Gas,2024-05-01,active
LY2019A00457,YSP118,2019-11-03,48.5,49.5,"Gas, Ltd",,active
bad/serial,YSP12,2020-01,6,5,Co,,active
s7,YSP4.7,2006-01,4.2,2,Co,,scrapped
K-26.2_x,YSP26.2,2015-07-09,13.6,11,Co,2023-01-01,active
s7,YSP12,2010-01,6,5,Co,,active
CSV
"$G" mint --key "$T/keys/county.key" --county 330825 --csv "$T/reg.csv" --out "$T/out" \
    >"$T/mint.out" 2>"$T/mint.err"
rc=$?
check "mint exits 1 when a row is rejected (got $rc)" [ $rc -eq 1 ]
check "mint reports the bad row as FILE:LINE: reason" \
    grep -q "^$T/reg.csv:4: serial must be" "$T/mint.err"
check "mint refuses a serial seen twice" \
    grep -q "^$T/reg.csv:7: serial s7 appears again (first on line 5)" "$T/mint.err"
check "mint summary counts 4 codes, 2 rejected" \
    grep -q "6 rows: 4 codes minted into .*, 2 rejected" "$T/mint.out"
check "codes.csv has a header with a code column" \
    grep -q "^serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status,code\$" \
    "$T/out/codes.csv"
check "codes.csv keeps quoted fields quoted" grep -q '^LY2019A00457,.*,"Gas, Ltd",' \
    "$T/out/codes.csv"
check "codes.csv has 4 data rows" [ "$(grep -c ',GC1:' "$T/out/codes.csv")" -eq 4 ]

for s in ZJ-000123 LY2019A00457 s7 K-26.2_x; do
	code=$(code_of "$s")
	if [ -z "$code" ]; then fail "$s: code in codes.csv"; continue; fi
	check "$s: PNG and SVG labels exist" [ -s "$T/out/labels/$s.png" -a -s "$T/out/labels/$s.svg" ]
	read_back=$(zbarimg --raw -q "$T/out/labels/$s.png" 2>/dev/null)
	check "$s: zbarimg reads the PNG label back to exactly the code" [ "$read_back" = "$code" ]
	check "$s: SVG label prints the serial" grep -q "钢瓶编号 <tspan>$s</tspan>" \
	    "$T/out/labels/$s.svg"
	svg_to_pgm "$T/out/labels/$s.svg" "$T/$s.pgm"
	read_back=$(zbarimg --raw -q "$T/$s.pgm" 2>/dev/null)
	check "$s: the SVG label's symbol reads back to exactly the code" [ "$read_back" = "$code" ]
	"$G" verify --pub "$T/keys/county.pub" "$code" >"$T/verify.out" 2>&1
	check "$s: verify accepts the code (exit $?)" [ $? -eq 0 ]
	check "$s: verify prints the serial" grep -q "^serial  *$s\$" "$T/verify.out"
	"$G" verify --pub "$T/other/county.pub" "$code" >"$T/verify.out" 2>&1
	check "$s: another county's key refuses it" [ $? -eq 1 ]
done
"$G" verify --pub "$T/keys/county.pub" "$(code_of LY2019A00457)" >"$T/v.out"
check "verify prints the county" grep -q "^county *330825\$" "$T/v.out"
check "verify prints the model" grep -q "^model *YSP118\$" "$T/v.out"
check "verify prints the manufacture month" grep -q "^manufactured *2019-11\$" "$T/v.out"
check "verify prints the tare" grep -q "^tare *48.50 kg\$" "$T/v.out"
check "verify prints the fill mass" grep -q "^fill *49.50 kg\$" "$T/v.out"

# forgeries: one character changed, truncated, signed by another key
code=$(code_of ZJ-000123)
altered=$(printf '%s' "$code" | sed 's/\(.\{40\}\)./\1Z/')
[ "$altered" = "$code" ] && altered=$(printf '%s' "$code" | sed 's/\(.\{40\}\)./\1Y/')
"$G" verify --pub "$T/keys/county.pub" "$altered" >"$T/forged.out" 2>&1
check "verify refuses a code with one character changed (exit $?)" [ $? -eq 1 ]
check "and gives a reason" grep -q "^refused: " "$T/forged.out"
truncated=$(printf '%s' "$code" | cut -c1-100)
"$G" verify --pub "$T/keys/county.pub" "$truncated" >"$T/forged.out" 2>&1
check "verify refuses a truncated code" [ $? -eq 1 ]
"$G" mint --key "$T/other/county.key" --county 330825 --csv "$T/reg.csv" --out "$T/forger" \
    --no-labels >/dev/null 2>&1
forged=$(sed -n 's/^ZJ-000123,.*,\(GC1:.*\)$/\1/p' "$T/forger/codes.csv")
"$G" verify --pub "$T/keys/county.pub" "$forged" >"$T/forged.out" 2>&1
check "verify refuses a code signed by another key" [ $? -eq 1 ]
check "and says the signature does not match" grep -q "signature does not match" \
    "$T/forged.out"
"$G" mint --key "$T/keys/county.pub" --county 330825 --csv "$T/reg.csv" --out "$T/halves" \
    --no-labels >"$T/halves.out" 2>&1
rc=$?
check "mint with the public half for the private one says so (exit $rc), not that it is readable" \
    all '[ $rc -eq 1 ]' "grep -q 'county.pub: a public key; the county.s private key is needed here' '$T/halves.out'" \
    "! grep -q 'accessible to group' '$T/halves.out'"
LC_ALL=zh_CN.UTF-8 GAS_LOCALEDIR="$BUILD/locale" "$G" verify --pub "$T/keys/county.pub" \
    "$forged" >"$T/forged-zh.out" 2>&1
check "in zh_CN the refusal reads in Chinese" grep -q "签名与县级密钥不符" "$T/forged-zh.out"
printf '%s\n' "$code" | "$G" verify --pub "$T/keys/county.pub" - >/dev/null 2>&1
check "verify reads a scanned line from stdin" [ $? -eq 0 ]

# the label a phone can read: the QR symbol holds the county's check-page URL
# with the code; the printed words are Chinese and carry serial, model,
# owner, hotline and next inspection
cat >"$T/phone.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status,hotline
ZJ-000123,YSP35.5,2023-04,15.2,14.9,龙游县燃气有限公司,2024-05-01,active,0570-7012345
LY2019A00457,YSP118,2019-11-03,48.5,49.5,"Gas & Co, Ltd",,active,
Q-1,YSP12,2020-01,6,5,Co,,active,call us
CSV
base=HTTPS://CHECK.EXAMPLE.GOV.CN/C/
"$G" mint --key "$T/keys/county.key" --county 330825 --csv "$T/phone.csv" --out "$T/phone" \
    --base-url "$base" --hotline "400 123 4567" >"$T/phone.out" 2>"$T/phone.err"
check "mint with --base-url rejects only the row with a bad hotline (exit $?)" \
    grep -q "^$T/phone.csv:4: hotline is not a telephone number" "$T/phone.err"
for s in ZJ-000123 LY2019A00457; do
	code=$(sed -n "s/^$s,.*,\(GC1:.*\)\$/\1/p" "$T/phone/codes.csv")
	url=$(zbarimg --raw -q "$T/phone/labels/$s.png" 2>/dev/null)
	check "$s: zbarimg decodes the new PNG label to the check-page URL" \
	    [ "${url#"$base"}" != "$url" ]
	check "$s: the URL holds the code with space and % escaped" \
	    [ "$url" = "$base$(printf '%s' "$code" | sed -e 's/%/%25/g' -e 's/ /%20/g')" ]
	"$G" verify --pub "$T/keys/county.pub" "$url" >"$T/verify.out" 2>&1
	check "$s: verify accepts the URL offline" [ $? -eq 0 ]
	check "$s: and prints its serial" grep -q "^serial  *$s\$" "$T/verify.out"
	svg_to_pgm "$T/phone/labels/$s.svg" "$T/$s-phone.pgm"
	check "$s: the SVG label's symbol reads to the same URL" \
	    [ "$(zbarimg --raw -q "$T/$s-phone.pgm" 2>/dev/null)" = "$url" ]
	"$G" verify --pub "$T/other/county.pub" "$url" >/dev/null 2>&1
	check "$s: another county's key refuses the URL" [ $? -eq 1 ]
done
svg="$T/phone/labels/ZJ-000123.svg"
check "label prints the model" grep -q "规格型号 <tspan>YSP35.5</tspan>" "$svg"
check "label prints the owner" grep -q "产权单位 <tspan>龙游县燃气有限公司</tspan>" "$svg"
check "label prints the row's hotline" grep -q "服务电话 <tspan>0570-7012345</tspan>" "$svg"
check "label prints the next inspection (last + 4 years)" \
    grep -q "下次检验 <tspan>2028-05-01</tspan>" "$svg"
svg="$T/phone/labels/LY2019A00457.svg"
check "an owner's & and , are escaped in the SVG" grep -q "<tspan>Gas &amp; Co, Ltd</tspan>" "$svg"
check "a row without a hotline gets --hotline" grep -q "服务电话 <tspan>400 123 4567</tspan>" "$svg"
check "never inspected: next inspection is manufacture + 4 years" \
    grep -q "下次检验 <tspan>2023-11-03</tspan>" "$svg"
dims=$(file "$T/phone/labels/ZJ-000123.png" | sed 's/.*, \([0-9]*\) x \([0-9]*\),.*/\1 \2/')
check "the PNG label has five lines of words under its square symbol ($dims)" \
    sh -c 'set -- $1; [ $(($2 - $1)) -ge 200 ]' - "$dims"
url=$(zbarimg --raw -q "$T/phone/labels/ZJ-000123.png" 2>/dev/null)
"$G" verify --pub "$T/keys/county.pub" "$(printf '%s' "$url" | sed 's|CHECK.EXAMPLE|EVIL.EXAMPLE|')" \
    >"$T/v.out" 2>&1
check "a changed host reads as the same cylinder (the signature is what counts)" \
    grep -q "^serial  *ZJ-000123\$" "$T/v.out"
"$G" verify --pub "$T/keys/county.pub" "$(printf '%s' "$url" | sed 's|%20|%2|')" \
    >"$T/v.out" 2>&1
check "a URL whose code is altered is refused (exit $?)" grep -q "^refused: " "$T/v.out"
"$G" mint --key "$T/keys/county.key" --county 330825 --csv "$T/phone.csv" --out "$T/p2" \
    --base-url "ftp://check.example.gov.cn/c/" >/dev/null 2>"$T/p2.err"
check "mint refuses a base URL that is not http(s) (usage, exit $?)" \
    grep -q "does not start with https://" "$T/p2.err"
"$G" mint --key "$T/keys/county.key" --county 330825 --csv "$T/phone.csv" --out "$T/p3" \
    --font /nonexistent.ttf >/dev/null 2>"$T/p3.err"
check "mint names a font it cannot read" grep -q "/nonexistent.ttf: not a font" "$T/p3.err"

# terminal rendering
"$G" show "$code" >"$T/show.out" 2>&1
check "show prints a half-block QR code" grep -q "▀" "$T/show.out"
check "show prints the code under it" grep -qF "$code" "$T/show.out"

# a private key readable by others is refused
chmod 644 "$T/keys/county.key"
"$G" mint --key "$T/keys/county.key" --county 330825 --csv "$T/reg.csv" --out "$T/o2" \
    >"$T/mint2.out" 2>&1
check "mint refuses a private key others can read" grep -q "group or others" "$T/mint2.out"
chmod 600 "$T/keys/county.key"
"$G" mint --key "$T/keys/county.key" --county 33082 --csv "$T/reg.csv" --out "$T/o3" \
    >/dev/null 2>&1
check "mint refuses a county code of five digits (usage, exit 2)" [ $? -eq 2 ]

for c in keygen mint show verify buyerkey; do
	"$G" "$c" --help >/dev/null 2>&1
	check "gaslabel $c --help exits 0" [ $? -eq 0 ]
done
"$G" --help >/dev/null
check "gaslabel --help exits 0" [ $? -eq 0 ]
"$G" frobnicate >/dev/null 2>&1
check "unknown command is a usage error" [ $? -eq 2 ]
finish
