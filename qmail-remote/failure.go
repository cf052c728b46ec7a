package main

import (
	"fmt"
	"net/netip"

	"qmail-remote-go/lib/report"
)

// A final is a message report that ends the run before any speaker
// could give one.
type final struct {
	letter byte
	text   string
}

func (f *final) Error() string { return f.text }

func temp(format string, a ...any) *final { return &final{'Z', fmt.Sprintf(format, a...)} }
func perm(format string, a ...any) *final { return &final{'D', fmt.Sprintf(format, a...)} }

func (f *final) bytes() []byte { return report.Report{Letter: f.letter, Text: f.text}.Bytes() }

// The sentences qmail-remote itself reports, in one place as
// mxlookup/failure.go keeps mxlookup's (qmail-remote.8, RESULTS).
// Each ends in its LF; a second line, when there is one, says why.

func crashed(r any) *final {
	return temp("qmail-remote crashed: %s. (#4.3.0)\n", oneLine(fmt.Sprint(r)))
}

func invokedImproperly() *final { return perm("I (qmail-remote) was invoked improperly. (#5.3.5)\n") }

func noHome() *final { return temp("Unable to switch to home directory. (#4.3.0)\n") }

func controlFailed(err error) *final {
	return temp("Unable to read control files. (#4.3.0)\n%s\n", fileError(err))
}

func noOwnFolder(err error) *final {
	return temp("Unable to find my own folder: %s. (#4.3.0)\n", oneLine(err.Error()))
}

func spoolFailed(err error) *final {
	return temp("Unable to spool the message: %s. (#4.3.0)\n", oneLine(err.Error()))
}

func unreadableMessage() *final { return temp("Unable to read message. (#4.3.0)\n") }

// mxlookup ended with 100 or 111 but printed no sentence of its own.
func lookupSilent(host, tail string) *final {
	return temp("Unable to look up %s: mxlookup failed without saying why. (#4.3.0)\n%s", oneLine(host), tail)
}

func lookupFailed(host, why, tail string) *final {
	return temp("Unable to look up %s: %s. (#4.3.0)\n%s", oneLine(host), why, tail)
}

func lookupMalformed(host string) *final {
	return temp("Unable to look up %s: mxlookup printed a malformed line. (#4.3.0)\n", oneLine(host))
}

func noResources() *final { return temp("System resources temporarily unavailable. (#4.3.0)\n") }

// SPEC 3.6: every candidate is this machine.
func notLocal() *final {
	return perm("Sorry. Although I'm listed as a best-preference MX or A for that host,\nit isn't in my control/locals file, so I don't treat it as local. (#5.4.6)\n")
}

func bindFailed(bind netip.Addr, where string, err error) *final {
	return temp("Can't bind to local ip address: %s. (#4.3.0)\n%s: %s\n", bind, where, oneLine(err.Error()))
}

func malformedReport(ip, speaker, tail string) *final {
	return temp("Connected to %s but %s printed a malformed report. (#4.3.0)\n%s", ip, speaker, tail)
}

func speakerFailed(ip, why, tail string) *final {
	return temp("Connected to %s but %s. (#4.3.0)\n%s", ip, why, tail)
}

// SPEC D33: the first line as qmail-send knows it, then why.
func noConnection(why string) *final {
	return temp("Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)\n%s", lineOf(why))
}
