# qmail-rcheck -p against the real Postfix of tests/real/setup: the
# candidates by MX through unbound, STARTTLS, Postfix's certificate and
# its SHA-256 pin (compared with what openssl computes from setup's
# certificate file), the pin line accepted by qmail-remote as a % rule,
# the AUTH offer after STARTTLS, the verdict of an = rule, SMTPS; and
# that the probe delivers nothing.
# Requirements: bin/*, openssl, the peers of tests/real/setup.
# Not tested here: that no MAIL goes out (tests/qmail-rcheck.sh, with
# fakepeer's log), every verdict (tests/tls.sh for qmail-remote's).
. "$(dirname "$0")/lib.sh"

CA=$REAL/tls/ca.pem
S=sender@qr.test
fp=$(openssl x509 -in "$REAL/tls/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
printf 'Subject: pin\n\npinned\n' > "$T/msg"
tlsd() { printf '%s\n' "$@" > "$H/control/tlsdestinations"; }
routes "::$REAL_SMTPD"
# probe ARGS...: qmail-rcheck -p ARGS, the client ports and the TLS 1.3
# cipher made constant, and its exit code.
probe() {
	QMAILHOME=$H "$BIN/qmail-rcheck" -p "$@" > "$T/out" 2>&1
	echo "exit $?" >> "$T/out"
	sed 's/connected from \(127\.0\.0\.[0-9]*\):[0-9]*/connected from \1:N/
		s/^  TLS: TLSv1\.3 TLS_[A-Z0-9_]*;/  TLS: TLSv1.3 <cipher>;/' "$T/out"
}

case_ 'probe by MX with an = rule: the candidates, STARTTLS, the name verified, the AUTH offer'
tlsd "=real.test:$CA"
probe real.test $S > "$T/p"
check "$(grep '^candidates\|^  [0-9]\|^probe\|TLS:\|AUTH\|ready\|verdict\|^exit' "$T/p" | sed 's/: timeout table.*/: TCPTO/')" "candidates: mxlookup -t $REAL_SMTPD real.test
  10 127.0.0.2 mx1.real.test: TCPTO
  20 127.0.0.3 mx2.real.test: TCPTO
probe 127.0.0.2:$REAL_SMTPD (mx1.real.test):
  < 250-AUTH PLAIN LOGIN CRAM-MD5
  TLS: TLSv1.3 <cipher>; certificate verified for real.test
  < 250-AUTH PLAIN LOGIN CRAM-MD5
  ready: a delivery would send MAIL now
probe 127.0.0.3:$REAL_SMTPD (mx2.real.test):
  < 250-AUTH PLAIN LOGIN CRAM-MD5
  TLS: TLSv1.3 <cipher>; certificate verified for real.test
  < 250-AUTH PLAIN LOGIN CRAM-MD5
  ready: a delivery would send MAIL now
exit 0"
# From here on, what the probe said of the first MX host.
sed -i '/^probe 127.0.0.3/,$d' "$T/p"

case_ 'the certificate: subject, names, issuer, and the SHA-256 openssl computes'
check "$(grep '^  certificate\|^    ' "$T/p" | grep -v '^    tlswrap\|^    valid\|^    dnssec')" "  certificate 0: subject CN=mx1.real.test
    names mx1.real.test mx2.real.test real.test 127.0.0.1 127.0.0.2 127.0.0.3
    issuer CN=qmail-remote-go test CA
    SHA-256 $fp"
case_ 'the dates are openssl'"'"'s'
nb=$(date -u -d "$(openssl x509 -in "$REAL/tls/cert.pem" -noout -startdate | sed 's/.*=//')" +%Y-%m-%dT%H:%M:%SZ)
na=$(date -u -d "$(openssl x509 -in "$REAL/tls/cert.pem" -noout -enddate | sed 's/.*=//')" +%Y-%m-%dT%H:%M:%SZ)
check "$(grep '^    valid' "$T/p")" "    valid $nb to $na"

case_ 'the pin line, pasted into tlsdestinations, is what qmail-remote takes: K, pinned'
pinline=$(sed -n 's/^  pin: //p' "$T/p")
check "$pinline" "%real.test:=$fp"
tlsd "$pinline"
check "$(qr real.test $S "$ID.pin@real.test")" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate matches the pinned SHA-256 fingerprint
^@exit 0"
case_ 'and the probe with it says the same'
check "$(probe real.test $S | grep 'TLS:\|ready')" "  TLS: TLSv1.3 <cipher>; certificate matches the pinned SHA-256 fingerprint
  ready: a delivery would send MAIL now
  TLS: TLSv1.3 <cipher>; certificate matches the pinned SHA-256 fingerprint
  ready: a delivery would send MAIL now"

case_ 'a CA that did not sign it: the verdict a delivery gives, the certificate still shown, exit 111'
"$TBIN/mkcerts" "$T/k" > /dev/null || { echo "mkcerts failed"; exit 111; }
tlsd "=real.test:$T/k/ca.pem"
probe real.test $S > "$T/p"
check "$(grep 'verdict: Z\|^  pin\|^exit' "$T/p")" "  verdict: ZUnable to verify X.500 certificate from: real.test. (#4.4.1)
  pin: %real.test:=$fp
  verdict: ZUnable to verify X.500 certificate from: real.test. (#4.4.1)
  pin: %real.test:=$fp
exit 111"

case_ 'SMTPS: port 465 under tlswrap -i, verified; the probe delivered nothing'
tlsd "mx1.real.test:$CA"
routes "smtps.test:mx1.real.test:$REAL_SMTPS"
probe smtps.test $S > "$T/p"
check "$(grep '^route\|TLS:\|ready\|^exit' "$T/p")" "route: SMTPS (TLS from the first byte) to relay mx1.real.test port $REAL_SMTPS (control/smtproutes line 1)
  TLS: TLSv1.3 <cipher>; certificate verified
  ready: a delivery would send MAIL now
exit 0"
check "$(count "$ID.pin@real.test")" 1

cleanup
finish
