package tlspolicy

import (
	"fmt"
	"strings"

	"qmail-remote-go/lib/control"
)

// CheckKeys returns the lines of control/tlsdestinations whose key
// cannot mean anything (SPEC D34): an unknown prefix, a key that no
// host can match, white space in a key. Such a line is a syntax error,
// not a rule skipped in silence: a typo must not turn a security rule
// off without a word.
func CheckKeys(lines []control.Line) []*control.SyntaxError {
	var bad []*control.SyntaxError
	for _, l := range lines {
		if why := keyProblem(l.Key); why != "" {
			bad = append(bad, &control.SyntaxError{Where: l.Where, N: l.N, Why: why})
		}
	}
	return bad
}

// keyProblem says why key cannot be a rule's key, "" when it can be one
// of the forms of Select.
func keyProblem(key string) string {
	switch key {
	case "!", "-", "*", "!*", "=*", "~*", "+*", "-*":
		return ""
	case "":
		return "an empty key matches no host (* is every host)"
	}
	rest := key
	if strings.IndexByte("!%=~-", key[0]) >= 0 {
		rest = key[1:]
	}
	if rest == "" {
		return fmt.Sprintf("no host after %q", key)
	}
	if strings.Trim(rest, ".") == "" {
		// "." or "~.": the suffix of no host (D27 takes the root dot
		// off every host before the lookup).
		return fmt.Sprintf("no host in %q", key)
	}
	if (key[0] == '%' || key[0] == '=') && rest[0] == '.' {
		// Select looks these forms up for the host itself only.
		return fmt.Sprintf("a %c rule names one host, %q names none (~%s takes a suffix)", key[0], key, rest)
	}
	if _, ok := literal(rest); ok {
		return "" // [192.0.2.1], 192.0.2.1, [IPv6:2001:db8::1] (D27)
	} else if strings.ContainsAny(rest, "[]:") {
		return quote(rest) + " is not an address literal such as [192.0.2.1] or [IPv6:2001:db8::1]"
	}
	for i, c := range []byte(rest) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '-', c == '_', c == '[', c == ']', c >= 0x80:
		case c == ' ' || c == '\t':
			return "white space in the key " + quote(key)
		case c == '*':
			return "'*' stands alone (*, =*, ~*, +*, -*, !*), not in " + quote(key)
		case i == 0 && rest == key:
			return "unknown key prefix " + quote(string(c)) + " in " + quote(key) + " (prefixes: ! % = ~ - and +* alone)"
		default:
			return quote(string(c)) + " cannot be in a host name: " + quote(key)
		}
	}
	return ""
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// CheckValue parses the value of one tlsdestinations line as Select
// does when the line matches (the fields of SPEC 4.9.2, and a '%'
// rule's fingerprint). The error names the line; note says what of a
// good line is ignored.
func CheckValue(key string, e control.Entry) (note string, err error) {
	p, err := parseValue(e.Value, e.Where)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(key, "%") {
		_, err = p.pin(e.Where)
		return "", err
	}
	if strings.HasPrefix(key, "!") && e.Value != "" {
		if d := neverDomain(e.Value); d != "" {
			if e.Value == "|||"+d {
				return "", nil
			}
			return "the value of a ! rule is ignored but for its 4th field, the sender domain", nil
		}
		return "the value of a ! rule is ignored", nil
	}
	return "", nil
}

// Files are the files a tlsdestinations line names (its CA file or
// folder), for qmail-rcheck to look at; none for '%' and '!' rules.
func Files(key string, e control.Entry) []string {
	if strings.HasPrefix(key, "%") || strings.HasPrefix(key, "!") {
		return nil
	}
	p, err := parseValue(e.Value, e.Where)
	if err != nil || p.f1 == "" {
		return nil
	}
	return []string{p.f1}
}
