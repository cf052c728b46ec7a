package smtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestWriteBody(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"", "", nil},
		{"a\n.b\n..c\n", "a\r\n..b\r\n...c\r\n", nil}, // SPEC 5.11
		{"a\n.b\n", "a\r\n..b\r\n", nil},              // Appendix B 15
		{".\n", "..\r\n", nil},
		{"\n\n", "\r\n\r\n", nil},
		{"x.\n. \n", "x.\r\n.. \r\n", nil},
		// SPEC D25: CR LF stays CR LF, a CR alone becomes CR LF, and
		// every line so produced is dot-stuffed.
		{"a\r\nb\n", "a\r\nb\r\n", nil},
		{"a\rb\n", "a\r\nb\r\n", nil},
		{"a\r.b\r\n.c\n", "a\r\n..b\r\n..c\r\n", nil},
		{"\r\r\n\n", "\r\n\r\n\r\n", nil},
		{"\n\r", "\r\n\r\n", nil},
		{"a\r", "a\r\n", nil}, // a CR ends the last line
		{".\r\n.\r.\n", "..\r\n..\r\n..\r\n", nil},
		{"a\r\n\r\n", "a\r\n\r\n", nil},
		{"a\r\nb", "a\r\nb", ErrPartialLine},
		{"\x00\xff\xe9\n", "\x00\xff\xe9\r\n", nil},
		{"abc", "abc", ErrPartialLine},
		{"a\nb", "a\r\nb", ErrPartialLine},
		{"a\n.", "a\r\n..", ErrPartialLine},
	}
	for _, tt := range tests {
		for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
			var b bytes.Buffer
			w := bufio.NewWriter(&b)
			err := WriteBody(w, r)
			w.Flush()
			if err != tt.err || b.String() != tt.want {
				t.Errorf("WriteBody(%q) = %q, %v; want %q, %v", tt.in, b.String(), err, tt.want, tt.err)
			}
		}
	}
}

func TestWriteBodyLong(t *testing.T) {
	line := strings.Repeat("y", 3*BlockSize+17)
	in := "." + line + "\n." + line + "\n"
	want := ".." + line + "\r\n.." + line + "\r\n"
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	if err := WriteBody(w, strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if b.String() != want {
		t.Fatal("long lines mangled")
	}
}

// TestWriteBodyBoundary splits CR LF and CR '.' across reads at every
// offset: the output must not depend on where a read ends (SPEC D25).
func TestWriteBodyBoundary(t *testing.T) {
	in := "ab\r\n.c\r.d\r\r\n\n.e\n"
	want := "ab\r\n..c\r\n..d\r\n\r\n\r\n..e\r\n"
	for cut := 0; cut <= len(in); cut++ {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		r := io.MultiReader(strings.NewReader(in[:cut]), strings.NewReader(in[cut:]))
		if err := WriteBody(w, r); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if b.String() != want {
			t.Errorf("cut at %d: %q, want %q", cut, b.String(), want)
		}
	}
}

func TestWriteBodyErrors(t *testing.T) {
	var b bytes.Buffer
	err := WriteBody(bufio.NewWriter(&b), iotest.TimeoutReader(strings.NewReader("a\n")))
	var re *ReadError
	if !errors.As(err, &re) {
		t.Errorf("read error: got %v", err)
	}
	w := bufio.NewWriterSize(failWriter{}, 16)
	err = WriteBody(w, strings.NewReader(strings.Repeat("a\n", 100)))
	if err == nil || errors.As(err, &re) {
		t.Errorf("write error: got %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func FuzzWriteBody(f *testing.F) {
	f.Add([]byte("a\n.b\n"))
	f.Add([]byte("a\r\n.b\r.c\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		err := WriteBody(w, iotest.HalfReader(bytes.NewReader(in)))
		w.Flush()
		last := byte(0)
		if len(in) > 0 {
			last = in[len(in)-1]
		}
		partial := len(in) > 0 && last != '\n' && last != '\r'
		if partial != (err == ErrPartialLine) {
			t.Fatalf("err %v for %q", err, in)
		}
		out := b.Bytes()
		// SPEC D25: no CR without LF after it, no LF without CR before it.
		for i, c := range out {
			if c == '\r' && i+1 < len(out) && out[i+1] != '\n' || c == '\r' && i+1 == len(out) && !partial {
				t.Fatalf("bare CR at %d in %q", i, out)
			}
			if c == '\n' && (i == 0 || out[i-1] != '\r') {
				t.Fatalf("bare LF at %d in %q", i, out)
			}
		}
		if partial {
			return
		}
		// Undo the transformation: with every line end made LF, it must
		// give the input back.
		norm := bytes.ReplaceAll(in, []byte("\r\n"), []byte("\n"))
		norm = bytes.ReplaceAll(norm, []byte("\r"), []byte("\n"))
		var lines [][]byte
		for _, l := range bytes.SplitAfter(bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n")), []byte("\n")) {
			if len(l) > 0 && l[0] == '.' {
				if len(l) < 2 || l[1] != '.' {
					t.Fatalf("unstuffed dot line in %q", out)
				}
				l = l[1:]
			}
			lines = append(lines, l)
		}
		if got := bytes.Join(lines, nil); !bytes.Equal(got, norm) {
			t.Fatalf("round trip %q -> %q", in, out)
		}
	})
}

// BenchmarkWriteBody: a mail-like message (lines of 0-120 bytes, no CR).
func BenchmarkWriteBody(b *testing.B) {
	var msg []byte
	for i := 0; len(msg) < 8<<20; i++ {
		msg = append(msg, strings.Repeat("x", i%121)...)
		msg = append(msg, '\n')
	}
	w := bufio.NewWriterSize(io.Discard, BlockSize)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := WriteBody(w, bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}
