# The STARTTLS and SASL AUTH listeners of the real Postfix (tests/real/
# setup), checked with stock clients (openssl s_client, swaks) so the TLS
# and AUTH work of qmail-remote finds them ready: STARTTLS offered, the
# certificate made at setup time verifies against its test CA for the MX
# names, AUTH offers exactly PLAIN LOGIN CRAM-MD5 and each mechanism
# logs in with the sasldb user (and fails with a wrong password), in
# clear text and after STARTTLS; a message sent over TLS after AUTH
# arrives byte for byte.
# Requirements: the peers of tests/real/setup running, openssl, swaks.
# Not tested here: qmail-remote's own TLS and AUTH (later issues).
. "$(dirname "$0")/lib.sh"

CA=$REAL/tls/ca.pem

# tls NAME: what openssl s_client says about a STARTTLS session on
# 127.0.0.1, verifying the certificate for NAME against the test CA.
tls() {
	echo QUIT | openssl s_client -starttls smtp -connect "127.0.0.1:$REAL_SMTPD" \
		-CAfile "$CA" -verify_hostname "$1" -brief 2>&1 |
		grep -E '^(Verification|Verified peername|Protocol version)' |
		sed 's/^Protocol version: TLSv1\.[23]$/Protocol version: TLSv1.2 or 1.3/'
}

# sw ARGS...: the server's replies in a swaks session to 127.0.0.1, only
# the lines that matter (code and text, TLS or not).
sw() {
	swaks --server "127.0.0.1:$REAL_SMTPD" --helo helo.qr.test --from sender@qr.test "$@" 2>&1 |
		sed -n 's/^ *\(<[-~]\)\**  *\([2-5][0-9][0-9]\)[ -]/\1 \2 /p' |
		grep -E ' (235|535|454|220 2\.0\.0|250 (AUTH|STARTTLS))' 
}

case_ 'EHLO offers STARTTLS and AUTH PLAIN LOGIN CRAM-MD5 in clear text'
check "$(sw --quit-after EHLO | grep ' 250 ')" '<- 250 STARTTLS
<- 250 AUTH PLAIN LOGIN CRAM-MD5'

case_ 'STARTTLS: the certificate verifies for mx1.real.test against the test CA'
check "$(tls mx1.real.test)" 'Protocol version: TLSv1.2 or 1.3
Verification: OK
Verified peername: mx1.real.test'

case_ 'STARTTLS: the certificate holds mx2.real.test too'
check "$(tls mx2.real.test | grep '^Verification')" 'Verification: OK'

case_ 'STARTTLS: and fails verification for another name'
check "$(tls other.example | grep -c '^Verification: OK')" 0

case_ 'after STARTTLS, EHLO still offers AUTH PLAIN LOGIN CRAM-MD5'
check "$(sw --tls --quit-after EHLO | grep -E ' (220|250 AUTH)')" '<- 250 AUTH PLAIN LOGIN CRAM-MD5
<- 220 2.0.0 Ready to start TLS
<~ 250 AUTH PLAIN LOGIN CRAM-MD5'

for m in PLAIN LOGIN CRAM-MD5; do
	case_ "AUTH $m over TLS: 235 with the sasldb user"
	check "$(sw --tls --auth "$m" --auth-user "$REAL_SASL_LOGIN" --auth-password "$REAL_SASL_PASS" --quit-after AUTH | grep ' 235 ')" '<~ 235 2.7.0 Authentication successful'

	case_ "AUTH $m over TLS: 535 with a wrong password"
	check "$(sw --tls --auth "$m" --auth-user "$REAL_SASL_LOGIN" --auth-password wrong --quit-after AUTH | grep -c ' 535 ')" 1

	case_ "AUTH $m in clear text: 235"
	check "$(sw --auth "$m" --auth-user "$REAL_SASL_LOGIN" --auth-password "$REAL_SASL_PASS" --quit-after AUTH | grep ' 235 ')" '<- 235 2.7.0 Authentication successful'
done

case_ 'a message sent with STARTTLS and AUTH arrives byte for byte (swaks adds an empty last line)'
printf 'From: sender@qr.test\nTo: %s\nSubject: tls\n\nover TLS\n.leading dot\n' "$ID.tls@real.test" > "$T/msg"
sw --tls --auth CRAM-MD5 --auth-user "$REAL_SASL_LOGIN" --auth-password "$REAL_SASL_PASS" \
	--to "$ID.tls@real.test" --data "$T/msg" > /dev/null
echo >> "$T/msg"
check "$(arrived "$ID.tls@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'Postfix says it came over TLS with AUTH (ESMTPSA)'
check "$(grep -c ' with ESMTPSA id ' "$REAL/mail/$ID.tls@real.test"/*)" 1

cleanup
finish
