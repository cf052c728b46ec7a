# Secrets: the user and password of an smtproutes line
# (domain:relay:port|user|password) appear in no argv, no environment, no
# report and no fd 2 of any stage. qmail-remote runs as a copy in $T/bin
# next to wrapper scripts named mxlookup and smtpclient: each copies its
# own /proc/PID/cmdline and /proc/PID/environ (what exec handed it) to
# $T/seen, runs the real stage with fd 2 copied to $T/stderr.NAME, and
# writes the real stage's pid to $T/pid.NAME. While a stage is held (a
# fakepeer notify line, a DNS server that does not answer), the suite also
# reads /proc/PID/cmdline and /proc/PID/environ of the running stage and
# of qmail-remote itself.
# AUTH and TLS: smtpclient is a copy in $T/bin2 next to wrappers named
# authclient and tlswrap (smtpclient starts them from beside itself),
# which record the same and exec the real ones; the authclient wrapper
# also notes which pipe its fd 3 is and copies what it holds (so the
# suite sees that nobody read it before). During an AUTH delivery over
# STARTTLS with an encrypted client key (domaincerts), held by fakepeer
# notify lines before the 235 and in the middle of DATA, the suite reads
# /proc (cmdline, environ, open descriptors) of every process under
# qmail-remote: the AUTH password and the key's password are in none of
# them, in no report and on no fd 2, and the credentials pipe is open in
# qmail-remote and smtpclient only (authclient gets it as fd 3).
# Requirements: bin/*, tests/bin/fakepeer, fakedns, mkcerts, timeout, ps,
# /proc.
. "$(dirname "$0")/lib.sh"

USER_=SeCrEtUsEr42
PASS_='PaSsWoRd|with:colon;26'
H=$T/home
C=$H/control
mkdir -p "$C" "$T/bin"
echo me.test > "$C/me"
echo helo.test > "$C/helohost"
echo 1 > "$C/timeoutremote"
cp "$BIN/qmail-remote" "$T/bin/qmail-remote"
mkdir -p "$T/bin2"
cp "$BIN/smtpclient" "$T/bin2/smtpclient"
for s in mxlookup smtpclient; do
	real=$BIN/$s
	[ $s = smtpclient ] && real=$T/bin2/$s
	cat > "$T/bin/$s" <<EOF
#!/bin/sh
{ cat /proc/\$\$/cmdline; echo; cat /proc/\$\$/environ; echo; } >> "$T/seen"
exec 3<&0
"$real" "\$@" <&3 3<&- 2> "$T/stderr.$s.\$\$" &
echo \$! > "$T/pid.$s"
wait \$!
rc=\$?
cat "$T/stderr.$s.\$\$" >&2
exit \$rc
EOF
	chmod 755 "$T/bin/$s"
done
# authclient: notes which pipes its fd 3 and smtpclient's fds 8 and 9
# are, and how many bytes its fd 3 holds unread (FIONREAD, with perl,
# which Debian always has), then execs the real one.
cat > "$T/bin2/authclient" <<EOF
#!/bin/sh
{ cat /proc/\$\$/cmdline; echo; cat /proc/\$\$/environ; echo; } >> "$T/seen"
pp=\$(awk '{ print \$4 }' /proc/\$\$/stat)
readlink /proc/\$\$/fd/3 > "$T/credfd.authclient"
readlink /proc/\$pp/fd/8 > "$T/credfd.smtpclient"
readlink /proc/\$pp/fd/9 > "$T/keyfd.smtpclient" 2> /dev/null
perl -e 'my \$n = pack("L", 0); ioctl(STDIN, 0x541B, \$n) or die "FIONREAD: \$!\n"; print unpack("L", \$n), "\n"' <&3 > "$T/credbytes"
echo \$\$ > "$T/pid.authclient"
exec "$BIN/authclient" "\$@"
EOF
cat > "$T/bin2/tlswrap" <<EOF
#!/bin/sh
{ cat /proc/\$\$/cmdline; echo; cat /proc/\$\$/environ; echo; } >> "$T/seen"
echo \$\$ > "$T/pid.tlswrap"
exec "$BIN/tlswrap" "\$@"
EOF
chmod 755 "$T/bin2/authclient" "$T/bin2/tlswrap"
printf 'Subject: x\n\nhi\n' > "$T/msg"
mkfifo "$T/reached"
: > "$T/seen"
: > "$T/proc"
: > "$T/reports"

printf 'relay.test A 127.0.0.1\nslow.test TIMEOUT\n' > "$T/zone"
startdns "$T/zone"

peer() {
	printf '%s\n' "$1" > "$T/script"
	listen 127.0.0.1:0 "$T/wire" "$T/script"
}
# procs PID...: what /proc shows of these running processes.
procs() {
	for p; do
		{ cat "/proc/$p/cmdline"; echo; cat "/proc/$p/environ"; echo; } >> "$T/proc" 2> /dev/null
	done
}
# qr HOST: runs qmail-remote in the background; sets $qrpid.
qr() {
	rm -f "$T/pid.smtpclient" "$T/pid.mxlookup"
	QMAILHOME=$H timeout 120 "$T/bin/qmail-remote" "$1" a@x.test b@y.test < "$T/msg" > "$T/out" 2> "$T/qerr" &
	qrpid=$!
}
# finishqr: waits for qmail-remote and keeps what it printed.
finishqr() {
	wait "$qrpid"
	cat "$T/out" "$T/qerr" >> "$T/reports"
	[ -n "$peerpid" ] && { kill "$peerpid" 2> /dev/null; wait "$peerpid" 2> /dev/null; }
	peerpid=
}
waitpid() {
	i=0
	while [ ! -s "$T/pid.$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}
ok='send 220 mx.test
read
send 250 mx.test
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok'

# 1. A delivery through a relay name (mxlookup -a, then smtpclient),
# held at MAIL while /proc is read.
peer "send 220 mx.test
read
send 250 mx.test
read
notify $T/reached
hang"
echo ":relay.test:$port|$USER_|$PASS_" > "$C/smtproutes"
qr example.test
timeout 60 sh -c "read x < '$T/reached'" || echo "secrets.sh: the peer never reached its notify line" >&2
waitpid smtpclient
procs "$qrpid" "$(cat "$T/pid.smtpclient")"
finishqr

# 2. The same route to a literal, delivered.
peer "$ok"
echo ":[127.0.0.1]:$port|$USER_|$PASS_" > "$C/smtproutes"
qr example.test
finishqr
case_ 'the delivery with credentials in the route worked (the peer offers no AUTH: D3)'
check "$(tr '\0' '|' < "$T/out")" "r|Kno supported AUTH method found, continuing without authentication.
127.0.0.1 accepted message.
Remote host said: 250 ok
|"

# 3. mxlookup held by a DNS server that does not answer.
: > "$T/dns.log"
echo ":slow.test:25|$USER_|$PASS_" > "$C/smtproutes"
MXLOOKUP_DEADLINE=3 qr example.test
i=0
while ! grep -q slow.test "$T/dns.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
waitpid mxlookup
procs "$qrpid" "$(cat "$T/pid.mxlookup")"
finishqr

# 4. A syntax error in the very line that holds the credentials.
echo ":relay.test:port|$USER_|$PASS_" > "$C/smtproutes"
qr example.test
finishqr
case_ 'a bad port in the line with the credentials: Z syntax error'
check "$(tr '\0' '|' < "$T/out")" "ZSyntax error in control/smtproutes line 1: bad port \"port\". (#4.3.5)
|"

# 5. The bounce route with credentials, to a peer that refuses.
peer 'send 220 mx.test
read
send 250 mx.test
read
send 553 no'
echo "!@:[127.0.0.1]:$port|$USER_|$PASS_" > "$C/smtproutes"
rm -f "$T/pid.smtpclient"
QMAILHOME=$H timeout 120 "$T/bin/qmail-remote" example.test '' b@y.test < "$T/msg" > "$T/out" 2> "$T/qerr" &
qrpid=$!
finishqr

# 6. AUTH over STARTTLS with an encrypted client key: authsenders gives
# the credentials, domaincerts the key and its password. The peer holds
# the dialogue twice (before the 235, while authclient waits for it, and
# after the 354, while smtpclient sends the message): each time it
# writes to the fifo $T/reached, then waits to open the fifo $T/go until
# the suite has read /proc of every process under qmail-remote.
K=$T/certs
"$TBIN/mkcerts" "$K" > /dev/null || { echo "mkcerts failed"; exit 111; }
KEYPASS=$(head -n 1 "$K/pass")
mkfifo "$T/go"
echo 10 > "$C/timeoutremote"
: > "$T/names"
: > "$T/holders.cred"
: > "$T/holders.key"
# tree PID: PID and every process under it.
tree() {
	ps -e -o pid= -o ppid= | awk -v root="$1" '{ parent[$1] = $2 }
		END { for (p in parent) { q = p; while (q != root && q in parent && q > 1) q = parent[q]; if (q == root) print p } }'
}
# hold: waits for the peer's notify, reads /proc of the whole delivery
# (the names to $T/names; which processes have the credentials pipe or
# the key password's pipe open, and as which descriptor, to
# $T/holders.cred and $T/holders.key; qmail-remote's own descriptor
# numbers vary and are left out), then lets the peer go on.
hold() {
	timeout 60 sh -c "read x < '$T/reached'" || echo "secrets.sh: the peer never reached its notify line" >&2
	cred=$(cat "$T/credfd.authclient" 2> /dev/null)
	key=$(cat "$T/keyfd.smtpclient" 2> /dev/null)
	for p in $(tree "$qrpid"); do
		procs "$p"
		comm=$(cat "/proc/$p/comm" 2> /dev/null)
		echo "$comm" >> "$T/names"
		for fd in /proc/$p/fd/*; do
			l=$(readlink "$fd" 2> /dev/null)
			n=" ${fd##*/}"
			[ "$comm" = qmail-remote ] && n=
			[ -n "$l" ] && [ "$l" = "$cred" ] && echo "$comm$n" >> "$T/holders.cred"
			[ -n "$l" ] && [ "$l" = "$key" ] && echo "$comm$n" >> "$T/holders.key"
		done
	done
	timeout 60 sh -c "cat '$T/go' > /dev/null"
}
authpeer() {
	printf '%s\n' "$1" > "$T/script"
	listen 127.0.0.1:0 "$T/wire.auth" "$T/script"
}
authtls="send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 AUTH PLAIN
expect STARTTLS
send 220 go ahead
tlsca $K/clientca.pem
clientcert $T/clientsubject
tls $K/server.pem $K/server.key
read
send 250-mx.test
send 250 AUTH PLAIN
expect AUTH PLAIN
send 334 
read
notify $T/reached
notify $T/go
send 235 2.7.0 ok
read
send 250 ok
read
send 250 ok
read
send 354 go
notify $T/reached
notify $T/go
data
send 250 ok queued
read"
authpeer "$authtls"
echo "@x.test:[127.0.0.1]:$port|$USER_|$PASS_" > "$C/authsenders"
echo "x.test:$K/client.pem|$K/client-pkcs8.key|$KEYPASS" > "$C/domaincerts"
# A transcript of this delivery (control/tracedestinations, as for live
# traffic): the whole dialogue, the part inside TLS too, secrets hidden.
echo "example.test:$T/transcript" > "$C/tracedestinations"
rm -f "$T/pid.authclient" "$T/pid.tlswrap" "$T/credbytes" "$T/credfd.authclient" "$T/credfd.smtpclient" "$T/keyfd.smtpclient" "$T/clientsubject"
qr example.test
hold
hold
finishqr
case_ 'AUTH over STARTTLS with an encrypted client key: delivered'
check "$(tr '\0' '|' < "$T/out" | head -n 1)" "r|K127.0.0.1 TLS transmitted message accepted."
case_ '... the server saw the client certificate (the key password was used)'
check "$(cat "$T/clientsubject" 2> /dev/null)" "CN=client.test"
case_ '... and the PLAIN credentials (the password was used)'
check "$(sed -n 5p "$T/wire.auth" | tr -d '\r')" "$(printf '\0%s\0%s' "$USER_" "$PASS_" | base64 -w 0)"
case_ '... every stage ran while held: qmail-remote, smtpclient, tlswrap, authclient'
check "$(sort -u "$T/names" | grep -x -E 'qmail-remote|smtpclient|tlswrap|authclient' | tr '\n' ' ')" 'authclient qmail-remote smtpclient tlswrap '
case_ 'authclient got the credentials pipe that smtpclient was handed (fd 3 = fd 8)'
check "$(cat "$T/credfd.authclient" 2> /dev/null | grep -c '^pipe:')$(cat "$T/credfd.smtpclient" 2> /dev/null)" "1$(cat "$T/credfd.authclient" 2> /dev/null)"
case_ '... still unread when authclient started: every byte of user NUL password NUL'
credlen=$(printf '%s\0%s\0' "$USER_" "$PASS_" | wc -c)
check "$(cat "$T/credbytes" 2> /dev/null)" "$credlen"
case_ 'while held, the credentials pipe is open in qmail-remote and smtpclient (fd 8) only (authclient read and closed its fd 3)'
check "$(sort -u "$T/holders.cred" | tr '\n' ' ')" 'qmail-remote smtpclient 8 '
case_ "while held, the key password's pipe is open in qmail-remote, smtpclient (fd 9) and tlswrap only"
check "$(sort -u "$T/holders.key" | grep -v '^tlswrap 9$' | tr '\n' ' ')" 'qmail-remote smtpclient 9 '
case_ 'the transcript (control/tracedestinations): the dialogue inside TLS, AUTH and its payloads hidden, MAIL without the user'
check "$(sed 's/^\([a-z-]*\)\[[0-9]*\] [0-9]*\.[0-9]* /\1 /; s/TLS_[A-Z0-9_]*;/<cipher>;/' "$T/transcript" | grep -v -e '^qmail-remote \* connected to' -e '^smtpclient \* TLS started')" "qmail-remote * delivery to example.test from <a@x.test> for 1 recipient(s); route [127.0.0.1] port $port, smtpclient
smtpclient * to 127.0.0.1 port $port, TLS try, host [127.0.0.1], from a@x.test to 1 recipient(s)
smtpclient < 220 mx.test ESMTP
smtpclient > EHLO helo.test
smtpclient < 250-mx.test
smtpclient < 250-STARTTLS
smtpclient < 250 AUTH PLAIN
smtpclient > STARTTLS
smtpclient < 220 go ahead
smtpclient > EHLO helo.test
smtpclient < 250-mx.test
smtpclient < 250 AUTH PLAIN
authclient > AUTH PLAIN
authclient < 334 <AUTH data hidden>
authclient > <AUTH data hidden>
authclient < 235 2.7.0 ok
smtpclient > MAIL FROM:<a@x.test> AUTH=<AUTH data hidden>
smtpclient < 250 ok
smtpclient > RCPT TO:<b@y.test>
smtpclient < 250 ok
smtpclient * report r
smtpclient > DATA
smtpclient < 354 go
smtpclient * the message (not shown)
smtpclient > .
smtpclient < 250 ok queued
smtpclient > QUIT
smtpclient * report K127.0.0.1 TLS transmitted message accepted. / Remote host said: 250 ok queued / TLS: TLSv1.3 <cipher>; certificate not checked
qmail-remote * reports: r | K127.0.0.1 TLS transmitted message accepted. / Remote host said: 250 ok queued / TLS: TLSv1.3 <cipher>; certificate not checked"
check "$(grep -c '^qmail-remote\[[0-9]*\] [0-9]*\.[0-9]* \* connected to 127.0.0.1:'"$port from 127.0.0.1:" "$T/transcript")$(grep -c '^smtpclient\[[0-9]*\] [0-9.]* \* TLS started' "$T/transcript")" 11
rm -f "$C/tracedestinations"

# 7. AUTH in clear text (loopback, no STARTTLS offered), LOGIN, held
# before the 235; domaincerts still names a key with a password, which
# qmail-remote hands smtpclient (for tlswrap, never started here).
authpeer "send 220 mx.test ESMTP
read
send 250-mx.test
send 250 AUTH LOGIN
expect AUTH LOGIN
send 334 VXNlcm5hbWU6
read
send 334 UGFzc3dvcmQ6
read
notify $T/reached
notify $T/go
send 235 2.7.0 ok
read
send 250 ok
read
send 250 ok
read
send 354 go
data
send 250 ok queued
read"
echo "@x.test:[127.0.0.1]:$port|$USER_|$PASS_" > "$C/authsenders"
rm -f "$T/pid.authclient" "$T/credbytes" "$T/credfd.authclient" "$T/credfd.smtpclient" "$T/keyfd.smtpclient"
: > "$T/holders.cred"
: > "$T/holders.key"
SMTPTRACE=$T/transcript.login qr example.test
hold
finishqr
case_ 'the transcript (SMTPTRACE): AUTH LOGIN, the prompts and both answers hidden'
check "$(sed -n 's/^authclient\[[0-9]*\] [0-9]*\.[0-9]* //p' "$T/transcript.login")" '> AUTH LOGIN
< 334 <AUTH data hidden>
> <AUTH data hidden>
< 334 <AUTH data hidden>
> <AUTH data hidden>
< 235 2.7.0 ok'
case_ 'AUTH LOGIN in clear text to loopback: delivered'
check "$(tr '\0' '|' < "$T/out" | head -n 1)" "r|K127.0.0.1 accepted message."
case_ '... the credentials pipe still unread when authclient started'
check "$(cat "$T/credbytes" 2> /dev/null)" "$credlen"
case_ '... and open in qmail-remote and smtpclient (fd 8) only'
check "$(sort -u "$T/holders.cred" | tr '\n' ' ')" 'qmail-remote smtpclient 8 '
case_ "... the unread key password's pipe in qmail-remote and smtpclient (fd 9) only, not authclient"
check "$(sort -u "$T/holders.key" | tr '\n' ' ')" 'qmail-remote smtpclient 9 '
rm -f "$C/authsenders" "$C/domaincerts"

# 8. An authenticated session from the session cache (issue 21): the
# copy of smtpclient in $T/bin2 (beside the authclient wrapper) runs
# twice under tests/bin/scacherun (qmail-remote's part with the cache)
# against a real qmail-scache, traced, the credentials on fd 8. The
# first authenticates and hands the session back; the second gets it,
# sends no AUTH, and takes MAIL's AUTH= from authclient -m. The user is
# in no transcript, environment or report (the loop below), nor in the
# cache's log (stderr.scache); its records are checked in Go
# (smtpclient TestHandBackAuth: auth yes, no user).
mkdir -p "$H/queue/lock/scache"
chmod 700 "$H/queue/lock/scache"
echo 300 > "$C/sessionidle"
QMAILHOME=$H "$BIN/qmail-scache" 2> "$T/stderr.scache" &
cachepid=$!
i=0
until grep -q listening "$T/stderr.scache" || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
printf '%s\0%s\0' "$USER_" "$PASS_" > "$T/cred.reuse"
printf '%s\n' "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-AUTH PLAIN
send 250-PIPELINING
send 250 CHUNKING
expect AUTH PLAIN
send 334 
read
send 235 2.7.0 ok
read
read
read
read
read
read
raw 250 ok\r\n250 ok\r\n
send 250 queued 1
read
read
read
read
read
read
read
raw 250 reset\r\n250 ok\r\n250 ok\r\n
send 250 queued 2
read" > "$T/script.reuse"
listen 127.0.0.1:0 "$T/wire.reuse" "$T/script.reuse"
# scrun [-c PORT]: one delivery by smtpclient under scacherun, key k-auth.
scrun() {
	env -u TIMEOUTREMOTE HELOHOST=helo.test TCPREMOTEIP=127.0.0.1 TCPREMOTEPORT="$port" QMAILHOME="$H" \
		AUTHFD=8 TRACEFD=5 SESSIONMESSAGES=2 \
		"$TBIN/scacherun" "$@" k-auth "$T/bin2/smtpclient" a@x.test b@y.test < "$T/msg" 8< "$T/cred.reuse" \
		5>> "$T/transcript.reuse" > "$T/out" 2> "$T/stderr.reuse"
	echo "exit $?" >> "$T/out"
	cat "$T/out" >> "$T/reports"
	cat "$T/stderr.reuse" >> "$T/stderr.smtpclient.reuse"
	cat "$T/stderr.reuse" >> "$T/out"
}
scrun -c "$port"
case_ 'cache, AUTH: the first delivery authenticates (PLAIN) and is K'
check "$(tr '\0' '|' < "$T/out")" "r|K127.0.0.1 accepted message.
Remote host said: 250 queued 1
|exit 0
scacherun: fresh"
scrun
wait "$peerpid"
peerpid=
case_ '... the second gets the session from the cache, K says message 2'
check "$(tr '\0' '|' < "$T/out" | sed 's/opened [0-9]* s ago/opened N s ago/')" "r|K127.0.0.1 accepted message.
Remote host said: 250 queued 2
Session reused: message 2 on this connection, opened N s ago.
|exit 0
scacherun: session"
case_ '... one AUTH on the wire, both MAILs with the same AUTH= parameter, RSET before the second, QUIT at SESSIONMESSAGES'
check "$(grep -a -c '^AUTH ' "$T/wire.reuse")|$(grep -a '^MAIL' "$T/wire.reuse" | tr -d '\r' | sort | uniq -c | tr -s ' ')|$(grep -a -c '^RSET' "$T/wire.reuse")|$(tail -n 1 "$T/wire.reuse" | tr -d '\r')" \
	"1| 2 MAIL FROM:<a@x.test> AUTH=$USER_|1|QUIT"
case_ '... authclient ran twice: the exchange, then -m (no AUTH again)'
check "$(grep -a -F bin2/authclient "$T/seen" | tr '\0' ' ' | sed 's/.*authclient //' | tail -n 2)" "PLAIN 
-m "
case_ '... both transcripts: MAIL with the user hidden, the second from the cache'
check "$(sed -n 's/^smtpclient\[[0-9]*\] [0-9.]* > MAIL/MAIL/p' "$T/transcript.reuse")|$(grep -c 'a session from the cache: message 2' "$T/transcript.reuse")" \
	"MAIL FROM:<a@x.test> AUTH=<AUTH data hidden>
MAIL FROM:<a@x.test> AUTH=<AUTH data hidden>|1"
kill "$cachepid"
wait "$cachepid"
rm -f "$C/sessionidle"

case_ 'the suite saw every stage run (argv, environment, /proc while running)'
seen_s=$(grep -c smtpclient "$T/seen")
seen_m=$(grep -c mxlookup "$T/seen")
seen_p=$(grep -c QMAILHOME "$T/proc")
[ "$seen_s" -ge 3 ] && [ "$seen_m" -ge 2 ] && [ "$seen_p" -ge 2 ] && seen=yes || seen="no: $seen_s $seen_m $seen_p"
check "$seen" yes
case_ 'the suite saw authclient and tlswrap run (argv and environment)'
[ "$(grep -a -c -F bin2/authclient "$T/seen")" -ge 2 ] && [ "$(grep -a -c -F bin2/tlswrap "$T/seen")" -ge 1 ] && seen=yes || seen=no
check "$seen" yes

for what in "$USER_" "$PASS_" PaSsWoRd "$KEYPASS" "$(printf '\0%s\0%s' "$USER_" "$PASS_" | base64 -w 0)" "$(printf %s "$USER_" | base64 -w 0)"; do
	case_ "secret '$what' in no transcript"
	check "$(cat "$T"/transcript* | grep -c -a -F -- "$what")" 0
	case_ "secret '$what' in no argv or environment handed to a stage"
	check "$(grep -c -F -- "$what" "$T/seen")" 0
	case_ "secret '$what' in no /proc cmdline or environ of a running stage or qmail-remote"
	check "$(grep -c -F -- "$what" "$T/proc")" 0
	case_ "secret '$what' in no report and not on qmail-remote's fd 2"
	check "$(grep -c -a -F -- "$what" "$T/reports")" 0
	case_ "secret '$what' on no stage's fd 2"
	check "$(cat "$T"/stderr.* | grep -c -a -F -- "$what")" 0
	case_ "secret '$what' not on the wire (no AUTH yet)"
	check "$(grep -c -a -F -- "$what" "$T/wire")" 0
done
case_ "the key password is not on the wire of the TLS delivery"
check "$(grep -c -a -F -- "$KEYPASS" "$T/wire.auth")" 0

finish
