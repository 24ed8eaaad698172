#!/bin/sh
# Run every test and print one summary line CI understands:
#   N passed, N failed
# Unit tests count per cmocka case; integration scripts count per check line
# ("ok - ..." / "not ok - ..."), and a script that exits non-zero without a
# failed check counts as one failure.  The sanitizer build of the unit tests
# (build/asan) runs after the plain one, and the integration tests named in
# tests/integration/asan.list against its programs, then the fuzz corpora,
# then the privacy scan of everything the run wrote.
#
#   BUILD=$PWD/build sh tests/run.sh [PATTERN...]
#
# PATTERNs (shell patterns) pick tests by the name the summary prints, for
# example 'fuzz/*' or 'integration/t_fill_*'; the privacy scan always runs.
set -u
: "${BUILD:?}"
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
failures=""
out=$(mktemp)
run=$(mktemp -d "${TMPDIR:-/tmp}/gasrun.XXXXXX")
# Every test's files and output stay in GAS_TEST_ROOT until the privacy scan
# has read them.  Inputs the fuzzers generate are test data, full of ID
# numbers on purpose: they go to $run/fuzz-inputs, which is not scanned.
GAS_TEST_ROOT=$run/scan
export GAS_TEST_ROOT
mkdir -p "$GAS_TEST_ROOT/outputs" "$run/fuzz-inputs"
# What a fuzzed gateway writes (fuzz_ctl's station database) is scanned;
# on tmpfs when there is one, so that its synchronous commits cost nothing.
fuzzwork=$(mktemp -d /dev/shm/gasfuzz.XXXXXX 2>/dev/null) || fuzzwork=$GAS_TEST_ROOT/fuzz-work
mkdir -p "$fuzzwork"
trap 'rm -f "$out"; rm -rf "$run" "$fuzzwork"' EXIT

# selected NAME: whether the command line picked this test (all if it named none)
patterns="$*"
selected() {
	[ -z "$patterns" ] && return 0
	set -f # the patterns are matched against NAME, never expanded to files
	for p in $patterns; do
		case $1 in $p) set +f; return 0 ;; esac
	done
	set +f
	return 1
}

count_unit() { # $1 label, $2 binary
	"$2" >"$out" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures="$failures $1"
		cat "$out"
	fi
	printf '%-40s %3d passed, %d failed\n' "$1" "$p" "$f"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	selected "unit/$(basename "$t")" || continue
	count_unit "unit/$(basename "$t")" "$t"
done

# Long (TORTURE=1) runs get an hour per test: the lossy relay's 1,000
# records alone take most of one.  A test still running at its limit is
# sent SIGTERM (its EXIT trap stops its daemons), and SIGKILL 30 s later:
# a clean-up that hangs must not hang the whole run (a sanitizer sweep's
# t_fill_disk sat in its trap, signals blocked, for 30 minutes).
limit=${TEST_TIMEOUT:-600}
[ -n "${TORTURE:-}" ] && limit=${TEST_TIMEOUT:-3600}

for t in "$here"/integration/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	selected "integration/$name" || continue
	start=$(date +%s)
	BUILD="$BUILD" timeout -k 30 "$limit" sh "$t" >"$out" 2>&1
	rc=$?
	cp "$out" "$GAS_TEST_ROOT/outputs/$name.log"
	p=$(grep -c '^ok - ' "$out")
	f=$(grep -c '^not ok - ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures="$failures integration/$name"
		cat "$out"
	fi
	# known bugs and gaps a test prints ("# KNOWN BUG", "# GAP") are not
	# counted as passed or failed, but shown
	k=$(grep -c -e '^# KNOWN BUG' -e '^# GAP' "$out")
	known=""; [ "$k" -gt 0 ] && known=", $k known bug/gap"
	printf '%-40s %3d passed, %d failed (%ds%s)\n' "integration/$name" "$p" "$f" \
	    $(( $(date +%s) - start )) "$known"
done

if [ -d "$BUILD/asan/tests" ]; then
	for t in "$BUILD"/asan/tests/test_*; do
		[ -x "$t" ] || continue
		selected "asan/$(basename "$t")" || continue
		count_unit "asan/$(basename "$t")" "$t"
	done
fi

# The integration tests of tests/integration/asan.list again, against the
# sanitizer build of the programs (build/asan, when `make check` made it):
# the county's daemons meet hostile input there that no unit test sends.
# A report fails the test even when it came from a daemon stopped after
# the test's last check or from a command whose output the test threw
# away: AddressSanitizer's reports go to files of their own (log_path), and
# every file the test left (its daemons' logs) and its output are searched
# for UndefinedBehaviorSanitizer's, which gcc's runtime writes to stderr
# only.
if [ -x "$BUILD/asan/gascounty" ] && [ -f "$here/integration/asan.list" ]; then
	for name in $(sed -e 's/#.*//' "$here/integration/asan.list"); do
		selected "asan/$name" || continue
		reports="$run/sanitizer/$name"
		troot="$GAS_TEST_ROOT/asan-$name"
		mkdir -p "$reports" "$troot"
		start=$(date +%s)
		GAS_TEST_ROOT="$troot" BUILD="$BUILD/asan" GAS_SANITIZED=1 \
		    ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan" \
		    UBSAN_OPTIONS="print_stacktrace=1" \
		    timeout -k 30 "$limit" sh "$here/integration/$name.sh" >"$out" 2>&1
		rc=$?
		p=$(grep -c '^ok - ' "$out")
		f=$(grep -c '^not ok - ' "$out")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		for r in "$reports"/* $(grep -rl -e 'runtime error:' "$troot"); do
			[ -e "$r" ] || continue
			echo "not ok - a sanitizer's report in $r:" >>"$out"
			grep -m 1 -B 2 -A 30 -e 'runtime error:' -e 'ERROR: ' "$r" >>"$out"
			f=$((f + 1))
		done
		cp "$out" "$GAS_TEST_ROOT/outputs/asan-$name.log"
		passed=$((passed + p)); failed=$((failed + f))
		if [ "$f" -ne 0 ]; then
			failures="$failures asan/$name"
			cat "$out"
		fi
		printf '%-40s %3d passed, %d failed (%ds)\n' "asan/$name" "$p" "$f" \
		    $(( $(date +%s) - start ))
	done
fi

# Fuzz targets replay their corpus (TORTURE=1: fuzz 60 s each), with
# AddressSanitizer, UBSan and LeakSanitizer: a leak fails the target.
if [ -d "$BUILD/fuzz" ] && [ -d "$here/fuzz/corpus" ]; then
	for f in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f"); c="$here/fuzz/corpus/${n#fuzz_}"
		[ -d "$c" ] || continue
		selected "fuzz/$n" || continue
		if [ -n "${TORTURE:-}" ]; then
			# New inputs go to a scratch folder (the first one named), so
			# a long run does not flood the corpus kept in tests/.
			mkdir -p "$run/fuzz-inputs/$n"
			set -- -max_total_time=60 "$run/fuzz-inputs/$n" "$c"
		else
			set -- -runs=0 "$c"
		fi
		# an input that fails is kept in $BUILD/fuzz-artifacts (its path is
		# in the output shown)
		mkdir -p "$BUILD/fuzz-artifacts"
		GAS_FUZZ_WORKDIR=$fuzzwork ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
		    "$f" -detect_leaks=1 -artifact_prefix="$BUILD/fuzz-artifacts/$n-" "$@" >"$out" 2>&1
		rc=$?
		# the gateway's own log lines are in this output: scanned too
		cp "$out" "$GAS_TEST_ROOT/outputs/fuzz-$n.log"
		if [ $rc -eq 0 ]; then passed=$((passed + 1)); r=ok; else failed=$((failed + 1)); r=FAILED; failures="$failures fuzz/$n"; tail -n 30 "$out"; fi
		printf '%-40s %s\n' "fuzz/$n" "$r"
	done
fi

# Privacy: no raw resident ID number or credit code in any database, log or
# output the whole run left behind (tests/helpers/idscan.c).
if "$BUILD/tests/idscan" "$GAS_TEST_ROOT" "$fuzzwork" > "$out" 2>&1; then
	passed=$((passed + 1))
	printf '%-40s %s\n' "privacy/no-raw-numbers" ok
else
	failed=$((failed + 1))
	failures="$failures privacy/no-raw-numbers"
	cat "$out"
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
