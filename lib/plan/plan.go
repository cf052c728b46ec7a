// Package plan is qmail-remote's decision for one delivery, made before
// any connection: the control files it reads, the route, the source
// address and HELO name, the TLS policy, the client certificate and the
// credentials, and what each stage is told of them. qmail-remote acts
// on a Plan; qmail-rcheck prints one, so that what it shows is what a
// delivery would do. See qmail-remote.8, CONTROL FILES.
package plan

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"qmail-remote-go/lib/addr"
	"qmail-remote-go/lib/control"
	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// Config is what qmail-remote reads from control/.
type Config struct {
	Helohost       string
	HeloFile       string // where it came from: helohost, me, or a domainips line
	TimeoutConnect int    // seconds
	TimeoutRemote  int    // seconds
	Tables         route.Tables
	TLSDest        control.Table // control/tlsdestinations
	TLSDestFound   bool          // it exists (SPEC D7)
	DomainCerts    control.Table
	DomainIPs      control.Table
}

// MaxTimeout bounds timeoutconnect and timeoutremote.
const MaxTimeout = 86400

// ReadConfig reads the control files, relative to the qmail home. A
// line that cannot mean anything (SPEC D34) is an *Error naming it.
func ReadConfig() (Config, error) {
	c, err := readConfig()
	var se *control.SyntaxError
	if errors.As(err, &se) {
		return c, fail("Syntax error in %s. (#4.3.5)\n", OneLine(se.Error()))
	}
	return c, err
}

func readConfig() (c Config, err error) {
	var ok bool
	c.HeloFile = "helohost"
	if c.Helohost, ok, err = control.ReadLine("helohost"); err != nil {
		return c, err
	}
	if !ok {
		// SPEC 4.3: helohost defaults to me; neither is an error.
		c.HeloFile = "me"
		if c.Helohost, ok, err = control.ReadLine("me"); err != nil || !ok {
			return c, cmp.Or(err, errors.New("neither control/helohost nor control/me exists"))
		}
	}
	if c.TimeoutConnect, err = control.ReadInt("timeoutconnect", 60, MaxTimeout); err != nil {
		return c, err
	}
	if c.TimeoutRemote, err = control.ReadInt("timeoutremote", 1200, MaxTimeout); err != nil {
		return c, err
	}
	if c.Tables.SMTPRoutes, err = control.ReadHostTable("smtproutes"); err != nil {
		return c, err
	}
	if c.Tables.AuthSenders, err = control.ReadTable("authsenders"); err != nil {
		return c, err
	}
	if c.Tables.QMTPRoutes, err = control.ReadHostTable("qmtproutes"); err != nil {
		return c, err
	}
	if c.TLSDest, c.TLSDestFound, err = readTLSDest(); err != nil {
		return c, err
	}
	if c.DomainCerts, err = control.ReadTable("domaincerts"); err != nil {
		return c, err
	}
	c.DomainIPs, err = control.ReadTable("domainips")
	return c, err
}

// readTLSDest reads control/tlsdestinations; a line without ':' and a
// key no host can match are syntax errors, the first in the file is
// the error.
func readTLSDest() (control.Table, bool, error) {
	lines, bad, ok, err := control.ReadLines("tlsdestinations")
	if err != nil {
		return control.Table{}, ok, err
	}
	bad = append(bad, tlspolicy.CheckKeys(lines)...)
	if len(bad) > 0 {
		return control.Table{}, ok, slices.MinFunc(bad, func(a, b *control.SyntaxError) int { return a.N - b.N })
	}
	return control.HostTableOf(lines), ok, nil
}

// A Plan is how one message from Sender goes to Host.
type Plan struct {
	Host, Sender string
	Cfg          Config           // Helohost as domainips makes it
	Route        route.Route      // TLS.Port applied
	Src          route.Source     // control/domainips for the sender
	TLS          tlspolicy.Policy // for the destination after routing
	TLSRule      tlspolicy.Policy // the rule's, when TLS is D9's default for credentials (ForAuth)
	Cert         tlspolicy.Cert   // the client certificate, if HasCert
	HasCert      bool
	// MTA-STS (mtasts.go), which qmail-remote learns once mxlookup ran:
	// the policy in force (nil for none), and whether the message's
	// header said TLS-Required: No (SPEC D32).
	STS           *mtasts.Entry
	TLSRequiredNo bool
}

// An Error is why no delivery can start: the text of qmail-remote's Z
// report (temporary: the administrator fixes the control files).
type Error struct{ Text string }

func (e *Error) Error() string { return e.Text }

func fail(format string, a ...any) *Error { return &Error{fmt.Sprintf(format, a...)} }

// Make decides the plan for host and sender under cfg.
func Make(cfg Config, host, sender string) (*Plan, error) {
	p := &Plan{Host: host, Sender: sender, Cfg: cfg}
	if err := p.source(); err != nil {
		return nil, err
	}
	if addr.HasLineBreak(p.Cfg.Helohost) {
		// smtpclient would refuse it at every address, and the report
		// would blame the network.
		return nil, fail("Syntax error in control/%s: a line break inside the name. (#4.3.5)\n", p.Cfg.HeloFile)
	}
	var err error
	if p.Route, err = route.Select(cfg.Tables, host, sender); err != nil {
		return nil, fail("Syntax error in %s. (#4.3.5)\n", OneLine(err.Error()))
	}
	if err := p.tlsPolicy(); err != nil {
		return nil, err
	}
	return p, nil
}

// source applies control/domainips for the sender (SPEC 4.8): the
// address to bind, checked here once (its %ifname must name an
// interface), and the HELO name, which replaces control/helohost.
func (p *Plan) source() *Error {
	var err error
	if p.Src, err = route.DomainIPs(p.Cfg.DomainIPs, p.Sender); err != nil {
		return badIP(OneLine(err.Error()))
	}
	if zone := p.Src.Bind.Zone(); zone != "" && !isInterface(zone) {
		return badIP(p.Src.Where + ": no interface " + OneLine(zone))
	}
	if p.Src.Helo != "" {
		// Make checks it as it checks control/helohost, naming the line
		p.Cfg.Helohost, p.Cfg.HeloFile = p.Src.Helo, strings.TrimPrefix(p.Src.Where, "control/")
	}
	return nil
}

// CheckSource checks one line of control/domainips as source does when
// the line applies: its address, its %ifname, its HELO name. The error
// is the report's text.
func CheckSource(e control.Entry) *Error {
	s, err := route.ParseSource(e)
	if err != nil {
		return badIP(OneLine(err.Error()))
	}
	if zone := s.Bind.Zone(); zone != "" && !isInterface(zone) {
		return badIP(e.Where + ": no interface " + OneLine(zone))
	}
	if addr.HasLineBreak(s.Helo) {
		return fail("Syntax error in %s: a line break inside the name. (#4.3.5)\n", e.Where)
	}
	return nil
}

// badIP is sq3's report for a domainips address that cannot be used,
// and a line that says which and why.
func badIP(why string) *Error {
	return fail("Invalid ipaddr in control/domainips (#4.3.0)\n%s\n", why)
}

func isInterface(zone string) bool {
	if _, err := net.InterfaceByName(zone); err == nil {
		return true
	}
	n, err := strconv.Atoi(zone)
	if err != nil || n <= 0 {
		return false
	}
	_, err = net.InterfaceByIndex(n)
	return err == nil
}

// OneLine makes text from a stage or an error fit into one report line.
func OneLine(s string) string {
	b := []byte(report.Printable(strings.TrimSpace(s)))
	if len(b) > 300 {
		b = append(b[:297], "..."...)
	}
	return string(b)
}
