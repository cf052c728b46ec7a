package main

import (
	"crypto/tls"
	"errors"
	"slices"
	"strings"
)

// A suite is a TLS 1.2 suite of crypto/tls with its OpenSSL name and
// the OpenSSL cipher-string keywords that select it.
type suite struct {
	id   uint16
	name string
	tags string
}

// The basic OpenSSL keywords (ciphers(1)) each suite answers to; the
// others are aliases. RC4 is left out: OpenSSL 3 has none.
var suites = []suite{
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", "kECDHE aECDSA AES128GCM HIGH TLSv1.2"},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", "kECDHE aRSA AES128GCM HIGH TLSv1.2"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", "kECDHE aECDSA AES256GCM HIGH TLSv1.2"},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", "kECDHE aRSA AES256GCM HIGH TLSv1.2"},
	{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", "kECDHE aECDSA CHACHA20 HIGH TLSv1.2"},
	{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", "kECDHE aRSA CHACHA20 HIGH TLSv1.2"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "ECDHE-ECDSA-AES128-SHA256", "kECDHE aECDSA AES128 SHA256 HIGH TLSv1.2"},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "ECDHE-RSA-AES128-SHA256", "kECDHE aRSA AES128 SHA256 HIGH TLSv1.2"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", "kECDHE aECDSA AES128 SHA1 HIGH TLSv1"},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", "kECDHE aRSA AES128 SHA1 HIGH TLSv1"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", "kECDHE aECDSA AES256 SHA1 HIGH TLSv1"},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", "kECDHE aRSA AES256 SHA1 HIGH TLSv1"},
	{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", "kRSA aRSA AES128GCM HIGH TLSv1.2"},
	{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", "kRSA aRSA AES256GCM HIGH TLSv1.2"},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA256, "AES128-SHA256", "kRSA aRSA AES128 SHA256 HIGH TLSv1.2"},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", "kRSA aRSA AES128 SHA1 HIGH SSLv3"},
	{tls.TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", "kRSA aRSA AES256 SHA1 HIGH SSLv3"},
	{tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, "ECDHE-RSA-DES-CBC3-SHA", "kECDHE aRSA 3DES SHA1 MEDIUM TLSv1"},
	{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, "DES-CBC3-SHA", "kRSA aRSA 3DES SHA1 MEDIUM SSLv3"},
}

// aliases maps an OpenSSL keyword to the tags it stands for (any of
// them), as OpenSSL 3.0's "openssl ciphers -s -tls1_2 WORD" lists them:
// SHA256 is CBC with SHA-256 only (GCM and ChaCha20 are AEAD), SSLv3 the
// RSA CBC-SHA1 suites, TLSv1 the ECDHE ones; 3DES (MEDIUM) only when
// asked for, as in OpenSSL 3 builds that still have it. Keywords found
// nowhere (aNULL, eNULL, DHE, PSK, CAMELLIA, RC4, LOW, EXPORT, SSLv2,
// TLS 1.3 names ...) select nothing: Go has no such suite.
var aliases = map[string][]string{
	"ALL":     {"HIGH"},
	"DEFAULT": {"HIGH"},
	"RSA":     {"kRSA"},
	"ECDHE":   {"kECDHE"},
	"EECDH":   {"kECDHE"},
	"kEECDH":  {"kECDHE"},
	"ECDSA":   {"aECDSA"},
	"AESGCM":  {"AES128GCM", "AES256GCM"},
	"AES128":  {"AES128", "AES128GCM"},
	"AES256":  {"AES256", "AES256GCM"},
	"AES":     {"AES128", "AES256", "AES128GCM", "AES256GCM"},
	"SHA":     {"SHA1"},
	"TLSv1.0": {"TLSv1"},
}

// has tells whether s answers to word, or to every part of a word
// joined with '+' (ECDHE+AESGCM); a part may be s's OpenSSL name.
func (s suite) has(word string) bool {
	mine := strings.Fields(s.tags)
	for _, p := range strings.Split(word, "+") {
		if p == s.name {
			continue
		}
		tags, ok := aliases[p]
		if !ok {
			tags = []string{p}
		}
		if !slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(mine, t) }) {
			return false
		}
	}
	return true
}

// asked tells whether an element that adds s may add it: a 3DES suite
// only when the element says 3DES, MEDIUM or its name, as OpenSSL 3
// builds leave it out of everything else.
func (s suite) asked(el string) bool {
	if !strings.Contains(s.tags, "MEDIUM") {
		return true
	}
	return slices.ContainsFunc(strings.Split(el, "+"), func(p string) bool {
		return p == "3DES" || p == "MEDIUM" || p == s.name
	})
}

// parseCiphers maps an OpenSSL cipher string to crypto/tls suites, best
// effort (SPEC D15): elements separated by ':', ',' or spaces; a plain
// element adds its suites at the end, "-" removes them, "!" removes them
// for good, "+" moves them to the end; "@STRENGTH" and "@SECLEVEL=n"
// are ignored. The list limits TLS 1.2 only: crypto/tls does not let
// TLS 1.3 suites be chosen. An empty result is an error.
func parseCiphers(str string) ([]uint16, error) {
	var list []suite
	killed := map[uint16]bool{}
	for _, el := range strings.FieldsFunc(str, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		op := el[0]
		if op == '!' || op == '-' || op == '+' {
			el = el[1:]
		} else {
			op = 0
		}
		if el == "" || el[0] == '@' {
			continue
		}
		match := func(s suite) bool { return s.has(el) }
		switch op {
		case '!':
			for _, s := range suites {
				if match(s) {
					killed[s.id] = true
				}
			}
			list = slices.DeleteFunc(list, match)
		case '-':
			list = slices.DeleteFunc(list, match)
		case '+':
			var moved []suite
			for _, s := range list {
				if match(s) {
					moved = append(moved, s)
				}
			}
			list = append(slices.DeleteFunc(list, match), moved...)
		default:
			for _, s := range suites {
				if match(s) && !killed[s.id] && s.asked(el) && !slices.ContainsFunc(list, func(t suite) bool { return t.id == s.id }) {
					list = append(list, s)
				}
			}
		}
	}
	if len(list) == 0 {
		return nil, errors.New("no cipher suite of crypto/tls left")
	}
	ids := make([]uint16, len(list))
	for i, s := range list {
		ids[i] = s.id
	}
	return ids, nil
}
