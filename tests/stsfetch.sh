# stsfetch alone, under tlswrap -i as qmail-remote runs it, against
# fakepeer playing an HTTPS server over pipes (fakepeer SCRIPT prog):
# the certificate from tests/bin/mkcerts, checked as qmail-remote asks
# (TLS_VERIFY=wildcard, the name mta-sts.DOMAIN) against the "system"
# roots, which SSL_CERT_FILE points at the test CA. Each case shows
# stsfetch's fd 1 and the exit code; the request is checked line by line
# by the script (expect).
# Requirements: bin/stsfetch, bin/tlswrap, tests/bin/fakepeer,
# tests/bin/mkcerts.
# Not tested here: the unit cases of the HTTP reader (stsfetch/http_test.go:
# chunked bodies, header bounds) and the cache and qmail-remote's use of
# the result (qmail-remote-mtasts.sh).
. "$(dirname "$0")/lib.sh"

C=$T/certs
"$TBIN/mkcerts" "$C" > /dev/null || exit 111

POLICY='version: STSv1\r\nmode: enforce\r\nmx: mx.test\r\nmx: *.wild.test\r\nmax_age: 86400\r\n'
CANON='version: STSv1
mode: enforce
mx: mx.test
mx: *.wild.test
max_age: 86400'

# fetch SCRIPT [CERT]: runs tlswrap -i stsfetch wild.test against
# fakepeer with SCRIPT after the handshake and the request; sets $out
# (fd 1, then "exit N").
fetch() {
	{
		echo "tls $C/${2:-server}.pem $C/server.key"
		echo 'expect GET /.well-known/mta-sts.txt HTTP/1.1'
		echo 'expect Host: mta-sts.wild.test'
		echo 'read'
		echo 'read'
		echo 'expect Connection: close'
		echo 'expect '
		printf '%s\n' "$1"
	} > "$T/script"
	out=$(env SSL_CERT_FILE="$C/ca.pem" SSL_CERT_DIR=/nonexistent TLS_VERIFY=wildcard \
		TLS_SERVERNAME=mta-sts.wild.test TLSHOST=mta-sts.wild.test TLS_DEPTH=8 TIMEOUTREMOTE=${TO:-10} \
		"$TBIN/fakepeer" "$T/script" "$BIN/tlswrap" -i "$BIN/stsfetch" wild.test 2>> "$T/err"
		echo "exit $?")
}

case_ 'a 200 with a valid policy: printed in canonical form, exit 0'
fetch "send HTTP/1.1 200 OK
send Content-Type: text/plain
send Content-Length: 77
send 
raw $POLICY
close"
check "$out" "$CANON
exit 0"

case_ 'a body up to the end of the connection'
fetch "send HTTP/1.0 200 OK
send 
raw $POLICY
close"
check "$out" "$CANON
exit 0"

case_ 'a 404: no policy, exit 100'
fetch 'send HTTP/1.1 404 Not Found
send Content-Length: 0
send 
close'
check "$out" 'mta-sts.wild.test: the server answered "404 Not Found", not 200
exit 100'

case_ 'a redirect is not followed: exit 100'
fetch 'send HTTP/1.1 301 Moved Permanently
send Location: https://mta-sts.other.test/.well-known/mta-sts.txt
send Content-Length: 0
send 
close'
check "$out" 'mta-sts.wild.test: the server answered "301 Moved Permanently", not 200
exit 100'

case_ 'an invalid policy: exit 100, the reason'
fetch "send HTTP/1.1 200 OK
send 
raw version: STSv1\nmode: strict\nmx: mx.test\nmax_age: 1\n
close"
check "$out" 'mta-sts.wild.test: invalid policy: line 2: invalid mode: "strict"
exit 100'

case_ 'a body over 64 KiB: exit 100'
fetch "send HTTP/1.1 200 OK
send 
raw $POLICY
repeat 65536 x
close"
check "$out" 'mta-sts.wild.test: policy over 65536 bytes
exit 100'

case_ 'a slow server: the whole fetch ends within TIMEOUTREMOTE, exit 111'
TO=2 fetch "send HTTP/1.1 200 OK
send 
trickle 500 $POLICY
close"
TO=
check "$(echo "$out" | sed 's/: unable to read the policy: .*/: unable to read the policy: REASON/')" 'mta-sts.wild.test: unable to read the policy: REASON
exit 111'

case_ 'the connection closes before the header ends: exit 111'
fetch 'raw HTTP/1.1 200 OK\r\nContent-Le
close'
check "$out" 'mta-sts.wild.test: the connection closed before the end of the header
exit 111'

case_ 'a certificate for another name: tlswrap refuses it, stsfetch never runs'
fetch 'close' wrongname
check "$out" 'ZUnable to validate X.500 certificate Subject for: mta-sts.wild.test. (#4.4.1)
the certificate holds other.test; wanted mta-sts.wild.test
exit 111'

case_ 'usage: no domain, two, or one that is not a host name: exit 100'
u=
for args in '' 'a.test b.test' '../x' 'a_b.test'; do
	"$BIN/stsfetch" $args < /dev/null > /dev/null 2> "$T/u"
	u="$u$? $(cat "$T/u");"
done
U="100 usage: stsfetch domain (qmail-remote-go $V);"
check "$u" "$U$U$U$U"

finish
