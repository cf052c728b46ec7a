package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// runProbe is smtpclient -p, qmail-rcheck's probe: the steps of a
// delivery up to the point where MAIL would go (greeting, EHLO,
// STARTTLS as the TLS level says, EHLO again), then QUIT. It never
// sends MAIL, RCPT, DATA or AUTH. It prints what it saw as lines on
// fd 1: the server's replies ("< "), our commands ("> "), the TLS line
// of a K report, and last "ready: ..." or the report a delivery would
// give, each line after "verdict: ". The exit code is 0 when a delivery
// would go on to MAIL, else a delivery's.
func (s *session) runProbe() (int, string) {
	out := s.out
	var verdict bytes.Buffer
	s.out = &verdict // the report of end, printed as verdict lines
	e := s.probe(out)
	if e.letter == 0 && e.exit == 0 {
		fmt.Fprintf(out, "ready: a delivery would send MAIL now\n")
	}
	code, diag := s.end(e)
	text := strings.TrimSuffix(strings.TrimSuffix(verdict.String(), "\x00"), "\n")
	if text != "" {
		for _, line := range strings.Split(text, "\n") {
			fmt.Fprintf(out, "verdict: %s\n", line)
		}
		if code == 0 {
			code = 111
			if e.letter == 'D' {
				code = 100
			}
		}
	} else if e.exit != 0 || e.letter != 0 {
		fmt.Fprintf(out, "verdict: %s\n", e.diag)
	}
	return code, diag
}

// probe runs the steps and shows each.
func (s *session) probe(out io.Writer) ending {
	show := func(prefix string, text []byte) {
		for _, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
			fmt.Fprintf(out, "%s%s\n", prefix, l)
		}
	}
	e := s.greeting()
	show("< ", s.text)
	if e != nil {
		return *e
	}
	fmt.Fprintf(out, "> EHLO %s\n", s.helo)
	e = s.hello()
	show("< ", s.text)
	if e != nil {
		return *e
	}
	e = s.startTLS()
	if s.tlsOn {
		fmt.Fprintf(out, "%s", s.tlsLine)
		fmt.Fprintf(out, "> EHLO %s\n", s.helo)
		show("< ", s.text)
	} else if s.note != "" {
		fmt.Fprintf(out, "%s", s.note)
	} else if e == nil && s.level == tlsNo {
		fmt.Fprintf(out, "TLS: none; the policy says no\n")
	} else if _, offered := s.ext["STARTTLS"]; e == nil && !offered {
		fmt.Fprintf(out, "TLS: none; STARTTLS not offered\n")
	}
	if e != nil {
		return *e
	}
	return ending{quit: true}
}
