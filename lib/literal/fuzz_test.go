package literal

import (
	"strings"
	"testing"
)

// FuzzParse: no panic; an accepted literal names an address without a
// zone, never an IPv4-mapped IPv6 one, and the canonical literal of that
// address ("[192.0.2.7]", "[IPv6:2001:db8::7]") parses to it again. A
// bare IPv6 address is never a literal, and a literal is never longer
// than its input allows.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"[192.0.2.7]", "192.0.2.7", "[2001:db8::7]", "[IPv6:2001:db8::7]",
		"[ipv6:::ffff:1.2.3.4]", "[1.2.3.256]", "2001:db8::7", "[fe80::1%eth0]", "[", "[]", "example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := Parse(s)
		if !ok {
			if a.IsValid() {
				t.Fatalf("%q: not a literal but %v", s, a)
			}
			return
		}
		if !a.IsValid() || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("%q -> %v", s, a)
		}
		if a.Is6() && !strings.HasPrefix(s, "[") {
			t.Fatalf("bare IPv6 %q accepted", s)
		}
		lit := "[" + a.String() + "]"
		if a.Is6() {
			lit = "[IPv6:" + a.String() + "]"
		}
		if b, ok := Parse(lit); !ok || b != a {
			t.Fatalf("%q -> %v, but %q -> %v %v", s, a, lit, b, ok)
		}
		if b, ok := Parse(a.String()); a.Is4() && (!ok || b != a) {
			t.Fatalf("bare %q -> %v %v", a.String(), b, ok)
		}
	})
}
