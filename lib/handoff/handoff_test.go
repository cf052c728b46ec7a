package handoff

import (
	"slices"
	"strings"
	"testing"
)

// TestStrip: the one list strips, for each child, what the three lists
// it replaced stripped (lib/plan's StageEnv, smtpclient's authEnv,
// tlswrap's childEnv), written out here as they were.
func TestStrip(t *testing.T) {
	stage := func(name string) bool {
		switch {
		case name == "SSL_CERT_FILE", name == "SSL_CERT_DIR":
			return false
		case strings.HasPrefix(name, "TCP"), strings.HasPrefix(name, "SSL"), name == "PROTO",
			name == "HELOHOST", name == "TIMEOUTREMOTE",
			strings.HasPrefix(name, "TLS"), name == "CAFILE", name == "CADIR",
			name == "CERTFILE", name == "KEYFILE", name == "KEYPASSFD", name == "TRACEFD",
			strings.HasPrefix(name, "AUTH"):
			return true
		}
		return false
	}
	auth := func(name string) bool {
		return strings.HasPrefix(name, "SSL") || strings.HasPrefix(name, "TLS") || name == "KEYPASSFD" || name == "AUTHFD" || name == "TRACEFD"
	}
	wrapped := func(name string) bool {
		return strings.HasPrefix(name, "TLS_") || name == "CAFILE" || name == "CADIR" || name == "CERTFILE" || name == "KEYFILE" || name == "KEYPASSFD"
	}
	var env []string
	for _, n := range []string{"PATH", "HOME", "GOMAXPROCS", "QMAILHOME", "NOEQUALS", "SSL_CERT_FILE", "SSL_CERT_DIR",
		"SSL_CERT_FILEX", "SSLCTLFD", "SSLREADFD", "SSL_PROTOCOL", "SSL", "TLS", "TLS_", "TLS_VERIFY", "TLS_NAMES",
		"TLSHOST", "TLSMECH", "CAFILE", "CADIR", "CERTFILE", "KEYFILE", "KEYFILEX", "KEYPASSFD", "TRACEFD",
		"AUTHFD", "AUTH", "AUTHUSER", "TCPREMOTEIP", "TCP", "PROTO", "HELOHOST", "TIMEOUTREMOTE", "TIMEOUTCONNECT",
		"DNSCACHEIP", "tls_verify", "ssl"} {
		env = append(env, n+"=v")
	}
	env = append(env, "NOEQUALS", "TLS_PIN")
	for _, c := range []struct {
		child Child
		old   func(string) bool
	}{{Stage, stage}, {Auth, auth}, {Wrapped, wrapped}} {
		var want []string
		for _, kv := range env {
			if name, _, _ := strings.Cut(kv, "="); !c.old(name) {
				want = append(want, kv)
			}
		}
		if got := Strip(env, c.child); !slices.Equal(got, want) {
			t.Errorf("Strip(%d) = %q, want %q", c.child, got, want)
		}
	}
}

// TestStripHelper: tlswrap -d keeps smtpclient's environment but the
// session cache's variables (a detached tlswrap outlives the delivery).
func TestStripHelper(t *testing.T) {
	env := []string{"PATH=/bin", "SESSION=born 1\n", "SESSIONFD=12", "SESSIONKEY=k", "SESSIONMESSAGES=100",
		"TLS_VERIFY=name", "TLS_NAMES=mx.test", "KEYPASSFD=9", "CERTFILE=c", "SSL_CERT_FILE=f"}
	want := []string{"PATH=/bin", "TLS_VERIFY=name", "TLS_NAMES=mx.test", "KEYPASSFD=9", "CERTFILE=c", "SSL_CERT_FILE=f"}
	if got := Strip(env, Helper); !slices.Equal(got, want) {
		t.Errorf("Strip(Helper) = %q, want %q", got, want)
	}
}
