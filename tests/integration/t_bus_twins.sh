#!/bin/sh
# Two [bus] sections naming one physical link (the same serial device, or
# the same TCP host and port) let two lines address one unit id: line B's
# start then wrote line A's valve (review rev99).  A serial device named by
# a second [bus] is refused (two openings of one RS-485 port mix their
# frames); two [bus] for one TCP address are two connections to one Modbus
# gateway, honest with unit ids of their own (review rev101), refused when
# a line on one uses a unit id of a line on the other: by gasgw -n and at
# gasgw's start, naming the file, the line and the other line.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
"$BUILD/gaslabel" keygen --out "$T/keys" --buyer-key >/dev/null
sed -e "s|^profiles = .*|profiles = $here/drivers/profiles|" \
    -e "s|^code_public_key = .*|code_public_key = $T/keys/county.pub|" \
    -e "s|^buyer_key = .*|buyer_key = $T/keys/buyer.key|" \
    -e "s|^database = .*|database = $T/station.db|" "$here/etc/station.conf.example" \
    >"$T/example.conf"
out=$("$BUILD/gasgw" -n -c "$T/example.conf" 2>&1); rc=$?
check "control: the example is accepted" [ "$rc" -eq 0 ]

# the same line twice on one bus: refused today (the control of the check)
cat "$T/example.conf" - >"$T/same.conf" <<'C'

[line 4]
bus = plant
scale_unit = 1
scale_profile = wtx-filler
valve_unit = 1
cutoff = controller
C
"$BUILD/gasgw" -n -c "$T/same.conf" >"$T/same.out" 2>&1; rc=$?
check "control: a unit id shared on one [bus] is refused (exit $rc)" [ "$rc" -eq 1 ]

# tcp: a second [bus] to the same host and port, line 4 on unit 1 as line 3
cat "$T/example.conf" - >"$T/tcp.conf" <<'C'

[bus plant2]
type = tcp
host = 192.0.2.10
port = 502

[line 4]
bus = plant2
scale_unit = 1
scale_profile = wtx-filler
valve_unit = 1
cutoff = controller
C
"$BUILD/gasgw" -n -c "$T/tcp.conf" >"$T/tcp.out" 2>&1; rc=$?
check "two [bus] on one TCP host:port with line 3's unit id: refused (exit $rc)" [ "$rc" -eq 1 ]
check "the error names the file, line 4's header, line 3 and both [bus]" \
    grep -q "^$T/tcp.conf:167: error: \\[line 4\\]: uses a unit id that \\[line 3\\] already uses on the same link (\\[bus plant2\\] and \\[bus plant\\] reach one address)\$" "$T/tcp.out"
sed 's/^/# /' "$T/tcp.out"
"$BUILD/gasgw" -f -c "$T/tcp.conf" >"$T/start.out" 2>&1 &
gwpid=$!
wait_for 10 sh -c "! kill -0 $gwpid"
kill "$gwpid" 2>/dev/null
wait "$gwpid"; rc=$?
check "gasgw does not start with it either, saying the same (exit $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'already uses on the same link (\[bus plant2\] and \[bus plant\]' '$T/start.out'"
# two connections to one gateway, each line on its own unit ids: honest, accepted
sed 's/^scale_unit = 1$/scale_unit = 9/; s/^valve_unit = 1$/valve_unit = 9/' "$T/tcp.conf" |
    sed '1,160s/^scale_unit = 9$/scale_unit = 1/; 1,160s/^valve_unit = 9$/valve_unit = 1/' >"$T/tcp9.conf"
out=$("$BUILD/gasgw" -n -c "$T/tcp9.conf" 2>&1); rc=$?
check "two [bus] on one TCP host:port, line 4 on unit 9: accepted (exit $rc: $out)" [ "$rc" -eq 0 ]
# the same host on another port is another link (a second gateway port)
sed 's/^port = 502$/port = 503/' "$T/tcp.conf" | sed '149,152s/^port = 503$/port = 502/' >"$T/tcp503.conf"
out=$("$BUILD/gasgw" -n -c "$T/tcp503.conf" 2>&1); rc=$?
check "control: a second [bus] on another port of that host is accepted (exit $rc: $out)" [ "$rc" -eq 0 ]

# rtu: a second [bus] on the same serial device, line 4 on units 1 and 2 as line 1
cat "$T/example.conf" - >"$T/rtu.conf" <<'C'

[bus 1b]
type = rtu
device = /dev/ttyUSB0
baud = 19200
parity = even

[line 4]
bus = 1b
scale_unit = 1
scale_profile = sim-scale
valve_unit = 2
valve_profile = sim-valve
C
"$BUILD/gasgw" -n -c "$T/rtu.conf" >"$T/rtu.out" 2>&1; rc=$?
check "two [bus] on one serial device with line 1's unit ids: refused (exit $rc)" [ "$rc" -eq 1 ]
check "the error names [bus 1b], its line, and [bus 1] at line 96" \
    grep -q "^$T/rtu.conf:162: error: \\[bus 1b\\] is the link of \\[bus 1\\] (line 96), rtu /dev/ttyUSB0:" "$T/rtu.out"
sed 's/^/# /' "$T/rtu.out"
finish
