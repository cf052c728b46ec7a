package main

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/tlsreport"
)

// A checker verifies the server as TLS_VERIFY says, during the
// handshake, and keeps the phrase for TLSWRAP_VERIFY (SPEC D20).
type checker struct {
	s      *settings
	roots  *x509.CertPool
	webPKI bool // roots are the system's: serverAuth required (verifyChain)
	pinAlg string
	phrase string
	audit  string // TLSWRAP_AUDIT, when TLS_AUDIT_NAMES asked for one
}

// verify is tls.Config.VerifyConnection: an error fails the handshake.
func (c *checker) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return fail(tlsreport.NoCert, "obtain the certificate", errors.New("the server sent none"))
	}
	certs := cs.PeerCertificates
	c.s.writeChain(certs)
	if names := auditNames(); len(names) > 0 {
		c.audit = audit(certs, names) // audit.go: reported, never enforced
	}
	switch c.s.verify {
	case handoff.VerifyNone:
		c.phrase = "certificate not checked"
		return nil
	case handoff.VerifyDANE:
		phrase, err := c.verifyDANE(certs)
		c.phrase = phrase
		return err
	case handoff.VerifyPin:
		if err := matchPin(certs[0].Raw, c.s.pin, c.pinAlg); err != nil {
			return because(fail(tlsreport.Pin, "match the pinned fingerprint", err), err.Error())
		}
		c.phrase = "certificate matches the pinned " + c.pinAlg + " fingerprint"
		return nil
	}
	if err := verifyChain(certs, c.roots, c.s.depth, c.webPKI); err != nil {
		return because(fail(tlsreport.Chain, "verify the certificate chain", err), chainReason(certs, err, time.Now()))
	}
	if c.s.verify == handoff.VerifyCert {
		c.phrase = "certificate verified"
		return nil
	}
	name := matchNames(certs[0], c.s.names, c.s.verify == handoff.VerifyWildcard)
	if name == "" {
		f := fail(tlsreport.Name, "validate the certificate name",
			fmt.Errorf("the certificate holds none of: %s", strings.Join(c.s.names, " ")))
		return because(f, "the certificate holds "+held(certs[0])+"; wanted "+strings.Join(c.s.names, " or "))
	}
	c.phrase = "certificate verified for " + printable(name, 255)
	return nil
}

// chainReason says in one line why the chain did not verify (SPEC D33):
// which certificate expired or is not yet valid and when, the issuer
// nobody trusts, or the chain too deep.
func chainReason(certs []*x509.Certificate, err error, now time.Time) string {
	for _, c := range certs {
		switch {
		case now.After(c.NotAfter):
			return "certificate " + subject(c) + " expired on " + c.NotAfter.UTC().Format(day)
		case now.Before(c.NotBefore):
			return "certificate " + subject(c) + " is not valid before " + c.NotBefore.UTC().Format(day)
		}
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) && ci.Reason == x509.IncompatibleUsage && ci.Cert != nil {
		return "certificate " + subject(ci.Cert) + " (or a CA above it) does not allow serverAuth, which the system roots require (extended key usage)"
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) && ua.Cert != nil {
		if bytes.Equal(ua.Cert.RawIssuer, ua.Cert.RawSubject) {
			return "unknown authority: " + subject(ua.Cert) + " is self-signed, not a trusted CA"
		}
		return "unknown authority: " + subject(ua.Cert) + " is signed by " + dn(ua.Cert.Issuer.String()) + ", not a trusted CA"
	}
	return err.Error()
}

const day = "2006-01-02 15:04:05 UTC"

// subject names a certificate by its subject DN, or its first DNS name.
func subject(c *x509.Certificate) string {
	if s := c.Subject.String(); s != "" {
		return dn(s)
	}
	return held(c)
}

func dn(s string) string {
	if s == "" {
		return "(empty DN)"
	}
	return printable(s, 200)
}

// held lists the names a certificate holds, as matchNames sees them.
func held(c *x509.Certificate) string {
	names := slices.Clone(c.DNSNames)
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = []string{c.Subject.CommonName}
	}
	for _, a := range c.IPAddresses {
		names = append(names, a.String())
	}
	if len(names) == 0 {
		return "no name"
	}
	s := strings.Join(names, ", ")
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return printable(s, 200)
}

// verifyChain checks that certs (leaf first, as sent) chain to one of
// roots, every certificate valid now, through at most depth
// intermediates (OpenSSL's verify depth).
//
// Extended key usage: with webPKI (the system roots, which vouch for
// servers on the public Internet) the chain must allow serverAuth, as
// browsers and the CA/Browser Forum rules require: a certificate a
// public CA issued for client authentication or code signing proves no
// server. With an admin's CAFILE or CADIR any usage passes, as OpenSSL
// does for a client without a purpose set, which is what s/qmail did:
// private CAs often issue certificates without the extension or with
// other purposes. (A certificate without the extension allows every
// usage, in both cases.)
func verifyChain(certs []*x509.Certificate, roots *x509.CertPool, depth int, webPKI bool) error {
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	usage := x509.ExtKeyUsageAny
	if webPKI {
		usage = x509.ExtKeyUsageServerAuth
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage},
	})
	if err != nil {
		return err
	}
	least := -1
	for _, ch := range chains {
		n := max(len(ch)-2, 0) // neither the leaf nor the anchor
		if least < 0 || n < least {
			least = n
		}
	}
	if least > depth {
		return fmt.Errorf("certificate chain too deep: %d intermediates, TLS_DEPTH %d", least, depth)
	}
	return nil
}

// matchNames returns the first of names the certificate holds, "" when
// none: its DNS names (else its subject CN, SPEC 4.9.1) compared exactly
// and case-insensitively, IP addresses for IP literals, and with
// wildcard an RFC 6125 6.4.3 wildcard: "*" as the whole left-most
// label, matching one label, at least two labels after it; or a name
// under it (SPEC D16: '~' rules accept a certificate for any name under
// the routed host, as Postfix's dot-nexthop does).
func matchNames(cert *x509.Certificate, names []string, wildcard bool) string {
	dns := cert.DNSNames
	if len(dns) == 0 && cert.Subject.CommonName != "" {
		dns = []string{cert.Subject.CommonName}
	}
	for _, name := range names {
		if ip := net.ParseIP(strings.Trim(name, "[]")); ip != nil {
			for _, a := range cert.IPAddresses {
				if a.Equal(ip) {
					return name
				}
			}
			continue
		}
		n := strings.TrimSuffix(name, ".")
		if n == "" || strings.Contains(n, "*") {
			continue
		}
		for _, d := range dns {
			d = strings.TrimSuffix(d, ".")
			if sameName(d, n) {
				return name
			}
			if wildcard && (wildMatch(d, n) || under(d, n)) {
				return name
			}
		}
	}
	return ""
}

// under tells whether the certificate's name d lies below name (a
// subdomain of it), for a name of at least two labels; d itself holds
// no wildcard.
func under(d, name string) bool {
	return strings.Contains(name, ".") && !strings.Contains(d, "*") &&
		len(d) > len(name)+1 && d[len(d)-len(name)-1] == '.' && sameName(d[len(d)-len(name):], name)
}

// sameName compares two names in ASCII case only (RFC 4343): Unicode
// folding, as strings.EqualFold does it, would take a subject CN with
// U+212A KELVIN SIGN for a name with k.
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func wildMatch(pattern, name string) bool {
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok || !strings.Contains(rest, ".") || strings.Contains(rest, "*") {
		return false
	}
	label, parent, ok := strings.Cut(name, ".")
	return ok && label != "" && sameName(parent, rest)
}

// pinAlg names the digest of a TLS_PIN by its length (sq3).
func pinAlg(pin string) (string, error) {
	switch len(pin) {
	case 40:
		return "SHA-1", nil
	case 56:
		return "SHA-224", nil
	case 64:
		return "SHA-256", nil
	case 128:
		return "SHA-512", nil
	}
	return "", fmt.Errorf("%d hex digits: none of 40, 56, 64, 128", len(pin))
}

// matchPin compares the digest of der with the hex pin, any case.
func matchPin(der []byte, pin, alg string) error {
	var sum []byte
	switch alg {
	case "SHA-1":
		s := sha1.Sum(der)
		sum = s[:]
	case "SHA-224":
		s := sha256.Sum224(der)
		sum = s[:]
	case "SHA-256":
		s := sha256.Sum256(der)
		sum = s[:]
	default:
		s := sha512.Sum512(der)
		sum = s[:]
	}
	want, err := hex.DecodeString(pin)
	if err != nil || subtle.ConstantTimeCompare(sum, want) != 1 {
		return fmt.Errorf("the certificate's %s fingerprint is %x", alg, sum)
	}
	return nil
}
