// Mkcerts makes throwaway TLS test fixtures into a folder: a CA with
// intermediates, server certificates good and bad, a client CA and
// client certificate, its key plain and encrypted, and fingerprints.
// Nothing it makes is secret; run it at test time, never commit its
// output.
//
// Usage: mkcerts DIR
//
// In DIR (all certificates PEM, chains leaf first; keys PKCS#8 unless
// said otherwise; every server leaf uses server.key, ECDSA P-256):
//
//	ca.pem           root CA "Test Root CA"
//	inter.pem        intermediate CA signed by the root
//	inter2.pem       a second intermediate signed by inter
//	server.pem       localhost, mx.test, *.wild.test, IP 127.0.0.1; + inter
//	server.key       its key
//	wild.pem         *.wild.test only; + inter
//	rsa.pem rsa.key  as server.pem, with an RSA 2048 key (RSA key exchange)
//	expired.pem      as server.pem, expired yesterday; + inter
//	notyet.pem       as server.pem, valid from tomorrow; + inter
//	wrongname.pem    other.test only; + inter
//	clientauth.pem   as server.pem, extended key usage clientAuth only; + inter
//	selfsigned.pem   as server.pem, self-signed, no chain
//	deep.pem         as server.pem, signed by inter2; + inter2 + inter
//	big.pem          mx.test and ~2500 more names (~100 KB); + inter
//	server.sha1 .sha224 .sha256 .sha512   hex digests of server.pem's leaf
//	server.tlsa311   TLSA data 3 1 1 (SHA-256 of the SPKI) of server.pem's leaf
//	inter.tlsa201 ca.tlsa201   TLSA data 2 0 1 (SHA-256 of the certificate)
//	clientca.pem     the client CA "Test Client CA"
//	client.pem       CN=client.test, signed by the client CA
//	client.key       its key, plain
//	client-both.pem  client.pem and client.key in one file
//	client-legacy.key  the key with legacy PEM encryption (AES-256-CBC)
//	client-pkcs8.key   the key as PKCS#8 PBES2 (PBKDF2-SHA256, AES-256-CBC)
//	client-3des.key    the key as PKCS#8 PBES2 (PBKDF2-SHA1, DES-EDE3-CBC)
//	other.key        a key that belongs to no certificate
//	pass             the password of the encrypted keys, with a final LF
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"qmail-remote-go/tests/pkcs8"
)

// Password of the encrypted test keys (a test fixture, not a secret).
const Password = "Te5t pass-phrase"

var dir string

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkcerts DIR")
		os.Exit(100)
	}
	dir = os.Args[1]
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "mkcerts: fatal: %v\n", err)
		os.Exit(111)
	}
}

// An issuer signs certificates.
type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var serial int64

func newKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// sign makes a certificate from template t for pub, signed by iss (nil:
// self-signed with key self).
func sign(t *x509.Certificate, pub crypto.PublicKey, iss *issuer, self crypto.Signer) *x509.Certificate {
	serial++
	t.SerialNumber = big.NewInt(serial)
	if t.NotBefore.IsZero() {
		t.NotBefore = time.Now().Add(-time.Hour)
		t.NotAfter = time.Now().Add(24 * time.Hour)
	}
	parent, key := t, self
	if iss != nil {
		parent, key = iss.cert, iss.key
	}
	der, err := x509.CreateCertificate(rand.Reader, t, parent, pub, key)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return c
}

func ca(name string, parent *issuer) *issuer {
	k := newKey()
	t := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{"qmail-remote-go tests"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	return &issuer{sign(t, k.Public(), parent, k), k}
}

func leaf(cn string, dns []string, ips []net.IP) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		DNSNames:    dns,
		IPAddresses: ips,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
}

func certPEM(cs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range cs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}

func keyPEM(k crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		panic(err)
	}
}

func run() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	root := ca("Test Root CA", nil)
	inter := ca("Test Intermediate CA", root)
	inter2 := ca("Test Intermediate CA 2", inter)
	write("ca.pem", certPEM(root.cert))
	write("inter.pem", certPEM(inter.cert))
	write("inter2.pem", certPEM(inter2.cert))

	sk := newKey()
	write("server.key", keyPEM(sk))
	names := []string{"localhost", "mx.test", "*.wild.test"}
	lo := []net.IP{net.IPv4(127, 0, 0, 1)}
	server := sign(leaf("mx.test", names, lo), sk.Public(), inter, nil)
	write("server.pem", certPEM(server, inter.cert))
	write("wild.pem", certPEM(sign(leaf("*.wild.test", []string{"*.wild.test"}, nil), sk.Public(), inter, nil), inter.cert))
	write("wrongname.pem", certPEM(sign(leaf("other.test", []string{"other.test"}, nil), sk.Public(), inter, nil), inter.cert))
	write("deep.pem", certPEM(sign(leaf("mx.test", names, lo), sk.Public(), inter2, nil), inter2.cert, inter.cert))
	t := leaf("mx.test", names, lo)
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	write("clientauth.pem", certPEM(sign(t, sk.Public(), inter, nil), inter.cert))
	write("selfsigned.pem", certPEM(sign(leaf("mx.test", names, lo), sk.Public(), nil, sk)))
	t = leaf("mx.test", names, lo)
	t.NotBefore, t.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	write("expired.pem", certPEM(sign(t, sk.Public(), inter, nil), inter.cert))
	t = leaf("mx.test", names, lo)
	t.NotBefore, t.NotAfter = time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour)
	write("notyet.pem", certPEM(sign(t, sk.Public(), inter, nil), inter.cert))
	many := []string{"mx.test"}
	for i := len(many); i < 2500; i++ {
		many = append(many, fmt.Sprintf("host%04d.big-certificate.test", i))
	}
	write("big.pem", certPEM(sign(leaf("mx.test", many, lo), sk.Public(), inter, nil), inter.cert))

	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	write("rsa.key", keyPEM(rk))
	write("rsa.pem", certPEM(sign(leaf("mx.test", names, lo), rk.Public(), inter, nil), inter.cert))

	for name, sum := range map[string][]byte{
		"sha1": sha1sum(server.Raw), "sha224": sha224sum(server.Raw),
		"sha256": sha256sum(server.Raw), "sha512": sha512sum(server.Raw),
	} {
		write("server."+name, []byte(hex.EncodeToString(sum)+"\n"))
	}
	// TLSA data for DANE (RFC 6698): 3 1 1 of the server, 2 0 1 of the
	// intermediate and of the root.
	write("server.tlsa311", []byte(hex.EncodeToString(sha256sum(server.RawSubjectPublicKeyInfo))+"\n"))
	write("inter.tlsa201", []byte(hex.EncodeToString(sha256sum(inter.cert.Raw))+"\n"))
	write("ca.tlsa201", []byte(hex.EncodeToString(sha256sum(root.cert.Raw))+"\n"))
	return clients()
}

func sha1sum(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func sha224sum(b []byte) []byte { s := sha256.Sum224(b); return s[:] }
func sha256sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
func sha512sum(b []byte) []byte { s := sha512.Sum512(b); return s[:] }

func clients() error {
	cca := ca("Test Client CA", nil)
	write("clientca.pem", certPEM(cca.cert))
	ck := newKey()
	client := sign(leaf("client.test", []string{"client.test"}, nil), ck.Public(), cca, nil)
	write("client.pem", certPEM(client))
	write("client.key", keyPEM(ck))
	write("client-both.pem", append(certPEM(client), keyPEM(ck)...))
	write("other.key", keyPEM(newKey()))
	write("pass", []byte(Password+"\n"))

	sec1, err := x509.MarshalECPrivateKey(ck)
	if err != nil {
		return err
	}
	b, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", sec1, []byte(Password), x509.PEMCipherAES256)
	if err != nil {
		return err
	}
	write("client-legacy.key", pem.EncodeToMemory(b))
	p8, err := x509.MarshalPKCS8PrivateKey(ck)
	if err != nil {
		return err
	}
	for name, alg := range map[string]pkcs8.PBES2{"client-pkcs8.key": pkcs8.AES256SHA256, "client-3des.key": pkcs8.DES3SHA1} {
		der, err := pkcs8.Encrypt(p8, Password, alg)
		if err != nil {
			return err
		}
		write(name, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}))
	}
	return nil
}
