# The STARTTLS and SASL AUTH listeners of the real Postfix (tests/real/
# setup), checked with stock clients (openssl s_client, swaks) so the TLS
# and AUTH work of qmail-remote finds them ready: STARTTLS offered, the
# certificate made at setup time verifies against its test CA for the MX
# names, AUTH offers exactly PLAIN LOGIN CRAM-MD5 and each mechanism
# logs in with the sasldb user (and fails with a wrong password), in
# clear text and after STARTTLS; a message sent over TLS after AUTH
# arrives byte for byte.
# Then qmail-remote against it on an address that is not loopback (SPEC
# D9 revised): AUTH only after a handshake whose certificate verified
# for the relay, or where a rule keyed on the relay allows less.
# Requirements: the peers of tests/real/setup running, openssl, swaks;
# for the D9 cases root (a network namespace of our own, tests/lib.sh),
# tests/bin/tcpfwd and fakedns, else they are skipped, saying so.
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

# D9 end to end: the real Postfix at the private address of the tests'
# own network namespace (tests/lib.sh, netns): tcpfwd there forwards to
# a second tcpfwd on our end of the veth, which forwards to
# 127.0.0.1:$REAL_SMTPD; mx1.real.test points there (fakedns), and the
# route carries Postfix's SASL user. (An address of this machine itself
# would be refused as "listed as a best-preference MX", and loopback is
# exempt from D9.)
if ! netns; then
	echo "skipped: D9 against the real Postfix on a non-loopback address ($nswhy)"
	cleanup
	finish
fi
# fwd [NETNS-EXEC] LISTEN TARGET: starts tcpfwd, sets $fport; its stdin
# is a fifo held open on fd 7 (7, then 5), closed at the end.
fwd() {
	rm -f "$T/fwd.in" "$T/fwd.out"
	mkfifo "$T/fwd.in" "$T/fwd.out"
	$1 "$TBIN/tcpfwd" "$2" "$3" < "$T/fwd.in" > "$T/fwd.out" 2>> "$T/fwd.err" &
	exec 9> "$T/fwd.in"
	read fport < "$T/fwd.out"
}
fwd "" "$NSHOST:0" "127.0.0.1:$REAL_SMTPD"
exec 7>&9
fwd "ip netns exec $NS" "$NSPEER:0" "$NSHOST:$fport"
exec 5>&9 9>&-
printf 'mx1.real.test A %s\n' "$NSPEER" > "$T/zone"
startdns "$T/zone"
routes "real.test:mx1.real.test:$fport|$REAL_SASL_LOGIN|$REAL_SASL_PASS"
rm -f "$H/control/tlsdestinations"
HINT="TLS with a verified certificate is required to send the password for mx1.real.test; for a private relay add to control/tlsdestinations: mx1.real.test:/path/to/its-ca.pem, %mx1.real.test:=<sha256 fingerprint>, or -mx1.real.test: to accept any certificate."
msg() { printf 'From: sender@qr.test\nTo: %s\nSubject: d9\n\n%s\n' "$1" "$2" > "$T/msg"; }

case_ "D9: credentials, no rule, a certificate the system roots do not know: Z, nothing sent, the rule to write"
msg "$ID.d9a@real.test" 'must not arrive'
check "$(SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent qr real.test sender@qr.test "$ID.d9a@real.test")" "ZUnable to verify X.500 certificate from: mx1.real.test. (#4.4.1)
unknown authority: CN=mx1.real.test is signed by CN=qmail-remote-go test CA, not a trusted CA
$HINT
^@exit 0"
check "$(count "$ID.d9a@real.test")" 0

case_ "D9: credentials, no rule, the system roots (SSL_CERT_FILE) verify mx1.real.test: AUTH after the handshake, K"
msg "$ID.d9b@real.test" 'verified, then AUTH'
check "$(SSL_CERT_FILE=$CA qr real.test sender@qr.test "$ID.d9b@real.test" | sed 's/^Remote host said: 250 2.0.0 .*/Remote host said: 250 .../')" "r^@K$NSPEER TLS transmitted message accepted.
Remote host said: 250 ...
TLS: TLSv1.3 <cipher>; certificate verified for mx1.real.test
^@exit 0"
check "$(arrived "$ID.d9b@real.test"; grep -c ' with ESMTPSA id ' "$REAL/mail/$ID.d9b@real.test"/*)" 'arrived
1'

case_ "D9: credentials and mx1.real.test:<the test CA> (a private relay's rule): AUTH after the verified handshake, K"
echo "mx1.real.test:$CA" > "$H/control/tlsdestinations"
msg "$ID.d9c@real.test" 'private CA'
check "$(SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent qr real.test sender@qr.test "$ID.d9c@real.test" | sed -n 3p)" "TLS: TLSv1.3 <cipher>; certificate verified"
check "$(arrived "$ID.d9c@real.test"; grep -c ' with ESMTPSA id ' "$REAL/mail/$ID.d9c@real.test"/*)" 'arrived
1'
rm -f "$H/control/tlsdestinations"

# SMTPS: the route's port 465 at the namespace's address, forwarded to
# Postfix's wrapper-mode listener (127.0.0.2:$REAL_SMTPS). tlswrap -i
# verifies before the greeting; smtpclient sends the password because
# tlswrap says the certificate was verified (its TLS_VERIFY stays with
# tlswrap).
fwd "" "$NSHOST:0" "127.0.0.2:$REAL_SMTPS"
exec 4>&9
fwd "ip netns exec $NS" "$NSPEER:465" "$NSHOST:$fport"
exec 3>&9 9>&-
routes "real.test:mx1.real.test:465|$REAL_SASL_LOGIN|$REAL_SASL_PASS"

case_ "D9: credentials to port 465 (SMTPS), the system roots (SSL_CERT_FILE) verify mx1.real.test: AUTH, K"
msg "$ID.d9d@real.test" 'SMTPS, verified, then AUTH'
check "$(SSL_CERT_FILE=$CA qr real.test sender@qr.test "$ID.d9d@real.test" | sed 's/^Remote host said: 250 2.0.0 .*/Remote host said: 250 .../')" "r^@K$NSPEER TLS transmitted message accepted.
Remote host said: 250 ...
TLS: TLSv1.3 <cipher>; certificate verified for mx1.real.test
^@exit 0"
check "$(arrived "$ID.d9d@real.test"; grep -c ' with ESMTPSA id ' "$REAL/mail/$ID.d9d@real.test"/*)" 'arrived
1'

case_ "D9: credentials to port 465 (SMTPS), a certificate the system roots do not know: Z before the greeting, nothing sent"
msg "$ID.d9e@real.test" 'must not arrive'
check "$(SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent qr real.test sender@qr.test "$ID.d9e@real.test")" "ZUnable to verify X.500 certificate from: mx1.real.test. (#4.4.1)
unknown authority: CN=mx1.real.test is signed by CN=qmail-remote-go test CA, not a trusted CA
$HINT
^@exit 0"
check "$(count "$ID.d9e@real.test")" 0

exec 7>&- 5>&- 4>&- 3>&-
stopdns
cleanup
finish
