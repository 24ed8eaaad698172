#!/bin/sh
# The console serves two sessions' pages at once, each on its own database
# handle, and an audited page still answers only once its audit row is
# committed.
#
# Another process holds the county database's write lock (BEGIN IMMEDIATE,
# as gascounty does while it stores a batch).  The regulator's trace, which
# must write its audit row before it answers, then waits for the lock,
# holding its database handle; while it waits, the second session's figures page (a
# read) is answered from another handle.  With one handle under a lock the
# figures would wait behind the trace.  No time is measured: the order is
# observed (the trace's client is still waiting when the figures arrive, and
# the holder still holds the lock), and gasweb's own counter says, at stop,
# that two handles were in use at once.  Then two traces from the two
# sessions both wait for the lock and, once it is free, both answer with
# their audit rows committed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys
county_start || { fail "gascounty did not start"; finish; }
county_stop # the database exists: gasweb is what this test is about

# gasweb with debug logging: it says when a handler takes a database handle
web_conf "threads = 4
log_level = debug"
web_passwd regulator:alice alice-password-1
web_passwd regulator:bob bob-password-1
web_start
C() { curl -sk --max-time 30 "$@"; }
check "the regulator signs in" [ "$(signin "$T/alice.jar" regulator:alice alice-password-1)" = 303 ]
check "a second regulator signs in" [ "$(signin "$T/bob.jar" regulator:bob bob-password-1)" = 303 ]

# hold_lock NAME: another process takes the write lock until "release NAME"
hold_lock() {
	mkfifo "$T/$1.fifo"
	/usr/bin/python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("COMMIT")
print("released", flush=True)
' "$T/county.db" <"$T/$1.fifo" >"$T/$1.out" 2>&1 &
	eval "HOLDER_$1=$!"
	PIDS="$PIDS $!"
	exec 9>"$T/$1.fifo"
	wait_for 10 grep -qx locked "$T/$1.out"
}
release() { echo go >&9; exec 9>&-; wait_for 10 grep -qx released "$T/$1.out"; }
taken() { grep -c "database: handle taken" "$T/web.log"; }
audits() { county_sql "SELECT count(*) FROM audit WHERE identity = '$1' AND query = 'cylinder'"; }

# --- a read beside an audited page waiting for the write lock -------------------------
check "another process holds the database's write lock" hold_lock first
n=$(taken)
C -b "$T/alice.jar" -o "$T/trace1.html" -w '%{http_code}' \
    "$U/trace?kind=cylinder&key=LY-PAR-1" >"$T/trace1.code" &
TRACE=$!
check "the regulator's trace has taken its database handle (and waits for the lock)" \
    wait_for 10 sh -c "[ \$(grep -c 'database: handle taken' '$T/web.log') -gt $n ]"
code=$(C -b "$T/bob.jar" -o "$T/figures.html" -w '%{http_code}' "$U/figures")
still=no
kill -0 "$TRACE" 2>/dev/null && still=yes
check "the second session's figures answer (200) meanwhile, from another handle" \
    all '[ "$code" = 200 ]' 'grep -q "<svg" "$T/figures.html"'
check "the trace was still waiting when they did, its audit row not yet written" \
    all '[ "$still" = yes ]' '[ "$(audits regulator:alice)" = 0 ]' \
    '! grep -qx released "$T/first.out"'
release first
wait "$TRACE"
check "once the lock is free the trace answers (200) and its audit row is committed" \
    all '[ "$(cat "$T/trace1.code")" = 200 ]' '[ "$(audits regulator:alice)" = 1 ]'

# --- two audited pages waiting for the lock at once: both answer, both audited ---------
check "the write lock is held again" hold_lock second
n=$(taken)
C -b "$T/alice.jar" -o /dev/null -w '%{http_code}' "$U/trace?kind=cylinder&key=LY-PAR-2" \
    >"$T/trace2.code" &
T2=$!
# a server thread busy in a handler accepts no new connection: the second
# session's is sent once the first's handler holds its handle, so that it
# lands on another thread (libmicrohttpd keeps a connection on one thread)
wait_for 10 sh -c "[ \$(grep -c 'database: handle taken' '$T/web.log') -gt $n ]"
C -b "$T/bob.jar" -o /dev/null -w '%{http_code}' "$U/trace?kind=cylinder&key=LY-PAR-3" \
    >"$T/trace3.code" &
T3=$!
check "both traces have taken a handle each" \
    wait_for 10 sh -c "[ \$(grep -c 'database: handle taken' '$T/web.log') -ge $((n + 2)) ]"
check "neither has answered nor been audited while the lock is held" \
    all 'kill -0 $T2 2>/dev/null' 'kill -0 $T3 2>/dev/null' \
    '[ "$(audits regulator:alice)" = 1 ]' '[ "$(audits regulator:bob)" = 0 ]'
release second
wait "$T2" "$T3"
check "once it is free both answer (200), each with its audit row" \
    all '[ "$(cat "$T/trace2.code")" = 200 ]' '[ "$(cat "$T/trace3.code")" = 200 ]' \
    '[ "$(audits regulator:alice)" = 2 ]' '[ "$(audits regulator:bob)" = 1 ]'

kill "$PID_web"
wait "$PID_web" 2>/dev/null
check "gasweb's own counter: two handles (or more) were in use at once" \
    grep -Eq "database: at most [2-4] of 4 handles in use at once" "$T/web.log"
finish
