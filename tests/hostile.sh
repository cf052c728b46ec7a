# Hostile peers against qmail-remote end to end: the whole pipeline
# (qmail-remote, mxlookup, smtpclient) with a control dir in $T, routed by
# smtproutes to fakepeer -l on 127.0.0.1 (or to a name that fakedns
# answers). Each case shows qmail-remote's stdout (NUL as ^@), its exit
# code and its stderr, which must be empty.
#
# Bounds: qmail-remote and its stages run under `ulimit -d` (RLIMIT_DATA,
# 100 MB; a Go program that allocates past it dies, which would change the
# report), so a report that matches also proves the memory stayed bounded
# while the peer sent hundreds of megabytes; and under `timeout 120`, an
# upper bound that proves "no hang" (a hung run shows exit 124).
# Requirements: bin/*, tests/bin/fakepeer, tests/bin/fakedns, timeout.
# Not tested here: the ordinary dialogue (smtpclient.sh, qmail-remote.sh),
# stage faults (faults.sh).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
mkdir -p "$C"
echo me.test > "$C/me"
echo helo.test > "$C/helohost"
echo 2 > "$C/timeoutremote"
echo 10 > "$C/timeoutconnect"

printf 'Subject: x\n\nhi\n' > "$T/msg"
# 32 MB: far more than loopback's socket buffers can hold (some MB), so
# a peer that closes during the body makes the body's own writes fail
# before the final dot is written. (With 1 MB the whole body and the dot
# may sit in the buffers when the close comes: then "Possible duplicate!"
# is the right text, as the client cannot know.)
awk 'BEGIN { for (i = 0; i < 524288; i++) printf "%063d\n", i }' > "$T/bigmsg"

# peer SCRIPT: starts fakepeer -l on 127.0.0.1 for one connection and
# routes every host to it.
peer() {
	printf '%s\n' "$1" > "$T/script"
	rm -f "$T/log"
	listen 127.0.0.1:0 "$T/log" "$T/script"
	echo ":[127.0.0.1]:$port" > "$C/smtproutes"
}

# qr [MSG]: runs qmail-remote example.test a@x.test b@y.test with the
# bounds above; sets $out. The peer is waited for (or ended) afterwards.
qr() {
	(
		ulimit -d 100000
		QMAILHOME=$H exec timeout 120 "$BIN/qmail-remote" example.test a@x.test b@y.test \
			< "${1:-$T/msg}" > "$T/out" 2> "$T/qerr"
	)
	rc=$?
	out=$(show < "$T/out"; echo; echo "exit $rc"; cat "$T/qerr")
	[ -n "$peerpid" ] && { kill "$peerpid" 2> /dev/null; wait "$peerpid" 2> /dev/null; }
	peerpid=
}

DIED='ZConnected to 127.0.0.1 but connection died. (#4.4.2)
^@
exit 0'
DIEDR="r^@$DIED"
DUP='r^@ZConnected to 127.0.0.1 but connection died. Possible duplicate! (#4.4.2)
^@
exit 0'


case_ 'bare LF line ends everywhere: accepted as line ends'
peer 'raw 220 mx.test\n
read
raw 250-mx.test\n250 8BITMIME\n
read
raw 250 ok\n
read
raw 250 ok\n
read
raw 354 go\n
data
raw 250 ok\n'
qr
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"

case_ 'greeting without any line end, then silence: connection died (timeoutremote)'
peer 'raw 220 mx.test
hang'
qr
check "$out" "$DIED"

case_ 'reply to MAIL without line end, then close: connection died'
peer "$G
$E
read
raw 250 ok
close"
qr
check "$out" "$DIED"

case_ 'final reply without line end, then close: possible duplicate'
peer "$G
$E
$M
$R
$D
data
raw 250 ok
close"
qr
check "$out" "$DUP"

case_ '1 MB final reply line: K, capture cut at 5000 bytes and an LF (D26)'
peer "$G
$E
$M
$R
$D
data
raw 250 
repeat 1000000 x
raw \\r\\n"
qr
x4996=$(awk 'BEGIN { for (i = 0; i < 4996; i++) printf "x" }')
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 $x4996
^@
exit 0"

case_ 'greeting line longer than 1 MB: malformed, connection died'
peer "raw 220 
repeat 1100000 x
raw \\r\\n
hang"
qr
check "$out" "$DIED"

case_ 'greeting of 200 MB without a line end: connection died, memory bounded'
peer "repeat 2000000 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
qr
check "$out" "$DIED"

case_ 'endless multi-line greeting (200 MB): connection died, memory bounded'
peer "repeat 2000000 220-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\r\\n"
qr
check "$out" "$DIED"

case_ 'endless multi-line reply to RCPT: connection died, no recipient report'
peer "$G
$E
$M
read
repeat 2000000 250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\r\\n"
qr
check "$out" "$DIED"

case_ 'endless multi-line reply to the final dot: possible duplicate, never K'
peer "$G
$E
$M
$R
$D
data
repeat 2000000 250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\r\\n"
qr
check "$out" "$DUP"

case_ 'NUL and 8-bit bytes in replies: NUL becomes ?, 8-bit kept, CR dropped'
peer "$G
$E
$M
read
raw 550-no\\0such\\xe9user\\r\\n550 \\xff\\x01\\rbye\\r\\n"
qr
check "$out" "h127.0.0.1 does not like recipient.
Remote host said: 550-no?suchM-iuser
550 M-^?^Abye
^@DGiving up on 127.0.0.1.
^@
exit 0"

case_ 'NUL in the final reply: K, the NUL cannot end the report early'
peer "$G
$E
$M
$R
$D
data
raw 250 ok\\0K\\0\\r\\n"
qr
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok?K?
^@
exit 0"

# A byte every 400 ms against the suite's timeoutremote of 2 s: the
# peer must never let a read time out, so a stall of the peer longer
# than the gap left (1.6 s) would make it "connection died" instead.
# With timeoutremote 1 the gap left was 0.6 s, and load on two cores
# stalled fakepeer that long (both cases failed in one run).
case_ 'greeting continued one line per second forever: the speaker watchdog ends it with a Z'
peer "send 220-mx.test
trickle 400 220-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\r\\n"
qr
check "$out" "ZConnected to 127.0.0.1 but smtpclient did not finish in time and was killed. (#4.3.0)
^@
exit 0"

case_ 'peer trickling one byte just inside timeoutremote, during the final reply: Z, never K'
peer "$G
$E
$M
$R
$D
data
trickle 400 250 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\r\\n"
qr
check "$out" "ZConnected to 127.0.0.1 but smtpclient did not finish in time and was killed. (#4.3.0)
^@
exit 0"

# Closing at every step.
case_ 'close at once, before any greeting: connection died'
peer 'close'
qr
check "$out" "$DIED"

case_ 'close after the greeting: connection died'
peer "$G
close"
qr
check "$out" "$DIED"

case_ 'close after EHLO is read, before its reply: connection died'
peer "$G
read
close"
qr
check "$out" "$DIED"

case_ 'close after the reply to EHLO: connection died'
peer "$G
$E
close"
qr
check "$out" "$DIED"

case_ 'close after the reply to MAIL: connection died'
peer "$G
$E
$M
close"
qr
check "$out" "$DIED"

case_ 'close after the reply to RCPT: its r report, then connection died'
peer "$G
$E
$M
$R
close"
qr
check "$out" "$DIEDR"

case_ 'close after 354, 32 MB message: connection died, no duplicate'
peer "$G
$E
$M
$R
$D
close"
qr "$T/bigmsg"
check "$out" "$DIEDR"

case_ 'close in the middle of a 32 MB body: connection died, no duplicate'
peer "$G
$E
$M
$R
$D
read
read
close"
qr "$T/bigmsg"
check "$out" "$DIEDR"

case_ 'close after the final dot: possible duplicate'
peer "$G
$E
$M
$R
$D
data
close"
qr
check "$out" "$DUP"

case_ 'half-close after the final dot: possible duplicate'
peer "$G
$E
$M
$R
$D
data
shutdown"
qr
check "$out" "$DUP"

case_ 'half of the final reply, then close: possible duplicate'
peer "$G
$E
$M
$R
$D
data
raw 25
close"
qr
check "$out" "$DUP"

# SPEC D24: replies outside the expected class.
case_ 'D24: greeting 354: greeting failed'
peer 'send 354 what'
qr
check "$out" "ZConnected to 127.0.0.1 but greeting failed.
Remote host said: 354 what
^@
exit 0"

case_ 'D24: greeting 600: greeting failed'
peer 'send 600 what'
qr
check "$out" "ZConnected to 127.0.0.1 but greeting failed.
Remote host said: 600 what
^@
exit 0"

case_ 'D24: greeting code not three digits: malformed, connection died'
peer 'send 2x0 hi'
qr
check "$out" "$DIED"

case_ 'D24: EHLO 220 then HELO 251: my name was rejected (Z)'
peer "$G
read
send 220 what
read
send 251 what"
qr
check "$out" "ZConnected to 127.0.0.1 but my name was rejected.
Remote host said: 251 what
^@
exit 0"

case_ 'D24: MAIL 354: Z, sender was rejected'
peer "$G
$E
read
send 354 what"
qr
check "$out" "ZConnected to 127.0.0.1 but sender was rejected.
Remote host said: 354 what
^@
exit 0"

case_ 'D24: MAIL 199: Z, sender was rejected'
peer "$G
$E
read
send 199 what"
qr
check "$out" "ZConnected to 127.0.0.1 but sender was rejected.
Remote host said: 199 what
^@
exit 0"

case_ 'D24: RCPT 354: s, then giving up'
peer "$G
$E
$M
read
send 354 what"
qr
check "$out" "s127.0.0.1 does not like recipient.
Remote host said: 354 what
^@DGiving up on 127.0.0.1.
^@
exit 0"

case_ 'D24: DATA 250: Z, failed on DATA command, no body sent'
peer "$G
$E
$M
$R
read
send 250 what"
qr
check "$out" "r^@Z127.0.0.1 failed on DATA command.
Remote host said: 250 what
^@
exit 0"
check "$(grep -c Subject "$T/log")" 0

case_ 'D24: final dot 354: Z, failed after I sent the message'
peer "$G
$E
$M
$R
$D
data
send 354 what"
qr
check "$out" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 354 what
^@
exit 0"

case_ 'D24: final dot 199: Z, failed after I sent the message'
peer "$G
$E
$M
$R
$D
data
send 199 what"
qr
check "$out" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 199 what
^@
exit 0"

case_ 'D24: final dot 600: Z, failed after I sent the message'
peer "$G
$E
$M
$R
$D
data
send 600 what"
qr
check "$out" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 600 what
^@
exit 0"

case_ 'D24: final dot 2x0: malformed, possible duplicate, never K'
peer "$G
$E
$M
$R
$D
data
send 2x0 ok"
qr
check "$out" "$DUP"

# DNS servers that answer garbage or truncated packets: the relay name
# is looked up through fakedns.
cat > "$T/zone" <<'EOF'
junk.test GARBAGE
cut.test SHORT
big.test TRUNCATE
big.test A 127.0.0.1
EOF
startdns "$T/zone"

case_ 'DNS answers garbage: Z, could not find the host'
echo ':junk.test:1' > "$C/smtproutes"
qr
check "$out" "ZSorry, I couldn't find any host named: junk.test. (#4.1.2)
^@
exit 0"

case_ 'DNS answers a packet cut off mid-record: Z, could not find the host'
echo ':cut.test:1' > "$C/smtproutes"
qr
check "$out" "ZSorry, I couldn't find any host named: cut.test. (#4.1.2)
^@
exit 0"

case_ 'DNS answers truncated (TC) over UDP: the TCP answer is used, delivery'
peer "$G
$E
$M
$R
$D
data
send 250 ok"
echo ":big.test:$port" > "$C/smtproutes"
qr
check "$out" "r^@K127.0.0.1 accepted message.
Remote host said: 250 ok
^@
exit 0"

finish
