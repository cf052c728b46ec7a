package plan

import (
	"strings"

	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// tlsPolicy reads the TLS rule for the destination after routing
// (control/tlsdestinations, SPEC 4.9, D6, D7) and the client certificate
// for the sender (control/domaincerts, SPEC 4.10). A rule's port
// replaces the route's; port 465 with TLS in force means SMTPS.
func (p *Plan) tlsPolicy() *Error {
	var err error
	if p.Route.Proto == route.QMTP {
		// SPEC 4.6: tlsdestinations is about STARTTLS; QMTP has none.
		// QMTPS (port 6209) is TLS from the first byte (p.QMTPS).
		p.TLS = tlspolicy.Policy{Level: tlspolicy.Never, Depth: tlspolicy.DepthUnset}
		if p.QMTPS() {
			p.TLS = tlspolicy.Default
		}
	} else {
		p.TLS, err = tlspolicy.Select(p.Cfg.TLSDest, p.Cfg.TLSDestFound, p.Route.Host, p.Sender)
		if err != nil {
			return fail("Syntax error in %s. (#4.3.5)\n", OneLine(err.Error()))
		}
		if p.TLS.Port != 0 {
			p.Route.Port = p.TLS.Port
		}
		if p.Route.User != "" && p.TLS.Level == tlspolicy.Never && !p.NamedNoTLS() {
			// SPEC D9: with credentials, STARTTLS whenever offered,
			// unless a ! rule names this host.
			p.TLS = tlspolicy.Default
		}
	}
	if p.Cert, p.HasCert, err = tlspolicy.SelectCert(p.Cfg.DomainCerts, p.Sender); err != nil {
		return fail("Syntax error in %s. (#4.3.5)\n", OneLine(err.Error()))
	}
	return nil
}

// NamedNoTLS tells whether a ! rule of tlsdestinations names this host
// (or a .suffix of it), as opposed to !* or a lone !: only then may a
// password go in clear text (SPEC D9).
func (p *Plan) NamedNoTLS() bool {
	k := p.TLS.Key
	return p.TLS.Level == tlspolicy.Never && strings.HasPrefix(k, "!") && k != "!" && k != "!*"
}

// SMTPS tells whether this delivery starts TLS before the greeting.
func (p *Plan) SMTPS() bool {
	return p.Route.Proto == route.SMTP && p.Route.Port == tlspolicy.SMTPSPort && p.TLS.Level != tlspolicy.Never
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
