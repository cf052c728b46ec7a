# qmtpclient alone, its fds 6/7 on fakeqmtp's pipes, a message file on fd 0.
# Each case shows fd 1 (NUL as ^@) and the exit code, and the bytes the
# client sent (fakeqmtp -o) or their summary (fakeqmtp -e).
# Requirements: bin/qmtpclient, tests/bin/fakeqmtp; sha256sum, truncate.
# Not tested here: TCP sockets, qmail-remote and qmtproutes (the lead
# wires qmtpclient into qmail-remote), QMTPS.
. "$(dirname "$0")/lib.sh"

QCDEF='TCPREMOTEIP=127.0.0.1'
QCENV=$QCDEF
# qc SCRIPT MESSAGE ARGS...: sets $out (fd 1 and exit code), $wire, $err.
qc() {
	printf '%s\n' "$1" > "$T/script"
	printf "$2" > "$T/msg"
	shift 2
	qcrun "$@" < "$T/msg"
}
# qcrun ARGS...: qmtpclient with fd 0 as it is.
qcrun() {
	: > "$T/log"
	: > "$T/env"
	env -u TCPREMOTEIP -u TIMEOUTREMOTE $QCENV \
		"$TBIN/fakeqmtp" -o "$T/log" -e "$T/env" -m "$T/rss" "$T/script" "$BIN/qmtpclient" "$@" \
		> "$T/out" 2> "$T/err"
	echo $? > "$T/rc"
	collect
}
# collect: sets $out, $wire, $err from the files of the latest run (after
# a qcrun in a pipeline, which runs in a subshell).
collect() {
	out=$(show < "$T/out"; echo; echo "exit $(cat "$T/rc")")
	wire=$(show < "$T/log")
	err=$(cat "$T/err")
}

msg='Subject: x\n\nhi\n'
# SPEC 6's example package, as cat -v shows it.
c_pkg='16:
Subject: x

hi
,17:alice@example.org,19:15:bob@example.com,,'
c_pkg2='16:
Subject: x

hi
,17:alice@example.org,40:15:bob@example.com,17:carol@example.com,,'
okay='KAll received okay by 127.0.0.1
^@'
died='ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@'
badqmtp='Zrecipient did not talk proper QMTP (#4.3.0)
^@'

case_ 'B20: K: r with the text after qmtp: , then K All received okay (no dot)'
qc 'package
reply Kok 1700000000 qp 4321' "$msg" alice@example.org bob@example.com
check "$out" "rqmtp: ok 1700000000 qp 4321
^@$okay
exit 0"
check "$wire" "$c_pkg"
check "$(cat "$T/env")" "message 15 $(printf "$msg" | sha256sum | cut -d' ' -f1)
sender alice@example.org
recipient bob@example.com"

case_ 'B20: the reply netstring on the wire is exactly 22:Kok 1700000000 qp 4321,'
qc 'package
raw 22:Kok 1700000000 qp 4321,' "$msg" alice@example.org bob@example.com
check "$out" "rqmtp: ok 1700000000 qp 4321
^@$okay
exit 0"

case_ 'B21: 3:Xno, : Z recipient did not talk proper QMTP'
qc 'package
raw 3:Xno,' "$msg" alice@example.org bob@example.com
check "$out" "$badqmtp
exit 0"
check "$wire" "$c_pkg"

case_ 'two recipients K and D: r, h, then D Giving up (no dot)'
qc 'package
reply Kok
reply Dsorry, no mailbox here by that name. (#5.1.1)' "$msg" alice@example.org bob@example.com carol@example.com
check "$out" "rqmtp: ok
^@hqmtp: sorry, no mailbox here by that name. (#5.1.1)
^@DGiving up on 127.0.0.1
^@
exit 0"
check "$wire" "$c_pkg2"

case_ 'Z then K: s, r, D Giving up'
qc 'package
reply Zmailbox full
reply Kok' "$msg" alice@example.org bob@example.com carol@example.com
check "$out" "sqmtp: mailbox full
^@rqmtp: ok
^@DGiving up on 127.0.0.1
^@
exit 0"

case_ 'text cleaned: CR removed; NUL, LF, TAB, 8-bit shown as ?'
qc 'package
raw 11:Ka\r\0b\nc\td\xe9\r,' "$msg" alice@example.org bob@example.com
check "$out" "rqmtp: a?b?c?d?
^@$okay
exit 0"

case_ 'text capped at 5000 bytes, then LF'
x100=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
x1000=$x100$x100$x100$x100$x100$x100$x100$x100$x100$x100
qc "package
reply K$x1000$x1000$x1000$x1000$x1000$x1000" "$msg" alice@example.org bob@example.com
check "$out" "rqmtp: $x1000$x1000$x1000$x1000$x1000
^@$okay
exit 0"

case_ 'zero-length response: malformed'
qc 'package
raw 0:,' "$msg" alice@example.org bob@example.com
check "$out" "$badqmtp
exit 0"

case_ 'wrong length (comma missing): malformed'
qc 'package
raw 2:Kok,' "$msg" alice@example.org bob@example.com
check "$out" "$badqmtp
exit 0"

case_ 'leading zero in the length: malformed'
qc 'package
raw 03:Kok,' "$msg" alice@example.org bob@example.com
check "$out" "$badqmtp
exit 0"

case_ 'length over 1 MiB: malformed, without reading it'
qc 'package
raw 1048577:K
hang' "$msg" alice@example.org bob@example.com
check "$out" "$badqmtp
exit 0"

case_ 'length of 11 digits: malformed'
qc 'package
raw 10000000000:' "$msg" alice@example.org bob@example.com
check "$out" "$badqmtp
exit 0"

case_ 'an SMTP greeting: malformed'
qc 'raw 220 mx.test ESMTP\r\n
package' "$msg" alice@example.org bob@example.com
check "$out" "$badqmtp
exit 0"

case_ 'more responses than recipients (in one write): r, then malformed'
qc 'package
raw 3:Kok,3:Kok,' "$msg" alice@example.org bob@example.com
check "$out" "rqmtp: ok
^@$badqmtp
exit 0"

case_ 'first response K, second malformed: r printed, the Z comes last, never K'
qc 'package
raw 3:Kok,3:Xno,' "$msg" alice@example.org bob@example.com carol@example.com
check "$out" "rqmtp: ok
^@$badqmtp
exit 0"

case_ 'fewer responses than recipients (EOF): r, then connection died'
qc 'package
reply Kok
close' "$msg" alice@example.org bob@example.com carol@example.com
check "$out" "rqmtp: ok
^@$died
exit 0"

case_ 'closed in the middle of a response: connection died'
qc 'package
raw 22:Kok 17000
close' "$msg" alice@example.org bob@example.com
check "$out" "$died
exit 0"

case_ 'closed before the package is read: connection died'
qc 'close' "$msg" alice@example.org bob@example.com
check "$out" "$died
exit 0"

case_ 'TIMEOUTREMOTE=1 and a server that never answers: connection died'
QCENV="$QCDEF TIMEOUTREMOTE=1"
qc 'package
hang' "$msg" alice@example.org bob@example.com
QCENV=$QCDEF
check "$out" "$died
exit 0"

case_ 'TIMEOUTREMOTE=1 and a response cut short that never ends: connection died'
QCENV="$QCDEF TIMEOUTREMOTE=1"
qc 'package
raw 10:Kok
hang' "$msg" alice@example.org bob@example.com
QCENV=$QCDEF
check "$out" "$died
exit 0"

case_ '8-bit message with CR LF, bare CR, NUL and a lone dot: sent byte for byte'
qc 'package
reply Kok' '\351t\351\r\nb\rc\000\n.\nlast' alice@example.org bob@example.com
check "$out" "rqmtp: ok
^@$okay
exit 0"
printf '17:\n\351t\351\r\nb\rc\000\n.\nlast,17:alice@example.org,19:15:bob@example.com,,' > "$T/want"
check "$(cmp "$T/log" "$T/want" 2>&1)" ""

case_ 'empty message: 1: and the line-end byte'
qc 'package
reply Kok' '' alice@example.org bob@example.com
check "$wire" '1:
,17:alice@example.org,19:15:bob@example.com,,'

case_ 'empty sender: 0:, ; quoted local part as for SMTP'
qc 'package
reply Kok' "$msg" '' 'a b@example.com'
check "$wire" '16:
Subject: x

hi
,0:,21:17:"a b"@example.com,,'

case_ 'fd 0 read from its offset: the length is the size less the offset'
printf 'skip me\nSubject: x\n\nhi\n' > "$T/msg"
printf '%s\n' 'package
reply Kok' > "$T/script"
{ read -r skip; qcrun alice@example.org bob@example.com; } < "$T/msg"
check "$wire" "$c_pkg"

case_ 'large message (1 GiB, sparse): streamed, the memory of a 1 KiB one'
printf '%s\n' 'package
reply Kok' > "$T/script"
head -c 1024 /dev/zero > "$T/small"
: > "$T/log.small"
"$TBIN/fakeqmtp" -m "$T/rss.small" "$T/script" "$BIN/qmtpclient" a@x b@y < "$T/small" > /dev/null 2>&1
truncate -s 1G "$T/big"
: > "$T/env"
"$TBIN/fakeqmtp" -e "$T/env" -m "$T/rss" "$T/script" "$BIN/qmtpclient" a@x b@y < "$T/big" > "$T/out" 2>&1
check "$(show < "$T/out")" "rqmtp: ok
^@KAll received okay by unknown
^@"
check "$(cat "$T/env")" "message 1073741824 49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14
sender a@x
recipient b@y"
small=$(cat "$T/rss.small") big=$(cat "$T/rss")
check "$((big - small < 2048))" 1
[ "$((big - small < 2048))" = 1 ] || echo "    peak memory: 1 KiB message $small KiB, 1 GiB message $big KiB"

case_ 'message cut while being sent (file truncated): Z Unable to read message, no final comma'
head -c 4194304 /dev/zero | tr '\0' x > "$T/msg"
printf '%s\n' "readn 100
truncate 10 $T/msg
hang" > "$T/script"
qcrun alice@example.org bob@example.com < "$T/msg"
check "$out" "ZUnable to read message. (#4.3.0)
^@
exit 0"
check "$(tr -d x < "$T/log" | show)" '4194305:'
check "$(($(wc -c < "$T/log") < 4194305))" 1

case_ 'fd 0 a pipe: Z unable to fstat stdin, nothing sent'
printf '%s\n' 'hang' > "$T/script"
printf "$msg" | qcrun alice@example.org bob@example.com
collect
check "$out|$err|$wire" "Z127.0.0.1 unable to fstat stdin.
^@
exit 0|qmtpclient: fatal: unable to fstat stdin: not a regular file|"

case_ 'fd 0 closed: Z unable to fstat stdin'
qcrun alice@example.org bob@example.com <&-
check "$out|$wire" "Z127.0.0.1 unable to fstat stdin.
^@
exit 0|"

case_ 'TCPREMOTEIP unset: unknown'
QCENV=
qc 'package
reply Kok' "$msg" alice@example.org bob@example.com
QCENV=$QCDEF
check "$out" "rqmtp: ok
^@KAll received okay by unknown
^@
exit 0"

case_ 'usage: one argument'
qc 'close' "$msg" alice@example.org
check "$out|$err" "
exit 100|usage: qmtpclient sender recip [recip ...] (qmail-remote-go $V)"

case_ 'usage: bad TIMEOUTREMOTE'
QCENV="$QCDEF TIMEOUTREMOTE=soon"
qc 'close' "$msg" alice@example.org bob@example.com
QCENV=$QCDEF
check "$out|$err" "
exit 100|qmtpclient: fatal: TIMEOUTREMOTE is not a number of seconds: \"soon\""

case_ 'no fds 6/7: exit 111'
"$BIN/qmtpclient" a@x b@y < /dev/null > "$T/out" 2> "$T/err" 6<&- 7>&-
check "$? $(cat "$T/err")" "111 qmtpclient: fatal: unable to use network fds 6/7: fd 6: bad file descriptor"

case_ 'writing fd 1 fails: exit 111'
printf '%s\n' 'package
reply Kok' > "$T/script"
printf "$msg" > "$T/msg"
"$TBIN/fakeqmtp" "$T/script" "$BIN/qmtpclient" a@x b@y < "$T/msg" > /dev/full 2> "$T/err"
check "$? $(cat "$T/err")" "111 qmtpclient: fatal: unable to write reports: write /dev/stdout: no space left on device"

finish
