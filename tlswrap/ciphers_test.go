package main

import (
	"crypto/tls"
	"slices"
	"testing"
)

func names(ids []uint16) []string {
	var out []string
	for _, id := range ids {
		out = append(out, tls.CipherSuiteName(id))
	}
	return out
}

func TestParseCiphers(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"ECDHE-RSA-AES128-GCM-SHA256", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}},
		{"AES128-SHA:DES-CBC3-SHA", []string{"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}},
		{"ECDHE+AESGCM+ECDSA", []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}},
		{"EECDH+CHACHA20", []string{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}},
		{"kRSA+AESGCM", []string{"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"}},
		{"RSA+SHA256", []string{"TLS_RSA_WITH_AES_128_CBC_SHA256"}},
		{"SHA384", nil}, // OpenSSL's SHA384 suites are CBC ones Go lacks
		{"SSLv3:!AES256", []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}},
		{"TLSv1+aRSA+AES", []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"}},
		{"!kRSA,ECDHE-RSA-AES128-SHA AES128-SHA", []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}},
		{"AES128-SHA:-AES128-SHA:AES128-SHA", []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}},
		{"AES128-SHA:!AES128-SHA:AES128-SHA", nil},
		{"AES128-SHA:AES256-SHA:+AES128-SHA", []string{"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}},
		{"aNULL:!kRSA", nil},
		{"eNULL:EXPORT:LOW:RC4:CAMELLIA:PSK:DHE", nil},
		{"TLS_AES_128_GCM_SHA256", nil},
		{"@STRENGTH:@SECLEVEL=2", nil},
		{"MEDIUM", []string{"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}},
		{"", nil},
		{"!", nil},
		{"+", nil},
	}
	for _, tt := range tests {
		ids, err := parseCiphers(tt.in)
		if got := names(ids); !slices.Equal(got, tt.want) || (err == nil) != (tt.want != nil) {
			t.Errorf("parseCiphers(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCipherKeywords(t *testing.T) {
	all, _ := parseCiphers("ALL")
	high, _ := parseCiphers("HIGH")
	def, _ := parseCiphers("DEFAULT")
	if len(all) != len(suites)-2 || !slices.Equal(all, high) || !slices.Equal(all, def) {
		t.Errorf("ALL %q HIGH %q DEFAULT %q", names(all), names(high), names(def))
	}
	for _, kw := range []string{"!SSLv2:HIGH", "HIGH:!aNULL:!MD5", "ECDHE:AES", "TLSv1.2", "AES:CHACHA20", "EECDH+AESGCM:EDH+AESGCM"} {
		if ids, err := parseCiphers(kw); err != nil || len(ids) == 0 {
			t.Errorf("parseCiphers(%q) = %v", kw, err)
		}
	}
	// Every suite named is one crypto/tls knows for TLS 1.2.
	known := map[uint16]bool{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if slices.Contains(s.SupportedVersions, tls.VersionTLS12) {
			known[s.ID] = true
		}
	}
	for _, s := range suites {
		if !known[s.id] {
			t.Errorf("%s: not a TLS 1.2 suite of crypto/tls", s.name)
		}
	}
}

// FuzzParseCiphers: any string gives suites from the table, no
// duplicates, or an error; never a panic.
func FuzzParseCiphers(f *testing.F) {
	for _, s := range []string{"HIGH:!aNULL", "+ECDHE+AES:-SHA1,!3DES", "", "!", "::", "@STRENGTH"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := parseCiphers(s)
		if (err == nil) != (len(ids) > 0) {
			t.Fatalf("%q: %v %v", s, ids, err)
		}
		seen := map[uint16]bool{}
		for _, id := range ids {
			if seen[id] || !slices.ContainsFunc(suites, func(x suite) bool { return x.id == id }) {
				t.Fatalf("%q: %v", s, ids)
			}
			seen[id] = true
		}
	})
}
