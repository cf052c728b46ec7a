package main

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"qmail-remote-go/lib/dns"
)

// fake answers from tables; a name in neither table is NXDOMAIN.
type fake struct {
	mx     map[string][]dns.MX
	addr   map[string][]string   // "a.test AAAA" -> addresses
	fails  map[string]error      // "name TYPE" -> error
	secure map[string]bool       // "name TYPE" -> answers carry AD
	tlsa   map[string][]dns.TLSA // "_25._tcp.host" -> records
	alias  map[string]string     // name -> where its address lookups' CNAME chain ends
	asked  []string              // the TLSA names asked for
}

func key(name string, t dns.Type) string {
	return fmt.Sprintf("%s %s", name, map[dns.Type]string{dns.TypeA: "A", dns.TypeAAAA: "AAAA", dns.TypeMX: "MX", dns.TypeTLSA: "TLSA"}[t])
}

func (f *fake) answer(name string, t dns.Type) dns.Answer {
	a := dns.Answer{Secure: f.secure[key(name, t)], Name: name}
	if to, ok := f.alias[name]; ok && t != dns.TypeTLSA {
		a.Name = to
	}
	return a
}

func (f *fake) fail(name string, t dns.Type) error {
	if err, ok := f.fails[key(name, t)]; ok {
		return err
	}
	for k := range f.addr {
		if strings.HasPrefix(k, name+" ") {
			return &dns.Error{Kind: dns.NoData, Name: name}
		}
	}
	if _, ok := f.mx[name]; ok {
		return &dns.Error{Kind: dns.NoData, Name: name}
	}
	return &dns.Error{Kind: dns.NXDomain, Name: name}
}

func (f *fake) LookupMX(name string) ([]dns.MX, dns.Answer, error) {
	if mxs, ok := f.mx[name]; ok {
		return slices.Clone(mxs), f.answer(name, dns.TypeMX), nil
	}
	return nil, f.answer(name, dns.TypeMX), f.fail(name, dns.TypeMX)
}

func (f *fake) LookupAddr(name string, t dns.Type) ([]netip.Addr, dns.Answer, error) {
	var out []netip.Addr
	for _, s := range f.addr[key(name, t)] {
		out = append(out, netip.MustParseAddr(s))
	}
	if len(out) > 0 {
		return out, f.answer(name, t), nil
	}
	return nil, f.answer(name, t), f.fail(name, t)
}

func (f *fake) LookupTLSA(name string) ([]dns.TLSA, dns.Answer, error) {
	f.asked = append(f.asked, name)
	if recs, ok := f.tlsa[name]; ok {
		return recs, f.answer(name, dns.TypeTLSA), nil
	}
	if err, ok := f.fails[key(name, dns.TypeTLSA)]; ok {
		return nil, dns.Answer{Name: name}, err
	}
	return nil, f.answer(name, dns.TypeTLSA), &dns.Error{Kind: dns.NXDomain, Name: name}
}

func mx(pref uint16, host string) dns.MX { return dns.MX{Pref: pref, Host: host} }

func temp(name string, alias bool) error {
	return &dns.Error{Kind: dns.Temporary, Name: name, Alias: alias, Err: errors.New("SERVFAIL")}
}

func show(cands []candidate, f *failure) string {
	if f != nil {
		return fmt.Sprintf("%d %s", f.code, f.text)
	}
	var b strings.Builder
	for _, c := range cands {
		fmt.Fprintf(&b, "%d %s %s\n", c.pref, c.addr, c.host)
	}
	return b.String()
}

var world = &fake{
	mx: map[string][]dns.MX{
		"example.test":  {mx(20, "mx2.test"), mx(10, "mx1.test")},
		"null.test":     {mx(0, ".")},
		"nullplus.test": {mx(0, "."), mx(10, "mx1.test")},
		"nohost.test":   {mx(10, "missing.test"), mx(20, "nodata.test")},
		"soft.test":     {mx(10, "missing.test"), mx(20, "broken.test")},
		"softok.test":   {mx(10, "broken.test"), mx(20, "mx2.test")},
		"lit.test":      {mx(10, "192.0.2.99"), mx(20, "[192.0.2.98]")},
		"cname.test":    {mx(10, "viaalias.test")},
	},
	addr: map[string][]string{
		"mx1.test AAAA":     {"2001:db8::1"},
		"mx1.test A":        {"192.0.2.1", "192.0.2.11"},
		"mx2.test A":        {"192.0.2.2"},
		"host.test A":       {"192.0.2.5"},
		"nodata.test TXT":   nil,
		"sixonly.test AAAA": {"2001:db8::6"},
	},
	fails: map[string]error{
		"broken.test MX":     temp("broken.test", false),
		"broken.test A":      temp("broken.test", false),
		"broken.test AAAA":   temp("broken.test", false),
		"viaalias.test A":    temp("target.test", true),
		"viaalias.test AAAA": &dns.Error{Kind: dns.NoData, Name: "target.test", Alias: true},
		"aliasmx.test MX":    temp("target.test", true),
		"halfsoft.test AAAA": temp("halfsoft.test", false),
	},
}

func init() { world.addr["halfsoft.test A"] = []string{"192.0.2.8"} }

func TestLookup(t *testing.T) {
	for _, c := range []struct {
		name     string
		addrOnly bool
		want     string
	}{
		{"example.test", false, "10 2001:db8::1 mx1.test\n10 192.0.2.1 mx1.test\n10 192.0.2.11 mx1.test\n20 192.0.2.2 mx2.test\n"},
		{"host.test", false, "0 192.0.2.5 host.test\n"},
		{"sixonly.test", false, "0 2001:db8::6 sixonly.test\n"},
		{"mx1.test", true, "0 2001:db8::1 mx1.test\n0 192.0.2.1 mx1.test\n0 192.0.2.11 mx1.test\n"},
		{"example.test", true, "100 Sorry, I couldn't find any host named example.test. (#5.1.2)"},
		{"halfsoft.test", true, "0 192.0.2.8 halfsoft.test\n"},
		{"nx.test", false, "100 Sorry, I couldn't find any host named nx.test. (#5.1.2)"},
		{"bad name\x01", false, "100 Sorry, I couldn't find any host named bad?name?. (#5.1.2)"},
		{"..", false, "100 Sorry, I couldn't find any host named ... (#5.1.2)"},
		{"broken.test", false, "111 Sorry, I couldn't find any host named: broken.test. (#4.1.2)"},
		{"broken.test", true, "111 Sorry, I couldn't find any host named: broken.test. (#4.1.2)"},
		{"aliasmx.test", false, "111 CNAME lookup failed temporarily for: target.test. (#4.4.3)"},
		{"cname.test", false, "111 CNAME lookup failed temporarily for: target.test. (#4.4.3)"},
		{"null.test", false, "100 Sorry, null.test does not accept mail (null MX). (#5.1.10)"},
		{"nullplus.test", false, "10 2001:db8::1 mx1.test\n10 192.0.2.1 mx1.test\n10 192.0.2.11 mx1.test\n"},
		{"nohost.test", false, "100 Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)"},
		{"soft.test", false, "111 Sorry, I couldn't find any host named: soft.test. (#4.1.2)"},
		{"softok.test", false, "20 192.0.2.2 mx2.test\n"},
		{"lit.test", false, "10 192.0.2.99 192.0.2.99\n20 192.0.2.98 [192.0.2.98]\n"},
	} {
		if got := show(lookup(world, c.name, c.addrOnly, 0)); got != c.want {
			t.Errorf("lookup(%q, %v):\ngot  %q\nwant %q", c.name, c.addrOnly, got, c.want)
		}
	}
}

// TestOrder: equal preferences come out in every order, others never move.
func TestOrder(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		mxs := order([]dns.MX{mx(20, "c"), mx(10, "a"), mx(10, "b"), mx(5, "x"), mx(30, "d")})
		s := fmt.Sprint(mxs)
		if !strings.HasPrefix(s, "[{5 x} {10 ") || !strings.HasSuffix(s, "{20 c} {30 d}]") {
			t.Fatalf("bad order %s", s)
		}
		seen[s] = true
	}
	if len(seen) != 2 {
		t.Errorf("saw %d orders, want 2: %v", len(seen), seen)
	}
}

// TestOrderUniform: among equal preferences every order is as likely
// (SPEC A24). 6000 draws of 3 hosts: each of the 6 orders is expected
// 1000 times, standard deviation about 29; a bound of 150 is over 5
// deviations, so a fair shuffle fails it less than once in a million
// runs, while a biased one (a host kept first, say) fails it always.
func TestOrderUniform(t *testing.T) {
	count := map[string]int{}
	for range 6000 {
		mxs := order([]dns.MX{mx(10, "a"), mx(10, "b"), mx(10, "c")})
		count[mxs[0].Host+mxs[1].Host+mxs[2].Host]++
	}
	if len(count) != 6 {
		t.Fatalf("saw %d orders, want 6: %v", len(count), count)
	}
	for o, n := range count {
		if n < 850 || n > 1150 {
			t.Errorf("order %s came %d times of 6000, want about 1000: %v", o, n, count)
		}
	}
}

func TestMaxCandidates(t *testing.T) {
	f := &fake{mx: map[string][]dns.MX{}, addr: map[string][]string{}}
	for i := range 300 {
		h := fmt.Sprintf("h%d.test", i)
		f.mx["many.test"] = append(f.mx["many.test"], dns.MX{Pref: 10, Host: h})
		f.addr[h+" A"] = []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}
	}
	cands, fail := lookup(f, "many.test", false, 0)
	if fail != nil || len(cands) != maxCandidates {
		t.Errorf("got %d candidates, %v", len(cands), fail)
	}
}
