// Package route chooses where a message goes: a pure function of the
// control tables, the destination host and the envelope sender.
// See SPEC 3.1, 4.1, 4.5 and 4.6, and qmail-remote(8), CONTROL FILES.
package route

import (
	"fmt"
	"iter"
	"net/netip"
	"strings"

	"qmail-remote-go/lib/control"
)

// Tables holds the control tables that route selection reads.
type Tables struct {
	SMTPRoutes  control.Table
	QMTPRoutes  control.Table
	AuthSenders control.Table // by sender, before the others (authsenders.go)
}

// A Route says how to reach the destination.
type Route struct {
	Proto string // SMTP or QMTP
	Host  string // destination after routing: the relay, or the host itself
	Relay bool   // true: Host is a relay, look up its addresses only; false: MX lookup of Host
	Port  int
	User  string // SMTP AUTH credentials, both set or both empty
	Pass  string
	Where string // the control line that chose the route, "" for the default
}

// MaxCredentials bounds user NUL password NUL, as authclient(8) does.
// qmail-remote writes them into a pipe before the speaker runs: far
// below the pipe's buffer, that write cannot block.
const MaxCredentials = 4096

// DefaultSMTPPort is the port used when no route names one.
const DefaultSMTPPort = 25

// Select returns the route for delivering to host a message from sender.
// The error names the control file and line that could not be parsed.
func Select(t Tables, host, sender string) (Route, error) {
	def := Route{Proto: SMTP, Host: host, Port: DefaultSMTPPort}
	// SPEC 4.7: authsenders first; its relay is always SMTP.
	if r, ok, err := authRoute(t.AuthSenders, sender, def); ok {
		return r, err
	}
	// SPEC 3.1 steps 6 and 7, qmtproutes before smtproutes (qmtp.go).
	if sender == "" {
		if r, ok, err := bounceRoute(t, def); ok {
			return r, err
		}
	}
	// SPEC D27: one form of the name for the lookup (the tables' keys
	// are in that form, control.ReadHostTable); the route keeps host.
	if r, ok, err := hostRoute(t, control.Host(host), def); ok {
		return r, err
	}
	return def, nil
}

// Lookup finds the most specific entry for name: name itself, then each
// suffix of it that starts at a '.', then the empty key (SPEC 4.1).
func Lookup(t control.Table, name string) (control.Entry, bool) {
	return first(t, keys(name, "."))
}

// first is the entry of the first of keys that t has.
func first(t control.Table, keys iter.Seq[string]) (control.Entry, bool) {
	for k := range keys {
		if e, ok := t.Get(k); ok {
			return e, true
		}
	}
	return control.Entry{}, false
}

// parse reads a route value "relay[:port|;port][|user|password]".
// An empty relay keeps the MX lookup of the host (with the port and the
// credentials, SPEC A17).
func parse(e control.Entry, def Route) (Route, error) {
	r := def
	r.Where = e.Where
	hostport, cred, hasCred := strings.Cut(e.Value, "|")
	if hasCred {
		// The user ends at the second '|'; the password is the rest of the
		// line. SPEC 4.5's REC read a lone user as "no AUTH"; issue 8
		// makes a half-written credential an error, so that mail never
		// leaves unauthenticated by a typo. The texts never show them.
		user, pass, _ := strings.Cut(cred, "|")
		switch {
		case user == "" || pass == "":
			return Route{}, fmt.Errorf("%s: an AUTH user without a password, or a password without a user", e.Where)
		case strings.ContainsAny(cred, "\r\n\x00"):
			return Route{}, fmt.Errorf("%s: the AUTH user or password holds CR, LF or NUL", e.Where)
		case len(user)+len(pass)+2 > MaxCredentials:
			return Route{}, fmt.Errorf("%s: the AUTH user and password are longer than %d bytes", e.Where, MaxCredentials-2)
		}
		r.User, r.Pass = user, pass
	}
	if a, err := netip.ParseAddr(hostport); err == nil && a.Is6() {
		// 2001:db8::7:25 is an address, and may have been meant as
		// 2001:db8::7 port 25: say so rather than guess (SPEC 3.9).
		return Route{}, fmt.Errorf("%s: an IPv6 relay needs brackets or ;port", e.Where)
	}
	relay, port, hasPort := splitPort(hostport)
	if strings.ContainsAny(relay, " \t") {
		// SPEC D34: no host name holds one; mxlookup would fail on it
		// at every delivery with a text that blames DNS.
		return Route{}, fmt.Errorf("%s: white space in the relay %q", e.Where, relay)
	}
	if hasPort && port != "" {
		p, ok := parsePort(port)
		if !ok {
			return Route{}, fmt.Errorf("%s: bad port %q", e.Where, port)
		}
		r.Port = p
	}
	if relay != "" {
		r.Host, r.Relay = relay, true
	}
	return r, nil
}

// splitPort separates "relay;port" or "relay:port" (SPEC D5): a ';' wins;
// otherwise the first ':' outside brackets, so "[2001:db8::1]:26" works.
func splitPort(s string) (host, port string, ok bool) {
	if h, p, found := strings.Cut(s, ";"); found {
		return h, p, true
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ':':
			if depth <= 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

func parsePort(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n > 0 && n < 65536
}
