package tlsreport

import "testing"

func TestText(t *testing.T) {
	v := Values{Host: "mx.test", Pin: "AB12", CertFile: "/c.pem", KeyFile: "/k.pem", CAFile: "/ca.pem", CADir: "", Ciphers: "!SSLv2:HIGH"}
	tests := map[string]string{
		Handshake: "I wasn't able to establish a TLS connection with: mx.test. (#4.4.1)",
		Chain:     "Unable to verify X.500 certificate from: mx.test. (#4.4.1)",
		Name:      "Unable to validate X.500 certificate Subject for: mx.test. (#4.4.1)",
		NoCert:    "Unable to obtain X.500 certificate from: mx.test. (#4.4.1)",
		Pin:       "Received X.509 certificate from: mx.test does not match fingerprint: AB12. (#4.4.1)",
		PinLen:    "Invalid digest length provided for: mx.test. (#4.4.1)",
		Cert:      "Can't load X.509 certificate: /c.pem. (#4.4.1)",
		Key:       "Can't load X.509 private key: /k.pem. (#4.4.1)",
		KeyMatch:  "Keyfile does not match X.509 certificate: /k.pem. (#4.4.1)",
		CA:        "I wasn't able to set up CAFILE: /ca.pem or CADIR:  for TLS. (#4.4.1)",
		Ciphers:   "I wasn't able to process the TLS ciphers: !SSLv2:HIGH (#4.4.1)",
		IO:        "Unknown TLS error for host: mx.test. (#4.4.1)",
		DANE:      "DANE: the certificate of mx.test matches none of its TLSA records. (#4.7.5)",
		"bogus":   "I wasn't able to establish a TLS connection with: mx.test. (#4.4.1)",
	}
	for kind, want := range tests {
		if got := Text(kind, v); got != want {
			t.Errorf("Text(%q) = %q, want %q", kind, got, want)
		}
	}
	if got := DANENoTLS("mx.test"); got != "DANE: mx.test has TLSA records but does not offer STARTTLS. (#4.7.5)" {
		t.Errorf("DANENoTLS: %q", got)
	}
	if got := DANETLSAFailed("mx .test"); got != "DANE: TLSA lookup failed temporarily for mx?.test. (#4.4.3)" {
		t.Errorf("DANETLSAFailed: %q", got)
	}
	if got := Text(Name, Values{Host: "a b\n"}); got != "Unable to validate X.500 certificate Subject for: a?b?. (#4.4.1)" {
		t.Errorf("unsafe host: %q", got)
	}
}

func TestMechText(t *testing.T) {
	for _, c := range [][3]string{
		{"", "I wasn't able", "I wasn't able"},
		{"MTA-STS enforce", "I wasn't able", "MTA-STS: I wasn't able"},
		{"X\x01Y z", "t", "X?Y: t"},
	} {
		if got := MechText(c[0], c[1]); got != c[2] {
			t.Errorf("MechText(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
