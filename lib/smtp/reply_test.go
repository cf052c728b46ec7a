package smtp

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadReply(t *testing.T) {
	tests := []struct {
		in   string
		code int
		text string
		err  error
		rest string // what is left for the next reply
	}{
		{"220 hi\r\n", 220, "220 hi\n", nil, ""},
		{"220 hi\n", 220, "220 hi\n", nil, ""},                                   // bare LF ends a line
		{"250-a\r\n250-b\r\n250 c\r\nX", 250, "250-a\n250-b\n250 c\n", nil, "X"}, // multi-line
		{"250-a\r\n999 c\r\n", 250, "250-a\n999 c\n", nil, ""},                   // continuation code unchecked
		{"250\r\n", 250, "250\n", nil, ""},                                       // no text
		{"250-\r\n250 x\r\n", 250, "250-\n250 x\n", nil, ""},
		{"550 a\rb\x00c\r\n", 550, "550 ab?c\n", nil, ""}, // CR dropped, NUL to '?'
		{"354 go\r\r\n", 354, "354 go\n", nil, ""},
		{"099 odd\r\n", 99, "099 odd\n", nil, ""},
		{"", 0, "", io.EOF, ""},
		{"250 ok", 250, "250 ok", io.ErrUnexpectedEOF, ""},
		{"250-a\r\n", 250, "250-a\n", io.ErrUnexpectedEOF, ""},
		{"25\r\n", 0, "25\n", ErrMalformed, ""},
		{"2x0 ok\r\n", 0, "2x0 ok\n", ErrMalformed, ""},
		{" 250 ok\r\n", 0, " 250 ok\n", ErrMalformed, ""},
		{"\r\n", 0, "\n", ErrMalformed, ""},
	}
	for _, tt := range tests {
		r := bufio.NewReaderSize(strings.NewReader(tt.in), 16)
		rep, err := ReadReply(r)
		if !errors.Is(err, tt.err) || err != nil && tt.err == nil {
			t.Errorf("ReadReply(%q): err %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && rep.Code != tt.code {
			t.Errorf("ReadReply(%q): code %d, want %d", tt.in, rep.Code, tt.code)
		}
		if string(rep.Text) != tt.text {
			t.Errorf("ReadReply(%q): text %q, want %q", tt.in, rep.Text, tt.text)
		}
		if rest, _ := io.ReadAll(r); err == nil && string(rest) != tt.rest {
			t.Errorf("ReadReply(%q): left %q, want %q", tt.in, rest, tt.rest)
		}
	}
}

func TestReadReplyCap(t *testing.T) {
	in := strings.Repeat("250-"+strings.Repeat("x", 96)+"\r\n", 60) + "250 end\r\n"
	rep, err := ReadReply(bufio.NewReader(strings.NewReader(in)))
	if err != nil || rep.Code != 250 {
		t.Fatalf("err %v code %d", err, rep.Code)
	}
	// SPEC D26: the first 5000 bytes of the cleaned reply, then one LF;
	// the 5000th byte (an x here) is kept, not overwritten.
	want := strings.ReplaceAll(in, "\r", "")[:MaxText] + "\n"
	if string(rep.Text) != want {
		t.Fatalf("capture %d bytes, ends %q; want %d bytes ending %q",
			len(rep.Text), rep.Text[len(rep.Text)-3:], len(want), want[len(want)-3:])
	}
	// A cut that falls just after an LF adds nothing.
	in = strings.Repeat("250-"+strings.Repeat("x", 95)+"\r\n", 60) + "250 end\r\n"
	rep, _ = ReadReply(bufio.NewReader(strings.NewReader(in)))
	if want := strings.ReplaceAll(in, "\r", "")[:MaxText]; string(rep.Text) != want {
		t.Fatalf("capture %d bytes, want %d", len(rep.Text), len(want))
	}
}

func TestReadReplyBounded(t *testing.T) {
	for name, in := range map[string]string{
		"long line":       "250 " + strings.Repeat("x", MaxReply) + "\r\n",
		"endless reply":   strings.Repeat("250-xxxxxxxx\r\n", MaxReply/14+1) + "250 end\r\n",
		"long first line": strings.Repeat("2", MaxReply+1),
	} {
		rep, err := ReadReply(bufio.NewReader(strings.NewReader(in)))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", name, err)
		}
		if len(rep.Text) > MaxText+1 {
			t.Errorf("%s: capture %d bytes", name, len(rep.Text))
		}
	}
	// Just under the bound is still a reply.
	in := "250 " + strings.Repeat("x", MaxReply-6) + "\r\n"
	if rep, err := ReadReply(bufio.NewReader(strings.NewReader(in))); err != nil || rep.Code != 250 {
		t.Errorf("reply of exactly MaxReply bytes: %v", err)
	}
}

func TestFirstLine(t *testing.T) {
	if got := FirstLine([]byte("554 go away\n554 really\n")); got != "554 go away" {
		t.Errorf("got %q", got)
	}
	if got := FirstLine([]byte("554 x")); got != "554 x" {
		t.Errorf("got %q", got)
	}
}

func FuzzReadReply(f *testing.F) {
	for _, s := range []string{"220 hi\r\n", "250-a\r\n250 b\r\n", "25", "250-\n", "\x00\x00\x00-\r\n", "550 a\rb\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReaderSize(strings.NewReader(string(in)), 16)
		for range 1000 {
			rep, err := ReadReply(r)
			if len(rep.Text) > MaxText+1 || len(rep.Text) == MaxText+1 && rep.Text[MaxText] != '\n' {
				t.Fatalf("capture of %d bytes", len(rep.Text))
			}
			for _, c := range rep.Text {
				if c == 0 || c == '\r' {
					t.Fatalf("capture holds %q", c)
				}
			}
			if err != nil {
				return
			}
			if rep.Code < 0 || rep.Code > 999 || len(rep.Text) == 0 || rep.Text[len(rep.Text)-1] != '\n' {
				t.Fatalf("reply %d %q", rep.Code, rep.Text)
			}
		}
	})
}
