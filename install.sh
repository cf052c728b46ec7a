#!/bin/sh
# install.sh: what `make install` and `make rollback` run (see README,
# Installing). It copies only what `make` built, never builds: make builds
# as you, install runs as root.
#
#   sh install.sh install     helpers, then qmail-remote, then the man pages,
#                             then the folders and files the programs write
#   sh install.sh rollback    puts every NAME.old back, qmail-remote first
#
# From the environment (the Makefile passes them):
#   QMAILHOME  the qmail home the programs were built for (/var/qmail)
#   DESTDIR    a staging root put in front of every path (packagers, tests)
#   QMAILR     the user qmail-remote runs as (qmailr): owns what it writes
#   PROGS      the programs; every one but qmail-remote is a helper
#   BIN        where make put them and their man pages (bin)
#   COMPILE    make's compile script, which names the home built in
#
# Every copy goes to NAME.new first and is renamed over NAME, so a delivery
# that starts meanwhile runs either the old program or the new one, never a
# half-written file. A program that differs from the one it replaces is
# kept as NAME.old: one backup, of the program the last install replaced.

QMAILHOME=${QMAILHOME:-/var/qmail}
QMAILR=${QMAILR:-qmailr}
BIN=${BIN:-bin}
COMPILE=${COMPILE:-compile}
PROGS=${PROGS:-qmail-remote mxlookup smtpclient authclient tlswrap qmtpclient qmail-tcpto qmail-tcpok}
home=$DESTDIR$QMAILHOME
me=${0##*/}

fatal() {
	echo "$me: fatal: $*" >&2
	exit 111
}
say() { echo "$me: $*"; }

# helpers: PROGS without qmail-remote, in their order; qmail-remote comes
# last at install (no delivery starts with a helper missing) and first at
# rollback (the old qmail-remote needs no helper).
helpers=
for p in $PROGS; do
	[ "$p" = qmail-remote ] || helpers="$helpers $p"
done

# copy SRC DST MODE: SRC to DST.new, then renamed over DST.
copy() {
	rm -f "$2.new" &&
		cp "$1" "$2.new" &&
		chmod "$3" "$2.new" &&
		mv -f "$2.new" "$2" ||
		fatal "unable to install $2"
}

# owner PATH: PATH belongs to QMAILR (as root; otherwise a note).
root=no
[ "$(id -u)" = 0 ] && root=yes
owner() {
	if [ $root = yes ]; then
		chown "$QMAILR" "$1" || fatal "unable to give $1 to $QMAILR"
	else
		say "note: not root, $1 left owned by $(id -un), not $QMAILR"
	fi
}

install_() {
	# Only what was built, all of it, for this home; nothing is copied
	# until all of that holds.
	missing= have=0
	for p in $PROGS; do
		for f in "$BIN/$p" "$BIN/$p.8"; do
			if [ -f "$f" ]; then have=$((have + 1)); else missing="$missing $f"; fi
		done
	done
	if [ $have = 0 ]; then
		fatal "nothing is built in $BIN/: run make (as yourself, not root) first"
	fi
	if [ -n "$missing" ]; then
		fatal "not built:$missing; run make (as yourself, not root) first"
	fi
	built=$(sed -n 's/.*control\.Home=\([^ "]*\).*/\1/p' "$COMPILE" 2>/dev/null)
	if [ "$built" != "$QMAILHOME" ]; then
		fatal "$BIN/ was built for QMAILHOME=${built:-unknown}, not $QMAILHOME: run make QMAILHOME=$QMAILHOME first"
	fi
	if [ $root = yes ] && ! id -u "$QMAILR" > /dev/null 2>&1; then
		fatal "no user $QMAILR (the user qmail-remote runs as): create it, or make install QMAILR=name"
	fi

	mkdir -p "$home/bin" "$home/man/man8" || fatal "unable to make $home/bin and $home/man/man8"
	for p in $helpers qmail-remote; do
		case " $PROGS " in *" $p "*) ;; *) continue ;; esac
		dst=$home/bin/$p
		if [ -f "$dst" ] && ! cmp -s "$BIN/$p" "$dst"; then
			copy "$dst" "$dst.old" 755
			copy "$BIN/$p" "$dst" 755
			say "installed $dst (the one it replaced is $p.old)"
		elif [ -f "$dst" ]; then
			copy "$BIN/$p" "$dst" 755
			say "installed $dst (the same as before)"
		else
			copy "$BIN/$p" "$dst" 755
			say "installed $dst"
		fi
	done
	for p in $PROGS; do
		copy "$BIN/$p.8" "$home/man/man8/$p.8" 644
		say "installed $home/man/man8/$p.8"
	done

	# What qmail-remote writes, as QMAILR: the timeout table (qmail's own
	# install made it; made here, 1024 zero bytes, where it is missing)
	# and the MTA-STS policy cache.
	lock=$home/queue/lock
	if [ ! -d "$lock" ]; then
		mkdir -p "$lock" || fatal "unable to make $lock"
		say "made $lock (qmail's own install makes it; is qmail installed in $home?)"
	fi
	if [ -f "$lock/tcpto" ]; then
		say "kept $lock/tcpto; coming from qmail-1.03, netqmail or notqmail, run $QMAILHOME/bin/qmail-tcpok once (README, Upgrading)"
	else
		dd if=/dev/zero of="$lock/tcpto.new" bs=1024 count=1 2> /dev/null &&
			chmod 644 "$lock/tcpto.new" &&
			mv -f "$lock/tcpto.new" "$lock/tcpto" ||
			fatal "unable to make $lock/tcpto"
		say "made $lock/tcpto, the timeout table (1024 zero bytes)"
		owner "$lock/tcpto"
	fi
	if [ -d "$lock/mtasts" ]; then
		say "kept $lock/mtasts/"
	else
		mkdir "$lock/mtasts" && chmod 755 "$lock/mtasts" || fatal "unable to make $lock/mtasts"
		say "made $lock/mtasts/, the MTA-STS policy cache"
	fi
	owner "$lock/mtasts"
	# The session cache's folder: qmail-scache, run as QMAILR, makes its
	# socket there; mode 0700, so that only QMAILR (and root) can reach
	# it. qmail-scache refuses a folder anyone else may enter.
	if [ -d "$lock/scache" ]; then
		say "kept $lock/scache/"
	else
		mkdir "$lock/scache" || fatal "unable to make $lock/scache"
		say "made $lock/scache/, where qmail-scache keeps its socket"
	fi
	chmod 700 "$lock/scache" || fatal "unable to make $lock/scache mode 700"
	owner "$lock/scache"
	say "done; no restart is needed"
}

rollback() {
	n=0
	for p in qmail-remote $helpers; do
		dst=$home/bin/$p
		[ -f "$dst.old" ] || continue
		copy "$dst.old" "$dst" 755
		say "put back $dst from $p.old"
		n=$((n + 1))
	done
	if [ $n = 0 ]; then
		fatal "no NAME.old in $home/bin: nothing to put back"
	fi
	say "done; run $QMAILHOME/bin/qmail-tcpok once if the old qmail-remote is qmail-1.03's, netqmail's or notqmail's (README, Rolling back)"
}

case $1 in
install) install_ ;;
rollback) rollback ;;
*)
	echo "usage: $me install|rollback" >&2
	exit 100
	;;
esac
