package idna

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzToASCII: no panic; an accepted name comes out ASCII, within the
// length limits, a fixed point of ToASCII, and ToUnicode accepts it and
// gives back a name whose ToASCII is it again (ignoring the case that
// ToASCII keeps in ASCII labels).
func FuzzToASCII(f *testing.F) {
	for _, s := range []string{"bücher.example", "例え.テスト.", "XN--BCHER-KVA.example", "xn--zca", "a..b",
		"☃.com", "-a.b", "ab--ü", "\u0308a", "a\u200db", "עברית.example", "3com.עברית", "xn---tda", "ü\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ToASCII(s)
		if err != nil {
			return
		}
		for i := 0; i < len(a); i++ {
			if a[i] >= utf8.RuneSelf {
				t.Fatalf("ToASCII(%q) = %q: not ASCII", s, a)
			}
		}
		if n := len(strings.TrimSuffix(a, ".")); n > 253 || n == 0 {
			t.Fatalf("ToASCII(%q) = %q: %d octets", s, a, n)
		}
		if b, err := ToASCII(a); err != nil || b != a {
			t.Fatalf("ToASCII(%q) = %q, but ToASCII of that = %q, %v", s, a, b, err)
		}
		u, err := ToUnicode(a)
		if err != nil {
			t.Fatalf("ToASCII(%q) = %q, but ToUnicode: %v", s, a, err)
		}
		if b, err := ToASCII(u); err != nil || !strings.EqualFold(b, a) {
			t.Fatalf("ToASCII(%q) = %q, ToUnicode = %q, ToASCII of that = %q, %v", s, a, u, b, err)
		}
	})
}

// FuzzDecode: no panic; a decoded label is valid UTF-8 with no more
// runes than the input has octets, and encodes and decodes again to
// itself.
func FuzzDecode(f *testing.F) {
	for _, c := range rfc3492 {
		f.Add(c.puny)
	}
	for _, s := range []string{"", "-", "a-", "-a", "99999999999999", "zzzzzzzzzzzzzzzzzz", "b", "tda", "-tda"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := Decode(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(u) || utf8.RuneCountInString(u) > len(s) {
			t.Fatalf("Decode(%q) = %+q", s, u)
		}
		e, err := Encode(u)
		if err != nil {
			t.Fatalf("Decode(%q) = %+q, but Encode: %v", s, u, err)
		}
		if v, err := Decode(e); err != nil || v != u {
			t.Fatalf("Decode(%q) = %+q, Encode = %q, Decode = %+q, %v", s, u, e, v, err)
		}
	})
}
