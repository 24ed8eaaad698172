#!/bin/sh
# The county's figures with known data, counts exact: two stations' fills
# sent over DTLS through the real ingest (one a second before local
# midnight, one half an hour after it, which is still the day before in
# UTC; one without a buyer; one outside the period), a violation that
# opens a case, registry rows past and within their inspection date.
# Then: gastrace figures as a regulator (table and CSV, exact rows), the
# same refused to an officer (4.03, exit 3); the console's /figures page
# with its charts drawn as SVG, each figure's CSV byte for byte the same as
# gastrace's, the SVG files, an officer's 403, a bad period's 400, an
# unknown figure's 404; and the language switch (?lang=en sets a cookie
# that later pages follow, ?lang=zh turns it back) on every page, the
# sign-in page and the public check page included.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys officer:wang@TA
COUNTY_EXTRA="timezone = Asia/Shanghai
c03_silent_s = 86400"
county_start || { fail "gascounty did not start"; finish; }

ms() { echo "$(date -d "$1" +%s)000"; }
B1=$(printf 'b1%062d' 0)
B2=$(printf 'b2%062d' 0)
"$BUILD/tests/batchgen" -s S01 -t TA \
    "cyl=F-1,buyer=$B1,start=$(ms '2026-11-01 09:00 +0800'),at=$(ms '2026-11-01 09:00 +0800')" \
    "cyl=F-2,buyer=,masked=,start=$(ms '2026-11-01 23:59:30 +0800'),at=$(ms '2026-11-01 23:59:30 +0800')" \
    "cyl=F-3,buyer=$B2,start=$(ms '2026-11-02 00:30 +0800'),at=$(ms '2026-11-02 00:30 +0800'),rule=R20,vat=$(ms '2026-11-02 00:30 +0800')" \
    "cyl=F-4,buyer=$B1,start=$(ms '2026-11-03 12:00 +0800'),at=$(ms '2026-11-03 12:00 +0800')" \
    >"$T/s01.cbor"
"$BUILD/tests/batchgen" -s S02 -t TB \
    "cyl=F-5,buyer=$(printf 'c1%062d' 0),start=$(ms '2026-11-02 08:00 +0800'),at=$(ms '2026-11-02 08:00 +0800')" \
    "cyl=F-6,buyer=$(printf 'c2%062d' 0),start=$(ms '2026-11-02 09:00 +0800'),at=$(ms '2026-11-02 09:00 +0800')" \
    "cyl=F-7,buyer=$(printf 'c3%062d' 0),start=$(ms '2026-11-04 00:00 +0800'),at=$(ms '2026-11-04 00:00 +0800')" \
    >"$T/s02.cbor"
for s in S01 S02; do
	"$BUILD/tests/coapreq" -p "$CPORT" -u "station:$s" -k "$T/station_$s.key" -m POST \
	    -P records -f "$T/$(echo $s | tr 'S' 's').cbor" -j -t 8000 >"$T/$s.out" 2>>"$T/coapreq.err"
done
check "the county took the seven fills" sql_eventually 10 "SELECT COUNT(*) FROM fills" 7
check "the R20 violation opened a case in TA" \
    sql_eventually 10 "SELECT COUNT(*) FROM cases WHERE township = 'TA'" 1
G="$BUILD/gascounty -c $T/county.conf"
$G registry set F-1 --owner 'Gas Co' --inspected 2020-01-01 >/dev/null 2>&1
$G registry set F-2 --owner 'Gas Co' --inspected "$(date +%Y-%m-%d)" >/dev/null 2>&1
$G registry set F-5 --owner 'Other, "Quoted" Co' --inspected 2021-01-01 >/dev/null 2>&1
check "three registry rows" sql_eventually 5 "SELECT COUNT(*) FROM registry" 3

# --- gastrace figures ---------------------------------------------------------------
TR="$BUILD/gastrace -p $CPORT -u regulator:alice -k $T/regulator_alice.key"
PERIOD="--from 2026-11-01 --to 2026-11-03"
$TR --csv $PERIOD figures fills >"$T/fills.csv" 2>"$T/tr.err"
cat >"$T/fills.want" <<'EOF'
day,station,fills,real_name
2026-11-01,S01,2,1
2026-11-02,S01,1,1
2026-11-03,S01,1,1
2026-11-02,S02,2,2
EOF
check "gastrace figures fills: per local day per station, the fill at 00:30 on Nov 2 on Nov 2" \
    cmp "$T/fills.csv" "$T/fills.want"
$TR --csv $PERIOD figures realname >"$T/realname.csv" 2>>"$T/tr.err"
printf 'day,fills,real_name,real_name_percent\n2026-11-01,2,1,50.0\n2026-11-02,3,3,100.0\n2026-11-03,1,1,100.0\n' \
    >"$T/realname.want"
check "gastrace figures realname: 50 % on the day of the fill without a buyer" \
    cmp "$T/realname.csv" "$T/realname.want"
$TR --csv $PERIOD figures violations >"$T/violations.csv" 2>>"$T/tr.err"
check "gastrace figures violations: R20 once, in TA" \
    sh -c 'grep -qx "R20,TA,1" "$0" && [ "$(wc -l <"$0")" -eq 2 ]' "$T/violations.csv"
$TR --csv figures cases >"$T/cases.csv" 2>>"$T/tr.err"
check "gastrace figures cases (the last 30 days): TA opened one, open, not yet overdue" \
    grep -qx "TA,1,0,0,1,0,0,," "$T/cases.csv"
$TR --csv figures inspections >"$T/inspections.csv" 2>>"$T/tr.err"
check "gastrace figures inspections: Gas Co has one of two past its date; a quoted owner is one CSV field" \
    all 'grep -qx "Gas Co,2,1,0" "$T/inspections.csv"' \
    "grep -qx '\"Other, \"\"Quoted\"\" Co\",1,1,0' \"\$T/inspections.csv\""
$TR $PERIOD figures >"$T/all.txt" 2>>"$T/tr.err"
check "gastrace figures (a table): every figure under its name" \
    all 'grep -q "^figures 2026-11-01 .. 2026-11-03 (Asia/Shanghai)" "$T/all.txt"' \
    '[ "$(grep -c "^== " "$T/all.txt")" -eq 5 ]' 'grep -Eq "^2026-11-02 +S02 +2 +2$" "$T/all.txt"'
$BUILD/gastrace -p "$CPORT" -u officer:wang@TA -k "$T/officer_wang@TA.key" figures \
    >"$T/officer.out" 2>&1
check "an officer's gastrace figures is refused by the county (exit 3)" \
    sh -c '[ "$0" -eq 3 ] && grep -q "4.03" "$1"' $? "$T/officer.out"
$TR --csv figures >"$T/nocsv.out" 2>&1
check "--csv without a figure's name is bad usage (exit 2)" [ $? -eq 2 ]
$TR --from 2026-11-03 --to 2026-11-01 figures >"$T/back.out" 2>&1
check "a period that ends before it begins is bad usage (exit 2), said" \
    sh -c '[ "$0" -eq 2 ] && grep -q "ends before it begins" "$1"' $? "$T/back.out"

# --- the console ----------------------------------------------------------------------
web_conf "timezone = Asia/Shanghai"
web_passwd regulator:alice alice-password-1
web_passwd officer:wang@TA wang-password-1
web_start
check "the regulator signs in" [ "$(signin "$T/alice.jar" regulator:alice alice-password-1)" = 303 ]
check "the officer signs in" [ "$(signin "$T/wang.jar" officer:wang@TA wang-password-1)" = 303 ]

A() { C -b "$T/alice.jar" -c "$T/alice.jar" "$@"; }
code=$(A -o "$T/page.html" -w '%{http_code}' "$U/figures?from=2026-11-01&to=2026-11-03")
check "/figures answers the regulator (200) with five charts drawn as SVG, no script" \
    all '[ "$code" = 200 ]' '[ "$(grep -o "<svg " "$T/page.html" | wc -l)" -eq 5 ]' \
    '! grep -q "<script>" "$T/page.html"' 'grep -q "id=\"nav-figures\"" "$T/page.html"'
check "/figures: the fills table holds S02's two of Nov 2" \
    grep -q '<tr><td>2026-11-02</td><td>S02</td><td>2</td><td>2</td></tr>' "$T/page.html"
for f in fills realname violations cases inspections; do
	A -o "$T/web-$f.csv" "$U/figures/$f.csv?from=2026-11-01&to=2026-11-03"
	# the console quotes every CSV field; gastrace only those that need it
	tr -d '"' <"$T/web-$f.csv" | tr -d '\r' >"$T/web-$f.plain"
done
check "/figures/fills.csv is gastrace's CSV, row for row" cmp "$T/web-fills.plain" "$T/fills.want"
check "/figures/realname.csv is gastrace's CSV, row for row" \
    cmp "$T/web-realname.plain" "$T/realname.want"
check "/figures names each rule beside its code, in its table and its chart, and the township" \
    all 'grep -q "<td>R20 超量充装</td><td>TA</td><td>1</td>" "$T/page.html"' \
    'grep -q ">R20 超量充装 · 甲镇<" "$T/page.html"'
check "the page is whole UTF-8 (no label cut inside a character)" \
    sh -c 'iconv -f UTF-8 -t UTF-8 "$0" >/dev/null' "$T/page.html"
check "and its CSV keeps the code alone, as gastrace's" grep -qx "R20,TA,1" "$T/web-violations.plain"
A -H "Accept-Language: en" -o "$T/page-en.html" "$U/figures?from=2026-11-01&to=2026-11-03"
check "in English: the rule's English name" \
    all 'grep -q "<td>R20 overfilled</td>" "$T/page-en.html"' \
    'grep -q ">R20 overfilled · Town A<" "$T/page-en.html"'
check "/figures/inspections.csv keeps the quoted owner one field" \
    grep -q '^"Other, ""Quoted"" Co","1","1","0"' "$T/web-inspections.csv"
A -o "$T/inspections.svg" "$U/figures/inspections.svg"
check "the owner's quotes are escaped on the page and in the SVG, never raw" \
    all 'grep -q "Other, &quot;Quoted&quot; Co" "$T/page.html"' \
    'grep -q "Other, &quot;Quoted&quot; Co" "$T/inspections.svg"' \
    '! grep -q "Other, \"Quoted" "$T/page.html" "$T/inspections.svg"'
hdrs=$(A -D - -o "$T/cases.svg" "$U/figures/cases.svg")
check "/figures/cases.svg is an SVG file naming 甲镇" \
    all 'echo "$hdrs" | grep -qi "^content-type: image/svg+xml"' \
    'grep -q "^<svg xmlns=\"http://www.w3.org/2000/svg\"" "$T/cases.svg"' 'grep -q "甲镇" "$T/cases.svg"'
check "an unknown figure is 404, a path outside too" \
    all '[ "$(A -o /dev/null -w "%{http_code}" "$U/figures/passwd.csv")" = 404 ]' \
    '[ "$(A -o /dev/null -w "%{http_code}" "$U/figures/..%2f..%2fetc%2fpasswd")" = 404 ]'
check "a bad period is 400, said on the page" \
    all '[ "$(A -o "$T/bad.html" -w "%{http_code}" "$U/figures?from=2026-13-01")" = 400 ]' \
    'grep -q "id=\"error\"" "$T/bad.html"'
W() { C -b "$T/wang.jar" -o /dev/null -w '%{http_code}' "$@"; }
check "an officer gets 403 on /figures and on each export" \
    all '[ "$(W "$U/figures")" = 403 ]' '[ "$(W "$U/figures/fills.csv")" = 403 ]' \
    '[ "$(W "$U/figures/cases.svg")" = 403 ]'
check "without a session /figures sends to the sign-in page" \
    [ "$(C -o /dev/null -w '%{http_code}' "$U/figures")" = 303 ]

# --- the language switch -----------------------------------------------------------------
check "Chinese by default: the figures page's title" grep -q "<h1>统计图表</h1>" "$T/page.html"
hdrs=$(A -D - -o "$T/en.html" "$U/figures?from=2026-11-01&to=2026-11-03&lang=en")
check "?lang=en: English, a cookie lang=en, and the switch keeps the query" \
    all 'grep -q "<h1>Figures</h1>" "$T/en.html"' \
    'echo "$hdrs" | grep -qi "^set-cookie: lang=en; Path=/;.*Secure"' \
    'grep -q "href=\"/figures?from=2026-11-01&amp;to=2026-11-03&amp;lang=zh\"" "$T/en.html"'
A -o "$T/map-en.html" "$U/map"
check "the cookie holds: the map is English without asking" grep -q '<h1>Map</h1>' "$T/map-en.html"
A -o "$T/map-zh.html" "$U/map?lang=zh"
A -o "$T/map-zh2.html" "$U/map"
check "?lang=zh turns it back, and that holds too" \
    all 'grep -q "<h1>一图管控</h1>" "$T/map-zh.html"' 'grep -q "<h1>一图管控</h1>" "$T/map-zh2.html"'
C -o "$T/signin-en.html" "$U/signin?lang=en"
C -o "$T/check-en.html" "$U/c/NOTACODE?lang=en"
check "the switch is on the sign-in page and the public check page, which follow it" \
    all 'grep -q "<h1>Sign in</h1>" "$T/signin-en.html"' 'grep -q "id=\"lang\"" "$T/signin-en.html"' \
    'grep -q "Cylinder check" "$T/check-en.html"' 'grep -q "id=\"lang-zh\"" "$T/check-en.html"'
C -o "$T/weird.html" -H 'Accept-Language: en' -b 'lang=<script>' "$U/signin?lang=%22%3E%3Cscript%3E"
check "a lang that is neither is ignored (Accept-Language decides), never echoed" \
    all 'grep -q "<h1>Sign in</h1>" "$T/weird.html"' '! grep -q "<script>" "$T/weird.html"'
check "gasweb still running" kill -0 "$PID_web"
finish
