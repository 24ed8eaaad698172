#!/bin/sh
# Refused requests cost the county nothing that stays (issue 14, item 2):
# a real station identity sends 10,000 requests of every refusal kind
# (malformed CBOR, wrong types, missing fields, a fill whose 8 KiB curve is
# read before its "viol" turns out not to be an array, fields over their
# size, bounds, a JSON body, an unknown content format, a role it lacks, a
# wrong method, path, Accept or query; tests/helpers/refusals -l lists
# them) over real DTLS sessions to a real gascounty.  Every one must be
# answered 4.xx, and the county's resident memory (VmRSS in
# /proc/PID/status) after all of them must be within 8 MiB of what it was
# after a warm-up of 500 of each kind.  A leak of even 1 KiB a request
# would add 10 MB per kind; the curve leak this test was written for added
# 8 KiB a request.  COUNT=N changes the 10,000.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

COUNT=${COUNT:-10000}
WARMUP=500
MARGIN_KB=8192

county_keys
county_start
key="$T/station_S01.key"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID_county/status"; }

send() { # kind count
	"$BUILD/tests/refusals" -p "$CPORT" -u station:S01 -k "$key" -K "$1" -n "$2" \
	    >>"$T/refusals.out" 2>>"$T/refusals.err"
}

kinds=$("$BUILD/tests/refusals" -l | awk '{ print $1 }' |
    grep -v -e '^zeros-4m$' -e '^maps-4m$' -e '^items-at-bound$' -e '^over-payload$' \
        -e '^violation-flood$')
check "the helper knows at least 20 refusal kinds" test "$(echo "$kinds" | wc -l)" -ge 20

# warm-up: the allocator's pools, SQLite's cache and libcoap's sessions
# reach their working size
warm_ok=1
for k in $kinds; do
	send "$k" "$WARMUP" || warm_ok=0
done
check "warm-up: every request of every kind answered 4.xx" test "$warm_ok" -eq 1
before=$(rss)
echo "# VmRSS after the warm-up: $before kB"

all_ok=1
for k in $kinds; do
	if ! send "$k" "$COUNT"; then
		all_ok=0
		echo "# $k: $(tail -n 1 "$T/refusals.out")"
	fi
	echo "# $(tail -n 1 "$T/refusals.out"), VmRSS $(rss) kB"
done
after=$(rss)
n=$(echo "$kinds" | wc -l)
echo "# VmRSS after $COUNT of each of $n kinds: $after kB (before: $before kB)"
check "$COUNT requests of each of $n kinds, every one answered 4.xx" test "$all_ok" -eq 1
check "the county's VmRSS stays within $MARGIN_KB kB ($before -> $after kB)" \
    test $((after - before)) -le "$MARGIN_KB"
check "the county is still up" kill -0 "$PID_county"
# nothing was stored by any of them
check "no record stored" test "$(county_sql 'SELECT count(*) FROM records')" = 0
finish
