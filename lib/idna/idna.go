// Package idna turns a domain name with non-ASCII labels into A-labels
// (IDNA 2008: RFC 5890-5893, Punycode RFC 3492) for DNS lookups and the
// SMTP envelope, and tells a name that is not valid IDNA apart.
//
// Go's standard library has neither Unicode normalisation (NFC, NFKC)
// nor the IDNA 2008 derived-property table (RFC 5892), so the package
// enforces a documented, conservative subset: it may refuse a label
// that IDNA 2008 allows, and aims never to pass one that IDNA 2008
// forbids; the gaps that remain are named at ruleOf.
package idna

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error says why a name is not valid IDNA, and in which label.
type Error struct {
	Label  string // the label at fault, as given; empty for the whole name
	Reason string
}

func (e *Error) Error() string {
	if e.Label == "" {
		return "idna: " + e.Reason
	}
	return "idna: label " + strconv.Quote(e.Label) + ": " + e.Reason
}

// ErrInvalid matches (errors.Is) every *Error.
var ErrInvalid = errors.New("idna: invalid name")

func (e *Error) Is(target error) bool { return target == ErrInvalid }

const (
	acePrefix = "xn--"
	maxLabel  = 63  // octets, RFC 1035 2.3.4, RFC 5890 2.3.2.1
	maxName   = 253 // octets without the root dot, RFC 1035 2.3.4 less the length octets
)

// ToASCII returns the A-label form of domain. An ASCII label is kept as
// it is (case and all: only an "xn--" one is checked, below); a label
// with non-ASCII is lower-cased, checked as a U-label and becomes
// "xn--" and its Punycode. A trailing root dot is kept. The length
// limits apply to the result.
func ToASCII(domain string) (string, error) { return convert(domain, true) }

// ToUnicode returns domain with each A-label ("xn--", any case)
// decoded, for printing. It checks what ToASCII checks, so a name that
// ToASCII accepts is one that ToUnicode accepts; invalid Punycode, or
// an A-label that is not the encoding of a valid U-label, is an error.
func ToUnicode(domain string) (string, error) { return convert(domain, false) }

func convert(domain string, ascii bool) (string, error) {
	if !utf8.ValidString(domain) {
		return "", &Error{Reason: "not valid UTF-8"}
	}
	name, root := strings.CutSuffix(domain, ".")
	if name == "" {
		return "", &Error{Reason: "empty name"}
	}
	var out strings.Builder
	var bidi bool    // some label is right-to-left (RFC 5893 1.4)
	var ltrBad error // the first left-to-right label that breaks rules 5 and 6
	size := 0
	for rest, more := name, true; more; {
		var label string
		label, rest, more = strings.Cut(rest, ".")
		a, u, err := convertLabel(label)
		if err != nil {
			return "", err
		}
		if len(a) > maxLabel {
			return "", &Error{label, "longer than 63 octets"}
		}
		size += len(a) + 1
		if rtl, err := checkBidi(label, u); rtl {
			if err != nil {
				return "", err
			}
			bidi = true
		} else if ltrBad == nil {
			ltrBad = err
		}
		if out.Len() > 0 {
			out.WriteByte('.')
		}
		if ascii {
			out.WriteString(a)
		} else {
			out.WriteString(u)
		}
	}
	if size-1 > maxName {
		return "", &Error{Reason: "name longer than 253 octets"}
	}
	if bidi && ltrBad != nil {
		return "", ltrBad
	}
	if root {
		out.WriteByte('.')
	}
	return out.String(), nil
}

// convertLabel returns the A-label and U-label forms of label; for an
// ASCII label other than an A-label both are the label itself.
func convertLabel(label string) (a, u string, err error) {
	if label == "" {
		return "", "", &Error{Reason: "empty label"} // RFC 1035 2.3.1, RFC 5890 2.3.1
	}
	if isASCII(label) {
		if len(label) < len(acePrefix) || !strings.EqualFold(label[:len(acePrefix)], acePrefix) {
			return label, label, nil
		}
		// An A-label must decode to a valid U-label whose encoding is
		// the label again, ignoring case (RFC 5890 2.3.2.1, RFC 5891
		// 5.4). ToASCII keeps its case, as for any ASCII label.
		lower := strings.ToLower(label)
		u, err := Decode(lower[len(acePrefix):])
		if err != nil {
			return "", "", &Error{label, "A-label of invalid Punycode"}
		}
		if isASCII(u) {
			return "", "", &Error{label, "A-label of an ASCII string"}
		}
		if err := checkULabel(label, u); err != nil {
			return "", "", err
		}
		if e, _ := Encode(u); acePrefix+e != lower {
			return "", "", &Error{label, "A-label not in canonical form"}
		}
		return label, u, nil
	}
	// IDNA 2008 does not map (RFC 5891 5.2 leaves it to the application,
	// RFC 5895); lower-casing each rune is the case mapping of UTS 46
	// that MTAs and browsers apply, taken here by unicode.ToLower. The
	// Cherokee capitals are their own case fold (UTS 46 maps the small
	// letters up to them), so they are left alone.
	var b strings.Builder
	for _, r := range label {
		l := r
		if r < 0x13A0 || r > 0x13F5 {
			l = unicode.ToLower(r)
		}
		if l != r && (r >= utf8.RuneSelf && l < utf8.RuneSelf || noLower(r)) {
			return "", "", &Error{label, "U+" + hex(r) + " has no agreed lower case (DISALLOWED, RFC 5892 2.2)"}
		}
		b.WriteRune(l)
	}
	u = b.String()
	if err := checkULabel(label, u); err != nil {
		return "", "", err
	}
	e, err := Encode(u)
	if err != nil {
		return "", "", &Error{label, err.Error()}
	}
	return acePrefix + e, u, nil
}

// checkULabel applies the rules of RFC 5891 5.4 (the lookup checks of
// 4.2.3 and 4.2.4) to u, the mapped form of label.
func checkULabel(label, u string) error {
	r0, _ := utf8.DecodeRuneInString(u)
	if unicode.Is(unicode.M, r0) { // RFC 5891 4.2.3.2
		return &Error{label, "begins with a combining mark"}
	}
	// RFC 5891 4.2.3.1: no hyphen first or last, nor in both the third
	// and fourth positions (counted in characters).
	if u[0] == '-' || u[len(u)-1] == '-' {
		return &Error{label, "begins or ends with a hyphen"}
	}
	if n := nthRune(u, 2); strings.HasPrefix(u[n:], "--") {
		return &Error{label, "hyphens in the third and fourth positions"}
	}
	var prev rune
	digits := 0 // 1: U+0660..U+0669 seen; 2: U+06F0..U+06F9 seen
	for _, r := range u {
		if why := ruleOf(prev, r); why != "" {
			return &Error{label, "U+" + hex(r) + " " + why}
		}
		switch {
		case r >= 0x660 && r <= 0x669:
			digits |= 1
		case r >= 0x6F0 && r <= 0x6F9:
			digits |= 2
		}
		prev = r
	}
	if digits == 3 { // RFC 5892 A.8, A.9
		return &Error{label, "mixes Arabic-Indic and extended Arabic-Indic digits (CONTEXTO, RFC 5892 A.8, A.9)"}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nthRune returns the byte offset of the n-th rune of s (from 0), or
// len(s).
func nthRune(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func hex(r rune) string { return fmt.Sprintf("%04X", r) }
