# qmail-scache (qmail-scache.8) as a whole process with real descriptors:
# sessions to scachetool's numbered peer on loopback are put into the
# cache and got out again by scachetool's clients (lib/scache), and the
# peer's log says how each connection ended (QUIT from the cache, or EOF
# when it was closed without). The start and its refusals, the round
# trip of one socket and of a relay's two pipes, LIFO, several records on
# one connection, the idle close, expiry, a session the server dropped
# while idle, the full table, SIGTERM, a stale socket, a client of
# another user (as root, against a 0777 socket, so that the peer check
# is what refuses), bad records, clients that die mid-hand-over, and many
# clients at once (no session handed out twice).
# Requirements: bin/qmail-scache, tests/bin/scachetool; setpriv as root.
# Not tested here: qmail-remote and smtpclient with the cache
# (qmail-remote.sh, smtpclient.sh), the real Postfix (tests/real).
. "$(dirname "$0")/lib.sh"

H=$T/home
D=$H/queue/lock/scache
SOCK=$D/socket
mkdir -p "$H/control" "$D"
chmod 700 "$D"
QMAILHOME=$H
export QMAILHOME
S=$TBIN/scachetool

# waitfor CMD...: runs CMD until it succeeds, 20 seconds at most (a
# bound for a loaded machine, not an assertion: the check after it
# fails when CMD never did).
waitfor() {
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -ge 400 ] && return 1
		sleep 0.05
	done
}
# logged PATTERN: the peer's log has a line PATTERN.
logged() { grep -qx "$1" "$T/peer.log"; }
# gotsome KEY: a get of KEY found a session (what it printed in $T/got).
gotsome() { "$S" get "$1" > "$T/got" && ! grep -qx none "$T/got"; }
# ended N: the peer's log says how connection N ended.
ended() { grep "^$1 " "$T/peer.log"; }

# startpeer: scachetool peer, its stdin a fifo held open on fd 7 (drop N
# goes there), its log $T/peer.log; sets $port.
startpeer() {
	rm -f "$T/peer.in" "$T/peer.port"
	mkfifo "$T/peer.in" "$T/peer.port"
	: > "$T/peer.log"
	"$S" peer "$T/peer.log" < "$T/peer.in" > "$T/peer.port" &
	exec 7> "$T/peer.in"
	read port < "$T/peer.port"
}
# startcache: qmail-scache in the background, its fd 2 appended to a new
# $T/cache.log (appended: a case may empty it while the cache runs);
# returns when it listens. Sets $cachepid.
startcache() {
	rm -f "$T/cache.log" # not the last cache's line before this one's
	"$BIN/qmail-scache" 2>> "$T/cache.log" &
	cachepid=$!
	waitfor grep -qs 'listening' "$T/cache.log"
}
# stopcache [SIG]: TERM (or SIG) to the cache; sets $rc to its exit code.
stopcache() {
	kill -"${1:-TERM}" $cachepid
	wait $cachepid 2> /dev/null
	rc=$?
}
# fatal: qmail-scache in the foreground: its fd 2 and its exit code.
fatal() { out=$("$BIN/qmail-scache" 2>&1); echo "$out, exit $?"; }

startpeer

case_ 'an argument: the usage line, exit 100'
out=$("$BIN/qmail-scache" x 2>&1)
check "$out, exit $?" "usage: qmail-scache (qmail-remote-go $V), exit 100"

case_ 'control/sessionidle: outside 1..300 or not digits only, a fatal error naming the line'
for v in 0 301 10s ' 10' -1 ''; do
	printf '%s\n' "$v" > "$H/control/sessionidle"
	case $v in
	0 | 301) why="not from 1 to 300: $v" ;;
	*) why="not a number: \"$v\"" ;;
	esac
	check "$(fatal)" "qmail-scache: fatal: control/sessionidle line 1: $why, exit 111"
done
rm "$H/control/sessionidle"

case_ 'the directory missing, or writable by others: refuses to start, saying which'
mv "$D" "$T/d.away"
check "$(fatal)" "qmail-scache: fatal: unable to use queue/lock/scache: no such file or directory (make install makes it, mode 0700, owned by the user qmail-remote runs as), exit 111"
mv "$T/d.away" "$D"
chmod 777 "$D"
check "$(fatal)" "qmail-scache: fatal: queue/lock/scache is writable by others than its owner (mode 0777): it must be 0700, exit 111"
chmod 700 "$D"
if [ "$(id -u)" = 0 ]; then
	case_ 'the directory owned by another user: refuses to start'
	chown 65534 "$D"
	check "$(fatal)" "qmail-scache: fatal: queue/lock/scache is not owned by uid 0, the user qmail-scache runs as (it must be the user qmail-remote runs as), exit 111"
	chown 0 "$D"
else
	echo "skip - the directory owned by another user (not root)"
fi

case_ 'something else than a socket where the socket goes: refuses, removes nothing'
: > "$SOCK"
check "$(fatal)" "qmail-scache: fatal: queue/lock/scache/socket exists and is not a socket, exit 111"
check "$(ls "$D")" socket
rm "$SOCK"

case_ 'it starts: one line on fd 2, the socket mode 600'
startcache
check "$(sed 's/at most [0-9]* descriptors/at most N descriptors/' "$T/cache.log")" "qmail-scache: info: listening on $SOCK, sessionidle 10 s, at most N descriptors in sessions"
check "$(stat -c '%F %a' "$SOCK")" 'socket 600'

case_ 'a second cache on the same socket: refuses, the first goes on'
check "$(fatal)" "qmail-scache: fatal: another qmail-scache listens on queue/lock/scache/socket, exit 111"
check "$("$S" get nothing)" none

case_ 'round trip: a session put is handed back on its own connection, once'
n=$("$S" put k1 "$port")
check "$("$S" get k1)" "$n count 1"
check "$("$S" get k1)" none
waitfor logged "$n EOF"
check "$(ended "$n")" "$n EOF"

case_ 'round trip of a two-descriptor session (the pipes to a relay, as to a detached tlswrap)'
n=$("$S" put -2 k2 "$port")
check "$("$S" get k2)" "$n count 1"
waitfor logged "$n EOF"
check "$(ended "$n")" "$n EOF"

case_ 'another key gets nothing'
n=$("$S" put k3 "$port")
check "$("$S" get k4)" none
check "$("$S" get k3)" "$n count 1"

case_ 'most recently stored first (LIFO)'
set -- $("$S" put -n 3 k5 "$port")
check "$("$S" get k5; "$S" get k5; "$S" get k5; "$S" get k5)" "$3 count 1
$2 count 1
$1 count 1
none"

case_ 'a client that holds its connection (as qmail-remote does for a whole delivery) holds up no other'
rm -f "$T/hold.in"
mkfifo "$T/hold.in"
"$S" get -hold k5 < "$T/hold.in" > "$T/hold.out" &
holdpid=$!
exec 6> "$T/hold.in"
waitfor test -s "$T/hold.out"
n=$("$S" put k5 "$port")
check "$(cat "$T/hold.out") $("$S" get k5)" "none $n count 1"
exec 6>&-
wait $holdpid

case_ 'a get and a put on one connection, as qmail-remote and smtpclient use it'
n=$("$S" put k6 "$port")
check "$("$S" get -back k6)" "$n count 1"
check "$("$S" get k6)" "$n count 2"

case_ 'a session the server drops while idle (421 and close) is closed at once, without QUIT'
n=$("$S" put k7 "$port")
echo "drop $n" >&7
waitfor logged "$n EOF"
check "$(ended "$n")" "$n EOF"
check "$("$S" get k7)" none

case_ 'the same for a two-descriptor session: the relay passes the 421 on'
n=$("$S" put -2 k8 "$port")
echo "drop $n" >&7
waitfor logged "$n EOF"
check "$(ended "$n")" "$n EOF"
check "$("$S" get k8)" none

case_ 'already expired when put: closed with QUIT, never handed out'
n=$("$S" put -expires 0 k9 "$port")
waitfor logged "$n QUIT"
check "$(ended "$n")" "$n QUIT"
check "$("$S" get k9)" none

case_ 'expiry: closed with QUIT when its time comes, before sessionidle'
n=$("$S" put -expires 1 k10 "$port")
waitfor logged "$n QUIT"
check "$(ended "$n")" "$n QUIT"
check "$("$S" get k10)" none

case_ 'qmtp sessions are closed without QUIT'
n=$("$S" put -proto qmtp -expires 0 k11 "$port")
waitfor logged "$n EOF"
check "$(ended "$n")" "$n EOF"

case_ 'bad records: the connection closed, each logged, descriptors closed, the cache goes on'
: > "$T/cache.log"
check "$("$S" raw 'X\nkey k\n')" eof
check "$("$S" raw 'G\n')" eof
check "$("$S" raw 'P\nkey k12\nproto smtp\nexpires 9999999999\nborn 1\ncount 1\n')" eof
set -- $("$S" raw -c "$port" 'P\nkey k12\nproto smtp\nexpires 9999999999\n')
check "$2" eof
waitfor logged "$1 EOF"
check "$(ended "$1")" "$1 EOF"
set -- $("$S" raw -c "$port" 'G\nkey k12\n')
check "$2" eof
waitfor logged "$1 EOF"
check "$(ended "$1")" "$1 EOF"
check "$("$S" raw "G\\nkey $(head -c 17000 /dev/zero | tr '\0' k)\\n")" eof
check "$(cat "$T/cache.log")" "qmail-scache: warning: a bad record from a client (unknown kind 'X'): connection closed
qmail-scache: warning: a bad record from a client (a get without a key, or with descriptors): connection closed
qmail-scache: warning: a bad record from a client (a put without its fields, or without one or two descriptors): connection closed
qmail-scache: warning: a bad record from a client (a put without its fields, or without one or two descriptors): connection closed
qmail-scache: warning: a bad record from a client (a get without a key, or with descriptors): connection closed
qmail-scache: warning: a bad record from a client (longer than 16384 bytes): connection closed"
check "$("$S" get k12)" none
check "$("$S" raw 'G\nkey k12\n')" 'reply N'

case_ 'a client that puts and exits at once: the session is stored all the same'
set -- $("$S" raw -exit -c "$port" 'P\nkey k13\nproto smtp\nexpires 9999999999\nborn 1\ncount 3\n')
waitfor gotsome k13
check "$(cat "$T/got")" "$1 count 3"

case_ 'a client that asks and dies before the answer: that session is gone, never handed out again'
n=$("$S" put k14 "$port")
"$S" raw -exit 'G\nkey k14\n'
waitfor ended "$n" > /dev/null
check "$(ended "$n" | wc -l)" 1
check "$("$S" get k14)" none
n=$("$S" put k14 "$port")
check "$("$S" get k14)" "$n count 1"

case_ 'many clients at once: 20 sessions, 30 gets, each session handed to one client'
set -- $("$S" put -n 20 k15 "$port")
i=0 pids=
while [ $i -lt 30 ]; do
	"$S" get k15 > "$T/get.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
check "$(cat "$T"/get.* | grep -c none) $(cat "$T"/get.* | grep -v none | sort -u | wc -l) $(cat "$T"/get.* | grep -v none | wc -l)" '10 20 20'
check "$(cat "$T"/get.* | grep -v none | sed 's/ count 1$//' | sort -n | tr '\n' ' ')" "$(echo "$@" | tr ' ' '\n' | sort -n | tr '\n' ' ')"

case_ 'SIGTERM: every idle session gets QUIT, the socket goes, exit 0'
a=$("$S" put k16 "$port")
b=$("$S" put -2 k17 "$port")
stopcache TERM
check "exit $rc" 'exit 0'
waitfor logged "$a QUIT"
waitfor logged "$b QUIT"
check "$(ended "$a"; ended "$b")" "$a QUIT
$b QUIT"
check "$(ls "$D")" ''
check "$(tail -n 1 "$T/cache.log" | sed 's/since the start.*;/counts;/')" 'qmail-scache: info: stopped by SIGTERM: counts; 2 closed with QUIT now'

case_ 'SIGINT does the same'
startcache
a=$("$S" put k18 "$port")
stopcache INT
check "exit $rc" 'exit 0'
waitfor logged "$a QUIT"
check "$(ended "$a") $(ls "$D")" "$a QUIT "

case_ 'a stale socket (a cache killed) is replaced at the next start'
startcache
stopcache KILL
check "$(ls "$D")" socket
startcache
check "$("$S" get k1)" none
check "$(stat -c '%F %a' "$SOCK")" 'socket 600'

case_ 'control/sessionidle 1: an idle session closed with QUIT'
stopcache
echo 1 > "$H/control/sessionidle"
startcache
check "$(sed 's/at most [0-9]* descriptors/at most N descriptors/' "$T/cache.log")" "qmail-scache: info: listening on $SOCK, sessionidle 1 s, at most N descriptors in sessions"
n=$("$S" put k19 "$port")
waitfor logged "$n QUIT"
check "$(ended "$n")" "$n QUIT"
check "$("$S" get k19)" none
stopcache
rm "$H/control/sessionidle"

case_ 'a full table: the session held longest makes room (QUIT), the others stay'
# 74 descriptors: (74 - 64) / 2 = 5 for the sessions.
rm -f "$T/cache.log"
(ulimit -n 74 && exec "$BIN/qmail-scache") 2>> "$T/cache.log" &
cachepid=$!
waitfor grep -qs 'listening' "$T/cache.log"
check "$(sed 's/.*\(at most [0-9]* descriptors\).*/\1/' "$T/cache.log")" 'at most 5 descriptors'
set -- $("$S" put -n 5 k20 "$port")
n=$("$S" put k21 "$port")
waitfor logged "$1 QUIT"
check "$(ended "$1")" "$1 QUIT"
check "$("$S" get k21)" "$n count 1"
check "$("$S" get k20; "$S" get k20; "$S" get k20; "$S" get k20; "$S" get k20)" "$5 count 1
$4 count 1
$3 count 1
$2 count 1
none"
m=$("$S" put -2 k22 "$port")
set -- $("$S" put -n 4 k23 "$port")
waitfor logged "$m QUIT"
check "$(ended "$m")" "$m QUIT"
stopcache

case_ 'another user: the peer check refuses it (the socket 0777 for the test), logged with its uid'
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	startcache
	chmod 711 "$T" "$H" "$H/queue" "$H/queue/lock" "$D"
	chmod 777 "$SOCK"
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	n=$("$S" put k24 "$port")
	check "$(nobody "$S" raw 'G\nkey k24\n')" eof
	check "$(grep refused "$T/cache.log")" 'qmail-scache: warning: refused a client of uid 65534: only uid 0 may use the cache'
	check "$(nobody "$S" get k24)" "error: scache: the cache at $SOCK runs as uid 0, not ours"
	check "$("$S" get k24)" "$n count 1"
	stopcache
	chmod 700 "$D" "$T"
else
	echo "skip - another user (not root, or no setpriv)"
fi

exec 7>&-
finish
