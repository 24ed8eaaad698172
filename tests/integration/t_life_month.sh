#!/bin/sh
# A county through a simulated month of cylinders' lives (docs/county.md, "A
# cylinder's life"; tests/helpers/lifemonth.c): fills at eight stations sent
# as batches through the wire and county_ingest, every dispatch, hand-over,
# return, receipt, inspection and scrap through life_store, the sweep and the
# alerts into cases, on a real county database.  A month of normal life
# raises no case at all; the same month with 10 cylinders refilled at a black
# point raises exactly those 10 C07 cases, each in its household's township;
# the real gascounty then serves that database and its regulator sees them.
# Quick size (1,000 cylinders) by default; TORTURE=1 runs 5,000.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"

N=1000
[ -n "${TORTURE:-}" ] && N=5000

"$BUILD/tests/lifemonth" -d "$T/normal.db" -n "$N" -b 0 >"$T/normal.out" 2>"$T/normal.err"
check "a normal month of $N cylinders ran" grep -q '^fills [1-9]' "$T/normal.out"
check "a normal month raises no alert" \
    [ "$(sqlite3 "$T/normal.db" "SELECT count(*) FROM alerts")" = 0 ]
check "a normal month opens no case" \
    [ "$(sqlite3 "$T/normal.db" "SELECT count(*) FROM cases")" = 0 ]
events=$(sed -n 's/^events //p' "$T/normal.out")
fills=$(sed -n 's/^fills //p' "$T/normal.out")
check "every life event stored exactly once ($events events, $fills fills)" \
    [ "$(sqlite3 "$T/normal.db" "SELECT count(*) FROM life_events") $(sqlite3 "$T/normal.db" "SELECT count(*) FROM fills")" = "$((events - fills)) $fills" ]
check "inspections and scraps are in the registry's history" \
    [ "$(sqlite3 "$T/normal.db" "SELECT count(*) FROM registry_history WHERE source = 'life'")" = \
      "$(sqlite3 "$T/normal.db" "SELECT count(*) FROM life_events WHERE event IN ('inspection_back', 'scrapped')")" ]
check "a failed inspection's cylinder is scrapped in the registry" \
    [ "$(sqlite3 "$T/normal.db" "SELECT count(*) FROM registry WHERE status = 'scrapped'")" = \
      "$(sqlite3 "$T/normal.db" "SELECT count(*) FROM life_events WHERE event = 'scrapped'")" ]

county_keys township:T1 township:T2 township:T3 township:T4
"$BUILD/tests/lifemonth" -d "$T/county.db" -n "$N" -b 10 >"$T/black.out" 2>"$T/black.err"
sed -n 's/^black //p' "$T/black.out" | sort >"$T/black.want"
county_sql "SELECT cylinder FROM cases WHERE kind = 'C07' ORDER BY cylinder" >"$T/black.got"
check "10 cylinders went to a black point" [ "$(wc -l <"$T/black.want")" = 10 ]
check "exactly those 10 raised C07 cases" cmp -s "$T/black.want" "$T/black.got"
check "and no other case" [ "$(county_sql "SELECT count(*) FROM cases")" = 10 ]
# each C07 case is for the township of the household the cylinder reached
check "each C07 case is in its household's township" \
    [ "$(county_sql "SELECT count(*) FROM cases c WHERE kind = 'C07' AND township = (SELECT buyer_township FROM life_events e WHERE e.serial = c.cylinder AND e.event = 'handed_over' AND NOT EXISTS (SELECT 1 FROM fills f WHERE f.cylinder = e.serial AND f.started_ms > (SELECT max(at_ms) FROM life_events r WHERE r.serial = e.serial AND r.event IN ('returned', 'received') AND r.at_ms < e.at_ms) AND f.started_ms <= e.at_ms) ORDER BY e.at_ms LIMIT 1)")" = 10 ]

# a dispatch four days old that nobody delivered, as life_store leaves it
# (test_life checks that part): gascounty's own sweep must judge it (C08)
now=$(date +%s)000
county_sql "INSERT INTO life_events (source, seq, uuid, event, serial, worker, at_ms, rule_ms,
    stored_ms) VALUES ('S01', 999999, '00000000-0000-4000-8000-00000000c008', 'dispatched',
    'ZJM-LOST', 'delivery:W01@T1', $now - 4 * 86400000, $now - 4 * 86400000, $now - 4 * 86400000);
    INSERT INTO life_pending (uuid, rule, serial, at_ms, due_ms) VALUES
    ('00000000-0000-4000-8000-00000000c008', 'C08', 'ZJM-LOST', $now - 4 * 86400000,
    $now - 86400000)"

# the real server on that database: the regulator's list has them
county_start || { fail "gascounty did not start on the month's database"; cat "$T/county.log"; finish; }
"$BUILD/gaswatch" --as regulator:alice -k "$T/regulator_alice.key" -p "$CPORT" list >"$T/list.out" 2>&1
check "the regulator's case list shows the 10 black-point cylinders" \
    sh -c "[ \$(grep -c 'black point' '$T/list.out') = 10 ] &&
        for c in \$(cat '$T/black.want'); do grep -q \"cylinder \$c \" '$T/list.out' || exit 1; done"
if sql_eventually 20 "SELECT count(*) FROM cases WHERE kind = 'C08' AND cylinder = 'ZJM-LOST' AND township = 'T1'" 1; then
	ok "gascounty's sweep raised C08 for the undelivered dispatch, in the station's township"
else
	fail "gascounty's sweep raised C08 for the undelivered dispatch, in the station's township"
fi
check "and nothing is left pending" [ "$(county_sql "SELECT count(*) FROM life_pending")" = 0 ]
finish
