package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// A transcript test, as Go's net/smtp does: the server's bytes, the
// message, and the exact client bytes and reports expected.
type transcript struct {
	name   string
	server string
	sender string
	rcpts  []string
	msg    string
	client string // exactly what the client must send
	out    string // exactly what goes to fd 1
	exit   int
	diag   string
}

const (
	hi      = "220 mx.example.test ESMTP\r\n"
	ehloOK  = "250-mx.example.test\r\n250 8BITMIME\r\n"
	okMail  = hi + ehloOK + "250 ok\r\n"
	c3      = "EHLO helo.test\r\nMAIL FROM:<a@x.test>\r\n"
	cRcpt   = c3 + "RCPT TO:<b@y.test>\r\n"
	cData   = cRcpt + "DATA\r\n"
	died    = "ZConnected to 192.0.2.1 but connection died. (#4.4.2)\n\x00"
	dupe    = "ZConnected to 192.0.2.1 but connection died. Possible duplicate! (#4.4.2)\n\x00"
	message = "Subject: x\n\nhi\n"
	wire    = "Subject: x\r\n\r\nhi\r\n.\r\n"
)

func (tt transcript) run(t *testing.T, w io.Writer) {
	t.Helper()
	if tt.sender == "" && tt.rcpts == nil {
		tt.sender, tt.rcpts = "a@x.test", []string{"b@y.test"}
	}
	var client, out bytes.Buffer
	if w == nil {
		w = &client
	}
	s := &session{
		r:    bufio.NewReaderSize(strings.NewReader(tt.server), 16),
		w:    bufio.NewWriter(w),
		msg:  strings.NewReader(tt.msg),
		out:  &out,
		ip:   "192.0.2.1",
		helo: "helo.test",
	}
	exit, diag := s.run(tt.sender, tt.rcpts)
	if client.String() != tt.client {
		t.Errorf("%s: client sent\n%q\nwant\n%q", tt.name, client.String(), tt.client)
	}
	if out.String() != tt.out {
		t.Errorf("%s: reports\n%q\nwant\n%q", tt.name, out.String(), tt.out)
	}
	if exit != tt.exit || diag != tt.diag {
		t.Errorf("%s: exit %d %q, want %d %q", tt.name, exit, diag, tt.exit, tt.diag)
	}
}

var transcripts = []transcript{
	{name: "B3 delivery", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "B4 EHLO 502, HELO 250", server: hi + "502 no\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		client: "EHLO helo.test\r\nHELO helo.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "B4 EHLO 502, HELO 550", server: hi + "502 no\r\n550 who are you\r\n",
		client: "EHLO helo.test\r\nHELO helo.test\r\nQUIT\r\n",
		out:    "DConnected to 192.0.2.1 but my name was rejected.\nRemote host said: 550 who are you\n\x00"},
	{name: "EHLO 502, HELO 451", server: hi + "502 no\r\n451 later\r\n",
		client: "EHLO helo.test\r\nHELO helo.test\r\nQUIT\r\n",
		out:    "ZConnected to 192.0.2.1 but my name was rejected.\nRemote host said: 451 later\n\x00"},
	{name: "EHLO 502, HELO 220", server: hi + "502 no\r\n220 odd\r\n",
		client: "EHLO helo.test\r\nHELO helo.test\r\nQUIT\r\n",
		out:    "ZConnected to 192.0.2.1 but my name was rejected.\nRemote host said: 220 odd\n\x00"},
	{name: "B6 greeting 421", server: "421 busy\r\n", client: "QUIT\r\n",
		out: "ZConnected to 192.0.2.1 but greylisted.\nRemote host said: 421 busy\n\x00"},
	{name: "greeting 450", server: "450-busy\r\n450 really\r\n", client: "QUIT\r\n",
		out: "ZConnected to 192.0.2.1 but greylisted.\nRemote host said: 450-busy\n450 really\n\x00"},
	{name: "D1 greeting 554: next address", server: "554 go away\r\n554 now\r\n", client: "QUIT\r\n",
		exit: 100, diag: "connected to 192.0.2.1 but greeting failed: 554 go away",
		out: "ZConnected to 192.0.2.1 but greeting failed.\nRemote host said: 554 go away\n\x00"},
	{name: "D33 greeting 554, three lines: all of them in the report", server: "554-5.7.1 go away\r\n554-\x00bad\x01\r\n554 now\n", client: "QUIT\r\n",
		exit: 100, diag: "connected to 192.0.2.1 but greeting failed: 554-5.7.1 go away",
		out: "ZConnected to 192.0.2.1 but greeting failed.\nRemote host said: 554-5.7.1 go away\n554-?bad\x01\n554 now\n\x00"},
	{name: "D1 greeting 451: next address", server: "451 later\r\n", client: "QUIT\r\n",
		exit: 111, diag: "connected to 192.0.2.1 but greeting failed: 451 later",
		out: "ZConnected to 192.0.2.1 but greeting failed.\nRemote host said: 451 later\n\x00"},
	{name: "greeting 250", server: "250 hi\r\n", client: "QUIT\r\n",
		out: "ZConnected to 192.0.2.1 but greeting failed.\nRemote host said: 250 hi\n\x00"},
	{name: "greeting 354", server: "354 hi\r\n", client: "QUIT\r\n",
		out: "ZConnected to 192.0.2.1 but greeting failed.\nRemote host said: 354 hi\n\x00"},
	{name: "greeting 120", server: "120 wait\r\n", client: "QUIT\r\n",
		out: "ZConnected to 192.0.2.1 but greeting failed.\nRemote host said: 120 wait\n\x00"},
	{name: "greeting 600", server: "600 odd\r\n", client: "QUIT\r\n",
		out: "ZConnected to 192.0.2.1 but greeting failed.\nRemote host said: 600 odd\n\x00"},
	{name: "greeting closed", server: "", out: died},
	{name: "greeting cut", server: "220 hal", out: died},
	{name: "greeting malformed", server: "hello\r\n", out: died},
	{name: "greeting 2-digit code", server: "22 x\r\n", out: died},
	{name: "B7 MAIL 553", server: hi + ehloOK + "553 no\r\n",
		client: c3 + "QUIT\r\n",
		out:    "DConnected to 192.0.2.1 but sender was rejected.\nRemote host said: 553 no\n\x00"},
	{name: "B8 MAIL 451", server: hi + ehloOK + "451 later\r\n",
		client: c3 + "QUIT\r\n",
		out:    "ZConnected to 192.0.2.1 but sender was greylisted.\nRemote host said: 451 later\n\x00"},
	{name: "D24 MAIL 354", server: hi + ehloOK + "354 what\r\n",
		client: c3 + "QUIT\r\n",
		out:    "ZConnected to 192.0.2.1 but sender was rejected.\nRemote host said: 354 what\n\x00"},
	{name: "D24 MAIL 199", server: hi + ehloOK + "199 what\r\n",
		client: c3 + "QUIT\r\n",
		out:    "ZConnected to 192.0.2.1 but sender was rejected.\nRemote host said: 199 what\n\x00"},
	{name: "B9 two recipients 550", server: okMail + "550 no\r\n550-no\r\n550 twice\r\n",
		rcpts: []string{"b@y.test", "c@y.test"}, sender: "a@x.test",
		client: cRcpt + "RCPT TO:<c@y.test>\r\nQUIT\r\n",
		out: "h192.0.2.1 does not like recipient.\nRemote host said: 550 no\n\x00" +
			"h192.0.2.1 does not like recipient.\nRemote host said: 550-no\n550 twice\n\x00" +
			"DGiving up on 192.0.2.1.\n\x00"},
	{name: "B10 250 then 450", server: okMail + "250 ok\r\n450 try later\r\n354 go\r\n250 ok\r\n", msg: message,
		rcpts: []string{"b@y.test", "c@y.test"}, sender: "a@x.test",
		client: cRcpt + "RCPT TO:<c@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
		out: "r\x00s192.0.2.1 probably greylisting.\nRemote host said: 450 try later\n\x00" +
			"K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "RCPT 421, 452, 354, 550", server: okMail + "421 a\r\n452 b\r\n354 c\r\n250 d\r\n554 e\r\n354 go\r\n250 ok\r\n",
		rcpts: []string{"1@y", "2@y", "3@y", "4@y", "5@y"}, sender: "a@x.test", msg: message,
		client: c3 + "RCPT TO:<1@y>\r\nRCPT TO:<2@y>\r\nRCPT TO:<3@y>\r\nRCPT TO:<4@y>\r\nRCPT TO:<5@y>\r\nDATA\r\n" + wire + "QUIT\r\n",
		out: "s192.0.2.1 probably greylisting.\nRemote host said: 421 a\n\x00" +
			"s192.0.2.1 does not like recipient.\nRemote host said: 452 b\n\x00" +
			"s192.0.2.1 does not like recipient.\nRemote host said: 354 c\n\x00" +
			"r\x00h192.0.2.1 does not like recipient.\nRemote host said: 554 e\n\x00" +
			"K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "B11 DATA 554", server: okMail + "250 ok\r\n554 no\r\n",
		client: cData + "QUIT\r\n",
		out:    "r\x00D192.0.2.1 failed on DATA command.\nRemote host said: 554 no\n\x00"},
	{name: "B11 DATA 451", server: okMail + "250 ok\r\n451 grey\r\n",
		client: cData + "QUIT\r\n",
		out:    "r\x00Z192.0.2.1 message was greylisted.\nRemote host said: 451 grey\n\x00"},
	{name: "DATA 452", server: okMail + "250 ok\r\n452 full\r\n",
		client: cData + "QUIT\r\n",
		out:    "r\x00Z192.0.2.1 failed on DATA command.\nRemote host said: 452 full\n\x00"},
	{name: "D24 DATA 250", server: okMail + "250 ok\r\n250 what\r\n",
		client: cData + "QUIT\r\n",
		out:    "r\x00Z192.0.2.1 failed on DATA command.\nRemote host said: 250 what\n\x00"},
	{name: "B12 final 452", server: okMail + "250 ok\r\n354 go\r\n452 full\r\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00Z192.0.2.1 failed after I sent the message.\nRemote host said: 452 full\n\x00"},
	{name: "final 554", server: okMail + "250 ok\r\n354 go\r\n554 spam\r\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00D192.0.2.1 failed after I sent the message.\nRemote host said: 554 spam\n\x00"},
	{name: "D24 final 354", server: okMail + "250 ok\r\n354 go\r\n354 again\r\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00Z192.0.2.1 failed after I sent the message.\nRemote host said: 354 again\n\x00"},
	{name: "D24 final 199", server: okMail + "250 ok\r\n354 go\r\n199 hm\r\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00Z192.0.2.1 failed after I sent the message.\nRemote host said: 199 hm\n\x00"},
	{name: "B13 closed after the dot", server: okMail + "250 ok\r\n354 go\r\n", msg: message,
		client: cData + wire, out: "r\x00" + dupe},
	{name: "malformed after the dot", server: okMail + "250 ok\r\n354 go\r\nok\r\n", msg: message,
		client: cData + wire, out: "r\x00" + dupe},
	{name: "closed before DATA reply", server: okMail + "250 ok\r\n",
		client: cData, out: "r\x00" + died},
	{name: "malformed RCPT reply", server: okMail + "2x0 ok\r\n",
		client: cRcpt, out: died},
	{name: "B15 dot-stuffing", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: "a\n.b\n..c\n.\n",
		client: cData + "a\r\n..b\r\n...c\r\n..\r\n.\r\nQUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "B15 partial final line", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: "abc",
		client: cData, out: "r\x00DSMTP cannot transfer messages with partial final lines. (#5.6.2)\n\x00"},
	{name: "empty message", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: "",
		client: cData + ".\r\nQUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "8-bit and NUL pass through; CR LF and a bare CR go out as CR LF (D25); D11 BODY=8BITMIME", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: "\xe9t\xe9\x00\rx\r\n",
		client: "EHLO helo.test\r\nMAIL FROM:<a@x.test> BODY=8BITMIME\r\nRCPT TO:<b@y.test>\r\nDATA\r\n\xe9t\xe9\x00\r\nx\r\n.\r\nQUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "8BITMIME not offered: 8-bit sent unchanged, no BODY (as s/qmail)", server: hi + "250 mx.example.test\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", msg: "\xe9t\xe9\n",
		client: cData + "\xe9t\xe9\r\n.\r\nQUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "B16 quoting, empty sender", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		sender: "", rcpts: []string{"a b@example.com"},
		client: "EHLO helo.test\r\nMAIL FROM:<>\r\nRCPT TO:<\"a b\"@example.com>\r\nDATA\r\n" + wire + "QUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "B17 multi-line 550, CR removed, NUL made ?", server: okMail + "550-no such\x00user\r\n550 sorry\r\n",
		client: cRcpt + "QUIT\r\n",
		out: "h192.0.2.1 does not like recipient.\nRemote host said: 550-no such?user\n550 sorry\n\x00" +
			"DGiving up on 192.0.2.1.\n\x00"},
	{name: "bare LF replies", server: "220 hi\n250 x\n250 ok\n250 ok\n354 go\n250 done\n", msg: message,
		client: cData + wire + "QUIT\r\n",
		out:    "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 done\n\x00"},
	{name: "sender with a line break", server: hi + ehloOK, sender: "a\r\nRCPT TO:<evil@x>", rcpts: []string{"b@y.test"},
		client: "EHLO helo.test\r\nQUIT\r\n",
		out:    "DSorry, the envelope sender contains a line break. (#5.1.7)\n\x00"},
	{name: "recipient with a line break", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		sender: "a@x.test", rcpts: []string{"x@y\r\nDATA", "b@y.test"},
		client: cRcpt + "DATA\r\n" + wire + "QUIT\r\n",
		out: "hSorry, the recipient address contains a line break. (#5.1.3)\n\x00r\x00" +
			"K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "only recipient with a line break", server: okMail,
		sender: "a@x.test", rcpts: []string{"x@y\n"},
		client: c3 + "QUIT\r\n",
		out:    "hSorry, the recipient address contains a line break. (#5.1.3)\n\x00DGiving up on 192.0.2.1.\n\x00"},
	{name: "sender whose domain would add a MAIL parameter: D, no MAIL", server: hi + ehloOK, sender: "a@x.test> RET=FULL", rcpts: []string{"b@y.test"},
		client: "EHLO helo.test\r\nQUIT\r\n",
		out:    "DSorry, the domain of the envelope sender is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.7)\n\x00"},
	{name: "sender without @ that would end the path: D, no MAIL", server: hi + ehloOK, sender: "a> RET=FULL", rcpts: []string{"b@y.test"},
		client: "EHLO helo.test\r\nQUIT\r\n",
		out:    "DSorry, the envelope sender has no @ and is not a dot-atom (RFC 5321 4.1.2). (#5.1.7)\n\x00"},
	{name: "recipient whose domain would end the path: h, no RCPT; the other goes", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		sender: "a@x.test", rcpts: []string{"x@y.test>NOTIFY=NEVER", "b@y.test"},
		client: cRcpt + "DATA\r\n" + wire + "QUIT\r\n",
		out: "hSorry, the domain of the recipient address is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.3)\n\x00r\x00" +
			"K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "only recipient with a space in its domain", server: okMail,
		sender: "a@x.test", rcpts: []string{"x@y.test NOTIFY=NEVER"},
		client: c3 + "QUIT\r\n",
		out:    "hSorry, the domain of the recipient address is not a domain name or address literal (RFC 5321 4.1.2). (#5.1.3)\n\x00DGiving up on 192.0.2.1.\n\x00"},
	{name: "ordinary domains go as qmail sends them: literal, trailing dot, underscore, double-bounce", server: okMail + "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n", msg: message,
		sender: "#@[]", rcpts: []string{"b@[IPv6:2001:db8::7]", "c@Y.test.", "d@mail_1.test"},
		client: "EHLO helo.test\r\nMAIL FROM:<#@[]>\r\nRCPT TO:<b@[IPv6:2001:db8::7]>\r\nRCPT TO:<c@Y.test.>\r\nRCPT TO:<d@mail_1.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
		out:    "r\x00r\x00r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
}

func TestTranscripts(t *testing.T) {
	for _, tt := range transcripts {
		tt.run(t, nil)
	}
}

func TestCaptureCap(t *testing.T) {
	long := strings.Repeat("550-"+strings.Repeat("x", 96)+"\r\n", 60) + "550 end\r\n"
	var client, out bytes.Buffer
	s := &session{r: bufio.NewReader(strings.NewReader(okMail + long)), w: bufio.NewWriter(&client),
		out: &out, ip: "192.0.2.1", helo: "h"}
	s.run("a@x", []string{"b@y"})
	rep, _, _ := strings.Cut(out.String(), "\x00")
	const prefix = "h192.0.2.1 does not like recipient.\nRemote host said: "
	if !strings.HasPrefix(rep, prefix) || len(rep) != len(prefix)+5001 || !strings.HasSuffix(rep, "x\n") { // SPEC D26
		t.Errorf("report of %d bytes: %q...", len(rep), rep[:80])
	}
}

func TestExtensions(t *testing.T) {
	ext := extensions([]byte("250-mx.test hi\n250-PIPELINING\n250-size 1000\n250-AUTH=LOGIN PLAIN\n250-AUTH CRAM-MD5 LOGIN\n250 STARTTLS\n"))
	want := map[string]string{"PIPELINING": "", "SIZE": "1000", "AUTH": "CRAM-MD5 LOGIN", "STARTTLS": ""}
	if len(ext) != len(want) {
		t.Errorf("got %q", ext)
	}
	for k, v := range want {
		if ext[k] != v {
			t.Errorf("%s: got %q want %q", k, ext[k], v)
		}
	}
	if len(extensions([]byte("250\n"))) != 0 {
		t.Error("extensions from a one-line reply")
	}
}

// A peer that stops reading: the write fails, which is a dead connection,
// and no report claims more than that.
func TestWriteFailure(t *testing.T) {
	tt := transcript{name: "write fails", server: okMail + "250 ok\r\n354 go\r\n250 ok\r\n",
		msg: strings.Repeat("line\n", 100000), out: "r\x00" + died}
	tt.run(t, &limitWriter{n: 200})
}

type limitWriter struct{ n int }

func (w *limitWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errors.New("broken pipe")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestMessageReadError(t *testing.T) {
	var client, out bytes.Buffer
	s := &session{r: bufio.NewReader(strings.NewReader(okMail + "250 ok\r\n354 go\r\n")), w: bufio.NewWriter(&client),
		msg: iotest.ErrReader(errors.New("EIO")), out: &out, ip: "192.0.2.1", helo: "helo.test"}
	exit, _ := s.run("a@x.test", []string{"b@y.test"})
	if out.String() != "r\x00ZUnable to read message. (#4.3.0)\n\x00" || exit != 0 || client.String() != cData {
		t.Errorf("got %q %q %d", out.String(), client.String(), exit)
	}
}

// When fd 1 fails the session stops before DATA and exits 111.
func TestReportWriteFailure(t *testing.T) {
	var client bytes.Buffer
	s := &session{r: bufio.NewReader(strings.NewReader(okMail + "250 ok\r\n354 go\r\n250 ok\r\n")), w: bufio.NewWriter(&client),
		msg: strings.NewReader(message), out: &limitWriter{}, ip: "192.0.2.1", helo: "helo.test"}
	exit, diag := s.run("a@x.test", []string{"b@y.test"})
	if exit != 111 || !strings.HasPrefix(diag, "unable to write reports") || client.String() != cRcpt+"QUIT\r\n" {
		t.Errorf("got %d %q %q", exit, diag, client.String())
	}
}

func FuzzSession(f *testing.F) {
	for _, tt := range transcripts {
		f.Add(tt.server, tt.msg)
	}
	f.Fuzz(func(t *testing.T, server, msg string) {
		var client, out bytes.Buffer
		s := &session{r: bufio.NewReader(strings.NewReader(server)), w: bufio.NewWriter(&client),
			msg: strings.NewReader(msg), out: &out, ip: "192.0.2.1", helo: "h"}
		exit, _ := s.run("a@x", []string{"b@y", "c@y"})
		o := out.String()
		if exit != 0 {
			if !nextAddress(o) {
				t.Fatalf("exit %d with reports %q", exit, o)
			}
			return
		}
		if !strings.HasSuffix(o, "\x00") || strings.Count(o, "\x00") > 3 {
			t.Fatalf("reports %q", o)
		}
		last := o[strings.LastIndexByte(o[:len(o)-1], 0)+1:]
		if !strings.ContainsRune("KZD", rune(last[0])) {
			t.Fatalf("last report %q", last)
		}
	})
}

// TestQuitAfterDataRefused: whatever the reply to DATA other than 354,
// the report is the one of SPEC 1.8/D24 and QUIT goes out last (D2).
func TestQuitAfterDataRefused(t *testing.T) {
	for _, tt := range []struct{ reply, out string }{
		{"250 ok", "Z192.0.2.1 failed on DATA command.\nRemote host said: 250 ok\n"},
		{"251 ok", "Z192.0.2.1 failed on DATA command.\nRemote host said: 251 ok\n"},
		{"300 what", "Z192.0.2.1 failed on DATA command.\nRemote host said: 300 what\n"},
		{"334 huh", "Z192.0.2.1 failed on DATA command.\nRemote host said: 334 huh\n"},
		{"199 x", "Z192.0.2.1 failed on DATA command.\nRemote host said: 199 x\n"},
		{"421 bye", "Z192.0.2.1 failed on DATA command.\nRemote host said: 421 bye\n"},
		{"451-grey\r\n451 later", "Z192.0.2.1 message was greylisted.\nRemote host said: 451-grey\n451 later\n"},
		{"452 full", "Z192.0.2.1 failed on DATA command.\nRemote host said: 452 full\n"},
		{"500 no", "D192.0.2.1 failed on DATA command.\nRemote host said: 500 no\n"},
		{"554 no", "D192.0.2.1 failed on DATA command.\nRemote host said: 554 no\n"},
		{"599 no", "D192.0.2.1 failed on DATA command.\nRemote host said: 599 no\n"},
		{"600 odd", "Z192.0.2.1 failed on DATA command.\nRemote host said: 600 odd\n"},
		{"999 odd", "Z192.0.2.1 failed on DATA command.\nRemote host said: 999 odd\n"},
	} {
		transcript{name: "DATA " + tt.reply, server: okMail + "250 ok\r\n" + tt.reply + "\r\n", msg: message,
			client: cData + "QUIT\r\n", out: "r\x00" + tt.out + "\x00"}.run(t, nil)
	}
}
