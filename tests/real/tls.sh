# qmail-remote's own TLS against the real Postfix of tests/real/setup:
# STARTTLS by default (D7), a chain verified against setup's test CA, a
# name that matches and one that does not, a pinned certificate, a client
# certificate from domaincerts that Postfix records in its Received
# header, SMTPS on port 465, and ! turning TLS off; each message arrives
# byte for byte.
# Requirements: bin/*, tests/bin/mkcerts, the peers of tests/real/setup.
# Not tested here: every rule form and failure (tests/tls.sh, with
# fixture servers).
. "$(dirname "$0")/lib.sh"

CA=$REAL/tls/ca.pem
S=sender@qr.test
"$TBIN/mkcerts" "$T/k" > /dev/null || { echo "mkcerts failed"; exit 111; }
printf 'Subject: tls\n\nover TLS\n.dot\n' > "$T/msg"
tlsd() { printf '%s\n' "$@" > "$H/control/tlsdestinations"; }
notls() { rm -f "$H/control/tlsdestinations" "$H/control/domaincerts"; }
K2='r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID'
routes "::$REAL_SMTPD"

case_ 'D7: no tlsdestinations: STARTTLS with Postfix, certificate not checked'
notls
check "$(qr real.test $S "$ID.opp@real.test")" "$K2
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
check "$(arrived "$ID.opp@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'real.test with the test CA: the chain verifies'
tlsd "real.test:$CA"
check "$(qr real.test $S "$ID.ca@real.test")" "$K2
TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"

case_ '=real.test: verified, and the certificate names real.test'
tlsd "=real.test:$CA"
check "$(qr real.test $S "$ID.name@real.test")" "$K2
TLS: TLSv1.3 <cipher>; certificate verified for real.test
^@exit 0"

case_ '=aonly.real.test: the certificate does not name it: Z (D22)'
tlsd "=aonly.real.test:$CA"
check "$(qr aonly.real.test $S "$ID.x@real.test")" "ZUnable to validate X.500 certificate Subject for: aonly.real.test. (#4.4.1)
the certificate holds mx1.real.test, mx2.real.test, real.test, 127.0.0.1, 127.0.0.2, 127.0.0.3; wanted aonly.real.test
^@exit 0"

case_ 'a CA that did not sign it (mkcerts'"'"' CA): Z, chain not verified, at both MX hosts'
tlsd "real.test:$T/k/ca.pem"
check "$(qr real.test $S "$ID.x@real.test")" "ZUnable to verify X.500 certificate from: real.test. (#4.4.1)
unknown authority: CN=mx1.real.test is signed by CN=qmail-remote-go test CA, not a trusted CA
^@exit 0"

case_ '% pin: the SHA-256 fingerprint of setup'"'"'s certificate (with colons, as openssl prints it)'
fp=$(openssl x509 -in "$REAL/tls/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
tlsd "%real.test:=$fp"
check "$(qr real.test $S "$ID.pin@real.test")" "$K2
TLS: TLSv1.3 <cipher>; certificate matches the pinned SHA-256 fingerprint
^@exit 0"

case_ '% pin: another fingerprint: Z'
tlsd "%real.test:=$(cat "$T/k/server.sha256")"
check "$(qr real.test $S "$ID.x@real.test" | head -n 1)" "ZReceived X.509 certificate from: real.test does not match fingerprint: $(cat "$T/k/server.sha256"). (#4.4.1)"

case_ 'domaincerts: Postfix records the client certificate in its Received header'
notls
echo "qr.test:$T/k/client.pem|$T/k/client-pkcs8.key|$(head -n 1 "$T/k/pass")" > "$H/control/domaincerts"
check "$(qr real.test $S "$ID.ccert@real.test" | head -n 1)" "r^@K127.0.0.2 TLS transmitted message accepted."
arrived "$ID.ccert@real.test" > /dev/null
check "$(grep -c 'Client CN "client.test", Issuer "Test Client CA"' "$REAL/mail/$ID.ccert@real.test/"*)" 1
rm -f "$H/control/domaincerts"

case_ '!real.test: no STARTTLS, a plain K'
tlsd '!real.test:'
check "$(qr real.test $S "$ID.clear@real.test")" "r^@K127.0.0.2 accepted message.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
^@exit 0"
check "$(arrived "$ID.clear@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'SMTPS: port 465, TLS from the first byte, verified'
tlsd "mx1.real.test:$CA"
routes "smtps.test:mx1.real.test:$REAL_SMTPS"
check "$(qr smtps.test $S "$ID.smtps@real.test" | sed 's/K127\.0\.0\.[0-9]/K127.0.0.N/')" "r^@K127.0.0.N TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"
check "$(arrived "$ID.smtps@real.test"; same "$T/msg" "$T/got")" 'arrived
same'
routes "::$REAL_SMTPD"

notls
cleanup
finish
