package trace

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestNilIsOff(t *testing.T) {
	var tr *T
	tr.Sent("x")
	tr.Got([]byte("250 ok\n"))
	tr.Note("x")
	tr.Secret()
	tr.Masked(334)
	if tr.File() != nil {
		t.Error("a nil transcript has a file")
	}
	if New(nil, "x") != nil {
		t.Error("New(nil) is not nil")
	}
	t.Setenv("TRACEFD", "2")
	if FromEnv("x") != nil {
		t.Error("TRACEFD=2 accepted: fd 2 is never a transcript")
	}
	t.Setenv("TRACEFD", "999")
	if FromEnv("x") != nil {
		t.Error("TRACEFD of a closed descriptor accepted")
	}
}

func TestLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t")
	f, _ := os.Create(p)
	tr := New(f, "prog")
	tr.Sent("EHLO x")
	tr.Got([]byte("250-a\n250 b\x01\n"))
	tr.Secret()
	tr.Masked(334)
	tr.Note("done")
	f.Close()
	b, _ := os.ReadFile(p)
	got := regexp.MustCompile(`(?m)^prog\[[0-9]+\] [0-9]+\.[0-9]{3} `).ReplaceAllString(string(b), "")
	want := "> EHLO x\n< 250-a\n< 250 b?\n> <AUTH data hidden>\n< 334 <AUTH data hidden>\n* done\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBound(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t")
	f, _ := os.Create(p)
	tr := New(f, "prog")
	for range 10000 {
		tr.Sent(strings.Repeat("x", 100))
	}
	f.Close()
	b, _ := os.ReadFile(p)
	if len(b) > Max || !strings.HasSuffix(string(b), "* transcript cut: 65536 bytes\n") {
		t.Errorf("%d bytes, ending %q", len(b), b[max(len(b)-40, 0):])
	}
}

func TestWriteFailureStops(t *testing.T) {
	f, err := os.Open(os.DevNull) // read-only: every write fails
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	tr := New(f, "prog")
	tr.Sent("x")
	if tr.left != 0 {
		t.Error("a failed write did not end the transcript")
	}
}
