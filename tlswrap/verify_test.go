package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// testCA is a certificate and its key, for signing test certificates.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

// issue makes a certificate from t signed by parent (nil: self-signed).
func issue(tb testing.TB, t *x509.Certificate, parent *testCA) *testCA {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	serial++
	t.SerialNumber = big.NewInt(serial)
	if t.NotAfter.IsZero() {
		t.NotBefore, t.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	}
	p, pk := t, key
	if parent != nil {
		p, pk = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, t, p, key.Public(), pk)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &testCA{c, key}
}

func caTemplate(cn string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
}

func leafTemplate(cn string, dns ...string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, DNSNames: dns,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
}

func TestMatchNames(t *testing.T) {
	san := &x509.Certificate{DNSNames: []string{"mx.test", "*.wild.test", "trailing.test."},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.ParseIP("2001:db8::7")}}
	cn := &x509.Certificate{Subject: pkix.Name{CommonName: "cn.test"}}
	tests := []struct {
		cert     *x509.Certificate
		names    string
		wildcard bool
		want     string
	}{
		{san, "mx.test", false, "mx.test"},
		{san, "other.test MX.TEST.", false, "MX.TEST."},
		{san, "a.wild.test", false, ""},
		{san, "a.wild.test", true, "a.wild.test"},
		{san, "b.a.wild.test wild.test .wild.test", true, ""},
		{san, "*.wild.test", true, ""},
		// D16: with wildcard, any name under the routed host (dot-nexthop)
		{&x509.Certificate{DNSNames: []string{"mx1.relay.test"}}, "relay.test", true, "relay.test"},
		{&x509.Certificate{DNSNames: []string{"a.b.RELAY.test"}}, "relay.test", true, "relay.test"},
		{&x509.Certificate{DNSNames: []string{"mx1.relay.test"}}, "relay.test", false, ""},
		{&x509.Certificate{DNSNames: []string{"mx1xrelay.test", "relay.test.evil"}}, "relay.test", true, ""},
		{&x509.Certificate{DNSNames: []string{"mx.test"}}, "test", true, ""},
		{san, "trailing.test", false, "trailing.test"},
		{san, "127.0.0.1", false, "127.0.0.1"},
		{san, "[127.0.0.1]", false, "[127.0.0.1]"},
		{san, "2001:db8::7", false, "2001:db8::7"},
		{san, "127.0.0.2", false, ""},
		{san, "", false, ""},
		{cn, "cn.test", false, "cn.test"},
		{&x509.Certificate{Subject: pkix.Name{CommonName: "cn.test"}, DNSNames: []string{"x.test"}}, "cn.test", false, ""},
		// Names compare in ASCII case only: U+212A KELVIN SIGN and
		// U+017F LONG S fold to k and s in Unicode, but a certificate
		// for "\u212Aey.test" does not name key.test (a subject CN may
		// hold them; a DNS name may not, RFC 5280 4.2.1.6).
		{&x509.Certificate{Subject: pkix.Name{CommonName: "\u212Aey.te\u017Ft"}}, "key.test", false, ""},
		{&x509.Certificate{Subject: pkix.Name{CommonName: "*.\u212Aey.test"}}, "mx.key.test", true, ""},
		{&x509.Certificate{Subject: pkix.Name{CommonName: "mx.\u212Aey.test"}}, "key.test", true, ""},
		{&x509.Certificate{DNSNames: []string{"\u212Aey.test"}}, "key.test", true, ""},
		{&x509.Certificate{DNSNames: []string{"KEY.test"}}, "key.TEST", false, "key.TEST"},
	}
	for _, tt := range tests {
		if got := matchNames(tt.cert, strings.Fields(tt.names), tt.wildcard); got != tt.want {
			t.Errorf("matchNames(%q, %v) = %q, want %q", tt.names, tt.wildcard, got, tt.want)
		}
	}
}

func TestWildMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*.example.com", "mx.example.com", true},
		{"*.example.com", "MX.Example.COM", true},
		{"*.example.com", "a.mx.example.com", false},
		{"*.example.com", "example.com", false},
		{"*.example.com", ".example.com", false},
		{"*.com", "example.com", false},
		{"f*.example.com", "foo.example.com", false},
		{"*.*.example.com", "a.b.example.com", false},
		{"mx.example.com", "mx.example.com", false},
	}
	for _, tt := range tests {
		if got := wildMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("wildMatch(%q, %q) = %v", tt.pattern, tt.name, got)
		}
	}
}

func TestPin(t *testing.T) {
	der := []byte("not really a certificate")
	s1, s224, s256, s512 := sha1.Sum(der), sha256.Sum224(der), sha256.Sum256(der), sha512.Sum512(der)
	for alg, sum := range map[string][]byte{"SHA-1": s1[:], "SHA-224": s224[:], "SHA-256": s256[:], "SHA-512": s512[:]} {
		pin := strings.ToUpper(hex.EncodeToString(sum))
		got, err := pinAlg(pin)
		if got != alg || err != nil {
			t.Errorf("pinAlg(%d digits) = %q, %v", len(pin), got, err)
		}
		if err := matchPin(der, pin, alg); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
		if err := matchPin([]byte("other"), pin, alg); err == nil {
			t.Errorf("%s: another certificate matches", alg)
		}
		if err := matchPin(der, strings.Repeat("z", len(pin)), alg); err == nil {
			t.Errorf("%s: a pin that is not hex matches", alg)
		}
	}
	for _, n := range []int{0, 10, 39, 41, 63, 65, 127, 129} {
		if _, err := pinAlg(strings.Repeat("a", n)); err == nil {
			t.Errorf("pinAlg accepts %d digits", n)
		}
	}
}

func TestVerifyChain(t *testing.T) {
	root := issue(t, caTemplate("root"), nil)
	i1 := issue(t, caTemplate("i1"), root)
	i2 := issue(t, caTemplate("i2"), i1)
	roots := x509.NewCertPool()
	roots.AddCert(root.cert)
	deep := issue(t, leafTemplate("mx.test", "mx.test"), i2).cert
	shallow := issue(t, leafTemplate("mx.test", "mx.test"), i1).cert
	direct := issue(t, leafTemplate("mx.test", "mx.test"), root).cert
	old := leafTemplate("mx.test", "mx.test")
	old.NotBefore, old.NotAfter = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
	expired := issue(t, old, i1).cert
	self := issue(t, leafTemplate("mx.test", "mx.test"), nil).cert
	tests := []struct {
		chain []*x509.Certificate
		depth int
		ok    bool
	}{
		{[]*x509.Certificate{deep, i2.cert, i1.cert}, 1, false},
		{[]*x509.Certificate{deep, i2.cert, i1.cert}, 2, true},
		{[]*x509.Certificate{deep, i1.cert, i2.cert}, 2, true}, // any order
		{[]*x509.Certificate{deep, i2.cert}, 5, false},         // i1 missing
		{[]*x509.Certificate{shallow, i1.cert}, 1, true},
		{[]*x509.Certificate{shallow, i1.cert}, 0, false},
		{[]*x509.Certificate{direct}, 0, true},
		{[]*x509.Certificate{direct, i1.cert, i2.cert}, 0, true}, // extra certificates unused
		{[]*x509.Certificate{expired, i1.cert}, 1, false},
		{[]*x509.Certificate{self}, 9, false},
	}
	for i, tt := range tests {
		if err := verifyChain(tt.chain, roots, tt.depth, false); (err == nil) != tt.ok {
			t.Errorf("%d: verifyChain depth %d: %v", i, tt.depth, err)
		}
	}
}

// TestReasons: the D33 line of each certificate failure.
func TestReasons(t *testing.T) {
	root := issue(t, caTemplate("root"), nil)
	roots := x509.NewCertPool()
	roots.AddCert(root.cert)
	old := leafTemplate("mx.test", "mx.test")
	old.NotBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	old.NotAfter = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	young := leafTemplate("mx.test", "mx.test")
	young.NotBefore, young.NotAfter = time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	i1 := issue(t, caTemplate("i1"), root)
	stranger := issue(t, caTemplate("Stranger CA"), nil)
	tests := []struct {
		s     settings
		chain []*x509.Certificate
		want  string
	}{
		{settings{verify: "cert", depth: 1}, []*x509.Certificate{issue(t, old, root).cert},
			"certificate CN=mx.test expired on 2025-03-04 05:06:07 UTC"},
		{settings{verify: "cert", depth: 1}, []*x509.Certificate{issue(t, young, root).cert},
			"certificate CN=mx.test is not valid before 2999-01-01 00:00:00 UTC"},
		{settings{verify: "cert", depth: 1}, []*x509.Certificate{issue(t, leafTemplate("mx.test", "mx.test"), stranger).cert},
			"unknown authority: CN=mx.test is signed by CN=Stranger CA, not a trusted CA"},
		{settings{verify: "cert", depth: 1}, []*x509.Certificate{stranger.cert},
			"unknown authority: CN=Stranger CA is self-signed, not a trusted CA"},
		{settings{verify: "cert", depth: 0}, []*x509.Certificate{issue(t, leafTemplate("mx.test", "mx.test"), i1).cert, i1.cert},
			"certificate chain too deep: 1 intermediates, TLS_DEPTH 0"},
		{settings{verify: "name", depth: 1, names: []string{"a.test", "b.test"}},
			[]*x509.Certificate{issue(t, leafTemplate("mx.test", "mx.test", "other.test"), root).cert},
			"the certificate holds mx.test, other.test, 127.0.0.1; wanted a.test or b.test"},
	}
	for _, tt := range tests {
		c := &checker{s: &tt.s, roots: roots}
		var f *failure
		if err := c.verify(tls.ConnectionState{PeerCertificates: tt.chain}); !errors.As(err, &f) || f.reason != tt.want {
			t.Errorf("%v: reason %q, want %q", err, f.reason, tt.want)
		}
	}
	leaf := issue(t, leafTemplate("mx.test", "mx.test"), root).cert
	c := &checker{s: &settings{verify: "pin", pin: strings.Repeat("0", 64)}, pinAlg: "SHA-256"}
	var f *failure
	sum := sha256.Sum256(leaf.Raw)
	if err := c.verify(tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}}); !errors.As(err, &f) ||
		f.reason != "the certificate's SHA-256 fingerprint is "+hex.EncodeToString(sum[:]) {
		t.Errorf("pin: reason %q", f.reason)
	}
}

// TestVerifyChainEKU: issue 17 item 7. With the system roots (webPKI)
// the chain must allow serverAuth; with an admin's CA any usage passes,
// as with OpenSSL. No extension at all allows everything.
func TestVerifyChainEKU(t *testing.T) {
	root := issue(t, caTemplate("root"), nil)
	roots := x509.NewCertPool()
	roots.AddCert(root.cert)
	withEKU := func(u ...x509.ExtKeyUsage) *x509.Certificate {
		l := leafTemplate("mx.test", "mx.test")
		l.ExtKeyUsage = u
		return issue(t, l, root).cert
	}
	// An intermediate restricted to clientAuth limits its leaves too.
	it := caTemplate("client-only inter")
	it.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	inter := issue(t, it, root)
	underClient := issue(t, leafTemplate("mx.test", "mx.test"), inter).cert
	tests := []struct {
		name          string
		chain         []*x509.Certificate
		webPKI, admin bool
	}{
		{"serverAuth", []*x509.Certificate{withEKU(x509.ExtKeyUsageServerAuth)}, true, true},
		{"serverAuth and clientAuth", []*x509.Certificate{withEKU(x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)}, true, true},
		{"no extension", []*x509.Certificate{withEKU()}, true, true},
		{"clientAuth only", []*x509.Certificate{withEKU(x509.ExtKeyUsageClientAuth)}, false, true},
		{"codeSigning only", []*x509.Certificate{withEKU(x509.ExtKeyUsageCodeSigning)}, false, true},
		{"under a clientAuth-only intermediate", []*x509.Certificate{underClient, inter.cert}, false, true},
	}
	for _, tt := range tests {
		if err := verifyChain(tt.chain, roots, 1, true); (err == nil) != tt.webPKI {
			t.Errorf("%s, system roots: %v", tt.name, err)
		}
		if err := verifyChain(tt.chain, roots, 1, false); (err == nil) != tt.admin {
			t.Errorf("%s, an admin's CA: %v", tt.name, err)
		}
	}
}

func TestChecker(t *testing.T) {
	root := issue(t, caTemplate("root"), nil)
	roots := x509.NewCertPool()
	roots.AddCert(root.cert)
	leaf := issue(t, leafTemplate("mx.test", "mx.test"), root).cert
	pin := hex.EncodeToString(sha256.New().Sum(nil))
	sum := sha256.Sum256(leaf.Raw)
	tests := []struct {
		s      settings
		kind   string
		phrase string
	}{
		{settings{verify: "none"}, "", "certificate not checked"},
		{settings{verify: "cert", depth: 1}, "", "certificate verified"},
		{settings{verify: "name", depth: 1, names: []string{"a.test", "mx.test"}}, "", "certificate verified for mx.test"},
		{settings{verify: "wildcard", depth: 1, names: []string{"a.test"}}, "name", ""},
		{settings{verify: "pin", pin: hex.EncodeToString(sum[:])}, "", "certificate matches the pinned SHA-256 fingerprint"},
		{settings{verify: "pin", pin: pin}, "pin", ""},
	}
	for _, tt := range tests {
		c := &checker{s: &tt.s, roots: roots, pinAlg: "SHA-256"}
		err := c.verify(tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}})
		var f *failure
		if errors.As(err, &f); (f == nil && tt.kind != "") || (f != nil && f.kind != tt.kind) || c.phrase != tt.phrase {
			t.Errorf("%s: %v, phrase %q", tt.s.verify, err, c.phrase)
		}
	}
	c := &checker{s: &settings{verify: "none"}}
	var f *failure
	if err := c.verify(tls.ConnectionState{}); !errors.As(err, &f) || f.kind != "nocert" {
		t.Errorf("no certificate: %v", err)
	}
}

func TestHashName(t *testing.T) {
	for name, want := range map[string]bool{
		"0a1b2c3d.0": true, "0A1B2C3D.12": true, "0a1b2c3d.r0": true, "0a1b2c3d.r": false,
		"0a1b2c3d.": false, "0a1b2c3g.0": false, "0a1b2c3.0": false, "0a1b2c3d0.0": false,
		"0a1b2c3d.0x": false, "0a1b2c3d.rr0": false, "ca.pem": false, "": false,
	} {
		if got := hashName(name); got != want {
			t.Errorf("hashName(%q) = %v, want %v", name, got, want)
		}
	}
}
