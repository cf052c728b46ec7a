# The version make stamps into every program (lib/version, Makefile
# VERSION): what was stamped, and that every usage line shows the same.
# Requirements: bin/* and ./compile, made by make.
# Not tested here: each program's usage line word for word (its own
# suite), a tarball build from make dist (by hand: make dist, unpack,
# make, run a program without arguments).
. "$(dirname "$0")/lib.sh"

case_ 'make stamped a version: git describe here, the VERSION file in a tarball'
if [ -e "$top/.git" ]; then
	want=$(cd "$top" && git describe --always 2>/dev/null)
	check "${V%-dirty}" "$want"
elif [ -f "$top/VERSION" ]; then
	check "$V" "$(sed 1q "$top/VERSION")"
else
	check "$V" unknown
fi

case_ 'every usage line shows that version'
got=
# Each misused as its suite shows: too few arguments, or one too many.
# (qmail-remote writes its usage line only to a terminal:
# qmail-remote.sh and its Go tests; authclient has none.)
for p in mxlookup 'smtpclient x' 'qmtpclient x' tlswrap 'qmail-tcpto x' 'qmail-tcpok x'; do
	got="$got$(QMAILHOME=$T "$BIN/"$p 2>&1 > /dev/null < /dev/null 6< /dev/null 7> /dev/null | sed -n 's/^usage: .* (qmail-remote-go \(.*\))$/\1/p')
"
done
check "$got" "$(for i in 1 2 3 4 5 6; do echo "$V"; done)
"

finish
