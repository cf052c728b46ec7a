# qmail-remote end to end: the whole pipeline (qmail-remote, mxlookup,
# smtpclient) with a control dir in $T (QMAILHOME=$T/home) against
# fakepeer -l on loopback addresses and fakedns through $DNSCACHEIP.
# Covers SPEC Appendix B 1-19 and 27-29, and the start-up and stage
# failures of SPEC 1.7.1.
# Requirements: bin/*, tests/bin/fakepeer, tests/bin/fakedns.
# Not tested here: every dialogue branch (smtpclient.sh), every DNS
# branch (mxlookup.sh).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
mkdir -p "$C" "$T/err"

# home: a fresh control dir with me and helohost.
home() {
	rm -rf "$C"
	mkdir -p "$C"
	echo me.test > "$C/me"
	echo helo.test > "$C/helohost"
}

# peer ADDR SCRIPT [N [PORT]]: starts fakepeer -l in the background on
# ADDR:PORT (any port by default) for N connections; sets $port.
peer() {
	printf '%s\n' "$2" > "$T/script.$1"
	rm -f "$T/log.$1"
	listen "$1:${4:-0}" "$T/log.$1" "$T/script.$1" "${3:-1}"
	peers="$peers $peerpid"
}
# waitpeers: waits for every peer to finish its connections (and write
# its log); killpeers ends peers that still wait for one.
waitpeers() { wait $peers; peers=; }
killpeers() { kill $peers 2> /dev/null; wait $peers 2> /dev/null; peers=; }
peers=

# dns ZONE: starts fakedns with this zone (lib.sh: startdns, stopdns).
dns() { printf '%s\n' "$1" > "$T/zone"; startdns "$T/zone"; }

# qr ARGS...: runs qmail-remote on $T/msg; prints its reports (cat -v),
# its exit code, and what it wrote to fd 2 if anything.
qr() {
	QMAILHOME=$H "$BIN/qmail-remote" "$@" < "$T/msg" > "$T/out" 2> "$T/err/qr"
	echo "exit $?" >> "$T/out"
	[ -s "$T/err/qr" ] && { echo "stderr:"; cat "$T/err/qr"; } >> "$T/out"
	show < "$T/out"
}

# wire ADDR: what the client sent to the peer on ADDR, CR as ^M.
wire() { show < "$T/log.$1"; }

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

# before STEP: the dialogue of lib.sh ($G $E $M $R $D) up to the
# server's reply at STEP (greet, helo, mail, rcpt, data, dot).
# upto STEP REPLY: REPLY there instead, then QUIT read.
before() {
	case $1 in
	greet) ;;
	helo) printf '%s\nread\n' "$G" ;;
	mail) printf '%s\n%s\nread\n' "$G" "$E" ;;
	rcpt) printf '%s\n%s\n%s\nread\n' "$G" "$E" "$M" ;;
	data) printf '%s\n%s\n%s\n%s\nread\n' "$G" "$E" "$M" "$R" ;;
	dot) printf '%s\n%s\n%s\n%s\n%s\ndata\n' "$G" "$E" "$M" "$R" "$D" ;;
	esac
}
upto() { before "$1"; printf 'send %s\nread\nsend 221 bye\n' "$2"; }

printf 'Subject: test\n\nhello\n' > "$T/msg"

# --- start-up (SPEC 1.7.1, B1, B2)

home
case_ 'B1: two arguments only: D invoked improperly, exit 0'
check "$(qr host sender)" "DI (qmail-remote) was invoked improperly. (#5.3.5)
^@exit 0"

case_ 'no arguments at all: D invoked improperly'
check "$(qr)" "DI (qmail-remote) was invoked improperly. (#5.3.5)
^@exit 0"

case_ 'invoked improperly with fd 2 on fd 1, as qmail-rspawn gives: the D report alone, no usage line'
check "$(QMAILHOME=$H "$BIN/qmail-remote" host < /dev/null 2>&1 | show)" "DI (qmail-remote) was invoked improperly. (#5.3.5)
^@"

case_ 'B2: neither control/me nor control/helohost: Z'
rm "$C/me" "$C/helohost"
check "$(qr a.test s@x.test r@a.test)" "ZUnable to read control files. (#4.3.0)
neither control/helohost nor control/me exists
^@exit 0"

case_ 'qmail home missing: Z unable to switch'
out=$(QMAILHOME=$T/nonexistent "$BIN/qmail-remote" a.test s r < "$T/msg" 2>&1 | show)
check "$out" "ZUnable to switch to home directory. (#4.3.0)
^@"

case_ 'control/smtproutes unreadable (a directory): Z'
home
mkdir "$C/smtproutes"
check "$(qr a.test s@x.test r@a.test)" "ZUnable to read control files. (#4.3.0)
control/smtproutes: is a directory
^@exit 0"

case_ 'bad port in smtproutes: Z naming the file and line'
home
printf '# routes\n\na.test:[127.0.0.1]:25x\n' > "$C/smtproutes"
check "$(qr a.test s@x.test r@a.test)" 'ZSyntax error in control/smtproutes line 3: bad port "25x". (#4.3.5)
^@exit 0'

# SPEC D34: a line that cannot mean anything defers the mail with a Z
# that names it, whatever host the message is for; it is never skipped.
case_ 'D34: a tlsdestinations line without a colon: Z naming the file and line'
home
printf '# rules\n\n=mx.other.test:\n%%mx.other.test=AB12\n' > "$C/tlsdestinations"
check "$(qr a.test s@x.test r@a.test)" "ZSyntax error in control/tlsdestinations line 4: no ':' in the line. (#4.3.5)
^@exit 0"

case_ 'D34: an unknown key prefix in tlsdestinations: Z naming the line'
home
printf '*:\n+mx.other.test:\n' > "$C/tlsdestinations"
check "$(qr a.test s@x.test r@a.test)" 'ZSyntax error in control/tlsdestinations line 2: unknown key prefix "+" in "+mx.other.test" (prefixes: ! % = ~ - and +* alone). (#4.3.5)
^@exit 0'

case_ 'D34: *.suffix in tlsdestinations: Z naming the line'
home
printf '*.other.test:\n' > "$C/tlsdestinations"
check "$(qr a.test s@x.test r@a.test)" "ZSyntax error in control/tlsdestinations line 1: '*' stands alone (*, =*, ~*, +*, -*, !*), not in \"*.other.test\". (#4.3.5)
^@exit 0"

case_ 'D34: an = rule for a .suffix (= and % name one host): Z naming the line'
home
printf '=.other.test:\n' > "$C/tlsdestinations"
check "$(qr a.test s@x.test r@a.test)" 'ZSyntax error in control/tlsdestinations line 1: a = rule names one host, "=.other.test" names none (~.other.test takes a suffix). (#4.3.5)
^@exit 0'

case_ 'D34: an smtproutes line without a colon: Z naming the line'
home
printf 'a.test:[127.0.0.1]:25\nb.test [127.0.0.1]\n' > "$C/smtproutes"
check "$(qr a.test s@x.test r@a.test)" "ZSyntax error in control/smtproutes line 2: no ':' in the line. (#4.3.5)
^@exit 0"

case_ 'D34: a relay with a space: Z naming the line'
home
printf 'a.test:relay .test:25\n' > "$C/smtproutes"
check "$(qr a.test s@x.test r@a.test)" 'ZSyntax error in control/smtproutes line 1: white space in the relay "relay .test". (#4.3.5)
^@exit 0'

case_ 'D34: a port with a space: Z naming the line'
home
printf 'a.test:[127.0.0.1]: 25\n' > "$C/qmtproutes"
check "$(qr a.test s@x.test r@a.test)" 'ZSyntax error in control/qmtproutes line 1: bad port " 25". (#4.3.5)
^@exit 0'

case_ 'a CR inside control/me (no helohost): Z naming the file'
home
rm "$C/helohost"
printf 'me\r.test\n' > "$C/me"
echo ':[127.0.0.1]:1' > "$C/smtproutes"
check "$(qr a.test s@x.test r@a.test)" "ZSyntax error in control/me: a line break inside the name. (#4.3.5)
^@exit 0"

# --- the dialogue (B3-B17), all through smtproutes to 127.0.0.1

route() { home; echo ":[127.0.0.1]:$port" > "$C/smtproutes"; }

case_ 'B3: plain delivery: r then K with the final reply; the wire'
peer 127.0.0.1 "$ok"
route
check "$(qr a.test s@x.test r@a.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers
check "$(wire 127.0.0.1)" "EHLO helo.test^M
MAIL FROM:<s@x.test>^M
RCPT TO:<r@a.test>^M
DATA^M
Subject: test^M
^M
hello^M
.^M
QUIT^M"

case_ 'helohost missing: EHLO names control/me'
peer 127.0.0.1 "$ok"
route
rm "$C/helohost"
qr a.test s@x.test r@a.test > /dev/null
waitpeers
check "$(wire 127.0.0.1 | head -n 1)" "EHLO me.test^M"

case_ 'B4: EHLO 502, HELO 250: delivered'
peer 127.0.0.1 'send 220 mx.test
read
send 502 no
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok
read'
route
check "$(qr a.test s@x.test r@a.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@exit 0"
waitpeers
check "$(wire 127.0.0.1 | head -n 2)" "EHLO helo.test^M
HELO helo.test^M"

case_ 'B4: EHLO 502, HELO 550: D my name was rejected'
peer 127.0.0.1 'send 220 mx.test
read
send 502 no
read
send 550 go away
read'
route
check "$(qr a.test s@x.test r@a.test)" "DConnected to 127.0.0.1 but my name was rejected.
Remote host said: 550 go away
^@exit 0"

case_ 'B6: greeting 421: Z greylisted'
peer 127.0.0.1 "$(upto greet '421 busy')"
route
check "$(qr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but greylisted.
Remote host said: 421 busy
^@exit 0"

case_ 'B7: MAIL 553: D sender rejected, no recipient reports'
peer 127.0.0.1 "$(upto mail '553 no such sender')"
route
check "$(qr a.test s@x.test r@a.test)" "DConnected to 127.0.0.1 but sender was rejected.
Remote host said: 553 no such sender
^@exit 0"

case_ 'B8: MAIL 451: Z sender greylisted'
peer 127.0.0.1 "$(upto mail '451 later')"
route
check "$(qr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but sender was greylisted.
Remote host said: 451 later
^@exit 0"

case_ 'B9: two recipients both 550: two h reports, D giving up'
peer 127.0.0.1 'send 220 mx.test
read
send 250 mx.test
read
send 250 ok
read
send 550 no one
read
send 550 no two
read
send 221 bye'
route
check "$(qr a.test s@x.test r1@a.test r2@a.test)" "h127.0.0.1 does not like recipient.
Remote host said: 550 no one
^@h127.0.0.1 does not like recipient.
Remote host said: 550 no two
^@DGiving up on 127.0.0.1.
^@exit 0"

case_ 'B10: recipient 1 250, recipient 2 450: r, s greylisting, then K'
peer 127.0.0.1 'send 220 mx.test
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 450 try later
read
send 354 go
data
send 250 ok
read'
route
check "$(qr a.test s@x.test r1@a.test r2@a.test)" "r^@s127.0.0.1 probably greylisting.
Remote host said: 450 try later
^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@exit 0"

case_ 'B11: DATA 554: D failed on DATA command'
peer 127.0.0.1 "$(upto data '554 no data')"
route
check "$(qr a.test s@x.test r@a.test)" "r^@D127.0.0.1 failed on DATA command.
Remote host said: 554 no data
^@exit 0"

case_ 'B11: DATA 451: Z message was greylisted'
peer 127.0.0.1 "$(upto data '451 later')"
route
check "$(qr a.test s@x.test r@a.test)" "r^@Z127.0.0.1 message was greylisted.
Remote host said: 451 later
^@exit 0"

case_ 'B12: final reply 452: Z failed after I sent the message'
peer 127.0.0.1 "$(upto dot '452 full')"
route
check "$(qr a.test s@x.test r@a.test)" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 452 full
^@exit 0"

case_ 'final reply 554: D failed after I sent the message'
peer 127.0.0.1 "$(upto dot '554 spam')"
route
check "$(qr a.test s@x.test r@a.test)" "r^@D127.0.0.1 failed after I sent the message.
Remote host said: 554 spam
^@exit 0"

case_ 'B13: server closes after the final dot: Z possible duplicate'
peer 127.0.0.1 "$(before dot)
close"
route
check "$(qr a.test s@x.test r@a.test)" "r^@ZConnected to 127.0.0.1 but connection died. Possible duplicate! (#4.4.2)
^@exit 0"

for step in greet helo mail rcpt data; do
	case_ "server closes at $step: Z connection died, no duplicate"
	want="ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@exit 0"
	[ $step = data ] && want="r^@$want"
	peer 127.0.0.1 "$(before $step)
close"
	route
	check "$(qr a.test s@x.test r@a.test)" "$want"
	waitpeers
done

case_ 'B14: timeoutremote 1, server never answers: Z connection died'
peer 127.0.0.1 'hang'
route
echo 1 > "$C/timeoutremote"
check "$(qr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@exit 0"
killpeers

case_ 'B14: timeoutremote 1, server stops answering after the dot: possible duplicate'
peer 127.0.0.1 "$(before dot)
hang"
route
echo 1 > "$C/timeoutremote"
check "$(qr a.test s@x.test r@a.test)" "r^@ZConnected to 127.0.0.1 but connection died. Possible duplicate! (#4.4.2)
^@exit 0"
killpeers

case_ 'B15: dot-stuffing and LF to CRLF on the wire'
printf 'a\n.b\n..\n.\n' > "$T/msg"
peer 127.0.0.1 "$ok"
route
qr a.test s@x.test r@a.test > /dev/null
waitpeers
check "$(wire 127.0.0.1 | sed -n '5,$p')" "a^M
..b^M
...^M
..^M
.^M
QUIT^M"

case_ 'B15: partial final line: D, the server never sees the dot'
printf 'abc' > "$T/msg"
peer 127.0.0.1 "$(before data)
send 354 go
read
read"
route
check "$(qr a.test s@x.test r@a.test)" "r^@DSMTP cannot transfer messages with partial final lines. (#5.6.2)
^@exit 0"
waitpeers
check "$(wire 127.0.0.1 | grep -c '^\.')" 0

case_ 'message from a pipe (not seekable): spooled, then delivered'
peer 127.0.0.1 "$ok"
route
out=$(printf 'Subject: piped\n\nbody\n' |
	QMAILHOME=$H "$BIN/qmail-remote" a.test s@x.test r@a.test 2>&1 | show)
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@"
waitpeers
check "$(wire 127.0.0.1 | sed -n '5,7p')" "Subject: piped^M
^M
body^M"

case_ 'message that cannot be read (fd 0 a directory): Z unable to read message'
route
out=$(QMAILHOME=$H "$BIN/qmail-remote" a.test s@x.test r@a.test < "$T" 2>&1 | show)
check "$out" "ZUnable to read message. (#4.3.0)
^@"

case_ 'message from a file read part way: delivered from the current offset'
printf 'Skip: me\nSubject: rest\n\nbody\n' > "$T/msg2"
peer 127.0.0.1 "$ok"
route
out=$( { read -r skip; QMAILHOME=$H "$BIN/qmail-remote" a.test s@x.test r@a.test; } < "$T/msg2" 2>&1 | show)
waitpeers
check "$(wire 127.0.0.1 | sed -n '5p')" "Subject: rest^M"

case_ 'empty message: delivered as just the dot'
: > "$T/msg"
peer 127.0.0.1 "$ok"
route
check "$(qr a.test s@x.test r@a.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers
check "$(wire 127.0.0.1 | sed -n '4,$p')" "DATA^M
.^M
QUIT^M"

case_ 'an 8 MB message with long 8-bit lines: delivered byte for byte'
awk 'BEGIN { l = ""; for (i = 0; i < 1000; i++) l = l "\351x"; for (i = 0; i < 4000; i++) print l }' > "$T/msg"
peer 127.0.0.1 "$ok"
route
check "$(qr a.test s@x.test r@a.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers
sed -n '5,4004p' "$T/log.127.0.0.1" | tr -d '\r' | cmp -s - "$T/msg"
check "$?" 0
printf 'Subject: test\n\nhello\n' > "$T/msg"

case_ 'B16: recipient with a space is quoted; empty sender is <>'
peer 127.0.0.1 "$ok"
route
qr a.test '' 'a b@a.test' > /dev/null
waitpeers
check "$(wire 127.0.0.1 | sed -n '2,3p')" "MAIL FROM:<>^M
RCPT TO:<\"a b\"@a.test>^M"

case_ 'B17: multi-line 550: every line after Remote host said, CR removed'
peer 127.0.0.1 "$(upto mail '550-first line\r\n550-second\r\n550 third')"
route
check "$(qr a.test s@x.test r@a.test)" "DConnected to 127.0.0.1 but sender was rejected.
Remote host said: 550-first line
550-second
550 third
^@exit 0"

case_ 'server reply longer than 5000 bytes: kept to 5000 bytes and an LF (D26), still one report'
long=$(awk 'BEGIN { for (i = 0; i < 9000; i++) printf "x" }')
peer 127.0.0.1 "$(upto mail "553 $long")"
route
out=$(qr a.test s@x.test r@a.test)
check "$(printf '%s' "$out" | head -c 60)" "DConnected to 127.0.0.1 but sender was rejected.
Remote host"
# SPEC D26: 5000 bytes of capture, then an LF of its own
check "$(printf '%s' "$out" | tail -n 2 | head -n 1 | wc -c)" 5019

case_ 'greeting without a 3-digit code: malformed, Z connection died (D24)'
peer 127.0.0.1 "$(upto greet 'hello there')"
route
check "$(qr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@exit 0"

case_ 'greeting 250 (not 220): Z greeting failed'
peer 127.0.0.1 "$(upto greet '250 hello')"
route
check "$(qr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but greeting failed.
Remote host said: 250 hello
^@exit 0"

case_ 'qmail-remote runs from a directory that no longer exists'
peer 127.0.0.1 "$ok"
route
mkdir "$T/gone"
out=$(cd "$T/gone" && rmdir "$T/gone" && qr a.test s@x.test r@a.test)
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers

# --- routes (B18, B19, B29) and two addresses (B5, B6)

case_ 'B18: exact route with a port; a catch-all on another port is not used'
peer 127.0.0.1 "$ok"
home
printf 'inside.test:[127.0.0.1]:%s\n:[127.0.0.1]:1\n' "$port" > "$C/smtproutes"
check "$(qr inside.test s@x.test r@inside.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"

case_ 'B18: the port after a semicolon (sq3 syntax)'
peer 127.0.0.1 "$ok"
home
printf 'inside.test:[127.0.0.1];%s\n' "$port" > "$C/smtproutes"
check "$(qr inside.test s@x.test r@inside.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"

case_ 'B19: bounce route !@ with an empty sender, whatever the host'
peer 127.0.0.1 "$ok"
home
printf '!@:[127.0.0.1]:%s\nb.test:[127.0.0.1]:1\n' "$port" > "$C/smtproutes"
check "$(qr b.test '' r@b.test)" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok queued
^@exit 0"

case_ 'B19: bounce route not used when the sender is not empty'
check "$(qr b.test s@x.test r@b.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.1:1: connection refused
^@exit 0"
killpeers

case_ 'B29: route to a closed port: Z no SMTP connection'
home
echo ':[127.0.0.1]:1' > "$C/smtproutes"
check "$(qr a.test s@x.test r@a.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
127.0.0.1:1: connection refused
^@exit 0"

case_ 'B27: host [127.0.0.1] without a route: D #5.4.6'
home
check "$(qr '[127.0.0.1]' s@x.test r@a.test)" "DSorry. Although I'm listed as a best-preference MX or A for that host,
it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)
^@exit 0"

dns 'mx.test MX 10 one.mx.test
mx.test MX 20 two.mx.test
one.mx.test A 127.0.0.2
two.mx.test A 127.0.0.3
self.test MX 10 one.mx.test
self.test MX 10 lo.mx.test
self.test MX 20 two.mx.test
lo.mx.test A 127.0.0.1
fail.test SERVFAIL
relay.test A 127.0.0.2
relay.test A 127.0.0.3'

case_ 'B5: first MX greets 554, second greets 220: delivered via the second'
peer 127.0.0.2 "$(upto greet '554 go away')"
peer 127.0.0.3 "$ok" 1 "$port"
home
echo ".test::$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.3 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers
check "$(wire 127.0.0.2)" "QUIT^M"

case_ 'B5: a relay with two addresses, the first greets 554'
peer 127.0.0.2 "$(upto greet '554 go away')"
peer 127.0.0.3 "$ok" 1 "$port"
home
echo "mx.test:relay.test:$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.3 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers

case_ 'B6: first MX greets 421: Z greylisted, the second is not contacted'
peer 127.0.0.2 "$(upto greet '421 busy')"
peer 127.0.0.3 "$ok" 1 "$port"
home
echo ".test::$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "ZConnected to 127.0.0.2 but greylisted.
Remote host said: 421 busy
^@exit 0"
killpeers
check "$(cat "$T/log.127.0.0.3" 2>/dev/null)" ""

case_ 'first MX greets 452 (other 4xx): tried next, delivered via the second'
peer 127.0.0.2 "$(upto greet '452 later')"
peer 127.0.0.3 "$ok" 1 "$port"
home
echo ".test::$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.3 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers

case_ 'first MX refuses the connection: delivered via the second'
peer 127.0.0.3 "$ok"
home
echo ".test::$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.3 accepted message.
Remote host said: 250 ok queued
^@exit 0"
waitpeers

case_ 'every MX greets 554: Z no SMTP connection (D21)'
peer 127.0.0.2 "$(upto greet '554 one')"
peer 127.0.0.3 "$(upto greet '554 two')" 1 "$port"
home
echo ".test::$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
Remote host said: 554 two
^@exit 0"
waitpeers

case_ 'D33: a greeting 554 of three lines: every line after Remote host said: (CR removed, NUL as ?), as qmail-1.03 gave it'
peer 127.0.0.2 "$(upto greet '554 one')"
peer 127.0.0.3 'raw 554-5.7.1 mx.test: no mail from you\r\n554-see\0 https://mx.test/why?a=1 \x01\n554 5.7.1 go away  \r\n
read
send 221 bye' 1 "$port"
home
echo ".test::$port" > "$C/smtproutes"
check "$(qr mx.test s@x.test r@mx.test)" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
Remote host said: 554-5.7.1 mx.test: no mail from you
554-see? https://mx.test/why?a=1 ^A
554 5.7.1 go away  
^@exit 0"
waitpeers
check "$(wire 127.0.0.3)" "QUIT^M"

case_ 'D26, D33: a greeting 554 longer than 5000 bytes: its first 5000 bytes, then one LF'
line=$(printf '%0990d' 0)
peer 127.0.0.2 "send 554-$line
send 554-$line
send 554-$line
send 554-$line
send 554-$line
send 554 $line
read
send 221 bye"
home
echo ":[127.0.0.2]:$port" > "$C/smtproutes"
out=$(qr mx.test s@x.test r@mx.test)
want="554-$line
554-$line
554-$line
554-$line
554-$line
554 $line"
check "$out" "ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)
Remote host said: $(printf '%s' "$want" | head -c 5000)
^@exit 0"
waitpeers

case_ 'B18: .test: shields mx.test from the catch-all: MX lookup, port 25'
home
printf '.test:\n:[127.0.0.1]:1\n' > "$C/smtproutes"
if peer 127.0.0.2 "$ok" 1 25 2> /dev/null && [ "$port" = 25 ]; then
	check "$(qr mx.test s@x.test r@mx.test)" "r^@K127.0.0.2 accepted message.
Remote host said: 250 ok queued
^@exit 0"
	waitpeers
else
	# Port 25 on 127.0.0.2 is not ours to take: the MX lookup still
	# shows, and the catch-all is not used.
	n=$(grep -c 'mx.test MX' "$T/dns.log")
	qr mx.test s@x.test r@mx.test > /dev/null
	check "$(grep -c 'mx.test MX' "$T/dns.log")" $((n + 1))
fi

case_ 'B27: the lowest MX is this machine: only better MXes are tried'
peer 127.0.0.2 "$ok"
home
echo ".test::$port" > "$C/smtproutes"
check "$(qr self.test s@x.test r@self.test)" "DSorry. Although I'm listed as a best-preference MX or A for that host,
it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)
^@exit 0"
killpeers

case_ 'B28: NXDOMAIN: D no host by that name'
home
check "$(qr nosuch.test s@x.test r@nosuch.test)" "DSorry, I couldn't find any host named nosuch.test. (#5.1.2)
^@exit 0"

case_ 'B28: SERVFAIL: Z no host named, with a colon'
check "$(qr fail.test s@x.test r@fail.test)" "ZSorry, I couldn't find any host named: fail.test. (#4.1.2)
^@exit 0"

stopdns

# --- stages that fail: a bin dir of qmail-remote and fake stages

mkdir "$T/fbin"
cp "$BIN/qmail-remote" "$BIN/mxlookup" "$T/fbin/"
fqr() {
	QMAILHOME=$H "$T/fbin/qmail-remote" "$@" < "$T/msg" 2>&1 | show
}
stage() { printf '#!/bin/sh\n%s\n' "$1" > "$T/fbin/smtpclient"; chmod 755 "$T/fbin/smtpclient"; }

peer 127.0.0.1 'hang' 17
route

case_ 'smtpclient killed by a signal: Z, never K'
stage 'printf "r\0"; kill -9 $$'
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but smtpclient crashed: signal: killed. (#4.3.0)
^@"

case_ 'smtpclient says K without the recipient reports: Z malformed'
stage 'printf "K127.0.0.1 accepted message.\n\0"'
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but smtpclient printed a malformed report. (#4.3.0)
^@"

case_ 'smtpclient exits 0 with a truncated report: Z malformed'
stage 'printf "r\0K127.0.0.1 acc"'
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but smtpclient printed a malformed report. (#4.3.0)
^@"

case_ 'smtpclient exits 0 with two final reports: Z malformed'
stage 'printf "r\0K127.0.0.1 ok\n\0Kagain\n\0"'
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but smtpclient printed a malformed report. (#4.3.0)
^@"

case_ 'smtpclient exits 3 and complains: Z with its last words'
stage 'echo "smtpclient: fatal: out of sorts" >&2; exit 3'
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but smtpclient crashed: exit status 3. (#4.3.0)
smtpclient said: smtpclient: fatal: out of sorts
^@"

case_ 'smtpclient that hangs past (12 + recipients) x timeoutremote: killed, Z'
stage 'printf "r\0"; exec sleep 100'
echo 1 > "$C/timeoutremote"
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but smtpclient did not finish in time and was killed. (#4.3.0)
^@"
rm "$C/timeoutremote"

case_ 'smtpclient that floods fd 1: killed at once, Z'
stage 'printf "r\0"; exec yes'
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but smtpclient printed too much. (#4.3.0)
^@"

# Issue 17 item 8: no stage inherits what the caller left open. Here
# fds 12 and 13 (a shell's, say) are open when qmail-remote starts; the
# stage looks for them (fds 3-9 qmail-remote sets or closes itself).
case_ 'descriptors above 2 left open by the caller: no stage inherits them'
stage "for n in 12 13; do [ -e /dev/fd/\$n ] && echo \"fd \$n leaked\"; done > $T/fds
printf 'r\\0K127.0.0.1 accepted message.\\n\\0'"
check "$(QMAILHOME=$H bash -c 'exec 12< "$1" 13> /dev/null; exec "$2" a.test s@x.test r@a.test' sh "$T/msg" "$T/fbin/qmail-remote" < "$T/msg" 2>&1 | show)
$(cat "$T/fds")" "r^@K127.0.0.1 accepted message.
^@
"

# Item 8: the clear-text retry (exit 112, SPEC D8) is qmail-remote's
# decision, by its own policy for the address: only at the opportunistic
# level. A stage that exits 112 otherwise failed this address, as a 111.
# The fake stage exits 112 on its first run, whatever its TLS=, and
# delivers on a second.
stage "[ -s $T/tlslog ] && { echo \"TLS=\$TLS\" >> $T/tlslog; printf 'r\\0K127.0.0.1 accepted message.\\n\\0'; exit 0; }
echo \"TLS=\$TLS\" >> $T/tlslog
printf 'ZI wasn\\047t able to establish a TLS connection with: [127.0.0.1]. (#4.4.1)\\n\\0'; exit 112"
for c in '|try no|r^@K127.0.0.1 accepted message.
TLS: none; retried in clear text after: I wasn'"'"'t able to establish a TLS connection with: [127.0.0.1]. (#4.4.1)
^@' '-*:|must|ZI wasn'"'"'t able to establish a TLS connection with: [127.0.0.1]. (#4.4.1)
^@' '!*:|no|ZI wasn'"'"'t able to establish a TLS connection with: [127.0.0.1]. (#4.4.1)
^@'; do
	rule=${c%%|*} rest=${c#*|} levels=${rest%%|*} want=${rest#*|}
	case_ "a stage exits 112 (retry in clear) with tlsdestinations '$rule': TLS= $levels"
	rm -f "$T/tlslog" "$C/tlsdestinations"
	[ -n "$rule" ] && echo "$rule" > "$C/tlsdestinations"
	check "$(fqr a.test s@x.test r@a.test)" "$want"
	check "$(tr '\n' ' ' < "$T/tlslog")" "$(for l in $levels; do printf 'TLS=%s ' $l; done)"
done
rm -f "$C/tlsdestinations"

case_ 'qmail-remote killed during the dialogue: its smtpclient dies with it'
if [ "$(uname -s)" != Linux ]; then
	echo "skip - $name (Pdeathsig and /proc are Linux's)"
else
	stage 'echo $$ > "$PIDFILE"; exec sleep 100'
	rm -f "$T/stage.pid"
	PIDFILE=$T/stage.pid QMAILHOME=$H "$T/fbin/qmail-remote" a.test s@x.test r@a.test < "$T/msg" > /dev/null 2>&1 &
	qrpid=$!
	i=0
	while [ ! -s "$T/stage.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 $qrpid
	wait $qrpid 2> /dev/null
	i=0
	while kill -0 "$(cat "$T/stage.pid")" 2> /dev/null &&
		! grep -q '^State:.*Z' "/proc/$(cat "$T/stage.pid")/status" 2> /dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	check "$(grep -s '^State:' "/proc/$(cat "$T/stage.pid")/status" | grep -v Z)" ""
fi

case_ 'smtpclient missing: Z naming it (D33)'
rm "$T/fbin/smtpclient"
check "$(fqr a.test s@x.test r@a.test)" "ZConnected to 127.0.0.1 but unable to run smtpclient: fork/exec $T/fbin/smtpclient: no such file or directory. (#4.3.0)
^@"

case_ 'mxlookup missing: Z naming it (D33)'
mv "$T/fbin/mxlookup" "$T/fbin/mxlookup.away"
home
check "$(fqr mx.test s@x.test r@mx.test)" "ZUnable to look up mx.test: unable to run mxlookup: fork/exec $T/fbin/mxlookup: no such file or directory. (#4.3.0)
^@"

case_ 'mxlookup crashes: Z, naming the host'
printf '#!/bin/sh\nkill -9 $$\n' > "$T/fbin/mxlookup"
chmod 755 "$T/fbin/mxlookup"
home
check "$(fqr mx.test s@x.test r@mx.test)" "ZUnable to look up mx.test: mxlookup crashed: signal: killed. (#4.3.0)
^@"

case_ 'mxlookup prints a malformed line: Z'
printf '#!/bin/sh\necho "10 not-an-ip mx.test"\n' > "$T/fbin/mxlookup"
check "$(fqr mx.test s@x.test r@mx.test)" "ZUnable to look up mx.test: mxlookup printed a malformed line. (#4.3.0)
^@"

killpeers
finish
