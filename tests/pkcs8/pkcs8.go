// Package pkcs8 encrypts a PKCS#8 private key as openssl 3 does: the
// EncryptedPrivateKeyInfo of RFC 5208 5 with PBES2 (RFC 8018 6.2, A.4)
// and PBKDF2 (RFC 8018 5.2, A.2). It is the one encoder for the tests of
// tlswrap's decoder: tlswrap's own and the keys tests/mkcerts writes.
package pkcs8

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"hash"
)

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
)

// PBES2 is the scheme: the PRF of PBKDF2 and the cipher.
type PBES2 struct {
	PRF    asn1.ObjectIdentifier // nil leaves it out: HMAC-SHA1, the default
	Hash   func() hash.Hash      // the PRF's hash
	Enc    asn1.ObjectIdentifier // the cipher, in CBC mode
	KeyLen int
	Block  func([]byte) (cipher.Block, error)
}

// The two schemes openssl uses most.
var (
	AES256SHA256 = PBES2{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, sha256.New,
		asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, 32, aes.NewCipher}
	DES3SHA1 = PBES2{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}, sha1.New,
		asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}, 24, des.NewTripleDESCipher}
)

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type pbes2Params struct {
	KDF, Enc pkix.AlgorithmIdentifier
}

type encryptedKeyInfo struct {
	Alg  pkix.AlgorithmIdentifier
	Data []byte
}

// Encrypt returns the DER of der (a PKCS#8 PrivateKeyInfo) encrypted
// with password, a random salt and IV, 2048 iterations.
func Encrypt(der []byte, password string, p PBES2) ([]byte, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	const iter = 2048
	key, err := pbkdf2.Key(p.Hash, password, salt, iter, p.KeyLen)
	if err != nil {
		return nil, err
	}
	blk, err := p.Block(key)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, blk.BlockSize())
	rand.Read(iv)
	pad := blk.BlockSize() - len(der)%blk.BlockSize()
	data := append([]byte{}, der...)
	for range pad {
		data = append(data, byte(pad))
	}
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(data, data)
	kp := pbkdf2Params{Salt: salt, Iterations: iter}
	if p.PRF != nil {
		kp.PRF = pkix.AlgorithmIdentifier{Algorithm: p.PRF, Parameters: asn1.NullRawValue}
	}
	kdf, err := asn1.Marshal(kp)
	if err != nil {
		return nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}},
		Enc: pkix.AlgorithmIdentifier{Algorithm: p.Enc, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(encryptedKeyInfo{
		Alg:  pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}},
		Data: data,
	})
}
