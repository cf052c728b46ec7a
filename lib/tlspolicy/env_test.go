package tlspolicy

import (
	"reflect"
	"testing"
)

func TestEnv(t *testing.T) {
	names := []string{"relay.example", "mx.example"}
	full := Policy{CAFile: "/ca.pem", CADir: "/ca/", Depth: 0, Ciphers: "HIGH", Pin: "ABCD"}
	tests := []struct {
		name string
		p    Policy
		sni  string
		want []string
	}{
		{"never: nothing", with(full, func(p *Policy) { p.Level, p.Verify = Never, Name }), "mx.example", nil},
		{"default", Default, "", []string{"TLS_VERIFY=none"}},
		{"try, sni", Default, "mx.example", []string{"TLS_VERIFY=none", "TLS_SERVERNAME=mx.example"}},
		{"none: no CA, depth, names or pin", with(full, func(p *Policy) { p.Level, p.Verify = Must, None }), "",
			[]string{"TLS_VERIFY=none", "TLS_CIPHERS=HIGH"}},
		{"chain", with(full, func(p *Policy) { p.Level, p.Verify = Must, Chain }), "mx.example",
			[]string{"TLS_VERIFY=cert", "TLS_DEPTH=0", "CAFILE=/ca.pem", "CADIR=/ca/", "TLS_CIPHERS=HIGH", "TLS_SERVERNAME=mx.example"}},
		{"name", with(full, func(p *Policy) { p.Level, p.Verify, p.CADir, p.Depth = Must, Name, "", DepthUnset }), "mx.example",
			[]string{"TLS_VERIFY=name", "TLS_NAMES=relay.example mx.example", "CAFILE=/ca.pem", "TLS_CIPHERS=HIGH", "TLS_SERVERNAME=mx.example"}},
		{"wildcard", with(full, func(p *Policy) { p.Level, p.Verify, p.CAFile, p.Depth, p.Ciphers = Must, Wildcard, "", 3, "" }), "",
			[]string{"TLS_VERIFY=wildcard", "TLS_NAMES=relay.example mx.example", "TLS_DEPTH=3", "CADIR=/ca/"}},
		{"pin: no chain variables", with(full, func(p *Policy) { p.Level, p.Verify = Must, Pin }), "mx.example",
			[]string{"TLS_VERIFY=pin", "TLS_PIN=ABCD", "TLS_CIPHERS=HIGH", "TLS_SERVERNAME=mx.example"}},
		{"IP literal sni left out", Default, "[192.0.2.1]", []string{"TLS_VERIFY=none"}},
		{"bad bytes left out", Policy{Level: Must, Verify: Chain, CAFile: "/a\nb", Ciphers: "X\x00", Depth: DepthUnset}, "a b",
			[]string{"TLS_VERIFY=cert"}},
	}
	for _, tt := range tests {
		if got := tt.p.Env(names, tt.sni); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Env = %q\n want %q", tt.name, got, tt.want)
		}
	}
	p := Policy{Level: Must, Verify: Name, Depth: DepthUnset}
	if got := p.Env([]string{"[192.0.2.1]", "a b", "", "ok.example."}, ""); !reflect.DeepEqual(got, []string{"TLS_VERIFY=name", "TLS_NAMES=192.0.2.1 ok.example"}) {
		t.Errorf("names filtered: %q", got)
	}
	// No name a certificate may carry (a routed host that is not a
	// host name): TLS_NAMES set and empty, so that tlswrap does not
	// take the SNI name (the MX host, from unsigned DNS) instead (D16).
	if got := p.Env(nil, "mx.evil.example"); !reflect.DeepEqual(got, []string{"TLS_VERIFY=name", "TLS_NAMES=", "TLS_SERVERNAME=mx.evil.example"}) {
		t.Errorf("no names: %q", got)
	}
	if got := p.Env(Names("[partner.example]", "mx.evil.example", false), "mx.evil.example"); !reflect.DeepEqual(got, []string{"TLS_VERIFY=name", "TLS_NAMES=", "TLS_SERVERNAME=mx.evil.example"}) {
		t.Errorf("a routed host that is no name: %q", got)
	}
}

// TestNames: D16 (revised). The routed host, in D27's form; the MX host
// name only when the MX answer was authenticated; an address literal as
// its address (checked against the certificate's IP SANs).
func TestNames(t *testing.T) {
	tests := []struct {
		routed, mx string
		secure     bool
		want       []string
	}{
		{"example.com", "mx.example.com", false, []string{"example.com"}}, // unsigned DNS: the MX name proves nothing
		{"example.com", "mx.example.com", true, []string{"example.com", "mx.example.com"}},
		{"example.com", "EXAMPLE.com", true, []string{"example.com"}},
		{"relay.example", "relay.example.", true, []string{"relay.example"}},
		{"Relay.Example.", "", false, []string{"relay.example"}},
		{"bücher.example", "", false, []string{"xn--bcher-kva.example"}},
		{"example.com", "", true, []string{"example.com"}},
		{"", "mx.example.com", true, []string{"mx.example.com"}},
		{"", "mx.example.com", false, nil},
		{"[192.0.2.1]", "", false, []string{"192.0.2.1"}},
		{"[192.0.2.1]", "192.0.2.1", true, []string{"192.0.2.1"}},
		{"[IPv6:2001:db8::1]", "2001:db8::1", false, []string{"2001:db8::1"}},
		{"[ipv6:2001:DB8::1]", "", false, []string{"2001:db8::1"}},
		{"192.0.2.25", "", false, []string{"192.0.2.25"}},
		{"example.com", "[2001:db8::1]", true, []string{"example.com"}},
		{"", "", false, nil},
		{".", "bad name", true, nil},
	}
	for _, tt := range tests {
		if got := Names(tt.routed, tt.mx, tt.secure); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Names(%q, %q, %v) = %q, want %q", tt.routed, tt.mx, tt.secure, got, tt.want)
		}
	}
	// The address reaches tlswrap in TLS_NAMES.
	p := Policy{Level: Must, Verify: Name, Depth: DepthUnset}
	if env := p.Env(Names("[192.0.2.1]", "", false), ""); !reflect.DeepEqual(env, []string{"TLS_VERIFY=name", "TLS_NAMES=192.0.2.1"}) {
		t.Errorf("Env for a literal: %q", env)
	}
}

func TestServerName(t *testing.T) {
	tests := []struct{ mx, routed, want string }{
		{"mx.example.com", "example.com", "mx.example.com"},
		{"mx.example.com.", "example.com", "mx.example.com"},
		{"", "relay.example", "relay.example"},
		{"192.0.2.1", "relay.example", "relay.example"},
		{"[192.0.2.1]", "[192.0.2.1]", ""},
		{"", "[IPv6:2001:db8::1]", ""},
		{"2001:db8::1", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := ServerName(tt.mx, tt.routed); got != tt.want {
			t.Errorf("ServerName(%q, %q) = %q, want %q", tt.mx, tt.routed, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	for l, want := range map[Level]string{Never: "no", Try: "try", Must: "must", 9: "unknown"} {
		if l.String() != want {
			t.Errorf("Level %d = %q", l, l.String())
		}
	}
	for v, want := range map[Verify]string{None: "none", Chain: "cert", Name: "name", Wildcard: "wildcard", Pin: "pin", 9: "unknown"} {
		if v.String() != want {
			t.Errorf("Verify %d = %q", v, v.String())
		}
	}
}
