package main

import (
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseCandidates(t *testing.T) {
	got, err := parseCandidates([]byte("10 192.0.2.7 mx1.example.test\n10 2001:db8::7 mx1.example.test\n20 ::ffff:192.0.2.8 mx2.example.test\n"))
	want := []candidate{
		{10, netip.MustParseAddr("192.0.2.7"), "mx1.example.test"},
		{10, netip.MustParseAddr("2001:db8::7"), "mx1.example.test"},
		{20, netip.MustParseAddr("192.0.2.8"), "mx2.example.test"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{
		"", "\n", "10 192.0.2.7\n", "10 192.0.2.7 a b\n", "x 192.0.2.7 a\n", "-1 192.0.2.7 a\n",
		"65536 192.0.2.7 a\n", "10 192.0.2.300 a\n", "10 fe80::1%eth0 a\n", "10  192.0.2.7 a\n",
		"10 192.0.2.7 \n", "10 192.0.2.7 a\n\n",
	} {
		if c, err := parseCandidates([]byte(bad)); err == nil {
			t.Errorf("parseCandidates(%q) = %v, want an error", bad, c)
		}
	}
}

func TestWithoutMe(t *testing.T) {
	me := map[netip.Addr]bool{netip.MustParseAddr("127.0.0.1"): true}
	c := func(pref int, a string) candidate { return candidate{pref, netip.MustParseAddr(a), "x"} }
	tests := []struct {
		in, want []candidate
	}{
		{[]candidate{c(10, "192.0.2.1"), c(20, "127.0.0.1")}, []candidate{c(10, "192.0.2.1")}},
		{[]candidate{c(10, "127.0.0.1"), c(20, "192.0.2.1")}, nil},
		{[]candidate{c(10, "192.0.2.1"), c(10, "127.0.0.1")}, nil}, // equal preference to me: never
		{[]candidate{c(0, "127.0.0.1")}, nil},
		{[]candidate{c(10, "192.0.2.1"), c(20, "192.0.2.2")}, []candidate{c(10, "192.0.2.1"), c(20, "192.0.2.2")}},
	}
	for _, tt := range tests {
		if got := withoutMe(tt.in, me); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("withoutMe(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIpmeHasLoopback(t *testing.T) {
	me, err := ipme()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"127.0.0.1", "0.0.0.0", "::"} {
		if !me[netip.MustParseAddr(a)] {
			t.Errorf("ipme lacks %s", a)
		}
	}
}

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

// A stage without a message (mxlookup) gets /dev/null on fd 0, not a
// closed fd 0.
func TestStageStdinOpen(t *testing.T) {
	r := stage{name: "sh", args: []string{"-c", "exec 3<&0 && echo open"}, limit: 10 * time.Second, max: 100}.run("/bin")
	if string(r.out) != "open\n" || r.exitCode() != 0 {
		t.Errorf("fd 0 of a stage without stdin: %q, exit %d, said %q", r.out, r.exitCode(), r.said)
	}
}
