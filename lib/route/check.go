package route

import (
	"strings"

	"qmail-remote-go/lib/control"
)

// CheckLine parses one line of smtproutes, qmtproutes (proto QMTP) or
// authsenders (SMTP) as Select does when the line decides a route, so
// that qmail-rcheck finds a bad line before a message for it arrives.
// bounce says the line's key is "!@" in a routes table. The error
// names the line; note says what of a good line is ignored.
func CheckLine(proto string, e control.Entry, bounce bool) (note string, err error) {
	r, err := source{proto: proto}.parse(e, Route{Proto: SMTP, Port: DefaultSMTPPort})
	if err != nil {
		return "", err
	}
	switch {
	case proto == QMTP && strings.Contains(e.Value, "|"):
		return "QMTP has no AUTH: the user and password are ignored", nil
	case bounce && !r.Relay:
		return "a bounce route without a relay is skipped", nil
	}
	return "", nil
}
