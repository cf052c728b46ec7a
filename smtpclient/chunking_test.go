package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// bigMessage is n lines of 100 bytes, some starting with a dot: its
// BDAT form (CR LF, no dot-stuffing) is n*101 bytes.
func bigMessage(n int) (msg, plain string) {
	var m, p strings.Builder
	for i := range n {
		l := fmt.Sprintf("%c%098d", ".x"[i%2], i)
		m.WriteString(l + "\n")
		p.WriteString(l + "\r\n")
	}
	return m.String(), p.String()
}

// wantChunks is the BDAT commands and data for plain: 64 KiB first,
// then 1 MiB chunks, the last one LAST.
func wantChunks(plain string) (string, int) {
	var b strings.Builder
	n := 0
	for size := oneWrite; ; size = chunkSize {
		n++
		if len(plain) <= size {
			fmt.Fprintf(&b, "BDAT %d LAST\r\n%s", len(plain), plain)
			return b.String(), n
		}
		fmt.Fprintf(&b, "BDAT %d\r\n%s", size, plain[:size])
		plain = plain[size:]
	}
}

var chunkTranscripts = []transcript{
	{name: "CHUNKING: MAIL, RCPT, BDAT LAST and the message in one write, no dot-stuffing", server: hi + ehloChunk + "250 ok\r\n250 ok\r\n250 2.0.0 queued\r\n",
		msg: "a\n.b\r\nc\r", client: c3 + "RCPT TO:<b@y.test>\r\nBDAT 10 LAST\r\na\r\n.b\r\nc\r\nQUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 2.0.0 queued\n\x00"},
	{name: "CHUNKING: empty message, BDAT 0 LAST", server: hi + ehloChunk + "250 ok\r\n250 ok\r\n250 ok\r\n",
		msg: "", client: cRcpt + "BDAT 0 LAST\r\nQUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "CHUNKING: 8-bit, BODY=8BITMIME", server: hi + ehloChunk + "250 ok\r\n250 ok\r\n250 ok\r\n",
		msg: "\xe9\n", client: "EHLO helo.test\r\nMAIL FROM:<a@x.test> BODY=8BITMIME\r\nRCPT TO:<b@y.test>\r\nBDAT 3 LAST\r\n\xe9\r\nQUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "CHUNKING and a partial final line: DATA, D, no dot, no QUIT", server: hi + ehloChunk + "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n",
		msg: "a\nbc", client: cData, out: "r\x00DSMTP cannot transfer messages with partial final lines. (#5.6.2)\n\x00"},
	// Without SIZE and 8BITMIME only the last byte is read (partial).
	{name: "CHUNKING alone and a partial final line: DATA, D", server: hi + ehloChunkOnly + "250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n",
		msg: "a\nbc", client: cData, out: "r\x00DSMTP cannot transfer messages with partial final lines. (#5.6.2)\n\x00"},
	{name: "CHUNKING alone, a final CR: BDAT", server: hi + ehloChunkOnly + "250 ok\r\n250 ok\r\n250 ok\r\n",
		msg: "a\r", client: cRcpt + "BDAT 3 LAST\r\na\r\nQUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "CHUNKING alone, empty message: BDAT 0 LAST", server: hi + ehloChunkOnly + "250 ok\r\n250 ok\r\n250 ok\r\n",
		msg: "", client: cRcpt + "BDAT 0 LAST\r\nQUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "CHUNKING: the connection dies after BDAT LAST went out: Possible duplicate!", server: hi + ehloChunk + "250 ok\r\n250 ok\r\n",
		msg: message, client: cRcpt + "BDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\n", out: "r\x00" + dupe},
	{name: "CHUNKING: ... even before the MAIL reply", server: hi + ehloChunk,
		msg: message, client: cRcpt + "BDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\n", out: dupe},
	{name: "CHUNKING: MAIL refused: no K, whatever BDAT got", server: hi + ehloChunk + "553 no\r\n503 x\r\n250 ok\r\n",
		msg: message, client: cRcpt + "BDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\nQUIT\r\n",
		out: "DConnected to 192.0.2.1 but sender was rejected.\nRemote host said: 553 no\n\x00"},
	{name: "CHUNKING: no recipient: no K, whatever BDAT got", server: hi + ehloChunk + "250 ok\r\n550 no\r\n250 ok\r\n",
		msg: message, client: cRcpt + "BDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\nQUIT\r\n",
		out: "h192.0.2.1 does not like recipient.\nRemote host said: 550 no\n\x00DGiving up on 192.0.2.1.\n\x00"},
	{name: "CHUNKING without PIPELINING: DATA in lock step", server: hi + "250-mx\r\n250 CHUNKING\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n",
		msg: message, client: cData + wire + "QUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "SIZE: the bytes as BDAT would send them (RFC 1870 6)", server: hi + "250-mx\r\n250 SIZE 1000\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n",
		msg: ".a\r\nb\rc\n", client: "EHLO helo.test\r\nMAIL FROM:<a@x.test> SIZE=10\r\nRCPT TO:<b@y.test>\r\nDATA\r\n..a\r\nb\r\nc\r\n.\r\nQUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "SIZE at its limit", server: hi + "250-mx\r\n250-8BITMIME\r\n250 SIZE 18\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n",
		msg: message, client: "EHLO helo.test\r\nMAIL FROM:<a@x.test> SIZE=18\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "SIZE over the limit: D #5.3.4 before MAIL, QUIT", server: hi + "250-mx\r\n250 SIZE 17\r\n",
		msg: message, client: "EHLO helo.test\r\nQUIT\r\n",
		out: "DSorry, the message is 18 bytes but 192.0.2.1 accepts at most 17. (#5.3.4)\n\x00"},
	{name: "SIZE 0 and SIZE without a number: no limit", server: hi + "250-mx\r\n250 SIZE 0\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n",
		msg: message, client: "EHLO helo.test\r\nMAIL FROM:<a@x.test> SIZE=18\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + wire + "QUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
	{name: "SIZE and BODY with PIPELINING", server: hi + "250-mx\r\n250-SIZE\r\n250-PIPELINING\r\n250 8BITMIME\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n",
		msg: "\xff\n", client: "EHLO helo.test\r\nMAIL FROM:<a@x.test> SIZE=3 BODY=8BITMIME\r\nRCPT TO:<b@y.test>\r\nDATA\r\n\xff\r\n.\r\nQUIT\r\n",
		out: "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 ok\n\x00"},
}

func TestChunking(t *testing.T) {
	for _, tt := range chunkTranscripts {
		tt.run(t, nil)
	}
}

// A message that cannot seek (a pipe) goes as s/qmail sends it: DATA, no
// SIZE, no BODY, whatever is offered.
func TestUnseekable(t *testing.T) {
	var client, out bytes.Buffer
	s := &session{r: bufio.NewReader(strings.NewReader(hi + "250-mx\r\n250-SIZE 10\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 8BITMIME\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n")),
		w: bufio.NewWriter(&client), msg: struct{ io.Reader }{strings.NewReader("\xe9 is more than ten bytes\n")}, out: &out, ip: "192.0.2.1", helo: "helo.test"}
	s.run("a@x.test", []string{"b@y.test"})
	if want := cData + "\xe9 is more than ten bytes\r\n.\r\nQUIT\r\n"; client.String() != want {
		t.Errorf("client sent %q, want %q", client.String(), want)
	}
}

// A large message goes in chunks once the envelope holds: 64 KiB, then
// 1 MiB each, the last one LAST; its reply is the verdict.
func TestChunkingLarge(t *testing.T) {
	msg, plain := bigMessage(30000) // 3,030,000 bytes
	chunks, n := wantChunks(plain)
	for _, tt := range []struct {
		name, replies, client, out string
	}{
		{"every chunk 250", strings.Repeat("250 ok\r\n", n-1) + "250 2.0.0 queued\r\n", chunks + "QUIT\r\n",
			"r\x00K192.0.2.1 accepted message.\nRemote host said: 250 2.0.0 queued\n\x00"},
		{"LAST 554", strings.Repeat("250 ok\r\n", n-1) + "554 spam\r\n", chunks + "QUIT\r\n",
			"r\x00D192.0.2.1 failed after I sent the message.\nRemote host said: 554 spam\n\x00"},
		{"LAST 452", strings.Repeat("250 ok\r\n", n-1) + "452 full\r\n", chunks + "QUIT\r\n",
			"r\x00Z192.0.2.1 failed after I sent the message.\nRemote host said: 452 full\n\x00"},
		{"died after LAST", strings.Repeat("250 ok\r\n", n-1), chunks, "r\x00" + dupe},
	} {
		transcript{name: tt.name, server: hi + ehloChunk + "250 ok\r\n250 ok\r\n" + tt.replies, msg: msg,
			client: cRcpt + tt.client, out: tt.out}.run(t, nil)
	}
	// The envelope refused: no chunk at all.
	transcript{name: "no recipient", server: hi + ehloChunk + "250 ok\r\n550 no\r\n", msg: msg,
		client: cRcpt + "QUIT\r\n",
		out:    "h192.0.2.1 does not like recipient.\nRemote host said: 550 no\n\x00DGiving up on 192.0.2.1.\n\x00"}.run(t, nil)
}

// A chunk refused before LAST stops the transfer: no more chunks go,
// the replies of those sent are read, then QUIT; D for 5xx, Z else.
func TestChunkingRefused(t *testing.T) {
	msg, _ := bigMessage(200000) // about 20 MB: 20 chunks
	for _, tt := range []struct{ code, out string }{
		{"552 5.3.4 too much", "r\x00D192.0.2.1 failed on BDAT command.\nRemote host said: 552 5.3.4 too much\n\x00"},
		{"452 4.3.1 full", "r\x00Z192.0.2.1 failed on BDAT command.\nRemote host said: 452 4.3.1 full\n\x00"},
		{"354 odd", "r\x00Z192.0.2.1 failed on BDAT command.\nRemote host said: 354 odd\n\x00"},
	} {
		s, out, wait := pipePeer(t, "250-PIPELINING\r\n250-CHUNKING\r\n", false, func(i int) string {
			switch {
			case i == 0:
				return "250 ok\r\n"
			case i == 1:
				return tt.code + "\r\n"
			}
			return "503 5.5.1 no transaction\r\n"
		})
		s.msg = strings.NewReader(msg)
		res := make(chan int, 1)
		go func() { exit, _ := s.run("a@x.test", []string{"b@y.test"}); res <- exit }()
		select {
		case <-res:
		case <-time.After(20 * time.Second):
			t.Fatal("no end after 20 s")
		}
		got := wait()
		if out.String() != tt.out {
			t.Errorf("%s: reports %q, want %q", tt.code, out.String(), tt.out)
		}
		nb := strings.Count(got, "BDAT ")
		if !strings.HasPrefix(got, "EHLO MAIL RCPT BDAT BDAT ") || !strings.HasSuffix(got, "BDAT QUIT ") || nb > 8 || strings.Contains(got, "LAST") {
			t.Errorf("%s: server saw %q", tt.code, got)
		}
	}
}

// TestPartial: the last byte decides, from wherever the message starts;
// the position is kept.
func TestPartial(t *testing.T) {
	for _, c := range []struct {
		msg  string
		skip int64
		want bool
	}{{"", 0, false}, {"a\n", 0, false}, {"a\r", 0, false}, {"a\r\n", 0, false}, {"a\nb", 0, true},
		{"x", 1, false}, {"\nab", 1, true}, {"ab\n", 2, false}} {
		r := strings.NewReader(c.msg)
		r.Seek(c.skip, io.SeekStart)
		got, ok, err := partial(r)
		if !ok || err != nil || got != c.want {
			t.Errorf("partial(%q from %d) = %v, %v, %v; want %v", c.msg, c.skip, got, ok, err, c.want)
		}
		if pos, _ := r.Seek(0, io.SeekCurrent); pos != c.skip {
			t.Errorf("partial(%q) left the position at %d, not %d", c.msg, pos, c.skip)
		}
	}
	if _, ok, _ := partial(struct{ io.Reader }{strings.NewReader("a")}); ok {
		t.Error("a reader that cannot seek: ok")
	}
}
