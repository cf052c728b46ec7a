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
		{"a\r\nb\n", "a\r\r\nb\r\n", nil}, // CR passes through (SPEC 5.8 REC)
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
	f.Fuzz(func(t *testing.T, in []byte) {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		err := WriteBody(w, bytes.NewReader(in))
		w.Flush()
		partial := len(in) > 0 && in[len(in)-1] != '\n'
		if partial != (err == ErrPartialLine) {
			t.Fatalf("err %v for %q", err, in)
		}
		// Undo the transformation: it must give the input back.
		out := b.Bytes()
		if !partial {
			back := bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n"))
			var lines [][]byte
			for _, l := range bytes.SplitAfter(back, []byte("\n")) {
				if len(l) > 0 && l[0] == '.' {
					if len(l) < 2 || l[1] != '.' {
						t.Fatalf("unstuffed dot line in %q", out)
					}
					l = l[1:]
				}
				lines = append(lines, l)
			}
			if !bytes.Equal(bytes.Join(lines, nil), in) && !bytes.Contains(in, []byte("\r\n")) {
				t.Fatalf("round trip %q -> %q", in, out)
			}
		}
	})
}
