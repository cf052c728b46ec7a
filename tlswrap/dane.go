package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"qmail-remote-go/lib/tlsreport"
)

// A tlsa is one TLSA record as TLS_TLSA hands it (RFC 6698 2.1).
type tlsa struct {
	usage, selector, matching uint8
	data                      []byte // nil: unusable ("-" in TLS_TLSA)
}

// DANE usages we use (RFC 7218 names); PKIX-TA(0) and PKIX-EE(1) are
// unusable for SMTP (RFC 7672 3.1.3).
const (
	daneTA = 2
	daneEE = 3
)

// maxTLSAList bounds TLS_TLSA (mxlookup prints at most 32 records of
// at most 2048 bytes).
const maxTLSAList = 64

// parseTLSA reads TLS_TLSA: records separated by commas, each
// "USAGE SELECTOR MATCHING DATA" with the numbers in decimal and DATA in
// hex, or "-" for data mxlookup could not print (mxlookup.8).
func parseTLSA(s string) ([]tlsa, error) {
	var out []tlsa
	for _, r := range strings.Split(s, ",") {
		f := strings.Fields(r)
		if len(f) != 4 {
			return nil, fmt.Errorf("TLS_TLSA: not USAGE SELECTOR MATCHING DATA: %q", printable(r, 40))
		}
		var t tlsa
		for i, p := range []*uint8{&t.usage, &t.selector, &t.matching} {
			n, err := strconv.ParseUint(f[i], 10, 8)
			if err != nil {
				return nil, fmt.Errorf("TLS_TLSA: not a number from 0 to 255: %q", printable(f[i], 10))
			}
			*p = uint8(n)
		}
		if f[3] != "-" {
			b, err := hex.DecodeString(f[3])
			if err != nil || len(b) == 0 {
				return nil, fmt.Errorf("TLS_TLSA: data not in hex: %q", printable(f[3], 40))
			}
			t.data = b
		}
		if len(out) == maxTLSAList {
			return nil, fmt.Errorf("TLS_TLSA: more than %d records", maxTLSAList)
		}
		out = append(out, t)
	}
	return out, nil
}

// usable tells whether we can use a record (RFC 7672 2.2, RFC 7671
// 4): usage DANE-TA or DANE-EE, selector Cert(0) or SPKI(1), matching
// Full(0), SHA2-256(1) or SHA2-512(2) with data of the digest's length.
func (t tlsa) usable() bool {
	if t.usage != daneTA && t.usage != daneEE || t.selector > 1 || t.data == nil {
		return false
	}
	switch t.matching {
	case 0:
		return true
	case 1:
		return len(t.data) == sha256.Size
	case 2:
		return len(t.data) == sha512.Size
	}
	return false
}

// matches tells whether cert matches the record's selector, matching
// type and data.
func (t tlsa) matches(cert *x509.Certificate) bool {
	sel := cert.Raw
	if t.selector == 1 {
		sel = cert.RawSubjectPublicKeyInfo
	}
	switch t.matching {
	case 1:
		s := sha256.Sum256(sel)
		sel = s[:]
	case 2:
		s := sha512.Sum512(sel)
		sel = s[:]
	}
	return bytes.Equal(sel, t.data)
}

func (t tlsa) String() string {
	name := "DANE-EE"
	if t.usage == daneTA {
		name = "DANE-TA"
	}
	return fmt.Sprintf("%s %d %d %d", name, t.usage, t.selector, t.matching)
}

// verifyDANE checks the server's chain against the TLSA records (RFC
// 7672 3, RFC 7671 5) and returns the phrase for TLSWRAP_VERIFY. A
// DANE-EE record matches the server's own certificate: no name, no
// dates, no chain (RFC 7672 3.1.1). A DANE-TA record matches a
// certificate the server sent in its chain; the server's certificate
// must then chain to it and hold one of TLS_NAMES, the TLSA base domain
// and the MX host (RFC 7672 3.2). With no usable record TLS is still
// required, and nothing is checked (RFC 7672 2.2).
func (c *checker) verifyDANE(certs []*x509.Certificate) (string, error) {
	var usable []tlsa
	for _, t := range c.s.tlsa {
		if t.usable() {
			usable = append(usable, t)
		}
	}
	if len(usable) == 0 {
		return "certificate not checked (no usable TLSA records)", nil
	}
	host := printable(c.s.host, 255)
	for _, t := range usable {
		if t.usage == daneEE && t.matches(certs[0]) {
			return t.String() + " matched for " + host, nil
		}
	}
	for _, t := range usable {
		if t.usage != daneTA {
			continue
		}
		for i, ta := range certs[1:] {
			if !t.matches(ta) || taChain(certs, i+1) != nil {
				continue
			}
			if matchNames(certs[0], c.s.names, true) != "" {
				return t.String() + " matched for " + host, nil
			}
		}
	}
	return "", fail(tlsreport.DANE, "match a TLSA record",
		fmt.Errorf("the certificate matches none of %d usable TLSA records", len(usable)))
}

// taChain checks that certs[0] chains to certs[anchor] as its trust
// anchor through certs[1:anchor], every certificate valid now.
func taChain(certs []*x509.Certificate, anchor int) error {
	if anchor < 1 || anchor >= len(certs) {
		return errors.New("no such certificate")
	}
	roots := x509.NewCertPool()
	roots.AddCert(certs[anchor])
	inter := x509.NewCertPool()
	for _, c := range certs[1:anchor] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err
}
