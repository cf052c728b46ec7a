# mxlookup alone against fakedns on loopback (DNSCACHEIP=127.0.0.1:PORT).
# Each case shows stdout and the exit code.
# Requirements: bin/mxlookup, tests/bin/fakedns (make bin/mxlookup
# tests/bin/fakedns).
# Not tested here: a real resolver, IPv6 servers, the full 60-second
# schedule (the timeout case shortens it with MXLOOKUP_DEADLINE), qmail-remote.
. "$(dirname "$0")/lib.sh"

cat > "$T/zone" <<'EOF'
example.test MX 20 mx2.example.test
example.test MX 10 mx1.example.test
example.test MX 20 mx3.example.test
example.test MX 30 mx4.example.test
mx1.example.test A 127.0.0.1
mx1.example.test AAAA ::1
mx1.example.test A 127.0.0.2
mx2.example.test A 127.0.0.3
mx3.example.test A 127.0.0.4
mx4.example.test AAAA 2001:db8::4
host.test A 127.0.0.5
relay.test MX 10 mx1.example.test
relay.test A 127.0.0.9
nullmx.test MX 0 .
broken.test SERVFAIL
slow.test TIMEOUT
junk.test GARBAGE
big.test TRUNCATE
big.test MX 10 mx2.example.test
alias.test CNAME alias2.test
alias2.test CNAME Target.test
target.test MX 10 mx2.example.test
target.test A 127.0.0.6
badalias.test CNAME broken.test
loop1.test CNAME loop2.test
loop2.test CNAME loop1.test
nohost.test MX 10 missing.test
partial.test MX 10 missing.test
partial.test MX 20 mx2.example.test
soft.test MX 10 missing.test
soft.test MX 20 broken.test
mxalias.test MX 10 mxa.test
mxa.test CNAME mx3.example.test
literalmx.test MX 10 127.0.0.7
xn--bcher-kva.test MX 10 xn--mnchen-3ya.test
xn--mnchen-3ya.test A 127.0.0.8
dane.test AD
dane.test MX 10 mx.dane.test
dane.test MX 20 mx2.dane.test
mx.dane.test A 127.0.0.10
_25._tcp.mx.dane.test TLSA 3 1 1 0123abcd
_25._tcp.mx.dane.test TLSA 2 0 1 ef
mx2.dane.test A 127.0.0.11
failing.dane.test MX 10 mx3.dane.test
mx3.dane.test A 127.0.0.12
_25._tcp.mx3.dane.test SERVFAIL
unsigned.test MX 10 mx.dane.test
sts.test MX 10 mx2.example.test
_mta-sts.sts.test TXT v=spf1 -all
_mta-sts.sts.test TXT v=STSv1; id=20261206T1
two.test A 127.0.0.3
_mta-sts.two.test TXT v=STSv1; id=a
_mta-sts.two.test TXT v=STSv1; id=b
stsbad.test A 127.0.0.3
_mta-sts.stsbad.test TXT v=STSv1; id=not-alnum
stssoft.test A 127.0.0.3
_mta-sts.stssoft.test SERVFAIL
EOF

# fakedns (lib.sh: startdns) ends when fd 9 closes. Each case names
# the server itself.
startdns "$T/zone"
DNS=$DNSCACHEIP
unset DNSCACHEIP
DEAD=127.0.0.1:1

# mx ARGS...: stdout and exit code of mxlookup asking fakedns.
mx() { DNSCACHEIP=$DNS "$BIN/mxlookup" "$@" 2>&1; echo "exit $?"; }

case_ 'MX order: preference first, AAAA before A, equal preferences as a set'
out=$(mx example.test)
got=$(echo "$out" | grep -v '^20 '; echo "$out" | grep '^20 ' | sort)
check "$got" '10 ::1 mx1.example.test
10 127.0.0.1 mx1.example.test
10 127.0.0.2 mx1.example.test
30 2001:db8::4 mx4.example.test
exit 0
20 127.0.0.3 mx2.example.test
20 127.0.0.4 mx3.example.test'

case_ 'MX order: the 20s come between the 10s and the 30'
check "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" '10 10 10 20 20 30 exit '

case_ 'equal preferences come out in both orders over 40 runs'
i=0
: > "$T/orders"
while [ $i -lt 40 ]; do
	mx example.test | grep '^20 ' | tr '\n' ' ' >> "$T/orders"
	echo >> "$T/orders"
	i=$((i + 1))
done
check "$(sort -u "$T/orders" | wc -l | tr -d ' ')" 2

case_ 'no MX: the name is its own exchanger, preference 0'
check "$(mx host.test)" '0 127.0.0.5 host.test
exit 0'

case_ '-a: addresses of the name only, no MX query'
: > "$T/dns.log"
got=$(mx -a relay.test; grep -c 'relay.test MX' "$T/dns.log")
check "$got" '0 127.0.0.9 relay.test
exit 0
0'

case_ '-a on a name without addresses is a hard failure'
check "$(mx -a example.test)" "Sorry, I couldn't find any host named example.test. (#5.1.2)
exit 100"

for lit in '[127.0.0.8]' 127.0.0.8 '[IPv6:2001:db8::8]' '[2001:db8::8]'; do
	case_ "literal $lit needs no DNS server"
	got=$(DNSCACHEIP=$DEAD "$BIN/mxlookup" "$lit"; echo "exit $?")
	case $lit in *:*) addr=2001:db8::8 ;; *) addr=127.0.0.8 ;; esac
	check "$got" "0 $addr $lit
exit 0"
done

case_ 'null MX (RFC 7505) is permanent'
check "$(mx nullmx.test)" 'Sorry, nullmx.test does not accept mail (null MX). (#5.1.10)
exit 100'

case_ 'NXDOMAIN is permanent, without a colon'
check "$(mx nx.test)" "Sorry, I couldn't find any host named nx.test. (#5.1.2)
exit 100"

case_ 'SERVFAIL is temporary, with a colon'
check "$(mx broken.test)" "Sorry, I couldn't find any host named: broken.test. (#4.1.2)
exit 111"

case_ 'CNAME chain to MX records (each hop asked again)'
check "$(mx alias.test)" '10 127.0.0.3 mx2.example.test
exit 0'

case_ 'CNAME chain with -a'
check "$(mx -a ALIAS.test.)" '0 127.0.0.6 ALIAS.test.
exit 0'

case_ 'CNAME target fails temporarily: the CNAME text names the target'
check "$(mx badalias.test)" 'CNAME lookup failed temporarily for: broken.test. (#4.4.3)
exit 111'

case_ 'CNAME loop is temporary'
check "$(mx loop1.test)" 'CNAME lookup failed temporarily for: loop2.test. (#4.4.3)
exit 111'

case_ 'the only MX host does not exist'
check "$(mx nohost.test)" "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)
exit 100"

case_ 'a missing MX host is skipped'
check "$(mx partial.test)" '20 127.0.0.3 mx2.example.test
exit 0'

case_ 'no address while an MX host failed temporarily'
check "$(mx soft.test)" "Sorry, I couldn't find any host named: soft.test. (#4.1.2)
exit 111"

case_ 'an MX host that is a CNAME keeps its MX name'
check "$(mx mxalias.test)" '10 127.0.0.4 mxa.test
exit 0'

case_ 'an MX host that is an address is used as it is'
check "$(mx literalmx.test)" '10 127.0.0.7 127.0.0.7
exit 0'

case_ 'truncated UDP answer: asked again over TCP'
: > "$T/dns.log"
got=$(mx big.test; grep -c 'tcp big.test MX' "$T/dns.log")
check "$got" '10 127.0.0.3 mx2.example.test
exit 0
1'

case_ 'garbage answer is a temporary failure, at once'
start=$(date +%s)
got=$(mx junk.test; [ $(($(date +%s) - start)) -le 2 ] && echo fast)
check "$got" "Sorry, I couldn't find any host named: junk.test. (#4.1.2)
exit 111
fast"

case_ 'silent server: temporary failure when MXLOOKUP_DEADLINE=2 runs out'
start=$(date +%s)
got=$(MXLOOKUP_DEADLINE=2 mx slow.test; e=$(($(date +%s) - start)); [ $e -ge 1 ] && [ $e -le 4 ] && echo "in time")
check "$got" "Sorry, I couldn't find any host named: slow.test. (#4.1.2)
exit 111
in time"

case_ 'first server dead, second answers'
check "$(DNSCACHEIP="$DEAD,$DNS" "$BIN/mxlookup" host.test; echo "exit $?")" '0 127.0.0.5 host.test
exit 0'

case_ 'only a dead server'
check "$(DNSCACHEIP="$DEAD" "$BIN/mxlookup" host.test; echo "exit $?")" "Sorry, I couldn't find any host named: host.test. (#4.1.2)
exit 111"

case_ 'IDNA: a U-label domain is looked up as its A-labels (RFC 5890)'
check "$(mx bücher.test)" '10 127.0.0.8 xn--mnchen-3ya.test
exit 0'

case_ 'IDNA: upper case in a U-label is folded before the lookup'
check "$(mx BÜCHER.test)" '10 127.0.0.8 xn--mnchen-3ya.test
exit 0'

case_ 'IDNA: a name that is not valid IDNA 2008 is a D with a clear text, and no query'
n=$(wc -l < "$T/dns.log")
out=$(mx "snow☃.test")
check "$(echo "$out" | sed 's/: idna: .*(#5.1.2)/: REASON. (#5.1.2)/')" 'Sorry, snow???.test is not a valid internationalized domain name: REASON. (#5.1.2)
exit 100'
check "$(wc -l < "$T/dns.log")" "$n"

case_ 'DANE (-t 25): TLSA records of a signed MX host, flags per candidate'
: > "$T/dns.log"
check "$(mx -t 25 dane.test)" 'tlsa mx.dane.test mx.dane.test 3 1 1 0123abcd
tlsa mx.dane.test mx.dane.test 2 0 1 ef
10 127.0.0.10 mx.dane.test mat
20 127.0.0.11 mx2.dane.test ma
exit 0'
check "$(grep -c TLSA "$T/dns.log")" 2

case_ 'DANE: a failed TLSA lookup is flagged f'
check "$(mx -t 25 failing.dane.test)" '10 127.0.0.12 mx3.dane.test maf
exit 0'

case_ 'DANE: an unsigned MX answer: no TLSA query'
: > "$T/dns.log"
check "$(mx -t 25 unsigned.test; grep -c TLSA "$T/dns.log")" '10 127.0.0.10 mx.dane.test a
exit 0
0'

case_ 'DANE: a relay by name (-a -t 25)'
check "$(mx -a -t 25 mx.dane.test)" 'tlsa mx.dane.test mx.dane.test 3 1 1 0123abcd
tlsa mx.dane.test mx.dane.test 2 0 1 ef
0 127.0.0.10 mx.dane.test at
exit 0'

case_ 'DANE: an unsigned zone prints - and asks no TLSA'
: > "$T/dns.log"
check "$(mx -t 25 host.test; grep -c TLSA "$T/dns.log")" '0 127.0.0.5 host.test -
exit 0
0'

case_ 'DANE: without -t the output is as before'
check "$(mx dane.test)" '10 127.0.0.10 mx.dane.test
20 127.0.0.11 mx2.dane.test
exit 0'

case_ 'bad DNSCACHEIP'
check "$(DNSCACHEIP='x.y' "$BIN/mxlookup" host.test; echo "exit $?")" 'Unable to parse $DNSCACHEIP: not an address: "x.y". (#4.3.0)
exit 111'

case_ '-s: the MTA-STS id first, then the candidates; TXT records not STSv1 ignored'
check "$(mx -s sts.test)" 'mta-sts 20261206T1
10 127.0.0.3 mx2.example.test
exit 0'

case_ '-s: the TXT record asked for at _mta-sts.NAME'
check "$(grep -i '_mta-sts.sts.test' "$T/dns.log" | sed 's/.* \(udp\|tcp\) //' | sort -u)" '_mta-sts.sts.test 16'

case_ '-s: two STSv1 records, an invalid one, a failed or absent TXT: no id line, the candidates as without -s'
check "$(mx -s two.test; mx -s stsbad.test; mx -s stssoft.test; mx -s host.test)" '0 127.0.0.3 two.test
exit 0
0 127.0.0.3 stsbad.test
exit 0
0 127.0.0.3 stssoft.test
exit 0
0 127.0.0.5 host.test
exit 0'

case_ '-s: a failed MX lookup prints only its line'
check "$(mx -s broken.test)" "Sorry, I couldn't find any host named: broken.test. (#4.1.2)
exit 111"

case_ 'usage: no name, on stderr'
got=$("$BIN/mxlookup" 2> "$T/err"; echo "exit $?"; cat "$T/err")
check "$got" "exit 100
usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go $V)"

case_ 'usage: unknown option'
check "$("$BIN/mxlookup" -x host.test 2>&1; echo "exit $?")" "usage: mxlookup [-a | -s] [-t port] name (qmail-remote-go $V)
exit 100"

stopdns
finish
