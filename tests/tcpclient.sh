# smtpclient composed by hand with ucspi-tcp's tcpclient, as an admin would:
#   tcpclient -RHl0 127.0.0.1 PORT smtpclient sender recip < msg
# against fakepeer -l (TCP mode). tcpclient puts one socket on fds 6 and 7
# and sets TCPREMOTEIP.
# Requirements: bin/smtpclient, tests/bin/fakepeer, tcpclient (Debian
# ucspi-tcp); without tcpclient every case is skipped, saying so, and the
# suite still ends in its "0 passed, 0 failed" line (check: run it with a
# PATH that holds no tcpclient).
# Not tested here: the dialogue cases (smtpclient.sh covers them on pipes).
. "$(dirname "$0")/lib.sh"

if ! command -v tcpclient > /dev/null 2>&1; then
	echo "tcpclient.sh: info: tcpclient not installed (Debian package ucspi-tcp): every case skipped"
	finish
fi

# peer ADDR SCRIPT [N]: starts fakepeer -l in the background, sets $port.
peer() {
	printf '%s\n' "$2" > "$T/script.$1"
	rm -f "$T/log.$1"
	listen "$1:0" "$T/log.$1" "$T/script.$1" "${3:-1}"
}

ok='send 220 mx.test ESMTP
read
send 250-mx.test
send 250 PIPELINING
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued'
printf 'Subject: x\n\n.hi\n' > "$T/msg"

case_ 'delivery over TCP: TCPREMOTEIP from tcpclient, same socket on 6 and 7'
peer 127.0.0.1 "$ok"
out=$(HELOHOST=helo.test tcpclient -RHl0 127.0.0.1 "$port" \
	"$BIN/smtpclient" a@x.test b@y.test < "$T/msg" | show; echo; echo "exit $?")
wait
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@
exit 0"
check "$(show < "$T/log.127.0.0.1")" "EHLO helo.test^M
MAIL FROM:<a@x.test>^M
RCPT TO:<b@y.test>^M
DATA^M
Subject: x^M
^M
..hi^M
.^M
QUIT^M"

case_ 'peer that hangs, TIMEOUTREMOTE=1: connection died within the timeout'
peer 127.0.0.1 'send 220 hi
hang'
out=$(HELOHOST=helo.test TIMEOUTREMOTE=1 tcpclient -RHl0 127.0.0.1 "$port" \
	"$BIN/smtpclient" a@x.test b@y.test < "$T/msg" | show; echo; echo "exit $?")
wait
check "$out" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@
exit 0"

case_ 'two fakepeers at once on 127.0.0.1 and 127.0.0.2, two connections each'
peer 127.0.0.1 "$ok" 2
p1=$port
peer 127.0.0.2 'send 554 go away' 2
p2=$port
out=
for i in 1 2; do
	out="$out $(HELOHOST=h tcpclient -RHl0 127.0.0.2 "$p2" "$BIN/smtpclient" a@x b@y < "$T/msg" > "$T/o" 2>/dev/null
		e=$?; tr '\0' '|' < "$T/o"; echo "$e")"
	out="$out $(HELOHOST=h tcpclient -RHl0 127.0.0.1 "$p1" "$BIN/smtpclient" a@x b@y < "$T/msg" | tr '\0' '|'; echo "$?")"
done
wait
check "$out" " ZConnected to 127.0.0.2 but greeting failed.
Remote host said: 554 go away
|100 r|K127.0.0.1 accepted message.
Remote host said: 250 ok queued
|0 ZConnected to 127.0.0.2 but greeting failed.
Remote host said: 554 go away
|100 r|K127.0.0.1 accepted message.
Remote host said: 250 ok queued
|0"
check "$(show < "$T/log.127.0.0.2")" "QUIT^M
QUIT^M"

"$TBIN/mkcerts" "$T/k" > /dev/null || { echo "mkcerts failed"; exit 111; }
tlsok="send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
tls $T/k/server.pem $T/k/server.key
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued"

case_ 'tcpclient tlswrap smtpclient: STARTTLS through the outer UCSPI-TLS wrapper, verified'
peer 127.0.0.1 "$tlsok"
out=$(HELOHOST=helo.test TLS_VERIFY=name TLS_SERVERNAME=mx.test CAFILE="$T/k/ca.pem" \
	tcpclient -RHl0 127.0.0.1 "$port" "$BIN/tlswrap" "$BIN/smtpclient" a@x.test b@y.test < "$T/msg" |
	show | sed 's/TLS_AES_128_GCM_SHA256\|TLS_AES_256_GCM_SHA384\|TLS_CHACHA20_POLY1305_SHA256/<cipher>/'; echo; echo "exit $?")
wait
check "$out" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@
exit 0"
check "$(show < "$T/log.127.0.0.1")" "EHLO helo.test^M
STARTTLS^M
EHLO helo.test^M
MAIL FROM:<a@x.test>^M
RCPT TO:<b@y.test>^M
DATA^M
Subject: x^M
^M
..hi^M
.^M
QUIT^M"

case_ 'tcpclient tlswrap -i smtpclient: SMTPS by hand (TLS from the first byte)'
peer 127.0.0.1 "tls $T/k/server.pem $T/k/server.key
send 220 mx.test ESMTP
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued"
out=$(HELOHOST=helo.test tcpclient -RHl0 127.0.0.1 "$port" "$BIN/tlswrap" -i "$BIN/smtpclient" a@x.test b@y.test < "$T/msg" |
	show | sed 's/TLS_AES_128_GCM_SHA256\|TLS_AES_256_GCM_SHA384\|TLS_CHACHA20_POLY1305_SHA256/<cipher>/'; echo; echo "exit $?")
wait
check "$out" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate not checked
^@
exit 0"

case_ 'tcpclient tlswrap smtpclient with TLS=must and a wrong name: Z from the block, nothing more sent'
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
tls $T/k/wrongname.pem $T/k/server.key
read"
out=$(HELOHOST=helo.test TLS=must TLSHOST=mx.test TLS_VERIFY=name TLS_NAMES=mx.test CAFILE="$T/k/ca.pem" \
	tcpclient -RHl0 127.0.0.1 "$port" "$BIN/tlswrap" "$BIN/smtpclient" a@x.test b@y.test < "$T/msg" 2>/dev/null | show; echo; echo "exit $?")
wait
check "$out" "ZUnable to validate X.500 certificate Subject for: mx.test. (#4.4.1)
the certificate holds other.test; wanted mx.test
^@
exit 0"

finish
