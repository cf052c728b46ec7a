package plan

import (
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// tlsPolicy reads the TLS rule for the destination after routing
// (control/tlsdestinations, SPEC 4.9, D6, D7) and the client certificate
// for the sender (control/domaincerts, SPEC 4.10). A rule's port
// replaces the route's; port 465 with TLS in force means SMTPS.
func (p *Plan) tlsPolicy() *Error {
	var err error
	p.TLS, err = tlspolicy.Select(p.Cfg.TLSDest, p.Cfg.TLSDestFound, p.Route.Host, p.Sender)
	if err != nil {
		return fail("Syntax error in %s. (#4.3.5)\n", OneLine(err.Error()))
	}
	if p.Route.Proto == route.QMTP {
		// SPEC D29: tlsdestinations applies to QMTP routes too. QMTPS
		// (port 6209, TLS from the first byte) gets the rule's checks
		// as SMTPS does, and TLS whatever a '!' or '*' rule says; plain
		// QMTP cannot start TLS, so a mandatory rule fails every
		// address of the route, and no connection is made.
		switch {
		case p.QMTPS():
			if p.TLS.Level != tlspolicy.Must {
				p.TLS = tlspolicy.Default
			}
		case p.TLS.Level == tlspolicy.Must:
			return fail("TLS is required for %s, but QMTP cannot start TLS (use QMTPS, port 6209). (#4.7.0)\n", report.Safe(p.Route.Host))
		default:
			p.TLS = tlspolicy.Policy{Level: tlspolicy.Never, Depth: tlspolicy.DepthUnset}
		}
	} else {
		if p.TLS.Port != 0 {
			p.Route.Port = p.TLS.Port
		}
		if p.Route.User != "" {
			// SPEC D9 (revised): with credentials, TLS with a verified
			// certificate unless a rule keyed on the relay decides.
			p.TLSRule, p.TLS = p.TLS, tlspolicy.ForCredentials(p.TLS)
		}
	}
	if p.Cert, p.HasCert, err = tlspolicy.SelectCert(p.Cfg.DomainCerts, p.Sender); err != nil {
		return fail("Syntax error in %s. (#4.3.5)\n", OneLine(err.Error()))
	}
	return nil
}

// PolicyFor is the TLS policy for candidate c. A loopback peer is
// exempt from D9's default for credentials (SPEC D9): it gets the rule
// that matched, and STARTTLS whenever offered where that rule (a '!'
// form that does not name the host) would turn TLS off.
func (p *Plan) PolicyFor(c Candidate) tlspolicy.Policy {
	if !p.TLS.ForAuth || !c.Addr.Unmap().IsLoopback() {
		return p.TLS
	}
	if p.TLSRule.Level == tlspolicy.Never {
		return tlspolicy.Default
	}
	return p.TLSRule
}

// AuthHint is the line added to a failure at D9's mandatory level for
// a route with credentials, "" otherwise: what an admin writes to allow
// a private relay (qmail-remote.8, "Upgrading from s/qmail").
func (p *Plan) AuthHint(c Candidate) string {
	if p.Route.User == "" || !p.PolicyFor(c).ForAuth {
		return ""
	}
	h := p.Route.Host
	return "TLS with a verified certificate is required to send the password for " + h +
		"; for a private relay add to control/tlsdestinations: " + h + ":/path/to/its-ca.pem, %" + h +
		":=<sha256 fingerprint>, or -" + h + ": to accept any certificate.\n"
}

// SMTPS tells whether this delivery starts TLS before the greeting,
// as far as the tlsdestinations rule says (SMTPSTo decides per host).
func (p *Plan) SMTPS() bool {
	return p.Route.Proto == route.SMTP && p.Route.Port == tlspolicy.SMTPSPort && p.TLS.Level != tlspolicy.Never
}

// SMTPSTo tells whether the connection to candidate c starts TLS before
// the greeting: port 465 with TLS in force, which for a host with DANE
// records (SPEC D30) or under MTA-STS enforce (D31) it is whatever a
// '!' form of '*' says; their checks then run in tlswrap -i.
func (p *Plan) SMTPSTo(c Candidate) bool {
	return p.Route.Proto == route.SMTP && p.Route.Port == tlspolicy.SMTPSPort &&
		(p.TLS.Level != tlspolicy.Never || p.dane(c) || p.STSEnforced(c))
}

// QMTPSPort is QMTP over TLS from the first byte (sq3).
const QMTPSPort = 6209

// QMTPS tells whether this delivery is QMTP over TLS from the first byte.
func (p *Plan) QMTPS() bool { return p.Route.Proto == route.QMTP && p.Route.Port == QMTPSPort }

// Speaker is the program that speaks the route's protocol.
func (p *Plan) Speaker() string {
	if p.Route.Proto == route.QMTP {
		return "qmtpclient"
	}
	return "smtpclient"
}
