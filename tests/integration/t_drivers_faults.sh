#!/bin/sh
# The drivers tell failures apart and keep going: exception replies, CRC
# errors and garbage on RTU, dead and slow units (timeouts), writes to a dead
# unit, and a TCP bus whose server goes away and comes back (reconnect).
. "$(dirname "$0")/lib.sh"
SIM="$BUILD/gassim"
PROBE="$BUILD/tests/mbprobe"
export GAS_PROFILES="$(cd "$(dirname "$0")/../.." && pwd)/drivers/profiles"
ctl() { sock=$1; shift; printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$sock" >/dev/null; }
# field N of unit U's line in $T/out
field() { awk -v u="$1" -v f="$2" '$1==u && $2=="ok"{print $f}' "$T/out" | tail -n 1; }

# --- TCP --------------------------------------------------------------------
port=$(free_port)
spawn tsim "$SIM" --lines 2 --tcp "127.0.0.1:$port" --control "$T/tctl" --noise 0 \
    -e "exception 1:scale 2" -e "dead 2:valve on"
wait_for 5 test -S "$T/tctl" || fail "tcp gassim starts"
TCP="--tcp 127.0.0.1:$port --timeout-ms 200"
"$PROBE" $TCP --unit 1:sim-scale --unit 2:sim-valve --unit 3:sim-scale --unit 4:sim-valve \
    poll 1.5 write 4 valve_cmd 1 write 4 valve_cmd 0 >"$T/out" 2>&1
check "tcp: exception reply is reported as an exception" [ "$(field 1 9)" = exception ]
check "tcp: a dead unit is reported as a timeout" [ "$(field 4 9)" = timeout ]
check "tcp: the healthy units keep being read" [ "$(field 2 3)" -gt 10 ] && [ "$(field 3 3)" -gt 10 ]
check "tcp: a write to a dead unit fails with a timeout" grep -q '^write error timeout' "$T/out"
# a late reply on TCP would be taken for the next unit's answer: one slow unit alone
ctl "$T/tctl" "dead 2:valve off"
ctl "$T/tctl" "slow 2:scale 400"
"$PROBE" $TCP --unit 3:sim-scale poll 1.5 >"$T/out" 2>&1
check "tcp: a slow unit (400 ms > 200 ms timeout) is reported as a timeout" [ "$(field 3 9)" = timeout ]
ctl "$T/tctl" "slow 2:scale 0"

# the server goes away and comes back on the same port: the poller reconnects
ctl "$T/tctl" "exception 1:scale 0"
"$PROBE" $TCP --unit 1:sim-scale poll 1 sleep 2500 poll 2 stats >"$T/out" 2>&1 &
probe=$!
sleep 1.3
kill "$PID_tsim"; sleep 0.7
spawn tsim2 "$SIM" --lines 1 --tcp "127.0.0.1:$port" --noise 0
wait "$probe"
ok1=$(awk '$1==1{print $3}' "$T/out" | head -n 1)
ok2=$(awk '$1==1{print $3}' "$T/out" | tail -n 1)
reopens=$(awk '$1=="requests"{print $6}' "$T/out")
check "tcp: reads before the server went away ($ok1)" [ "${ok1:-0}" -gt 10 ]
check "tcp: reads again after the server came back ($ok2)" [ "${ok2:-0}" -gt 10 ]
check "tcp: the bus was reopened" [ "${reopens:-0}" -ge 1 ]

# --- RTU on a pty pair ------------------------------------------------------
spawn pty socat "pty,raw,echo=0,link=$T/a" "pty,raw,echo=0,link=$T/b"
wait_for 5 test -e "$T/b" || fail "pty pair"
spawn rsim "$SIM" --lines 2 --rtu "$T/a" --baud 115200 --control "$T/rctl" --noise 0 \
    -e "crc 1:scale on" -e "garbage 1:valve on" -e "dead 2:valve on"
wait_for 5 test -S "$T/rctl" || fail "rtu gassim starts"
RTU="--rtu $T/b --baud 115200 --timeout-ms 200"
"$PROBE" $RTU --unit 1:sim-scale --unit 2:sim-valve --unit 3:sim-scale --unit 4:sim-valve \
    poll 2 >"$T/out" 2>&1
check "rtu: a bad CRC is reported as a CRC error" [ "$(field 1 9)" = crc ]
check "rtu: garbage replies fail every read" [ "$(field 2 3)" = 0 ] && [ "$(field 2 5)" -gt 0 ]
check "rtu: a dead unit is reported as a timeout" [ "$(field 4 9)" = timeout ]
check "rtu: the healthy unit on the same bus keeps being read" [ "$(field 3 3)" -gt 20 ]
ctl "$T/rctl" "crc 1:scale off"
ctl "$T/rctl" "exception 1:scale 4"
"$PROBE" $RTU --unit 1:sim-scale poll 1 >"$T/out" 2>&1
check "rtu: exception 4 is reported as an exception" [ "$(field 1 9)" = exception ]
ctl "$T/rctl" "exception 1:scale 0"
"$PROBE" $RTU --unit 1:sim-scale poll 1 >"$T/out" 2>&1
check "rtu: the unit reads again once the fault is cleared" [ "$(field 1 3)" -gt 20 ] && [ "$(field 1 5)" = 0 ]

# a profile that does not match the device: reading past its map is an
# "illegal data address" exception (libmodbus's reply, timed on the wire)
printf '[device]\nname = wrong\nkind = scale\n[gross]\ntable = holding\naddress = 100\n' >"$T/wrong.ini"
"$PROBE" $RTU --unit 1:"$T/wrong.ini" poll 1 >"$T/out" 2>&1
check "rtu: a register the unit does not have is an exception" [ "$(field 1 9)" = exception ]
MBPROBE_DEBUG=1 "$PROBE" $RTU --unit 1:"$T/wrong.ini" poll 0.3 >"$T/out" 2>&1
check "rtu: ... reported as illegal data address" grep -q 'exception 2 (illegal data address)' "$T/out"

# RS-485 mode on a port that cannot do it (a pty: ENOTTY) is logged, not fatal
"$PROBE" $RTU --rs485 --unit 1:sim-scale read >"$T/out" 2>&1
check "rtu: RS-485 refused by the port is a warning and the bus still reads" \
    sh -c "grep -q 'cannot set RS-485 mode' $T/out && grep -q '^1 gross ' $T/out"

# a serial device that is not there yet: the poller retries with back-off
# and reads as soon as it appears
"$PROBE" --rtu "$T/late-b" --baud 115200 --unit 1:sim-scale sleep 1500 poll 1.5 >"$T/out" 2>&1 &
probe=$!
sleep 0.8
spawn pty2 socat "pty,raw,echo=0,link=$T/late-a" "pty,raw,echo=0,link=$T/late-b"
wait_for 5 test -e "$T/late-b"
spawn rsim2 "$SIM" --lines 1 --rtu "$T/late-a" --baud 115200
wait "$probe"
check "rtu: a serial port that appears late is opened and read ($(field 1 3) reads)" [ "$(field 1 3)" -gt 20 ]
finish
