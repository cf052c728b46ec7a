// Smtpclient delivers one message over SMTP on descriptors 6 and 7 and
// reports on descriptor 1 in qmail-remote format. See smtpclient.8.
package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"qmail-remote-go/lib/addr"
	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/scache"
	"qmail-remote-go/lib/trace"
	"qmail-remote-go/lib/version"
)

const (
	prog    = "smtpclient"
	usage   = "usage: smtpclient sender recip [recip ...] | smtpclient -p"
	bufSize = 64 << 10
)

func main() { os.Exit(run(os.Args)) }

func run(args []string) int {
	// A dead peer or a closed fd 1 must give EPIPE, not kill us.
	signal.Ignore(syscall.SIGPIPE)
	probing := len(args) == 2 && args[1] == "-p"
	if len(args) < 3 && !probing {
		fmt.Fprintln(os.Stderr, version.Usage(usage))
		return 100
	}
	helo, timeout, err := settings()
	if err != nil {
		return fatal(100, err.Error())
	}
	ip := report.RemoteIP()
	conn, err := fdio.Open(6, 7, timeout)
	if err != nil {
		return fatal(111, "unable to use network fds 6/7: "+err.Error())
	}
	defer conn.Close()
	s := &session{
		r:    bufio.NewReaderSize(conn, bufSize),
		w:    bufio.NewWriterSize(conn, bufSize),
		msg:  fdio.Message(os.Stdin),
		out:  os.Stdout,
		ip:   ip,
		helo: helo,
	}
	s.chanFiles = conn.Files
	s.trace = trace.FromEnv(prog)
	closeOnExec("AUTHFD", "KEYPASSFD", "TLS_CHAINFD")
	if !probing {
		if err := s.cacheSettings(); err != nil {
			return fatal(100, err.Error())
		}
	}
	if err := s.tlsSettings(conn, timeout); err != nil {
		return fatal(100, err.Error())
	}
	if err := s.authSettings(timeout); err != nil {
		return fatal(100, err.Error())
	}
	if s.cache.from != nil {
		// RSET proves it alive; but a session the server closed or
		// sent 421 on while idle is readable already: not a byte to it.
		if !scache.Quiet(6) {
			s.stale("the server closed it or spoke while it was idle")
			return handoff.ExitStale
		}
		if why := s.resume(); why != "" {
			s.stale(why)
			return handoff.ExitStale
		}
	}
	var code int
	var diag string
	if probing {
		code, diag = s.runProbe()
	} else {
		if s.trace != nil {
			s.trace.Note("to " + ip + " port " + os.Getenv("TCPREMOTEPORT") + ", TLS " + s.level + ", host " + s.host +
				", from " + args[1] + " to " + strconv.Itoa(len(args)-2) + " recipient(s)")
			if s.tlsOn {
				// SMTPS: tlswrap -i did the handshake before we ran.
				s.trace.Note("over TLS from the first byte: " + strings.TrimSuffix(s.tlsLine, "\n"))
			}
		}
		code, diag = s.run(args[1], args[2:])
	}
	if diag != "" {
		fatal(code, diag)
	}
	return code
}

// settings reads HELOHOST (required, may be empty) and TIMEOUTREMOTE.
func settings() (helo string, timeout time.Duration, err error) {
	helo, ok := os.LookupEnv("HELOHOST")
	if !ok {
		return "", 0, fmt.Errorf("HELOHOST is not set")
	}
	if addr.HasLineBreak(helo) {
		return "", 0, fmt.Errorf("HELOHOST contains a line break")
	}
	timeout, err = fdio.TimeoutRemote()
	return helo, timeout, err
}

// tlsSettings reads TLS and TLSHOST and finds the TLS side: the
// session is TLS already (tlswrap -i exported SSL_PROTOCOL), or an outer
// wrapper gave SSLCTLFD, or tlswrap lies beside us.
func (s *session) tlsSettings(conn *fdio.Conn, timeout time.Duration) error {
	s.level = tlsTry // SPEC D7: opportunistic by default
	if v, ok := os.LookupEnv("TLS"); ok {
		if v != tlsNo && v != tlsTry && v != tlsMust {
			return fmt.Errorf("TLS is not no, try or must: %q", v)
		}
		s.level = v
	}
	s.host = report.Safe(cmp.Or(os.Getenv("TLSHOST"), os.Getenv("TCPREMOTEIP"), "unknown"))
	s.dane = os.Getenv("TLS_VERIFY") == handoff.VerifyDANE
	// The TLS layer fails the handshake unless the certificate passes
	// TLS_VERIFY's check (tlswrap.8): any check but none verifies it.
	v := os.Getenv("TLS_VERIFY")
	s.verifies = v != "" && v != handoff.VerifyNone
	s.mech = report.Printable(os.Getenv("TLSMECH"))
	s.audit = s.mech != "" && os.Getenv("TLS_AUDIT_NAMES") != ""
	if _, ok := os.LookupEnv("SSL_PROTOCOL"); ok {
		// Immediate mode (SMTPS): the wrapper did the handshake first.
		env := map[string]string{}
		for _, k := range []string{"SSL_PROTOCOL", "SSL_CIPHER", "TLSWRAP_VERIFY"} {
			env[k] = os.Getenv(k)
		}
		env["TLSWRAP_AUDIT"] = os.Getenv("TLSWRAP_AUDIT")
		s.tlsOn, s.tlsLine = true, tlsLine(env, s.mech, s.level == tlsMust)
		s.immediate = true
		// tlswrap -i keeps TLS_VERIFY from us (tlswrap.8): what it
		// checked is what it says it checked (SPEC D9).
		s.verifies = checked(env["TLSWRAP_VERIFY"])
		return nil
	}
	ctl, ok1 := fdEnv("SSLCTLFD")
	rfd, ok2 := fdEnv("SSLREADFD")
	wfd, ok3 := fdEnv("SSLWRITEFD")
	if !ok1 || !ok2 || !ok3 || (ctl >= 0) != (rfd >= 0 && wfd >= 0) {
		return fmt.Errorf("SSLCTLFD, SSLREADFD and SSLWRITEFD must all be descriptor numbers")
	}
	if ctl >= 0 {
		s.side = &wrapperSide{ctl: ctl, rfd: rfd, wfd: wfd, net: conn, timeout: timeout}
		return nil
	}
	h := &helperSide{net: conn, timeout: timeout, detach: s.cache.keep != nil}
	if fd, ok := fdEnv("KEYPASSFD"); !ok {
		return fmt.Errorf("KEYPASSFD is not a descriptor number")
	} else if fd >= 0 {
		h.keyPass = os.NewFile(uintptr(fd), "KEYPASSFD")
	}
	if fd, ok := fdEnv("TLS_CHAINFD"); !ok {
		return fmt.Errorf("TLS_CHAINFD is not a descriptor number")
	} else if fd >= 0 {
		h.chain = os.NewFile(uintptr(fd), "TLS_CHAINFD")
	}
	// tlswrap is looked for once the server offers STARTTLS: a session
	// that stays in clear text never asks (a readlink and a stat fewer).
	s.findSide = func() tlsSide {
		path, err := beside("tlswrap")
		if err != nil {
			// As if STARTTLS were not offered, but said (SPEC D33).
			s.noSide = "tlswrap cannot be run: " + report.Printable(err.Error())
			return nil
		}
		h.path = path
		return h
	}
	return nil
}

// closeOnExec marks the secret descriptors that qmail-remote hands us
// close-on-exec: each is for one child only (AUTHFD for authclient,
// KEYPASSFD for tlswrap), which gets it through exec.Cmd's ExtraFiles;
// left inheritable, every other child had it too (authclient held the
// key password's pipe, unread when STARTTLS was not offered).
func closeOnExec(names ...string) {
	for _, name := range names {
		if fd, ok := fdEnv(name); ok && fd >= 0 {
			syscall.CloseOnExec(fd)
		}
	}
}

// authSettings reads AUTHFD (the credentials' pipe, which qmail-remote
// filled and only authclient reads) and AUTHCLEAR.
func (s *session) authSettings(timeout time.Duration) error {
	fd, ok := fdEnv("AUTHFD")
	if !ok {
		return fmt.Errorf("AUTHFD is not a descriptor number")
	}
	if fd < 0 {
		return nil
	}
	// A missing authclient is said when AUTH is due (execAuth), as the
	// report of that address, not as a connection that never was.
	path, _ := beside("authclient")
	creds := os.NewFile(uintptr(fd), "AUTHFD")
	s.runAuth = execAuth(path, creds, func() (r, w *os.File) { return s.chanFiles() }, timeout, s.trace.File())
	// At most one of the two runs: a session authenticates, or comes
	// from the cache having authenticated (resume).
	s.authParam = execParam(path, creds, timeout)
	s.clearAuthOK = os.Getenv("AUTHCLEAR") == "yes"
	return nil
}

// beside finds a program in smtpclient's own folder: its path, and why
// it is not there.
func beside(name string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return name, err
	}
	path := filepath.Join(filepath.Dir(exe), name)
	var pe *fs.PathError
	if _, err = os.Stat(path); errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", path, pe.Err) // without "stat "
	}
	return path, err
}

func fatal(code int, msg string) int {
	fmt.Fprintf(os.Stderr, "%s: fatal: %s\n", prog, msg)
	return code
}
