#!/bin/sh
# Pre-fill rules R01-R11 end to end: gasgw against gassim over Modbus TCP,
# driven by gasctl.  Each refusing rule fires on its case (gasctl exits 3
# with the rule code and a reason, the valve never opens, the refusal is
# recorded); R10 and R11 alert without refusing; a good cylinder fills
# with no rule at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

PREACT=0.25
fill_ready 2 2.5 "household_max = 1"

# refuse CASE_NAME RULE EXPECTED_TEXT gasctl-fill-args...
refuse() {
	name=$1 rule=$2 text=$3
	shift 3
	out=$(ctl fill 1 "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 3 ] && printf '%s\n' "$out" | grep -q "^$rule .*$text"; then
		ok "$rule fires: $name"
	else
		fail "$rule fires: $name (exit $rc: $out)"
	fi
}

good=$(code C-GOOD-1)
forged=$(printf '%s' "$good" | sed 's/^\(GC1:.\{20\}\)\(.\)/\1Z/')
[ "$forged" = "$good" ] && forged=$(printf '%s' "$good" | sed 's/^\(GC1:.\{20\}\)\(.\)/\1Y/')

refuse "forged code" R01 "rejected" --cylinder "$forged" --buyer "$BUYER1" --operator OP-7
out=$(ctl scan 1 "$forged"); rc=$?
check "R01: gasctl scan of a forged code exits 3" [ "$rc" -eq 3 ]
refuse "cylinder not in the registry" R02 "not in the registry" \
    --cylinder "$(code C-UNREG)" --buyer "$BUYER1" --operator OP-7
refuse "another company's cylinder" R03 "Quzhou Other Gas" \
    --cylinder "$(code C-OTHER)" --buyer "$BUYER1" --operator OP-7
refuse "scrapped cylinder" R04 "scrapped" --cylinder "$(code C-SCRAP)" --buyer "$BUYER1" \
    --operator OP-7
refuse "inspection overdue" R05 "inspection overdue: last 2021-03-02, due 2025-03-02" \
    --cylinder "$(code C-OVERDUE)" --buyer "$BUYER1" --operator OP-7
refuse "past service life" R06 "past service life: made 2016-01-01" \
    --cylinder "$(code C-OLD)" --buyer "$BUYER1" --operator OP-7
# R07: a certificate that is expired or not registered cannot log in (with
# the right PIN or any), and a fill names only the operator logged in
out=$(login 1 OP-OLD 2>&1); rc=$?
check "R07: an expired certificate cannot log in, with its reason ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "OP-OLD expired on 2020-01-01"'
out=$(login 1 OP-NOBODY 2>&1); rc=$?
check "R07: an unregistered certificate cannot log in ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "OP-NOBODY is not registered"'
out=$(ctl fill 1 --cylinder "$good" --buyer "$BUYER1" --operator OP-OLD 2>&1); rc=$?
check "a fill naming an operator who is not logged in is refused ($out)" \
    all '[ "$rc" -eq 1 ]' 'printf "%s\n" "$out" | grep -q "OP-OLD is not logged in on line 1"'
ctl logout 1 >/dev/null
refuse "nobody logged in after a logout" R07 "no operator logged in" \
    --cylinder "$good" --buyer "$BUYER1"
login 1 >/dev/null || fail "OP-7 logs in again"
refuse "buyer number with a wrong check digit" R08 "buyer number rejected" \
    --cylinder "$good" --buyer "$BUYER_BAD" --operator OP-7
sim place 1 16.0
wait_state 1 idle 5
sleep 1
refuse "residue: empty weight 0.8 kg over the stamped tare" R09 "residue or swapped label" \
    --cylinder "$good" --buyer "$BUYER1" --operator OP-7
sim place 1 14.8
sleep 1
refuse "light cylinder: 0.4 kg under the stamped tare" R09 "residue or swapped label" \
    --cylinder "$good" --buyer "$BUYER1" --operator OP-7

check "no valve opened for any refusal" sh -c "! grep -q 'valve_cmd_open' '$T/events.log'"
check "no fill row for a refusal" [ "$(sql "SELECT count(*) FROM fills")" = 0 ]
check "R01 recorded as an alert with an outbox row" \
    [ "$(sql "SELECT count(*) FROM violations v JOIN outbox o ON o.uuid = v.event
	      WHERE v.rule = 'R01' AND v.severity = 'alert' AND o.kind = 'refusal'")" -ge 1 ]
check "R02 recorded without an alert" \
    [ "$(sql "SELECT count(*) FROM violations v LEFT JOIN outbox o ON o.uuid = v.event
	      WHERE v.rule = 'R02' AND o.uuid IS NULL")" = 1 ]
for r in R03 R04 R05 R06; do
	check "$r recorded with an outbox row" \
	    [ "$(sql "SELECT count(*) FROM violations v JOIN outbox o ON o.uuid = v.event
		      WHERE v.rule = '$r' AND o.kind = 'refusal'")" = 1 ]
done
check "R07 and R08 and R09 recorded" \
    [ "$(sql "SELECT count(DISTINCT rule) FROM violations WHERE rule IN ('R07','R08','R09')")" = 3 ]
# the label a phone can read: the scanner takes the check-page URL holding
# the code as it takes the bare code (docs/code-format.md, "URL form")
url_of() { printf 'HTTPS://CHECK.EXAMPLE.GOV.CN/C/%s' "$(printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/ /%20/g')"; }
refuse "scrapped cylinder scanned as a label URL" R04 "scrapped" \
    --cylinder "$(url_of "$(code C-SCRAP)")" --buyer "$BUYER1" --operator OP-7
refuse "forged code inside a label URL" R01 "rejected" --cylinder "$(url_of "$forged")" \
    --buyer "$BUYER1" --operator OP-7
# R01, a code that verifies but is not the registry's (rev95): the county
# corrected C-GOOD-8's fill mass (its row, no code, says 12.00 kg) and
# re-minted C-GOOD-9's label (its row holds the new code): the old labels
# are refused, at the counter as at the fill, naming the difference (a
# cylinder of the stamped tare on the scale: nothing else refuses them)
sim place 1 15.3
sleep 1
sql "UPDATE cylinders SET fill_kg = 12.0 WHERE serial = 'C-GOOD-8'"
refuse "a label with the old fill mass" R01 \
    "cylinder C-GOOD-8's code is not the registry's: fill 14.90 kg (registry 12.00 kg)\$" \
    --cylinder "$(code C-GOOD-8)" --buyer "$BUYER1" --operator OP-7
out=$(ctl scan 1 "$(code C-GOOD-8)" 2>&1); rc=$?
check "R01: gasctl scan refuses it too ($out)" all '[ "$rc" -eq 3 ]' \
    'printf "%s\n" "$out" | grep -q "R01 cylinder C-GOOD-8.s code is not the registry.s"'
mkdir -p "$T/reminted"
printf '%s\n' "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status" \
    "C-GOOD-9,YSP35.5,2024-01,15.2,12.0,Longyou Gas,2024-06-01,active" >"$T/reminted.csv"
"$BUILD/gaslabel" mint --key "$T/keys/county.key" --county 330825 --csv "$T/reminted.csv" \
    --out "$T/reminted" --no-labels >/dev/null || fail "gaslabel re-mints C-GOOD-9"
new9=$(grep '^C-GOOD-9,' "$T/reminted/codes.csv" | sed 's/^[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,//')
sql "UPDATE cylinders SET fill_kg = 12.0, code = '$new9' WHERE serial = 'C-GOOD-9'"
refuse "the superseded label" R01 \
    "cylinder C-GOOD-9's label is superseded, the registry holds another code for it: fill 14.90 kg (registry 12.00 kg)\$" \
    --cylinder "$(code C-GOOD-9)" --buyer "$BUYER1" --operator OP-7
refuse "the superseded label as a label URL" R01 "C-GOOD-9's label is superseded" \
    --cylinder "$(url_of "$(code C-GOOD-9)")" --buyer "$BUYER1" --operator OP-7
check "no valve opened for an old label" sh -c "! grep -q 'valve_cmd_open' '$T/events.log'"

# The good case: every pre-fill rule passes on line 1 while line 2 fills a
# second buyer's cylinder at the same time.
sim place 1 15.3
sleep 1
ctl fill 2 --cylinder "$(code C-GOOD-2)" --buyer "$BUYER2" --operator OP-7 >"$T/fill2.out" 2>&1 &
p2=$!
out=$(ctl fill 1 --cylinder "$good" --buyer "$BUYER1" --operator OP-7 2>&1); rc=$?
wait $p2; rc2=$?
check "good cylinder fills: exit 0" [ "$rc" -eq 0 ]
check "good cylinder fills with no rule (R01-R11 quiet)" sh -c "printf '%s\n' '$out' | grep -q '^ok: net'"
check "a second line fills concurrently" [ "$rc2" -eq 0 ]
check "valve opened only after the start row (events show one open per line)" \
    [ "$(grep -c 'valve_cmd_open' "$T/events.log")" = 2 ]
check "buyer stored only as HMAC id and masked form" \
    [ "$(sql "SELECT count(*) FROM buyers WHERE masked = '110***********002X' AND length(id) = 64")" = 1 ]

# R10: the same cylinder again within 2 h alerts but does not refuse.
sim remove 1 && sim place 1 15.3
sleep 1
out=$(ctl fill 1 --cylinder "$good" --buyer "$BUYER3" --operator OP-7 2>&1); rc=$?
check "R10 fires on a refill within 2 h and the fill still runs" \
    sh -c "[ $rc -eq 0 ] && printf '%s\n' '$out' | grep -q '^R10 ' && printf '%s\n' '$out' | grep -q '^flagged'"
check "R10 recorded with the fill and an outbox row" \
    [ "$(sql "SELECT count(*) FROM violations v JOIN fills f ON f.uuid = v.fill
	      JOIN outbox o ON o.uuid = f.uuid WHERE v.rule = 'R10'")" = 1 ]

# R11 (limit set to 1 here): buyer 2's second cylinder in the window alerts,
# routed to the buyer's township.
sim remove 2 && sim place 2 15.3
sleep 1
out=$(ctl fill 2 --cylinder "$(code C-GOOD-3)" --buyer "$BUYER2" --operator OP-7 2>&1); rc=$?
check "R11 fires on a household's second cylinder (limit 1)" \
    sh -c "[ $rc -eq 0 ] && printf '%s\n' '$out' | grep -q '^R11 household buyer 110\*\*\*\*\*\*\*\*\*\*\*0038 takes cylinder 2'"
check "first fill of buyer 2 had no R11" sh -c "! grep -q R11 '$T/fill2.out'"
check "R11 not fired for other buyers" [ "$(sql "SELECT count(*) FROM violations WHERE rule = 'R11'")" = 1 ]
check "gasctl fills lists every fill" [ "$(ctl fills | grep -c 'C-GOOD')" = 4 ]

# the new label of C-GOOD-9 (scanned as its URL) fills to the registry's 12.00 kg
sim remove 1 && sim place 1 15.3
sleep 1
out=$(ctl fill 1 --cylinder "$(url_of "$new9")" --buyer "$BUYER4" --operator OP-7 2>&1); rc=$?
check "the re-minted label fills, to its 12.00 kg ($out)" \
    all '[ "$rc" -eq 0 ]' 'printf "%s\n" "$out" | grep -q "^ok: net"' \
    '[ "$(sql "SELECT target_kg FROM fills WHERE cylinder = '"'C-GOOD-9'"'")" = 12.0 ]'
finish
