package main

import (
	"io"
	"strings"
	"sync"
	"testing"
)

// A recorder notes, in order, each write the client starts ('W') and
// each read that brought it bytes ('R'). A write is noted when it starts
// and a read when it ends, so a reply can never be noted before the
// write that it answers, whatever the goroutines do.
type recorder struct {
	r      io.Reader
	w      io.Writer
	mu     sync.Mutex
	events []byte
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.note('R')
	}
	return n, err
}

func (c *recorder) Write(p []byte) (int, error) {
	c.note('W')
	return c.w.Write(p)
}

func (c *recorder) note(e byte) {
	c.mu.Lock()
	c.events = append(c.events, e)
	c.mu.Unlock()
}

// roundTrips counts what a delivery costs on a slow link: the TCP
// handshake, then one round trip for every time the client waits for
// the server, that is every run of reads (the greeting, the EHLO reply,
// ...). QUIT, written last and never read, costs none.
func roundTrips(events []byte) int {
	n := 1
	for i, e := range events {
		if e == 'R' && (i == 0 || events[i-1] == 'W') {
			n++
		}
	}
	return n
}

// Round trips of one small delivery (issue 9, item 9): lock step 7 with
// one recipient and one more per further recipient; PIPELINING 5
// (handshake, greeting, EHLO, envelope and DATA, body); CHUNKING 4 (the
// message goes with the envelope). QUIT is the last thing written and
// is not waited for.
func TestRoundTrips(t *testing.T) {
	for _, tt := range []struct {
		name, ext, verbs string
		rcpts            []string
		want             int
	}{
		{"lock step", "", "EHLO MAIL RCPT DATA QUIT ", []string{"b@y.test"}, 7},
		{"lock step, 2 recipients", "", "EHLO MAIL RCPT RCPT DATA QUIT ", []string{"b@y.test", "c@y.test"}, 8},
		{"PIPELINING", "250-PIPELINING\r\n", "EHLO MAIL RCPT DATA QUIT ", []string{"b@y.test"}, 5},
		{"PIPELINING, 2 recipients", "250-PIPELINING\r\n", "EHLO MAIL RCPT RCPT DATA QUIT ", []string{"b@y.test", "c@y.test"}, 5},
		{"CHUNKING", "250-PIPELINING\r\n250-CHUNKING\r\n", "EHLO MAIL RCPT LAST QUIT ", []string{"b@y.test"}, 4},
		{"CHUNKING, 2 recipients", "250-PIPELINING\r\n250-CHUNKING\r\n", "EHLO MAIL RCPT RCPT LAST QUIT ", []string{"b@y.test", "c@y.test"}, 4},
	} {
		rec := &recorder{}
		s, out, wait := pipePeerRec(t, tt.ext, false, nil, rec)
		s.run("a@x.test", tt.rcpts)
		verbs := wait()
		rec.mu.Lock()
		events := string(rec.events)
		rec.mu.Unlock()
		if got := roundTrips(rec.events); got != tt.want || verbs != tt.verbs || !strings.HasSuffix(events, "RW") ||
			!strings.HasPrefix(out.String(), strings.Repeat("r\x00", len(tt.rcpts))+"K") {
			t.Errorf("%s: %d round trips (%s), want %d; server read %q; reports %q", tt.name, got, events, tt.want, verbs, out.String())
		} else {
			t.Logf("%s: %d round trips: %s", tt.name, got, events)
		}
	}
}
