package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// PKCS#8 EncryptedPrivateKeyInfo (RFC 5208 6) with PBES2 (RFC 8018 6.2,
// A.4) and PBKDF2 (RFC 8018 5.2, A.2): what "openssl pkcs8 -topk8" and
// openssl 3's genpkey write. PBES1 (MD5/SHA-1 with DES or RC2) is not
// decoded.
var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	prfs      = map[string]func() hash.Hash{ // RFC 8018 B.1
		"1.2.840.113549.2.7":  sha1.New,
		"1.2.840.113549.2.8":  sha256.New224,
		"1.2.840.113549.2.9":  sha256.New,
		"1.2.840.113549.2.10": sha512.New384,
		"1.2.840.113549.2.11": sha512.New,
	}
	pbesCiphers = map[string]struct { // RFC 8018 B.2
		keyLen int
		block  func([]byte) (cipher.Block, error)
	}{
		"2.16.840.1.101.3.4.1.2":  {16, aes.NewCipher},
		"2.16.840.1.101.3.4.1.22": {24, aes.NewCipher},
		"2.16.840.1.101.3.4.1.42": {32, aes.NewCipher},
		"1.2.840.113549.3.7":      {24, des.NewTripleDESCipher},
	}
)

const maxIterations = 10_000_000 // a hostile file must not cost hours

type encryptedKeyInfo struct {
	Alg  pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF, Enc pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLen     int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// decryptPKCS8 returns the plain PKCS#8 DER inside der.
func decryptPKCS8(der, password []byte) ([]byte, error) {
	var info encryptedKeyInfo
	if err := unmarshal(der, &info); err != nil {
		return nil, err
	}
	if !info.Alg.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("unsupported key encryption %v", info.Alg.Algorithm)
	}
	var p pbes2Params
	if err := unmarshal(info.Alg.Parameters.FullBytes, &p); err != nil {
		return nil, err
	}
	var kdf pbkdf2Params
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("unsupported key derivation %v", p.KDF.Algorithm)
	}
	if err := unmarshal(p.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, err
	}
	prf := sha1.New // RFC 8018 A.2: the default
	if len(kdf.PRF.Algorithm) > 0 {
		if prf = prfs[kdf.PRF.Algorithm.String()]; prf == nil {
			return nil, fmt.Errorf("unsupported PRF %v", kdf.PRF.Algorithm)
		}
	}
	c, ok := pbesCiphers[p.Enc.Algorithm.String()]
	if !ok {
		return nil, fmt.Errorf("unsupported cipher %v", p.Enc.Algorithm)
	}
	var iv []byte
	if err := unmarshal(p.Enc.Parameters.FullBytes, &iv); err != nil {
		return nil, err
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxIterations || (kdf.KeyLen != 0 && kdf.KeyLen != c.keyLen) {
		return nil, errors.New("bad PBKDF2 parameters")
	}
	key, err := pbkdf2.Key(prf, string(password), kdf.Salt, kdf.Iterations, c.keyLen)
	if err != nil {
		return nil, err
	}
	blk, err := c.block(key)
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(blk, iv, info.Data)
}

// cbcDecrypt decrypts and removes the RFC 8018 6.1.1 padding.
func cbcDecrypt(blk cipher.Block, iv, data []byte) ([]byte, error) {
	bs := blk.BlockSize()
	if len(iv) != bs || len(data) == 0 || len(data)%bs != 0 {
		return nil, errors.New("bad encrypted key length")
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad < 1 || pad > bs {
		return nil, errors.New("bad padding")
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, errors.New("bad padding")
		}
	}
	return out[:len(out)-pad], nil
}

// unmarshal is asn1.Unmarshal that refuses trailing bytes.
func unmarshal(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err == nil && len(rest) > 0 {
		err = errors.New("trailing data after ASN.1")
	}
	return err
}
