package idna

import (
	"strings"
	"testing"
)

// rfc3492 holds the samples of RFC 3492 7.1, (A) to (S). fold marks the
// one whose Punycode carries mixed-case annotation (the "D" of (I)):
// Encode writes deltas in lower case, so that one compares ignoring case.
var rfc3492 = []struct {
	name, uni, puny string
	fold            bool
}{
	{"A Arabic (Egyptian)", "\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F",
		"egbpdaj6bu4bxfgehfvwxn", false},
	{"B Chinese (simplified)", "\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587",
		"ihqwcrb4cv8a8dqg056pqjye", false},
	{"C Chinese (traditional)", "\u4ED6\u5011\u7232\u4EC0\u9EBD\u4E0D\u8AAA\u4E2D\u6587",
		"ihqwctvzc91f659drss3x8bo0yb", false},
	{"D Czech", "\u0050\u0072\u006F\u010D\u0070\u0072\u006F\u0073\u0074\u011B\u006E\u0065\u006D\u006C\u0075\u0076\u00ED\u010D\u0065\u0073\u006B\u0079",
		"Proprostnemluvesky-uyb24dma41a", false},
	{"E Hebrew", "\u05DC\u05DE\u05D4\u05D4\u05DD\u05E4\u05E9\u05D5\u05D8\u05DC\u05D0\u05DE\u05D3\u05D1\u05E8\u05D9\u05DD\u05E2\u05D1\u05E8\u05D9\u05EA",
		"4dbcagdahymbxekheh6e0a7fei0b", false},
	{"F Hindi (Devanagari)", "\u092F\u0939\u0932\u094B\u0917\u0939\u093F\u0928\u094D\u0926\u0940\u0915\u094D\u092F\u094B\u0902\u0928\u0939\u0940\u0902\u092C\u094B\u0932\u0938\u0915\u0924\u0947\u0939\u0948\u0902",
		"i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd", false},
	{"G Japanese (kanji and hiragana)", "\u306A\u305C\u307F\u3093\u306A\u65E5\u672C\u8A9E\u3092\u8A71\u3057\u3066\u304F\u308C\u306A\u3044\u306E\u304B",
		"n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa", false},
	{"H Korean (Hangul syllables)", "\uC138\uACC4\uC758\uBAA8\uB4E0\uC0AC\uB78C\uB4E4\uC774\uD55C\uAD6D\uC5B4\uB97C\uC774\uD574\uD55C\uB2E4\uBA74\uC5BC\uB9C8\uB098\uC88B\uC744\uAE4C",
		"989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c", false},
	{"I Russian (Cyrillic)", "\u043F\u043E\u0447\u0435\u043C\u0443\u0436\u0435\u043E\u043D\u0438\u043D\u0435\u0433\u043E\u0432\u043E\u0440\u044F\u0442\u043F\u043E\u0440\u0443\u0441\u0441\u043A\u0438",
		"b1abfaaepdrnnbgefbaDotcwatmq2g4l", true},
	{"J Spanish", "\u0050\u006F\u0072\u0071\u0075\u00E9\u006E\u006F\u0070\u0075\u0065\u0064\u0065\u006E\u0073\u0069\u006D\u0070\u006C\u0065\u006D\u0065\u006E\u0074\u0065\u0068\u0061\u0062\u006C\u0061\u0072\u0065\u006E\u0045\u0073\u0070\u0061\u00F1\u006F\u006C",
		"PorqunopuedensimplementehablarenEspaol-fmd56a", false},
	{"K Vietnamese", "\u0054\u1EA1\u0069\u0073\u0061\u006F\u0068\u1ECD\u006B\u0068\u00F4\u006E\u0067\u0074\u0068\u1EC3\u0063\u0068\u1EC9\u006E\u00F3\u0069\u0074\u0069\u1EBF\u006E\u0067\u0056\u0069\u1EC7\u0074",
		"TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g", false},
	{"L 3<nen>B<gumi><kinpachi><sensei>", "\u0033\u5E74\u0042\u7D44\u91D1\u516B\u5148\u751F",
		"3B-ww4c5e180e575a65lsy2b", false},
	{"M <amuro><namie>-with-SUPER-MONKEYS", "\u5B89\u5BA4\u5948\u7F8E\u6075\u002D\u0077\u0069\u0074\u0068\u002D\u0053\u0055\u0050\u0045\u0052\u002D\u004D\u004F\u004E\u004B\u0045\u0059\u0053",
		"-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n", false},
	{"N Hello-Another-Way-<sorezore><no><basho>", "\u0048\u0065\u006C\u006C\u006F\u002D\u0041\u006E\u006F\u0074\u0068\u0065\u0072\u002D\u0057\u0061\u0079\u002D\u305D\u308C\u305E\u308C\u306E\u5834\u6240",
		"Hello-Another-Way--fc4qua05auwb3674vfr0b", false},
	{"O <hitotsu><yane><no><shita>2", "\u3072\u3068\u3064\u5C4B\u6839\u306E\u4E0B\u0032",
		"2-u9tlzr9756bt3uc0v", false},
	{"P Maji<de>Koi<suru>5<byou><mae>", "\u004D\u0061\u006A\u0069\u3067\u004B\u006F\u0069\u3059\u308B\u0035\u79D2\u524D",
		"MajiKoi5-783gue6qz075azm5e", false},
	{"Q <pafii>de<runba>", "\u30D1\u30D5\u30A3\u30FC\u0064\u0065\u30EB\u30F3\u30D0",
		"de-jg4avhby1noc0d", false},
	{"R <sono><supiido><de>", "\u305D\u306E\u30B9\u30D4\u30FC\u30C9\u3067",
		"d9juau41awczczp", false},
	{"S -> $1.00 <-", "\u002D\u003E\u0020\u0024\u0031\u002E\u0030\u0030\u0020\u003C\u002D",
		"-> $1.00 <--", false},
}

func TestEncodeRFC3492(t *testing.T) {
	for _, c := range rfc3492 {
		got, err := Encode(c.uni)
		if err != nil || got != c.puny && !(c.fold && strings.EqualFold(got, c.puny)) {
			t.Errorf("(%s) Encode = %q, %v; want %q", c.name, got, err, c.puny)
		}
	}
}

func TestDecodeRFC3492(t *testing.T) {
	for _, c := range rfc3492 {
		got, err := Decode(c.puny)
		if err != nil || got != c.uni {
			t.Errorf("(%s) Decode = %+q, %v; want %+q", c.name, got, err, c.uni)
		}
		// The digits are case-insensitive; the basic code points keep
		// their case.
		if got, err := Decode(strings.ToUpper(c.puny)); err != nil || got != asciiUpper(c.uni) {
			t.Errorf("(%s) Decode(upper) = %+q, %v", c.name, got, err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, s := range []string{
		"a-\u00e9",           // not ASCII
		"\u00e9-abc",         // not ASCII before the delimiter
		"abc-!",              // not a digit
		"b",                  // truncated delta (b = 1 >= t)
		"99999999999999",     // i overflows
		"zzzzzzzzzzzzzzzzzz", // w overflows
		"ZZZZZZZZZZZZZZZZZ9", // upper case alike
		"egbpdaj6bu4bxfgehfvwxn999999999999",
		"a" + strings.Repeat("9", 63),
		"ww4c5e180e575a65lsy2b_",
		"dn",      // a surrogate? (checked below for whatever it yields)
		"0b4t7h2", // beyond U+10FFFF or overflow
		"a-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
	} {
		if got, err := Decode(s); err == nil {
			for _, r := range got {
				if r > 0x10FFFF || r >= 0xD800 && r <= 0xDFFF {
					t.Errorf("Decode(%q) = %+q", s, got)
				}
			}
			if len([]rune(got)) > len(s) {
				t.Errorf("Decode(%q) = %+q: more runes than input", s, got)
			}
		}
	}
	for _, s := range []string{"a-\u00e9", "abc-!", "b", "99999999999999", "zzzzzzzzzzzzzzzzzz", "ww4c5e180e575a65lsy2b_"} {
		if got, err := Decode(s); err == nil {
			t.Errorf("Decode(%q) = %+q, want an error", s, got)
		}
	}
}

func TestDecodeSurrogate(t *testing.T) {
	// Find an encoding that would decode to U+D800 by encoding its
	// neighbour and checking the decoder refuses every value in the
	// surrogate block: encode U+D7FF and U+E000, and try the deltas in
	// between.
	for r := rune(0xD800); r <= 0xDFFF; r += 0x7F {
		// Encode would refuse the surrogate (not valid UTF-8), so
		// build the delta directly: one code point, h = 0, b = 0.
		s := encodeOne(int(r))
		if got, err := Decode(s); err == nil {
			t.Fatalf("Decode(%q) = %+q, want an error for U+%04X", s, got, r)
		}
	}
	if got, err := Decode(encodeOne(0x110000)); err == nil {
		t.Fatalf("Decode beyond U+10FFFF = %+q", got)
	}
	if got, err := Decode(encodeOne(0x10FFFF)); err != nil || got != "\U0010FFFF" {
		t.Fatalf("Decode U+10FFFF = %+q, %v", got, err)
	}
}

// encodeOne is the Punycode of a single code point r, allowed to be
// one that Encode would refuse.
func encodeOne(r int) string {
	q := r - initialN
	var out []byte
	for k := base; ; k += base {
		t := threshold(k, initialBias)
		if q < t {
			break
		}
		out = append(out, digits[t+(q-t)%(base-t)])
		q = (q - t) / (base - t)
	}
	return string(append(out, digits[q]))
}

func TestEncodeErrors(t *testing.T) {
	if _, err := Encode("a\xffb"); err == nil {
		t.Error("Encode accepted invalid UTF-8")
	}
	if got, err := Encode(""); err != nil || got != "" {
		t.Errorf("Encode(\"\") = %q, %v", got, err)
	}
	// delta = (0x10FFFF-128) * (h+1) stays under 2^31-1 for h < 1927
	// and passes it beyond: round trip on one side, an error (never a
	// wrapped delta) on the other.
	long := strings.Repeat("a", 1900) + "\U0010FFFF"
	if got, err := Encode(long); err != nil {
		t.Errorf("Encode(1900 a + U+10FFFF): %v", err)
	} else if back, err := Decode(got); err != nil || back != long {
		t.Errorf("round trip of a long label failed: %v", err)
	}
	if _, err := Encode(strings.Repeat("a", 2000) + "\U0010FFFF"); err == nil {
		t.Error("Encode: no overflow for 2000 a + U+10FFFF")
	}
}

// asciiUpper upper-cases the ASCII letters of s only.
func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}
