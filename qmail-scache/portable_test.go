//go:build !linux || portable

package main

import (
	"bytes"
	"testing"
)

// Without SO_PEERCRED there is no cache: it says so and exits 111.
func TestNotSupported(t *testing.T) {
	var out bytes.Buffer
	if rc := run(nil, &out); rc != 111 || out.String() != "qmail-scache: fatal: not supported on this system\n" {
		t.Errorf("exit %d, %q", rc, out.String())
	}
}
