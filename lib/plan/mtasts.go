package plan

import (
	"strings"

	"qmail-remote-go/lib/idna"
	"qmail-remote-go/lib/literal"
	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// MTA-STS (RFC 8461, SPEC D31): what a policy, once qmail-remote has it
// in Plan.STS, means for the candidates and for the speaker's TLS
// settings. Under enforce, MX hosts that match no mx pattern are
// dropped and the others need STARTTLS and a certificate that chains to
// the system roots and names the MX host; under testing the reports say
// what enforce would have refused; none changes nothing. A message
// with TLS-Required: No (D32) is delivered as without a policy.

// STSDomain is the domain whose policy this delivery follows, "" when
// MTA-STS does not apply: only a delivery by MX (not an smtproutes or
// qmtproutes relay, not an address literal) over SMTP, to a host name,
// and not when an explicit tlsdestinations rule names the host (as for
// DANE, D30: the administrator's rule for this host decides).
func (p *Plan) STSDomain() string {
	if p.Route.Relay || p.Route.Proto != route.SMTP || p.explicitTLSRule() {
		return ""
	}
	if _, ok := literal.Parse(p.Route.Host); ok {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(p.Route.Host, "."))
	if !idna.IsASCII(host) {
		var err error
		if host, err = idna.ToASCII(host); err != nil {
			return ""
		}
	}
	if !mtasts.IsDomain(host) {
		return ""
	}
	return host
}

// explicitTLSRule tells whether the tlsdestinations rule in force is
// keyed on the routed host or a suffix of it, not a '*' form and not the
// built-in default.
func (p *Plan) explicitTLSRule() bool {
	k := strings.TrimLeft(p.TLS.Key, "!%=~+-")
	return k != "" && k != "*"
}

// stsMode is the mode in force: None without a policy or after
// TLS-Required: No.
func (p *Plan) stsMode() mtasts.Mode {
	if p.STS == nil || p.TLSRequiredNo {
		return mtasts.None
	}
	return p.STS.Policy.Mode
}

// STSEnforced tells whether candidate c is held to the policy's enforce
// mode. This is where DANE (D30) wins: a host with usable TLSA records
// is to be checked by DANE instead, and MTA-STS not applied to it.
func (p *Plan) STSEnforced(c Candidate) bool { return p.stsMode() == mtasts.Enforce && !p.dane(c) }

// STSCandidates keeps, under enforce, the candidates whose MX host
// matches the policy (RFC 8461 4.1), and those with usable DANE TLSA
// records whether listed or not: DANE wins over MTA-STS for its hosts
// (SPEC D30, D31; RFC 8461 2), which are judged by DANE alone. None left
// is an Error.
func (p *Plan) STSCandidates(cands []Candidate) ([]Candidate, *Error) {
	if p.stsMode() != mtasts.Enforce {
		return cands, nil
	}
	var keep []Candidate
	for _, c := range cands {
		if p.dane(c) || p.STS.Policy.Matches(c.Name) {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		return nil, fail("MTA-STS: no MX host of %s matches its policy. (#4.7.5)\n", OneLine(p.Route.Host))
	}
	return keep, nil
}

// STSDepth is the most intermediate certificates allowed between a
// server's certificate and a system root under MTA-STS: web PKI chains
// have one to three; tlswrap's default of 1 (qmail's) is too few.
const STSDepth = 8

// stsEnv is the TLS policy of an enforced candidate: STARTTLS required,
// the chain to the system roots (no CAFILE or CADIR) through at most
// STSDepth intermediates, the MX host's name (a "*" first label matching
// one label), SNI that name; the texts name the MX host, and TLSMECH
// makes smtpclient say MTA-STS in them (smtpclient.8). The ciphers of
// the tlsdestinations rule in force, if any, still apply.
func (p *Plan) stsEnv(c Candidate) []string {
	pol := tlspolicy.Policy{Level: tlspolicy.Must, Verify: tlspolicy.Wildcard, Depth: STSDepth, Ciphers: p.TLS.Ciphers}
	return append([]string{"TLS=must", "TLSHOST=" + c.Name, "TLSMECH=MTA-STS enforce"},
		pol.Env([]string{c.Name}, c.Name)...)
}

// stsAudit is what an opportunistic session to c says of a policy that
// did not apply in full (smtpclient.8, TLSMECH): under testing, tlswrap
// checks the certificate as enforce would and the K report's TLS line
// says what would have failed (SPEC D31); after TLS-Required: No, that
// line says the policy was not applied (D32).
func (p *Plan) stsAudit(c Candidate) []string {
	switch {
	case p.STS == nil || p.STS.Policy.Mode == mtasts.None:
		return nil
	case p.TLSRequiredNo:
		return []string{"TLSMECH=TLS-Required: No (MTA-STS " + p.STS.Policy.Mode.String() + " not applied)"}
	case p.STS.Policy.Mode == mtasts.Testing && p.STS.Policy.Matches(c.Name):
		return []string{"TLSMECH=MTA-STS testing", "TLS_AUDIT_NAMES=" + c.Name}
	}
	return nil
}

// STSNote is the line a report gets under testing when c's MX host
// matches no pattern of the policy: enforce would not have used it
// (unless DANE decides for it, as it then did).
func (p *Plan) STSNote(c Candidate) string {
	if p.stsMode() != mtasts.Testing || p.dane(c) || p.STS.Policy.Matches(c.Name) {
		return ""
	}
	return "MTA-STS testing: would have failed: " + c.Name + " matches no mx pattern of the policy\n"
}
