# gasgw -n: the shipped example is accepted; a copy with a misspelled key
# and an out-of-range number is refused with both errors and their lines.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
example="$here/etc/station.conf.example"

out=$("$BUILD/gasgw" -n -c "$example" 2>&1); rc=$?
check "example configuration is accepted" [ "$rc" -eq 0 ]
check "gasgw -n prints 'configuration OK'" [ "$out" = "configuration OK" ]

sed -e 's/^poll_hz = 20/polll_hz = 20/' -e 's/^max_fill_s = 180/max_fill_s = 99999/' \
    "$example" > "$T/bad.conf"
poll_line=$(grep -n '^polll_hz' "$T/bad.conf" | head -n 1 | cut -d: -f1)
fill_line=$(grep -n '^max_fill_s' "$T/bad.conf" | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/bad.conf" > "$T/out" 2>&1; rc=$?
check "bad configuration exits 1" [ "$rc" -eq 1 ]
check "misspelled key reported with its line" \
    grep -q "^$T/bad.conf:$poll_line: unknown key 'polll_hz'" "$T/out"
check "out-of-range number reported with its line" \
    grep -q "^$T/bad.conf:$fill_line: 'max_fill_s' = 99999 is out of range" "$T/out"
check "nothing claims the bad file is OK" sh -c "! grep -q 'configuration OK' '$T/out'"

"$BUILD/gasgw" -n -c "$T/no-such.conf" > "$T/out2" 2>&1; rc=$?
check "missing file exits 1 naming the file" sh -c "[ $rc -eq 1 ] && grep -q 'no-such.conf' '$T/out2'"

"$BUILD/gasgw" --bogus > /dev/null 2>&1; rc=$?
check "bad usage exits 2" [ "$rc" -eq 2 ]
"$BUILD/gasgw" --help > "$T/help"; rc=$?
check "--help exits 0 and explains -n" sh -c "[ $rc -eq 0 ] && grep -q -- '-n' '$T/help'"

"$BUILD/gasgw" --example-config > "$T/generated.conf"
for key in $(sed -n 's/^\([a-z_0-9]*\) = .*/\1/p' "$T/generated.conf" | sort -u); do
	grep -q "^$key = " "$example" || fail "example configuration lacks key $key"
done
ok "example configuration covers every key"

# timezone: a name the tz database does not hold is an error with its line
# (glibc would silently fall back to UTC), for gasgw and gascounty alike
sed 's|^timezone = .*|timezone = Asia/Shangai|' "$example" > "$T/tz.conf"
tz_line=$(grep -n '^timezone' "$T/tz.conf" | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/tz.conf" > "$T/tz.out" 2>&1; rc=$?
check "gasgw -n refuses an unknown time zone with its line (exit 1)" sh -c \
    "[ $rc -eq 1 ] && grep -q \"^$T/tz.conf:$tz_line: 'timezone': time zone 'Asia/Shangai' is unknown\" '$T/tz.out'"

# The county's example: gascounty -n checks it (and the identities file it names).
county_example="$here/etc/county.conf.example"
printf 'station:S1 %s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > "$T/identities"
chmod 600 "$T/identities"
sed "s|^identities = .*|identities = $T/identities|" "$county_example" > "$T/county.conf"
out=$("$BUILD/gascounty" -n -c "$T/county.conf" 2>&1); rc=$?
check "county example configuration is accepted by gascounty -n" [ "$rc" -eq 0 ]
"$BUILD/gascounty" --example-config > "$T/county-generated.conf"
check "county example configuration covers every key" \
    sh -c "diff -q '$T/county-generated.conf' '$county_example' > /dev/null"
sed 's|^timezone = .*|timezone = ../../etc/passwd|' "$T/county.conf" > "$T/county-tz.conf"
"$BUILD/gascounty" -n -c "$T/county-tz.conf" > "$T/ctz.out" 2>&1; rc=$?
check "gascounty -n refuses a time zone outside the tz database (exit 1)" sh -c \
    "[ $rc -eq 1 ] && grep -q \"county-tz.conf:[0-9]*: 'timezone': time zone '../../etc/passwd' is not a name of the tz database\" '$T/ctz.out'"
finish
