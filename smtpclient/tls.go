package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"qmail-remote-go/lib/fdio"
	"qmail-remote-go/lib/handoff"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/smtp"
	"qmail-remote-go/lib/tlsreport"
	"qmail-remote-go/lib/ucspitls"
)

// TLS levels, from the variable TLS (qmail-remote sets it per address).
const (
	tlsNo   = "no"   // never send STARTTLS
	tlsTry  = "try"  // STARTTLS when offered; clear text otherwise (SPEC D7, D8)
	tlsMust = "must" // no TLS, no delivery to this address (SPEC D8, D21)
)

// A tlsSide turns the clear-text connection into a TLS one. It is the
// application side of UCSPI-TLS (doc/ucspi-tls.md, section 6):
// wrapperSide under an outer wrapper, helperSide with tlswrap -d.
type tlsSide interface {
	// start runs the handshake. It returns the encrypted channel and the
	// reply block; on failure a nil channel and whatever the block held
	// (TLSWRAP_ERROR, TLSWRAP_REPORT and TLSWRAP_REASON from our
	// tlswrap, else nothing).
	start() (io.ReadWriter, map[string]string)
	// finish ends the TLS side, waiting briefly for it, and tells
	// whether the TLS layer itself failed (not a clean end of the
	// connection). It may be called more than once.
	finish() (tlsFailed bool)
}

// startTLS offers STARTTLS when the level asks for it (SPEC 5.4).
func (s *session) startTLS() *ending {
	if s.level == tlsNo || s.tlsOn {
		return nil
	}
	_, offered := s.ext["STARTTLS"]
	if offered && s.side == nil && s.findSide != nil {
		s.side, s.findSide = s.findSide(), nil
	}
	if !offered || s.side == nil {
		why := ""
		if offered && s.noSide != "" {
			why = s.noSide + "\n" // SPEC D33: the helper that is missing
		}
		if s.level == tlsMust && s.dane && !offered {
			// SPEC D30: the host is TLSHOST, the MX host.
			return &ending{letter: 'Z', text: tlsreport.DANENoTLS(s.host) + "\n", quit: true, exit: 111}
		}
		if s.level == tlsMust {
			// SPEC 1.7.5 (sq3's text): try the next address (D8, D21).
			return &ending{letter: 'Z', text: s.mechText("I wasn't able to negotiate a TLS connection with: "+s.host+". (#4.4.1)\n") + why,
				quit: true, exit: 111}
		}
		if why != "" {
			// Never clear text without a word (the D20 line says so).
			s.note = "TLS: none; STARTTLS was offered but " + why
		} else if s.audit {
			// MTA-STS testing (SPEC D31): enforce would have refused this.
			s.note = "TLS: none; " + s.mech + ": would have failed: no STARTTLS\n"
		}
		return nil
	}
	rep, e := s.cmd("STARTTLS")
	if e != nil {
		return e
	}
	if rep.Code != 220 {
		if s.level == tlsMust {
			e := s.quit('Z', "Connected to ", " but STARTTLS was rejected")
			e.text, e.exit = s.mechText(e.text), 111
			return e
		}
		// RFC 3207 4: the session goes on in clear text, which the
		// opportunistic level allows; the final report says why.
		s.note = "TLS: none; STARTTLS was rejected: " + report.Printable(smtp.FirstLine(rep.Text)) + "\n"
		s.text = nil
		return nil
	}
	// RFC 3207 5 and CVE-2011-0411: nothing may follow the 220 before
	// our handshake; bytes that did were injected in clear text.
	if s.r.Buffered() > 0 {
		return &ending{letter: 'Z', text: "Connected to " + s.ip + " but it sent data after its 220 to STARTTLS; refusing it (STARTTLS injection). (#4.7.0)\n"}
	}
	ch, env := s.side.start()
	if ch == nil {
		return s.tlsFailed(env)
	}
	s.tlsOn = true
	s.tlsLine = tlsLine(env, s.mech, s.level == tlsMust)
	s.cache.tlsEnv = reportEnv(env)
	s.trace.Note("TLS started; from here on what passes inside it: " + strings.TrimSuffix(s.tlsLine, "\n"))
	if c, ok := ch.(*fdio.Conn); ok {
		s.chanFiles = c.Files
	}
	s.r = bufio.NewReaderSize(ch, bufSize)
	s.w = bufio.NewWriterSize(ch, bufSize)
	// RFC 3207 4.2: forget what the server said in clear text and ask again.
	s.ext = nil
	return s.hello()
}

// tlsFailed reports a failed handshake. The connection is unusable, so
// no QUIT. An opportunistic level retries in clear text (SPEC D8) unless
// our own settings are at fault (a key or a CA that cannot be loaded);
// at the mandatory level another address may do better (D21).
func (s *session) tlsFailed(env map[string]string) *ending {
	kind := env["TLSWRAP_ERROR"]
	text := env["TLSWRAP_REPORT"]
	if text == "" {
		text = tlsreport.Text(tlsreport.Handshake, tlsreport.Values{Host: s.host})
	}
	e := &ending{letter: 'Z', text: s.mechText(report.Printable(text) + "\n"), diag: "TLS failed: " + report.Printable(text)}
	if why := env["TLSWRAP_REASON"]; why != "" {
		e.text += report.Printable(why) + "\n" // SPEC D33: what was wrong with the certificate
	}
	s.trace.Note("TLS failed: " + e.text)
	switch kind {
	case tlsreport.Cert, tlsreport.Key, tlsreport.KeyMatch, tlsreport.CA, tlsreport.Ciphers, tlsreport.PinLen:
		return e // the same at every address: final
	}
	e.exit = 111
	if s.level == tlsTry {
		e.exit = handoff.ExitClearRetry
	}
	return e
}

// tlsLine is the line SPEC D20 adds to a K report. With a mechanism
// (TLSMECH, smtpclient.8) that made TLS mandatory, its name comes
// before what was verified: "TLS: TLSv1.3 ...; MTA-STS enforce:
// certificate verified for mx.test" (SPEC D31). At the opportunistic
// level it comes after, with tlswrap's audit when there is one:
// "...; certificate not checked; MTA-STS testing: would have failed:
// ..." (D31), "...; TLS-Required: No (MTA-STS not enforced)" (D32).
func tlsLine(env map[string]string, mech string, must bool) string {
	verify := env["TLSWRAP_VERIFY"]
	if verify == "" {
		verify = "verification unknown" // an outer wrapper other than tlswrap
	}
	switch {
	case mech == "":
	case must:
		verify = mech + ": " + verify
	case env["TLSWRAP_AUDIT"] != "":
		verify += "; " + mech + ": " + env["TLSWRAP_AUDIT"]
	default:
		verify += "; " + mech
	}
	return "TLS: " + report.Printable(env["SSL_PROTOCOL"]+" "+env["SSL_CIPHER"]+"; "+verify) + "\n"
}

// reportEnv is what tlsLine reads of a reply block: what a session
// that goes back to the cache keeps of it (scache.State's tls lines).
func reportEnv(env map[string]string) map[string]string {
	kept := map[string]string{}
	for _, k := range []string{"SSL_PROTOCOL", "SSL_CIPHER", "TLSWRAP_VERIFY", "TLSWRAP_AUDIT"} {
		if v, ok := env[k]; ok {
			kept[k] = v
		}
	}
	return kept
}

// checked tells whether tlswrap's TLSWRAP_VERIFY says that the server's
// certificate passed a check (tlswrap.8): a chain, a name, a pin or a
// TLSA record; not "certificate not checked", not an unknown phrase,
// not another wrapper's silence.
func checked(verify string) bool {
	for _, p := range []string{"certificate verified", "certificate matches the pinned ", "DANE-EE ", "DANE-TA "} {
		if strings.HasPrefix(verify, p) {
			return p[0] == 'c' || strings.Contains(verify, " matched for ")
		}
	}
	return false
}

// mechText puts the mechanism that made TLS mandatory before a
// failure's text: TLSMECH "MTA-STS enforce" makes "MTA-STS: I wasn't
// able to ..." (SPEC D31).
func (s *session) mechText(text string) string {
	if s.level != tlsMust {
		return text
	}
	return tlsreport.MechText(s.mech, text)
}

// wrapperSide asks an outer UCSPI-TLS wrapper (section 3): it writes Y on
// SSLCTLFD and reads the reply block.
type wrapperSide struct {
	ctl, rfd, wfd int
	net           *fdio.Conn // fds 6/7, closed once TLS is up (section 6, step 5)
	timeout       time.Duration
}

func (w *wrapperSide) start() (io.ReadWriter, map[string]string) {
	syscall.SetNonblock(w.ctl, true)
	ctl := os.NewFile(uintptr(w.ctl), "SSLCTLFD")
	defer ctl.Close()
	ctl.SetDeadline(time.Now().Add(w.timeout))
	if _, err := ctl.Write([]byte{'Y'}); err != nil {
		return nil, nil
	}
	b, err := ucspitls.Read(ctl, 8192)
	env, complete := ucspitls.Parse(b)
	if err != nil || !complete {
		return nil, env
	}
	w.net.Close()
	syscall.SetNonblock(w.rfd, true)
	syscall.SetNonblock(w.wfd, true)
	r := os.NewFile(uintptr(w.rfd), "SSLREADFD")
	wr := r
	if w.wfd != w.rfd {
		wr = os.NewFile(uintptr(w.wfd), "SSLWRITEFD")
	}
	return fdio.New(r, wr, w.timeout), env
}

// finish: the outer wrapper tells us nothing more than EOF.
func (w *wrapperSide) finish() bool { return false }

// helperSide starts tlswrap -d 3 once the server said 220 to STARTTLS,
// with the socket on its fds 6/7 and two pipes for the clear text, so a
// session that stays in clear text runs no TLS process (doc/pipeline.md, "start
// TLS only when used").
type helperSide struct {
	path    string     // tlswrap, beside smtpclient
	detach  bool       // SESSIONFD: the session may outlive us in the cache
	net     *fdio.Conn // fds 6/7
	keyPass *os.File   // KEYPASSFD (qmail-remote's pipe), handed on; nil if none
	chain   *os.File   // TLS_CHAINFD (qmail-rcheck's probe), handed on; nil if none
	timeout time.Duration
	cmd     *exec.Cmd
	ch      *fdio.Conn
	done    chan struct{}
	failed  bool
}

func (h *helperSide) start() (io.ReadWriter, map[string]string) {
	var p [3][2]*os.File
	for i := range p {
		made, err := pipe()
		if err != nil {
			for _, q := range p[:i] {
				q[0].Close()
				q[1].Close()
			}
			return nil, nil
		}
		p[i] = made
	}
	toApp, fromApp, notify := p[0], p[1], p[2]
	// A large message crosses these pipes once more than in clear text:
	// 1 MiB of pipe (the usual Linux maximum for anyone) instead of 64 KiB
	// lets each side work in larger turns. Failure just keeps 64 KiB.
	bigPipe(fromApp[1])
	bigPipe(toApp[1])
	r6, w7 := h.net.Files()
	// -q: tlswrap ends once all we wrote went out with close_notify, not
	// when the server closes: QUIT's reply is not waited for (SPEC D2),
	// and finish would otherwise wait one round trip for it.
	h.cmd = exec.Command(h.path, "-d", "3", "-q")
	h.cmd.Stdin, h.cmd.Stdout, h.cmd.Stderr = fromApp[0], toApp[1], os.Stderr
	h.cmd.SysProcAttr = diesWithUs()
	if h.detach {
		// A session that goes back to the cache goes on in this tlswrap
		// after we exit. So it holds nothing of the delivery (qmail-remote
		// reads our fds 1 and 2 to their end), is in a session of its own
		// (qmail-remote kills our process group), and does not die with us.
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			for _, q := range p {
				q[0].Close()
				q[1].Close()
			}
			return nil, map[string]string{"TLSWRAP_REASON": "tlswrap cannot be run: " + err.Error()}
		}
		defer null.Close()
		h.cmd.Stderr = null
		h.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		keepInherited()
	}
	// fds 3 (notify), 4, 5, 6 and 7 (the network), 8, 9 (KEYPASSFD),
	// 10, 11 (TLS_CHAINFD).
	h.cmd.ExtraFiles = []*os.File{notify[1], nil, nil, r6, w7, nil, h.keyPass, nil, h.chain}
	h.cmd.Env = wrapEnv()
	if h.keyPass != nil {
		h.cmd.Env = append(h.cmd.Env, "KEYPASSFD="+strconv.Itoa(handoff.KeyPassFD)) // exec keeps the last of a name
	}
	if h.chain != nil {
		h.cmd.Env = append(h.cmd.Env, "TLS_CHAINFD=11")
	}
	reclaim, err := fdio.Start(h.cmd, r6, w7)
	for _, f := range []*os.File{fromApp[0], toApp[1], notify[1]} {
		f.Close()
	}
	if h.chain != nil {
		h.chain.Close() // tlswrap's alone: its reader sees EOF when tlswrap ends
		h.chain = nil
	}
	if err != nil {
		fromApp[1].Close()
		toApp[0].Close()
		notify[0].Close()
		return nil, map[string]string{"TLSWRAP_REASON": "tlswrap cannot be run: " + err.Error()}
	}
	h.done = make(chan struct{})
	// Once tlswrap has exited, the socket is ours again when the
	// handshake failed (reclaim on a closed file does nothing).
	go func() { h.cmd.Wait(); reclaim(); close(h.done) }()
	notify[0].SetReadDeadline(time.Now().Add(h.timeout + 5*time.Second))
	b, err := ucspitls.Read(notify[0], 8192)
	notify[0].Close()
	env, complete := ucspitls.Parse(b)
	h.ch = fdio.New(toApp[0], fromApp[1], h.timeout)
	if err != nil || !complete {
		h.finish()
		return nil, env
	}
	h.net.Close() // tlswrap owns the socket now
	return h.ch, env
}

// wrapEnv is tlswrap's environment: ours, less the session cache's
// variables (handoff.Strip), which are ours alone.
func wrapEnv() []string { return handoff.Strip(os.Environ(), handoff.Helper) }

// finish closes our ends (tlswrap sends close_notify and ends) and
// waits a little for it: QUIT is not waited for, but should leave.
func (h *helperSide) finish() bool {
	if h.cmd == nil || h.cmd.Process == nil {
		return false
	}
	if h.ch != nil {
		h.ch.Close()
		h.ch = nil
		select {
		case <-h.done:
		case <-time.After(finishWait):
			h.cmd.Process.Kill()
			<-h.done
		}
		st := h.cmd.ProcessState
		h.failed = st != nil && st.Exited() && st.ExitCode() != 0
	}
	return h.failed
}

// finishWait bounds the wait for tlswrap at the end of a session: long
// enough to send QUIT and close_notify, short enough that a server that
// never closes costs little.
const finishWait = 2 * time.Second

// pipe is os.Pipe as a pair: [0] read end, [1] write end.
func pipe() ([2]*os.File, error) {
	r, w, err := os.Pipe()
	return [2]*os.File{r, w}, err
}

// fdEnv reads a descriptor number from the environment (-1: unset).
func fdEnv(name string) (int, bool) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return -1, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}
