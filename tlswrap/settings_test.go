package main

import (
	"crypto/tls"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestChildEnv(t *testing.T) {
	env := []string{"PATH=/bin", "CAFILE=/ca", "CADIR=/d", "CERTFILE=/c", "KEYFILE=/k", "KEYPASSFD=8",
		"TLS_VERIFY=name", "TLS_PIN=ab", "TLSHOST=mx.test", "SSLCTLFD=9", "TIMEOUTREMOTE=5", "NOEQUALS"}
	got := childEnv(env, "SSLCTLFD")
	want := []string{"PATH=/bin", "TLSHOST=mx.test", "TIMEOUTREMOTE=5", "NOEQUALS"}
	if !slices.Equal(got, want) {
		t.Errorf("childEnv = %q", got)
	}
}

func TestExported(t *testing.T) {
	env := []string{"A=1", "SSL_TLS_SNI_SERVERNAME=spoofed", "SSL_PROTOCOL=old", "B=2"}
	got := exported(env, []string{"SSL_PROTOCOL=TLSv1.3", "SSL_TLS_SNI_SERVERNAME", "SSL_CIPHER=X"})
	want := []string{"A=1", "B=2", "SSL_PROTOCOL=TLSv1.3", "SSL_CIPHER=X"}
	if !slices.Equal(got, want) {
		t.Errorf("exported = %q", got)
	}
	if env[1] != "SSL_TLS_SNI_SERVERNAME=spoofed" {
		t.Errorf("exported changed its argument: %q", env)
	}
}

func TestReadPassword(t *testing.T) {
	for in, want := range map[string]string{"secret\n": "secret", "secret": "secret", "a b\n\n": "a b\n", "": "",
		strings.Repeat("x", maxPassword): strings.Repeat("x", maxPassword)} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		w.WriteString(in)
		w.Close()
		fd, _ := syscall.Dup(int(r.Fd()))
		r.Close()
		got, err := readPassword(fd)
		if string(got) != want || err != nil {
			t.Errorf("readPassword(%q) = %q, %v", in, got, err)
		}
		if syscall.Close(fd) == nil {
			t.Errorf("readPassword left fd %d open", fd)
		}
	}
	if _, err := readPassword(999); err == nil {
		t.Error("readPassword of a closed fd")
	}
}

func TestSpelling(t *testing.T) {
	if got := protocol(tls.VersionTLS13) + " " + protocol(tls.VersionTLS12); got != "TLSv1.3 TLSv1.2" {
		t.Errorf("protocol = %q", got)
	}
	if got := printable("CN=a\nb\x00é", 6); got != "CN=a?b" {
		t.Errorf("printable = %q", got)
	}
}

// TestNamesFallback: an unset TLS_NAMES is TLS_SERVERNAME (by hand); set
// and empty it is no name at all, never the SNI name, which qmail-remote
// may have from unsigned DNS (SPEC D16).
func TestNamesFallback(t *testing.T) {
	t.Setenv("TLS_VERIFY", "name")
	t.Setenv("TLS_SERVERNAME", "mx.evil.example")
	t.Setenv("TLS_NAMES", "") // restored after the test
	os.Unsetenv("TLS_NAMES")
	s, err := readSettings()
	if err != nil || len(s.names) != 1 || s.names[0] != "mx.evil.example" {
		t.Fatalf("unset: %v, %v", s, err)
	}
	t.Setenv("TLS_NAMES", "")
	if s, err = readSettings(); err != nil || len(s.names) != 0 {
		t.Errorf("set and empty: %q, %v", s.names, err)
	}
	t.Setenv("TLS_NAMES", "relay.example")
	if s, err = readSettings(); err != nil || len(s.names) != 1 || s.names[0] != "relay.example" {
		t.Errorf("set: %q, %v", s.names, err)
	}
}
