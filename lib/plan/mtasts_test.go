package plan

import (
	"fmt"
	"testing"
	"time"

	"qmail-remote-go/lib/mtasts"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

func TestExplicitTLSRule(t *testing.T) {
	for key, want := range map[string]bool{
		"": false, "*": false, "!*": false, "!": false, "-": false, "=*": false, "~*": false, "+*": false, "-*": false,
		"!mx.test": true, "!.test": true, "=mx.test": true, "~.test": true, "%mx.test": true, "mx.test": true, "-mx.test": true,
	} {
		p := &Plan{TLS: tlspolicy.Policy{Key: key}}
		if got := p.explicitTLSRule(); got != want {
			t.Errorf("%q: got %v, want %v", key, got, want)
		}
	}
}

func TestStsDomain(t *testing.T) {
	for host, want := range map[string]string{
		"Example.COM.": "example.com", "[192.0.2.1]": "", "192.0.2.1": "", "bücher.test": "xn--bcher-kva.test", "a_b.test": "",
	} {
		d := &Plan{}
		d.Route.Host, d.Route.Proto = host, route.SMTP
		if got := d.STSDomain(); got != want {
			t.Errorf("%q: got %q, want %q", host, got, want)
		}
	}
	d := &Plan{}
	d.Route.Host, d.Route.Proto, d.Route.Relay = "example.com", route.SMTP, true
	if got := d.STSDomain(); got != "" {
		t.Errorf("a relay: got %q", got)
	}
	d.Route.Relay, d.Route.Proto = false, route.QMTP
	if got := d.STSDomain(); got != "" {
		t.Errorf("QMTP: got %q", got)
	}
}

func TestSTS(t *testing.T) {
	pol := &mtasts.Entry{ID: "a", Expires: time.Now().Add(time.Hour),
		Policy: mtasts.Policy{Mode: mtasts.Enforce, MaxAge: 3600, MX: []string{"mx.test", "*.wild.test"}}}
	p := &Plan{STS: pol}
	p.Route.Host = "wild.test"
	cands := []Candidate{{Pref: 10, Name: "mx.test"}, {Pref: 20, Name: "other.test"}, {Pref: 30, Name: "a.wild.test"}}
	keep, err := p.STSCandidates(cands)
	if err != nil || len(keep) != 2 || keep[0].Name != "mx.test" || keep[1].Name != "a.wild.test" {
		t.Errorf("enforce: %v, %v", keep, err)
	}
	env := p.stsEnv(keep[0])
	want := "[TLS=must TLSHOST=mx.test TLSMECH=MTA-STS enforce TLS_VERIFY=wildcard TLS_NAMES=mx.test TLS_DEPTH=8 TLS_SERVERNAME=mx.test]"
	if got := fmt.Sprint(env); got != want {
		t.Errorf("stsEnv = %s\nwant %s", got, want)
	}
	if _, err := p.STSCandidates(cands[1:2]); err == nil || err.Error() != "MTA-STS: no MX host of wild.test matches its policy. (#4.7.5)\n" {
		t.Errorf("no match: %v", err)
	}
	// Under enforce a failed handshake never goes on in clear text,
	// whatever exit code the stage gives (issue 17 item 8, SPEC D31).
	p.TLS, p.Route.Proto, p.Route.Port = tlspolicy.Default, route.SMTP, 25
	if p.ClearRetry(keep[0]) {
		t.Errorf("ClearRetry under MTA-STS enforce")
	}
	p.TLSRequiredNo = true
	if !p.ClearRetry(keep[0]) {
		t.Errorf("no ClearRetry after TLS-Required: No (the D7 default)")
	}
	if keep, err := p.STSCandidates(cands); err != nil || len(keep) != 3 || p.STSEnforced(cands[0]) {
		t.Errorf("TLS-Required: No: %v, %v", keep, err)
	}
	if got := fmt.Sprint(p.stsAudit(cands[0])); got != "[TLSMECH=TLS-Required: No (MTA-STS enforce not applied)]" {
		t.Errorf("D32 audit: %s", got)
	}
	p.TLSRequiredNo = false
	pol.Policy.Mode = mtasts.Testing
	if keep, _ := p.STSCandidates(cands); len(keep) != 3 || p.STSEnforced(cands[0]) {
		t.Errorf("testing: %v", keep)
	}
	if got := fmt.Sprint(p.stsAudit(cands[0])); got != "[TLSMECH=MTA-STS testing TLS_AUDIT_NAMES=mx.test]" {
		t.Errorf("testing audit: %s", got)
	}
	if got := p.STSNote(cands[1]); got != "MTA-STS testing: would have failed: other.test matches no mx pattern of the policy\n" {
		t.Errorf("testing note: %q", got)
	}
	if got := p.STSNote(cands[0]); got != "" {
		t.Errorf("testing note for a listed host: %q", got)
	}
}

// DANE wins over MTA-STS for its hosts (SPEC D30, D31): under enforce an
// MX host the policy does not list is kept when it has TLSA records, and
// gets DANE's checks, not MTA-STS's; under testing it gets no note.
func TestSTSDANEHost(t *testing.T) {
	pol := &mtasts.Entry{ID: "a", Expires: time.Now().Add(time.Hour),
		Policy: mtasts.Policy{Mode: mtasts.Enforce, MaxAge: 3600, MX: []string{"mx.test"}}}
	p := &Plan{STS: pol}
	p.Route.Host, p.Route.Proto = "dom.test", route.SMTP
	dane := Candidate{Pref: 10, Name: "dane.test", MXSecure: true,
		DANE: DANE{AddrSecure: true, Base: "dane.test", TLSA: "3 1 1 00ff"}}
	plain := Candidate{Pref: 20, Name: "plain.test"}
	keep, err := p.STSCandidates([]Candidate{dane, plain})
	if err != nil || len(keep) != 1 || keep[0].Name != "dane.test" {
		t.Fatalf("enforce with an unlisted DANE host: %v, %v", keep, err)
	}
	if p.STSEnforced(dane) {
		t.Errorf("the DANE host is held to MTA-STS")
	}
	env, _, eerr := p.tlsEnv(dane, false)
	if got := fmt.Sprint(env); eerr != nil || got != "[TLS=must TLSHOST=dane.test TLS_VERIFY=dane TLS_TLSA=3 1 1 00ff TLS_NAMES=dane.test TLS_SERVERNAME=dane.test]" {
		t.Errorf("DANE host env: %s, %v", got, eerr)
	}
	// a failed TLSA lookup is no DANE: the host is not kept for it
	failed := Candidate{Pref: 10, Name: "failed.test", DANE: DANE{AddrSecure: true, Failed: true}}
	if _, err := p.STSCandidates([]Candidate{failed}); err == nil {
		t.Errorf("a host whose TLSA lookup failed was kept")
	}
	// an explicit rule for the routed host sets DANE aside, and MTA-STS
	// with it (STSDomain); TLS-Required: No sets both aside
	p.TLSRequiredNo = true
	if keep, _ := p.STSCandidates([]Candidate{dane, plain}); len(keep) != 2 {
		t.Errorf("TLS-Required: No: %v", keep)
	}
	p.TLSRequiredNo = false
	pol.Policy.Mode = mtasts.Testing
	if got := p.STSNote(dane); got != "" {
		t.Errorf("testing note for a DANE host: %q", got)
	}
	if got := p.STSNote(plain); got == "" {
		t.Errorf("no testing note for an unlisted host")
	}
}

// Port 465 from a '!*' rule: a DANE host, and an MX host under MTA-STS
// enforce, still start TLS at connect under tlswrap -i with their checks
// (SPEC D30, D31); another host gets plain SMTP on 465 as the rule says.
func TestSMTPSTo(t *testing.T) {
	p := &Plan{TLS: tlspolicy.Policy{Level: tlspolicy.Never, Key: "!*", Port: 465}}
	p.Route.Host, p.Route.Proto, p.Route.Port = "dom.test", route.SMTP, 465
	dane := Candidate{Name: "dane.test", MXSecure: true, DANE: DANE{AddrSecure: true, Base: "dane.test", TLSA: "3 1 1 00ff"}}
	plain := Candidate{Name: "plain.test"}
	if p.SMTPS() || p.SMTPSTo(plain) || !p.SMTPSTo(dane) {
		t.Errorf("SMTPS %v, plain %v, DANE %v", p.SMTPS(), p.SMTPSTo(plain), p.SMTPSTo(dane))
	}
	if name, argv := p.Argv(dane, "/bin", []string{"s"}, false); name != "tlswrap" || fmt.Sprint(argv) != "[-i /bin/smtpclient s]" {
		t.Errorf("DANE host: %s %v", name, argv)
	}
	if name, _ := p.Argv(plain, "/bin", []string{"s"}, false); name != "smtpclient" {
		t.Errorf("plain host: %s", name)
	}
	p.STS = &mtasts.Entry{ID: "a", Expires: time.Now().Add(time.Hour),
		Policy: mtasts.Policy{Mode: mtasts.Enforce, MaxAge: 3600, MX: []string{"plain.test"}}}
	if name, _ := p.Argv(plain, "/bin", []string{"s"}, false); name != "tlswrap" || p.ClearRetry(plain) {
		t.Errorf("MTA-STS enforce host: %s, clear retry %v", name, p.ClearRetry(plain))
	}
	p.TLSRequiredNo = true
	if p.SMTPSTo(plain) || p.SMTPSTo(dane) {
		t.Errorf("TLS-Required: No: the '!*' rule decides")
	}
}
