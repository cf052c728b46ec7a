# The session cache from qmail-remote's side (issue 21): when it asks
# (per address, SMTP only, not SMTPS, QMTP or the clear-text retry),
# what it reads only when a cache answers (control/sessionmessages and
# sessionlifetime), and that a cache that hangs or dies costs a delivery
# nothing but its 2 s; then sessions reused across runs, first with
# tests/bin/fakescache (none, hold, hang, die, dead) as the cache and
# fakepeer as the server, then with the real qmail-scache and
# tests/bin/smtpsink (many connections at once, a VIOLATION line when a
# connection sees a second MAIL inside a transaction): a key that differs
# in a part gets its own connection, deliveries racing the idle timeout,
# 20 runs at once; qmail-rcheck's session lines.
# Requirements: bin/* (qmail-scache too), tests/bin/fakepeer, fakedns,
# fakescache, smtpsink; Linux.
# Not tested here: the key part by part (go test ./lib/plan), the
# daemon itself (tests/scache.sh), smtpclient's RSET proof (smtpclient.sh).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
S=$H/queue/lock/scache
mkdir -p "$T/err"

home() {
	rm -rf "$H"
	mkdir -p "$C" "$S"
	chmod 700 "$S"
	echo me.test > "$C/me"
	echo helo.test > "$C/helohost"
}

peer() {
	printf '%s\n' "$2" > "$T/script.$1"
	rm -f "$T/log.$1"
	listen "$1:${4:-0}" "$T/log.$1" "$T/script.$1" "${3:-1}" 7>&- # not the cache's stdin
	peers="$peers $peerpid"
}
# peers2 ADDR SCRIPT1 SCRIPT2: fakepeer for two connections, the first
# with SCRIPT1, the second with SCRIPT2.
peers2() {
	printf '%s\n' "$2" > "$T/script1.$1"
	printf '%s\n' "$3" > "$T/script2.$1"
	rm -f "$T/log.$1" "$T/port.fifo"
	mkfifo "$T/port.fifo"
	"$TBIN/fakepeer" -l "$1:0" -n 2 -o "$T/log.$1" "$T/script1.$1" "$T/script2.$1" > "$T/port.fifo" 2>> "$T/peer.err" 7>&- &
	peers="$peers $!"
	read port < "$T/port.fifo"
}
waitpeers() { wait $peers; peers=; }
killpeers() { kill $peers 2> /dev/null; wait $peers 2> /dev/null; peers=; }
peers=

# cache MODE: starts fakescache MODE at the socket, its log $T/cache.log
# (emptied); stopcache ends it.
cache() {
	rm -f "$T/cache.fifo" "$T/cache.in" "$T/cache.log"
	: > "$T/cache.log"
	mkfifo "$T/cache.fifo" "$T/cache.in"
	"$TBIN/fakescache" "$1" "$S/socket" "$T/cache.log" < "$T/cache.in" > "$T/cache.fifo" 2>> "$T/cache.err" &
	cachepid=$!
	exec 7> "$T/cache.in"
	read _ < "$T/cache.fifo"
}
stopcache() {
	exec 7>&-
	wait $cachepid 2> /dev/null
	rm -f "$S/socket"
}

qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/err/qr"
	echo "exit $?" >> "$T/out"
	[ -s "$T/err/qr" ] && { echo "stderr:"; cat "$T/err/qr"; } >> "$T/out"
	show < "$T/out"
}

# wire ADDR: what the client sent to the peer on ADDR, CR as ^M.
wire() { show < "$T/log.$1"; }

# kinds: the kinds of record the cache got, keys left out ("G G P").
kinds() { cut -c1 "$T/cache.log" | tr '\n' ' ' | sed 's/ $//'; }

ok='send 220 mx.test ESMTP
read
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
K='r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@'
printf 'Subject: test\n\nhello\n' > "$T/msg"

case_ 'no cache running: a control/sessionmessages that is not a number is never read'
home
echo 'many' > "$C/sessionmessages"
echo '5 min' > "$C/sessionlifetime"
peer 127.0.0.1 "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
printf '!*:\n' > "$C/tlsdestinations"
out=$(qr a.test s@x.test r@a.test)
waitpeers
check "$out" "${K}exit 0"

case_ 'a cache running: control/sessionmessages that is not a number is a syntax error naming it'
cache none
check "$(qr a.test s@x.test r@a.test)" 'ZSyntax error in control/sessionmessages line 1: not a number: "many". (#4.3.5)
^@exit 0'
echo 100 > "$C/sessionmessages"
case_ 'and control/sessionlifetime'
check "$(qr a.test s@x.test r@a.test)" 'ZSyntax error in control/sessionlifetime line 1: not a number: "5 min". (#4.3.5)
^@exit 0'
case_ 'neither asks the cache for a session'
check "$(kinds)" ""
echo 300 > "$C/sessionlifetime"

case_ 'a cache that has nothing: asked once for the address, then a connection as always'
peer 127.0.0.1 "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out=$(qr a.test s@x.test r@a.test)
waitpeers
check "$out
$(kinds)
$(wire 127.0.0.1 | head -n 1)" "${K}exit 0
G P
EHLO helo.test^M"

case_ 'the key: 64 hex digits, the same for the same delivery, another for another port'
key1=$(sed -n 's/^G //p' "$T/cache.log")
peer 127.0.0.1 "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
: > "$T/cache.log"
qr a.test s@x.test r@a.test > /dev/null
waitpeers
key2=$(sed -n 's/^G //p' "$T/cache.log")
check "$(echo "$key1" | grep -c '^[0-9a-f]\{64\}$') $(test "$key1" != "$key2" && echo differ)" "1 differ"

case_ 'every address is asked after the timeout table, each under its own key'
peer 127.0.0.3 "$ok"
printf ':%s:%s\n' "$(printf 'two.test')" "$port" > "$C/smtproutes"
echo "two.test A 127.0.0.2
two.test A 127.0.0.3" > "$T/zone"
startdns "$T/zone"
: > "$T/cache.log"
out=$(qr a.test s@x.test r@a.test)
stopdns
waitpeers
check "$out
$(kinds)
$(sed -n 's/^G //p' "$T/cache.log" | sort -u | wc -l)" "$(echo "$K" | sed 's/127.0.0.1/127.0.0.3/')exit 0
G G P
2"

case_ 'an address the timeout table skips is not asked; the next one is'
# tcpto ADDR COUNT AGO: a timeout table with one IPv4 record (as in
# tests/qmail-rcheck.sh, SPEC D14).
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
tcpto 127.0.0.2 3 10
peer 127.0.0.3 "$ok"
printf ':two.test:%s\n' "$port" > "$C/smtproutes"
startdns "$T/zone"
: > "$T/cache.log"
out=$(qr a.test s@x.test r@a.test)
stopdns
waitpeers
check "$out
$(kinds)" "$(echo "$K" | sed 's/127.0.0.1/127.0.0.3/')exit 0
G P"
rm "$H/queue/lock/tcpto"
stopcache


case_ 'QMTP and SMTPS: the cache is never asked'
cache none
printf ':[127.0.0.1]:1\n' > "$C/qmtproutes"
qr a.test s@x.test r@a.test > /dev/null
rm "$C/qmtproutes"
printf ':[127.0.0.1]:1\n' > "$C/smtproutes"
printf '*::465\n' > "$C/tlsdestinations"
qr a.test s@x.test r@a.test > /dev/null
check "$(kinds)" ""
printf '!*:\n' > "$C/tlsdestinations"
stopcache

case_ 'a cache that never answers: the delivery goes on without it after 2 s'
cache hang
peer 127.0.0.1 "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out=$(qr a.test s@x.test r@a.test)
waitpeers
check "$out
$(kinds)" "${K}exit 0
G"
stopcache

case_ 'a cache killed (SIGKILL) while qmail-remote waits for its answer: delivered as without one'
cache die
peer 127.0.0.1 "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out=$(qr a.test s@x.test r@a.test)
waitpeers
wait $cachepid 2> /dev/null
check "$out
$(kinds)" "${K}exit 0
G"
exec 7>&-
rm -f "$S/socket"

case_ 'a socket nobody listens at (a dead cache): delivered as without one'
peer 127.0.0.1 "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
"$TBIN/fakescache" dead "$S/socket" "$T/cache.log" < /dev/null
out=$(qr a.test s@x.test r@a.test)
waitpeers
check "$out
$(test -S "$S/socket" && echo the socket is there)" "${K}exit 0
the socket is there"
rm -f "$S/socket"

# The cases below hand sessions back: smtpclient puts them into the
# cache (fakescache hold: each key's sessions, the last first, no idle
# close), and the next run takes them.
two='send 220 mx.test ESMTP
read
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
expect RSET
send 250 reset
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued 2
read'
# reused: the K report's last line with the age made N.
reused() { sed 's/opened [0-9]* s ago/opened N s ago/'; }

case_ 'the clear-text retry of SPEC D8 gets no SESSIONFD: the fresh session is asked for, the retry never handed back'
cache none
printf '' > "$C/tlsdestinations"
peers2 127.0.0.1 "send 220 mx.test ESMTP
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
read
send 221 bye"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out=$(qr a.test s@x.test r@a.test)
waitpeers
check "$out
$(kinds)
$(grep -c '^QUIT' "$T/log.127.0.0.1")" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok clear
TLS: none; retried in clear text after: I wasn't able to establish a TLS connection with: [127.0.0.1]. (#4.4.1)
^@exit 0
G
1"
printf '!*:\n' > "$C/tlsdestinations"
stopcache

case_ 'two runs, one connection: the second run reuses the session the first handed back'
cache hold
peer 127.0.0.1 "$two"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out1=$(qr a.test s@x.test r@a.test)
out2=$(qr a.test s@x.test r@a.test | reused)
stopcache
waitpeers
check "$out1
$out2
$(kinds)
$(grep -c '^EHLO' "$T/log.127.0.0.1") $(grep -c '^MAIL' "$T/log.127.0.0.1") $(grep -c '^QUIT' "$T/log.127.0.0.1")" "${K}exit 0
r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued 2
Session reused: message 2 on this connection, opened N s ago.
^@exit 0
G P G P
1 2 0"

case_ 'the same key asked and put, under both runs'
check "$(cut -d' ' -f2 "$T/cache.log" | sort -u | wc -l) $(sed -n 's/^P [0-9a-f]* smtp \([0-9]*\) \([0-9]\)$/\1 \2/p' "$T/cache.log" | tr '\n' ' ')" "1 1 1 2 1 "

case_ 'a session the server closed while idle: a fresh connection, a plain K, no word of it'
cache hold
# okclose: one transaction, then the server closes (no QUIT awaited).
okclose=$(echo "$ok" | sed '$d' | sed '$d'; echo close)
peers2 127.0.0.1 "$okclose" "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out1=$(qr a.test s@x.test r@a.test)
out2=$(qr a.test s@x.test r@a.test)
stopcache
waitpeers
check "$out1
$out2
$(grep -c '^EHLO' "$T/log.127.0.0.1")" "${K}exit 0
${K}exit 0
2"

case_ 'a server that answers RSET with 421: a fresh connection in the same run, a plain K'
cache hold
rset421='send 220 mx.test ESMTP
read
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
expect RSET
send 421 mx.test closing
close'
peers2 127.0.0.1 "$rset421" "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out1=$(qr a.test s@x.test r@a.test)
out2=$(qr a.test s@x.test r@a.test)
stopcache
waitpeers
check "$out1
$out2
$(grep -c '^EHLO' "$T/log.127.0.0.1") $(grep -c '^RSET' "$T/log.127.0.0.1") $(grep -c '^MAIL' "$T/log.127.0.0.1")" "${K}exit 0
${K}exit 0
2 1 2"

# The real qmail-scache from here on, and tests/bin/smtpsink as the
# server: many connections at once, any number of transactions on each,
# and a VIOLATION line if one connection ever sees a second MAIL before
# the first transaction's end.

# scache: starts bin/qmail-scache on the home (its log $T/scache.log),
# and waits for its socket; stopscache ends it (SIGTERM: QUIT to all).
scache() {
	rm -f "$S/socket"
	QMAILHOME=$H "$BIN/qmail-scache" 2>> "$T/scache.log" 7>&- &
	scachepid=$!
	i=0
	while [ ! -S "$S/socket" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
}
stopscache() { kill $scachepid; wait $scachepid 2> /dev/null; }

# sink: starts smtpsink on 127.0.0.1 (its log $T/sink.log, emptied),
# sets $port; stopsink ends it.
sink() {
	: > "$T/sink.log"
	rm -f "$T/sink.fifo" "$T/sink.in"
	mkfifo "$T/sink.fifo" "$T/sink.in"
	"$TBIN/smtpsink" 127.0.0.1:0 "$T/sink.log" < "$T/sink.in" > "$T/sink.fifo" 2>> "$T/peer.err" 7>&- &
	sinkpid=$!
	exec 6> "$T/sink.in"
	read port < "$T/sink.fifo"
}
stopsink() { exec 6>&-; wait $sinkpid; }

# conns: how many connections the sink took; violations: its VIOLATION lines.
conns() { grep -c ' open ' "$T/sink.log"; }
violations() { grep -c VIOLATION "$T/sink.log"; }
# qrl ARGS...: runs qmail-remote as qr does and prints the letters of
# its reports alone ("r K").
qrl() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" 2> /dev/null | tr '\n\0' ' \n' | cut -c1 | tr '\n' ' ' | sed 's/ $//'
}

case_ 'qmail-scache: two runs, one connection, the second K says so'
home
printf '!*:\n' > "$C/tlsdestinations"
scache
sink
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out1=$(qrl a.test s@x.test r@a.test)
out2=$(qr a.test s@x.test r@a.test | reused)
check "$out1
$out2
$(conns) $(violations)" "r K
r^@K127.0.0.1 accepted message.
Remote host said: 250 ok 1
Session reused: message 2 on this connection, opened N s ago.
^@exit 0
1 0"

# differ WHAT ARGS... : one more run whose key differs in WHAT (the
# control files set before): it must get a connection of its own.
differ() {
	what=$1
	shift
	before=$(conns)
	out=$(qrl "$@")
	check "$out $(($(conns) - before))" "r K 1"
}

case_ 'a key that differs in the HELO name (domainips) gets a fresh connection'
printf 'y.test:|other.helo.test\n' > "$C/domainips"
differ HELO a.test s@y.test r@a.test
case_ 'and that connection said EHLO with that name'
check "$(grep -c "^$(conns) ehlo other.helo.test$" "$T/sink.log")" 1
case_ 'a key that differs in the source address (domainips) gets a fresh connection, from there'
printf 'z.test:127.0.0.2|\n' > "$C/domainips"
differ source a.test s@z.test r@a.test
check "$(grep -c "^$(conns) open 127.0.0.2$" "$T/sink.log")" 1
case_ 'a key that differs in the tlsdestinations rule gets a fresh connection'
printf '![127.0.0.1]:\n!*:\n' > "$C/tlsdestinations"
differ rule a.test s@x.test r@a.test
printf '!*:\n' > "$C/tlsdestinations"
case_ 'a key that differs in the authsenders user gets a fresh connection'
printf 's@x.test:[127.0.0.1]:%s|joe|pw1\n' "$port" > "$C/authsenders"
differ 'user joe' a.test s@x.test r@a.test
joe=$(conns)
printf 's@x.test:[127.0.0.1]:%s|ann|pw1\n' "$port" > "$C/authsenders"
differ 'user ann' a.test s@x.test r@a.test
check "$(grep -c ' auth joe$' "$T/sink.log") $(grep -c ' auth ann$' "$T/sink.log")" "1 1"
# Authenticated sessions go back to the cache (State.Auth): joe's again
# reuses joe's, sends no AUTH, and MAIL carries the same AUTH=, which
# smtpclient got from authclient -m.
case_ 'an authenticated session: the same user again reuses it, no second AUTH, K says message 2'
printf 's@x.test:[127.0.0.1]:%s|joe|pw1\n' "$port" > "$C/authsenders"
before=$(conns)
out=$(qr a.test s@x.test r@a.test | reused | sed 's/250 ok [0-9]*$/250 ok N/')
check "$out
$(($(conns) - before)) $(grep -c ' auth joe$' "$T/sink.log")" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok N
Session reused: message 2 on this connection, opened N s ago.
^@exit 0
0 1"
case_ '... on the connection joe authenticated on, MAIL with the same AUTH= both times, RSET before the second'
check "$(grep "^$joe " "$T/sink.log" | cut -d' ' -f2- | grep -v '^data$')" "open 127.0.0.1
ehlo helo.test
auth joe
mail AUTH=joe
rset
mail AUTH=joe"
case_ 'an authenticated session is not reused when the tlsdestinations rule changes (SPEC D9: the rule it was checked under): a fresh connection, AUTH again'
printf '![127.0.0.1]:\n!*:\n' > "$C/tlsdestinations"
differ 'rule, AUTH' a.test s@x.test r@a.test
check "$(grep -c ' auth joe$' "$T/sink.log")" 2
case_ '... and the old rule back reuses the first session again'
printf '!*:\n' > "$C/tlsdestinations"
before=$(conns)
out=$(qr a.test s@x.test r@a.test | reused | sed -n 3p)
check "$out $(($(conns) - before)) $(grep -c ' auth joe$' "$T/sink.log")" "Session reused: message 3 on this connection, opened N s ago. 0 2"
case_ 'no credentials: never a session that authenticated (MAIL without AUTH=, no AUTH sent)'
rm "$C/authsenders"
out=$(qrl a.test s@x.test r@a.test)
check "$out|$(grep ' mail' "$T/sink.log" | tail -n 1 | cut -d' ' -f2-)|$(grep -c ' auth ' "$T/sink.log")" "r K|mail|3"
case_ 'a key that differs in the port gets a fresh connection'
port1=$port
stopsink_keep=$sinkpid
exec 5>&6
sink
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
differ port a.test s@x.test r@a.test
stopsink
exec 6>&5 5>&-
sinkpid=$stopsink_keep
port=$port1
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
rm -f "$C/domainips"
case_ 'none of them ever saw two deliveries at once'
check "$(violations)" 0
stopsink
stopscache

case_ 'deliveries racing the idle timeout (sessionidle 1, a delivery every second, 20 times): all K'
echo 1 > "$C/sessionidle"
scache
sink
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
i=0
: > "$T/race"
while [ $i -lt 20 ]; do
	qrl a.test s@x.test r@a.test >> "$T/race"
	echo >> "$T/race"
	sleep 1
	i=$((i + 1))
done
check "$(sort "$T/race" | uniq -c | sed 's/^ *//') $(violations)" "20 r K 0"
rm "$C/sessionidle"
stopsink
stopscache

case_ '20 runs at once, twice: all K, and no session ever in two runs'
scache
sink
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
: > "$T/many"
for round in 1 2; do
	i=0
	pids=
	while [ $i -lt 20 ]; do
		(qrl a.test s@x.test r@a.test > "$T/many.$round.$i") &
		pids="$pids $!"
		i=$((i + 1))
	done
	wait $pids
done
check "$(for f in "$T"/many.*; do cat "$f"; echo; done | sort | uniq -c | sed 's/^ *//') $(violations) $(test "$(conns)" -le 40 && echo ok)" "40 r K 0 ok"
stopsink
stopscache

case_ 'qmail-scache over STARTTLS: two runs, one connection and one handshake; the second run gets the pipes to the tlswrap that still runs it'
"$TBIN/mkcerts" "$T/certs" > /dev/null
rm -f "$C/tlsdestinations"
scache
tls2="send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 8BITMIME
expect STARTTLS
send 220 2.0.0 go ahead
tls $T/certs/server.pem $T/certs/server.key
read
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
expect RSET
send 250 reset
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued 2
expect QUIT
send 221 bye"
peer 127.0.0.1 "$tls2"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out1=$(qr a.test s@x.test r@a.test | grep -c '^TLS: ')
out2=$(qr a.test s@x.test r@a.test | reused)
stopscache
waitpeers
check "$out1
$(echo "$out2" | grep -c '^TLS: ')
$(echo "$out2" | grep '^Session\|^Remote\|exit')
$(grep -c '^EHLO' "$T/log.127.0.0.1") $(grep -c '^STARTTLS' "$T/log.127.0.0.1") $(grep -c '^MAIL' "$T/log.127.0.0.1")" "1
1
Remote host said: 250 ok queued 2
Session reused: message 2 on this connection, opened N s ago.
^@exit 0
2 1 2"
printf '!*:\n' > "$C/tlsdestinations"

case_ 'qmail-scache: a session the server closed while idle is dropped: a fresh connection, a plain K'
scache
peers2 127.0.0.1 "$okclose" "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out1=$(qr a.test s@x.test r@a.test)
out2=$(qr a.test s@x.test r@a.test)
stopscache
waitpeers
check "$out1
$out2
$(grep -c '^EHLO' "$T/log.127.0.0.1")" "${K}exit 0
${K}exit 0
2"

case_ 'qmail-scache: a server that answers RSET with 421: a fresh connection in the same run, a plain K'
scache
peers2 127.0.0.1 "$rset421" "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
out1=$(qr a.test s@x.test r@a.test)
out2=$(qr a.test s@x.test r@a.test)
stopscache
waitpeers
check "$out1
$out2
$(grep -c '^EHLO' "$T/log.127.0.0.1") $(grep -c '^RSET' "$T/log.127.0.0.1") $(grep -c '^MAIL' "$T/log.127.0.0.1")" "${K}exit 0
${K}exit 0
2 1 2"

case_ 'qmail-rcheck: no cache running, said in one line'
rc() { QMAILHOME=$H "$BIN/qmail-rcheck" "$@" 2>&1; }
check "$(rc a.test s@x.test | grep -c '^session cache: none running at')" 1

case_ 'qmail-rcheck: a cache running, its limits, and the key qmail-remote asks for, with its parts; no session taken'
cache none
echo 7 > "$C/sessionmessages"
peer 127.0.0.1 "$ok"
printf ':[127.0.0.1]:%s\n' "$port" > "$C/smtproutes"
qr a.test s@x.test r@a.test > /dev/null
waitpeers
key=$(sed -n 's/^G //p' "$T/cache.log")
: > "$T/cache.log"
rc a.test s@x.test > "$T/rc"
check "$(grep '^session cache' "$T/rc")
$(grep -c "^    session key $key:\$" "$T/rc")
$(grep '^      ' "$T/rc" | grep -c '^      addr 127.0.0.1$\|^      port '"$port"'$\|^      env HELOHOST=helo.test$\|^      env TLS=no$')
$(kinds)" "session cache: running at $S/socket; a session carries up to 7 messages for up to 300 s
1
4
"
rm "$C/sessionmessages"
stopcache

case_ 'qmail-rcheck: the AUTH user is not shown among the parts'
cache none
printf 's@x.test:[127.0.0.1]:2525|joe|Sekr1t-pw\n' > "$C/authsenders"
check "$(rc a.test s@x.test | grep -c 'joe\|Sekr1t') $(rc a.test s@x.test | grep -c '^      authuser (set; not shown)$')" "0 1"
rm "$C/authsenders"
stopcache

case_ 'qmail-rcheck -c: sessionmessages and sessionlifetime checked, whether a cache runs or not'
echo many > "$C/sessionmessages"
echo 86401 > "$C/sessionlifetime"
check "$(rc -c | grep session)" 'control/sessionmessages line 1: error: not a number: "many"
control/sessionlifetime line 1: error: not from 0 to 86400: 86401'
rm "$C/sessionmessages" "$C/sessionlifetime"

finish
