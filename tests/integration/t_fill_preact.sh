#!/bin/sh
# The pre-act a line learns survives a restart of gasgw (issue 12): fills
# against gassim teach line 1 its in-flight mass, gasgw is stopped and
# started again, and the first fill after the restart cuts off with the
# learnt pre-act (status, log, the fill's record) and is as accurate as the
# fills before it, where the configured pre-act (far too large here) makes
# the first fill of a fresh line short.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

PREACT=0.5
fill_ready 1 1.0 "refill_min_minutes = 0
household_max = 100"
sleep 0.5

# fill NAME SERIAL: a fill through gasctl; $uuid, and $net its net weight
fill() {
	ctl fill 1 --cylinder "$(code "$2")" --buyer "$BUYER1" --operator OP-7 >"$T/$1.out" 2>&1
	rc=$?
	uuid=$(sed -n 's/.* fill \([0-9a-f-]\{36\}\)$/\1/p' "$T/$1.out" | head -n 1)
	net=$(sql "SELECT net_kg FROM fills WHERE uuid = '$uuid'")
	used=$(sql "SELECT preact_kg FROM fills WHERE uuid = '$uuid'")
	[ "$rc" -eq 0 ] || sed "s/^/# $1: /" "$T/$1.out"
	echo "# $1: net $net kg with pre-act $used kg"
}
preact_now() { ctl status --json | /usr/bin/python3 -c "import json,sys; print('%.3f' % json.load(sys.stdin)['lines'][0]['preact'])"; }
# within LIMIT kg of the 14.9 kg target
within() { awk -v n="$1" -v l="$2" 'BEGIN { d = n - 14.9; if (d < 0) d = -d; exit !(d <= l) }'; }

fill first C-GOOD-1
first_net=$net
check "first fill of a fresh line uses the configured 0.5 kg pre-act" [ "$used" = 0.5 ]
check "... and is short by more than 0.2 kg ($first_net kg)" sh -c "! awk -v n='$first_net' 'BEGIN { exit !(n > 14.7) }'"
for i in 2 3 4; do
	reset_line 1
	fill "learn$i" "C-GOOD-$i"
	check "learning fill $i ok" [ "$rc" -eq 0 ]
done
check "after three fills the line is accurate ($net kg)" within "$net" 0.08
learnt=$(preact_now)
check "the line learnt a pre-act well below the configured one ($learnt kg)" \
    awk -v p="$learnt" 'BEGIN { exit !(p > 0.02 && p < 0.4) }'

gw_stop
check "gasgw stopped" sh -c "! kill -0 $PID_gasgw 2>/dev/null"
: >"$T/gasgw.log"
gw_start || { fail "gasgw starts again"; finish; }
check "after the restart, before any fill, the status shows the learnt pre-act" \
    [ "$(preact_now)" = "$learnt" ]
check "the log says where it comes from" \
    grep -q "line 1: pre-act $learnt kg, as learnt from its last [0-9] fill(s)" "$T/gasgw.log"

reset_line 1
fill after C-GOOD-5
check "the first fill after the restart succeeds" [ "$rc" -eq 0 ]
check "it cut off with the learnt pre-act ($used kg), not the configured 0.5 kg" \
    awk -v u="$used" -v p="$learnt" 'BEGIN { d = u - p; exit !(d < 0.0015 && d > -0.0015) }'
check "it is as accurate as before the restart ($net kg, within 0.08 kg)" within "$net" 0.08
check "every fill recorded once, none left open" \
    [ "$(sql "SELECT count(*) FROM fills WHERE result IN ('ok', 'flagged')")/$(sql "SELECT count(*) FROM fills WHERE result = 'filling'")" = "5/0" ]
finish
