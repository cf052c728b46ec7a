# Fault injection against qmail-remote end to end. qmail-remote finds
# its stages in the folder of its own executable, so each case runs a copy
# of it in $T/bin next to wrapper scripts named mxlookup and smtpclient.
# A wrapper writes its pid to $T/pid.NAME and then, as $FAULT says
# (qmail-remote passes its environment on to the stages):
#   (unset)      execs the real stage (same pid: the test can SIGKILL it
#                while fakepeer or fakedns holds it at a step)
#   before       SIGKILLs itself before the stage starts
#   after        runs the real stage to its end, then SIGKILLs itself:
#                its reports are complete, its death must still count
#   print:FMT    prints FMT (printf format: \0 is NUL) instead, then exits
#                $FAULTEXIT (default 0): a malformed or truncated report
# $FAULTSTAGE names the stage that gets the fault. Every case shows
# qmail-remote's stdout (NUL as ^@), its exit code and its stderr. The
# outcome must be a Z, never a K or a D. tests/FAULTS.md lists every
# fault with its outcome.
# Requirements: bin/*, tests/bin/fakepeer, tests/bin/fakedns, timeout;
# for the full disk: root and a tmpfs mount (else RLIMIT_FSIZE stands in
# for it, and the suite says so).
. "$(dirname "$0")/lib.sh"

H=$T/home
C=$H/control
mkdir -p "$C" "$T/bin"
echo me.test > "$C/me"
echo helo.test > "$C/helohost"
echo 5 > "$C/timeoutremote"
echo 10 > "$C/timeoutconnect"
cp "$BIN/qmail-remote" "$T/bin/qmail-remote"
for s in mxlookup smtpclient; do
	cat > "$T/bin/$s" <<EOF
#!/bin/sh
echo \$\$ > "$T/pid.$s"
[ "\$FAULTSTAGE" = $s ] || exec "$BIN/$s" "\$@"
case \$FAULT in
before) kill -9 \$\$ ;;
after) "$BIN/$s" "\$@"; kill -9 \$\$ ;;
print:*) printf "\${FAULT#print:}"; echo "$s wrapper: printed a fault" >&2; exit \${FAULTEXIT:-0} ;;
esac
exec "$BIN/$s" "\$@"
EOF
	chmod 755 "$T/bin/$s"
done
printf 'Subject: x\n\nhi\n' > "$T/msg"
mkfifo "$T/reached"

# peer SCRIPT: fakepeer -l on 127.0.0.1 for one connection; every host is
# routed to it.
peer() {
	printf '%s\n' "$1" > "$T/script"
	rm -f "$T/log"
	listen 127.0.0.1:0 "$T/log" "$T/script"
	echo ":[127.0.0.1]:$port" > "$C/smtproutes"
}
endpeer() {
	[ -n "$peerpid" ] && { kill "$peerpid" 2> /dev/null; wait "$peerpid" 2> /dev/null; }
	peerpid=
}

# qr [ENV...]: runs the copy of qmail-remote to its end; sets $out.
qr() {
	env "$@" QMAILHOME=$H timeout 120 "$T/bin/qmail-remote" example.test a@x.test b@y.test \
		< "$T/msg" > "$T/out" 2> "$T/qerr"
	rc=$?
	result
	endpeer
}
result() { out=$(show < "$T/out"; echo; echo "exit $rc"; cat "$T/qerr"); }

# qrkill NAME [ENV...]: starts qmail-remote, waits until the peer script
# reaches its notify line, SIGKILLs stage NAME, then waits; sets $out.
qrkill() {
	stage=$1
	shift
	rm -f "$T/pid.$stage"
	env "$@" QMAILHOME=$H timeout 120 "$T/bin/qmail-remote" example.test a@x.test b@y.test \
		< "$T/msg" > "$T/out" 2> "$T/qerr" &
	qrpid=$!
	timeout 60 sh -c "read x < '$T/reached'" || echo "faults.sh: the peer never reached its notify line" >&2
	# The peer may get there before the stage wrote its pid (the greeting).
	i=0
	while [ ! -s "$T/pid.$stage" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$(cat "$T/pid.$stage")" 2> /dev/null
	wait "$qrpid"
	rc=$?
	result
	endpeer
}

killed='ZConnected to 127.0.0.1 but smtpclient crashed: signal: killed. (#4.3.0)
^@
exit 0'
malformed='ZConnected to 127.0.0.1 but smtpclient printed a malformed report. (#4.3.0)
smtpclient said: smtpclient wrapper: printed a fault
^@
exit 0'
stop="notify $T/reached
hang"

# smtpclient killed at each step.
case_ 'smtpclient SIGKILLed before it starts: Z'
peer "$G"
qr FAULTSTAGE=smtpclient FAULT=before
check "$out" "$killed"

for step in 'waiting for the greeting' 'waiting for the reply to EHLO' \
	'waiting for the reply to MAIL' 'waiting for the reply to RCPT' \
	'waiting for the reply to DATA' 'during the data' 'after the final dot' \
	'after QUIT'; do
	case $step in
	*greeting) s="$stop" ;;
	*EHLO) s="$G
read
$stop" ;;
	*MAIL) s="$G
$E
read
$stop" ;;
	*RCPT) s="$G
$E
$M
read
$stop" ;;
	*DATA) s="$G
$E
$M
$R
read
$stop" ;;
	*data) s="$G
$E
$M
$R
$D
read
$stop" ;;
	*dot) s="$G
$E
$M
$R
$D
data
$stop" ;;
	*QUIT) s="$G
$E
$M
$R
$D
data
send 250 ok
read
$stop" ;;
	esac
	case_ "smtpclient SIGKILLed $step: Z, never K"
	peer "$s"
	qrkill smtpclient
	case $step in
	*QUIT)
		# It may have finished already (its K stands) or be killed:
		# either is right, a K after a 250 to the dot is no lie.
		case $out in "$killed"|r^@K127.0.0.1\ accepted\ message.*) out=$killed ;; esac ;;
	esac
	check "$out" "$killed"
done

case_ 'smtpclient SIGKILLed after printing r and K (the peer said 250 to the dot): Z'
peer "$G
$E
$M
$R
$D
data
send 250 ok"
qr FAULTSTAGE=smtpclient FAULT=after
check "$out" "$killed"

# qmail-remote itself killed: it prints nothing before the end, so
# qmail-rspawn sees a crash and no K ("Zqmail-remote crashed.").
case_ 'qmail-remote SIGKILLed after the final dot: no output at all (qmail-rspawn: Z crashed)'
peer "$G
$E
$M
$R
$D
data
$stop"
rm -f "$T/pid.smtpclient"
QMAILHOME=$H "$T/bin/qmail-remote" example.test a@x.test b@y.test < "$T/msg" > "$T/out" 2> "$T/qerr" &
qrpid=$!
timeout 60 sh -c "read x < '$T/reached'"
kill -9 "$qrpid"
wait "$qrpid"
rc=$?
result
endpeer
# its smtpclient dies with it (Pdeathsig; tests/qmail-remote.sh checks).
check "$out" "
exit 137"

# Malformed and truncated reports from smtpclient.
peer3() { peer "$G"; }
for f in 'r\0K127.0.0.1 accepted message.\n|0|no NUL after K' \
	'r\0|0|r, then nothing: no message report' \
	'K127.0.0.1 accepted message.\n\0|0|K without a recipient report' \
	'r\0r\0r\0K127.0.0.1 accepted message.\n\0|0|more recipient reports than recipients' \
	'h\0K127.0.0.1 accepted message.\n\0|0|K although every recipient was refused' \
	'r\0K1\0K2\0|0|two message reports' \
	'x\0|0|unknown letter' \
	'|0|nothing at all, exit 0' \
	'\0|0|an empty report' \
	'K127.0.0.1 accepted message.\n\0|111|K with exit 111 (try the next address)' \
	'r\0|100|a recipient report with exit 100'; do
	fmt=${f%%|*}
	rest=${f#*|}
	code=${rest%%|*}
	what=${rest#*|}
	case_ "smtpclient prints a malformed report ($what): Z"
	peer "$G"
	qr FAULTSTAGE=smtpclient "FAULT=print:$fmt" FAULTEXIT=$code
	check "$out" "$malformed"
done

case_ 'smtpclient exits 7 after a good K: Z, crashed, with its last line on fd 2'
peer "$G"
qr FAULTSTAGE=smtpclient 'FAULT=print:r\0K127.0.0.1 accepted message.\n\0' FAULTEXIT=7
check "$out" "ZConnected to 127.0.0.1 but smtpclient crashed: exit status 7. (#4.3.0)
smtpclient said: smtpclient wrapper: printed a fault
^@
exit 0"

# mxlookup: the route names a relay, looked up through fakedns.
cat > "$T/zone" <<'EOF'
relay.test A 127.0.0.1
slow.test TIMEOUT
broken.test SERVFAIL
EOF
startdns "$T/zone"

mxkilled='ZUnable to look up relay.test: mxlookup crashed: signal: killed. (#4.3.0)
^@
exit 0'
case_ 'mxlookup SIGKILLed before it starts: Z'
echo ':relay.test:1' > "$C/smtproutes"
qr FAULTSTAGE=mxlookup FAULT=before
check "$out" "$mxkilled"

case_ 'mxlookup SIGKILLed after printing a good candidate: Z'
qr FAULTSTAGE=mxlookup FAULT=after
check "$out" "$mxkilled"

case_ 'mxlookup SIGKILLed while it waits for the DNS server: Z'
echo ':slow.test:1' > "$C/smtproutes"
rm -f "$T/pid.mxlookup"
: > "$T/dns.log"
QMAILHOME=$H timeout 120 "$T/bin/qmail-remote" example.test a@x.test b@y.test < "$T/msg" > "$T/out" 2> "$T/qerr" &
qrpid=$!
i=0
while ! grep -q slow.test "$T/dns.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$(cat "$T/pid.mxlookup")"
wait "$qrpid"
rc=$?
result
check "$out" 'ZUnable to look up slow.test: mxlookup crashed: signal: killed. (#4.3.0)
^@
exit 0'

echo ':relay.test:1' > "$C/smtproutes"
for f in '10 999.0.0.1 relay.test\n|0|bad address' '10 127.0.0.1\n|0|truncated line' \
	'|0|no output, exit 0' '10 127.0.0.1 relay.test\n10 127.0.0.1 relay.test extra\n|0|a bad second line'; do
	fmt=${f%%|*}
	rest=${f#*|}
	what=${rest#*|}
	case_ "mxlookup prints a malformed list ($what): Z"
	qr FAULTSTAGE=mxlookup "FAULT=print:$fmt"
	check "$out" 'ZUnable to look up relay.test: mxlookup printed a malformed line. (#4.3.0)
^@
exit 0'
done

case_ 'mxlookup exits 111 without a line: Z, failed without saying why'
qr FAULTSTAGE=mxlookup FAULT=print: FAULTEXIT=111
check "$out" "ZUnable to look up relay.test: mxlookup failed without saying why. (#4.3.0)
mxlookup said: mxlookup wrapper: printed a fault
^@
exit 0"

case_ 'mxlookup exits 100 without a line: Z, not D'
qr FAULTSTAGE=mxlookup FAULT=print: FAULTEXIT=100
check "$out" "ZUnable to look up relay.test: mxlookup failed without saying why. (#4.3.0)
mxlookup said: mxlookup wrapper: printed a fault
^@
exit 0"

case_ 'mxlookup exits 3: Z, crashed'
qr FAULTSTAGE=mxlookup 'FAULT=print:10 127.0.0.1 relay.test\n' FAULTEXIT=3
check "$out" "ZUnable to look up relay.test: mxlookup crashed: exit status 3. (#4.3.0)
mxlookup said: mxlookup wrapper: printed a fault
^@
exit 0"

# The DNS server itself.
case_ 'DNS server down (nothing listens): Z'
qr DNSCACHEIP=127.0.0.1:1
check "$out" "ZSorry, I couldn't find any host named: relay.test. (#4.1.2)
^@
exit 0"

case_ 'DNS server that never answers (MXLOOKUP_DEADLINE=2): Z'
echo ':slow.test:1' > "$C/smtproutes"
qr MXLOOKUP_DEADLINE=2
check "$out" "ZSorry, I couldn't find any host named: slow.test. (#4.1.2)
^@
exit 0"

case_ 'DNS server answers SERVFAIL: Z'
echo ':broken.test:1' > "$C/smtproutes"
qr
check "$out" "ZSorry, I couldn't find any host named: broken.test. (#4.1.2)
^@
exit 0"

case_ 'MX lookup answered SERVFAIL (no route): Z'
rm -f "$C/smtproutes"
env QMAILHOME=$H "$T/bin/qmail-remote" broken.test a@x.test b@broken.test < "$T/msg" > "$T/out" 2> "$T/qerr"
rc=$?
result
check "$out" "ZSorry, I couldn't find any host named: broken.test. (#4.1.2)
^@
exit 0"

# The message: spooling a stdin that cannot seek.
awk 'BEGIN { for (i = 0; i < 4096; i++) printf "%063d\n", i }' > "$T/bigmsg"
echo ':[127.0.0.1]:1' > "$C/smtproutes"
mkdir -p "$T/small"
case_ 'full disk while spooling a piped message: Z'
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$T/small" 2> /dev/null; then
	cat "$T/bigmsg" | TMPDIR=$T/small QMAILHOME=$H "$T/bin/qmail-remote" example.test a@x.test b@y.test > "$T/out" 2> "$T/qerr"
	rc=$?
	umount "$T/small"
	result
	out=$(echo "$out" | sed "s|$T/small/qmail-remote\.[0-9]*|TMP|")
	check "$out" "ZUnable to spool the message: write TMP: no space left on device. (#4.3.0)
^@
exit 0"
else
	echo "faults.sh: info: cannot mount a tmpfs here: RLIMIT_FSIZE (ulimit -f) stands in for a full disk"
	(
		ulimit -f 64
		cat "$T/bigmsg" | TMPDIR=$T/small QMAILHOME=$H "$T/bin/qmail-remote" example.test a@x.test b@y.test > "$T/out" 2> "$T/qerr"
		echo $? > "$T/rc"
	)
	rc=$(cat "$T/rc")
	result
	out=$(echo "$out" | sed "s|$T/small/qmail-remote\.[0-9]*|TMP|")
	check "$out" "ZUnable to spool the message: write TMP: file too large. (#4.3.0)
^@
exit 0"
fi

case_ 'stdin that cannot be read (a folder): Z'
QMAILHOME=$H "$T/bin/qmail-remote" example.test a@x.test b@y.test < "$T/small" > "$T/out" 2> "$T/qerr"
rc=$?
result
check "$out" "ZUnable to read message. (#4.3.0)
^@
exit 0"

finish
