# gasgw's uplink process as gasctl status --json shows it (sourced after
# lib.sh; $T/gw.sock is the station's control socket, as fill_lib.sh makes it).
#
#   uplink FIELD          a field of uplink.process (pid, running, user, uid,
#                         restarts, last_exit)
#   uplink_pid            its pid, 0 while none runs
#   uplink_up             true while one runs (for wait_for)
#   uplink_replaced PID   true once another one than PID runs (for wait_for)

uplink() {
	"$BUILD/gasctl" -s "$T/gw.sock" status --json |
	    /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['uplink']['process']['$1'])"
}
uplink_pid() { if [ "$(uplink running)" = True ]; then uplink pid; else echo 0; fi; }
uplink_up() { [ "$(uplink_pid)" -gt 0 ]; }
uplink_replaced() { _p=$(uplink_pid); [ "$_p" -gt 0 ] && [ "$_p" != "$1" ]; }
