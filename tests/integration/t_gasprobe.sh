#!/bin/sh
# gasprobe, the station administrator's way to try a profile against the
# real device: against gassim over Modbus TCP and over RTU on a pty pair,
# every signal is read once and shown decoded with its unit next to the raw
# registers; a valve module whose input reads 1 when the valve is closed
# (dio-valve: invert = yes) shows closed, and mbpoll confirms the raw bit;
# a profile that cannot serve its role, a signal the unit does not have, a
# unit that does not answer and a profile that does not load each give
# their reason and exit status.  Its words are Chinese under zh_CN.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/sim_lib.sh"
PROBE="$BUILD/gasprobe"
P="$here/drivers/profiles"

probe() { "$PROBE" $BUSARGS -P "$P" "$@" >"$T/out" 2>&1; rc=$?; }
row() { grep -q "^$1 *$2 *$3 *$4\$" "$T/out"; }

printf '[device]\nname = relay\nkind = valve\n[valve_cmd]\ntable = coil\naddress = 16\n' >"$T/relay.ini"
printf '[device]\nname = far\nkind = indicator\ncapacity = 30\n[gross]\ntable = input\ntype = i32\nscale = 0.001\n[error]\ntable = input\naddress = 900\nbit = 0\n[stable]\ntable = input\naddress = 4\nbit = 1\n' >"$T/far.ini"
printf '[device]\nname = bad\nkind = valve\n[valve_cmd]\ntable = coil\ncolour = red\n' >"$T/bad.ini"

for bus in tcp rtu; do
	start_sim $bus --lines 1 --valve-profile dio-valve -e "place 1 12.345 0.5"
	# a cylinder just placed: wait for the scale to settle
	wait_for 5 sh -c "\"$PROBE\" $BUSARGS -P '$P' -u 1 sim-scale | grep -q '^stable *1'"
	probe -u 1 sim-scale
	check "$bus scale: exits 0 and fits as a scale (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q '^as a scale: fits$' '$T/out'"
	check "$bus scale: gross decoded in kg, with raw registers and where" row gross '12.845 kg' '0000 322d' 'input 0 i32 x0.001'
	check "$bus scale: stable bit in words" row stable '1 (stable)' '0002' 'input 4 bit 1'
	check "$bus scale: the header names profile, file, capacity and unit" sh -c "
	    grep -q '^profile  sim-scale (kind scale): ' '$T/out' && grep -q '^file     $P/sim-scale.ini$' '$T/out' &&
	    grep -q '^capacity 60.000 kg$' '$T/out' && grep -q '^unit     1 on $bus ' '$T/out'"

	if [ $bus = tcp ]; then
		LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
		    "$PROBE" $BUSARGS -P "$P" -u 1 sim-scale >"$T/zh" 2>&1
		check "zh_CN: the bits' meaning and the verdict in Chinese" sh -c "
		    grep -q '^stable *1 (稳定) *0002 *input 4 bit 1$' '$T/zh' && grep -q '^作为秤：适合$' '$T/zh'"
	fi

	probe -u 2 dio-valve
	check "$bus dio-valve: an input that reads 1 with the valve closed shows closed" \
	    row valve_fb '0 (closed)' 1 'discrete 0 inverted'
	check "$bus dio-valve: the watchdog in ms from tenths of a second" \
	    row watchdog '1000 ms' 000a 'holding 40 u16 x100'
	check "$bus dio-valve: fits as a valve (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q '^as a valve: fits$' '$T/out'"

	probe -u 2 "$T/relay.ini"
	check "$bus relay without watchdog: exit 1, does not fit, and why with FILE:LINE" sh -c "[ $rc -eq 1 ] &&
	    grep -q '^as a valve: does not fit$' '$T/out' &&
	    grep -q '^  $T/relay.ini:3: a valve needs \[watchdog\]: the unit must close the valve by itself' '$T/out'"
	check "$bus relay: the signals it has are still read" row valve_cmd '0 (close)' 0 'coil 16'

	probe -u 1 "$T/far.ini"
	check "$bus a signal the unit does not have: its error on its row, exit 1" sh -c "[ $rc -eq 1 ] &&
	    grep -q '^error *error: Modbus exception 2 (illegal data address)' '$T/out'"
	check "$bus ... the others read all the same" row gross '12.845 kg' '0000 322d' 'input 0 i32 x0.001'

	probe -u 1 --as valve sim-scale
	check "$bus --as valve with a scale profile: kind does not fit (exit $rc)" sh -c "[ $rc -eq 1 ] &&
	    grep -q \"^  $P/sim-scale.ini:6: kind = scale cannot serve as a valve\" '$T/out'"

	probe -u 9 --timeout 100 sim-scale
	check "$bus a unit that does not answer: timeouts, exit 1" sh -c "[ $rc -eq 1 ] &&
	    grep -q '^gross *error: Modbus timeout: no reply from the unit' '$T/out'"
	# last, as it lets gas flow: the valve opened by another master
	if [ $bus = tcp ]; then
		mbpoll -m tcp -p "$port" -a 2 -t 1 -r 1 -c 1 -1 127.0.0.1 >"$T/mbp" 2>&1
		check "mbpoll: the raw input really is 1 while the valve is closed" grep -q '^\[1\]:[[:space:]]*1$' "$T/mbp"
		mbpoll -m tcp -p "$port" -a 2 -t 0 -r 17 127.0.0.1 1 >"$T/mbp" 2>&1
		probe -u 2 dio-valve
		check "$bus dio-valve: opened by mbpoll, it shows open (raw 0)" \
		    sh -c "grep -q '^valve_cmd *1 (open) *1 *coil 16$' '$T/out' && grep -q '^valve_fb *1 (not closed) *0 *discrete 0 inverted$' '$T/out'"
	fi
	stop_sim
done

start_sim tcp --lines 1 --profile wtx-filler -e "place 1 10.0"
probe -u 1 wtx-filler
check "filler: write-only command bits are not read, and said so" \
    grep -q '^abort *- *- *holding 10 bit 1 (write-only: not read)$' "$T/out"
check "filler: fits as a filler (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q '^as a filler: fits$' '$T/out'"
stop_sim

probe -u 1 "$T/bad.ini"
check "a profile that does not load: exit 2, the error with FILE:LINE" sh -c "[ $rc -eq 2 ] &&
    grep -q \"^$T/bad.ini:6: error: unknown key 'colour' in \[valve_cmd\]\" '$T/out'"
"$PROBE" --help >"$T/help"; rc=$?
check "--help exits 0 and says how to use it" sh -c "[ $rc -eq 0 ] && grep -q '^usage: gasprobe' '$T/help'"
"$PROBE" sim-scale >"$T/nobus" 2>&1; rc=$?
check "no bus given: bad usage, exit 2, saying so" \
    all '[ $rc -eq 2 ]' "grep -q '^gasprobe: give one bus' '$T/nobus'"
"$PROBE" --tcp 127.0.0.1:99999 sim-scale >"$T/badport" 2>&1; rc=$?
check "a port out of range: exit 2, naming --tcp" \
    all '[ $rc -eq 2 ]' "grep -q '^gasprobe: --tcp is HOST\[:PORT\], the port 1 to 65535' '$T/badport'"
"$PROBE" --tcp 127.0.0.1 -u 0 sim-scale >"$T/unit0" 2>&1; rc=$?
check "unit 0 (Modbus broadcast, which nothing answers): exit 2, naming --unit" \
    all '[ $rc -eq 2 ]' "grep -q '^gasprobe: --unit is a Modbus unit id, 1 to 247' '$T/unit0'"
finish
