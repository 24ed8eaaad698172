#!/bin/sh
# gasctl watch in a real terminal: gassim + gasgw (fill_lib.sh), the watch
# running in a tmux pane (a private tmux server on its own socket), a
# cylinder filled with gasctl fill on line 1 and a refusal on line 2 while
# the screen is captured: the pane must show line 1 filling with its
# operator and cylinder, then the result with the net weight, and the
# refusal's rule code and reason on line 2, a dead scale as LINK DOWN,
# gasgw stopped and started again, and gasgw's clock not trusted (a fill
# ahead of it) and trusted again.  Then q must end the process
# with status 0 and leave the terminal as it was (main screen, cursor
# shown, canonical mode and echo back on).  Last, gaswatch's own command
# line: what it lacks, and a key file it cannot use, said in the person's
# language.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

command -v tmux >/dev/null 2>&1 || { fail "tmux is installed (tools/deps.sh)"; finish; }

fill_setup 2 || { fail "set-up"; finish; }
sim flow 1 2.0 && sim place 1 15.3 && sim place 2 15.3
wait_state 1 idle 5

TMUX_SOCK="$T/tmux.sock"
tm() { tmux -S "$TMUX_SOCK" "$@"; }
screen() { tm capture-pane -p -t w; }
# shows "REGEX": until the pane shows a line matching REGEX (5 s)
shows() { wait_for "${2:-5}" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t w | grep -q -e '$1'"; }

# The pane runs the watch, then reports how it ended and the tty modes.
# (The trap keeps the pane's shell alive on Ctrl-C; gasctl gets the default
# action back at exec and must catch SIGINT itself.)
cat >"$T/pane.sh" <<EOF
trap ':' INT
stty sane
sh -c 'echo \$\$ >"$T/watch.pid"; exec "$BUILD/gasctl" -s "$T/gw.sock" watch --interval 200'
echo "WATCH-EXIT \$? run \$1: \$(stty -a | tr ' ;' '\n\n' | grep -x -e '-\?icanon' -e '-\?echo' | tr '\n' ' ')"
sleep 60
EOF
tm -f /dev/null new-session -d -s w -x 110 -y 30 "env LANG=C.UTF-8 sh '$T/pane.sh' 1" ||
    { fail "tmux session started"; finish; }
PIDS="$PIDS $(tm display-message -p -t w '#{pid}')"

check "watch shows the station and both lines, idle" shows '^2 *idle'
check "watch shows the header with the station id" sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t w | grep -q 'station S1'"
check "watch is on the alternate screen" [ "$(tm display-message -p -t w '#{alternate_on}')" = 1 ]
check "watch hides the cursor" [ "$(tm display-message -p -t w '#{cursor_flag}')" = 0 ]

ctl fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" --operator OP-7 \
    >"$T/fill.out" 2>&1 &
FILL_PID=$!
PIDS="$PIDS $FILL_PID"
if shows '^1 *filling.*/ 14.900 *kg'; then
	ok "watch shows line 1 filling with the target"
	screen >"$T/screen.filling"
else
	fail "watch shows line 1 filling with the target"
	screen
fi
check "while filling: operator and cylinder on line 1" \
    grep -q 'operator OP-7  cylinder C-GOOD-1' "$T/screen.filling"
# (the first capture may come before the first 10 g: wait for a block)
check "while filling: the weight bar is partly drawn" wait_for 5 sh -c \
    "tmux -S '$TMUX_SOCK' capture-pane -p -t w | LC_ALL=C.UTF-8 grep -q '^1 *filling *\[█\+[░|]\+\]'"
sleep 0.6
screen >"$T/screen.filling2"
net1=$(sed -n 's/^1 *filling.*\] *\([0-9.]*\) \/.*/\1/p' "$T/screen.filling" | head -1)
net2=$(sed -n 's/^1 *[a-z-]*.*\] *\([0-9.]*\) \/.*/\1/p' "$T/screen.filling2" | head -1)
check "the weight climbs between two captures ($net1 -> $net2 kg)" \
    awk -v a="$net1" -v b="$net2" 'BEGIN { exit !(a != "" && b != "" && b + 0 > a + 0) }'
wait "$FILL_PID"
check "gasctl fill succeeded" grep -q '^ok' "$T/fill.out"
net=$(sed -n 's/^ok: net \([0-9.]*\) kg.*/\1/p' "$T/fill.out")
check "watch shows the result of line 1: ok $net kg" shows "last: ok $net kg"

# A refusal on line 2: the watch shows the rule code and the reason.
ctl fill 2 --cylinder "$(code C-OVERDUE)" --buyer "$BUYER2" --operator OP-7 >/dev/null 2>&1
check "watch shows the refusal of line 2 (R05 and its reason)" \
    shows 'R05 inspection overdue: last 2021-03-02, due 2025-03-02'
check "watch shows line 2's last result as refused" shows 'last: refused'
screen >"$T/screen.final"

# A dead scale on line 2: the watch marks the line's link down, and clears
# the mark when the scale answers again.
sim dead 2:scale on
check "watch marks line 2's link down when its scale stops answering" shows '^2 .*LINK DOWN'
check "line 1's link is not marked" sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t w | grep -q '^1 .*LINK DOWN'"
sim dead 2:scale off
check "the mark goes when the scale answers again" \
    wait_for 5 sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t w | grep -q 'LINK DOWN'"

# gasgw away: the watch says so and keeps running; back: it recovers.
gw_stop
check "watch says when gasgw cannot be reached" shows 'cannot reach gasgw'
gw_start
check "watch recovers when gasgw is back" \
    wait_for 5 sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t w | grep -q 'cannot reach gasgw'"

# gasgw's clock behind its newest fill by three days (a fill row ahead of
# it, as a clock set back leaves them): the status's CLOCK NOT TRUSTED line
# under the header, whole, wrapped between words to the pane's width, until
# the clock is trusted again.
sql "INSERT INTO fills (uuid, station, line, cylinder, started_ms, tare_kg, target_kg, result)
    VALUES ('u-ahead', 'S1', 1, 'C-GOOD-9', $(($(date +%s) * 1000 + 72 * 3600000)), 15.2, 14.9, 'ok')"
check "watch shows gasctl status's clock line when gasgw's clock is not trusted" \
    shows '^CLOCK NOT TRUSTED: the station.s clock reads .*, 72 h'
check "... whole, from what the clock reads to what to do" wait_for 5 sh -c \
    "tmux -S '$TMUX_SOCK' capture-pane -p -t w | tr '\n' ' ' | grep -q 'CLOCK NOT TRUSTED: the station.s clock reads [0-9-]* [0-9:+]*, 72 h before its newest fill ([0-9-]* [0-9:+]*), more than clock_back_hours (24) allows: the valve stays shut until the clock is set right (set the date and time, or mend the time sync that sets them; if the clock was ahead before and is right now, raise clock_back_hours in \[rules\])'"
sql "DELETE FROM fills WHERE uuid = 'u-ahead'"
check "the line goes once the clock is trusted again" \
    wait_for 5 sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t w | grep -q 'CLOCK NOT TRUSTED'"
check "... and the lines are still drawn" shows '^2 *idle'

# A narrower terminal (SIGWINCH): the bar shrinks so that the weights still fit.
tm resize-window -t w -x 72 -y 30
check "after a resize to 72 columns line 1 still ends in kg" shows '^1 .*\] .*[0-9-] kg *$'
bar=$(tm capture-pane -p -t w | sed -n 's/^1 [^[]*\[\([^]]*\)\].*/\1/p' | head -1)
check "the bar shrank to fit (${#bar} bytes)" [ "${#bar}" -gt 0 ] && [ "${#bar}" -lt 60 ]

tm send-keys -t w q
check "q ends the watch with status 0" shows '^WATCH-EXIT 0 run 1:'
check "the main screen is back" [ "$(tm display-message -p -t w '#{alternate_on}')" = 0 ]
check "the cursor is shown again" [ "$(tm display-message -p -t w '#{cursor_flag}')" = 1 ]
check "canonical mode and echo are restored" shows '^WATCH-EXIT 0 run 1: icanon echo *$'
check "the watch process is gone" sh -c "! kill -0 $(cat "$T/watch.pid") 2>/dev/null"

# Ctrl-C leaves the same way, with the terminal restored.
tm respawn-pane -k -t w "env LANG=C.UTF-8 sh '$T/pane.sh' 2"
shows '^1 *idle' || fail "the watch started again"
tm send-keys -t w C-c
check "Ctrl-C ends the watch with status 0" shows '^WATCH-EXIT 0 run 2:'
check "after Ctrl-C: main screen, cursor, icanon and echo back" sh -c \
    "[ \"\$(tmux -S '$TMUX_SOCK' display-message -p -t w '#{alternate_on}#{cursor_flag}')\" = 01 ] &&
     tmux -S '$TMUX_SOCK' capture-pane -p -t w | grep -q '^WATCH-EXIT 0 run 2: icanon echo *\$'"

# Ctrl-Z under a job-control shell: while stopped, the shell has its
# terminal back (main screen, cursor); fg takes the screen again.
tm new-session -d -s j -x 100 -y 30 "env -i PATH=$PATH HOME=$T TERM=screen PS1='$ ' LANG=C.UTF-8 sh -i"
tm send-keys -t j "'$BUILD/gasctl' -s '$T/gw.sock' watch" Enter
jshows() { wait_for 5 sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t j | grep -q -e '$1'"; }
jflags() { tm display-message -p -t j '#{alternate_on}#{cursor_flag}'; }
jshows '^1 ' || fail "the watch started under sh -i"
check "under sh -i the watch has the alternate screen, cursor hidden" [ "$(jflags)" = 10 ]
tm send-keys -t j C-z
check "Ctrl-Z stops the watch (the shell says so)" jshows 'Stopped'
check "while stopped: main screen and cursor back" [ "$(jflags)" = 01 ]
tm send-keys -t j fg Enter
check "fg: the watch takes the screen again and redraws" \
    sh -c "sleep 0.5; [ \"\$(tmux -S '$TMUX_SOCK' display-message -p -t j '#{alternate_on}#{cursor_flag}')\" = 10 ] &&
    tmux -S '$TMUX_SOCK' capture-pane -p -t j | grep -q '^1 '"
tm send-keys -t j q
# The status is asked only once the watch has left the screen: typed
# earlier, the shell's prompt and the echo's answer share a line (a slower
# exit, as under AddressSanitizer, made this check fail with status 0).
wait_for 5 sh -c "[ \"\$(tmux -S '$TMUX_SOCK' display-message -p -t j '#{alternate_on}')\" = 0 ]" || true
tm send-keys -t j 'echo "J-EXIT $?"' Enter
jshows 'J-EXIT [0-9]' || true
check "q after fg ends it with status 0, terminal restored ($(tm capture-pane -p -t j | grep -o 'J-EXIT [0-9][0-9]*'))" \
    sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t j | grep -q 'J-EXIT 0' &&
    [ \"\$(tmux -S '$TMUX_SOCK' display-message -p -t j '#{alternate_on}#{cursor_flag}')\" = 01 ]"

# Not on a terminal: --once prints one plain frame, no escapes; without
# gasgw it exits 1 and says why.
ctl watch --once >"$T/once.out" 2>&1 </dev/null
check "watch --once prints a plain frame" grep -q '^1 *idle' "$T/once.out"
check "watch --once writes no escape sequences" sh -c "! grep -q \"\$(printf '\\033')\" '$T/once.out'"
"$BUILD/gasctl" -s "$T/nowhere.sock" watch --once >/dev/null 2>"$T/once.err"
rc=$?
check "watch --once without gasgw exits 1 with the reason" \
    sh -c "[ $rc -eq 1 ] && grep -q 'cannot reach gasgw' '$T/once.err'"

tm kill-server 2>/dev/null
# what is missing from the command line is said, not only the usage
"$BUILD/gaswatch" --township 330825101 list >"$T/nokey.out" 2>&1
rc=$?
check "gaswatch without -k says the key is required (exit $rc)" \
    all '[ $rc -eq 2 ]' "grep -q '^gaswatch: -k KEYFILE is required' '$T/nokey.out'"
"$BUILD/gaswatch" --township 330825101 --as regulator:alice -k "$T/regulator_alice.key" list \
    >"$T/both.out" 2>&1
rc=$?
check "gaswatch with both --township and --as is refused (exit $rc)" \
    all '[ $rc -eq 2 ]' "grep -q 'give --township or --as, not both' '$T/both.out'"
# a key file others may read is refused before any link, saying what to do, in the
# person's language (its reason from psk_load_key_fault; gasgw's log keeps the English)
printf '%s\n' 00112233445566778899aabbccddeeff >"$T/shared.key"
chmod 644 "$T/shared.key"
"$BUILD/gaswatch" --township 330825101 -k "$T/shared.key" -p 9 --once >"$T/shared.out" 2>&1
rc=$?
check "gaswatch with a key file others may read says so, with the chmod (exit $rc)" \
    all '[ $rc -eq 1 ]' \
    "grep -q '^gaswatch: others may read the key file $T/shared.key (mode 644): make it yours alone with chmod 600 $T/shared.key' '$T/shared.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gaswatch" --township 330825101 -k "$T/shared.key" -p 9 --once >"$T/shared_zh.out" 2>&1
check "and in Chinese under zh_CN" \
    all "grep -q '^gaswatch：密钥文件 $T/shared.key 他人也可读取（权限 644）：请执行 chmod 600' '$T/shared_zh.out'" \
    "! grep -q 'group or others' '$T/shared_zh.out'"
LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gaswatch" --as officer:wang@330825101 -k "$T/no.key" -p 9 list >"$T/nokeyfile_zh.out" 2>&1
check "a key file that is not there, in Chinese too" \
    grep -q "^gaswatch：无法读取密钥文件 $T/no.key：" "$T/nokeyfile_zh.out"
finish
