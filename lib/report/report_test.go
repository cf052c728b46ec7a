package report

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	Write(&b, 'r', "")
	Write(&b, 'K', "1.2.3.4 accepted message.\nRemote host said: 250 a\x00b\n")
	want := "r\x00K1.2.3.4 accepted message.\nRemote host said: 250 a?b\n\x00"
	if b.String() != want {
		t.Fatalf("got %q want %q", b.String(), want)
	}
}

func TestSafe(t *testing.T) {
	if got := Safe("a b\x00\xffc~!"); got != "a?b??c~!" {
		t.Fatalf("got %q", got)
	}
}

func TestPrintable(t *testing.T) {
	if got := Printable("a b\x00\xff\nc~!\x7f"); got != "a b???c~!?" {
		t.Fatalf("got %q", got)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in    string
		nrcpt int
		ok    bool
		n     int
	}{
		{"r\x00K1.2.3.4 accepted message.\n\x00", 1, true, 2},
		{"ZConnected to 1.2.3.4 but greeting failed.\n\x00", 1, true, 1},
		{"h1 x\n\x00DGiving up on 1.\n\x00", 1, true, 2},
		{"r\x00s1 x\n\x00K1 ok\n\x00", 2, true, 3},
		{"", 1, false, 0},
		{"r\x00", 1, false, 0},                                    // no message report
		{"K1 ok\n\x00", 1, false, 0},                              // K with no recipient report
		{"h1\n\x00K1 ok\n\x00", 1, false, 0},                      // K with no accepted recipient
		{"r\x00K1 ok\n\x00", 2, false, 0},                         // K with a missing recipient report
		{"r\x00r\x00Z1\n\x00", 1, false, 0},                       // too many recipient reports
		{"r\x00Z1\n\x00K1\n\x00", 1, false, 0},                    // two message reports
		{"Z1\n\x00r\x00", 1, false, 0},                            // report after the message report
		{"x1\n\x00", 1, false, 0},                                 // unknown letter
		{"Zno NUL", 1, false, 0},                                  // truncated
		{"\x00Z1\n\x00", 1, false, 0},                             // empty report
		{"Kno supported AUTH\n\x00r\x00K1 ok\n\x00", 1, false, 0}, // mid-stream K (SPEC D3)
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.in), tt.nrcpt)
		if tt.ok != (err == nil) {
			t.Errorf("Parse(%q, %d): err = %v, want ok=%v", tt.in, tt.nrcpt, err, tt.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q): error %v does not wrap ErrMalformed", tt.in, err)
		}
		if len(got) != tt.n {
			t.Errorf("Parse(%q): %d reports, want %d", tt.in, len(got), tt.n)
		}
	}
}

func TestRemoteIP(t *testing.T) {
	t.Setenv("TCPREMOTEIP", "192.0.2.1\n")
	if got := RemoteIP(); got != "192.0.2.1?" {
		t.Errorf("RemoteIP() = %q", got)
	}
	os.Unsetenv("TCPREMOTEIP")
	if got := RemoteIP(); got != "unknown" {
		t.Errorf("RemoteIP() without TCPREMOTEIP = %q", got)
	}
}
