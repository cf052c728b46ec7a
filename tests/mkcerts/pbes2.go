package main

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

// The PKCS#8 EncryptedPrivateKeyInfo of RFC 5208 5, PBES2 of RFC 8018
// 6.2 (A.4), PBKDF2 of RFC 8018 5.2 (A.2): the encoding openssl 3 writes.
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type pbes2 struct {
	prf    asn1.ObjectIdentifier
	hash   func() hash.Hash
	enc    asn1.ObjectIdentifier
	keyLen int
	block  func([]byte) (cipher.Block, error)
}

var (
	aes256sha256 = pbes2{oidHMACSHA256, sha256.New, oidAES256CBC, 32, aes.NewCipher}
	des3sha1     = pbes2{oidHMACSHA1, sha1.New, oidDESEDE3CBC, 24, des.NewTripleDESCipher}
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

func encryptPKCS8(der []byte, password string, p pbes2) ([]byte, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	const iter = 2048
	key, err := pbkdf2.Key(p.hash, password, salt, iter, p.keyLen)
	if err != nil {
		return nil, err
	}
	blk, err := p.block(key)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, blk.BlockSize())
	rand.Read(iv)
	pad := blk.BlockSize() - len(der)%blk.BlockSize()
	for range pad {
		der = append(der, byte(pad))
	}
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(der, der)
	prf := pkix.AlgorithmIdentifier{Algorithm: p.prf, Parameters: asn1.NullRawValue}
	kdf, err := asn1.Marshal(pbkdf2Params{salt, iter, prf})
	if err != nil {
		return nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}},
		Enc: pkix.AlgorithmIdentifier{Algorithm: p.enc, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(encryptedKeyInfo{
		Alg:  pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}},
		Data: der,
	})
}
