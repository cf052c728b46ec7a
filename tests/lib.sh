# Sourced by every tests/*.sh suite.
#
#   case_ 'what this case shows'     starts a case
#   check "$got" "$want"              passes or fails the current case
#   finish                            prints "N passed, N failed" and exits
#   listen, startdns, stopdns         loopback peers: fakepeer, fakedns
#   netns                             a namespace of our own for peers that
#                                     are not loopback (root only)
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
NS=
trap 'kill $(jobs -p) 2>/dev/null; [ -n "$NS" ] && ip netns del "$NS" 2>/dev/null; rm -rf "$T"' EXIT
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

# netns: a network namespace of this suite's own, for a peer that is
# not loopback (SPEC D9 exempts loopback peers): a veth pair with this
# side $NSHOST and the namespace's side $NSPEER, private addresses in
# 10.64.0.0/10 chosen per run (a /30 no interface here has yet), never
# any other address. Run a peer there with: ip netns exec "$NS" CMD...
# Root only (ip netns, as CI's .ci/run); returns 1 with the reason in
# $nswhy otherwise. The EXIT trap deletes the namespace and its veth.
netns() {
	nswhy=
	[ "$(id -u)" = 0 ] || { nswhy='not root'; return 1; }
	command -v ip > /dev/null 2>&1 || { nswhy='no ip command'; return 1; }
	n=$(($$ % 16000))
	for _ in 1 2 3 4 5 6 7 8; do
		a=$((64 + n / 250 % 64)) b=$((n % 250))
		ip -4 addr show to "10.$a.$b.0/30" 2> /dev/null | grep -q inet || break
		n=$((n + 1))
	done
	NS=qrt$$ NSHOST=10.$a.$b.1 NSPEER=10.$a.$b.2
	if ! { ip netns add "$NS" &&
		ip link add "qrt$$h" type veth peer name "qrt$$p" &&
		ip link set "qrt$$p" netns "$NS" &&
		ip addr add "$NSHOST/30" dev "qrt$$h" && ip link set "qrt$$h" up &&
		ip -n "$NS" addr add "$NSPEER/30" dev "qrt$$p" && ip -n "$NS" link set "qrt$$p" up &&
		ip -n "$NS" link set lo up; } 2> "$T/netns.err"; then
		nswhy="ip netns failed: $(head -n 1 "$T/netns.err")"
		ip link del "qrt$$h" 2> /dev/null
		ip netns del "$NS" 2> /dev/null
		NS=
		return 1
	fi
}

# starttls [CERT [KEY]]: a fakepeer script that offers STARTTLS and, once
# asked, answers with the certificate CERT and its key KEY from $K, the
# suite's folder of mkcerts' files (server.pem and server.key unless
# said); the dialogue after the handshake is the caller's.
starttls() {
	printf '%s\n' "send 220 mx.test ESMTP
read
send 250-mx.test
send 250-STARTTLS
send 250 8BITMIME
expect STARTTLS
send 220 2.0.0 go ahead
tls $K/${1:-server.pem} $K/${2:-server.key}"
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
