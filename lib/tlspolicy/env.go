package tlspolicy

import (
	"net/netip"
	"strconv"
	"strings"
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
			if n, good := hostName(n); good {
				ok = append(ok, n)
			}
		}
		add("TLS_NAMES", strings.Join(ok, " "))
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
// rules (D16): the routed host and the MX host name we connect to, both
// when they differ (ASCII case ignored), leaving out empty values and IP
// literals. A trailing dot is removed.
func Names(routed, mxhost string) []string {
	var names []string
	for _, s := range []string{routed, mxhost} {
		n, ok := hostName(s)
		if !ok {
			continue
		}
		if len(names) == 1 && strings.EqualFold(names[0], n) {
			continue
		}
		names = append(names, n)
	}
	return names
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
