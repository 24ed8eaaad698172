# First contact (issue 12, item 1): every public make target works the first
# time on a machine where nothing is installed yet.  The real Makefile and
# the real tools/deps.sh run against a fake package manager: until deps has
# run `apt-get install`, dpkg-query knows no package and pkg-config finds
# none (as on a bare Debian 12); after it, pkg-config answers as the real one
# does, plus a marker define, so that every compiler line of the run shows
# whether it got the flags of pkg-config asked after deps, or none.
#
# Each target starts from nothing installed and an empty build folder.
# `make install` is built for real (DESTDIR, every binary compiled and
# linked); the long targets (`make`, demo, check, bench, fuzz, torture) run
# as `make -n`, which still runs deps and pkg-config for real (make remakes
# the makefiles it includes even under -n) and prints every command, sub-makes
# included.  A user who is not root gets a message naming `make deps` and
# nothing is compiled.
#
# It tests the tree it is in: a copy of the tree with another Makefile is
# how the Makefile of before the fix was shown to fail it.  Nothing here
# installs, removes or edits anything outside the test folder.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
FAKE="$T/fake"
mkdir -p "$FAKE/bin"

cat > "$FAKE/bin/pkg-config" <<EOF
#!/bin/sh
# pkg-config on a machine where no -dev package is installed until apt-get ran
if [ ! -e "\$GAS_FAKE/installed" ]; then
	for a; do case \$a in -*) ;; *) echo "Package \$a was not found in the pkg-config search path." >&2; break ;; esac; done
	exit 1
fi
out=\$($(command -v pkg-config) "\$@") || exit 1
case " \$* " in *" --cflags "*) out="\$out -DGAS_FIRSTRUN_FLAGS" ;; esac
echo "\$out"
EOF
cat > "$FAKE/bin/dpkg-query" <<'EOF'
#!/bin/sh
# nothing is installed until apt-get ran
[ -e "$GAS_FAKE/installed" ] && { printf 'install ok installed'; exit 0; }
eval "p=\${$#}"
echo "dpkg-query: no packages found matching $p" >&2
exit 1
EOF
# apt-get: another apt holds the lists' lock for the first $GAS_FAKE_LOCKED
# updates (as apt-daily does on a machine just booted), as Debian 12's apt says
cat > "$FAKE/bin/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >> "$GAS_FAKE/apt.log"
case $1 in
update)
	n=$(grep -c '^apt-get update' "$GAS_FAKE/apt.log")
	if [ "$n" -le "${GAS_FAKE_LOCKED:-0}" ]; then
		echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
		echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
		exit 100
	fi ;;
install) touch "$GAS_FAKE/installed" ;;
*) exit 100 ;;
esac
EOF
# deps.sh may act as root (or not, GAS_FAKE_UID); the zh_CN locale counts as
# present, so that it never edits /etc/locale.gen
cat > "$FAKE/bin/id" <<EOF
#!/bin/sh
[ "\$1" = -u ] && { echo "\${GAS_FAKE_UID:-0}"; exit 0; }
exec $(command -v id) "\$@"
EOF
cat > "$FAKE/bin/locale" <<EOF
#!/bin/sh
[ "\$1" = -a ] && { printf 'C\nC.utf8\nPOSIX\nzh_CN.utf8\n'; exit 0; }
exec $(command -v locale) "\$@"
EOF
chmod +x "$FAKE/bin"/*

# bare NAME ARGS...: make ARGS in the source tree as on a bare machine
# (nothing installed, a fresh build folder $T/b-NAME); output in $T/NAME.log
bare() {
	name=$1
	shift
	rm -f "$FAKE/installed" "$FAKE/apt.log"
	rm -rf "$T/b-$name"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u GNUMAKEFLAGS \
	    PATH="$FAKE/bin:$PATH" GAS_FAKE="$FAKE" \
	    make --no-print-directory -C "$SRC" BUILD="$T/b-$name" "$@" \
	    > "$T/$name.log" 2>&1
}

# flags NAME: every compiler line of the run had pkg-config's flags after
# deps (compiles: the marker define; links: the packages' libraries).
# Prints what it found.
flags() {
	awk '
	$1 ~ /(^|\/)(cc|gcc|clang)(-[0-9]+)?$/ {
		src = 0
		for (i = 2; i <= NF; i++)
			if ($i ~ /\.c$/)
				src = 1
		if (src) {
			compiles++
			if ($0 !~ /-DGAS_FIRSTRUN_FLAGS/) bad++
		}
		if ($0 !~ / -c / && $0 ~ / -o /) {
			links++
			if ($0 !~ /-lsqlite3/) bad++
		}
	}
	END {
		printf "%d compiles, %d links, %d without the flags\n", compiles, links, bad
		exit !(compiles > 0 && links > 0 && bad == 0)
	}' "$T/$1.log"
}

deps_ran() { grep -q '^apt-get install' "$FAKE/apt.log" 2>/dev/null; }

show() { # NAME: the end of a run that failed, for the log
	echo "# make $1, last lines:"
	tail -n 8 "$T/$1.log" | sed 's/^/#   /'
}

# --- make install, for real ---------------------------------------------------
if bare install -j2 install DESTDIR="$T/dest"; then rc=0; else rc=$?; fi
found=$(flags install)
check "make install (real, nothing installed): exit 0, deps ran, then every compile and link had the flags ($found)" \
    all '[ "$rc" -eq 0 ]' deps_ran 'flags install > /dev/null'
[ "$rc" -eq 0 ] || show install
check "make install: the installed gasgw runs (--help)" \
    all '"$T/dest/usr/local/bin/gasgw" --help > /dev/null 2>&1'

# --- the long targets, as make -n ---------------------------------------------
for goal in "" demo check bench fuzz torture; do
	name=${goal:-all}
	if bare "$name" -n $goal; then rc=0; else rc=$?; fi
	found=$(flags "$name")
	check "make ${goal:-(no goal)} -n (nothing installed): exit 0, deps ran, then every compile and link had the flags ($found)" \
	    all '[ "$rc" -eq 0 ]' deps_ran "flags $name > /dev/null"
	[ "$rc" -eq 0 ] || show "$name"
done

# --- apt busy: make deps waits for another apt, then installs -----------------
# (the real apt-get install waits on dpkg's lock by itself: DPkg::Lock::Timeout)
GAS_FAKE_LOCKED=1
export GAS_FAKE_LOCKED
if bare aptbusy deps; then rc=0; else rc=$?; fi
check "make deps while another apt holds the lists' lock: says it waits, then installs" \
    all '[ "$rc" -eq 0 ]' deps_ran '[ "$(grep -c "^apt-get update" "$FAKE/apt.log")" -eq 2 ]' \
    'grep -q "^deps: another apt holds its lock; waiting (0 s of 600 s)" "$T/aptbusy.log"'
check "... and its install waits on dpkg's lock too" \
    grep -q '^apt-get install -o DPkg::Lock::Timeout=600 ' "$FAKE/apt.log"
GAS_FAKE_LOCKED=1000
if bare aptheld deps DEPS_LOCK_WAIT=5; then rc=0; else rc=$?; fi
unset GAS_FAKE_LOCKED
if bare badwait deps DEPS_LOCK_WAIT=ten; then rc=0; else rc=$?; fi
check "make deps DEPS_LOCK_WAIT=ten: refused, naming it, nothing installed" \
    all '[ "$rc" -ne 0 ]' '! deps_ran' \
    "grep -q \"DEPS_LOCK_WAIT must be a number of seconds, not 'ten'\" '$T/badwait.log'"
check "make deps when the lock is never let go: fails after its wait, saying why, installs nothing" \
    all '[ "$rc" -ne 0 ]' '! deps_ran' 'grep -q "Could not get lock" "$T/aptheld.log"' \
    'grep -q "^deps: apt-get update failed" "$T/aptheld.log"'

# --- not root: a clear refusal ------------------------------------------------
GAS_FAKE_UID=1000
export GAS_FAKE_UID
if bare user; then rc=0; else rc=$?; fi
unset GAS_FAKE_UID
check "make as a user with nothing installed: fails, names 'make deps', compiles nothing" \
    all '[ "$rc" -ne 0 ]' 'grep -q "make deps" "$T/user.log"' \
    '! grep -Eq "^(cc|clang) " "$T/user.log"'

# The build folders hold no test output: leave them out of the privacy scan.
[ "$FAILED" -eq 0 ] && rm -rf "$T"/b-* "$T/dest"
finish
