# Every binary has a man page that renders without a warning, and every
# man page names a binary that --help answers for.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
for page in "$here"/docs/man/*.[158]; do
	name=$(basename "$page")
	MANWIDTH=80 man --warnings -l "$page" > "$T/out" 2> "$T/err"
	check "$name renders without warnings" sh -c "[ ! -s '$T/err' ] && grep -q NAME '$T/out'"
done
for bin in "$BUILD"/gas*; do
	[ -x "$bin" ] || continue
	b=$(basename "$bin")
	ls "$here"/docs/man/"$b".[18] > /dev/null 2>&1 || fail "$b has no man page"
	"$bin" --help > "$T/help" 2>&1 || fail "$b --help did not exit 0"
	check "$b --help says how to use it" grep -qi usage "$T/help"
done
finish
