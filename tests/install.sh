# make install and make rollback (install.sh) into a DESTDIR under a temp
# folder: what is copied, in which order, the backups, what is made for
# qmail-remote to write and who owns it, and the refusals. The programs
# are small files made here (install copies bytes; it runs nothing), except
# in the last cases, which install the real bin/ through the Makefile.
# As root, ownership goes to the user nobody, and the cases as a user run
# under setpriv as nobody; as a user, the root-only cases are skipped.
# Requirements: install.sh, make, cmp, od; setpriv for the user cases as root.
. "$(dirname "$0")/lib.sh"

PROGS='qmail-remote mxlookup smtpclient authclient tlswrap qmtpclient qmail-tcpto qmail-tcpok'
root=no
[ "$(id -u)" = 0 ] && root=yes
chmod 755 "$T"

# build DIR VERSION: fake programs and man pages in DIR, each naming itself
# and VERSION, and the compile script make would have written there.
build() {
	mkdir -p "$1"
	for p in $PROGS; do
		printf '#!/bin/sh\necho %s %s\n' "$p" "$2" > "$1/$p"
		printf '.TH %s 8 2026-12-06 "qmail-remote-go %s"\n' "$p" "$2" > "$1/$p.8"
	done
	printf '#!/bin/sh\nexec go build -ldflags "-s -X qmail-remote-go/lib/control.Home=/var/qmail" -o "bin/$1" "./$1"\n' > "$1/compile"
}
build "$T/v1" v1
build "$T/v2" v2
build "$T/v3" v3

# inst ACTION DIR DEST [VAR=value...]: install.sh ACTION from build DIR into
# DESTDIR DEST; sets $out (its fds 1 and 2) and $rc.
inst() {
	a=$1 d=$2 dest=$3
	shift 3
	out=$(env BIN="$d" COMPILE="$d/compile" DESTDIR="$dest" QMAILHOME=/var/qmail \
		QMAILR=nobody PROGS="$PROGS" "$@" sh "$top/install.sh" "$a" 2>&1)
	rc=$?
}
# tree DEST: every path under DEST, its type and mode, and for a file its
# first line (which program and version).
tree() {
	(cd "$1" && find . -print | sort | while read -r f; do
		if [ -d "$f" ]; then
			echo "$f/ $(stat -c %a "$f")"
		elif [ "${f##*/}" = tcpto ]; then
			echo "$f $(stat -c %a "$f") $(wc -c < "$f") bytes, $(od -An -v -tx1 "$f" | tr -d ' \n' | tr -d 0 | wc -c) not zero"
		else
			echo "$f $(stat -c %a "$f") $(sed -n '2p;1{/^\.TH/p}' "$f")"
		fi
	done)
}
H=/var/qmail

case_ 'no action: usage, exit 100'
out=$(sh "$top/install.sh" 2>&1)
check "$out, exit $?" "usage: install.sh install|rollback, exit 100"

case_ 'nothing built: refuses, names make, installs nothing'
mkdir "$T/empty"
inst install "$T/empty" "$T/d0"
check "$out, exit $rc, $(ls -A "$T/d0" 2>/dev/null | wc -l)" "install.sh: fatal: nothing is built in $T/empty/: run make (as yourself, not root) first, exit 111, 0"

case_ 'partly built: refuses, names what is missing, installs nothing'
cp -r "$T/v1" "$T/part"
rm "$T/part/tlswrap" "$T/part/qmail-tcpok.8"
inst install "$T/part" "$T/d0"
check "$out, exit $rc, $(ls -A "$T/d0" 2>/dev/null | wc -l)" "install.sh: fatal: not built: $T/part/tlswrap $T/part/qmail-tcpok.8; run make (as yourself, not root) first, exit 111, 0"

case_ 'built for another home: refuses'
inst install "$T/v1" "$T/d0" QMAILHOME=/usr/local/qmail
check "$out, exit $rc, $(ls -A "$T/d0" 2>/dev/null | wc -l)" "install.sh: fatal: $T/v1/ was built for QMAILHOME=/var/qmail, not /usr/local/qmail: run make QMAILHOME=/usr/local/qmail first, exit 111, 0"

if [ $root = yes ]; then
	case_ 'as root, QMAILR names no user: refuses before copying'
	inst install "$T/v1" "$T/d0" QMAILR=no-such-user-qr
	check "$out, exit $rc, $(ls -A "$T/d0" 2>/dev/null | wc -l)" "install.sh: fatal: no user no-such-user-qr (the user qmail-remote runs as): create it, or make install QMAILR=name, exit 111, 0"
else
	echo "skip - as root, QMAILR names no user (not root)"
fi

D=$T/d1
case_ 'fresh install: helpers, then qmail-remote, then man pages, then what qmail-remote writes'
inst install "$T/v1" "$D"
want="install.sh: installed $D$H/bin/mxlookup
install.sh: installed $D$H/bin/smtpclient
install.sh: installed $D$H/bin/authclient
install.sh: installed $D$H/bin/tlswrap
install.sh: installed $D$H/bin/qmtpclient
install.sh: installed $D$H/bin/qmail-tcpto
install.sh: installed $D$H/bin/qmail-tcpok
install.sh: installed $D$H/bin/qmail-remote
install.sh: installed $D$H/man/man8/qmail-remote.8
install.sh: installed $D$H/man/man8/mxlookup.8
install.sh: installed $D$H/man/man8/smtpclient.8
install.sh: installed $D$H/man/man8/authclient.8
install.sh: installed $D$H/man/man8/tlswrap.8
install.sh: installed $D$H/man/man8/qmtpclient.8
install.sh: installed $D$H/man/man8/qmail-tcpto.8
install.sh: installed $D$H/man/man8/qmail-tcpok.8
install.sh: made $D$H/queue/lock (qmail's own install makes it; is qmail installed in $D$H?)
install.sh: made $D$H/queue/lock/tcpto, the timeout table (1024 zero bytes)
install.sh: made $D$H/queue/lock/mtasts/, the MTA-STS policy cache
install.sh: made $D$H/queue/lock/scache/, where qmail-scache keeps its socket
install.sh: done; no restart is needed"
check "$out, exit $rc" "$want, exit 0"

case_ 'fresh install: the files, their modes, a zeroed 1024-byte table, no .new left'
want="./ 755
./var/ 755
./var/qmail/ 755
./var/qmail/bin/ 755
./var/qmail/bin/authclient 755 echo authclient v1
./var/qmail/bin/mxlookup 755 echo mxlookup v1
./var/qmail/bin/qmail-remote 755 echo qmail-remote v1
./var/qmail/bin/qmail-tcpok 755 echo qmail-tcpok v1
./var/qmail/bin/qmail-tcpto 755 echo qmail-tcpto v1
./var/qmail/bin/qmtpclient 755 echo qmtpclient v1
./var/qmail/bin/smtpclient 755 echo smtpclient v1
./var/qmail/bin/tlswrap 755 echo tlswrap v1
./var/qmail/man/ 755
./var/qmail/man/man8/ 755
./var/qmail/man/man8/authclient.8 644 .TH authclient 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/man/man8/mxlookup.8 644 .TH mxlookup 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/man/man8/qmail-remote.8 644 .TH qmail-remote 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/man/man8/qmail-tcpok.8 644 .TH qmail-tcpok 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/man/man8/qmail-tcpto.8 644 .TH qmail-tcpto 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/man/man8/qmtpclient.8 644 .TH qmtpclient 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/man/man8/smtpclient.8 644 .TH smtpclient 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/man/man8/tlswrap.8 644 .TH tlswrap 8 2026-12-06 \"qmail-remote-go v1\"
./var/qmail/queue/ 755
./var/qmail/queue/lock/ 755
./var/qmail/queue/lock/mtasts/ 755
./var/qmail/queue/lock/scache/ 700
./var/qmail/queue/lock/tcpto 644 1024 bytes, 0 not zero"
check "$(tree "$D")" "$want"

if [ $root = yes ]; then
	case_ 'as root: the table, the MTA-STS cache and the session cache'"'"'s folder belong to QMAILR, the programs to root'
	check "$(stat -c '%U %n' "$D$H/queue/lock/tcpto" "$D$H/queue/lock/mtasts" "$D$H/queue/lock/scache" "$D$H/bin/qmail-remote")" "nobody $D$H/queue/lock/tcpto
nobody $D$H/queue/lock/mtasts
nobody $D$H/queue/lock/scache
root $D$H/bin/qmail-remote"
else
	echo "skip - as root: ownership (not root)"
fi

case_ 'the same build again: every program "the same as before", no backup made'
inst install "$T/v1" "$D"
check "$(echo "$out" | grep -c 'the same as before'), $(ls "$D$H/bin" | grep -c '\.old$'), exit $rc" "8, 0, exit 0"

case_ 'the same build again: the table and caches are kept, qmail-tcpok named once'
check "$(echo "$out" | grep 'queue/lock')" "install.sh: kept $D$H/queue/lock/tcpto; coming from qmail-1.03, netqmail or notqmail, run /var/qmail/bin/qmail-tcpok once (README, Upgrading)
install.sh: kept $D$H/queue/lock/mtasts/
install.sh: kept $D$H/queue/lock/scache/"

case_ 'a session cache folder others may enter is made 0700 again'
chmod 755 "$D$H/queue/lock/scache"
inst install "$T/v1" "$D"
check "$(stat -c %a "$D$H/queue/lock/scache"), exit $rc" "700, exit 0"

case_ 'an existing table is not touched'
printf 'old table' > "$D$H/queue/lock/tcpto"
inst install "$T/v1" "$D"
check "$(cat "$D$H/queue/lock/tcpto"), exit $rc" "old table, exit 0"

case_ 'a new build: each program replaced is kept as NAME.old, helpers still first'
inst install "$T/v2" "$D"
check "$(echo "$out" | grep 'installed .*/bin/')" "install.sh: installed $D$H/bin/mxlookup (the one it replaced is mxlookup.old)
install.sh: installed $D$H/bin/smtpclient (the one it replaced is smtpclient.old)
install.sh: installed $D$H/bin/authclient (the one it replaced is authclient.old)
install.sh: installed $D$H/bin/tlswrap (the one it replaced is tlswrap.old)
install.sh: installed $D$H/bin/qmtpclient (the one it replaced is qmtpclient.old)
install.sh: installed $D$H/bin/qmail-tcpto (the one it replaced is qmail-tcpto.old)
install.sh: installed $D$H/bin/qmail-tcpok (the one it replaced is qmail-tcpok.old)
install.sh: installed $D$H/bin/qmail-remote (the one it replaced is qmail-remote.old)"

case_ 'a new build: NAME is the new one, NAME.old the one replaced, mode 755'
check "$(tree "$D" | grep '/bin/qmail-remote')" "./var/qmail/bin/qmail-remote 755 echo qmail-remote v2
./var/qmail/bin/qmail-remote.old 755 echo qmail-remote v1"

case_ 'one backup: a third build keeps only the one it replaced'
inst install "$T/v3" "$D"
check "$(tree "$D" | grep '/bin/qmail-tcpto'; ls "$D$H/bin" | grep -c '\.old$')" "./var/qmail/bin/qmail-tcpto 755 echo qmail-tcpto v3
./var/qmail/bin/qmail-tcpto.old 755 echo qmail-tcpto v2
8"

case_ 'rollback: every NAME.old put back, qmail-remote first'
inst rollback "$T/v3" "$D"
check "$out, exit $rc" "install.sh: put back $D$H/bin/qmail-remote from qmail-remote.old
install.sh: put back $D$H/bin/mxlookup from mxlookup.old
install.sh: put back $D$H/bin/smtpclient from smtpclient.old
install.sh: put back $D$H/bin/authclient from authclient.old
install.sh: put back $D$H/bin/tlswrap from tlswrap.old
install.sh: put back $D$H/bin/qmtpclient from qmtpclient.old
install.sh: put back $D$H/bin/qmail-tcpto from qmail-tcpto.old
install.sh: put back $D$H/bin/qmail-tcpok from qmail-tcpok.old
install.sh: done; run /var/qmail/bin/qmail-tcpok once if the old qmail-remote is qmail-1.03's, netqmail's or notqmail's (README, Rolling back), exit 0"
case_ 'rollback: the programs are the ones the last install replaced, no .new left'
check "$(tree "$D" | grep '/bin/[a-z]' | grep -v '\.old ' | sed 's/.* //' | sort | tr '\n' ' '; ls "$D$H/bin" | grep -c '\.new$')" "v2 v2 v2 v2 v2 v2 v2 v2 0"

case_ 'rollback: the order of that output (qmail-remote first)'
check "$(echo "$out" | sed -n '1s/.*bin\/\([^ ]*\) .*/\1/p')" "qmail-remote"

case_ 'rollback without backups: refuses'
inst rollback "$T/v1" "$T/d1none"
check "$out, exit $rc" "install.sh: fatal: no NAME.old in $T/d1none$H/bin: nothing to put back, exit 111"

case_ 'a program added to PROGS is installed before qmail-remote'
build "$T/v4" v4
printf 'x\n' > "$T/v4/mtasts-fetch"
printf '.TH mtasts-fetch 8\n' > "$T/v4/mtasts-fetch.8"
inst install "$T/v4" "$T/d4" PROGS="qmail-remote mxlookup mtasts-fetch"
check "$(echo "$out" | grep 'installed .*/bin/' | sed 's/.*bin\///')" "mxlookup
mtasts-fetch
qmail-remote"

case_ 'a temp QMAILHOME, no DESTDIR: the same tree under that home'
build "$T/v5" v5
sed -i "s|Home=/var/qmail|Home=$T/home|" "$T/v5/compile"
inst install "$T/v5" "" QMAILHOME="$T/home"
check "exit $rc, $(cd "$T/home" && find . -type f | sort | tr '\n' ' ')" "exit 0, ./bin/authclient ./bin/mxlookup ./bin/qmail-remote ./bin/qmail-tcpok ./bin/qmail-tcpto ./bin/qmtpclient ./bin/smtpclient ./bin/tlswrap ./man/man8/authclient.8 ./man/man8/mxlookup.8 ./man/man8/qmail-remote.8 ./man/man8/qmail-tcpok.8 ./man/man8/qmail-tcpto.8 ./man/man8/qmtpclient.8 ./man/man8/smtpclient.8 ./man/man8/tlswrap.8 ./queue/lock/tcpto "

# As a user (not root), ownership is left alone with a note per path.
userrun() {
	if [ $root = yes ]; then
		command -v setpriv > /dev/null || return 1
		mkdir -p "$T/u" && chown nobody "$T/u"
		# nobody runs a copy of install.sh: the checkout itself may lie
		# in a folder only root may enter (a clone under mktemp -d).
		cp "$top/install.sh" "$T/v1/install.sh"
		chmod -R a+rX "$T/v1"
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env BIN="$T/v1" COMPILE="$T/v1/compile" \
			DESTDIR="$T/u/d" QMAILHOME=/var/qmail QMAILR=qmailr PROGS="$PROGS" sh "$T/v1/install.sh" install 2>&1)
	else
		mkdir -p "$T/u"
		out=$(env BIN="$T/v1" COMPILE="$T/v1/compile" DESTDIR="$T/u/d" QMAILHOME=/var/qmail QMAILR=qmailr \
			PROGS="$PROGS" sh "$top/install.sh" install 2>&1)
	fi
	rc=$?
}
if userrun; then
	case_ 'as a user: ownership left alone, one note for each path qmailr would own'
	u=$(id -un 65534 2>/dev/null || id -un)
	[ $root = no ] && u=$(id -un)
	check "$(echo "$out" | grep note), exit $rc" "install.sh: note: not root, $T/u/d$H/queue/lock/tcpto left owned by $u, not qmailr
install.sh: note: not root, $T/u/d$H/queue/lock/mtasts left owned by $u, not qmailr
install.sh: note: not root, $T/u/d$H/queue/lock/scache left owned by $u, not qmailr, exit 0"
else
	echo "skip - as a user: ownership notes (root without setpriv)"
fi

# The real build through the Makefile: make install copies bin/ as built.
if [ -f "$top/bin/qmail-remote" ] && [ -f "$top/bin/qmail-remote.8" ]; then
	home=$(sed -n 's/.*control\.Home=\([^ "]*\).*/\1/p' "$top/compile")
	case_ 'make install: the programs of the Makefile'"'"'s PROGS and their stamped man pages, from bin/'
	out=$(make -s -C "$top" install DESTDIR="$T/mk" QMAILHOME="$home" QMAILR=nobody 2>&1)
	rc=$?
	bad=
	for p in $(sed -n 's/^PROGS = //p' "$top/Makefile"); do
		cmp -s "$top/bin/$p" "$T/mk$home/bin/$p" || bad="$bad $p"
		cmp -s "$top/bin/$p.8" "$T/mk$home/man/man8/$p.8" || bad="$bad $p.8"
	done
	check "exit $rc, differ:$bad, last $(echo "$out" | tail -n 1)" "exit 0, differ:, last install.sh: done; no restart is needed"
	case_ 'make install: the installed qmail-tcpok and qmail-tcpto take the table it made'
	out=$(QMAILHOME="$T/mk$home" "$T/mk$home/bin/qmail-tcpok" 2>&1; echo "exit $?"; QMAILHOME="$T/mk$home" "$T/mk$home/bin/qmail-tcpto" 2>&1; echo "exit $?")
	check "$out" "exit 0
exit 0"
	case_ 'make install: the man pages carry a date and qmail-remote-go in .TH'
	check "$(sed -n 1p "$T/mk$home/man/man8/qmail-remote.8" | sed 's/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/DATE/; s/"qmail-remote-go[^"]*"/"qmail-remote-go..."/')" '.TH qmail-remote 8 DATE "qmail-remote-go..."'
else
	echo "skip - make install of the real bin/ (run make first)"
fi

finish
