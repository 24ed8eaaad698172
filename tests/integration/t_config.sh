# gasgw -n: the shipped example is accepted (with the profiles of this
# tree in place of the installed folder); a copy with a misspelled key and
# an out-of-range number is refused with both errors and their lines; an
# unknown uplink_user, a township the county's identities could not hold
# and a scale's profile as a line's filling controller are errors at their
# lines, a scanner that is not there a warning.
# gasgw -n loads every profile the lines use: a valve_profile that does not
# exist, a profile with an unknown key, a scale profile as a valve, a valve
# profile without a watchdog, each an error with FILE:LINE (the
# configuration's, then the profile's), and a real start fails the same way
# before it opens anything.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
# the example as a station fills it in: its keys made, its database's folder there
"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null
sed -e "s|^profiles = .*|profiles = $here/drivers/profiles|" \
    -e "s|^code_public_key = .*|code_public_key = $T/keys/county.pub|" \
    -e "s|^buyer_key = .*|buyer_key = $T/keys/buyer.key|" \
    -e "s|^database = .*|database = $T/station.db|" "$here/etc/station.conf.example" \
    >"$T/example.conf"
example="$T/example.conf"

out=$("$BUILD/gasgw" -n -c "$example" 2>&1); rc=$?
check "example configuration is accepted" [ "$rc" -eq 0 ]
check "gasgw -n prints 'configuration OK'" [ "$out" = "configuration OK" ]
# a key with no county to send to: the uplink is off, said as a warning with its line
sed '0,/^host = county.example.org$/s//host = /' "$example" >"$T/nohost.conf"
"$BUILD/gasgw" -n -c "$T/nohost.conf" >"$T/nohost.out" 2>&1; rc=$?
check "psk_file without host passes -n (exit $rc) with a warning that the uplink is off" \
    all '[ $rc -eq 0 ]' \
    "grep -q \"nohost.conf:[0-9]*: warning: \[county\] psk_file is set but host is not: the uplink is off\" '$T/nohost.out'"
# what a start would open and fail on, -n opens too, naming the key
for c in "code_public_key = $T/keys/none.pub:code_public_key: $T/keys/none.pub: No such file" \
    "buyer_key = $T/keys/county.pub:buyer_key: " \
    "database = $T/nofolder/station.db:database $T/nofolder/station.db: its folder $T/nofolder: No such file"; do
	set=${c%%:*}
	sed "s|^${set%% =*} = .*|$set|" "$example" >"$T/files.conf"
	"$BUILD/gasgw" -n -c "$T/files.conf" >"$T/files.out" 2>&1; rc=$?
	check "gasgw -n refuses $set (exit $rc), naming it" \
	    all '[ $rc -eq 1 ]' "grep -qF '$T/files.conf: ${c#*:}' '$T/files.out'" \
	    "! grep -q 'configuration OK' '$T/files.out'"
done

sed -e 's/^poll_hz = 20/polll_hz = 20/' -e 's/^max_fill_s = 180/max_fill_s = 99999/' \
    "$example" > "$T/bad.conf"
poll_line=$(grep -n '^polll_hz' "$T/bad.conf" | head -n 1 | cut -d: -f1)
fill_line=$(grep -n '^max_fill_s' "$T/bad.conf" | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/bad.conf" > "$T/out" 2>&1; rc=$?
check "bad configuration exits 1" [ "$rc" -eq 1 ]
check "misspelled key reported with its line" \
    grep -q "^$T/bad.conf:$poll_line: error: unknown key 'polll_hz'" "$T/out"
check "out-of-range number reported with its line" \
    grep -q "^$T/bad.conf:$fill_line: error: 'max_fill_s' = 99999 is out of range" "$T/out"
check "nothing claims the bad file is OK" sh -c "! grep -q 'configuration OK' '$T/out'"

# a heartbeat no faster than the watchdog: every valve would be shut between
# two heartbeats, every fill an R24; refused at the heartbeat's line
sed -e 's/^heartbeat_ms = .*/heartbeat_ms = 1000/' -e 's/^watchdog_ms = .*/watchdog_ms = 1000/' \
    "$example" >"$T/hb.conf"
hb_line=$(grep -n '^heartbeat_ms' "$T/hb.conf" | head -n 1 | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/hb.conf" >"$T/hb.out" 2>&1; rc=$?
check "heartbeat_ms 1000 with watchdog_ms 1000 is refused at its line (exit $rc): $(head -n 1 "$T/hb.out")" \
    all '[ $rc -eq 1 ]' \
    "grep -q \"^$T/hb.conf:$hb_line: error: \[station\] heartbeat_ms 1000 must be less than watchdog_ms 1000\" '$T/hb.out'"

# --- the profiles the lines use ------------------------------------------------
mkdir "$T/profiles"
cp "$here"/drivers/profiles/*.ini "$T/profiles/"
printf '[device]\nname = odd\nkind = valve\n[valve_cmd]\ntable = coil\ncolour = red\n' \
    >"$T/profiles/odd.ini"
printf '[device]\nname = relay\nkind = valve\n[valve_cmd]\ntable = coil\n[valve_fb]\ntable = discrete\n' \
    >"$T/profiles/relay.ini"
# prof VALVE_PROFILE: the example with line 1's valve_profile replaced
prof() {
	sed -e "s|^profiles = .*|profiles = $T/profiles|" \
	    -e "0,/^valve_profile = sim-valve\$/s//valve_profile = $1/" "$example" >"$T/p.conf"
}
vline=$(grep -n '^valve_profile = sim-valve$' "$example" | head -n 1 | cut -d: -f1)

prof nosuch
"$BUILD/gasgw" -n -c "$T/p.conf" >"$T/p.out" 2>&1; rc=$?
check "a valve_profile that does not exist fails -n (exit $rc)" \
    sh -c "[ $rc -eq 1 ] && ! grep -q 'configuration OK' '$T/p.out'"
check "... an error at the line that names it" grep -q \
    "^$T/p.conf:$vline: error: \[line 1\] valve_profile: profile 'nosuch' not found (looked for nosuch.ini in $T/profiles)" \
    "$T/p.out"
check "... and the count, called errors" grep -q "^gasgw: $T/p.conf: 1 error(s)$" "$T/p.out"
check "... nothing of it labelled a warning" sh -c "! grep -q 'warning' '$T/p.out'"

prof odd
"$BUILD/gasgw" -n -c "$T/p.conf" >"$T/p.out" 2>&1; rc=$?
check "a profile with an unknown key fails -n" [ $rc -eq 1 ]
check "... named at the configuration's line, then at the profile's FILE:LINE" sh -c "
    grep -q \"^$T/p.conf:$vline: error: \[line 1\] valve_profile 'odd' does not load:\" '$T/p.out' &&
    grep -q \"^$T/profiles/odd.ini:6: error: unknown key 'colour' in \[valve_cmd\]\" '$T/p.out'"

prof sim-scale
"$BUILD/gasgw" -n -c "$T/p.conf" >"$T/p.out" 2>&1; rc=$?
check "a scale profile given as valve_profile fails -n" sh -c "[ $rc -eq 1 ] &&
    grep -q \"^$T/profiles/sim-scale.ini:6: error: kind = scale cannot serve as a valve\" '$T/p.out'"

prof relay
"$BUILD/gasgw" -n -c "$T/p.conf" >"$T/p.out" 2>&1; rc=$?
check "a valve profile with no watchdog fails -n, saying why" sh -c "[ $rc -eq 1 ] &&
    grep -q \"^$T/profiles/relay.ini:3: error: a valve needs \[watchdog\]: the unit must close the valve by itself\" '$T/p.out'"

# a real start fails the same way, before it opens the database
sed -e "s|^database = .*|database = $T/never.db|" -e "s|^control_socket = .*|control_socket = $T/never.sock|" \
    "$T/p.conf" >"$T/start.conf"
"$BUILD/gasgw" -f -c "$T/start.conf" >"$T/start.out" 2>&1; rc=$?
check "a real start with that profile exits 1, the same errors, 'not started'" sh -c "[ $rc -eq 1 ] &&
    grep -q \"^$T/profiles/relay.ini:3: error: a valve needs \[watchdog\]\" '$T/start.out' &&
    grep -q 'error(s); not started$' '$T/start.out' && ! grep -q 'warning' '$T/start.out'"
check "... and opened nothing" sh -c "[ ! -e '$T/never.db' ] && [ ! -e '$T/never.sock' ]"

# an optional signal missing: accepted, and what the line loses is said
sed '/^\[valve_fb\]/,/^address = 0/d' "$T/profiles/sim-valve.ini" >"$T/profiles/blind.ini"
sed -i 's/^name = sim-valve/name = blind/' "$T/profiles/blind.ini"
prof blind
"$BUILD/gasgw" -n -c "$T/p.conf" >"$T/p.out" 2>&1; rc=$?
check "a valve profile with no valve_fb passes -n with a warning of what is lost" sh -c "[ $rc -eq 0 ] &&
    grep -q \"^$T/profiles/blind.ini:[0-9]*: warning: no \[valve_fb\]: a valve the unit shuts by itself\" '$T/p.out' &&
    grep -q '^configuration OK$' '$T/p.out'"

# one unit as the filling controller with a scale's profile: the line, both keys
# and the unit are named, not only the role
sed -e "s|^profiles = .*|profiles = $T/profiles|" -e '0,/^valve_unit = 2$/s//valve_unit = 1/' \
    "$example" >"$T/filler.conf"
sline=$(grep -n '^scale_profile = sim-scale$' "$T/filler.conf" | head -n 1 | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/filler.conf" >"$T/filler.out" 2>&1; rc=$?
check "scale_unit = valve_unit with a scale's profile fails -n, naming both keys and the unit" \
    all '[ $rc -eq 1 ]' "grep -qF \"$T/filler.conf:$sline: error: [line 1] scale_profile 'sim-scale' cannot be the line's filling controller (scale_unit = valve_unit = 1: one unit weighs and closes the valve):\" '$T/filler.out'" \
        "grep -q '/sim-scale.ini:[0-9]*: error: kind = scale cannot serve as a filler' '$T/filler.out'"

# the uplink's user: an error of -n at its line (a start keeps only the uplink down)
sed 's/^uplink_user = .*/uplink_user = no-such-user-x/' "$example" >"$T/user.conf"
uline=$(grep -n '^uplink_user' "$T/user.conf" | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/user.conf" >"$T/user.out" 2>&1; rc=$?
check "gasgw -n refuses an unknown uplink_user at its line" \
    all '[ $rc -eq 1 ]' "grep -q \"^$T/user.conf:$uline: error: \\[county\\] uplink_user 'no-such-user-x': no such user\$\" '$T/user.out'"
sed '/^uplink_user = /d' "$example" | sed 's/^host = county.example.org$/host = county.example.org\nuplink_user = root/' >"$T/root.conf"
uline=$(grep -n '^uplink_user' "$T/root.conf" | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/root.conf" >"$T/root.out" 2>&1; rc=$?
check "... and root, at its line" \
    all '[ $rc -eq 1 ]' "grep -q \"^$T/root.conf:$uline: error: \\[county\\] uplink_user 'root': is root\" '$T/root.out'"
if ! getent passwd nobody >/dev/null; then
	sed '/^uplink_user = /d' "$example" >"$T/nouser.conf"
	hline=$(grep -n '^host = county' "$T/nouser.conf" | cut -d: -f1)
	"$BUILD/gasgw" -n -c "$T/nouser.conf" >"$T/nouser.out" 2>&1
	check "... and the default, at the line of the host that starts the uplink" \
	    grep -q "^$T/nouser.conf:$hline: error: \\[county\\] uplink_user 'nobody' (the default): no such user" "$T/nouser.out"
fi

# a scanner that is not there: a warning naming the line and the path (gasgw
# opens a scanner when it appears), not an error
sed "0,/^scanner = \$/s||scanner = $T/no-scanner|" "$example" >"$T/scanner.conf"
scline=$(grep -n "^scanner = $T/no-scanner" "$T/scanner.conf" | cut -d: -f1)
"$BUILD/gasgw" -n -c "$T/scanner.conf" >"$T/scanner.out" 2>&1; rc=$?
check "a scanner path that does not exist passes -n with a warning at its line, naming it" \
    all '[ $rc -eq 0 ]' "grep -q '^configuration OK$' '$T/scanner.out'" \
        "grep -qF '$T/scanner.conf:$scline: warning: [line 1] scanner $T/no-scanner: No such file or directory' '$T/scanner.out'"
: >"$T/no-scanner"
"$BUILD/gasgw" -n -c "$T/scanner.conf" >"$T/scanner.out" 2>&1; rc=$?
check "... and none once it is there" all '[ $rc -eq 0 ]' "! grep -q 'scanner' '$T/scanner.out'"

# the township: the form of the county's township:CODE identities (no space,
# ':' or control character); which codes exist is the county's word
for t in "330 825101" "town:3308251"; do
	sed "s|^township = .*|township = $t|" "$example" >"$T/town.conf"
	tline=$(grep -n '^township = ' "$T/town.conf" | cut -d: -f1)
	"$BUILD/gasgw" -n -c "$T/town.conf" >"$T/town.out" 2>&1; rc=$?
	check "township '$t' fails -n at its line: no township:CODE the county could hold" \
	    all '[ $rc -eq 1 ]' "grep -qF \"$T/town.conf:$tline: error: [station] township '$t' cannot be a township of the county\" '$T/town.out'"
done

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
    "[ $rc -eq 1 ] && grep -q \"^$T/tz.conf:$tz_line: error: 'timezone': time zone 'Asia/Shangai' is unknown\" '$T/tz.out'"

# The county's example: gascounty -n checks it (and the identities file it names).
county_example="$here/etc/county.conf.example"
printf 'station:S1 %s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > "$T/identities"
chmod 600 "$T/identities"
sed "s|^identities = .*|identities = $T/identities|" "$county_example" > "$T/county.conf"
out=$("$BUILD/gascounty" -n -c "$T/county.conf" 2>&1); rc=$?
check "county example configuration is accepted by gascounty -n" [ "$rc" -eq 0 ]
# the days acknowledged records are kept (acked_keep_days) are bounded like every key
for v in 0 3651; do
	sed "s|^acked_keep_days = .*|acked_keep_days = $v|" "$example" > "$T/keep.conf"
	keep_line=$(grep -n '^acked_keep_days' "$T/keep.conf" | cut -d: -f1)
	"$BUILD/gasgw" -n -c "$T/keep.conf" > "$T/keep.out" 2>&1; rc=$?
	check "gasgw -n refuses acked_keep_days = $v with its line (exit 1)" sh -c \
	    "[ $rc -eq 1 ] && grep -q \"keep.conf:$keep_line: error: 'acked_keep_days' = $v is out of range (1 to 3650)\" '$T/keep.out'"
done
"$BUILD/gascounty" --example-config > "$T/county-generated.conf"
check "county example configuration covers every key" \
    sh -c "diff -q '$T/county-generated.conf' '$county_example' > /dev/null"
# the page cache of the county's connection (cache_mb) is bounded like every key
sed 's|^cache_mb = .*|cache_mb = 1|' "$T/county.conf" > "$T/county-cache.conf"
cache_line=$(grep -n '^cache_mb' "$T/county-cache.conf" | cut -d: -f1)
"$BUILD/gascounty" -n -c "$T/county-cache.conf" > "$T/ccache.out" 2>&1; rc=$?
check "gascounty -n refuses a cache_mb below 2 MiB with its line (exit 1)" sh -c \
    "[ $rc -eq 1 ] && grep -q \"county-cache.conf:$cache_line: 'cache_mb' = 1 is out of range (2 to 65536)\" '$T/ccache.out'"
# C14's bound leaves room for a heartbeat's way (120 s): below 300 s is refused, named
sed 's|^c14_clock_skew_s = .*|c14_clock_skew_s = 120|' "$T/county.conf" > "$T/county-c14.conf"
c14_line=$(grep -n '^c14_clock_skew_s' "$T/county-c14.conf" | cut -d: -f1)
"$BUILD/gascounty" -n -c "$T/county-c14.conf" > "$T/c14.out" 2>&1; rc=$?
check "gascounty -n refuses a c14_clock_skew_s under 300 s with its line (exit 1)" sh -c \
    "[ $rc -eq 1 ] && grep -q \"county-c14.conf:$c14_line: 'c14_clock_skew_s' = 120 is out of range (300 to 604800)\" '$T/c14.out'"
# the shipped case files are accepted together, and a deadline row of a kind no rule or
# report has (a typo whose row would never apply) is named
sed -e "s|^catalogue = .*|catalogue = $here/etc/catalogue.csv|" \
    -e "s|^deadlines = .*|deadlines = $T/deadlines.csv|" \
    -e "s|^calendar = .*|calendar = $here/etc/calendar.csv|" \
    -e "s|^villages = .*|villages = $here/etc/villages.csv|" \
    -e "s|^township_map = .*|township_map = $here/etc/county-map.geojson|" \
    -e "s|^identities = .*|identities = $T/identities-towns|" \
    "$T/county.conf" >"$T/county-files.conf"
for t in 330825101 330825102 330825103 330825104 330825105; do
	printf 'township:%s %s\n' "$t" "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
done >"$T/identities-towns"
chmod 600 "$T/identities-towns"
cp "$here/etc/deadlines.csv" "$T/deadlines.csv"
"$BUILD/gascounty" -n -c "$T/county-files.conf" >"$T/cfiles.out" 2>&1; rc=$?
check "gascounty -n takes the shipped catalogue, deadlines, calendar, villages and map together, with a warning for none" \
    all '[ $rc -eq 0 ]' "! grep -q 'warning' '$T/cfiles.out'" \
    "grep -q '4 villages, 5 townships mapped' '$T/cfiles.out'"
printf 'stackd,alert,1wd,3wd,15wd\nC99,*,1h,1d,5d\n' >>"$T/deadlines.csv"
"$BUILD/gascounty" -n -c "$T/county-files.conf" >"$T/cfiles.out" 2>&1; rc=$?
check "... and names a row whose kind is no rule or report kind (stackd, C99)" \
    all '[ $rc -eq 0 ]' \
    "grep -q 'deadlines.csv: kind stackd is neither a rule' '$T/cfiles.out'" \
    "grep -q 'deadlines.csv: kind C99 is neither a rule' '$T/cfiles.out'" \
    "[ \"\$(grep -c 'is neither a rule' '$T/cfiles.out')\" = 2 ]"
sed 's|^timezone = .*|timezone = ../../etc/passwd|' "$T/county.conf" > "$T/county-tz.conf"
"$BUILD/gascounty" -n -c "$T/county-tz.conf" > "$T/ctz.out" 2>&1; rc=$?
check "gascounty -n refuses a time zone outside the tz database (exit 1)" sh -c \
    "[ $rc -eq 1 ] && grep -q \"county-tz.conf:[0-9]*: 'timezone': time zone '../../etc/passwd' is not a name of the tz database\" '$T/ctz.out'"
finish
