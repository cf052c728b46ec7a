package main

import (
	"os"
	"strconv"
	"strings"

	"qmail-remote-go/lib/report"
	"qmail-remote-go/lib/route"
	"qmail-remote-go/lib/tlspolicy"
)

// tlsPolicy reads the TLS rule for the destination after routing
// (control/tlsdestinations, SPEC 4.9, D6, D7) and the client certificate
// for the sender (control/domaincerts, SPEC 4.10). A rule's port
// replaces the route's; port 465 with TLS in force means SMTPS.
func (d *delivery) tlsPolicy() *final {
	var err error
	if d.route.Proto == route.QMTP {
		// SPEC 4.6: tlsdestinations is about STARTTLS; QMTP has none.
		// QMTPS (port 6209) is TLS from the first byte (d.qmtps).
		d.tls = tlspolicy.Policy{Level: tlspolicy.Never, Depth: tlspolicy.DepthUnset}
		if d.qmtps() {
			d.tls = tlspolicy.Default
		}
	} else {
		d.tls, err = tlspolicy.Select(d.cfg.tlsdest, d.cfg.tlsdestFound, d.route.Host, d.sender)
		if err != nil {
			return temp("Syntax error in %s. (#4.3.5)\n", oneLine(err.Error()))
		}
		if d.tls.Port != 0 {
			d.route.Port = d.tls.Port
		}
		if d.route.User != "" && d.tls.Level == tlspolicy.Never && !d.namedNoTLS() {
			// SPEC D9: with credentials, STARTTLS whenever offered,
			// unless a ! rule names this host.
			d.tls = tlspolicy.Default
		}
	}
	if d.cert, d.hasCert, err = tlspolicy.SelectCert(d.cfg.domaincerts, d.sender); err != nil {
		return temp("Syntax error in %s. (#4.3.5)\n", oneLine(err.Error()))
	}
	return nil
}

// namedNoTLS tells whether a ! rule of tlsdestinations names this host
// (or a .suffix of it), as opposed to !* or a lone !: only then may a
// password go in clear text (SPEC D9).
func (d *delivery) namedNoTLS() bool {
	k := d.tls.Key
	return d.tls.Level == tlspolicy.Never && strings.HasPrefix(k, "!") && k != "!" && k != "!*"
}

// smtps tells whether this delivery starts TLS before the greeting.
func (d *delivery) smtps() bool {
	return d.route.Proto == route.SMTP && d.route.Port == tlspolicy.SMTPSPort && d.tls.Level != tlspolicy.Never
}

// qmtpsPort is QMTP over TLS from the first byte (sq3).
const qmtpsPort = 6209

func (d *delivery) qmtps() bool { return d.route.Proto == route.QMTP && d.route.Port == qmtpsPort }

// speaker is the program that speaks the route's protocol.
func (d *delivery) speaker() string {
	if d.route.Proto == route.QMTP {
		return "qmtpclient"
	}
	return "smtpclient"
}

// keyPassFD is where the stages find the client key's password: a pipe
// that qmail-remote fills, so that it is in no argv and no environment.
// smtpclient hands it on to tlswrap unread.
const keyPassFD = 9

// tlsEnv is what the speaker (and tlswrap) learn of the TLS policy for
// candidate c: TLS, TLSHOST and the variables of tlswrap.8. clear turns
// TLS off (the retry of SPEC D8). The password pipe, if any, is
// returned for fd 9; the caller closes it.
func (d *delivery) tlsEnv(c candidate, clear bool) (env []string, keyPass *os.File, err error) {
	level := d.tls.Level
	if clear {
		level = tlspolicy.Never
	}
	env = []string{"TLS=" + level.String(), "TLSHOST=" + d.route.Host}
	if level == tlspolicy.Never {
		return env, nil, nil
	}
	env = append(env, d.tls.Env(tlspolicy.Names(d.route.Host, c.name), tlspolicy.ServerName(c.name, d.route.Host))...)
	if !d.hasCert {
		return env, nil, nil
	}
	env = append(env, "CERTFILE="+d.cert.CertFile)
	if d.cert.KeyFile != "" {
		env = append(env, "KEYFILE="+d.cert.KeyFile)
	}
	if d.cert.Password == "" {
		return env, nil, nil
	}
	r, err := secretPipe(d.cert.Password)
	if err != nil {
		return nil, nil, err
	}
	return append(env, "KEYPASSFD="+strconv.Itoa(keyPassFD)), r, nil
}

// secretPipe returns the read end of a pipe that holds secret and is
// closed for writing: a secret reaches a stage on a descriptor, never in
// argv or the environment. The control file parsers bound what goes in
// (lib/route, lib/tlspolicy) far below a pipe's buffer, so the write
// cannot block.
func secretPipe(secret string) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	_, err = w.WriteString(secret)
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// withNote adds a line to the last report of a stream (SPEC D8: the
// report says that TLS was given up).
func withNote(out []byte, note string) []byte {
	if note == "" || len(out) == 0 || out[len(out)-1] != 0 {
		return out
	}
	return append(append(out[:len(out)-1:len(out)-1], note...), 0)
}

// clearNote says why the retry went in clear text, from the Z report of
// the failed attempt.
func clearNote(out []byte) string {
	why, _, _ := strings.Cut(strings.TrimPrefix(string(out), "Z"), "\n")
	why = strings.TrimSuffix(why, "\x00")
	return "TLS: none; retried in clear text after: " + report.Printable(why) + "\n"
}

// authFD is where smtpclient finds the AUTH credentials, user NUL
// password NUL: a pipe that qmail-remote fills and only authclient reads.
const authFD = 8

// authEnv gives the speaker the credentials of the route, if any: AUTHFD
// and the pipe for fd 8, and AUTHCLEAR=yes when a ! rule names the host
// (SPEC D9). The caller closes the pipe.
func (d *delivery) authEnv() (env []string, creds *os.File, err error) {
	if d.route.User == "" {
		return nil, nil, nil
	}
	r, err := secretPipe(d.route.User + "\x00" + d.route.Pass + "\x00")
	if err != nil {
		return nil, nil, err
	}
	env = []string{"AUTHFD=" + strconv.Itoa(authFD)}
	if d.namedNoTLS() {
		env = append(env, "AUTHCLEAR=yes")
	}
	return env, r, nil
}
