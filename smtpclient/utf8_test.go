package main

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

// TestSMTPUTF8: SPEC D11 and RFC 6531: declared only for a non-ASCII
// envelope; without it, domains go as A-labels and a non-ASCII local
// part is refused (#5.6.7), never sent.
func TestSMTPUTF8(t *testing.T) {
	const utf8Ehlo = "250-mx.example.test\r\n250 SMTPUTF8\r\n"
	const rest = "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n"
	const k = "K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"
	tests := []struct {
		name, server, sender string
		rcpts                []string
		client, out          string
	}{
		{"ASCII envelope: nothing declared even when offered", hi + utf8Ehlo + rest, "a@x.test", []string{"b@y.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n", "r\x00" + k},
		{"offered: SMTPUTF8 declared, addresses as they are", hi + utf8Ehlo + rest, "a@x.test", []string{"b@bücher.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test> SMTPUTF8\r\nRCPT TO:<b@bücher.test>\r\nDATA\r\n" + wire + "QUIT\r\n", "r\x00" + k},
		{"D35: offered: a UTF-8 local part goes unquoted, sender and recipient", hi + utf8Ehlo + rest, "jörg@x.test", []string{"josé@example"},
			"EHLO helo.test\r\nMAIL FROM:<jörg@x.test> SMTPUTF8\r\nRCPT TO:<josé@example>\r\nDATA\r\n" + wire + "QUIT\r\n", "r\x00" + k},
		{"D35: offered: quoted only for an ASCII reason (a space)", hi + utf8Ehlo + rest, "a@x.test", []string{"josé smith@example"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test> SMTPUTF8\r\nRCPT TO:<\"josé smith\"@example>\r\nDATA\r\n" + wire + "QUIT\r\n", "r\x00" + k},
		{"offered: a recipient that is not UTF-8 (Latin-1): h #5.6.7 and no RCPT; the other goes", hi + utf8Ehlo + rest, "a@x.test", []string{"j\xfcrg@y.test", "josé@example"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test> SMTPUTF8\r\nRCPT TO:<josé@example>\r\nDATA\r\n" + wire + "QUIT\r\n",
			"hSorry, the recipient address is not valid UTF-8 (RFC 6531). (#5.6.7)\n\x00r\x00" + k},
		{"offered: an overlong '\"' in a recipient: h, never sent", hi + utf8Ehlo + "250 ok\r\n", "a@x.test", []string{"a\xc0\xa2@evil.test\xc0\xa2@y.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test> SMTPUTF8\r\nQUIT\r\n",
			"hSorry, the recipient address is not valid UTF-8 (RFC 6531). (#5.6.7)\n\x00DGiving up on 192.0.2.1.\n\x00"},
		{"offered: a UTF-8 domain that would end the path: h, never sent; the U-label one goes", hi + utf8Ehlo + rest, "a@x.test", []string{"b@bücher.test> NOTIFY=NEVER", "b@bücher.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test> SMTPUTF8\r\nRCPT TO:<b@bücher.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
			"hSorry, the domain of the recipient address is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.3)\n\x00r\x00" + k},
		{"offered: a sender that is not UTF-8: D #5.6.7 before MAIL", hi + utf8Ehlo, "j\xfcrg@x.test", []string{"b@y.test"},
			"EHLO helo.test\r\nQUIT\r\n",
			"DSorry, the envelope sender is not valid UTF-8 (RFC 6531). (#5.6.7)\n\x00"},
		{"not offered: an IDN domain goes as A-labels", okMail + "250 ok\r\n354 go\r\n250 ok\r\n", "a@x.test", []string{"b@bücher.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@xn--bcher-kva.test>\r\nDATA\r\n" + wire + "QUIT\r\n", "r\x00" + k},
		{"not offered: a UTF-8 sender domain as A-labels too", okMail + "250 ok\r\n354 go\r\n250 ok\r\n", "a@münchen.test", []string{"b@y.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@xn--mnchen-3ya.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n", "r\x00" + k},
		{"not offered: a UTF-8 local part of the sender: D #5.6.7 before MAIL", hi + ehloOK, "jörg@x.test", []string{"b@y.test"},
			"EHLO helo.test\r\nQUIT\r\n",
			"DSorry, 192.0.2.1 does not support SMTPUTF8 (RFC 6531), and the envelope sender is not ASCII. (#5.6.7)\n\x00"},
		{"not offered: a UTF-8 local part of one recipient: h #5.6.7 and no RCPT; the other goes", okMail + "250 ok\r\n354 go\r\n250 ok\r\n",
			"a@x.test", []string{"jörg@y.test", "b@y.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
			"hSorry, 192.0.2.1 does not support SMTPUTF8 (RFC 6531), and the recipient address is not ASCII. (#5.6.7)\n\x00r\x00" + k},
		{"not offered: every recipient refused: D Giving up", okMail, "a@x.test", []string{"jörg@y.test"},
			"EHLO helo.test\r\nMAIL FROM:<a@x.test>\r\nQUIT\r\n",
			"hSorry, 192.0.2.1 does not support SMTPUTF8 (RFC 6531), and the recipient address is not ASCII. (#5.6.7)\n\x00DGiving up on 192.0.2.1.\n\x00"},
	}
	for _, pipelining := range []bool{false, true} {
		for _, tt := range tests {
			server := tt.server
			if pipelining {
				server = strings.Replace(server, "250-mx.example.test\r\n", "250-mx.example.test\r\n250-PIPELINING\r\n", 1)
			}
			var client, out bytes.Buffer
			s := &session{r: bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(server)), 16), w: bufio.NewWriter(&client),
				msg: strings.NewReader(message), out: &out, ip: "192.0.2.1", helo: "helo.test", level: tlsNo}
			s.run(tt.sender, tt.rcpts)
			if client.String() != tt.client || out.String() != tt.out {
				t.Errorf("%s (pipelining %v):\nclient %q\nwant   %q\nout %q\nwant %q", tt.name, pipelining, client.String(), tt.client, out.String(), tt.out)
			}
		}
	}
}
