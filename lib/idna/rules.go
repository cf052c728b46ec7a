package idna

import "unicode"

// ruleOf returns why rune r, after prev (0 first), may not be in a
// U-label, or "". It follows RFC 5892 3 in order, with stand-ins for what
// the standard library lacks (a conservative subset):
//   - LetterDigits (2.1): the general category from package unicode; an
//     upper-case letter left after lower-casing (ϒ, ℂ) is Unstable (2.2).
//   - Unstable (2.2, NFKC_Casefold): table disallowed, by hand, with
//     IgnorableBlocks (2.4) and OldHangulJamo (2.9). Unicode 15 letters,
//     marks and digits checked one by one against the UTS 46 table
//     (valid, not NV8/XV8): none passes that IDNA 2008 disallows.
//   - IgnorableProperties (2.3): package unicode's properties; Unassigned
//     (2.10) is category Cn, refused with the other non-letters.
//   - NFC (RFC 5891 5.4) is not computed; instead the marks that NFC would
//     compose are refused: U+0300..U+036F anywhere, U+3099 and U+309A,
//     and the second halves of the other canonical pairs right after
//     their first (compositions). Marks out of canonical order, and a
//     pair split by a mark of lower combining class, pass unnoticed.
//   - CONTEXTJ (U+200C, U+200D; A.1, A.2) and CONTEXTO U+00B7, U+0375,
//     U+05F3, U+05F4, U+30FB (A.3-A.7) are refused in any context; the
//     Arabic-Indic digits (A.8, A.9) only when mixed (checkULabel).
func ruleOf(prev, r rune) string {
	switch {
	case r < 0x80:
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return ""
		}
		return "is not a letter, digit or hyphen (RFC 5891 4.2.3.1, RFC 5892 2.8)"
	case r == 0xDF || r == 0x3C2 || r == 0x6FD || r == 0x6FE || r == 0xF0B || r == 0x3007, r >= 0x13A0 && r <= 0x13F5:
		return "" // PVALID exceptions (2.6); Cherokee capitals, their own case fold
	case r == 0x200C || r == 0x200D:
		return "is a joiner (CONTEXTJ, RFC 5892 A.1, A.2: refused in any context here)"
	case r == 0xB7 || r == 0x375 || r == 0x5F3 || r == 0x5F4 || r == 0x30FB:
		return "is CONTEXTO (RFC 5892 A.3-A.7: refused in any context here)"
	case r == 0x640 || r == 0x7FA || r == 0x302E || r == 0x302F || r >= 0x3031 && r <= 0x3035 || r == 0x303B:
		return "is DISALLOWED (RFC 5892 2.6)"
	case !unicode.In(r, unicode.Ll, unicode.Lo, unicode.Lm, unicode.Mn, unicode.Mc, unicode.Nd):
		if unicode.IsUpper(r) {
			return "is an upper-case letter (DISALLOWED, RFC 5892 2.2)"
		}
		return "is not a letter, mark or digit (DISALLOWED, RFC 5892 2.1)"
	case unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector, unicode.White_Space):
		return "is default-ignorable (DISALLOWED, RFC 5892 2.3)"
	case unicode.Is(disallowed, r):
		return "is DISALLOWED (RFC 5892 2.2, 2.4, 2.9)"
	case r >= 0x300 && r <= 0x36F || r == 0x3099 || r == 0x309A || composes(prev, r):
		return "is a mark that NFC would compose (RFC 5891 5.4: refused here)"
	}
	return ""
}

// noLower: upper-case letters refused rather than lowered: U+0130 and
// U+212A have ASCII lower cases (convertLabel), U+1E9E maps to "ss" in
// UTS 46, which disallows the others.
func noLower(r rune) bool {
	return r == 0x4C0 || r >= 0x10A0 && r <= 0x10C5 || r == 0x1E9E || r == 0x2132 || r == 0x2183
}

// disallowed: letters, marks and digits that RFC 5892 disallows: ª µ º ĳ
// ŀ ŉ ſ ǆ ǳ and kin, modifier and superscript letters, Greek symbols and
// iota forms, Arabic and Hebrew presentation forms, composition
// exclusions and singletons, Thai and Lao AM, Tibetan compounds, Hangul
// jamo, Cherokee small letters, Cyrillic variants, letterlike and number
// forms, Kangxi radicals, CJK compatibility ideographs, full and half
// width forms, mathematical alphanumerics, musical notation, segmented
// digits.
var disallowed = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0xAA, 0xAA, 1}, {0xB5, 0xB5, 1}, {0xBA, 0xBA, 1}, {0x132, 0x133, 1}, {0x13F, 0x140, 1}, {0x149, 0x149, 1},
		{0x17F, 0x17F, 1}, {0x1C4, 0x1CC, 1}, {0x1F1, 0x1F3, 1}, {0x2B0, 0x2B8, 1}, {0x2E0, 0x2E4, 1}, {0x340, 0x345, 1},
		{0x374, 0x374, 1}, {0x37A, 0x37A, 1}, {0x3D0, 0x3D6, 1}, {0x3F0, 0x3F2, 1}, {0x3F4, 0x3F5, 1}, {0x3F9, 0x3F9, 1},
		{0x587, 0x587, 1}, {0x675, 0x678, 1}, {0x958, 0x95F, 1}, {0x9DC, 0x9DD, 1}, {0x9DF, 0x9DF, 1}, {0xA33, 0xA36, 3},
		{0xA59, 0xA5B, 1}, {0xA5E, 0xA5E, 1}, {0xB5C, 0xB5D, 1}, {0xE33, 0xE33, 1}, {0xEB3, 0xEB3, 1}, {0xEDC, 0xEDD, 1},
		{0xF0C, 0xF0C, 1}, {0xF43, 0xF43, 1}, {0xF4D, 0xF52, 5}, {0xF57, 0xF5C, 5}, {0xF69, 0xF69, 1}, {0xF73, 0xF73, 1},
		{0xF75, 0xF79, 1}, {0xF81, 0xF81, 1}, {0xF93, 0xF93, 1}, {0xF9D, 0xFA2, 5}, {0xFA7, 0xFAC, 5}, {0xFB9, 0xFB9, 1},
		{0x10FC, 0x10FC, 1}, {0x1100, 0x11FF, 1}, {0x13F8, 0x13FD, 1}, {0x1C80, 0x1C88, 1}, {0x1D2C, 0x1D2E, 1},
		{0x1D30, 0x1D3A, 1}, {0x1D3C, 0x1D4D, 1}, {0x1D4F, 0x1D6A, 1}, {0x1D78, 0x1D78, 1}, {0x1D9B, 0x1DBF, 1},
		{0x1E9A, 0x1E9B, 1}, {0x1F71, 0x1F7D, 2}, {0x1F80, 0x1FAF, 1}, {0x1FB2, 0x1FB5, 1}, {0x1FB7, 0x1FC5, 1},
		{0x1FC7, 0x1FCF, 1}, {0x1FD3, 0x1FD5, 1}, {0x1FD8, 0x1FDF, 1}, {0x1FE3, 0x1FE3, 1}, {0x1FE8, 0x1FF5, 1},
		{0x1FF7, 0x1FFF, 1}, {0x2070, 0x209F, 1}, {0x20D0, 0x20FF, 1}, {0x2100, 0x214D, 1}, {0x214F, 0x2183, 1},
		{0x2185, 0x218F, 1}, {0x2C7C, 0x2C7D, 1}, {0x2D6F, 0x2D6F, 1}, {0x2E9F, 0x2E9F, 1}, {0x2EF3, 0x2EF3, 1},
		{0x2F00, 0x2FDF, 1}, {0x309B, 0x309C, 1}, {0x309F, 0x309F, 1}, {0x30FF, 0x30FF, 1}, {0x3130, 0x318F, 1},
		{0xA69C, 0xA69D, 1}, {0xA770, 0xA770, 1}, {0xA7F2, 0xA7F4, 1}, {0xA7F8, 0xA7F9, 1}, {0xA960, 0xA97F, 1},
		{0xAB5C, 0xAB5F, 1}, {0xAB69, 0xAB69, 1}, {0xAB70, 0xABBF, 1}, {0xD7B0, 0xD7FF, 1}, {0xF900, 0xFA0D, 1},
		{0xFA10, 0xFA12, 2}, {0xFA15, 0xFA1E, 1}, {0xFA20, 0xFA22, 2}, {0xFA25, 0xFA26, 1}, {0xFA2A, 0xFAFF, 1},
		{0xFB00, 0xFB1D, 1}, {0xFB1F, 0xFDFF, 1}, {0xFE70, 0xFE72, 1}, {0xFE74, 0xFFEF, 1},
	},
	R32: []unicode.Range32{
		{0x10781, 0x107BF, 1}, {0x1D100, 0x1D24F, 1}, {0x1D400, 0x1D7FF, 1}, {0x1E030, 0x1E08E, 1},
		{0x1EE00, 0x1EEFF, 1}, {0x1FBF0, 0x1FBF9, 1}, {0x2F800, 0x2FA1F, 1},
	},
}

// compositions: the canonical pairs (Unicode 15) that NFC composes,
// outside U+0300..U+036F, U+3099, U+309A and Hangul: Arabic hamza, the
// Indic nuktas and two-part vowels, Myanmar, Balinese, Kaithi, Chakma,
// Grantha, Tirhuta, Siddham, Dives Akuru.
var compositions = [...][2]rune{
	{0x627, 0x653}, {0x627, 0x654}, {0x648, 0x654}, {0x627, 0x655}, {0x64A, 0x654}, {0x6D5, 0x654}, {0x6C1, 0x654},
	{0x6D2, 0x654}, {0x928, 0x93C}, {0x930, 0x93C}, {0x933, 0x93C}, {0x9C7, 0x9BE}, {0x9C7, 0x9D7}, {0xB47, 0xB56},
	{0xB47, 0xB3E}, {0xB47, 0xB57}, {0xB92, 0xBD7}, {0xBC6, 0xBBE}, {0xBC7, 0xBBE}, {0xBC6, 0xBD7}, {0xC46, 0xC56},
	{0xCBF, 0xCD5}, {0xCC6, 0xCD5}, {0xCC6, 0xCD6}, {0xCC6, 0xCC2}, {0xCCA, 0xCD5}, {0xD46, 0xD3E}, {0xD47, 0xD3E},
	{0xD46, 0xD57}, {0xDD9, 0xDCA}, {0xDD9, 0xDCF}, {0xDDC, 0xDCA}, {0xDD9, 0xDDF}, {0x1025, 0x102E}, {0x1B05, 0x1B35},
	{0x1B07, 0x1B35}, {0x1B09, 0x1B35}, {0x1B0B, 0x1B35}, {0x1B0D, 0x1B35}, {0x1B11, 0x1B35}, {0x1B3A, 0x1B35},
	{0x1B3C, 0x1B35}, {0x1B3E, 0x1B35}, {0x1B3F, 0x1B35}, {0x1B42, 0x1B35}, {0x11099, 0x110BA}, {0x1109B, 0x110BA},
	{0x110A5, 0x110BA}, {0x11131, 0x11127}, {0x11132, 0x11127}, {0x11347, 0x1133E}, {0x11347, 0x11357},
	{0x114B9, 0x114BA}, {0x114B9, 0x114B0}, {0x114B9, 0x114BD}, {0x115B8, 0x115AF}, {0x115B9, 0x115AF}, {0x11935, 0x11930},
}

func composes(prev, mark rune) bool {
	for _, p := range compositions {
		if p[1] == mark && p[0] == prev {
			return true
		}
	}
	return false
}

// checkBidi applies the Bidi Rule (RFC 5893 2) to u, the U-label of
// label, and reports whether the label is right-to-left (has R, AL or
// AN). For an RTL label the error breaks rules 1-4; for another, rules 1,
// 5, 6, which matter only when some label is RTL. Bidi_Class is not in
// the standard library; it is approximated: EN the ASCII and extended
// Arabic-Indic digits, AN the Arabic-Indic digits, NSM the marks, ES the
// hyphen, R/AL all else in the RTL blocks (U+0590..U+08FF,
// U+FB1D..U+FDFF, U+FE70..U+FEFF, U+10800..U+10FFF, U+1E800..U+1EFFF),
// L the rest.
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
	for _, c := range u {
		k := l
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
		}
		if first == 0 {
			first = k
		}
		if k != nsm {
			last = k
		}
		seen |= k
	}
	why := ""
	switch rtl := seen&(r|an) != 0; {
	case rtl && first != r:
		why = "does not begin with a right-to-left letter (RFC 5893 2.1)"
	case rtl && seen&l != 0:
		why = "mixes left-to-right and right-to-left (RFC 5893 2.2)"
	case rtl && last&(r|en|an) == 0:
		why = "does not end in a right-to-left letter or a digit (RFC 5893 2.3)"
	case rtl && seen&en != 0 && seen&an != 0:
		why = "mixes European and Arabic-Indic digits (RFC 5893 2.4)"
	case !rtl && (first != l || last&(l|en) == 0):
		why = "in a right-to-left name, does not begin with a letter or end in a letter or digit (RFC 5893 2.1, 2.6)"
	}
	if why != "" {
		return seen&(r|an) != 0, &Error{label, why}
	}
	return seen&(r|an) != 0, nil
}
