# qmail-remote's connection step end to end: control/domainips (SPEC
# 4.8, Appendix B 31), the host timeout table queue/lock/tcpto with
# qmail-tcpto and qmail-tcpok (SPEC 3.7, D14, Appendix B 30), IPv6
# literals, relays and reports (SPEC 3.9), Happy Eyeballs between the
# addresses of one host (RFC 8305). Real binds on loopback: 127.0.0.2,
# 127.0.0.3 and ::1 are local on Linux; an address that never answers
# is tests/bin/blackhole (a full listen backlog: SYNs dropped, no root).
# Requirements: bin/*, tests/bin/fakepeer, fakedns, blackhole; Linux
# loopback 127.0.0.0/8. The IPv6 cases are skipped, saying so, where
# there is no ::1.
# Not tested here: tcpto's rules one by one (lib/tcpto's Go tests), the
# attempt schedule (qmail-remote's connect_test.go).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
TCPTO=$H/queue/lock/tcpto
mkdir -p "$H/queue/lock"

# home: a fresh control dir, and a fresh (zero) timeout table.
home() {
	rm -rf "$C"
	mkdir -p "$C"
	echo helo.test > "$C/helohost"
	echo 5 > "$C/timeoutremote"
	dd if=/dev/zero of="$TCPTO" bs=1024 count=1 2> /dev/null
}

# peer ADDR PORT SCRIPT: fakepeer -l on ADDR:PORT for one connection;
# the wire goes to $T/wire, the client's address to $T/from; sets $port.
peer() {
	printf '%s\n' "$3" > "$T/script"
	rm -f "$T/wire" "$T/from"
	rm -f "$T/port.fifo"
	mkfifo "$T/port.fifo"
	"$TBIN/fakepeer" -l "$1:$2" -o "$T/wire" -a "$T/from" "$T/script" > "$T/port.fifo" 2>> "$T/peer.err" &
	peerpid=$!
	read port < "$T/port.fifo"
}
endpeer() { kill $peerpid 2> /dev/null; wait $peerpid 2> /dev/null; }

# hole ADDR: a black hole on ADDR, port any; sets $hport. Its stdin is
# a fifo held open on fd 7: endholes closes it, and the holes end.
hole() {
	rm -f "$T/hole.fifo" "$T/hole.in"
	mkfifo "$T/hole.fifo" "$T/hole.in"
	"$TBIN/blackhole" "$1" < "$T/hole.in" > "$T/hole.fifo" 2>> "$T/peer.err" &
	holes="$holes $!"
	exec 7> "$T/hole.in"
	read hport < "$T/hole.fifo"
	[ -n "$hport" ]
}
endholes() { exec 7>&-; wait $holes; holes=; }
holes=

qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/qr.err"
	echo "exit $?" >> "$T/out"
	[ -s "$T/qr.err" ] && { echo "stderr:"; cat "$T/qr.err"; } >> "$T/out"
	show < "$T/out"
}
tcpto() { QMAILHOME=$H "$BIN/qmail-tcpto" | sed 's/ [0-9]* seconds ago/ N seconds ago/'; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# age SECONDS: moves the time of record 0 of the table back.
age() {
	set -- "$1" $(od -An -tu1 -j8 -N4 "$TCPTO")
	t=$(($2 + $3 * 256 + $4 * 65536 + $5 * 16777216 - $1))
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((t & 255)) $((t >> 8 & 255)) $((t >> 16 & 255)) $((t >> 24 & 255)))" |
		dd of="$TCPTO" bs=1 seek=8 conv=notrunc 2> /dev/null
}

ok='send 220 mx.test ESMTP
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued
read'
K1='r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0'
printf 'Subject: net\n\nhello\n' > "$T/msg"

have6=
grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2> /dev/null && have6=yes
[ -z "$have6" ] && echo 'net.sh: info: no IPv6 loopback (::1) on this machine: IPv6 cases skipped'

# --- domainips (SPEC 4.8, B31)

case_ 'B31: domainips example.org:127.0.0.2|helo.example.org: source 127.0.0.2, EHLO helo.example.org'
home
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
printf 'other.test:127.0.0.3\nexample.org:127.0.0.2|helo.example.org\n' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" "$K1"
endpeer
check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "127.0.0.2
EHLO helo.example.org^M"

case_ 'domainips .suffix: a subdomain leaves from 127.0.0.3 with control/helohost'
home
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
printf '.example.org:127.0.0.3\n:127.0.0.2|dflt.test\n' > "$C/domainips"
check "$(qr a.test x@mail.EXAMPLE.org r@a.test)" "$K1"
endpeer
check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "127.0.0.3
EHLO helo.test^M"

case_ 'domainips empty key: the bounce sender too'
home
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
printf '.example.org:127.0.0.3\n:127.0.0.2|dflt.test\n' > "$C/domainips"
check "$(qr a.test '' r@a.test)" "$K1"
endpeer
check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "127.0.0.2
EHLO dflt.test^M"

case_ 'domainips * (sq3) with the helohost alone: no bind'
home
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
echo '*:|star.test' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" "$K1"
endpeer
check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "127.0.0.1
EHLO star.test^M"

case_ 'domainips 0.0.0.0: no bind'
home
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
echo ':0.0.0.0|zero.test' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" "$K1"
endpeer
check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "127.0.0.1
EHLO zero.test^M"

case_ 'domainips: an IPv6 address is not bound for an IPv4 remote; its helohost still holds'
home
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
echo ':2001:db8::25|six.test' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" "$K1"
endpeer
check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "127.0.0.1
EHLO six.test^M"

case_ 'domainips: an IPv4 address is not bound for an IPv6 remote'
if [ -n "$have6" ]; then
	home
	peer '[::1]' 0 "$ok"
	echo ":[::1]:$port" > "$C/smtproutes"
	echo ':127.0.0.2|four.test' > "$C/domainips"
	check "$(qr a.test x@example.org r@a.test)" 'r^@K::1 accepted message.
Remote host said: 250 ok queued
^@exit 0'
	endpeer
	check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "::1
EHLO four.test^M"
else
	echo "skip - $name: no IPv6 loopback"
fi

case_ 'domainips ::1 for an IPv6 remote: bound'
if [ -n "$have6" ]; then
	home
	peer '[::1]' 0 "$ok"
	echo ":[::1]:$port" > "$C/smtproutes"
	printf '*:::1|six.test\n' > "$C/domainips"
	qr a.test x@example.org r@a.test > /dev/null
	endpeer
	check "$(cat "$T/from"; head -n 1 "$T/wire" | show)" "::1
EHLO six.test^M"
else
	echo "skip - $name: no IPv6 loopback"
fi

case_ 'domainips: an unparsable address: Z Invalid ipaddr, naming the line'
home
echo ':[127.0.0.1]:1' > "$C/smtproutes"
printf '# bindings\nexample.org:192.0.2.256|h.test\n' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" 'ZInvalid ipaddr in control/domainips (#4.3.0)
control/domainips line 2: "192.0.2.256" is not an IP address
^@exit 0'

case_ 'domainips: an unknown interface: Z Invalid ipaddr, naming the line'
echo ':fe80::1%nosuch0|h.test' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" 'ZInvalid ipaddr in control/domainips (#4.3.0)
control/domainips line 1: no interface nosuch0
^@exit 0'

case_ 'domainips: an address of no interface here: Z Cant bind, naming the line'
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
echo ':192.0.2.25' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" "ZCan't bind to local ip address: 192.0.2.25. (#4.3.0)
control/domainips line 1: bind: cannot assign requested address
^@exit 0"
endpeer
check "$(cat "$T/from" 2> /dev/null)" ""

case_ 'domainips: a CR inside the helohost: Z syntax error naming the line'
printf ':127.0.0.2|bad\r.test\n' > "$C/domainips"
check "$(qr a.test x@example.org r@a.test)" "ZSyntax error in control/domainips line 1: a line break inside the name. (#4.3.5)
^@exit 0"

# --- IPv6 literals and relays (SPEC 3.9)

if [ -n "$have6" ]; then
	for relay in '[::1]:PORT' '[IPv6:0:0:0:0:0:0:0:1];PORT' '::1;PORT' '0::1;PORT'; do
		case_ "smtproutes relay $relay: delivered, the partner printed ::1"
		home
		peer '[::1]' 0 "$ok"
		echo ":$relay" | sed "s/PORT/$port/" > "$C/smtproutes"
		check "$(qr a.test x@example.org r@a.test)" 'r^@K::1 accepted message.
Remote host said: 250 ok queued
^@exit 0'
		endpeer
	done

	case_ 'an IPv6 partner in a failure report: compressed'
	home
	peer '[::1]' 0 "$(printf 'send 220 mx.test\nread\nsend 250 mx.test\nread\nsend 553 no\nread')"
	echo ":[IPv6:0000:0000::0001]:$port" > "$C/smtproutes"
	check "$(qr a.test x@example.org r@a.test)" 'DConnected to ::1 but sender was rejected.
Remote host said: 553 no
^@exit 0'
	endpeer

	for lit in '[::1]' '[IPv6:::1]' '[IPv6:0:0:0:0:0:0:0:1]'; do
		case_ "host $lit without a route: ipme has ::1, D #5.4.6"
		home
		check "$(qr "$lit" x@example.org r@a.test)" "DSorry. Although I'm listed as a best-preference MX or A for that host,
it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)
^@exit 0"
	done
else
	echo 'skip - IPv6 relays, reports and literals: no IPv6 loopback'
fi

case_ 'smtproutes: a bare IPv6 relay without ;port: Z syntax error naming the line'
home
echo ':2001:db8::1:25' > "$C/smtproutes"
check "$(qr a.test x@example.org r@a.test)" "ZSyntax error in control/smtproutes line 1: an IPv6 relay needs brackets or ;port. (#4.3.5)
^@exit 0"

# --- the host timeout table (SPEC 3.7, D14, B30)

# A refused port on 127.0.0.5: one that a peer held a moment ago.
peer 127.0.0.5 0 "$ok"
rport=$port
endpeer

case_ 'B30: a refused connection is counted'
home
echo ":[127.0.0.5]:$rport" > "$C/smtproutes"
check "$(qr a.test x@example.org r@a.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.5:$rport: connection refused
^@exit 0"
check "$(tcpto)" "127.0.0.5 timed out N seconds ago; # recent timeouts: 1"

case_ 'B30: a second error within 120 s is not counted'
qr a.test x@example.org r@a.test > /dev/null
check "$(tcpto)" "127.0.0.5 timed out N seconds ago; # recent timeouts: 1"

case_ 'B30: an error 200 s later is: count 2'
age 200
qr a.test x@example.org r@a.test > /dev/null
check "$(tcpto)" "127.0.0.5 timed out N seconds ago; # recent timeouts: 2"

case_ 'B30: the next run skips the address without connecting'
peer 127.0.0.5 "$rport" "$ok"
check "$(qr a.test x@example.org r@a.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.5:$rport: skipped: marked dead in the timeout table
^@exit 0"
check "$(cat "$T/from" 2> /dev/null)" ""

case_ 'B30: about an hour later (6000 s) it is tried again; the success sets the count to 0'
age 6000
check "$(qr a.test x@example.org r@a.test)" "r^@K127.0.0.5 accepted message.
Remote host said: 250 ok queued
^@exit 0"
endpeer
check "$(tcpto)" ""
check "$(od -An -tu1 -j4 -N1 "$TCPTO" | tr -d ' ')" 0

case_ 'B30: an address that never answers: a timeout after timeoutconnect, counted'
home
hole 127.0.0.6:0
echo 1 > "$C/timeoutconnect"
echo ":[127.0.0.6]:$hport" > "$C/smtproutes"
t0=$(ms)
check "$(qr a.test x@example.org r@a.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.6:$hport: timed out after 1 s
^@exit 0"
t=$(($(ms) - t0))
check "$([ $t -ge 900 ] && [ $t -lt 3000 ] && echo about 1 s || echo "$t ms")" "about 1 s"
check "$(tcpto)" "127.0.0.6 timed out N seconds ago; # recent timeouts: 1"
endholes

case_ 'qmail-tcpok clears the table; qmail-tcpto then prints nothing'
QMAILHOME=$H "$BIN/qmail-tcpok"
check "$?:$(tcpto)" "0:"
check "$(head -c 1024 /dev/zero | cmp - "$TCPTO" && echo zeros)" zeros

case_ 'a table of the wrong size: not used, not changed; qmail-tcpto says so, qmail-tcpok repairs it'
head -c 1000 /dev/zero > "$TCPTO"
qr a.test x@example.org r@a.test > /dev/null
check "$(wc -c < "$TCPTO" | tr -d ' '):$(tr -d '\0' < "$TCPTO" | wc -c | tr -d ' ')" "1000:0"
out=$(QMAILHOME=$H "$BIN/qmail-tcpto" 2>&1)
check "$?:$out" "111:qmail-tcpto: fatal: unable to read $H/queue/lock/tcpto: tcpto is not 1024 bytes long"
QMAILHOME=$H "$BIN/qmail-tcpok"
check "$(wc -c < "$TCPTO" | tr -d ' ')" 1024

case_ 'no table: delivery as usual, no table created'
home
rm "$TCPTO"
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
check "$(qr a.test x@example.org r@a.test)" "$K1"
endpeer
check "$(ls "$H/queue/lock")" ""
out=$(QMAILHOME=$H "$BIN/qmail-tcpok" 2>&1)
check "$?:$out" "111:qmail-tcpok: fatal: unable to clear $H/queue/lock/tcpto: no such file or directory"

case_ 'a table of random bytes: delivery as usual; qmail-tcpto reads it'
home
head -c 1024 /dev/urandom > "$TCPTO"
peer 127.0.0.1 0 "$ok"
echo ":[127.0.0.1]:$port" > "$C/smtproutes"
check "$(qr a.test x@example.org r@a.test)" "$K1"
endpeer
QMAILHOME=$H "$BIN/qmail-tcpto" > /dev/null
check "$?:$(wc -c < "$TCPTO" | tr -d ' ')" "0:1024"

case_ 'usage: qmail-tcpto and qmail-tcpok take no arguments'
out=$(QMAILHOME=$H "$BIN/qmail-tcpto" x 2>&1; echo "exit $?"; QMAILHOME=$H "$BIN/qmail-tcpok" x 2>&1; echo "exit $?")
check "$out" "usage: qmail-tcpto (qmail-remote-go $V)
exit 100
usage: qmail-tcpok (qmail-remote-go $V)
exit 100"

case_ '50 concurrent qmail-remote against one table: every refused address recorded once, the table valid'
home
n=1
while [ $n -le 20 ]; do
	echo "h$n.test:[127.0.1.$n]:$rport" >> "$C/smtproutes"
	n=$((n + 1))
done
mkdir "$T/c"
i=0
pids=
while [ $i -lt 50 ]; do
	QMAILHOME=$H "$BIN/qmail-remote" h$((i % 20 + 1)).test x@example.org r@a.test < "$T/msg" > "$T/c/$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
# Each report whole: the D21 sentence, then its address and why (D33).
bad=
i=0
while [ $i -lt 50 ]; do
	[ "$(tr -d '\0' < "$T/c/$i")" = "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.1.$((i % 20 + 1)):$rport: connection refused" ] || bad="$bad $i"
	i=$((i + 1))
done
check "$bad" ""
check "$(wc -c < "$TCPTO" | tr -d ' ')" 1024
n=1
want=
while [ $n -le 20 ]; do
	want="${want}127.0.1.$n timed out N seconds ago; # recent timeouts: 1
"
	n=$((n + 1))
done
check "$(tcpto | sort -t. -k4n)" "$(printf '%s' "$want")"

# --- Happy Eyeballs (RFC 8305) between the addresses of one host

printf 'he.test AAAA ::1\nhe.test A 127.0.0.2\nseq.test A 127.0.0.7\nseq.test A 127.0.0.8\n' > "$T/zone"
startdns "$T/zone"

# The proof that IPv4 did not wait for the hole is the transcript: the
# connection to 127.0.0.2 is the first thing qmail-remote notes, with no
# word of [::1] (an attempt that ended, a timeout, would be noted
# first), and tcpto holds no record of it (the next case). The time is
# said, and bounded at the product's scale: waiting for the hole costs
# all of timeoutconnect (60 s). A bound of 800 ms failed under CI-like
# load (1.2 s: the processes, not the 250 ms of RFC 8305, which
# qmail-remote's connect_test.go holds to).
case_ 'Happy Eyeballs: AAAA black hole, A answers: delivered over IPv4 while the IPv6 attempt is still pending'
if [ -n "$have6" ] && hole '[::1]:0'; then
	home
	peer 127.0.0.2 "$hport" "$ok"
	echo ":he.test:$hport" > "$C/smtproutes"
	rm -f "$T/trace"
	t0=$(ms)
	out=$(SMTPTRACE=$T/trace qr a.test x@example.org r@a.test)
	t=$(($(ms) - t0))
	check "$out" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@exit 0"
	check "$(sed -n 's/^qmail-remote\[[0-9]*\] [0-9.]* \* //p' "$T/trace" | sed 's/ from 127\.0\.0\.1:[0-9]*$/ from 127.0.0.1/')" \
		"delivery to a.test from <x@example.org> for 1 recipient(s); route he.test port $hport, smtpclient
connected to 127.0.0.2:$hport from 127.0.0.1
reports: r | K127.0.0.2 accepted message. / Remote host said: 250 ok queued"
	echo "net.sh: info: delivered in $t ms (timeoutconnect 60)"
	check "$([ $t -lt 30000 ] && echo fast || echo "$t ms")" fast
	check "$(cat "$T/from")" 127.0.0.1
	case_ 'Happy Eyeballs: the pending IPv6 loser is no timeout for the table'
	check "$(tcpto)" ""
	endpeer
	endholes
else
	echo "skip - $name: no IPv6 loopback"
fi

case_ 'one family only: in order, the black hole first costs timeoutconnect and is counted'
home
hole 127.0.0.7:0
peer 127.0.0.8 "$hport" "$ok"
echo 1 > "$C/timeoutconnect"
echo ":seq.test:$hport" > "$C/smtproutes"
t0=$(ms)
check "$(qr a.test x@example.org r@a.test)" "r^@K127.0.0.8 accepted message.
Remote host said: 250 ok queued
^@exit 0"
t=$(($(ms) - t0))
check "$([ $t -ge 900 ] && echo waited || echo "$t ms")" waited
check "$(tcpto)" "127.0.0.7 timed out N seconds ago; # recent timeouts: 1"
endpeer
endholes

case_ 'D33: no route (a network namespace of our own, loopback down): the address and "no route"'
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && unshare -n true 2> /dev/null; then
	home
	echo ':[127.0.0.1]:25' > "$C/smtproutes"
	out=$(QMAILHOME=$H unshare -n "$BIN/qmail-remote" a.test x@example.org r@a.test < "$T/msg" | show)
	check "$out" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.1:25: no route
^@"
	check "$(tcpto)" ""
else
	echo 'skip - D33 no route: needs root and unshare -n'
fi

stopdns
finish
