package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/tlsreport"
)

// config builds the client's tls.Config and the checker that verifies
// the server in its place. Every failure here is a local one (files,
// settings), found before a byte goes to the network.
func (s *settings) config() (*tls.Config, *checker, *failure) {
	chk := &checker{s: s}
	cfg := &tls.Config{
		ServerName: s.serverName,
		MinVersion: tls.VersionTLS12, // SPEC 5.4 allows 1.0; Go's client default is 1.2
		// RFC 5746: a server's renegotiation request is refused, and
		// ends the connection.
		Renegotiation: tls.RenegotiateNever,
		// crypto/tls's own check knows neither TLS_DEPTH nor pins nor
		// our names: tlswrap verifies in VerifyConnection instead.
		InsecureSkipVerify: true,
		VerifyConnection:   chk.verify,
	}
	if s.ciphers != "" {
		ids, err := parseCiphers(s.ciphers)
		if err != nil {
			return nil, nil, fail(tlsreport.Ciphers, "use TLS_CIPHERS", err)
		}
		cfg.CipherSuites = ids
	}
	if s.certFile != "" {
		cert, f := loadClientCert(s)
		if f != nil {
			return nil, nil, f
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	switch s.verify {
	case handoff.VerifyPin:
		alg, err := pinAlg(s.pin)
		if err != nil {
			return nil, nil, fail(tlsreport.PinLen, "use TLS_PIN", err)
		}
		chk.pinAlg = alg
	case handoff.VerifyCert, handoff.VerifyName, handoff.VerifyWildcard:
		roots, err := s.roots()
		if err != nil {
			return nil, nil, fail(tlsreport.CA, "load trust anchors", err)
		}
		chk.roots, chk.webPKI = roots, s.caFile == "" && s.caDir == ""
	}
	return cfg, chk, nil
}

// hashName tells an OpenSSL hashed-directory name: 8 hex digits, a
// dot, an optional r, a number. By hand, not a regexp: compiling one at
// every start, and linking the package, cost tlswrap start-up time.
func hashName(name string) bool {
	if len(name) < 10 || name[8] != '.' {
		return false
	}
	for _, c := range []byte(name[:8]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	n := strings.TrimPrefix(name[9:], "r")
	for _, c := range []byte(n) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return n != ""
}

// roots are the trust anchors: CAFILE and CADIR, else the system's.
func (s *settings) roots() (*x509.CertPool, error) {
	if s.caFile == "" && s.caDir == "" {
		return x509.SystemCertPool()
	}
	pool := x509.NewCertPool()
	if s.caFile != "" {
		b, err := os.ReadFile(s.caFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("%s: no PEM certificate", s.caFile)
		}
	}
	if s.caDir != "" {
		ents, err := os.ReadDir(s.caDir)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, e := range ents {
			name := e.Name()
			if e.IsDir() || !(strings.HasSuffix(name, ".pem") || strings.HasSuffix(name, ".crt") || hashName(name)) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(s.caDir, name))
			if err == nil && pool.AppendCertsFromPEM(b) {
				n++
			}
		}
		if n == 0 {
			return nil, errors.New(s.caDir + ": no PEM certificate")
		}
	}
	return pool, nil
}
