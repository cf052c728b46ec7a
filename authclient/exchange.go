package main

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"qmail-remote-go/lib/smtp"
	"qmail-remote-go/lib/trace"
)

// mechanisms in order of preference, with the short name that the
// "too weak", "temporarily" and "encryption" texts carry (s/qmail's).
var mechanisms = []struct{ name, short string }{
	{"SCRAM-SHA-256", "scram"},
	{"CRAM-MD5", "cram"},
	{"LOGIN", "login"},
	{"PLAIN", "plain"},
}

// A client runs one AUTH exchange in lock step (RFC 4954 4): every line
// is written and flushed and its reply read before the next. It touches
// no descriptor itself, so the tests drive it with strings.
type client struct {
	r     *bufio.Reader // from the peer
	w     *bufio.Writer // to the peer
	ip    string        // printed in the reports
	nonce func() string // the SCRAM client nonce; the tests fix it
	trace *trace.T      // the transcript, every payload masked; nil when off

	text []byte // capture of the latest reply (SPEC 5.1)
}

// A failure ends the exchange: the message report, letter and text.
type failure struct {
	letter byte
	text   string
}

// auth runs the exchange for mech (one of mechanisms); nil means 235.
func (c *client) auth(mech, user, pass string) *failure {
	switch mech {
	case "SCRAM-SHA-256":
		return c.scram(user, pass)
	case "CRAM-MD5":
		return c.cram(user, pass)
	case "LOGIN":
		return c.login(user, pass)
	}
	return c.plain(user, pass)
}

// plain: RFC 4616 2, message = authzid NUL authcid NUL passwd, with an
// empty authzid (SPEC D10). No initial response, as s/qmail.
func (c *client) plain(user, pass string) *failure {
	if _, f := c.challenge("AUTH PLAIN", "AUTH PLAIN", "plain"); f != nil {
		return f
	}
	return c.final(b64("\x00"+user+"\x00"+pass), "plain", "plain")
}

// login: the LOGIN mechanism (draft-murchison-sasl-login): the prompts
// are not inspected.
func (c *client) login(user, pass string) *failure {
	if _, f := c.challenge("AUTH LOGIN", "AUTH LOGIN", "login"); f != nil {
		return f
	}
	if _, f := c.challenge(b64(user), "username", "login"); f != nil {
		return f
	}
	return c.final(b64(pass), "login", "login")
}

// cram: RFC 2195 2, response = user SP lower-case hex HMAC-MD5(password,
// challenge).
func (c *client) cram(user, pass string) *failure {
	rep, f := c.challenge("AUTH CRAM-MD5", "AUTH CRAM-MD5", "cram")
	if f != nil {
		return f
	}
	ch, f := c.decode(rep, "AUTH CRAM-MD5")
	if f != nil {
		return f
	}
	return c.final(b64(cramResponse(user, pass, ch)), "username+digest", "cram")
}

func cramResponse(user, pass string, challenge []byte) string {
	m := hmac.New(md5.New, []byte(pass))
	m.Write(challenge)
	return user + " " + hex.EncodeToString(m.Sum(nil))
}

// challenge sends line and wants 334, the server's next challenge.
func (c *client) challenge(line, label, short string) (smtp.Reply, *failure) {
	rep, f := c.cmd(line)
	switch {
	case f != nil:
		return rep, f
	case rep.Code == 235:
		// The exchange is not over: never trust a success we did not earn.
		return rep, c.quit('Z', " but the server said 235 before authentication was complete ("+label+")")
	case rep.Code != 334:
		return rep, c.refused(rep.Code, label, short)
	}
	return rep, nil
}

// final sends the last line of an exchange and wants 235.
func (c *client) final(line, label, short string) *failure {
	rep, f := c.cmd(line)
	switch {
	case f != nil:
		return f
	case rep.Code == 334:
		// Every mechanism here has a fixed number of steps: no loop.
		return c.quit('Z', " but authentication went on past its last step ("+label+")")
	case rep.Code != 235:
		return c.refused(rep.Code, label, short)
	case c.r.Buffered() > 0:
		// Bytes nobody asked for would be lost to smtpclient, which reads
		// the next reply from the same descriptor.
		return c.quit('Z', " but the server sent more than its 235 reply")
	}
	return nil
}

// refused maps a reply that ends the exchange (RFC 4954 6, SPEC 1.7.4).
func (c *client) refused(code int, label, short string) *failure {
	switch code {
	case 432:
		return c.quit('D', " but password expired")
	case 454:
		return c.quit('Z', " but authentication failed temporarily ("+short+")")
	case 534:
		return c.quit('Z', " but authentication mechanism too weak ("+short+")")
	case 538:
		return c.quit('Z', " but encryption is required for this mechanism ("+short+")")
	}
	return c.quit('Z', " but authentication was rejected ("+label+")")
}

// decode returns the challenge of a 334 reply: RFC 4954 4 and 8,
// continue-req = "334" SP [base64] CRLF, on one line. An empty challenge
// where one is needed is a failure too.
func (c *client) decode(rep smtp.Reply, label string) ([]byte, *failure) {
	b, ok := decodeChallenge(rep.Text)
	if !ok {
		return nil, c.quit('Z', " but unable to base64decode challenge")
	}
	if len(b) == 0 {
		return nil, c.quit('Z', " but the server sent an empty challenge ("+label+")")
	}
	return b, nil
}

// decodeChallenge decodes the capture of a one-line 334 reply. A capture
// that reached smtp.MaxText may have been cut: not decodable.
func decodeChallenge(text []byte) ([]byte, bool) {
	if len(text) >= smtp.MaxText {
		return nil, false
	}
	line, rest, _ := strings.Cut(string(text), "\n")
	if rest != "" || len(line) < 3 || (len(line) > 3 && line[3] != ' ') {
		return nil, false
	}
	s := strings.TrimRight(line[min(4, len(line)):], " \t")
	b, err := base64.StdEncoding.DecodeString(s)
	return b, err == nil
}

// cmd sends one line and reads its reply. Lines are base64 or fixed
// text: they never hold CR or LF.
func (c *client) cmd(line string) (smtp.Reply, *failure) {
	c.traceSent(line)
	c.w.WriteString(line)
	c.w.WriteString("\r\n")
	if c.w.Flush() != nil {
		return smtp.Reply{}, c.dropped()
	}
	rep, err := smtp.ReadReply(c.r)
	if err != nil {
		c.trace.Note("no reply: " + err.Error())
		return rep, c.dropped()
	}
	if rep.Code == 334 {
		c.trace.Masked(rep.Code)
	} else {
		c.trace.Got(rep.Text)
	}
	c.text = rep.Text
	return rep, nil
}

// traceSent puts line in the transcript: "AUTH <mechanism>" as it is,
// anything more (a payload) hidden.
func (c *client) traceSent(line string) {
	if c.trace == nil {
		return
	}
	if mech, ok := strings.CutPrefix(line, "AUTH "); ok {
		mech, rest, _ := strings.Cut(mech, " ")
		if rest != "" {
			mech += " " + trace.Hidden
		}
		c.trace.Sent("AUTH " + mech)
		return
	}
	c.trace.Secret()
}

// quit builds the text of qmail-remote's quit(): "Connected to", ip,
// suffix, a dot, then the latest reply if any.
func (c *client) quit(letter byte, suffix string) *failure {
	t := "Connected to " + c.ip + suffix + ".\n"
	if len(c.text) > 0 {
		t += "Remote host said: " + string(c.text)
	}
	return &failure{letter, t}
}

func (c *client) dropped() *failure {
	return &failure{'Z', "Connected to " + c.ip + " but connection died. (#4.4.2)\n"}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
