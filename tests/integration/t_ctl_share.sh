#!/bin/sh
# The control socket cannot be taken from the operator (issue 14 item 8):
# real connections, held open and silent, from the test's own user and from
# another one, then the operator's gasctl status.  gasgw gives one user at
# most 8 of its 32 slots, hands a newcomer the slot idle longest, and closes
# a connection that completes no request for control_idle_s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

fill_setup 1 || { fail "set-up"; finish; }

# hold PATH N DIR: N silent connections, DIR/ready once made, kept until
# DIR/go appears; then how many gasgw still holds open goes into DIR/open
cat >"$T/hold.py" <<'PY'
import os, socket, sys, time
path, n, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    socks.append(s)
open(os.path.join(d, "ready"), "w").close()
go = os.path.join(d, "go")
while not os.path.exists(go):
    time.sleep(0.05)
time.sleep(0.5)
still = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(1):
            still += 1
    except BlockingIOError:
        still += 1
    except OSError:
        pass
with open(os.path.join(d, "open"), "w") as f:
    f.write("%d\n" % still)
PY

# held WHO DIR [RUNNER...]: 40 silent connections made by RUNNER (a user
# switch, or nothing), then the operator's gasctl status, then how many of
# the 40 gasgw kept.  The holder runs in $T with paths relative to it and
# its script on standard input: another user may not search the folders
# above $T (tests/run.sh keeps them private).
held() {
	who=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	(cd "$T" && exec "$@" /usr/bin/python3 - gw.sock 40 "$(basename "$dir")" <hold.py) &
	hold=$!
	PIDS="$PIDS $hold"
	wait_for 20 test -e "$dir/ready" || fail "40 connections made ($who)"
	out=$(ctl status 2>&1); rc=$?
	check "with 40 silent connections of $who, gasctl status answers ($rc)" \
	    all '[ "$rc" -eq 0 ]' 'printf "%s\n" "$out" | grep -q "station S1"'
	touch "$dir/go"
	wait "$hold"
	check "$who held at most a share of 8 slots ($(cat "$dir/open" 2>/dev/null))" \
	    [ "$(cat "$dir/open" 2>/dev/null || echo 99)" -le 8 ]
}

held "the operator's own user" "$T/self"
if [ "$(id -u)" -eq 0 ]; then
	# another local user who can reach the socket (in its group, say)
	chmod 0666 "$T/gw.sock"
	chmod 0755 "$T"
	mkdir "$T/other" && chmod 0777 "$T/other"
	held "another user (nobody)" "$T/other" setpriv --reuid=65534 --regid=65534 --clear-groups
	chmod 0700 "$T"
else
	echo "# not root: the second user's connections are not tried"
fi

# --- idle time-out -------------------------------------------------------------
gw_stop
sed -i 's/^\[station\]$/[station]\ncontrol_idle_s = 2/' "$T/station.conf"
gw_start || { fail "gasgw starts with control_idle_s = 2"; finish; }
/usr/bin/python3 - "$T/gw.sock" >"$T/idle.out" 2>&1 <<'PY'
import socket, sys, time
silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
silent.connect(sys.argv[1])
busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
busy.connect(sys.argv[1])
busy.settimeout(5)
# the busy one asks every second for 5 s; the silent one says nothing
for _ in range(5):
    busy.sendall(b'{"cmd":"status"}\n')
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = busy.recv(65536)
        if not chunk:
            print("busy connection closed")
            sys.exit(1)
        reply += chunk
    time.sleep(1)
print("busy connection kept")
silent.settimeout(10)
print("silent connection closed" if silent.recv(1) == b"" else "silent connection open")
PY
check "a connection that asks every second is kept" grep -q "busy connection kept" "$T/idle.out"
check "a silent connection is closed after control_idle_s" \
    grep -q "silent connection closed" "$T/idle.out"
finish
