package version

import "testing"

func TestUsage(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	if got, want := Usage("usage: x"), "usage: x (qmail-remote-go unknown)"; got != want {
		t.Errorf("unstamped: %q, want %q", got, want)
	}
	Version = "1.0-3-gabcdef0-dirty"
	if got, want := Usage("usage: x a [b]"), "usage: x a [b] (qmail-remote-go 1.0-3-gabcdef0-dirty)"; got != want {
		t.Errorf("stamped: %q, want %q", got, want)
	}
}
