# authclient alone, its fds 6/7 on fakepeer's pipes, the credentials on
# fd 3 (fakepeer closes fds 3-5 of its child, so a shell between them
# opens $T/cred on fd 3 and execs authclient). Each case shows fd 1 (NUL
# as ^@) and the exit code, and the bytes authclient sent (fakepeer -o).
# SCRAM-SHA-256 sends a random nonce: its first line is shown decoded,
# the nonce as NONCE; a server that would need the nonce in its script
# (every step after the server-first-message) is tested in Go
# (authclient/exchange_test.go, with the RFC 7677 exchange).
# Requirements: bin/authclient, tests/bin/fakepeer, base64.
# Not tested here: smtpclient starting authclient (smtpclient.sh).
. "$(dirname "$0")/lib.sh"

ACENV='TCPREMOTEIP=192.0.2.1'
# cred USER PASS: writes USER NUL PASS NUL to $T/cred.
cred() { printf '%s\0%s\0' "$1" "$2" > "$T/cred"; }
# ac SCRIPT MECH...: sets $out (fd 1 and exit code), $wire, $err.
ac() {
	printf '%s\n' "$1" > "$T/script"
	shift
	: > "$T/log"
	env -u TIMEOUTREMOTE -u TCPREMOTEIP $ACENV CRED="$T/cred" \
		"$TBIN/fakepeer" -o "$T/log" "$T/script" \
		sh -c 'exec "$0" "$@" 3< "$CRED"' "$BIN/authclient" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	out=$(show < "$T/out"; echo; echo "exit $rc")
	wire=$(show < "$T/log")
	err=$(cat "$T/err")
}
# scramwire: the client-first-message of the AUTH line, decoded.
scramwire() {
	head -n 1 "$T/log" | sed 's/^AUTH SCRAM-SHA-256 //' | tr -d '\r' | base64 -d |
		sed 's/,r=[A-Z2-7]\{26\}$/,r=NONCE/'
}
b64() { printf '%s' "$1" | base64 -w 0; }

cred user secret
case_ 'PLAIN: AUTH PLAIN, 334, NUL user NUL secret, 235: AUTH=user'
ac 'read
send 334 
read
send 235 2.7.0 ok' PLAIN
check "$out" "AUTH=user

exit 0"
check "$wire" 'AUTH PLAIN^M
AHVzZXIAc2VjcmV0^M'

case_ 'LOGIN: user and password after each 334, prompts ignored'
ac 'read
send 334 VXNlcm5hbWU6
read
send 334 UGFzc3dvcmQ6
read
send 235 ok' login
check "$out" "AUTH=user

exit 0"
check "$wire" 'AUTH LOGIN^M
dXNlcg==^M
c2VjcmV0^M'

cred tim tanstaaftanstaaf
case_ 'CRAM-MD5: the RFC 2195 example'
ac 'read
send 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
read
send 235 ok' PLAIN LOGIN Cram-MD5
check "$out" "AUTH=tim

exit 0"
check "$wire" 'AUTH CRAM-MD5^M
dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw^M'

case_ 'AUTH= is RFC 3461 xtext: + and = and bytes outside 33..126 as +XX'
cred 'e=mc2+ j' pw
ac 'read
send 334 
read
send 235 ok' PLAIN
check "$out" "AUTH=e+3Dmc2+2B+20j

exit 0"

cred user secret
case_ 'preference: SCRAM-SHA-256 first, client-first as initial response'
ac 'read
send 504 no' PLAIN LOGIN CRAM-MD5 scram-sha-256 XOAUTH2
check "$out" "ZConnected to 192.0.2.1 but authentication was rejected (AUTH SCRAM-SHA-256).
Remote host said: 504 no
^@
exit 111"
check "$(scramwire)" 'n,,n=user,r=NONCE'

case_ 'no mechanism in common: exit 1, nothing sent, nothing printed'
ac 'send 220 unexpected' XOAUTH2 SCRAM-SHA-1 SCRAM-SHA-256-PLUS
check "$out" "
exit 1"
check "$wire" ''

case_ 'no mechanism at all: exit 1'
ac 'send 220 unexpected'
check "$out" "
exit 1"

for c in 'PLAIN|AUTH PLAIN|plain' 'LOGIN|AUTH LOGIN|login' 'CRAM-MD5|AUTH CRAM-MD5|cram' 'SCRAM-SHA-256|AUTH SCRAM-SHA-256|scram'; do
	m=${c%%|*} l=${c#*|} l=${l%|*} s=${c##*|}
	case_ "$m: reply 504 to $l"
	ac 'read
send 504 5.5.4 unknown' "$m"
	check "$out" "ZConnected to 192.0.2.1 but authentication was rejected ($l).
Remote host said: 504 5.5.4 unknown
^@
exit 111"
	case_ "$m: 235 to $l is no success"
	ac 'read
send 235 welcome' "$m"
	check "$out" "ZConnected to 192.0.2.1 but the server said 235 before authentication was complete ($l).
Remote host said: 235 welcome
^@
exit 111"
	case_ "$m: 538 to $l"
	ac 'read
send 538 5.7.11 encryption required' "$m"
	check "$out" "ZConnected to 192.0.2.1 but encryption is required for this mechanism ($s).
Remote host said: 538 5.7.11 encryption required
^@
exit 111"
	case_ "$m: 454 to $l"
	ac 'read
send 454 4.7.0 try later' "$m"
	check "$out" "ZConnected to 192.0.2.1 but authentication failed temporarily ($s).
Remote host said: 454 4.7.0 try later
^@
exit 111"
	case_ "$m: connection closed after $l"
	ac 'read
close' "$m"
	check "$out" "ZConnected to 192.0.2.1 but connection died. (#4.4.2)
^@
exit 111"
	case_ "$m: malformed reply to $l"
	ac 'read
send 33x' "$m"
	check "$out" "ZConnected to 192.0.2.1 but connection died. (#4.4.2)
^@
exit 111"
done

# The final replies of PLAIN, LOGIN and CRAM-MD5.
final() { # final MECH SCRIPT-UP-TO-THE-LAST-READ
	for r in '535 5.7.8 bad|Z|authentication was rejected (LABEL)' \
		'432 4.7.12 expired|D|password expired' \
		'534 5.7.9 weak|Z|authentication mechanism too weak (SHORT)' \
		'454 4.7.0 later|Z|authentication failed temporarily (SHORT)' \
		'538 5.7.11 tls|Z|encryption is required for this mechanism (SHORT)' \
		'250 fine|Z|authentication was rejected (LABEL)' \
		'334 more|Z|authentication went on past its last step (LABEL)'; do
		reply=${r%%|*} letter=${r#*|} letter=${letter%%|*} text=${r##*|}
		text=$(echo "$text" | sed "s/LABEL/$3/; s/SHORT/$4/")
		exit=111
		[ "$letter" = D ] && exit=100
		case_ "$1: final reply $reply"
		ac "$2
send $reply" "$1"
		check "$out" "${letter}Connected to 192.0.2.1 but $text.
Remote host said: $reply
^@
exit $exit"
	done
}
final PLAIN 'read
send 334 
read' plain plain
final LOGIN 'read
send 334 x
read
send 334 y
read' login login
final CRAM-MD5 'read
send 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
read' username+digest cram

case_ 'LOGIN: username refused'
ac 'read
send 334 x
read
send 535 no such user' LOGIN
check "$out" "ZConnected to 192.0.2.1 but authentication was rejected (username).
Remote host said: 535 no such user
^@
exit 111"
check "$wire" 'AUTH LOGIN^M
dXNlcg==^M'

case_ 'LOGIN: 235 to the username is no success'
ac 'read
send 334 x
read
send 235 ok' LOGIN
check "$out" "ZConnected to 192.0.2.1 but the server said 235 before authentication was complete (username).
Remote host said: 235 ok
^@
exit 111"

case_ 'PLAIN: a 235 with more bytes behind it'
ac 'read
send 334 
read
raw 235 ok\r\n250 unasked\r\n' PLAIN
check "$out" "ZConnected to 192.0.2.1 but the server sent more than its 235 reply.
Remote host said: 235 ok
^@
exit 111"

case_ 'PLAIN: a multi-line 235'
ac 'read
send 334 
read
send 235-Authentication
send 235 succeeded' PLAIN
check "$out" "AUTH=user

exit 0"

case_ 'CRAM-MD5: challenge not base64'
ac 'read
send 334 <1896.697170952@postoffice.reston.mci.net>' CRAM-MD5
check "$out" "ZConnected to 192.0.2.1 but unable to base64decode challenge.
Remote host said: 334 <1896.697170952@postoffice.reston.mci.net>
^@
exit 111"
check "$wire" 'AUTH CRAM-MD5^M'

case_ 'CRAM-MD5: challenge on two lines'
ac 'read
send 334-PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2Uu
send 334 cmVzdG9uLm1jaS5uZXQ+' CRAM-MD5
check "$out" "ZConnected to 192.0.2.1 but unable to base64decode challenge.
Remote host said: 334-PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2Uu
334 cmVzdG9uLm1jaS5uZXQ+
^@
exit 111"

case_ 'CRAM-MD5: empty challenge'
ac 'read
send 334 ' CRAM-MD5
check "$out" "ZConnected to 192.0.2.1 but the server sent an empty challenge (AUTH CRAM-MD5).
Remote host said: 334 
^@
exit 111"

case_ 'SCRAM-SHA-256: empty server-first-message'
ac 'read
send 334 ' SCRAM-SHA-256
check "$out" "ZConnected to 192.0.2.1 but the server sent an empty challenge (AUTH SCRAM-SHA-256).
Remote host said: 334 
^@
exit 111"

sf=$(b64 'r=someoneelses,s=QUFBQQ==,i=4096')
case_ 'SCRAM-SHA-256: server nonce not ours; nothing more sent'
ac "read
send 334 $sf" SCRAM-SHA-256
check "$out" "ZConnected to 192.0.2.1 but the SCRAM-SHA-256 server nonce does not start with the client nonce.
Remote host said: 334 $sf
^@
exit 111"
check "$(wc -l < "$T/log")" 1

sf=$(b64 'm=future,r=x,s=QUFBQQ==,i=4096')
case_ 'SCRAM-SHA-256: a mandatory extension (m=)'
ac "read
send 334 $sf" SCRAM-SHA-256
check "$out" "ZConnected to 192.0.2.1 but the server requires a SCRAM-SHA-256 extension I do not know.
Remote host said: 334 $sf
^@
exit 111"

sf=$(b64 's=QUFBQQ==,i=4096')
case_ 'SCRAM-SHA-256: server-first-message without r='
ac "read
send 334 $sf" SCRAM-SHA-256
check "$out" "ZConnected to 192.0.2.1 but the SCRAM-SHA-256 server-first-message is malformed.
Remote host said: 334 $sf
^@
exit 111"

case_ 'SCRAM-SHA-256: server-first-message not base64'
ac 'read
send 334 r=x,s=y,i=1' SCRAM-SHA-256
check "$out" "ZConnected to 192.0.2.1 but unable to base64decode challenge.
Remote host said: 334 r=x,s=y,i=1
^@
exit 111"

case_ 'SCRAM-SHA-256: a long name goes after the empty 334 (AUTH line <= 512 bytes)'
long=$(printf '%0400d' 0)
cred "$long" pw
ac 'read
send 334 
read
send 535 no' SCRAM-SHA-256
check "$out" "ZConnected to 192.0.2.1 but authentication was rejected (AUTH SCRAM-SHA-256).
Remote host said: 535 no
^@
exit 111"
check "$(head -n 1 "$T/log" | show)" 'AUTH SCRAM-SHA-256^M'
check "$(sed -n 2p "$T/log" | tr -d '\r' | base64 -d | sed 's/,r=[A-Z2-7]\{26\}$/,r=NONCE/')" "n,,n=$long,r=NONCE"

case_ 'SCRAM-SHA-256: = and , in the name are escaped (RFC 5802 5.1)'
cred 'a=b,c' pw
ac 'read
send 504 no' SCRAM-SHA-256
check "$(scramwire)" 'n,,n=a=3Db=2Cc,r=NONCE'

cred user secret
case_ 'TIMEOUTREMOTE: a silent server is a dead connection'
ACENV='TCPREMOTEIP=192.0.2.1 TIMEOUTREMOTE=1'
ac 'read
hang' PLAIN
check "$out" "ZConnected to 192.0.2.1 but connection died. (#4.4.2)
^@
exit 111"
ACENV='TCPREMOTEIP=192.0.2.1'

case_ 'TCPREMOTEIP unset: unknown'
ACENV=
ac 'read
send 535 no' PLAIN
check "$out" "ZConnected to unknown but authentication was rejected (AUTH PLAIN).
Remote host said: 535 no
^@
exit 111"
ACENV='TCPREMOTEIP=192.0.2.1'

# Bad credentials: refused before anything is sent.
for c in 'user|the AUTH username is empty' 'pass|the AUTH password is empty' \
	'cruser|the AUTH username holds a line break' 'lfpass|the AUTH password holds a line break' \
	'nul|the AUTH username or password holds a NUL' 'short|the AUTH credentials are not in the form user NUL password NUL' \
	'none|the AUTH credentials are not in the form user NUL password NUL' \
	'long|the AUTH credentials are longer than 4096 bytes'; do
	case ${c%%|*} in
	user) printf '\0pw\0' ;;
	pass) printf 'user\0\0' ;;
	cruser) printf 'us\rer\0pw\0' ;;
	lfpass) printf 'user\0p\nw\0' ;;
	nul) printf 'user\0p\0w\0' ;;
	short) printf 'user\0pw' ;;
	none) : ;;
	long) printf 'user\0%04097d\0' 0 ;;
	esac > "$T/cred"
	case_ "credentials: ${c#*|}; nothing sent"
	ac 'send 334 ' PLAIN
	check "$out" "ZConnected to 192.0.2.1 but ${c#*|}. (#4.7.0)
^@
exit 111"
	check "$wire" ''
done

case_ 'fd 3 not open'
cred user secret
env TCPREMOTEIP=192.0.2.1 "$TBIN/fakepeer" -o "$T/log" "$T/script" "$BIN/authclient" PLAIN > "$T/out" 2> "$T/err"
rc=$?
check "$(show < "$T/out"; echo; echo "exit $rc")" "ZUnable to read the AUTH credentials from descriptor 3. (#4.3.0)
^@
exit 111"
check "$(cat "$T/err")" 'authclient: fatal: unable to read fd 3: read fd3: bad file descriptor'

case_ 'fds 6/7 not open'
"$BIN/authclient" PLAIN 3< "$T/cred" 6<&- 7<&- > "$T/out" 2> "$T/err"
rc=$?
check "$(show < "$T/out"; echo; echo "exit $rc")" "ZUnable to run authclient: descriptors 6/7 are not open. (#4.3.0)
^@
exit 111"

case_ 'TIMEOUTREMOTE not a number'
ACENV='TCPREMOTEIP=192.0.2.1 TIMEOUTREMOTE=soon'
ac 'send 334 ' PLAIN
check "$out" "ZUnable to run authclient: TIMEOUTREMOTE is not a number of seconds. (#4.3.0)
^@
exit 111"
check "$wire" ''
ACENV='TCPREMOTEIP=192.0.2.1'

# -m: the MAIL parameter of the credentials, for a session from the
# cache that authenticated before; the peer's script would answer
# anything sent, and nothing is.
case_ '-m: AUTH=xtext(user) and exit 0, nothing read or sent'
cred 'e=mc2+ j' pw
ac 'send 220 would be read
read
send 235 ok' -m
check "$out" "AUTH=e+3Dmc2+2B+20j

exit 0"
check "$wire" ''
check "$err" ''

case_ '-m: the password is nowhere'
cred user 'Pa55-w0rd|:;'
ac 'read' -m
check "$out" "AUTH=user

exit 0"
check "$(cat "$T/out" "$T/err" "$T/log" | grep -c 'Pa55')" 0

case_ '-m: credentials that cannot be used are the Z of an exchange'
cred '' pw
ac 'read' -m
check "$out" "ZConnected to 192.0.2.1 but the AUTH username is empty. (#4.7.0)
^@
exit 111"
check "$wire" ''

case_ '-m: no mechanisms after it'
cred user pw
ac 'read' -m PLAIN
check "$out" "ZUnable to run authclient: -m takes no mechanisms. (#4.3.0)
^@
exit 111"
check "$err" 'authclient: fatal: usage: authclient -m'
check "$wire" ''

case_ '-m: no fd 6/7 needed (it never touches them)'
cred user pw
out=$(env -u TIMEOUTREMOTE TCPREMOTEIP=192.0.2.1 sh -c 'exec "$0" -m 3< "$1" 6<&- 7>&-' "$BIN/authclient" "$T/cred"; echo "exit $?")
check "$out" 'AUTH=user
exit 0'

case_ 'the password appears nowhere but base64 on the wire'
cred user 'Pa55-w0rd|:;'
ac 'read
send 334 
read
send 535 5.7.8 bad' PLAIN
check "$(cat "$T/out" "$T/err" | grep -c 'Pa55')" 0

finish
