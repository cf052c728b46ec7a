package main

import (
	"bytes"
	"testing"
)

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	if rc := run([]string{"x"}, &out); rc != 100 || out.String() != "usage: qmail-scache (qmail-remote-go unknown)\n" {
		t.Errorf("an argument: exit %d, %q", rc, out.String())
	}
}
