package main

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
)

// fakeSide plays tlswrap: after the handshake the session reads after
// and writes into the same client buffer, marked by a line "<TLS>".
type fakeSide struct {
	after    string            // what the server says over TLS
	env      map[string]string // the block; nil: the handshake fails with fail
	fail     map[string]string
	client   *bytes.Buffer
	failed   bool // finish's answer
	started  int
	finished int
}

func (f *fakeSide) start() (io.ReadWriter, map[string]string) {
	f.started++
	if f.env == nil {
		return nil, f.fail
	}
	f.client.WriteString("<TLS>")
	return struct {
		io.Reader
		io.Writer
	}{strings.NewReader(f.after), f.client}, f.env
}

func (f *fakeSide) finish() bool { f.finished++; return f.failed }

var tlsEnv = map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "TLS_AES_128_GCM_SHA256",
	"TLSWRAP_VERIFY": "certificate not checked"}

const (
	ehloTLS  = "250-mx.example.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
	afterTLS = "250-mx.example.test\r\n250 8BITMIME\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"
	cTLS     = "EHLO helo.test\r\nSTARTTLS\r\n<TLS>" + cData + wire + "QUIT\r\n"
)

func runTLS(t *testing.T, name, level, server string, side *fakeSide) (client, out string, exit int) {
	t.Helper()
	var c, o bytes.Buffer
	side.client = &c
	s := &session{r: bufio.NewReaderSize(strings.NewReader(server), 16), w: bufio.NewWriter(&c),
		msg: strings.NewReader(message), out: &o, ip: "192.0.2.1", helo: "helo.test",
		level: level, host: "mx.example.test", side: side}
	exit, _ = s.run("a@x.test", []string{"b@y.test"})
	return c.String(), o.String(), exit
}

func TestSTARTTLS(t *testing.T) {
	tests := []struct {
		name, level, server string
		side                fakeSide
		client, out         string
		exit                int
	}{
		{name: "D7/D20: opportunistic, K with the TLS line", level: tlsTry,
			server: hi + ehloTLS + "220 go ahead\r\n", side: fakeSide{after: afterTLS, env: tlsEnv},
			client: cTLS,
			out: "r\x00K192.0.2.1 TLS transmitted message accepted.\nRemote host said: 250 queued\n" +
				"TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked\n\x00"},
		{name: "not offered, try: clear text", level: tlsTry,
			server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", side: fakeSide{env: tlsEnv},
			client: cData + wire + "QUIT\r\n",
			out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
		{name: "level no: STARTTLS offered but not sent", level: tlsNo,
			server: hi + ehloTLS + "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", side: fakeSide{env: tlsEnv},
			client: cData + wire + "QUIT\r\n",
			out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
		{name: "not offered, must: Z, next address", level: tlsMust,
			server: okMail, side: fakeSide{env: tlsEnv},
			client: "EHLO helo.test\r\nQUIT\r\n",
			out:    "ZI wasn't able to negotiate a TLS connection with: mx.example.test. (#4.4.1)\n\x00", exit: 111},
		{name: "STARTTLS 454 at must: Z, next address", level: tlsMust,
			server: hi + ehloTLS + "454 TLS not available\r\n", side: fakeSide{env: tlsEnv},
			client: "EHLO helo.test\r\nSTARTTLS\r\nQUIT\r\n",
			out:    "ZConnected to 192.0.2.1 but STARTTLS was rejected.\nRemote host said: 454 TLS not available\n\x00", exit: 111},
		{name: "STARTTLS 454 at try: clear text, said in the report", level: tlsTry,
			server: hi + ehloTLS + "454 TLS not available\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", side: fakeSide{env: tlsEnv},
			client: "EHLO helo.test\r\nSTARTTLS\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
			out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n" +
				"TLS: none; STARTTLS was rejected: 454 TLS not available\n\x00"},
		{name: "CVE-2011-0411: bytes after the 220 are injection", level: tlsTry,
			server: hi + ehloTLS + "220 go ahead\r\n250 injected\r\n", side: fakeSide{after: afterTLS, env: tlsEnv},
			client: "EHLO helo.test\r\nSTARTTLS\r\n",
			out:    "ZConnected to 192.0.2.1 but it sent data after its 220 to STARTTLS; refusing it (STARTTLS injection). (#4.7.0)\n\x00"},
		{name: "D8: handshake fails at try: exit 112 for a clear-text retry", level: tlsTry,
			server: hi + ehloTLS + "220 go ahead\r\n",
			side: fakeSide{fail: map[string]string{"TLSWRAP_ERROR": "handshake",
				"TLSWRAP_REPORT": "I wasn't able to establish a TLS connection with: mx.example.test. (#4.4.1)"}},
			client: "EHLO helo.test\r\nSTARTTLS\r\n",
			out:    "ZI wasn't able to establish a TLS connection with: mx.example.test. (#4.4.1)\n\x00", exit: 112},
		{name: "D22: chain not verified at must: Z, next address", level: tlsMust,
			server: hi + ehloTLS + "220 go ahead\r\n",
			side: fakeSide{fail: map[string]string{"TLSWRAP_ERROR": "chain",
				"TLSWRAP_REPORT": "Unable to verify X.500 certificate from: mx.example.test. (#4.4.1)"}},
			client: "EHLO helo.test\r\nSTARTTLS\r\n",
			out:    "ZUnable to verify X.500 certificate from: mx.example.test. (#4.4.1)\n\x00", exit: 111},
		{name: "D33: the certificate's reason is the next line", level: tlsMust,
			server: hi + ehloTLS + "220 go ahead\r\n",
			side: fakeSide{fail: map[string]string{"TLSWRAP_ERROR": "chain",
				"TLSWRAP_REPORT": "Unable to verify X.500 certificate from: mx.example.test. (#4.4.1)",
				"TLSWRAP_REASON": "certificate CN=mx.example.test expired on 2025-01-02 03:04:05 UTC\x01"}},
			client: "EHLO helo.test\r\nSTARTTLS\r\n",
			out: "ZUnable to verify X.500 certificate from: mx.example.test. (#4.4.1)\n" +
				"certificate CN=mx.example.test expired on 2025-01-02 03:04:05 UTC?\n\x00", exit: 111},
		{name: "an outer wrapper's bare EOF: the handshake text", level: tlsMust,
			server: hi + ehloTLS + "220 go ahead\r\n", side: fakeSide{},
			client: "EHLO helo.test\r\nSTARTTLS\r\n",
			out:    "ZI wasn't able to establish a TLS connection with: mx.example.test. (#4.4.1)\n\x00", exit: 111},
		{name: "a client key that cannot load: final Z", level: tlsTry,
			server: hi + ehloTLS + "220 go ahead\r\n",
			side: fakeSide{fail: map[string]string{"TLSWRAP_ERROR": "key",
				"TLSWRAP_REPORT": "Can't load X.509 private key: /k.pem. (#4.4.1)"}},
			client: "EHLO helo.test\r\nSTARTTLS\r\n",
			out:    "ZCan't load X.509 private key: /k.pem. (#4.4.1)\n\x00"},
		{name: "RFC 3207 4.2: EHLO again over TLS; its refusal is the usual text", level: tlsTry,
			server: hi + ehloTLS + "220 go ahead\r\n", side: fakeSide{after: "502 no\r\n550 no\r\n", env: tlsEnv},
			client: "EHLO helo.test\r\nSTARTTLS\r\n<TLS>EHLO helo.test\r\nHELO helo.test\r\nQUIT\r\n",
			out:    "DConnected to 192.0.2.1 but my name was rejected.\nRemote host said: 550 no\n\x00"},
		{name: "D22: the TLS layer fails mid-session: Unknown TLS error", level: tlsTry,
			server: hi + ehloTLS + "220 go ahead\r\n", side: fakeSide{after: afterTLS[:38], env: tlsEnv, failed: true},
			client: "EHLO helo.test\r\nSTARTTLS\r\n<TLS>EHLO helo.test\r\nMAIL FROM:<a@x.test>\r\n",
			out:    "ZUnknown TLS error for host: mx.example.test. (#4.4.1)\n\x00"},
	}
	for _, tt := range tests {
		side := tt.side
		client, out, exit := runTLS(t, tt.name, tt.level, tt.server, &side)
		if client != tt.client || out != tt.out || exit != tt.exit {
			t.Errorf("%s:\nclient %q\nwant   %q\nout %q\nwant %q\nexit %d want %d", tt.name, client, tt.client, out, tt.out, exit, tt.exit)
		}
	}
}

// RFC 3207 4.2 and RFC 2920: the keywords that count are those of the
// EHLO over TLS. PIPELINING and CHUNKING offered there: the envelope and
// the message in one write over TLS; offered only in clear text: lock
// step over TLS.
func TestSTARTTLSPipelining(t *testing.T) {
	bdat := "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nBDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\n"
	for _, tt := range []struct {
		name, before, after, client string
	}{
		{"offered over TLS", ehloTLS,
			"250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n250 ok\r\n250 ok\r\n250 queued\r\n",
			"EHLO helo.test\r\nSTARTTLS\r\n<TLS>EHLO helo.test\r\n" + bdat + "QUIT\r\n"},
		{"offered in clear text only", "250-mx.example.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 STARTTLS\r\n",
			"250 mx\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n",
			cTLS},
	} {
		side := fakeSide{after: tt.after, env: tlsEnv}
		client, out, exit := runTLS(t, tt.name, tlsTry, hi+tt.before+"220 go ahead\r\n", &side)
		want := "r\x00K192.0.2.1 TLS transmitted message accepted.\nRemote host said: 250 queued\n" +
			"TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate not checked\n\x00"
		if client != tt.client || out != want || exit != 0 {
			t.Errorf("%s:\nclient %q\nwant   %q\nout %q\nexit %d", tt.name, client, tt.client, out, exit)
		}
	}
}

// TestDANEReports: with TLS_VERIFY=dane (qmail-remote's DANE host), no
// STARTTLS is SPEC D30's text, a certificate that matches no TLSA record
// tlswrap's, and either tries the next address.
func TestDANEReports(t *testing.T) {
	for _, tt := range []struct {
		name, server string
		side         fakeSide
		out          string
		exit         int
	}{
		{"no STARTTLS", okMail, fakeSide{env: tlsEnv},
			"ZDANE: mx.dane.test has TLSA records but does not offer STARTTLS. (#4.7.5)\n\x00", 111},
		{"no match", hi + ehloTLS + "220 go ahead\r\n",
			fakeSide{fail: map[string]string{"TLSWRAP_ERROR": "dane",
				"TLSWRAP_REPORT": "DANE: the certificate of mx.dane.test matches none of its TLSA records. (#4.7.5)"}},
			"ZDANE: the certificate of mx.dane.test matches none of its TLSA records. (#4.7.5)\n\x00", 111},
		{"matched", hi + ehloTLS + "220 go ahead\r\n",
			fakeSide{after: afterTLS, env: map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "TLS_AES_128_GCM_SHA256",
				"TLSWRAP_VERIFY": "DANE-EE 3 1 1 matched for mx.dane.test"}},
			"r\x00K192.0.2.1 TLS transmitted message accepted.\nRemote host said: 250 queued\n" +
				"TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; DANE-EE 3 1 1 matched for mx.dane.test\n\x00", 0},
	} {
		var c, o bytes.Buffer
		side := tt.side
		side.client = &c
		s := &session{r: bufio.NewReaderSize(strings.NewReader(tt.server), 16), w: bufio.NewWriter(&c),
			msg: strings.NewReader(message), out: &o, ip: "192.0.2.1", helo: "helo.test",
			level: tlsMust, host: "mx.dane.test", dane: true, side: &side}
		exit, _ := s.run("a@x.test", []string{"b@y.test"})
		if o.String() != tt.out || exit != tt.exit {
			t.Errorf("%s: out %q\nwant %q\nexit %d want %d", tt.name, o.String(), tt.out, exit, tt.exit)
		}
	}
}

// TLSMECH (SPEC D31): the mechanism before what was verified in the K
// report's TLS line, and its first word before a failure's text.
func TestTLSMech(t *testing.T) {
	env := map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "TLS_AES_128_GCM_SHA256", "TLSWRAP_VERIFY": "certificate verified for mx.test"}
	if got, want := tlsLine(env, "MTA-STS enforce", true), "TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; MTA-STS enforce: certificate verified for mx.test\n"; got != want {
		t.Errorf("tlsLine = %q, want %q", got, want)
	}
	if got, want := tlsLine(env, "", false), "TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate verified for mx.test\n"; got != want {
		t.Errorf("tlsLine without TLSMECH = %q, want %q", got, want)
	}
	env = map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "X", "TLSWRAP_VERIFY": "certificate not checked", "TLSWRAP_AUDIT": "would have failed: y"}
	if got, want := tlsLine(env, "MTA-STS testing", false), "TLS: TLSv1.3 X; certificate not checked; MTA-STS testing: would have failed: y\n"; got != want {
		t.Errorf("tlsLine, testing = %q, want %q", got, want)
	}
	delete(env, "TLSWRAP_AUDIT")
	if got, want := tlsLine(env, "TLS-Required: No", false), "TLS: TLSv1.3 X; certificate not checked; TLS-Required: No\n"; got != want {
		t.Errorf("tlsLine, D32 = %q, want %q", got, want)
	}
	if got := (&session{mech: "MTA-STS testing", level: tlsTry}).mechText("x\n"); got != "x\n" {
		t.Errorf("mechText at try = %q", got)
	}
	s := &session{mech: "MTA-STS enforce", level: tlsMust}
	if got, want := s.mechText("I wasn't able to x.\n"), "MTA-STS: I wasn't able to x.\n"; got != want {
		t.Errorf("mechText = %q, want %q", got, want)
	}
	if got := (&session{}).mechText("x\n"); got != "x\n" {
		t.Errorf("mechText without TLSMECH = %q", got)
	}
}

// TestChecked: the phrases of tlswrap.8 that say a check passed, and
// those that do not (SPEC D9: a password only after one of the first).
func TestChecked(t *testing.T) {
	for v, want := range map[string]bool{
		"certificate verified":                                                       true,
		"certificate verified for mx.test":                                           true,
		"certificate matches the pinned SHA-256 fingerprint":                         true,
		"DANE-EE 3 1 1 matched for mx.test":                                          true,
		"DANE-TA 2 0 1 matched for mx.test":                                          true,
		"certificate not checked":                                                    false,
		"certificate not checked (no usable TLSA records)":                           false,
		"certificate not checked; MTA-STS testing: certificate verified for mx.test": false,
		"DANE-EE 3 1 1":        false,
		"":                     false,
		"verification unknown": false,
	} {
		if got := checked(v); got != want {
			t.Errorf("checked(%q) = %v, want %v", v, got, want)
		}
	}
}
