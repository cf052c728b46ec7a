// Package idna turns a domain name with non-ASCII labels into A-labels
// (IDNA 2008, RFC 5890-5893; Punycode, RFC 3492) for DNS lookups and the
// SMTP envelope, and tells a name that is not valid IDNA apart.
//
// Go's standard library has neither Unicode normalisation nor the IDNA
// 2008 derived-property table (RFC 5892), so the package enforces a
// documented, conservative subset (see ruleOf): it may refuse a label
// that IDNA 2008 allows, and aims never to pass one that it forbids.
package idna

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error says why a name is not valid IDNA, and in which label (empty for
// the whole name). errors.Is(err, ErrInvalid) holds for every one.
type Error struct{ Label, Reason string }

// ErrInvalid matches every *Error.
var ErrInvalid = errors.New("idna: invalid name")

func (e *Error) Is(target error) bool { return target == ErrInvalid }
func (e *Error) Error() string {
	if e.Label == "" {
		return "idna: " + e.Reason
	}
	return "idna: label " + strconv.Quote(e.Label) + ": " + e.Reason
}

func runeError(label string, r rune, why string) error {
	return &Error{label, fmt.Sprintf("U+%04X %s", r, why)}
}

const acePrefix = "xn--"

// ToASCII returns the A-label form of domain. An ASCII label stays as it
// is (only an "xn--" one, in any case, is checked as an A-label); a label
// with non-ASCII is lower-cased, checked as a U-label, and becomes "xn--"
// and its Punycode. A trailing root dot stays. Each label of the result
// has at most 63 octets, the name at most 253 without the root dot (RFC
// 1035 2.3.4, RFC 5890 2.3.2.1). The input must be valid UTF-8; only
// U+002E separates labels, and an empty label (but the root) is an error.
func ToASCII(domain string) (string, error) { return convert(domain, true) }

// ToUnicode returns domain with each A-label decoded, for printing. It
// checks what ToASCII does, so ToUnicode accepts what ToASCII returns;
// invalid Punycode, or an A-label that does not encode a valid U-label
// canonically, is an error.
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
	var bidi bool    // some label is right-to-left: RFC 5893 applies to all
	var ltrBad error // the first other label that breaks RFC 5893 rules 1, 5, 6
	size := 0        // of the A-label form, with a dot after each label
	for rest, more := name, true; more; {
		var label string
		label, rest, more = strings.Cut(rest, ".")
		a, u, err := convertLabel(label)
		if err != nil {
			return "", err
		}
		if len(a) > 63 {
			return "", &Error{label, "longer than 63 octets"}
		}
		if rtl, err := checkBidi(label, u); rtl && err != nil {
			return "", err
		} else if rtl {
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
		if size += len(a) + 1; size > 254 {
			return "", &Error{Reason: "name longer than 253 octets"}
		}
	}
	if bidi && ltrBad != nil {
		return "", ltrBad
	}
	if root {
		out.WriteByte('.')
	}
	return out.String(), nil
}

// convertLabel returns the A-label and U-label forms of label.
func convertLabel(label string) (a, u string, err error) {
	if label == "" {
		return "", "", &Error{Reason: "empty label"} // RFC 1035 2.3.1, RFC 5890 2.3.1
	}
	if IsASCII(label) {
		if len(label) < 4 || !strings.EqualFold(label[:4], acePrefix) {
			return label, label, nil
		}
		// An A-label must decode to a valid U-label whose encoding is
		// the label again, but for case (RFC 5890 2.3.2.1, RFC 5891 5.4).
		lower := strings.ToLower(label)
		if u, err = Decode(lower[4:]); err != nil {
			return "", "", &Error{label, "A-label of invalid Punycode"}
		} else if IsASCII(u) {
			return "", "", &Error{label, "A-label of an ASCII string"}
		} else if err = checkULabel(label, u); err != nil {
			return "", "", err
		} else if e, _ := Encode(u); acePrefix+e != lower {
			return "", "", &Error{label, "A-label not in canonical form"}
		}
		return label, u, nil
	}
	// IDNA 2008 does not map (RFC 5891 5.2, RFC 5895); lower-casing each
	// rune (unicode.ToLower) is the case mapping of UTS 46 that MTAs and
	// browsers apply. Cherokee capitals are their own case fold, and stay.
	var b strings.Builder
	for _, r := range label {
		l := r
		if r < 0x13A0 || r > 0x13F5 {
			l = unicode.ToLower(r)
		}
		if l != r && (r >= utf8.RuneSelf && l < utf8.RuneSelf || noLower(r)) {
			return "", "", runeError(label, r, "has no agreed lower case (DISALLOWED, RFC 5892 2.2)")
		}
		b.WriteRune(l)
	}
	u = b.String()
	if err = checkULabel(label, u); err != nil {
		return "", "", err
	}
	e, err := Encode(u)
	return acePrefix + e, u, err
}

// checkULabel applies to u, the mapped form of label, the lookup checks
// of RFC 5891 5.4 (those of 4.2.3 and 4.2.4; the Bidi Rule is convert's).
func checkULabel(label, u string) error {
	if r, _ := utf8.DecodeRuneInString(u); unicode.Is(unicode.M, r) {
		return &Error{label, "begins with a combining mark (RFC 5891 4.2.3.2)"}
	}
	if u[0] == '-' || u[len(u)-1] == '-' {
		return &Error{label, "begins or ends with a hyphen (RFC 5891 4.2.3.1)"}
	}
	var prev rune
	pos, digits := 0, 0 // digits: 1 for U+0660..U+0669, 2 for U+06F0..U+06F9
	for _, r := range u {
		if pos++; pos == 4 && r == '-' && prev == '-' {
			return &Error{label, "hyphens in the third and fourth positions (RFC 5891 4.2.3.1)"}
		}
		if why := ruleOf(prev, r); why != "" {
			return runeError(label, r, why)
		}
		if r >= 0x660 && r <= 0x669 {
			digits |= 1
		} else if r >= 0x6F0 && r <= 0x6F9 {
			digits |= 2
		}
		prev = r
	}
	if digits == 3 {
		return &Error{label, "mixes Arabic-Indic and extended Arabic-Indic digits (CONTEXTO, RFC 5892 A.8, A.9)"}
	}
	return nil
}

// IsASCII tells whether s holds only ASCII bytes: a name to look up or
// send as it is.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
