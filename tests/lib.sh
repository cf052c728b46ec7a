# Sourced by every tests/*.sh suite.
#
#   case_ 'what this case shows'     starts a case
#   check "$got" "$want"              passes or fails the current case
#   finish                            prints "N passed, N failed" and exits
#   listen, startdns, stopdns         loopback peers: fakepeer, fakedns
#   $G $E $M $R $D                    a fakepeer dialogue, step by step
#
# Reports are compared after `show`, which makes NUL visible as ^@ (cat -v).
# $BIN holds the programs, $TBIN the test tools, $T a fresh temp folder;
# $V is the version make stamped into them (the version line of ./compile),
# which every usage line shows.

top=$(cd "$(dirname "$0")/.." && pwd)
BIN=$top/bin
TBIN=$top/tests/bin
V=$(sed -n "s/^version='\(.*\)'$/\1/p" "$top/compile" 2>/dev/null)
T=$(mktemp -d "${TMPDIR:-/tmp}/qrtest.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
passed=0
failed=0
name=

case_() { name=$1; }

show() { cat -v; }

check() {
	if [ "$1" = "$2" ]; then
		passed=$((passed + 1))
		echo "ok - $name"
	else
		failed=$((failed + 1))
		echo "FAIL - $name"
		printf '%s\n' "$2" > "$T/want"
		printf '%s\n' "$1" > "$T/got"
		diff -u "$T/want" "$T/got" | sed 's/^/    /'
	fi
}

# A fakepeer dialogue up to the reply to DATA, one step a variable:
# G greeting, E reply to EHLO, M to MAIL, R to RCPT, D to DATA.
G='send 220 mx.test'
E='read
send 250 mx.test'
M='read
send 250 ok'
R='read
send 250 ok'
D='read
send 354 go'

# listen ADDR:PORT LOG SCRIPT [N]: starts fakepeer -l in the background
# for N connections (1), what the client sends logged to LOG, its own
# complaints to $T/peer.err; sets $port (the one it got) and $peerpid.
listen() {
	rm -f "$T/port.fifo"
	mkfifo "$T/port.fifo"
	"$TBIN/fakepeer" -l "$1" -n "${4:-1}" -o "$2" "$3" > "$T/port.fifo" 2>> "$T/peer.err" &
	peerpid=$!
	read port < "$T/port.fifo"
}

# startdns ZONEFILE: starts fakedns answering from ZONEFILE, its queries
# appended to $T/dns.log; exports DNSCACHEIP, sets $dnspid. It reads its
# stdin from one fifo (held open on fd 9) and prints its port on another:
# no sleeping. stopdns ends it.
startdns() {
	rm -f "$T/dns.in" "$T/dns.out"
	mkfifo "$T/dns.in" "$T/dns.out"
	"$TBIN/fakedns" "$1" < "$T/dns.in" > "$T/dns.out" 2>> "$T/dns.log" &
	dnspid=$!
	exec 9> "$T/dns.in" 8< "$T/dns.out"
	read dnsport <&8
	DNSCACHEIP=127.0.0.1:$dnsport
	export DNSCACHEIP
}
stopdns() { exec 9>&- 8<&-; wait $dnspid; }

# certdate start|end FILE: the first certificate's notBefore or notAfter
# as tlswrap's reason lines print it (SPEC D33).
certdate() {
	set -- "$(openssl x509 -noout -"$1"date -in "$2" | sed 's/^[^=]*=//')"
	date -u -d "$1" '+%Y-%m-%d %H:%M:%S UTC'
}

# certreason BAD FILE: tlswrap's reason line for mkcerts' expired,
# notyet and selfsigned certificates.
certreason() {
	case $1 in
	expired) echo "certificate CN=mx.test expired on $(certdate end "$2")" ;;
	notyet) echo "certificate CN=mx.test is not valid before $(certdate start "$2")" ;;
	selfsigned) echo 'unknown authority: CN=mx.test is self-signed, not a trusted CA' ;;
	esac
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
