# Transcripts (qmail-remote.8, TRANSCRIPTS): SMTPTRACE and
# control/tracedestinations against fakepeer -l and fakeqmtp -l on loopback. What is
# written, where (never into the report stream qmail-rspawn reads, fd 1
# and fd 2 one pipe), how much at most, and that tracing never changes
# a delivery's reports, even when the transcript cannot be written.
# Requirements: bin/*, tests/bin/fakepeer, fakeqmtp.
# Not tested here: secrets in a transcript (secrets.sh), TLS and AUTH
# inside it (secrets.sh too).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
mkdir -p "$C"
echo helo.test > "$C/helohost"
echo 5 > "$C/timeoutremote"
printf 'Subject: trace\n\nhello\n' > "$T/msg"

ok="$G
$E
$M
$R
$D
data
send 250 ok queued
read"
K1='r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@'

# peer SCRIPT: fakepeer -l on 127.0.0.1 for one connection; routes
# a.test and b.test to it.
peer() {
	printf '%s\n' "$1" > "$T/script"
	listen 127.0.0.1:0 "$T/wire" "$T/script"
	printf 'a.test:[127.0.0.1]:%s\nb.test:[127.0.0.1]:%s\n' "$port" "$port" > "$C/smtproutes"
}
# qr HOST: qmail-remote as qmail-rspawn runs it: fd 1 and fd 2 the same
# pipe; prints what came out of it.
qr() { QMAILHOME=$H "$BIN/qmail-remote" "$1" s@x.test r@a.test < "$T/msg" 2>&1 | show; }
# lines FILE: the transcript without pids and times.
lines() { sed 's/^\([a-z-]*\)\[[0-9]*\] [0-9]*\.[0-9][0-9][0-9] /\1 /' "$1"; }

case_ 'SMTPTRACE: the whole dialogue and qmail-remote notes, the reports unchanged'
peer "$ok"
check "$(SMTPTRACE=$T/t1 qr a.test)" "$K1"
wait
check "$(lines "$T/t1" | grep -v '^qmail-remote \* connected to')" "qmail-remote * delivery to a.test from <s@x.test> for 1 recipient(s); route [127.0.0.1] port $port, smtpclient
smtpclient * to 127.0.0.1 port $port, TLS try, host [127.0.0.1], from s@x.test to 1 recipient(s)
smtpclient < 220 mx.test
smtpclient > EHLO helo.test
smtpclient < 250 mx.test
smtpclient > MAIL FROM:<s@x.test>
smtpclient < 250 ok
smtpclient > RCPT TO:<r@a.test>
smtpclient < 250 ok
smtpclient * report r
smtpclient > DATA
smtpclient < 354 go
smtpclient * the message (not shown)
smtpclient > .
smtpclient < 250 ok queued
smtpclient > QUIT
smtpclient * report K127.0.0.1 accepted message. / Remote host said: 250 ok queued
qmail-remote * reports: r | K127.0.0.1 accepted message. / Remote host said: 250 ok queued"
check "$(grep -c 'hello' "$T/t1")" 0

case_ 'SMTPTRACE: a second delivery appends; the file is mode 600'
peer "$ok"
check "$(SMTPTRACE=$T/t1 qr a.test)" "$K1"
wait
check "$(grep -c '^qmail-remote\[[0-9]*\] [0-9.]* \* delivery to a.test' "$T/t1") $(stat -c %a "$T/t1")" '2 600'

case_ 'no SMTPTRACE and no control/tracedestinations: no TRACEFD for the stage, nothing written'
peer "$G
$E
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued
read"
check "$(qr a.test)" "$K1"
wait
check "$(ls "$T" | grep -c '^t[0-9]')" 1

case_ 'SMTPTRACE=/dev/stderr under qmail-rspawn (fd 1 and 2 one pipe): no transcript in the reports'
peer "$ok"
check "$(SMTPTRACE=/dev/stderr qr a.test)" "$K1"
wait

case_ 'SMTPTRACE=/dev/stdout likewise'
peer "$ok"
check "$(SMTPTRACE=/dev/stdout qr a.test)" "$K1"
wait

case_ 'SMTPTRACE in a folder that does not exist: delivered as without it'
peer "$ok"
check "$(SMTPTRACE=$T/nosuch/t qr a.test)" "$K1"
wait

case_ 'SMTPTRACE on a file that fails every write (/dev/full): delivered as without it'
peer "$ok"
check "$(SMTPTRACE=/dev/full qr a.test)" "$K1"
wait

case_ 'control/tracedestinations: a.test traced to its file, b.test not'
printf '# transcripts\nb.other:%s\na.test:%s\n' "$T/other" "$T/t2" > "$C/tracedestinations"
peer "$ok"
check "$(qr a.test)" "$K1"
wait
peer "$ok"
check "$(QMAILHOME=$H "$BIN/qmail-remote" b.test s@x.test r@b.test < "$T/msg" 2>&1 | show)" 'r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@'
wait
check "$(grep -c '\* delivery to' "$T/t2") $(ls "$T/other" 2> /dev/null | wc -l)" '1 0'

case_ 'control/tracedestinations: .suffix and * keys; the exact key first'
printf '*:%s\n.test:%s\n' "$T/star" "$T/suffix" > "$C/tracedestinations"
peer "$ok"
check "$(qr a.test)" "$K1"
wait
check "$(grep -c '\* delivery to a.test' "$T/suffix" 2> /dev/null) $(cat "$T/star" 2> /dev/null | wc -l)" '1 0'
printf '*:%s\n' "$T/star" > "$C/tracedestinations"
peer "$ok"
check "$(qr a.test)" "$K1"
wait
check "$(grep -c '\* delivery to a.test' "$T/star")" 1

case_ 'control/tracedestinations with a line that means nothing: no transcript, the delivery as usual'
printf 'no colon here\n*:%s\n' "$T/t3" > "$C/tracedestinations"
peer "$ok"
check "$(qr a.test)" "$K1"
wait
check "$(ls "$T/t3" 2> /dev/null | wc -l)" 0
rm "$C/tracedestinations"

case_ 'a failed connection is in the transcript with its reason'
printf 'a.test:[127.0.0.1]:1\n' > "$C/smtproutes"
check "$(SMTPTRACE=$T/t4 qr a.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.1:1: connection refused
^@"
check "$(lines "$T/t4" | sed 1d)" "qmail-remote * 127.0.0.1:1: connection refused
qmail-remote * reports: ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1) / 127.0.0.1:1: connection refused"

case_ 'bounded: 2000 recipients give at most 64 KiB of smtpclient lines, then one line says so'
awk 'BEGIN { print "send 220 mx.test"; print "read"; print "send 250 mx.test"; print "read"; print "send 250 ok"
	for (i = 0; i < 2000; i++) { print "read"; print "send 250 ok" } }' > "$T/big"
printf '%s\ndata\nsend 250 ok queued\nread\n' "$D" >> "$T/big"
peer "$(cat "$T/big")"
rcpts=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "r%d@a.test ", i }')
QMAILHOME=$H SMTPTRACE=$T/t5 "$BIN/qmail-remote" a.test s@x.test $rcpts < "$T/msg" > "$T/out5" 2>&1
wait
check "$(tr '\0' '\n' < "$T/out5" | grep -c '^r$') $(tr '\0' '\n' < "$T/out5" | grep -c '^K127.0.0.1 accepted message.$')" '2000 1'
n=$(grep '^smtpclient' "$T/t5" | wc -c)
check "$([ "$n" -le 65536 ] && [ "$n" -gt 60000 ] && echo within || echo "$n bytes")" within
check "$(grep -c '^smtpclient\[[0-9]*\] \* transcript cut: 65536 bytes$' "$T/t5")" 1
check "$(tail -n 1 "$T/t5" | sed 's/^qmail-remote\[[0-9]*\] [0-9.]* //' | cut -c 1-20)" '* reports: r | r | r'

# qpeer SCRIPT: fakeqmtp -l on 127.0.0.1 for one connection; routes
# q.test to it over QMTP.
qpeer() {
	printf '%s\n' "$1" > "$T/qscript"
	rm -f "$T/port.fifo"
	mkfifo "$T/port.fifo"
	"$TBIN/fakeqmtp" -l 127.0.0.1:0 -o "$T/qwire" "$T/qscript" > "$T/port.fifo" 2>> "$T/peer.err" &
	read port < "$T/port.fifo"
	printf 'q.test:[127.0.0.1]:%s\n' "$port" > "$C/qmtproutes"
}

case_ 'QMTP: qmtpclient writes its side: the package without the message, every response, the reports'
qpeer 'package
raw 22:Kok 1700000000 qp 4321,'
out=$(QMAILHOME=$H SMTPTRACE=$T/t6 "$BIN/qmail-remote" q.test s@x.test r@q.test r2@q.test < "$T/msg" 2>&1 | show)
wait
check "$out" "rqmtp: ok 1700000000 qp 4321
^@ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@"
check "$(lines "$T/t6" | grep -v '^qmail-remote \* connected to')" "qmail-remote * delivery to q.test from <s@x.test> for 2 recipient(s); route [127.0.0.1] port $port, qmtpclient
qmtpclient * to 127.0.0.1 port $port, from s@x.test to 2 recipient(s)
qmtpclient > 23:<LF and the message, 22 bytes, not shown>,
qmtpclient > 8:s@x.test,
qmtpclient > 23:<the recipients' netstrings, 2>
qmtpclient > 8:r@q.test,
qmtpclient > 9:r2@q.test,
qmtpclient > ,
qmtpclient < 22:Kok 1700000000 qp 4321,
qmtpclient * report rqmtp: ok 1700000000 qp 4321
qmtpclient * no response: unexpected EOF
qmtpclient * report ZConnected to 127.0.0.1 but connection died. (#4.4.2)
qmail-remote * reports: rqmtp: ok 1700000000 qp 4321 | ZConnected to 127.0.0.1 but connection died. (#4.4.2)"
check "$(grep -c 'hello' "$T/t6")" 0

case_ 'QMTP: SMTPTRACE on a file that fails every write (/dev/full): delivered as without it'
qpeer 'package
raw 3:Kok,'
check "$(QMAILHOME=$H SMTPTRACE=/dev/full "$BIN/qmail-remote" q.test s@x.test r@q.test < "$T/msg" 2>&1 | show)" "rqmtp: ok
^@KAll received okay by 127.0.0.1
^@"
wait

case_ 'QMTP, bounded: 2000 recipients give at most 64 KiB of qmtpclient lines, then one line says so'
qpeer "package
raw $(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "3:Kok," }')"
QMAILHOME=$H SMTPTRACE=$T/t7 "$BIN/qmail-remote" q.test s@x.test $rcpts < "$T/msg" > "$T/out7" 2>&1
wait
check "$(tr '\0' '\n' < "$T/out7" | grep -c '^rqmtp: ok$') $(tr '\0' '\n' < "$T/out7" | grep -c '^KAll received okay by 127.0.0.1$')" '2000 1'
n=$(grep '^qmtpclient' "$T/t7" | wc -c)
check "$([ "$n" -le 65536 ] && [ "$n" -gt 60000 ] && echo within || echo "$n bytes")" within
check "$(grep -c '^qmtpclient\[[0-9]*\] \* transcript cut: 65536 bytes$' "$T/t7")" 1

finish
