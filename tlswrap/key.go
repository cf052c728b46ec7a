package main

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"

	"qmail-remote-go/lib/tlsreport"
)

// loadClientCert loads CERTFILE (PEM: the certificate first, maybe its
// chain, maybe the key) and the key from KEYFILE or CERTFILE, decrypted
// with the password from KEYPASSFD. Errors never hold the password.
func loadClientCert(s *settings) (tls.Certificate, *failure) {
	var out tls.Certificate
	b, err := os.ReadFile(s.certFile)
	if err != nil {
		return out, fail(tlsreport.Cert, "load the client certificate", err)
	}
	for rest := b; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		if blk.Type == "CERTIFICATE" {
			out.Certificate = append(out.Certificate, blk.Bytes)
		}
	}
	if len(out.Certificate) == 0 {
		return out, fail(tlsreport.Cert, "load the client certificate", errors.New(s.certFile+": no PEM certificate"))
	}
	leaf, err := x509.ParseCertificate(out.Certificate[0])
	if err != nil {
		return out, fail(tlsreport.Cert, "load the client certificate", err)
	}
	key, err := loadKey(s.keyFile, s.password, s.passFD >= 0, s.passErr)
	if err != nil {
		return out, fail(tlsreport.Key, "load the client key", err)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return out, fail(tlsreport.KeyMatch, "use the client key", errors.New("it does not belong to the certificate"))
	}
	out.PrivateKey, out.Leaf = key, leaf
	return out, nil
}

// loadKey reads the first private key of a PEM file: PKCS#8, PKCS#1 or
// SEC 1, plain, with legacy PEM encryption (Proc-Type: 4,ENCRYPTED), or
// PKCS#8 ENCRYPTED PRIVATE KEY (PBES2, what openssl 3 writes).
func loadKey(name string, pass []byte, hasPass bool, passErr error) (crypto.Signer, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var blk *pem.Block
	for rest := b; ; {
		if blk, rest = pem.Decode(rest); blk == nil {
			return nil, errors.New(name + ": no PEM private key")
		}
		if strings.HasSuffix(blk.Type, "PRIVATE KEY") {
			break
		}
	}
	der := blk.Bytes
	//lint:ignore SA1019 legacy PEM encryption is still in use (SPEC 4.10)
	legacy := x509.IsEncryptedPEMBlock(blk)
	if legacy || blk.Type == "ENCRYPTED PRIVATE KEY" {
		switch {
		case passErr != nil:
			return nil, passErr
		case !hasPass:
			return nil, errors.New(name + ": the key is encrypted and KEYPASSFD is not set")
		case legacy:
			//lint:ignore SA1019 see above
			der, err = x509.DecryptPEMBlock(blk, pass)
		default:
			der, err = decryptPKCS8(der, pass)
		}
		wrong := errors.New(name + ": unable to decrypt the key (wrong password?)")
		if err != nil {
			return nil, wrong
		}
		// A wrong password passes the padding check of legacy PEM and
		// PKCS#8 CBC about once in 256 tries, and leaves bytes that are
		// no key: that is still the password's fault, said as such.
		k, err := parseKey(der)
		if err != nil {
			return nil, wrong
		}
		return k, nil
	}
	return parseKey(der)
}

func parseKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, errors.New("unsupported private key type")
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("unable to parse the private key")
}
