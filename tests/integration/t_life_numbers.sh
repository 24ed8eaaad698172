#!/bin/sh
# (review rev102's t_rev102_number_at_door.sh)
# rev102: a delivery device with a real key sends a hand-over whose village,
# masked form or township holds a household's full resident ID number
# (V7: "No ID number is stored, logged or sent").  gasdeliver refuses such a
# --village on its own, but the county's door takes whatever a device sends:
# the number is stored in life_events and shown by every trace.  What should
# happen: the batch is refused (4.00) naming the field, and the number is
# nowhere in the county's database or log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/county_lib.sh"
LC_ALL=C
export LC_ALL

E=delivery:evil@TB
NUM=110105194912310089   # a valid resident ID (fill_lib's BUYER5)

county_mint PRIV-0 PRIV-1 PRIV-2 || finish
county_keys "$E"
COUNTY_EXTRA="code_key = $T/keys/county.pub"
county_start || { fail "gascounty did not start"; cat "$T/county.log"; finish; }

deliver() {
	"$BUILD/gasdeliver" -u "$E" -d "$T/evil.db" -k "$T/delivery_evil@TB.key" -p "$CPORT" \
	    --code-key "$T/keys/county.pub" --buyer-key "$T/keys/buyer.key" "$@"
}
evil_db() { sqlite3 "$T/evil.db" "$1"; }

# gasdeliver itself refuses the number in --village (the control)
deliver --offline handover "$(code PRIV-0)" --buyer-id "$BUYER1" --village "张三 $NUM" \
    >"$T/ctl.out" 2>&1
check "gasdeliver refuses a --village holding an ID number (exit 2)" [ $? = 2 ]

for f in village buyer_masked buyer_township; do
	n=$((n + 1))
	s=PRIV-$((n - 1))
	deliver --offline handover "$(code "$s")" --buyer-id "$BUYER1" --village 下宅村 >/dev/null 2>&1
	# what a device other than gasdeliver (or gasdeliver's database, edited) sends
	evil_db "UPDATE life_events SET $f = '$NUM' WHERE serial = '$s'"
	deliver sync >"$T/sync-$f.out" 2>&1
	# the county's 4.00 names the record and field; gasdeliver sets the event aside
	check "life.$f holding a resident ID number: the county refuses it, gasdeliver sets it aside" \
	    grep -q "the county refused the event of seq .*: holds what looks like an ID number" \
	    "$T/sync-$f.out"
	check "... and gasdeliver's words hold no number ($f)" \
	    sh -c '! grep -qF -- "$0" "$1"' "$NUM" "$T/sync-$f.out"
	check "... and the number is not stored in the county's life_events ($f)" \
	    [ "$(county_sql "SELECT count(*) FROM life_events WHERE serial = '$s' AND $f GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'")" = 0 ]
	# let the next case start clean
	evil_db "DELETE FROM outbox; DELETE FROM life_events WHERE serial = '$s'" 2>/dev/null
done

# a bkind holding an old 15-digit ID number: refused by the decoder, which
# quotes the value in the 4.00 answer and in gascounty's log
OLD=110105491231002
deliver --offline handover "$(code PRIV-0)" --buyer-id "$BUYER1" --village 上宅村 >/dev/null 2>&1
evil_db "UPDATE life_events SET buyer_kind = '$OLD' WHERE serial = 'PRIV-0'"
deliver sync >"$T/sync-bkind.out" 2>&1
check "a bkind holding a 15-digit ID number is refused (4.00)" grep -q "4\.00" "$T/sync-bkind.out"
check "... without the number in the county's answer" sh -c "! grep -q '$OLD' '$T/sync-bkind.out'"
check "... nor in gascounty's log" sh -c "! grep -q '$OLD' '$T/county.log'"
# the device's database holds the planted numbers: the whole run's privacy
# scan (tests/run.sh) reads $T afterwards, and everything else must pass it
rm -f "$T"/evil.db*
finish
