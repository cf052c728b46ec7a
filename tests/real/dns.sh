# mxlookup and qmail-remote against a real recursive resolver, unbound
# (tests/real/setup) on 127.0.0.1:10053 through $DNSCACHEIP, serving
# real.test: MX order, equal preferences, AAAA, CNAME chains (in the
# zone and across zones), an A-only name, null MX, SERVFAIL, NXDOMAIN, an
# MX host that is this machine; then deliveries through the MX path with
# smtproutes giving only the port (`::10025`: empty relay, MX lookup as
# usual) to Postfix on 127.0.0.2 and .3, with failover past a refused
# connection (127.0.0.4) and a 5xx greeting (smtp-sink on 127.0.0.5).
# Requirements: bin/*, the peers of tests/real/setup running.
# Not tested here: DNS failure modes unbound cannot be made to show
# (timeouts, truncation, garbage: tests/mxlookup.sh with fakedns).
. "$(dirname "$0")/lib.sh"

# mx ARGS...: mxlookup's stdout and exit code.
mx() { "$BIN/mxlookup" "$@" 2>&1; echo "exit $?"; }

case_ 'mxlookup: two preferences, best first'
check "$(mx real.test)" '10 127.0.0.2 mx1.real.test
20 127.0.0.3 mx2.real.test
exit 0'

case_ 'mxlookup: three preferences given out of order'
check "$(mx order.real.test)" '5 127.0.0.3 mx2.real.test
10 127.0.0.2 mx1.real.test
30 127.0.0.4 dead.real.test
exit 0'

case_ 'mxlookup: equal preferences come out as a set'
check "$(mx equal.real.test | sort)" '10 127.0.0.2 mx1.real.test
10 127.0.0.3 mx2.real.test
exit 0'

case_ 'mxlookup: AAAA before A for one MX host'
check "$(mx v6.real.test)" '10 ::1 both.real.test
10 127.0.0.2 both.real.test
exit 0'

case_ 'mxlookup -a: AAAA and A of a relay, no MX lookup'
check "$(mx -a both.real.test)" '0 ::1 both.real.test
0 127.0.0.2 both.real.test
exit 0'

case_ 'mxlookup: a CNAME chain in the zone'
check "$(mx alias.real.test)" '10 127.0.0.3 mx2.real.test
exit 0'

case_ 'mxlookup: a CNAME into another zone'
check "$(mx xalias.real.test)" '10 127.0.0.2 mx1.real.test
exit 0'

case_ 'mxlookup: a name with only an A record is its own MX'
check "$(mx aonly.real.test)" '0 127.0.0.3 aonly.real.test
exit 0'

case_ 'mxlookup: null MX'
check "$(mx nullmx.real.test)" 'Sorry, nullmx.real.test does not accept mail (null MX). (#5.1.10)
exit 100'

case_ 'mxlookup: NXDOMAIN'
check "$(mx nosuch.real.test)" "Sorry, I couldn't find any host named nosuch.real.test. (#5.1.2)
exit 100"

case_ 'mxlookup: an MX host that does not exist'
check "$(mx nohost.real.test)" "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)
exit 100"

case_ 'mxlookup: SERVFAIL is temporary'
check "$(mx x.fail.test)" "Sorry, I couldn't find any host named: x.fail.test. (#4.1.2)
exit 111"

case_ 'mxlookup: an MX host whose lookup gets SERVFAIL is temporary'
check "$(mx broken.real.test)" "Sorry, I couldn't find any host named: broken.real.test. (#4.1.2)
exit 111"

case_ 'mxlookup: a CNAME into a SERVFAIL zone is temporary'
check "$(mx cnfail.real.test)" "Sorry, I couldn't find any host named: cnfail.real.test. (#4.1.2)
exit 111"

# Deliveries: the MX path, with only the port set by smtproutes.
routes ":;$REAL_SMTPD"
S=sender@qr.test
printf 'From: %s\nSubject: mx\n\nthrough DNS\n' "$S" > "$T/msg"
kq='^@exit 0'

case_ 'qmail-remote: the best MX (127.0.0.2) gets it'
check "$(qr real.test $S "$ID.best@real.test")" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"
check "$(arrived "$ID.best@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'qmail-remote: preference 5 (127.0.0.3) before 10 and 30'
check "$(qr order.real.test $S "$ID.order@real.test")" "r^@K127.0.0.3 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"

case_ 'qmail-remote: failover past a refused connection and a 5xx greeting to the third MX'
check "$(qr failover.real.test $S "$ID.failover@real.test")" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"
check "$(arrived "$ID.failover@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'qmail-remote: equal preferences, one of the two gets it'
check "$(qr equal.real.test $S "$ID.equal@real.test" | sed 's/^r^@K127\.0\.0\.[23] /r^@K127.0.0.X /')" "r^@K127.0.0.X TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"

case_ 'qmail-remote: through a CNAME chain'
check "$(qr alias.real.test $S "$ID.alias@real.test")" "r^@K127.0.0.3 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"

case_ 'qmail-remote: through a CNAME into another zone'
check "$(qr xalias.real.test $S "$ID.xalias@real.test")" "r^@K127.0.0.2 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"

case_ 'qmail-remote: an A-only name'
check "$(qr aonly.real.test $S "$ID.aonly@real.test")" "r^@K127.0.0.3 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"

case_ 'qmail-remote: null MX bounces'
check "$(qr nullmx.real.test $S "$ID.x@real.test")" "DSorry, nullmx.real.test does not accept mail (null MX). (#5.1.10)
^@exit 0"

case_ 'qmail-remote: SERVFAIL defers'
check "$(qr x.fail.test $S "$ID.x@real.test")" "ZSorry, I couldn't find any host named: x.fail.test. (#4.1.2)
^@exit 0"

case_ 'qmail-remote: NXDOMAIN bounces'
check "$(qr nosuch.real.test $S "$ID.x@real.test")" "DSorry, I couldn't find any host named nosuch.real.test. (#5.1.2)
^@exit 0"

case_ 'qmail-remote: the best MX is this machine (127.0.0.1): #5.4.6'
check "$(qr selfmx.real.test $S "$ID.x@real.test")" "DSorry. Although I'm listed as a best-preference MX or A for that host,
it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)
^@exit 0"

case_ 'qmail-remote: a relay by name (smtproutes), AAAA first'
routes "v6.real.test:both.real.test:$REAL_SMTPD"
want=127.0.0.2
ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' && want=::1
check "$(qr v6.real.test $S "$ID.v6@real.test")" "r^@K$want TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
$kq"
check "$(arrived "$ID.v6@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'D33: the only host greets 5xx (smtp-sink on 127.0.0.5): the D21 text, then what it said'
routes "rej.test:reject.real.test:$REAL_SMTPD"
check "$(qr rej.test $S "$ID.rej@real.test")" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
Remote host said: 500 5.3.0 Error: command failed
$kq"

case_ 'D33: the only host refuses the connection (127.0.0.4): the D21 text, then the address and why'
routes "dead.test:dead.real.test:$REAL_SMTPD"
check "$(qr dead.test $S "$ID.dead@real.test")" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.4:$REAL_SMTPD: connection refused
$kq"

cleanup
finish
