package main

import (
	"bufio"
	"bytes"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestAuth(t *testing.T) {
	const authEhlo = "250-mx.example.test\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 8BITMIME\r\n"
	const rest = "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n"
	const hint = "To allow it, add a rule for relay.test to control/tlsdestinations: relay.test:/path/to/its-ca.pem or %relay.test:=<sha256 fingerprint> (verified TLS), -relay.test: (TLS, any certificate) or !relay.test: (clear text).\n"
	const kOK = "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"
	tests := []struct {
		name, ip, server string
		clearOK          bool
		tlsOn, verifies  bool // the session runs over TLS; TLS_VERIFY checks the certificate
		refused          bool // authclient must not run
		exit             int
		out              string
		wantMechs        []string
		client, reports  string
	}{
		{name: "D9 (revised): clear text to another host: no mechanism at all, not even CRAM-MD5; Z refusing, with the rule to write",
			ip: "192.0.2.1", server: hi + authEhlo, refused: true,
			client:  "EHLO helo.test\r\nQUIT\r\n",
			reports: "ZConnected to 192.0.2.1 but refusing to send a password in the clear (no STARTTLS). (#4.7.0)\n" + hint + "\x00"},
		{name: "D9 (revised): TLS with the certificate not checked, another host: no mechanism; Z refusing",
			ip: "192.0.2.1", tlsOn: true, server: hi + authEhlo, refused: true,
			client:  "EHLO helo.test\r\nQUIT\r\n",
			reports: "ZConnected to 192.0.2.1 but refusing to send a password over TLS without a verified certificate. (#4.7.0)\n" + hint + "\x00"},
		{name: "D9 (revised): TLS with a verified certificate, another host: every mechanism",
			ip: "192.0.2.1", tlsOn: true, verifies: true, server: hi + authEhlo + rest, exit: 0, out: "AUTH=user\n",
			wantMechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"},
			client:    "EHLO helo.test\r\nMAIL FROM:<a@x.test> AUTH=user\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
			reports:   strings.Replace(kOK, "accepted message", "TLS transmitted message accepted", 1)},
		{name: "D9 (revised): TLS_VERIFY set but TLS not on (clear text): refused",
			ip: "192.0.2.1", verifies: true, server: hi + authEhlo, refused: true,
			client:  "EHLO helo.test\r\nQUIT\r\n",
			reports: "ZConnected to 192.0.2.1 but refusing to send a password in the clear (no STARTTLS). (#4.7.0)\n" + hint + "\x00"},
		{name: "D9: loopback peer: PLAIN and LOGIN allowed in clear",
			ip: "127.0.0.1", server: hi + authEhlo + rest, exit: 0, out: "AUTH=user\n",
			wantMechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"},
			client:    "EHLO helo.test\r\nMAIL FROM:<a@x.test> AUTH=user\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
			reports:   strings.ReplaceAll(kOK, "192.0.2.1", "127.0.0.1")},
		{name: "D9: a rule names the host (AUTHCLEAR): every mechanism in clear",
			ip: "192.0.2.1", clearOK: true, server: hi + authEhlo + rest, exit: 0, out: "AUTH=user\n",
			wantMechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"},
			client:    "EHLO helo.test\r\nMAIL FROM:<a@x.test> AUTH=user\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
			reports:   kOK},
		{name: "D9: only PLAIN and LOGIN, clear text: Z refusing",
			ip: "192.0.2.1", server: hi + "250-mx\r\n250 AUTH PLAIN LOGIN\r\n", refused: true,
			client:  "EHLO helo.test\r\nQUIT\r\n",
			reports: "ZConnected to 192.0.2.1 but refusing to send a password in the clear (no STARTTLS). (#4.7.0)\n" + hint + "\x00"},
		{name: "D3: no AUTH offered: the sentence opens the final report, no K before it",
			ip: "192.0.2.1", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", exit: 1,
			wantMechs: nil,
			client:    cData + wire + "QUIT\r\n",
			reports:   "r\x00Kno supported AUTH method found, continuing without authentication.\n192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
		{name: "authclient's Z report is the report, QUIT follows",
			ip: "192.0.2.1", tlsOn: true, verifies: true, server: hi + authEhlo, exit: 111,
			out:       "ZConnected to 192.0.2.1 but authentication was rejected (username+digest).\nRemote host said: 535 no\n\x00",
			wantMechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"},
			client:    "EHLO helo.test\r\nQUIT\r\n",
			reports:   "ZConnected to 192.0.2.1 but authentication was rejected (username+digest).\nRemote host said: 535 no\n\x00"},
		{name: "authclient's D (432)", ip: "192.0.2.1", tlsOn: true, verifies: true, server: hi + authEhlo, exit: 100,
			out:       "DConnected to 192.0.2.1 but password expired.\n\x00",
			wantMechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"},
			client:    "EHLO helo.test\r\nQUIT\r\n",
			reports:   "DConnected to 192.0.2.1 but password expired.\n\x00"},
		{name: "authclient crashed: Z, never a K", ip: "192.0.2.1", tlsOn: true, verifies: true, server: hi + authEhlo, exit: -1,
			wantMechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"},
			client:    "EHLO helo.test\r\nQUIT\r\n",
			reports:   "ZConnected to 192.0.2.1 but authclient failed without a usable report. (#4.3.0)\n\x00"},
		{name: "authclient exit 0 with garbage: Z", ip: "192.0.2.1", tlsOn: true, verifies: true, server: hi + authEhlo, exit: 0, out: "AUTH=a b\n",
			wantMechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"},
			client:    "EHLO helo.test\r\nQUIT\r\n",
			reports:   "ZConnected to 192.0.2.1 but authclient printed a malformed line. (#4.3.0)\n\x00"},
	}
	for _, tt := range tests {
		var client, out bytes.Buffer
		var got []string
		called := false
		// One byte a read: nothing is buffered beyond a reply, as with a
		// real server, which sends nothing unasked.
		s := &session{r: bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(tt.server)), 16), w: bufio.NewWriter(&client),
			msg: strings.NewReader(message), out: &out, ip: tt.ip, helo: "helo.test", level: tlsNo,
			clearAuthOK: tt.clearOK, tlsOn: tt.tlsOn, verifies: tt.verifies, host: "relay.test",
			runAuth: func(m []string) (int, []byte) {
				called, got = true, m
				return tt.exit, []byte(tt.out)
			}}
		s.run("a@x.test", []string{"b@y.test"})
		if called == tt.refused || !reflect.DeepEqual(got, tt.wantMechs) {
			t.Errorf("%s: authclient called %v with %q, want %q", tt.name, called, got, tt.wantMechs)
		}
		if client.String() != tt.client || out.String() != tt.reports {
			t.Errorf("%s:\nclient %q\nwant   %q\nout %q\nwant %q", tt.name, client.String(), tt.client, out.String(), tt.reports)
		}
	}
}
