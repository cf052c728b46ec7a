package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/scache"
	"qmail-remote-go/lib/trace"
)

// The session cache (reuse.go): a session from the cache proved by RSET,
// the K line that says so, and the hand-back instead of QUIT.

const (
	t0   = 1_800_000_000 // the tests' now
	born = t0 - 42       // when the cached session's connection was made
	// cMsg: the message as BDAT LAST sends it
	cMsg   = "BDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\n"
	cEnv   = "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n"
	kReuse = "Session reused: message 4 on this connection, opened 42 s ago.\n"
)

var (
	extPipe  = map[string]string{"PIPELINING": "", "8BITMIME": ""}
	extChunk = map[string]string{"PIPELINING": "", "CHUNKING": "", "8BITMIME": ""}
	extLock  = map[string]string{"8BITMIME": ""}
)

// A putter is a cache that keeps what it is given (or fails).
type putter struct {
	n       int
	key     string
	proto   string
	expires int64
	st      scache.State
	files   int
	fail    error
}

func (p *putter) Put(key, proto string, expires int64, st scache.State, files ...*os.File) error {
	p.n++
	p.key, p.proto, p.expires, p.st, p.files = key, proto, expires, st, len(files)
	return p.fail
}

// cached is a session test: the state of a session from the cache (nil:
// a fresh one) and the server's bytes; it returns what the client sent,
// the reports and the exit code.
type cached struct {
	from     *scache.State
	server   string
	keep     *putter
	messages int
	rcpts    []string
	setup    func(s *session)
	pre      func(s *session) // before resume
}

func (c cached) run(t *testing.T) (client, out string, exit int) {
	t.Helper()
	var cl, o bytes.Buffer
	s := &session{r: bufio.NewReaderSize(strings.NewReader(c.server), 16), w: bufio.NewWriter(&cl),
		msg: strings.NewReader(message), out: &o, ip: "192.0.2.1", helo: "helo.test", level: tlsTry}
	s.cache = reuse{from: c.from, key: "k1", messages: c.messages, lifetime: 300, born: t0 - 5,
		now: func() time.Time { return time.Unix(t0, 0) }}
	if c.messages == 0 {
		s.cache.messages = 100
	}
	if c.keep != nil {
		s.cache.keep = c.keep
		// The channel: the read end of one pipe, the write end of another.
		r, w1, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r2, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w1.Close(); r2.Close(); w.Close() })
		s.chanFiles = func() (*os.File, *os.File) { return r, w }
	}
	if c.pre != nil {
		c.pre(s)
	}
	if c.from != nil {
		s.cache.born = c.from.Born
		if why := s.resume(); why != "" {
			t.Fatalf("resume: %s", why)
		}
	}
	if c.setup != nil {
		c.setup(s)
	}
	rcpts := c.rcpts
	if rcpts == nil {
		rcpts = []string{"b@y.test"}
	}
	exit, _ = s.run("a@x.test", rcpts)
	return cl.String(), o.String(), exit
}

func state(ext map[string]string, tls map[string]string) *scache.State {
	return &scache.State{Born: born, Count: 3, Ext: ext, TLS: tls}
}

// TestReusedProof: every row of the table of RSET's reply (doc/behaviour.md D36,
// "Proof of life").
func TestReusedProof(t *testing.T) {
	const (
		kText   = "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 queued\n" + kReuse + "\x00"
		stale   = ""
		dupeOut = dupe
	)
	for _, tt := range []struct {
		name   string
		ext    map[string]string
		server string
		client string
		out    string
		exit   int
	}{
		{"CHUNKING, RSET 250: one write, K with the reused line", extChunk,
			"250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n",
			"RSET\r\n" + cEnv + cMsg + "QUIT\r\n", kText, 0},
		{"PIPELINING, RSET 250: DATA, the body, K", extPipe,
			"250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n",
			"RSET\r\n" + cEnv + "DATA\r\n" + wire + "QUIT\r\n", kText, 0},
		{"PIPELINING, RSET 421: stale, no QUIT, nothing on fd 1", extPipe,
			"421 closing\r\n",
			"RSET\r\n" + cEnv + "DATA\r\n", stale, handoff.ExitStale},
		{"CHUNKING, RSET 421 with BDAT LAST in flight: stale (RFC 5321 3.8)", extChunk,
			"421 closing\r\n250 ok\r\n250 ok\r\n250 queued\r\n",
			"RSET\r\n" + cEnv + cMsg, stale, handoff.ExitStale},
		{"PIPELINING, EOF before any reply: stale", extPipe,
			"",
			"RSET\r\n" + cEnv + "DATA\r\n", stale, handoff.ExitStale},
		{"CHUNKING, EOF before any reply, BDAT LAST in flight: Possible duplicate!", extChunk,
			"",
			"RSET\r\n" + cEnv + cMsg, dupeOut, 0},
		{"PIPELINING, malformed reply to RSET: stale", extPipe,
			"hello\r\n",
			"RSET\r\n" + cEnv + "DATA\r\n", stale, handoff.ExitStale},
		{"CHUNKING, malformed reply to RSET, BDAT LAST in flight: Possible duplicate!", extChunk,
			"2x0 what\r\n",
			"RSET\r\n" + cEnv + cMsg, dupeOut, 0},
		{"PIPELINING, RSET 500, no data in flight: stale", extPipe,
			"500 what\r\n250 ok\r\n250 ok\r\n354 go\r\n",
			"RSET\r\n" + cEnv + "DATA\r\n", stale, handoff.ExitStale},
		{"PIPELINING, RSET 451, no data in flight: stale", extPipe,
			"451 later\r\n",
			"RSET\r\n" + cEnv + "DATA\r\n", stale, handoff.ExitStale},
		{"CHUNKING, RSET 500 with BDAT LAST in flight: the other replies read, today's rules", extChunk,
			"500 what\r\n250 ok\r\n250 ok\r\n250 queued\r\n",
			"RSET\r\n" + cEnv + cMsg + "QUIT\r\n", kText, 0},
		{"CHUNKING, RSET 500 with BDAT LAST in flight, then MAIL 553: D as today", extChunk,
			"500 what\r\n553 no\r\n503 no\r\n503 no\r\n",
			"RSET\r\n" + cEnv + cMsg + "QUIT\r\n",
			"DConnected to 192.0.2.1 but sender was rejected.\nRemote host said: 553 no\n\x00", 0},
		{"CHUNKING, RSET 250 then EOF: Possible duplicate! as today", extChunk,
			"250 ok\r\n250 ok\r\n250 ok\r\n",
			"RSET\r\n" + cEnv + cMsg, "r\x00" + dupeOut, 0},
		{"PIPELINING, RSET 250 then EOF: connection died as today", extPipe,
			"250 ok\r\n",
			"RSET\r\n" + cEnv + "DATA\r\n", died, 0},
		{"no PIPELINING, RSET 250: RSET alone, then lock step", extLock,
			"250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n",
			"RSET\r\n" + cEnv + "DATA\r\n" + wire + "QUIT\r\n", kText, 0},
		{"no PIPELINING, RSET 421: stale after RSET alone", extLock,
			"421 closing\r\n",
			"RSET\r\n", stale, handoff.ExitStale},
		{"no PIPELINING, RSET 502: stale", extLock,
			"502 what\r\n",
			"RSET\r\n", stale, handoff.ExitStale},
		{"no PIPELINING, EOF: stale", extLock,
			"",
			"RSET\r\n", stale, handoff.ExitStale},
		{"no PIPELINING, RSET 250 then EOF: connection died as today", extLock,
			"250 ok\r\n",
			"RSET\r\nMAIL FROM:<a@x.test>\r\n", died, 0},
	} {
		client, out, exit := cached{from: state(tt.ext, nil), server: tt.server}.run(t)
		if client != tt.client || out != tt.out || exit != tt.exit {
			t.Errorf("%s:\nsent %q\nwant %q\nreports %q\nwant    %q\nexit %d, want %d", tt.name, client, tt.client, out, tt.out, exit, tt.exit)
		}
	}
}

// TestReusedWriteFails: RSET that cannot be written is stale too.
func TestReusedWriteFails(t *testing.T) {
	var o bytes.Buffer
	s := &session{r: bufio.NewReader(strings.NewReader("")), w: bufio.NewWriter(&limitWriter{}),
		msg: strings.NewReader(message), out: &o, ip: "192.0.2.1", helo: "helo.test"}
	s.cache.from = state(extLock, nil)
	if why := s.resume(); why != "" {
		t.Fatal(why)
	}
	if exit, diag := s.run("a@x.test", []string{"b@y.test"}); exit != handoff.ExitStale || diag != "" || o.Len() != 0 {
		t.Errorf("exit %d %q, reports %q", exit, diag, o.String())
	}
}

// TestReusedReports: a session from the cache reports as a fresh one,
// with one more last line; over TLS the TLS line comes from the state.
func TestReusedReports(t *testing.T) {
	tls := map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "TLS_AES_128_GCM_SHA256",
		"TLSWRAP_VERIFY": "certificate verified for mx.test"}
	client, out, exit := cached{from: state(extChunk, tls), server: "250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n"}.run(t)
	want := "r\x00K192.0.2.1 TLS transmitted message accepted.\nRemote host said: 250 queued\n" +
		"TLS: TLSv1.3 TLS_AES_128_GCM_SHA256; certificate verified for mx.test\n" + kReuse + "\x00"
	if out != want || exit != 0 || client != "RSET\r\n"+cEnv+cMsg+"QUIT\r\n" {
		t.Errorf("got %q %q %d", client, out, exit)
	}
	// Not K: no such line.
	_, out, _ = cached{from: state(extChunk, nil), server: "250 ok\r\n250 ok\r\n250 ok\r\n554 spam\r\n"}.run(t)
	if out != "r\x00D192.0.2.1 failed after I sent the message.\nRemote host said: 554 spam\n\x00" {
		t.Errorf("D: %q", out)
	}
	// A recipient refused after RSET: its report, then K.
	_, out, _ = cached{from: state(extChunk, nil), rcpts: []string{"b@y.test", "c@y.test"},
		server: "250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n250 queued\r\n"}.run(t)
	if out != "h192.0.2.1 does not like recipient.\nRemote host said: 550 no\n\x00r\x00K192.0.2.1 accepted message.\nRemote host said: 250 queued\n"+kReuse+"\x00" {
		t.Errorf("h, r, K: %q", out)
	}
	// A fresh session says nothing of the cache, kept or not.
	_, out, _ = cached{server: hi + ehloChunk + "250 ok\r\n250 ok\r\n250 queued\r\n", keep: &putter{}}.run(t)
	if out != "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 queued\n\x00" {
		t.Errorf("fresh: %q", out)
	}
}

// TestResume: a session from the cache is used only when it fits:
// never clear text under TLS=must, never when AUTH is due.
func TestResume(t *testing.T) {
	tls := map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "C", "TLSWRAP_VERIFY": "certificate verified for mx.test"}
	for _, tt := range []struct {
		name  string
		level string
		tls   map[string]string
		auth  bool
		ok    bool
	}{
		{"clear, try", tlsTry, nil, false, true},
		{"TLS, must", tlsMust, tls, false, true},
		{"clear, must", tlsMust, nil, false, false},
		{"TLS, AUTH due", tlsTry, tls, true, false},
	} {
		s := &session{level: tt.level}
		s.cache.from = state(extChunk, tt.tls)
		if tt.auth {
			s.runAuth = func([]string) (int, []byte) { return 0, nil }
			s.authParam = func() (int, []byte) { t.Error("authclient -m for a session that never authenticated"); return 0, nil }
		}
		if why := s.resume(); (why == "") != tt.ok {
			t.Errorf("%s: %q", tt.name, why)
		}
		if s.tlsOn != (tt.tls != nil) || len(s.ext) != 3 {
			t.Errorf("%s: TLS %v, ext %q", tt.name, s.tlsOn, s.ext)
		}
	}
	s := &session{level: tlsMust, mech: "MTA-STS enforce"}
	s.cache.from = state(extChunk, tls)
	s.resume()
	if s.tlsLine != "TLS: TLSv1.3 C; MTA-STS enforce: certificate verified for mx.test\n" || !s.verifies {
		t.Errorf("TLS line %q, verifies %v", s.tlsLine, s.verifies)
	}
}

// TestResumeAuth: a session from the cache that authenticated is used
// only by a delivery with credentials, and only once authclient -m gave
// MAIL's parameter; never a byte sent before (the caller's stale).
func TestResumeAuth(t *testing.T) {
	tls := map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "C", "TLSWRAP_VERIFY": "certificate verified for mx.test"}
	for _, tt := range []struct {
		name  string
		creds bool
		exit  int
		out   string
		ok    bool
		param string
	}{
		{"credentials, -m prints the line", true, 0, "AUTH=alice+2Bx\n", true, " AUTH=alice+2Bx"},
		{"no credentials", false, 0, "", false, ""},
		{"-m fails (Z, exit 111)", true, 111, "ZConnected to 192.0.2.1 but the AUTH username is empty. (#4.7.0)\n\x00", false, ""},
		{"-m cannot be run", true, notRun, "fork/exec: no such file", false, ""},
		{"-m killed", true, -1, "", false, ""},
		{"-m prints no LF", true, 0, "AUTH=alice", false, ""},
		{"-m prints something else", true, 0, "AUTH=a b\n", false, ""},
		{"-m prints two lines", true, 0, "AUTH=a\nAUTH=b\n", false, ""},
	} {
		s := &session{level: tlsTry}
		from := state(extChunk, tls)
		from.Auth = true
		s.cache.from = from
		ran := 0
		if tt.creds {
			s.runAuth = func([]string) (int, []byte) {
				t.Errorf("%s: an AUTH exchange on a session from the cache", tt.name)
				return 0, nil
			}
			s.authParam = func() (int, []byte) { ran++; return tt.exit, []byte(tt.out) }
		}
		why := s.resume()
		if (why == "") != tt.ok || s.mailParam != tt.param || s.authed != tt.ok || ran > 1 {
			t.Errorf("%s: %q, param %q, authed %v, ran %d", tt.name, why, s.mailParam, s.authed, ran)
		}
	}
}

// TestHandBackAuth: a session that authenticated goes back with auth
// yes, and the user is in no field of the put; the next delivery reuses
// it with the AUTH= parameter authclient -m gives, sends no AUTH, and
// its transcript holds no user either.
func TestHandBackAuth(t *testing.T) {
	const user = "AUTH=alice+2Bsecret"
	p := &putter{}
	tr1, read1 := traceFile(t)
	client, out, exit := cached{keep: p,
		setup: func(s *session) {
			// one byte at a time: nothing waits in our buffer when authclient runs
			s.r = bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(hi+
				"250-mx\r\n250-AUTH PLAIN\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 8BITMIME\r\n250 ok\r\n250 ok\r\n250 queued\r\n")), 16)
			s.clearAuthOK = true
			s.runAuth = func(m []string) (int, []byte) { return 0, []byte(user + "\n") }
			s.trace = tr1
		}}.run(t)
	if exit != 0 || p.n != 1 || !p.st.Auth || p.st.Count != 1 || !strings.Contains(client, "MAIL FROM:<a@x.test> "+user+"\r\n") {
		t.Fatalf("fresh: exit %d, %d puts %+v, sent %q, reports %q", exit, p.n, p.st, client, out)
	}
	rec, err := scache.PutRecord(p.key, p.proto, p.expires, p.st).Marshal()
	if err != nil || !strings.Contains(string(rec), "\nauth yes\n") || strings.Contains(string(rec), "alice") {
		t.Errorf("put record %q, %v", rec, err)
	}
	if tr := read1(); strings.Contains(tr, "alice") || !strings.Contains(tr, "AUTH=<AUTH data hidden>") {
		t.Errorf("fresh transcript %q", tr)
	}

	from := p.st
	p2 := &putter{}
	tr2, read2 := traceFile(t)
	client, out, exit = cached{from: &from, keep: p2, server: "250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n",
		pre: func(s *session) {
			s.runAuth = func([]string) (int, []byte) { t.Error("AUTH again"); return 0, nil }
			s.authParam = func() (int, []byte) { return 0, []byte(user + "\n") }
			s.trace = tr2
		}}.run(t)
	if exit != 0 || client != "RSET\r\nMAIL FROM:<a@x.test> "+user+"\r\nRCPT TO:<b@y.test>\r\n"+cMsg ||
		!strings.HasSuffix(out, "Session reused: message 2 on this connection, opened 5 s ago.\n\x00") {
		t.Errorf("reused: exit %d, sent %q, reports %q", exit, client, out)
	}
	if p2.n != 1 || !p2.st.Auth || p2.st.Count != 2 {
		t.Errorf("reused put: %+v", *p2)
	}
	if tr := read2(); strings.Contains(tr, "alice") || !strings.Contains(tr, "AUTH=<AUTH data hidden>") || !strings.Contains(tr, "RSET") {
		t.Errorf("reused transcript %q", tr)
	}
}

// traceFile is a transcript into a file of the test's, and what it holds.
func traceFile(t *testing.T) (*trace.T, func() string) {
	f, err := os.CreateTemp(t.TempDir(), "trace")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return trace.New(f, prog), func() string {
		b, _ := os.ReadFile(f.Name())
		return string(b)
	}
}

// TestHandBack: after a K that may be cached the session goes back to
// the cache instead of QUIT; in every other case QUIT as today.
func TestHandBack(t *testing.T) {
	const freshOK = hi + ehloChunk + "250 ok\r\n250 ok\r\n250 queued\r\n"
	const reusedOK = "250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n"
	for _, tt := range []struct {
		name     string
		c        cached
		put      bool // handed back
		count    int  // the count it went back with
		quitSent bool
	}{
		{"fresh, K: put, count 1, no QUIT", cached{server: freshOK}, true, 1, false},
		{"reused, K: put, count 4", cached{from: state(extChunk, nil), server: reusedOK}, true, 4, false},
		{"reused, count 99 of 100: the 100th message, put no more",
			cached{from: &scache.State{Born: born, Count: 99, Ext: extChunk}, server: reusedOK}, false, 0, true},
		{"reused, count 98 of 100: put with 99",
			cached{from: &scache.State{Born: born, Count: 98, Ext: extChunk}, server: reusedOK}, true, 99, false},
		{"SESSIONMESSAGES 1: never",
			cached{server: freshOK, messages: 1}, false, 0, true},
		{"SESSIONLIFETIME reached: no put",
			cached{from: &scache.State{Born: t0 - 300, Count: 1, Ext: extChunk}, server: reusedOK}, false, 0, true},
		{"SESSIONLIFETIME one second short: put",
			cached{from: &scache.State{Born: t0 - 299, Count: 1, Ext: extChunk}, server: reusedOK}, true, 2, false},
		{"a 4xx reply (one recipient greylisted): no put",
			cached{server: hi + ehloChunk + "250 ok\r\n450 grey\r\n250 ok\r\n250 queued\r\n", rcpts: []string{"b@y.test", "c@y.test"}}, false, 0, true},
		{"a 4xx reply to EHLO, HELO 250: no put",
			cached{server: hi + "421 odd\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"}, false, 0, true},
		{"RSET 500 with BDAT LAST in flight, K: no put",
			cached{from: state(extChunk, nil), server: "500 what\r\n250 ok\r\n250 ok\r\n250 queued\r\n"}, false, 0, true},
		{"STARTTLS rejected (a note): no put",
			cached{server: hi + "250-mx\r\n250-STARTTLS\r\n250 PIPELINING\r\n502 no\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n",
				setup: func(s *session) { s.side = &helperSide{} }}, false, 0, true},
		{"the server sent more than its replies: no put",
			cached{setup: func(s *session) { s.r = bufio.NewReader(strings.NewReader(freshOK + "421 bye\r\n")) }}, false, 0, true},
		{"AUTH 235: put (as authenticated, TestHandBackAuth)",
			cached{setup: func(s *session) {
				s.r = bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(freshOK)), 16)
				s.runAuth = func([]string) (int, []byte) { return 0, []byte("AUTH=u\n") }
			}}, true, 1, false},
		{"AUTH: no mechanism in common (D3): no put",
			cached{setup: func(s *session) {
				s.r = bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(freshOK)), 16)
				s.runAuth = func([]string) (int, []byte) { return 1, nil }
			}}, false, 0, true},
		{"SMTPS: no put",
			cached{server: freshOK, setup: func(s *session) { s.immediate = true }}, false, 0, true},
		{"no key: no put",
			cached{server: freshOK, setup: func(s *session) { s.cache.key = "" }}, false, 0, true},
		{"an outer wrapper's channel: no put",
			cached{server: freshOK, setup: func(s *session) { s.side = &wrapperSide{} }}, false, 0, true},
		{"not K: no put",
			cached{server: hi + ehloChunk + "250 ok\r\n250 ok\r\n554 spam\r\n"}, false, 0, true},
	} {
		tt.c.keep = &putter{}
		client, out, exit := tt.c.run(t)
		p := tt.c.keep
		if (p.n == 1) != tt.put || p.n > 1 || strings.HasSuffix(client, "QUIT\r\n") != tt.quitSent || exit != 0 {
			t.Errorf("%s: %d puts, sent %q, reports %q, exit %d", tt.name, p.n, client, out, exit)
			continue
		}
		if tt.put && (p.key != "k1" || p.proto != "smtp" || p.st.Count != tt.count || p.files != 2 ||
			p.expires != p.st.Born+300 || p.st.Ext["CHUNKING"] != "" || len(p.st.Ext) != 3 || len(p.st.TLS) != 0) {
			t.Errorf("%s: put %+v", tt.name, *p)
		}
	}
}

// TestHandBackState: what goes back: born and count, the EHLO keywords
// after STARTTLS, the TLS entries of the K report; a reused session's
// as they came, born unchanged.
func TestHandBackState(t *testing.T) {
	tls := map[string]string{"SSL_PROTOCOL": "TLSv1.3", "SSL_CIPHER": "X", "TLSWRAP_VERIFY": "certificate not checked"}
	p := &putter{}
	cached{from: &scache.State{Born: born, Count: 7, Ext: extChunk, TLS: tls}, keep: p,
		server: "250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n"}.run(t)
	if p.n != 1 || p.st.Born != born || p.st.Count != 8 || p.st.TLS["SSL_PROTOCOL"] != "TLSv1.3" || len(p.st.TLS) != 3 ||
		p.expires != born+300 {
		t.Errorf("reused TLS: %+v", *p)
	}
	p = &putter{}
	cached{keep: p, server: hi + ehloChunk + "250 ok\r\n250 ok\r\n250 queued\r\n"}.run(t)
	if p.n != 1 || p.st.Born != t0-5 || p.st.Count != 1 || p.expires != t0-5+300 {
		t.Errorf("fresh: %+v", *p)
	}
	env := reportEnv(map[string]string{"SSL_PROTOCOL": "TLSv1.2", "SSL_CIPHER": "C", "TLSWRAP_VERIFY": "v",
		"TLSWRAP_AUDIT": "a", "TLSWRAP_REASON": "r", "SSL_PEER": "p"})
	if len(env) != 4 || env["TLSWRAP_AUDIT"] != "a" {
		t.Errorf("reportEnv: %q", env)
	}
	if encodable(scache.State{Ext: map[string]string{"X": "a\x00b"}}) || !encodable(scache.State{Ext: extChunk, TLS: tls}) {
		t.Error("encodable")
	}
}

// TestHandBackFails: a put that fails leaves the session ours: QUIT,
// and the K stands.
func TestHandBackFails(t *testing.T) {
	p := &putter{fail: errors.New("cache gone")}
	client, out, exit := cached{keep: p, server: hi + ehloChunk + "250 ok\r\n250 ok\r\n250 queued\r\n"}.run(t)
	if p.n != 1 || !strings.HasSuffix(client, cMsg+"QUIT\r\n") || exit != 0 ||
		out != "r\x00K192.0.2.1 accepted message.\nRemote host said: 250 queued\n\x00" {
		t.Errorf("%d puts, sent %q, reports %q", p.n, client, out)
	}
}

// TestChannel: one socket on fds 6 and 7 goes as one descriptor, two
// pipes as two.
func TestChannel(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	a := os.NewFile(uintptr(fds[0]), "a")
	b := os.NewFile(uintptr(fds[1]), "b")
	defer a.Close()
	defer b.Close()
	d, err := syscall.Dup(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	a2 := os.NewFile(uintptr(d), "a2")
	defer a2.Close()
	s := &session{chanFiles: func() (*os.File, *os.File) { return a, a2 }}
	if f, ok := s.channel(); !ok || len(f) != 1 {
		t.Errorf("one socket: %d files", len(f))
	}
	s.chanFiles = func() (*os.File, *os.File) { return a, b }
	if f, ok := s.channel(); !ok || len(f) != 2 {
		t.Errorf("two: %d files", len(f))
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	s.chanFiles = func() (*os.File, *os.File) { return r, w }
	if f, ok := s.channel(); !ok || len(f) != 2 {
		t.Errorf("one pipe's ends: %d files", len(f))
	}
	s.side = &helperSide{}
	s.tlsOn = true
	if _, ok := s.channel(); ok {
		t.Error("TLS without a running tlswrap")
	}
}

// FuzzReused: whatever a session from the cache answers, either nothing
// on fd 1 and exit 113 (stale), or exit 0 and one K, Z or D, last; a
// stale session never got more than the one batch (no QUIT, no body
// after DATA).
func FuzzReused(f *testing.F) {
	for _, s := range []string{"", "250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n", "421 bye\r\n", "500 x\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n"} {
		for ext := range 3 {
			f.Add(s, uint8(ext))
		}
	}
	f.Fuzz(func(t *testing.T, server string, ext uint8) {
		e := []map[string]string{extLock, extPipe, extChunk}[ext%3]
		client, out, exit := cached{from: state(e, nil), server: server, rcpts: []string{"b@y.test", "c@y.test"}}.run(t)
		switch exit {
		case handoff.ExitStale:
			if out != "" || strings.Contains(client, "QUIT") || strings.Contains(client, "\r\n.\r\n") {
				t.Fatalf("stale, but reports %q, sent %q", out, client)
			}
		case 0:
			if !strings.HasSuffix(out, "\x00") || !strings.HasPrefix(client, "RSET\r\n") {
				t.Fatalf("reports %q, sent %q", out, client)
			}
			last := out[strings.LastIndexByte(out[:len(out)-1], 0)+1:]
			if !strings.ContainsRune("KZD", rune(last[0])) || strings.Count(out, "K") > 0 && last[0] != 'K' && strings.Contains(out, "Session reused") {
				t.Fatalf("last report %q", last)
			}
		default:
			t.Fatalf("exit %d, reports %q", exit, out)
		}
	})
}
