package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"qmail-remote-go/lib/addr"
	"qmail-remote-go/lib/idna"
	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/smtp"
	"qmail-remote-go/lib/tlsreport"
	"qmail-remote-go/lib/trace"
)

// A session is one SMTP dialogue. In lock step (SPEC 5) every command
// is written and flushed and its reply read before the next one; with
// PIPELINING and CHUNKING (envelope.go, chunking.go) the envelope goes
// in one write and the replies map the same way. It touches no
// descriptor itself, so the tests drive it with strings.
type session struct {
	r    *bufio.Reader // from the peer
	w    *bufio.Writer // to the peer
	msg  io.Reader     // the message, LF line ends
	out  io.Writer     // reports
	ip   string        // printed in the reports
	helo string

	level string  // TLS level: tlsNo, tlsTry, tlsMust
	host  string  // the destination after routing, for TLS texts
	dane  bool    // TLS_VERIFY=dane: the host has TLSA records (SPEC D30)
	side  tlsSide // starts TLS; nil when nothing can
	// findSide finds our own tlswrap when STARTTLS is first offered,
	// and becomes side; nil when there is nothing to find.
	findSide func() tlsSide
	noSide   string // why findSide found nothing: tlswrap is missing (SPEC D33)

	chanFiles   func() (r, w *os.File) // the descriptors of the channel now in use
	runAuth     authRunner             // runs authclient; nil without credentials
	authParam   func() (int, []byte)   // runs authclient -m (a session from the cache); nil without credentials
	authed      bool                   // the session authenticated (235), now or when it was opened
	utf8        bool                   // MAIL declared SMTPUTF8 (RFC 6531)
	clearAuthOK bool                   // a rule keyed on this host allows AUTH in clear or over unverified TLS (D9)
	verifies    bool                   // TLS_VERIFY checks the server's certificate (not none)
	mailParam   string                 // " AUTH=..." after a 235
	prefix      string                 // a first line for the message report (D3)

	text    []byte            // capture of the latest reply; nil once printed (SPEC 1.6)
	ext     map[string]string // EHLO keywords (upper case) and their parameters
	tlsOn   bool              // the session runs over TLS
	tlsLine string            // the TLS line of a K report (SPEC D20)
	mech    string            // TLSMECH: the policy behind the TLS level (MTA-STS, SPEC D31, D32)
	audit   bool              // tlswrap audits the certificate (TLS_AUDIT_NAMES): MTA-STS testing
	note    string            // a last line for the message report (TLS not used, and why)
	outErr  error             // the first failure to write a report
	trace   *trace.T          // the transcript (TRACEFD); nil when off
	// committed: the whole message is on the wire and its verdict is
	// unread, so a lost connection may leave it delivered (SPEC 1.6).
	committed bool
	immediate bool  // SMTPS: TLS from the first byte (tlswrap -i), never cached
	cache     reuse // the session cache (reuse.go)
}

// An ending is how a session ends: the message report (none when letter
// is 0), whether QUIT goes out first, the exit code, and a diagnostic.
type ending struct {
	letter byte
	text   string
	quit   bool
	exit   int
	diag   string
}

// run holds the whole dialogue and returns the exit code and a diagnostic
// line for fd 2 ("" for none).
func (s *session) run(sender string, rcpts []string) (int, string) {
	return s.end(s.deliver(sender, rcpts))
}

// end sends QUIT when e says so, ends the TLS side and prints e's
// report. A session that may be cached after its K goes back to the
// cache instead of QUIT, and its tlswrap, if any, goes on running it.
func (s *session) end(e ending) (int, string) {
	kept := e.quit && e.letter == 'K' && s.handBack()
	if kept {
		e.quit = false
	}
	if e.quit {
		// SPEC D2: QUIT after every SMTP-level outcome, reply not awaited.
		s.trace.Sent("QUIT")
		s.w.WriteString("QUIT\r\n")
		s.w.Flush()
	}
	if s.side != nil && !kept {
		s.side.finish()
	}
	if e.letter != 0 {
		if report.IsMessage(e.letter) {
			e.text = s.prefix + e.text + s.note
		}
		s.report(e.letter, e.text)
	}
	if s.outErr != nil {
		return 111, "unable to write reports: " + s.outErr.Error()
	}
	return e.exit, e.diag
}

func (s *session) deliver(sender string, rcpts []string) ending {
	if e := s.open(); e != nil {
		return *e
	}
	if addr.HasLineBreak(sender) {
		return ending{letter: 'D', text: "Sorry, the envelope sender contains a line break. (#5.1.7)\n", quit: true}
	}
	sender, rcpts, e := s.international(sender, rcpts)
	if e != nil {
		return *e
	}
	if why := badPath(sender, "the envelope sender", "(#5.1.7)"); why != "" {
		return ending{letter: 'D', text: why, quit: true}
	}
	p, e := s.prepare()
	if e != nil {
		return *e
	}
	if s.utf8 {
		p.params += " SMTPUTF8" // RFC 6531 3.4
	}
	mail := "MAIL FROM:<" + s.mangle(sender) + ">" + p.params + s.mailParam
	if p.pipelining {
		return s.pipelined(mail, rcpts, p)
	}
	if s.cache.from != nil {
		if e := s.rset(); e != nil {
			return *e
		}
	}
	if e := s.mail(mail); e != nil {
		return *e
	}
	if e := s.recipients(rcpts); e != nil {
		return *e
	}
	if s.outErr != nil {
		return ending{quit: true} // never send a message nobody will hear about
	}
	if e := s.data(); e != nil {
		return *e
	}
	return s.body()
}

// open runs the session up to MAIL: greeting, EHLO, STARTTLS, AUTH. A
// session from the cache has done all that; its RSET goes with MAIL.
func (s *session) open() *ending {
	if s.cache.from != nil {
		return nil
	}
	if e := s.greeting(); e != nil {
		return e
	}
	if e := s.hello(); e != nil {
		return e
	}
	if e := s.startTLS(); e != nil {
		return e
	}
	return s.auth()
}

// greeting applies SPEC D1: 4xx other than 421/450, and 5xx, let the
// caller try the next address: exit 111 or 100, and on fd 1 the report
// qmail-1.03 gave for it, the whole reply after "Remote host said: ",
// which qmail-remote turns into its D33 line (smtpclient.8, EXIT CODES).
func (s *session) greeting() *ending {
	rep, e := s.reply()
	if e != nil {
		return e
	}
	switch c := rep.Code; {
	case c == 220:
		return nil
	case c == 421 || c == 450:
		return s.quit('Z', "Connected to ", " but greylisted")
	case c >= 400 && c < 600:
		exit := 111
		if c >= 500 {
			exit = 100
		}
		e := s.quit('Z', "Connected to ", " but greeting failed")
		e.exit, e.diag = exit, fmt.Sprintf("connected to %s but greeting failed: %s", s.ip, smtp.FirstLine(rep.Text))
		return e
	}
	return s.quit('Z', "Connected to ", " but greeting failed")
}

// hello: RFC 5321 4.1.1.1, EHLO first, HELO when the server refuses it.
func (s *session) hello() *ending {
	rep, e := s.cmd("EHLO " + s.helo)
	if e != nil {
		return e
	}
	if rep.Code == 250 {
		s.ext = extensions(rep.Text)
		return nil
	}
	if rep, e = s.cmd("HELO " + s.helo); e != nil {
		return e
	}
	switch class(rep.Code) {
	case 2:
		if rep.Code == 250 {
			return nil
		}
	case 5:
		return s.quit('D', "Connected to ", " but my name was rejected")
	}
	return s.quit('Z', "Connected to ", " but my name was rejected")
}

// extensions parses the EHLO reply (RFC 5321 4.1.1.1): every line after
// the first is a keyword and its parameters. The old "AUTH=LOGIN" form
// counts as keyword AUTH. Kept for STARTTLS, AUTH, SIZE, PIPELINING.
func extensions(text []byte) map[string]string {
	ext := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	for _, l := range lines[1:] {
		if len(l) < 4 {
			continue
		}
		kw, params, _ := strings.Cut(l[4:], " ")
		if k, p, ok := strings.Cut(kw, "="); ok {
			kw, params = k, strings.TrimSpace(p+" "+params)
		}
		if kw != "" {
			ext[smtp.UpperASCII(kw)] = params
		}
	}
	return ext
}

func (s *session) mail(line string) *ending {
	rep, e := s.cmd(line)
	if e != nil {
		return e
	}
	return s.afterMail(rep)
}

// afterMail maps the reply to MAIL (SPEC 1.8, D24): nil goes on.
func (s *session) afterMail(rep smtp.Reply) *ending {
	switch class(rep.Code) {
	case 2:
		return nil
	case 5:
		return s.quit('D', "Connected to ", " but sender was rejected")
	case 4:
		return s.quit('Z', "Connected to ", " but sender was greylisted")
	}
	return s.quit('Z', "Connected to ", " but sender was rejected")
}

// recipients sends one RCPT per recipient and prints its report at once.
func (s *session) recipients(rcpts []string) *ending {
	accepted := 0
	for _, r := range rcpts {
		if why := s.refusal(r); why != "" {
			s.report('h', why)
			continue
		}
		rep, e := s.cmd(s.rcptLine(r))
		if e != nil {
			return e
		}
		if s.afterRcpt(rep) {
			accepted++
		}
	}
	if accepted == 0 {
		return s.gaveUp()
	}
	return nil
}

func (s *session) rcptLine(r string) string { return "RCPT TO:<" + s.mangle(r) + ">" }

// mangle is an address as it goes between the angle brackets: with
// SMTPUTF8 in effect its UTF-8 is atext (SPEC D35).
func (s *session) mangle(a string) string {
	if s.utf8 {
		return addr.MangleUTF8(a)
	}
	return addr.Mangle(a)
}

// refusal is the report of a recipient that never reaches the wire ("" for
// one that goes): a line break in it, text outside ASCII in its local
// part when the server takes no SMTPUTF8 (international), bytes that
// are not UTF-8 when it does, or a domain that could end the path
// (badPath).
func (s *session) refusal(r string) string {
	switch {
	case addr.HasLineBreak(r):
		return "Sorry, the recipient address contains a line break. (#5.1.3)\n"
	case !s.utf8 && !idna.IsASCII(r):
		return "Sorry, " + s.ip + " does not support SMTPUTF8 (RFC 6531), and the recipient address is not ASCII. (#5.6.7)\n"
	case s.utf8 && !utf8.ValidString(r):
		return notUTF8("recipient address")
	}
	return badPath(r, "the recipient address", "(#5.1.3)")
}

// badPath is the report text for an address whose domain holds what
// no domain name or address literal holds ('>', a space: it would end
// the path early or add parameters to MAIL or RCPT), or that has no '@'
// and is not a dot-atom; "" when a can go (lib/addr DomainOK, BareOK).
// Permanent: the address will not change. what names the address, code
// is its status (#5.1.7 for the sender, #5.1.3 for a recipient: bad
// address syntax, RFC 3463).
func badPath(a, what, code string) string {
	switch {
	case !addr.DomainOK(a):
		return "Sorry, the domain of " + what + " is not a domain name or address literal (RFC 5321 4.1.2). " + code + "\n"
	case !addr.BareOK(a):
		return "Sorry, " + what + " has no @ and is not a dot-atom (RFC 5321 4.1.2). " + code + "\n"
	}
	return ""
}

// afterRcpt prints the recipient report for its reply (SPEC 1.6, 1.8,
// D24) and tells whether the recipient was accepted.
func (s *session) afterRcpt(rep smtp.Reply) bool {
	switch c := rep.Code; {
	case class(c) == 2:
		s.report('r', "")
	case class(c) == 5:
		s.report('h', s.ip+" does not like recipient.\n"+s.remote())
	case c == 421 || c == 450:
		s.report('s', s.ip+" probably greylisting.\n"+s.remote())
	default:
		s.report('s', s.ip+" does not like recipient.\n"+s.remote())
	}
	s.text = nil
	return class(rep.Code) == 2
}

// gaveUp: no recipient was accepted; their reports said why.
func (s *session) gaveUp() *ending {
	s.text = nil
	return s.quit('D', "Giving up on ", "")
}

func (s *session) data() *ending {
	rep, e := s.cmd("DATA")
	if e != nil {
		return e
	}
	return s.afterData(rep)
}

// afterData maps the reply to DATA (SPEC 1.8, D24): nil for 354.
func (s *session) afterData(rep smtp.Reply) *ending {
	switch {
	case rep.Code == 354:
		return nil
	case class(rep.Code) == 5:
		return s.quit('D', "", " failed on DATA command")
	case rep.Code == 451:
		return s.quit('Z', "", " message was greylisted")
	}
	return s.quit('Z', "", " failed on DATA command")
}

// body sends the message and the final dot, and reads the verdict.
func (s *session) body() ending {
	if err := smtp.WriteBody(s.w, s.msg); err != nil {
		// No terminator, no QUIT: either would land inside the message.
		if e := unsendable(err, false); e != nil {
			return *e
		}
		return *s.dropped()
	}
	// RFC 5321 4.1.1.4: the mail data ends with "<CRLF>.<CRLF>".
	s.trace.Note("the message (not shown)")
	s.trace.Sent(".")
	s.w.WriteString(".\r\n")
	if s.w.Flush() != nil {
		return *s.dropped()
	}
	s.committed = true
	rep, e := s.reply()
	if e != nil {
		return *e
	}
	return s.verdict(rep)
}

// unsendable is the ending for a message that cannot go as SMTP: a
// partial final line (SPEC 5.8) or a failure to read it; nil for any
// other error (the peer's). quit is false inside DATA, where QUIT would
// land in the message.
func unsendable(err error, quit bool) *ending {
	var re *smtp.ReadError
	switch {
	case err == smtp.ErrPartialLine:
		return &ending{letter: 'D', text: "SMTP cannot transfer messages with partial final lines. (#5.6.2)\n", quit: quit}
	case errors.As(err, &re):
		return &ending{letter: 'Z', text: "Unable to read message. (#4.3.0)\n", quit: quit}
	}
	return nil
}

// verdict maps the reply to the whole message, after the final dot or
// to BDAT LAST (SPEC 1.8, D24): K only for 2xx.
func (s *session) verdict(rep smtp.Reply) ending {
	switch class(rep.Code) {
	case 2:
		if s.tlsOn {
			// SPEC 1.7.3 and D20: the sentence, the remote text, one more line.
			e := s.quit('K', "", " TLS transmitted message accepted")
			e.text += s.tlsLine + s.reusedLine()
			return *e
		}
		e := s.quit('K', "", " accepted message")
		e.text += s.reusedLine()
		return *e
	case 5:
		return *s.quit('D', "", " failed after I sent the message")
	}
	return *s.quit('Z', "", " failed after I sent the message")
}

// cmd sends one command line and reads its reply. The line never holds
// CR or LF: the callers check the addresses, main checks HELOHOST.
func (s *session) cmd(line string) (smtp.Reply, *ending) {
	s.traceSent(line)
	s.w.WriteString(line)
	s.w.WriteString("\r\n")
	if s.w.Flush() != nil {
		return smtp.Reply{}, s.dropped()
	}
	return s.reply()
}

// reply reads one reply and makes it the current capture. A dead
// connection, a timeout and a malformed reply all end the session.
func (s *session) reply() (smtp.Reply, *ending) {
	rep, err := s.readReply()
	if err != nil {
		return rep, s.dropped()
	}
	s.text = rep.Text
	return rep, nil
}

// traceSent puts a command line in the transcript, the user name of
// MAIL's AUTH= parameter hidden: secrets.sh counts it a secret too.
func (s *session) traceSent(line string) {
	if s.trace == nil {
		return
	}
	if s.mailParam != "" {
		line = strings.Replace(line, s.mailParam, " AUTH="+trace.Hidden, 1)
	}
	s.trace.Sent(line)
}

// readReply reads one reply and puts it in the transcript. A 4xx, or
// no reply, keeps the session out of the cache (doc/behaviour.md, D36).
func (s *session) readReply() (smtp.Reply, error) {
	rep, err := smtp.ReadReply(s.r)
	switch {
	case err != nil:
		s.cache.noKeep = "no reply"
	case class(rep.Code) == 4:
		s.cache.noKeep = "a 4xx reply"
	}
	if s.trace != nil {
		if err != nil {
			s.trace.Note("no reply: " + err.Error())
		} else {
			s.trace.Got(rep.Text)
		}
	}
	return rep, err
}

// quit builds the report of qmail-remote's quit(): prefix, ip, suffix, a
// dot, then the remote text if any; QUIT goes out first.
func (s *session) quit(letter byte, prefix, suffix string) *ending {
	return &ending{letter: letter, text: prefix + s.ip + suffix + ".\n" + s.remote(), quit: true}
}

// dropped is qmail-remote's dropped(): the connection died, timed out or
// broke the grammar. Over TLS, a failure of the TLS layer itself (an
// alert, a bad record) has its own text (SPEC D22).
func (s *session) dropped() *ending {
	if s.committed {
		return &ending{letter: 'Z', text: "Connected to " + s.ip + " but connection died. Possible duplicate! (#4.4.2)\n"}
	}
	if s.tlsOn && s.side != nil && s.side.finish() {
		return &ending{letter: 'Z', text: tlsreport.Text(tlsreport.IO, tlsreport.Values{Host: s.host}) + "\n"}
	}
	return &ending{letter: 'Z', text: "Connected to " + s.ip + " but connection died. (#4.4.2)\n"}
}

// remote is the "Remote host said:" part for the current capture.
func (s *session) remote() string {
	if len(s.text) == 0 {
		return ""
	}
	return "Remote host said: " + string(s.text)
}

func (s *session) report(letter byte, text string) {
	if s.trace != nil {
		s.trace.Note("report " + string(letter) + strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", " / "))
	}
	if s.outErr == nil {
		s.outErr = report.Write(s.out, letter, text)
	}
}

// class is the first digit of a reply code (RFC 5321 4.2.1).
func class(code int) int { return code / 100 }
