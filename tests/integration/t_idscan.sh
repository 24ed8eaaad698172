#!/bin/sh
# The privacy check itself (tests/helpers/idscan.c): it must find a raw
# number wherever a run leaves one, and must not cry wolf at digits that are
# no number anyone typed (a stop's CI failed on the fraction of a real
# number in t_buyer_address's database dump).
. "$(dirname "$0")/lib.sh"

# The planted numbers live in their own folder, removed at the end: the
# whole run's privacy scan (tests/run.sh) reads $T afterwards.
P="$T/planted"
mkdir -p "$P"
scan() { "$BUILD/tests/idscan" "$@" >"$P/scan.out" 2>&1; }

# 278499999999911986 passes GB 32100's check character (found by trying).
NUM=278499999999911986

printf 'buyer %s at the counter\n' "$NUM" >"$P/plain.txt"
check "a number standing alone in a file is found" sh -c "! '$BUILD/tests/idscan' '$P/plain.txt' >/dev/null"
scan "$P/plain.txt"
check "and the report masks it ($(cat "$P/scan.out"))" \
    sh -c "grep -q '278\*\*\*\*\*\*\*\*\*\*\*1986' '$P/scan.out' && ! grep -q '$NUM' '$P/scan.out'"

printf 'INSERT INTO t VALUES(0.%s,1);\n' "$NUM" >"$P/fraction.sql"
check "the same digits as the fraction of a decimal number are not" scan "$P/fraction.sql"

printf 'id a3f%sb1\n' "$NUM" >"$P/hex.txt"
check "nor inside a longer run of letters and digits" scan "$P/hex.txt"

printf 'ID.%s\n' "$NUM" >"$P/dot.txt"
check "a number after a dot that ends a word is still found" sh -c "! '$BUILD/tests/idscan' '$P/dot.txt' >/dev/null"

sqlite3 "$P/db.sqlite" "CREATE TABLE b(x TEXT); INSERT INTO b VALUES('op$NUM' || 'X');" \
    "CREATE TABLE c(y TEXT); INSERT INTO c VALUES('$NUM');"
check "a number stored as a database value is found" sh -c "! '$BUILD/tests/idscan' '$P/db.sqlite' >/dev/null"
sqlite3 "$P/clean.sqlite" "CREATE TABLE f(v REAL); INSERT INTO f VALUES(0.278499999999911986);"
sqlite3 "$P/clean.sqlite" .dump >"$P/clean.dump"
check "a database of real numbers and its dump are clean" scan "$P/clean.sqlite" "$P/clean.dump"

rm -rf "$P"
finish
