# tlswrap alone, against fakepeer's TLS peers (tls, tls12, tlsca,
# clientcert) with certificates that tests/bin/mkcerts makes in $T at
# test time: over pipes (fakepeer SCRIPT prog) and over TCP (fakepeer -l,
# with bash's /dev/tcp putting one socket on fds 6 and 7, as tcpclient
# does). Helper mode (-d) runs under sh with fd 0 a file or fifo; the
# wrapper and immediate modes run a scripted application, $T/app (sh),
# that does STARTTLS in clear text on 6/7, writes its control byte to
# $SSLCTLFD and keeps the block. Each case shows tlswrap's fd 1 or the
# application's view, the block (NUL as ^@), exit codes, fd 2, and what
# the peer received in clear text (fakepeer -o).
# Requirements: bin/tlswrap, tests/bin/fakepeer, tests/bin/mkcerts; bash
# for the TCP cases (skipped without it); /proc for the password case.
# Not tested here: renegotiation (crypto/tls has no server side of it to
# script; the client refuses it with tls.RenegotiateNever); an
# application with SSLREADFD == SSLWRITEFD (the application's concern);
# smtpclient and qmail-remote over TLS (their suites).
. "$(dirname "$0")/lib.sh"

C=$T/certs
"$TBIN/mkcerts" "$C" || exit 111
HASH=$(cat "$C/server.sha256")
PASS=$(cat "$C/pass")
TLSENV=
# clean: hides the per-run certificate hash.
clean() { sed "s/$HASH/HASH/g"; }

# hd SCRIPT INPUT: tlswrap -d 9 under fakepeer's pipes, INPUT (printf
# format; - for $T/in as it is) on its fd 0, $TLSENV in its environment.
# Sets $out (fd 1, exit code), $block (fd 9), $err (tlswrap's fd 2),
# $wire (what the peer got, in clear). fakepeer's fd 2 goes to
# $T/peer.err.
hd() {
	printf '%s\n' "$1" > "$T/script"
	[ "$2" = - ] || printf "$2" > "$T/in"
	: > "$T/wire"
	rm -f "$T/block"
	env $TLSENV "$TBIN/fakepeer" -o "$T/wire" "$T/script" \
		sh -c 'exec "$0" -d 9 9> "$1" < "$2" 2> "$3"' "$BIN/tlswrap" "$T/block" "$T/in" "$T/err" \
		> "$T/out" 2>> "$T/peer.err"
	rc=$?
	results
}
results() {
	out=$(show < "$T/out"; echo; echo "exit $rc")
	block=$(show < "$T/block" | clean)
	err=$(cat "$T/err")
	wire=$(show < "$T/wire")
}

# The application of the wrapper and immediate modes: app CTL DATA.
# Its settings come in $APPENV. With APP_PLAIN set it first reads the greeting, says STARTTLS and
# reads the 220 on 6/7, then closes 6/7. It writes CTL to SSLCTLFD
# (none: closes it), keeps the block in $T/appblock, sends DATA, closes
# SSLWRITEFD, keeps what comes back in $T/appgot, prints its
# environment's SSL*/TLS* names to $T/appenv and exits $APP_EXIT (7).
cat > "$T/app" <<'EOF'
exec 2>> "$T/apperr"
if [ -n "$APP_PLAIN" ]; then
	read l <&6; read l <&6
	printf 'STARTTLS\r\n' >&7
	read l <&6
	exec 6<&- 7>&-
fi
env | grep -E '^(SSL|TLS|CAFILE|CADIR|CERTFILE|KEYFILE|KEYPASSFD|OTHER)' | grep -v '^SSL_CERT_' | sort > "$T/appenv"
[ -e /dev/fd/8 ] && echo 'fd 8 leaked' >> "$T/appenv"
if [ "$1" = none ]; then
	eval "exec $SSLCTLFD<&-"
	[ -n "$APP_CLEAR" ] && printf "$APP_CLEAR" >&7
	exit "${APP_EXIT:-7}"
fi
printf %s "$1" >&"$SSLCTLFD"
cat <&"$SSLCTLFD" > "$T/appblock"
eval "exec $SSLCTLFD<&-"
printf "$2" >&"$SSLWRITEFD"
eval "exec $SSLWRITEFD>&-"
cat <&"$SSLREADFD" > "$T/appgot"
[ -n "$APP_KILL" ] && kill -9 $$
exit "${APP_EXIT:-7}"
EOF
sed -i "s|\$T|$T|g" "$T/app"

# wr MODE SCRIPT CTL DATA: tlswrap [-i] sh $T/app CTL DATA under
# fakepeer's pipes (MODE is w or i). Sets what hd sets, and $app (the
# application's block, what it got, its environment).
wr() {
	printf '%s\n' "$2" > "$T/script"
	: > "$T/wire"
	rm -f "$T/appblock" "$T/appgot" "$T/appenv"
	flag=
	[ "$1" = i ] && flag=-i
	env $TLSENV $APPENV "$TBIN/fakepeer" -o "$T/wire" "$T/script" \
		sh -c 'exec "$@" 2> "$0"' "$T/err" "$BIN/tlswrap" $flag sh "$T/app" "$3" "$4" \
		< /dev/null > "$T/out" 2>> "$T/peer.err"
	rc=$?
	: > "$T/block"
	results
	apps
	APPENV=
}
apps() {
	app=$( (echo "block: $(show < "$T/appblock")"; echo "got: $(show < "$T/appgot")"; cat "$T/appenv") 2> /dev/null | clean)
}

TLS="tls $C/server.pem $C/server.key"
TLS12="tls12 $C/server.pem $C/server.key"
HELLO="$TLS
send 220 hello over tls
expect QUIT"
okblock='SSL_PROTOCOL=TLSv1.3^@SSL_CIPHER=TLS_AES_128_GCM_SHA256^@SSL_TLS_SNI_SERVERNAME^@SSL_PEER_CERT_HASH=SHA256:HASH^@SSL_PEER_CERT_SUBJECT=CN=mx.test^@'
host=mx.test
# fails KIND: the block, fd 1 and fd 2 of a failure of this kind.
# fails KIND TEXT [REASON]: the failure block (REASON: TLSWRAP_REASON,
# SPEC D33) and exit 111.
fails() {
	check "$block" "TLSWRAP_ERROR=$1^@TLSWRAP_REPORT=$2^@${3:+TLSWRAP_REASON=$3^@}"
	check "$out" "
exit 111"
}

case_ 'helper: TLS 1.3, nothing checked: the block, then fd 0 -> peer and peer -> fd 1'
hd "$HELLO" 'QUIT\r\n'
check "$out" "220 hello over tls^M

exit 0"
check "$block" "${okblock}TLSWRAP_VERIFY=certificate not checked^@^@"
check "$wire" 'QUIT^M'
check "$err" ''

case_ 'helper: TLS 1.2, SNI sent and in the block'
TLSENV="TLS_SERVERNAME=mx.test"
hd "$TLS12
send 220 hi" ''
check "$block" "SSL_PROTOCOL=TLSv1.2^@SSL_CIPHER=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256^@SSL_TLS_SNI_SERVERNAME=mx.test^@SSL_PEER_CERT_HASH=SHA256:HASH^@SSL_PEER_CERT_SUBJECT=CN=mx.test^@TLSWRAP_VERIFY=certificate not checked^@^@"
check "$out" "220 hi^M

exit 0"

case_ 'helper: an IP literal in TLS_SERVERNAME sends no SNI'
TLSENV="TLS_SERVERNAME=127.0.0.1"
hd "$TLS" ''
check "$block" "${okblock}TLSWRAP_VERIFY=certificate not checked^@^@"

case_ 'helper: TLS_VERIFY=cert against CAFILE'
TLSENV="TLS_VERIFY=cert CAFILE=$C/ca.pem"
hd "$TLS" ''
check "$block" "${okblock}TLSWRAP_VERIFY=certificate verified^@^@"

case_ 'helper: TLS_VERIFY=name: the first of TLS_NAMES the certificate holds, any case'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem"
export TLS_NAMES='other.test MX.test localhost'
hd "$TLS" ''
unset TLS_NAMES
check "$block" "${okblock}TLSWRAP_VERIFY=certificate verified for MX.test^@^@"

case_ 'helper: TLS_VERIFY=name with no TLS_NAMES checks TLS_SERVERNAME'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_SERVERNAME=localhost"
hd "$TLS" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified for localhost^@^@'

case_ 'helper: TLS_VERIFY=name checks an IP literal against the IP addresses'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=127.0.0.1"
hd "$TLS" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified for 127.0.0.1^@^@'

case_ 'helper: name: no name matches: kind name, the report text, exit 111'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=other.test TLSHOST=relay.test"
hd "$TLS" 'QUIT\r\n'
fails name 'Unable to validate X.500 certificate Subject for: relay.test. (#4.4.1)' \
	'the certificate holds localhost, mx.test, *.wild.test, 127.0.0.1; wanted other.test'
check "$err" 'tlswrap: fatal: unable to validate the certificate name: the certificate holds none of: other.test'
check "$wire" ''

case_ 'helper: name does not take a wildcard certificate'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=a.wild.test"
hd "tls $C/wild.pem $C/server.key" ''
fails name 'Unable to validate X.500 certificate Subject for: unknown. (#4.4.1)' \
	'the certificate holds *.wild.test; wanted a.wild.test'

case_ 'helper: wildcard takes *.wild.test for a.wild.test'
TLSENV="TLS_VERIFY=wildcard CAFILE=$C/ca.pem TLS_NAMES=a.wild.test"
hd "tls $C/wild.pem $C/server.key" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified for a.wild.test^@^@'

case_ 'helper: wildcard: one label only, not b.a.wild.test nor wild.test'
TLSENV="TLS_VERIFY=wildcard CAFILE=$C/ca.pem TLSHOST=$host"
export TLS_NAMES='b.a.wild.test wild.test'
hd "tls $C/wild.pem $C/server.key" ''
unset TLS_NAMES
fails name 'Unable to validate X.500 certificate Subject for: mx.test. (#4.4.1)' \
	'the certificate holds *.wild.test; wanted b.a.wild.test or wild.test'

case_ 'helper: the wrong name, verified chain: kind name'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_SERVERNAME=mx.test"
hd "tls $C/wrongname.pem $C/server.key" ''
fails name 'Unable to validate X.500 certificate Subject for: mx.test. (#4.4.1)' \
	'the certificate holds other.test; wanted mx.test'

for bad in expired notyet selfsigned; do
	case_ "helper: a $bad certificate: kind chain"
	TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_SERVERNAME=mx.test"
	hd "tls $C/$bad.pem $C/server.key" ''
	fails chain 'Unable to verify X.500 certificate from: mx.test. (#4.4.1)' "$(certreason $bad "$C/$bad.pem")"
done
check "$err" 'tlswrap: fatal: unable to verify the certificate chain: x509: certificate signed by unknown authority'

case_ 'helper: an unknown CA: kind chain'
TLSENV="TLS_VERIFY=cert CAFILE=$C/clientca.pem TLSHOST=$host"
hd "$TLS" ''
fails chain 'Unable to verify X.500 certificate from: mx.test. (#4.4.1)' \
	'unknown authority: CN=Test Intermediate CA,O=qmail-remote-go tests is signed by CN=Test Root CA,O=qmail-remote-go tests, not a trusted CA'

# Issue 17 item 7: with the system roots (here SSL_CERT_FILE, which Go
# reads for them) the certificate must allow serverAuth, as WebPKI
# demands; with an admin's CAFILE any extended key usage passes, as with
# OpenSSL.
case_ 'helper: EKU clientAuth only, system roots (SSL_CERT_FILE): kind chain'
TLSENV="TLS_VERIFY=name SSL_CERT_FILE=$C/ca.pem TLS_NAMES=mx.test TLSHOST=$host"
hd "tls $C/clientauth.pem $C/server.key" ''
check "$block" "TLSWRAP_ERROR=chain^@TLSWRAP_REPORT=Unable to verify X.500 certificate from: mx.test. (#4.4.1)^@TLSWRAP_REASON=certificate CN=mx.test (or a CA above it) does not allow serverAuth, which the system roots require (extended key usage)^@"
check "$out" "
exit 111"
check "$err" 'tlswrap: fatal: unable to verify the certificate chain: x509: certificate specifies an incompatible key usage'

case_ 'helper: EKU serverAuth, system roots (SSL_CERT_FILE): verified'
TLSENV="TLS_VERIFY=name SSL_CERT_FILE=$C/ca.pem TLS_NAMES=mx.test"
hd "$TLS" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified for mx.test^@^@'

case_ 'helper: EKU clientAuth only, CAFILE: verified (as OpenSSL)'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=mx.test"
hd "tls $C/clientauth.pem $C/server.key" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified for mx.test^@^@'

case_ 'helper: two intermediates, TLS_DEPTH unset (1): kind chain'
TLSENV="TLS_VERIFY=cert CAFILE=$C/ca.pem TLSHOST=$host"
hd "tls $C/deep.pem $C/server.key" ''
fails chain 'Unable to verify X.500 certificate from: mx.test. (#4.4.1)' \
	'certificate chain too deep: 2 intermediates, TLS_DEPTH 1'
check "$err" 'tlswrap: fatal: unable to verify the certificate chain: certificate chain too deep: 2 intermediates, TLS_DEPTH 1'

case_ 'helper: two intermediates, TLS_DEPTH=2: verified'
TLSENV="TLS_VERIFY=cert CAFILE=$C/ca.pem TLS_DEPTH=2"
hd "tls $C/deep.pem $C/server.key" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified^@^@'

case_ 'helper: one intermediate, TLS_DEPTH=0: kind chain'
TLSENV="TLS_VERIFY=cert CAFILE=$C/ca.pem TLS_DEPTH=0 TLSHOST=$host"
hd "$TLS" ''
fails chain 'Unable to verify X.500 certificate from: mx.test. (#4.4.1)' \
	'certificate chain too deep: 1 intermediates, TLS_DEPTH 0'

case_ 'helper: a 100 KB chain, verified for mx.test'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=mx.test"
hd "tls $C/big.pem $C/server.key
send 220 big" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified for mx.test^@^@'
check "$out" "220 big^M

exit 0"

case_ 'helper: CADIR with a hashed name and a .pem'
mkdir "$T/cadir" "$T/emptydir"
cp "$C/ca.pem" "$T/cadir/1a2b3c4d.0"
cp "$C/clientca.pem" "$T/cadir/client.pem"
TLSENV="TLS_VERIFY=cert CADIR=$T/cadir"
hd "$TLS" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate verified^@^@'

case_ 'helper: a CAFILE that is not there: kind ca, nothing on the wire'
TLSENV="TLS_VERIFY=cert CAFILE=$T/nothere.pem TLSHOST=$host"
hd "$TLS" ''
fails ca "I wasn't able to set up CAFILE: $T/nothere.pem or CADIR:  for TLS. (#4.4.1)"
check "$wire" ''

case_ 'helper: a CADIR without certificates: kind ca'
TLSENV="TLS_VERIFY=cert CADIR=$T/emptydir TLSHOST=$host"
hd "$TLS" ''
fails ca "I wasn't able to set up CAFILE:  or CADIR: $T/emptydir for TLS. (#4.4.1)"

for alg in sha1 sha224 sha256 sha512; do
	case_ "helper: TLS_VERIFY=pin with the $alg fingerprint, upper case"
	TLSENV="TLS_VERIFY=pin TLS_PIN=$(tr a-f A-F < "$C/server.$alg")"
	hd "$TLS" ''
	check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" "certificate matches the pinned $(echo $alg | sed 's/sha/SHA-/') fingerprint^@^@"
done

case_ 'helper: pin: another certificate with the same key: kind pin, the pin as given'
TLSENV="TLS_VERIFY=pin TLS_PIN=$HASH TLSHOST=$host"
hd "tls $C/expired.pem $C/server.key" ''
check "$out" "
exit 111"
check "$(echo "$block" | clean)" "TLSWRAP_ERROR=pin^@TLSWRAP_REPORT=Received X.509 certificate from: mx.test does not match fingerprint: HASH. (#4.4.1)^@TLSWRAP_REASON=the certificate's SHA-256 fingerprint is $(openssl x509 -in "$C/expired.pem" -outform DER | sha256sum | cut -c1-64)^@"

case_ 'helper: a pin of 10 hex digits: kind pinlen, nothing on the wire'
TLSENV="TLS_VERIFY=pin TLS_PIN=0123456789 TLSHOST=$host"
hd "$TLS" ''
fails pinlen 'Invalid digest length provided for: mx.test. (#4.4.1)'

case_ 'helper: TLS_CIPHERS picks the TLS 1.2 suite'
TLSENV="TLS_CIPHERS=!SSLv2:ECDHE-ECDSA-CHACHA20-POLY1305"
hd "$TLS12" ''
check "$(echo "$block" | tr '^' '\n' | grep CIPHER)" '@SSL_CIPHER=TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'

case_ 'helper: TLS_CIPHERS with RSA key exchange, an RSA server'
TLSENV="TLS_CIPHERS=AES128-SHA"
hd "tls12 $C/rsa.pem $C/rsa.key TLS_RSA_WITH_AES_128_CBC_SHA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" ''
check "$(echo "$block" | tr '^' '\n' | grep CIPHER)" '@SSL_CIPHER=TLS_RSA_WITH_AES_128_CBC_SHA'

case_ 'helper: TLS_CIPHERS limits TLS 1.2 only: kRSA still gets TLS 1.3'
TLSENV="TLS_CIPHERS=kRSA"
hd "$TLS" ''
check "$(echo "$block" | sed 's/\^@.*//')" 'SSL_PROTOCOL=TLSv1.3'

case_ 'helper: TLS_CIPHERS=kRSA and an ECDSA TLS 1.2 server: kind handshake'
TLSENV="TLS_CIPHERS=kRSA TLSHOST=$host"
hd "$TLS12" ''
fails handshake "I wasn't able to establish a TLS connection with: mx.test. (#4.4.1)"

case_ 'helper: TLS_CIPHERS that leaves nothing: kind ciphers, nothing on the wire'
TLSENV="TLS_CIPHERS=aNULL:!kRSA TLSHOST=$host"
hd "$TLS" ''
fails ciphers "I wasn't able to process the TLS ciphers: aNULL:!kRSA (#4.4.1)"
check "$wire" ''

case_ 'helper: DANE-EE 3 1 1 matches the leaf; no CA, no name needed (SPEC D30)'
TLSENV="TLS_VERIFY=dane TLS_SERVERNAME=mx.dane.test TLSHOST=mx.dane.test"
export TLS_TLSA="3 1 1 $(cat "$C/server.tlsa311")"
hd "$TLS" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'DANE-EE 3 1 1 matched for mx.dane.test^@^@'

case_ 'helper: DANE-TA 2 0 1 of the intermediate, the name among TLS_NAMES'
TLSENV="TLS_VERIFY=dane TLSHOST=mx.test"
export TLS_TLSA="3 1 1 $(cat "$C/server.sha256"),2 0 1 $(cat "$C/inter.tlsa201")" TLS_NAMES='dane.test mx.test'
hd "$TLS" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'DANE-TA 2 0 1 matched for mx.test^@^@'

case_ 'helper: DANE-TA of the root, which the server does not send: kind dane'
export TLS_TLSA="2 0 1 $(cat "$C/ca.tlsa201")" TLS_NAMES='mx.test'
hd "$TLS" 'QUIT\r\n'
fails dane 'DANE: the certificate of mx.test matches none of its TLSA records. (#4.7.5)'
check "$err" 'tlswrap: fatal: unable to match a TLSA record: the certificate matches none of 1 usable TLSA records'
check "$wire" ''

case_ 'helper: DANE-TA with a name the certificate lacks: kind dane'
export TLS_TLSA="2 0 1 $(cat "$C/inter.tlsa201")" TLS_NAMES='dane.test other.test'
hd "$TLS" ''
fails dane 'DANE: the certificate of mx.test matches none of its TLSA records. (#4.7.5)'

case_ 'helper: DANE-EE, another certificate: kind dane'
export TLS_TLSA="3 0 1 $(cat "$C/server.sha256")"
hd "tls $C/wrongname.pem $C/server.key" ''
fails dane 'DANE: the certificate of mx.test matches none of its TLSA records. (#4.7.5)'

case_ 'helper: DANE with no usable record: TLS, nothing checked'
export TLS_TLSA="1 1 1 $(cat "$C/server.tlsa311"),3 1 1 -"
hd "$TLS" ''
check "$(echo "$block" | sed 's/.*TLSWRAP_VERIFY=//')" 'certificate not checked (no usable TLSA records)^@^@'

case_ 'helper: TLS_VERIFY=dane with a malformed TLS_TLSA: usage error, nothing on the wire'
export TLS_TLSA="3 1 1"
hd "$TLS" ''
check "$out" "
exit 100"
check "$wire" ''
unset TLS_TLSA TLS_NAMES

case_ 'helper: a client certificate, key in KEYFILE: the server verified it'
rm -f "$T/subject"
TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/client.key"
hd "tlsca $C/clientca.pem
clientcert $T/subject
$TLS
send 220 hi" ''
check "$(cat "$T/subject")" 'CN=client.test'
check "$out" "220 hi^M

exit 0"

case_ 'helper: a client certificate and key in one CERTFILE'
rm -f "$T/subject"
TLSENV="CERTFILE=$C/client-both.pem"
hd "tlsca $C/clientca.pem
clientcert $T/subject
$TLS" ''
check "$(cat "$T/subject")" 'CN=client.test'

for k in legacy pkcs8 3des; do
	case_ "helper: the $k encrypted key with its password on KEYPASSFD"
	rm -f "$T/subject"
	TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/client-$k.key KEYPASSFD=8"
	hd "tlsca $C/clientca.pem
clientcert $T/subject
$TLS" '' 8< "$C/pass"
	check "$(cat "$T/subject")" 'CN=client.test'
done

case_ 'helper: the wrong password: kind key, and fd 2 says no password'
printf 'wrong-password\n' > "$T/wrongpass"
TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/client-pkcs8.key KEYPASSFD=8 TLSHOST=$host"
hd "$TLS" '' 8< "$T/wrongpass"
fails key "Can't load X.509 private key: $C/client-pkcs8.key. (#4.4.1)"
check "$err" "tlswrap: fatal: unable to load the client key: $C/client-pkcs8.key: unable to decrypt the key (wrong password?)"

case_ 'helper: the wrong legacy password: kind key'
TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/client-legacy.key KEYPASSFD=8 TLSHOST=$host"
hd "$TLS" '' 8< "$T/wrongpass"
fails key "Can't load X.509 private key: $C/client-legacy.key. (#4.4.1)"

case_ 'helper: an encrypted key and no KEYPASSFD: kind key'
TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/client-pkcs8.key TLSHOST=$host"
hd "$TLS" ''
fails key "Can't load X.509 private key: $C/client-pkcs8.key. (#4.4.1)"

case_ 'helper: a key of another certificate: kind keymatch'
TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/other.key TLSHOST=$host"
hd "$TLS" ''
fails keymatch "Keyfile does not match X.509 certificate: $C/other.key. (#4.4.1)"

case_ 'helper: CERTFILE without a key in it: kind key, naming CERTFILE'
TLSENV="CERTFILE=$C/client.pem TLSHOST=$host"
hd "$TLS" ''
fails key "Can't load X.509 private key: $C/client.pem. (#4.4.1)"

case_ 'helper: CERTFILE not there: kind cert'
TLSENV="CERTFILE=$T/nothere.pem KEYFILE=$C/client.key TLSHOST=$host"
hd "$TLS" ''
fails cert "Can't load X.509 certificate: $T/nothere.pem. (#4.4.1)"

case_ 'helper: CERTFILE holding no certificate: kind cert'
TLSENV="CERTFILE=$C/client.key TLSHOST=$host"
hd "$TLS" ''
fails cert "Can't load X.509 certificate: $C/client.key. (#4.4.1)"

case_ 'helper: a TLS 1.2 server that wants a client certificate and gets none: kind handshake'
TLSENV="TLSHOST=$host"
hd "tlsca $C/clientca.pem
$TLS12" ''
fails handshake "I wasn't able to establish a TLS connection with: mx.test. (#4.4.1)"

case_ 'helper: a peer that answers in clear text: kind handshake'
TLSENV="TCPREMOTEIP=127.0.0.1"
hd 'send 220 not tls
read' ''
fails handshake "I wasn't able to establish a TLS connection with: 127.0.0.1. (#4.4.1)"
check "$err" 'tlswrap: fatal: unable to complete TLS handshake: tls: first record does not look like a TLS handshake'

case_ 'helper: a peer that stalls the handshake, TIMEOUTREMOTE=1: kind handshake'
TLSENV="TIMEOUTREMOTE=1"
hd 'hang' ''
fails handshake "I wasn't able to establish a TLS connection with: unknown. (#4.4.1)"
check "$err" 'tlswrap: fatal: unable to complete TLS handshake: timed out after 1s'

case_ 'helper: the server closes after the handshake: EOF to the application, exit 0'
TLSENV=
hd "$TLS
close" ''
check "$block" "${okblock}TLSWRAP_VERIFY=certificate not checked^@^@"
check "$out" "
exit 0"

case_ 'helper: the server half-closes with close_notify, the application still writes'
hd "$TLS
send 220 bye
shutdown
expect QUIT" 'QUIT\r\n'
check "$out" "220 bye^M

exit 0"
check "$wire" 'QUIT^M'

case_ 'helper: a big transfer both ways'
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "line %05d of the message\r\n", i }' > "$T/bigin"
{ cat "$T/bigin"; printf '.\r\n'; } > "$T/in"
hd "$TLS
data
repeat 20000 250-0123456789012345678901234567890123456789\r\n
send 250 ok" -
check "$(wc -c < "$T/out")" 920008
check "$(cmp "$T/in" "$T/wire" && echo same)" same

case_ 'helper -q: ends once the application'"'"'s bytes went out with close_notify, without waiting for the server (QUIT not awaited)'
printf 'QUIT\r\n' > "$T/in"
printf '%s\n' "$TLS
read
sleep 3000
send 221 too late" > "$T/script"
: > "$T/wire"
start=$(date +%s%N)
env $TLSENV "$TBIN/fakepeer" -o "$T/wire" "$T/script" \
	sh -c 'exec "$0" -d 9 -q 9> "$1" < "$2" 2> "$3"; ' "$BIN/tlswrap" "$T/block" "$T/in" "$T/err" > "$T/out" 2>> "$T/peer.err" &
# tlswrap itself must be done long before the server speaks: the pid is
# fakepeer's, whose child is tlswrap; wait for the wire to hold QUIT and
# tlswrap to be gone.
i=0
while [ $i -lt 100 ] && ! grep -q QUIT "$T/wire" 2> /dev/null; do sleep 0.05; i=$((i + 1)); done
i=0
while [ $i -lt 100 ] && pgrep -f "tlswrap -d 9 -q" > /dev/null; do sleep 0.05; i=$((i + 1)); done
check "$(pgrep -f "tlswrap -d 9 -q" > /dev/null && echo still running || echo ended) $(show < "$T/wire") $(cat "$T/out")" "ended QUIT^M "
wait

# --- usage and descriptors

case_ 'usage: no arguments, -d with a prog, -d 1, 7 or -1, -i alone, -i with -d, -x, -q without -d: exit 100 and the usage line'
u=
for args in '' '-d 9 prog' '-d 1' '-d 7' '-d -1 prog' '-i' '-i -d 9' '-x prog' '-q prog' '-i -q prog'; do
	"$BIN/tlswrap" $args 6< /dev/null 7> /dev/null 2> "$T/err"
	u="$u$? $(cat "$T/err")
"
done
check "$u" "$(for i in 1 2 3 4 5 6 7 8 9 10; do echo "100 usage: tlswrap prog [arg ...] | tlswrap -i prog [arg ...] | tlswrap -d fd [-q] (qmail-remote-go $V)"; done)
"

case_ 'fds 6 and 7 not open: exit 111'
"$BIN/tlswrap" -d 9 6<&- 7>&- 9> /dev/null 2> "$T/err"
check "$? $(cat "$T/err")" '111 tlswrap: fatal: unable to check network fds: fd 6: bad file descriptor'

case_ 'an unknown TLS_VERIFY, TLS_DEPTH or TIMEOUTREMOTE: exit 100'
u=
for e in TLS_VERIFY=all TLS_DEPTH=x TIMEOUTREMOTE=-1 KEYPASSFD=x; do
	env $e "$BIN/tlswrap" -d 9 6< /dev/null 7> /dev/null 9> /dev/null 2> "$T/err"
	u="$u$? $(cat "$T/err")
"
done
check "$u" '100 tlswrap: fatal: unknown TLS_VERIFY: "all"
100 tlswrap: fatal: TLS_DEPTH is not a number: "x"
100 tlswrap: fatal: TIMEOUTREMOTE is not a number of seconds: "-1"
100 tlswrap: fatal: KEYPASSFD is not a descriptor: "x"
'

# --- wrapper mode

STARTTLS="send 220 mx.test ESMTP
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
$TLS"

case_ 'wrapper: STARTTLS in clear, Y, the block, data both ways, the exit code of prog'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=mx.test TLSHOST=$host OTHER=kept"
APPENV=APP_PLAIN=1 wr w "$STARTTLS
expect EHLO x
send 250 hi over tls" Y 'EHLO x\r\n'
check "$out" "
exit 7"
check "$app" "block: ${okblock}TLSWRAP_VERIFY=certificate verified for mx.test^@^@
got: 250 hi over tls^M
OTHER=kept
SSLCTLFD=3
SSLREADFD=4
SSLWRITEFD=5
TLSHOST=mx.test"
check "$wire" 'STARTTLS^M
EHLO x^M'
check "$err" ''

case_ 'wrapper: y: no block, data both ways'
TLSENV=
APPENV=APP_PLAIN=1 wr w "$STARTTLS
expect EHLO x
send 250 hi" y 'EHLO x\r\n'
check "$app" 'block: 
got: 250 hi^M
SSLCTLFD=3
SSLREADFD=4
SSLWRITEFD=5'
check "$out" "
exit 7"

case_ 'wrapper: EOF on the control socket: declined, the network untouched, prog exit code'
APPENV='APP_CLEAR=QUIT\r\n APP_EXIT=3' wr w '' none
check "$out" "
exit 3"
check "$wire" 'QUIT^M'

case_ 'wrapper: an unknown control byte: exit 100, the network untouched'
APPENV=
wr w '' x ''
check "$out" "
exit 100"
check "$err" 'tlswrap: fatal: unrecognized command on control socket'
check "$wire" ''
check "$app" 'block: 
got: 
SSLCTLFD=3
SSLREADFD=4
SSLWRITEFD=5'

case_ 'wrapper: Y and a failed verification: the cut-short block, EOF, exit code of prog'
TLSENV="TLS_VERIFY=cert CAFILE=$C/clientca.pem TLSHOST=$host"
APPENV=APP_PLAIN=1 wr w "$STARTTLS" Y ''
check "$app" 'block: TLSWRAP_ERROR=chain^@TLSWRAP_REPORT=Unable to verify X.500 certificate from: mx.test. (#4.4.1)^@TLSWRAP_REASON=unknown authority: CN=Test Intermediate CA,O=qmail-remote-go tests is signed by CN=Test Root CA,O=qmail-remote-go tests, not a trusted CA^@
got: 
SSLCTLFD=3
SSLREADFD=4
SSLWRITEFD=5
TLSHOST=mx.test'
check "$out" "
exit 7"
check "$err" 'tlswrap: fatal: unable to verify the certificate chain: x509: certificate signed by unknown authority'
check "$wire" 'STARTTLS^M'

case_ 'wrapper: y and a failed handshake: EOF on SSLREADFD'
TLSENV="TLS_CIPHERS=kRSA"
wr w "$TLS12" y ''
check "$app" 'block: 
got: 
SSLCTLFD=3
SSLREADFD=4
SSLWRITEFD=5'
check "$out" "
exit 7"

case_ 'wrapper: the settings stay out of prog, KEYPASSFD is closed, the client key is used'
rm -f "$T/subject"
TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/client-pkcs8.key KEYPASSFD=8 CAFILE=$C/ca.pem CADIR=$T/cadir TLS_VERIFY=cert TLS_NAMES=x"
wr w "tlsca $C/clientca.pem
clientcert $T/subject
$TLS
send 220 hi" Y '' 8< "$C/pass"
check "$app" "block: ${okblock}TLSWRAP_VERIFY=certificate verified^@^@
got: 220 hi^M
SSLCTLFD=3
SSLREADFD=4
SSLWRITEFD=5"
check "$(cat "$T/subject")" 'CN=client.test'

case_ 'wrapper: prog killed by a signal: exit 111'
TLSENV=
APPENV=APP_KILL=1 wr w "$TLS" Y ''
check "$out" "
exit 111"
APPENV=

case_ 'wrapper: prog that cannot run: exit 111'
: > "$T/script"
"$TBIN/fakepeer" "$T/script" "$BIN/tlswrap" "$T/nothere" > /dev/null 2> "$T/err"
check "$? $(sed "s|$T|T|g" "$T/err")" '111 tlswrap: fatal: unable to run T/nothere: fork/exec T/nothere: no such file or directory'

# --- immediate mode

case_ 'immediate: handshake first, the block in the environment, clear text on 6/7'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_SERVERNAME=mx.test SSL_TLS_SNI_SERVERNAME=spoofed"
cat > "$T/iapp" <<EOF
env | grep -E '^(SSL|TLS)' | grep -v '^SSL_CERT_' | sort > "$T/appenv"
read l <&6
printf '%s\n' "\$l" > "$T/appgot"
printf 'QUIT\r\n' >&7
[ -r /dev/fd/3 ] && cat <&3 >> "$T/appgot"
exit 5
EOF
printf 'fd 3 passed through\n' > "$T/err.3"
printf '%s\n' "$TLS
send 220 smtps
expect QUIT" > "$T/script"
: > "$T/wire"
env $TLSENV "$TBIN/fakepeer" -o "$T/wire" "$T/script" \
	sh -c 'exec "$@" 2> "$0" 3< "$0.3"' "$T/err" "$BIN/tlswrap" -i sh "$T/iapp" \
	> "$T/out" 2>> "$T/peer.err"
rc=$?
results
check "$out" "
exit 5"
check "$(cat "$T/appgot")" "220 smtps$(printf '\r')
fd 3 passed through"
check "$(clean < "$T/appenv")" 'SSL_CIPHER=TLS_AES_128_GCM_SHA256
SSL_PEER_CERT_HASH=SHA256:HASH
SSL_PEER_CERT_SUBJECT=CN=mx.test
SSL_PROTOCOL=TLSv1.3
SSL_TLS_SNI_SERVERNAME=mx.test
TLSWRAP_VERIFY=certificate verified for mx.test'
check "$wire" 'QUIT^M'

case_ 'immediate: no SNI: SSL_TLS_SNI_SERVERNAME unset, though it was set'
TLSENV="SSL_TLS_SNI_SERVERNAME=spoofed"
wr i "$TLS" none
check "$app" 'block: 
got: 
SSL_CIPHER=TLS_AES_128_GCM_SHA256
SSL_PEER_CERT_HASH=SHA256:HASH
SSL_PEER_CERT_SUBJECT=CN=mx.test
SSL_PROTOCOL=TLSv1.3
TLSWRAP_VERIFY=certificate not checked'

case_ 'immediate: a failure: one Z report on fd 1, exit 111, prog not run'
TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=other.test TLSHOST=$host"
wr i "$TLS" none
check "$out" "ZUnable to validate X.500 certificate Subject for: mx.test. (#4.4.1)
the certificate holds localhost, mx.test, *.wild.test, 127.0.0.1; wanted other.test
^@
exit 111"
check "$(ls "$T/appenv" 2> /dev/null)" ''
check "$err" 'tlswrap: fatal: unable to validate the certificate name: the certificate holds none of: other.test'

case_ 'immediate: a key that will not load: Z, exit 111, nothing on the wire'
TLSENV="CERTFILE=$C/client.pem KEYFILE=$C/other.key TLSHOST=$host"
wr i "$TLS" none
check "$out" "ZKeyfile does not match X.509 certificate: $C/other.key. (#4.4.1)
^@
exit 111"
check "$wire" ''

# --- the password

case_ 'the key password is in no argv and no environment of tlswrap or prog'
if [ -r /proc/self/environ ]; then
	rm -f "$T/reached" "$T/in.fifo" "$T/pid" "$T/subject"
	mkfifo "$T/reached" "$T/in.fifo"
	printf '%s\n' "tlsca $C/clientca.pem
clientcert $T/subject
$TLS
notify $T/reached
expect QUIT" > "$T/script"
	CERTFILE=$C/client.pem KEYFILE=$C/client-legacy.key KEYPASSFD=8 \
	"$TBIN/fakepeer" "$T/script" sh -c 'echo $$ > "$1"; exec "$0" -d 9 9> /dev/null < "$2"' \
		"$BIN/tlswrap" "$T/pid" "$T/in.fifo" 8< "$C/pass" > "$T/out" 2> "$T/err" &
	exec 4> "$T/in.fifo"
	read l < "$T/reached"
	pid=$(cat "$T/pid")
	seen=$(cat "/proc/$pid/cmdline" "/proc/$pid/environ" | tr '\0' '\n')
	printf 'QUIT\r\n' >&4
	exec 4>&-
	wait
	check "$(echo "$seen" | grep -c "$PASS")" 0
	check "$(echo "$seen" | grep -c KEYPASSFD=8)" 1
	check "$(cat "$T/subject")" 'CN=client.test'
else
	check skipped skipped
fi

# --- over TCP: one socket on fds 6 and 7

if command -v bash > /dev/null 2>&1; then
	# tcp PORT ARGS...: tlswrap ARGS with fds 6 and 7 one TCP socket.
	tcp() {
		port_=$1
		shift
		env $TLSENV $APPENV bash -c 'exec 6<> "/dev/tcp/127.0.0.1/$0" 7>&6; exec "$@"' "$port_" "$@"
	}

	case_ 'TCP: helper mode, verified, data both ways'
	printf '%s\n' "$HELLO" > "$T/script"
	listen 127.0.0.1:0 "$T/wire.tcp" "$T/script"
	TLSENV="TLS_VERIFY=name CAFILE=$C/ca.pem TLS_NAMES=127.0.0.1"
	printf 'QUIT\r\n' > "$T/in"
	tcp "$port" "$BIN/tlswrap" -d 9 9> "$T/block" < "$T/in" > "$T/out" 2> "$T/err"
	rc=$?
	wait $peerpid
	check "$(show < "$T/block" | clean)" "${okblock}TLSWRAP_VERIFY=certificate verified for 127.0.0.1^@^@"
	check "$(show < "$T/out"; echo "exit $rc")" '220 hello over tls^M
exit 0'
	check "$(show < "$T/wire.tcp")" 'QUIT^M'

	case_ 'TCP: wrapper mode, STARTTLS in clear on the socket, then Y'
	printf '%s\n' "$STARTTLS
expect EHLO x
send 250 hi over tls" > "$T/script"
	listen 127.0.0.1:0 "$T/wire.tcp2" "$T/script"
	TLSENV="TLS_VERIFY=cert CAFILE=$C/ca.pem"
	rm -f "$T/appblock" "$T/appgot" "$T/appenv"
	APPENV=APP_PLAIN=1
	tcp "$port" "$BIN/tlswrap" sh "$T/app" Y 'EHLO x\r\n' > "$T/out" 2> "$T/err"
	rc=$?
	wait $peerpid
	apps
	check "$app" "block: ${okblock}TLSWRAP_VERIFY=certificate verified^@^@
got: 250 hi over tls^M
SSLCTLFD=3
SSLREADFD=4
SSLWRITEFD=5"
	check "$rc $(cat "$T/err")" '7 '
	check "$(show < "$T/wire.tcp2")" 'STARTTLS^M
EHLO x^M'

	case_ 'TCP: declined: the peer sees EOF when prog closes 6/7, while prog still runs'
	printf 'expect QUIT\n' > "$T/script"
	listen 127.0.0.1:0 "$T/wire.tcp4" "$T/script"
	rm -f "$T/go"
	mkfifo "$T/go"
	cat > "$T/dapp" <<EOF
eval "exec \$SSLCTLFD<&-"
printf 'QUIT\r\n' >&7
exec 6<&- 7>&-
read x < "$T/go"
exit 4
EOF
	TLSENV=
	tcp "$port" "$BIN/tlswrap" sh "$T/dapp" > "$T/out" 2> "$T/err" &
	twpid=$!
	( sleep 10; kill $peerpid ) 2> /dev/null &
	dog=$!
	wait $peerpid
	peerrc=$?
	kill $dog
	echo go > "$T/go"
	wait $twpid
	check "$peerrc $? $(show < "$T/wire.tcp4")" '0 4 QUIT^M'

	case_ 'TCP: immediate mode'
	printf '%s\n' "$TLS
send 220 smtps
expect QUIT" > "$T/script"
	listen 127.0.0.1:0 "$T/wire.tcp3" "$T/script"
	TLSENV= APPENV=
	tcp "$port" "$BIN/tlswrap" -i sh "$T/iapp" > "$T/out" 2> "$T/err" 3< /dev/null
	rc=$?
	wait $peerpid
	check "$rc $(head -n 1 "$T/appgot")" "5 220 smtps$(printf '\r')"
	check "$(show < "$T/wire.tcp3")" 'QUIT^M'
else
	echo 'tlswrap.sh: info: bash not installed: TCP cases skipped'
fi

finish
