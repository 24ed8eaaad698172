#!/bin/sh
# The drivers against gassim, over TCP and over RTU on a pty pair, for every
# shipped profile and for every word order of 32-bit integers and floats:
# the simulator encodes through a profile, the poller decodes through the
# same file, and mbpoll checks the raw layout of the CDAB indicator.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sim_lib.sh"
PROBE="$BUILD/tests/mbprobe"
export GAS_PROFILES="$SIM_PROFILES"

for bus in tcp rtu; do
	# reference scale + valve
	start_sim $bus --lines 2 -e "place 1 12.345 0.5"
	"$PROBE" $BUSARGS --unit 1:sim-scale --unit 2:sim-valve --unit 3:sim-scale sleep 400 read \
	    write 2 valve_cmd 1 sleep 200 read write 2 valve_cmd 0 sleep 300 read >"$T/out" 2>&1
	check "$bus sim-scale: gross 12.845 kg" grep -qx '1 gross 12.845' "$T/out"
	check "$bus sim-scale: stable with the valve closed" grep -qx '1 stable 1' "$T/out"
	check "$bus sim-scale: empty line 2 reads 0" grep -qx '3 gross 0' "$T/out"
	check "$bus sim-valve: feedback open after the open command" grep -qx '2 valve_fb 1' "$T/out"
	check "$bus sim-valve: watchdog register 1000 ms" grep -qx '2 watchdog 1000' "$T/out"
	check "$bus sim-valve: valve opened and closed in the event log" \
	    sh -c "grep -q ' valve_opened ' $EV && grep -q ' valve_closed ' $EV"
	stop_sim

	# plain indicator, float32 CDAB, valve on the reference controller
	start_sim $bus --lines 1 --profile indicator-f32 -e "place 1 12.345 0.5"
	"$PROBE" $BUSARGS --unit 1:indicator-f32 --unit 2:sim-valve sleep 400 read >"$T/out" 2>&1
	check "$bus indicator-f32: gross 12.845 kg" grep -qx '1 gross 12.845' "$T/out"
	check "$bus indicator-f32: stable" grep -qx '1 stable 1' "$T/out"
	if [ $bus = tcp ]; then
		# mbpoll's float default is the low word first: CDAB, a check we did not write
		mbpoll -m tcp -p "$port" -a 1 -r 1 -c 1 -t 4:float -1 127.0.0.1 >"$T/mbp" 2>&1
		check "mbpoll reads the CDAB float as 12.845" grep -q '^\[1\]:[[:space:]]*12.845' "$T/mbp"
	fi
	stop_sim

	# filling controller with its own cut-off
	start_sim $bus --lines 1 --profile wtx-filler --flow 2.0 -e "place 1 10.0"
	"$PROBE" $BUSARGS --unit 1:wtx-filler write 1 target 2.5 write 1 start 1 sleep 300 read \
	    heartbeat 1 12 200 read >"$T/out" 2>&1
	check "$bus wtx-filler: target written and read back" grep -qx '1 target 2.5' "$T/out"
	check "$bus wtx-filler: filling while the fill runs" grep -qx '1 filling 1' "$T/out"
	check "$bus wtx-filler: fill done after cut-off" grep -qx '1 fill_done 1' "$T/out"
	net=$(awk '$3=="fill_done"{print $4}' "$EV")
	check "$bus wtx-filler: controller cut off near target (net $net kg)" \
	    awk -v x="${net:-0}" 'BEGIN{exit !(x > 2.4 && x < 2.6)}'
	"$PROBE" $BUSARGS --unit 1:wtx-filler write 1 start 1 sleep 200 write 1 abort 1 sleep 400 read >"$T/out" 2>&1
	check "$bus wtx-filler: abort stops the fill and closes the valve" \
	    sh -c "grep -q ' fill_abort ' $EV && grep -qx '1 filling 0' $T/out && grep -qx '1 valve_fb 0' $T/out"
	stop_sim

	# every word order, integer and float
	for type in i32 f32 u32; do
		for order in ABCD CDAB BADC DCBA; do
			scale=0.001; [ $type = f32 ] && scale=1
			p="$T/$type-$order.ini"
			cat >"$p" <<EOP
[device]
name = t-$type-$order
kind = scale
[gross]
table = holding
address = 3
type = $type
order = $order
scale = $scale
[net]
table = input
address = 7
type = $type
order = $order
scale = $scale
EOP
			start_sim $bus --lines 1 --profile "$p" -e "place 1 12.345 0.5"
			"$PROBE" $BUSARGS --unit 1:"$p" read >"$T/out" 2>&1
			check "$bus $type $order: gross and net decode to 12.845" \
			    sh -c "grep -qx '1 gross 12.845' $T/out && grep -qx '1 net 12.845' $T/out"
			stop_sim
		done
	done
done
finish
