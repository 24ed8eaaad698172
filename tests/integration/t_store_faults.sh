# Crash, power loss, disk full and I/O errors at every write and sync of a
# station database doing fill transactions (the fault shim,
# tests/shim/faultvfs.c, loaded with LD_PRELOAD): the database is always
# usable, holds the old state or the new one of every transaction, never a
# mix, and keeps every fill whose commit returned.  First: the shipped
# programs have no such seam; only the shim gives one the faults.
. "$(dirname "$0")/lib.sh"
W="$BUILD/tests/store_workload"
FILLS=3
[ -n "${TORTURE:-}" ] && FILLS=12

seamless=""
for b in "$BUILD"/gas*; do
	[ -x "$b" ] || continue
	grep -qa GAS_TEST_FAULT "$b" && seamless="$seamless $(basename "$b")"
done
check "no shipped program mentions GAS_TEST_FAULT${seamless:+ (found in$seamless)}" \
    [ -z "$seamless" ]
operator() { # DB ENV...: gasctl adds an operator to DB under ENV
	db=$1
	shift
	env "$@" "$BUILD/gasctl" --db "$db" operators add OP-1 --name Li --expires 2099-01-01 \
	    > "$T/gasctl.out" 2>&1
}
operator "$T/shipped.db" GAS_TEST_FAULT=crash:1
rc=$?
check "the shipped gasctl ignores GAS_TEST_FAULT=crash:1: it writes its database (exit $rc)" \
    all '[ "$rc" -eq 0 ]' '"$BUILD/gasctl" --db "$T/shipped.db" operators list | grep -q OP-1'
operator "$T/shim.db" LD_PRELOAD="$FAULTVFS" GAS_TEST_FAULT=crash:1
rc=$?
check "with the shim loaded, the same gasctl crashes at its first write (exit $rc, 86)" \
    [ "$rc" -eq 86 ]
operator "$T/shim.db" LD_PRELOAD="$FAULTVFS" GAS_TEST_FAULT=crash:x
rc=$?
check "with the shim loaded, a malformed GAS_TEST_FAULT stops the program and says why (exit $rc)" \
    all '[ "$rc" -eq 2 ]' 'grep -q "GAS_TEST_FAULT=crash:x: expected" "$T/gasctl.out"'

LD_PRELOAD="$FAULTVFS" GAS_TEST_FAULT=count "$W" run "$T/count.db" "$FILLS" > /dev/null 2> "$T/count.err"
total=$(sed -n 's/^faultvfs: \([0-9]*\) operations/\1/p' "$T/count.err")
check "workload counts its writes and syncs" [ "${total:-0}" -gt 10 ]
total=${total:-0} # none counted: each check below fails rather than pass on no case

for mode in crash powerloss full ioerr; do
	bad=0
	n=1
	while [ "$n" -le "$total" ]; do
		rm -f "$T/db" "$T/db-wal" "$T/db-shm"
		LD_PRELOAD="$FAULTVFS" GAS_TEST_FAULT="$mode:$n" "$W" run "$T/db" "$FILLS" > "$T/log" 2>/dev/null
		if ! "$W" verify "$T/db" "$T/log" > "$T/verify" 2>&1; then
			bad=$((bad + 1))
			echo "# $mode at operation $n:"; sed 's/^/#   /' "$T/verify"
		fi
		n=$((n + 1))
	done
	check "$mode at each of $total operations: consistent, nothing committed lost" \
	    all '[ "$total" -gt 10 ]' '[ "$bad" -eq 0 ]'
done

# Negative control: the power-loss model must bite.  With synchronous=NORMAL
# (docs/design.md §6) a power cut loses reported commits.
lost=0
n=1
while [ "$n" -le "$total" ]; do
	rm -f "$T/db" "$T/db-wal" "$T/db-shm"
	LD_PRELOAD="$FAULTVFS" GAS_TEST_FAULT="powerloss:$n" "$W" run-weak-sync "$T/db" "$FILLS" > "$T/log" 2>/dev/null
	"$W" verify "$T/db" "$T/log" > /dev/null 2>&1 || lost=$((lost + 1))
	n=$((n + 1))
done
check "power loss does lose commits under synchronous=NORMAL ($lost cases): the test can fail" \
    [ "$lost" -gt 0 ]
finish
