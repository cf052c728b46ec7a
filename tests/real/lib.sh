# Sourced by every tests/real/*.sh suite: tests/lib.sh (case_, check,
# finish, $T), tests/real/conf (where the peers listen), and helpers.
# The peers must be running (tests/real/setup); tests/real/run checks.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/conf"
top=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$top/bin
TBIN=$top/tests/bin
DNSCACHEIP=127.0.0.1:$REAL_DNS
export DNSCACHEIP

# Every recipient of this run starts with $ID, so mailboxes of runs
# never mix; the suite removes its own at the end (cleanup).
ID=r$$x$(date +%s)
H=$T/home
mkdir -p "$H/control"
echo qr.test > "$H/control/me"
echo helo.qr.test > "$H/control/helohost"

# routes LINE...: control/smtproutes holds exactly these lines.
routes() { printf '%s\n' "$@" > "$H/control/smtproutes"; }

# qr ARGS...: qmail-remote on $T/msg; prints its reports (cat -v) with
# Postfix's queue id, the byte count of its reply to BDAT (RFC 3030: it
# offers CHUNKING, and smtpclient uses it) and the TLS 1.3 cipher made
# constant (which AEAD is
# chosen depends on the CPU's AES support), then its exit code and stderr.
# Postfix offers STARTTLS, and without control/tlsdestinations every
# delivery uses it (SPEC D7).
qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/qrerr"
	echo "exit $?" >> "$T/out"
	[ -s "$T/qrerr" ] && { echo "stderr:"; cat "$T/qrerr"; } >> "$T/out"
	show < "$T/out" | sed 's/Ok: [0-9]* bytes queued as [0-9A-Za-z]*/Ok: N bytes queued as QID/
		s/queued as [0-9A-Za-z]*/queued as QID/
		s/^TLS: TLSv1\.3 TLS_[A-Z0-9_]*;/TLS: TLSv1.3 <cipher>;/'
}

# arrived RCPT: waits (at most 60 s: a bound, not a timing check) for
# the first message Postfix dropped for RCPT and copies it to
# $T/got without the Received: header Postfix put on top. Prints
# "arrived" or "nothing arrived".
arrived() {
	d=$REAL/mail/$1
	i=0
	while [ $i -lt 600 ]; do
		f=$(ls "$d" 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			awk 'NR == 1 && /^Received:/ { skip = 1; next }
			     skip && /^[ \t]/ { next }
			     { skip = 0; print }' "$d/$f" > "$T/got"
			echo arrived
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "nothing arrived"
}

# count RCPT: how many messages RCPT has in its mailbox now.
count() { ls "$REAL/mail/$1" 2>/dev/null | wc -l | tr -d ' '; }

# same FILE1 FILE2: "same" when the files are equal byte for byte, else
# where they first differ.
same() { cmp "$1" "$2" 2>&1 && echo same; }

cleanup() { rm -rf "$REAL/mail/$ID".* 2>/dev/null; }
