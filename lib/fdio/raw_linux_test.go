//go:build linux && !portable

package fdio

import (
	"os"
	"testing"
)

// TestMessageRaw: on Linux a regular file reads raw.
func TestMessageRaw(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "msg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if m, ok := Message(f).(regular); !ok || m.File != f {
		t.Fatalf("a regular file came back as %T", Message(f))
	}
}
