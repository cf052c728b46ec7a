package idna

import (
	"unicode"
	"unicode/utf8"
)

// ruleOf returns why rune r, after prev (0 at the start), may not be in
// a U-label, or "" when it may. It follows the derivation of RFC 5892
// 3 in its order, with these stand-ins for what the standard library
// lacks:
//
//   - LetterDigits (2.1) is the general category, from package unicode;
//     an upper-case letter left after lower-casing (ϒ, ℂ, 𝐀: no lower
//     case) is refused as Unstable (2.2).
//   - Unstable (2.2, NFKC_Casefold(r) != r) needs the normalisation
//     tables; disallowed below lists by hand the ranges of letters,
//     marks and digits that are compatibility or singleton forms:
//     fullwidth and halfwidth forms, presentation forms, mathematical
//     alphanumerics, superscript and modifier letters, Hangul
//     compatibility jamo, CJK compatibility ideographs, the
//     composition exclusions, and the like. The list is not complete.
//   - IgnorableProperties (2.3) from package unicode's
//     Other_Default_Ignorable_Code_Point, Variation_Selector,
//     Noncharacter_Code_Point and White_Space; IgnorableBlocks (2.4) and
//     OldHangulJamo (2.9) as ranges; Unassigned (2.10) is category Cn,
//     refused with the other non-letters.
//   - NFC (RFC 5891 5.4) is not computed: the marks that would compose
//     with the character before them in the common cases are refused
//     instead: U+0300..U+036F anywhere (decomposed Latin, Greek,
//     Cyrillic), the kana voicing marks U+3099 and U+309A, and the
//     second halves of the other canonical pairs (Arabic hamza, Indic
//     two-part vowels and nuktas; composes) after their first. A mark sequence in
//     a non-canonical order is not detected.
//   - CONTEXTJ (U+200C, U+200D; RFC 5892 A.1, A.2) and CONTEXTO
//     U+00B7, U+0375, U+05F3, U+05F4, U+30FB (A.3-A.7) are refused
//     outright rather than in context. The Arabic-Indic digits (A.8,
//     A.9) are allowed unless a label mixes the two sets
//     (checkULabel).
func ruleOf(prev, r rune) string {
	switch {
	case r < utf8.RuneSelf:
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return ""
		}
		return "is not a letter, digit or hyphen (RFC 5891 4.2.3.1, RFC 5892 2.8)"
	case r == 0xDF || r == 0x3C2 || r == 0x6FD || r == 0x6FE || r == 0xF0B || r == 0x3007:
		return "" // PVALID exceptions, RFC 5892 2.6
	case r >= 0x13A0 && r <= 0x13F5:
		return "" // Cherokee capitals: their own case fold
	case r == 0x200C || r == 0x200D:
		return "is a joiner (CONTEXTJ, RFC 5892 A.1, A.2: refused in any context here)"
	case r == 0xB7 || r == 0x375 || r == 0x5F3 || r == 0x5F4 || r == 0x30FB:
		return "is CONTEXTO (RFC 5892 A.3-A.7: refused in any context here)"
	case r == 0x640 || r == 0x7FA || r == 0x302E || r == 0x302F || r >= 0x3031 && r <= 0x3035 || r == 0x303B:
		return "is DISALLOWED (RFC 5892 2.6)"
	case !unicode.In(r, unicode.Ll, unicode.Lo, unicode.Lm, unicode.Mn, unicode.Mc, unicode.Nd):
		if unicode.IsUpper(r) {
			return "is an upper-case letter without a lower case (DISALLOWED, RFC 5892 2.2)"
		}
		return "is not a letter, mark or digit (DISALLOWED, RFC 5892 2.1)"
	case unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector, unicode.White_Space):
		return "is default-ignorable (DISALLOWED, RFC 5892 2.3)"
	case unicode.Is(disallowed, r):
		return "is DISALLOWED (RFC 5892 2.2, 2.4, 2.9)"
	case r >= 0x300 && r <= 0x36F || r == 0x3099 || r == 0x309A || composes(prev, r):
		return "is a combining mark that NFC would compose (RFC 5891 5.4: refused here)"
	}
	return ""
}

// noLower reports the upper-case letters that are refused rather than
// lower-cased: U+0130 and U+212A KELVIN SIGN (their lower case is
// ASCII), and those whose unicode.ToLower differs from the UTS 46
// mapping (U+1E9E: "ss") or which UTS 46 disallows (Georgian
// Asomtavruli, U+04C0, U+2132, U+2183).
func noLower(r rune) bool {
	return r == 0x4C0 || r >= 0x10A0 && r <= 0x10C5 || r == 0x1E9E || r == 0x2132 || r == 0x2183
}

// disallowed lists letters, marks and digits that RFC 5892 disallows
// although their category is in LetterDigits: Unstable (2.2, a partial
// list), IgnorableBlocks (2.4) and OldHangulJamo (2.9).
var disallowed = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x00AA, 0x00AA, 1}, {0x00B5, 0x00B5, 1}, {0x00BA, 0x00BA, 1}, // ª µ º
		{0x0132, 0x0133, 1}, {0x013F, 0x0140, 1}, {0x0149, 0x0149, 1}, {0x017F, 0x017F, 1},
		{0x01C4, 0x01CC, 1}, {0x01F1, 0x01F3, 1},
		{0x02B0, 0x02B8, 1}, {0x02E0, 0x02E4, 1},
		{0x0340, 0x0345, 1}, {0x0374, 0x0374, 1}, {0x037A, 0x037A, 1},
		{0x03D0, 0x03D6, 1}, {0x03F0, 0x03F2, 1}, {0x03F4, 0x03F5, 1}, {0x03F9, 0x03F9, 1},
		{0x0587, 0x0587, 1}, {0x0675, 0x0678, 1},
		{0x0958, 0x095F, 1}, {0x09DC, 0x09DD, 1}, {0x09DF, 0x09DF, 1},
		{0x0A33, 0x0A36, 3}, {0x0A59, 0x0A5B, 1}, {0x0A5E, 0x0A5E, 1}, {0x0B5C, 0x0B5D, 1},
		{0x0E33, 0x0E33, 1}, {0x0EB3, 0x0EB3, 1}, {0x0EDC, 0x0EDD, 1}, {0x0F0C, 0x0F0C, 1},
		{0x0F43, 0x0F43, 1}, {0x0F4D, 0x0F52, 5}, {0x0F57, 0x0F5C, 5}, {0x0F69, 0x0F69, 1},
		{0x0F73, 0x0F73, 1}, {0x0F75, 0x0F79, 1}, {0x0F81, 0x0F81, 1}, {0x0F93, 0x0F93, 1},
		{0x0F9D, 0x0FA2, 5}, {0x0FA7, 0x0FAC, 5}, {0x0FB9, 0x0FB9, 1},
		{0x10FC, 0x10FC, 1},
		{0x1100, 0x11FF, 1}, // Hangul Jamo (2.9)
		{0x13F8, 0x13FD, 1}, // Cherokee small letters: case fold to capitals
		{0x1C80, 0x1C88, 1}, // Cyrillic letter variants: case fold to the plain ones
		{0x1D2C, 0x1D2E, 1}, {0x1D30, 0x1D3A, 1}, {0x1D3C, 0x1D4D, 1}, {0x1D4F, 0x1D6A, 1},
		{0x1D78, 0x1D78, 1}, {0x1D9B, 0x1DBF, 1}, {0x1E9A, 0x1E9B, 1},
		{0x1F71, 0x1F7D, 2},                                                                // Greek oxia singletons
		{0x1F80, 0x1FAF, 1}, {0x1FB2, 0x1FB5, 1}, {0x1FB7, 0x1FC5, 1}, {0x1FC7, 0x1FCF, 1}, // iota forms, spacing accents
		{0x1FD3, 0x1FD5, 1}, {0x1FD8, 0x1FDF, 1}, {0x1FE3, 0x1FE3, 1}, {0x1FE8, 0x1FF5, 1}, {0x1FF7, 0x1FFF, 1},
		{0x2070, 0x209F, 1},                                           // superscripts and subscripts
		{0x20D0, 0x20FF, 1},                                           // Combining Diacritical Marks for Symbols (2.4)
		{0x2100, 0x214D, 1}, {0x214F, 0x2183, 1}, {0x2185, 0x218F, 1}, // letterlike, number forms (ↄ, ⅎ stay)
		{0x2C7C, 0x2C7D, 1}, {0x2D6F, 0x2D6F, 1}, {0x2E9F, 0x2E9F, 1}, {0x2EF3, 0x2EF3, 1},
		{0x2F00, 0x2FDF, 1}, // Kangxi radicals
		{0x309B, 0x309C, 1}, {0x309F, 0x309F, 1}, {0x30FF, 0x30FF, 1},
		{0x3130, 0x318F, 1}, // Hangul compatibility jamo
		{0xA69C, 0xA69D, 1}, {0xA770, 0xA770, 1}, {0xA7F2, 0xA7F4, 1}, {0xA7F8, 0xA7F9, 1},
		{0xA960, 0xA97F, 1}, // Hangul Jamo Extended-A (2.9)
		{0xAB5C, 0xAB5F, 1}, {0xAB69, 0xAB69, 1},
		{0xAB70, 0xABBF, 1},                                                                // Cherokee small letters
		{0xD7B0, 0xD7FF, 1},                                                                // Hangul Jamo Extended-B (2.9)
		{0xF900, 0xFA0D, 1}, {0xFA10, 0xFA12, 2}, {0xFA15, 0xFA1E, 1}, {0xFA20, 0xFA22, 2}, // CJK compatibility
		{0xFA25, 0xFA26, 1}, {0xFA2A, 0xFAFF, 1}, // ideographs, less the twelve unified ones
		{0xFB00, 0xFB1D, 1}, {0xFB1F, 0xFDFF, 1}, // presentation forms
		{0xFE70, 0xFE72, 1}, {0xFE74, 0xFFEF, 1}, // Arabic forms, full and half width
	},
	R32: []unicode.Range32{
		{0x10781, 0x107BF, 1},
		{0x1D100, 0x1D24F, 1}, // Musical Symbols, Ancient Greek Musical Notation (2.4)
		{0x1D400, 0x1D7FF, 1}, // mathematical alphanumerics
		{0x1E030, 0x1E08E, 1}, {0x1EE00, 0x1EEFF, 1},
		{0x1FBF0, 0x1FBF9, 1}, // segmented digits
		{0x2F800, 0x2FA1F, 1}, // CJK compatibility ideographs supplement
	},
}

// composes reports whether NFC composes prev and mark: the canonical
// pairs (Unicode 15) outside U+0300..U+036F, the kana voicing marks and
// Hangul, and the two whose result composes again (U+0CCB, U+0DDD).
func composes(prev, mark rune) bool {
	for _, p := range compositions {
		if p[1] == mark && p[0] == prev {
			return true
		}
	}
	return false
}

var compositions = [...][2]rune{
	{0x0627, 0x0653}, {0x0627, 0x0654}, {0x0648, 0x0654}, {0x0627, 0x0655}, {0x064A, 0x0654},
	{0x06D5, 0x0654}, {0x06C1, 0x0654}, {0x06D2, 0x0654}, {0x0928, 0x093C}, {0x0930, 0x093C},
	{0x0933, 0x093C}, {0x09C7, 0x09BE}, {0x09C7, 0x09D7}, {0x0B47, 0x0B56}, {0x0B47, 0x0B3E},
	{0x0B47, 0x0B57}, {0x0B92, 0x0BD7}, {0x0BC6, 0x0BBE}, {0x0BC7, 0x0BBE}, {0x0BC6, 0x0BD7},
	{0x0C46, 0x0C56}, {0x0CBF, 0x0CD5}, {0x0CC6, 0x0CD5}, {0x0CC6, 0x0CD6}, {0x0CC6, 0x0CC2},
	{0x0CCA, 0x0CD5}, {0x0D46, 0x0D3E}, {0x0D47, 0x0D3E}, {0x0D46, 0x0D57}, {0x0DD9, 0x0DCA},
	{0x0DD9, 0x0DCF}, {0x0DDC, 0x0DCA}, {0x0DD9, 0x0DDF}, {0x1025, 0x102E}, {0x1B05, 0x1B35},
	{0x1B07, 0x1B35}, {0x1B09, 0x1B35}, {0x1B0B, 0x1B35}, {0x1B0D, 0x1B35}, {0x1B11, 0x1B35},
	{0x1B3A, 0x1B35}, {0x1B3C, 0x1B35}, {0x1B3E, 0x1B35}, {0x1B3F, 0x1B35}, {0x1B42, 0x1B35},
	{0x11099, 0x110BA}, {0x1109B, 0x110BA}, {0x110A5, 0x110BA}, {0x11131, 0x11127}, {0x11132, 0x11127},
	{0x11347, 0x1133E}, {0x11347, 0x11357}, {0x114B9, 0x114BA}, {0x114B9, 0x114B0}, {0x114B9, 0x114BD},
	{0x115B8, 0x115AF}, {0x115B9, 0x115AF}, {0x11935, 0x11930},
}

// checkBidi applies the Bidi Rule of RFC 5893 2 to u, the U-label form
// of label, and reports whether the label is right-to-left. For an RTL
// label (one with an R, AL or AN character) a non-nil error breaks
// rules 1-4; for any other, it breaks rules 1, 5 and 6, which matter
// only in a name with some RTL label. The bidi classes are
// approximated (the standard library has no Bidi_Class): EN is ASCII
// and extended Arabic-Indic digits, AN the Arabic-Indic digits, NSM
// the marks (Mn, Me), ES the hyphen, R/AL everything in the
// right-to-left blocks (U+0590..U+08FF, U+FB1D..U+FDFF,
// U+FE70..U+FEFF, U+10800..U+10FFF, U+1E800..U+1EFFF), L the rest.
func checkBidi(label, u string) (bool, error) {
	const (
		l = 1 << iota
		r
		en
		an
		nsm
		es
	)
	var seen, first, last int
	for i, c := range u {
		var k int
		switch {
		case c >= '0' && c <= '9', c >= 0x6F0 && c <= 0x6F9:
			k = en
		case c >= 0x660 && c <= 0x669:
			k = an
		case unicode.In(c, unicode.Mn, unicode.Me):
			k = nsm
		case c == '-':
			k = es
		case c >= 0x590 && c <= 0x8FF, c >= 0xFB1D && c <= 0xFDFF, c >= 0xFE70 && c <= 0xFEFF,
			c >= 0x10800 && c <= 0x10FFF, c >= 0x1E800 && c <= 0x1EFFF:
			k = r
		default:
			k = l
		}
		if i == 0 {
			first = k
		}
		if k != nsm {
			last = k
		}
		seen |= k
	}
	if seen&(r|an) != 0 {
		switch {
		case first != r:
			return true, &Error{label, "right-to-left label not beginning with a right-to-left letter (RFC 5893 2.1)"}
		case seen&l != 0:
			return true, &Error{label, "right-to-left label with a left-to-right character (RFC 5893 2.2)"}
		case last&(r|en|an) == 0:
			return true, &Error{label, "right-to-left label ending in neither a right-to-left letter nor a digit (RFC 5893 2.3)"}
		case seen&en != 0 && seen&an != 0:
			return true, &Error{label, "right-to-left label mixing European and Arabic-Indic digits (RFC 5893 2.4)"}
		}
		return true, nil
	}
	if first != l || last&(l|en) == 0 {
		return false, &Error{label, "left-to-right label in a right-to-left name not beginning with a letter or not ending in a letter or digit (RFC 5893 2.1, 2.6)"}
	}
	return false, nil
}
