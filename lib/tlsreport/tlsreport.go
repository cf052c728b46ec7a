// Package tlsreport holds the report texts of TLS failures (SPEC 1.7.5,
// D15, D22), one per error kind of the tlswrap contract
// (tlswrap.8), so that tlswrap, which puts them into its
// failure block, and smtpclient, which reports them, say the same thing.
// It imports no crypto.
package tlsreport

import (
	"strings"

	"qmail-remote-go/lib/report"
)

// MaxPassword bounds a client key's password, the same on both sides of
// the contract: qmail-remote refuses a longer one in control/domaincerts
// (lib/tlspolicy), tlswrap on KEYPASSFD. qmail-remote writes it into a
// pipe before the speaker runs: far below the pipe's buffer, that write
// cannot block.
const MaxPassword = 1024

// Values fills the texts. Every value passes through report.Safe.
type Values struct {
	Host     string // the destination after routing (TLSHOST)
	Pin      string // TLS_PIN as given
	CertFile string // CERTFILE
	KeyFile  string // KEYFILE, or CERTFILE when the key is in it
	CAFile   string // CAFILE
	CADir    string // CADIR
	Ciphers  string // TLS_CIPHERS
}

// The error kinds.
const (
	Handshake = "handshake" // the handshake failed (or timed out)
	Chain     = "chain"     // the chain did not verify: unknown CA, expired, not yet valid, too deep
	Name      = "name"      // the certificate holds none of the names
	NoCert    = "nocert"    // the server sent no certificate
	Pin       = "pin"       // the leaf does not match TLS_PIN
	PinLen    = "pinlen"    // TLS_PIN has no known digest length
	Cert      = "cert"      // CERTFILE unusable
	Key       = "key"       // the private key unusable (or its password wrong)
	KeyMatch  = "keymatch"  // the key does not belong to the certificate
	CA        = "ca"        // CAFILE or CADIR unusable
	Ciphers   = "ciphers"   // TLS_CIPHERS leaves no usable suite
	IO        = "io"        // a TLS read or write failed after the handshake (smtpclient's)
	DANE      = "dane"      // the certificate matches none of the usable TLSA records (SPEC D30)
)

// DANENoTLS is smtpclient's text when a host with TLSA records does not
// offer STARTTLS (SPEC D30), DANETLSAFailed qmail-remote's when the TLSA
// lookup for the host failed; both without the letter and the final LF.
func DANENoTLS(host string) string {
	return "DANE: " + report.Safe(host) + " has TLSA records but does not offer STARTTLS. (#4.7.5)"
}

func DANETLSAFailed(host string) string {
	return "DANE: TLSA lookup failed temporarily for " + report.Safe(host) + ". (#4.4.3)"
}

// MechText puts the mechanism that made TLS mandatory (TLSMECH,
// smtpclient.8) before a failure's text: "MTA-STS enforce" makes
// "MTA-STS: I wasn't able to ..." (SPEC D31). smtpclient applies it to
// STARTTLS failures, tlswrap -i to SMTPS handshakes, so that both say
// the same; the caller checks that TLS was mandatory.
func MechText(mech, text string) string {
	if mech == "" {
		return text
	}
	name, _, _ := strings.Cut(report.Printable(mech), " ")
	return name + ": " + text
}

// Text returns the report text for kind, without the letter and without
// the final LF; an unknown kind gets the handshake text.
func Text(kind string, v Values) string {
	host := report.Safe(v.Host)
	switch kind {
	case Chain:
		return "Unable to verify X.500 certificate from: " + host + ". (#4.4.1)"
	case Name:
		return "Unable to validate X.500 certificate Subject for: " + host + ". (#4.4.1)"
	case NoCert:
		return "Unable to obtain X.500 certificate from: " + host + ". (#4.4.1)"
	case Pin:
		return "Received X.509 certificate from: " + host + " does not match fingerprint: " + report.Safe(v.Pin) + ". (#4.4.1)"
	case PinLen:
		return "Invalid digest length provided for: " + host + ". (#4.4.1)"
	case Cert:
		return "Can't load X.509 certificate: " + report.Safe(v.CertFile) + ". (#4.4.1)"
	case Key:
		return "Can't load X.509 private key: " + report.Safe(v.KeyFile) + ". (#4.4.1)"
	case KeyMatch:
		// SPEC 1.7.5: SC2.7 printed the password here; never.
		return "Keyfile does not match X.509 certificate: " + report.Safe(v.KeyFile) + ". (#4.4.1)"
	case CA:
		return "I wasn't able to set up CAFILE: " + report.Safe(v.CAFile) + " or CADIR: " + report.Safe(v.CADir) + " for TLS. (#4.4.1)"
	case Ciphers:
		// SPEC 1.7.5: no dot before the code, as in the original.
		return "I wasn't able to process the TLS ciphers: " + report.Safe(v.Ciphers) + " (#4.4.1)"
	case IO:
		return "Unknown TLS error for host: " + host + ". (#4.4.1)"
	case DANE:
		// SPEC D30: Host is the MX host (qmail-remote sets TLSHOST so).
		return "DANE: the certificate of " + host + " matches none of its TLSA records. (#4.7.5)"
	}
	return "I wasn't able to establish a TLS connection with: " + host + ". (#4.4.1)"
}
