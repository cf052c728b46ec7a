# DANE against real DNSSEC (SPEC D30): zones of our own, signed at test
# time with ldnsutils (ldns-keygen, ldns-signzone), served by a validating
# unbound of this suite's own (on 127.0.0.1, port $REAL_DNS + 100, with
# our trust anchor; the shared unbound of tests/real/setup is not
# touched), and Postfix's smtpd of tests/real/setup with its certificate.
# Cases: a matching DANE-EE record, one that matches nothing, a second MX
# that passes when the first fails, a TLSA RRset whose signature is
# broken (the lookup fails: the host is skipped), a bogus zone, an
# unsigned zone, a signed zone whose MX host has no TLSA records (an
# authenticated denial: no DANE), a relay by name, and DANE-TA.
# Requirements: bin/*, unbound, ldnsutils, openssl, the peers of
# tests/real/setup. Postfix's posttls-finger checks the same zones
# independently when we are root: it asks /etc/resolv.conf's servers on
# port 53, so it runs in a mount namespace of its own (unshare -m) where
# /etc/resolv.conf names a second unbound of ours on 127.0.0.153:53.
# DANE-TA needs a server that sends its CA: Postfix's certificate comes
# without one, so for wild.test (a second signed zone) the server is
# tests/bin/fakepeer with mkcerts' chain (its leaf names *.wild.test, its
# intermediate CA is sent): a DANE-TA record of that intermediate
# matches, one of the root (which the server does not send) does not.
. "$(dirname "$0")/lib.sh"

for p in unbound ldns-keygen ldns-signzone openssl; do
	if ! command -v $p > /dev/null 2>&1 && [ ! -x /usr/sbin/$p ]; then
		echo "tests/real/dane.sh: SKIPPED: $p is not installed (apt-get install unbound ldnsutils openssl)"
		finish
		exit 0
	fi
done
PORT=$((REAL_DNS + 100))
if bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2> /dev/null; then
	echo "tests/real/dane.sh: SKIPPED: 127.0.0.1:$PORT is in use"
	finish
	exit 0
fi

Z=$T/zones
mkdir -p "$Z"
EE=$(openssl x509 -in "$REAL/tls/cert.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
K=$T/certs
"$TBIN/mkcerts" "$K" > /dev/null || { echo "tests/real/dane.sh: mkcerts failed"; exit 111; }
TA=$(cat "$K/inter.tlsa201")
ROOT=$(cat "$K/ca.tlsa201")
TAIP=127.0.0.23 # fakepeer, port $REAL_SMTPD
WRONG=$(printf '%064d' 0)

# sign ZONE: signs $Z/ZONE.zone with a KSK and a ZSK of its own; the DS
# of the KSK is in $Z/ZONE.ds. Denials are proved with NSEC: Debian 12's
# unbound answered SERVFAIL to the NXDOMAIN of an ldns-signzone -n
# (NSEC3) zone, which would fail every secure host without TLSA records.
sign() {
	(cd "$Z" && k=$(ldns-keygen -a ECDSAP256SHA256 -k "$1") && z=$(ldns-keygen -a ECDSAP256SHA256 "$1") &&
		ldns-signzone -f "$1.signed" "$1.zone" "$k" "$z" && cp "$k.ds" "$1.ds") > /dev/null 2>&1
}
soa() { printf '$TTL 300\n%s. IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n%s. IN NS ns.%s.\nns.%s. IN A 127.0.0.1\n' "$1" "$1" "$1" "$1" "$1" "$1"; }

{ soa dane.test; cat <<ZONE
dane.test. IN MX 10 mx.dane.test.
mx.dane.test. IN A 127.0.0.2
_$REAL_SMTPD._tcp.mx.dane.test. IN TLSA 3 1 1 $EE
bad.dane.test. IN MX 10 mxbad.dane.test.
mxbad.dane.test. IN A 127.0.0.2
_$REAL_SMTPD._tcp.mxbad.dane.test. IN TLSA 3 1 1 $WRONG
two.dane.test. IN MX 10 mxbad.dane.test.
two.dane.test. IN MX 20 mx3.dane.test.
mx3.dane.test. IN A 127.0.0.3
_$REAL_SMTPD._tcp.mx3.dane.test. IN TLSA 3 1 1 $EE
fail.dane.test. IN MX 10 mxfail.dane.test.
nod.dane.test. IN MX 10 mxnod.dane.test.
mxnod.dane.test. IN A 127.0.0.2
mxfail.dane.test. IN A 127.0.0.2
_$REAL_SMTPD._tcp.mxfail.dane.test. IN TLSA 3 1 1 $EE
ZONE
} > "$Z/dane.test.zone"
{ soa wild.test; cat <<ZONE
wild.test. IN MX 10 mxta.wild.test.
mxta.wild.test. IN A $TAIP
_$REAL_SMTPD._tcp.mxta.wild.test. IN TLSA 2 0 1 $TA
root.wild.test. IN MX 10 mxroot.wild.test.
mxroot.wild.test. IN A $TAIP
_$REAL_SMTPD._tcp.mxroot.wild.test. IN TLSA 2 0 1 $ROOT
ZONE
} > "$Z/wild.test.zone"
{ soa bogus.test; printf 'bogus.test. IN MX 10 mx.bogus.test.\nmx.bogus.test. IN A 127.0.0.2\n'; } > "$Z/bogus.test.zone"
{ soa plain.test; printf 'plain.test. IN MX 10 mx.plain.test.\nmx.plain.test. IN A 127.0.0.2\n_%s._tcp.mx.plain.test. IN TLSA 3 1 1 %s\n' "$REAL_SMTPD" "$WRONG"; } > "$Z/plain.test.zone"
sign dane.test && sign bogus.test && sign wild.test
(cd "$Z" && ldns-keygen -a ECDSAP256SHA256 -k bogus.test > other.key) 2> /dev/null
if [ ! -s "$Z/dane.test.signed" ] || [ ! -s "$Z/bogus.test.signed" ] || [ ! -s "$Z/wild.test.signed" ]; then
	echo "tests/real/dane.sh: SKIPPED: ldns-signzone did not sign the test zones"
	finish
	exit 0
fi
# The TLSA RRset of mxfail gets a broken signature: a validating
# resolver answers SERVFAIL for it, and only for it.
awk -F'\t' -v OFS='\t' '$1 ~ /^_[0-9]+\._tcp\.mxfail\./ && $4 == "RRSIG" && $5 ~ /^TLSA / {
	n = split($5, f, " "); s = f[n]; c = substr(s, 10, 1); r = (c == "A") ? "B" : "A"
	f[n] = substr(s, 1, 9) r substr(s, 11); $5 = f[1]; for (i = 2; i <= n; i++) $5 = $5 " " f[i] }
	{ print }' "$Z/dane.test.signed" > "$Z/dane.test.broken"
# bogus.test is anchored with the DS of a key that did not sign it.
k=$(cat "$Z/other.key")
cat "$Z/dane.test.ds" "$Z/wild.test.ds" "$Z/$k.ds" > "$Z/anchors"

cat > "$Z/unbound.conf" <<CONF
server:
	interface: 127.0.0.1@$PORT
	port: $PORT
	do-daemonize: yes
	username: ""
	chroot: ""
	directory: "$Z"
	pidfile: "$Z/unbound.pid"
	logfile: "$Z/unbound.log"
	use-syslog: no
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	trust-anchor-file: "$Z/anchors"
	domain-insecure: "plain.test"
	local-zone: "test." nodefault
	module-config: "validator iterator"
	cache-max-ttl: 0
auth-zone:
	name: "dane.test"
	zonefile: "$Z/dane.test.broken"
	for-upstream: yes
	for-downstream: no
auth-zone:
	name: "wild.test"
	zonefile: "$Z/wild.test.signed"
	for-upstream: yes
	for-downstream: no
auth-zone:
	name: "bogus.test"
	zonefile: "$Z/bogus.test.signed"
	for-upstream: yes
	for-downstream: no
auth-zone:
	name: "plain.test"
	zonefile: "$Z/plain.test.zone"
	for-upstream: yes
	for-downstream: no
CONF
if ! unbound -c "$Z/unbound.conf" 2> "$T/unbound.err"; then
	echo "tests/real/dane.sh: SKIPPED: our unbound did not start: $(cat "$T/unbound.err" "$Z/unbound.log" 2> /dev/null | tail -n 2)"
	finish
	exit 0
fi
stop() { kill "$(cat "$Z/unbound.pid" 2> /dev/null)" "$(cat "$Z/unbound53.pid" 2> /dev/null)" 2> /dev/null; }
trap stop EXIT
DNSCACHEIP=127.0.0.1:$PORT
export DNSCACHEIP
i=0
until "$BIN/mxlookup" dane.test > /dev/null 2>&1 || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done

printf 'Subject: dane\n\nover DANE\n' > "$T/msg"
S=sender@qr.test
routes "::$REAL_SMTPD"

case_ 'mxlookup -t: the signed zone is authenticated, its TLSA records printed'
check "$("$BIN/mxlookup" -t $REAL_SMTPD dane.test)" "tlsa mx.dane.test mx.dane.test 3 1 1 $EE
10 127.0.0.2 mx.dane.test mat"

case_ 'a DANE-EE record that matches Postfix: K names the record'
check "$(qr dane.test $S "$ID.ee@real.test")" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx.dane.test
^@exit 0"
check "$(arrived "$ID.ee@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'a DANE-EE record that matches nothing: Z, nothing delivered'
check "$(qr bad.dane.test $S "$ID.bad@real.test" | head -n 1)" 'ZDANE: the certificate of mxbad.dane.test matches none of its TLSA records. (#4.7.5)'
check "$(count "$ID.bad@real.test")" 0

case_ 'the first MX fails DANE, the second passes'
check "$(qr two.dane.test $S "$ID.two@real.test" | head -n 3)" "r^@K127.0.0.3 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx3.dane.test"

case_ 'a TLSA RRset with a broken signature: the lookup fails, the host is not tried'
check "$("$BIN/mxlookup" -t $REAL_SMTPD fail.dane.test)" '10 127.0.0.2 mxfail.dane.test maf'
check "$(qr fail.dane.test $S "$ID.fail@real.test")" 'ZDANE: TLSA lookup failed temporarily for mxfail.dane.test. (#4.4.3)
^@exit 0'

case_ 'a bogus zone: the lookup fails temporarily'
check "$(qr bogus.test $S "$ID.bogus@real.test")" "ZSorry, I couldn't find any host named: bogus.test. (#4.1.2)
^@exit 0"

case_ 'an unsigned zone: no DANE, opportunistic TLS as before'
check "$("$BIN/mxlookup" -t $REAL_SMTPD plain.test)" '10 127.0.0.2 mx.plain.test -'
check "$(qr plain.test $S "$ID.plain@real.test" | sed -n 3p)" 'TLS: TLSv1.3 <cipher>; certificate not checked'

case_ 'a relay by name (smtproutes): its TLSA records apply'
routes "relay.test:mx.dane.test:$REAL_SMTPD"
check "$(qr relay.test $S "$ID.relay@real.test" | sed -n 3p)" 'TLS: TLSv1.3 <cipher>; DANE-EE 3 1 1 matched for mx.dane.test'

# tapeer SCRIPT-TAIL: fakepeer on $TAIP:$REAL_SMTPD for one connection,
# offering STARTTLS with mkcerts' server.pem (leaf and intermediate),
# then SCRIPT-TAIL; sets $tapid. The log is $T/ta.log.
tapeer() {
	printf '%s\n' "send 220 mxta.wild.test ESMTP
read
send 250-mxta.wild.test
send 250 STARTTLS
expect STARTTLS
send 220 2.0.0 go ahead
tls $K/server.pem $K/server.key
$1" > "$T/ta.script"
	rm -f "$T/ta.log"
	listen "$TAIP:$REAL_SMTPD" "$T/ta.log" "$T/ta.script"
	tapid=$peerpid
}

routes "::$REAL_SMTPD"

case_ 'a signed zone whose MX host has no TLSA records (authenticated denial): no DANE, opportunistic TLS'
check "$("$BIN/mxlookup" -t $REAL_SMTPD nod.dane.test)" '10 127.0.0.2 mxnod.dane.test ma'
check "$(qr nod.dane.test $S "$ID.nod@real.test" | sed -n 3p)" 'TLS: TLSv1.3 <cipher>; certificate not checked'

case_ 'DANE-TA 2 0 1 of the intermediate the server sends, a name under *.wild.test: K names the record'
tapeer 'read
send 250 mxta.wild.test
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
check "$(qr wild.test $S "$ID.ta@real.test")" "r^@K$TAIP TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; DANE-TA 2 0 1 matched for mxta.wild.test
^@exit 0"
wait $tapid

case_ 'DANE-TA 2 0 1 of a root the server does not send: Z, no MAIL'
tapeer ''
check "$(qr root.wild.test $S "$ID.root@real.test" | head -n 1)" 'ZDANE: the certificate of mxroot.wild.test matches none of its TLSA records. (#4.7.5)'
wait $tapid
check "$(grep -c '^MAIL' "$T/ta.log")" 0

# posttls-finger, with the same zones through a second unbound on
# 127.0.0.153:53 that only its own mount namespace's resolv.conf names.
finger=
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && [ -x /usr/sbin/posttls-finger ] &&
	! bash -c "exec 3<>/dev/tcp/127.0.0.153/53" 2> /dev/null; then
	sed 's/^\tinterface: .*/\tinterface: 127.0.0.153@53/; s/^\tport: .*/\tport: 53/; s/unbound\.pid/unbound53.pid/; s/unbound\.log/unbound53.log/' \
		"$Z/unbound.conf" > "$Z/unbound53.conf"
	printf 'nameserver 127.0.0.153\noptions edns0 trust-ad\n' > "$Z/resolv.conf"
	mkdir -p "$Z/postfix" && : > "$Z/postfix/main.cf"
	unbound -c "$Z/unbound53.conf" 2> /dev/null && finger=yes
fi
# pf DEST: posttls-finger at DANE level against DEST, its lines about
# the TLS outcome.
pf() {
	unshare -m sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf && MAIL_CONFIG=$1/postfix exec timeout 30 posttls-finger -c -l dane -o smtp_dns_support_level=dnssec "$2"' \
		sh "$Z" "$1" 2>&1 | grep -o 'Verified TLS connection established\|no matching DANE TLSA records\|Untrusted TLS connection established' | sort -u
}
if [ -n "$finger" ]; then
	case_ 'posttls-finger agrees: mx.dane.test verified by DANE'
	check "$(pf "[mx.dane.test]:$REAL_SMTPD")" 'Verified TLS connection established'

	case_ 'posttls-finger agrees: mxbad.dane.test matches no TLSA record'
	check "$(pf "[mxbad.dane.test]:$REAL_SMTPD")" 'Untrusted TLS connection established
no matching DANE TLSA records'

	case_ 'posttls-finger agrees: mx3.dane.test verified by DANE'
	check "$(pf "[mx3.dane.test]:$REAL_SMTPD")" 'Verified TLS connection established'
else
	echo "tests/real/dane.sh: info: posttls-finger cases skipped (not root, no unshare or posttls-finger, or 127.0.0.153:53 in use)"
fi

cleanup
finish
