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
	if got := p.Env([]string{"[192.0.2.1]", "a b", "", "ok.example."}, ""); !reflect.DeepEqual(got, []string{"TLS_VERIFY=name", "TLS_NAMES=ok.example"}) {
		t.Errorf("names filtered: %q", got)
	}
	if got := p.Env(nil, ""); !reflect.DeepEqual(got, []string{"TLS_VERIFY=name"}) {
		t.Errorf("no names: %q", got)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		routed, mx string
		want       []string
	}{
		{"example.com", "mx.example.com", []string{"example.com", "mx.example.com"}},
		{"example.com", "EXAMPLE.com", []string{"example.com"}},
		{"relay.example", "relay.example.", []string{"relay.example"}},
		{"example.com", "", []string{"example.com"}},
		{"", "mx.example.com", []string{"mx.example.com"}},
		{"[192.0.2.1]", "", nil},
		{"[192.0.2.1]", "192.0.2.1", nil},
		{"[IPv6:2001:db8::1]", "2001:db8::1", nil},
		{"example.com", "[2001:db8::1]", []string{"example.com"}},
		{"", "", nil},
		{".", "bad name", nil},
	}
	for _, tt := range tests {
		if got := Names(tt.routed, tt.mx); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Names(%q, %q) = %q, want %q", tt.routed, tt.mx, got, tt.want)
		}
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
