package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"strings"
)

// auditDepth is the most intermediates an audit allows: MTA-STS's
// (qmail-remote.8), web PKI chains having one to three.
const auditDepth = 8

// auditNames reads TLS_AUDIT_NAMES: the names an audit checks the
// certificate for, nil for no audit (tlswrap.8).
func auditNames() []string { return strings.Fields(os.Getenv("TLS_AUDIT_NAMES")) }

// audit checks certs as MTA-STS enforce would (a chain to the system
// roots, one of names, a "*" first label matching one label) without
// failing anything: the result goes to TLSWRAP_AUDIT, for a K report
// that says what a policy in testing mode would have refused (SPEC D31).
func audit(certs []*x509.Certificate, names []string) string {
	roots, err := x509.SystemCertPool()
	if err != nil {
		return "would have failed: no system roots: " + printable(err.Error(), 200)
	}
	// The system roots: serverAuth required, as under enforce.
	if err := verifyChain(certs, roots, auditDepth, true); err != nil {
		return "would have failed: " + printable(fmt.Sprintf("the chain does not verify: %v", err), 200)
	}
	name := matchNames(certs[0], names, true)
	if name == "" {
		return "would have failed: " + printable("the certificate holds none of: "+strings.Join(names, " "), 200)
	}
	return "certificate verified for " + printable(name, 255)
}
