#!/bin/sh
# The station's clock is judged before the date rules: R05 (inspection),
# R06 (service life) and R07 (certificate) compare dates with today, so a
# clock set back (a real-time clock reset by a flat battery, no time
# server) would pass an overdue cylinder.  gasgw keeps the valve shut, with
# no record, while its clock reads before 2026 or more than
# clock_back_hours (24) before its newest fill, says why, and fills again
# once the clock is right.  The clock is moved for gasgw alone
# (tests/shim/wallclock.c); gassim and the tools keep the real one.
#
# The operator hears of it ahead of a fill: gasctl status says what the clock
# reads, why it is not trusted and what to do (English and Chinese, and
# "clock" in --json), gasgw's log says it once when it starts so and once
# when it is trusted again, gasgw -n warns and still passes the
# configuration, gasctl watch shows the status's line under its header while
# the clock is not trusted and drops it once it is, and an inspection
# return, whose next due date is judged against today, is refused with the
# same words.  So are a dispatch, a receipt and an inspection out, whose
# times are what the county's trace goes by; a scrap is recorded all the
# same, with that clock's time (it shuts the valve for the cylinder at
# once), gasctl printing the clock's warning beside it, and the valve stays
# shut for the cylinder once the clock is right.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

# gasgw finds its catalogue in the build tree, to answer a Chinese operator in Chinese
export GAS_LOCALEDIR="$BUILD/locale"
fill_setup 1 || { fail "set-up"; finish; }
sim flow 1 2.5 && sim place 1 15.3
sleep 1
# fill SERIAL [BUYER]: the attempt's output in $T/f.out, its exit status in $rc
fill() {
	ctl fill 1 --cylinder "$(code "$1")" --buyer "${2:-$BUYER1}" --operator OP-7 >"$T/f.out" 2>&1
	rc=$?
}
said() { grep -q "$1" "$T/f.out"; }
opens() { grep -c '^[0-9]* 1 valve_opened' "$T/events.log"; }
counts() { echo "$(sql "SELECT count(*) FROM fills") $(sql "SELECT count(*) FROM violations")"; }
EN="env LANG=C LANGUAGE= LC_ALL= GAS_LOCALEDIR=$BUILD/locale"
ZH="env LANG=zh_CN.UTF-8 LANGUAGE=zh_CN LC_ALL= GAS_LOCALEDIR=$BUILD/locale"
# status: gasctl status in English ($T/st.en), Chinese ($T/st.zh) and --json ($T/st.json)
status() {
	$EN "$BUILD/gasctl" -s "$T/gw.sock" status >"$T/st.en" 2>&1
	$ZH "$BUILD/gasctl" -s "$T/gw.sock" status >"$T/st.zh" 2>&1
	ctl status --json >"$T/st.json" 2>&1
}
# the status's clock: "VERDICT READS-DAY NEWEST-FILL? CLOCK_BACK_HOURS"
clock_json() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["clock"], d["clock_reads"][:10], d["newest_fill"] is not None, d["clock_back_hours"])' \
	    "$T/st.json"
}
# check_n CLOCK: gasgw -n under that clock ("": the real one), its stdout in
# $T/n.out, its stderr in $T/n.err, its exit status in $nrc
check_n() {
	env ${1:+LD_PRELOAD=$BUILD/tests/wallclock.so GAS_TEST_CLOCK=$1} \
	    "$BUILD/gasgw" -n -c "$T/station.conf" >"$T/n.out" 2>"$T/n.err"
	nrc=$?
}
# back DATE: an inspection return of C-GOOD-5 (passed, next due DATE): $T/b.out, $rc
back() {
	lifectl inspection back "$(code C-GOOD-5)" --result pass --next-due "$1" --operator OP-7 \
	    >"$T/b.out" 2>&1
	rc=$?
}
life() { sql "SELECT count(*) FROM life_events"; }
# watch_once: one frame of gasctl watch, in English ($T/w.en) and Chinese ($T/w.zh)
watch_once() {
	$EN "$BUILD/gasctl" -s "$T/gw.sock" watch --once >"$T/w.en" 2>&1
	$ZH "$BUILD/gasctl" -s "$T/gw.sock" watch --once >"$T/w.zh" 2>&1
}
# clock_line FILE: its CLOCK NOT TRUSTED line (either language), the minutes
# masked (status and watch ask a moment apart)
clock_line() { grep -e '^CLOCK NOT TRUSTED: ' -e '^时钟不可信：' "$1" | sed 's/[0-9][0-9]:[0-9][0-9]/hh:mm/g'; }
# same_clock_line: watch's frame holds status's clock line, word for word, in both languages
same_clock_line() {
	[ -n "$(clock_line "$T/st.en")" ] && [ "$(clock_line "$T/w.en")" = "$(clock_line "$T/st.en")" ] &&
	    [ -n "$(clock_line "$T/st.zh")" ] && [ "$(clock_line "$T/w.zh")" = "$(clock_line "$T/st.zh")" ]
}
# not_recorded WHAT READS GASCTL-ARGS...: a life command refused with the clock's
# sentence (the clock reading READS), nothing recorded
not_recorded() {
	what=$1
	reads=$2
	shift 2
	n_before=$(life)
	lifectl "$@" --operator OP-7 >"$T/l.out" 2>&1
	lrc=$?
	check "$what is refused, saying why (exit $lrc: $(head -c 300 "$T/l.out"))" all "[ $lrc -eq 1 ]" \
	    "grep -q \"^gasctl: nothing was recorded, as it would carry this clock's time: the station's clock reads $reads\" '$T/l.out'" \
	    "[ \"\$(life)\" = '$n_before' ]"
}
W1=delivery:W1@330825101
# live_frames N: the running watch has written N frames or more to $T/wlive
live_frames() { [ "$(grep -c '^station S1' "$T/wlive")" -ge "$1" ]; }
warned() { grep -c 'clock not trusted: ' "$T/gasgw.log"; }
NEXT_YEAR=$(date -d '+1 year' +%F)

fill C-GOOD-1
check "a fill with the clock right (exit $rc)" all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1
recorded=$(counts)

# 2000-01-01: C-OVERDUE (next due 2025-03-02) would pass R05 under this clock
gw_with_clock @946684800 || { fail "gasgw under a clock of 2000"; finish; }
before=$(opens)
fill C-OVERDUE
check "a clock reset to 2000: the overdue cylinder is refused, saying the clock is wrong (exit $rc)" \
    all "[ $rc -ne 0 ]" \
    "said \"the station's clock reads 2000-01-01 [0-9:+]*, before 2026-01-01, when this gateway was made: the valve stays shut until the clock is set right\""
check "... the valve never opened" [ "$(opens)" = "$before" ]
check "... and nothing was recorded (its times would be the wrong clock's)" \
    [ "$(counts)" = "$recorded" ]
fill C-GOOD-2
check "a good cylinder is refused too (exit $rc)" all "[ $rc -ne 0 ]" "said \"station's clock reads\""
check "gasgw says so in its log" grep -q "station's clock reads 2000-01-01" "$T/gasgw.log"

status
check "gasctl status says the clock is not trusted, what it reads, why and what to do" \
    grep -q "^CLOCK NOT TRUSTED: the station's clock reads 2000-01-01 [0-9:+]*, before 2026-01-01, when this gateway was made: the valve stays shut until the clock is set right (set the date and time, or mend the time sync that sets them)$" "$T/st.en"
check "... before the uplink and the lines" \
    sh -c "sed -n 2p '$T/st.en' | grep -q '^CLOCK NOT TRUSTED'"
check "... and in Chinese for a Chinese operator" \
    grep -q "^时钟不可信：本站时钟显示为 2000-01-01 [0-9:+]*，早于本网关的制造时间 2026-01-01：在时钟校正之前阀门保持关闭（请设置日期和时间，或修复为其对时的时间同步）$" "$T/st.zh"
check "... and --json has \"clock\": before_epoch with what it reads ($(clock_json))" \
    [ "$(clock_json)" = "before_epoch 2000-01-01 True 24" ]
check "gasgw's log warned of the clock once, not at every look ($(warned))" [ "$(warned)" = 1 ]
check "... when it started, in English" \
    grep -q "clock not trusted: the station's clock reads 2000-01-01 .*before 2026-01-01, when this gateway was made" "$T/gasgw.log"
check_n @946684800
check "gasgw -n under a clock of 2000 warns and still passes the configuration (exit $nrc)" \
    all "[ $nrc -eq 0 ]" "grep -q '^configuration OK$' '$T/n.out'" \
    "grep -q \"station.conf: warning: the station's clock reads 2000-01-01 .*before 2026-01-01\" '$T/n.err'"
life_before=$(life)
back "$NEXT_YEAR"
check "an inspection return (next due $NEXT_YEAR) is refused under a clock of 2000, saying why (exit $rc)" \
    all "[ $rc -eq 1 ]" \
    "grep -q \"a next due date is not judged against this clock, nothing was recorded: the station's clock reads 2000-01-01\" '$T/b.out'"
check "... and nothing was recorded" [ "$(life)" = "$life_before" ]
not_recorded "a dispatch under a clock of 2000" "2000-01-01 .*before 2026-01-01" \
    dispatch "$W1" "$(code C-GOOD-6)"
not_recorded "a receipt" "2000-01-01" receive --from "$W1" "$(code C-GOOD-6)"
not_recorded "an inspection out" "2000-01-01" inspection out "$(code C-GOOD-6)"
printf '%s\n' "$OP_PIN" | $ZH "$BUILD/gasctl" -s "$T/gw.sock" dispatch "$W1" "$(code C-GOOD-6)" \
    --operator OP-7 >"$T/l.zh" 2>&1
check "... in Chinese for a Chinese operator" \
    grep -q "^gasctl: 未作任何记录，因为记录的时间将是此时钟的时间：本站时钟显示为 2000-01-01" "$T/l.zh"
watch_once
check "gasctl watch shows the clock line of gasctl status, word for word, in English and Chinese" \
    same_clock_line
check "... under its header, before the lines" \
    sh -c "sed -n 3p '$T/w.en' | grep -q '^CLOCK NOT TRUSTED: the station.s clock reads 2000-01-01'"

# on a terminal 80 columns wide (tmux): the whole sentence, wrapped at spaces
if command -v tmux >/dev/null 2>&1; then
	TMUX_SOCK="$T/tmux.sock"
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -s w -x 80 -y 30 \
	    "env LANG=C.UTF-8 '$BUILD/gasctl' -s '$T/gw.sock' watch --interval 200"
	PIDS="$PIDS $(tmux -S "$TMUX_SOCK" display-message -p -t w '#{pid}')"
	pane() { tmux -S "$TMUX_SOCK" capture-pane -p -t w >"$T/pane"; grep -q "$1" "$T/pane"; }
	check "gasctl watch on a terminal 80 wide: the clock line from its start ..." \
	    wait_for 5 pane "^CLOCK NOT TRUSTED: the station's clock reads 2000-01-01"
	check "... to its end, wrapped between words over rows of its own" \
	    sh -c "tr '\n' ' ' <'$T/pane' | grep -q 'CLOCK NOT TRUSTED: the station.s clock reads 2000-01-01 [0-9:+]*, before 2026-01-01, when this gateway was made: the valve stays shut until the clock is set right (set the date and time, or mend the time sync that sets them)'"
	tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
fi

# a scrap shuts the valve for the cylinder at once: recorded all the same
lifectl scrap "$(code C-GOOD-6)" --reason "瓶阀损坏" --operator OP-7 >"$T/s.out" 2>"$T/s.err"
src=$?
check "a scrap under a clock of 2000 is recorded all the same (exit $src)" \
    all "[ $src -eq 0 ]" "grep -q '^1 cylinders scrapped\$' '$T/s.out'" \
    "[ \"\$(life)\" = $((life_before + 1)) ]"
check "... gasctl says the clock is not trusted beside it, as gasctl status does" \
    grep -q "^gasctl: CLOCK NOT TRUSTED: the station's clock reads 2000-01-01 [0-9:+]*, before 2026-01-01, when this gateway was made" "$T/s.err"
check "... and what became of the scrap" \
    grep -q "^gasctl: warning: recorded with the time this clock reads, which is not trusted: the valve stays shut for these cylinders at once, and the county scraps them whatever that time\$" "$T/s.err"
check "... stamped with that clock's time" \
    [ "$(sql "SELECT date(at_ms / 1000, 'unixepoch') FROM life_events WHERE serial = 'C-GOOD-6' AND event = 'scrapped'")" = 2000-01-01 ]
lifectl scrap "$(code C-GOOD-8)" --reason "瓶体腐蚀" --operator OP-7 --json >"$T/s.json" 2>/dev/null
check "... --json: clock_warning, as in gasctl status --json" \
    /usr/bin/python3 -c "import json,sys; d=json.load(open('$T/s.json')); sys.exit(not d['ok'] or not d['clock_warning'].startswith(\"the station's clock reads 2000-01-01\"))"
life_before=$(life)

# three days before the newest fill: after 2026, but set back
gw_with_clock -259200 || { fail "gasgw three days back"; finish; }
fill C-GOOD-2
check "a clock three days before the newest fill: refused, naming the fill's time (exit $rc)" \
    all "[ $rc -ne 0 ]" "said '72 h before its newest fill (20[0-9-]* [0-9:+]*), more than clock_back_hours (24) allows'"
check "... the valve never opened, nothing recorded" \
    all "[ \"\$(opens)\" = '$before' ]" "[ \"\$(counts)\" = '$recorded' ]"

status
check "gasctl status: three days before the newest fill, and to raise clock_back_hours if it was ahead" \
    grep -q "^CLOCK NOT TRUSTED: the station's clock reads 20[0-9-]* [0-9:+]*, 72 h before its newest fill (20[0-9-]* [0-9:+]*), more than clock_back_hours (24) allows: the valve stays shut until the clock is set right (set the date and time, or mend the time sync that sets them; if the clock was ahead before and is right now, raise clock_back_hours in \[rules\])$" "$T/st.en"
check "... in Chinese" grep -q "^时钟不可信：本站时钟显示为 .*比最近一次充装（.*）早 72 小时，超过 clock_back_hours（24）所允许的" "$T/st.zh"
check "... --json: behind_records, with the newest fill ($(clock_json))" \
    [ "$(clock_json | cut -d' ' -f1,3,4)" = "behind_records True 24" ]
check "gasgw's log warned once ($(warned)), naming the newest fill" \
    all "[ $(warned) = 1 ]" "grep -q 'clock not trusted: .*, 72 h before its newest fill' '$T/gasgw.log'"
check_n -259200
check "gasgw -n three days back reads the newest fill, warns and passes (exit $nrc)" \
    all "[ $nrc -eq 0 ]" "grep -q '^configuration OK$' '$T/n.out'" \
    "grep -q 'station.conf: warning: .*, 72 h before its newest fill' '$T/n.err'"
back "$NEXT_YEAR"
check "an inspection return three days back is refused, saying why (exit $rc)" \
    all "[ $rc -eq 1 ]" \
    "grep -q 'a next due date is not judged against this clock, nothing was recorded: .*72 h before its newest fill' '$T/b.out'"
check "... and nothing was recorded" [ "$(life)" = "$life_before" ]
not_recorded "a dispatch three days back" "20[0-9-]* [0-9:+]*, 72 h before its newest fill" \
    dispatch "$W1" "$(code C-GOOD-7)"
watch_once
check "gasctl watch three days back: the clock line of gasctl status, word for word" \
    same_clock_line

# a watch left running: the line goes once the clock is trusted again
"$BUILD/gasctl" -s "$T/gw.sock" watch --interval 200 >>"$T/wlive" 2>&1 &
WATCH_PID=$!
PIDS="$PIDS $WATCH_PID"
check "a running watch shows the clock line" \
    wait_for 5 grep -q "^CLOCK NOT TRUSTED: .*72 h before its newest fill" "$T/wlive"

# the administrator who knows the clock was ahead before raises the allowance
sed -i 's/^\[rules\]$/[rules]\nclock_back_hours = 100/' "$T/station.conf"
kill -HUP "$PID_gasgw"
wait_for 5 grep -q 'new rule thresholds in force' "$T/gasgw.log"
wait_for 5 grep -q 'clock trusted again' "$T/gasgw.log"
sleep 0.5
: >"$T/wlive" # (appended to: the frames from here on)
check "... and drops it once the clock is trusted again, without a restart" \
    all "wait_for 5 live_frames 2" "! grep -q CLOCK '$T/wlive'"
kill "$WATCH_PID" 2>/dev/null
wait "$WATCH_PID" 2>/dev/null
check "gasgw's log says once the clock is trusted again" \
    all "wait_for 5 grep -q 'clock trusted again: the station.s clock reads' '$T/gasgw.log'" \
    "[ \$(grep -c 'clock trusted again' '$T/gasgw.log') = 1 ]"
status
check "gasctl status: no warning, clock_back_hours 100 in force ($(clock_json))" \
    all "! grep -q CLOCK '$T/st.en'" "[ \"\$(clock_json | cut -d' ' -f1,4)\" = 'ok 100' ]"
fill C-GOOD-2
check "with clock_back_hours = 100 (SIGHUP) the same clock fills (exit $rc)" \
    all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1
sed -i '/^clock_back_hours = 100$/d' "$T/station.conf"

# a clock a little behind (a time server stepping it back): fills
gw_with_clock -7200 || { fail "gasgw two hours back"; finish; }
fill C-GOOD-3 "$BUYER2"
check "a clock two hours before the newest fill still fills (exit $rc)" all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1

# and the clock set right: fills, and the overdue cylinder is refused by R05 again
gw_with_clock "" || { fail "gasgw with the real clock"; finish; }
fill C-GOOD-4 "$BUYER3"
check "the clock set right: fills again (exit $rc)" all "[ $rc -eq 0 ]" "said '^ok'"
reset_line 1
fill C-OVERDUE "$BUYER4"
check "and C-OVERDUE is refused by R05 again (exit $rc)" all "[ $rc -ne 0 ]" "said '^R05 '"

status
check "the clock right: gasctl status says nothing of it, in either language" \
    all "! grep -qi clock '$T/st.en'" "! grep -q 时钟 '$T/st.zh'" "grep -q ' up ' '$T/st.en'"
check "... --json: ok ($(clock_json))" [ "$(clock_json | cut -d' ' -f1,3,4)" = "ok True 24" ]
check "... gasgw's log has no clock warning" [ "$(warned)" = 0 ]
watch_once
check "gasctl watch with the clock right says nothing of it, in either language" \
    all "! grep -qi clock '$T/w.en'" "! grep -q 时钟 '$T/w.zh'" "grep -q '^station S1' '$T/w.en'"
check_n ""
check "gasgw -n with the clock right: no warning (exit $nrc)" \
    all "[ $nrc -eq 0 ]" "grep -q '^configuration OK$' '$T/n.out'" "! grep -q clock '$T/n.err'"
back "$NEXT_YEAR"
check "an inspection return is recorded with the clock right (exit $rc)" \
    all "[ $rc -eq 0 ]" "[ \"\$(life)\" = \$((life_before + 1)) ]"
lifectl dispatch "$W1" "$(code C-GOOD-7)" --operator OP-7 >"$T/l.out" 2>&1
lrc=$?
check "a dispatch is recorded with the clock right (exit $lrc)" \
    all "[ $lrc -eq 0 ]" "[ \"\$(life)\" = \$((life_before + 2)) ]"
fill C-GOOD-6 "$BUYER2"
check "the cylinder scrapped under a clock of 2000 is refused by R04 now the clock is right (exit $rc)" \
    all "[ $rc -eq 3 ]" "said '^R04 cylinder C-GOOD-6 was scrapped at this station on 2000-01-01\$'"
check "... by this station's own scrap: its copy of the registry says active" \
    [ "$(sql "SELECT status FROM cylinders WHERE serial = 'C-GOOD-6'")" = active ]
finish
