# gassim alone on a bus, for the driver-level tests (sourced after lib.sh).
#
#   start_sim tcp|rtu ARGS...   a fresh gassim (ARGS are gassim's) on Modbus TCP
#                               or on RTU at 115200 over a pty pair; sets
#                               BUSARGS (the master's --tcp/--rtu options, as
#                               mbprobe and gasprobe take them), SIMPID, EV (its
#                               event log) and port (TCP)
#   stop_sim                    stop it
#
# Profiles are this tree's drivers/profiles.

SIM="$BUILD/gassim"
SIM_PROFILES="$(cd "$(dirname "$0")/../.." && pwd)/drivers/profiles"
sim_n=0

start_sim() {
	bus=$1; shift
	sim_n=$((sim_n + 1))
	if [ "$bus" = tcp ]; then
		port=$(free_port)
		spawn "sim$sim_n" "$SIM" --tcp "127.0.0.1:$port" --control "$T/ctl$sim_n" \
		    --events "$T/ev$sim_n" --noise 0 --profiles "$SIM_PROFILES" "$@"
		BUSARGS="--tcp 127.0.0.1:$port"
	else
		spawn "pty$sim_n" socat "pty,raw,echo=0,link=$T/a$sim_n" "pty,raw,echo=0,link=$T/b$sim_n"
		wait_for 5 test -e "$T/b$sim_n"
		spawn "sim$sim_n" "$SIM" --rtu "$T/a$sim_n" --baud 115200 --control "$T/ctl$sim_n" \
		    --events "$T/ev$sim_n" --noise 0 --profiles "$SIM_PROFILES" "$@"
		BUSARGS="--rtu $T/b$sim_n --baud 115200"
	fi
	wait_for 5 test -S "$T/ctl$sim_n" || fail "gassim $sim_n starts"
	SIMPID=$(eval echo "\$PID_sim$sim_n")
	EV="$T/ev$sim_n"
}

stop_sim() {
	kill "$SIMPID" 2>/dev/null
	wait_for 5 sh -c "! kill -0 $SIMPID 2>/dev/null"
}
