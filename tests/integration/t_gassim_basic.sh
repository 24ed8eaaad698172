#!/bin/sh
# gassim on its own: usage and exit codes, the control socket, the event log,
# and its weight registers read by mbpoll (a Modbus master we did not write)
# over TCP and over RTU on a pty pair.
. "$(dirname "$0")/lib.sh"
SIM="$BUILD/gassim"
export GAS_PROFILES="$(cd "$(dirname "$0")/../.." && pwd)/drivers/profiles"

"$SIM" --help >/dev/null 2>&1; check "--help exits 0" [ $? -eq 0 ]
"$SIM" --bogus >/dev/null 2>&1; check "unknown option exits 2" [ $? -eq 2 ]
"$SIM" --lines 0 --tcp 127.0.0.1:1 >/dev/null 2>&1; check "--lines 0 exits 2" [ $? -eq 2 ]
"$SIM" -n -e "place 1 15" >/dev/null 2>&1; check "-n with a good command exits 0" [ $? -eq 0 ]
"$SIM" -n -e "place 9 15" >/dev/null 2>&1; check "-n with a bad command exits 2" [ $? -eq 2 ]
"$SIM" -n --profile no-such >/dev/null 2>&1; check "-n with a missing profile exits 1" [ $? -eq 1 ]

# every refusal says what was wrong
"$SIM" -n -e "place 1 abc" 2>"$T/err"; rc=$?
check "-e: a bad argument is named with its bounds (exit 2)" \
    sh -c "[ $rc -eq 2 ] && grep -q \"place: TARE_KG 'abc' is not a number from 0 to 150\" $T/err"
"$SIM" -n --baud 12.5 2>"$T/err"; rc=$?
check "a bad option value is named with its bounds (exit 2)" \
    sh -c "[ $rc -eq 2 ] && grep -q \"^gassim: --baud: '12.5' is not a whole number from 300 to 4000000\" $T/err"
"$SIM" -n --tcp 127.0.0.1 2>"$T/err"; rc=$?
check "-n checks --tcp's HOST:PORT (exit 2)" sh -c "[ $rc -eq 2 ] && grep -q 'not HOST:PORT' $T/err"
printf 'place 1 15\n\nplace 2 15\n# done\nfrob\n' >"$T/cmds"
"$SIM" -n -c "$T/cmds" 2>"$T/err"; rc=$?
check "-c: each bad line reported as FILE:LINE (exit 1)" \
    sh -c "[ $rc -eq 1 ] && grep -qx \"$T/cmds:3: place: LINE '2' is not a fill line, 1 to 1\" $T/err && grep -qx \"$T/cmds:5: unknown command 'frob' (try help)\" $T/err"

# --help lists the options and the control commands; the man page has every option
"$SIM" --help >"$T/usage"
check "--help lists the control commands" \
    sh -c "grep -q '^  place LINE TARE_KG \[LPG_KG \[CAPACITY_KG\]\]' $T/usage && grep -q '^  help \[COMMAND\]' $T/usage"
man_src="$(cd "$(dirname "$0")/../.." && pwd)/docs/man/gassim.1"
missing=""
for o in $(awk '/^  -/ { sub(/,$/, "", $1); print $1; if ($2 ~ /^--/) print $2 }' "$T/usage"); do
	grep -q "^\.It .*Fl ${o#-}\( \|$\)" "$man_src" || missing="$missing $o"
done
check "gassim.1 describes every option of --help${missing:+ (missing:$missing)}" [ -z "$missing" ]

ctl() { printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$T/ctl"; }

port=$(free_port)
spawn sim "$SIM" --lines 2 --tcp "127.0.0.1:$port" --control "$T/ctl" --events "$T/ev" \
    --noise 0 -e "place 1 15.25 0.5"
wait_for 5 test -S "$T/ctl" || fail "control socket appears"

# 15.750 kg = 15750 g in input registers 1-2 (mbpoll counts from 1), big-endian int32
out=$(mbpoll -m tcp -p "$port" -a 1 -r 1 -c 1 -t 3:int -B -1 127.0.0.1 2>&1)
check "mbpoll reads line 1 gross over TCP as 15750 g" sh -c "printf '%s' '$out' | grep -q '^\[1\]:[[:space:]]*15750$'"
out=$(mbpoll -m tcp -p "$port" -a 3 -r 1 -c 1 -t 3:int -B -1 127.0.0.1 2>&1)
check "mbpoll reads the empty line 2 as 0 g" sh -c "printf '%s' '$out' | grep -q '^\[1\]:[[:space:]]*0$'"
out=$(mbpoll -m tcp -p "$port" -a 2 -r 1 -t 0 -1 127.0.0.1 1 2>&1)
check "mbpoll opens the valve of line 1 (coil 1 of unit 2)" sh -c "printf '%s' '$out' | grep -qi 'written 1 references'"
sleep 0.3
check "status shows the valve open and gas flowing" sh -c "printf 'status\n' | socat -t 2 - UNIX-CONNECT:$T/ctl | grep -q '^line 1 .*valve open cmd 1 flow 0\.'"
mbpoll -m tcp -p "$port" -a 2 -r 1 -t 0 -1 127.0.0.1 0 >/dev/null 2>&1
sleep 0.4
check "event log has the open command, opening, close command and closing" \
    sh -c "grep -q ' 1 valve_cmd_open ' $T/ev && grep -q ' 1 valve_opened ' $T/ev && grep -q ' 1 valve_cmd_close ' $T/ev && grep -q ' 1 valve_closed ' $T/ev"
t_cmd=$(awk '$3=="valve_cmd_close"{print $1; exit}' "$T/ev")
t_shut=$(awk '$3=="valve_closed"{print $1; exit}' "$T/ev")
d=$((t_shut - t_cmd))
check "valve takes about its 150 ms to close (took $d ms)" [ "$d" -ge 140 ] && [ "$d" -le 260 ]
w_cmd=$(awk '$3=="weight"{w=$4} $3=="valve_cmd_close"{print w; exit}' "$T/ev")
w_end=$(awk '$3=="valve_closed"{print $4; exit}' "$T/ev")
check "weight still rises after the close command ($w_cmd -> $w_end)" awk -v a="$w_cmd" -v b="$w_end" 'BEGIN{exit !(b > a)}'

r=$(ctl "place 7 10")
check "control refuses a line that does not exist" sh -c "printf '%s' '$r' | grep -q '^error'"
r=$(ctl "remove 1")
check "control accepts remove" sh -c "printf '%s' '$r' | grep -q '^ok'"
sleep 0.1
out=$(mbpoll -m tcp -p "$port" -a 1 -r 1 -c 1 -t 3:int -B -1 127.0.0.1 2>&1)
check "weight is 0 after the cylinder is removed" sh -c "printf '%s' '$out' | grep -q '^\[1\]:[[:space:]]*0$'"
ctl help >"$T/help"
check "control answers help" grep -q '^place LINE' "$T/help"
ctl "help place" >"$T/help"
check "control answers help for one command, with its bounds" \
    sh -c "grep -qx 'usage: place LINE TARE_KG \[LPG_KG \[CAPACITY_KG\]\]' $T/help && grep -q '^  TARE_KG *a number from 0 to 150' $T/help && tail -n 1 $T/help | grep -qx ok"
r=$(ctl "dead 1:pump on")
check "control says which argument is wrong ($r)" \
    [ "$r" = "error: dead: UNITS '1:pump' is not LINE, LINE:scale or LINE:valve, lines 1 to 2" ]
r=$(/usr/bin/python3 -c "print('status' + ' ' * 600)" | socat -t 2 - "UNIX-CONNECT:$T/ctl")
check "control answers a line too long instead of dropping it" \
    [ "$r" = "error: command longer than 511 bytes" ]

# RTU on a pty pair, read by mbpoll
spawn socat socat "pty,raw,echo=0,link=$T/pa" "pty,raw,echo=0,link=$T/pb"
wait_for 5 test -e "$T/pb" || fail "pty pair"
spawn rtusim "$SIM" --lines 1 --rtu "$T/pa" --baud 19200 --noise 0 --control "$T/ctl2" -e "place 1 5.5 1.25"
wait_for 5 test -S "$T/ctl2" || fail "rtu control socket"
out=$(mbpoll -m rtu -b 19200 -P even -a 1 -r 1 -c 1 -t 3:int -B -1 "$T/pb" 2>&1)
check "mbpoll reads the gross weight over RTU as 6750 g" sh -c "printf '%s' '$out' | grep -q '^\[1\]:[[:space:]]*6750$'"
out=$(mbpoll -m rtu -b 19200 -P even -a 2 -r 1 -c 2 -t 4 -1 "$T/pb" 2>&1)
check "mbpoll reads the valve watchdog register (1000 ms) over RTU" sh -c "printf '%s' '$out' | grep -q '^\[1\]:[[:space:]]*1000$'"

# a mixed station: line 1 scale + valve, line 2 a filling controller (unit 3)
port2=$(free_port)
spawn mixed "$SIM" --lines 2 --tcp "127.0.0.1:$port2" --noise 0 --control "$T/ctl3" \
    --line-profile 2=wtx-filler -e "place 1 15" -e "place 2 10"
wait_for 5 test -S "$T/ctl3" || fail "mixed gassim starts"
"$BUILD/tests/mbprobe" --tcp "127.0.0.1:$port2" --unit 1:sim-scale --unit 2:sim-valve \
    --unit 3:wtx-filler sleep 400 read >"$T/mixed" 2>&1
check "mixed station: line 1 scale on unit 1" grep -qx '1 gross 15' "$T/mixed"
check "mixed station: line 1 valve on unit 2" grep -qx '2 watchdog 1000' "$T/mixed"
check "mixed station: line 2 filler on unit 3" sh -c "grep -qx '3 gross 10' $T/mixed && grep -qx '3 filling 0' $T/mixed"

# the pty's other end goes away: said once, no busy loop, still controllable
kill "$PID_socat"
wait_for 5 grep -q "rtu $T/pa: end of file" "$T/rtusim.log" || true
t0=$(awk '{ print $14 + $15 }' "/proc/$PID_rtusim/stat")
sleep 2
t1=$(awk '{ print $14 + $15 }' "/proc/$PID_rtusim/stat")
check "a vanished pty is reported once" [ "$(grep -c 'end of file' "$T/rtusim.log")" = 1 ]
check "a vanished pty does not make gassim spin ($((t1 - t0)) CPU ticks in 2 s)" [ $((t1 - t0)) -lt 50 ]
check "gassim still answers its control socket" \
    sh -c "printf 'status\n' | socat -t 2 - UNIX-CONNECT:$T/ctl2 | tail -n 1 | grep -qx ok"

kill "$PID_sim"; sleep 0.3
check "gassim exits on SIGTERM and removes its control socket" sh -c "! test -e $T/ctl"
finish
