#!/bin/sh
# bench_county_trace's set-up, at its smallest size (2,000 fills): the
# county file is generated once into the cache folder under the name of
# the newest county migration and the size (a cached file of the same size
# for an older schema is removed first, and the run says so), holds what
# the benchmark's traces expect (every fill with its record, carrying its
# record's kind and time as the ingest writes them, one violation
# in 50, one case in 100, foreign keys whole, WAL as gascounty keeps it),
# is reused by the next run without being changed (the run writes into a
# copy it removes), and a cached file whose schema is not a new county
# database's is refused, with no copy left behind.
. "$(dirname "$0")/lib.sh"

bench=$BUILD/bench/bench_county_trace
cache=$T/cache
mkdir -p "$cache" "$T/tmp"
latest=$(ls "$(dirname "$0")/../../schema/county" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' |
    sort -n | tail -1)
gen=$(sed -n 's/^#define GEN_FORMAT \([0-9][0-9]*\).*/\1/p' "$(dirname "$0")/../bench/bench_county_trace.c")
file=$cache/county-trace-schema$latest-gen$gen-2000.db
stale=$cache/county-trace-schema$((latest - 1))-gen$gen-2000.db
oldgen=$cache/county-trace-schema$latest-gen$((gen - 1))-2000.db
other=$cache/county-trace-schema$((latest - 1))-gen$gen-4000.db

run() { BENCH_CACHE_DIR=$cache BENCH_TRACE_FILLS=2000 TMPDIR=$T/tmp "$bench" >"$T/$1.out" 2>"$T/$1.err"; }
left() { [ -z "$(ls "$T/tmp")" ]; }
sql() { sqlite3 -readonly "$file" "$1"; }

echo stale >"$stale"
echo oldgen >"$oldgen"
echo other >"$other"
check "the first run succeeds" run first
check "it generated the file and kept it" \
    grep -q "generated 2000 fills of 100 cylinders and 20 cases .* kept for the next run" "$T/first.out"
check "under the newest schema version's name" [ -s "$file" ]
check "the file of the same size for an older schema is removed, and said" \
    all '[ ! -e "$stale" ]' 'grep -q "removing $stale" "$T/first.out"'
check "and so is the file of an older generator" \
    all '[ ! -e "$oldgen" ]' 'grep -q "removing $oldgen" "$T/first.out"'
check "a cached file of another size is left alone" [ -e "$other" ]
check "no copy left in TMPDIR" left
check "the file is whole, its foreign keys hold, WAL, newest version" \
    [ "$(sql "PRAGMA integrity_check; PRAGMA foreign_key_check; PRAGMA journal_mode; PRAGMA user_version" |
        tr '\n' ' ')" = "ok wal $latest " ]
check "2,000 fills, each with its own record, 40 violations of fills, 20 cases" \
    [ "$(sql "SELECT (SELECT count(*) FROM fills), (SELECT count(*) FROM fills f JOIN records r
        ON r.uuid = f.uuid AND r.station = f.station AND r.seq = f.seq AND r.kind = 'fill'),
        (SELECT count(DISTINCT v.event) FROM violations v JOIN fills f ON f.uuid = v.event
        AND f.cylinder = v.cylinder), (SELECT count(*) FROM cases)")" = "2000|2000|40|20" ]
check "every fill carries its record's kind and time, as the ingest writes them (012)" \
    [ "$(sql "SELECT count(*) FROM fills f JOIN records r ON r.uuid = f.uuid
        WHERE f.record_kind IS r.kind AND f.record_created_ms IS r.created_ms")" = 2000 ]
check "uuids in store_uuid's form (version 4), none repeated" \
    [ "$(sql "SELECT count(*), count(DISTINCT uuid) FROM (SELECT uuid FROM records
        UNION ALL SELECT uuid FROM violations) WHERE uuid GLOB
        '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-*-4*-*-*'
        AND length(uuid) = 36")" = "2040|2040" ]
check "20 fills a cylinder, as the traces expect" \
    [ "$(sql "SELECT min(n), max(n), count(*) FROM (SELECT count(*) AS n FROM fills
        GROUP BY cylinder)")" = "20|20|100" ]
check "the secondary indexes are there again after the load" \
    [ "$(sql "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN
        ('fills_cylinder', 'fills_buyer', 'fills_station', 'fills_buyer_station',
        'violations_event', 'violations_station', 'violations_cylinder', 'violations_buyer',
        'records_station_time')")" = 9 ]
check "the traces ran on it" grep -q "cylinder trace among 2000 fills" "$T/first.out"

sum=$(md5sum <"$file")
check "the second run succeeds" run second
check "it reused the cached file" grep -q "reusing $file" "$T/second.out"
check "and did not generate it again" sh -c "! grep -q generated '$T/second.out'"
check "the cached file is unchanged (the run wrote into its copy)" [ "$(md5sum <"$file")" = "$sum" ]
check "no copy left in TMPDIR" left

sqlite3 "$file" "DROP INDEX fills_buyer"
run third
check "a cached file whose schema differs is refused" [ $? -ne 0 ]
check "saying so" grep -q "schema differs from a new county database's" "$T/third.err"
check "with no copy left in TMPDIR" left
finish
