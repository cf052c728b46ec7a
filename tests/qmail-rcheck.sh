# qmail-rcheck: the route it shows for representative control files
# (relay, MX through mxlookup and fakedns, literal, QMTP and QMTPS,
# authsenders, domainips, a tlsdestinations rule, SMTPS), the timeout
# table state of each candidate, and -c on broken control files of
# every kind; the probe (-p) against fakepeer: what it shows, and that
# it never sends MAIL (the peer's log). tests/real/probe.sh probes the
# real Postfix.
# Requirements: bin/*, tests/bin/fakedns, fakepeer, mkcerts.
# Not tested here: every parser branch (go test ./lib/...).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
home() {
	rm -rf "$H"
	mkdir -p "$C" "$H/queue/lock"
	echo me.test > "$C/me"
	echo helo.test > "$C/helohost"
}
# dns ZONE: starts fakedns with this zone (lib.sh: startdns, stopdns).
dns() { printf '%s\n' "$1" > "$T/zone"; startdns "$T/zone"; }
rc() {
	QMAILHOME=$H "$BIN/qmail-rcheck" "$@" > "$T/out" 2> "$T/err"
	echo "exit $?" >> "$T/out"
	cat "$T/out" "$T/err"
}

case_ 'usage on misuse: exit 100, the usage line on stderr'
home
for a in "" "-c a.test" "-c x" "a.test s@x.test extra" "-x a.test" "-p"; do
	QMAILHOME=$H "$BIN/qmail-rcheck" $a > "$T/out" 2> "$T/err"
	echo "$? $(cat "$T/out")$(cat "$T/err")"
done > "$T/all"
check "$(cat "$T/all")" "$(for i in 1 2 3 4 5 6; do echo "100 usage: qmail-rcheck [-p] host [sender] | qmail-rcheck -c (qmail-remote-go $V)"; done)"

case_ 'a relay route with a port: the line, the literal, no bind'
home
printf '# routes\na.test:[127.0.0.1]:2525\n' > "$C/smtproutes"
check "$(rc a.test s@x.test)" "host a.test, sender <s@x.test>
route: SMTP to relay [127.0.0.1] port 2525 (control/smtproutes line 2)
auth: none
tls: try, verify none (no control/tlsdestinations: the default)
client certificate: none
source: no bind (no domainips line)
helo: helo.test (control/helohost)
timeouts: connect 60 s, remote 1200 s
session cache: none running at $H/queue/lock/scache/socket (no such file or directory): a connection per delivery
candidates: the literal itself
  0 127.0.0.1 [127.0.0.1]: timeout table unreadable: every address is tried
    tlswrap: TLS_VERIFY=none
exit 0"

# tcpto ADDR COUNT AGO: a timeout table with one IPv4 record, COUNT
# errors, the last AGO seconds ago (SPEC D14: family 2 at byte 0, count
# at 4, time little-endian at 8, address at 16).
byte() { printf "\\$(printf %o "$1")"; }
tcpto() {
	t=$(($(date +%s) - $3))
	{
		byte 2; printf '\0\0\0'; byte "$2"; printf '\0\0\0'
		byte $((t & 255)); byte $((t >> 8 & 255)); byte $((t >> 16 & 255)); byte $((t >> 24 & 255))
		printf '\0\0\0\0'
		for o in $(echo "$1" | tr . ' '); do byte "$o"; done
		printf '\0\0\0\0\0\0\0\0\0\0\0\0'
		head -c 992 /dev/zero
	} > "$H/queue/lock/tcpto"
}

case_ 'by MX: mxlookup in order, the timeout table per address, names per MX host'
home
tcpto 127.0.0.3 3 100
dns 'mx.test MX 10 one.mx.test
mx.test MX 20 two.mx.test
one.mx.test A 127.0.0.2
two.mx.test A 127.0.0.3
two.mx.test A 127.0.0.4'
printf '=mx.test:/etc/ca.pem|3\n' > "$C/tlsdestinations"
rc mx.test > "$T/mx"
stopdns
check "$(sed 's/ [0-9]* s ago/ N s ago/; s/another [0-9]* to [0-9]* s/another N to M s/' "$T/mx")" "host mx.test, sender <>
route: SMTP to MX lookup of mx.test port 25 (no route line: the default)
auth: none
tls: must, verify name (control/tlsdestinations line 1, key =mx.test)
tls: CA file /etc/ca.pem
tls: depth 3
client certificate: none
source: no bind (no domainips line)
helo: helo.test (control/helohost)
timeouts: connect 60 s, remote 1200 s
session cache: none running at $H/queue/lock/scache/socket (no such file or directory): a connection per delivery
candidates: mxlookup -t 25 mx.test
  10 127.0.0.2 one.mx.test: timeout table: no record
    dnssec: MX answer not authenticated, addresses not authenticated: no DANE
    tlswrap: TLS_VERIFY=name TLS_NAMES=mx.test TLS_DEPTH=3 CAFILE=/etc/ca.pem TLS_SERVERNAME=one.mx.test
  20 127.0.0.3 two.mx.test: timeout table: 3 errors, the last N s ago: SKIPPED (dead for another N to M s)
    dnssec: MX answer not authenticated, addresses not authenticated: no DANE
    tlswrap: TLS_VERIFY=name TLS_NAMES=mx.test TLS_DEPTH=3 CAFILE=/etc/ca.pem TLS_SERVERNAME=two.mx.test
  20 127.0.0.4 two.mx.test: timeout table: no record
    dnssec: MX answer not authenticated, addresses not authenticated: no DANE
    tlswrap: TLS_VERIFY=name TLS_NAMES=mx.test TLS_DEPTH=3 CAFILE=/etc/ca.pem TLS_SERVERNAME=two.mx.test
exit 0"

case_ 'DANE and MTA-STS state per candidate: DNSSEC flags, TLSA records, the cached policy, hosts enforce drops'
home
mkdir -p "$H/queue/lock/mtasts"
{ echo "STSv1 one $(($(date +%s) + 86400))"; printf 'version: STSv1\nmode: enforce\nmx: mx.test\nmax_age: 86400\n'; } > "$H/queue/lock/mtasts/sts.test"
dns 'sts.test AD
sts.test MX 10 mx.test
sts.test MX 20 other.test
sts.test MX 30 plain.test
_mta-sts.sts.test TXT v=STSv1; id=one
mx.test AD
mx.test A 127.0.0.2
_25._tcp.mx.test TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
other.test AD
other.test A 127.0.0.3
plain.test A 127.0.0.4'
rc sts.test > "$T/sts"
stopdns
check "$(sed -n '/^MTA-STS/,$p' "$T/sts" | sed 's/until [0-9T:Z-]*/until DATE/')" "MTA-STS for sts.test: _mta-sts TXT id one; cached policy id one, mode enforce, mx mx.test, until DATE
  10 127.0.0.2 mx.test: timeout table unreadable: every address is tried
    dnssec: MX answer authenticated, addresses authenticated, TLSA records of mx.test: 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    TLS decided by DANE
    tlswrap: TLS=must TLSHOST=mx.test TLS_VERIFY=dane TLS_TLSA=3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef TLS_NAMES=mx.test TLS_SERVERNAME=mx.test
  20 127.0.0.3 other.test: dropped, MTA-STS enforce: the host matches no mx pattern of the policy (SPEC D31)
  30 127.0.0.4 plain.test: dropped, MTA-STS enforce: the host matches no mx pattern of the policy (SPEC D31)
exit 0"

case_ 'port 465 under !*: SMTP for the route, SMTPS for the hosts DANE or MTA-STS enforce decides, as qmail-remote connects (plan.SMTPSTo)'
home
mkdir -p "$H/queue/lock/mtasts"
{ echo "STSv1 one $(($(date +%s) + 86400))"; printf 'version: STSv1\nmode: enforce\nmx: *.sts.test\nmax_age: 86400\n'; } > "$H/queue/lock/mtasts/sts.test"
echo 'sts.test::465' > "$C/smtproutes"
echo '!*:' > "$C/tlsdestinations"
dns 'sts.test AD
sts.test MX 10 mx.test
sts.test MX 20 mx2.sts.test
_mta-sts.sts.test TXT v=STSv1; id=one
mx.test AD
mx.test A 127.0.0.2
_465._tcp.mx.test TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
mx2.sts.test A 127.0.0.3
other.test AD
other.test MX 10 mx.test
other.test MX 20 plain.test
plain.test A 127.0.0.4'
rc sts.test > "$T/sts"
echo 'other.test::465' > "$C/smtproutes"
rc other.test > "$T/other"
stopdns
check "$(grep -v '^    tlswrap\|^    dnssec\|^MTA-STS\|^auth\|^tls:\|^source\|^helo\|^timeouts\|^session cache\|^candidates\|^host\|^client' "$T/sts")" "route: SMTP to MX lookup of sts.test port 465 (control/smtproutes line 1)
route: SMTPS (TLS from the first byte) all the same to a host DANE or MTA-STS enforce decides (see the candidates)
  10 127.0.0.2 mx.test: timeout table unreadable: every address is tried
    TLS decided by DANE
    SMTPS: TLS from the first byte, under tlswrap -i
  20 127.0.0.3 mx2.sts.test: timeout table unreadable: every address is tried
    TLS decided by MTA-STS enforce
    SMTPS: TLS from the first byte, under tlswrap -i
exit 0"
check "$(grep -v '^    tlswrap\|^    dnssec\|^MTA-STS\|^auth\|^tls:\|^source\|^helo\|^timeouts\|^session cache\|^candidates\|^host\|^client' "$T/other")" "route: SMTP to MX lookup of other.test port 465 (control/smtproutes line 1)
route: SMTPS (TLS from the first byte) all the same to a host DANE or MTA-STS enforce decides (see the candidates)
  10 127.0.0.2 mx.test: timeout table unreadable: every address is tried
    TLS decided by DANE
    SMTPS: TLS from the first byte, under tlswrap -i
  20 127.0.0.4 plain.test: timeout table unreadable: every address is tried
exit 0"

case_ 'MTA-STS: a TXT id with no policy cached: a delivery would fetch it; qmail-rcheck writes nothing'
home
mkdir -p "$H/queue/lock/mtasts"
dns 'sts.test MX 10 mx.test
_mta-sts.sts.test TXT v=STSv1; id=two
mx.test A 127.0.0.2'
rc sts.test > "$T/sts"
stopdns
check "$(grep '^MTA-STS' "$T/sts"; ls -A "$H/queue/lock/mtasts" | wc -l)" "MTA-STS for sts.test: _mta-sts TXT id two; no fresh policy cached under it: a delivery would fetch https://mta-sts.sts.test/.well-known/mta-sts.txt (shown here as if none applied)
0"

case_ 'MTA-STS: a failed fetch held for the TXT id: no fetch before its time, no policy; another id would fetch'
home
mkdir -p "$H/queue/lock/mtasts"
echo "failed two 4000000000" > "$H/queue/lock/mtasts/sts.test,failed"
dns 'sts.test MX 10 mx.test
_mta-sts.sts.test TXT v=STSv1; id=two
mx.test A 127.0.0.2'
rc sts.test > "$T/sts"
echo "failed one 4000000000" > "$H/queue/lock/mtasts/sts.test,failed"
rc sts.test > "$T/sts2"
stopdns
check "$(grep '^MTA-STS' "$T/sts" "$T/sts2" | sed 's|^.*/sts2*:||')" "MTA-STS for sts.test: _mta-sts TXT id two; a fetch under it failed, none is tried before 2096-10-02T07:06:40Z; no policy
MTA-STS for sts.test: _mta-sts TXT id two; no fresh policy cached under it: a delivery would fetch https://mta-sts.sts.test/.well-known/mta-sts.txt (shown here as if none applied)"

case_ 'a name that does not exist: what qmail-remote would report, exit 100'
home
dns 'mx.test MX 10 one.mx.test'
out=$(rc nx.test)
stopdns
check "$(echo "$out" | tail -n 3)" "candidates: mxlookup -t 25 nx.test
qmail-remote would bounce: Sorry, I couldn't find any host named nx.test. (#5.1.2)
exit 100"

case_ 'QMTP (qmtproutes, port 209) and QMTPS (port 6209)'
home
printf 'q.test:[127.0.0.1]\nqs.test:[127.0.0.1]:6209\n' > "$C/qmtproutes"
printf '*:\n' > "$C/tlsdestinations"
check "$(rc q.test | sed -n '2,4p'; rc qs.test | sed -n '2,4p')" "route: QMTP to relay [127.0.0.1] port 209 (control/qmtproutes line 1)
auth: none
tls: no (QMTP: no STARTTLS)
route: QMTPS (TLS from the first byte) to relay [127.0.0.1] port 6209 (control/qmtproutes line 2)
auth: none
tls: try, verify none (QMTP: no STARTTLS)"

case_ 'authsenders: credentials apply, never their values; domainips: bind and HELO'
home
printf '@x.test:[127.0.0.1]:587|joe|Sekr1t-pw\n' > "$C/authsenders"
printf 'x.test:127.0.0.1|out.x.test\n' > "$C/domainips"
out=$(rc a.test joe@x.test)
check "$(echo "$out" | sed -n '2,7p')" "route: SMTP to relay [127.0.0.1] port 587 (control/authsenders line 1)
auth: credentials from control/authsenders line 1 (user and password not shown)
tls: must, verify name (credentials: a verified certificate for [127.0.0.1], as no rule keyed on it says otherwise (D9; loopback addresses exempt))
client certificate: none
source: bind 127.0.0.1 (control/domainips line 1)
helo: out.x.test (control/domainips line 1)"
case_ 'the user and the password appear nowhere in the output'
check "$(echo "$out" | grep -c 'joe\b\|Sekr1t')" "1"

case_ 'SMTPS through a tlsdestinations port 465, a pin rule, a client certificate'
home
printf 'a.test:relay.test\n' > "$C/smtproutes"
printf '%%relay.test:=AB:CD:EF|;465\n' > "$C/tlsdestinations"
printf '*:/etc/c.pem|/etc/k.pem|keypw\n' > "$C/domaincerts"
check "$(rc a.test | sed -n '2,7p')" "route: SMTPS (TLS from the first byte) to relay relay.test port 465 (control/smtproutes line 1)
route: port 465 from control/tlsdestinations line 1
auth: none
tls: must, verify pin (control/tlsdestinations line 1, key %relay.test)
tls: pin ABCDEF
client certificate: /etc/c.pem, key /etc/k.pem, a key password (not shown) (control/domaincerts line 1)"

case_ 'a syntax error: what qmail-remote would report, exit 111'
home
printf 'a.test:[127.0.0.1]:x\n' > "$C/smtproutes"
check "$(rc a.test)" 'host a.test, sender <>
qmail-remote would defer: Syntax error in control/smtproutes line 1: bad port "x". (#4.3.5)
exit 111'

case_ '-c: clean control files: 0 errors, exit 0'
home
printf 'a.test:[127.0.0.1]:2525\n:relay.test|u|p\n' > "$C/smtproutes"
printf '*:\n=mx.test:\n!old.test:\n' > "$C/tlsdestinations"
echo 30 > "$C/timeoutconnect"
check "$(rc -c)" "0 errors, 0 warnings
exit 0"

case_ '-c: broken lines of every kind, in file and line order, exit 100'
home
printf 'helo.test\nsecond\n' > "$C/helohost"
echo 30s > "$C/timeoutconnect"
echo abc > "$C/timeoutremote"
printf '# x\na.test:[127.0.0.1]:2525\nb.test [127.0.0.1]\nc.test:relay .test\nd.test:r.test: 25\na.test:[127.0.0.1]:2526\nE.test:r.test|user\n!@:\n' > "$C/smtproutes"
printf 'q.test:r.test:209|u|p\nq2.test:r.test:x\n' > "$C/qmtproutes"
printf '@x.test:relay.test|u\n' > "$C/authsenders"
printf '=relay.b.test:/nonexistent/ca.pem|2\n+mx.test:\n*.x.test:\n%%p.test:=zz\n%%p2.test:\n!n.test:junk\nnocolon\n:\n=h.test:|abc|def\n' > "$C/tlsdestinations"
printf 'x.test:\n*:/no/cert.pem|/no/key.pem|pw\n' > "$C/domaincerts"
printf 'x.test:192.0.2.500|out.x.test\ny.test:fe80::1%%nosuchif\n' > "$C/domainips"
check "$(rc -c)" 'control/helohost line 2: warning: ignored: only the first line is read
control/timeoutconnect line 1: warning: only the leading digits are read: 30
control/timeoutremote line 1: warning: "abc" is not a number: the default 1200 applies
control/smtproutes line 2: warning: ignored: line 6 has the same key "a.test"
control/smtproutes line 3: error: no '"':'"' in the line
control/smtproutes line 4: error: white space in the relay "relay .test"
control/smtproutes line 5: error: bad port " 25"
control/smtproutes line 7: error: an AUTH user without a password, or a password without a user
control/smtproutes line 8: warning: a bounce route without a relay is skipped
control/qmtproutes line 1: warning: QMTP has no AUTH: the user and password are ignored
control/qmtproutes line 2: error: bad port "x"
control/authsenders line 1: error: an AUTH user without a password, or a password without a user
control/tlsdestinations line 1: warning: CA file or folder /nonexistent/ca.pem: no such file or directory
control/tlsdestinations line 2: error: unknown key prefix "+" in "+mx.test" (prefixes: ! % = ~ - and +* alone)
control/tlsdestinations line 3: error: '"'*'"' stands alone (*, =*, ~*, +*, -*, !*), not in "*.x.test"
control/tlsdestinations line 4: error: bad fingerprint "zz"
control/tlsdestinations line 5: error: no fingerprint (want %host:=<hex>)
control/tlsdestinations line 6: warning: the value of a ! rule is ignored
control/tlsdestinations line 7: error: no '"':'"' in the line
control/tlsdestinations line 8: error: an empty key matches no host (* is every host)
control/tlsdestinations line 9: error: bad depth "def"
control/domaincerts line 1: error: no certificate file
control/domaincerts line 2: warning: certificate file /no/cert.pem: no such file or directory
control/domaincerts line 2: warning: key file /no/key.pem: no such file or directory
control/domainips line 1: error: Invalid ipaddr: "192.0.2.500" is not an IP address
control/domainips line 2: error: Invalid ipaddr: no interface nosuchif
16 errors, 10 warnings
exit 100'

case_ '-c: each error is one qmail-remote reports for the same line'
# A message whose route reaches the line gets the Z that names it.
home
printf 'a.test:[127.0.0.1]:2525\nd.test:r.test: 25\n' > "$C/smtproutes"
echo x | QMAILHOME=$H "$BIN/qmail-remote" d.test s@x.test r@d.test | tr -d '\0' > "$T/qr"
check "$(cat "$T/qr"; rc -c | grep ': error:')" 'ZSyntax error in control/smtproutes line 2: bad port " 25". (#4.3.5)
control/smtproutes line 2: error: bad port " 25"'

case_ '-c: control/tracedestinations: lines that trace nothing are warnings (a transcript never defers mail), exit 0'
home
mkdir "$H/log"
printf '# transcripts\na.test:log/a\n.b.test:/nonexistent/dir/b\nc.test.:log/c\n*.d.test:log/d\n:log/e\nf.test:\na.test:log/a2\n*:%s\n' "$T/all" > "$C/tracedestinations"
check "$(rc -c)" "control/tracedestinations line 2: warning: ignored: line 8 has the same key \"a.test\"
control/tracedestinations line 3: warning: folder /nonexistent/dir of /nonexistent/dir/b: no such file or directory: no transcript
control/tracedestinations line 4: warning: the key \"c.test.\" ends in '.': it matches no host (a host's trailing dot is removed first)
control/tracedestinations line 5: warning: '*' stands alone, not in \"*.d.test\": it matches no host (.name is every host under name)
control/tracedestinations line 6: warning: an empty key matches no host (* is every host)
0 errors, 5 warnings
exit 0"

case_ '-c: control/tracedestinations with a line without ":": qmail-remote ignores the whole file; unreadable: a warning, not exit 111'
home
printf 'a.test:/tmp/x\nnocolon\n' > "$C/tracedestinations"
check "$(rc -c)" "control/tracedestinations line 2: warning: no ':' in the line: qmail-remote ignores the whole file (no transcripts)
0 errors, 1 warnings
exit 0"
rm "$C/tracedestinations"
mkdir "$C/tracedestinations"
check "$(rc -c | sed 's/: read control\/tracedestinations: is a directory/: is a directory/')" "control/tracedestinations: warning: unable to read: is a directory: no transcripts (deliveries go on)
0 errors, 1 warnings
exit 0"

case_ '-c: neither me nor helohost; an unreadable file: exit 111'
home
rm "$C/me" "$C/helohost"
mkdir "$C/smtproutes"
check "$(rc -c | sed 's/: read control\/smtproutes: is a directory/: is a directory/')" "control/me: error: neither control/helohost nor control/me: qmail-remote defers every message
control/smtproutes: error: unable to read: is a directory: qmail-remote defers every message
2 errors, 0 warnings
exit 111"

# --- the probe (-p) against fakepeer on loopback

K=$T/certs
"$TBIN/mkcerts" "$K" > /dev/null || { echo "mkcerts failed"; exit 111; }
# probe SCRIPT ARGS...: qmail-rcheck -p ARGS against fakepeer playing
# SCRIPT once on 127.0.0.1 (the route a.test:[127.0.0.1]:PORT); its
# output from the probe on (the port and the client's port made
# constant) and its exit code; the peer's log in $T/log.
probe() {
	printf '%s\n' "$1" > "$T/script"
	rm -f "$T/log"
	listen 127.0.0.1:0 "$T/log" "$T/script"
	shift
	echo "a.test:[127.0.0.1]:$port" > "$C/smtproutes"
	# $authpw: the sender's domain x.test relays there with credentials.
	[ -n "$authpw" ] && echo "@x.test:[127.0.0.1]:$port|joe|$authpw" > "$C/authsenders"
	QMAILHOME=$H "$BIN/qmail-rcheck" -p "$@" > "$T/out" 2>&1
	echo "exit $?" >> "$T/out"
	wait $peerpid
	sed -n '/^probe /,$p' "$T/out" | sed "s/:$port /:PORT /; s/connected from 127.0.0.1:[0-9]*/connected from 127.0.0.1:N/
		s/^  TLS: TLSv1\.3 TLS_[A-Z0-9_]*;/  TLS: TLSv1.3 <cipher>;/"
}

case_ 'probe without STARTTLS: greeting, EHLO, the TLS line, ready, QUIT'
home
check "$(probe 'send 220 mx.test ESMTP
read
send 250-mx.test
send 250-AUTH PLAIN LOGIN
send 250 8BITMIME
read' a.test)" "probe 127.0.0.1:PORT ([127.0.0.1]):
  connected from 127.0.0.1:N
  < 220 mx.test ESMTP
  > EHLO helo.test
  < 250-mx.test
  < 250-AUTH PLAIN LOGIN
  < 250 8BITMIME
  TLS: none; STARTTLS not offered
  ready: a delivery would send MAIL now
exit 0"
case_ 'the probe never sends MAIL: the peer saw EHLO and QUIT only'
check "$(tr -d '\r' < "$T/log")" "EHLO helo.test
QUIT"

case_ 'probe with STARTTLS and a pin rule: the chain, the pin line, the verdict; never MAIL'
home
pin=$(cat "$K/server.sha256")
echo "%[127.0.0.1]:=$pin" > "$C/tlsdestinations"
printf 'x.test:\n' > "$C/authsenders"
probe "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 2.0.0 go ahead
tls $K/server.pem $K/server.key
read
send 250-mx.test
send 250 AUTH PLAIN
read" a.test s@x.test > "$T/p"
colons=$(echo "$pin" | tr a-f A-F | sed 's/../&:/g; s/:$//')
check "$(grep -v '^    valid\|^    names\|^    issuer' "$T/p" | sed '/certificate 1:/,$ { /SHA-256/d; }')" "probe 127.0.0.1:PORT ([127.0.0.1]):
  connected from 127.0.0.1:N
  < 220 mx.test ESMTP
  > EHLO helo.test
  < 250-mx.test
  < 250 STARTTLS
  TLS: TLSv1.3 <cipher>; certificate matches the pinned SHA-256 fingerprint
  > EHLO helo.test
  < 250-mx.test
  < 250 AUTH PLAIN
  ready: a delivery would send MAIL now
  certificate 0: subject CN=mx.test
    SHA-256 $colons
  pin: %[127.0.0.1]:=$colons
  certificate 1: subject CN=Test Intermediate CA,O=qmail-remote-go tests
exit 0"
case_ 'after STARTTLS the peer saw EHLO and QUIT, no MAIL'
check "$(tr -d '\r' < "$T/log")" "EHLO helo.test
STARTTLS
EHLO helo.test
QUIT"

case_ 'a wrong pin: the verdict a delivery would give, the certificate still shown, exit 111'
home
echo "%[127.0.0.1]:=$(echo "$pin" | tr 0-9a-f 1-9a-f0)" > "$C/tlsdestinations"
probe "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 2.0.0 go ahead
tls $K/server.pem $K/server.key" a.test > "$T/p"
check "$(grep '^  verdict\|^  pin\|^  ready\|^exit' "$T/p" | sed 's/fingerprint: [0-9a-f]*/fingerprint: X/')" "  verdict: ZReceived X.509 certificate from: [127.0.0.1] does not match fingerprint: X. (#4.4.1)
  verdict: the certificate's SHA-256 fingerprint is $pin
  pin: %[127.0.0.1]:=$colons
exit 111"

case_ 'credentials on the route and AUTH offered: the probe sends no AUTH and shows no secret'
home
authpw=Sekr1t-pw
probe 'send 220 mx.test ESMTP
read
send 250-mx.test
send 250 AUTH PLAIN LOGIN
read' a.test joe@x.test > "$T/p"
authpw=
check "$(grep -c 'Sekr1t\|joe|' "$T/p"; grep '^auth\|ready' "$T/out"; tr -d '\r' < "$T/log")" "0
auth: credentials from control/authsenders line 1 (user and password not shown)
  ready: a delivery would send MAIL now
EHLO helo.test
QUIT"

case_ 'an opportunistic handshake that fails: the verdict, and that a delivery goes on in clear text'
home
probe "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 STARTTLS
expect STARTTLS
send 220 2.0.0 go ahead
tls12 $K/rsa.pem $K/rsa.key TLS_RSA_WITH_RC4_128_SHA" a.test > "$T/p"
check "$(grep '^  verdict: Z\|^  a delivery\|^  ready\|^exit' "$T/p")" "  verdict: ZI wasn't able to establish a TLS connection with: [127.0.0.1]. (#4.4.1)
  a delivery would connect again and go on in clear text (SPEC D8)
exit 111"

case_ 'mandatory TLS and no STARTTLS: the verdict, exit 111, no MAIL'
home
echo '=[127.0.0.1]:' > "$C/tlsdestinations"
probe 'send 220 mx.test ESMTP
read
send 250 mx.test
read' a.test > "$T/p"
check "$(grep '^  verdict\|^  ready\|^exit' "$T/p"; tr -d '\r' < "$T/log")" "  verdict: ZI wasn't able to negotiate a TLS connection with: [127.0.0.1]. (#4.4.1)
exit 111
EHLO helo.test
QUIT"

case_ 'a refused connection: said, exit 111'
home
echo "a.test:[127.0.0.1]:1" > "$C/smtproutes"
QMAILHOME=$H "$BIN/qmail-rcheck" -p a.test > "$T/out" 2>&1
echo "exit $?" >> "$T/out"
check "$(sed -n '/^probe /,$p' "$T/out")" "probe 127.0.0.1:1 ([127.0.0.1]):
  connect: dial tcp 127.0.0.1:1: connect: connection refused
exit 111"

finish
