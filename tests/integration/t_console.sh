#!/bin/sh
# The county console (gasweb) in a real headless Chromium driven by Selenium,
# against a real gascounty fed over DTLS by real station identities
# (batches made by the project's encoder, tests/helpers/batchgen): sign-in
# on a phone, the map with each station's health, a regulator's trace with
# its pages, CSV and audit rows (a station id the county never knew said to
# be unknown, 404, not "no records"), another township's officer refused (403),
# CSRF and XSS attempts that fail, lock-out after wrong passwords, sign-out,
# and the public cylinder check for a genuine and a forged code, and opened
# on a phone from the URL zbarimg reads off a newly minted label.  Then the
# cases (console_cases.py): a station's overfill appears on an officer's
# phone without reloading, is accepted, visited with a photo, decided from
# the catalogue and closed; the regulator sees its timeline; a grid
# worker's report lands in the township of its village; another township's
# officer gets 403 on the same URLs; the regulator reassigns the report to
# the other township from its page (its new officer sees it, the old one gets
# 403; an officer's forged reassignment is 403); CSRF, XSS and a false photo fail.
# Screenshots at phone and desk sizes are kept in $T/shots and checked to
# be more than one colour (tests/integration/console_browser.py).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

for p in /usr/bin/chromium /usr/bin/chromedriver; do
	[ -x "$p" ] || { fail "$p is missing (make deps)"; finish; }
done

county_keys
# a station whose very name is markup (an identity may hold any printable
# character but ':' and space): its key file has a plain name
XSS_STATION='<script>window.xss=4</script>'
key_file "station:$XSS_STATION" "$T/station_xss.key"
echo "station:$XSS_STATION $(tr -d '\n' <"$T/station_xss.key")" >>"$T/ids"
COUNTY_EXTRA="c03_silent_s = 3600"
county_start || { fail "gascounty did not start"; finish; }

# --- what the county holds: two stations in two townships, records with
# hostile text, a heartbeat whose status is a script -------------------------
send() { # STATION FILE: POST the batch as station:STATION
	"$BUILD/tests/coapreq" -p "$CPORT" -u "station:$1" -k "$T/station_$1.key" -m POST \
	    -P records -f "$2" -j -t 8000 >"$2.out" 2>>"$T/coapreq.err"
}
XSS_CYL='<script>window.xss=1</script>'
# a real-name buyer: the county holds only the HMAC of the number under the
# county buyer key (docs/buyers.md); the console must hash what a regulator
# types the same way, and keep the number nowhere
"$BUILD/gaslabel" buyerkey --out "$T/buyer.key" >/dev/null
BUYER_NUMBER=330825198804120010
BUYER_ID=$(printf '%s' "$BUYER_NUMBER" |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(tr -d '\n' <"$T/buyer.key")" -r | cut -d' ' -f1)
"$BUILD/tests/batchgen" -s S01 -t TA "cyl=LY-0001" "cyl=LY-0002" "cyl=$XSS_CYL" \
    "cyl=LY-0001,rule=R05" >"$T/s01.cbor"
"$BUILD/tests/batchgen" -s S02 -t TB "cyl=LY-0003,btown=TB" "cyl=LY-0009,buyer=$BUYER_ID" \
    >"$T/s02.cbor"
# S01 is in the county's register under a name and address with markup and
# quotes (the map and its case page show them as text); S02 is not
STATION_NAME='城南站 "<script>window.xss=5</script>"'
STATION_ADDRESS="城南路 1 号 <b>x</b>"
"$BUILD/gascounty" -c "$T/county.conf" station set S01 --name "$STATION_NAME" \
    --address "$STATION_ADDRESS" --township TA >"$T/station_set.out" 2>&1
check "S01 is in the county's register" [ $? -eq 0 ]
export STATION_NAME STATION_ADDRESS
send S01 "$T/s01.cbor"
send S02 "$T/s02.cbor"
check "the county took both stations' records" \
    sql_eventually 10 "SELECT COUNT(*) FROM records" 6
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST \
    -P heartbeat -b 'heartbeat:S01:TA:<b>bold</b><script>window.xss=3</script>' -j \
    >"$T/hb.out" 2>>"$T/coapreq.err"
"$BUILD/tests/coapreq" -p "$CPORT" -u "station:$XSS_STATION" -k "$T/station_xss.key" -m POST \
    -P heartbeat -b "heartbeat:$XSS_STATION:TA" -j >"$T/hbx.out" 2>>"$T/coapreq.err"
check "the heartbeats (one with a script for its status, one from a station named with one) were stored" \
    sql_eventually 10 "SELECT COUNT(*) FROM heartbeats" 2

# --- the county's code key, a registered cylinder and its code ---------------
"$BUILD/gaslabel" keygen --out "$T/keys" >/dev/null
cat >"$T/registry.csv" <<EOF
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
LY-0001,YSP35.5,2023-03,15.2,14.9,Longyou Gas Co.,2024-05-10,active
EOF
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/registry.csv" \
    --out "$T/minted" --no-labels >"$T/mint.log" 2>&1 || cat "$T/mint.log"
GOOD=$(awk -F, '$1 == "LY-0001" { print $NF }' "$T/minted/codes.csv")
"$BUILD/gascounty" -c "$T/county.conf" registry set LY-0001 --owner 'Longyou Gas Co.' \
    --inspected 2024-05-10 >/dev/null 2>&1
check "a code was minted" test -n "$GOOD"

# --- the console -----------------------------------------------------------------
cat >"$T/map.geojson" <<'EOF'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"code": "TA", "name": "甲镇", "name_en": "Town A"},
  "geometry": {"type": "Polygon", "coordinates": [[[119.10, 29.00], [119.20, 29.00],
   [119.20, 29.10], [119.10, 29.10], [119.10, 29.00]]]}},
 {"type": "Feature", "properties": {"code": "TB", "name": "乙镇", "name_en": "Town B"},
  "geometry": {"type": "Polygon", "coordinates": [[[119.20, 29.00], [119.30, 29.00],
   [119.30, 29.10], [119.20, 29.10], [119.20, 29.00]]]}},
 {"type": "Feature", "properties": {"station": "S01"},
  "geometry": {"type": "Point", "coordinates": [119.15, 29.05]}}
]}
EOF
web_conf "buyer_key = $T/buyer.key
hotline = 0570-12345
page_rows = 2
lockout_failures = 3
lockout_s = 600
catalogue = $(cd "$(dirname "$0")/../.." && pwd)/etc/catalogue.csv
villages = $T/villages.csv
poll_s = 1"
printf 'village,township\n东村,TA\n北村,TB\n' >"$T/villages.csv"
web_passwd officer:li@TA 'li-password-1'
web_passwd officer:wang@TB 'wang-password-1'
web_passwd regulator:alice 'alice-password-1'
web_passwd officer:zhou@TB 'zhou-password-1'
web_passwd grid:zhao@TA 'zhao-password-1'
check "passwords are argon2id hashes in a private file" \
    all '[ "$(stat -c %a "$T/passwords")" = 600 ]' \
    'grep -q "^officer:li@TA \$argon2id\\$" "$T/passwords"' \
    '! grep -q "li-password-1" "$T/passwords"'
check "gasweb -n checks the configuration" \
    sh -c '"$0" -n -c "$1" | grep -q "configuration OK (2 townships, 1 station points)"' \
    "$BUILD/gasweb" "$T/web.conf"
printf '[web]\nport = 0\nnonsense = 1\n' >"$T/bad.conf"
"$BUILD/gasweb" -n -c "$T/bad.conf" >"$T/bad.out" 2>&1
check "gasweb -n names FILE:LINE of each bad key (exit 1)" \
    sh -c '[ "$0" -eq 1 ] && grep -q "bad.conf:2:" "$1" && grep -q "bad.conf:3:" "$1"' $? "$T/bad.out"
check "etc/gasweb.conf.example is what gasweb --example-config prints" \
    sh -c '"$0" --example-config | cmp -s - "$1"' "$BUILD/gasweb" \
    "$(dirname "$0")/../../etc/gasweb.conf.example"
sed 's/"Point", "coordinates": \[119.15, 29.05\]/"Point", "coordinates": [500, 29.05]/' \
    "$T/map.geojson" >"$T/badmap.geojson"
sed "s|^map = .*|map = $T/badmap.geojson|" "$T/web.conf" >"$T/badmap.conf"
"$BUILD/gasweb" -n -c "$T/badmap.conf" >"$T/badmap.out" 2>&1
check "a map with a point off the globe is refused, naming the feature" \
    sh -c '[ "$0" -eq 1 ] && grep -q "badmap.geojson: feature 3: a station is a Point" "$1"' $? \
    "$T/badmap.out"
# what would stop a start is found by -n, named: a certificate that is none, a key that is
# not the certificate's, an account that does not exist
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=other -keyout "$T/other.key" -out "$T/other.crt" 2>/dev/null
chmod 600 "$T/other.key"
sed "s|^certificate = .*|certificate = $T/passwords|" "$T/web.conf" >"$T/badcert.conf"
sed "s|^key = .*|key = $T/other.key|" "$T/web.conf" >"$T/badkey.conf"
{ cat "$T/web.conf"; echo "user = no-such-user-here"; } >"$T/baduser.conf"
for c in "badcert:certificate $T/passwords: no PEM certificate in it" \
    "badkey:key $T/other.key is not the key of certificate $T/web.crt" \
    "baduser:user 'no-such-user-here': no such user"; do
	"$BUILD/gasweb" -n -c "$T/${c%%:*}.conf" >"$T/${c%%:*}.out" 2>&1
	rc=$?
	check "gasweb -n refuses ${c%%:*}.conf (exit $rc), saying why" \
	    all '[ $rc -eq 1 ]' "grep -qF \"${c#*:}\" '$T/${c%%:*}.out'"
done
check "the example county map is accepted" \
    sh -c 'sed "s|^map = .*|map = $1|" "$2" >"$3" && "$0" -n -c "$3" | grep -q "5 townships, 1 station"' \
    "$BUILD/gasweb" "$(cd "$(dirname "$0")/../.." && pwd)/etc/county-map.geojson" "$T/web.conf" \
    "$T/example-map.conf"
web_start || { fail "gasweb did not start"; finish; }

# a new label for this console: its QR symbol carries the check page's URL
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/registry.csv" \
    --out "$T/phone-label" --base-url "https://127.0.0.1:$WPORT/C/" --hotline 0570-12345 \
    >"$T/mint-url.log" 2>&1
LABEL_URL=$(zbarimg --raw -q "$T/phone-label/labels/LY-0001.png" 2>/dev/null)
check "zbarimg decodes the new label to this console's check-page URL" \
    sh -c '[ "${1#https://127.0.0.1:$2/C/GC1:}" != "$1" ]' - "$LABEL_URL" "$WPORT"

# --- the browser -------------------------------------------------------------------------
mkdir -p "$T/shots"
GOOD_CODE="$GOOD" BUYER_NUMBER="$BUYER_NUMBER" LABEL_URL="$LABEL_URL" \
    /usr/bin/python3 "$(dirname "$0")/console_browser.py" \
    "https://127.0.0.1:$WPORT" "$T/shots" >"$T/browser.out" 2>"$T/browser.err"
cat "$T/browser.out"
grep -q '^ok - ' "$T/browser.out" || { sed -n '1,40p' "$T/browser.err"; }
CHECKS=$((CHECKS + $(grep -c '^ok - \|^not ok - ' "$T/browser.out")))
FAILED=$((FAILED + $(grep -c '^not ok - ' "$T/browser.out")))
check "the browser script ran to its end" grep -q '^# done' "$T/browser.out"
check "no audit row or log line holds the number typed into the serial field" \
    all "[ \"\$(sqlite3 '$T/county.db' \"SELECT count(*) FROM audit WHERE key LIKE '%$BUYER_NUMBER%'\")\" = 0 ]" \
    "! grep -q '$BUYER_NUMBER' '$T/web.log'"

# --- the cases (console_cases.py) -------------------------------------------------------------
# a case of the station named with a script (its overfill of LY-0006)
"$BUILD/tests/batchgen" -s "$XSS_STATION" -t TA \
    "cyl=LY-0006,buyer=$(printf 'c%.0s' $(seq 64)),rule=R05" >"$T/xss.cbor"
"$BUILD/tests/coapreq" -p "$CPORT" -u "station:$XSS_STATION" -k "$T/station_xss.key" -m POST \
    -P records -f "$T/xss.cbor" -j -t 8000 >"$T/xss.out" 2>>"$T/coapreq.err"
check "the station named with a script has a case" \
    sql_eventually 10 "SELECT COUNT(*) FROM cases WHERE station = '$XSS_STATION' AND kind = 'R05'" 1
XSS_CASE=$(sqlite3 "$T/county.db" "SELECT id FROM cases WHERE station = '$XSS_STATION' AND kind = 'R05'")
# S01's next record: an overfill of LY-0005 with its weight curve
# (a registered cylinder and a buyer of its own: the overfill is the one case)
"$BUILD/gascounty" -c "$T/county.conf" registry set LY-0005 --owner 'Longyou Gas Co.' \
    --inspected 2024-06-01 >/dev/null 2>&1
"$BUILD/tests/batchgen" -s S01 -t TA \
    "seq=5,cyl=LY-0005,buyer=$(printf 'b%.0s' $(seq 64)),net=15.6,result=flagged,rule=R05,curve=1" >"$T/overfill.cbor"
# a 40x30 photo (PNG), and a text file that only calls itself a JPEG
python3 -c 'import struct, sys, zlib
def chunk(k, d): return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
rows = b"".join(b"\0" + b"".join(bytes((x * 6, y * 8, 200)) for x in range(40)) for y in range(30))
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 30, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))' >"$T/photo.png"
echo 'not a picture' >"$T/not-a-photo.jpg"
# a camera-sized photo the browser can draw (1400 x 1100 of noise: 4.5 MB, over both
# bounds below), which cases.js sends as a JPEG that fits
python3 -c 'import os, struct, sys, zlib
def chunk(k, d): return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
rows = b"".join(b"\0" + os.urandom(1400 * 3) for y in range(1100))
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1400, 1100, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))' >"$T/big-photo.png"
# PNGs by their first bytes: one over evidence_max_kb (2048 KiB), one over what
# the console reads of an upload at all (4000 KiB)
{ printf '\211PNG\r\n\032\n'; head -c 3000000 /dev/zero; } >"$T/large.png"
{ printf '\211PNG\r\n\032\n'; head -c 5000000 /dev/zero; } >"$T/huge.png"
OVERFILL="'$BUILD/tests/coapreq' -p $CPORT -u station:S01 -k '$T/station_S01.key' -m POST -P records -f '$T/overfill.cbor' -j -t 8000 >'$T/overfill.out' 2>&1" \
PHOTO="$T/photo.png" NOT_PHOTO="$T/not-a-photo.jpg" XSS_CASE="$XSS_CASE" \
LARGE="$T/large.png" HUGE="$T/huge.png" BIG_PHOTO="$T/big-photo.png" \
    /usr/bin/python3 "$(dirname "$0")/console_cases.py" "https://127.0.0.1:$WPORT" "$T/shots" \
    >"$T/cases.out" 2>"$T/cases.err"
cat "$T/cases.out"
grep -q '^ok - ' "$T/cases.out" || { sed -n '1,40p' "$T/cases.err"; }
CHECKS=$((CHECKS + $(grep -c '^ok - \|^not ok - ' "$T/cases.out")))
FAILED=$((FAILED + $(grep -c '^not ok - ' "$T/cases.out")))
check "the cases script ran to its end" grep -q '^# done' "$T/cases.out"
CASE=$(sed -n 's/^# case //p' "$T/cases.out")
REPORT=$(sed -n 's/^# report //p' "$T/cases.out")
q() { sqlite3 "$T/county.db" "$1"; }
check "the case's steps are rows by the officer: accept, onsite, attach (the big photo), decide, close" \
    test "$(q "SELECT group_concat(action, ' ') FROM (SELECT action FROM case_steps WHERE case_id = '$CASE' AND identity = 'officer:li@TA' ORDER BY id)")" = "accept onsite attach decide close"
check "the decision is the catalogue's fine of 2000 under P05, and the case is closed" \
    test "$(q "SELECT state || ' ' || outcome || ' ' || power || ' ' || fine_yuan FROM cases WHERE id = '$CASE'")" = "closed fine P05 2000"
check "the photo is stored once, by its SHA-256, as a PNG" \
    test "$(q "SELECT e.hash || ' ' || e.type FROM case_evidence e WHERE e.case_id = '$CASE' AND e.type = 'image/png'")" = "$(sha256sum "$T/photo.png" | cut -d' ' -f1) image/png"
check "the big photo is stored as the JPEG the page made, within evidence_max_kb (2048 KiB)" \
    test "$(q "SELECT count(*) FROM case_evidence e JOIN evidence v ON v.hash = e.hash WHERE e.case_id = '$CASE' AND e.type = 'image/jpeg' AND e.name = 'big-photo.jpg' AND v.size <= 2048 * 1024 AND hex(substr(v.data, 1, 3)) = 'FFD8FF'")" = 1
check "the grid report from 北村 opened a case of TB reported by the grid worker, with its place" \
    test "$(q "SELECT json_extract(s.facts, '\$.from') || ' -> ' || json_extract(s.facts, '\$.to') FROM case_steps s WHERE s.case_id = '$REPORT' AND s.action = 'reassign'") $(q "SELECT reporter || ' ' || village || ' ' || printf('%.2f', lat) FROM cases WHERE id = '$REPORT'")" = "TB -> TA grid:zhao@TA 北村 29.05"
check "the regulator's reassignment from the case page moved it to TA, back to new, one step" \
    test "$(q "SELECT township || ' ' || state || ' ' || officer || '|' || (SELECT group_concat(identity, ' ') FROM case_steps WHERE case_id = '$REPORT' AND action = 'reassign') FROM cases WHERE id = '$REPORT'")" = "TA new |regulator:alice"
check "the reassignment and the officer's refused one are in the log" \
    sh -c 'grep -q "regulator:alice: case $0 reassigned to TA" "$1" && grep -q "refused POST /cases/reassign to officer:zhou@TB" "$1"' "$REPORT" "$T/web.log"
# a reassignment to where the case is now (a page drawn before another regulator moved
# it): refused in the person's words, nothing stored
signin "$T/alice-curl.jar" regulator:alice alice-password-1 >/dev/null
C -b "$T/alice-curl.jar" -o "$T/report-alice.html" "$U/cases/$REPORT"
acsrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/report-alice.html" | head -n 1)
code=$(C -b "$T/alice-curl.jar" -o "$T/same.html" -w '%{http_code}' -H "Origin: $U" \
    -F "csrf=$acsrf" -F "id=$REPORT" -F township=TA -F "note=再改派一次" "$U/cases/reassign")
check "a reassignment to the township the case is in is refused (409, got $code), in Chinese" \
    all '[ "$code" = 409 ]' 'grep -q "id=\"error\">案件已在甲镇，无需改派。本次未保存。" "$T/same.html"' \
    "[ \"\$(q \"SELECT count(*) FROM case_steps WHERE case_id = '$REPORT' AND action = 'reassign'\")\" = 1 ]"
# The county's own steps are kept as facts (017), and the console words them in the
# reader's language: a routing by coordinates, a code not the county's, a late stage, and a
# reassignment that set a decision aside (each written by the county library in
# test_cases; here, rows as it writes them, on the closed case, read as each reader would).
q "INSERT INTO case_steps (case_id, at_ms, identity, action, note, facts, state) VALUES
    ('$CASE', 1800000000000, 'county', 'route', '', '{\"to\":\"TA\",\"lat\":29.05,\"lon\":119.25,\"village\":\"北村\",\"listed\":\"TB\"}', 'new'),
    ('$CASE', 1800000000001, 'county', 'code', '', '{\"why\":\"signature does not verify\"}', 'new'),
    ('$CASE', 1800000000002, 'county', 'escalate', '', '{\"stage\":\"onsite\",\"late_min\":42}', 'accepted'),
    ('$CASE', 1800000000003, 'regulator:alice', 'reassign', '户籍在乙镇', '{\"from\":\"TA\",\"to\":\"TB\",\"set_aside_outcome\":\"fine\",\"set_aside_power\":\"P05\",\"set_aside_fine_yuan\":2000}', 'new')"
C -b "$T/alice-curl.jar" -H "Accept-Language: zh" -o "$T/facts-zh.html" "$U/cases/$CASE"
C -b "$T/alice-curl.jar" -H "Accept-Language: en" -o "$T/facts-en.html" "$U/cases/$CASE"
check "the county's steps read in Chinese: routed, code, late, the decision set aside" \
    all 'grep -q "按上报坐标派至甲镇（29.050000, 119.250000）；所报村庄“北村”在村庄名录中属乙镇。" "$T/facts-zh.html"' \
    'grep -q "上报的气瓶码不是本县签发的码：signature does not verify" "$T/facts-zh.html"' \
    'grep -q "到场已超期 42 分钟" "$T/facts-zh.html"' \
    'grep -q "TA -&gt; TB: 户籍在乙镇（甲镇作出的决定已撤销：.*处罚事项 .*，罚款 2000 元）" "$T/facts-zh.html"' \
    '! grep -q "set aside\|overdue by\|listed under\|not one the county signed" "$T/facts-zh.html"'
check "and in English" \
    all 'grep -q "Routed to Town A by its coordinates 29.050000, 119.250000; the village named, 北村, is listed under Town B." "$T/facts-en.html"' \
    'grep -q "The cylinder code reported is not one the county signed: signature does not verify" "$T/facts-en.html"' \
    'grep -q "arrival on site overdue by 42 min" "$T/facts-en.html"' \
    'grep -q "TA -&gt; TB: 户籍在乙镇 (the decision of Town A set aside: .*, penalty power .*, fine 2000 yuan)" "$T/facts-en.html"'
# a case escalated to the county (review rev100): its township's officer is offered no
# dismissal (the county refuses it from him), the regulator is
q "UPDATE cases SET escalated_ms = 1800000000000 WHERE id = '$XSS_CASE'"
signin "$T/li-curl.jar" officer:li@TA li-password-1 >/dev/null
C -b "$T/li-curl.jar" -o "$T/escalated-li.html" "$U/cases/$XSS_CASE"
C -b "$T/alice-curl.jar" -o "$T/escalated-alice.html" "$U/cases/$XSS_CASE"
check "an escalated case: the officer gets its forms but no dismissal, the regulator a dismissal" \
    all 'grep -q "id=\"form-comment\"" "$T/escalated-li.html"' \
    '! grep -q "id=\"form-dismiss\"" "$T/escalated-li.html"' \
    'grep -q "id=\"form-dismiss\"" "$T/escalated-alice.html"'
check "the case's rule by its code and name, in the reader's language" \
    all 'grep -q "<span id=\"case-rule\">R05 超期未检</span>" "$T/facts-zh.html"' \
    'grep -q "<span id=\"case-rule\">R05 inspection overdue</span>" "$T/facts-en.html"'
C -b "$T/alice-curl.jar" -H "Accept-Language: zh" -o "$T/list-r05.html" "$U/cases?view=all&rule=R05"
C -b "$T/alice-curl.jar" -H "Accept-Language: en" -o "$T/list-nope.html" "$U/cases?view=all&rule=NOPE"
check "the list's rule filter offers each rule by its name, the chosen one selected" \
    all 'grep -q "<option value=\"R05\" selected>R05 超期未检</option>" "$T/list-r05.html"' \
    'grep -q "<option value=\"C07\">C07 黑气点充装</option>" "$T/list-r05.html"'
check "and the list filtered on R05 holds the R05 case" grep -q "data-case=\"$CASE\"" "$T/list-r05.html"
check "a filter on a rule it does not know keeps it shown and selected, and lists nothing" \
    all 'grep -q "<option value=\"NOPE\" selected>NOPE</option>" "$T/list-nope.html"' \
    '! grep -q "data-case=" "$T/list-nope.html"'
check "reading cases writes no audit row (cases.read is not audited)" \
    test "$(q "SELECT COUNT(*) FROM audit WHERE identity = 'officer:li@TA' AND query IN ('curve', 'history')")" = 0
check "the refused case requests are in the log" \
    grep -q "refused case /cases/$CASE to officer:zhou@TB" "$T/web.log"

# --- a station's card: its backlog once, what else its status says in the reader's words ----
q "UPDATE stations SET backlog = 3, status = 'backlog 3, 1 set aside' WHERE id = 'S02'"
C -b "$T/alice-curl.jar" -H "Accept-Language: zh" -o "$T/map-zh.html" "$U/map"
C -b "$T/alice-curl.jar" -H "Accept-Language: en" -o "$T/map-en.html" "$U/map"
# S02's card, one line per field
sed -n 's/.*<article class="card station [a-z]*" id="st-S02">\(.*\)/\1/p' "$T/map-zh.html" |
    sed 's|</article>.*||; s|<dt>|\n&|g' >"$T/card-zh.txt"
sed -n 's/.*<article class="card station [a-z]*" id="st-S02">\(.*\)/\1/p' "$T/map-en.html" |
    sed 's|</article>.*||; s|<dt>|\n&|g' >"$T/card-en.txt"
check "a station's card shows its backlog once, and the records it set aside in Chinese" \
    all 'grep -q "^<dt>待上传</dt><dd>3</dd>" "$T/card-zh.txt"' \
    'grep -q "^<dt>状态</dt><dd class=\"note\">1 条已搁置</dd>" "$T/card-zh.txt"' \
    '! grep -q "backlog\|set aside" "$T/card-zh.txt"'
check "and in English" \
    all 'grep -q "^<dt>Backlog</dt><dd>3</dd>" "$T/card-en.txt"' \
    'grep -q "^<dt>Status</dt><dd class=\"note\">1 set aside</dd>" "$T/card-en.txt"' \
    '! grep -q "backlog 3" "$T/card-en.txt"'
q "UPDATE stations SET backlog = 0, status = 'backlog 0' WHERE id = 'S02'"
C -b "$T/alice-curl.jar" -H "Accept-Language: en" -o "$T/map-en0.html" "$U/map"
sed -n 's/.*<article class="card station [a-z]*" id="st-S02">\(.*\)/\1/p' "$T/map-en0.html" |
    sed 's|</article>.*||' >"$T/card-en0.txt"
check "a status that says only the backlog shows no status line" \
    all 'grep -q "<dt>Backlog</dt><dd>0</dd>" "$T/card-en0.txt"' \
    '! grep -q "<dt>Status</dt>" "$T/card-en0.txt"'

# --- started as root with user = nobody: it serves as nobody ---------------------------------
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	WPORT2=$(free_port tcp)
	sed -e "s/^port = .*/port = $WPORT2/" "$T/web.conf" >"$T/web2.conf"
	echo "user = nobody" >>"$T/web2.conf"
	spawn web2 "$BUILD/gasweb" -c "$T/web2.conf" -f
	wait_for 10 grep -q "listening on" "$T/web2.log"
	check "started as root with user = nobody, gasweb runs as nobody (every uid)" \
	    sh -c 'grep "^Uid:" /proc/$0/status | awk "{ exit !(\$2 == 65534 && \$3 == 65534 && \$4 == 65534 && \$5 == 65534) }"' \
	    "$PID_web2"
	check "... and still serves the public check page (the TLS key was read before)" \
	    sh -c 'curl -sk "https://127.0.0.1:$0/c/x" | grep -q "verdict invalid"' "$WPORT2"
	kill "$PID_web2"
fi

# --- what the county and the console's log say afterwards -------------------------------
check "each trace page and the CSV export were audited under the regulator" \
    sh -c '[ "$(sqlite3 "$0" "SELECT COUNT(*) FROM audit WHERE identity = '"'"'regulator:alice'"'"' AND query = '"'"'station'"'"'")" -ge 3 ]' \
    "$T/county.db"
check "the map views were audited under each person" \
    sh -c '[ "$(sqlite3 "$0" "SELECT COUNT(DISTINCT identity) FROM audit WHERE query = '"'"'stations'"'"'")" -ge 2 ]' \
    "$T/county.db"
check "the lock-out is in the log" grep -q "officer:wang@TB.*locked" "$T/web.log"
check "the forged CSRF attempts are in the log" grep -q "no valid CSRF token" "$T/web.log"
check "a buyer search was audited by the hashed id, never the number" \
    sh -c '[ "$(sqlite3 "$0" "SELECT COUNT(*) FROM audit WHERE query = '"'"'buyer'"'"' AND key = '"'"'$1'"'"'")" -ge 1 ] && [ "$(sqlite3 "$0" "SELECT COUNT(*) FROM audit WHERE key LIKE '"'"'%$2%'"'"'")" = 0 ]' \
    "$T/county.db" "$BUYER_ID" "$BUYER_NUMBER"
check "the buyer's number is in no file the console or the test wrote" \
    sh -c '! grep -rqa "$0" "$1"' "$BUYER_NUMBER" "$T"
check "no password reached the log" sh -c '! grep -q "password-1" "$0"' "$T/web.log"
finish
