// Package addr prepares envelope addresses for the wire the way
// qmail-remote's addrmangle does (SPEC section 2, without CNAME rewriting:
// SPEC D4).
package addr

import "strings"

// Mangle returns addr as it goes between the angle brackets of MAIL FROM
// or RCPT TO. The address is split at its last '@'; a local part that is
// not a plain dot-atom (RFC 5321 4.1.2) is quoted, with a backslash before
// every CR, LF, '"' and '\'. An address without '@' is returned as it is,
// so the empty sender stays empty. The domain is copied verbatim.
func Mangle(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	local, domain := addr[:at], addr[at+1:]
	if isDotAtom(local) {
		return addr
	}
	return quote(local) + "@" + domain
}

// HasLineBreak tells whether s holds a CR or LF, which must never reach a
// command line (it would end the command early: command injection).
func HasLineBreak(s string) bool { return strings.ContainsAny(s, "\r\n") }

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAtext(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// isAtext: RFC 5322 3.2.3 atext (ASCII only; 8-bit bytes force quoting).
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
