// Authclient runs the SMTP AUTH exchange on descriptors 6 and 7 for
// smtpclient, with the credentials it reads from descriptor 3, and says
// how it went on descriptor 1; with -m it only prints the MAIL
// parameter of those credentials, for a session that authenticated
// before (the session cache). See authclient.8. (go.mod's godebug line
// keeps the runtime off the descriptors it reads: fd 3, 6, 7.)
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/smtp"
	"qmail-remote-go/lib/trace"
)

const (
	prog    = "authclient"
	maxCred = 4096 // bytes of user NUL password NUL
)

func main() { os.Exit(run(os.Args[1:])) }

func run(offered []string) int {
	// A dead peer or a closed fd 1 must give EPIPE, not kill us.
	signal.Ignore(syscall.SIGPIPE)
	if len(offered) > 0 && offered[0] == "-m" {
		return mailParam(offered[1:])
	}
	ip := report.RemoteIP()
	timeout, err := fdio.TimeoutRemote()
	if err != nil {
		return local("Unable to run authclient: TIMEOUTREMOTE is not a number of seconds. (#4.3.0)\n", err.Error())
	}
	cred, err := readCred(os.NewFile(3, "fd3"))
	if err != nil {
		return local("Unable to read the AUTH credentials from descriptor 3. (#4.3.0)\n", "unable to read fd 3: "+err.Error())
	}
	user, pass, problem := parseCred(cred)
	if problem != "" {
		return output(&failure{'Z', "Connected to " + ip + " but " + problem + ". (#4.7.0)\n"}, "")
	}
	mech := choose(offered)
	if mech == "" {
		return 1 // SPEC D3: the caller goes on without AUTH
	}
	conn, err := fdio.Open(6, 7, timeout)
	if err != nil {
		return local("Unable to run authclient: descriptors 6/7 are not open. (#4.3.0)\n", "unable to use network fds 6/7: "+err.Error())
	}
	defer conn.Close()
	c := &client{
		r:     bufio.NewReader(conn),
		w:     bufio.NewWriter(conn),
		ip:    ip,
		nonce: rand.Text,
		trace: trace.FromEnv(prog),
	}
	return output(c.auth(mech, user, pass), user)
}

// mailParam is -m: the credentials on fd 3 are checked as for an
// exchange, and fd 1 gets the line a 235 would have given, AUTH= and
// the user in xtext. Nothing is read from or sent to the peer (fds 6
// and 7 are not touched): smtpclient asks for it when a session from
// the cache authenticated with these credentials long ago (smtpclient
// keeps the user out of its environment and the cache's records).
func mailParam(extra []string) int {
	if len(extra) > 0 {
		return local("Unable to run authclient: -m takes no mechanisms. (#4.3.0)\n", "usage: authclient -m")
	}
	cred, err := readCred(os.NewFile(3, "fd3"))
	if err != nil {
		return local("Unable to read the AUTH credentials from descriptor 3. (#4.3.0)\n", "unable to read fd 3: "+err.Error())
	}
	user, _, problem := parseCred(cred)
	if problem != "" {
		return output(&failure{'Z', "Connected to " + report.RemoteIP() + " but " + problem + ". (#4.7.0)\n"}, "")
	}
	return output(nil, user)
}

// output prints the outcome on fd 1 and returns the exit code: the AUTH=
// parameter for MAIL FROM (RFC 4954 5) on success, else the report.
func output(f *failure, user string) int {
	b, code := outcome(f, user)
	if _, err := os.Stdout.Write(b); err != nil {
		fmt.Fprintf(os.Stderr, "%s: fatal: unable to write fd 1: %v\n", prog, err)
		return 111
	}
	return code
}

func outcome(f *failure, user string) ([]byte, int) {
	if f == nil {
		return []byte("AUTH=" + xtext(user) + "\n"), 0
	}
	var b bytes.Buffer
	report.Write(&b, f.letter, f.text) // NUL in the text becomes '?'
	if f.letter == 'D' {
		return b.Bytes(), 100
	}
	return b.Bytes(), 111
}

// local reports a failure on our side: a Z on fd 1 and a line on fd 2.
func local(text, diag string) int {
	fmt.Fprintf(os.Stderr, "%s: fatal: %s\n", prog, diag)
	return output(&failure{'Z', text}, "")
}

// readCred reads fd 3 to its end, at most one byte more than maxCred
// (enough for parseCred to see that it is too long).
func readCred(f *os.File) ([]byte, error) {
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxCred+1))
}

// parseCred splits "user NUL password NUL" (checkpassword style) and
// names the problem when it cannot be used: nothing may reach a command
// line that could end it early or smuggle another command in.
func parseCred(b []byte) (user, pass, problem string) {
	if len(b) > maxCred {
		return "", "", "the AUTH credentials are longer than " + strconv.Itoa(maxCred) + " bytes"
	}
	u, rest, ok1 := bytes.Cut(b, []byte{0})
	p, tail, ok2 := bytes.Cut(rest, []byte{0})
	switch {
	case !ok1 || !ok2:
		return "", "", "the AUTH credentials are not in the form user NUL password NUL"
	case len(tail) > 0:
		return "", "", "the AUTH username or password holds a NUL"
	case len(u) == 0:
		return "", "", "the AUTH username is empty"
	case len(p) == 0:
		return "", "", "the AUTH password is empty"
	case bytes.ContainsAny(u, "\r\n"):
		return "", "", "the AUTH username holds a line break"
	case bytes.ContainsAny(p, "\r\n"):
		return "", "", "the AUTH password holds a line break"
	}
	return string(u), string(p), ""
}

// choose picks the strongest mechanism among those offered, matched
// ASCII-case-insensitively; "" when there is none in common.
func choose(offered []string) string {
	for _, m := range mechanisms {
		for _, o := range offered {
			if smtp.UpperASCII(o) == m.name {
				return m.name
			}
		}
	}
	return ""
}

// xtext encodes s as RFC 3461 4 says: "+", "=" and every byte outside
// 33..126 become "+" and two upper-case hex digits. (s/qmail writes +3F
// for all of the latter; a server decodes that into a different name.)
func xtext(s string) string {
	var b []byte
	for _, c := range []byte(s) {
		if c < 33 || c > 126 || c == '+' || c == '=' {
			b = append(b, '+', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}
