package main

import (
	"bytes"
	"strings"
	"testing"

	"qmail-remote-go/lib/dns"
)

// signed is a world of DNSSEC-signed and unsigned names as a validating
// resolver on loopback would report them.
func signed() *fake {
	ee := dns.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: []byte{0xab, 0xcd}}
	ta := dns.TLSA{Usage: 2, Selector: 0, MatchingType: 2, Data: []byte{0x01}}
	return &fake{
		mx: map[string][]dns.MX{
			"dane.test":     {mx(10, "mx.dane.test"), mx(20, "mx2.dane.test")},
			"mixed.test":    {mx(10, "mx.dane.test"), mx(20, "plain.test")},
			"insecmx.test":  {mx(10, "mx.dane.test")},
			"tlsafail.test": {mx(10, "fail.dane.test"), mx(20, "mx2.dane.test")},
			"aliased.test":  {mx(10, "alias.dane.test")},
		},
		addr: map[string][]string{
			"mx.dane.test A":      {"192.0.2.1"},
			"mx.dane.test AAAA":   {"2001:db8::1"},
			"mx2.dane.test A":     {"192.0.2.2"},
			"plain.test A":        {"192.0.2.3"},
			"fail.dane.test A":    {"192.0.2.4"},
			"alias.dane.test A":   {"192.0.2.5"},
			"half.dane.test A":    {"192.0.2.6"},
			"half.dane.test AAAA": {"2001:db8::6"},
		},
		secure: map[string]bool{
			"dane.test MX": true, "mixed.test MX": true, "tlsafail.test MX": true, "aliased.test MX": true,
			"mx.dane.test A": true, "mx.dane.test AAAA": true, "mx2.dane.test A": true, "mx2.dane.test AAAA": true,
			"fail.dane.test A": true, "fail.dane.test AAAA": true, "alias.dane.test A": true, "alias.dane.test AAAA": true,
			"half.dane.test A":           true,
			"_25._tcp.mx.dane.test TLSA": true, "_25._tcp.mx2.dane.test TLSA": true, "_25._tcp.target.dane.test TLSA": true,
		},
		tlsa: map[string][]dns.TLSA{
			"_25._tcp.mx.dane.test":     {ee, ta},
			"_25._tcp.target.dane.test": {ee},
			"_587._tcp.mx.dane.test":    {ee}, // not secure: no DANE
		},
		fails: map[string]error{
			"_25._tcp.fail.dane.test TLSA": temp("_25._tcp.fail.dane.test", false),
		},
		alias: map[string]string{"alias.dane.test": "target.dane.test"},
	}
}

func daneOut(cands []candidate, f *failure) string {
	if f != nil {
		return show(cands, f)
	}
	var b bytes.Buffer
	writeDANE(&b, cands)
	return b.String()
}

func TestDANE(t *testing.T) {
	for _, c := range []struct {
		name     string
		addrOnly bool
		port     int
		want     string
		asked    string
	}{
		{"dane.test", false, 25, "tlsa mx.dane.test mx.dane.test 3 1 1 abcd\ntlsa mx.dane.test mx.dane.test 2 0 2 01\n" +
			"10 2001:db8::1 mx.dane.test mat\n10 192.0.2.1 mx.dane.test mat\n20 192.0.2.2 mx2.dane.test ma\n",
			"_25._tcp.mx.dane.test _25._tcp.mx2.dane.test"},
		// An insecure MX answer: no TLSA lookup at all (RFC 7672 2.2.1).
		{"insecmx.test", false, 25, "10 2001:db8::1 mx.dane.test a\n10 192.0.2.1 mx.dane.test a\n", ""},
		// A host of an unsigned zone: no TLSA lookup.
		{"mixed.test", false, 25, "tlsa mx.dane.test mx.dane.test 3 1 1 abcd\ntlsa mx.dane.test mx.dane.test 2 0 2 01\n" +
			"10 2001:db8::1 mx.dane.test mat\n10 192.0.2.1 mx.dane.test mat\n20 192.0.2.3 plain.test m\n",
			"_25._tcp.mx.dane.test"},
		{"tlsafail.test", false, 25, "10 192.0.2.4 fail.dane.test maf\n20 192.0.2.2 mx2.dane.test ma\n",
			"_25._tcp.fail.dane.test _25._tcp.mx2.dane.test"},
		// A secure CNAME chain: the expanded name first (RFC 7672 2.2.3).
		{"aliased.test", false, 25, "tlsa alias.dane.test target.dane.test 3 1 1 abcd\n10 192.0.2.5 alias.dane.test mat\n",
			"_25._tcp.target.dane.test"},
		// A relay by name (-a) and an implicit MX.
		{"mx.dane.test", true, 25, "tlsa mx.dane.test mx.dane.test 3 1 1 abcd\ntlsa mx.dane.test mx.dane.test 2 0 2 01\n" +
			"0 2001:db8::1 mx.dane.test at\n0 192.0.2.1 mx.dane.test at\n", "_25._tcp.mx.dane.test"},
		{"mx2.dane.test", false, 25, "0 192.0.2.2 mx2.dane.test a\n", "_25._tcp.mx2.dane.test"},
		// TLSA records in an insecure answer are no DANE.
		{"mx.dane.test", true, 587, "0 2001:db8::1 mx.dane.test a\n0 192.0.2.1 mx.dane.test a\n", "_587._tcp.mx.dane.test"},
		// One insecure address record set makes the host insecure.
		{"half.dane.test", true, 25, "0 2001:db8::6 half.dane.test -\n0 192.0.2.6 half.dane.test -\n", ""},
	} {
		w := signed()
		got := daneOut(lookup(w, c.name, c.addrOnly, c.port))
		if got != c.want {
			t.Errorf("%s -a=%v -t %d:\ngot  %q\nwant %q", c.name, c.addrOnly, c.port, got, c.want)
		}
		if a := strings.Join(w.asked, " "); a != c.asked {
			t.Errorf("%s: asked %q, want %q", c.name, a, c.asked)
		}
	}
}

// TestDANEWithout: without -t nothing is asked beyond the addresses.
func TestDANEWithout(t *testing.T) {
	w := signed()
	if got := show(lookup(w, "dane.test", false, 0)); !strings.HasPrefix(got, "10 2001:db8::1 mx.dane.test\n") || len(w.asked) != 0 {
		t.Errorf("got %q, asked %v", got, w.asked)
	}
}

// TestDANEData: empty and over-long data is printed unusable, and no
// more than maxTLSA records per host.
func TestDANEData(t *testing.T) {
	w := signed()
	var recs []dns.TLSA
	recs = append(recs, dns.TLSA{Usage: 3, Selector: 0, MatchingType: 0})
	recs = append(recs, dns.TLSA{Usage: 3, Selector: 0, MatchingType: 0, Data: make([]byte, maxTLSAData+1)})
	for range 40 {
		recs = append(recs, dns.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: []byte{1}})
	}
	w.tlsa["_25._tcp.mx2.dane.test"] = recs
	got := daneOut(lookup(w, "mx2.dane.test", true, 25))
	lines := strings.Split(got, "\n")
	if len(lines) != maxTLSA+2 || lines[0] != "tlsa mx2.dane.test mx2.dane.test 3 0 0 -" ||
		lines[1] != "tlsa mx2.dane.test mx2.dane.test 3 0 0 -" || lines[maxTLSA] != "0 192.0.2.2 mx2.dane.test at" {
		t.Errorf("got %d lines: %q", len(lines), got)
	}
}
