package main

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// rec is a TLS_TLSA record for cert.
func rec(usage, selector, matching uint8, cert *x509.Certificate) string {
	sel := cert.Raw
	if selector == 1 {
		sel = cert.RawSubjectPublicKeyInfo
	}
	switch matching {
	case 1:
		s := sha256.Sum256(sel)
		sel = s[:]
	case 2:
		s := sha512.Sum512(sel)
		sel = s[:]
	}
	return strings.Join([]string{itoa(usage), itoa(selector), itoa(matching), hex.EncodeToString(sel)}, " ")
}

func itoa(n uint8) string { return string('0' + rune(n)) }

func TestParseTLSA(t *testing.T) {
	got, err := parseTLSA("3 1 1 ABcd, 2 0 0 -,0 0 1 01")
	if err != nil || len(got) != 3 || hex.EncodeToString(got[0].data) != "abcd" || got[1].data != nil || got[2].usage != 0 {
		t.Errorf("got %v %v", got, err)
	}
	for _, bad := range []string{"", "3 1 1", "3 1 1 ab cd", "256 1 1 ab", "3 1 1 xyz", "3 1 1 abc", "3 -1 1 ab",
		strings.Repeat("3 1 1 ab,", maxTLSAList) + "3 1 1 ab"} {
		if _, err := parseTLSA(bad); err == nil {
			t.Errorf("parseTLSA(%q) accepted", bad)
		}
	}
}

func TestUsable(t *testing.T) {
	d32, d64 := make([]byte, 32), make([]byte, 64)
	for _, c := range []struct {
		t    tlsa
		want bool
	}{
		{tlsa{3, 1, 1, d32}, true}, {tlsa{3, 0, 2, d64}, true}, {tlsa{2, 0, 0, []byte{1}}, true},
		{tlsa{1, 1, 1, d32}, false}, {tlsa{0, 0, 1, d32}, false}, {tlsa{4, 1, 1, d32}, false},
		{tlsa{3, 2, 1, d32}, false}, {tlsa{3, 1, 3, d32}, false},
		{tlsa{3, 1, 1, d64}, false}, {tlsa{3, 1, 2, d32}, false}, {tlsa{3, 1, 0, nil}, false},
	} {
		if got := c.t.usable(); got != c.want {
			t.Errorf("%d %d %d len %d: usable %v", c.t.usage, c.t.selector, c.t.matching, len(c.t.data), got)
		}
	}
}

// TestVerifyDANE: DANE-EE matches the leaf whatever its names and dates;
// DANE-TA needs the chain to the matching certificate and a name.
func TestVerifyDANE(t *testing.T) {
	root := issue(t, caTemplate("root"), nil)
	inter := issue(t, caTemplate("inter"), root)
	leaf := issue(t, leafTemplate("mx.dane.test", "mx.dane.test"), inter).cert
	other := issue(t, leafTemplate("other.test", "other.test"), inter).cert
	old := leafTemplate("mx.dane.test", "mx.dane.test")
	old.NotBefore, old.NotAfter = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
	expired := issue(t, old, inter).cert
	stranger := issue(t, caTemplate("stranger"), nil)
	chain := []*x509.Certificate{leaf, inter.cert, root.cert}
	names := []string{"mx.dane.test", "mx.dane.test"}
	for _, c := range []struct {
		name   string
		tlsa   []string
		certs  []*x509.Certificate
		names  []string
		phrase string
	}{
		{"EE 3 1 1", []string{rec(3, 1, 1, leaf)}, chain, names, "DANE-EE 3 1 1 matched for mx.dane.test"},
		{"EE 3 0 2, no names needed", []string{rec(3, 0, 2, leaf)}, []*x509.Certificate{leaf}, nil, "DANE-EE 3 0 2 matched for mx.dane.test"},
		{"EE 3 0 0", []string{rec(3, 0, 0, leaf)}, []*x509.Certificate{leaf}, nil, "DANE-EE 3 0 0 matched for mx.dane.test"},
		{"EE: dates not checked", []string{rec(3, 1, 1, expired)}, []*x509.Certificate{expired}, nil, "DANE-EE 3 1 1 matched for mx.dane.test"},
		{"EE: another leaf", []string{rec(3, 1, 1, other)}, chain, names, ""},
		{"EE second record", []string{rec(3, 1, 1, other), rec(3, 1, 1, leaf)}, chain, names, "DANE-EE 3 1 1 matched for mx.dane.test"},
		{"TA root 2 0 1", []string{rec(2, 0, 1, root.cert)}, chain, names, "DANE-TA 2 0 1 matched for mx.dane.test"},
		{"TA intermediate 2 1 1", []string{rec(2, 1, 1, inter.cert)}, chain, names, "DANE-TA 2 1 1 matched for mx.dane.test"},
		{"TA: wrong name", []string{rec(2, 0, 1, root.cert)}, chain, []string{"mx.else.test"}, ""},
		{"TA: expired leaf", []string{rec(2, 0, 1, inter.cert)}, []*x509.Certificate{expired, inter.cert}, names, ""},
		{"TA: anchor not sent", []string{rec(2, 0, 1, root.cert)}, []*x509.Certificate{leaf, inter.cert}, names, ""},
		{"TA: another anchor", []string{rec(2, 0, 1, stranger.cert)}, append(chain, stranger.cert), names, ""},
		{"TA does not match the leaf", []string{rec(2, 0, 1, leaf)}, chain, names, ""},
		{"PKIX-EE unusable, DANE-EE fails", []string{rec(1, 1, 1, leaf), rec(3, 1, 1, other)}, chain, names, ""},
		{"only unusable records", []string{rec(1, 1, 1, leaf), rec(0, 0, 1, root.cert), "3 1 1 -"}, chain, names,
			"certificate not checked (no usable TLSA records)"},
	} {
		recs, err := parseTLSA(strings.Join(c.tlsa, ","))
		if err != nil {
			t.Fatal(err)
		}
		chk := &checker{s: &settings{verify: "dane", tlsa: recs, names: c.names, host: "mx.dane.test"}}
		err = chk.verify(tls.ConnectionState{PeerCertificates: c.certs})
		var f *failure
		errors.As(err, &f)
		switch {
		case c.phrase != "" && (err != nil || chk.phrase != c.phrase):
			t.Errorf("%s: %v, phrase %q, want %q", c.name, err, chk.phrase, c.phrase)
		case c.phrase == "" && (f == nil || f.kind != "dane"):
			t.Errorf("%s: %v, phrase %q, want a dane failure", c.name, err, chk.phrase)
		}
	}
}

// FuzzParseTLSA: TLS_TLSA never makes tlswrap panic; what it accepts
// is at most maxTLSAList records, each with data or none.
func FuzzParseTLSA(f *testing.F) {
	for _, s := range []string{"3 1 1 abcd", "2 0 0 -,3 1 2 00", "", ",", "3 1 1 0g", "999 1 1 ab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		recs, err := parseTLSA(s)
		if err != nil {
			if recs != nil {
				t.Fatalf("%q: records with an error", s)
			}
			return
		}
		if len(recs) == 0 || len(recs) > maxTLSAList {
			t.Fatalf("%q: %d records", s, len(recs))
		}
		for _, r := range recs {
			if r.data != nil && len(r.data) == 0 {
				t.Fatalf("%q: empty data", s)
			}
			r.usable()
		}
	})
}
