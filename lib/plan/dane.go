package plan

import (
	"encoding/hex"
	"strconv"
	"strings"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// DANE is what mxlookup -t says of a candidate's host (mxlookup.8,
// SPEC D30).
// The flag m (the MX answer was authenticated) is Candidate.MXSecure.
type DANE struct {
	AddrSecure bool   // a: the host's address records were
	Failed     bool   // f: its TLSA lookup failed
	Base       string // the TLSA base domain; "" when it has no TLSA records
	// TLSA are its records as TLS_TLSA takes them (tlswrap.8):
	// "USAGE SELECTOR MATCHING DATA", separated by commas. A string, so
	// that a Candidate stays comparable.
	TLSA string
}

// maxTLSA bounds the records of one host (mxlookup prints at most 16).
const maxTLSA = 64

// parseFlags reads the fourth field of a candidate line: "-", or m, a,
// then t or f, in that order. t and f need a: mxlookup asks for TLSA
// records only for a host whose addresses were authenticated.
func parseFlags(s string) (mx bool, d DANE, tlsa bool, ok bool) {
	if s == "-" {
		return false, d, false, true
	}
	rest := s
	mx = strings.HasPrefix(rest, "m")
	rest = strings.TrimPrefix(rest, "m")
	d.AddrSecure = strings.HasPrefix(rest, "a")
	rest = strings.TrimPrefix(rest, "a")
	switch rest {
	case "":
	case "t":
		tlsa = true
	case "f":
		d.Failed = true
	default:
		return false, DANE{}, false, false
	}
	if s == "" || (tlsa || d.Failed) && !d.AddrSecure {
		return false, DANE{}, false, false
	}
	return mx, d, tlsa, true
}

// parseTLSALine reads "tlsa HOST BASE USAGE SELECTOR MATCHING DATA"
// (f holds its fields): the numbers 0-255 in decimal, DATA in hex or "-".
func parseTLSALine(f []string) bool {
	if len(f) != 7 || f[1] == "" || f[2] == "" {
		return false
	}
	for _, n := range f[3:6] {
		if v, err := strconv.ParseUint(n, 10, 8); err != nil || strconv.FormatUint(v, 10) != n {
			return false
		}
	}
	if f[6] == "-" {
		return true
	}
	b, err := hex.DecodeString(f[6])
	return err == nil && len(b) > 0
}

// dane tells whether DANE decides the TLS of candidate c: its host has
// TLSA records, the route speaks SMTP, no rule keyed on the routed host
// (tlspolicy's Explicit) decides instead ("*" forms and the D7 default
// do not: SPEC D28, D30), and the message does not say TLS-Required: No
// (D32).
func (p *Plan) dane(c Candidate) bool {
	return c.DANE.Base != "" && p.Route.Proto == route.SMTP && !p.TLS.Explicit && !p.TLSRequiredNo
}

// daneAudit is what the K report's TLS line says of a DANE host whose
// TLSA records TLS-Required: No set aside (SPEC D32, smtpclient's
// TLSMECH).
func (p *Plan) daneAudit(c Candidate) []string {
	if !p.TLSRequiredNo || c.DANE.Base == "" || p.Route.Proto != route.SMTP || p.TLS.Explicit {
		return nil
	}
	return []string{"TLSMECH=TLS-Required: No (DANE not applied)"}
}

// DANEFailed tells whether candidate c must not be tried now: the TLSA
// lookup for its authenticated host failed (SPEC D30: that host fails
// temporarily, never clear text), no rule keyed on the routed host
// decides instead, and the message does not say TLS-Required: No (D32).
func (p *Plan) DANEFailed(c Candidate) bool {
	return c.DANE.Failed && p.Route.Proto == route.SMTP && !p.TLS.Explicit && !p.TLSRequiredNo
}

// DANEPort is the port whose TLSA records mxlookup looks up (its -t),
// 0 for none: SMTP routes only, at the port we connect to.
func (p *Plan) DANEPort() int {
	if p.Route.Proto != route.SMTP {
		return 0
	}
	return p.Route.Port
}

// daneEnv is the TLS environment for a DANE host (SPEC D30, tlswrap.8):
// TLS mandatory, TLS_VERIFY=dane with the records, SNI the TLSA base
// domain (RFC 7672 8.1), the base domain and the MX host as the names a
// DANE-TA certificate may carry (RFC 7672 3.2.3), the MX host for the
// texts. The rule's cipher list still applies.
func (p *Plan) daneEnv(c Candidate) []string {
	names := tlspolicy.Names(c.DANE.Base, c.Name, true) // both authenticated: DANE needs that
	env := []string{"TLS=" + tlspolicy.Must.String(), "TLSHOST=" + c.Name, "TLS_VERIFY=" + handoff.VerifyDANE,
		"TLS_TLSA=" + c.DANE.TLSA, "TLS_NAMES=" + strings.Join(names, " ")}
	if len(names) > 0 {
		env = append(env, "TLS_SERVERNAME="+names[0])
	}
	if c := p.TLS.Ciphers; c != "" && !strings.ContainsAny(c, "\x00\r\n") {
		env = append(env, "TLS_CIPHERS="+c)
	}
	return env
}
