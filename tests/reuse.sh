# The session cache from qmail-remote's side (issue 21): when it asks
# (per address, SMTP only, not SMTPS, QMTP or the clear-text retry),
# what it reads only when a cache answers (control/sessionmessages and
# sessionlifetime), and that a cache that hangs or dies costs a delivery
# nothing but its 2 s. tests/bin/fakescache plays the cache (none, hold,
# hang, die); fakepeer the server.
# Requirements: bin/*, tests/bin/fakepeer, tests/bin/fakescache; Linux.
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
	listen "$1:${4:-0}" "$T/log.$1" "$T/script.$1" "${3:-1}"
	peers="$peers $peerpid"
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
G
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
G G
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
G"
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
