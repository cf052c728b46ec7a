// Package literal recognises the address literals that may stand for a
// host name: [192.0.2.7], a bare 192.0.2.7, [2001:db8::7] and
// [IPv6:2001:db8::7] (RFC 5321 4.1.3).
package literal

import (
	"net/netip"
	"strings"
)

// Parse returns the address that s names, and false when s is not a
// literal. Octets out of range make s not a literal (SPEC 3.2 REC).
func Parse(s string) (netip.Addr, bool) {
	inner, bracketed := strings.CutPrefix(s, "[")
	if bracketed {
		var ok bool
		if inner, ok = strings.CutSuffix(inner, "]"); !ok {
			return netip.Addr{}, false
		}
	}
	if v6, ok := cutPrefixFold(inner, "IPv6:"); ok && bracketed {
		a, err := netip.ParseAddr(v6)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}, false
		}
		// [IPv6:::ffff:192.0.2.7] is 192.0.2.7: the self-MX check
		// compares unmapped addresses.
		return a.Unmap(), true
	}
	a, err := netip.ParseAddr(inner)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	if a.Is6() && !bracketed {
		return netip.Addr{}, false // a bare IPv6 address is ambiguous with host:port
	}
	return a.Unmap(), true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// ParseRelay is Parse for the relay of a route, where the port comes
// after a ';' or outside brackets: there a bare IPv6 address such as
// 2001:db8::1 is no longer ambiguous, and sq3 writes relays that way.
func ParseRelay(s string) (netip.Addr, bool) {
	if a, ok := Parse(s); ok {
		return a, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
