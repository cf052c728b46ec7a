package netstring

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestAppend(t *testing.T) {
	for data, want := range map[string]string{
		"":             "0:,",
		"hello world!": "12:hello world!,",
		"a,b:c\x00\n":  "7:a,b:c\x00\n,",
	} {
		if got := string(Append(nil, []byte(data))); got != want {
			t.Errorf("Append(%q) = %q, want %q", data, got, want)
		}
	}
	if got := string(AppendHeader([]byte("x"), 1234567890123)); got != "x1234567890123:" {
		t.Errorf("AppendHeader = %q", got)
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string // data, or "error: " and what the error must wrap
		rest string // what is left unread
	}{
		{"0:,", 10, "", ""},
		{"12:hello world!,", 12, "hello world!", ""},
		{"3:abc,3:def,", 10, "abc", "3:def,"},
		{"3:a,c,", 10, "a,c", ""},
		{"12:hello world!,", 11, "error: malformed", ""},
		{"00:,", 10, "error: malformed", ""},
		{"01:a,", 10, "error: malformed", ""},
		{"1:a;", 10, "error: malformed", ""},
		{"1:ab,", 10, "error: malformed", ""},
		{":,", 10, "error: malformed", ""},
		{"-1:,", 10, "error: malformed", ""},
		{"+1:a,", 10, "error: malformed", ""},
		{" 1:a,", 10, "error: malformed", ""},
		{"1 :a,", 10, "error: malformed", ""},
		{"0x1:a,", 10, "error: malformed", ""},
		{"9999999999:", 1 << 62, "error: unexpected EOF", ""},
		{"10000000000:", 1 << 62, "error: malformed", ""},
		{"99999999999999999999999:", 1 << 62, "error: malformed", ""},
		{"", 10, "error: EOF", ""},
		{"1", 10, "error: unexpected EOF", ""},
		{"1:", 10, "error: unexpected EOF", ""},
		{"1:a", 10, "error: unexpected EOF", ""},
		{"5:ab", 10, "error: unexpected EOF", ""},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tt.in)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			br := bufio.NewReaderSize(r, 16)
			data, err := Read(br, tt.max)
			got := string(data)
			switch {
			case err == nil:
			case errors.Is(err, ErrMalformed):
				got = "error: malformed"
			default:
				got = "error: " + err.Error()
			}
			rest, _ := io.ReadAll(br)
			if got != tt.want || (err == nil && string(rest) != tt.rest) {
				t.Errorf("Read(%q, %d) = %q, %v, rest %q; want %q, rest %q", tt.in, tt.max, data, err, rest, tt.want, tt.rest)
			}
		}
	}
}

func TestReadHeaderLimits(t *testing.T) {
	n, err := ReadHeader(strings.NewReader("9999999999:"), 9999999999)
	if n != 9999999999 || err != nil {
		t.Errorf("ten digits: %d, %v", n, err)
	}
	if _, err := ReadHeader(strings.NewReader("200:"), 199); !errors.Is(err, ErrMalformed) {
		t.Errorf("over max: %v", err)
	}
	if n, err := ReadHeader(strings.NewReader("0:"), 0); n != 0 || err != nil {
		t.Errorf("0 with max 0: %d, %v", n, err)
	}
}

func TestReadEnd(t *testing.T) {
	for in, want := range map[string]string{",": "<nil>", "": "unexpected EOF", ";": "malformed"} {
		err := ReadEnd(strings.NewReader(in))
		got := "<nil>"
		if errors.Is(err, ErrMalformed) {
			got = "malformed"
		} else if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ReadEnd(%q) = %v, want %s", in, err, want)
		}
	}
}
