# Crash, power loss, disk full and I/O errors at every write and sync of a
# station database doing fill transactions (faultvfs.h): the database is
# always usable, holds the old state or the new one of every transaction,
# never a mix, and keeps every fill whose commit returned.
. "$(dirname "$0")/lib.sh"
W="$BUILD/tests/store_workload"
FILLS=3
[ -n "${TORTURE:-}" ] && FILLS=12

GAS_TEST_FAULT=count "$W" run "$T/count.db" "$FILLS" > /dev/null 2> "$T/count.err"
total=$(sed -n 's/^faultvfs: \([0-9]*\) operations/\1/p' "$T/count.err")
check "workload counts its writes and syncs" [ "${total:-0}" -gt 10 ]

for mode in crash powerloss full ioerr; do
	bad=0
	n=1
	while [ "$n" -le "$total" ]; do
		rm -f "$T/db" "$T/db-wal" "$T/db-shm"
		GAS_TEST_FAULT="$mode:$n" "$W" run "$T/db" "$FILLS" > "$T/log" 2>/dev/null
		if ! "$W" verify "$T/db" "$T/log" > "$T/verify" 2>&1; then
			bad=$((bad + 1))
			echo "# $mode at operation $n:"; sed 's/^/#   /' "$T/verify"
		fi
		n=$((n + 1))
	done
	check "$mode at each of $total operations: consistent, nothing committed lost" [ "$bad" -eq 0 ]
done

# Negative control: the power-loss model must bite.  With synchronous=NORMAL
# (what shared/PITFALLS.md warns of) a power cut loses reported commits.
lost=0
n=1
while [ "$n" -le "$total" ]; do
	rm -f "$T/db" "$T/db-wal" "$T/db-shm"
	GAS_TEST_FAULT="powerloss:$n" "$W" run-weak-sync "$T/db" "$FILLS" > "$T/log" 2>/dev/null
	"$W" verify "$T/db" "$T/log" > /dev/null 2>&1 || lost=$((lost + 1))
	n=$((n + 1))
done
check "power loss does lose commits under synchronous=NORMAL ($lost cases): the test can fail" \
    [ "$lost" -gt 0 ]
finish
