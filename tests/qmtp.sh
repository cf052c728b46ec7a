# QMTP end to end: qmail-remote choosing qmtpclient from control/qmtproutes
# (SPEC 3.1, 4.6) against fakeqmtp -l on loopback; SPEC Appendix B 20-21
# and the bad replies of SPEC 6 through the whole pipeline.
# Requirements: bin/*, tests/bin/fakeqmtp, fakepeer, fakedns.
# Not tested here: every reply parse (qmtpclient.sh, qmtpclient's Go tests).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
home() {
	rm -rf "$C"
	mkdir -p "$C"
	echo helo.test > "$C/helohost"
	echo 2 > "$C/timeoutremote"
	echo 5 > "$C/timeoutconnect"
}
# qpeer ADDR SCRIPT: fakeqmtp -l on ADDR (port $P, any when unset) for one
# connection, with TLS from the first byte when QTLS holds -c/-k; sets $port.
qpeer() {
	printf '%s\n' "$2" > "$T/q.$1"
	rm -f "$T/port.fifo" "$T/qlog.$1" "$T/env.$1"
	mkfifo "$T/port.fifo"
	"$TBIN/fakeqmtp" -l "$1:${P:-0}" -o "$T/qlog.$1" -e "$T/env.$1" $QTLS "$T/q.$1" > "$T/port.fifo" 2>> "$T/peer.err" &
	qpid=$!
	read port < "$T/port.fifo"
}
qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/qr.err"
	echo "exit $?" >> "$T/out"
	[ -s "$T/qr.err" ] && { echo "stderr:"; cat "$T/qr.err"; } >> "$T/out"
	show < "$T/out"
}
printf 'Subject: q\n\nhello\n' > "$T/msg"

case_ 'B20: qmtproutes to [127.0.0.1]: r qmtp: text, then K All received okay (no dot)'
home
qpeer 127.0.0.1 'package
raw 22:Kok 1700000000 qp 4321,'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test)" "rqmtp: ok 1700000000 qp 4321
^@KAll received okay by 127.0.0.1
^@exit 0"
wait $qpid
check "$(show < "$T/qlog.127.0.0.1")" "19:
Subject: q

hello
,8:a@x.test,11:8:b@y.test,,"

case_ 'B21: 3:Xno, : Z recipient did not talk proper QMTP'
home
qpeer 127.0.0.1 'package
raw 3:Xno,'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test)" "Zrecipient did not talk proper QMTP (#4.3.0)
^@exit 0"
wait $qpid

case_ 'a D per recipient: h qmtp: text, then D Giving up (no dot)'
home
qpeer 127.0.0.1 'package
reply Kfine
reply Dno such user (#5.1.1)'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test c@y.test)" "rqmtp: fine
^@hqmtp: no such user (#5.1.1)
^@DGiving up on 127.0.0.1
^@exit 0"
wait $qpid

for bad in '4:Kok,' '2:Kok,' '3:Kok' '0:,' '03:Kok,' '99999999999:K'; do
case_ "a bad reply ($bad): Z, never a K"
home
qpeer 127.0.0.1 "package
raw $bad"
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
out=$(qr x.test a@x.test b@y.test)
check "$(printf '%s' "$out" | grep -c '^K\|\^@K')" 0
wait $qpid
done

case_ 'fewer replies than recipients, then the server closes: Z connection died'
home
qpeer 127.0.0.1 'package
reply Kok
close'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test c@y.test)" "rqmtp: ok
^@ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@exit 0"
wait $qpid

case_ 'more replies than recipients: Z recipient did not talk proper QMTP'
home
qpeer 127.0.0.1 'package
raw 3:Kok,3:Kok,'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test | tail -n 2)" "^@Zrecipient did not talk proper QMTP (#4.3.0)
^@exit 0"
wait $qpid

case_ 'a server that never answers: Z connection died after timeoutremote'
home
qpeer 127.0.0.1 'package
hang'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test)" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@exit 0"
kill $qpid 2> /dev/null; wait $qpid 2> /dev/null

case_ 'connection refused on the first address, the second answers: delivered there'
home
qpeer 127.0.0.3 'package
reply Kok'
printf '%s\n' 'relay.test A 127.0.0.4
relay.test A 127.0.0.3' > "$T/zone"
startdns "$T/zone"
echo "x.test:relay.test:$port" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test)" "rqmtp: ok
^@KAll received okay by 127.0.0.3
^@exit 0"
wait $qpid
stopdns

case_ 'no address reachable: the SMTP connection text, used for QMTP too'
home
echo ":[127.0.0.4]:1" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.4:1: connection refused
^@exit 0"

case_ 'SPEC 4.6: qmtproutes before smtproutes at the same key; a more specific smtproutes key wins'
home
qpeer 127.0.0.1 'package
reply Kvia qmtp'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
echo "other.test:[127.0.0.9]" > "$C/smtproutes"
check "$(qr x.test a@x.test b@y.test | head -n 1)" "rqmtp: via qmtp"
wait $qpid

case_ 'the message goes unchanged: 8-bit, CR LF and a bare CR (D25: QMTP is 8-bit clean)'
home
printf 'a\r\nb\rc\n\351\n.\n' > "$T/msg"
qpeer 127.0.0.1 'package
reply Kok'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
qr x.test a@x.test b@y.test > /dev/null
wait $qpid
check "$(head -n 1 "$T/env.127.0.0.1")" "message 11 $(sha256sum < "$T/msg" | cut -d' ' -f1)"
printf 'Subject: q\n\nhello\n' > "$T/msg"

case_ 'authsenders beats qmtproutes: its relay is SMTP'
home
echo ":[127.0.0.1]:1" > "$C/qmtproutes"
rm -f "$T/port.fifo"; mkfifo "$T/port.fifo"
printf '%s\n' 'send 220 mx.test ESMTP' 'read' 'send 250 mx.test' 'read' 'send 250 ok' 'read' 'send 250 ok' 'read' 'send 354 go' 'data' 'send 250 smtp ok' 'read' > "$T/s"
"$TBIN/fakepeer" -l 127.0.0.1:0 "$T/s" > "$T/port.fifo" 2>> "$T/peer.err" &
ppid=$!
read port < "$T/port.fifo"
echo "a@x.test:[127.0.0.1]:$port" > "$C/authsenders"
check "$(qr x.test a@x.test b@y.test | head -n 2)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 smtp ok"
wait $ppid

"$TBIN/mkcerts" "$T/k" > /dev/null || { echo "mkcerts failed"; exit 111; }

case_ 'QMTPS: port 6209, TLS from the first byte (tlswrap -i qmtpclient)'
home
P=6209 QTLS="-c $T/k/server.pem -k $T/k/server.key" qpeer 127.0.0.14 'package
reply Kok over tls'
echo ":[127.0.0.14]:6209" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test)" "rqmtp: ok over tls
^@KAll received okay by 127.0.0.14
^@exit 0"
wait $qpid
check "$(head -n 2 "$T/env.127.0.0.14" | tail -n 1)" "sender a@x.test"

case_ 'QMTPS with SMTPTRACE: qmtpclient under tlswrap -i writes its side, TLS from the first byte, no message'
home
P=6209 QTLS="-c $T/k/server.pem -k $T/k/server.key" qpeer 127.0.0.14 'package
reply Kok over tls'
echo ":[127.0.0.14]:6209" > "$C/qmtproutes"
check "$(SMTPTRACE=$T/trace qr x.test a@x.test b@y.test)" "rqmtp: ok over tls
^@KAll received okay by 127.0.0.14
^@exit 0"
wait $qpid
check "$(sed -n 's/^qmtpclient\[[0-9]*\] [0-9]*\.[0-9]* //p' "$T/trace" | sed 's/^\(\* over TLS from the first byte: TLSv1\.[23]\) .*/\1/')" "* to 127.0.0.14 port 6209, from a@x.test to 1 recipient(s)
* over TLS from the first byte: TLSv1.3
> 19:<LF and the message, 18 bytes, not shown>,
> 8:a@x.test,
> 11:<the recipients' netstrings, 1>
> 8:b@y.test,
> ,
< 12:Kok over tls,
* report rqmtp: ok over tls
* report KAll received okay by 127.0.0.14"
check "$(grep -c hello "$T/trace")" 0

case_ 'QMTPS: a server that speaks no TLS: Z with the TLS text, never clear text'
home
P=6209 qpeer 127.0.0.14 'package
reply Kclear'
echo ":[127.0.0.14]:6209" > "$C/qmtproutes"
check "$(qr x.test a@x.test b@y.test)" "ZI wasn't able to establish a TLS connection with: [127.0.0.14]. (#4.4.1)
^@exit 0"
kill $qpid 2> /dev/null; wait $qpid 2> /dev/null
check "$(cat "$T/env.127.0.0.14" 2> /dev/null)" ""


# D29: tlsdestinations applies to QMTP routes.
case_ 'D29: a mandatory rule for a plain QMTP route: Z, QMTP cannot start TLS; no connection'
home
qpeer 127.0.0.1 'package
reply Knever'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
echo "[127.0.0.1]:" > "$C/tlsdestinations"
check "$(qr x.test a@x.test b@y.test)" "ZTLS is required for [127.0.0.1], but QMTP cannot start TLS (use QMTPS, port 6209). (#4.7.0)
^@exit 0"
kill $qpid 2> /dev/null; wait $qpid 2> /dev/null
check "$(cat "$T/env.127.0.0.1" 2> /dev/null)" ""

case_ 'D29: ... and so for =*: (a * form); *: (opportunistic) keeps plain QMTP'
home
echo ":[127.0.0.1]:25" > "$C/qmtproutes"
echo "=*:" > "$C/tlsdestinations"
check "$(qr x.test a@x.test b@y.test)" "ZTLS is required for [127.0.0.1], but QMTP cannot start TLS (use QMTPS, port 6209). (#4.7.0)
^@exit 0"
qpeer 127.0.0.1 'package
raw 22:Kok 1700000000 qp 4321,'
echo ":[127.0.0.1]:$port" > "$C/qmtproutes"
echo "*:" > "$C/tlsdestinations"
check "$(qr x.test a@x.test b@y.test | tail -n 2)" "^@KAll received okay by 127.0.0.1
^@exit 0"
wait $qpid

case_ 'D29: QMTPS with =[127.0.0.14]: the certificate lacks that address: Z, name not validated, nothing sent'
home
P=6209 QTLS="-c $T/k/server.pem -k $T/k/server.key" qpeer 127.0.0.14 'package
reply Knever'
echo ":[127.0.0.14]:6209" > "$C/qmtproutes"
echo "=[127.0.0.14]:$T/k/ca.pem" > "$C/tlsdestinations"
check "$(qr x.test a@x.test b@y.test | head -n 1)" "ZUnable to validate X.500 certificate Subject for: [127.0.0.14]. (#4.4.1)"
kill $qpid 2> /dev/null; wait $qpid 2> /dev/null
check "$(cat "$T/env.127.0.0.14" 2> /dev/null)" ""

case_ 'D29: QMTPS with a CA rule ([127.0.0.14]:ca.pem): the chain verified, delivered'
home
P=6209 QTLS="-c $T/k/server.pem -k $T/k/server.key" qpeer 127.0.0.14 'package
reply Kok over tls'
echo ":[127.0.0.14]:6209" > "$C/qmtproutes"
echo "[127.0.0.14]:$T/k/ca.pem" > "$C/tlsdestinations"
check "$(qr x.test a@x.test b@y.test | tail -n 2)" "^@KAll received okay by 127.0.0.14
^@exit 0"
wait $qpid

case_ 'D29: QMTPS with a wrong pin: Z, the fingerprint does not match, nothing sent'
home
P=6209 QTLS="-c $T/k/server.pem -k $T/k/server.key" qpeer 127.0.0.14 'package
reply Knever'
echo ":[127.0.0.14]:6209" > "$C/qmtproutes"
echo "%[127.0.0.14]:=$(cat "$T/k/server.sha1")" > "$C/tlsdestinations"
sed -i 's/=\(.\)/=0\1/; s/=0\(.\{39\}\).*/=0\1/' "$C/tlsdestinations"
check "$(qr x.test a@x.test b@y.test | head -n 1 | cut -c 1-60)" "ZReceived X.509 certificate from: [127.0.0.14] does not matc"
kill $qpid 2> /dev/null; wait $qpid 2> /dev/null
check "$(cat "$T/env.127.0.0.14" 2> /dev/null)" ""

case_ 'D29: QMTPS with the right pin: delivered'
home
P=6209 QTLS="-c $T/k/server.pem -k $T/k/server.key" qpeer 127.0.0.14 'package
reply Kok over tls'
echo ":[127.0.0.14]:6209" > "$C/qmtproutes"
echo "%[127.0.0.14]:=$(cat "$T/k/server.sha256")" > "$C/tlsdestinations"
check "$(qr x.test a@x.test b@y.test | tail -n 2)" "^@KAll received okay by 127.0.0.14
^@exit 0"
wait $qpid

finish
