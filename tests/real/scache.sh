# The session cache (qmail-scache, issue 21) against the real Postfix of
# tests/real/setup: with qmail-scache running under the suite's
# QMAILHOME, several qmail-remote runs in a row, in clear text and with
# STARTTLS (the certificate verified), each deliver their message, and
# Postfix's own log shows them all on one connection (one `connect
# from`, one TLS handshake, RSET before every message but the first, the
# QUIT the cache sends when it stops); each K report after the first says
# "Session reused: message N on this connection", N being the place of
# that message's transaction on Postfix's connection. Also: a session
# is never shared between a clear-text and a TLS delivery (different
# keys), control/sessionmessages ends a session, concurrent runs never
# share a session, a session Postfix closed while idle (a listener with
# smtpd_timeout 3s) is not used and the next delivery gets K on a fresh
# connection, and without the cache nothing is reused.
# Every report is matched with Postfix's log by the queue id of its 250:
# which connection took it and as its how-manieth transaction; nothing
# here depends on timing but the bounds of the waits.
# Requirements: Linux, bin/* with qmail-scache, the peers of
# tests/real/setup running (else each case is skipped, saying so).
. "$(dirname "$0")/lib.sh"

CA=$REAL/tls/ca.pem
S=sender@qr.test
SOCK=$H/queue/lock/scache/socket
LOG=$REAL/log/maillog
skipped=0
# skipall WHY: every case is skipped; the suite still ends with its counts.
skipall() {
	for c in 'clear text: three runs, one connection' 'STARTTLS verified: three runs, one connection' \
		"Postfix's log: one connection each, RSET and the cache's QUIT" 'sessionmessages 2' \
		'concurrent runs' 'a session Postfix closed while idle' 'no cache: no reuse'; do
		echo "skip - $c ($1)"
		skipped=$((skipped + 1))
	done
	echo "tests/real/scache.sh: info: $skipped cases skipped"
	finish
}
[ "$(uname -s)" = Linux ] || skipall 'the session cache is Linux only'
[ -x "$BIN/qmail-scache" ] || skipall 'bin/qmail-scache is not built (make)'
command -v bash > /dev/null || skipall 'bash is not installed'
bash -c "exec 3<>/dev/tcp/127.0.0.2/$REAL_SMTPD" 2> /dev/null && [ -f "$LOG" ] ||
	skipall "Postfix does not answer on 127.0.0.2:$REAL_SMTPD (sudo tests/real/setup)"

# Only what Postfix logs from now on is read.
logstart=$(($(wc -c < "$LOG") + 1))
mkdir -p "$H/queue/lock/scache"
chmod 700 "$H/queue/lock/scache"
# Long enough that the cache never closes a session on its own here.
echo 120 > "$H/control/sessionidle"
tlsd() { printf '%s\n' "$@" > "$H/control/tlsdestinations"; }
notls() { rm -f "$H/control/tlsdestinations"; }

# startcache: qmail-scache in the background, its fd 2 in $T/scache.err;
# returns once its socket is there (at most 10 s).
startcache() {
	QMAILHOME=$H "$BIN/qmail-scache" > "$T/scache.out" 2>> "$T/scache.err" &
	cachepid=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$SOCK" ] || echo "tests/real/scache.sh: qmail-scache made no socket: $(cat "$T/scache.err")"
}
# stopcache: SIGTERM; $stopped says its exit code and whether the
# socket is still there. (Not in $(...): the subshell could not wait.)
stopcache() {
	kill -TERM "$cachepid"
	wait "$cachepid"
	stopped="exit $?"
	[ -e "$SOCK" ] && stopped="$stopped, the socket is still there"
}

# run LABEL: qmail-remote delivers a message of its own to
# $ID.LABEL@real.test (by MX, or by $ROUTEHOST's route); its raw output
# and exit code in $T/out.LABEL. Safe to run in parallel.
ROUTEHOST=real.test
run() {
	printf 'Subject: %s\nMessage-ID: <%s.%s@qr.test>\n\nsession cache test %s\n.dot\n' "$1" "$ID" "$1" "$1" > "$T/msg.$1"
	QMAILHOME=$H "$BIN/qmail-remote" "$ROUTEHOST" "$S" "$ID.$1@real.test" < "$T/msg.$1" > "$T/out.$1" 2> "$T/err.$1"
	echo "exit $?" >> "$T/out.$1"
	[ -s "$T/err.$1" ] && { echo "stderr:"; cat "$T/err.$1"; } >> "$T/out.$1"
}
# norm: the reports as tests/real/lib.sh's qr shows them, the session's
# age made constant.
norm() {
	show | sed 's/Ok: [0-9]* bytes queued as [0-9A-Za-z]*/Ok: N bytes queued as QID/
		s/queued as [0-9A-Za-z]*/queued as QID/
		s/^TLS: TLSv1\.3 TLS_[A-Z0-9_]*;/TLS: TLSv1.3 <cipher>;/
		s/^Session reused: message \([0-9]*\) on this connection, opened [0-9]* s ago\.$/Session reused: message \1 on this connection, opened N s ago./'
}
# dl LABEL: run, then its reports (norm).
dl() { run "$1"; norm < "$T/out.$1"; }
# got LABEL: "arrived" and "same" when Postfix dropped that message into
# its mailbox byte for byte.
got() { arrived "$ID.$1@real.test"; same "$T/msg.$1" "$T/got"; }
# qid LABEL: Postfix's queue id from the K report's 250.
qid() { sed -n 's/.*queued as \([0-9A-F][0-9A-F]*\).*/\1/p' "$T/out.$1" | head -n 1; }
# nth LABEL: which message of its session the report says it was: the N
# of "Session reused: message N", else 1.
nth() {
	n=$(sed -n 's/^Session reused: message \([0-9]*\) on this connection.*/\1/p' "$T/out.$1")
	echo "${n:-1}"
}

# pflog LABEL...: what Postfix logged about the connections that took
# these messages, once each of them has ended (its `disconnect` line; at
# most 60 s): one line per message, "LABEL CONN N" (CONN a letter per
# connection in order of appearance, N the place of its transaction on
# that connection), then one line per connection: its disconnect counts,
# how many TLS handshakes, its `timeout after` line and warnings, if any.
pflog() {
	want=
	for l in "$@"; do want="$want $l:$(qid "$l")"; done
	i=0
	while :; do
		out=$(tail -c +"$logstart" "$LOG" | awk -v want="$want" '
		$5 ~ /^postfix\/smtpd\[/ {
			p = $5
			if ($6 == "connect" && $7 == "from") { c[p] = NR; k[NR] = 0; next }
			if (!(p in c)) next
			x = c[p]
			if (index($0, "TLS connection established from")) tls[x]++
			if ($6 == "timeout" && $7 == "after") to[x] = ", timeout after " $8
			if ($6 == "warning:" || $6 == "improper") warn[x] = warn[x] ", " $6 " " $7 " " $8
			if ($7 ~ /^client=/) { q = $6; sub(/:$/, "", q); k[x]++; qc[q] = x; qk[q] = k[x] }
			if ($6 == "disconnect" && $7 == "from") { d = $0; sub(/.* disconnect from [^ ]* /, "", d); dis[x] = d }
		}
		END {
			n = split(want, w, " ")
			for (i = 1; i <= n; i++) {
				split(w[i], lq, ":")
				q = lq[2]
				if (q == "" || !(q in qc) || !(qc[q] in dis)) { print "pending " lq[1]; exit }
				x = qc[q]
				if (!(x in name)) { nc++; name[x] = substr("ABCDEFGHIJKLMNOPQRSTUVWXYZ", nc, 1); order[nc] = x }
				print lq[1], name[x], qk[q]
			}
			for (j = 1; j <= nc; j++) {
				x = order[j]
				print name[x] ": " dis[x] ", " tls[x] + 0 " TLS" to[x] warn[x]
			}
		}')
		case $out in *pending*) ;; *) break ;; esac
		[ $i -ge 600 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	echo "$out"
}
# agree LABEL...: for each message, "LABEL ok" when the place its report
# claims (nth) is the place of its transaction on Postfix's connection.
agree() {
	pf=$(pflog "$@")
	for l in "$@"; do
		pn=$(echo "$pf" | awk -v l="$l" '$1 == l { print $3 }')
		if [ "$pn" = "$(nth "$l")" ]; then echo "$l ok"; else echo "$l: the report says $(nth "$l"), Postfix ${pn:-nothing}"; fi
	done
}

routes "::$REAL_SMTPD"
startcache
KC='r^@K127.0.0.2 accepted message.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID'
KT='r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate verified for real.test'
reused() { echo "Session reused: message $1 on this connection, opened N s ago."; }

case_ 'clear text (!real.test:): three runs; the second and third say "Session reused: message 2", "message 3"'
tlsd '!real.test:'
check "$(dl c1; dl c2; dl c3)" "$KC
^@exit 0
$KC
$(reused 2)
^@exit 0
$KC
$(reused 3)
^@exit 0"

case_ 'clear text: the three messages arrive byte for byte'
check "$(got c1; got c2; got c3)" 'arrived
same
arrived
same
arrived
same'

case_ 'STARTTLS verified (=real.test:CA): the cached clear-text session is not used (another key); three runs on one TLS session'
tlsd "=real.test:$CA"
check "$(dl t1; dl t2; dl t3)" "$KT
^@exit 0
$KT
$(reused 2)
^@exit 0
$KT
$(reused 3)
^@exit 0"

case_ 'STARTTLS: the three messages arrive byte for byte'
check "$(got t1; got t2; got t3)" 'arrived
same
arrived
same
arrived
same'

case_ 'SIGTERM: qmail-scache exits 0 and removes its socket'
stopcache
check "$stopped" 'exit 0'

case_ 'its counts at the stop: 6 put, 4 handed out, 2 asked for in vain (c1, t1), 2 closed with QUIT now'
check "$(sed -n '$s/.*: since the start //p' "$T/scache.err")" '6 put, 4 handed out, 2 asked for in vain, 0 closed idle, 0 found dead, 0 evicted, 0 clients refused, 0 bad records; 2 closed with QUIT now'

case_ "Postfix's log: one connection for c1-c3 (no TLS), one for t1-t3 (one handshake); RSET before messages 2 and 3; the cache's QUIT"
check "$(pflog c1 c2 c3 t1 t2 t3)" 'c1 A 1
c2 A 2
c3 A 3
t1 B 1
t2 B 2
t3 B 3
A: ehlo=1 mail=3 rcpt=3 bdat=3 rset=2 quit=1 commands=13, 0 TLS
B: ehlo=2 starttls=1 mail=3 rcpt=3 bdat=3 rset=2 quit=1 commands=15, 1 TLS'

case_ 'sessionmessages 2: a session carries two messages, then smtpclient QUITs it; the third run connects afresh'
echo 2 > "$H/control/sessionmessages"
startcache
tlsd '!real.test:'
check "$(dl m1; dl m2; dl m3 | grep -c '^Session reused')" "$KC
^@exit 0
$KC
$(reused 2)
^@exit 0
0"
stopcache
check "$stopped" 'exit 0'
check "$(pflog m1 m2 m3)" 'm1 A 1
m2 A 2
m3 B 1
A: ehlo=1 mail=2 rcpt=2 bdat=2 rset=1 quit=1 commands=9, 0 TLS
B: ehlo=1 mail=1 rcpt=1 bdat=1 quit=1 commands=5, 0 TLS'
rm -f "$H/control/sessionmessages"

case_ 'concurrent runs (two waves of 5, STARTTLS): every K, every message arrives, each report names the place Postfix gave its message; the second wave reuses'
tlsd "=real.test:$CA"
startcache
# wave N...: these runs at once; returns when all of them ended (not
# waiting for qmail-scache, also a job of this shell).
wave() {
	pids=
	for n in "$@"; do
		run "p$n" &
		pids="$pids $!"
	done
	wait $pids
}
wave 1 2 3 4 5
wave 6 7 8 9 10
all="p1 p2 p3 p4 p5 p6 p7 p8 p9 p10"
k=0 a=0
for l in $all; do
	sed -n 2p "$T/out.$l" | grep -q '^Remote host said: 250 ' && k=$((k + 1))
	[ "$(got "$l")" = 'arrived
same' ] && a=$((a + 1))
done
check "$k K, $a arrived" '10 K, 10 arrived'
stopcache
check "$stopped" 'exit 0'
check "$(agree $all)" "$(for l in $all; do echo "$l ok"; done)"
check "$(for l in p6 p7 p8 p9 p10; do nth "$l"; done | grep -vc '^1$' | awk '{ print ($1 >= 1) }')" 1
check "$(pflog $all | grep -c -e warning -e improper)" 0

if bash -c "exec 3<>/dev/tcp/127.0.0.1/$REAL_IDLE" 2> /dev/null; then
	case_ 'a session Postfix closed while idle (smtpd_timeout 3s: 421, then close): the next run gets K on a fresh connection'
	notls
	routes "idle.test:[127.0.0.1]:$REAL_IDLE"
	ROUTEHOST=idle.test
	startcache
	KI='r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0'
	check "$(dl i1)" "$KI"
	# wait (bounded) until Postfix has timed the idle session out and closed it
	check "$(pflog i1)" 'i1 A 1
A: ehlo=2 starttls=1 mail=1 rcpt=1 bdat=1 commands=6, 1 TLS, timeout after END-OF-MESSAGE'
	check "$(dl i2)" "$KI"
	check "$(got i1; got i2)" 'arrived
same
arrived
same'
	stopcache
	check "$stopped" 'exit 0'
	check "$(pflog i1 i2 | sed -n 2p)" 'i2 B 1'
	# the cache found i1's session dead (its tlswrap passed on the 421
	# and ended), before or at i2's request
	check "$(sed -n '$s/.*: since the start //p' "$T/scache.err")" '2 put, 0 handed out, 2 asked for in vain, 0 closed idle, 1 found dead, 0 evicted, 0 clients refused, 0 bad records; 1 closed with QUIT now'
	ROUTEHOST=real.test
	routes "::$REAL_SMTPD"
else
	echo "skip - a session Postfix closed while idle (nothing listens on 127.0.0.1:$REAL_IDLE: run tests/real/setup again)"
	skipped=$((skipped + 1))
fi

case_ 'no cache running: no session line, and Postfix sees QUIT after the message, no RSET'
tlsd '!real.test:'
check "$(dl n1; dl n2)" "$KC
^@exit 0
$KC
^@exit 0"
check "$(pflog n1 n2)" 'n1 A 1
n2 B 1
A: ehlo=1 mail=1 rcpt=1 bdat=1 quit=1 commands=5, 0 TLS
B: ehlo=1 mail=1 rcpt=1 bdat=1 quit=1 commands=5, 0 TLS'

case_ "qmail-scache said nothing on fd 1, and on fd 2 no warning, no refused client, no bad record"
check "$(cat "$T/scache.out"; grep -v -e '^qmail-scache: info: listening on ' \
	-e '^qmail-scache: info: stopped by SIGTERM: .* 0 clients refused, 0 bad records; ' "$T/scache.err")" ''

[ $skipped = 0 ] || echo "tests/real/scache.sh: info: $skipped cases skipped"
notls
cleanup
finish
