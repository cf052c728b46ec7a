# Sourced by every tests/*.sh suite.
#
#   case_ 'what this case shows'     starts a case
#   check "$got" "$want"              passes or fails the current case
#   finish                            prints "N passed, N failed" and exits
#
# Reports are compared after `show`, which makes NUL visible as ^@ (cat -v).
# $BIN holds the programs, $TBIN the test tools, $T a fresh temp folder.

top=$(cd "$(dirname "$0")/.." && pwd)
BIN=$top/bin
TBIN=$top/tests/bin
T=$(mktemp -d "${TMPDIR:-/tmp}/qrtest.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
passed=0
failed=0
name=

case_() { name=$1; }

show() { cat -v; }

check() {
	if [ "$1" = "$2" ]; then
		passed=$((passed + 1))
		echo "ok - $name"
	else
		failed=$((failed + 1))
		echo "FAIL - $name"
		printf '%s\n' "$2" > "$T/want"
		printf '%s\n' "$1" > "$T/got"
		diff -u "$T/want" "$T/got" | sed 's/^/    /'
	fi
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
