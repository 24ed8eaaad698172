#!/bin/sh
# Every command and subcommand of every tool answers --help and -h with
# exit 0, on standard output, without a configuration, a key or a server.
#
# The commands are read from each tool's own top-level --help, which the
# tools with command tables (gasctl, gaswatch, gastrace, gaslabel) print
# from those tables: a command added to a table is listed, and so walked
# here, and its --help must then say more than one line.  A group of
# commands ("gasctl buyers" of "buyers add" and "buyers list") answers
# --help too.  gascounty's and gassim's commands are read from their usage
# lines the same way.
. "$(dirname "$0")/lib.sh"

export LANG=C LANGUAGE= LC_ALL=

# commands_of TOOL: every command path its --help names, one a line
# ("registry set"): the lowercase words after the tool's name on a usage or
# command line, bracketed options skipped, up to the first other word.
commands_of() {
	"$BUILD/$1" --help 2>/dev/null | awk -v tool="$1" '
	{
		line = $0
		sub(/^[ \t]*(usage:)?[ \t]*/, "", line)
		n = split(line, w, /[ \t]+/)
		if (w[1] != tool)
			next
		depth = 0
		path = ""
		for (i = 2; i <= n; i++) {
			t = w[i]
			if (depth > 0 || t ~ /^\[/) {
				a = t; b = t
				depth += gsub(/\[/, "", a) - gsub(/\]/, "", b)
				continue
			}
			if (t ~ /^[a-z][a-z0-9-]*$/) {
				path = path (path == "" ? "" : " ") t
				continue
			}
			break
		}
		if (path != "")
			print path
	}' | sort -u
}

# asks_help TOOL WORDS...: TOOL WORDS --help and -h exit 0 and print help
# that names WORDS, with nothing on standard error
asks_help() {
	tool=$1; shift
	for flag in --help -h; do
		"$BUILD/$tool" "$@" $flag >"$T/out" 2>"$T/err"; rc=$?
		what="$tool $* $flag"
		if [ "$rc" -ne 0 ]; then
			fail "$what exits 0 (exit $rc: $(head -c 200 "$T/err" | tr '\n' ' '))"
		elif [ -s "$T/err" ]; then
			fail "$what writes nothing on standard error ($(head -c 200 "$T/err" | tr '\n' ' '))"
		elif ! grep -qi usage "$T/out" || { [ $# -gt 0 ] && ! grep -q -- "$*" "$T/out"; }; then
			fail "$what says how to use $*"
		elif [ "$(grep -c . "$T/out")" -lt 2 ]; then
			fail "$what says more than its usage line"
		else
			ok "$what"
		fi
	done
}

for tool in gasctl gaswatch gastrace gaslabel gascounty gasgw gassim; do
	[ -x "$BUILD/$tool" ] || { fail "$tool is built"; continue; }
	asks_help "$tool"
	commands_of "$tool" >"$T/$tool.commands"
	# the groups: every first word of a command of two or more words
	awk 'NF > 1 { print $1 }' "$T/$tool.commands" | sort -u >"$T/$tool.groups"
	while read -r words; do
		# shellcheck disable=SC2086 # the words are separate arguments
		asks_help "$tool" $words
	done <"$T/$tool.commands"
	while read -r group; do
		asks_help "$tool" "$group"
	done <"$T/$tool.groups"
done

# the walk found the commands the tables hold (a parse that finds nothing
# would pass vacuously); at least those of today, so that a new row needs
# no edit here
check "gasctl lists its commands (15 or more)" [ "$(wc -l <"$T/gasctl.commands")" -ge 15 ]
check "gasctl's groups include registry, operators and buyers" \
    sh -c "grep -qx registry '$T/gasctl.groups' && grep -qx operators '$T/gasctl.groups' && grep -qx buyers '$T/gasctl.groups'"
check "gastrace lists cylinder, buyer, station, stations and curve" \
    sh -c "$(for c in cylinder buyer station stations curve; do printf "grep -qx %s '%s' && " "$c" "$T/gastrace.commands"; done) true"
check "gaswatch lists follow and ack" sh -c "grep -qx follow '$T/gaswatch.commands' && grep -qx ack '$T/gaswatch.commands'"
check "gaslabel lists its commands (5 or more)" [ "$(wc -l <"$T/gaslabel.commands")" -ge 5 ]
check "gascounty lists registry set and import" \
    sh -c "grep -qx 'registry set' '$T/gascounty.commands' && grep -qx 'registry import' '$T/gascounty.commands'"

# `gasctl help GROUP` and a group without a command
"$BUILD/gasctl" help buyers >"$T/hb" 2>&1
check "gasctl help buyers lists buyers add and buyers list (exit 0)" \
    sh -c "[ $? -eq 0 ] && grep -q 'gasctl buyers add' '$T/hb' && grep -q 'gasctl buyers list' '$T/hb'"
"$BUILD/gasctl" buyers >"$T/hb2" 2>&1
check "gasctl buyers alone is bad usage (exit 2) and lists what it takes" \
    sh -c "[ $? -eq 2 ] && grep -q 'gasctl buyers add' '$T/hb2'"
"$BUILD/gasctl" buyers frobnicate >"$T/hb3" 2>&1
check "gasctl buyers frobnicate names the unknown command (exit 2)" \
    sh -c "[ $? -eq 2 ] && grep -q \"unknown command 'buyers frobnicate'\" '$T/hb3'"
finish
