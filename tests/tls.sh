# TLS end to end: qmail-remote, smtpclient and tlswrap against fakepeer -l
# speaking STARTTLS or SMTPS with certificates that tests/bin/mkcerts
# makes at test time. Covers D7, D8, D16, D20-D22, SPEC 4.9 rule forms,
# 4.10 client certificates, 5.4, and the STARTTLS injection of
# CVE-2011-0411.
# Requirements: bin/*, tests/bin/fakepeer, fakedns, mkcerts.
# Not tested here: tlswrap's own modes (tlswrap.sh), every rule parse
# (lib/tlspolicy's Go tests).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
K=$T/certs
"$TBIN/mkcerts" "$K" > /dev/null || { echo "mkcerts failed"; exit 111; }

home() {
	rm -rf "$C"
	mkdir -p "$C"
	echo helo.test > "$C/helohost"
	echo 5 > "$C/timeoutremote"
	echo 5 > "$C/timeoutconnect"
}

# peer ADDR SCRIPT [SCRIPT2]: fakepeer -l on ADDR:$P (any port when P is
# unset) for one connection, or two with SCRIPT2 for the second; sets
# $port. The scripts are written with printf %s, so \r\n stays for
# fakepeer to unescape.
peers=
peer() {
	printf '%s\n' "$2" > "$T/s1.$1"
	rm -f "$T/s2.$1" "$T/port.fifo" "$T/log.$1"
	n=1
	if [ -n "$3" ]; then
		printf '%s\n' "$3" > "$T/s2.$1"
		n=2
	fi
	mkfifo "$T/port.fifo"
	"$TBIN/fakepeer" -l "$1:${P:-0}" -n $n -o "$T/log.$1" "$T/s1.$1" $( [ $n = 2 ] && echo "$T/s2.$1" ) \
		> "$T/port.fifo" 2>> "$T/peer.err" &
	peers="$peers $!"
	read port < "$T/port.fifo"
}
waitpeers() { wait $peers; peers=; }
killpeers() { kill $peers 2> /dev/null; wait $peers 2> /dev/null; peers=; }

qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/qr.err"
	echo "exit $?" >> "$T/out"
	[ -s "$T/qr.err" ] && { echo "stderr:"; cat "$T/qr.err"; } >> "$T/out"
	show < "$T/out"
}
wire() { show < "$T/log.$1"; }

# route: mx.test (and its suffixes) go to the relay mx.test on $port.
route() { echo "mx.test:mx.test:$port" > "$C/smtproutes"; }

printf 'Subject: tls\n\nhello\n' > "$T/msg"

# The rest of the dialogue, over TLS.
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
tlsok="$(starttls server.pem)
$rest"
# The clear text the client sends in a whole delivery over STARTTLS.
wtls='EHLO helo.test^M
STARTTLS^M
EHLO helo.test^M
MAIL FROM:<s@x.test>^M
RCPT TO:<r@mx.test>^M
DATA^M
Subject: tls^M
^M
hello^M
.^M
QUIT^M'

printf '%s\n' 'mx.test A 127.0.0.2
mxd.test MX 10 mx.test
mx2.test A 127.0.0.2
mx2.test A 127.0.0.3
a.wild.test A 127.0.0.2
other.test A 127.0.0.2
smtps.test A 127.0.0.12
smtps2.test A 127.0.0.12
smtps2.test A 127.0.0.13' > "$T/zone"
startdns "$T/zone"

# The cipher Go picks for TLS 1.3 depends on the CPU (AES hardware or
# not): the TLS line is checked with the cipher made a placeholder.
cipher() { sed 's/TLS_AES_128_GCM_SHA256\|TLS_AES_256_GCM_SHA384\|TLS_CHACHA20_POLY1305_SHA256/<cipher>/'; }

K1='r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 ok queued'

case_ 'D7: no tlsdestinations: STARTTLS when offered, K with the D20 line'
home
peer 127.0.0.2 "$tlsok"
route
check "$(qr mx.test s@x.test r@mx.test | cipher)" "$K1
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
waitpeers
check "$(wire 127.0.0.2)" "$wtls"

case_ 'D7: STARTTLS not offered: clear text, plain K'
home
peer 127.0.0.2 "$plain"
route
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers

case_ 'D7: !mx.test: STARTTLS offered but never sent'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok
read"
route
echo '!mx.test:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok
^@exit 0"
waitpeers
check "$(wire 127.0.0.2 | head -n 2)" "EHLO helo.test^M
MAIL FROM:<s@x.test>^M"

case_ 'D7: !*: turns TLS off everywhere'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok
read"
route
echo '!*:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | head -n 1)" "r^@K127.0.0.2 accepted message."
waitpeers

case_ 'SPEC 4.9/5.4: mandatory (mx.test:) and STARTTLS not offered: Z, sq3 text'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250 mx.test
read"
route
echo 'mx.test:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZI wasn't able to negotiate a TLS connection with: mx.test. (#4.4.1)
^@exit 0"
waitpeers
check "$(wire 127.0.0.2)" "EHLO helo.test^M
QUIT^M"

case_ 'D8/D21: mandatory, the first address offers no STARTTLS, the second does: delivered there'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250 mx.test
read"
P=$port peer 127.0.0.3 "$(starttls server.pem)
$rest"
echo "mx.test:mx2.test:$port" > "$C/smtproutes"
echo 'mx2.test:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher)" "r^@K127.0.0.3 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
waitpeers

case_ 'a CA file: the chain verifies'
home
peer 127.0.0.2 "$tlsok"
route
echo "mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher)" "$K1
TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"
waitpeers

for bad in selfsigned expired notyet; do
case_ "D22: a CA file and a $bad certificate: Z, chain not verified"
home
peer 127.0.0.2 "$(starttls $bad.pem)"
route
echo "mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZUnable to verify X.500 certificate from: mx.test. (#4.4.1)
$(certreason $bad "$K/$bad.pem")
^@exit 0"
killpeers
done

case_ 'verify depth: two intermediates fail at the default depth 1'
home
peer 127.0.0.2 "$(starttls deep.pem)"
route
echo "mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZUnable to verify X.500 certificate from: mx.test. (#4.4.1)
certificate chain too deep: 2 intermediates, TLS_DEPTH 1
^@exit 0"
killpeers

case_ 'verify depth: ... and pass at depth 2'
home
peer 127.0.0.2 "$(starttls deep.pem)
$rest"
route
echo "mx.test:$K/ca.pem|2" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"
waitpeers

case_ 'a CA folder (ending in /) works like a CA file'
home
mkdir -p "$T/cadir"
cp "$K/ca.pem" "$T/cadir/"
peer 127.0.0.2 "$tlsok"
route
echo "mx.test:$T/cadir/" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"
waitpeers

case_ 'an unreadable CA file: Z with the SPEC text'
home
peer 127.0.0.2 "$(starttls server.pem)"
route
echo "mx.test:$T/nonexistent.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZI wasn't able to set up CAFILE: $T/nonexistent.pem or CADIR:  for TLS. (#4.4.1)
^@exit 0"
killpeers

case_ '=mx.test: the name matches: verified for mx.test'
home
peer 127.0.0.2 "$tlsok"
route
echo "=mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@exit 0"
waitpeers

case_ 'D22: =mx.test and a certificate for another name: Z, Subject not validated'
home
peer 127.0.0.2 "$(starttls wrongname.pem)"
route
echo "=mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZUnable to validate X.500 certificate Subject for: mx.test. (#4.4.1)
the certificate holds other.test; wanted mx.test
^@exit 0"
killpeers

case_ 'D16: =*: the routed host is other.test, the relay mx.test: the MX name is accepted too'
home
peer 127.0.0.2 "$tlsok"
echo "other.test:mx.test:$port" > "$C/smtproutes"
echo "=*:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr other.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@exit 0"
waitpeers

# D16 (revised): the MX host name comes from unsigned DNS here: it does
# not stand for the domain (whoever forges the MX would pick it).
case_ 'D16: =mxd.test: by MX (mx.test, unsigned): a certificate for the MX host only: Z, name not validated'
home
peer 127.0.0.2 "$(starttls server.pem)
read"
echo "mxd.test::$port" > "$C/smtproutes"
echo "=mxd.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mxd.test s@x.test r@mxd.test)" "ZUnable to validate X.500 certificate Subject for: mxd.test. (#4.4.1)
the certificate holds localhost, mx.test, *.wild.test, 127.0.0.1; wanted mxd.test
^@exit 0"
killpeers

case_ 'D16: =[127.0.0.1]: an IP-literal relay is checked against the IP SANs: verified'
home
peer 127.0.0.1 "$tlsok"
echo "mx.test:[127.0.0.1]:$port" > "$C/smtproutes"
echo "=[127.0.0.1]:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified for 127.0.0.1
^@exit 0"
waitpeers

case_ 'D16: =[127.0.0.2]: a certificate without that IP SAN: Z, name not validated'
home
peer 127.0.0.2 "$(starttls server.pem)
read"
echo "mx.test:[127.0.0.2]:$port" > "$C/smtproutes"
echo "=[127.0.0.2]:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | head -n 1)" "ZUnable to validate X.500 certificate Subject for: [127.0.0.2]. (#4.4.1)"
killpeers

case_ '~: a wildcard certificate for a.wild.test'
home
peer 127.0.0.2 "$(starttls wild.pem)
$rest"
echo "a.wild.test:a.wild.test:$port" > "$C/smtproutes"
echo "~a.wild.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr a.wild.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified for a.wild.test
^@exit 0"
waitpeers

case_ '= refuses the same wildcard certificate'
home
peer 127.0.0.2 "$(starttls wild.pem)"
echo "a.wild.test:a.wild.test:$port" > "$C/smtproutes"
echo "=a.wild.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr a.wild.test s@x.test r@mx.test)" "ZUnable to validate X.500 certificate Subject for: a.wild.test. (#4.4.1)
the certificate holds *.wild.test; wanted a.wild.test
^@exit 0"
killpeers

for alg in sha1 sha224 sha256 sha512; do
case_ "% pin: the $alg fingerprint matches"
home
peer 127.0.0.2 "$tlsok"
route
echo "%mx.test:=$(cat "$K/server.$alg")" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2 | sed 's/SHA-[0-9]*/SHA-n/')" "TLS: TLSv1.3 <cipher>; certificate matches the pinned SHA-n fingerprint
^@exit 0"
waitpeers
done

case_ '% pin: a wrong fingerprint: Z with sq3 text'
home
peer 127.0.0.2 "$(starttls server.pem)"
route
fp=0000000000000000000000000000000000000000000000000000000000000000
echo "%mx.test:=$fp" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZReceived X.509 certificate from: mx.test does not match fingerprint: $fp. (#4.4.1)
the certificate's SHA-256 fingerprint is $(cat "$K/server.sha256")
^@exit 0"
killpeers

case_ 'D8: plain text instead of a handshake at the opportunistic level: one clear-text retry, said in the report'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
read
send this is not TLS at all
close" "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok clear
read"
route
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok clear
TLS: none; retried in clear text after: I wasn't able to establish a TLS connection with: mx.test. (#4.4.1)
^@exit 0"
waitpeers
check "$(wire 127.0.0.2 | grep -c STARTTLS)" 1

case_ 'D8: the clear-text retry finds the port closed: Z with the handshake failure, not "no connection"'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
read
send this is not TLS at all
close"
route
check "$(qr mx.test s@x.test r@mx.test)" "ZI wasn't able to establish a TLS connection with: mx.test. (#4.4.1)
^@exit 0"
waitpeers

case_ 'D8: the same failure at the mandatory level: Z, no clear-text retry'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
read
send this is not TLS at all
close"
route
echo 'mx.test:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZI wasn't able to establish a TLS connection with: mx.test. (#4.4.1)
^@exit 0"
waitpeers

case_ 'a handshake that stalls: bounded by timeoutremote, then the clear-text retry'
home
echo 1 > "$C/timeoutremote"
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
hang" "send 220 mx.test ESMTP
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok clear
read"
route
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok clear
TLS: none; retried in clear text after: I wasn't able to establish a TLS connection with: mx.test. (#4.4.1)
^@exit 0"
killpeers

case_ 'CVE-2011-0411: bytes after the 220 to STARTTLS: Z, never a handshake'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
raw 220 go ahead\r\n250-injected\r\n250 more\r\n
read"
route
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.2 but it sent data after its 220 to STARTTLS; refusing it (STARTTLS injection). (#4.7.0)
^@exit 0"
waitpeers

case_ 'STARTTLS 454 at the opportunistic level: clear text, said in the report'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 454 4.7.0 TLS not available
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok
read"
route
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok
TLS: none; STARTTLS was rejected: 454 4.7.0 TLS not available
^@exit 0"
waitpeers

case_ 'STARTTLS 454 at the mandatory level: Z STARTTLS was rejected'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 454 4.7.0 TLS not available
read"
route
echo 'mx.test:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.2 but STARTTLS was rejected.
Remote host said: 454 4.7.0 TLS not available
^@exit 0"
waitpeers

case_ 'the server closes right after the handshake: Z connection died, no K'
home
peer 127.0.0.2 "$(starttls server.pem)
close"
route
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.2 but connection died. (#4.4.2)
^@exit 0"
waitpeers

case_ 'the server closes in the middle of DATA over TLS: never a K'
home
peer 127.0.0.2 "$(starttls server.pem)
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 354 go
close"
route
out=$(qr mx.test s@x.test r@mx.test)
check "$(printf '%s' "$out" | grep -c '^r^@K\|^K')" 0
waitpeers

# The 354 and the broken record go out in one write (hold ... flush), and
# the peer then reads nothing more (sleep; killpeers ends it), so the
# client can never reach the dot however the scheduler runs the three
# processes: the message is larger than all that can hold it on the way,
# smtpclient's 1 MiB pipe, tlswrap's two turns of 256 KiB and the
# socket's buffers (at most tcp_wmem's maximum sent, tcp_rmem's default
# received: the peer never reads, so it never grows). The case raced
# before: the record came in a write of its own and the peer read all;
# a peer or a tlswrap that the scheduler held back let the client put
# the whole message and the dot on the way first, and the connection
# then died after the dot: "Possible duplicate!", the right report for
# that order, but not this case's.
case_ 'a broken TLS record in the middle of DATA: Z Unknown TLS error (D22), never a K'
home
big=$((1 << 22))
read -r _ _ wmax < /proc/sys/net/ipv4/tcp_wmem 2> /dev/null && read -r _ rdef _ < /proc/sys/net/ipv4/tcp_rmem 2> /dev/null &&
	big=$((wmax + rdef))
# At least 50 bytes a line: 4 MiB more than that sum.
awk -v n=$(((big + (4 << 20)) / 50)) 'BEGIN { for (i = 0; i < n; i++) printf "line %d of a message that keeps the client writing\n", i }' </dev/null > "$T/big"
peer 127.0.0.2 "$(starttls server.pem)
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
hold
send 354 go
plainraw \x17\x03\x03\x00\x20AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
flush
sleep 60000"
route
QMAILHOME=$H "$BIN/qmail-remote" mx.test s@x.test r@mx.test < "$T/big" > "$T/out" 2> /dev/null
check "$(show < "$T/out")" "r^@ZUnknown TLS error for host: mx.test. (#4.4.1)
^@"
killpeers

case_ 'leaf only, no intermediate (a truncated chain) with a CA file: Z, chain not verified'
home
awk '/BEGIN CERT/ { n++ } n == 1' "$K/server.pem" > "$T/leafonly.pem"
peer 127.0.0.2 "$(starttls ../leafonly.pem)"
route
echo "mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZUnable to verify X.500 certificate from: mx.test. (#4.4.1)
unknown authority: CN=mx.test is signed by CN=Test Intermediate CA,O=qmail-remote-go tests, not a trusted CA
^@exit 0"
killpeers

case_ 'SPEC 4.9.2: the sender-domain field: the rule holds for senders in x.test (a CA: verified)'
home
peer 127.0.0.2 "$tlsok"
route
echo "mx.test:$K/ca.pem|||x.test" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"
waitpeers

# D28 (overrides SPEC 4.9.2's "TLS off for the run"): for another
# sender the rule is skipped, and the next rule or the default applies.
case_ 'D28: ... and for another sender the rule is skipped: the default, STARTTLS unchecked'
home
peer 127.0.0.2 "$tlsok"
route
echo "mx.test:$K/ca.pem|||x.test" > "$C/tlsdestinations"
check "$(qr mx.test s@other.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
waitpeers

case_ 'D28: ... or the next matching rule (=mx.test: for everyone else: verified for the name)'
home
peer 127.0.0.2 "$tlsok"
route
printf '%s\n' "mx.test:$K/ca.pem|||x.test" "=mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@other.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@exit 0"
waitpeers

case_ 'D28: a global !*: does not switch off =mx.test: (a rule keyed on the host wins)'
home
peer 127.0.0.2 "$tlsok"
route
printf '%s\n' '!*:' "=mx.test:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@exit 0"
waitpeers

case_ 'D28: ... nor %mx.test:=<pin>'
home
peer 127.0.0.2 "$tlsok"
route
printf '%s\n' "%mx.test:=$(cat "$K/server.sha256")" '!:' > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate matches the pinned SHA-256 fingerprint
^@exit 0"
waitpeers

# D27: one form of a host name before every lookup keyed on it.
case_ 'D27: rcpt@mx.test. (trailing dot, upper case) finds smtproutes mx.test: and tlsdestinations =MX.test.:'
home
peer 127.0.0.2 "$tlsok"
echo "mx.test:mx.test:$port" > "$C/smtproutes"
echo "=MX.test.:$K/ca.pem" > "$C/tlsdestinations"
check "$(qr MX.Test. s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate verified for mx.test
^@exit 0"
waitpeers

case_ 'a 100 KB certificate chain: delivered'
home
peer 127.0.0.2 "$(starttls big.pem)
$rest"
route
check "$(qr mx.test s@x.test r@mx.test | cipher | tail -n 2)" "TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
waitpeers

case_ 'TLS 1.2 only server: TLSv1.2 in the D20 line'
home
peer 127.0.0.2 "$(starttls server.pem | sed 's/^tls /tls12 /')
$rest"
route
check "$(qr mx.test s@x.test r@mx.test | tail -n 2 | sed 's/TLS_ECDHE_ECDSA_WITH_[A-Z0-9_]*/<cipher>/')" "TLS: TLSv1.2 <cipher>; certificate not checked
^@exit 0"
waitpeers

case_ 'SPEC 4.10: domaincerts: the server receives the client certificate'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
tlsca $K/clientca.pem
clientcert $T/clientsubject
tls $K/server.pem $K/server.key
$rest"
route
echo "*:$K/client.pem|$K/client.key" > "$C/domaincerts"
check "$(qr mx.test s@x.test r@mx.test | head -n 1)" "r^@K127.0.0.2 TLS transmitted message accepted."
waitpeers
check "$(cat "$T/clientsubject")" "CN=client.test"

for key in client-legacy.key client-pkcs8.key; do
case_ "domaincerts: an encrypted key ($key) and its password"
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 go ahead
tlsca $K/clientca.pem
clientcert $T/clientsubject
tls $K/server.pem $K/server.key
$rest"
route
rm -f "$T/clientsubject"
echo "x.test:$K/client.pem|$K/$key|$(head -n 1 "$K/pass")" > "$C/domaincerts"
check "$(qr mx.test s@x.test r@mx.test | head -n 1)" "r^@K127.0.0.2 TLS transmitted message accepted."
waitpeers
check "$(cat "$T/clientsubject")" "CN=client.test"
done

case_ 'domaincerts: a wrong password: Z, cannot load the key'
home
peer 127.0.0.2 "$(starttls server.pem)"
route
echo "*:$K/client.pem|$K/client-pkcs8.key|wrong" > "$C/domaincerts"
check "$(qr mx.test s@x.test r@mx.test)" "ZCan't load X.509 private key: $K/client-pkcs8.key. (#4.4.1)
^@exit 0"
killpeers

case_ 'domaincerts: a password longer than tlswrap takes: Z before connecting (no hang on the pipe)'
home
peer 127.0.0.2 "$(starttls server.pem)"
route
printf '*:%s|%s|%s\n' "$K/client.pem" "$K/client-pkcs8.key" "$(head -c 70000 /dev/zero | tr '\0' p)" > "$C/domaincerts"
out=$(QMAILHOME=$H timeout 30 "$BIN/qmail-remote" mx.test s@x.test r@mx.test < "$T/msg" | show; echo "exit $?")
killpeers
check "$out
wire: $(wire 127.0.0.2 | wc -c)" "ZSyntax error in control/domaincerts line 1: the key password is longer than 1024 bytes. (#4.3.5)
^@exit 0
wire: 0"

case_ 'domaincerts: a missing certificate file: Z with the SPEC text'
home
peer 127.0.0.2 "$(starttls server.pem)"
route
echo "*:$T/none.pem" > "$C/domaincerts"
check "$(qr mx.test s@x.test r@mx.test)" "ZCan't load X.509 certificate: $T/none.pem. (#4.4.1)
^@exit 0"
killpeers

case_ 'domaincerts: a key of another certificate: Z, does not match'
home
peer 127.0.0.2 "$(starttls server.pem)"
route
echo "*:$K/client.pem|$K/other.key" > "$C/domaincerts"
check "$(qr mx.test s@x.test r@mx.test)" "ZKeyfile does not match X.509 certificate: $K/other.key. (#4.4.1)
^@exit 0"
killpeers

case_ 'D15: a cipher string that leaves no suite: Z with the SPEC text'
home
peer 127.0.0.2 "$(starttls server.pem)"
route
echo "mx.test:||eNULL" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test)" "ZI wasn't able to process the TLS ciphers: eNULL (#4.4.1)
^@exit 0"
killpeers

# smtpclient looks for tlswrap once STARTTLS is offered; without one
# beside it, the session goes on as if STARTTLS were not offered.
nobin=$T/notlswrap
mkdir -p "$nobin"
cp "$BIN/qmail-remote" "$BIN/mxlookup" "$BIN/smtpclient" "$nobin/"
case_ 'no tlswrap beside smtpclient: STARTTLS offered, clear text, K whose TLS line says why (D33)'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
$(printf '%s\n' "$rest" | sed 1,3d)"
route
check "$(BIN=$nobin qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
TLS: none; STARTTLS was offered but tlswrap cannot be run: $nobin/tlswrap: no such file or directory
^@exit 0"
waitpeers
check "$(wire 127.0.0.2 | head -n 2)" "EHLO helo.test^M
MAIL FROM:<s@x.test>^M"

case_ 'no tlswrap beside smtpclient, TLS required: Z with the D21 text, then the missing tlswrap (D33)'
home
peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
read"
route
echo "mx.test:" > "$C/tlsdestinations"
check "$(BIN=$nobin qr mx.test s@x.test r@mx.test)" "ZI wasn't able to negotiate a TLS connection with: mx.test. (#4.4.1)
tlswrap cannot be run: $nobin/tlswrap: no such file or directory
^@exit 0"
waitpeers

if [ "$(id -u)" = 0 ]; then
case_ 'SMTPS: port 465 from tlsdestinations: TLS before the greeting'
home
# (127.0.0.12 and .13: tests/real/setup's Postfix may hold 127.0.0.2:465)
P=465 peer 127.0.0.12 "tls $K/server.pem $K/server.key
$plain"
echo "mx.test:smtps.test" > "$C/smtproutes"
echo "smtps.test:$K/ca.pem|;465" > "$C/tlsdestinations"
check "$(qr mx.test s@x.test r@mx.test | cipher)" "r^@K127.0.0.12 TLS transmitted message accepted.
Remote host said: 250 ok queued
TLS: TLSv1.3 <cipher>; certificate verified
^@exit 0"
waitpeers
check "$(wire 127.0.0.12 | head -n 1)" "EHLO helo.test^M"

case_ 'SMTPS: a failed handshake tries the next address, then Z with the TLS text'
home
P=465 peer 127.0.0.12 "send 220 not tls"
P=465 peer 127.0.0.13 "send 220 not tls either"
echo "mx.test:smtps2.test:465" > "$C/smtproutes"
# D22: <host> is the destination after routing, the relay.
check "$(qr mx.test s@x.test r@mx.test)" "ZI wasn't able to establish a TLS connection with: smtps2.test. (#4.4.1)
^@exit 0"
killpeers
fi

# D27: an address literal has one form for every lookup keyed on it, so
# a rule for [127.0.0.2] holds for the same address written otherwise
# (IPv4-mapped, or a key in IPv6 form), and a recipient's spelling
# cannot go around it. The default route keeps the literal, on $port.
for c in '=[127.0.0.2]|[IPv6:::ffff:127.0.0.2]' '=127.0.0.2|[IPv6:0:0:0:0:0:ffff:7f00:2]' '=[IPv6:::FFFF:127.0.0.2]|[127.0.0.2]'; do
	key=${c%%|*} lit=${c#*|}
	case_ "D27: the rule $key: holds for $lit (mandatory, no STARTTLS offered: Z, nothing sent in clear)"
	home
	peer 127.0.0.2 "send 220 mx.test ESMTP
read
send 250 mx.test
read"
	echo "::$port" > "$C/smtproutes"
	echo "$key:" > "$C/tlsdestinations"
	check "$(qr "$lit" s@x.test "r@$lit")" "ZI wasn't able to negotiate a TLS connection with: $lit. (#4.4.1)
^@exit 0"
	waitpeers
	check "$(wire 127.0.0.2)" "EHLO helo.test^M
QUIT^M"
done

stopdns
finish
