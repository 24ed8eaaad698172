#!/bin/sh
# A request's cost is bounded before it is decoded (issue 14, item 5;
# docs/protocol.md, "Bounds"): a real station identity sends, over a real
# DTLS session to a real gascounty, 4 MiB of one-byte items (four million
# zeros, four million empty maps), as many empty maps as the bound lets
# through, a payload one byte over 4 MiB, and as many of the smallest valid
# violations as the item bound allows (25 bytes each on the wire, over 500
# as a decoded struct: 28 MiB).
# Each is refused 4.00 with the bound named, and the county's peak memory
# (VmHWM in /proc/PID/status) grows by at most PEAK_MB over its figure
# before the attack: before the bounds, one 4 MiB payload of zeros raised
# it by 300 MB, of empty maps by 430 MB.  What may stay: the body libcoap
# holds while its blocks arrive (4 MiB, and a copy) and the decoded structs
# up to WIRE_MAX_DECODED (16 MiB); the bound is generous, a memory bound,
# not a timing one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

PEAK_MB=${PEAK_MB:-40}

county_keys
county_start
key="$T/station_S01.key"

status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID_county/status"; }

send() { # kind count
	"$BUILD/tests/refusals" -p "$CPORT" -u station:S01 -k "$key" -K "$1" -n "$2" \
	    >>"$T/refusals.out" 2>>"$T/refusals.err"
}

# before: a real batch stored, and a few ordinary refusals
check "a valid batch is stored" \
    sh -c "'$BUILD/tests/coapreq' -p $CPORT -u station:S01 -k '$key' -m POST -P records \
        -b batch:S01:TA:1 | grep -q 'code 2.04'"
send truncated 100
before=$(status VmHWM)
echo "# VmHWM before: $before kB (VmRSS $(status VmRSS) kB)"

for k in zeros-4m maps-4m items-at-bound over-payload violation-flood; do
	check "$k: refused 4.00 every time" send "$k" 2
	echo "# $(tail -n 1 "$T/refusals.out"); VmHWM $(status VmHWM) kB"
done
after=$(status VmHWM)
echo "# VmHWM after: $after kB (grew $(((after - before) / 1024)) MB)"
check "the county's peak grew by at most $PEAK_MB MB ($before -> $after kB)" \
    test $((after - before)) -le $((PEAK_MB * 1024))
check "the refusals name the bound" \
    all "grep -q 'too many items' '$T/county.log'" "grep -q 'is over 4194304' '$T/county.log'" \
        "grep -q 'more than 16777216 bytes decoded' '$T/county.log'"
check "the county is still up" kill -0 "$PID_county"
check "only the valid record is stored" test "$(county_sql 'SELECT count(*) FROM records')" = 1
finish
