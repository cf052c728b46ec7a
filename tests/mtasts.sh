# MTA-STS end to end (SPEC D31, D32): qmail-remote with a control dir in
# $T, fakedns serving the _mta-sts TXT record and the addresses, an HTTPS
# policy server of the tests' own (fakepeer -l under tls on 127.0.0.9,
# reached through qmail-remote's test-only QMAILREMOTE_MTASTS_PORT) and
# an SMTP peer (fakepeer -l on 127.0.0.2) with certificates from
# tests/bin/mkcerts. SSL_CERT_FILE makes the test CA the "system" roots.
# Each case waits for its peers after qmail-remote ends (waitpeer): a peer
# that was never connected to fails the case within 20 s.
# The domain is wild.test (its policy host mta-sts.wild.test matches the
# certificate's *.wild.test); its MX is mx.test. Deliveries go by MX to
# the peer's port through smtproutes ".test::PORT" (an MX lookup with a
# port, not a relay).
# Requirements: bin/*, tests/bin/fakepeer, fakedns, mkcerts.
# Not tested here: the parsers (lib/mtasts go tests and fuzz targets),
# every HTTP case of the fetch (stsfetch.sh), the TXT lookup alone
# (mxlookup.sh), port 443 itself.
. "$(dirname "$0")/lib.sh"

K=$T/certs
"$TBIN/mkcerts" "$K" > /dev/null || { echo "mkcerts failed"; exit 111; }
export SSL_CERT_FILE=$K/ca.pem SSL_CERT_DIR=/nonexistent
H=$T/home
C=$H/control
CACHE=$H/queue/lock/mtasts

home() {
	rm -rf "$H"
	mkdir -p "$C" "$CACHE"
	echo me.test > "$C/me"
	echo helo.test > "$C/helohost"
	echo 5 > "$C/timeoutremote"
	echo 5 > "$C/timeoutconnect"
}

# dns TXT [RECORDS]: fakedns for wild.test, with TXT as the _mta-sts
# record (none when empty), and RECORDS (fakedns's lines) added; mx.test
# is at $MXADDR (127.0.0.2).
dns() {
	[ -n "$dnspid" ] && stopdns
	{
		echo 'wild.test MX 10 mx.test'
		echo "mx.test A ${MXADDR:-127.0.0.2}"
		echo 'mta-sts.wild.test A 127.0.0.9'
		[ -n "$1" ] && echo "_mta-sts.wild.test TXT $1"
		[ -n "${2:-}" ] && printf '%s\n' "$2"
	} > "$T/zone"
	startdns "$T/zone"
}
dnspid=

# web SCRIPT: the HTTPS policy server for one connection; the request
# is checked, then SCRIPT. Sets $hport; what it received goes to
# $T/web.log.
web() {
	printf '%s\n' "tls $K/server.pem $K/server.key
expect GET /.well-known/mta-sts.txt HTTP/1.1
expect Host: mta-sts.wild.test
read
read
expect Connection: close
expect 
$1" > "$T/web.script"
	rm -f "$T/web.log"
	listen 127.0.0.9:0 "$T/web.log" "$T/web.script"
	hport=$port webpid=$peerpid
	QMAILREMOTE_MTASTS_PORT=$hport
	export QMAILREMOTE_MTASTS_PORT
}
# policy MODE [MX...]: a 200 response with that policy.
policy() {
	mode=$1
	shift
	body="version: STSv1\r\nmode: $mode\r\n"
	for m in "$@"; do body="${body}mx: $m\r\n"; done
	body="${body}max_age: 86400\r\n"
	printf 'send HTTP/1.1 200 OK\nsend Content-Type: text/plain\nsend \nraw %s\nclose\n' "$body"
}
# noweb: nothing listens for the policy host (a fetch fails at connect).
noweb() { QMAILREMOTE_MTASTS_PORT=1; export QMAILREMOTE_MTASTS_PORT; }

# smtp SCRIPT: the SMTP peer on 127.0.0.2, and the route to its port.
smtp() {
	printf '%s\n' "$1" > "$T/smtp.script"
	rm -f "$T/smtp.log"
	listen 127.0.0.2:0 "$T/smtp.log" "$T/smtp.script"
	smtppid=$peerpid
	echo ".test::$port" > "$C/smtproutes"
}
rest='read
send 250-mx.test
send 250 8BITMIME
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued
read
send 221 bye'
plain="send 220 mx.test ESMTP
$rest"

# waitpeer NAME...: waits for the peers of the case ($webpid, $smtppid),
# which qmail-remote has finished with by then, and fails the case when
# one ended other than 0 (fakepeer exits 100 when the client did not
# send what its script expects) or was never connected to: such a peer
# would listen on for 120 s (fakepeer's bound on accept). The 20 s it is
# given bounds the suite, not qmail-remote, which has exited already.
waitpeer() {
	rm -f "$T/stuck"
	wp_pids=
	for wp_n in "$@"; do eval "wp_pids=\"\$wp_pids \$${wp_n}pid\""; done
	(
		trap 'kill $wp_s 2> /dev/null; exit 0' TERM
		sleep 20 &
		wp_s=$!
		wait $wp_s
		touch "$T/stuck"
		kill $wp_pids
	) > /dev/null 2>&1 &
	wp_dog=$!
	wp_bad=
	for wp_n in "$@"; do
		eval "wait \$${wp_n}pid" 2> /dev/null
		wp_rc=$?
		[ "$wp_rc" = 0 ] || wp_bad="$wp_bad $wp_n peer: exit $wp_rc"
	done
	kill $wp_dog 2> /dev/null
	wait $wp_dog 2> /dev/null
	[ -f "$T/stuck" ] && wp_bad="$wp_bad (still listening 20 s after qmail-remote ended: never connected to)"
	check "peers:$wp_bad" "peers:"
}

printf 'Subject: mta-sts\n\nhello\n' > "$T/msg"
qr() {
	QMAILHOME=$H "$BIN/qmail-remote" wild.test s@x.test r@wild.test < "${MSG:-$T/msg}" 2> "$T/qr.err" | show
	[ -s "$T/qr.err" ] && { echo "stderr:"; cat "$T/qr.err"; }
}
# cache: the cache file's first line, the expiry shown as "EXP" when it
# is 86400 s from now give or take a minute.
cache() {
	[ -f "$CACHE/wild.test" ] || { echo "no cache file"; return; }
	now=$(date +%s)
	awk -v now="$now" 'NR == 1 { d = $3 - now; if (d > 86340 && d <= 86400) $3 = "EXP"; print; next } { print }' "$CACHE/wild.test"
}
# unhold: forget the failed fetch (mtasts.FailHold) that an earlier case
# left, for a case that needs another fetch under the same id.
unhold() { rm -f "$CACHE/wild.test,failed"; }
# held: the failed fetch kept, its time shown as "UNTIL" when it is 300 s
# from now give or take a minute.
held() {
	[ -f "$CACHE/wild.test,failed" ] || { echo "no failed fetch kept"; return; }
	now=$(date +%s)
	awk -v now="$now" '{ d = $3 - now; if (d > 240 && d <= 300) $3 = "UNTIL"; print }' "$CACHE/wild.test,failed"
}
K_TLS="r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; MTA-STS enforce: certificate verified for mx.test
^@"

case_ 'enforce, fetched: STARTTLS, the certificate checked for the MX host, the K report says MTA-STS; the policy cached'
home
dns 'v=STSv1; id=one'
web "$(policy enforce mx.test)"
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
waitpeer web smtp
check "$(cache)" 'STSv1 one EXP
version: STSv1
mode: enforce
mx: mx.test
max_age: 86400'

case_ 'enforce, cached under the same id: no HTTPS request at all (nothing listens), still enforced'
noweb
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
waitpeer smtp

case_ 'enforce, cached: a certificate without the MX name is a mandatory-TLS failure naming MTA-STS and the host'
smtp "$(starttls wrongname.pem)"
check "$(qr)" "ZMTA-STS: Unable to validate X.500 certificate Subject for: mx.test. (#4.4.1)
the certificate holds other.test; wanted mx.test
^@"
waitpeer smtp

case_ 'enforce, cached: no STARTTLS offered: Z, no clear text'
smtp 'send 220 mx.test ESMTP
read
send 250 mx.test
read
send 221 bye'
check "$(qr)" "ZMTA-STS: I wasn't able to negotiate a TLS connection with: mx.test. (#4.4.1)
^@"
waitpeer smtp

case_ 'D32: TLS-Required: No in the header turns enforcement off: the wrong certificate is taken'
printf 'Subject: x\nTLS-required:\n no\n\nhello\n' > "$T/msg2"
smtp "$(starttls wrongname.pem)
$rest"
check "$(MSG=$T/msg2 qr)" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked; TLS-Required: No (MTA-STS enforce not applied)
^@"
waitpeer smtp

case_ 'no TXT record: the unexpired cached policy still applies'
dns ''
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
waitpeer smtp

case_ 'a changed id with a failed refetch (404): the cached policy is kept and used'
dns 'v=STSv1; id=two'
web 'send HTTP/1.1 404 Not Found
send Content-Length: 0
send 
close'
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
waitpeer web smtp
check "$(cache | head -1)|$(held)" 'STSv1 one EXP|failed two UNTIL'

case_ 'a failed refetch holds for its id: the next delivery fetches nothing (the server would say none) and keeps the cached enforce'
web "$(policy none)"
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
kill $webpid 2> /dev/null
wait $webpid 2> /dev/null
waitpeer smtp
check "$(cat "$T/web.log" 2> /dev/null)|$(cache | head -1)" '|STSv1 one EXP'

case_ 'a changed id refetches: the new policy (none) replaces the cached one, and the failed fetch goes'
unhold
web "$(policy none)"
smtp "$(starttls wrongname.pem)
$rest"
check "$(qr)" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked
^@"
waitpeer web smtp
check "$(cache)|$(held)" 'STSv1 two EXP
version: STSv1
mode: none
max_age: 86400|no failed fetch kept'

case_ 'enforce, an MX the policy does not list: Z, no connection'
home
dns 'v=STSv1; id=three'
web "$(policy enforce other.test '*.wild.test')"
check "$(qr)" "ZMTA-STS: no MX host of wild.test matches its policy. (#4.7.5)
^@"
waitpeer web

case_ 'enforce, an MX the policy does not list but with DANE-EE (signed): DANE wins, delivered with its check alone'
home
# the peer first (the TLSA record names its port), with no fakedns
# running: a peer holding fakedns's fd 9 would keep it from ending
stopdns
dnspid=
smtp "$(starttls wrongname.pem)
$rest"
dns 'v=STSv1; id=dane' "wild.test AD
mx.test AD
_$port._tcp.mx.test TLSA 3 1 1 $(cat "$K/server.tlsa311")"
web "$(policy enforce other.test)"
check "$(qr)" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; DANE-EE 3 1 1 matched for mx.test
^@"
waitpeer web smtp

case_ 'enforce, the same unlisted DANE host whose record matches nothing: Z from DANE, never clear text'
stopdns
dnspid=
smtp "$(starttls wrongname.pem)"
dns 'v=STSv1; id=dane' "wild.test AD
mx.test AD
_$port._tcp.mx.test TLSA 3 1 1 $(cat "$K/ca.tlsa201")"
check "$(qr | head -1)" "ZDANE: the certificate of mx.test matches none of its TLSA records. (#4.7.5)"
waitpeer smtp

case_ 'testing: delivered as without a policy; the TLS line says what enforce would have refused (the name)'
home
dns 'v=STSv1; id=four'
web "$(policy testing mx.test)"
smtp "$(starttls wrongname.pem)
$rest"
check "$(qr)" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked; MTA-STS testing: would have failed: the certificate holds none of: mx.test
^@"
waitpeer web smtp

case_ 'testing, cached: a good certificate: the TLS line says enforce would have passed'
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked; MTA-STS testing: certificate verified for mx.test
^@"
waitpeer smtp

case_ 'testing, cached: no STARTTLS: delivered in clear text, the report says enforce would have refused'
smtp "$plain"
check "$(qr)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
TLS: none; MTA-STS testing: would have failed: no STARTTLS
^@"
waitpeer smtp

case_ 'testing: an MX host the policy does not list: delivered, the report says so'
home
dns 'v=STSv1; id=five'
web "$(policy testing other.test)"
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked
MTA-STS testing: would have failed: mx.test matches no mx pattern of the policy
^@"
waitpeer web smtp

case_ 'a redirect is not followed: no policy, delivered as without one, nothing cached'
home
web 'send HTTP/1.1 302 Found
send Location: https://mta-sts.wild.test/elsewhere
send Content-Length: 0
send 
close'
smtp "$plain"
check "$(qr)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@"
waitpeer web smtp
check "$(cache)|$(held)" 'no cache file|failed five UNTIL'

case_ 'no policy and a failed fetch held for its id: no fetch (the server would say enforce), delivered as without a policy'
web "$(policy enforce other.test)"
smtp "$plain"
check "$(qr)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@"
kill $webpid 2> /dev/null
wait $webpid 2> /dev/null
waitpeer smtp
check "$(cat "$T/web.log" 2> /dev/null)|$(cache)" '|no cache file'

case_ 'a new id fetches at once, whatever failed under the old one'
dns 'v=STSv1; id=six'
web "$(policy enforce mx.test)"
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
waitpeer web smtp
check "$(cache | head -1)|$(held)" 'STSv1 six EXP|no failed fetch kept'
rm -f "$CACHE/wild.test"
dns 'v=STSv1; id=five'

case_ 'a slow policy server: the fetch gives up within timeoutremote, delivered as without a policy'
unhold
web "send HTTP/1.1 200 OK
send 
trickle 300 $(printf 'version: STSv1\\r\\nmode: enforce\\r\\nmx: other.test\\r\\nmax_age: 86400\\r\\n')
close"
smtp "$plain"
check "$(qr)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@"
kill $webpid 2> /dev/null
waitpeer smtp
check "$(cache)" 'no cache file'

case_ 'a policy host with a certificate for another name: no policy'
unhold
printf '%s\n' "tls $K/wrongname.pem $K/server.key
close" > "$T/web.script"
listen 127.0.0.9:0 "$T/web.log" "$T/web.script"
QMAILREMOTE_MTASTS_PORT=$port webpid=$peerpid
smtp "$plain"
check "$(qr)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@"
waitpeer web smtp

case_ 'a broken cache directory (a file) never fails a delivery: fetched and enforced each time'
home
rmdir "$CACHE"
echo junk > "$CACHE"
web "$(policy enforce mx.test)"
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
waitpeer web smtp

case_ 'an unreadable, malformed cache file is no cache: fetched again, and replaced'
home
echo 'garbage' > "$CACHE/wild.test"
web "$(policy enforce mx.test)"
smtp "$(starttls server.pem)
$rest"
check "$(qr)" "$K_TLS"
waitpeer web smtp
check "$(cache | head -1)" 'STSv1 five EXP'

case_ 'a relay route: no MTA-STS (no TXT query)'
home
n=$(grep -c '_mta-sts' "$T/dns.log")
smtp "$plain"
echo "wild.test:127.0.0.2:$port" > "$C/smtproutes"
check "$(qr)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@"
waitpeer smtp
check "$(grep -c '_mta-sts' "$T/dns.log")" "$n"

# SMTPS (port 465 from a tlsdestinations rule for '*'): tlswrap -i does
# the handshake, with enforce's checks and texts. Root only (port 465);
# 127.0.0.46, where no other suite listens (tests/real/setup's Postfix
# may hold 127.0.0.2:465).
# smtps SCRIPT: the SMTPS peer on 127.0.0.46:465, fakedns stopped first
# (a peer holding its fd 9 would keep it from ending).
smtps() {
	stopdns
	dnspid=
	printf '%s\n' "$1" > "$T/smtp.script"
	rm -f "$T/smtp.log" "$C/smtproutes"
	listen 127.0.0.46:465 "$T/smtp.log" "$T/smtp.script"
	smtppid=$peerpid
}
if [ "$(id -u)" = 0 ]; then
MXADDR=127.0.0.46
case_ 'SMTPS under enforce (a * rule gives port 465): the certificate checked for the MX host, the K report says MTA-STS'
home
echo '*::465' > "$C/tlsdestinations"
smtps "tls $K/server.pem $K/server.key
$plain"
dns 'v=STSv1; id=smtps'
web "$(policy enforce mx.test)"
check "$(qr)" "r^@K127.0.0.46 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; MTA-STS enforce: certificate verified for mx.test
^@"
waitpeer web smtp

case_ 'SMTPS under enforce, cached: a certificate without the MX name: Z naming MTA-STS and the host, no SMTP'
smtps "tls $K/wrongname.pem $K/server.key
$plain"
dns 'v=STSv1; id=smtps'
check "$(qr)" "ZMTA-STS: Unable to validate X.500 certificate Subject for: mx.test. (#4.4.1)
the certificate holds other.test; wanted mx.test
^@"
waitpeer smtp
check "$(cat "$T/smtp.log")" ""

case_ 'SMTPS under enforce, port 465 from smtproutes and a !* rule: TLS at connect all the same, with the checks of the policy'
echo '!*:' > "$C/tlsdestinations"
smtps "tls $K/server.pem $K/server.key
$plain"
echo 'wild.test::465' > "$C/smtproutes"
dns 'v=STSv1; id=smtps'
check "$(qr)" "r^@K127.0.0.46 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; MTA-STS enforce: certificate verified for mx.test
^@"
waitpeer smtp

case_ 'SMTPS under enforce: an MX the policy does not list: Z, no connection'
home
echo '*::465' > "$C/tlsdestinations"
dns 'v=STSv1; id=smtps2'
web "$(policy enforce other.test)"
check "$(qr)" "ZMTA-STS: no MX host of wild.test matches its policy. (#4.7.5)
^@"
waitpeer web
MXADDR=
else
	echo 'skip - SMTPS under MTA-STS enforce: port 465 needs root'
fi

stopdns
finish
