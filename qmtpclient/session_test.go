package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"qmail-remote-go/lib/trace"
)

// A transcript test, as Go's net/smtp does: the server's bytes, the
// message, and the exact client bytes and reports expected.
type transcript struct {
	name   string
	server string
	rcpts  []string
	msg    string
	size   int64  // -1: len(msg)
	client string // exactly what the client must send
	out    string // exactly what goes to fd 1
}

const (
	message = "Subject: x\n\nhi\n"
	// SPEC 6's example package.
	pkg     = "16:\nSubject: x\n\nhi\n,17:alice@example.org,19:15:bob@example.com,,"
	pkg2    = "16:\nSubject: x\n\nhi\n,17:alice@example.org,40:15:bob@example.com,17:carol@example.com,,"
	okay    = "KAll received okay by 192.0.2.1\n\x00"
	giveup  = "DGiving up on 192.0.2.1\n\x00"
	died    = "ZConnected to 192.0.2.1 but connection died. (#4.4.2)\n\x00"
	badqmtp = "Zrecipient did not talk proper QMTP (#4.3.0)\n\x00"
)

var two = []string{"bob@example.com", "carol@example.com"}

func (tt transcript) run(t *testing.T) {
	t.Helper()
	if tt.rcpts == nil {
		tt.rcpts = []string{"bob@example.com"}
	}
	if tt.size == 0 {
		tt.size = int64(len(tt.msg))
	}
	var client, out bytes.Buffer
	s := &session{
		r:    bufio.NewReaderSize(iotest.HalfReader(strings.NewReader(tt.server)), 16),
		w:    bufio.NewWriterSize(&client, 16),
		msg:  iotest.HalfReader(strings.NewReader(tt.msg)),
		size: tt.size,
		out:  &out,
		ip:   "192.0.2.1",
	}
	exit, diag := s.run("alice@example.org", tt.rcpts)
	if client.String() != tt.client {
		t.Errorf("%s: client sent\n%q\nwant\n%q", tt.name, client.String(), tt.client)
	}
	if out.String() != tt.out {
		t.Errorf("%s: reports\n%q\nwant\n%q", tt.name, out.String(), tt.out)
	}
	if exit != 0 || diag != "" {
		t.Errorf("%s: exit %d %q", tt.name, exit, diag)
	}
}

var transcripts = []transcript{
	{name: "B20 one recipient K", server: "22:Kok 1700000000 qp 4321,", msg: message, client: pkg,
		out: "rqmtp: ok 1700000000 qp 4321\n\x00" + okay},
	{name: "B21 letter X", server: "3:Xno,", msg: message, client: pkg, out: badqmtp},
	{name: "two recipients K K", server: "3:Kok,4:Kyes,", rcpts: two, msg: message, client: pkg2,
		out: "rqmtp: ok\n\x00rqmtp: yes\n\x00" + okay},
	{name: "K then D: r, h, Giving up", server: "3:Kok,8:Dno such,", rcpts: two, msg: message, client: pkg2,
		out: "rqmtp: ok\n\x00hqmtp: no such\n\x00" + giveup},
	{name: "Z then K: s, r, Giving up", server: "6:Zlater,3:Kok,", rcpts: two, msg: message, client: pkg2,
		out: "sqmtp: later\n\x00rqmtp: ok\n\x00" + giveup},
	{name: "letter alone: empty text", server: "1:K,", msg: message, client: pkg, out: "rqmtp: \n\x00" + okay},
	{name: "CR removed, NUL, LF, TAB and 8-bit made ?", server: "11:Ka\r\x00b\nc\td\xe9\r,", msg: message, client: pkg,
		out: "rqmtp: a?b?c?d?\n\x00" + okay},
	{name: "empty message", msg: "", server: "1:K,",
		client: "1:\n,17:alice@example.org,19:15:bob@example.com,,", out: "rqmtp: \n\x00" + okay},
	{name: "8-bit, CR LF, bare CR, NUL: bytes unchanged, no dot-stuffing", msg: "a\r\nb\rc\x00\xff\n.\n", server: "1:K,",
		client: "12:\na\r\nb\rc\x00\xff\n.\n,17:alice@example.org,19:15:bob@example.com,,", out: "rqmtp: \n\x00" + okay},
	{name: "no final LF is fine", msg: "abc", server: "1:K,",
		client: "4:\nabc,17:alice@example.org,19:15:bob@example.com,,", out: "rqmtp: \n\x00" + okay},
	{name: "addresses mangled as for SMTP (SPEC 6), empty sender is 0:", rcpts: []string{"a b@example.com"}, msg: message, server: "1:K,",
		client: "16:\nSubject: x\n\nhi\n,17:alice@example.org,21:17:\"a b\"@example.com,,", out: "rqmtp: \n\x00" + okay},
	{name: "file longer than its size: only size bytes", msg: "abcdef", size: 3, server: "1:K,",
		client: "4:\nabc,17:alice@example.org,19:15:bob@example.com,,", out: "rqmtp: \n\x00" + okay},

	// A20: the file is shorter than fstat said: no ',' and nothing after.
	{name: "short message: what is still buffered is not sent", msg: "abc", size: 10, server: "1:K,", client: "", out: "ZUnable to read message. (#4.3.0)\n\x00"},

	{name: "no response: died", msg: message, client: pkg, out: died},
	{name: "EOF in the length: died", server: "2", msg: message, client: pkg, out: died},
	{name: "EOF after the colon: died", server: "2:", msg: message, client: pkg, out: died},
	{name: "EOF in the text: died", server: "5:Kok", msg: message, client: pkg, out: died},
	{name: "EOF before the comma: died", server: "3:Kok", msg: message, client: pkg, out: died},
	{name: "fewer responses than recipients: r, then died", server: "3:Kok,", rcpts: two, msg: message, client: pkg2,
		out: "rqmtp: ok\n\x00" + died},
	{name: "more responses than recipients", server: "3:Kok,3:Kok,", msg: message, client: pkg, out: "rqmtp: ok\n\x00" + badqmtp},
	{name: "one stray byte after the last response", server: "3:Kok,\n", msg: message, client: pkg, out: "rqmtp: ok\n\x00" + badqmtp},
	{name: "zero length", server: "0:,", msg: message, client: pkg, out: badqmtp},
	{name: "wrong length: comma missing", server: "2:Kok,", msg: message, client: pkg, out: badqmtp},
	{name: "length too short for two", server: "4:Kok,3:Kok,", rcpts: two, msg: message, client: pkg2, out: badqmtp},
	{name: "leading zero", server: "03:Kok,", msg: message, client: pkg, out: badqmtp},
	{name: "no digits", server: ":Kok,", msg: message, client: pkg, out: badqmtp},
	{name: "length over the limit", server: "1048577:K", msg: message, client: pkg, out: badqmtp},
	{name: "length of 11 digits", server: "10000000000:K", msg: message, client: pkg, out: badqmtp},
	{name: "lower-case k", server: "3:kok,", msg: message, client: pkg, out: badqmtp},
	{name: "SMTP reply", server: "250 ok\r\n", msg: message, client: pkg, out: badqmtp},
	{name: "r printed, then a malformed second: Z last", server: "3:Kok,3:Xno,", rcpts: two, msg: message, client: pkg2,
		out: "rqmtp: ok\n\x00" + badqmtp},
}

func TestTranscripts(t *testing.T) {
	for _, tt := range transcripts {
		tt.run(t)
	}
}

func TestLongText(t *testing.T) {
	text := strings.Repeat("\rx", 6000) // the CRs do not count
	tt := transcript{name: "text capped at 5000 bytes, then LF", server: "12001:K" + text + ",", msg: message, client: pkg,
		out: "rqmtp: " + strings.Repeat("x", 5000) + "\n\x00" + okay}
	tt.run(t)
	tt = transcript{name: "the longest response allowed", server: "1048576:K" + strings.Repeat("y", 1<<20-1) + ",", msg: message, client: pkg,
		out: "rqmtp: " + strings.Repeat("y", 5000) + "\n\x00" + okay}
	tt.run(t)
}

// TestLargeMessageFlatMemory: a 256 MiB message costs no more memory
// than a small one: it streams through the writer's buffer.
func TestLargeMessageFlatMemory(t *testing.T) {
	const size = 256 << 20
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	var sent countWriter
	var out bytes.Buffer
	s := &session{
		r:   bufio.NewReader(strings.NewReader("1:K,")),
		w:   bufio.NewWriterSize(&sent, bufSize),
		msg: zeros{}, size: size, out: &out, ip: "192.0.2.1",
	}
	s.run("a@x", []string{"b@y"})
	runtime.ReadMemStats(&ms)
	if got := ms.TotalAlloc - before; got > 1<<20 {
		t.Errorf("allocated %d bytes for a %d-byte message", got, size)
	}
	if want := int64(len("268435457:\n") + size + len(",3:a@x,7:3:b@y,,")); sent.n != want || out.String() != "rqmtp: \n\x00"+okay {
		t.Errorf("sent %d bytes, want %d; reports %q", sent.n, want, out.String())
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// Errors of the message and of the peer are told apart.
func TestErrors(t *testing.T) {
	var out bytes.Buffer
	s := &session{r: bufio.NewReader(strings.NewReader("1:K,")), w: bufio.NewWriter(io.Discard),
		msg: iotest.ErrReader(errors.New("EIO")), size: 5, out: &out, ip: "192.0.2.1"}
	s.run("a@x", []string{"b@y"})
	if out.String() != "ZUnable to read message. (#4.3.0)\n\x00" {
		t.Errorf("read error: %q", out.String())
	}
	out.Reset()
	s = &session{r: bufio.NewReader(strings.NewReader("1:K,")), w: bufio.NewWriterSize(failWriter{}, 16),
		msg: strings.NewReader(strings.Repeat("x", 100)), size: 100, out: &out, ip: "192.0.2.1"}
	s.run("a@x", []string{"b@y"})
	if out.String() != died {
		t.Errorf("write error: %q", out.String())
	}
	out.Reset()
	s = &session{r: bufio.NewReader(strings.NewReader("1:K,")), w: bufio.NewWriterSize(failWriter{}, 64<<10),
		msg: strings.NewReader("x"), size: 1, out: &out, ip: "192.0.2.1"}
	s.run("a@x", []string{"b@y"})
	if out.String() != died {
		t.Errorf("flush error: %q", out.String())
	}
	s = &session{r: bufio.NewReader(strings.NewReader("1:K,")), w: bufio.NewWriter(io.Discard),
		msg: strings.NewReader("x"), size: 1, out: failWriter{}, ip: "192.0.2.1"}
	if exit, diag := s.run("a@x", []string{"b@y"}); exit != 111 || diag != "unable to write reports: broken pipe" {
		t.Errorf("report error: %d %q", exit, diag)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestTrace: the transcript holds the package without the message (its
// length only), every response as it came (cleaned as the report's
// text), and the reports; the bytes on the wire and the reports are
// those of a session without it.
func TestTrace(t *testing.T) {
	for _, c := range []struct {
		name, server string
		want         []string
	}{
		{"two responses", "4:Kok.,8:Zlater\r\x00,", []string{
			"* to 192.0.2.1",
			"> 16:<LF and the message, 15 bytes, not shown>,",
			"> 17:alice@example.org,",
			"> 40:<the recipients' netstrings, 2>",
			"> 15:bob@example.com,",
			"> 17:carol@example.com,",
			"> ,",
			"< 4:Kok.,",
			"* report rqmtp: ok.",
			"< 8:Zlater?,",
			"* report sqmtp: later?",
			"* report DGiving up on 192.0.2.1",
		}},
		{"malformed", "4:Kok.,3:Xno,", []string{
			"< 4:Kok.,",
			"* report rqmtp: ok.",
			"* malformed response: malformed netstring: QMTP response not K, Z or D",
			"* report Zrecipient did not talk proper QMTP (#4.3.0)",
		}},
		{"cut", "4:Kok.", []string{
			"* no response: unexpected EOF",
			"* report ZConnected to 192.0.2.1 but connection died. (#4.4.2)",
		}},
	} {
		p := filepath.Join(t.TempDir(), "t")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		var client, out, plainClient, plainOut bytes.Buffer
		for _, tr := range []*trace.T{trace.New(f, "qmtpclient"), nil} {
			w, o := &client, &out
			if tr == nil {
				w, o = &plainClient, &plainOut
			}
			s := &session{r: bufio.NewReader(strings.NewReader(c.server)), w: bufio.NewWriter(w),
				msg: strings.NewReader(message), size: int64(len(message)), out: o, ip: "192.0.2.1", trace: tr}
			if tr != nil {
				tr.Note("to 192.0.2.1")
			}
			s.run("alice@example.org", two)
		}
		f.Close()
		if client.String() != plainClient.String() || out.String() != plainOut.String() {
			t.Errorf("%s: tracing changed the session: %q %q, without %q %q", c.name, client.String(), out.String(), plainClient.String(), plainOut.String())
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "Subject") {
			t.Errorf("%s: the message is in the transcript:\n%s", c.name, b)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			// "qmtpclient[pid] 0.000 " off
			f := strings.SplitN(l, " ", 3)
			if len(f) < 3 || !strings.HasPrefix(f[0], "qmtpclient[") {
				t.Fatalf("%s: line %q", c.name, l)
			}
			got = append(got, f[2])
		}
		g := strings.Join(got, "\n")
		if !strings.HasSuffix(g, strings.Join(c.want, "\n")) {
			t.Errorf("%s: transcript\n%s\nwant it to end in\n%s", c.name, g, strings.Join(c.want, "\n"))
		}
	}
}
