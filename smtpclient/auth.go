package main

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"

	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/report"
)

// noAuthMethod is SPEC D3's sentence: the first line of the final
// message report, never a K of its own.
const noAuthMethod = "no supported AUTH method found, continuing without authentication.\n"

// An authRunner runs authclient with these mechanisms on the current
// channel and returns its exit code and descriptor 1; exit notRun, and
// why in out, when it could not be started.
type authRunner func(mechs []string) (exit int, out []byte)

const notRun = -2

// auth runs SMTP AUTH (RFC 4954, SPEC 5.5) when credentials were handed
// down: after the final EHLO, before MAIL.
func (s *session) auth() *ending {
	if s.runAuth == nil {
		return nil
	}
	offered := strings.Fields(s.ext["AUTH"])
	// SPEC D9 (revised): no mechanism runs over clear text or over TLS
	// with an unchecked certificate to another host: PLAIN and LOGIN
	// hand out the password, CRAM-MD5 and SCRAM a transcript to crack
	// offline, and an unchecked certificate may be anyone's. Only a
	// rule keyed on this host (AUTHCLEAR) or a loopback peer allows it.
	// TLS_VERIFY=dane without a usable record leaves the certificate
	// unchecked, and tlswrap says so (SPEC D30).
	verified := s.tlsOn && s.verifies && !strings.Contains(s.tlsLine, "certificate not checked")
	if len(offered) > 0 && !s.clearAuthOK && !loopback(s.ip) && !verified {
		text := "Connected to " + s.ip + " but refusing to send a password in the clear (no STARTTLS). (#4.7.0)\n"
		if s.tlsOn {
			text = "Connected to " + s.ip + " but refusing to send a password over TLS without a verified certificate. (#4.7.0)\n"
		}
		return &ending{letter: 'Z', text: text + authHint(s.host), quit: true}
	}
	var mechs []string // nil when nothing is offered
	mechs = append(mechs, offered...)
	if s.r.Buffered() > 0 {
		// authclient reads the socket itself: nothing may wait here.
		return s.dropped()
	}
	exit, out := s.runAuth(mechs)
	switch exit {
	case 0:
		param, ok := paramLine(out)
		if !ok {
			return &ending{letter: 'Z', text: "Connected to " + s.ip + " but authclient printed a malformed line. (#4.3.0)\n", quit: true}
		}
		s.mailParam = param
		s.authed = true
		return nil
	case 1:
		s.prefix = noAuthMethod
		return nil
	case 100, 111:
		if len(out) > 1 && out[len(out)-1] == 0 && (out[0] == 'Z' || out[0] == 'D') && bytes.IndexByte(out, 0) == len(out)-1 {
			return &ending{letter: out[0], text: string(out[1 : len(out)-1]), quit: true}
		}
	case notRun:
		// SPEC D33: the missing helper by name, the same at every address.
		return &ending{letter: 'Z', text: "Connected to " + s.ip + " but unable to run authclient: " + report.Printable(string(out)) + ". (#4.3.0)\n", quit: true}
	}
	return &ending{letter: 'Z', text: "Connected to " + s.ip + " but authclient failed without a usable report. (#4.3.0)\n", quit: true}
}

// paramLine checks authclient's line on success, AUTH=xtext(user) and
// LF, and gives MAIL's parameter: a space and the line without its LF.
func paramLine(out []byte) (string, bool) {
	param, ok := bytes.CutSuffix(out, []byte("\n"))
	if !ok || !bytes.HasPrefix(param, []byte("AUTH=")) || bytes.ContainsAny(param, "\r\n\x00 ") {
		return "", false
	}
	return " " + string(param), true
}

// authHint is the line after a D9 refusal: what allows it (smtpclient.8).
func authHint(host string) string {
	return "To allow it, add a rule for " + host + " to control/tlsdestinations: " + host +
		":/path/to/its-ca.pem or %" + host + ":=<sha256 fingerprint> (verified TLS), -" + host +
		": (TLS, any certificate) or !" + host + ": (clear text).\n"
}

// loopback tells whether the peer is this machine (SPEC D9).
func loopback(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Unmap().IsLoopback()
}

// execAuth starts authclient beside us on the channel's descriptors,
// with the credentials' pipe as its descriptor 3 (and the transcript tr,
// if any, as its descriptor 8). It is the only other reader of that
// pipe; we never read it.
func execAuth(path string, creds *os.File, channel func() (r, w *os.File), timeout time.Duration, tr *os.File) authRunner {
	return func(mechs []string) (int, []byte) {
		r, w := channel()
		cmd := exec.Command(path, mechs...)
		cmd.ExtraFiles = []*os.File{creds, nil, nil, r, w}
		cmd.Env = authEnv()
		if tr != nil {
			// The transcript goes on through the exchange, which
			// authclient masks (authclient.8).
			cmd.ExtraFiles = append(cmd.ExtraFiles, tr)
			cmd.Env = append(cmd.Env, "TRACEFD=8")
		}
		// fdio.Start: the channel keeps its deadlines for the rest of
		// the session, however early authclient ends. Its own reads and
		// writes are bounded by TIMEOUTREMOTE; the bound on the whole
		// exchange is SCRAM's at most 4 steps.
		return runAuthclient(cmd, 6*timeout+10*time.Second, func() (func(), error) { return fdio.Start(cmd, r, w) })
	}
}

// execParam runs authclient -m, the credentials' pipe as its descriptor
// 3 and nothing of the channel: the AUTH= parameter of MAIL for a
// session from the cache that authenticated with them before, printed
// without an exchange (authclient.8). Its exit code and descriptor 1.
func execParam(path string, creds *os.File, timeout time.Duration) func() (int, []byte) {
	return func() (int, []byte) {
		cmd := exec.Command(path, "-m")
		cmd.ExtraFiles = []*os.File{creds}
		cmd.Env = authEnv()
		return runAuthclient(cmd, timeout+10*time.Second, func() (func(), error) { return func() {}, cmd.Start() })
	}
}

// runAuthclient starts cmd (by start) and waits for it at most limit:
// its exit code and descriptor 1 (at most 8192 bytes), notRun and why
// when it could not be started, -1 when it failed otherwise.
func runAuthclient(cmd *exec.Cmd, limit time.Duration, start func() (func(), error)) (int, []byte) {
	var out limited
	out.max = 8192
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	cmd.SysProcAttr = diesWithUs()
	cmd.WaitDelay = time.Second
	reclaim, err := start()
	if err != nil {
		return notRun, []byte(err.Error())
	}
	t := time.AfterFunc(limit, func() { cmd.Process.Kill() })
	err = cmd.Wait()
	t.Stop()
	reclaim()
	if err != nil && cmd.ProcessState == nil || out.over {
		return -1, nil
	}
	return cmd.ProcessState.ExitCode(), out.Bytes()
}

// authEnv is our environment less what would mislead authclient: an
// outer wrapper's descriptors (UCSPI-TLS section 6) and TLS settings
// (the list is handoff.Strip's).
func authEnv() []string { return handoff.Strip(os.Environ(), handoff.Auth) }

// limited keeps at most max bytes and notes when more came. It has no
// ReadFrom (no embedded Buffer): io.Copy must go through Write.
type limited struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (l *limited) Write(p []byte) (int, error) {
	if l.buf.Len()+len(p) > l.max {
		l.over = true
		return len(p), nil
	}
	return l.buf.Write(p)
}

func (l *limited) Bytes() []byte { return l.buf.Bytes() }
