package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func TestCapped(t *testing.T) {
	head := &capped{max: 5}
	head.Write([]byte("abc"))
	head.Write([]byte("defg"))
	if head.String() != "abcde" || !head.over {
		t.Errorf("head: %q over=%v", head.String(), head.over)
	}
	tail := &capped{max: 5, keepTail: true}
	tail.Write([]byte("abc"))
	tail.Write([]byte("defg"))
	if tail.String() != "cdefg" || tail.over {
		t.Errorf("tail: %q", tail.String())
	}
}

// TestCappedCopy: exec copies a stage's output with io.Copy, which must
// not find a ReadFrom that bypasses the cap (a flooding stage once
// filled the memory that way).
func TestCappedCopy(t *testing.T) {
	full := 0
	head := &capped{max: 100, full: func() { full++ }}
	n, err := io.Copy(head, io.LimitReader(zeros{}, 10<<20))
	if head.buf.Len() != 100 || !head.over || full != 1 || err != errFull || n != 100 {
		t.Errorf("head: kept %d, over=%v, full called %d times, copied %d, err %v", head.buf.Len(), head.over, full, n, err)
	}
	tail := &capped{max: 100, keepTail: true}
	io.Copy(tail, io.LimitReader(zeros{}, 10<<20))
	if tail.buf.Len() != 100 || tail.buf.Cap() > 1<<20 {
		t.Errorf("tail: kept %d, capacity %d", tail.buf.Len(), tail.buf.Cap())
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestOneLine(t *testing.T) {
	if got := oneLine(" a\nb\x00c\xff \n"); got != "a?b?c?" {
		t.Errorf("got %q", got)
	}
	if got := oneLine(strings.Repeat("x", 400)); len(got) != 300 || !strings.HasSuffix(got, "...") {
		t.Errorf("long line: %d bytes", len(got))
	}
}

func TestDeliverUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"host"}, {"host", "sender"}} {
		if got := string(deliver(args)); got != "DI (qmail-remote) was invoked improperly. (#5.3.5)\n\x00" {
			t.Errorf("deliver(%q) = %q", args, got)
		}
	}
}

// TestUsageOnTerminal: the usage line goes to a terminal (a character
// device, as /dev/null is), never to a pipe or a file, which may be the
// report pipe.
func TestUsageOnTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.CreateTemp(t.TempDir(), "err")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !onTerminal(null.Stat()) || onTerminal(w.Stat()) || onTerminal(f.Stat()) {
		t.Errorf("character device %v, pipe %v, file %v", onTerminal(null.Stat()), onTerminal(w.Stat()), onTerminal(f.Stat()))
	}
}

// A stage without a message (mxlookup) gets /dev/null on fd 0, not a
// closed fd 0.
func TestStageStdinOpen(t *testing.T) {
	r := stage{name: "sh", args: []string{"-c", "exec 3<&0 && echo open"}, limit: 10 * time.Second, max: 100}.run("/bin")
	if string(r.out) != "open\n" || r.exitCode() != 0 {
		t.Errorf("fd 0 of a stage without stdin: %q, exit %d, said %q", r.out, r.exitCode(), r.said)
	}
}
