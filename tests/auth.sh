# SMTP AUTH end to end: qmail-remote (authsenders, smtproutes
# credentials), smtpclient and authclient against fakepeer -l on
# loopback. Covers SPEC Appendix B 22-23, 1.7.4, 4.5, 4.7, 5.5 with D3,
# D9, D10, D23, the reply codes of authclient.8, bad challenges and bad
# credentials (with what went on the wire), and SCRAM-SHA-256 against
# fakepeer's scram command (a real server exchange).
# Most test addresses are loopback, which D9 exempts: D9's refusal is
# tested on smtpclient alone under fakepeer's pipe form, with
# TCPREMOTEIP=192.0.2.1, and end to end (D9 revised: verified TLS for a
# route with credentials) against a peer in a network namespace of the
# suite's own (tests/lib.sh, netns; root only, skipped saying so).
# Requirements: bin/*, tests/bin/fakepeer, fakedns, mkcerts, base64.
# Not tested here: authclient's own cases (authclient.sh), route
# parsing (lib/route's Go tests), the secrets (secrets.sh).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
K=$T/certs
"$TBIN/mkcerts" "$K" > /dev/null || { echo "mkcerts failed"; exit 111; }

home() {
	rm -rf "$C"
	mkdir -p "$C"
	echo helo.test > "$C/helohost"
	echo 5 > "$C/timeoutremote"
	echo 5 > "$C/timeoutconnect"
}

# peer ADDR SCRIPT [SCRIPT2]: fakepeer -l on ADDR:$P (any port when P is
# unset) for one connection, or two with SCRIPT2 for the second; sets
# $port. What the client sends goes to $T/log.ADDR.
# $inns, when set, runs it in the namespace of netns (lib.sh).
peers= inns=
peer() {
	printf '%s\n' "$2" > "$T/s.$1"
	rm -f "$T/port.fifo" "$T/log.$1" "$T/s2.$1"
	: > "$T/log.$1"
	set -- "$1" "$2" "${3:-}" "$T/s.$1"
	[ -n "$3" ] && { printf '%s\n' "$3" > "$T/s2.$1"; set -- "$@" "$T/s2.$1"; }
	a=$1
	shift 3
	mkfifo "$T/port.fifo"
	$inns "$TBIN/fakepeer" -l "$a:${P:-0}" -n $# -o "$T/log.$a" "$@" > "$T/port.fifo" 2>> "$T/peer.err" &
	peers="$peers $!"
	read port < "$T/port.fifo"
}
waitpeers() { wait $peers; peers=; }
killpeers() { kill $peers 2> /dev/null; wait $peers 2> /dev/null; peers=; }

qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/qr.err"
	echo "exit $?" >> "$T/out"
	[ -s "$T/qr.err" ] && { echo "stderr:"; cat "$T/qr.err"; } >> "$T/out"
	show < "$T/out"
}
wire() { show < "$T/log.${1:-127.0.0.1}"; }
# letters: the first byte of each report qmail-remote printed, then e
# for the exit line qr added: one K, Z or D, last, is ...[KZD]e.
letters() { tr '\n\0' ' \n' < "$T/out" | cut -c 1 | tr -d '\n'; }
b64() { printf "$1" | base64 -w 0; }

printf 'Subject: auth\n\nhello\n' > "$T/msg"

# The dialogue around the exchange: the greeting and an EHLO reply
# offering AUTH with these mechanisms ...
ehlo() {
	printf '%s\n' "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 AUTH $1"
}
# ... and what follows a 235: MAIL (which must be LINE), RCPT, DATA.
after() {
	printf '%s\n' "expect $1
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued
read"
}
mailauth=$(after 'MAIL FROM:<s@x.test> AUTH=user')
# The message and QUIT on the wire after a MAIL line.
wrest='RCPT TO:<r@mx.test>^M
DATA^M
Subject: auth^M
^M
hello^M
.^M
QUIT^M'
K1='r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0'
# user, secret: PLAIN (NUL user NUL secret, D10), LOGIN
PLAIN=$(b64 '\0user\0secret')
USER64=$(b64 user)
PASS64=$(b64 secret)
# CRAM-MD5 for user and secret on a fixed challenge: base64 of "user "
# and HMAC-MD5(secret, challenge) in lower-case hex, as computed by
#   printf %s '<42.1700000000@mx.test>' | openssl dgst -md5 -hmac secret
CHAL='<42.1700000000@mx.test>'
CHAL64=$(b64 "$CHAL")
CRAM=$(b64 'user 9992cb130c34ed4c27c62710a4a7ef99')

auth() { echo ":[127.0.0.1]:$port|user|secret" > "$C/authsenders"; }
# PLAIN offered alone, and accepted.
plainok="$(ehlo PLAIN)
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok"

printf '%s\n' 'mx.test MX 10 mx1.mx.test
mx.test A 127.0.0.1
mx1.mx.test A 127.0.0.2
relay.test A 127.0.0.2
relay.test A 127.0.0.3' > "$T/zone"
startdns "$T/zone"

case_ 'B22: AUTH LOGIN PLAIN CRAM-MD5 offered: CRAM-MD5, then MAIL FROM:<s> AUTH=user'
home
peer 127.0.0.1 "$(ehlo 'LOGIN PLAIN CRAM-MD5')
expect AUTH CRAM-MD5
send 334 $CHAL64
expect $CRAM
send 235 2.7.0 ok
$mailauth"
auth
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers
check "$(wire)" "EHLO helo.test^M
AUTH CRAM-MD5^M
$CRAM^M
MAIL FROM:<s@x.test> AUTH=user^M
$wrest"

case_ 'CRAM-MD5: the RFC 2195 example through qmail-remote'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
expect dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
send 235 ok
$(after 'MAIL FROM:<s@x.test> AUTH=tim')"
echo ":[127.0.0.1]:$port|tim|tanstaaftanstaaf" > "$C/authsenders"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers

noauth="no supported AUTH method found, continuing without authentication."
case_ 'B22/D3: EHLO without AUTH: the sentence opens the final report, one K, last'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 8BITMIME
$(after 'MAIL FROM:<s@x.test>')"
auth
check "$(qr mx.test s@x.test r@mx.test)" "r^@K$noauth
127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"
check "$(letters)" rKe
waitpeers
check "$(wire)" "EHLO helo.test^M
MAIL FROM:<s@x.test>^M
$wrest"

case_ 'D3: no mechanism in common (AUTH GSSAPI NTLM): the same sentence, no AUTH sent'
home
peer 127.0.0.1 "$(ehlo 'GSSAPI NTLM')
$(after 'MAIL FROM:<s@x.test>')"
auth
check "$(qr mx.test s@x.test r@mx.test | head -n 1)" "r^@K$noauth"
waitpeers
check "$(wire | grep -c AUTH)" 0

case_ 'D3: a recipient refused after no AUTH: h, then the one K with the sentence, last'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250 mx.test
read
send 250 ok
read
send 550 no such user
read
send 250 ok
read
send 354 go
data
send 250 ok queued
read"
auth
out=$(qr mx.test s@x.test r1@mx.test r2@mx.test)
check "$out" "h127.0.0.1 does not like recipient.
Remote host said: 550 no such user
^@r^@K$noauth
127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"
check "$(letters)" hrKe
waitpeers

case_ 'D3: MAIL refused after no AUTH: the sentence opens the D'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250 mx.test
read
send 553 sender refused
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "D$noauth
Connected to 127.0.0.1 but sender was rejected.
Remote host said: 553 sender refused
^@exit 0"
check "$(letters)" De
waitpeers

case_ 'B23: AUTH PLAIN answered 535: Z rejected (plain), nothing more sent'
home
peer 127.0.0.1 "$(ehlo PLAIN)
expect AUTH PLAIN
send 334 
expect $PLAIN
send 535 5.7.8 bad credentials
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but authentication was rejected (plain).
Remote host said: 535 5.7.8 bad credentials
^@exit 0"
waitpeers
check "$(wire)" "EHLO helo.test^M
AUTH PLAIN^M
$PLAIN^M
QUIT^M"

case_ 'D10: PLAIN has an empty authorization identity, not the sender'
home
peer 127.0.0.1 "$(ehlo PLAIN)
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$(after 'MAIL FROM:<alice@example.org> AUTH=user')"
auth
check "$(qr mx.test alice@example.org r@mx.test)" "$K1"
waitpeers
check "$(wire | sed -n 3p)" 'AHVzZXIAc2VjcmV0^M'

case_ 'LOGIN: user and password each after a 334, the prompts not read'
home
peer 127.0.0.1 "$(ehlo 'PLAIN LOGIN')
expect AUTH LOGIN
send 334 VXNlcm5hbWU6
expect $USER64
send 334 whatever
expect $PASS64
send 235 ok
$mailauth"
auth
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers
check "$(wire | sed -n 2,5p)" 'AUTH LOGIN^M
dXNlcg==^M
c2VjcmV0^M
MAIL FROM:<s@x.test> AUTH=user^M'

# login CODE TEXT: LOGIN whose password is answered CODE TEXT.
login() {
	printf '%s\n' "$(ehlo LOGIN)
expect AUTH LOGIN
send 334 VXNlcm5hbWU6
expect $USER64
send 334 UGFzc3dvcmQ6
expect $PASS64
send $1
read"
}
for c in '432 4.7.12 A password transition is needed|D|password expired' \
	'454 4.7.0 Temporary authentication failure|Z|authentication failed temporarily (login)' \
	'534 5.7.9 Authentication mechanism is too weak|Z|authentication mechanism too weak (login)' \
	'535 5.7.8 Authentication credentials invalid|Z|authentication was rejected (login)' \
	'538 5.7.11 Encryption required for requested authentication mechanism|Z|encryption is required for this mechanism (login)'; do
	reply=${c%%|*} rest=${c#*|}
	letter=${rest%%|*} text=${rest#*|}
	case_ "authclient.8: ${reply%% *} to the LOGIN password: $letter, $text"
	home
	peer 127.0.0.1 "$(login "$reply")"
	auth
	check "$(qr mx.test s@x.test r@mx.test)" "${letter}Connected to 127.0.0.1 but $text.
Remote host said: $reply
^@exit 0"
	waitpeers
	check "$(wire | tail -n 1)" 'QUIT^M'
done

case_ 'authclient.8: 534 to AUTH CRAM-MD5 itself: Z too weak (cram)'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 534 5.7.9 too weak
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but authentication mechanism too weak (cram).
Remote host said: 534 5.7.9 too weak
^@exit 0"
waitpeers

case_ 'D23: rejected CRAM-MD5: Z rejected (username+digest)'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 334 $CHAL64
expect $CRAM
send 535 5.7.8 no
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but authentication was rejected (username+digest).
Remote host said: 535 5.7.8 no
^@exit 0"
waitpeers
check "$(wire)" "EHLO helo.test^M
AUTH CRAM-MD5^M
$CRAM^M
QUIT^M"

case_ 'AUTH CRAM-MD5 answered 504: Z rejected (AUTH CRAM-MD5)'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 504 5.5.4 unrecognized
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but authentication was rejected (AUTH CRAM-MD5).
Remote host said: 504 5.5.4 unrecognized
^@exit 0"
waitpeers

case_ 'D3: EHLO refused, HELO accepted: no AUTH (no capabilities), the sentence in the K'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
expect EHLO helo.test
send 502 no EHLO here
expect HELO helo.test
send 250 mx.test
$(after 'MAIL FROM:<s@x.test>')"
auth
check "$(qr mx.test s@x.test r@mx.test)" "r^@K$noauth
127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers

case_ 'the old AUTH=LOGIN line beside AUTH PLAIN LOGIN CRAM-MD5: CRAM-MD5'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-AUTH=LOGIN
send 250-AUTH PLAIN LOGIN CRAM-MD5
send 250 8BITMIME
expect AUTH CRAM-MD5
send 334 $CHAL64
expect $CRAM
send 235 ok
$mailauth"
auth
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers

# (The script answers each line as it comes: it works whether MAIL, RCPT
# and DATA come in one write (D12) or in lock step.)
case_ 'PIPELINING offered too: the AUTH exchange in lock step, then MAIL with AUTH='
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-PIPELINING
send 250 AUTH PLAIN
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth"
auth
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers

case_ 'lower-case mechanism names (auth=plain): PLAIN all the same'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 auth plain
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth"
auth
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers

case_ 'the first address greets 554, the second gets the credentials (a fresh pipe each)'
home
peer 127.0.0.2 "send 554 go away
read"
P=$port peer 127.0.0.3 "$plainok
$mailauth"
echo ":relay.test:$port|user|secret" > "$C/authsenders"
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.3 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers

case_ 'D8: the handshake fails at the opportunistic level: the clear-text retry authenticates too'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 AUTH PLAIN
expect STARTTLS
send 220 go ahead
read
send this is not TLS
close" "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 AUTH PLAIN
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth"
auth
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
TLS: none; retried in clear text after: I wasn't able to establish a TLS connection with: [127.0.0.1]. (#4.4.1)
^@exit 0"
killpeers

case_ 'a server that never answers AUTH: Z connection died after timeoutremote, no MAIL'
home
echo 1 > "$C/timeoutremote"
peer 127.0.0.1 "$(ehlo PLAIN)
expect AUTH PLAIN
hang"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@exit 0"
killpeers
check "$(wire | grep -c MAIL)" 0

case_ 'a CRAM-MD5 challenge on a multi-line 334: Z not decodable, nothing sent'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 334-$CHAL64
send 334 $CHAL64
read"
auth
check "$(qr mx.test s@x.test r@mx.test | head -n 1)" "ZConnected to 127.0.0.1 but unable to base64decode challenge."
waitpeers
check "$(wire)" 'EHLO helo.test^M
AUTH CRAM-MD5^M
QUIT^M'

# Routes: smtproutes credentials, precedence, ports, the MX lookup.

case_ 'SPEC 4.5: smtproutes |user|password works like authsenders'
home
peer 127.0.0.1 "$plainok
$mailauth"
echo "mx.test:[127.0.0.1]:$port|user|secret" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers

case_ 'SPEC 4.5: smtproutes, a password holding | and : (the rest of the line)'
home
peer 127.0.0.1 "$(ehlo PLAIN)
expect AUTH PLAIN
send 334 
expect $(b64 '\0user\0pa|ss:w;rd')
send 235 ok
$mailauth"
echo "mx.test:[127.0.0.1]:$port|user|pa|ss:w;rd" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers

case_ 'SPEC 4.7: authsenders beats smtproutes, qmtproutes (not contacted)'
home
peer 127.0.0.3 "send 220 wrong peer
read"
other=$port
peer 127.0.0.1 "$plainok
$mailauth"
echo ":[127.0.0.3]:$other" > "$C/smtproutes"
echo ":[127.0.0.3]:$other" > "$C/qmtproutes"
auth
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
killpeers
check "$(wire 127.0.0.3)" ''

case_ 'SPEC 4.7: authsenders (empty key) beats the bounce route for the empty sender'
home
peer 127.0.0.3 "send 220 wrong peer
read"
other=$port
peer 127.0.0.1 "$plainok
$(after 'MAIL FROM:<> AUTH=user')"
echo "!@:[127.0.0.3]:$other" > "$C/smtproutes"
auth
check "$(qr mx.test '' r@mx.test)" "$K1"
killpeers
check "$(wire 127.0.0.3)" ''

case_ 'SPEC 4.7: the sender @domain key beats the empty key'
home
peer 127.0.0.3 "send 220 wrong peer
read"
other=$port
peer 127.0.0.1 "$plainok
$mailauth"
printf '%s\n' ":[127.0.0.3]:$other|no|no" "@x.test:[127.0.0.1]:$port|user|secret" > "$C/authsenders"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
killpeers
check "$(wire 127.0.0.3)" ''

case_ 'SPEC 4.7: a .suffix key matches a sender in a subdomain'
home
peer 127.0.0.3 "send 220 wrong peer
read"
other=$port
peer 127.0.0.1 "$plainok
$(after 'MAIL FROM:<s@a.x.test> AUTH=user')"
printf '%s\n' ":[127.0.0.3]:$other|no|no" ".x.test:[127.0.0.1]:$port|user|secret" > "$C/authsenders"
check "$(qr mx.test s@a.x.test r@mx.test)" "$K1"
killpeers
check "$(wire 127.0.0.3)" ''

case_ 'D5: authsenders relay;port'
home
peer 127.0.0.1 "$plainok
$mailauth"
echo ":[127.0.0.1];$port|user|secret" > "$C/authsenders"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers

case_ 'SPEC 4.7: authsenders without credentials: an unauthenticated relay, AUTH offered but not used'
home
peer 127.0.0.1 "$(ehlo 'PLAIN LOGIN CRAM-MD5')
$(after 'MAIL FROM:<s@x.test>')"
echo "s@x.test:[127.0.0.1]:$port" > "$C/authsenders"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers
check "$(wire | head -n 2)" 'EHLO helo.test^M
MAIL FROM:<s@x.test>^M'

case_ 'SPEC 4.7: an empty relay is the MX lookup of the host, with the port and the credentials'
home
P= peer 127.0.0.2 "$plainok
$mailauth"
echo "::$port|user|secret" > "$C/authsenders"
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers
check "$(grep -c 'mx.test MX' "$T/dns.log")" 1

case_ 'no credentials anywhere: AUTH offered, never used'
home
peer 127.0.0.1 "$(ehlo 'PLAIN LOGIN CRAM-MD5')
$(after 'MAIL FROM:<s@x.test>')"
echo "mx.test:[127.0.0.1]:$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers
check "$(wire | grep -c AUTH)" 0

# Bad input: each with its report, and the wire shows nothing past it.

case_ 'a CRAM-MD5 challenge that is not base64: Z, nothing sent after AUTH'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 334 not*base64!
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but unable to base64decode challenge.
Remote host said: 334 not*base64!
^@exit 0"
waitpeers
check "$(wire)" 'EHLO helo.test^M
AUTH CRAM-MD5^M
QUIT^M'

case_ 'an empty CRAM-MD5 challenge: Z, nothing sent after AUTH'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 334 
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but the server sent an empty challenge (AUTH CRAM-MD5).
Remote host said: 334 
^@exit 0"
waitpeers
check "$(wire)" 'EHLO helo.test^M
AUTH CRAM-MD5^M
QUIT^M'

case_ 'a 334 that never ends: LOGIN stops after the password, Z'
home
peer 127.0.0.1 "$(ehlo LOGIN)
expect AUTH LOGIN
send 334 VXNlcm5hbWU6
read
send 334 UGFzc3dvcmQ6
read
send 334 bW9yZQ==
read
send 334 bW9yZQ==
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but authentication went on past its last step (login).
Remote host said: 334 bW9yZQ==
^@exit 0"
waitpeers
check "$(wire)" "EHLO helo.test^M
AUTH LOGIN^M
$USER64^M
$PASS64^M
QUIT^M"

case_ 'a 235 before the exchange is complete: Z, neither user nor password sent'
home
peer 127.0.0.1 "$(ehlo LOGIN)
expect AUTH LOGIN
send 235 welcome already
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but the server said 235 before authentication was complete (AUTH LOGIN).
Remote host said: 235 welcome already
^@exit 0"
waitpeers
check "$(wire)" 'EHLO helo.test^M
AUTH LOGIN^M
QUIT^M'

case_ 'a 235 after the CRAM-MD5 challenge with more behind it: Z, no MAIL'
home
peer 127.0.0.1 "$(ehlo CRAM-MD5)
expect AUTH CRAM-MD5
send 334 $CHAL64
read
raw 235 ok\r\n250 extra\r\n
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but the server sent more than its 235 reply.
Remote host said: 235 ok
^@exit 0"
waitpeers
check "$(wire | grep -c MAIL)" 0

for c in 'a CR in the user|us\rer|secret|the AUTH user or password holds CR, LF or NUL' \
	'a CR in the password|user|sec\rret|the AUTH user or password holds CR, LF or NUL' \
	'a NUL in the user|us\0er|secret|the AUTH user or password holds CR, LF or NUL' \
	'a NUL in the password|user|sec\0ret|the AUTH user or password holds CR, LF or NUL' \
	'a missing password|user|-|an AUTH user without a password, or a password without a user' \
	'an empty password|user||an AUTH user without a password, or a password without a user' \
	'an empty user||secret|an AUTH user without a password, or a password without a user'; do
	what=${c%%|*} rest=${c#*|}
	u=${rest%%|*} rest=${rest#*|}
	p=${rest%%|*} text=${rest#*|}
	for f in authsenders smtproutes; do
		key=
		[ $f = smtproutes ] && key=mx.test
		line="$key:[127.0.0.1]:PORT|$u|$p"
		[ "$p" = - ] && line="$key:[127.0.0.1]:PORT|$u"
		case_ "control/$f: $what: Z syntax error naming the line, nothing sent"
		home
		peer 127.0.0.1 "send 220 mx.test
read"
		printf "$line\n" | sed "s/PORT/$port/" > "$C/$f"
		out=$(qr mx.test s@x.test r@mx.test)
		killpeers
		check "$out
wire: $(wire | wc -c)" "ZSyntax error in control/$f line 1: $text. (#4.3.5)
^@exit 0
wire: 0"
	done
done

case_ 'control/authsenders: credentials longer than the 4096 bytes authclient takes: Z before connecting (no hang on the pipe)'
home
peer 127.0.0.1 "send 220 mx.test
read"
printf ':[127.0.0.1]:%s|user|%s\n' "$port" "$(head -c 70000 /dev/zero | tr '\0' p)" > "$C/authsenders"
out=$(QMAILHOME=$H timeout 30 "$BIN/qmail-remote" mx.test s@x.test r@mx.test < "$T/msg" | show; echo "exit $?")
killpeers
check "$out
wire: $(wire | wc -c)" "ZSyntax error in control/authsenders line 1: the AUTH user and password are longer than 4094 bytes. (#4.3.5)
^@exit 0
wire: 0"

# D9 on a non-loopback peer: smtpclient alone under fakepeer's pipe form
# (its fds 6 and 7), TCPREMOTEIP=192.0.2.1, the credentials on fd 8
# (fakepeer closes fds 3-5 of its child: a shell between them opens
# $T/cred on fd 8 and execs smtpclient).
printf 'user\0secret\0' > "$T/cred"
# sc SCRIPT [VAR=VALUE...]: sets $out (reports, exit code) and $wire.
sc() {
	printf '%s\n' "$1" > "$T/script"
	shift
	: > "$T/log"
	env -u AUTHCLEAR -u TLS -u TLSHOST -u TLS_VERIFY HELOHOST=helo.test TIMEOUTREMOTE=5 \
		TCPREMOTEIP=192.0.2.1 AUTHFD=8 "$@" CRED="$T/cred" SC="$BIN/smtpclient" \
		"$TBIN/fakepeer" -o "$T/log" "$T/script" \
		sh -c 'exec "$SC" s@x.test r@mx.test 8< "$CRED"' < "$T/msg" > "$T/out" 2> "$T/err"
	rc=$?
	out=$(show < "$T/out"; echo; echo "exit $rc")
	[ -s "$T/err" ] && out="$out
stderr: $(cat "$T/err")"
	wire=$(show < "$T/log")
}
# D9's refusal keeps its text byte for byte; the line after it says
# what rule allows it.
HINT9='To allow it, add a rule for 192.0.2.1 to control/tlsdestinations: 192.0.2.1:/path/to/its-ca.pem or %192.0.2.1:=<sha256 fingerprint> (verified TLS), -192.0.2.1: (TLS, any certificate) or !192.0.2.1: (clear text).'
K9='r^@K192.0.2.1 accepted message.
Remote host said: 250 ok queued
^@
exit 0'

case_ 'D9: only PLAIN and LOGIN offered in clear to 192.0.2.1: Z refusing, no AUTH on the wire'
sc "$(ehlo 'PLAIN LOGIN')
read"
check "$out" "ZConnected to 192.0.2.1 but refusing to send a password in the clear (no STARTTLS). (#4.7.0)
$HINT9
^@
exit 0"
check "$wire" 'EHLO helo.test^M
QUIT^M'

# D9 revised: CRAM-MD5 (and SCRAM) in clear hand out a transcript to
# crack offline; no mechanism runs in clear to another host.
case_ 'D9: CRAM-MD5 offered too: no mechanism in clear either, Z refusing, no AUTH on the wire'
sc "$(ehlo 'PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256')
read"
check "$out" "ZConnected to 192.0.2.1 but refusing to send a password in the clear (no STARTTLS). (#4.7.0)
$HINT9
^@
exit 0"
check "$wire" 'EHLO helo.test^M
QUIT^M'

case_ 'D9: AUTHCLEAR=yes (a rule names the host): CRAM-MD5 in clear'
sc "$(ehlo 'PLAIN LOGIN CRAM-MD5')
expect AUTH CRAM-MD5
send 334 $CHAL64
expect $CRAM
send 235 ok
$mailauth" AUTHCLEAR=yes
check "$out" "$K9"

case_ 'D9: AUTHCLEAR=yes (a ! rule names the host): PLAIN in clear'
sc "$plainok
$mailauth" AUTHCLEAR=yes
check "$out" "$K9"
check "$(printf '%s\n' "$wire" | sed -n 2,3p)" "AUTH PLAIN^M
$PLAIN^M"

# After STARTTLS: PLAIN goes only when the certificate was verified
# (TLS_VERIFY other than none), or when a rule names the host.
starttls="send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 AUTH PLAIN
expect STARTTLS
send 220 go ahead
tls $K/server.pem $K/server.key
read
send 250-mx.test
send 250 AUTH PLAIN"
cipher() { printf '%s\n' "$1" | sed 's/TLS_AES_128_GCM_SHA256\|TLS_AES_256_GCM_SHA384\|TLS_CHACHA20_POLY1305_SHA256/<cipher>/'; }

case_ 'D9: after STARTTLS with the certificate not checked: no PLAIN to 192.0.2.1, Z refusing'
sc "$starttls
read"
check "$out" "ZConnected to 192.0.2.1 but refusing to send a password over TLS without a verified certificate. (#4.7.0)
$HINT9
^@
exit 0"
check "$(printf '%s\n' "$wire" | sed -n 1,4p)" "EHLO helo.test^M
STARTTLS^M
EHLO helo.test^M
QUIT^M"

case_ 'D9: after STARTTLS with the certificate verified (TLS_VERIFY=name): PLAIN goes to 192.0.2.1'
sc "$starttls
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth" TLS=must TLS_VERIFY=name TLS_NAMES=mx.test CAFILE=$K/ca.pem TLSHOST=mx.test
check "$(cipher "$out")" "r^@K192.0.2.1 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@
exit 0"
check "$(printf '%s\n' "$wire" | sed -n 1,5p)" "EHLO helo.test^M
STARTTLS^M
EHLO helo.test^M
AUTH PLAIN^M
$PLAIN^M"

case_ 'D9: after STARTTLS, certificate not checked, AUTHCLEAR=yes (a -relay: rule): PLAIN goes'
sc "$starttls
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth" AUTHCLEAR=yes
check "$(cipher "$out")" "r^@K192.0.2.1 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate not checked
^@
exit 0"

case_ 'D9: TLS=no (a ! rule): STARTTLS offered but not used, and without AUTHCLEAR no PLAIN: Z'
sc "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 AUTH PLAIN
read" TLS=no
check "$out" "ZConnected to 192.0.2.1 but refusing to send a password in the clear (no STARTTLS). (#4.7.0)
$HINT9
^@
exit 0"
check "$wire" 'EHLO helo.test^M
QUIT^M'

# Issue 17 item 6: the TLS pipes that smtpclient lends authclient keep
# their non-blocking mode and deadlines. authclient exits at once here (no
# mechanism in common), the server then hangs: smtpclient's next read must
# time out after TIMEOUTREMOTE (before, it blocked for good: the test is
# bounded by timeout(1) and that ends in "exit 124" and no report).
case_ 'TLS, no mechanism in common, then a server that hangs: Z connection died (the deadline holds after authclient)'
printf '%s\n' "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
tls $K/server.pem $K/server.key
read
send 250-mx.test
send 250 AUTH GSSAPI
hang" > "$T/script"
: > "$T/log"
env -u AUTHCLEAR -u TLS -u TLSHOST HELOHOST=helo.test TIMEOUTREMOTE=1 \
	TCPREMOTEIP=127.0.0.1 AUTHFD=8 CRED="$T/cred" SC="$BIN/smtpclient" \
	timeout -k 5 30 "$TBIN/fakepeer" -o "$T/log" "$T/script" \
	sh -c 'exec "$SC" s@x.test r@mx.test 8< "$CRED"' < "$T/msg" > "$T/out" 2> "$T/err"
rc=$?
check "$(show < "$T/out"; echo; echo "exit $rc")" "Z$noauth
Connected to 127.0.0.1 but connection died. (#4.4.2)
^@
exit 0"

# D9 end to end: the tlsdestinations rules.
tlsauth="send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 AUTH PLAIN
expect STARTTLS
send 220 go ahead
tls $K/server.pem $K/server.key
read
send 250-mx.test
send 250 AUTH PLAIN
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$(after 'MAIL FROM:<s@x.test> AUTH=user')"

case_ 'D9: credentials and !*: in tlsdestinations: STARTTLS is used all the same'
home
peer 127.0.0.1 "$tlsauth"
echo "mx.test:mx.test:$port|user|secret" > "$C/smtproutes"
echo '!*:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | head -n 1)" "r^@K127.0.0.1 TLS transmitted message accepted."
waitpeers
check "$(wire | sed -n 1,4p)" 'EHLO helo.test^M
STARTTLS^M
EHLO helo.test^M
AUTH PLAIN^M'

case_ 'D9: credentials and !mx.test: naming the host: no STARTTLS, PLAIN in clear'
home
peer 127.0.0.1 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 AUTH PLAIN
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth"
echo "mx.test:mx.test:$port|user|secret" > "$C/smtproutes"
echo '!mx.test:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers
check "$(wire | grep -c STARTTLS)" 0

# What qmail-remote tells smtpclient: a copy of qmail-remote in $T/bin
# runs a wrapper smtpclient there that writes its AUTH and TLS
# variables to $T/env and execs the real one.
mkdir -p "$T/bin"
cp "$BIN/qmail-remote" "$T/bin/"
ln -s "$BIN/mxlookup" "$T/bin/mxlookup"
cat > "$T/bin/smtpclient" <<EOF
#!/bin/sh
env | grep -E '^(AUTHFD|AUTHCLEAR|TLS)=' | sort > "$T/env"
exec "$BIN/smtpclient" "\$@"
EOF
chmod 755 "$T/bin/smtpclient"
qrenv() {
	rm -f "$T/env"
	QMAILHOME=$H "$T/bin/qmail-remote" mx.test s@x.test r@mx.test < "$T/msg" > /dev/null 2>&1
	cat "$T/env"
}
for c in '!mx.test:|AUTHCLEAR=yes AUTHFD=8 TLS=no' '!.test:|AUTHCLEAR=yes AUTHFD=8 TLS=no' \
	'!*:|AUTHFD=8 TLS=try' '!:|AUTHFD=8 TLS=try' 'mx.test:|AUTHCLEAR=yes AUTHFD=8 TLS=must' \
	'-mx.test:|AUTHCLEAR=yes AUTHFD=8 TLS=must' '-*:|AUTHFD=8 TLS=must' '|AUTHFD=8 TLS=try'; do
	rule=${c%%|*} want=${c#*|}
	case_ "D9: tlsdestinations '$rule' with credentials: smtpclient gets $want"
	home
	[ -n "$rule" ] && echo "$rule" > "$C/tlsdestinations"
	peer 127.0.0.1 'send 421 bye'
	echo "mx.test:mx.test:$port|user|secret" > "$C/smtproutes"
	check "$(qrenv | tr '\n' ' ')" "$want "
	waitpeers
done

case_ "D9: tlsdestinations '!mx.test:' without credentials: no AUTH variables"
home
echo '!mx.test:' > "$C/tlsdestinations"
peer 127.0.0.1 'send 421 bye'
echo "mx.test:mx.test:$port" > "$C/smtproutes"
check "$(qrenv | tr '\n' ' ')" "TLS=no "
waitpeers

# SCRAM-SHA-256 against fakepeer's scram command (a real server).
case_ 'SCRAM-SHA-256 preferred to the others: 235, then MAIL AUTH=user'
home
peer 127.0.0.1 "$(ehlo 'PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256')
scram user secret
$mailauth"
auth
check "$(qr mx.test s@x.test r@mx.test)" "$K1"
waitpeers
check "$(wire | sed -n 2p | sed 's/^\(AUTH SCRAM-SHA-256 \)[^^]*/\1.../')" 'AUTH SCRAM-SHA-256 ...^M'

case_ 'SCRAM-SHA-256 with a wrong password: the server says 535: Z rejected (scram)'
home
peer 127.0.0.1 "$(ehlo SCRAM-SHA-256)
scram user other
read"
auth
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.1 but authentication was rejected (scram).
Remote host said: 535 5.7.8 Error: authentication failed
^@exit 0"
waitpeers
check "$(wire | grep -c MAIL)" 0

case_ 'SCRAM-SHA-256: a wrong server signature: Z, the message not sent'
home
peer 127.0.0.1 "$(ehlo SCRAM-SHA-256)
scram user secret badsig
read"
auth
check "$(qr mx.test s@x.test r@mx.test | sed 's/^\(Remote host said: 334 \).*/\1<server-final-message>/')" "ZConnected to 127.0.0.1 but the server's SCRAM-SHA-256 signature is wrong; it does not know the password.
Remote host said: 334 <server-final-message>
^@exit 0"
killpeers
check "$(wire | sed 's/^\(AUTH SCRAM-SHA-256 \)[^^]*/\1.../;3s/.*/FINAL/')" 'EHLO helo.test^M
AUTH SCRAM-SHA-256 ...^M
FINAL
QUIT^M'

case_ 'D33: authclient missing: Z naming it, QUIT, never "no SMTP connection"'
home
mkdir -p "$T/noauth"
cp "$BIN/qmail-remote" "$BIN/mxlookup" "$BIN/smtpclient" "$BIN/tlswrap" "$T/noauth/"
peer 127.0.0.1 "$(ehlo PLAIN)
read"
auth
QMAILHOME=$H "$T/noauth/qmail-remote" mx.test s@x.test r@mx.test < "$T/msg" > "$T/out" 2>&1
check "$(show < "$T/out")" "ZConnected to 127.0.0.1 but unable to run authclient: fork/exec $T/noauth/authclient: no such file or directory. (#4.3.0)
^@"
waitpeers
check "$(wire)" 'EHLO helo.test^M
QUIT^M'

stopdns

# D9 (revised) end to end on a peer that is not loopback: fakepeer in a
# network namespace of our own (lib.sh's netns, root only), mx.test at
# its private address. A route with credentials gets TLS with the
# certificate verified for the relay: the system roots (SSL_CERT_FILE
# replaces them, as Go reads it) or the rule's CA; only a rule keyed on
# the relay allows less. No AUTH otherwise, in clear or over TLS.
if ! netns; then
	echo "skipped: D9 on a non-loopback peer (a network namespace of our own: $nswhy)"
	finish
fi
printf 'mx.test A %s\n' "$NSPEER" > "$T/zone.ns"
startdns "$T/zone.ns"
inns="ip netns exec $NS"
HINT="TLS with a verified certificate is required to send the password for mx.test; for a private relay add to control/tlsdestinations: mx.test:/path/to/its-ca.pem, %mx.test:=<sha256 fingerprint>, or -mx.test: to accept any certificate."
tlsdone="$starttls
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth"
# nsrun [VAR=VALUE...]: qmail-remote for mx.test, the route with
# credentials to the peer in the namespace; sets $out.
nsrun() {
	echo "mx.test:mx.test:$port|user|secret" > "$C/smtproutes"
	out=$(env "$@" QMAILHOME=$H "$BIN/qmail-remote" mx.test s@x.test r@mx.test < "$T/msg" | show; echo "exit $?")
	out=$(cipher "$out")
	waitpeers
}
UNKNOWN='unknown authority: CN=Test Intermediate CA,O=qmail-remote-go tests is signed by CN=Test Root CA,O=qmail-remote-go tests, not a trusted CA'
nowire="EHLO helo.test^M
STARTTLS^M"

case_ 'D9 netns: credentials, no rule, certificate from a CA the system does not trust: Z, no AUTH, the rule to write'
home
peer "$NSPEER" "$starttls
read"
nsrun SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent
check "$out" "ZUnable to verify X.500 certificate from: mx.test. (#4.4.1)
$UNKNOWN
$HINT
^@exit 0"
check "$(wire "$NSPEER" | sed -n 1,2p; wire "$NSPEER" | grep -c AUTH)" "$nowire
0"

case_ 'D9 netns: credentials, no rule, the peer offers no STARTTLS but CRAM-MD5: Z, no AUTH in clear'
home
peer "$NSPEER" "$(ehlo 'PLAIN CRAM-MD5')
read"
nsrun
check "$out" "ZI wasn't able to negotiate a TLS connection with: mx.test. (#4.4.1)
$HINT
^@exit 0"
check "$(wire "$NSPEER" | grep -c AUTH)" 0

case_ 'D9 netns: credentials, !*: in tlsdestinations: still verified TLS (a * form does not decide), Z, no AUTH'
home
echo '!*:' > "$C/tlsdestinations"
peer "$NSPEER" "$starttls
read"
nsrun SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent
check "$out" "ZUnable to verify X.500 certificate from: mx.test. (#4.4.1)
$UNKNOWN
$HINT
^@exit 0"
check "$(wire "$NSPEER" | grep -c AUTH)" 0

case_ 'D9 netns: credentials, no rule, the system roots (SSL_CERT_FILE) verify mx.test: AUTH after the handshake, K'
home
peer "$NSPEER" "$tlsdone"
nsrun SSL_CERT_FILE=$K/ca.pem
check "$out" "r^@K$NSPEER TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@exit 0"
check "$(wire "$NSPEER" | sed -n 1,4p)" "$nowire
EHLO helo.test^M
AUTH PLAIN^M"

case_ 'D9 netns: credentials, mx.test:<the private CA>: AUTH after the verified handshake, K'
home
echo "mx.test:$K/ca.pem" > "$C/tlsdestinations"
peer "$NSPEER" "$tlsdone"
nsrun SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent
check "$out" "r^@K$NSPEER TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"

case_ 'D9 netns: credentials, -mx.test: (the admin knowingly): AUTH over unverified TLS, K'
home
echo "-mx.test:" > "$C/tlsdestinations"
peer "$NSPEER" "$tlsdone"
nsrun SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent
check "$out" "r^@K$NSPEER TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"

case_ 'D9 netns: credentials, !mx.test: (the admin knowingly): AUTH in clear, K'
home
echo "!mx.test:" > "$C/tlsdestinations"
peer "$NSPEER" "$(ehlo 'PLAIN')
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth"
nsrun
check "$out" "r^@K$NSPEER accepted message.
Remote host said: 250 ok queued
^@exit 0"

# D28 with D9: a '!' rule limited to one sender domain (its 4th field)
# turns TLS off for that sender's mail only; for every other sender it
# is skipped, and the route's credentials get D9's verified TLS.
case_ 'D9 netns: credentials, !mx.test:|||other.test (another sender domain): not clear text, Z, no AUTH'
home
echo '!mx.test:|||other.test' > "$C/tlsdestinations"
peer "$NSPEER" "$(ehlo 'PLAIN')
read"
nsrun
check "$out" "ZI wasn't able to negotiate a TLS connection with: mx.test. (#4.4.1)
$HINT
^@exit 0"
check "$(wire "$NSPEER" | grep -c AUTH)" 0

# SMTPS (port 465): tlswrap -i does the handshake under D9's check and
# keeps TLS_VERIFY from smtpclient; smtpclient learns from its
# TLSWRAP_VERIFY that the certificate was verified, and only then sends
# the password.
smtps="tls $K/server.pem $K/server.key
send 220 mx.test ESMTP
read
send 250-mx.test
send 250 AUTH PLAIN"
case_ 'D9 netns: credentials to port 465 (SMTPS), the system roots verify mx.test: AUTH, K'
home
P=465 peer "$NSPEER" "$smtps
expect AUTH PLAIN
send 334 
expect $PLAIN
send 235 ok
$mailauth"
echo "mx.test:mx.test:465|user|secret" > "$C/smtproutes"
out=$(env SSL_CERT_FILE=$K/ca.pem SSL_CERT_DIR=/nonexistent QMAILHOME=$H "$BIN/qmail-remote" mx.test s@x.test r@mx.test < "$T/msg" | show; echo "exit $?")
waitpeers
check "$(cipher "$out")" "r^@K$NSPEER TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@exit 0"

case_ 'D9 netns: credentials to port 465 (SMTPS), a CA the system does not trust: Z before the greeting, no AUTH'
home
P=465 peer "$NSPEER" "$smtps
read"
echo "mx.test:mx.test:465|user|secret" > "$C/smtproutes"
out=$(env SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent QMAILHOME=$H "$BIN/qmail-remote" mx.test s@x.test r@mx.test < "$T/msg" | show; echo "exit $?")
killpeers
check "$out" "ZUnable to verify X.500 certificate from: mx.test. (#4.4.1)
$UNKNOWN
$HINT
^@exit 0"
check "$(wire "$NSPEER" | grep -c AUTH)" 0

stopdns
finish
