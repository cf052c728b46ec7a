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
