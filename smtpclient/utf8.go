package main

import (
	"strings"
	"unicode/utf8"

	"qmail-remote-go/lib/idna"
)

// international prepares an envelope that holds an address outside
// ASCII (SPEC D11, RFC 6531). When the server offers SMTPUTF8, MAIL
// declares it and the addresses go as they are, their UTF-8 as atext
// (SPEC D35, mangle), unless one holds bytes that are not UTF-8 (a D for
// the sender, an h for a recipient: notUTF8). Otherwise a domain can
// still go as its A-labels (RFC 5890), but a local part cannot: a sender
// like that is a D for the message, a recipient an h of its own (see
// refusal). An all-ASCII envelope declares nothing.
func (s *session) international(sender string, rcpts []string) (string, []string, *ending) {
	if idna.IsASCII(sender) && allASCII(rcpts) {
		return sender, rcpts, nil
	}
	if _, ok := s.ext["SMTPUTF8"]; ok {
		if !utf8.ValidString(sender) {
			return "", nil, &ending{letter: 'D', quit: true, text: notUTF8("envelope sender")}
		}
		s.utf8 = true
		return sender, rcpts, nil
	}
	sender = aLabels(sender)
	if !idna.IsASCII(sender) {
		return "", nil, &ending{letter: 'D', quit: true, text: "Sorry, " + s.ip +
			" does not support SMTPUTF8 (RFC 6531), and the envelope sender is not ASCII. (#5.6.7)\n"}
	}
	out := make([]string, len(rcpts))
	for i, r := range rcpts {
		out[i] = aLabels(r)
	}
	return sender, out, nil
}

// notUTF8 is the report for an address with bytes that are not UTF-8
// in a session with SMTPUTF8 (RFC 6531 wants UTF-8 there, RFC 3629). It
// cannot go at all: quoted, its bytes would still not be UTF-8, and a
// lenient server could read an overlong form as '"', '@' or '>' and so
// see another address. Permanent: the address will never become UTF-8.
func notUTF8(what string) string {
	return "Sorry, the " + what + " is not valid UTF-8 (RFC 6531). (#5.6.7)\n"
}

// aLabels writes the domain of address a as A-labels when it is a valid
// internationalized domain name; otherwise a stays as it is.
func aLabels(a string) string {
	at := strings.LastIndexByte(a, '@')
	if at < 0 || idna.IsASCII(a[at+1:]) {
		return a
	}
	d, err := idna.ToASCII(a[at+1:])
	if err != nil {
		return a
	}
	return a[:at+1] + d
}

func allASCII(a []string) bool {
	for _, s := range a {
		if !idna.IsASCII(s) {
			return false
		}
	}
	return true
}
