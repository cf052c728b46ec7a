package idna

import (
	"errors"
	"strings"
	"testing"
)

// The expected A-labels were checked against an independent
// implementation (golang.org/x/net/idna, outside this module).
func TestToASCII(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"bücher.example", "xn--bcher-kva.example"},
		{"münchen.de", "xn--mnchen-3ya.de"},
		{"例え.テスト", "xn--r8jz45g.xn--zckzah"},
		{"bücher.example.", "xn--bcher-kva.example."}, // the root dot stays
		{"BÜCHER.Example", "xn--bcher-kva.Example"},   // a U-label is lower-cased, an ASCII label kept
		{"Example.COM", "Example.COM"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"XN--BCHER-KVA.example", "XN--BCHER-KVA.example"}, // a valid A-label keeps its case
		{"straße.de", "xn--strae-oqa.de"},                  // ß is PVALID (RFC 5892 2.6)
		{"ελληνικά.gr", "xn--hxargifdar.gr"},
		{"ΕΛΛΗΝΙΚΆ.gr", "xn--hxargifdar.gr"},
		{"a--bü.de", "xn--a--b-3ra.de"}, // hyphens at 2 and 3 are fine
		{"עברית.example", "xn--5dbqzzl.example"},
		{"א1.example", "xn--1-zhc.example"},
		{"ᏣᎳᎩ.example", "xn--f9dt7l.example"}, // Cherokee capitals are not lowered
		{"コーヒー.jp", "xn--tck2c4fb.jp"},
		{"〇.jp", "xn--w6j.jp"},                     // U+3007 PVALID exception
		{"\u09a2\u09bc\u09be.bd", "xn--25b6cg.bd"}, // DDHA decomposed (a composition exclusion), then AA
		{"a", "a"},
	} {
		got, err := ToASCII(c.in)
		if err != nil || got != c.want {
			t.Errorf("ToASCII(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestToASCIIErrors(t *testing.T) {
	for _, in := range []string{
		"", ".", "..", "a..b", ".a", "a.b..",
		"-bücher.de", "bücher-.de", // leading, trailing hyphen
		"ab--ü.de", "xn--ü.de", // hyphens in the third and fourth positions
		"\u0308a.de",      // begins with a combining mark
		"a\u200db.de",     // ZWJ (CONTEXTJ)
		"a\u200cb.de",     // ZWNJ
		"☃.com", "a☃.com", // U+2603 (So) is DISALLOWED
		"ü b.de", "ü_b.de", "ü!.de", "ü\x00.de", "ü\u00a0.de", // not LDH, space, control
		"ü\u3002de",                          // the ideographic full stop is no dot here, and DISALLOWED
		"bu\u0308cher.de",                    // not NFC
		"a·b.de", "ア・イ.jp", "α͵.gr", "א׳.il", // CONTEXTO
		"ب٠۰.eg",     // Arabic-Indic digit mix
		"\u212Ab.de", // KELVIN SIGN: lower case is ASCII
		"\u1E9E.de",  // ẞ: UTS 46 maps it to "ss"
		"ｆｕｌｌ.de", "ﬁx.de", "ª.de", "ǆ.de", "ℓ.de", "ᄀ.kr", "ㄱ.kr", "ⅱ.de", "x\U0001D400.de",
		"\ue000.de", "a\ufeffb.de", "\U000E0001.de", "a\ufe0fb.de", "a\u0378b.de", // Co, Cf, tag, VS, Cn
		"ü\xff.de",                                                     // not UTF-8
		"xn--.de", "xn--abc-.de", "xn--a.de", "xn--zzzzzzzzzzzzzzz.de", // bad A-labels
		"xn---tda.de",                    // ü, but not in the canonical form
		"xn--u-ccb.de",                   // u + U+0308: not NFC
		"xn--bcher-kva-.de",              // trailing hyphen after the A-label's own
		"xn--tda",                        // "ü" is fine...
		"3com.עברית", "אa.com", "1א.com", // Bidi Rule
	} {
		if in == "xn--tda" {
			if _, err := ToASCII(in); err != nil {
				t.Errorf("ToASCII(%q): %v", in, err)
			}
			continue
		}
		got, err := ToASCII(in)
		if err == nil {
			t.Errorf("ToASCII(%q) = %q, want an error", in, got)
		} else if !errors.Is(err, ErrInvalid) {
			t.Errorf("ToASCII(%q): %v is not ErrInvalid", in, err)
		}
	}
}

func TestLengths(t *testing.T) {
	l63 := strings.Repeat("a", 63)
	for _, c := range []struct {
		in string
		ok bool
	}{
		{l63, true},
		{l63 + "a", false},
		{strings.Repeat("ü", 30), true},  // xn-- + 30 + delimiter-less deltas
		{strings.Repeat("ü", 60), false}, // the A-label passes 63 octets
		{strings.Repeat(l63+".", 3) + strings.Repeat("a", 61), true},        // 253 octets
		{strings.Repeat(l63+".", 3) + strings.Repeat("a", 61) + ".", true},  // and the root dot
		{strings.Repeat(l63+".", 3) + strings.Repeat("a", 62), false},       // 254
		{strings.Repeat(l63+".", 3) + strings.Repeat("a", 55) + "ü", false}, // 249 octets, 255 after conversion
	} {
		got, err := ToASCII(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ToASCII(%d octets) = %d octets, %v; want ok %v", len(c.in), len(got), err, c.ok)
		}
		if err == nil && len(strings.TrimSuffix(got, ".")) > 253 {
			t.Errorf("ToASCII: %d octets", len(got))
		}
	}
}

func TestToUnicode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"xn--bcher-kva.example.", "bücher.example."},
		{"XN--BCHER-KVA.Example", "bücher.Example"},
		{"xn--r8jz45g.xn--zckzah", "例え.テスト"},
		{"Bücher.de", "bücher.de"},
		{"example.com", "example.com"},
	} {
		got, err := ToUnicode(c.in)
		if err != nil || got != c.want {
			t.Errorf("ToUnicode(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"xn--zzzzzzzzzzzzzzz.de", "xn--ab-.de", "xn---tda", "xn--u-ccb", "a..b"} {
		if got, err := ToUnicode(in); err == nil {
			t.Errorf("ToUnicode(%q) = %q, want an error", in, got)
		}
	}
}

// TestRoundTrip: every sample that ToASCII accepts comes back from
// ToUnicode as its lower-case form, and its A-labels are fixed points.
func TestRoundTrip(t *testing.T) {
	samples := []string{"bücher.example", "例え.テスト", "ελληνικά.gr", "Москва.рф", "straße.de", "עברית.example", "\u09a2\u09bc\u09be.bd"}
	for _, c := range rfc3492 {
		samples = append(samples, c.uni)
	}
	for _, s := range samples {
		a, err := ToASCII(s)
		if err != nil {
			continue // some RFC 3492 samples hold punctuation or break the Bidi Rule
		}
		u, err := ToUnicode(a)
		if err != nil || u != strings.ToLower(s) {
			t.Errorf("ToUnicode(ToASCII(%q) = %q) = %q, %v", s, a, u, err)
		}
		if b, err := ToASCII(a); err != nil || b != a {
			t.Errorf("ToASCII(%q) = %q, %v", a, b, err)
		}
	}
}

func BenchmarkToASCII(b *testing.B) {
	for range b.N {
		ToASCII("bücher.example.com")
	}
}

func BenchmarkToASCIIPlain(b *testing.B) {
	for range b.N {
		ToASCII("mx1.example.com")
	}
}
