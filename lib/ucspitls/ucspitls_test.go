package ucspitls

import (
	"errors"
	"io"
	"maps"
	"strings"
	"testing"
	"testing/iotest"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, "\x00"},
		{[]string{"SSL_PROTOCOL=TLSv1.3"}, "SSL_PROTOCOL=TLSv1.3\x00\x00"},
		{[]string{"A=1", "B", "C="}, "A=1\x00B\x00C=\x00\x00"},
		{[]string{"", "A=x\r\ny\x00"}, "A=x??y?\x00\x00"},
	}
	for _, tt := range tests {
		if got := string(Encode(tt.in)); got != tt.want {
			t.Errorf("Encode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := string(EncodeFailure("chain", "Unable to verify X.500 certificate from: mx.test. (#4.4.1)", ""))
	want := "TLSWRAP_ERROR=chain\x00TLSWRAP_REPORT=Unable to verify X.500 certificate from: mx.test. (#4.4.1)\x00"
	if got != want {
		t.Errorf("EncodeFailure = %q", got)
	}
	got = string(EncodeFailure("chain", "x", "certificate CN=mx.test expired on 2025-01-01 00:00:00 UTC"))
	want = "TLSWRAP_ERROR=chain\x00TLSWRAP_REPORT=x\x00TLSWRAP_REASON=certificate CN=mx.test expired on 2025-01-01 00:00:00 UTC\x00"
	if got != want {
		t.Errorf("EncodeFailure with a reason = %q", got)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		env      map[string]string
		complete bool
	}{
		{"", map[string]string{}, false},
		{"\x00", map[string]string{}, true},
		{"\x00\x00", map[string]string{}, true},
		{"A=1\x00B\x00C=\x00\x00", map[string]string{"A": "1", "C": ""}, true},
		{"A=1\x00A=2\x00\x00", map[string]string{"A": "2"}, true},
		{"A=a=b\x00\x00rest", map[string]string{"A": "a=b"}, true},
		{"TLSWRAP_ERROR=pin\x00TLSWRAP_REPORT=x\x00", map[string]string{"TLSWRAP_ERROR": "pin", "TLSWRAP_REPORT": "x"}, false},
		{"A=1\x00B=2", map[string]string{"A": "1"}, false},
	}
	for _, tt := range tests {
		env, complete := Parse([]byte(tt.in))
		if !maps.Equal(env, tt.env) || complete != tt.complete {
			t.Errorf("Parse(%q) = %q, %v", tt.in, env, complete)
		}
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
		err  error
	}{
		{"A=1\x00\x00", 100, "A=1\x00\x00", nil},
		{"\x00", 100, "\x00", nil},
		{"", 100, "", nil},
		{"A=1\x00", 100, "A=1\x00", nil},
		{"A=1\x00B=2\x00", 6, "A=1\x00B=", ErrTooLong},
		{"A=1\x00\x00", 5, "A=1\x00\x00", nil},
	}
	for _, tt := range tests {
		for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
			got, err := Read(r, tt.max)
			if string(got) != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("Read(%q, %d) = %q, %v", tt.in, tt.max, got, err)
			}
		}
	}
	// One byte at a time, Read stops at the block's end and reads no more.
	r := strings.NewReader("A=1\x00\x00more")
	got, err := Read(iotest.OneByteReader(r), 100)
	if string(got) != "A=1\x00\x00" || err != nil || r.Len() != 4 {
		t.Errorf("Read read past the block: %q %v, %d left", got, err, r.Len())
	}
	// An error after a complete block is no error.
	got, err = Read(iotest.DataErrReader(strings.NewReader("\x00")), 100)
	if string(got) != "\x00" || err != nil {
		t.Errorf("Read = %q, %v", got, err)
	}
	_, err = Read(iotest.ErrReader(io.ErrClosedPipe), 100)
	if err != io.ErrClosedPipe {
		t.Errorf("Read error = %v", err)
	}
}
