#!/bin/sh
# Controller cut-off mode, four fills one after the other against gassim's
# filling controller (docs/fill-line.md, "Cut-off"): the filler's fill_done
# stays raised from the last fill until it takes its next start, so a reading
# of it from before the start must not end the new fill at once.  Found by
# today's review (rev94): every second fill was cut off at about 0.28 kg.
# Negative control: acting on any fill_done read after the start (line.c,
# without ctl_running) fails fills 2 and 4.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

SIM_ARGS="--profile wtx-filler"
fill_setup 1 || { fail "set-up"; finish; }
gw_stop
sed -i -e 's/^valve_unit = .*/valve_unit = 1/' -e 's/^scale_profile = .*//' "$T/station.conf"
printf 'scale_profile = wtx-filler\ncutoff = controller\n' >>"$T/station.conf"
gw_start || { fail "controller mode: gasgw starts"; finish; }
login_all
sim flow 1 1.5 && sim place 1 15.3
sleep 1
n=1
while [ $n -le 4 ]; do
	out=$(ctl fill 1 --cylinder "$(code C-GOOD-$n)" --buyer "$BUYER3" --operator OP-7 2>&1)
	net=$(sql "SELECT printf('%.3f', net_kg) FROM fills WHERE cylinder = 'C-GOOD-$n'")
	echo "# fill $n: net $net: $(printf '%s' "$out" | head -c 100)"
	check "controller mode, fill $n: net within 0.1 kg of the target (net $net)" \
	    [ "$(sql "SELECT abs(net_kg - 14.9) < 0.1 FROM fills WHERE cylinder = 'C-GOOD-$n'")" = 1 ]
	sim remove 1 && sim place 1 15.3
	sleep 1
	n=$((n + 1))
done
finish
