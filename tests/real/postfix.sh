# qmail-remote end to end against a real Postfix smtpd (tests/real/setup)
# on [127.0.0.1]:10025, routed there by smtproutes: what arrives in the
# mailbox must be the message byte for byte (Postfix's own Received
# line taken off); access-map rejections and deferrals of recipients and
# senders, and header_checks after the message, give the right reports.
# Requirements: bin/*, the peers of tests/real/setup running.
# Postfix offers STARTTLS, so every delivery here goes over TLS (SPEC D7):
# the byte-for-byte checks hold for what crossed the encrypted channel.
# Not tested here: DNS (dns.sh), TLS rules (tls.sh), AUTH (auth.sh).
. "$(dirname "$0")/lib.sh"

routes "real.test:[127.0.0.1]:$REAL_SMTPD"
S=sender@qr.test

# msg HEADERS: $T/msg is a message with full headers (so Postfix adds
# none) followed by stdin as its body.
msg() {
	{
		printf 'From: %s\nTo: someone@real.test\nSubject: %s\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <%s@qr.test>\n\n' "$S" "$1" "$ID.$1"
		cat
	} > "$T/msg"
}

case_ 'a plain message: r, then K with the 250 of Postfix'
printf 'hello\n' | msg plain
check "$(qr real.test $S "$ID.plain@real.test")" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"

case_ 'a plain message arrives byte for byte'
check "$(arrived "$ID.plain@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'dot-stuffing: lines of dots arrive as they were'
printf '.\n..\n...\n.x\n. \nend\n.\n' | msg dots
qr real.test $S "$ID.dots@real.test" > /dev/null
check "$(arrived "$ID.dots@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'bare LF lines (the queue format), blank lines and trailing blanks arrive as they were'
printf 'one\ntwo \nthree\t\n\n\nlast\n' | msg barelf
qr real.test $S "$ID.barelf@real.test" > /dev/null
check "$(arrived "$ID.barelf@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ '8-bit bytes (UTF-8 and every byte 0x80-0xff) arrive as they were'
{
	printf 'Gr\303\274\303\237e, \346\227\245\346\234\254\n'
	awk 'BEGIN { for (i = 128; i < 256; i++) printf "%c", i; printf "\n" }' </dev/null
} | LC_ALL=C msg eightbit
qr real.test $S "$ID.eightbit@real.test" > /dev/null
check "$(arrived "$ID.eightbit@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'long lines (999 and 5000 bytes) arrive as they were'
awk 'BEGIN { s = ""; for (i = 0; i < 999; i++) s = s "a"; print s
	s = ""; for (i = 0; i < 5000; i++) s = s "b"; print s }' </dev/null | msg long
qr real.test $S "$ID.long@real.test" > /dev/null
check "$(arrived "$ID.long@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'a 20 MB body with dots, 8-bit bytes and blank lines: K, and it arrives byte for byte'
awk 'BEGIN { for (i = 0; i < 460000; i++) {
	if (i % 7 == 0) print ".leading dot " i
	else if (i % 11 == 0) print ""
	else if (i % 13 == 0) printf "8bit \303\251\303\250 %d\n", i
	else printf "line %d of a large message, padded to look like text.\n", i } }' </dev/null | LC_ALL=C msg big
check "$(wc -c < "$T/msg" | awk '{ print ($1 > 20000000) }')" 1
out=$(qr real.test $S "$ID.big@real.test")
check "$out" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
case_ 'the 20 MB message arrives byte for byte'
check "$(arrived "$ID.big@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'a message of headers only, and an empty body line, arrive as they were'
printf '' | msg empty
qr real.test $S "$ID.empty@real.test" > /dev/null
check "$(arrived "$ID.empty@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'the bounce sender <> is accepted and the message arrives'
printf 'a bounce\n' | msg bounce
check "$(qr real.test '' "$ID.bounce@real.test")" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
check "$(arrived "$ID.bounce@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'access map: 550 and 553 are h, 452 s, 450 s "probably greylisting"; the good one gets the message'
printf 'to many\n' | msg access
check "$(qr real.test $S hard@real.test "$ID.good@real.test" hard2@real.test soft@real.test grey@real.test)" "h127.0.0.1 does not like recipient.
Remote host said: 550 5.1.1 <hard@real.test>: Recipient address rejected: <hard@real.test>: no such user here
^@r^@h127.0.0.1 does not like recipient.
Remote host said: 553 5.7.1 <hard2@real.test>: Recipient address rejected: go away
^@s127.0.0.1 does not like recipient.
Remote host said: 452 4.2.2 <soft@real.test>: Recipient address rejected: mailbox full, try later
^@s127.0.0.1 probably greylisting.
Remote host said: 450 4.7.1 <grey@real.test>: Recipient address rejected: greylisted, come back later
^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
check "$(arrived "$ID.good@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'every recipient refused: "Giving up"'
check "$(qr real.test $S hard@real.test soft@real.test)" "h127.0.0.1 does not like recipient.
Remote host said: 550 5.1.1 <hard@real.test>: Recipient address rejected: <hard@real.test>: no such user here
^@s127.0.0.1 does not like recipient.
Remote host said: 452 4.2.2 <soft@real.test>: Recipient address rejected: mailbox full, try later
^@DGiving up on 127.0.0.1.
^@exit 0"

case_ 'a mail relay attempt is refused (Postfix relays nowhere)'
check "$(qr real.test $S "$ID@example.com")" "h127.0.0.1 does not like recipient.
Remote host said: 554 5.7.1 <$ID@example.com>: Relay access denied
^@DGiving up on 127.0.0.1.
^@exit 0"

case_ 'sender access map (Postfix rejects at RCPT time): 553 is h, then D'
S=badsender@real.test
printf 'x\n' | msg badsender
check "$(qr real.test $S "$ID.bs@real.test")" "h127.0.0.1 does not like recipient.
Remote host said: 553 5.7.1 <badsender@real.test>: Sender address rejected: sender refused
^@DGiving up on 127.0.0.1.
^@exit 0"

case_ 'sender access map 451: s, then D'
S=greysender@real.test
check "$(qr real.test $S "$ID.gs@real.test")" "s127.0.0.1 does not like recipient.
Remote host said: 451 4.7.1 <greysender@real.test>: Sender address rejected: sender greylisted
^@DGiving up on 127.0.0.1.
^@exit 0"
S=sender@qr.test

case_ 'header_checks REJECT: D after the message'
printf 'x\n' | msg 'reject me'
check "$(qr real.test $S "$ID.rej@real.test")" "r^@D127.0.0.1 failed after I sent the message.
Remote host said: 550 5.7.1 content refused
^@exit 0"

case_ 'end-of-data access map 451: Z after the message'
S=eoddefer@real.test
printf 'x\n' | msg eod
check "$(qr real.test $S "$ID.eod@real.test")" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 451 4.3.0 <eoddefer@real.test>: Sender address rejected: deferred after the message
^@exit 0"

case_ 'end-of-data access map 554: D after the message'
S=eodreject@real.test
check "$(qr real.test $S "$ID.eod@real.test")" "r^@D127.0.0.1 failed after I sent the message.
Remote host said: 554 5.7.1 <eodreject@real.test>: Sender address rejected: refused after the message
^@exit 0"

# Postfix offers CHUNKING on $REAL_SMTPD, so smtpclient sends BDAT there
# and smtpd_data_restrictions answer the BDAT LAST that carries the whole
# message: its verdict (RFC 3030). The listener on $REAL_NOCHUNK offers no
# CHUNKING: DATA, and the reply to DATA itself.
routes "real.test:[127.0.0.1]:$REAL_NOCHUNK"

case_ 'DATA refused with 554: D "failed on DATA command"'
S=datareject@real.test
check "$(qr real.test $S "$ID.data@real.test")" "r^@D127.0.0.1 failed on DATA command.
Remote host said: 554 5.7.1 <datareject@real.test>: Sender address rejected: no DATA for you
^@exit 0"

case_ 'DATA refused with 451: Z "message was greylisted"'
S=datagrey@real.test
check "$(qr real.test $S "$ID.data@real.test")" "r^@Z127.0.0.1 message was greylisted.
Remote host said: 451 4.7.1 <datagrey@real.test>: Sender address rejected: DATA greylisted
^@exit 0"

case_ 'DATA refused with 452: Z "failed on DATA command"'
S=dataother@real.test
check "$(qr real.test $S "$ID.data@real.test")" "r^@Z127.0.0.1 failed on DATA command.
Remote host said: 452 4.3.1 <dataother@real.test>: Sender address rejected: DATA later
^@exit 0"
S=sender@qr.test

case_ 'DATA (no CHUNKING offered): the message arrives byte for byte'
printf '.\n..\nline\n\351t\351\n' | msg bydata
check "$(qr real.test $S "$ID.bydata@real.test")" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
check "$(arrived "$ID.bydata@real.test"; same "$T/msg" "$T/got")" 'arrived
same'

case_ 'SIZE: a message over the advertised 1000000 bytes: D #5.3.4 before MAIL, nothing delivered'
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "%060d\n", i }' </dev/null | msg toobig
n=$(($(wc -c < "$T/msg") + $(wc -l < "$T/msg")))
check "$(qr real.test $S "$ID.toobig@real.test")" "DSorry, the message is $n bytes but 127.0.0.1 accepts at most 1000000. (#5.3.4)
^@exit 0"
check "$(count "$ID.toobig@real.test")" 0

routes "real.test:[127.0.0.1]:$REAL_SMTPD"

case_ 'a message over 64 KiB goes in BDAT chunks after the envelope; the first chunk refused: D failed on BDAT command'
S=datareject@real.test
check "$(qr real.test $S "$ID.data@real.test")" "r^@D127.0.0.1 failed on BDAT command.
Remote host said: 554 5.7.1 <datareject@real.test>: Sender address rejected: no DATA for you
^@exit 0"

case_ 'BDAT LAST (a small message in one write with the envelope) refused by smtpd_data_restrictions with 554: D after the message (RFC 3030)'
printf 'small\n' | msg small
check "$(qr real.test $S "$ID.data@real.test")" "r^@D127.0.0.1 failed after I sent the message.
Remote host said: 554 5.7.1 <datareject@real.test>: Sender address rejected: no DATA for you
^@exit 0"

case_ 'BDAT LAST refused with 451: Z after the message'
S=datagrey@real.test
check "$(qr real.test $S "$ID.data@real.test")" "r^@Z127.0.0.1 failed after I sent the message.
Remote host said: 451 4.7.1 <datagrey@real.test>: Sender address rejected: DATA greylisted
^@exit 0"
S=sender@qr.test

for port in "$REAL_SMTPD" "$REAL_NOCHUNK"; do
case_ "D25: CR LF and a bare CR in the input arrive as line ends (port $port: BDAT, then DATA)"
routes "real.test:[127.0.0.1]:$port"
printf 'one\r\ntwo\rthree\n.four\r.five\n' | msg "cr$port"
qr real.test $S "$ID.cr$port@real.test" > /dev/null
# every CR LF and bare CR became one line end; nothing else changed
printf '%s' "$(cat "$T/msg")" | sed 's/\r$//' | tr '\r' '\n' > "$T/want"
echo >> "$T/want"
check "$(arrived "$ID.cr$port@real.test"; same "$T/want" "$T/got")" 'arrived
same'
done
routes "real.test:[127.0.0.1]:$REAL_SMTPD"

S=sender@qr.test

case_ 'a message without a final LF: D, and the partial message is not delivered'
printf 'no final newline' | msg partial
check "$(qr real.test $S "$ID.partial@real.test")" "r^@DSMTP cannot transfer messages with partial final lines. (#5.6.2)
^@exit 0"
# A later message to the same recipient arrives; the partial one never did.
printf 'after\n' | msg partial2
qr real.test $S "$ID.partial@real.test" > /dev/null
check "$(arrived "$ID.partial@real.test"; same "$T/msg" "$T/got"; count "$ID.partial@real.test")" 'arrived
same
1'

case_ 'SMTPUTF8 (RFC 6531): a recipient with a UTF-8 local part: declared, delivered byte for byte'
R=$(printf '%s.j\303\266rg@real.test' "$ID")
printf 'f\303\274r J\303\266rg\n' | msg utf8
check "$(qr real.test $S "$R")" "r^@K127.0.0.1 TLS transmitted message accepted.
Remote host said: 250 2.0.0 Ok: N bytes queued as QID
TLS: TLSv1.3 <cipher>; certificate not checked
^@exit 0"
# the drop script names the mailbox with bytes outside [A-Za-z0-9@._+=-] made _
check "$(arrived "$(printf '%s' "$R" | tr -c 'A-Za-z0-9@._+=-' _)"; same "$T/msg" "$T/got")" 'arrived
same'
check "$(grep -F "to=<$R>" "$REAL/log/maillog" | grep -c 'status=sent')" 1

cleanup
finish
