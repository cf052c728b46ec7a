// Package addr prepares envelope addresses for the wire the way
// qmail-remote's addrmangle does (SPEC section 2, without CNAME rewriting:
// SPEC D4).
package addr

import (
	"strings"
	"unicode/utf8"
)

// Mangle returns addr as it goes between the angle brackets of MAIL FROM
// or RCPT TO. The address is split at its last '@'; a local part that is
// not a plain dot-atom (RFC 5321 4.1.2) is quoted, with a backslash before
// every CR, LF, '"' and '\'. An address without '@' is returned as it is,
// so the empty sender stays empty. The domain is copied verbatim: check
// it with DomainOK first, and an address without '@' with BareOK.
func Mangle(addr string) string { return mangle(addr, false) }

// MangleUTF8 is Mangle for a session with SMTPUTF8 in effect (SPEC D35,
// RFC 6531 3.3): a valid UTF-8 sequence outside ASCII is atext there, so
// a local part is quoted only for the ASCII reasons Mangle has, never for
// its UTF-8 (RCPT TO:<josé@example>). A byte that is not part of valid
// UTF-8 (a stray 8-bit byte, an overlong form, a surrogate) is no atext:
// it forces quoting as in Mangle. smtpclient sends no such address at
// all (it is refused, see smtpclient.8): a lenient server could read an
// overlong form as '"', '@' or '>' and so see another address.
func MangleUTF8(addr string) string { return mangle(addr, true) }

func mangle(addr string, utf bool) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	local, domain := addr[:at], addr[at+1:]
	if isDotAtom(local, utf) {
		return addr
	}
	return quote(local) + "@" + domain
}

// HasLineBreak tells whether s holds a CR or LF, which must never reach a
// command line (it would end the command early: command injection).
func HasLineBreak(s string) bool { return strings.ContainsAny(s, "\r\n") }

// DomainOK tells whether the domain of addr (after its last '@') may go
// between the angle brackets of MAIL FROM or RCPT TO. The domain is
// copied there as it is (SPEC 2), so a byte that ends the path or the
// command line ('>', a space) would let the address end the path early
// or add parameters: "a@b> NOTIFY=NEVER". A domain may hold letters,
// digits, '-' and '.' (RFC 5321 4.1.2 Domain), '_' (not in the grammar,
// but in real DNS names, and harmless), and bytes of 128 or more (U-labels
// under SMTPUTF8: the caller refuses them when they are not UTF-8, or
// when the server takes no SMTPUTF8). A domain that starts with '[' is an
// address literal and must end with ']'; inside it only letters, digits,
// '.', ':' and '-', which is all that IPv4, IPv6 ([IPv6:...]) and the
// general form with any registered tag need, and nothing at all ("[]",
// qmail's double-bounce sender "#@[]"). An empty domain is what qmail
// sends ("a@"): nothing in it can be misread. An address without '@' has
// no domain: see BareOK.
func DomainOK(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return true
	}
	d := addr[at+1:]
	if inner, ok := strings.CutPrefix(d, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if !ok {
			return false
		}
		for i := 0; i < len(inner); i++ {
			if c := inner[i]; !isLetDig(c) && c != '.' && c != ':' && c != '-' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; !isLetDig(c) && c != '-' && c != '.' && c != '_' && c < utf8.RuneSelf {
			return false
		}
	}
	return true
}

// BareOK tells whether addr, when it has no '@', may go between the angle
// brackets as it is (SPEC 2 sends it verbatim): empty (the null sender)
// or a dot-atom ("postmaster"), whose bytes beyond ASCII the caller judges
// as for a local part under SMTPUTF8. Anything else ("a> SIZE=1", "a b")
// could end the path early or add parameters, and no quoting makes it a
// valid path (RFC 5321 4.1.2 wants a domain after the local part). An
// address with '@' is BareOK.
func BareOK(addr string) bool {
	return addr == "" || strings.IndexByte(addr, '@') >= 0 || isDotAtom(addr, true)
}

func isLetDig(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isDotAtom tells whether s is a dot-atom; with utf, valid UTF-8
// sequences outside ASCII count as atext (RFC 6531 3.3, UTF8-non-ascii).
func isDotAtom(s string, utf bool) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if isAtext(s[i]) || s[i] == '.' {
			continue
		}
		if !utf || s[i] < utf8.RuneSelf {
			return false
		}
		// RuneError with size 1: not valid UTF-8 (a size of 3 is a real
		// U+FFFD, which is valid).
		if _, size := utf8.DecodeRuneInString(s[i:]); size > 1 {
			i += size - 1
			continue
		}
		return false
	}
	return true
}

// isAtext: RFC 5322 3.2.3 atext (ASCII only; 8-bit bytes force quoting
// unless isDotAtom takes them as UTF-8).
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r', '\n', '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
