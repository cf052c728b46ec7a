# qmail-remote's SMTP AUTH against the real Postfix of tests/real/setup
# (Cyrus SASL, sasldb user alice@real.test): each mechanism Postfix
# offers, forced in turn by a listener that offers only it (CRAM-MD5 is
# the strongest of the main listener's PLAIN LOGIN CRAM-MD5; PLAIN,
# LOGIN and SCRAM-SHA-256 have their own), in clear text to loopback (a
# ! rule names [127.0.0.1]) and over STARTTLS; a wrong password with
# each; credentials from authsenders and from smtproutes. Postfix's log
# says which mechanism and user it saw (sasl_method, sasl_username, and
# sasl_sender from MAIL FROM's AUTH=), its Received header says
# "Authenticated sender", and the message arrives byte for byte.
# SCRAM-SHA-256 needs Cyrus SASL's SCRAM plugin: without it the suite
# says so and does not count those cases.
# Requirements: bin/*, the peers of tests/real/setup.
# Not tested here: authclient's and qmail-remote's AUTH edge cases
# (tests/auth.sh, tests/authclient.sh, with fixture servers).
. "$(dirname "$0")/lib.sh"

U=$REAL_SASL_LOGIN
PW=$REAL_SASL_PASS
S=sender@qr.test
printf 'Subject: auth\n\nauthenticated\n.dot\n' > "$T/msg"
K1='r^@K127.0.0.1 accepted message.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
^@exit 0'
KTLS='r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0'
# rejected LABEL: the Z of a wrong password, with Postfix's 535.
rejected() {
	printf '%s\n' "ZConnected to 127.0.0.1 but authentication was rejected ($1).
Remote host said: 535 5.7.8 Error: authentication failed: authentication failure
^@exit 0"
}
# auth PORT USER PASS: authsenders sends every sender to 127.0.0.1:PORT
# with these credentials.
auth() { echo ":[127.0.0.1]:$1|$2|$3" > "$H/control/authsenders"; }
clear() { echo '![127.0.0.1]:' > "$H/control/tlsdestinations"; }
tlsok() { rm -f "$H/control/tlsdestinations"; }

# sasl: what Postfix logged about the SASL login of the message that the
# last K names (by its queue id), waiting for its log line (at most 10 s:
# a bound, not a timing check).
sasl() {
	qid=$(tr '\0' '\n' < "$T/out" | sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p')
	[ -n "$qid" ] || { echo "no queue id"; return; }
	i=0
	while [ $i -lt 100 ]; do
		l=$(grep -a " $qid: client=" "$REAL/log/maillog" | sed -n 's/.*, \(sasl_method=.*\)/\1/p')
		[ -n "$l" ] && { echo "$l"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "no sasl line for $qid"
}
# authheader RCPT: the "Authenticated sender" comment and the protocol
# of the Received header Postfix put on top of what RCPT got.
authheader() {
	sed -n '1,/^$/p' "$REAL/mail/$1"/* | grep -o -E '\(Authenticated sender: [^)]*\)|with ESMTPS?A?' | tr '\n' ' '
}
saw="sasl_username=$U, sasl_sender=$U"

# deliver NAME PORT MECH: a delivery in clear text that logs in with
# MECH at PORT and arrives.
deliver() {
	case_ "$3 in clear text to loopback (port $2): K, Postfix logged $3 for $U"
	auth "$2" "$U" "$PW"
	clear
	check "$(qr real.test $S "$ID.$1@real.test")" "$K1"
	check "$(sasl)" "sasl_method=$3, $saw"
	case_ "... the message arrives byte for byte, the Received header names the authenticated sender"
	check "$(arrived "$ID.$1@real.test"; same "$T/msg" "$T/got")" 'arrived
same'
	check "$(authheader "$ID.$1@real.test")" "(Authenticated sender: $U) with ESMTPA "
}
# wrong PORT LABEL MECH: the same with a wrong password.
wrong() {
	case_ "$3 with a wrong password: Z with Postfix's 535"
	auth "$1" "$U" wrongpassword
	clear
	check "$(qr real.test $S "$ID.wrong@real.test")" "$(rejected "$2")"
}

deliver cram "$REAL_SMTPD" CRAM-MD5
deliver plain "$REAL_AUTH_PLAIN" PLAIN
deliver login "$REAL_AUTH_LOGIN" LOGIN
wrong "$REAL_SMTPD" username+digest CRAM-MD5
wrong "$REAL_AUTH_PLAIN" plain PLAIN
wrong "$REAL_AUTH_LOGIN" login LOGIN

case_ 'a user Postfix does not know: Z with its 535'
auth "$REAL_SMTPD" "nobody@$REAL_DOMAIN" "$PW"
clear
check "$(qr real.test $S "$ID.wrong@real.test")" "$(rejected username+digest)"

if ls /usr/lib/*/sasl2/ /usr/lib/sasl2/ 2> /dev/null | grep -q '^libscram\.so'; then
	deliver scram "$REAL_AUTH_SCRAM" SCRAM-SHA-256
	wrong "$REAL_AUTH_SCRAM" scram SCRAM-SHA-256
	case_ 'SCRAM-SHA-256 over STARTTLS: K with the TLS line, Postfix logged SCRAM-SHA-256'
	auth "$REAL_AUTH_SCRAM" "$U" "$PW"
	tlsok
	check "$(qr real.test $S "$ID.scramtls@real.test")" "$KTLS"
	check "$(sasl)" "sasl_method=SCRAM-SHA-256, $saw"
else
	echo "tests/real/auth.sh: SCRAM-SHA-256 not offered by this Cyrus SASL: skipped"
fi

case_ 'AUTH over STARTTLS (no tlsdestinations: D7, D9): K with the TLS line, CRAM-MD5 logged'
auth "$REAL_SMTPD" "$U" "$PW"
tlsok
check "$(qr real.test $S "$ID.tls@real.test")" "$KTLS"
check "$(sasl)" "sasl_method=CRAM-MD5, $saw"
case_ '... arrives byte for byte, with ESMTPSA and the authenticated sender in Received'
check "$(arrived "$ID.tls@real.test"; same "$T/msg" "$T/got")" 'arrived
same'
check "$(authheader "$ID.tls@real.test")" "(Authenticated sender: $U) with ESMTPSA "

case_ 'PLAIN over STARTTLS with !*: (D9: STARTTLS all the same with credentials)'
auth "$REAL_AUTH_PLAIN" "$U" "$PW"
echo '!*:' > "$H/control/tlsdestinations"
check "$(qr real.test $S "$ID.plaintls@real.test")" "$KTLS"
check "$(sasl)" "sasl_method=PLAIN, $saw"

case_ 'LOGIN over STARTTLS with a wrong password: Z with the 535'
auth "$REAL_AUTH_LOGIN" "$U" wrongpassword
tlsok
check "$(qr real.test $S "$ID.wrong@real.test")" "$(rejected login)"

case_ 'smtproutes |user|password instead of authsenders: PLAIN over STARTTLS'
rm -f "$H/control/authsenders"
tlsok
routes "real.test:[127.0.0.1]:$REAL_AUTH_PLAIN|$U|$PW"
check "$(qr real.test $S "$ID.route@real.test")" "$KTLS"
check "$(sasl)" "sasl_method=PLAIN, $saw"
check "$(arrived "$ID.route@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'the empty sender (a bounce) authenticates too: MAIL FROM:<> AUTH='
auth "$REAL_SMTPD" "$U" "$PW"
clear
check "$(qr real.test '' "$ID.bounce@real.test")" "$K1"
check "$(sasl)" "sasl_method=CRAM-MD5, $saw"

# The session cache (issue 21): with bin/qmail-scache running on the
# home, an authenticated session goes back to the cache and the next
# delivery with the same credentials reuses it: Postfix sees one
# connection, one AUTH, two messages (its disconnect line, logged when
# the cache's SIGTERM sends QUIT), and logs the same SASL user for both.
mkdir -p "$H/queue/lock/scache"
chmod 700 "$H/queue/lock/scache"
QMAILHOME=$H "$BIN/qmail-scache" 2> "$T/scache.log" &
scpid=$!
i=0
while [ ! -S "$H/queue/lock/scache/socket" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
auth "$REAL_SMTPD" "$U" "$PW"
tlsok
case_ 'cache: AUTH over STARTTLS, handed back: K, CRAM-MD5 logged'
check "$(qr real.test $S "$ID.reuse1@real.test")" "$KTLS"
check "$(sasl)" "sasl_method=CRAM-MD5, $saw"
q1=$(tr '\0' '\n' < "$T/out" | sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p')
case_ '... the next delivery reuses the session: K says message 2, Postfix logged the same SASL user'
check "$(qr real.test $S "$ID.reuse2@real.test" | sed 's/opened [0-9]* s ago/opened N s ago/')" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
Session reused: message 2 on this connection, opened N s ago.
^@exit 0"
check "$(sasl)" "sasl_method=CRAM-MD5, $saw"
check "$(arrived "$ID.reuse2@real.test"; same "$T/msg" "$T/got")" 'arrived
same'
kill "$scpid"
wait "$scpid"
case_ "... Postfix's log: one connection, one AUTH, two messages (auth=1 mail=2), QUIT when the cache stopped"
pid=$(grep -a " $q1: client=" "$REAL/log/maillog" | sed -n 's/.* postfix[^[]*\/smtpd\[\([0-9]*\)\]: .*/\1/p')
i=0
while [ $i -lt 100 ]; do
	l=$(awk -v q=" $q1: client=" -v d="smtpd[$pid]: disconnect from " 'index($0, q) { on = 1 } on && index($0, d) { print; exit }' "$REAL/log/maillog")
	[ -n "$l" ] && break
	sleep 0.1
	i=$((i + 1))
done
check "$(printf '%s\n' "$l" | grep -o -E ' (auth|mail|rset|quit)=[0-9/]*' | tr -d '\n')" " auth=1 mail=2 rset=1 quit=1"

case_ 'nothing arrived for the rejected logins'
check "$(count "$ID.wrong@real.test")" 0

cleanup
finish
