#!/bin/sh
# A client of the control socket that asks for large answers back to back
# (redteam35).  Read slowly: gasgw's control thread wrote each reply to the
# end, waiting up to a second at a time for the client to make room, and
# held the thread for minutes: no gasctl status, stop or login, no scanner
# read, no waiting fill's progress.  A reply now has a second in all to
# leave, then the connection is dropped.  Read at once: gasgw answered every
# request a connection had sent before the next connection's (16 s for 97
# answers of 20,000 fills); now one request of each connection a round.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_setup 1 || { fail "set-up"; finish; }

# 20,000 recorded fills of C-GOOD-1: a reply of fills with limit 100000 is
# several MB, as at a station a year on
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
     INSERT INTO fills (uuid, station, line, cylinder, started_ms, ended_ms, tare_kg,
       target_kg, preact_kg, cutoff_kg, gross_kg, net_kg, result)
     SELECT printf('00000000-0000-4000-8000-%012d', i), 'S1', 1, 'C-GOOD-1',
       1790000000000 + i * 60000, 1790000000000 + i * 60000 + 50000, 15.2, 14.9, 0.04,
       14.86, 30.1, 14.9, 'ok' FROM n" || fail "fills seeded"

# slow.py PATH SECONDS READY: requests fills 0..100000 back to back (as many
# as 4096 bytes hold), then every 0.9 s for SECONDS reads what is waiting
# (the kernel wakes a writer once its buffer is three quarters empty);
# prints how many bytes it got and whether gasgw closed it
cat >"$T/slow.py" <<'PY'
import os, socket, sys, time
path, secs = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
req = b'{"cmd":"fills","since":0,"limit":100000}\n'
s.sendall(req * (4000 // len(req)))
open(sys.argv[3], "w").close()
got, closed, end = 0, False, time.time() + secs
s.settimeout(1)
while time.time() < end:
    try:
        b = s.recv(1 << 20)
        while b and len(b) < (1 << 20):
            got += len(b)
            s.setblocking(False)
            try:
                b = s.recv(1 << 20)
            except BlockingIOError:
                b = b"x"
                break
            finally:
                s.settimeout(1)
    except socket.timeout:
        continue
    if not b:
        closed = True
        break
    time.sleep(0.9)
print("got %d bytes, %s" % (got, "closed by gasgw" if closed else "still open"))
PY

# status_beside WHAT NAME LIMIT_S: gasctl status, beside WHAT, answers well
# within LIMIT_S (how long main's gasgw kept it waiting, or for ever): within
# 10 s, a bound for a person at the fill line, not a measure of speed
# (measured: 0.5 and 1.3 s)
status_beside() {
	t0=$(date +%s%N)
	timeout "$3" "$BUILD/gasctl" -s "$T/gw.sock" status >"$T/$2.out" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "with $1, gasctl status answers within 10 s ($rc, $ms ms)" \
	    all "[ $rc -eq 0 ]" "[ $ms -lt 10000 ]" "grep -q 'station S1' '$T/$2.out'"
}

/usr/bin/python3 "$T/slow.py" "$T/gw.sock" 30 "$T/slow.ready" >"$T/slow.out" 2>&1 &
slow=$!
PIDS="$PIDS $slow"
wait_for 10 test -e "$T/slow.ready" || fail "the slow reader asked"
sleep 1
status_beside "a slow reader of large replies" status 25
wait "$slow"
check "the slow reader was dropped ($(cat "$T/slow.out"))" grep -q "closed by gasgw" "$T/slow.out"
# fast.py PATH READY: the same requests, every answer read at once: each
# one takes the thread a fraction of a second to write, and gasgw answered
# every request of a connection before the next connection's
cat >"$T/fast.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
req = b'{"cmd":"fills","since":0,"limit":100000}\n'
n = 4000 // len(req)
s.sendall(req * n)
open(sys.argv[2], "w").close()
got, lines, t0 = 0, 0, time.time()
while lines < n:
    b = s.recv(1 << 22)
    if not b:
        break
    got += len(b)
    lines += b.count(b"\n")
print("%d of %d replies, %d bytes in %.1f s" % (lines, n, got, time.time() - t0))
PY
/usr/bin/python3 "$T/fast.py" "$T/gw.sock" "$T/fast.ready" >"$T/fast.out" 2>&1 &
fast=$!
PIDS="$PIDS $fast"
wait_for 10 test -e "$T/fast.ready" || fail "the fast reader asked"
sleep 0.5
status_beside "97 large requests of one connection queued" status2 60
wait "$fast"
check "and that connection still gets every answer ($(cat "$T/fast.out"))" \
    grep -Eq "^([0-9]+) of \\1 replies" "$T/fast.out"

# one who reads as gasctl does gets the whole large reply, however long
/usr/bin/python3 - "$T/gw.sock" >"$T/honest.out" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"cmd":"fills","since":0,"limit":100000}\n')
buf = b""
while not buf.endswith(b"\n"):
    b = s.recv(1 << 20)
    if not b:
        break
    buf += b
print("%d fills in %d bytes" % (len(json.loads(buf)["fills"]), len(buf)))
PY
check "a client that reads as it should gets the whole large reply ($(cat "$T/honest.out"))" \
    grep -q "^20000 fills" "$T/honest.out"
# and gasctl fills itself lists them all (it read at most 64 KiB of a reply,
# about 280 fills, and failed with "reply from gasgw too long")
ctl fills --json >"$T/fills.json" 2>"$T/fills.err"; rc=$?
check "gasctl fills lists all 20,000 fills ($rc, $(head -c 200 "$T/fills.err"))" \
    /usr/bin/python3 -c 'import json,sys; sys.exit(0 if len(json.load(open(sys.argv[1]))) == 20000 else 1)' "$T/fills.json"
# requests sent at once and then the writing side shut (`printf ... | socat`):
# every one answered, then the connection closed (once gasgw answered one a
# round, it closed at the half-close with the rest unanswered)
/usr/bin/python3 - "$T/gw.sock" >"$T/halfclose.out" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"cmd":"status"}\n' * 3 + b'{"cmd":"fills","since":0,"limit":2000}\n')
s.shutdown(socket.SHUT_WR)
s.settimeout(10)
buf = b""
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    buf += b
print("%d replies, %s" % (buf.count(b"\n"), "ends with a line" if buf.endswith(b"\n") else "cut"))
PY
check "four requests and a half-close: four replies, then closed ($(cat "$T/halfclose.out"))" \
    grep -q "^4 replies, ends with a line" "$T/halfclose.out"
finish
