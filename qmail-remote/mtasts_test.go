package main

import (
	"os"
	"testing"
)

func TestTLSRequiredNo(t *testing.T) {
	for msg, want := range map[string]bool{
		"TLS-Required: No\n\nbody\n":                    true,
		"Subject: x\r\ntls-required:no\r\n\r\nbody\r\n": true,
		"Subject: x\nTLS-Required:\n  NO \nX: y\n\nb\n": true,
		"Subject: x\nTLS-Required: Yes\n\n":             false,
		"Subject: x\n\nTLS-Required: No\n":              false, // in the body
		"X-TLS-Required: No\n\n":                        false,
		"TLS-Required: No thanks\n\n":                   false,
		"Subject: TLS-Required: No\n\n":                 false,
		"":                                              false,
		"TLS-Required: No":                              true, // a header without a body
		"Received: a\n\tb\nTLS-Required : no\n\nbody\n": true,
	} {
		f, err := os.CreateTemp(t.TempDir(), "msg")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("junk before" + msg)
		m := message{f: f, start: int64(len("junk before")), size: int64(len(msg))}
		if got := m.tlsRequiredNo(); got != want {
			t.Errorf("%q: got %v, want %v", msg, got, want)
		}
		f.Close()
	}
}
