package plan

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

func TestParseDANE(t *testing.T) {
	out := "tlsa mx.test mx.test 3 1 1 abcd\ntlsa mx.test mx.test 2 0 1 -\n" +
		"10 192.0.2.7 mx.test mat\n10 192.0.2.8 mx.test mat\n20 192.0.2.9 mx2.test maf\n30 192.0.2.10 mx3.test m\n40 192.0.2.11 mx4.test -\n"
	got, err := ParseCandidates([]byte(out))
	recs := "3 1 1 abcd,2 0 1 -"
	want := []Candidate{
		{Pref: 10, Addr: netip.MustParseAddr("192.0.2.7"), Name: "mx.test", MXSecure: true, DANE: DANE{AddrSecure: true, Base: "mx.test", TLSA: recs}},
		{Pref: 10, Addr: netip.MustParseAddr("192.0.2.8"), Name: "mx.test", MXSecure: true, DANE: DANE{AddrSecure: true, Base: "mx.test", TLSA: recs}},
		{Pref: 20, Addr: netip.MustParseAddr("192.0.2.9"), Name: "mx2.test", MXSecure: true, DANE: DANE{AddrSecure: true, Failed: true}},
		{Pref: 30, Addr: netip.MustParseAddr("192.0.2.10"), Name: "mx3.test", MXSecure: true},
		{Pref: 40, Addr: netip.MustParseAddr("192.0.2.11"), Name: "mx4.test"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, bad := range []string{
		"10 192.0.2.7 mx.test mat\n",                                   // t without records
		"tlsa mx.test mx.test 3 1 1 ab\n10 192.0.2.7 mx.test ma\n",     // records without t
		"tlsa mx.test mx.test 3 1 1 ab\n10 192.0.2.7 other.test mat\n", // records of another host
		"tlsa mx.test mx.test 3 1 1 ab\ntlsa mx.test other.test 3 1 1 ab\n10 192.0.2.7 mx.test mat\n",
		"tlsa mx.test mx.test 3 1 1 xy\n10 192.0.2.7 mx.test mat\n",
		"tlsa mx.test mx.test 3 1 1 abc\n10 192.0.2.7 mx.test mat\n",
		"tlsa mx.test mx.test 256 1 1 ab\n10 192.0.2.7 mx.test mat\n",
		"tlsa mx.test mx.test 03 1 1 ab\n10 192.0.2.7 mx.test mat\n",
		"tlsa mx.test mx.test 3 1 1\n10 192.0.2.7 mx.test mat\n",
		"tlsa mx.test mx.test 3 1 1 ab\n",
		"10 192.0.2.7 mx.test t\n", "10 192.0.2.7 mx.test mf\n", "10 192.0.2.7 mx.test am\n",
		"10 192.0.2.7 mx.test maft\n", "10 192.0.2.7 mx.test \n", "10 192.0.2.7 mx.test x\n",
		"10 192.0.2.7 mx.test - x\n",
	} {
		if c, err := ParseCandidates([]byte(bad)); err == nil {
			t.Errorf("ParseCandidates(%q) = %+v, want an error", bad, c)
		}
	}
}

func envOf(t *testing.T, p *Plan, c Candidate) string {
	t.Helper()
	env, keyPass, err := p.tlsEnv(c, false)
	if err != nil || keyPass != nil {
		t.Fatal(err)
	}
	return strings.Join(env, "\n")
}

// TestDANEPolicy: TLSA records replace the rule unless it is keyed on
// the routed host (SPEC D28, D30).
func TestDANEPolicy(t *testing.T) {
	dane := Candidate{Pref: 10, Addr: netip.MustParseAddr("192.0.2.7"), Name: "mx.dane.test",
		MXSecure: true, DANE: DANE{AddrSecure: true, Base: "mx.dane.test", TLSA: "3 1 1 abcd,2 0 1 ef"}}
	alias := dane
	alias.DANE.Base = "target.dane.test"
	plain := Candidate{Pref: 20, Addr: netip.MustParseAddr("192.0.2.8"), Name: "mx2.dane.test"}
	failed := Candidate{Pref: 20, Addr: netip.MustParseAddr("192.0.2.9"), Name: "mx3.dane.test", DANE: DANE{AddrSecure: true, Failed: true}}
	daneEnv := "TLS=must\nTLSHOST=mx.dane.test\nTLS_VERIFY=dane\nTLS_TLSA=3 1 1 abcd,2 0 1 ef\nTLS_NAMES=mx.dane.test\nTLS_SERVERNAME=mx.dane.test"
	for _, c := range []struct {
		name   string
		key    string
		policy tlspolicy.Policy
		proto  string
		cand   Candidate
		want   string
		failed bool
	}{
		{"default", "", tlspolicy.Default, route.SMTP, dane, daneEnv, false},
		{"'*' rule", "*", tlspolicy.Default, route.SMTP, dane, daneEnv, false},
		{"'!*' rule", "!*", tlspolicy.Policy{Level: tlspolicy.Never}, route.SMTP, dane, daneEnv, false},
		{"'-*' rule with ciphers", "-*", tlspolicy.Policy{Level: tlspolicy.Must, Ciphers: "HIGH"}, route.SMTP, dane, daneEnv + "\nTLS_CIPHERS=HIGH", false},
		{"CNAME: SNI the base domain", "", tlspolicy.Default, route.SMTP, alias,
			"TLS=must\nTLSHOST=mx.dane.test\nTLS_VERIFY=dane\nTLS_TLSA=3 1 1 abcd,2 0 1 ef\nTLS_NAMES=target.dane.test mx.dane.test\nTLS_SERVERNAME=target.dane.test", false},
		{"no records", "", tlspolicy.Default, route.SMTP, plain, "TLS=try\nTLSHOST=dane.test\nTLS_VERIFY=none\nTLS_SERVERNAME=mx2.dane.test", false},
		{"a rule for the host wins", "!dane.test", tlspolicy.Policy{Level: tlspolicy.Never}, route.SMTP, dane, "TLS=no\nTLSHOST=dane.test", false},
		{"a suffix rule wins", "-.test", tlspolicy.Policy{Level: tlspolicy.Must}, route.SMTP, dane,
			"TLS=must\nTLSHOST=dane.test\nTLS_VERIFY=none\nTLS_SERVERNAME=mx.dane.test", false},
		{"failed TLSA lookup", "", tlspolicy.Default, route.SMTP, failed, "TLS=try\nTLSHOST=dane.test\nTLS_VERIFY=none\nTLS_SERVERNAME=mx3.dane.test", true},
		{"failed TLSA lookup, a host rule", "=dane.test", tlspolicy.Policy{Level: tlspolicy.Must, Verify: tlspolicy.Name, Depth: tlspolicy.DepthUnset}, route.SMTP, failed,
			"TLS=must\nTLSHOST=dane.test\nTLS_VERIFY=name\nTLS_NAMES=dane.test\nTLS_SERVERNAME=mx3.dane.test", false},
		{"QMTP: no DANE", "", tlspolicy.Policy{Level: tlspolicy.Never}, route.QMTP, dane, "TLS=no\nTLSHOST=dane.test", false},
	} {
		pol := c.policy
		pol.Key = c.key
		pol.Explicit = c.key != "" && c.key != "!" && !strings.HasSuffix(c.key, "*") // as tlspolicy.Select sets it
		p := &Plan{Route: route.Route{Host: "dane.test", Proto: c.proto, Port: 25}, TLS: pol}
		if got := envOf(t, p, c.cand); got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
		if got := p.DANEFailed(c.cand); got != c.failed {
			t.Errorf("%s: DANEFailed %v", c.name, got)
		}
	}
	// The clear-text retry of D8 never applies to a DANE host.
	p := &Plan{Route: route.Route{Host: "dane.test", Proto: route.SMTP, Port: 25}, TLS: tlspolicy.Default}
	env, _, _ := p.tlsEnv(dane, true)
	if !strings.HasPrefix(strings.Join(env, "\n"), "TLS=must\n") {
		t.Errorf("clear retry: %q", env)
	}
	// SPEC D32: TLS-Required: No sets DANE aside, a failed TLSA lookup too.
	p.TLSRequiredNo = true
	if got := envOf(t, p, dane); got != "TLS=try\nTLSHOST=dane.test\nTLS_VERIFY=none\nTLS_SERVERNAME=mx.dane.test\nTLSMECH=TLS-Required: No (DANE not applied)" {
		t.Errorf("TLS-Required: No: %q", got)
	}
	if p.DANEFailed(failed) || p.ClearRetry(dane) != true {
		t.Errorf("TLS-Required: No: DANEFailed %v ClearRetry %v", p.DANEFailed(failed), p.ClearRetry(dane))
	}
	p.TLSRequiredNo = false
	if p.ClearRetry(dane) {
		t.Errorf("ClearRetry for a DANE host")
	}
	if p.DANEPort() != 25 || (&Plan{Route: route.Route{Proto: route.QMTP, Port: 209}}).DANEPort() != 0 {
		t.Errorf("DANEPort")
	}
}
