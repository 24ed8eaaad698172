#!/bin/sh
# gasctl registry import, operators and buyers on a real station database:
# bad rows reported as FILE:LINE: reason and skipped, good rows present with
# their next inspection date, a re-import changing nothing, signed codes
# verified, and a privacy check: no file the test wrote (database, WAL,
# logs, outputs) holds a raw ID number or credit code it used.  The lists
# print an operator's name or a buyer's address on its own row, with no
# control byte (a name's C1 CSI, an address's line break).
. "$(dirname "$0")/lib.sh"
# Messages are checked in English here; one check runs in zh_CN on purpose.
LC_ALL=C
export LC_ALL
G="$BUILD/gaslabel"
C="$BUILD/gasctl"
DB="$T/station.db"
q() { sqlite3 "$DB" "$1"; }

"$G" keygen --out "$T/keys" --buyer-key >"$T/keygen.log" 2>&1
check "county keys and buyer key made" [ -s "$T/keys/county.pub" -a -s "$T/keys/buyer.key" ]

cat >"$T/reg.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
A0001,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2022-03-15,active
A0002,YSP50,2019-05,15.2,14.9,Longyou Gas,,active
A0003,YSP118,2018-01-20,48.5,49.5,"Gas, Ltd",,scrapped
A0004,YSP12,2020-02,6.1,5.5,Longyou Gas,,active
A0001,YSP35.5,2019-05,15.2,14.9,Longyou Gas,,active
A0005,YSP12,2020-02-30,6.1,5,Longyou Gas,,active

A0006,YSP26.2,2016-02-29,13.6,11,Longyou Gas,2020-02-29,active
A0007,YSP4.7,2021-07,4.2,2,,,active
CSV
"$C" --db "$DB" registry import "$T/reg.csv" >"$T/import1.out" 2>"$T/import1.err"
rc=$?
check "import with rejected rows exits 1 (got $rc)" [ $rc -eq 1 ]
cat >"$T/want.err" <<EOF2
$T/reg.csv:3: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118
$T/reg.csv:5: fill_kg 5.50 exceeds 5.0, the most a YSP12 may hold
$T/reg.csv:6: serial A0001 appears again (first on line 2)
$T/reg.csv:7: manufactured '2020-02-30' is not a date (YYYY-MM-DD or YYYY-MM)
$T/reg.csv:10: owner is empty
EOF2
if cmp -s "$T/want.err" "$T/import1.err"; then ok "report names each rejected FILE:LINE with its reason"
else fail "report names each rejected FILE:LINE with its reason"; diff "$T/want.err" "$T/import1.err"; fi
check "summary: 8 rows, 3 added, 5 rejected" \
    grep -q "8 rows: 3 added, 0 updated, 0 unchanged, 5 rejected" "$T/import1.out"
check "good rows are in the database" [ "$(q "SELECT group_concat(serial) FROM (SELECT serial FROM cylinders ORDER BY serial)")" = "A0001,A0003,A0006" ]
check "next inspection is last inspection + 4 years" \
    [ "$(q "SELECT next_inspection FROM cylinders WHERE serial='A0001'")" = 2026-03-15 ]
check "never inspected: manufacture + 4 years" \
    [ "$(q "SELECT next_inspection FROM cylinders WHERE serial='A0003'")" = 2022-01-20 ]
check "29 February + 4 years stays 29 February" \
    [ "$(q "SELECT next_inspection FROM cylinders WHERE serial='A0006'")" = 2024-02-29 ]
check "quoted owner with a comma kept whole" \
    [ "$(q "SELECT owner FROM cylinders WHERE serial='A0003'")" = "Gas, Ltd" ]

# re-import: idempotent
q ".dump cylinders" >"$T/dump1.sql"
"$C" --db "$DB" registry import "$T/reg.csv" >"$T/import2.out" 2>"$T/import2.err"
check "re-import reports the same rejects" cmp -s "$T/want.err" "$T/import2.err"
check "re-import changes nothing (3 unchanged)" \
    grep -q "0 added, 0 updated, 3 unchanged, 5 rejected" "$T/import2.out"
q ".dump cylinders" >"$T/dump2.sql"
check "re-import leaves every row byte for byte as it was" cmp -s "$T/dump1.sql" "$T/dump2.sql"

# an import that fails says so before any row, and tells no row kept: A0003 (scrapped)
# said active, a bad row, then a row the database refuses (a trigger, as a full disk
# would).  Until 7 Dec 2026 the rows were told inside the transaction, before the
# upsert: "A0003 ... stays so; the rest of the row is taken", then "nothing imported".
cat >"$T/fails.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
A0003,YSP118,2018-01-20,48.5,49.5,"Gas, Ltd",,active
A0008,YSP50,2019-05,15.2,14.9,Longyou Gas,,active
A0009,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2022-03-15,active
CSV
q "CREATE TRIGGER boom BEFORE INSERT ON cylinders WHEN NEW.serial = 'A0009'
    BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
"$C" --db "$DB" registry import "$T/fails.csv" >"$T/fails.out" 2>"$T/fails.err"
rc=$?
q "DROP TRIGGER boom"
cat >"$T/want-fails.err" <<EOF2
gasctl registry import: the import failed (the reason follows) and nothing was imported; rows of the file found wrong before it failed, to fix before trying again:
$T/fails.csv:3: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118
gasctl registry import: $T/fails.csv:4: database refused the row: disk on fire
gasctl registry import: nothing imported
EOF2
check "a failed import exits 1 (got $rc) and prints no summary" all "[ $rc -eq 1 ]" "[ ! -s '$T/fails.out' ]"
if cmp -s "$T/want-fails.err" "$T/fails.err"; then
	ok "it says it failed, then the row to fix; no row said kept scrapped"
else
	fail "it says it failed, then the row to fix; no row said kept scrapped"
	diff "$T/want-fails.err" "$T/fails.err"
fi
check "and nothing of it is in" [ "$(q "SELECT count(*) FROM cylinders WHERE serial = 'A0009'")" -eq 0 ]
"$C" --db "$DB" registry import "$T/fails.csv" >"$T/takes.out" 2>"$T/takes.err"
check "once taken, the same file tells A0003 kept scrapped and the bad row, in file order" \
    all "grep -q ', 1 kept scrapped (' '$T/takes.out'" \
    "[ \"\$(cut -d: -f2 '$T/takes.err' | tr '\n' ' ')\" = '2 3 ' ]" \
    "grep -q '^$T/fails.csv:2: A0003 is scrapped in the station.s registry and stays so' '$T/takes.err'"

# a clean file: exit 0; a changed inspection date updates one row
cat >"$T/clean.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
A0001,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2025-03-15,active
A0003,YSP118,2018-01-20,48.5,49.5,"Gas, Ltd",,scrapped
A0006,YSP26.2,2016-02-29,13.6,11,Longyou Gas,2020-02-29,active
CSV
"$C" --db "$DB" registry import "$T/clean.csv" --cycle 3 >"$T/import3.out" 2>"$T/import3.err"
rc=$?
check "clean import exits 0 (got $rc)" [ $rc -eq 0 ]
check "clean import updates all three (new date, 3-year cycle)" \
    grep -q "3 rows: 0 added, 3 updated, 0 unchanged, 0 rejected" "$T/import3.out"
check "3-year cycle applied" \
    [ "$(q "SELECT next_inspection FROM cylinders WHERE serial='A0001'")" = 2028-03-15 ]

# a header without a required column: nothing imported, exit 1
printf 'serial,model\nZ1,YSP12\n' >"$T/nohdr.csv"
"$C" --db "$DB" registry import "$T/nohdr.csv" >"$T/import4.out" 2>"$T/import4.err"
check "file with a bad header is refused as a whole" [ $? -eq 1 ]
check "and the reason names the line" grep -q "nohdr.csv:1: header lacks the column" \
    "$T/import4.err"

# signed codes from gaslabel mint, verified on import
"$G" mint --key "$T/keys/county.key" --county 330825 --csv "$T/clean.csv" --out "$T/mint" \
    >"$T/mint.log" 2>&1
check "mint of the clean file succeeds" [ $? -eq 0 ]
"$C" --db "$DB" registry import "$T/mint/codes.csv" --pub "$T/keys/county.pub" \
    --county 330825 >"$T/import5.out" 2>"$T/import5.err"
check "codes.csv imports with codes verified" grep -q "codes verified" "$T/import5.out"
check "codes stored" [ "$(q "SELECT count(*) FROM cylinders WHERE code LIKE 'GC1:%'")" -eq 3 ]
# a forged code: the code of A0001 on the row of A0003
a1=$(sed -n 's/^A0001,.*,\(GC1:.*\)$/\1/p' "$T/mint/codes.csv")
sed "s/^\(A0003,.*,\)GC1:.*$/\1$(printf '%s' "$a1" | sed 's/[\/&]/\\&/g')/" "$T/mint/codes.csv" \
    >"$T/forged.csv"
"$C" --db "$DB" registry import "$T/forged.csv" --pub "$T/keys/county.pub" \
    >"$T/import6.out" 2>"$T/import6.err"
check "a code on the wrong row is rejected" \
    grep -q "forged.csv:3: code is for serial A0001, not this row's" "$T/import6.err"
"$G" keygen --out "$T/other" >/dev/null 2>&1
"$C" --db "$DB" registry import "$T/mint/codes.csv" --pub "$T/other/county.pub" \
    >"$T/import7.out" 2>"$T/import7.err"
check "codes under another county key are all rejected" \
    [ "$(grep -c "signature does not match" "$T/import7.err")" -eq 3 ]

# -c: database, public key and county from gasgw's [station] section
cat >"$T/station.conf" <<EOF2
[station]
id = test-01
county = 330825
database = $DB
code_public_key = $T/keys/county.pub
buyer_key = $T/keys/buyer.key
EOF2
"$C" -c "$T/station.conf" registry import "$T/mint/codes.csv" >"$T/import8.out" 2>&1
check "with -c the codes are verified under the configured key" \
    grep -q "3 unchanged, 0 rejected .*codes verified" "$T/import8.out"

# operators
"$C" --db "$DB" operators add TS-2024-0042 --name "Wang Fang" --expires 2027-06-30 \
    >"$T/op.out" 2>&1
check "operator added" [ $? -eq 0 ]
"$C" --db "$DB" operators add TS-2020-0001 --name "Li Lei" --expires 2021-01-31 >"$T/opold.out" 2>&1
check "an operator whose certificate has expired is registered (exit $?), with a warning that it opens no fill" \
    sh -c "[ $? -eq 0 ] && grep -q 'warning: TS-2020-0001 expired on 2021-01-31: this operator cannot start a fill' '$T/opold.out'"
check "a valid one is added without it" sh -c "! grep -q warning '$T/op.out'"
"$C" --db "$DB" operators add TS-1 --name "X" --expires 2027-02-30 >>"$T/op.out" 2>&1
check "operator with an impossible expiry refused" [ $? -eq 1 ]
"$C" --db "$DB" operators add Delivery:wang@330825101 --name "Wang Wei" --expires 2027-06-30 \
    >"$T/opid.out" 2>&1
check "an operator whose certificate reads as a county identity is refused (exit $?)" [ $? -eq 1 ]
check "naming the number and why" \
    grep -q "'Delivery:wang@330825101' reads as an identity of the county link" "$T/opid.out"
"$C" --db "$DB" operators list >"$T/oplist.out" 2>&1
check "operators list marks the expired certificate" grep -q "TS-2020-0001 .*expired" \
    "$T/oplist.out"
check "operators list marks the valid certificate" grep -q "TS-2024-0042 .*valid" \
    "$T/oplist.out"
check "and it was not registered" sh -c "! grep -qi 'delivery:' '$T/oplist.out'"
# one registered before that refusal existed (as an older station's file holds it)
sqlite3 "$DB" "INSERT INTO operators (cert, name, expires, created_ms)
    VALUES ('delivery:li@330825101', 'Li Wei', '2027-06-30', 1)"
"$C" --db "$DB" operators list >"$T/oplist2.out" 2>"$T/oplist2.err"
rc=$?
check "operators list still lists the older one, and succeeds (exit $rc)" \
    all '[ "$rc" -eq 0 ]' 'grep -q "^delivery:li@330825101 .*valid" "$T/oplist2.out"'
check "and warns that the county refuses its life records, naming it" \
    grep -q "delivery:li@330825101: the certificate number reads as an identity of the county link: the county refuses every life record" \
    "$T/oplist2.err"
check "no other operator is warned about" [ "$(wc -l <"$T/oplist2.err")" -eq 1 ]

# buyers: raw numbers only ever on the command line / stdin
ID1=11010519491231002X
ID2=330825198001010010
CC1=91350100M000100Y43
BK="$T/keys/buyer.key"
"$C" --db "$DB" --buyer-key "$BK" buyers add "$ID1" --township 330825101 \
    --address "No. 1 Long Rd" >"$T/buyer1.out" 2>&1
check "household buyer added" [ $? -eq 0 ]
check "the output shows the masked number" grep -q "110\*\*\*\*\*\*\*\*\*\*\*002X household" \
    "$T/buyer1.out"
printf '%s\n' "$ID2" | "$C" --db "$DB" --buyer-key "$BK" buyers add - --township 330825102 \
    >"$T/buyer2.out" 2>&1
check "buyer from standard input added" [ $? -eq 0 ]
"$C" --db "$DB" buyers add "$CC1" --township 330825101 --buyer-key "$BK" >"$T/buyer3.out" 2>&1
check "business buyer added" grep -q "913\*\*\*\*\*\*\*\*\*\*\*0Y43 business" "$T/buyer3.out"
"$C" --db "$DB" --buyer-key "$BK" buyers add "$ID1" --township 330825103 >"$T/buyer4.out" 2>&1
check "the same person gets the same id" \
    [ "$(cut -d' ' -f2 "$T/buyer1.out")" = "$(cut -d' ' -f2 "$T/buyer4.out")" ]
"$C" --db "$DB" --buyer-key "$BK" buyers add 330825198001010011 --township 330825101 \
    >"$T/buyer5.out" 2>&1
rc=$?
check "a wrong check digit is refused with exit 3 (got $rc)" [ $rc -eq 3 ]
check "and the reason is given" grep -q "check digit wrong" "$T/buyer5.out"
LC_ALL=zh_CN.UTF-8 GAS_LOCALEDIR="$BUILD/locale" "$C" --db "$DB" --buyer-key "$BK" \
    buyers add 330825203102300010 --township 330825101 >"$T/buyer5zh.out" 2>&1
check "in zh_CN the operator reads the reason in Chinese" \
    grep -q "出生日期 2031-02-30 不存在" "$T/buyer5zh.out"
chmod 644 "$BK"
"$C" --db "$DB" --buyer-key "$BK" buyers add "$ID2" --township 330825101 >"$T/buyer6.out" 2>&1
check "a buyer key others can read is refused" grep -q "group or others" "$T/buyer6.out"
chmod 600 "$BK"
"$C" --db "$DB" buyers list >"$T/buyers.out" 2>&1
check "buyers list shows three buyers" [ "$(grep -c -E '^[0-9a-f]{64} ' "$T/buyers.out")" -eq 3 ]
check "ids are HMAC-SHA256 of the number under the buyer key" \
    [ "$(q "SELECT count(*) FROM buyers WHERE id = '$(/usr/bin/python3 -c "
import hmac, hashlib, sys
key = bytes.fromhex(open(sys.argv[1]).read().strip())
print(hmac.new(key, sys.argv[2].encode(), hashlib.sha256).hexdigest())" "$BK" "$ID1")'")" -eq 1 ]

# others' texts in the lists stay on their rows: an operator's name sent with a C1 CSI
# (U+009B: registry.c, like the county, refuses C0 and DEL, not C1) and a buyer's address
# holding a line break and a buyer row of its making (as an older file or a delta holds it)
"$C" --db "$DB" operators add TS-2024-0077 --name "$(printf 'Zhao\302\2332J')" \
    --expires 2027-06-30 >"$T/opcsi.out" 2>&1
check "an operator named with a C1 CSI is registered" [ $? -eq 0 ]
FAKEID=$(/usr/bin/python3 -c 'print("ab" * 32)')
q "UPDATE buyers SET address = 'No. 1 Long Rd' || char(10) || '$FAKEID 110***********0000 household 330825101 forged'
    WHERE masked = '110***********002X'"
"$C" --db "$DB" operators list >"$T/oplist_csi.out" 2>&1
"$C" --db "$DB" buyers list >"$T/buyers_nl.out" 2>&1
check "operators list: the name's CSI is a space, no control byte" \
    all "no_control_bytes '$T/oplist_csi.out'" "grep -q '^TS-2024-0077 .* Zhao 2J$' '$T/oplist_csi.out'"
check "buyers list: the address on its buyer's row, no row forged, no control byte" \
    all "no_control_bytes '$T/buyers_nl.out'" "! grep -q '^$FAKEID' '$T/buyers_nl.out'" \
    "[ \"\$(grep -c -E '^[0-9a-f]{64} ' '$T/buyers_nl.out')\" -eq 3 ]" \
    "grep -q ' No. 1 Long Rd $FAKEID 110' '$T/buyers_nl.out'"

# privacy: no raw number anywhere in what the test wrote.  The masked forms
# must be found (so the search does look inside the database files).
sqlite3 "$DB" "PRAGMA wal_checkpoint(PASSIVE)" >/dev/null
found_mask=$(grep -rlaF "110***********002X" "$T" | wc -l)
check "privacy check does see the masked number inside the database" [ "$found_mask" -ge 1 ]
leaks=""
for n in "$ID1" "$ID2" "$CC1" 19491231 198001010010 M000100Y43; do
	if grep -rlaF "$n" "$T" >/dev/null 2>&1; then leaks="$leaks $n:$(grep -rlaF "$n" "$T" | tr '\n' ' ')"; fi
done
check "no file written by the test holds a raw number or birth date${leaks:+ (found$leaks)}" [ -z "$leaks" ]

for c in "registry import" "operators add" "operators list" "buyers add" "buyers list"; do
	# shellcheck disable=SC2086
	"$C" $c --help >/dev/null 2>&1
	check "gasctl $c --help exits 0" [ $? -eq 0 ]
done
finish
