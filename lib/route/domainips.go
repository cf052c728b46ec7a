package route

import (
	"fmt"
	"net/netip"
	"strings"

	"qmail-remote-go/lib/control"
)

// A Source is where a delivery leaves from, chosen by the sender's
// domain in control/domainips (SPEC 4.8): a local address to bind and a
// name for EHLO and HELO.
type Source struct {
	Bind  netip.Addr // with its %ifname zone; invalid: no bind
	Helo  string     // replaces control/helohost when not ""
	Where string     // the line that chose them, "" for none
}

// DomainIPs looks the domain of sender (after its last '@') up in t:
// the domain, each suffix of it that starts at a '.', the empty key,
// then sq3's "*". A value is "localip|helohost", either part optional;
// localip is an IPv4 or IPv6 address, the latter with an optional
// %ifname; 0.0.0.0 and :: mean no bind. The error names the line of an
// address that is not one.
func DomainIPs(t control.Table, sender string) (Source, error) {
	domain := ""
	if i := strings.LastIndexByte(sender, '@'); i >= 0 {
		domain = sender[i+1:]
	}
	e, ok := Lookup(t, domain)
	if !ok {
		if e, ok = t.Get("*"); !ok {
			return Source{}, nil
		}
	}
	return ParseSource(e)
}

// ParseSource reads one domainips line's value, "localip|helohost".
func ParseSource(e control.Entry) (Source, error) {
	ip, helo, _ := strings.Cut(e.Value, "|")
	s := Source{Helo: helo, Where: e.Where}
	if ip == "" {
		return s, nil
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return Source{}, fmt.Errorf("%s: %q is not an IP address", e.Where, ip)
	}
	if a.Unmap().IsUnspecified() {
		return s, nil
	}
	if a.Is4In6() && a.Zone() == "" {
		a = a.Unmap()
	}
	s.Bind = a
	return s, nil
}
