# smtpclient alone, its fds 6/7 on fakepeer's pipes, a message file on fd 0.
# Each case shows fd 1 (NUL as ^@) and the exit code, and the bytes the
# client sent (fakepeer -o). The last cases run it with a real
# qmail-scache and fakepeer -l on loopback (sessions from the cache and
# back, the detached tlswrap).
# Requirements: bin/smtpclient, bin/tlswrap, bin/qmail-scache, tests/bin/fakepeer,
# scacherun, mkcerts; /proc.
# Not tested here: TCP sockets (tcpclient.sh), qmail-remote (its own suite).
. "$(dirname "$0")/lib.sh"

SCDEF='HELOHOST=helo.test TCPREMOTEIP=127.0.0.1'
SCENV=$SCDEF
# sc SCRIPT MESSAGE ARGS...: sets $out (fd 1 and exit code), $wire, $err.
sc() {
	printf '%s\n' "$1" > "$T/script"
	printf "$2" > "$T/msg"
	shift 2
	: > "$T/log"
	env -u HELOHOST -u TCPREMOTEIP -u TIMEOUTREMOTE $SCENV \
		"$TBIN/fakepeer" -o "$T/log" "$T/script" "$BIN/smtpclient" "$@" \
		< "$T/msg" > "$T/out" 2> "$T/err"
	rc=$?
	out=$(show < "$T/out"; echo; echo "exit $rc")
	wire=$(show < "$T/log")
	err=$(cat "$T/err")
}

# The dialogue up to the reply to MAIL.
upto_mail='send 220 mx.test ESMTP
read
send 250-mx.test
send 250 8BITMIME
read
send 250 ok'
c_mail='EHLO helo.test^M
MAIL FROM:<a@x.test>^M'
c_data="$c_mail
RCPT TO:<b@y.test>^M
DATA^M"
msg='Subject: x\n\nhi\n'
c_msg='Subject: x^M
^M
hi^M
.^M'

case_ 'B3: delivery: r then K with the remote text, QUIT not awaited'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" "$msg" a@x.test b@y.test
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"
check "$wire" "$c_data
$c_msg
QUIT^M"

case_ 'B4: EHLO 502, HELO 250: delivery goes on'
sc 'send 220 hi
read
send 502 no
read
send 250 hi
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok' "$msg" a@x.test b@y.test
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"
check "$wire" "EHLO helo.test^M
HELO helo.test^M
MAIL FROM:<a@x.test>^M
RCPT TO:<b@y.test>^M
DATA^M
$c_msg
QUIT^M"

case_ 'B4: EHLO 502, HELO 550: D my name was rejected'
sc 'send 220 hi
read
send 502 no
read
send 550 who are you' "$msg" a@x.test b@y.test
check "$out" "DConnected to 127.0.0.1 but my name was rejected.
Remote host said: 550 who are you
^@
exit 0"

case_ 'B6: greeting 421: Z greylisted'
sc 'send 421 busy' "$msg" a@x.test b@y.test
check "$out" "ZConnected to 127.0.0.1 but greylisted.
Remote host said: 421 busy
^@
exit 0"
check "$wire" "QUIT^M"

case_ 'D1, D33: greeting 554: QUIT, the Z of qmail-1.03 with the whole reply, exit 100 (try the next address)'
sc 'send 554-go away
send 554 5.7.1 really' "$msg" a@x.test b@y.test
check "$out|$err" "ZConnected to 127.0.0.1 but greeting failed.
Remote host said: 554-go away
554 5.7.1 really
^@
exit 100|smtpclient: fatal: connected to 127.0.0.1 but greeting failed: 554-go away"
check "$wire" "QUIT^M"

case_ 'D1: greeting 452: exit 111 (try the next address)'
sc 'send 452 later' "$msg" a@x.test b@y.test
check "$out|$wire" "ZConnected to 127.0.0.1 but greeting failed.
Remote host said: 452 later
^@
exit 111|QUIT^M"

case_ 'greeting 250: Z greeting failed'
sc 'send 250 hi' "$msg" a@x.test b@y.test
check "$out" "ZConnected to 127.0.0.1 but greeting failed.
Remote host said: 250 hi
^@
exit 0"

case_ 'B7: MAIL 553: D sender was rejected, no recipient report'
sc 'send 220 hi
read
send 250 hi
read
send 553 no' "$msg" a@x.test b@y.test
check "$out" "DConnected to 127.0.0.1 but sender was rejected.
Remote host said: 553 no
^@
exit 0"
check "$wire" "$c_mail
QUIT^M"

case_ 'B8: MAIL 451: Z sender was greylisted'
sc 'send 220 hi
read
send 250 hi
read
send 451 later' "$msg" a@x.test b@y.test
check "$out" "ZConnected to 127.0.0.1 but sender was greylisted.
Remote host said: 451 later
^@
exit 0"

case_ 'B9: two recipients 550: two h, then D Giving up without remote text'
sc "$upto_mail
read
send 550 no
read
send 550 no either" "$msg" a@x.test b@y.test c@y.test
check "$out" "h127.0.0.1 does not like recipient.
Remote host said: 550 no
^@h127.0.0.1 does not like recipient.
Remote host said: 550 no either
^@DGiving up on 127.0.0.1.
^@
exit 0"
check "$wire" "$c_mail
RCPT TO:<b@y.test>^M
RCPT TO:<c@y.test>^M
QUIT^M"

case_ 'B10: 250 then 450: r, s probably greylisting, then K'
sc "$upto_mail
read
send 250 ok
read
send 450 try later
read
send 354 go
data
send 250 ok" "$msg" a@x.test b@y.test c@y.test
check "$out" "r^@s127.0.0.1 probably greylisting.
Remote host said: 450 try later
^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"

case_ 'B11: DATA 554: D failed on DATA command'
sc "$upto_mail
read
send 250 ok
read
send 554 no" "$msg" a@x.test b@y.test
check "$out" "r^@D127.0.0.1 failed on DATA command.
Remote host said: 554 no
^@
exit 0"
check "$wire" "$c_data
QUIT^M"

case_ 'B11: DATA 451: Z message was greylisted'
sc "$upto_mail
read
send 250 ok
read
send 451 grey" "$msg" a@x.test b@y.test
check "$out" "r^@Z127.0.0.1 message was greylisted.
Remote host said: 451 grey
^@
exit 0"

case_ 'B12: final reply 452: Z failed after I sent the message'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 452 full" "$msg" a@x.test b@y.test
check "$out" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 452 full
^@
exit 0"

case_ 'D24: final reply 354: Z, never K'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 354 what" "$msg" a@x.test b@y.test
check "$out" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 354 what
^@
exit 0"

case_ 'B13: peer closes after the dot: Possible duplicate!, no QUIT'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
close" "$msg" a@x.test b@y.test
check "$out" "r^@ZConnected to 127.0.0.1 but connection died. Possible duplicate! (#4.4.2)
^@
exit 0"
check "$wire" "$c_data
$c_msg"

case_ 'B14: TIMEOUTREMOTE=1 and a peer that hangs: connection died'
SCENV="$SCDEF TIMEOUTREMOTE=1"
sc "$upto_mail
hang" "$msg" a@x.test b@y.test
SCENV=$SCDEF
check "$out" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@
exit 0"
check "$wire" "$c_mail
RCPT TO:<b@y.test>^M"

case_ 'B15: dot-stuffing and CRLF'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" 'a\n.b\n..c\n.\n' a@x.test b@y.test
check "$wire" "$c_data
a^M
..b^M
...c^M
..^M
.^M
QUIT^M"

case_ 'D25: CR LF stays CR LF, a bare CR becomes CR LF, every such line dot-stuffed'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" 'a\r\n.b\rc\r.d\n\r\n.\r' a@x.test b@y.test
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"
# show (cat -v) prints a CR as ^M: a bare CR would show inside a line.
check "$wire" "$c_data
a^M
..b^M
c^M
..d^M
^M
..^M
.^M
QUIT^M"

case_ 'B15: partial final line: D, the peer never sees the dot, no QUIT'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" 'abc' a@x.test b@y.test
check "$out" "r^@DSMTP cannot transfer messages with partial final lines. (#5.6.2)
^@
exit 0"
check "$wire" "$c_data"

case_ 'empty message: only the terminator'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" '' a@x.test b@y.test
check "$wire" "$c_data
.^M
QUIT^M"

case_ '8-bit and NUL bytes pass through; 8BITMIME offered: BODY=8BITMIME (D11)'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" '\351t\351\000\n' a@x.test b@y.test
check "$wire" "EHLO helo.test^M
MAIL FROM:<a@x.test> BODY=8BITMIME^M
RCPT TO:<b@y.test>^M
DATA^M
M-itM-i^@^M
.^M
QUIT^M"

case_ '8BITMIME not offered: 8-bit sent unchanged, no BODY (as s/qmail)'
sc "send 220 hi
read
send 250 hi
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok" '\351\n' a@x.test b@y.test
check "$wire" "$c_data
M-i^M
.^M
QUIT^M"

# PIPELINING and CHUNKING: the batch comes in one write, so the script
# reads all of its lines before it answers any.
ehlo_pipe='send 220 mx.test ESMTP
read
send 250-mx.test
send 250-PIPELINING
send 250-SIZE 1000000
send 250 8BITMIME'
ehlo_chunk='send 220 mx.test ESMTP
read
send 250-mx.test
send 250-PIPELINING
send 250-CHUNKING
send 250-SIZE 1000000
send 250 8BITMIME'

case_ 'D12 PIPELINING: MAIL (with SIZE), both RCPTs and DATA in one batch; reports as in lock step'
sc "$ehlo_pipe
read
read
read
read
send 250 ok
send 550 no such user
send 250 ok
send 354 go
data
send 250 ok" "$msg" a@x.test b@y.test c@y.test
check "$out" "h127.0.0.1 does not like recipient.
Remote host said: 550 no such user
^@r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"
check "$wire" "EHLO helo.test^M
MAIL FROM:<a@x.test> SIZE=18^M
RCPT TO:<b@y.test>^M
RCPT TO:<c@y.test>^M
DATA^M
$c_msg
QUIT^M"

case_ 'PIPELINING: MAIL refused: every reply of the batch is read, then QUIT'
sc "$ehlo_pipe
read
read
read
send 553 no
send 503 5.5.1 MAIL first
send 503 5.5.1 MAIL first" "$msg" a@x.test b@y.test
check "$out" "DConnected to 127.0.0.1 but sender was rejected.
Remote host said: 553 no
^@
exit 0"
check "$wire" "EHLO helo.test^M
MAIL FROM:<a@x.test> SIZE=18^M
RCPT TO:<b@y.test>^M
DATA^M
QUIT^M"

case_ 'RFC 2920 3.1: no recipient but DATA 354: a lone dot, then QUIT'
sc "$ehlo_pipe
read
read
read
send 250 ok
send 450 grey
send 354 go
read
send 554 no valid recipients" "$msg" a@x.test b@y.test
check "$out" "s127.0.0.1 probably greylisting.
Remote host said: 450 grey
^@DGiving up on 127.0.0.1.
^@
exit 0"
check "$wire" "EHLO helo.test^M
MAIL FROM:<a@x.test> SIZE=18^M
RCPT TO:<b@y.test>^M
DATA^M
.^M
QUIT^M"

case_ 'SIZE over the limit: D #5.3.4 before MAIL, QUIT'
sc "send 220 hi
read
send 250-mx.test
send 250 SIZE 10" "$msg" a@x.test b@y.test
check "$out" "DSorry, the message is 18 bytes but 127.0.0.1 accepts at most 10. (#5.3.4)
^@
exit 0"
check "$wire" "EHLO helo.test^M
QUIT^M"

case_ 'message on a pipe: no SIZE, no BODY, DATA (it cannot be measured first)'
printf '%s\n' "$ehlo_chunk
read
read
read
send 250 ok
send 250 ok
send 354 go
data
send 250 ok" > "$T/script"
: > "$T/log"
printf '\351\n' | env -u HELOHOST -u TCPREMOTEIP -u TIMEOUTREMOTE $SCENV \
	"$TBIN/fakepeer" -o "$T/log" "$T/script" "$BIN/smtpclient" a@x.test b@y.test > "$T/out"
check "$(show < "$T/out")|$(show < "$T/log")" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@|$c_data
M-i^M
.^M
QUIT^M"

case_ 'CHUNKING: MAIL, RCPT and BDAT LAST with the message in one write; no dot-stuffing'
sc "$ehlo_chunk
read
read
read
raw 250 ok\r\n250 ok\r\n
read
read
read
send 250 2.0.0 queued" 'a\n.b\r\n\351\n' a@x.test b@y.test
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 2.0.0 queued
^@
exit 0"
check "$wire" "EHLO helo.test^M
MAIL FROM:<a@x.test> SIZE=10 BODY=8BITMIME^M
RCPT TO:<b@y.test>^M
BDAT 10 LAST^M
a^M
.b^M
M-i^M
QUIT^M"

case_ 'CHUNKING: the connection dies after BDAT LAST: Possible duplicate!'
sc "$ehlo_chunk
read
read
read
send 250 ok
send 250 ok
read
read
read
close" "$msg" a@x.test b@y.test
check "$out" "r^@ZConnected to 127.0.0.1 but connection died. Possible duplicate! (#4.4.2)
^@
exit 0"

case_ 'CHUNKING and a partial final line: DATA, D, no dot, no QUIT'
sc "$ehlo_chunk
read
read
read
send 250 ok
send 250 ok
send 354 go
sleep 100" 'a\nbc' a@x.test b@y.test
check "$out" "r^@DSMTP cannot transfer messages with partial final lines. (#5.6.2)
^@
exit 0"
check "$wire" "EHLO helo.test^M
MAIL FROM:<a@x.test> SIZE=5^M
RCPT TO:<b@y.test>^M
DATA^M"

case_ 'B16: quoted local part, empty sender'
sc 'send 220 hi
read
send 250 hi
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok' "$msg" '' 'a b@example.com'
check "$wire" "EHLO helo.test^M
MAIL FROM:<>^M
RCPT TO:<\"a b\"@example.com>^M
DATA^M
$c_msg
QUIT^M"

case_ 'B17: multi-line 550, CR removed, NUL shown as ?'
sc "$upto_mail
raw 550-no such\\0user\\r\\n
raw 550 sorry\\n" "$msg" a@x.test b@y.test
check "$out" "h127.0.0.1 does not like recipient.
Remote host said: 550-no such?user
550 sorry
^@DGiving up on 127.0.0.1.
^@
exit 0"

case_ 'malformed reply code: connection died, no QUIT'
sc "$upto_mail
send 2x0 ok" "$msg" a@x.test b@y.test
check "$out|$wire" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@
exit 0|$c_mail
RCPT TO:<b@y.test>^M"

case_ 'endless multi-line reply: bounded, connection died'
sc "send 220 hi
read
repeat 100000 250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\r\\n
send 250 end" "$msg" a@x.test b@y.test
check "$out" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@
exit 0"

case_ 'recipient with a line break never reaches the wire'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" "$msg" a@x.test 'x@y
DATA' b@y.test
check "$out" "hSorry, the recipient address contains a line break. (#5.1.3)
^@r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"

case_ 'a recipient domain that would end the path or add a parameter never reaches the wire; the others go'
sc "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" "$msg" a@x.test 'x@y.test> NOTIFY=NEVER' 'x@y.test ORCPT=rfc822;z' b@y.test
check "$out" "hSorry, the domain of the recipient address is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.3)
^@hSorry, the domain of the recipient address is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.3)
^@r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"
check "$wire" "$c_data
$c_msg
QUIT^M"

case_ 'a sender domain that would add a MAIL parameter: D before MAIL'
sc 'send 220 hi
read
send 250 hi' "$msg" 'a@x.test> RET=FULL' b@y.test
check "$out|$wire" "DSorry, the domain of the envelope sender is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.7)
^@
exit 0|EHLO helo.test^M
QUIT^M"

case_ 'a sender without @ that would end the path: D before MAIL'
sc 'send 220 hi
read
send 250 hi' "$msg" 'a> RET=FULL' b@y.test
check "$out|$wire" "DSorry, the envelope sender has no @ and is not a dot-atom (RFC 5321 4.1.2). (#5.1.7)
^@
exit 0|EHLO helo.test^M
QUIT^M"

case_ 'the domains qmail sends for real mail go as they are: the double-bounce sender, literals, a trailing dot, an underscore'
sc "$upto_mail
read
send 250 ok
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok" "$msg" '#@[]' 'b@[IPv6:2001:db8::7]' c@Y.test. d@mail_1.test
check "$out" "r^@r^@r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"
check "$(sed -n 2,5p "$T/log" | tr -d '\r')" 'MAIL FROM:<#@[]>
RCPT TO:<b@[IPv6:2001:db8::7]>
RCPT TO:<c@Y.test.>
RCPT TO:<d@mail_1.test>'

case_ 'TCPREMOTEIP unset: unknown'
SCENV=HELOHOST=helo.test
sc 'send 421 busy' "$msg" a@x.test b@y.test
SCENV=$SCDEF
check "$out" "ZConnected to unknown but greylisted.
Remote host said: 421 busy
^@
exit 0"

case_ 'usage: one argument'
sc 'send 220 hi' "$msg" a@x.test
check "$out|$err" "
exit 100|usage: smtpclient sender recip [recip ...] | smtpclient -p (qmail-remote-go $V)"

case_ 'usage: HELOHOST unset'
SCENV=TCPREMOTEIP=127.0.0.1
sc 'send 220 hi' "$msg" a@x.test b@y.test
SCENV=$SCDEF
check "$out|$err" "
exit 100|smtpclient: fatal: HELOHOST is not set"

case_ 'usage: bad TIMEOUTREMOTE'
SCENV="$SCDEF TIMEOUTREMOTE=soon"
sc 'send 220 hi' "$msg" a@x.test b@y.test
SCENV=$SCDEF
check "$out|$err" "
exit 100|smtpclient: fatal: TIMEOUTREMOTE is not a number of seconds: \"soon\""

case_ 'empty HELOHOST: EHLO with an empty argument'
SCENV="TCPREMOTEIP=127.0.0.1 HELOHOST="
sc 'send 220 hi
read
send 250 hi
read
send 553 no' "$msg" a@x.test b@y.test
SCENV=$SCDEF
check "$wire" "EHLO ^M
MAIL FROM:<a@x.test>^M
QUIT^M"

case_ 'no fds 6/7: exit 111'
HELOHOST=h "$BIN/smtpclient" a@x b@y < /dev/null > "$T/out" 2> "$T/err" 6<&- 7>&-
check "$? $(cat "$T/err")" "111 smtpclient: fatal: unable to use network fds 6/7: fd 6: bad file descriptor"

case_ 'writing fd 1 fails: exit 111, no DATA'
printf '%s\n' "$upto_mail
read
send 250 ok
read
send 354 go
data
send 250 ok" > "$T/script"
: > "$T/log"
HELOHOST=h "$TBIN/fakepeer" -o "$T/log" "$T/script" "$BIN/smtpclient" a@x b@y < /dev/null > /dev/full 2> "$T/err"
check "$? $(show < "$T/log")" "111 EHLO h^M
MAIL FROM:<a@x>^M
RCPT TO:<b@y>^M
QUIT^M"

case_ 'D35: SMTPUTF8 offered: UTF-8 local parts unquoted on the wire, one quoted for its space'
sc 'send 220 mx.test ESMTP
read
send 250-mx.test
send 250 SMTPUTF8
read
send 250 ok
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok' "$msg" jörg@x.test josé@example 'josé smith@example'
check "$out" "r^@r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"
check "$(sed -n 2,4p "$T/log" | tr -d '\r')" 'MAIL FROM:<jörg@x.test> SMTPUTF8
RCPT TO:<josé@example>
RCPT TO:<"josé smith"@example>'

# A session from the cache (SESSION; smtpclient.8, SESSION CACHE): no
# greeting, no EHLO; RSET first, in the same write as the envelope when
# the state says PIPELINING. The age in the reused line is made N.
born=$(($(date +%s) - 42))
chunk_state="born $born
count 3
ext CHUNKING
ext PIPELINING
"
reused() { out=$(printf '%s\n' "$out" | sed 's/opened [0-9]* s ago/opened N s ago/'); }
c_bdat='RSET^M
MAIL FROM:<a@x.test>^M
RCPT TO:<b@y.test>^M
BDAT 18 LAST^M
Subject: x^M
^M
hi^M'

case_ 'SESSION: RSET, MAIL, RCPT and BDAT LAST in one write; K says the session was reused'
export SESSION="$chunk_state"
sc 'read
read
read
read
read
read
read
raw 250 ok\r\n250 ok\r\n250 ok\r\n
send 250 queued' "$msg" a@x.test b@y.test
reused
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 queued
Session reused: message 4 on this connection, opened N s ago.
^@
exit 0"
check "$wire" "$c_bdat
QUIT^M"

case_ 'SESSION: RSET 421: stale, nothing on fd 1 or 2, no QUIT, exit 113'
sc 'read
send 421 4.4.2 idle too long' "$msg" a@x.test b@y.test
check "$out|$err" "
exit 113|"
check "$wire" "$c_bdat"

case_ 'SESSION: the connection closed before any reply, BDAT LAST in flight: Possible duplicate!'
sc 'read
close' "$msg" a@x.test b@y.test
check "$out|$err" "ZConnected to 127.0.0.1 but connection died. Possible duplicate! (#4.4.2)
^@
exit 0|"

case_ 'SESSION: the connection closed before any reply, DATA in the batch: stale, exit 113'
export SESSION="born $born
count 3
ext PIPELINING
"
sc 'read
close' "$msg" a@x.test b@y.test
check "$out|$err" "
exit 113|"
export SESSION="$chunk_state"

case_ 'SESSION: RSET 500 with BDAT LAST in flight: the other replies decide, as today'
sc 'read
read
read
read
read
read
read
raw 500 what\r\n250 ok\r\n250 ok\r\n
send 250 queued' "$msg" a@x.test b@y.test
reused
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 queued
Session reused: message 4 on this connection, opened N s ago.
^@
exit 0"

case_ 'SESSION without PIPELINING: RSET alone, then lock step'
export SESSION="born $born
count 1
ext 8BITMIME
"
sc 'read
send 250 flushed
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok' "$msg" a@x.test b@y.test
reused
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
Session reused: message 2 on this connection, opened N s ago.
^@
exit 0"
check "$wire" "RSET^M
MAIL FROM:<a@x.test>^M
RCPT TO:<b@y.test>^M
DATA^M
$c_msg
QUIT^M"

case_ 'SESSION without PIPELINING: RSET 502: stale after RSET alone'
sc 'read
send 502 what' "$msg" a@x.test b@y.test
check "$out|$wire" "
exit 113|RSET^M"

case_ 'SESSION: fd 6 readable before a byte is sent (the server spoke while idle): stale, nothing sent'
printf '421 4.4.2 bye\r\n' > "$T/said"
printf "$msg" > "$T/msg"
: > "$T/log"
env -u TIMEOUTREMOTE HELOHOST=helo.test TCPREMOTEIP=127.0.0.1 "$BIN/smtpclient" a@x.test b@y.test \
	< "$T/msg" 6< "$T/said" 7> "$T/log" > "$T/out" 2>&1
check "$? $(show < "$T/out")|$(show < "$T/log")" "113 |"

case_ 'SESSION in clear text under TLS=must: stale before a byte is sent (the key should have kept it away)'
SCENV="$SCDEF TLS=must"
sc 'read
send 250 ok' "$msg" a@x.test b@y.test
check "$out|$err|$wire" "
exit 113||"
SCENV=$SCDEF

case_ 'SESSION that is not a state: usage, exit 100'
export SESSION='hello'
sc 'read' "$msg" a@x.test b@y.test
check "$out|$err" "
exit 100|smtpclient: fatal: SESSION is not a session's state: scache: malformed record"
unset SESSION

case_ 'SESSIONFD that is not the cache: the put fails, QUIT as today, the K stands'
SCENV="$SCDEF SESSIONFD=9 SESSIONKEY=k1"
sc "$ehlo_chunk
read
read
read
read
read
read
raw 250 ok\r\n250 ok\r\n
send 250 queued" "$msg" a@x.test b@y.test 9> /dev/null
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 queued
^@
exit 0"
check "$(tail -n 1 "$T/log" | show)" "QUIT^M"
SCENV=$SCDEF

# With a real qmail-scache: tests/bin/scacherun plays qmail-remote's
# part (a session from the cache on fds 6/7 and SESSION, or a fresh
# connection to fakepeer -l; the cache on fd 12 as SESSIONFD, the key in
# SESSIONKEY). The cache closes no session by itself here (sessionidle
# 300); its SIGTERM at the end sends QUIT to what it still holds.
H=$T/home
mkdir -p "$H/control" "$H/queue/lock/scache"
chmod 700 "$H/queue/lock/scache"
echo 300 > "$H/control/sessionidle"
QMAILHOME=$H
export QMAILHOME
"$BIN/qmail-scache" 2> "$T/cache.log" &
cachepid=$!
# waitfor CMD...: runs CMD until it succeeds, 20 seconds at most (a
# bound for a loaded machine, not an assertion: the check after it
# fails when CMD never did).
waitfor() {
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -ge 400 ] && return 1
		sleep 0.05
	done
}
waitfor grep -q listening "$T/cache.log"
# run KEY [-c PORT] ARGS: scacherun and smtpclient with SCENV; fd 1 and
# fd 2 read to their end as qmail-remote reads a stage's, the exit code
# after them. The marker SCTEST finds our tlswrap in /proc.
run() {
	key=$1
	shift
	out=$({
		env -u HELOHOST -u TCPREMOTEIP -u TIMEOUTREMOTE $SCENV SCTEST="$T" \
			"$TBIN/scacherun" "$@" "$key" "$BIN/smtpclient" a@x.test b@y.test < "$T/msg" 2>&1
		echo "exit $?"
	} | show)
	out=$(printf '%s\n' "$out" | sed 's/opened [0-9]* s ago/opened N s ago/')
}
printf "$msg" > "$T/msg"
# serve LOG SCRIPT: fakepeer -l for one connection (listen, lib.sh).
serve() {
	printf '%s\n' "$2" > "$T/peer.script"
	listen 127.0.0.1:0 "$1" "$T/peer.script"
}
# The lines of a fresh batch (MAIL, RCPT, BDAT LAST and the message's
# three), and of a batch of a session from the cache (RSET first).
batch='read
read
read
read
read
read'
rbatch="read
$batch"
c_size=$(printf '%s\n' "$c_bdat" | sed 's/^MAIL FROM:<a@x.test>/& SIZE=18/')
mkcerts_dir=$T/certs
"$TBIN/mkcerts" "$mkcerts_dir" > /dev/null || echo "mkcerts failed"

case_ 'cache, clear text: K, then the session goes back instead of QUIT; the next run gets it and says so'
serve "$T/wire" "$ehlo_chunk
$batch
raw 250 ok\r\n250 ok\r\n
send 250 queued 1
$rbatch
raw 250 reset\r\n250 ok\r\n250 ok\r\n
send 250 queued 2
read"
run kc -c "$port"
check "$out" "scacherun: fresh
r^@K127.0.0.1 accepted message.
Remote host said: 250 queued 1
^@exit 0"
SCENV="$SCDEF SESSIONMESSAGES=2" run kc
check "$out" "scacherun: session
r^@K127.0.0.1 accepted message.
Remote host said: 250 queued 2
Session reused: message 2 on this connection, opened N s ago.
^@exit 0"
wait $peerpid
check "$(show < "$T/wire")" "EHLO helo.test^M
$(printf '%s\n' "$c_size" | sed 1d)
$c_size
QUIT^M"

case_ 'cache, STARTTLS: tlswrap runs on detached, holding only its pipes and the socket, not fd 1 or 2 of the delivery, nor the SESSION variables'
serve "$T/wire2" "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
read
send 220 go ahead
tls $mkcerts_dir/server.pem $mkcerts_dir/server.key
read
send 250-mx.test
send 250-PIPELINING
send 250 CHUNKING
$batch
raw 250 ok\r\n250 ok\r\n
send 250 queued 1
$rbatch
raw 250 reset\r\n250 ok\r\n250 ok\r\n
send 250 queued 2
read"
run kt -c "$port"
# Here fds 1 and 2 of the stage have reached their end: tlswrap holds
# neither, or run would still be waiting for it.
tw=
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/exe" 2> /dev/null)" = "$BIN/tlswrap" ] &&
		tr '\0' '\n' < "$p/environ" 2> /dev/null | grep -qx "SCTEST=$T" && tw=${p#/proc/}
done
check "$out" "scacherun: fresh
r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 queued 1
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked
^@exit 0"
# Its descriptors as types (Go's own epoll and eventfd left out), and
# its session: its own (setsid), not the stage's.
fds=$(for f in /proc/$tw/fd/*; do
	l=$(readlink "$f") || continue
	case $l in anon_inode:*) continue ;; esac
	printf '%s %s\n' "${f##*/}" "${l%%:*}"
done | sort -n | awk '$1 <= 2 { print; next } { print "other", $2 }')
check "${tw:+alive}|$fds|$(awk '{ print ($6 == $1) }' "/proc/$tw/stat")" "alive|0 pipe
1 pipe
2 /dev/null
other socket|1"
check "$(tr '\0' '\n' < "/proc/$tw/environ" | grep -c '^SESSION')" 0
SCENV="$SCDEF SESSIONMESSAGES=2" run kt
check "$out" "scacherun: session
r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 queued 2
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked
Session reused: message 2 on this connection, opened N s ago.
^@exit 0"
wait $peerpid
check "$(show < "$T/wire2")" "EHLO helo.test^M
STARTTLS^M
EHLO helo.test^M
$(printf '%s\n' "$c_bdat" | sed 1d)
$c_bdat
QUIT^M"

case_ 'cache: a session whose server answers RSET with 421: exit 113, nothing on fd 1 or 2, no QUIT'
serve "$T/wire3" "$ehlo_chunk
$batch
raw 250 ok\r\n250 ok\r\n
send 250 queued 1
$rbatch
send 421 4.4.2 closing"
run k4 -c "$port"
run k4
check "$out" "scacherun: session
exit 113"
wait $peerpid
check "$(tail -n 7 "$T/wire3" | show)" "$c_size"

case_ 'cache, the last message a session may carry (SESSIONMESSAGES): QUIT, not handed back'
serve "$T/wire4" "$ehlo_chunk
$batch
raw 250 ok\r\n250 ok\r\n
send 250 queued 1
read"
SCENV="$SCDEF SESSIONMESSAGES=1" run k5 -c "$port"
wait $peerpid
check "$out|$(tail -n 1 "$T/wire4" | show)" "scacherun: fresh
r^@K127.0.0.1 accepted message.
Remote host said: 250 queued 1
^@exit 0|QUIT^M"
run k5
check "$out" "scacherun: fresh
smtpclient: fatal: unable to use network fds 6/7: fd 6: bad file descriptor
exit 111"

# An authenticated session (auth yes in its state) is used only with
# credentials, and only once authclient -m gave MAIL's AUTH=: here the
# key is the same on purpose (qmail-remote's would differ), and
# smtpclient does not take it on its word.
auth_peer='send 220 mx.test ESMTP
read
send 250-mx.test
send 250-AUTH PLAIN
send 250-PIPELINING
send 250 CHUNKING
expect AUTH PLAIN
send 334 
read
send 235 ok
'"$batch"'
raw 250 ok\r\n250 ok\r\n
send 250 queued 1
read'
printf 'joe\0pw\0' > "$T/cred"
printf '\0pw\0' > "$T/badcred"
case_ 'cache, AUTH: an authenticated session goes back; given without AUTHFD it is stale (exit 113, nothing sent)'
serve "$T/wire6" "$auth_peer"
exec 8< "$T/cred"
SCENV="$SCDEF AUTHFD=8" run ka -c "$port"
exec 8<&-
check "$out" "scacherun: fresh
r^@K127.0.0.1 accepted message.
Remote host said: 250 queued 1
^@exit 0"
SCENV=$SCDEF run ka
check "$out" "scacherun: session
exit 113"
wait $peerpid
check "$(grep -c -e RSET -e QUIT "$T/wire6")|$(grep -a '^MAIL' "$T/wire6" | show)" "0|MAIL FROM:<a@x.test> AUTH=joe^M"
case_ 'cache, AUTH: credentials authclient -m refuses (an empty user): stale, nothing sent'
serve "$T/wire7" "$auth_peer"
exec 8< "$T/cred"
SCENV="$SCDEF AUTHFD=8" run kb -c "$port"
exec 8< "$T/badcred"
SCENV="$SCDEF AUTHFD=8" run kb
exec 8<&-
check "$out" "scacherun: session
exit 113"
wait $peerpid
check "$(grep -c -e RSET -e QUIT -e '^AUTH' "$T/wire7")" 1

kill $cachepid
wait $cachepid

finish
