# Both daemons speak systemd's notify protocol (Type=notify units):
# READY=1 once serving, WATCHDOG=1 while their loops run, RELOADING=1 and
# READY=1 again around a SIGHUP reload (gascounty), STOPPING=1 on SIGTERM;
# a NOTIFY_SOCKET of our own stands in for systemd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"
. "$(dirname "$0")/uplink_lib.sh"

listen_notify() { # NAME: a datagram socket that logs what arrives
	spawn "notify_$1" socat -u "UNIX-RECV:$T/$1.notify" "OPEN:$T/$1.msgs,creat,append"
	wait_for 5 test -S "$T/$1.notify"
}

# gascounty
listen_notify county
CPORT=$(free_port udp)
printf 'regulator:r %s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > "$T/identities"
chmod 600 "$T/identities"
printf '[county]\nlisten = 127.0.0.1\nport = %s\ndatabase = %s\nidentities = %s\n' \
    "$CPORT" "$T/county.db" "$T/identities" > "$T/county.conf"
NOTIFY_SOCKET="$T/county.notify" WATCHDOG_USEC=2000000 \
    spawn gascounty "$BUILD/gascounty" -f -c "$T/county.conf"
check "gascounty tells systemd it is ready" wait_for 10 grep -q 'READY=1' "$T/county.msgs"
check "gascounty feeds the watchdog while it serves" wait_for 10 grep -q 'WATCHDOG=1' "$T/county.msgs"
: > "$T/county.msgs"
kill -HUP "$PID_gascounty"
check "gascounty tells systemd RELOADING=1, then READY=1, on SIGHUP" \
    wait_for 10 sh -c "tr -d '\\n' <'$T/county.msgs' | sed 's/WATCHDOG=1//g' | grep -q 'RELOADING=1READY=1'"
kill "$PID_gascounty"
check "gascounty says it is stopping on SIGTERM" wait_for 10 grep -q 'STOPPING=1' "$T/county.msgs"

# gasgw (with a simulated fill line, and an uplink to a county that is not
# there: its process runs all the same, retrying)
listen_notify gw
export NOTIFY_SOCKET="$T/gw.notify" WATCHDOG_USEC=2000000
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$T/station.key"
chmod 600 "$T/station.key"
EXTRA_CONF="[county]
host = 127.0.0.1
port = $(free_port udp)
psk_file = $T/station.key"
fill_setup 1 || { fail "station set-up"; finish; }
check "gasgw tells systemd it is ready" wait_for 10 grep -q 'READY=1' "$T/gw.msgs"
check "gasgw feeds the watchdog while its lines are healthy" wait_for 10 grep -q 'WATCHDOG=1' "$T/gw.msgs"
# A frozen uplink process is gasgw's to replace, not systemd's: the fill
# line needs no restart for a network problem.
up=$(uplink_pid)
check "gasgw runs its uplink as a process of its own" [ "$up" -gt 0 ]
check "the uplink process does not speak to systemd (no NOTIFY_SOCKET)" \
    sh -c "! tr '\\0' '\\n' </proc/$up/environ | grep -q NOTIFY_SOCKET"
kill -STOP "$up"
: > "$T/gw.msgs"
check "gasgw replaces a frozen uplink process" wait_for 20 uplink_replaced "$up"
check "gasgw logs that it was silent" grep -q "uplink process $up was silent for" "$T/gasgw.log"
check "gasgw kept feeding the watchdog meanwhile" grep -q 'WATCHDOG=1' "$T/gw.msgs"
kill -CONT "$up" 2>/dev/null
# A field bus that is gone is not a reason to restart the daemon (its loops
# still run and refuse fills with R24); a frozen daemon is: SIGSTOP it and no
# feed arrives.
kill "$PID_gassim"
sleep 2
: > "$T/gw.msgs"
sleep 3
check "gasgw keeps feeding the watchdog while its loops run, bus or no bus" \
    grep -q 'WATCHDOG=1' "$T/gw.msgs"
kill -STOP "$PID_gasgw"
sleep 1
: > "$T/gw.msgs"
sleep 3
check "a frozen gasgw feeds no watchdog (systemd would restart it)" \
    sh -c "! grep -q 'WATCHDOG=1' '$T/gw.msgs'"
kill -CONT "$PID_gasgw"
kill "$PID_gasgw"
check "gasgw says it is stopping on SIGTERM" wait_for 10 grep -q 'STOPPING=1' "$T/gw.msgs"
finish
