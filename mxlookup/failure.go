package main

import (
	"errors"
	"fmt"

	"qmail-remote-go/lib/dns"
	"qmail-remote-go/lib/report"
)

// A failure is the one line mxlookup prints instead of candidates: the
// sentence qmail-remote reports, less its letter, and the exit code that
// picks the letter (111 Z, 100 D). See mxlookup.8, OUTPUT.
type failure struct {
	code int
	text string
}

func permHost(name string) *failure {
	return &failure{100, fmt.Sprintf("Sorry, I couldn't find any host named %s. (#5.1.2)", report.Safe(name))}
}

func noAddress() *failure {
	return &failure{100, "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)"}
}

// RFC 7505 3; SPEC D13.
func nullMX(name string) *failure {
	return &failure{100, fmt.Sprintf("Sorry, %s does not accept mail (null MX). (#5.1.10)", report.Safe(name))}
}

// soft reports a temporary failure about name; when it happened at the
// end of a CNAME chain, it names that target instead (SPEC D4).
func soft(name string, err error) *failure {
	var e *dns.Error
	if errors.As(err, &e) && e.Alias {
		return &failure{111, fmt.Sprintf("CNAME lookup failed temporarily for: %s. (#4.4.3)", report.Safe(e.Name))}
	}
	return &failure{111, fmt.Sprintf("Sorry, I couldn't find any host named: %s. (#4.1.2)", report.Safe(name))}
}

// local reports trouble with our own configuration.
func local(err error) *failure {
	var ce *dns.ConfError
	if errors.As(err, &ce) {
		verb := "parse"
		if ce.Read {
			verb = "read"
		}
		return &failure{111, fmt.Sprintf("Unable to %s %s: %s. (#4.3.0)", verb, report.Safe(ce.What), report.Printable(ce.Reason))}
	}
	return &failure{111, fmt.Sprintf("Unable to look up: %s. (#4.3.0)", report.Printable(err.Error()))}
}
