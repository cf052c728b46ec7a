package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qmail-remote-go/tests/pkcs8"
)

// encryptPKCS8 encrypts der with tests/pkcs8's encoder; prf nil leaves
// the PRF out (the HMAC-SHA1 default).
func encryptPKCS8(t *testing.T, der []byte, pass string, prf asn1.ObjectIdentifier, h func() hash.Hash,
	enc asn1.ObjectIdentifier, keyLen int, block func([]byte) (cipher.Block, error)) []byte {
	t.Helper()
	b, err := pkcs8.Encrypt(der, pass, pkcs8.PBES2{PRF: prf, Hash: h, Enc: enc, KeyLen: keyLen, Block: block})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func oid(s string) asn1.ObjectIdentifier {
	var o asn1.ObjectIdentifier
	for _, p := range strings.Split(s, ".") {
		n := 0
		for _, c := range p {
			n = n*10 + int(c-'0')
		}
		o = append(o, n)
	}
	return o
}

func TestDecryptPKCS8(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der := must(x509.MarshalPKCS8PrivateKey(key))
	pass := "pa55 word\x00ünicode"
	tests := []struct {
		name   string
		prf    string
		h      func() hash.Hash
		enc    string
		keyLen int
		block  func([]byte) (cipher.Block, error)
	}{
		{"AES-256-CBC, HMAC-SHA256", "1.2.840.113549.2.9", sha256.New, "2.16.840.1.101.3.4.1.42", 32, aes.NewCipher},
		{"AES-128-CBC, HMAC-SHA1 default", "", sha1.New, "2.16.840.1.101.3.4.1.2", 16, aes.NewCipher},
		{"AES-192-CBC, HMAC-SHA512", "1.2.840.113549.2.11", sha512.New, "2.16.840.1.101.3.4.1.22", 24, aes.NewCipher},
		{"DES-EDE3-CBC, HMAC-SHA224", "1.2.840.113549.2.8", sha256.New224, "1.2.840.113549.3.7", 24, des.NewTripleDESCipher},
		{"AES-256-CBC, HMAC-SHA384", "1.2.840.113549.2.10", sha512.New384, "2.16.840.1.101.3.4.1.42", 32, aes.NewCipher},
	}
	for _, tt := range tests {
		var prf asn1.ObjectIdentifier
		if tt.prf != "" {
			prf = oid(tt.prf)
		}
		enc := encryptPKCS8(t, der, pass, prf, tt.h, oid(tt.enc), tt.keyLen, tt.block)
		got, err := decryptPKCS8(enc, []byte(pass))
		if err != nil || string(got) != string(der) {
			t.Errorf("%s: %v", tt.name, err)
		}
		if got, err := decryptPKCS8(enc, []byte("wrong")); err == nil {
			if _, perr := parseKey(got); perr == nil {
				t.Errorf("%s: a wrong password gives a key", tt.name)
			}
		}
	}
	for _, bad := range [][]byte{nil, {0x30, 0x00}, der, []byte("garbage")} {
		if _, err := decryptPKCS8(bad, []byte(pass)); err == nil {
			t.Errorf("decryptPKCS8(%x) accepted", bad)
		}
	}
}

// FuzzDecryptPKCS8: hostile key files never panic.
func FuzzDecryptPKCS8(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00}, []byte("x"))
	f.Fuzz(func(t *testing.T, der, pass []byte) {
		decryptPKCS8(der, pass)
	})
}

// files writes name -> content into a temporary folder.
func files(t *testing.T, m map[string][]byte) string {
	dir := t.TempDir()
	for name, b := range m {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadClientCert(t *testing.T) {
	ca := issue(t, caTemplate("ca"), nil)
	client := issue(t, leafTemplate("client.test"), ca)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: client.cert.Raw})
	p8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(client.key))})
	sec1 := must(x509.MarshalECPrivateKey(client.key))
	legacy, _ := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", sec1, []byte("Pw-1x"), x509.PEMCipher3DES)
	enc := encryptPKCS8(t, must(x509.MarshalPKCS8PrivateKey(client.key)), "Pw-1x", oid("1.2.840.113549.2.9"), sha256.New,
		oid("2.16.840.1.101.3.4.1.2"), 16, aes.NewCipher)
	dir := files(t, map[string][]byte{
		"cert.pem":   certPEM,
		"both.pem":   append(append([]byte{}, certPEM...), p8...),
		"key.pem":    p8,
		"sec1.pem":   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
		"legacy.pem": pem.EncodeToMemory(legacy),
		"p8enc.pem":  pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc}),
		"other.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(other))}),
		"rsa.pem":    pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}),
		"junk.pem":   []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
	})
	p := func(n string) string { return filepath.Join(dir, n) }
	tests := []struct {
		cert, key string
		pass      string
		hasPass   bool
		passErr   error
		kind      string
	}{
		{"cert.pem", "key.pem", "", false, nil, ""},
		{"both.pem", "both.pem", "", false, nil, ""},
		{"cert.pem", "sec1.pem", "", false, nil, ""},
		{"cert.pem", "legacy.pem", "Pw-1x", true, nil, ""},
		{"cert.pem", "p8enc.pem", "Pw-1x", true, nil, ""},
		{"cert.pem", "key.pem", "unused", true, nil, ""},
		{"cert.pem", "legacy.pem", "Wr0ng-pass", true, nil, "key"},
		{"cert.pem", "p8enc.pem", "Wr0ng-pass", true, nil, "key"},
		{"cert.pem", "p8enc.pem", "", false, nil, "key"},
		{"cert.pem", "p8enc.pem", "", true, errors.New("KEYPASSFD 9: bad file descriptor"), "key"},
		{"cert.pem", "other.pem", "", false, nil, "keymatch"},
		{"cert.pem", "rsa.pem", "", false, nil, "keymatch"},
		{"cert.pem", "cert.pem", "", false, nil, "key"},
		{"cert.pem", "nothere.pem", "", false, nil, "key"},
		{"nothere.pem", "key.pem", "", false, nil, "cert"},
		{"key.pem", "key.pem", "", false, nil, "cert"},
		{"junk.pem", "key.pem", "", false, nil, "cert"},
	}
	for _, tt := range tests {
		s := &settings{certFile: p(tt.cert), keyFile: p(tt.key), password: []byte(tt.pass), passFD: -1, passErr: tt.passErr}
		if tt.hasPass {
			s.passFD = 9 // KEYPASSFD given
		}
		c, f := loadClientCert(s)
		kind := ""
		if f != nil {
			kind = f.kind
			if tt.pass != "" && strings.Contains(f.Error(), tt.pass) {
				t.Errorf("%s %s: the password in %q", tt.cert, tt.key, f.Error())
			}
		}
		if kind != tt.kind || (f == nil && (c.PrivateKey == nil || c.Leaf == nil)) {
			t.Errorf("%s %s %q: kind %q, want %q (%v)", tt.cert, tt.key, tt.pass, kind, tt.kind, f)
		}
	}
}

// TestWrongPasswordPadding: bytes that decrypt with valid padding but
// are no key, as a wrong password gives about once in 256 tries, are
// reported as a password that may be wrong, not as a file that cannot
// be parsed (seen as a flaky tests/tlswrap.sh case).
func TestWrongPasswordPadding(t *testing.T) {
	//lint:ignore SA1019 legacy PEM encryption is what is tested
	blk, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", []byte("not a key at all"), []byte("pw"), x509.PEMCipherAES128)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(name, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = loadKey(name, []byte("pw"), true, nil)
	if err == nil || !strings.Contains(err.Error(), "unable to decrypt the key (wrong password?)") {
		t.Fatalf("loadKey = %v", err)
	}
}
