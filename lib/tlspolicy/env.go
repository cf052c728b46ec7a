package tlspolicy

import (
	"net/netip"
	"strconv"
	"strings"

	"qmail-remote-go/lib/control"
)

// Env returns the variables of the TLS contract that tell tlswrap how to
// check the server (tlswrap.8: TLS_VERIFY, TLS_NAMES, TLS_PIN,
// TLS_DEPTH, TLS_CIPHERS, CAFILE, CADIR, TLS_SERVERNAME) as "NAME=value"
// strings, leaving out empty ones. names are the names a certificate may
// carry (see Names), sni the server name to send (see ServerName).
//
// Only what the check uses is given: CAFILE, CADIR and TLS_DEPTH for the
// chain checks (cert, name, wildcard), TLS_NAMES for name and wildcard,
// TLS_PIN for pin. A policy that keeps TLS off (Never) has no variables;
// the level itself goes to smtpclient as TLS=Level.String(). A value
// holding NUL, CR or LF, and a name that is not a plain host name, are
// left out: they cannot be passed on safely.
func (p Policy) Env(names []string, sni string) []string {
	if p.Level == Never {
		return nil
	}
	var env []string
	add := func(name, value string) {
		if value != "" && !strings.ContainsAny(value, "\x00\r\n") {
			env = append(env, name+"="+value)
		}
	}
	add("TLS_VERIFY", p.Verify.String())
	chain := p.Verify == Chain || p.Verify == Name || p.Verify == Wildcard
	if p.Verify == Name || p.Verify == Wildcard {
		var ok []string
		for _, n := range names {
			if a, isIP := literal(n); isIP {
				ok = append(ok, a.String()) // tlswrap checks IP SANs (D16)
			} else if n, good := hostName(n); good {
				ok = append(ok, n)
			}
		}
		// Always set, even empty: tlswrap takes an unset TLS_NAMES
		// as TLS_SERVERNAME, the MX host name, which unsigned DNS
		// chose (D16). No name a certificate may carry is a failed
		// check, not that one.
		env = append(env, "TLS_NAMES="+strings.Join(ok, " "))
	}
	if p.Verify == Pin {
		add("TLS_PIN", p.Pin)
	}
	if chain {
		if p.Depth >= 0 {
			add("TLS_DEPTH", strconv.Itoa(p.Depth))
		}
		add("CAFILE", p.CAFile)
		add("CADIR", p.CADir)
	}
	add("TLS_CIPHERS", p.Ciphers)
	if n, ok := hostName(sni); ok {
		add("TLS_SERVERNAME", n)
	}
	return env
}

// Names returns the names a server certificate may carry for '=' and '~'
// rules (D16): the routed host, in the one form of D27 (control.Host),
// or for an address literal ([192.0.2.1], [IPv6:2001:db8::1]) its
// address, which the certificate must hold as an IP subjectAltName; and
// the MX host name connected to only when mxSecure says the MX answer
// was DNSSEC-authenticated (D30): a name from unsigned DNS proves
// nothing, since whoever forges the answer picks it.
func Names(routed, mxhost string, mxSecure bool) []string {
	if a, ok := literal(routed); ok {
		return []string{a.String()}
	}
	var names []string
	for i, s := range []string{routed, mxhost} {
		if i == 1 && !mxSecure {
			break
		}
		n, ok := hostName(control.Host(s))
		if !ok || len(names) == 1 && names[0] == n {
			continue
		}
		names = append(names, n)
	}
	return names
}

// literal is the address of an address literal host: [192.0.2.1],
// [IPv6:2001:db8::1], or a bare address as a relay may be written.
func literal(s string) (netip.Addr, bool) {
	if t, ok := strings.CutPrefix(s, "["); ok {
		t, ok = strings.CutSuffix(t, "]")
		if !ok {
			return netip.Addr{}, false
		}
		if len(t) > 5 && strings.EqualFold(t[:5], "IPv6:") {
			t = t[5:]
		}
		s = t
	}
	a, err := netip.ParseAddr(s)
	return a.Unmap(), err == nil && a.Zone() == ""
}

// ServerName is the SNI name to send (D16): the MX host name we connect
// to if it is a name, else the routed host if it is a name, else "".
// A trailing dot is removed (RFC 6066 3).
func ServerName(mxhost, routed string) string {
	if n, ok := hostName(mxhost); ok {
		return n
	}
	if n, ok := hostName(routed); ok {
		return n
	}
	return ""
}

// hostName returns s without a trailing dot when it can be a host name:
// not empty, not an address literal, no brackets, no byte below 33 and
// no DEL (TLS_NAMES is space-separated).
func hostName(s string) (string, bool) {
	s = strings.TrimSuffix(s, ".")
	if s == "" || strings.ContainsAny(s, "[]") {
		return "", false
	}
	for _, c := range []byte(s) {
		if c < 33 || c == 127 {
			return "", false
		}
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return "", false
	}
	return s, true
}
