#!/bin/sh
# Hold the layout decided in .clang-format (docs/style.md): list every C file
# whose layout differs and fail, so that `make check` keeps the tree as the
# tool would write it.  `sh tools/format-check.sh --fix` rewrites them instead.
set -eu
cd "$(dirname "$0")/.."
files=$(find gateway drivers tools tests -name '*.[ch]' -not -path '*/corpus/*' | sort)
if [ "${1:-}" = "--fix" ]; then
	clang-format -i $files
	exit 0
fi
bad=""
for f in $files; do
	clang-format "$f" | cmp -s - "$f" || bad="$bad $f"
done
if [ -n "$bad" ]; then
	echo "format: these files differ from .clang-format (run sh tools/format-check.sh --fix):" >&2
	for f in $bad; do echo "  $f" >&2; done
	exit 1
fi
echo "format: $(echo $files | wc -w) files as .clang-format lays them out"
