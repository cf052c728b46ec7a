# Secrets: the user and password of an smtproutes line
# (domain:relay:port|user|password) appear in no argv, no environment, no
# report and no fd 2 of any stage. qmail-remote runs as a copy in $T/bin
# next to wrapper scripts named mxlookup and smtpclient: each copies its
# own /proc/PID/cmdline and /proc/PID/environ (what exec handed it) to
# $T/seen, runs the real stage with fd 2 copied to $T/stderr.NAME, and
# writes the real stage's pid to $T/pid.NAME. While a stage is held (a
# fakepeer notify line, a DNS server that does not answer), the suite also
# reads /proc/PID/cmdline and /proc/PID/environ of the running stage and
# of qmail-remote itself. Later issues (AUTH, TLS) add their secrets here.
# Requirements: bin/*, tests/bin/fakepeer, tests/bin/fakedns, timeout, /proc.
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
for s in mxlookup smtpclient; do
	cat > "$T/bin/$s" <<EOF
#!/bin/sh
{ cat /proc/\$\$/cmdline; echo; cat /proc/\$\$/environ; echo; } >> "$T/seen"
exec 3<&0
"$BIN/$s" "\$@" <&3 3<&- 2> "$T/stderr.$s.\$\$" &
echo \$! > "$T/pid.$s"
wait \$!
rc=\$?
cat "$T/stderr.$s.\$\$" >&2
exit \$rc
EOF
	chmod 755 "$T/bin/$s"
done
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
case_ 'the delivery with credentials in the route worked'
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

case_ 'the suite saw every stage run (argv, environment, /proc while running)'
seen_s=$(grep -c smtpclient "$T/seen")
seen_m=$(grep -c mxlookup "$T/seen")
seen_p=$(grep -c QMAILHOME "$T/proc")
[ "$seen_s" -ge 3 ] && [ "$seen_m" -ge 2 ] && [ "$seen_p" -ge 2 ] && seen=yes || seen="no: $seen_s $seen_m $seen_p"
check "$seen" yes

for what in "$USER_" "$PASS_" PaSsWoRd; do
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

finish
