# DANE end to end (SPEC D30): qmail-remote, mxlookup -t, smtpclient and
# tlswrap against fakepeer -l speaking STARTTLS with mkcerts'
# certificates, and fakedns answering with the AD bit for the names
# marked signed, as a validating resolver on loopback would.
# Requirements: bin/*, tests/bin/fakepeer, fakedns, mkcerts.
# Not tested here: real DNSSEC validation (tests/real/dane.sh, with
# unbound and signed zones), the AD bit of a resolver elsewhere (lib/dns's
# Go tests), every TLSA form (tlswrap's Go tests and tlswrap.sh).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
K=$T/certs
"$TBIN/mkcerts" "$K" > /dev/null || { echo "mkcerts failed"; exit 111; }
EE=$(cat "$K/server.tlsa311")
TA=$(cat "$K/inter.tlsa201")
WRONG=$(cat "$K/ca.tlsa201")

home() {
	rm -rf "$C"
	mkdir -p "$C"
	echo helo.test > "$C/helohost"
	echo 5 > "$C/timeoutremote"
	echo 5 > "$C/timeoutconnect"
}

# peer ADDR SCRIPT: fakepeer -l on ADDR:$P (any port when P is unset)
# for one connection; sets $port.
peers=
peer() {
	printf '%s\n' "$2" > "$T/s.$1"
	rm -f "$T/port.fifo" "$T/log.$1"
	mkfifo "$T/port.fifo"
	# Not with fakedns's fds 8 and 9: it ends when fd 9 closes.
	"$TBIN/fakepeer" -l "$1:${P:-0}" -n 1 -o "$T/log.$1" "$T/s.$1" > "$T/port.fifo" 2>> "$T/peer.err" 9>&- 8<&- &
	peers="$peers $!"
	read port < "$T/port.fifo"
}
# waitpeers: the peers end with their connection; one that got none is
# killed after a while, so a failing case cannot hang the suite.
waitpeers() {
	( sleep 20; kill $peers 2> /dev/null ) &
	w=$!
	wait $peers
	kill $w 2> /dev/null
	peers=
}
killpeers() { kill $peers 2> /dev/null; wait $peers 2> /dev/null; peers=; }

# dns RECORDS: fakedns with RECORDS (PORT replaced by $port) and the
# route of dane.test to its MX hosts on $port.
dnsup=
dns() {
	[ -n "$dnsup" ] && stopdns
	printf '%s\n' "$1" | sed "s/PORT/$port/g" > "$T/zone"
	: > "$T/dns.log"
	startdns "$T/zone"
	dnsup=1
	echo "dane.test::$port" > "$C/smtproutes"
}

qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/qr.err"
	echo "exit $?" >> "$T/out"
	[ -s "$T/qr.err" ] && { echo "stderr:"; cat "$T/qr.err"; } >> "$T/out"
	show < "$T/out"
}
cipher() { sed 's/TLS_AES_128_GCM_SHA256\|TLS_AES_256_GCM_SHA384\|TLS_CHACHA20_POLY1305_SHA256/<cipher>/'; }

printf 'Subject: dane\n\nhello\n' > "$T/msg"

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
tlsok="$(starttls)
$rest"
# A handshake that tlswrap gives up on: the peer sees nothing more.
tlsbad="$(starttls)"
notls="send 220 mx.test ESMTP
read
send 250 mx.test
read"

# The signed zones: dane.test and the MX hosts under mx.test; plain.test
# is not signed.
signed='dane.test AD
dane.test MX 10 mx.test
mx.test AD
mx.test A 127.0.0.2
mx2.test AD
mx2.test A 127.0.0.3
other.dane.test A 127.0.0.2'

K2='r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued'

case_ 'DANE-EE 3 1 1 matches: K names the record and the MX host'
home
peer 127.0.0.2 "$tlsok"
dns "$signed
_PORT._tcp.mx.test TLSA 3 1 1 $EE"
check "$(qr dane.test s@x.test r@dane.test | cipher)" "$K2
TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx.test
^@exit 0"
waitpeers
check "$(grep -c "TLSA" "$T/dns.log")" 1

case_ 'DANE-TA 2 0 1 of the intermediate, the certificate names the MX host'
home
peer 127.0.0.2 "$tlsok"
dns "$signed
_PORT._tcp.mx.test TLSA 2 0 1 $TA"
check "$(qr dane.test s@x.test r@dane.test | cipher)" "$K2
TLS: TLSv1.3 <cipher>; DANE-TA 2 0 1 matched for mx.test
^@exit 0"
waitpeers

case_ 'DANE-EE that matches nothing: Z, never clear text'
home
peer 127.0.0.2 "$tlsbad"
dns "$signed
_PORT._tcp.mx.test TLSA 3 0 1 $WRONG"
check "$(qr dane.test s@x.test r@dane.test | head -n 1)" 'ZDANE: the certificate of mx.test matches none of its TLSA records. (#4.7.5)'
waitpeers

case_ 'DANE-TA whose names the certificate lacks: Z'
home
peer 127.0.0.2 "$tlsbad"
dns "dane.test AD
dane.test MX 10 other.dane.test
other.dane.test A 127.0.0.2
_PORT._tcp.other.dane.test TLSA 2 0 1 $TA"
check "$(qr dane.test s@x.test r@dane.test | head -n 1)" 'ZDANE: the certificate of other.dane.test matches none of its TLSA records. (#4.7.5)'
waitpeers

case_ 'TLSA records, STARTTLS not offered: Z with the DANE text'
home
peer 127.0.0.2 "$notls"
dns "$signed
_PORT._tcp.mx.test TLSA 3 1 1 $EE"
check "$(qr dane.test s@x.test r@dane.test)" 'ZDANE: mx.test has TLSA records but does not offer STARTTLS. (#4.7.5)
^@exit 0'
waitpeers

case_ 'only unusable records: TLS mandatory, nothing checked'
home
peer 127.0.0.2 "$tlsok"
dns "$signed
_PORT._tcp.mx.test TLSA 1 1 1 $EE"
check "$(qr dane.test s@x.test r@dane.test | cipher)" "$K2
TLS: TLSv1.3 <cipher>; certificate not checked (no usable TLSA records)
^@exit 0"
waitpeers

case_ 'a failed TLSA lookup: the host is not tried, Z with the DANE text'
home
peer 127.0.0.2 "$tlsok"
dns "$signed
_PORT._tcp.mx.test SERVFAIL"
check "$(qr dane.test s@x.test r@dane.test)" 'ZDANE: TLSA lookup failed temporarily for mx.test. (#4.4.3)
^@exit 0'
killpeers
check "$(show < "$T/log.127.0.0.2")" ''

case_ 'the first MX fails DANE, the second passes: delivered there'
home
peer 127.0.0.2 "$tlsbad"
P=$port peer 127.0.0.3 "$tlsok"
dns "$signed
dane.test MX 20 mx2.test
_PORT._tcp.mx.test TLSA 3 0 1 $WRONG
_PORT._tcp.mx2.test TLSA 3 1 1 $EE"
check "$(qr dane.test s@x.test r@dane.test | cipher)" "r^@K127.0.0.3 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx2.test
^@exit 0"
waitpeers

case_ 'a failed TLSA lookup for the first MX, the second passes'
home
P=$port peer 127.0.0.3 "$tlsok"
dns "$signed
dane.test MX 20 mx2.test
_PORT._tcp.mx.test SERVFAIL
_PORT._tcp.mx2.test TLSA 3 1 1 $EE"
check "$(qr dane.test s@x.test r@dane.test | cipher | head -n 1)" "r^@K127.0.0.3 TLS transmitted message accepted."
waitpeers

case_ 'an unsigned zone: no TLSA query, opportunistic TLS as before'
home
peer 127.0.0.2 "$tlsok"
dns "plain.test MX 10 mxp.test
mxp.test A 127.0.0.2
_PORT._tcp.mxp.test TLSA 3 0 1 $WRONG"
echo "plain.test::$port" > "$C/smtproutes"
check "$(qr plain.test s@x.test r@plain.test | cipher)" "$K2
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
waitpeers
check "$(grep -c "TLSA" "$T/dns.log")" 0

case_ 'a signed MX host under an unsigned MX answer: no DANE (RFC 7672 2.2.1)'
home
peer 127.0.0.2 "$tlsok"
dns "plain.test MX 10 mx.test
mx.test AD
mx.test A 127.0.0.2
_PORT._tcp.mx.test TLSA 3 0 1 $WRONG"
echo "plain.test::$port" > "$C/smtproutes"
check "$(qr plain.test s@x.test r@plain.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
waitpeers

case_ 'a tlsdestinations rule keyed on the routed host wins over DANE (D28)'
home
peer 127.0.0.2 "$tlsok"
dns "$signed
_PORT._tcp.mx.test TLSA 3 0 1 $WRONG"
echo '-dane.test:' > "$C/tlsdestinations"
check "$(qr dane.test s@x.test r@dane.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
waitpeers

case_ 'a * rule does not: !*: still DANE'
home
peer 127.0.0.2 "$tlsok"
dns "$signed
_PORT._tcp.mx.test TLSA 3 1 1 $EE"
echo '!*:' > "$C/tlsdestinations"
check "$(qr dane.test s@x.test r@dane.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx.test
^@exit 0"
waitpeers

case_ 'a relay by name (smtproutes): its TLSA records apply'
home
peer 127.0.0.2 "$tlsok"
dns "$signed
_PORT._tcp.mx.test TLSA 3 1 1 $EE"
echo "relay.test:mx.test:$port" > "$C/smtproutes"
check "$(qr relay.test s@x.test r@relay.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx.test
^@exit 0"
waitpeers

# SMTPS (port 465): tlswrap -i does the handshake with the DANE checks,
# whatever level a '*' form says. Root only (port 465); 127.0.0.47, where
# no other suite listens (tests/real/setup's Postfix may hold
# 127.0.0.2:465).
if [ "$(id -u)" = 0 ]; then
smtps="tls $K/wrongname.pem $K/server.key
send 220 mx.test ESMTP
$rest"
signed465=$(printf '%s\n' "$signed" | sed 's/^mx.test A 127.0.0.2$/mx.test A 127.0.0.47/')

case_ 'SMTPS to a DANE host with a !* rule: TLS at connect under tlswrap -i, DANE-EE matched'
home
P=465 peer 127.0.0.47 "$smtps"
dns "$signed465
_465._tcp.mx.test TLSA 3 1 1 $EE"
echo 'dane.test::465' > "$C/smtproutes"
echo '!*:' > "$C/tlsdestinations"
check "$(qr dane.test s@x.test r@dane.test | cipher)" "r^@K127.0.0.47 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx.test
^@exit 0"
waitpeers

case_ 'SMTPS to a DANE host, a * rule gives port 465: a record that matches nothing: Z from DANE, no SMTP'
home
P=465 peer 127.0.0.47 "$smtps"
dns "$signed465
_465._tcp.mx.test TLSA 3 0 1 $WRONG"
rm -f "$C/smtproutes"
echo '*::465' > "$C/tlsdestinations"
check "$(qr dane.test s@x.test r@dane.test | head -n 1)" "ZDANE: the certificate of mx.test matches none of its TLSA records. (#4.7.5)"
waitpeers
check "$(cat "$T/log.127.0.0.47")" ""
else
	echo 'skip - SMTPS to a DANE host: port 465 needs root'
fi

[ -n "$dnsup" ] && stopdns
finish
