#!/bin/sh
# No person's key can fill the county's disk (review rev92): an officer's
# case steps, a township's alert dispositions and the evidence files
# attached to cases are each kept for years, and before this a key could
# write them without end (3000 dispositions of one alert in 1.6 s; 1000
# alternating comments kept; 2 MB files at 12 MB/s, about 1 TB a day),
# until the disk was full and every station's ingest stopped.  Now each
# identity's writes of 24 hours are bounded (tools/county/writequota.c):
# person_writes_day_max case steps and dispositions together, and
# person_evidence_day_mb of evidence.  Past the bound nothing is stored and
# the answer is 4.29 over CoAP, naming the setting and when to try again,
# and 429 in the console, in the person's language; another identity is not
# held to that count.  The first refusal of an identity's 24 hours raises
# C18 to the county's queue, once.  Real gascounty and gasweb over real DTLS and HTTPS,
# with real officer and township identities; the bounds set low (20 writes,
# 3 MB) so that it runs in seconds.
#
# Negative control: with writequota_take answering COUNTY_DONE at once (no
# bound), every check on what is kept fails: the 30 dispositions, 30
# comments and 5 files of 1 MB are all stored, and the console's comment
# is taken (303), and no C18 is raised.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys officer:ann@TA officer:bob@TA
COUNTY_EXTRA="person_writes_day_max = 20
person_evidence_day_mb = 3"
county_start || { fail "gascounty did not start"; finish; }

# an alert (R20) and its case in township TA
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST -P records \
    -b batch:S01:TA:1 -T "an alert" -t 8000 >/dev/null
sql_eventually 10 "SELECT count(*) FROM cases WHERE township = 'TA'" 1 ||
    fail "the alert opened a case in TA"
A=$(county_sql "SELECT id FROM alerts WHERE township = 'TA'")
C=$(county_sql "SELECT id FROM cases WHERE township = 'TA'")
steps() { county_sql "SELECT count(*) FROM case_steps WHERE identity = '$1'"; }

# --- 1. the township's key: 30 dispositions of one alert -----------------------------
"$BUILD/tests/coapreq" -p "$CPORT" -u township:TA -k "$T/township_TA.key" -m POST \
    -P alerts/ack -b "ack:$A" -T "looked at it" -n 30 -t 8000 -j >"$T/ack.out"
rows=$(county_sql "SELECT count(*) FROM dispositions WHERE alert = $A")
check "the township's dispositions stop at its bound of 20 ($rows kept)" [ "$rows" = 20 ]
check "the other 10 are answered 4.29 ($(head -n 2 "$T/ack.out" | tr '\n' ' '))" \
    all 'grep -qx "code 4.29" "$T/ack.out"' 'grep -qx "same 10" "$T/ack.out"'
check "the answer names the setting and when to try again ($(sed -n 3p "$T/ack.out"))" \
    all 'grep -q "person_writes_day_max" "$T/ack.out"' 'grep -q "try again after 20" "$T/ack.out"'

# --- 2. an officer: 30 comments that alternate (no resend) on one case ---------------
"$BUILD/tests/casefill" -p "$CPORT" -u officer:ann@TA -k "$T/officer_ann@TA.key" -i "$C" \
    -n 30 -c >"$T/comments.out"
check "ann is not held to the township's count: her first 20 comments are kept ($(steps officer:ann@TA))" \
    [ "$(steps officer:ann@TA)" = 20 ]
# (past the bound every other comment repeats her last kept one, a resend the
# county answers 2.04 storing nothing; the others are refused)
check "her 21st is refused 4.29 naming the setting ($(tr '\n' ' ' <"$T/comments.out"))" \
    grep -q "first refusal 4.29 .*person_writes_day_max" "$T/comments.out"

# --- 3. another officer: evidence of 1 MB, five new files, against 3 MB ---------------
before=$(county_sql "SELECT coalesce(sum(size), 0) FROM evidence")
"$BUILD/tests/casefill" -p "$CPORT" -u officer:bob@TA -k "$T/officer_bob@TA.key" -i "$C" \
    -n 5 -s 1000000 >"$T/attach.out"
grown=$(( $(county_sql "SELECT coalesce(sum(size), 0) FROM evidence") - before ))
check "bob's evidence stops at 3 MB ($grown bytes stored; $(tr '\n' ' ' <"$T/attach.out"))" \
    all '[ "$grown" = 3000000 ]' 'grep -qx "sent 5 2.04 3" "$T/attach.out"'
check "the refusal is 4.29 naming person_evidence_day_mb" \
    grep -q "first refusal 4.29 .*person_evidence_day_mb" "$T/attach.out"
check "nothing of a refused file is kept: 3 attach steps, 3 evidence links" \
    all '[ "$(county_sql "SELECT count(*) FROM case_steps WHERE identity = '"'officer:bob@TA'"'")" = 3 ]' \
    '[ "$(county_sql "SELECT count(*) FROM case_evidence WHERE case_id = '"$C"'")" = 3 ]'
"$BUILD/tests/casefill" -p "$CPORT" -u officer:bob@TA -k "$T/officer_bob@TA.key" -i "$C" \
    -n 1 -c >"$T/bobcomment.out"
check "a comment without a file is still bob's to write (evidence bound, not writes)" \
    grep -qx "sent 1 2.04 1" "$T/bobcomment.out"

# --- 4. the console: ann's comment past her bound, in her language ------------------
web_conf "person_writes_day_max = 20
person_evidence_day_mb = 3"
web_passwd officer:ann@TA ann-password-1
web_start
check "ann signs in to the console" [ "$(signin "$T/ann.jar" officer:ann@TA ann-password-1)" = 303 ]
C -b "$T/ann.jar" -o "$T/case.html" "$U/cases/$C"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/case.html" | head -n 1)
code=$(C -b "$T/ann.jar" -o "$T/step.html" -w '%{http_code}' -H "Origin: $U" -F "csrf=$csrf" \
    -F step=comment -F "note=网页上的第21条" "$U/cases/$C/step")
check "her comment in the console is refused as too many (429, got $code), in Chinese, naming the setting" \
    all '[ "$code" = 429 ]' \
    'grep -q "id=\"error\">您 24 小时内写入的案件步骤和处置已达上限（20 条，person_writes_day_max），本条未保存。请在 20" "$T/step.html"'
check "and nothing of it is stored" \
    [ "$(county_sql "SELECT count(*) FROM case_steps WHERE note = '网页上的第21条'")" = 0 ]
check "the console's log names the setting" grep -q "officer:ann@TA: .*person_writes_day_max" "$T/web.log"

# --- 5. the county's queue: one C18 per identity, however many refusals ---------------
c18() { county_sql "SELECT count(*) FROM alerts WHERE rule = 'C18' AND township = 'county' $1"; }
check "one C18 in the county's queue for each of the three identities ($(c18))" \
    all '[ "$(c18 "AND station = '"'township:TA'"'")" = 1 ]' \
    '[ "$(c18 "AND station = '"'officer:ann@TA'"'")" = 1 ]' \
    '[ "$(c18 "AND station = '"'officer:bob@TA'"'")" = 1 ]' '[ "$(c18)" = 3 ]'
ann=$(county_sql "SELECT text FROM alerts WHERE rule = 'C18' AND station = 'officer:ann@TA'")
check "ann's names her, her count and the setting ($ann)" \
    grep -q "officer:ann@TA wrote 20 case steps.*person_writes_day_max = 20" <<EOT
$ann
EOT

# --- 6. the count is one row per identity, read by its primary key -------------------
check "write_quota holds the three identities' counts" \
    [ "$(county_sql "SELECT identity || '=' || writes || '/' || bytes FROM write_quota ORDER BY identity" | tr '\n' ' ')" = \
      "officer:ann@TA=20/0 officer:bob@TA=4/3000000 township:TA=20/0 " ]
county_stop
finish
