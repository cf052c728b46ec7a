package control

import "testing"

// TestHost: SPEC D27, one form of a host name for every lookup.
func TestHost(t *testing.T) {
	for in, want := range map[string]string{
		"partner.test.":         "partner.test",
		"Partner.TEST":          "partner.test",
		"bücher.example":        "xn--bcher-kva.example",
		"BÜCHER.example.":       "xn--bcher-kva.example",
		"XN--BCHER-KVA.Example": "xn--bcher-kva.example",
		"[192.0.2.1]":           "[192.0.2.1]",
		// Address literals: one form for each address (D27).
		"192.0.2.1":               "[192.0.2.1]",
		"[IPv6:::ffff:192.0.2.1]": "[192.0.2.1]",
		"[IPv6:2001:DB8:0::1]":    "[ipv6:2001:db8::1]",
		"[2001:db8:0:0:0:0:0:1]":  "[ipv6:2001:db8::1]",
		"[ipv6:2001:0db8::1]":     "[ipv6:2001:db8::1]",
		"[192.0.2.256]":           "[192.0.2.256]", // not a literal: as written
		"":                        "",
		"bad\xff.test":            "bad\xff.test", // not IDNA: its bytes, lower-cased
	} {
		if got := Host(in); got != want {
			t.Errorf("Host(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHostKey: rule keys in the same form, prefixes and '*' forms kept.
func TestHostKey(t *testing.T) {
	for in, want := range map[string]string{
		"=Partner.test.":           "=partner.test",
		"~.bücher.example":         "~.xn--bcher-kva.example",
		"%bücher.example.":         "%xn--bcher-kva.example",
		".Example.COM.":            ".example.com",
		"!bücher.example":          "!xn--bcher-kva.example",
		"-x.test.":                 "-x.test",
		"*":                        "*",
		"!*":                       "!*",
		"+*":                       "+*",
		"!@":                       "!@",
		"":                         "",
		"!":                        "!",
		"[192.0.2.1]":              "[192.0.2.1]",
		"=192.0.2.1":               "=[192.0.2.1]",
		"-[IPv6:::FFFF:192.0.2.1]": "-[192.0.2.1]",
		"%[IPv6:2001:DB8::1]":      "%[ipv6:2001:db8::1]",
	} {
		if got := HostKey(in); got != want {
			t.Errorf("HostKey(%q) = %q, want %q", in, got, want)
		}
	}
	tab := HostTableOf([]Line{{"Bücher.example.", "a", 1, "l1"}, {"xn--bcher-kva.example", "b", 2, "l2"}})
	if e, ok := tab.Get(Host("BÜCHER.example.")); !ok || e.Value != "b" {
		t.Errorf("the last line of a key in either form wins: %+v %v", e, ok)
	}
}
